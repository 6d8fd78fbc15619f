//! Runs replications: one job per (scenario, replication), on a local rayon pool, with results
//! gathered back in job order so every output is independent of the thread count. The only
//! module that knows rayon; the model below it never prints, so progress is drawn here.
//!
//! Replications are numbered from 1 and passed to the model with that number. Jobs start in
//! order (each worker takes the next job), so when a run is stopped through a [`StopFlag`] the
//! replications done are, but for the few in progress, the first ones of each scenario.

pub mod memory;
mod network;
pub mod stats;

pub use network::{run_network_experiment, NetworkExperiment, NetworkRun};

use std::io::IsTerminal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::{run_replication, ReplicationResult};
use crate::scenario::Scenario;

/// How to run an experiment.
#[derive(Clone, Debug, Default)]
pub struct ExperimentOptions {
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// Draw a progress bar on stderr (only if stderr is a terminal).
    pub progress: bool,
    /// Set (from a Ctrl-C handler, say) to stop: no new replication starts, and the experiment
    /// returns at once with the replications done so far.
    pub stop: Option<StopFlag>,
}

/// A flag that stops a running experiment; cheap to clone and safe to set from any thread.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    pub fn new() -> StopFlag {
        StopFlag::default()
    }

    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// One scenario's replications, in replication order: all of them, or after a stop the first
/// ones that were done (replications 1 to k, with no gap).
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
    /// True when the [`StopFlag`] stopped the experiment before every replication was done.
    pub interrupted: bool,
    /// Replications done, over all scenarios (after a stop, some may be past a gap and so not
    /// in `runs`).
    pub completed: usize,
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

#[derive(Clone, Copy)]
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
    let threads = pool.current_num_threads();

    let bar = progress_bar(jobs.len() as u64, options.progress);
    let stop = options.stop.clone().unwrap_or_default();
    let started = SystemTime::now();
    let clock = Instant::now();
    // The workers run on their own thread so that a stop returns at once, even in the middle
    // of a long replication: the replications in progress are abandoned (their results are
    // dropped) and no new one starts.
    let (sender, receiver) = mpsc::channel();
    {
        let scenarios: Arc<Vec<Scenario>> = Arc::new(scenarios.to_vec());
        let jobs: Arc<Vec<Job>> = Arc::new(jobs.clone());
        let next = Arc::new(AtomicUsize::new(0));
        let stop = stop.clone();
        let bar = bar.clone();
        std::thread::spawn(move || {
            pool.broadcast(|_| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= jobs.len() || stop.is_stopped() {
                    break;
                }
                let job = &jobs[i];
                let t = Instant::now();
                // A panic in the model is a bug; catching it lets the command end with a
                // message and exit status 1 instead of an abort.
                let result = catch_unwind(AssertUnwindSafe(|| {
                    run_replication(&scenarios[job.scenario], job.replication)
                }))
                .map_err(panic_message)
                .map(|r| (r, t.elapsed().as_secs_f64()));
                bar.inc(1);
                if sender.send((i, result)).is_err() {
                    break;
                }
            });
        });
    }
    let mut outcomes: Vec<Option<Result<(ReplicationResult, f64), String>>> =
        jobs.iter().map(|_| None).collect();
    let mut completed = 0;
    while completed < jobs.len() && !stop.is_stopped() {
        match receiver.recv_timeout(Duration::from_millis(20)) {
            Ok((i, outcome)) => {
                outcomes[i] = Some(outcome);
                completed += 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // Results that arrived with the stop are kept too.
    while let Ok((i, outcome)) = receiver.try_recv() {
        outcomes[i] = Some(outcome);
        completed += 1;
    }
    let interrupted = completed < jobs.len();
    let wall_seconds = clock.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let mut runs: Vec<ScenarioRun> = scenarios
        .iter()
        .map(|s| ScenarioRun {
            replications: Vec::with_capacity(s.simulation.replications as usize),
            replication_seconds: 0.0,
        })
        .collect();
    // Per scenario, keep replications 1..=k while there is no gap.
    let mut gap = vec![false; scenarios.len()];
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let Some(outcome) = outcome else {
            gap[job.scenario] = true;
            continue;
        };
        let (result, seconds) = outcome.map_err(|message| ExperimentError::Replication {
            scenario: scenarios[job.scenario].name.clone(),
            replication: job.replication,
            message,
        })?;
        if !gap[job.scenario] {
            let run = &mut runs[job.scenario];
            run.replications.push(result);
            run.replication_seconds += seconds;
        }
    }
    Ok(ExperimentResult {
        runs,
        started,
        wall_seconds,
        threads,
        interrupted,
        completed,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::small_scenario;

    #[test]
    fn a_stop_before_the_start_runs_nothing_and_says_so() {
        let stop = StopFlag::new();
        stop.stop();
        let options = ExperimentOptions {
            threads: Some(2),
            progress: false,
            stop: Some(stop),
        };
        let result = run_experiment(&[small_scenario()], &options).expect("no error");
        assert!(result.interrupted);
        assert_eq!(result.completed, 0);
        assert!(result.runs[0].replications.is_empty());
    }

    #[test]
    fn without_a_stop_every_replication_is_kept_in_order() {
        let mut scenario = small_scenario();
        scenario.simulation.replications = 3;
        scenario.simulation.months = 1;
        let options = ExperimentOptions {
            threads: Some(2),
            ..ExperimentOptions::default()
        };
        let result = run_experiment(std::slice::from_ref(&scenario), &options).expect("runs");
        assert!(!result.interrupted);
        assert_eq!(result.completed, 3);
        let alone = run_replication(&scenario, 2);
        assert_eq!(result.runs[0].replications[1].metrics, alone.metrics);
    }
}
