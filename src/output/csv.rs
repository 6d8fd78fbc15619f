//! CSV exporters for monthly.csv, summary.csv and targets.csv, with the column names of the
//! interface contract in DESIGN.md. They return text; they never write files.

use std::fmt::Write;

use crate::date::Date;
use crate::experiment::stats;
use crate::model::{ReplicationResult, METRICS};
use crate::targets::TargetOutcome;

use super::{fmt_num, fmt_stat};

pub const MONTHLY_HEADER: &str = "scenario,replication,month,period_end,metric,value";
pub const WAITS_HEADER: &str = "scenario,replication,month,period_end,weeks,pathways";
pub const SUMMARY_HEADER: &str = "scenario,month,period_end,metric,mean,sd,p05,p50,p95";
pub const TARGETS_HEADER: &str =
    "scenario,target,metric,comparison,threshold,deadline,mean,p05,p95,p_met,verdict";

/// One row per replication, month and metric, nested in that order; replications numbered
/// from 1 in the order given, months from 1. Values are printed unrounded.
pub fn monthly_csv(
    scenario: &str,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> String {
    let name = field(scenario);
    let mut out = String::new();
    out.push_str(MONTHLY_HEADER);
    out.push('\n');
    for (r, rep) in replications.iter().enumerate() {
        for (m, end) in month_ends.iter().enumerate() {
            for (k, metric) in METRICS.iter().enumerate() {
                let value = fmt_num(rep.metrics[[m, k]]);
                writeln!(
                    out,
                    "{name},{},{},{end},{},{value}",
                    r + 1,
                    m + 1,
                    metric.name
                )
                .expect("writing to a String cannot fail");
            }
        }
    }
    out
}

/// One row per replication, month (0 is the starting list, dated the day before the first
/// simulated day) and whole weeks waited: the waiting-time distribution. The last `weeks` row
/// of each month counts that many weeks or more.
pub fn waits_csv(
    scenario: &str,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> String {
    let name = field(scenario);
    let mut out = String::new();
    out.push_str(WAITS_HEADER);
    out.push('\n');
    let census_days: Vec<Date> = month_ends
        .first()
        .map(|end| end.first_of_month().add_days(-1))
        .into_iter()
        .chain(month_ends.iter().copied())
        .collect();
    for (r, rep) in replications.iter().enumerate() {
        for (m, row) in rep.wait_weeks.rows().into_iter().enumerate() {
            for (weeks, &pathways) in row.iter().enumerate() {
                writeln!(
                    out,
                    "{name},{},{m},{},{weeks},{}",
                    r + 1,
                    census_days[m],
                    fmt_num(pathways)
                )
                .expect("writing to a String cannot fail");
            }
        }
    }
    out
}

/// One row per month and metric: statistics across replications (see `experiment::stats`:
/// sample sd, type 7 quantiles), rounded to 12 significant digits.
pub fn summary_csv(
    scenario: &str,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> String {
    let name = field(scenario);
    let mut out = String::new();
    out.push_str(SUMMARY_HEADER);
    out.push('\n');
    let mut values = Vec::with_capacity(replications.len());
    for (m, end) in month_ends.iter().enumerate() {
        for (k, metric) in METRICS.iter().enumerate() {
            values.clear();
            values.extend(replications.iter().map(|rep| rep.metrics[[m, k]]));
            let s = stats::summarise(&values);
            writeln!(
                out,
                "{name},{},{end},{},{},{},{},{},{}",
                m + 1,
                metric.name,
                fmt_stat(s.mean),
                fmt_stat(s.sd),
                fmt_stat(s.p05),
                fmt_stat(s.p50),
                fmt_stat(s.p95)
            )
            .expect("writing to a String cannot fail");
        }
    }
    out
}

/// One row per target, in catalogue order. Numbers are empty for targets not modelled or
/// beyond the horizon.
pub fn targets_csv(scenario: &str, outcomes: &[TargetOutcome]) -> String {
    let name = field(scenario);
    let mut out = String::new();
    out.push_str(TARGETS_HEADER);
    out.push('\n');
    for o in outcomes {
        let t = &o.target;
        let numbers = match &o.stats {
            Some(s) => [s.mean, s.p05, s.p95, s.p_met].map(fmt_stat).join(","),
            None => ",,,".to_string(),
        };
        writeln!(
            out,
            "{name},{},{},{},{},{},{numbers},{}",
            field(&t.id),
            field(&t.metric),
            t.comparison.symbol(),
            t.threshold,
            field(&o.deadline),
            o.verdict
        )
        .expect("writing to a String cannot fail");
    }
    out
}

/// Quotes a field when it holds a comma, quote or line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("baseline"), "baseline");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
