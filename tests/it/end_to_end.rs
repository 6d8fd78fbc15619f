//! The shipped scenarios through the library and the `plansim` command: the starting list
//! reproduces the published position, the list is conserved every month, results do not
//! depend on the number of threads, and more capacity gives a shorter list.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use plansim::model::{run_replication, starting_position, Metric};
use plansim::scenario::Scenario;

use crate::support::plansim;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn load(path: &str) -> Scenario {
    Scenario::load(&repo(path)).unwrap_or_else(|e| panic!("{path}:\n{e}"))
}

/// `monthly.csv` as (replication, month, metric) -> value.
fn read_monthly(path: &Path) -> BTreeMap<(u32, u32, String), f64> {
    let text = fs::read_to_string(path).expect("monthly.csv written");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,replication,month,period_end,metric,value")
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (
                (
                    f[1].parse().unwrap(),
                    f[2].parse().unwrap(),
                    f[4].to_string(),
                ),
                f[5].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_shipped_scenario_passes_check() {
    let mut names = Vec::new();
    for entry in fs::read_dir(repo("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            plansim().arg("check").arg(&path).assert().success();
            names.push(path);
        }
    }
    assert!(
        names.len() >= 5,
        "baseline, the ICB example and at least three variants: {names:?}"
    );
}

#[test]
fn the_national_starting_list_reproduces_the_published_position() {
    // Published: NHS England RTT waiting times statistics, incomplete pathways, March 2024
    // (revised): total 7,538,830; over 18 weeks 3,226,102 (total
    // minus 4,312,728 within); over 52 weeks 309,299; over 65 weeks 48,967; over 78 weeks 4,769;
    // over 104 weeks 232; median 14.9 weeks; 92nd percentile 44.7 weeks.
    let position = starting_position(&load("scenarios/baseline.toml"));
    assert_eq!(position.total, 7_538_830.0);
    let over: Vec<(u32, f64)> = position.over_weeks.clone();
    assert_eq!(
        over,
        vec![
            (18, 3_226_102.0),
            (52, 309_299.0),
            (65, 48_967.0),
            (78, 4_769.0),
            (104, 232.0)
        ]
    );
    // The median and 92nd percentile were placed at whole days: within a day (1/7 week).
    assert!(
        (position.median_weeks - 14.9).abs() <= 1.0 / 7.0,
        "{}",
        position.median_weeks
    );
    assert!(
        (position.p92_weeks - 44.7).abs() <= 1.0 / 7.0,
        "{}",
        position.p92_weeks
    );
}

#[test]
fn run_on_the_icb_example_writes_the_contract_and_conserves_the_list() {
    let out = tempfile::tempdir().unwrap();
    plansim()
        .args(["run", "scenarios/example-icb.toml", "-r", "3", "-q", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let folder = out.path().join("example-icb");
    for file in [
        "manifest.json",
        "scenario.toml",
        "monthly.csv",
        "summary.csv",
        "targets.csv",
    ] {
        assert!(folder.join(file).is_file(), "{file} written");
    }
    let monthly = read_monthly(&folder.join("monthly.csv"));
    assert_eq!(monthly.len(), 3 * 12 * plansim::model::METRICS.len());

    // Conservation, every replication and month: list at end = list at start + clock starts -
    // clock stops - removals; the list at the start of month 1 is the published position.
    let initial = load("scenarios/example-icb.toml").initial_list.total as f64;
    let value = |r: u32, m: u32, metric: Metric| monthly[&(r, m, metric.def().name.to_string())];
    for r in 1..=3 {
        let mut list = initial;
        for m in 1..=12 {
            let expected = list + value(r, m, Metric::RttClockStarts)
                - value(r, m, Metric::RttClockStopsAdmitted)
                - value(r, m, Metric::RttClockStopsNonadmitted)
                - value(r, m, Metric::RttRemovalsOther);
            list = value(r, m, Metric::RttWaitingList);
            assert_eq!(list, expected, "replication {r}, month {m}");
        }
    }

    // waits.csv: each month's distribution adds up to the list (month 0 to the starting list).
    let waits = fs::read_to_string(folder.join("waits.csv")).unwrap();
    let mut totals: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for line in waits.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        *totals
            .entry((f[1].parse().unwrap(), f[2].parse().unwrap()))
            .or_default() += f[5].parse::<f64>().unwrap();
    }
    assert!(
        waits.contains("example-icb,1,0,2024-03-31,0,"),
        "month 0 is dated the census day"
    );
    for r in 1..=3 {
        assert_eq!(totals[&(r, 0)], initial);
        for m in 1..=12 {
            assert_eq!(
                totals[&(r, m)],
                value(r, m, Metric::RttWaitingList),
                "replication {r}, month {m}"
            );
        }
    }

    // finance.csv: money is conserved. Over the year, the lines' values and costs add up to the
    // totals, and the totals match activity_value_gbp and cost_gbp in summary.csv (all means
    // across replications, printed to 12 significant digits).
    let finance = fs::read_to_string(folder.join("finance.csv")).unwrap();
    let (mut lines, mut totals) = ([0.0f64; 2], [0.0f64; 2]);
    for row in finance.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        let (value, cost): (f64, f64) = (f[5].parse().unwrap(), f[8].parse().unwrap());
        let sums = if f[3] == "total" {
            &mut totals
        } else {
            &mut lines
        };
        sums[0] += value;
        sums[1] += cost;
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(
        close(lines[0], totals[0]) && close(lines[1], totals[1]),
        "{lines:?} vs {totals:?}"
    );
    let summary = fs::read_to_string(folder.join("summary.csv")).unwrap();
    let yearly = |metric: &str| -> f64 {
        summary
            .lines()
            .filter(|l| l.split(',').nth(3) == Some(metric))
            .map(|l| l.split(',').nth(4).unwrap().parse::<f64>().unwrap())
            .sum()
    };
    assert!(close(yearly("activity_value_gbp"), totals[0]) && close(yearly("cost_gbp"), totals[1]));
    assert!(totals[0] > 0.0 && totals[1] > 0.0);

    // Every target of the catalogue is in targets.csv, modelled or not.
    let targets = fs::read_to_string(folder.join("targets.csv")).unwrap();
    assert_eq!(targets.lines().count(), 1 + 12);
    assert!(targets.contains("example-icb,rtt_65w_zero,rtt_over_65w,<=,0,2024-09-30,"));
    // Every target is modelled now: none is left out.
    assert!(!targets.contains("not_modelled"), "{targets}");
    for target in [
        "dm01_95",
        "cancer_fds_77",
        "cancer_62d_70",
        "cancer_31d_96",
        "vwa_107",
    ] {
        assert!(
            targets.contains(&format!("example-icb,{target},")),
            "{target} evaluated"
        );
    }

    // A second run into the same folder is refused, and the first results are untouched.
    let before = fs::read(folder.join("monthly.csv")).unwrap();
    let refused = plansim()
        .args(["run", "scenarios/example-icb.toml", "-r", "2", "-q", "-o"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("--force"), "{message}");
    assert_eq!(fs::read(folder.join("monthly.csv")).unwrap(), before);
}

#[test]
fn one_thread_and_two_threads_give_byte_identical_results() {
    let out = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        plansim()
            .args([
                "run",
                "scenarios/example-icb.toml",
                "-r",
                "4",
                "--months",
                "6",
                "-q",
                "-j",
                threads,
                "-o",
            ])
            .arg(out.path().join(threads))
            .assert()
            .success();
    }
    for file in [
        "scenario.toml",
        "monthly.csv",
        "summary.csv",
        "targets.csv",
        "waits.csv",
    ] {
        let one = fs::read(out.path().join("1/example-icb").join(file)).unwrap();
        let two = fs::read(out.path().join("2/example-icb").join(file)).unwrap();
        assert!(one == two, "{file} differs between -j 1 and -j 2");
    }
    // The manifest differs only in its timings.
    let without_timings = |threads: &str| {
        let text =
            fs::read_to_string(out.path().join(threads).join("example-icb/manifest.json")).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json.as_object_mut().unwrap().remove("timings");
        json
    };
    assert_eq!(without_timings("1"), without_timings("2"));
}

#[test]
fn more_theatre_lists_end_with_a_shorter_list_over_the_same_seeds() {
    // The variant inherits the parent's stream family, so each replication sees the same
    // patients in both scenarios; the only difference is the 40 extra lists a week.
    let parent = load("scenarios/example-icb.toml");
    let variant = load("tests/fixtures/scenarios/icb-more-theatre-lists.toml");
    assert_eq!(variant.stream_family, parent.stream_family);
    let last = parent.simulation.months as usize - 1;
    let mean_list = |scenario: &Scenario| {
        (1..=5)
            .map(|r| run_replication(scenario, r).value(last, Metric::RttWaitingList))
            .sum::<f64>()
            / 5.0
    };
    let (parent_list, variant_list) = (mean_list(&parent), mean_list(&variant));
    assert!(
        variant_list < parent_list,
        "variant {variant_list} vs parent {parent_list}"
    );
    // 40 lists of about 3.5 cases for 9 months is about 5,500 more treatments; the list should
    // be shorter by at least a thousand, not by noise.
    assert!(
        parent_list - variant_list > 1_000.0,
        "only {} shorter",
        parent_list - variant_list
    );
}
