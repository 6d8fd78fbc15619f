//! Reads a saved result folder (or the bytes `plansim run` is about to write) into the tables
//! the charts and the report draw from. Plots read results, never the model: whatever metrics
//! and targets the CSVs hold are what gets drawn, so new metrics need no change here.
//!
//! Parsing is strict about the header (a file from another program should fail loudly) and
//! names the file and line of anything it cannot read. CSV is read with the csv crate, the one
//! `output` writes it with, so a quoted field (a name holding a comma) comes back whole.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::util::date::Date;
use crate::util::stats::quantile_sorted;

/// Why a result folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("{}: not a result folder (expected manifest.json, summary.csv, monthly.csv and targets.csv from `plansim run`)", .0.display())]
    NotAFolder(PathBuf),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{file}:{line}: {message}")]
    Parse {
        file: String,
        line: usize,
        message: String,
    },
}

fn parse_err(file: &str, line: usize, message: impl Into<String>) -> ResultsError {
    ResultsError::Parse {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

/// One month of one metric across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthStats {
    pub month: u32,
    pub period_end: Date,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// One row of `targets.csv`, numbers left `None` where the file leaves them empty.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRow {
    pub target: String,
    pub metric: String,
    pub comparison: String,
    pub threshold: String,
    pub deadline: String,
    pub mean: Option<f64>,
    pub p05: Option<f64>,
    pub p95: Option<f64>,
    pub p_met: Option<f64>,
    pub verdict: String,
}

impl TargetRow {
    /// The month end the target is judged at (the end of the window for a window target).
    pub fn deadline_date(&self) -> Option<Date> {
        let end = self.deadline.rsplit('/').next()?;
        Date::parse(end)
    }

    /// The first day of a window target's window.
    pub fn window_start(&self) -> Option<Date> {
        let (from, _) = self.deadline.split_once('/')?;
        Date::parse(from)
    }

    /// The threshold as a number: `start` stands for the metric's published starting value.
    pub fn threshold_value(&self, start: Option<f64>) -> Option<f64> {
        if self.threshold == "start" {
            start
        } else {
            self.threshold.parse().ok()
        }
    }
}

/// Pathways by whole weeks waited at one month end, median across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitProfile {
    pub month: u32,
    pub period_end: Date,
    /// (weeks waited, pathways), ascending weeks.
    pub pathways: Vec<(u32, f64)>,
}

/// Everything drawn for one scenario.
#[derive(Clone, Debug)]
pub struct RunResults {
    pub scenario: String,
    pub description: String,
    /// Metric name -> months in order.
    pub series: BTreeMap<String, Vec<MonthStats>>,
    pub targets: Vec<TargetRow>,
    /// Published values on the day before the first month, by metric, from `[initial_list]`.
    pub start_values: BTreeMap<String, f64>,
    /// The last day before the first simulated month.
    pub start_date: Option<Date>,
    pub replications: usize,
    pub scenario_toml: String,
    pub manifest_json: String,
    /// From `waits.csv` when the run wrote one.
    pub waits: Vec<WaitProfile>,
}

/// The files a result folder holds, by name, as bytes.
pub type ResultFiles<'a> = BTreeMap<&'a str, &'a [u8]>;

const REQUIRED: [&str; 5] = [
    "manifest.json",
    "scenario.toml",
    "monthly.csv",
    "summary.csv",
    "targets.csv",
];

impl RunResults {
    /// Reads the result folder `dir`.
    pub fn load(dir: &Path) -> Result<RunResults, ResultsError> {
        if !dir.is_dir() || !dir.join("summary.csv").is_file() {
            return Err(ResultsError::NotAFolder(dir.to_path_buf()));
        }
        let mut contents = BTreeMap::new();
        for name in REQUIRED.iter().chain(["waits.csv"].iter()) {
            let path = dir.join(name);
            match crate::output::read_written_file(&path) {
                Ok(bytes) => {
                    contents.insert(*name, bytes);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound && *name == "waits.csv" => {}
                Err(source) => return Err(ResultsError::Io { path, source }),
            }
        }
        let files: ResultFiles = contents.iter().map(|(k, v)| (*k, v.as_slice())).collect();
        RunResults::from_files(&files)
    }

    /// Reads results from the files' bytes (as `plansim run` holds them before writing).
    pub fn from_files(files: &ResultFiles) -> Result<RunResults, ResultsError> {
        let text = |name: &str| -> Result<&str, ResultsError> {
            let bytes = files
                .get(name)
                .ok_or_else(|| parse_err(name, 0, "missing"))?;
            std::str::from_utf8(bytes).map_err(|_| parse_err(name, 0, "not UTF-8 text"))
        };
        let scenario_toml = text("scenario.toml")?.to_string();
        let manifest_json = text("manifest.json")?.to_string();
        if serde_json::from_str::<serde_json::Value>(&manifest_json).is_err() {
            return Err(parse_err("manifest.json", 0, "not valid JSON"));
        }
        let (scenario, series, replications) = read_monthly(text("monthly.csv")?, "monthly.csv")?;
        // summary.csv is not needed for the numbers (monthly.csv has every replication, and
        // the 50% band needs quartiles summary.csv does not hold) but must be a summary.
        csv_reader(
            text("summary.csv")?,
            "summary.csv",
            "scenario,month,period_end,metric,mean,sd,p05,p50,p95",
        )?;
        let targets = read_targets(text("targets.csv")?)?;
        let (description, start_values) = read_scenario(&scenario_toml)?;
        let start_date = series
            .values()
            .next()
            .and_then(|m| m.first())
            .map(|m| m.period_end.first_of_month().add_days(-1));
        let waits = match files.get("waits.csv") {
            Some(bytes) => {
                let t = std::str::from_utf8(bytes)
                    .map_err(|_| parse_err("waits.csv", 0, "not UTF-8 text"))?;
                read_waits(t)?
            }
            None => Vec::new(),
        };
        Ok(RunResults {
            scenario,
            description,
            series,
            targets,
            start_values,
            start_date,
            replications,
            scenario_toml,
            manifest_json,
            waits,
        })
    }

    /// The target rows whose metric has a trajectory, in catalogue order.
    pub fn drawable_targets(&self) -> impl Iterator<Item = &TargetRow> {
        self.targets
            .iter()
            .filter(|t| self.series.contains_key(&t.metric))
    }
}

/// A reader of the CSV `text` whose header has been checked to be `header`.
fn csv_reader<'t>(
    text: &'t str,
    file: &str,
    header: &str,
) -> Result<csv::Reader<&'t [u8]>, ResultsError> {
    // Flexible, so a row of the wrong width is reported by `rows` with its line.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let found = reader.headers().map_err(|e| csv_error(file, &e))?;
    if found.is_empty() {
        return Err(parse_err(file, 1, "empty file"));
    }
    if !found.iter().eq(header.split(',')) {
        let found = found.iter().collect::<Vec<_>>().join(",");
        return Err(parse_err(
            file,
            1,
            format!("header is {found:?}, expected {header:?}"),
        ));
    }
    Ok(reader)
}

fn csv_error(file: &str, error: &csv::Error) -> ResultsError {
    let line = error.position().map_or(0, |p| p.line() as usize);
    parse_err(file, line, error.to_string())
}

fn number(text: &str, file: &str, line: usize, what: &str) -> Result<f64, ResultsError> {
    text.parse::<f64>()
        .map_err(|_| parse_err(file, line, format!("{what} = {text:?}: expected a number")))
}

fn whole_number(text: &str, file: &str, line: usize, what: &str) -> Result<u32, ResultsError> {
    text.parse().map_err(|_| {
        parse_err(
            file,
            line,
            format!("{what} = {text:?}: expected a whole number"),
        )
    })
}

fn date(text: &str, file: &str, line: usize) -> Result<Date, ResultsError> {
    Date::parse(text).ok_or_else(|| {
        parse_err(
            file,
            line,
            format!("period_end = {text:?}: expected a date YYYY-MM-DD"),
        )
    })
}

/// The rows below the header, blank lines skipped, each as its line number and its fields; a
/// row without exactly `width` fields is an error.
fn rows<'t>(
    reader: csv::Reader<&'t [u8]>,
    file: &'t str,
    width: usize,
) -> impl Iterator<Item = Result<(usize, csv::StringRecord), ResultsError>> + 't {
    reader.into_records().map(move |record| {
        let record = record.map_err(|e| csv_error(file, &e))?;
        let n = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != width {
            return Err(parse_err(
                file,
                n,
                format!("expected {width} fields, found {}", record.len()),
            ));
        }
        Ok((n, record))
    })
}

type Series = BTreeMap<String, Vec<MonthStats>>;

/// monthly.csv -> scenario name, per-metric quantiles by month, replication count.
fn read_monthly(text: &str, file: &str) -> Result<(String, Series, usize), ResultsError> {
    let reader = csv_reader(
        text,
        file,
        "scenario,replication,month,period_end,metric,value",
    )?;
    let mut scenario = None;
    let mut values: BTreeMap<(String, u32), (Date, Vec<f64>)> = BTreeMap::new();
    let mut reps = std::collections::BTreeSet::new();
    for row in rows(reader, file, 6) {
        let (n, record) = row?;
        let f: Vec<&str> = record.iter().collect();
        scenario.get_or_insert_with(|| f[0].to_string());
        reps.insert(f[1].to_string());
        let month = whole_number(f[2], file, n, "month")?;
        let end = date(f[3], file, n)?;
        let value = number(f[5], file, n, "value")?;
        values
            .entry((f[4].to_string(), month))
            .or_insert_with(|| (end, Vec::new()))
            .1
            .push(value);
    }
    let scenario = scenario.ok_or_else(|| parse_err(file, 2, "no rows"))?;
    let mut series: Series = BTreeMap::new();
    for ((metric, month), (period_end, mut v)) in values {
        // NaN (a percentage of no activity) has no place on a chart: drop it from the bands.
        v.retain(|x| x.is_finite());
        if v.is_empty() {
            continue;
        }
        v.sort_by(f64::total_cmp);
        let q = |p| quantile_sorted(&v, p);
        series.entry(metric).or_default().push(MonthStats {
            month,
            period_end,
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
        });
    }
    Ok((scenario, series, reps.len()))
}

fn read_targets(text: &str) -> Result<Vec<TargetRow>, ResultsError> {
    let file = "targets.csv";
    let reader = csv_reader(
        text,
        file,
        "scenario,target,metric,comparison,threshold,deadline,mean,p05,p95,p_met,verdict",
    )?;
    let opt = |s: &str, n: usize, what: &str| -> Result<Option<f64>, ResultsError> {
        if s.is_empty() {
            Ok(None)
        } else {
            number(s, file, n, what).map(Some)
        }
    };
    let mut targets = Vec::new();
    for row in rows(reader, file, 11) {
        let (n, record) = row?;
        let f: Vec<&str> = record.iter().collect();
        targets.push(TargetRow {
            target: f[1].to_string(),
            metric: f[2].to_string(),
            comparison: f[3].to_string(),
            threshold: f[4].to_string(),
            deadline: f[5].to_string(),
            mean: opt(f[6], n, "mean")?,
            p05: opt(f[7], n, "p05")?,
            p95: opt(f[8], n, "p95")?,
            p_met: opt(f[9], n, "p_met")?,
            verdict: f[10].to_string(),
        });
    }
    Ok(targets)
}

/// The description and the published starting values from the resolved scenario.
fn read_scenario(text: &str) -> Result<(String, BTreeMap<String, f64>), ResultsError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| parse_err("scenario.toml", 0, e.message().to_string()))?;
    let description = table
        .get("description")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let mut start = BTreeMap::new();
    let list = table.get("initial_list").and_then(|v| v.as_table());
    let get = |key: &str| -> Option<f64> {
        let v = list?.get(key)?;
        v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
    };
    if let Some(total) = get("total") {
        start.insert("rtt_waiting_list".to_string(), total);
        if let Some(over18) = get("over_18_weeks") {
            if total > 0.0 {
                start.insert(
                    "rtt_within_18w_pct".to_string(),
                    100.0 * (total - over18) / total,
                );
            }
        }
    }
    for weeks in [18, 52, 65, 78, 104] {
        if let Some(v) = get(&format!("over_{weeks}_weeks")) {
            start.insert(format!("rtt_over_{weeks}w"), v);
        }
    }
    Ok((description, start))
}

/// waits.csv -> median pathways by week band for each month, across replications.
fn read_waits(text: &str) -> Result<Vec<WaitProfile>, ResultsError> {
    let file = "waits.csv";
    let reader = csv_reader(
        text,
        file,
        "scenario,replication,month,period_end,weeks,pathways",
    )?;
    // (month) -> (period_end, weeks -> replication -> pathways)
    type Bands = BTreeMap<u32, BTreeMap<String, f64>>;
    let mut by_month: BTreeMap<u32, (Date, Bands)> = BTreeMap::new();
    let mut reps = std::collections::BTreeSet::new();
    for row in rows(reader, file, 6) {
        let (n, record) = row?;
        let f: Vec<&str> = record.iter().collect();
        let month = whole_number(f[2], file, n, "month")?;
        let weeks = whole_number(f[4], file, n, "weeks")?;
        let end = date(f[3], file, n)?;
        let pathways = number(f[5], file, n, "pathways")?;
        reps.insert(f[1].to_string());
        by_month
            .entry(month)
            .or_insert_with(|| (end, BTreeMap::new()))
            .1
            .entry(weeks)
            .or_default()
            .insert(f[1].to_string(), pathways);
    }
    let reps = reps.len();
    Ok(by_month
        .into_iter()
        .map(|(month, (period_end, weeks))| {
            let pathways = weeks
                .into_iter()
                .map(|(w, per_rep)| {
                    // A replication with no row for a band had nobody in it.
                    let mut v: Vec<f64> = per_rep.into_values().collect();
                    v.resize(reps, 0.0);
                    v.sort_by(f64::total_cmp);
                    (w, quantile_sorted(&v, 0.5))
                })
                .collect();
            WaitProfile {
                month,
                period_end,
                pathways,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_values_come_from_the_initial_list() {
        let (d, s) = read_scenario(
            "description = \"x\"\n[initial_list]\ntotal = 1000\nover_18_weeks = 400\nover_52_weeks = 30\n",
        )
        .unwrap();
        assert_eq!(d, "x");
        assert_eq!(s["rtt_waiting_list"], 1000.0);
        assert_eq!(s["rtt_within_18w_pct"], 60.0);
        assert_eq!(s["rtt_over_52w"], 30.0);
        assert!(!s.contains_key("rtt_over_65w"));
    }

    #[test]
    fn bad_rows_name_the_file_and_line() {
        let text = "scenario,replication,month,period_end,metric,value\na,0,1,2024-04-30,m,1\na,0,x,2024-04-30,m,1\n";
        let err = read_monthly(text, "monthly.csv").unwrap_err().to_string();
        assert_eq!(err, "monthly.csv:3: month = \"x\": expected a whole number");
        let err = read_monthly("a,b\n", "monthly.csv")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("monthly.csv:1: header is"), "{err}");
    }

    #[test]
    fn a_name_with_a_comma_and_quotes_comes_back_whole() {
        use crate::model::{ReplicationResult, METRICS};
        use ndarray::Array2;
        let name = "ward 7, \"east\"";
        let rep = ReplicationResult {
            replication: 1,
            metrics: Array2::from_elem((1, METRICS.len()), 2.5),
            initial_waiting_list: 0.0,
            wait_weeks: Array2::zeros((2, 1)),
            events: 0,
            patients: 0,
        };
        let end = Date::parse("2024-04-30").unwrap();
        let text = crate::output::monthly_csv(name, &[end], &[rep]);
        // Quoted as RFC 4180 has it, so a plain split on commas would have broken the row.
        let row = text.lines().nth(1).unwrap();
        assert!(
            row.starts_with("\"ward 7, \"\"east\"\"\",1,1,2024-04-30,"),
            "{row}"
        );
        let (scenario, series, replications) = read_monthly(&text, "monthly.csv").unwrap();
        assert_eq!(scenario, name);
        assert_eq!(replications, 1);
        assert_eq!(series.len(), METRICS.len());
        assert_eq!(series["rtt_waiting_list"][0].p50, 2.5);
        let targets = "scenario,target,metric,comparison,threshold,deadline,mean,p05,p95,p_met,verdict\n\
                       a,\"rtt, \"\"18w\"\"\",rtt_within_18w_pct,>=,92,2025-03-31,90,88,91,0.1,not met\n";
        assert_eq!(read_targets(targets).unwrap()[0].target, "rtt, \"18w\"");
    }

    #[test]
    fn waits_take_the_median_and_fill_missing_bands_with_zero() {
        let text = "scenario,replication,month,period_end,weeks,pathways\n\
                    a,0,0,2024-03-31,0,10\na,1,0,2024-03-31,0,20\na,2,0,2024-03-31,0,30\n\
                    a,0,0,2024-03-31,5,9\n";
        let w = read_waits(text).unwrap();
        assert_eq!(w[0].pathways, vec![(0, 20.0), (5, 0.0)]);
    }
}
