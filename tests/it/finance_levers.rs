//! Productivity levers, money and scenario comparison on the ICB example: each lever moves its
//! metric the right way over the same seeds; paired differences under common random numbers
//! are tighter than with independent streams; `plansim run A B` writes comparison.csv.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use plansim::model::{run_replication, Metric};
use plansim::scenario::Scenario;
use plansim::util::stats::paired_difference;

fn icb_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-icb.toml")
}

/// The ICB example with `extra` TOML added, written as a variant that extends it.
fn variant(dir: &Path, name: &str, extra: &str) -> Scenario {
    let text = format!(
        "extends = {:?}\nname = {name:?}\n{extra}\n",
        icb_path().display().to_string()
    );
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, text).unwrap();
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Mean over replications 1..=3 of `metric` over the last three months.
fn late_mean(scenario: &Scenario, metric: Metric) -> f64 {
    let months = scenario.simulation.months as usize;
    let mut total = 0.0;
    for r in 1..=3 {
        let result = run_replication(scenario, r);
        total += (months - 3..months)
            .map(|m| result.value(m, metric))
            .sum::<f64>();
    }
    total / 9.0
}

#[test]
fn each_lever_moves_its_metric_the_right_way() {
    let dir = tempfile::tempdir().unwrap();
    let parent = Scenario::load(&icb_path()).unwrap();
    let lever = |name: &str, set: &str| {
        variant(
            dir.path(),
            name,
            &format!("[calendar.levers.{name}]\nfrom = 2024-07-01\nspecialty = \"all\"\n{set}"),
        )
    };
    // (variant, metric, +1 if the metric must rise, -1 if it must fall)
    let cases = [
        (lever("pifu", "pifu_share = 0.2"), Metric::OpPifuPct, 1.0),
        (lever("daycase", "daycase_propensity = 0.95"), Metric::DayCaseRatePct, 1.0),
        (lever("theatre", "late_start_mean_minutes = 2\nturnaround_minutes = 3"), Metric::TheatreCappedUtilPct, 1.0),
        (lever("dna", "dna_rate = 0.03"), Metric::OpDna, -1.0),
        (lever("advice", "advice_and_guidance_share = 0.1"), Metric::RttClockStarts, -1.0),
        (lever("procedures", "followup_procedure_share = 0.3"), Metric::OpFirstOrProcedurePct, 1.0),
        (
            variant(
                dir.path(),
                "validation",
                "[removals]\nvalidation_removal_share = 0.1\n[calendar.levers.validation]\nfrom = 2024-07-01\nspecialty = \"all\"\nvalidation_share_per_month = 0.5",
            ),
            Metric::RttRemovalsOther,
            1.0,
        ),
    ];
    for (scenario, metric, direction) in &cases {
        let (before, after) = (late_mean(&parent, *metric), late_mean(scenario, *metric));
        assert!(
            (after - before) * direction > 0.0,
            "{}: {} went from {before} to {after}",
            scenario.name,
            metric.def().name
        );
    }
}

#[test]
fn premium_capacity_costs_more_for_the_same_activity() {
    let dir = tempfile::tempdir().unwrap();
    let change = "[calendar.changes.extra]\nfrom = 2024-07-01\nresource = \"theatre_lists\"\nspecialty = \"all\"\nadd_per_week = 40\n";
    let usual = variant(dir.path(), "usual", change);
    let premium = variant(dir.path(), "premium", &format!("{change}premium = true"));
    let (a, b) = (run_replication(&usual, 1), run_replication(&premium, 1));
    let year = |r: &plansim::model::ReplicationResult, m: Metric| r.metrics.column(m.index()).sum();
    assert_eq!(
        year(&a, Metric::ActivityValueGbp),
        year(&b, Metric::ActivityValueGbp),
        "same activity"
    );
    assert!(
        year(&b, Metric::CostGbp) > year(&a, Metric::CostGbp),
        "premium lists cost more"
    );
}

#[test]
fn common_random_numbers_give_tighter_paired_intervals() {
    // The same change compared with its parent twice: once sharing the parent's patients
    // (common random numbers), once drawing its own (another stream family). The paired 95%
    // interval of the difference in the waiting list must be narrower with shared patients.
    let dir = tempfile::tempdir().unwrap();
    let parent = Scenario::load(&icb_path()).unwrap();
    let change = "[calendar.changes.extra]\nfrom = 2024-05-01\nresource = \"theatre_lists\"\nspecialty = \"all\"\nadd_per_week = 40\n";
    let shared = variant(dir.path(), "shared", change);
    let independent = variant(
        dir.path(),
        "independent",
        &format!("stream_family = \"independent\"\n{change}"),
    );
    let last = parent.simulation.months as usize - 1;
    let lists = |s: &Scenario| -> Vec<f64> {
        (1..=6)
            .map(|r| run_replication(s, r).value(last, Metric::RttWaitingList))
            .collect()
    };
    let base = lists(&parent);
    let (with_crn, without) = (
        paired_difference(&base, &lists(&shared)),
        paired_difference(&base, &lists(&independent)),
    );
    let width = |i: plansim::util::stats::Interval| i.high - i.low;
    assert!(
        width(with_crn) < width(without) / 2.0,
        "{with_crn:?} against {without:?}"
    );
    assert!(
        with_crn.high < 0.0,
        "more lists shorten the list: {with_crn:?}"
    );
}

#[test]
fn run_with_several_scenarios_writes_comparison_csv() {
    let out = tempfile::tempdir().unwrap();
    let mut plansim = Command::cargo_bin("plansim").unwrap();
    plansim
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "scenarios/example-icb.toml",
            "tests/fixtures/scenarios/icb-more-theatre-lists.toml",
        ])
        .args(["-r", "3", "-q", "--no-plots", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let csv = fs::read_to_string(out.path().join("comparison.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,compared_with,month,period_end,metric,compared_with_mean,scenario_mean,difference_mean,difference_ci95_low,difference_ci95_high")
    );
    let row = csv
        .lines()
        .find(|l| l.contains(",12,2025-03-31,rtt_clock_stops_admitted,"))
        .expect("a row per month and metric");
    let f: Vec<f64> = row.split(',').skip(5).map(|x| x.parse().unwrap()).collect();
    assert!(
        (f[1] - f[0] - f[2]).abs() < 1e-6 * f[0].abs().max(1.0),
        "difference of the means: {row}"
    );
    assert!(
        f[2] > 0.0 && f[3] <= f[2] && f[2] <= f[4],
        "more lists, more admitted clock stops: {row}"
    );
    for metric in [
        "rtt_over_65w",
        "activity_value_gbp",
        "cost_gbp",
        "theatre_capped_util_pct",
    ] {
        assert!(csv.contains(&format!(",{metric},")), "{metric} compared");
    }
}
