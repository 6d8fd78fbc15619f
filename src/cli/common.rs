//! What several commands share besides flags: the Ctrl-C handler and the error it leads to,
//! folder locks with their warning, scenario warnings, the memory check's message, and telling
//! network scenario files from elective ones.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

use plansim::experiment::memory::{memory_limit, MemoryEstimate};
use plansim::experiment::StopFlag;
use plansim::network::{scenario_kind, NetworkScenario, ScenarioKind};
use plansim::output::{lock_folder, FolderLock};
use plansim::plot::RunResults;
use plansim::scenario::{Scenario, ScenarioError};
use plansim::util::fmt::human_bytes;

/// Exit status for a run stopped by Ctrl-C or SIGTERM: a failed run, 1, as the interface
/// contract says; the message on stderr says it was interrupted and what was kept.
pub const INTERRUPTED_EXIT: i32 = 1;

/// A run stopped by Ctrl-C or SIGTERM; `main` exits with [`INTERRUPTED_EXIT`].
#[derive(Debug)]
pub struct Interrupted(pub String);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Ctrl-C (or a scheduler's SIGTERM) sets the returned flag, saying on stderr what stopping
/// means (`what`); a second one quits at once. Without a handler (one is already installed:
/// only in tests) the default, quitting, applies.
pub fn install_stop_handler(what: &'static str) -> StopFlag {
    let stop = StopFlag::new();
    let handler_stop = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if handler_stop.is_stopped() {
            std::process::exit(INTERRUPTED_EXIT);
        }
        handler_stop.stop();
        eprintln!("\nstopping: {what} (press Ctrl-C again to quit at once)");
    });
    stop
}

/// Locks `folder` for this command (see `plansim::output::lock_folder`), warning where the
/// file system cannot lock.
pub fn lock(folder: &Path) -> Result<FolderLock> {
    let lock = lock_folder(folder)?;
    if let Some(warning) = lock.warning() {
        eprintln!("warning: {warning}");
    }
    Ok(lock)
}

/// Legal but probably unmeant settings (zero capacity), on stderr; they do not stop anything.
pub fn print_warnings(scenarios: &[Scenario]) {
    for warning in scenarios.iter().flat_map(Scenario::warnings) {
        eprintln!("warning: {warning}");
    }
}

/// Refuses, before anything is allocated, what would need more memory than is available.
/// `what` starts the message ("base: the run"); `fix` says what to lower.
pub fn refuse_if_too_big(what: &str, estimate: &MemoryEstimate, fix: &str) -> Result<()> {
    let Some(limit) = memory_limit().map_err(|e| anyhow!(e))? else {
        return Ok(());
    };
    if estimate.total_bytes <= limit.bytes {
        return Ok(());
    }
    bail!(
        "{what} needs about {} of memory, more than the {} {}: {} replication(s) at a time of \
         about {} each (about {} patients), plus {} of results. {fix}",
        human_bytes(estimate.total_bytes),
        human_bytes(limit.bytes),
        limit.source,
        estimate.concurrent,
        human_bytes(estimate.bytes_per_replication),
        human_count(estimate.patients_per_replication),
        human_bytes(estimate.result_bytes),
    );
}

/// `3,250` or `58.9 million`.
fn human_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1} million", n / 1e6)
    } else {
        plansim::plot::style::fmt_thousands(n)
    }
}

/// Reads a result folder, with an error that says what to pass instead.
pub fn load_results(dir: &Path) -> Result<RunResults> {
    RunResults::load(dir).map_err(|e| anyhow!("{e}"))
}

/// Whether the files are network scenarios: `Some(true)` all network, `Some(false)` all
/// elective, an error for a mix (each kind writes its own result shape) or a bad `kind`.
/// Files that cannot be read count as elective, so the elective loader reports them.
pub fn all_network(paths: &[PathBuf]) -> Result<bool> {
    let mut network = 0;
    let mut problems = Vec::new();
    for path in paths {
        // Read as the loaders read (a FIFO or device is refused, not waited on).
        let Ok(text) = plansim::config::read_input_text(path, &path.display().to_string()) else {
            continue;
        };
        match scenario_kind(&text, &path.display().to_string()) {
            Ok(ScenarioKind::Network) => network += 1,
            Ok(ScenarioKind::Elective) => {}
            Err(e) => problems.extend(e.problems),
        }
    }
    if !problems.is_empty() {
        bail!(problems.join("\n"));
    }
    if network > 0 && network < paths.len() {
        bail!("network scenarios (kind = \"network\") and elective scenarios cannot be run by one command: run them separately");
    }
    Ok(network > 0)
}

/// Loads every network scenario and applies `adjust` (the command line's overrides) to each,
/// reporting every bad file, not just the first.
pub fn load_network(
    paths: &[PathBuf],
    adjust: impl Fn(NetworkScenario) -> Result<NetworkScenario, ScenarioError>,
) -> Result<Vec<NetworkScenario>> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match NetworkScenario::load(path).and_then(&adjust) {
            Ok(s) => scenarios.push(s),
            Err(e) => problems.extend(e.problems),
        }
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(anyhow!(problems.join("\n")))
    }
}
