//! The NHS elective pathway model on the engine: referrals, outpatients, PIFU, the admitted list
//! and theatre sessions, removals, and month-end metrics. No I/O, no threads.

pub mod metrics;

pub use metrics::{metric_by_name, Metric, MetricDef, MetricKind, ReplicationResult, METRICS};

use crate::scenario::Scenario;

/// Runs one replication of `scenario` and returns its monthly metrics at full size.
pub fn run_replication(scenario: &Scenario, replication: u32) -> ReplicationResult {
    let months = scenario.simulation.months as usize;
    ReplicationResult {
        replication,
        metrics: ndarray::Array2::zeros((months, METRICS.len())),
        initial_waiting_list: scenario.initial_list.total as f64,
        events: 0,
        patients: 0,
    }
}
