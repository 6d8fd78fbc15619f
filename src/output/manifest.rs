//! manifest.json: what was run (plansim version, scenario and its hash, seed, replications,
//! months, scale, command line), whether the folder is complete, the SHA-256 of every other
//! file in the folder, and, under `timings` only, what varies from run to run. Keys are in a
//! fixed order, so everything outside `timings` is byte-identical for the same inputs.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::experiment::{ExperimentResult, ScenarioRun};
use crate::scenario::Scenario;
use crate::util::date::iso_utc;
use crate::util::hash::sha256_hex;

/// Field order here is the key order in the file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub plansim_version: String,
    pub scenario: String,
    /// Hex SHA-256 of the resolved scenario TOML (`scenario.toml`).
    pub scenario_hash: String,
    pub seed: u64,
    pub replications: u32,
    pub months: u32,
    pub start: String,
    pub scale: f64,
    /// The command that reproduces these results: the options that change results, in a fixed
    /// form. Options that cannot change results (threads, output folder, `--force`, `-q`) are
    /// left out, so this stays the same for the same inputs; the command as typed is
    /// `timings.invocation`.
    pub command_line: Vec<String>,
    /// False for the folder an interrupted run leaves (`<name>.interrupted`): it holds only the
    /// first `replications` of the `replications_requested`.
    pub complete: bool,
    pub replications_requested: u32,
    /// Hex SHA-256 of every other file in the folder, by path relative to it (`plots/x.png`),
    /// sorted; `plansim check RUN_DIR` verifies them. The manifest cannot hold its own hash.
    pub files: BTreeMap<String, String>,
    pub timings: Timings,
}

/// What varies between runs of the same inputs.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timings {
    /// When the replications started, UTC, ISO 8601.
    pub started: String,
    /// Wall time of the whole experiment (all scenarios of the command together).
    pub wall_seconds: f64,
    pub threads: usize,
    /// Time inside this scenario's replications, added over replications.
    pub replication_seconds: f64,
    /// This scenario's events and patients per second of `replication_seconds`: the speed of
    /// one thread, comparable across machines' core counts.
    pub events_per_second: f64,
    pub patients_per_second: f64,
    /// The command line as typed, with the program written as `plansim` (not the path it was
    /// started from, which differs between machines).
    pub invocation: Vec<String>,
}

impl Timings {
    pub fn new(run: &ScenarioRun, experiment: &ExperimentResult, invocation: &[String]) -> Timings {
        Timings::from_parts(
            experiment.started,
            experiment.wall_seconds,
            experiment.threads,
            run.replication_seconds,
            (run.events(), run.patients()),
            invocation,
        )
    }

    /// Timings from their parts: `events_patients` are those of the replications that took
    /// `replication_seconds`.
    pub fn from_parts(
        started: SystemTime,
        wall_seconds: f64,
        threads: usize,
        replication_seconds: f64,
        (events, patients): (u64, u64),
        invocation: &[String],
    ) -> Timings {
        let per_second = |count: u64| {
            if replication_seconds > 0.0 {
                (count as f64 / replication_seconds).round()
            } else {
                0.0
            }
        };
        Timings {
            started: iso_utc(started),
            wall_seconds: round_us(wall_seconds),
            threads,
            replication_seconds: round_us(replication_seconds),
            events_per_second: per_second(events),
            patients_per_second: per_second(patients),
            invocation: invocation
                .iter()
                .enumerate()
                .map(|(i, arg)| {
                    if i == 0 {
                        "plansim".to_string()
                    } else {
                        arg.clone()
                    }
                })
                .collect(),
        }
    }
}

impl Manifest {
    /// A manifest for a complete run of `scenario`, with no files recorded yet (see
    /// [`Manifest::record_files`]).
    pub fn new(scenario: &Scenario, command_line: &[String], timings: Timings) -> Manifest {
        Manifest {
            plansim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: scenario.name.clone(),
            scenario_hash: scenario_hash(scenario),
            seed: scenario.simulation.seed,
            replications: scenario.simulation.replications,
            months: scenario.simulation.months,
            start: scenario.simulation.start.to_string(),
            scale: scenario.simulation.scale,
            command_line: command_line.to_vec(),
            complete: true,
            replications_requested: scenario.simulation.replications,
            files: BTreeMap::new(),
            timings,
        }
    }

    /// Records the checksum of each file (the manifest itself is skipped if present).
    pub fn record_files<'a>(&mut self, files: impl IntoIterator<Item = (&'a str, &'a [u8])>) {
        for (name, bytes) in files {
            if name != "manifest.json" {
                self.files.insert(name.to_string(), sha256_hex(bytes));
            }
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest always serialises");
        text.push('\n');
        text
    }
}

/// Hex SHA-256 of the resolved scenario TOML.
// The scenario loader will offer `Scenario::hash` with the same definition; switch to it then.
pub fn scenario_hash(scenario: &Scenario) -> String {
    sha256_hex(scenario.resolved_toml().as_bytes())
}

pub(super) fn round_us(seconds: f64) -> f64 {
    (seconds * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_timings_come_last() {
        let manifest = Manifest {
            plansim_version: "0.1.0".into(),
            scenario: "base".into(),
            scenario_hash: "ab".into(),
            seed: 7,
            replications: 2,
            months: 12,
            start: "2024-04-01".into(),
            scale: 0.5,
            command_line: vec!["plansim".into(), "run".into(), "base.toml".into()],
            complete: true,
            replications_requested: 2,
            files: BTreeMap::from([("monthly.csv".to_string(), "cd".to_string())]),
            timings: Timings {
                started: "2024-04-01T00:00:00Z".into(),
                wall_seconds: 1.5,
                threads: 2,
                replication_seconds: 2.5,
                events_per_second: 10.0,
                patients_per_second: 4.0,
                invocation: vec!["plansim".into()],
            },
        };
        let json = manifest.to_json();
        let keys: Vec<&str> = json
            .lines()
            .filter_map(|l| {
                l.trim_start()
                    .strip_prefix('"')?
                    .split_once("\":")
                    .map(|(k, _)| k)
            })
            .collect();
        assert_eq!(
            keys,
            [
                "plansim_version",
                "scenario",
                "scenario_hash",
                "seed",
                "replications",
                "months",
                "start",
                "scale",
                "command_line",
                "complete",
                "replications_requested",
                "files",
                "monthly.csv",
                "timings",
                "started",
                "wall_seconds",
                "threads",
                "replication_seconds",
                "events_per_second",
                "patients_per_second",
                "invocation"
            ]
        );
        assert!(json.ends_with("}\n"));
    }
}
