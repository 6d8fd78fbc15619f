//! Runs replications: one job per (scenario, replication), on a local rayon pool, with results
//! gathered back in job order so every output is independent of the thread count. The only
//! module that knows rayon; the model below it never prints, so progress is drawn here.
//!
//! Replications are numbered from 1 and passed to the model with that number. Jobs start in
//! order (each worker takes the next job), so when a run is stopped through a [`StopFlag`] the
//! replications done are, but for the few in progress, the first ones of each scenario.

pub mod memory;
mod network;

pub use network::{run_network_experiment, NetworkExperiment, NetworkRun};

use std::io::IsTerminal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::{run_replication, ReplicationResult};
use crate::scenario::Scenario;
use crate::util::fmt::human_duration;

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

/// A job's outcome as handed back: its result and seconds, or the message of its panic.
pub type JobOutcome<R> = Result<(R, f64), String>;

/// How a list of jobs went.
#[derive(Clone, Debug)]
pub struct JobsRun {
    pub started: SystemTime,
    pub wall_seconds: f64,
    pub threads: usize,
    /// Jobs whose outcome was handed back.
    pub completed: usize,
    /// True when a stop (the [`StopFlag`], or `on_done` asking for one) came before every job
    /// was done.
    pub interrupted: bool,
}

/// Runs `work` on every job on a pool of `options.threads` threads and hands each outcome to
/// `on_done`, on the calling thread, as it arrives. Jobs start in order (each worker takes the
/// next one). `on_done` returning false stops the run: no new job starts. A stop returns at
/// once, even in the middle of a long job: jobs in progress are abandoned.
///
/// Finished outcomes wait for `on_done` in a queue of one place per thread; a worker that finds
/// it full (`on_done` is slow: saving to a slow disk, say) holds its outcome and waits before
/// starting its next job. So at most two finished outcomes per thread wait, however slow
/// `on_done` is, and memory stays bounded by the thread count. After a stop, every outcome
/// already finished is still handed to `on_done`, including those of waiting workers.
///
/// `progress` counts `already_done` jobs (done by an earlier, interrupted run) as done.
pub fn run_jobs<J, R, W, D>(
    jobs: Vec<J>,
    options: &ExperimentOptions,
    progress: &ProgressSpec,
    work: W,
    mut on_done: D,
) -> Result<JobsRun, ExperimentError>
where
    J: Send + Sync + 'static,
    R: Send + 'static,
    W: Fn(&J) -> R + Send + Sync + 'static,
    D: FnMut(usize, JobOutcome<R>) -> bool,
{
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build().map_err(|e| ExperimentError::Pool {
        threads: options.threads.unwrap_or(0),
        message: e.to_string(),
    })?;
    let threads = pool.current_num_threads();
    let total = jobs.len();
    let mut shown = ProgressShown::start(progress, options, total);
    let stop = options.stop.clone().unwrap_or_default();
    let started = SystemTime::now();
    let clock = Instant::now();
    // The workers run on their own thread so that a stop returns at once.
    let (sender, receiver) = mpsc::sync_channel(threads);
    // Finished outcomes not yet in the queue: those of workers waiting for a place.
    let handing_over = Arc::new(AtomicUsize::new(0));
    {
        let jobs = Arc::new(jobs);
        let work = Arc::new(work);
        let next = Arc::new(AtomicUsize::new(0));
        let stop = stop.clone();
        let handing_over = handing_over.clone();
        std::thread::spawn(move || {
            pool.broadcast(|_| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= jobs.len() || stop.is_stopped() {
                    break;
                }
                let t = Instant::now();
                // A panic in the model is a bug; catching it lets the command end with a
                // message and exit status 1 instead of an abort.
                let outcome = catch_unwind(AssertUnwindSafe(|| work(&jobs[i])))
                    .map_err(panic_message)
                    .map(|r| (r, t.elapsed().as_secs_f64()));
                handing_over.fetch_add(1, Ordering::SeqCst);
                let sent = sender.send((i, outcome));
                handing_over.fetch_sub(1, Ordering::SeqCst);
                if sent.is_err() {
                    break;
                }
            });
        });
    }
    let mut completed = 0;
    let mut handle = |i: usize, outcome: JobOutcome<R>, shown: &mut ProgressShown| {
        completed += 1;
        shown.one_done();
        if !on_done(i, outcome) {
            stop.stop();
        }
    };
    loop {
        if shown.done_now >= total || stop.is_stopped() {
            break;
        }
        match receiver.recv_timeout(Duration::from_millis(20)) {
            Ok((i, outcome)) => handle(i, outcome, &mut shown),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        shown.tick();
    }
    // Outcomes finished by the stop are kept too: those queued, and those of workers waiting
    // for a place in the queue. Jobs still running are not waited for.
    loop {
        match receiver.try_recv() {
            Ok((i, outcome)) => handle(i, outcome, &mut shown),
            Err(mpsc::TryRecvError::Empty) if handing_over.load(Ordering::SeqCst) > 0 => {
                std::thread::yield_now()
            }
            Err(_) => break,
        }
    }
    shown.finish();
    Ok(JobsRun {
        started,
        wall_seconds: clock.elapsed().as_secs_f64(),
        threads,
        completed,
        interrupted: completed < total,
    })
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
    let mut outcomes: Vec<Option<JobOutcome<ReplicationResult>>> =
        jobs.iter().map(|_| None).collect();
    let shared: Arc<Vec<Scenario>> = Arc::new(scenarios.to_vec());
    let run = run_jobs(
        jobs.clone(),
        options,
        &ProgressSpec::replications(),
        move |job: &Job| run_replication(&shared[job.scenario], job.replication),
        |i, outcome| {
            outcomes[i] = Some(outcome);
            true
        },
    )?;

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
        started: run.started,
        wall_seconds: run.wall_seconds,
        threads: run.threads,
        interrupted: run.interrupted,
        completed: run.completed,
    })
}

/// What progress to show for a list of jobs.
#[derive(Clone, Debug)]
pub struct ProgressSpec {
    /// What a job is, plural, for the bar ("replications", "jobs").
    pub unit: &'static str,
    /// Jobs done before this run (by an interrupted one it resumes).
    pub already_done: usize,
    /// Without a terminal, a plain line on stderr this often; `None` for silence.
    pub log_every: Option<Duration>,
}

impl ProgressSpec {
    pub fn replications() -> ProgressSpec {
        ProgressSpec {
            unit: "replications",
            already_done: 0,
            log_every: None,
        }
    }
}

/// Progress as shown: a bar with count, elapsed time and ETA on a terminal; else, if wanted,
/// a plain line at intervals (for logs); else nothing, so scripts and CI see nothing.
struct ProgressShown {
    bar: ProgressBar,
    log: Option<(Duration, Instant)>,
    unit: &'static str,
    clock: Instant,
    done_before: usize,
    done_now: usize,
    total: usize,
}

impl ProgressShown {
    fn start(spec: &ProgressSpec, options: &ExperimentOptions, jobs: usize) -> ProgressShown {
        let total = spec.already_done + jobs;
        let terminal = std::io::stderr().is_terminal();
        let bar = if options.progress && terminal {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let template = format!(
                "{{bar:40}} {{pos}}/{{len}} {}, {{elapsed_precise}} elapsed, ETA {{eta}}",
                spec.unit
            );
            bar.set_style(ProgressStyle::with_template(&template).expect("the template is valid"));
            bar.set_position(spec.already_done as u64);
            bar.reset_eta();
            bar
        } else {
            ProgressBar::hidden()
        };
        let log = match spec.log_every {
            Some(every) if options.progress && !terminal => Some((every, Instant::now())),
            _ => None,
        };
        ProgressShown {
            bar,
            log,
            unit: spec.unit,
            clock: Instant::now(),
            done_before: spec.already_done,
            done_now: 0,
            total,
        }
    }

    fn one_done(&mut self) {
        self.done_now += 1;
        self.bar.inc(1);
    }

    fn tick(&mut self) {
        let Some((every, last)) = self.log else {
            return;
        };
        if last.elapsed() >= every {
            self.log = Some((every, Instant::now()));
            eprintln!("{}", self.line());
        }
    }

    /// `progress: 37 of 240 jobs done (15.4%), 12m 03s elapsed, about 1h 05m left`.
    fn line(&self) -> String {
        let done = self.done_before + self.done_now;
        let elapsed = self.clock.elapsed();
        let left = if self.done_now == 0 {
            "time left not yet known".to_string()
        } else {
            let per_job = elapsed.as_secs_f64() / self.done_now as f64;
            let remaining = per_job * (self.total - done) as f64;
            format!("about {} left", human_duration(remaining))
        };
        format!(
            "progress: {done} of {} {} done ({:.1}%), {} elapsed, {left}",
            self.total,
            self.unit,
            100.0 * done as f64 / self.total.max(1) as f64,
            human_duration(elapsed.as_secs_f64()),
        )
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
        if self.log.is_some() && self.done_now > 0 {
            eprintln!("{}", self.line());
        }
    }
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

    /// A result that counts how many of its kind are alive.
    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_stop_still_hands_over_every_finished_outcome() {
        // Instant jobs; the first `on_done` takes 300 ms and then asks to stop. Meanwhile the
        // two workers fill the queue (two places) and each holds one more outcome, waiting for
        // a place: every one of those finished outcomes must reach `on_done`.
        let finished = Arc::new(AtomicUsize::new(0));
        let work = {
            let finished = finished.clone();
            move |_: &usize| {
                finished.fetch_add(1, Ordering::SeqCst);
            }
        };
        let options = ExperimentOptions {
            threads: Some(2),
            ..ExperimentOptions::default()
        };
        let mut handed_over = 0;
        let run = run_jobs(
            (0..50).collect(),
            &options,
            &ProgressSpec::replications(),
            work,
            |_, _| {
                handed_over += 1;
                if handed_over == 1 {
                    std::thread::sleep(Duration::from_millis(300));
                    return false;
                }
                true
            },
        )
        .expect("runs");
        assert!(run.interrupted);
        assert_eq!(handed_over, 5, "one in on_done, two queued, two waiting");
        assert_eq!(finished.load(Ordering::SeqCst), handed_over);
        assert_eq!(run.completed, handed_over);
    }

    #[test]
    fn a_slow_consumer_holds_back_the_workers_instead_of_piling_up_results() {
        // Instant jobs and an `on_done` that takes a millisecond (a slow disk): an unbounded
        // hand-over would hold nearly all 200 results at once. Bounded, at most one result per
        // worker waits in the hand-over, one more per worker waits to be handed over, and one is
        // in `on_done`.
        let threads = 2;
        let alive = Arc::new(AtomicUsize::new(0));
        let most_alive = Arc::new(AtomicUsize::new(0));
        let work = {
            let alive = alive.clone();
            let most_alive = most_alive.clone();
            move |_: &usize| {
                let now = alive.fetch_add(1, Ordering::SeqCst) + 1;
                most_alive.fetch_max(now, Ordering::SeqCst);
                Counted(alive.clone())
            }
        };
        let options = ExperimentOptions {
            threads: Some(threads),
            ..ExperimentOptions::default()
        };
        let mut seen = 0;
        let run = run_jobs(
            (0..200).collect(),
            &options,
            &ProgressSpec::replications(),
            work,
            |_, outcome| {
                assert!(outcome.is_ok());
                seen += 1;
                std::thread::sleep(Duration::from_millis(1));
                true
            },
        )
        .expect("runs");
        assert_eq!((run.completed, seen), (200, 200));
        let most = most_alive.load(Ordering::SeqCst);
        assert!(
            most <= 2 * threads + 1,
            "{most} results alive at once with {threads} threads"
        );
    }
}
