"""The plansim network scenarios in SimPy, written the way SimPy models usually are: one process
per customer, stations as (priority) resources, one process per arrival stream, and one
process per session-based station that takes servers away between sessions.

    python simpy_models.py SCENARIO.toml [--replications N]

prints one JSON object: per replication, the events, customers, each station's mean wait and
the network's mean time in system (see network_spec.py for what each counts), and the wall and
CPU seconds spent simulating (building, running and summarising each replication; not Python's
start-up or imports).

Model, as plansim's network kind defines it:
- Poisson arrivals per stream; a rate schedule is drawn by thinning, as plansim does.
- Each station serves with `servers` identical servers, or with the servers of its weekly
  sessions; a service started in a session runs to its end. Between sessions the missing
  servers are held by "closed" requests of the highest priority: they take each server as it
  frees up, so no service starts outside a session, and are released when the next session
  opens.
- Queues are first come, first served within a class; a freed server takes the most urgent
  class first (non-preemptive priority: SimPy's PriorityResource orders by priority, then
  request time).
- After service, a customer goes to the next station with the routing probabilities, or
  leaves.
"""

import argparse
import json
import random
import time

import simpy

from network_spec import Spec, max_rate, rate_at

CLOSED = -1  # priority of the requests that hold servers outside sessions


class Replication:
    def __init__(self, spec, replication):
        self.spec = spec
        self.rng = random.Random(spec.seed * 1_000_003 + replication)
        self.env = simpy.Environment()
        self.prioritised = len(spec.classes) > 1 or any(
            s["sessions"] is not None for s in spec.stations
        )
        self.resources = []
        for s in spec.stations:
            capacity = (
                s["servers"]
                if s["sessions"] is None
                else max(c for _, c in spec.servers_by_time(len(self.resources)))
            )
            make = simpy.PriorityResource if self.prioritised else simpy.Resource
            self.resources.append(make(self.env, capacity=capacity))
        self.wait_sum = [0.0] * len(spec.stations)
        self.wait_count = [0] * len(spec.stations)
        self.system_sum = 0.0
        self.system_count = 0
        self.arrivals = 0
        self.completions = 0

    def draw_service(self, station):
        kind, p = self.spec.stations[station]["service"]
        rng = self.rng
        if kind == "exponential":
            return rng.expovariate(1.0 / p["mean"])
        if kind == "deterministic":
            return p["value"]
        if kind == "lognormal":
            return rng.lognormvariate(p["mu"], p["sigma"])
        return rng.gammavariate(p["shape"], p["scale"])

    def route(self, station):
        u = self.rng.random()
        cumulative = 0.0
        for to, p in self.spec.stations[station]["routing"]:
            cumulative += p
            if u < cumulative:
                return to
        return None

    def customer(self, cls, station):
        env, warm_up = self.env, self.spec.warm_up
        entered = env.now
        while station is not None:
            resource = self.resources[station]
            joined = env.now
            request = resource.request(priority=cls) if self.prioritised else resource.request()
            with request:
                yield request
                if env.now >= warm_up:
                    self.wait_sum[station] += env.now - joined
                    self.wait_count[station] += 1
                yield env.timeout(self.draw_service(station))
            self.completions += 1
            station = self.route(station)
        if entered >= warm_up:
            self.system_sum += env.now - entered
            self.system_count += 1

    def source(self, stream):
        env, rng = self.env, self.rng
        top = max_rate(stream)
        if top <= 0:
            return
        while True:
            # Thinning: candidates at the highest rate, each kept with rate(t) / highest.
            gap = 0.0
            while True:
                gap += rng.expovariate(top)
                t = env.now + gap
                if rng.random() * top < rate_at(stream, t):
                    break
            yield env.timeout(gap)
            self.arrivals += 1
            env.process(self.customer(stream["class"], stream["station"]))

    def sessions(self, station):
        """Holds (capacity - servers in session) servers with CLOSED requests, week after week."""
        env, resource = self.env, self.resources[station]
        changes = self.spec.servers_by_time(station)
        held = []
        week = 0
        while True:
            for t, servers in changes:
                at = week * self.spec.week + t
                if at > env.now:
                    yield env.timeout(at - env.now)
                want = resource.capacity - servers
                while len(held) > want:
                    # Give back a request still waiting first (it holds nothing), else a server.
                    waiting = [r for r in held if not r.triggered]
                    request = waiting[-1] if waiting else held[-1]
                    held.remove(request)
                    if request.triggered:
                        resource.release(request)
                    else:
                        request.cancel()
                while len(held) < want:
                    held.append(resource.request(priority=CLOSED))
            week += 1

    def run(self):
        for stream in self.spec.arrivals:
            self.env.process(self.source(stream))
        for station, s in enumerate(self.spec.stations):
            if s["sessions"] is not None:
                self.env.process(self.sessions(station))
        self.env.run(until=self.spec.horizon)
        mean = lambda total, n: total / n if n else float("nan")
        return {
            "events": self.arrivals + self.completions + self.spec.session_events(),
            "customers": self.arrivals,
            "mean_wait": [mean(a, n) for a, n in zip(self.wait_sum, self.wait_count)],
            "mean_time_in_system": mean(self.system_sum, self.system_count),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--replications", type=int)
    args = parser.parse_args()
    spec = Spec(args.scenario)
    n = args.replications or spec.replications
    started, cpu = time.perf_counter(), time.process_time()
    results = [Replication(spec, r).run() for r in range(1, n + 1)]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    json.dump(
        {
            "simulator": "SimPy " + simpy.__version__,
            "scenario": spec.name,
            "stations": [s["name"] for s in spec.stations],
            "simulation_seconds": seconds,
            "simulation_cpu_seconds": cpu,
            "replications": results,
        },
        fp=__import__("sys").stdout,
    )


if __name__ == "__main__":
    main()
