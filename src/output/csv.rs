//! CSV exporters for monthly.csv, summary.csv and targets.csv, with the column names of the
//! interface contract in DESIGN.md. They return text; they never write files.

use std::fmt::Write;

use crate::model::{Metric, ReplicationResult, METRICS};
use crate::targets::TargetOutcome;
use crate::util::date::Date;
use crate::util::stats;

use crate::util::fmt::{fmt_num, fmt_stat};

pub const MONTHLY_HEADER: &str = "scenario,replication,month,period_end,metric,value";
pub const WAITS_HEADER: &str = "scenario,replication,month,period_end,weeks,pathways";
pub const FINANCE_HEADER: &str = "scenario,month,period_end,activity,volume_mean,value_gbp_mean,value_gbp_p05,value_gbp_p95,cost_gbp_mean,cost_gbp_p05,cost_gbp_p95";
pub const COMPARISON_HEADER: &str = "scenario,compared_with,month,period_end,metric,compared_with_mean,scenario_mean,difference_mean,difference_ci95_low,difference_ci95_high";
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

/// The lines of `finance.csv`: an activity or capacity type, the metrics its volume adds
/// (minus those it subtracts), and its value and cost metrics.
struct FinanceLine {
    activity: &'static str,
    volume: &'static [Metric],
    volume_less: &'static [Metric],
    value: Option<Metric>,
    cost: Option<Metric>,
}

const FINANCE_LINES: &[FinanceLine] = &[
    FinanceLine {
        activity: "first_attendance",
        volume: &[Metric::OpFirstAttendances],
        volume_less: &[],
        value: Some(Metric::FinValueFirstAttendanceGbp),
        cost: None,
    },
    FinanceLine {
        activity: "followup_attendance",
        volume: &[Metric::OpFollowupAttendances],
        volume_less: &[Metric::OpFollowupProcedures],
        value: Some(Metric::FinValueFollowupAttendanceGbp),
        cost: None,
    },
    FinanceLine {
        activity: "outpatient_procedure",
        volume: &[Metric::OpFollowupProcedures],
        volume_less: &[],
        value: Some(Metric::FinValueOutpatientProcedureGbp),
        cost: None,
    },
    FinanceLine {
        activity: "daycase",
        volume: &[Metric::AdmittedDaycaseSpells],
        volume_less: &[],
        value: Some(Metric::FinValueDaycaseGbp),
        cost: None,
    },
    FinanceLine {
        activity: "elective_inpatient",
        volume: &[Metric::AdmittedInpatientSpells, Metric::CancerSurgery],
        volume_less: &[],
        value: Some(Metric::FinValueElectiveInpatientGbp),
        cost: Some(Metric::FinCostInpatientStaysGbp),
    },
    FinanceLine {
        activity: "diagnostic_test",
        volume: &[Metric::Dm01Tests],
        volume_less: &[],
        value: Some(Metric::FinValueDiagnosticTestGbp),
        cost: None,
    },
    FinanceLine {
        activity: "clinic_slots",
        volume: &[Metric::OpClinicSlots],
        volume_less: &[],
        value: None,
        cost: Some(Metric::FinCostClinicGbp),
    },
    FinanceLine {
        activity: "theatre_lists",
        volume: &[Metric::TheatreSessions],
        volume_less: &[],
        value: None,
        cost: Some(Metric::FinCostTheatreGbp),
    },
    FinanceLine {
        activity: "diagnostic_capacity",
        volume: &[Metric::Dm01TestCapacity],
        volume_less: &[],
        value: None,
        cost: Some(Metric::FinCostDiagnosticGbp),
    },
    FinanceLine {
        activity: "total",
        volume: &[],
        volume_less: &[],
        value: Some(Metric::ActivityValueGbp),
        cost: Some(Metric::CostGbp),
    },
];

/// One row per month and line of activity or capacity: volume, value and cost across
/// replications (mean, 5th and 95th percentiles). Values and costs of the lines add up to the
/// `total` line, which matches `activity_value_gbp` and `cost_gbp`.
pub fn finance_csv(
    scenario: &str,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> String {
    let name = field(scenario);
    let mut out = String::new();
    out.push_str(FINANCE_HEADER);
    out.push('\n');
    let per_replication = |f: &dyn Fn(&ReplicationResult) -> f64| -> Vec<f64> {
        replications.iter().map(f).collect()
    };
    for (m, end) in month_ends.iter().enumerate() {
        for line in FINANCE_LINES {
            let volume = per_replication(&|rep| {
                line.volume.iter().map(|&k| rep.value(m, k)).sum::<f64>()
                    - line
                        .volume_less
                        .iter()
                        .map(|&k| rep.value(m, k))
                        .sum::<f64>()
            });
            let stats_of = |metric: Option<Metric>| {
                metric.map(|k| stats::summarise(&per_replication(&|rep| rep.value(m, k))))
            };
            let (value, cost) = (stats_of(line.value), stats_of(line.cost));
            let volume = if line.volume.is_empty() {
                String::new()
            } else {
                fmt_stat(stats::summarise(&volume).mean)
            };
            let triple = |s: Option<stats::Summary>| match s {
                Some(s) => format!(
                    "{},{},{}",
                    fmt_stat(s.mean),
                    fmt_stat(s.p05),
                    fmt_stat(s.p95)
                ),
                None => "0,0,0".to_string(),
            };
            writeln!(
                out,
                "{name},{},{end},{},{volume},{},{}",
                m + 1,
                line.activity,
                triple(value),
                triple(cost)
            )
            .expect("writing to a String cannot fail");
        }
    }
    out
}

/// What each scenario changes against the first: per scenario after the first, month and
/// metric, the paired difference across replications with its 95% interval. Replications are
/// paired by number, so the scenarios must have the same replications and months.
pub fn comparison_csv(
    base_name: &str,
    base: &[ReplicationResult],
    others: &[(&str, &[ReplicationResult])],
    month_ends: &[Date],
    metrics: &[Metric],
) -> String {
    let mut out = String::new();
    out.push_str(COMPARISON_HEADER);
    out.push('\n');
    for (name, runs) in others {
        for (m, end) in month_ends.iter().enumerate() {
            for &metric in metrics {
                let column = |reps: &[ReplicationResult]| -> Vec<f64> {
                    reps.iter().map(|r| r.value(m, metric)).collect()
                };
                let (b, v) = (column(base), column(runs));
                let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
                let d = stats::paired_difference(&b, &v);
                writeln!(
                    out,
                    "{},{},{},{end},{},{},{},{},{},{}",
                    field(name),
                    field(base_name),
                    m + 1,
                    metric.def().name,
                    fmt_stat(mean(&b)),
                    fmt_stat(mean(&v)),
                    fmt_stat(d.mean),
                    fmt_stat(d.low),
                    fmt_stat(d.high)
                )
                .expect("writing to a String cannot fail");
            }
        }
    }
    out
}

/// One row per month and metric: statistics across replications (see `util::stats`:
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
pub(crate) fn field(text: &str) -> String {
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
