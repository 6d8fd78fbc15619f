//! Runs a batch folder's pending jobs on the job runner, saving each as it finishes, so an
//! interrupted batch loses only the jobs in progress.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::{BatchError, BatchFolder, BatchRecord, JobId, PointTimes};
use crate::experiment::{run_jobs, ExperimentOptions, JobsRun, ProgressSpec};
use crate::model::run_replication;
use crate::scenario::Scenario;

/// How running the pending jobs went.
pub struct PendingRun {
    pub jobs: JobsRun,
    /// Jobs run and saved.
    pub saved: usize,
    /// By point: the seconds and counts of the jobs run, for the manifests' timings.
    pub times: Vec<PointTimes>,
}

/// Runs `pending` and saves each job as it finishes; a job that fails or cannot be saved stops
/// the run with its error (the jobs saved before it stay saved). After a stop (the options'
/// [`StopFlag`](crate::experiment::StopFlag)) `jobs.interrupted` says so.
pub fn run_pending(
    folder: &BatchFolder,
    record: &BatchRecord,
    pending: Vec<JobId>,
    options: &ExperimentOptions,
    progress: &ProgressSpec,
) -> Result<PendingRun, BatchError> {
    let mut times = vec![PointTimes::default(); record.points.len()];
    let mut saved = 0;
    let mut failure: Option<BatchError> = None;
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let cache = ScenarioCache::new(threads);
    let shared = Arc::new((folder.clone(), record.clone(), cache));
    let jobs = run_jobs(
        pending,
        options,
        progress,
        move |job: &JobId| {
            let (folder, record, cache) = &*shared;
            let point = &record.points[job.point];
            let scenario =
                cache.get_or_build(&point.scenario_hash, || folder.read_scenario(point))?;
            Ok::<_, String>((*job, run_replication(&scenario, job.replication)))
        },
        |_, outcome| {
            let point_name = |job: JobId| record.points[job.point].name.clone();
            match outcome {
                Ok((Ok((job, result)), seconds)) => match folder.write_job(record, job, &result) {
                    Ok(()) => {
                        saved += 1;
                        let t = &mut times[job.point];
                        t.seconds += seconds;
                        t.events += result.events;
                        t.patients += result.patients;
                        true
                    }
                    Err(e) => {
                        failure = Some(BatchError::Message(format!(
                            "replication {} of {}: could not save it: {e}; the {saved} jobs saved before it are kept (finish with --resume)",
                            job.replication,
                            point_name(job)
                        )));
                        false
                    }
                },
                Ok((Err(message), _)) => {
                    failure = Some(BatchError::Message(format!(
                        "{message}; the {saved} jobs saved are kept"
                    )));
                    false
                }
                Err(message) => {
                    failure = Some(BatchError::Message(format!(
                        "a job failed: {message} (this is a bug in plansim; please report it with the batch file); the {saved} jobs saved are kept"
                    )));
                    false
                }
            }
        },
    )?;
    if let Some(failure) = failure {
        return Err(failure);
    }
    Ok(PendingRun { jobs, saved, times })
}

/// The scenarios of the points being run, by scenario hash, so that each is built from the
/// folder about once rather than once per job: jobs start in order, so the jobs running at any
/// time belong to a few consecutive points. Keeps at most `capacity` scenarios (one per
/// worker thread is enough), dropping the least recently used, so a batch of a thousand points
/// never holds a thousand scenarios.
pub struct ScenarioCache {
    capacity: usize,
    /// Least recently used first.
    recent: Mutex<VecDeque<(String, Arc<Scenario>)>>,
}

impl ScenarioCache {
    pub fn new(capacity: usize) -> ScenarioCache {
        ScenarioCache {
            capacity: capacity.max(1),
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// The scenario with `hash`, built by `build` if it is not kept. It is built outside the
    /// lock, so workers starting different points do not wait for each other.
    pub fn get_or_build<E>(
        &self,
        hash: &str,
        build: impl FnOnce() -> Result<Scenario, E>,
    ) -> Result<Arc<Scenario>, E> {
        if let Some(scenario) = self.take(hash) {
            return Ok(scenario);
        }
        let scenario = Arc::new(build()?);
        let mut recent = self.lock();
        // Another worker may have built it meanwhile; keep one copy.
        recent.retain(|(h, _)| h != hash);
        if recent.len() >= self.capacity {
            recent.pop_front();
        }
        recent.push_back((hash.to_string(), Arc::clone(&scenario)));
        Ok(scenario)
    }

    /// The kept scenario with `hash`, marked as the most recently used.
    fn take(&self, hash: &str) -> Option<Arc<Scenario>> {
        let mut recent = self.lock();
        let position = recent.iter().position(|(h, _)| h == hash)?;
        let entry = recent.remove(position)?;
        let scenario = Arc::clone(&entry.1);
        recent.push_back(entry);
        Some(scenario)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(String, Arc<Scenario>)>> {
        // Nothing panics while the lock is held; a poisoned lock still holds a valid list.
        self.recent.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many scenarios are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::Path;

    use super::*;

    fn baseline() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        Scenario::load(&path).unwrap()
    }

    #[test]
    fn the_cache_builds_each_scenario_once_and_keeps_only_the_most_recent() {
        let cache = ScenarioCache::new(2);
        let builds = Cell::new(0);
        let get = |hash: &str| {
            cache
                .get_or_build(hash, || {
                    builds.set(builds.get() + 1);
                    Ok::<_, String>(baseline())
                })
                .unwrap()
        };
        let a = get("a");
        assert!(Arc::ptr_eq(&a, &get("a")));
        assert_eq!(builds.get(), 1);
        get("b");
        get("a"); // now "b" is the least recently used
        get("c");
        assert_eq!((builds.get(), cache.len()), (3, 2));
        get("a");
        assert_eq!(builds.get(), 3, "a was kept");
        get("b");
        assert_eq!(builds.get(), 4, "b was dropped for c");
        let failed = cache.get_or_build("d", || Err::<Scenario, _>("bad file".to_string()));
        assert_eq!(failed.err().as_deref(), Some("bad file"));
        assert_eq!(cache.len(), 2);
    }
}
