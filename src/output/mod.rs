//! Result files. Exporters (`csv`, `manifest`) turn results into bytes and never touch the file
//! system; the `writer` alone owns files: it refuses to overwrite a result folder without
//! `--force`, and writes every file atomically.
//!
//! Numbers are printed with Rust's shortest round-trip form (`{}` of `f64`), never as `-0`;
//! statistics across replications are first rounded to 12 significant digits so that sums such
//! as `0.1 + 0.2` do not print as `0.30000000000000004`. The same results always give the same
//! bytes.

mod csv;
mod manifest;
mod network;
mod writer;

pub use csv::{
    comparison_csv, finance_csv, monthly_csv, summary_csv, targets_csv, waits_csv,
    COMPARISON_HEADER, FINANCE_HEADER, MONTHLY_HEADER, SUMMARY_HEADER, TARGETS_HEADER,
    WAITS_HEADER,
};
pub use manifest::{scenario_hash, Manifest, Timings};
pub use network::{network_result_files, stations_csv, STATIONS_HEADER};
pub use writer::{check_destination, write_atomic, write_result_folder, OutputError};

use crate::experiment::{ExperimentResult, ScenarioRun};
use crate::scenario::Scenario;
use crate::targets::TargetOutcome;

/// Formats a number deterministically: shortest round-trip, `0` for `-0`, `NaN`/`inf`/`-inf`
/// for the non-finite.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        // Also catches -0.0, which compares equal to 0.
        "0".to_string()
    } else {
        format!("{x}")
    }
}

/// Rounds to 12 significant digits (through decimal text, so the result is exact and the same
/// on every platform). Non-finite values pass through.
pub fn round_sig(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.11e}")
        .parse()
        .expect("Rust formats a float it can parse")
}

/// A statistic as printed in summary.csv and targets.csv.
pub(crate) fn fmt_stat(x: f64) -> String {
    fmt_num(round_sig(x))
}

/// The files of one scenario's result folder, in the order they are written. `command_line`
/// is the command that reproduces the results (see [`Manifest::command_line`]), `invocation`
/// the command as typed.
pub fn result_files(
    scenario: &Scenario,
    run: &ScenarioRun,
    outcomes: &[TargetOutcome],
    experiment: &ExperimentResult,
    command_line: &[String],
    invocation: &[String],
) -> Vec<(&'static str, Vec<u8>)> {
    let month_ends = scenario.month_ends();
    let timings = Timings::new(run, experiment, invocation);
    let manifest = Manifest::new(scenario, command_line, timings);
    vec![
        ("manifest.json", manifest.to_json().into_bytes()),
        ("scenario.toml", scenario.resolved_toml().into_bytes()),
        (
            "monthly.csv",
            monthly_csv(&scenario.name, &month_ends, &run.replications).into_bytes(),
        ),
        (
            "summary.csv",
            summary_csv(&scenario.name, &month_ends, &run.replications).into_bytes(),
        ),
        (
            "targets.csv",
            targets_csv(&scenario.name, outcomes).into_bytes(),
        ),
        (
            "finance.csv",
            finance_csv(&scenario.name, &month_ends, &run.replications).into_bytes(),
        ),
        (
            "waits.csv",
            waits_csv(&scenario.name, &month_ends, &run.replications).into_bytes(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_deterministically() {
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(7538830.0), "7538830");
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_num(f64::NAN), "NaN");
        assert_eq!(fmt_stat(0.1 + 0.2), "0.3");
        assert_eq!(fmt_stat(-1e-300 * 1e-300), "0");
        assert_eq!(fmt_stat(2.0 / 3.0), "0.666666666667");
        assert_eq!(fmt_stat(123456789012345.0), "123456789012000");
    }
}
