//! CSV exporters for monthly.csv, summary.csv and targets.csv, with the column names of the
//! interface contract in docs/design.md. They return text; they never write files. Every CSV
//! plansim writes goes through [`CsvText`], and every one it reads back through the same crate.

use crate::model::{Metric, ReplicationResult, METRICS};
use crate::targets::TargetOutcome;
use crate::util::date::Date;
use crate::util::fmt::{fmt_num, fmt_stat};
use crate::util::stats;

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
    let mut out = CsvText::new(MONTHLY_HEADER.split(','));
    for (r, rep) in replications.iter().enumerate() {
        for (m, end) in month_ends.iter().enumerate() {
            for (k, metric) in METRICS.iter().enumerate() {
                let fields: [&str; 6] = [
                    scenario,
                    &(r + 1).to_string(),
                    &(m + 1).to_string(),
                    &end.to_string(),
                    metric.name,
                    &fmt_num(rep.metrics[[m, k]]),
                ];
                out.row(fields);
            }
        }
    }
    out.finish()
}

/// One row per replication, month (0 is the starting list, dated the day before the first
/// simulated day) and whole weeks waited: the waiting-time distribution. The last `weeks` row
/// of each month counts that many weeks or more.
pub fn waits_csv(
    scenario: &str,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> String {
    let mut out = CsvText::new(WAITS_HEADER.split(','));
    let census_days: Vec<Date> = month_ends
        .first()
        .map(|end| end.first_of_month().add_days(-1))
        .into_iter()
        .chain(month_ends.iter().copied())
        .collect();
    for (r, rep) in replications.iter().enumerate() {
        for (m, row) in rep.wait_weeks.rows().into_iter().enumerate() {
            for (weeks, &pathways) in row.iter().enumerate() {
                let fields: [&str; 6] = [
                    scenario,
                    &(r + 1).to_string(),
                    &m.to_string(),
                    &census_days[m].to_string(),
                    &weeks.to_string(),
                    &fmt_num(pathways),
                ];
                out.row(fields);
            }
        }
    }
    out.finish()
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
    let mut out = CsvText::new(FINANCE_HEADER.split(','));
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
                Some(s) => [s.mean, s.p05, s.p95].map(fmt_stat),
                None => ["0", "0", "0"].map(String::from),
            };
            let mut fields = vec![
                scenario.to_string(),
                (m + 1).to_string(),
                end.to_string(),
                line.activity.to_string(),
                volume,
            ];
            fields.extend(triple(value));
            fields.extend(triple(cost));
            out.row(&fields);
        }
    }
    out.finish()
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
    let mut out = CsvText::new(COMPARISON_HEADER.split(','));
    for (name, runs) in others {
        for (m, end) in month_ends.iter().enumerate() {
            for &metric in metrics {
                let column = |reps: &[ReplicationResult]| -> Vec<f64> {
                    reps.iter().map(|r| r.value(m, metric)).collect()
                };
                let (b, v) = (column(base), column(runs));
                let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
                let d = stats::paired_difference(&b, &v);
                let fields: [&str; 10] = [
                    *name,
                    base_name,
                    &(m + 1).to_string(),
                    &end.to_string(),
                    metric.def().name,
                    &fmt_stat(mean(&b)),
                    &fmt_stat(mean(&v)),
                    &fmt_stat(d.mean),
                    &fmt_stat(d.low),
                    &fmt_stat(d.high),
                ];
                out.row(fields);
            }
        }
    }
    out.finish()
}

/// One row per month and metric: statistics across replications (see `util::stats`:
/// sample sd, type 7 quantiles), rounded to 12 significant digits.
pub fn summary_csv(
    scenario: &str,
    month_ends: &[Date],
    replications: &[ReplicationResult],
) -> String {
    let mut out = CsvText::new(SUMMARY_HEADER.split(','));
    let mut values = Vec::with_capacity(replications.len());
    for (m, end) in month_ends.iter().enumerate() {
        for (k, metric) in METRICS.iter().enumerate() {
            values.clear();
            values.extend(replications.iter().map(|rep| rep.metrics[[m, k]]));
            let s = stats::summarise(&values);
            let fields: [&str; 9] = [
                scenario,
                &(m + 1).to_string(),
                &end.to_string(),
                metric.name,
                &fmt_stat(s.mean),
                &fmt_stat(s.sd),
                &fmt_stat(s.p05),
                &fmt_stat(s.p50),
                &fmt_stat(s.p95),
            ];
            out.row(fields);
        }
    }
    out.finish()
}

/// One row per target, in catalogue order. Numbers are empty for targets not modelled or
/// beyond the horizon.
pub fn targets_csv(scenario: &str, outcomes: &[TargetOutcome]) -> String {
    let mut out = CsvText::new(TARGETS_HEADER.split(','));
    for o in outcomes {
        let t = &o.target;
        let numbers = match &o.stats {
            Some(s) => [s.mean, s.p05, s.p95, s.p_met].map(fmt_stat),
            None => Default::default(),
        };
        let mut fields = vec![
            scenario.to_string(),
            t.id.clone(),
            t.metric.clone(),
            t.comparison.symbol().to_string(),
            t.threshold.to_string(),
            o.deadline.clone(),
        ];
        fields.extend(numbers);
        fields.push(o.verdict.to_string());
        out.row(&fields);
    }
    out.finish()
}

/// CSV text built with the csv crate. A field is quoted only when it holds a comma, a quote or
/// a line break, quotes inside doubled (RFC 4180), and lines end in `\n`: the crate's defaults,
/// spelled out because the bytes of every result file depend on them.
pub struct CsvText(csv::Writer<Vec<u8>>);

impl CsvText {
    /// A file starting with the header row `columns`.
    pub fn new<I, F>(columns: I) -> CsvText
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[u8]>,
    {
        let writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Necessary)
            .terminator(csv::Terminator::Any(b'\n'))
            .double_quote(true)
            .from_writer(Vec::new());
        let mut text = CsvText(writer);
        text.row(columns);
        text
    }

    /// One row. Every row has as many fields as the header: another count is a bug here, and
    /// the csv crate refuses it.
    pub fn row<I, F>(&mut self, fields: I)
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[u8]>,
    {
        self.0
            .write_record(fields)
            .expect("every row has the header's width, and writing to memory cannot fail");
    }

    /// The text written.
    pub fn finish(self) -> String {
        let bytes = self.0.into_inner().expect("flushing to memory cannot fail");
        String::from_utf8(bytes).expect("only text was written")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let mut text = CsvText::new(["name", "note", "n"]);
        text.row(["baseline", "a,b", "1"]);
        text.row(["say \"hi\"", "two\nlines", ""]);
        assert_eq!(
            text.finish(),
            "name,note,n\nbaseline,\"a,b\",1\n\"say \"\"hi\"\"\",\"two\nlines\",\n"
        );
    }
}
