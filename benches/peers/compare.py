"""plansim against Ciw and SimPy on the two shipped network scenarios.

    benches/peers/compare.sh            # sets up the virtual environment first if needed
    benches/peers/.venv/bin/python benches/peers/compare.py [--repeat N] [--json FILE]

Builds plansim in release mode, runs `plansim run` on scenarios/network/mmc.toml and
three-stage.toml with one thread (-j 1, as the Python peers use one core), then the same models
in Ciw (ciw_models.py) and SimPy (simpy_models.py), and prints one table:

- wall time of the whole command (process start to exit: start-up, reading the scenario, every
  replication, statistics and, for plansim, writing, fsyncing and checksumming the result
  folder), and of the simulation only (plansim: `replication_seconds` from manifest.json, the
  time inside the replications; peers: the time around their replication loop, building each
  model, running it and summarising its records);
- CPU seconds (user + system) beside each wall time where measured: the whole command's from
  the operating system, the peers' simulation-only from `time.process_time`; plansim's manifest
  records wall time only. On a machine shared with other work, CPU time is the steadier
  measure;
- events and customers per second of simulation-only time, counted the same way in all three
  (see network_spec.py; plansim's period-boundary events are subtracted; plansim's counts are
  its manifest's rates times its replication seconds, exact to a few events in a million);
- each station's mean wait and the network's mean time in system, with a 95% interval across
  replications (Student t with R - 1 degrees of freedom);
- AGREE when a peer's 95% interval overlaps plansim's, else DISAGREE;
- plansim's events per second over each peer's, against the aim of 100x Ciw and 50x SimPy:
  simulation only and whole command by wall time, whole command by CPU time, and plansim's
  whole command against the peer's simulation only by CPU time (the strictest for plansim).

The whole comparison runs --rounds times (default 3), interleaved, and each time shown is the
median over rounds; within a round plansim's whole command runs --repeat times (default 5) and
the median run is kept, each peer once. Rounds matter more than repeats: on a virtual machine
the speed of everything drifts by 10-20% over minutes, and medians over interleaved rounds keep
that drift out of the ratios. The ratio of every round is printed too.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
from network_spec import T975, Spec, summarise  # noqa: E402

SCENARIOS = ["mmc", "three-stage"]
AIMS = {"Ciw": 100.0, "SimPy": 50.0}


def machine():
    model, cores = "unknown", os.cpu_count()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(l for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        memory = f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown"
    return f"{cores} cores, {model}, {memory} memory, {platform.system()} {platform.release()}"


def load_average():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


def timed(command, **kwargs):
    """Runs a command; returns (completed process, wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, check=True, **kwargs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu


def build_plansim():
    subprocess.run(
        ["cargo", "build", "--release", "--bin", "plansim"], cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, check=True,
        capture_output=True, text=True,
    )
    return Path(json.loads(meta.stdout)["target_directory"]) / "release" / "plansim"


def run_plansim(binary, scenario, repeat):
    """The median of `repeat` whole-command runs: wall seconds, manifest timings, stations.csv."""
    spec = Spec(str(ROOT / "scenarios/network" / f"{scenario}.toml"))
    runs = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeat):
            _, wall, cpu = timed(
                [binary, "run", f"scenarios/network/{scenario}.toml", "-o", out, "-j", "1",
                 "--force", "-q"],
                cwd=ROOT,
            )
            folder = Path(out) / spec.name
            timings = json.loads((folder / "manifest.json").read_text())["timings"]
            stations = {}
            for line in (folder / "stations.csv").read_text().splitlines()[1:]:
                _, station, metric, mean, sd, *_ = line.split(",")
                stations[(station, metric)] = (float(mean), float(sd))
            runs.append((wall, cpu, timings, stations))
    runs.sort(key=lambda r: r[0])
    wall, cpu, timings, stations = runs[len(runs) // 2]
    seconds = timings["replication_seconds"]
    # The manifest gives rates; the counts are rate x seconds (exact to a few parts in 10^6).
    engine_events = round(timings["events_per_second"] * seconds)
    customers = round(timings["customers_per_second"] * seconds)
    # plansim's engine also pops one event per reporting-period boundary (and one at the end).
    events = engine_events - spec.replications * (spec.periods() + 1)
    r = spec.replications
    half = lambda sd: T975[r - 1] * sd / r ** 0.5
    waits = {}
    for s in spec.stations:
        m, sd = stations[(s["name"], "mean_wait")]
        waits[s["name"]] = (m, half(sd))
    m, sd = stations[("network", "mean_time_in_system")]
    waits["time in system"] = (m, half(sd))
    return {
        "simulator": "plansim " + timings_version(binary),
        "whole_seconds": wall,
        "whole_cpu_seconds": cpu,
        "simulation_seconds": seconds,
        # Not measured: the manifest records wall time only.
        "simulation_cpu_seconds": None,
        "events": events,
        "customers": customers,
        "waits": waits,
    }


def timings_version(binary):
    done = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True)
    return done.stdout.split()[-1]


def run_peer(script, scenario):
    done, wall, cpu = timed(
        [sys.executable, str(HERE / script), str(ROOT / "scenarios/network" / f"{scenario}.toml")],
        capture_output=True, text=True,
    )
    data = json.loads(done.stdout)
    reps = data["replications"]
    waits = {}
    for i, name in enumerate(data["stations"]):
        m, _, h = summarise([x["mean_wait"][i] for x in reps])
        waits[name] = (m, h)
    m, _, h = summarise([x["mean_time_in_system"] for x in reps])
    waits["time in system"] = (m, h)
    return {
        "simulator": data["simulator"],
        "whole_seconds": wall,
        "whole_cpu_seconds": cpu,
        "simulation_seconds": data["simulation_seconds"],
        "simulation_cpu_seconds": data["simulation_cpu_seconds"],
        "events": sum(x["events"] for x in reps),
        "customers": sum(x["customers"] for x in reps),
        "waits": waits,
    }


def erlang_c_mean_wait(spec):
    """Theory for a single M/M/c station (mmc.toml): Erlang C over (c mu - lambda)."""
    (station,) = spec.stations
    lam = spec.arrivals[0]["steps"][0][1]
    mu = 1.0 / station["service"][1]["mean"]
    c, a = station["servers"], lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    p_wait = b / (1.0 - a / c * (1.0 - b))
    return p_wait / (c * mu - lam)


def fmt_rate(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def table(results):
    lines = [
        "| model | simulator | whole command: wall s (CPU s) | simulation only: wall s (CPU s) "
        "| events | events/s, simulation only (wall) | customers/s, simulation only (wall) "
        "| events/s, whole command: wall (CPU) | mean wait ± 95% interval, scenario's time unit |",
        "|" + "---|" * 9,
    ]
    for scenario in SCENARIOS:
        for r in results[scenario]:
            waits = "; ".join(f"{k} {m:.4f} ± {h:.4f}" for k, (m, h) in r["waits"].items())
            sim, sim_cpu = r["simulation_seconds"], r["simulation_cpu_seconds"]
            sim_cpu = "n/a" if sim_cpu is None else f"{sim_cpu:.2f}"
            lines.append(
                f"| {scenario} | {r['simulator']} | {r['whole_seconds']:.2f} ({r['whole_cpu_seconds']:.2f}) "
                f"| {sim:.3f} ({sim_cpu}) | {r['events'] / 1e6:.3f} M | {fmt_rate(r['events'] / sim)} "
                f"| {fmt_rate(r['customers'] / sim)} | {fmt_rate(r['events'] / r['whole_seconds'])} "
                f"({fmt_rate(r['events'] / r['whole_cpu_seconds'])}) | {waits} |"
            )
    return lines


def checks(results, specs):
    lines = []
    for scenario in SCENARIOS:
        plansim, *peers = results[scenario]
        if scenario == "mmc":
            theory = erlang_c_mean_wait(specs[scenario])
            inside = [
                r["simulator"].split()[0]
                for r in results[scenario]
                if abs(r["waits"]["clinic"][0] - theory) <= r["waits"]["clinic"][1]
            ]
            lines.append(
                f"{scenario}: Erlang C mean wait {theory:.4f} h; inside the 95% interval of: "
                + (", ".join(inside) or "none")
            )
        for peer in peers:
            name = peer["simulator"].split()[0]
            for key, (m, h) in plansim["waits"].items():
                pm, ph = peer["waits"][key]
                verdict = "AGREE" if abs(m - pm) <= h + ph else "DISAGREE"
                lines.append(
                    f"{scenario}: {key}: plansim {m:.4f} ± {h:.4f}, {name} {pm:.4f} ± {ph:.4f}: {verdict}"
                )
    rate = lambda r, key: r["events"] / r[key]
    for scenario in SCENARIOS:
        plansim, *peers = results[scenario]
        for peer in peers:
            name = peer["simulator"].split()[0]
            ratios = [rate(plansim, k) / rate(peer, k)
                      for k in ("simulation_seconds", "whole_seconds", "whole_cpu_seconds")]
            # plansim's whole command (start-up and result files included) against the peer's
            # simulation alone, both in CPU time: unaffected by other load, and tilted against
            # plansim.
            strict = (plansim["events"] / plansim["whole_cpu_seconds"]) / (
                peer["events"] / peer["simulation_cpu_seconds"])
            aim = AIMS[name]
            verdict = lambda x: "meets" if x >= aim else "misses"
            lines.append(
                f"{scenario}: plansim/{name} events per second (aim {aim:.0f}x): simulation only "
                f"{ratios[0]:.0f}x by wall time ({verdict(ratios[0])}); whole command {ratios[1]:.0f}x "
                f"by wall time, {ratios[2]:.0f}x by CPU time; plansim's whole command against "
                f"{name}'s simulation only, CPU time: {strict:.0f}x ({verdict(strict)})"
            )
    return lines


TIMES = ("whole_seconds", "whole_cpu_seconds", "simulation_seconds", "simulation_cpu_seconds")


def combine(rounds):
    """One row from the same simulator's rows of several rounds: the median of each time (the
    waits are the same in every round, the seeds being fixed; so are the counts, except that
    plansim's are recovered from rounded rates, to a few events in a million)."""
    row = dict(rounds[0])
    for other in rounds[1:]:
        assert other["waits"] == row["waits"], "a rerun with the same seeds gave other waits"
        assert abs(other["events"] - row["events"]) <= 1e-5 * row["events"]
    for key in TIMES:
        if row[key] is not None:
            row[key] = statistics.median(r[key] for r in rounds)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3,
                        help="times the whole comparison is run (medians kept)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="plansim runs per scenario in each round (median kept)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average at start {load_average()}", flush=True)
    binary = build_plansim()
    specs = {s: Spec(str(ROOT / "scenarios/network" / f"{s}.toml")) for s in SCENARIOS}
    rounds = []
    for k in range(args.rounds):
        results = {}
        for scenario in SCENARIOS:
            print(f"round {k + 1}: {scenario}: plansim", flush=True)
            rows = [run_plansim(binary, scenario, args.repeat)]
            for script in ("ciw_models.py", "simpy_models.py"):
                print(f"round {k + 1}: {scenario}: {script}", flush=True)
                rows.append(run_peer(script, scenario))
            results[scenario] = rows
        rounds.append(results)
    print(f"load average at the end {load_average()}\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"rounds": rounds}, indent=1))
    results = {
        scenario: [combine([r[scenario][i] for r in rounds]) for i in range(3)]
        for scenario in SCENARIOS
    }
    for line in table(results):
        print(line)
    print()
    for line in checks(results, specs):
        print(line)
    if args.rounds > 1:
        print()
        for scenario in SCENARIOS:
            for i in (1, 2):
                name = rounds[0][scenario][i]["simulator"].split()[0]
                each = [
                    (r[scenario][0]["events"] / r[scenario][0]["simulation_seconds"])
                    / (r[scenario][i]["events"] / r[scenario][i]["simulation_seconds"])
                    for r in rounds
                ]
                print(f"{scenario}: plansim/{name}, simulation only, wall time, each round: "
                      + ", ".join(f"{x:.0f}x" for x in each))
    if args.json:
        Path(args.json).write_text(json.dumps({"rounds": rounds, "medians": results}, indent=1))


if __name__ == "__main__":
    main()
