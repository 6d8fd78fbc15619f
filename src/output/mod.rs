//! Result files. Exporters (`csv`, `manifest`) turn results into bytes and never touch the file
//! system; the `writer` alone owns files: it refuses to overwrite a result folder without
//! `--force`, and writes every file atomically; `verify` checks a written folder against the
//! checksums in its manifest; `interrupted` keeps what a stopped run completed.
//!
//! Numbers are printed by `util::fmt::fmt_num` (shortest round-trip, never `-0`) and
//! statistics by `util::fmt::fmt_stat` (12 significant digits), so the same results always give
//! the same bytes.

mod csv;
mod interrupted;
mod lock;
mod manifest;
mod network;
mod verify;
mod writer;

pub use csv::CsvText;
pub use csv::{
    comparison_csv, finance_csv, monthly_csv, summary_csv, targets_csv, waits_csv,
    COMPARISON_HEADER, FINANCE_HEADER, MONTHLY_HEADER, SUMMARY_HEADER, TARGETS_HEADER,
    WAITS_HEADER,
};
pub use interrupted::{holds_complete_result, keep_interrupted};
pub use lock::{is_locked, lock_folder, FolderLock};
pub use manifest::{scenario_hash, Manifest, Timings};
// The command checks job files with it; the one definition is in `util::hash`.
pub use crate::util::hash::sha256_hex;

/// Reads a file of a result or batch folder that plansim reads back: a plain file only.
/// plansim writes no links or special files there, so one in a file's place was put there by
/// someone else, and reading through it could reach a device or a file outside the folder.
pub fn read_written_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if !std::fs::symlink_metadata(path)?.is_file() {
        return Err(std::io::Error::other(
            "is not a plain file (a link, a folder or a special file); plansim writes only plain files here",
        ));
    }
    std::fs::read(path)
}

pub use network::{network_result_files, stations_csv, STATIONS_HEADER};
pub use verify::{check_result_folder, verify_result_folder, FolderCheck, FolderReport};
pub use writer::{
    check_destination, check_writable, record_plots, replace_folder, write_atomic,
    write_result_folder, OutputError,
};

use crate::experiment::{ExperimentResult, ScenarioRun};
use crate::model::ReplicationResult;
use crate::scenario::Scenario;
use crate::targets::TargetOutcome;

/// One scenario's result folder before it is written: the manifest and the other files.
/// The manifest records every file's checksum when the folder is turned into bytes, so files
/// added later (plots) are covered too.
pub struct ResultFolder {
    pub manifest: Manifest,
    /// Every file but manifest.json, by path inside the folder, in the order they are written.
    pub files: Vec<(String, Vec<u8>)>,
}

impl ResultFolder {
    /// The result files of `run`. `command_line` is the command that reproduces the results
    /// (see [`Manifest::command_line`]), `invocation` the command as typed. A run with fewer
    /// replications than the scenario asks for (an interrupted run keeps its first ones) gets a
    /// manifest saying `"complete": false`.
    pub fn new(
        scenario: &Scenario,
        run: &ScenarioRun,
        outcomes: &[TargetOutcome],
        experiment: &ExperimentResult,
        command_line: &[String],
        invocation: &[String],
    ) -> ResultFolder {
        let timings = Timings::new(run, experiment, invocation);
        ResultFolder::from_parts(scenario, &run.replications, outcomes, command_line, timings)
    }

    /// As [`ResultFolder::new`], from the replications and timings themselves (a batch builds
    /// them from job files).
    pub fn from_parts(
        scenario: &Scenario,
        replications: &[ReplicationResult],
        outcomes: &[TargetOutcome],
        command_line: &[String],
        timings: Timings,
    ) -> ResultFolder {
        let month_ends = scenario.month_ends();
        let mut manifest = Manifest::new(scenario, command_line, timings);
        let done = u32::try_from(replications.len()).unwrap_or(u32::MAX);
        manifest.replications = done;
        manifest.complete = done == scenario.simulation.replications;
        let files = vec![
            ("scenario.toml", scenario.resolved_toml()),
            (
                "monthly.csv",
                monthly_csv(&scenario.name, &month_ends, replications),
            ),
            (
                "summary.csv",
                summary_csv(&scenario.name, &month_ends, replications),
            ),
            ("targets.csv", targets_csv(&scenario.name, outcomes)),
            (
                "finance.csv",
                finance_csv(&scenario.name, &month_ends, replications),
            ),
            (
                "waits.csv",
                waits_csv(&scenario.name, &month_ends, replications),
            ),
        ];
        ResultFolder {
            manifest,
            files: files
                .into_iter()
                .map(|(name, text)| (name.to_string(), text.into_bytes()))
                .collect(),
        }
    }

    /// Every file, manifest.json first, with each other file's checksum in the manifest.
    pub fn into_files(mut self) -> Vec<(String, Vec<u8>)> {
        self.manifest.files.clear();
        self.manifest
            .record_files(self.files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        let mut all = vec![(
            "manifest.json".to_string(),
            self.manifest.to_json().into_bytes(),
        )];
        all.extend(self.files);
        all
    }
}
