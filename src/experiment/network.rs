//! Runs network-scenario replications: one job per (scenario, replication) on a local rayon
//! pool ([`super::run_jobs`]), results gathered in job order.

use std::sync::Arc;
use std::time::SystemTime;

use super::{run_jobs, ExperimentError, ExperimentOptions, JobOutcome, ProgressSpec};
use crate::network::{run_network_replication, NetworkReplication, NetworkScenario};

/// One network scenario's replications, in replication order.
#[derive(Clone, Debug)]
pub struct NetworkRun {
    pub replications: Vec<NetworkReplication>,
    /// Seconds inside this scenario's replications, added over replications.
    pub replication_seconds: f64,
}

impl NetworkRun {
    pub fn events(&self) -> u64 {
        self.replications.iter().map(|r| r.events).sum()
    }

    pub fn customers(&self) -> u64 {
        self.replications.iter().map(|r| r.customers).sum()
    }
}

/// Everything a network experiment produced, one [`NetworkRun`] per scenario in order.
#[derive(Clone, Debug)]
pub struct NetworkExperiment {
    pub runs: Vec<NetworkRun>,
    pub started: SystemTime,
    pub wall_seconds: f64,
    pub threads: usize,
}

/// Runs every replication of every network scenario. Each replication's wait samples are
/// dropped once its tables are built: they would hold every customer's wait in memory.
pub fn run_network_experiment(
    scenarios: &[NetworkScenario],
    options: &ExperimentOptions,
) -> Result<NetworkExperiment, ExperimentError> {
    let jobs: Vec<(usize, u32)> = scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, s)| (1..=s.replications).map(move |r| (i, r)))
        .collect();
    let mut outcomes: Vec<Option<JobOutcome<NetworkReplication>>> =
        jobs.iter().map(|_| None).collect();
    let shared: Arc<Vec<NetworkScenario>> = Arc::new(scenarios.to_vec());
    let run = run_jobs(
        jobs.clone(),
        options,
        &ProgressSpec::replications(),
        move |&(scenario, replication): &(usize, u32)| {
            let mut r = run_network_replication(&shared[scenario], replication);
            r.waits = Vec::new();
            r
        },
        |i, outcome| {
            outcomes[i] = Some(outcome);
            true
        },
    )?;
    let mut runs: Vec<NetworkRun> = scenarios
        .iter()
        .map(|_| NetworkRun {
            replications: Vec::new(),
            replication_seconds: 0.0,
        })
        .collect();
    for (&(scenario, replication), outcome) in jobs.iter().zip(outcomes) {
        // Without a stop flag every job completes.
        let outcome = outcome.unwrap_or_else(|| Err("the job did not run".to_string()));
        let (result, seconds) = outcome.map_err(|message| ExperimentError::Replication {
            scenario: scenarios[scenario].name.clone(),
            replication,
            message,
        })?;
        runs[scenario].replications.push(result);
        runs[scenario].replication_seconds += seconds;
    }
    Ok(NetworkExperiment {
        runs,
        started: run.started,
        wall_seconds: run.wall_seconds,
        threads: run.threads,
    })
}
