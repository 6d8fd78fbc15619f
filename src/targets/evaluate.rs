//! Evaluates a catalogue against one scenario's replications: per replication the metric at the
//! deadline (or the window mean) and whether it meets the target, then statistics and a
//! verdict across replications. Pure: no I/O.

use std::fmt;

use crate::model::{metric_by_name, ReplicationResult};
use crate::util::date::Date;
use crate::util::stats;

use super::catalogue::{Catalogue, Target, Threshold, Timing};

/// What the replications say about one target (the rule is in the module docs of `targets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    Uncertain,
    NotModelled,
    BeyondHorizon,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not_met",
            Verdict::Uncertain => "uncertain",
            Verdict::NotModelled => "not_modelled",
            Verdict::BeyondHorizon => "beyond_horizon",
        }
    }

    /// `met` when at least 90% of replications meet the target, `not_met` when at most 10%
    /// do, `uncertain` between. Integer arithmetic, so 9 of 10 is exactly 90%.
    pub fn from_count(met: usize, replications: usize) -> Verdict {
        if replications == 0 {
            Verdict::Uncertain
        } else if 10 * met >= 9 * replications {
            Verdict::Met
        } else if 10 * met <= replications {
            Verdict::NotMet
        } else {
            Verdict::Uncertain
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The numbers behind a verdict, across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetStats {
    /// Per replication, in replication order: the value evaluated (deadline month or window
    /// mean) and whether it met the target.
    pub values: Vec<f64>,
    pub met: Vec<bool>,
    pub mean: f64,
    pub p05: f64,
    pub p95: f64,
    /// Share of replications meeting the target.
    pub p_met: f64,
}

/// One target's result for one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetOutcome {
    pub target: Target,
    /// The deadline as evaluated: the date, `from/to` for a window, and for `end` the last
    /// simulated month's period_end (or "end" when there is no month).
    pub deadline: String,
    /// `None` when the target is not modelled or beyond the horizon.
    pub stats: Option<TargetStats>,
    pub verdict: Verdict,
}

/// Evaluates every target of `catalogue`, in catalogue order, on replications whose months end
/// on `month_ends` (row `i` of each replication's table is the month ending `month_ends[i]`).
pub fn evaluate(
    catalogue: &Catalogue,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> Vec<TargetOutcome> {
    catalogue
        .targets
        .iter()
        .map(|t| evaluate_target(t, month_ends, replications))
        .collect()
}

fn evaluate_target(
    target: &Target,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> TargetOutcome {
    let deadline = match (target.timing, month_ends.last()) {
        (Timing::End, Some(last)) => last.to_string(),
        (timing, _) => timing.to_string(),
    };
    let outcome = |stats, verdict| TargetOutcome {
        target: target.clone(),
        deadline: deadline.clone(),
        stats,
        verdict,
    };

    let Some(column) = metric_by_name(&target.metric) else {
        return outcome(None, Verdict::NotModelled);
    };
    let Some(rows) = months_evaluated(target.timing, month_ends) else {
        return outcome(None, Verdict::BeyondHorizon);
    };

    let mut values = Vec::with_capacity(replications.len());
    let mut met = Vec::with_capacity(replications.len());
    for rep in replications {
        let column = rep.metrics.column(column);
        let window: Vec<f64> = rows.clone().map(|row| column[row]).collect();
        let value = stats::mean(&window);
        let threshold = match target.threshold {
            Threshold::Value(v) => v,
            Threshold::Start => rep.initial_waiting_list,
        };
        values.push(value);
        met.push(target.comparison.holds(value, threshold));
    }
    let met_count = met.iter().filter(|&&m| m).count();
    let summary = stats::summarise(&values);
    let p_met = if replications.is_empty() {
        f64::NAN
    } else {
        met_count as f64 / replications.len() as f64
    };
    let verdict = Verdict::from_count(met_count, replications.len());
    let stats = TargetStats {
        values,
        met,
        mean: summary.mean,
        p05: summary.p05,
        p95: summary.p95,
        p_met,
    };
    outcome(Some(stats), verdict)
}

/// Row indices of the months a timing covers, or `None` when they are not all simulated.
fn months_evaluated(timing: Timing, month_ends: &[Date]) -> Option<std::ops::Range<usize>> {
    let first_day = month_ends.first()?.first_of_month();
    let last_day = *month_ends.last()?;
    match timing {
        Timing::Deadline(d) => {
            let i = month_ends.iter().position(|&end| end == d)?;
            Some(i..i + 1)
        }
        Timing::End => Some(month_ends.len() - 1..month_ends.len()),
        Timing::WindowMean { from, to } => {
            if from < first_day || to > last_day {
                return None;
            }
            let start = month_ends.iter().position(|&end| end >= from)?;
            let stop = month_ends
                .iter()
                .position(|&end| end > to)
                .unwrap_or(month_ends.len());
            (start < stop).then_some(start..stop)
        }
    }
}
