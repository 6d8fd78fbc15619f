//! The commands of `plansim` (the binary's part): wiring only. Each command has its own file
//! and reads top to bottom: parse the arguments, call the library, print. Flags that several
//! commands take are declared once, in `flags.rs`; what the commands share besides flags (the
//! Ctrl-C handler, folder locks, the memory check's message) is in `common.rs`. Results go to
//! files; stdout gets short human summaries; errors are returned for `main` to print.

use std::io;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

mod batch;
mod check;
mod common;
mod flags;
mod import;
mod merge;
mod plot;
mod report;
mod run;
mod targets;

pub use common::{Interrupted, INTERRUPTED_EXIT};

#[derive(Debug, Parser)]
#[command(
    name = "plansim",
    version,
    about = "Simulates NHS elective pathways against the planning targets"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs each scenario for N replications and writes results under DIR/<scenario name>/.
    Run(run::RunArgs),
    /// Validates scenario files and prints each resolved scenario; runs nothing.
    Check {
        /// Scenario files.
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
    },
    /// Lists the target catalogue.
    Targets,
    /// Builds a scenario from a file NHS England publishes (`plansim import rtt FILE.csv`).
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Runs an overnight batch: every (scenario point, replication) job of BATCH, each saved
    /// as it finishes; resumable, and shardable across machines. Writes DIR/<batch name>/.
    Batch(batch::BatchArgs),
    /// Merges the shard folders of one batch into DIR/<batch name>/, the same as a run on one
    /// machine.
    Merge(merge::MergeArgs),
    /// Draws RUN_DIR/plots/ (PNG and SVG) from saved results; with --compare, also overlays
    /// the runs' medians.
    Plot {
        /// Result folders written by `plansim run` (DIR/<scenario name>).
        #[arg(required = true, value_name = "RUN_DIR")]
        run_dirs: Vec<PathBuf>,
        /// Also write charts overlaying every RUN_DIR's medians, one per target metric, into
        /// this folder.
        #[arg(long, value_name = "DIR")]
        compare: Option<PathBuf>,
    },
    /// Writes RUN_DIR/report.html: one self-contained page with targets, charts, scenario and
    /// manifest, which opens offline.
    Report {
        /// A result folder written by `plansim run` (DIR/<scenario name>).
        #[arg(value_name = "RUN_DIR")]
        run_dir: PathBuf,
    },
}

/// Runs the parsed command; `invocation` (the command line as typed) is recorded in each
/// manifest's timings.
pub fn execute(cli: Cli, invocation: &[String]) -> Result<()> {
    let result = match cli.command {
        Command::Run(args) => run::run(&args, invocation),
        Command::Check { scenarios } => check::check(&scenarios),
        Command::Targets => targets::targets(),
        Command::Import(command) => import::import(&command),
        Command::Batch(args) => batch::batch(&args, invocation),
        Command::Merge(args) => merge::merge(&args, invocation),
        Command::Plot { run_dirs, compare } => plot::plot(&run_dirs, compare.as_deref()),
        Command::Report { run_dir } => report::report(&run_dir),
    };
    // A closed stdout (`plansim targets | head`) is the reader's choice, not a failure.
    match result {
        Err(e)
            if e.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command's flags parse together: clap checks, among others, that no two flags
    /// flattened into one command share a name.
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
