//! What a batch command does with the batch folder it is given, decided before anything runs
//! or is written; and removing a folder that `--force` replaces.

use std::fs;
use std::path::Path;

use super::{BatchError, BatchFolder, BatchRecord, Shard, BATCH_RECORD};
use crate::output::OutputError;

/// What the command will do with DIR/<batch name>/.
pub enum FolderPlan {
    /// Start the batch in it (it does not exist, or is empty).
    Start,
    /// Replace it (--force).
    Replace,
    /// Carry on with the batch it holds (--resume); `complete` when every job of the folder's
    /// share was done and its results written.
    Continue { complete: bool },
}

/// Decides what DIR/<batch name>/ (`folder`) means for a batch command given `--force` and
/// `--resume`, changing nothing: refuses what would lose work or mix two batches. The dry run and the real run both decide here, so a dry run
/// refuses exactly what the run would.
pub fn plan_folder(
    folder: &BatchFolder,
    record: &BatchRecord,
    force: bool,
    resume: bool,
) -> Result<FolderPlan, BatchError> {
    let path = &folder.path;
    if !path.exists() {
        return Ok(FolderPlan::Start);
    }
    if !path.is_dir() {
        return Err(BatchError::Message(format!(
            "{}: exists and is not a folder; remove it or choose another output folder with -o",
            path.display()
        )));
    }
    if force {
        return Ok(FolderPlan::Replace);
    }
    if !folder.record_path().exists() {
        if fs::read_dir(path)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
        {
            return Ok(FolderPlan::Start);
        }
        return Err(BatchError::Message(format!(
            "{}: exists and is not a batch folder (no {BATCH_RECORD}); choose another output folder with -o, or pass --force to replace it",
            path.display()
        )));
    }
    let existing = folder.read_record()?;
    if !resume {
        if existing.complete && existing.shard.is_none() {
            return Err(BatchError::Message(format!(
                "{}: already holds the complete results of batch {}; pass --force to run it again, or -o to write elsewhere",
                path.display(),
                existing.batch
            )));
        }
        let saved = folder.present_jobs(&existing).len();
        return Err(BatchError::Message(format!(
            "{}: holds an unfinished batch ({saved} of {} jobs saved); pass --resume to finish it, or --force to start again",
            path.display(),
            existing.jobs
        )));
    }
    let differences = existing.differences(record);
    if !differences.is_empty() {
        return Err(BatchError::Message(format!(
            "{}: cannot resume: {}. Resuming would mix results of different batches: run it with --force to start again, or -o to write elsewhere",
            path.display(),
            differences.join("; ")
        )));
    }
    if existing.shard != record.shard {
        let show =
            |s: Option<Shard>| s.map_or_else(|| "all jobs".to_string(), |s| format!("shard {s}"));
        return Err(BatchError::Message(format!(
            "{}: cannot resume: it was run as {}, not {}; resume with the same --shard",
            path.display(),
            show(existing.shard),
            show(record.shard)
        )));
    }
    Ok(FolderPlan::Continue {
        complete: existing.complete,
    })
}

/// Refuses an output folder (-o) that is a file, as taking the lock would.
pub fn check_output_root(root: &Path) -> Result<(), OutputError> {
    if root.exists() && !root.is_dir() {
        return Err(OutputError::NotAFolder {
            path: root.to_path_buf(),
        });
    }
    Ok(())
}

/// Removes a folder that --force replaces: moved aside first, so that what is left after an
/// interruption is plainly not a result.
pub fn remove_folder(path: &Path) -> Result<(), BatchError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = path.with_file_name(format!(".{name}.old-{}", std::process::id()));
    fs::rename(path, &aside).map_err(BatchError::io(format!(
        "{}: cannot replace it",
        path.display()
    )))?;
    fs::remove_dir_all(&aside).map_err(BatchError::io(format!(
        "{}: cannot remove it",
        aside.display()
    )))
}
