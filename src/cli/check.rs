//! `plansim check`: validates scenario files (printing each resolved), and verifies result and
//! batch folders against their checksums. Runs nothing.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{anyhow, Result};

use plansim::batch::{check_batch_folder, BATCH_RECORD};
use plansim::output::check_result_folder;
use plansim::scenario::Scenario;

use super::common::{all_network, load_network, print_warnings};

/// Checks each path: a folder holding batch.json is a batch folder, any other folder a result
/// folder, each verified against its checksums; anything else is a scenario file, validated and
/// printed resolved.
pub fn check(paths: &[PathBuf]) -> Result<()> {
    if all_network(paths)? {
        return check_network(paths);
    }
    let mut out = io::stdout().lock();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() {
            let check = if path.join(BATCH_RECORD).exists() {
                check_batch_folder(path)
            } else {
                check_result_folder(path)
            };
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
