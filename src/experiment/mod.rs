//! Runs replications: one job per (scenario, replication), on a local rayon pool, with results
//! gathered back in job order so every output is independent of the thread count. The only
//! module that knows rayon; the model below it never prints, so progress is drawn here.
//!
//! Replications are numbered from 1 and passed to the model with that number.

mod network;
pub mod stats;

pub use network::{run_network_experiment, NetworkExperiment, NetworkRun};

use std::io::IsTerminal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::model::{run_replication, ReplicationResult};
use crate::scenario::Scenario;

/// How to run an experiment.
#[derive(Clone, Debug, Default)]
pub struct ExperimentOptions {
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// Draw a progress bar on stderr (only if stderr is a terminal).
    pub progress: bool,
}

/// One scenario's replications, in replication order.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    pub replications: Vec<ReplicationResult>,
    /// Seconds spent inside this scenario's replications, added over replications (so a
    /// per-thread figure, comparable across thread counts).
    pub replication_seconds: f64,
}

impl ScenarioRun {
    pub fn events(&self) -> u64 {
        self.replications.iter().map(|r| r.events).sum()
    }

    pub fn patients(&self) -> u64 {
        self.replications.iter().map(|r| r.patients).sum()
    }
}

/// Everything an experiment produced: one [`ScenarioRun`] per scenario, in the order given.
#[derive(Clone, Debug)]
pub struct ExperimentResult {
    pub runs: Vec<ScenarioRun>,
    pub started: SystemTime,
    pub wall_seconds: f64,
    pub threads: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error("could not start {threads} worker threads: {message}")]
    Pool { threads: usize, message: String },
    #[error("scenario {scenario:?}: replication {replication} failed: {message} (this is a bug in plansim; please report it with the scenario file)")]
    Replication {
        scenario: String,
        replication: u32,
        message: String,
    },
}

struct Job {
    scenario: usize,
    replication: u32,
}

/// Runs every replication of every scenario and returns the results in job order.
pub fn run_experiment(
    scenarios: &[Scenario],
    options: &ExperimentOptions,
) -> Result<ExperimentResult, ExperimentError> {
    let jobs: Vec<Job> = scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            (1..=s.simulation.replications).map(move |replication| Job {
                scenario: i,
                replication,
            })
        })
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
    // Each job returns its result or the panic message; collect keeps job order.
    let outcomes: Vec<Result<(ReplicationResult, f64), String>> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let scenario = &scenarios[job.scenario];
                let t = Instant::now();
                // A panic in the model is a bug; catching it lets the command end with a message
                // and exit status 1 instead of an abort.
                let result = catch_unwind(AssertUnwindSafe(|| {
                    run_replication(scenario, job.replication)
                }))
                .map_err(panic_message);
                bar.inc(1);
                result.map(|r| (r, t.elapsed().as_secs_f64()))
            })
            .collect()
    });
    let wall_seconds = clock.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let mut runs: Vec<ScenarioRun> = scenarios
        .iter()
        .map(|s| ScenarioRun {
            replications: Vec::with_capacity(s.simulation.replications as usize),
            replication_seconds: 0.0,
        })
        .collect();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let (result, seconds) = outcome.map_err(|message| ExperimentError::Replication {
            scenario: scenarios[job.scenario].name.clone(),
            replication: job.replication,
            message,
        })?;
        let run = &mut runs[job.scenario];
        run.replications.push(result);
        run.replication_seconds += seconds;
    }
    Ok(ExperimentResult {
        runs,
        started,
        wall_seconds,
        threads: pool.current_num_threads(),
    })
}

/// A bar with count and ETA on stderr, hidden unless wanted and stderr is a terminal, so
/// scripts and CI see nothing.
fn progress_bar(len: u64, wanted: bool) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} replications, ETA {eta}")
        .expect("the template is valid");
    bar.set_style(style);
    bar
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panicked".to_string()
    }
}
