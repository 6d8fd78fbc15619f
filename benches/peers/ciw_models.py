"""The plansim network scenarios in Ciw, built with Ciw's own constructs: `create_network`
with per-class arrival and service distributions, transition-matrix routing, priority classes,
and `Schedule`s for stations that work in weekly sessions.

    python ciw_models.py SCENARIO.toml [--replications N]

prints one JSON object: per replication, the events, customers, each station's mean wait and
the network's mean time in system (see network_spec.py for what each counts), and the wall and
CPU seconds spent simulating (building, running and summarising each replication; not Python's
start-up or imports).

Model, as plansim's network kind defines it:
- Poisson arrivals: `Exponential` for a constant rate; `PoissonIntervals` (Ciw's piecewise
  constant Poisson process) for a rate schedule repeating every cycle.
- A station with sessions gets a weekly `Schedule` of its server count (sessions on the same
  station add up) without pre-emption: a service started in a session runs to its end, as in
  plansim. One difference in Ciw's semantics: servers still busy when a session ends are extra
  to the next session's servers rather than counted in them; it only matters for a service
  that runs from one session into the next (in three-stage.toml, a clinic visit of over an hour
  started at the end of the morning session: negligible).
- Priority classes are non-preemptive (`priority_classes` as a dict); FIFO within a class.
- Events and customers are counted from Ciw's records as network_spec.py defines them.
"""

import argparse
import json
import sys
import time

import ciw

from network_spec import Spec


def distribution(service):
    kind, p = service
    if kind == "exponential":
        return ciw.dists.Exponential(rate=1.0 / p["mean"])
    if kind == "deterministic":
        return ciw.dists.Deterministic(value=p["value"])
    if kind == "lognormal":
        # Ciw's Lognormal takes the mean and sd of the underlying normal.
        return ciw.dists.Lognormal(mean=p["mu"], sd=p["sigma"])
    return ciw.dists.Gamma(shape=p["shape"], scale=p["scale"])


def arrival_distribution(spec, stream):
    steps = stream["steps"]
    if len(steps) == 1 and stream["cycle"] is None:
        return ciw.dists.Exponential(rate=steps[0][1])
    # PoissonIntervals: rates[i] holds until endpoints[i]; the pattern repeats every
    # endpoints[-1].
    cycle = stream["cycle"] if stream["cycle"] is not None else spec.horizon
    rates = [r for _, r in steps]
    endpoints = [start for start, _ in steps[1:]] + [cycle]
    return ciw.dists.PoissonIntervals(rates=rates, endpoints=endpoints, max_sample_date=spec.horizon)


def servers(spec, station):
    s = spec.stations[station]
    if s["sessions"] is None:
        return s["servers"]
    # Schedule: numbers_of_servers[i] holds until shift_end_dates[i]; repeats every week.
    changes = spec.servers_by_time(station)
    ends = [t for t, _ in changes[1:]] + [spec.week]
    return ciw.Schedule(
        numbers_of_servers=[c for _, c in changes], shift_end_dates=ends, preemption=False
    )


def network(spec):
    names = spec.classes
    n = len(spec.stations)
    matrix = [[0.0] * n for _ in range(n)]
    for i, s in enumerate(spec.stations):
        for to, p in s["routing"]:
            matrix[i][to] += p
    arrivals = {name: [None] * n for name in names}
    for stream in spec.arrivals:
        arrivals[names[stream["class"]]][stream["station"]] = arrival_distribution(spec, stream)
    return ciw.create_network(
        arrival_distributions=arrivals,
        service_distributions={
            name: [distribution(s["service"]) for s in spec.stations] for name in names
        },
        routing={name: [row[:] for row in matrix] for name in names},
        number_of_servers=[servers(spec, i) for i in range(n)],
        priority_classes={name: k for k, name in enumerate(names)},
    )


def replication(spec, r):
    ciw.seed(spec.seed * 1_000_003 + r)
    sim = ciw.Simulation(network(spec))
    sim.simulate_until_max_time(spec.horizon)
    n = len(spec.stations)
    wait_sum, wait_count = [0.0] * n, [0] * n
    completions, system_sum, system_count = 0, 0.0, 0
    for ind in sim.get_all_individuals():
        for rec in ind.data_records:
            if rec.record_type != "service":
                continue
            completions += 1
            if rec.service_start_date >= spec.warm_up:
                wait_sum[rec.node - 1] += rec.waiting_time
                wait_count[rec.node - 1] += 1
        last = ind.data_records[-1] if ind.data_records else None
        if last is not None and last.record_type == "service" and last.destination == -1:
            entered = ind.data_records[0].arrival_date
            if entered >= spec.warm_up:
                system_sum += last.exit_date - entered
                system_count += 1
        # A service still running at the horizon started before it: its wait counts, as in
        # plansim (waits are recorded when service starts).
        if ind.node not in (-1, False) and ind.service_start_date is not False:
            if ind.service_start_date >= spec.warm_up and ind.service_end_date > sim.current_time:
                wait_sum[ind.node - 1] += ind.service_start_date - ind.arrival_date
                wait_count[ind.node - 1] += 1
    arrivals = sim.nodes[0].number_of_individuals
    mean = lambda total, k: total / k if k else float("nan")
    return {
        "events": arrivals + completions + spec.session_events(),
        "customers": arrivals,
        "mean_wait": [mean(a, k) for a, k in zip(wait_sum, wait_count)],
        "mean_time_in_system": mean(system_sum, system_count),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--replications", type=int)
    args = parser.parse_args()
    spec = Spec(args.scenario)
    n = args.replications or spec.replications
    started, cpu = time.perf_counter(), time.process_time()
    results = [replication(spec, r) for r in range(1, n + 1)]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    json.dump(
        {
            "simulator": "Ciw " + ciw.__version__,
            "scenario": spec.name,
            "stations": [s["name"] for s in spec.stations],
            "simulation_seconds": seconds,
            "simulation_cpu_seconds": cpu,
            "replications": results,
        },
        fp=sys.stdout,
    )


if __name__ == "__main__":
    main()
