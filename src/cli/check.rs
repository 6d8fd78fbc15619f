//! `plansim check`: validates scenario files (printing each resolved), and verifies result and
//! batch folders against their checksums. Runs nothing.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};

use plansim::batch::{BatchFolder, BATCH_RECORD};
use plansim::output::check_result_folder;
use plansim::scenario::Scenario;

use super::common::{all_network, load_network, print_warnings};

/// Checks each path: a folder holding manifest.json is a result folder, verified against its
/// checksums; anything else is a scenario file, validated and printed resolved.
pub fn check(paths: &[PathBuf]) -> Result<()> {
    if all_network(paths)? {
        return check_network(paths);
    }
    let mut out = io::stdout().lock();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() && path.join(plansim::batch::BATCH_RECORD).exists() {
            problems.extend(check_batch_folder(&mut out, path)?);
            continue;
        }
        if path.is_dir() {
            let check = check_result_folder(path);
            for line in &check.lines {
                writeln!(out, "{line}")?;
            }
            problems.extend(check.problems);
            continue;
        }
        match Scenario::load(path) {
            Ok(s) => {
                print_warnings(std::slice::from_ref(&s));
                writeln!(out, "# {} (scenario {:?})", path.display(), s.name)?;
                writeln!(out, "{}", s.resolved_toml())?;
            }
            Err(e) => problems.extend(e.problems),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(anyhow!(problems.join("\n")))
    }
}

/// Verifies a batch folder: complete, every job file intact, every point's result folder and
/// every batch-level file matching the checksums recorded. Returns the problems found.
fn check_batch_folder(out: &mut impl Write, dir: &Path) -> Result<Vec<String>> {
    let shown = dir.display();
    let folder = BatchFolder::new(dir);
    let record = match folder.read_record() {
        Ok(record) => record,
        Err(e) => return Ok(vec![e.to_string()]),
    };
    let mut problems = Vec::new();
    let scan = folder.scan_readonly(&record, &record.own_jobs());
    for (path, why) in &scan.damaged {
        problems.push(format!("{}: {why}", path.display()));
    }
    if let Some(shard) = record.shard {
        if scan.missing.is_empty() {
            writeln!(
                out,
                "{shown}: shard {shard} of batch {:?}: its {} jobs are saved and intact; merge the shards with plansim merge",
                record.batch,
                scan.finished.len()
            )?;
        } else {
            problems.push(format!(
                "{shown}: shard {shard} of batch {:?} holds {} of its {} jobs; finish it with plansim batch ... --shard {shard} --resume",
                record.batch,
                scan.finished.len(),
                scan.finished.len() + scan.missing.len()
            ));
        }
        return Ok(problems);
    }
    if !record.complete {
        problems.push(format!(
            "{shown}: batch {:?} is not complete: {} of {} jobs are saved; finish it with plansim batch {} --resume",
            record.batch,
            scan.finished.len(),
            record.jobs,
            record.batch_file
        ));
        return Ok(problems);
    }
    for point in &record.points {
        let check = check_result_folder(&dir.join(&point.name));
        for line in &check.lines {
            writeln!(out, "{line}")?;
        }
        problems.extend(check.problems);
    }
    for (name, expected) in &record.files {
        let path = dir.join(name);
        match fs::read(&path) {
            Ok(bytes) if plansim::output::sha256_hex(&bytes) == *expected => {}
            Ok(_) => problems.push(format!(
                "{}: checksum does not match {BATCH_RECORD}: the file changed or was damaged after plansim wrote it",
                path.display()
            )),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if problems.is_empty() {
        writeln!(
            out,
            "{shown}: complete batch {:?}: {} points, {} jobs intact, {} batch files match their checksums",
            record.batch,
            record.points.len(),
            scan.finished.len(),
            record.files.len()
        )?;
    }
    Ok(problems)
}

/// `plansim check` for network files: prints each resolved scenario.
fn check_network(paths: &[PathBuf]) -> Result<()> {
    let scenarios = load_network(paths, Ok)?;
    let mut out = io::stdout().lock();
    for (path, s) in paths.iter().zip(&scenarios) {
        writeln!(out, "# {} (network scenario {:?})", path.display(), s.name)?;
        writeln!(out, "{}", s.resolved_toml())?;
    }
    Ok(())
}
