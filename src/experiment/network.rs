//! Runs network-scenario replications: one job per (scenario, replication) on a local rayon
//! pool, results gathered in job order, exactly as [`super::run_experiment`] does for the
//! elective model.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Instant, SystemTime};

use rayon::prelude::*;

use super::{panic_message, progress_bar, ExperimentError, ExperimentOptions};
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
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build().map_err(|e| ExperimentError::Pool {
        threads: options.threads.unwrap_or(0),
        message: e.to_string(),
    })?;
    let bar = progress_bar(jobs.len() as u64, options.progress);
    let started = SystemTime::now();
    let clock = Instant::now();
    let outcomes: Vec<Result<(NetworkReplication, f64), String>> = pool.install(|| {
        jobs.par_iter()
            .map(|&(scenario, replication)| {
                let t = Instant::now();
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let mut r = run_network_replication(&scenarios[scenario], replication);
                    r.waits = Vec::new();
                    r
                }))
                .map_err(panic_message);
                bar.inc(1);
                result.map(|r| (r, t.elapsed().as_secs_f64()))
            })
            .collect()
    });
    let wall_seconds = clock.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let mut runs: Vec<NetworkRun> = scenarios
        .iter()
        .map(|_| NetworkRun {
            replications: Vec::new(),
            replication_seconds: 0.0,
        })
        .collect();
    for (&(scenario, replication), outcome) in jobs.iter().zip(outcomes) {
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
        started,
        wall_seconds,
        threads: pool.current_num_threads(),
    })
}
