"""Reads a plansim network scenario file (kind = "network") into plain Python values, so the
Ciw and SimPy models are built from the very file plansim runs: same arrival rates, servers,
sessions, service distributions, routing, classes, horizon, warm-up, replications.

Only what the network format says is modelled (see docs/guide/network.md):

- Times stay in the file's time unit (hours or days); plansim converts them to whole minutes
  internally and rounds each drawn time to the nearest minute, the peers keep them continuous.
- Time zero is Monday 00:00; sessions repeat weekly.
- Lognormal and gamma services are given by mean and sd; they are converted to the
  distributions' own parameters exactly as plansim's loader does.

What the three simulators count, identically:

- a *customer* is an arrival from outside the network, over the whole run (warm-up included);
- an *event* is an arrival from outside, a service completion, or a session start or end, each
  happening before the horizon. plansim's engine also pops one event per reporting-period
  boundary; compare.py subtracts those, so the counts mean the same thing.
- the *mean wait* at a station is over services that start after the warm-up and before the
  horizon, whatever the class;
- the *mean time in system* is over customers who arrived after the warm-up and left the network
  before the horizon.
"""

import math
import tomllib

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MINUTES = {"minutes": 1.0, "hours": 60.0, "days": 1440.0}


def _clock(text):
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def _service(spec):
    """(kind, parameters) with parameters in the scenario's time unit."""
    kind = spec["distribution"]
    if kind == "exponential":
        return ("exponential", {"mean": float(spec["mean"])})
    if kind == "deterministic":
        return ("deterministic", {"value": float(spec["value"])})
    mean, sd = float(spec["mean"]), float(spec["sd"])
    cv2 = (sd / mean) ** 2
    if kind == "lognormal":
        sigma2 = math.log(1.0 + cv2)
        return ("lognormal", {"mu": math.log(mean) - sigma2 / 2.0, "sigma": math.sqrt(sigma2)})
    if kind == "gamma":
        return ("gamma", {"shape": 1.0 / cv2, "scale": mean * cv2})
    raise ValueError(f"unsupported service distribution {kind!r}")


class Spec:
    """A network scenario as plain values, times in the scenario's time unit."""

    def __init__(self, path):
        with open(path, "rb") as f:
            raw = tomllib.load(f)
        if raw.get("kind") != "network":
            raise ValueError(f"{path}: not a network scenario")
        sim = raw["simulation"]
        self.name = raw.get("name", path.rsplit("/", 1)[-1].removesuffix(".toml"))
        self.time_unit = sim.get("time_unit", "minutes")
        self.unit_minutes = MINUTES[self.time_unit]
        self.horizon = float(sim["horizon"])
        self.warm_up = float(sim.get("warm_up", 0.0))
        self.report_period = float(sim.get("report_period", self.horizon - self.warm_up))
        self.replications = int(sim["replications"])
        self.seed = int(sim["seed"])
        self.classes = [c["name"] for c in raw.get("classes", [{"name": "all"}])]
        self.stations = []
        names = [s["name"] for s in raw["stations"]]
        for s in raw["stations"]:
            station = {"name": s["name"], "service": _service(s["service"])}
            if "servers" in s:
                station["servers"] = int(s["servers"])
                station["sessions"] = None
            else:
                week = self.unit_minutes
                sessions = []
                for block in s["sessions"]:
                    for day in block["days"]:
                        d = DAYS.index(day) * 1440
                        sessions.append(
                            (
                                (d + _clock(block["start"])) / week,
                                (d + _clock(block["end"])) / week,
                                int(block["servers"]),
                            )
                        )
                station["servers"] = None
                station["sessions"] = sorted(sessions)
            station["routing"] = [
                (names.index(to), float(p)) for to, p in s.get("routing", {}).items()
            ]
            self.stations.append(station)
        self.arrivals = []
        for a in raw["arrivals"]:
            cls = self.classes.index(a["class"]) if "class" in a else 0
            if "rate" in a:
                steps = [(0.0, float(a["rate"]))]
            else:
                steps = [(float(x["from"]), float(x["rate"])) for x in a["schedule"]]
            cycle = float(a["cycle"]) if "cycle" in a else None
            self.arrivals.append(
                {"station": names.index(a["station"]), "class": cls, "steps": steps, "cycle": cycle}
            )

    @property
    def week(self):
        """A week in the scenario's time unit."""
        return 7 * 1440 / self.unit_minutes

    def periods(self):
        """Reporting periods after the warm-up, as plansim counts them."""
        n, start = 0, self.warm_up
        while start < self.horizon:
            start = min(start + self.report_period, self.horizon)
            n += 1
        return n

    def session_events(self):
        """Session starts and ends before the horizon, over all stations (per replication)."""
        count = 0
        for s in self.stations:
            for start, end, _ in s["sessions"] or []:
                k = 0
                while start + k * self.week < self.horizon:
                    count += 1
                    if end + k * self.week < self.horizon:
                        count += 1
                    k += 1
        return count

    def servers_by_time(self, station):
        """The weekly server count of a station with sessions, as (time, servers from then on)
        change points over one week, sorted; overlapping sessions add up."""
        s = self.stations[station]
        points = {0.0}
        for start, end, _ in s["sessions"]:
            points.update((start, end))
        changes, last = [], None
        for t in sorted(points):
            c = sum(n for a, b, n in s["sessions"] if a <= t < b)
            if c != last:
                changes.append((t, c))
                last = c
        return changes


def rate_at(stream, t):
    """The arrival rate of a stream at time t (piecewise constant, repeating every cycle)."""
    if stream["cycle"] is not None:
        t = t % stream["cycle"]
    rate = 0.0
    for start, r in stream["steps"]:
        if start <= t:
            rate = r
    return rate


def max_rate(stream):
    return max(r for _, r in stream["steps"])


def summarise(values):
    """Mean and 95% half-width across replications (Student t, R - 1 degrees of freedom)."""
    n = len(values)
    m = sum(values) / n
    if n < 2:
        return m, float("nan"), float("nan")
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    return m, sd, T975[n - 1] * sd / math.sqrt(n)


# Two-sided 95% Student t quantiles by degrees of freedom (1 to 30).
T975 = [float("nan"), 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
        2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
