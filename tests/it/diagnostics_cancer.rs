//! Diagnostics and cancer pathways on the ICB example: levers move their standards the way
//! they must, over the same seeds (the variants share the parent's random numbers).

use std::path::Path;

use plansim::model::{run_replication, Metric, ReplicationResult};
use plansim::scenario::Scenario;

fn load(path: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The mean of `metric` in each month over replications 1 to `n`.
fn monthly_means(scenario: &Scenario, n: u32, metric: Metric) -> Vec<f64> {
    let runs: Vec<ReplicationResult> = (1..=n).map(|r| run_replication(scenario, r)).collect();
    (0..scenario.simulation.months as usize)
        .map(|m| runs.iter().map(|r| r.value(m, metric)).sum::<f64>() / f64::from(n))
        .collect()
}

#[test]
fn more_diagnostic_capacity_never_lowers_the_share_within_six_weeks() {
    let parent = load("scenarios/example-icb.toml");
    let variant = load("tests/fixtures/scenarios/icb-more-diagnostics.toml");
    let before = monthly_means(&parent, 4, Metric::Dm01Within6wPct);
    let after = monthly_means(&variant, 4, Metric::Dm01Within6wPct);
    for (month, (b, a)) in before.iter().zip(&after).enumerate() {
        assert!(
            a >= b,
            "month {}: {a} with more capacity against {b}",
            month + 1
        );
    }
    // Identical before the change (same patients), better by the end of the year.
    assert_eq!(before[..3], after[..3]);
    assert!(
        after[11] > before[11] + 1.0,
        "{} vs {}",
        after[11],
        before[11]
    );
}

#[test]
fn turning_cancer_priority_off_lowers_faster_diagnosis_performance() {
    let parent = load("scenarios/example-icb.toml");
    let variant = load("tests/fixtures/scenarios/icb-no-cancer-priority.toml");
    let mean = |xs: Vec<f64>| xs.iter().sum::<f64>() / xs.len() as f64;
    let with_priority = mean(monthly_means(&parent, 3, Metric::CancerFdsPct));
    let without = mean(monthly_means(&variant, 3, Metric::CancerFdsPct));
    assert!(
        without < with_priority - 5.0,
        "FDS {without} without priority, {with_priority} with"
    );
}
