//! Overnight batches: many scenario points (listed, or swept over a grid of scenario keys),
//! each run for its replications. A batch is a list of jobs, one per (point, replication),
//! each persisted as it finishes, so a batch survives interruptions, splits into shards
//! across machines, and always gives the same bytes.
//!
//! - `file`: the batch file format, checked and expanded into [`Point`]s;
//! - `store`: the batch folder on disk: `batch.json`, the job files, their encoding;
//! - `assemble`: the results from a folder's job files: one result folder per point,
//!   `comparison.csv`, `points.csv`, `summary.txt` and sweep charts;
//! - `plan`: what a command does with the batch folder it is given (start, replace, resume),
//!   decided before anything runs;
//! - `run`: runs a folder's pending jobs, saving each as it finishes;
//! - `merge`: shard folders checked (one batch, every job exactly once, intact) and merged;
//! - `check`: verifies a batch folder for `plansim check`.
//!
//! A job's random numbers depend only on its scenario and replication number, never on the
//! shard or thread that runs it; results are always built from the job files, in job order.

mod assemble;
mod check;
mod file;
mod merge;
mod plan;
mod run;
mod store;

pub use assemble::{assemble, AssembleOptions, PointTimes};
pub use check::check_batch_folder;
pub use file::{load_batch, MAX_JOBS, MAX_POINTS, RESERVED_NAMES};
pub use merge::{batch_folder_of, MergeOptions, Shards};
pub use plan::{check_output_root, plan_folder, remove_folder, FolderPlan};
pub use run::{run_pending, PendingRun, ScenarioCache};
pub use store::{
    decode_job, encode_job, BatchFolder, BatchRecord, FolderProblem, JobScan, PointRecord,
    BATCH_RECORD, JOBS_FOLDER,
};

use std::{fmt, io};

use serde::{Deserialize, Serialize};

use crate::experiment::ExperimentError;
use crate::output::OutputError;

/// Why a batch command stops. Each message names the folder or file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A refusal or a failure, said in full.
    #[error("{0}")]
    Message(String),
    /// A file or folder that could not be read, moved or removed: `what` names it and says
    /// which; the source is the system's reason.
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Folder(#[from] FolderProblem),
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
}

impl BatchError {
    /// For `map_err`: an I/O error on what `what` names.
    pub(crate) fn io(what: String) -> impl FnOnce(io::Error) -> BatchError {
        move |source| BatchError::Io { what, source }
    }
}

/// A batch file, expanded: its points in order (the `[[scenario]]`s, then each `[[sweep]]`'s
/// grid points).
#[derive(Clone, Debug)]
pub struct Batch {
    pub name: String,
    pub description: String,
    /// The batch file's name (no folder), for the command that reproduces the results.
    pub file_name: String,
    /// Hex SHA-256 of the batch file's bytes: a resume or merge refuses a changed file.
    pub file_sha256: String,
    pub file_text: String,
    pub points: Vec<Point>,
    /// What the memory check sizes the batch by.
    pub size: BatchSize,
    /// Warnings about the points' scenarios (zero capacity), each once.
    pub warnings: Vec<String>,
}

/// The sizes of a batch's points that decide its memory: a job is at most as big as one
/// replication of its largest point, and writing a point's results holds them all at once.
#[derive(Clone, Debug, Default)]
pub struct BatchSize {
    /// The point whose replication creates the most patients, and how many.
    pub largest_point: String,
    pub patients_per_replication: f64,
    /// The most bytes of results any one point holds (`experiment::memory::result_bytes`).
    pub point_results: f64,
}

/// One scenario of a batch, validated, kept as its resolved TOML: a thousand points hold a
/// thousand short texts, not a thousand scenarios.
#[derive(Clone, Debug)]
pub struct Point {
    pub name: String,
    /// The resolved scenario ([`Scenario::resolved_toml`]), and its SHA-256.
    pub resolved: String,
    pub scenario_hash: String,
    pub replications: u32,
    /// The sweep it belongs to, if any.
    pub sweep: Option<String>,
    /// The swept keys and their values at this point, in grid order.
    pub parameters: Vec<(String, toml::Value)>,
}

impl Point {
    /// The swept settings as people read them: `key = value, key = value`.
    pub fn settings_text(&self) -> String {
        self.parameters
            .iter()
            .map(|(key, value)| format!("{key} = {}", crate::scenario::render_value(value)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Batch {
    /// Every job, in the canonical order: points in order, replications 1.. within each.
    pub fn jobs(&self) -> Vec<JobId> {
        self.points
            .iter()
            .enumerate()
            .flat_map(|(point, p)| {
                (1..=p.replications).map(move |replication| JobId { point, replication })
            })
            .collect()
    }
}

/// One (point, replication) job; `point` indexes [`Batch::points`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId {
    pub point: usize,
    pub replication: u32,
}

/// A deterministic share of a batch's jobs: shard `index` of `count` (from 1) takes the jobs
/// whose position in the canonical order, counted from 0, leaves remainder `index - 1` when
/// divided by `count`. Round robin spreads each point's replications across shards, so the
/// shards take about the same time even when points differ in cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Shards beyond this are a typo.
pub const MAX_SHARDS: u32 = 100_000;

impl Shard {
    /// Parses `I/N` (1 ≤ I ≤ N).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let expected = "expected I/N with 1 ≤ I ≤ N, like 1/4 (or auto, to read the Slurm or \
                        Kubernetes job index)";
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard {text}: {expected}"))?;
        let parse = |s: &str| s.trim().parse::<u32>().ok();
        match (parse(i), parse(n)) {
            (Some(index), Some(count)) if index >= 1 && index <= count && count <= MAX_SHARDS => {
                Ok(Shard { index, count })
            }
            _ => Err(format!(
                "--shard {text}: {expected}, and N at most {MAX_SHARDS}"
            )),
        }
    }

    /// The shard of this task of a Slurm job array (`SLURM_ARRAY_TASK_ID` less
    /// `SLURM_ARRAY_TASK_MIN`, of `SLURM_ARRAY_TASK_COUNT`) or of a Kubernetes Indexed Job
    /// (`JOB_COMPLETION_INDEX`, from 0, of `PLANSIM_SHARD_COUNT`). `var` reads a variable.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let number =
            |name: &str| -> Result<Option<u64>, String> {
                match var(name) {
                    None => Ok(None),
                    Some(text) => text.trim().parse::<u64>().map(Some).map_err(|_| {
                        format!("--shard auto: {name}={text:?}: expected a whole number")
                    }),
                }
            };
        let shard = |index0: u64, count: u64, from: &str| -> Result<Shard, String> {
            if count == 0 || index0 >= count || count > u64::from(MAX_SHARDS) {
                return Err(format!(
                    "--shard auto: {from} gives task {index0} (from 0) of {count}: expected a \
                     task below the count, and a count from 1 to {MAX_SHARDS}"
                ));
            }
            Ok(Shard {
                index: index0 as u32 + 1,
                count: count as u32,
            })
        };
        if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or(
                "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: \
                 run the batch as a Slurm job array (sbatch --array=0-3)",
            )?;
            if let Some(step) = number("SLURM_ARRAY_TASK_STEP")? {
                if step != 1 {
                    return Err(format!(
                        "--shard auto: the job array has step {step}: use a step of 1, like \
                         --array=0-3, so every shard runs"
                    ));
                }
            }
            let index0 = id.checked_sub(min).ok_or_else(|| {
                format!(
                    "--shard auto: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                )
            })?;
            return shard(index0, count, "Slurm");
        }
        if let Some(index0) = number("JOB_COMPLETION_INDEX")? {
            let count = number("PLANSIM_SHARD_COUNT")?.ok_or(
                "--shard auto: JOB_COMPLETION_INDEX is set but PLANSIM_SHARD_COUNT is not: set \
                 it to the Indexed Job's completions",
            )?;
            return shard(index0, count, "Kubernetes");
        }
        Err(
            "--shard auto: found neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor \
             JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); outside those, give --shard I/N"
                .to_string(),
        )
    }

    /// Whether the job at `position` (from 0, in the canonical order) is this shard's.
    pub fn takes(&self, position: usize) -> bool {
        position % self.count as usize == (self.index - 1) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_the_jobs_exactly_once() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3", "-1/2", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let shards: Vec<Shard> = (1..=3).map(|i| Shard { index: i, count: 3 }).collect();
        for position in 0..100 {
            let takers = shards.iter().filter(|s| s.takes(position)).count();
            assert_eq!(takers, 1, "job {position}");
        }
    }

    #[test]
    fn shard_from_slurm_and_kubernetes_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_STEP", "1"),
        ]);
        assert_eq!(Shard::from_env(slurm), Ok(Shard { index: 2, count: 4 }));
        let kubernetes = env(&[("JOB_COMPLETION_INDEX", "3"), ("PLANSIM_SHARD_COUNT", "4")]);
        assert_eq!(
            Shard::from_env(kubernetes),
            Ok(Shard { index: 4, count: 4 })
        );
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]);
        assert!(Shard::from_env(stepped).unwrap_err().contains("step 2"));
        let beyond = env(&[("JOB_COMPLETION_INDEX", "4"), ("PLANSIM_SHARD_COUNT", "4")]);
        assert!(Shard::from_env(beyond).is_err());
        assert!(Shard::from_env(env(&[])).unwrap_err().contains("neither"));
    }
}
