//! Merging the shard folders of one batch: [`Shards::open`] checks that they are shards of the
//! same batch holding every job exactly once, each intact, before anything is written;
//! [`Shards::merge`] then builds the merged folder aside and swaps it in whole, so it holds the
//! same bytes as the batch run on one machine.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use super::{assemble, AssembleOptions, BatchError, BatchFolder, BatchRecord, JobId, BATCH_RECORD};
use crate::output::{check_destination, replace_folder, write_atomic};
use crate::targets::Catalogue;

/// The batch folder a merge argument names: itself, or the one batch folder inside it.
pub fn batch_folder_of(dir: &Path) -> Result<BatchFolder, BatchError> {
    if dir.join(BATCH_RECORD).exists() {
        return Ok(BatchFolder::new(dir));
    }
    let entries =
        fs::read_dir(dir).map_err(BatchError::io(format!("{}: cannot read it", dir.display())))?;
    let inside: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(BATCH_RECORD).exists())
        .collect();
    match inside.as_slice() {
        [one] => Ok(BatchFolder::new(one)),
        [] => Err(BatchError::Message(format!(
            "{}: not a batch folder: it holds no {BATCH_RECORD}, nor a folder with one (expected a folder written by plansim batch --shard)",
            dir.display()
        ))),
        _ => Err(BatchError::Message(format!(
            "{}: holds {} batch folders; name the one to merge",
            dir.display(),
            inside.len()
        ))),
    }
}

/// Shard folders of one batch, checked: every job of the batch is in exactly one of them, and
/// intact.
pub struct Shards {
    inputs: Vec<BatchFolder>,
    records: Vec<BatchRecord>,
    /// Which input holds each job.
    owner: BTreeMap<JobId, usize>,
}

/// How to merge, and what the manifests' timings say.
pub struct MergeOptions {
    /// Replace DIR/<batch name>/ if it exists.
    pub force: bool,
    pub plots: bool,
    /// When the merge started, for the timings.
    pub started: SystemTime,
    pub clock: Instant,
    /// The command as typed.
    pub invocation: Vec<String>,
}

impl Shards {
    /// Reads the shard folders `dirs` (each a batch folder, or a folder holding exactly one)
    /// and refuses, naming the folders, shards of different batches, shards that overlap, a
    /// damaged job file, and jobs that no shard holds.
    pub fn open(dirs: &[PathBuf]) -> Result<Shards, BatchError> {
        let inputs: Vec<BatchFolder> = dirs
            .iter()
            .map(|d| batch_folder_of(d))
            .collect::<Result<_, _>>()?;
        let records: Vec<BatchRecord> = inputs
            .iter()
            .map(|f| f.read_record())
            .collect::<Result<_, _>>()?;
        let reference = &records[0];
        for (input, record) in inputs.iter().zip(&records).skip(1) {
            let differences = reference.differences(record);
            if !differences.is_empty() {
                return Err(BatchError::Message(format!(
                    "{} and {} are not shards of the same batch: {}",
                    inputs[0].path.display(),
                    input.path.display(),
                    differences.join("; ")
                )));
            }
        }

        // Every job exactly once, and intact.
        let mut owner: BTreeMap<JobId, usize> = BTreeMap::new();
        for (i, (input, record)) in inputs.iter().zip(&records).enumerate() {
            for job in input.present_jobs(record) {
                let point = &record.points[job.point].name;
                if let Some(&first) = owner.get(&job) {
                    return Err(BatchError::Message(format!(
                        "replication {} of {point} is in both {} and {}: the shards overlap (were they run with different --shard counts, or one folder given twice?)",
                        job.replication,
                        inputs[first].path.display(),
                        input.path.display()
                    )));
                }
                input.read_job(record, job).map_err(|why| {
                    BatchError::Message(format!(
                        "{}: {why}; run that shard again with --resume",
                        input.job_path(point, job.replication).display()
                    ))
                })?;
                owner.insert(job, i);
            }
        }
        let all = reference.jobs();
        let missing: Vec<(usize, JobId)> = all
            .iter()
            .enumerate()
            .filter(|(_, j)| !owner.contains_key(j))
            .map(|(i, j)| (i, *j))
            .collect();
        if !missing.is_empty() {
            let shown: Vec<String> = missing
                .iter()
                .take(5)
                .map(|(position, j)| {
                    let shard = records
                        .iter()
                        .find_map(|r| r.shard)
                        .map(|s| {
                            let index = (*position as u32) % s.count + 1;
                            format!(" (shard {index}/{})", s.count)
                        })
                        .unwrap_or_default();
                    format!(
                        "replication {} of {}{shard}",
                        j.replication, reference.points[j.point].name
                    )
                })
                .collect();
            return Err(BatchError::Message(format!(
                "the shards hold {} of the batch's {} jobs: missing {}{}; finish the shards that lack them (plansim batch ... --shard I/N --resume), then merge again",
                owner.len(),
                all.len(),
                shown.join(", "),
                if missing.len() > shown.len() { format!(" and {} more", missing.len() - shown.len()) } else { String::new() }
            )));
        }
        Ok(Shards {
            inputs,
            records,
            owner,
        })
    }

    /// The batch's name, which names the merged folder.
    pub fn batch(&self) -> &str {
        &self.records[0].batch
    }

    /// The jobs the shards hold: all of the batch's.
    pub fn jobs(&self) -> usize {
        self.owner.len()
    }

    /// The shard folders read.
    pub fn folders(&self) -> usize {
        self.inputs.len()
    }

    /// The batch's scenario points.
    pub fn points(&self) -> usize {
        self.records[0].points.len()
    }

    /// Writes the merged batch as `root/<batch name>/` and returns that folder: built aside
    /// (`.<batch name>.partial-<pid>`, removed if anything fails) from the shards' job files,
    /// its results assembled, then swapped in whole. `point_written` is told each point as its
    /// results are written (for progress). The caller holds the folder's lock.
    pub fn merge(
        &self,
        root: &Path,
        catalogue: &Catalogue,
        options: &MergeOptions,
        point_written: &mut dyn FnMut(&str),
    ) -> Result<PathBuf, BatchError> {
        let reference = &self.records[0];
        let target = root.join(&reference.batch);
        check_destination(root, &reference.batch, options.force)?;
        fs::create_dir_all(root).map_err(BatchError::io(format!(
            "{}: cannot create it",
            root.display()
        )))?;
        let staging = root.join(format!(
            ".{}.partial-{}",
            reference.batch,
            std::process::id()
        ));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(BatchError::io(format!(
                "{}: cannot remove it",
                staging.display()
            )))?;
        }
        let merged = BatchFolder::new(&staging);
        let result = (|| -> Result<(), BatchError> {
            let mut record = reference.clone();
            record.shard = None;
            record.complete = false;
            record.files.clear();
            merged.copy_inputs_from(&self.inputs[0], &record)?;
            merged.write_record(&record)?;
            for (job, &i) in &self.owner {
                let point = &record.points[job.point].name;
                let from = self.inputs[i].job_path(point, job.replication);
                let bytes = crate::output::read_written_file(&from).map_err(BatchError::io(
                    format!("{}: cannot read it", from.display()),
                ))?;
                write_atomic(&merged.job_path(point, job.replication), &bytes)?;
            }
            let assemble_options = AssembleOptions {
                plots: options.plots,
                started: options.started,
                wall_seconds: options.clock.elapsed().as_secs_f64(),
                threads: 1,
                invocation: options.invocation.clone(),
                times: Vec::new(),
            };
            assemble(
                &merged,
                &record,
                catalogue,
                &assemble_options,
                point_written,
            )
            .map_err(BatchError::Message)?;
            replace_folder(&staging, &target)?;
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        result?;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_argument_names_a_batch_folder_or_the_one_inside_it() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        let message = |dir: &Path| batch_folder_of(dir).err().unwrap().to_string();
        assert!(message(dir).contains("not a batch folder"));
        let shard = dir.join("weekly");
        fs::create_dir(&shard).unwrap();
        fs::write(shard.join(BATCH_RECORD), "{}").unwrap();
        assert_eq!(batch_folder_of(dir).unwrap().path, shard);
        assert_eq!(batch_folder_of(&shard).unwrap().path, shard);
        let other = dir.join("monthly");
        fs::create_dir(&other).unwrap();
        fs::write(other.join(BATCH_RECORD), "{}").unwrap();
        assert!(message(dir).ends_with("holds 2 batch folders; name the one to merge"));
        assert!(message(&dir.join("absent")).contains("cannot read it"));
    }
}
