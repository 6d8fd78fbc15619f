//! Planning targets as data: the catalogue file (`scenarios/targets/nhs-2024-25.toml` is built
//! in) and its evaluation against a scenario's replications.
//!
//! A target names a metric, a comparison with a threshold, and when it is judged: a month-end
//! deadline, a window of months summarised by the mean of the monthly values (for a percentage,
//! the mean of monthly percentages), or `end`, the last simulated month (the constitutional
//! standards hold in any month, so a run is judged where it finishes).
//!
//! # Verdicts
//! For each replication the value at the deadline (or window mean) is compared with the
//! threshold (`start` means that replication's starting waiting list). `p_met` is the share of
//! replications meeting the target. Then:
//! - `met` when `p_met >= 0.9`;
//! - `not_met` when `p_met <= 0.1`;
//! - `uncertain` otherwise (more replications narrow it, or the scenario sits on the line);
//! - `not_modelled` when the model does not report the target's metric (the target is still
//!   listed, with empty numbers: a missing target must never look like a met one);
//! - `beyond_horizon` when the deadline month, or any month of the window, is not simulated
//!   (empty numbers).
//!
//! A NaN value (a percentage of no activity) never meets a target.
//!
//! In `targets.csv` the `deadline` column holds the month end evaluated, `FROM/TO` (ISO 8601
//! interval) for a window, and for `end` the period_end of the last simulated month.

mod catalogue;
mod evaluate;

pub use catalogue::{
    Catalogue, CatalogueError, Comparison, Target, Threshold, Timing, BUILTIN_CATALOGUE,
};
pub use evaluate::{evaluate, TargetOutcome, TargetStats, Verdict};
