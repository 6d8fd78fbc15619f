//! `plansim check` on a batch folder: reads only, never repairs.

use std::path::Path;

use super::{BatchFolder, BATCH_RECORD};
use crate::output::{check_result_folder, FolderCheck};
use crate::util::hash::sha256_hex;

/// Verifies a batch folder: complete, every job file intact, every point's result folder and
/// every batch-level file matching the checksums recorded. A shard's folder is checked for its
/// own jobs only.
pub fn check_batch_folder(dir: &Path) -> FolderCheck {
    let shown = dir.display();
    let folder = BatchFolder::new(dir);
    let mut check = FolderCheck::default();
    let record = match folder.read_record() {
        Ok(record) => record,
        Err(e) => {
            check.problems.push(e.to_string());
            return check;
        }
    };
    let scan = folder.scan_readonly(&record, &record.own_jobs());
    for (path, why) in &scan.damaged {
        check.problems.push(format!("{}: {why}", path.display()));
    }
    if let Some(shard) = record.shard {
        if scan.missing.is_empty() {
            check.lines.push(format!(
                "{shown}: shard {shard} of batch {:?}: its {} jobs are saved and intact; merge the shards with plansim merge",
                record.batch,
                scan.finished.len()
            ));
        } else {
            check.problems.push(format!(
                "{shown}: shard {shard} of batch {:?} holds {} of its {} jobs; finish it with plansim batch ... --shard {shard} --resume",
                record.batch,
                scan.finished.len(),
                scan.finished.len() + scan.missing.len()
            ));
        }
        return check;
    }
    if !record.complete {
        check.problems.push(format!(
            "{shown}: batch {:?} is not complete: {} of {} jobs are saved; finish it with plansim batch {} --resume",
            record.batch,
            scan.finished.len(),
            record.jobs,
            record.batch_file
        ));
        return check;
    }
    for point in &record.points {
        check.extend(check_result_folder(&dir.join(&point.name)));
    }
    for (name, expected) in &record.files {
        let path = dir.join(name);
        match crate::output::read_written_file(&path) {
            Ok(bytes) if sha256_hex(&bytes) == *expected => {}
            Ok(_) => check.problems.push(format!(
                "{}: checksum does not match {BATCH_RECORD}: the file changed or was damaged after plansim wrote it",
                path.display()
            )),
            Err(e) => check.problems.push(format!("{}: {e}", path.display())),
        }
    }
    if check.problems.is_empty() {
        check.lines.push(format!(
            "{shown}: complete batch {:?}: {} points, {} jobs intact, {} batch files match their checksums",
            record.batch,
            record.points.len(),
            scan.finished.len(),
            record.files.len()
        ));
    }
    check
}
