//! The batch folder, `DIR/<batch name>/`:
//!
//! ```text
//! batch.json                 what the batch is (version, batch file hash, points, shard) and
//!                            whether it is complete
//! batch.toml                 the batch file as given
//! jobs/<point>/scenario.toml the point's resolved scenario
//! jobs/<point>/r0001.job     one finished job: its replication's results
//! <point>/                   the point's result folder, once every job is done
//! comparison.csv, points.csv, summary.txt, plots/
//! ```
//!
//! Every file is written atomically (temporary name, fsync, rename). A job file carries the
//! SHA-256 of its own bytes and says which point, scenario and replication it holds, so a
//! damaged or foreign file is never taken for a finished job.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::file::{MAX_JOBS, MAX_POINTS, RESERVED_NAMES};
use super::{Batch, JobId, Shard};
use crate::model::ReplicationResult;
use crate::output::{read_written_file, write_atomic, OutputError};
use crate::scenario::{
    is_scenario_name, render_value, Scenario, MAX_REPLICATIONS, SCENARIO_NAME_RULE,
};
use crate::util::hash::sha256_hex;

pub const BATCH_RECORD: &str = "batch.json";
pub const JOBS_FOLDER: &str = "jobs";
const BATCH_FILE_COPY: &str = "batch.toml";
const SCENARIO_FILE: &str = "scenario.toml";

/// `batch.json`. Field order is the key order in the file; nothing in it varies between runs,
/// so a batch run straight through, resumed, or merged from shards writes the same bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRecord {
    pub plansim_version: String,
    pub batch: String,
    pub description: String,
    /// The batch file's name; its bytes are in `batch.toml`.
    pub batch_file: String,
    pub batch_file_sha256: String,
    /// The share of the jobs this folder runs; `None` for all of them.
    pub shard: Option<Shard>,
    /// Jobs in the whole batch.
    pub jobs: u64,
    pub points: Vec<PointRecord>,
    /// True once every job of the folder's share is done and, without a shard, the results are
    /// written.
    pub complete: bool,
    /// SHA-256 of the batch-level result files (comparison.csv, ...), once complete.
    pub files: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointRecord {
    pub name: String,
    pub sweep: Option<String>,
    pub scenario_hash: String,
    pub replications: u32,
    /// Swept keys and their values as TOML text.
    pub parameters: Vec<(String, String)>,
}

impl BatchRecord {
    pub fn new(batch: &Batch, shard: Option<Shard>) -> BatchRecord {
        let points: Vec<PointRecord> = batch
            .points
            .iter()
            .map(|p| PointRecord {
                name: p.name.clone(),
                sweep: p.sweep.clone(),
                scenario_hash: p.scenario_hash.clone(),
                replications: p.replications,
                parameters: p
                    .parameters
                    .iter()
                    .map(|(k, v)| (k.clone(), render_value(v)))
                    .collect(),
            })
            .collect();
        BatchRecord {
            plansim_version: env!("CARGO_PKG_VERSION").to_string(),
            batch: batch.name.clone(),
            description: batch.description.clone(),
            batch_file: batch.file_name.clone(),
            batch_file_sha256: batch.file_sha256.clone(),
            shard,
            jobs: points.iter().map(|p| u64::from(p.replications)).sum(),
            points,
            complete: false,
            files: BTreeMap::new(),
        }
    }

    /// Checks a record read back from disk as untrusted input: its names become paths (the
    /// batch folder, the points' folders, the batch-level files), so each must be a name plansim
    /// itself would have written, and its sizes must be ones a batch file could have asked for.
    pub fn check(&self) -> Result<(), String> {
        if !is_scenario_name(&self.batch) {
            return Err(format!(
                "batch name {:?} is not {SCENARIO_NAME_RULE}",
                self.batch
            ));
        }
        if self.points.is_empty() || self.points.len() > MAX_POINTS {
            return Err(format!(
                "it lists {} scenario points: expected 1 to {MAX_POINTS}",
                self.points.len()
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for point in &self.points {
            if !is_scenario_name(&point.name) || RESERVED_NAMES.contains(&point.name.as_str()) {
                return Err(format!(
                    "scenario point name {:?} is not {SCENARIO_NAME_RULE}, other than {}",
                    point.name,
                    RESERVED_NAMES.join(", ")
                ));
            }
            if !seen.insert(point.name.as_str()) {
                return Err(format!("two scenario points are named {:?}", point.name));
            }
            if !(1..=MAX_REPLICATIONS).contains(&point.replications) {
                return Err(format!(
                    "scenario point {} has {} replications: expected 1 to {MAX_REPLICATIONS}",
                    point.name, point.replications
                ));
            }
        }
        let jobs: u64 = self.points.iter().map(|p| u64::from(p.replications)).sum();
        if jobs != self.jobs || jobs > MAX_JOBS {
            return Err(format!(
                "it counts {} jobs, its points {jobs} (at most {MAX_JOBS} are allowed)",
                self.jobs
            ));
        }
        if let Some(shard) = self.shard {
            if shard.index == 0 || shard.index > shard.count {
                return Err(format!(
                    "shard {}/{}: expected I/N with I from 1 to N",
                    shard.index, shard.count
                ));
            }
        }
        for name in self.files.keys() {
            if !is_result_file_name(name) {
                return Err(format!(
                    "batch-level file {name:?} is not a relative path of plain names within \
                     the batch folder"
                ));
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a batch record serialises");
        text.push('\n');
        text
    }

    /// Every job in the canonical order (as [`Batch::jobs`]).
    pub fn jobs(&self) -> Vec<JobId> {
        self.points
            .iter()
            .enumerate()
            .flat_map(|(point, p)| {
                (1..=p.replications).map(move |replication| JobId { point, replication })
            })
            .collect()
    }

    /// The jobs of this folder's share, in the canonical order.
    pub fn own_jobs(&self) -> Vec<JobId> {
        let all = self.jobs();
        match self.shard {
            None => all,
            Some(shard) => all
                .into_iter()
                .enumerate()
                .filter(|(i, _)| shard.takes(*i))
                .map(|(_, j)| j)
                .collect(),
        }
    }

    /// What makes `other` a different batch from this one (empty when it is the same batch):
    /// plansim version, batch file, points. Shards and completeness are not compared.
    pub fn differences(&self, other: &BatchRecord) -> Vec<String> {
        let mut out = Vec::new();
        if self.plansim_version != other.plansim_version {
            out.push(format!(
                "it was run by plansim {}, and this is plansim {}",
                self.plansim_version, other.plansim_version
            ));
        }
        if self.batch != other.batch {
            out.push(format!(
                "its batch is named {:?}, not {:?}",
                self.batch, other.batch
            ));
        }
        if self.batch_file_sha256 != other.batch_file_sha256 {
            out.push(format!(
                "the batch file has changed since (SHA-256 {} then, {} now)",
                short(&self.batch_file_sha256),
                short(&other.batch_file_sha256)
            ));
        }
        let names = |r: &BatchRecord| r.points.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        if names(self) != names(other) {
            out.push(format!(
                "the scenario points differ: {} then, {} now",
                names(self).join(", "),
                names(other).join(", ")
            ));
        } else {
            for (a, b) in self.points.iter().zip(&other.points) {
                if a != b {
                    out.push(format!(
                        "scenario point {} differs (its scenario or replications have changed: \
                         a scenario file it uses was edited?)",
                        a.name
                    ));
                }
            }
        }
        out
    }
}

/// A batch-level result file as assemble names them: `comparison.csv`, `plots/<sweep>/<chart>`;
/// plain names joined by `/`, so it cannot leave the batch folder.
fn is_result_file_name(name: &str) -> bool {
    name.len() <= 512 && name.split('/').all(is_scenario_name)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// A folder that cannot be used as asked.
#[derive(Debug, thiserror::Error)]
pub enum FolderProblem {
    #[error("{}: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error(transparent)]
    Write(#[from] OutputError),
}

/// Which of a folder's own jobs are finished, and which job files were found damaged.
#[derive(Clone, Debug, Default)]
pub struct JobScan {
    pub finished: Vec<JobId>,
    pub missing: Vec<JobId>,
    /// Job files that could not be read as the job they are named for, with why.
    pub damaged: Vec<(PathBuf, String)>,
}

/// A batch folder on disk.
#[derive(Clone, Debug)]
pub struct BatchFolder {
    pub path: PathBuf,
}

impl BatchFolder {
    pub fn new(path: impl Into<PathBuf>) -> BatchFolder {
        BatchFolder { path: path.into() }
    }

    pub fn record_path(&self) -> PathBuf {
        self.path.join(BATCH_RECORD)
    }

    pub fn job_path(&self, point: &str, replication: u32) -> PathBuf {
        self.path
            .join(JOBS_FOLDER)
            .join(point)
            .join(format!("r{replication:04}.job"))
    }

    pub fn scenario_path(&self, point: &str) -> PathBuf {
        self.path.join(JOBS_FOLDER).join(point).join(SCENARIO_FILE)
    }

    /// Starts the folder for `batch`: the batch file, each point's resolved scenario, and
    /// `batch.json` (not complete). Also used on resume, where it rewrites the same bytes.
    pub fn prepare(&self, batch: &Batch, record: &BatchRecord) -> Result<(), FolderProblem> {
        let mkdir = |path: &Path| {
            fs::create_dir_all(path).map_err(|source| OutputError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        mkdir(&self.path)?;
        write_atomic(&self.path.join(BATCH_FILE_COPY), batch.file_text.as_bytes())?;
        for point in &batch.points {
            mkdir(&self.path.join(JOBS_FOLDER).join(&point.name))?;
            write_atomic(&self.scenario_path(&point.name), point.resolved.as_bytes())?;
        }
        self.write_record(record)?;
        Ok(())
    }

    pub fn read_record(&self) -> Result<BatchRecord, FolderProblem> {
        let path = self.record_path();
        let text = read_text(&path).map_err(|e| FolderProblem::Unreadable {
            path: path.clone(),
            message: format!("cannot read it: {e}"),
        })?;
        let record: BatchRecord =
            serde_json::from_str(&text).map_err(|e| FolderProblem::Unreadable {
                path: path.clone(),
                message: format!(
                    "not a batch record written by this plansim ({e}); the folder may be damaged \
                     or from another version"
                ),
            })?;
        record.check().map_err(|why| FolderProblem::Unreadable {
            path,
            message: format!(
                "not a batch record written by plansim: {why}; the folder may be damaged or \
                 edited"
            ),
        })?;
        Ok(record)
    }

    pub fn write_record(&self, record: &BatchRecord) -> Result<(), OutputError> {
        write_atomic(&self.record_path(), record.to_json().as_bytes())
    }

    /// Copies the batch file and the points' scenarios from `other` (a shard folder of the
    /// same batch) into this folder.
    pub fn copy_inputs_from(
        &self,
        other: &BatchFolder,
        record: &BatchRecord,
    ) -> Result<(), FolderProblem> {
        let copy = |from: PathBuf, to: PathBuf| -> Result<(), FolderProblem> {
            let bytes = read_written_file(&from).map_err(|e| FolderProblem::Unreadable {
                path: from.clone(),
                message: format!("cannot read it: {e}"),
            })?;
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|source| OutputError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            write_atomic(&to, &bytes)?;
            Ok(())
        };
        copy(
            other.path.join(BATCH_FILE_COPY),
            self.path.join(BATCH_FILE_COPY),
        )?;
        for point in &record.points {
            let from = other.scenario_path(&point.name);
            let text = read_written_file(&from).unwrap_or_default();
            if sha256_hex(&text) != point.scenario_hash {
                return Err(FolderProblem::Unreadable {
                    path: from,
                    message: format!(
                        "does not hold scenario point {}'s scenario (its SHA-256 differs from \
                         batch.json's): the folder is damaged",
                        point.name
                    ),
                });
            }
            copy(from, self.scenario_path(&point.name))?;
        }
        Ok(())
    }

    /// A point's resolved scenario as saved in the folder, checked against `batch.json`.
    pub fn read_scenario(&self, point: &PointRecord) -> Result<Scenario, String> {
        let path = self.scenario_path(&point.name);
        let text = read_text(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let scenario = Scenario::from_toml_str(&text, &path.display().to_string())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if scenario.hash() != point.scenario_hash {
            return Err(format!(
                "{}: the scenario does not match batch.json (the folder was edited or damaged)",
                path.display()
            ));
        }
        Ok(scenario)
    }

    /// Finds which of `jobs` have a good job file. Temporary files left by an interrupted write
    /// are removed: they were never finished jobs.
    pub fn scan(&self, record: &BatchRecord, jobs: &[JobId]) -> JobScan {
        for point in &record.points {
            remove_temporaries(&self.path.join(JOBS_FOLDER).join(&point.name));
        }
        self.scan_readonly(record, jobs)
    }

    /// As [`BatchFolder::scan`], changing nothing.
    pub fn scan_readonly(&self, record: &BatchRecord, jobs: &[JobId]) -> JobScan {
        let mut scan = JobScan::default();
        for &job in jobs {
            let point = &record.points[job.point];
            let path = self.job_path(&point.name, job.replication);
            if !path.exists() {
                scan.missing.push(job);
                continue;
            }
            match self.read_job(record, job) {
                Ok(_) => scan.finished.push(job),
                Err(why) => {
                    scan.damaged.push((path, why));
                    scan.missing.push(job);
                }
            }
        }
        scan
    }

    /// Every job file present for `record`'s points, whoever's share it is.
    pub fn present_jobs(&self, record: &BatchRecord) -> Vec<JobId> {
        record
            .jobs()
            .into_iter()
            .filter(|j| {
                self.job_path(&record.points[j.point].name, j.replication)
                    .exists()
            })
            .collect()
    }

    pub fn write_job(
        &self,
        record: &BatchRecord,
        job: JobId,
        result: &ReplicationResult,
    ) -> Result<(), OutputError> {
        let point = &record.points[job.point];
        let bytes = encode_job(&point.name, &point.scenario_hash, result);
        write_atomic(&self.job_path(&point.name, job.replication), &bytes)
    }

    /// Reads one job file, checking its checksum and that it is the job it is named for.
    pub fn read_job(&self, record: &BatchRecord, job: JobId) -> Result<ReplicationResult, String> {
        let point = &record.points[job.point];
        let path = self.job_path(&point.name, job.replication);
        let bytes = read_written_file(&path).map_err(|e| format!("cannot read it: {e}"))?;
        decode_job(&bytes, &point.name, &point.scenario_hash, job.replication)
    }
}

fn remove_temporaries(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            let _ = fs::remove_file(entry.path());
        }
    }
}

const MAGIC: &[u8] = b"plansim-job 1\n";

/// The text line after the magic: what the job is, and the shapes of the numbers after it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobHeader {
    plansim_version: String,
    point: String,
    scenario_hash: String,
    replication: u32,
    events: u64,
    patients: u64,
    metrics: (usize, usize),
    wait_weeks: (usize, usize),
}

/// A finished job's bytes: magic line, JSON header line, the numbers as little-endian f64
/// (metrics row by row, the initial list, wait weeks row by row), then the SHA-256 of all
/// that. Exact: a decoded result equals the one encoded, bit for bit.
pub fn encode_job(point: &str, scenario_hash: &str, result: &ReplicationResult) -> Vec<u8> {
    let header = JobHeader {
        plansim_version: env!("CARGO_PKG_VERSION").to_string(),
        point: point.to_string(),
        scenario_hash: scenario_hash.to_string(),
        replication: result.replication,
        events: result.events,
        patients: result.patients,
        metrics: result.metrics.dim(),
        wait_weeks: result.wait_weeks.dim(),
    };
    let mut bytes = MAGIC.to_vec();
    bytes.extend(serde_json::to_vec(&header).expect("a job header serialises"));
    bytes.push(b'\n');
    let numbers = result
        .metrics
        .iter()
        .chain([&result.initial_waiting_list])
        .chain(result.wait_weeks.iter());
    for x in numbers {
        bytes.extend(x.to_le_bytes());
    }
    let digest = Sha256::digest(&bytes);
    bytes.extend(digest);
    bytes
}

/// Reads a job file's bytes; fails, saying why, unless they are intact and hold replication
/// `replication` of `point` with scenario `scenario_hash`, written by this plansim version.
pub fn decode_job(
    bytes: &[u8],
    point: &str,
    scenario_hash: &str,
    replication: u32,
) -> Result<ReplicationResult, String> {
    const DIGEST: usize = 32;
    if bytes.len() < MAGIC.len() + DIGEST || !bytes.starts_with(MAGIC) {
        return Err("not a plansim job file".to_string());
    }
    let (body, digest) = bytes.split_at(bytes.len() - DIGEST);
    if Sha256::digest(body).as_slice() != digest {
        return Err("its checksum does not match: the file is damaged (cut short?)".to_string());
    }
    let rest = &body[MAGIC.len()..];
    let end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("its header is damaged")?;
    let header: JobHeader =
        serde_json::from_slice(&rest[..end]).map_err(|e| format!("its header is damaged: {e}"))?;
    let version = env!("CARGO_PKG_VERSION");
    if header.plansim_version != version {
        return Err(format!(
            "it was written by plansim {}, not this plansim {version}",
            header.plansim_version
        ));
    }
    if header.point != point || header.replication != replication {
        return Err(format!(
            "it holds replication {} of point {}, not replication {replication} of {point}",
            header.replication, header.point
        ));
    }
    if header.scenario_hash != scenario_hash {
        return Err("it was run with a different scenario".to_string());
    }
    let numbers = &rest[end + 1..];
    let (mr, mc) = header.metrics;
    let (wr, wc) = header.wait_weeks;
    let count = mr
        .checked_mul(mc)
        .and_then(|m| wr.checked_mul(wc).and_then(|w| m.checked_add(w)))
        .and_then(|n| n.checked_add(1))
        .ok_or("its header is damaged")?;
    if numbers.len() != count * 8 {
        return Err("its length does not match its header".to_string());
    }
    let mut values = numbers
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("chunks of 8")));
    let metrics: Vec<f64> = values.by_ref().take(mr * mc).collect();
    let initial_waiting_list = values
        .next()
        .ok_or("its length does not match its header")?;
    let wait_weeks: Vec<f64> = values.collect();
    Ok(ReplicationResult {
        replication,
        metrics: Array2::from_shape_vec((mr, mc), metrics).map_err(|e| e.to_string())?,
        initial_waiting_list,
        wait_weeks: Array2::from_shape_vec((wr, wc), wait_weeks).map_err(|e| e.to_string())?,
        events: header.events,
        patients: header.patients,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result() -> ReplicationResult {
        ReplicationResult {
            replication: 3,
            metrics: Array2::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as f64 / 7.0),
            initial_waiting_list: 123.5,
            wait_weeks: Array2::from_shape_fn(
                (3, 2),
                |(i, j)| if i == j { f64::NAN } else { -0.0 },
            ),
            events: 99,
            patients: 42,
        }
    }

    #[test]
    fn a_job_file_round_trips_bit_for_bit() {
        let r = result();
        let bytes = encode_job("p", "abc", &r);
        let back = decode_job(&bytes, "p", "abc", 3).expect("decodes");
        let bits = |a: &Array2<f64>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.metrics), bits(&r.metrics));
        assert_eq!(bits(&back.wait_weeks), bits(&r.wait_weeks));
        assert_eq!(back.metrics.dim(), (2, 3));
        assert_eq!(
            (back.initial_waiting_list, back.events, back.patients),
            (123.5, 99, 42)
        );
        assert_eq!(encode_job("p", "abc", &back), bytes);
    }

    #[test]
    fn a_damaged_cut_or_foreign_job_file_is_refused() {
        let bytes = encode_job("p", "abc", &result());
        for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                decode_job(&bytes[..cut], "p", "abc", 3).is_err(),
                "cut at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        assert!(decode_job(&flipped, "p", "abc", 3)
            .unwrap_err()
            .contains("checksum"));
        assert!(decode_job(&bytes, "q", "abc", 3)
            .unwrap_err()
            .contains("not replication"));
        assert!(decode_job(&bytes, "p", "abc", 4).is_err());
        assert!(decode_job(&bytes, "p", "xyz", 3)
            .unwrap_err()
            .contains("different scenario"));
    }
}

/// A text file of the batch folder, read as [`read_written_file`] reads.
fn read_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_written_file(path)?).map_err(|_| std::io::Error::other("not UTF-8 text"))
}
