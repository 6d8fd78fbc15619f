//! A finished batch's results, built from the job files alone, one point at a time (so memory
//! holds one point's replications, whatever the batch's size):
//! - `<point>/`: the contract's result folder for each point;
//! - `comparison.csv`: point × target, with the mean and its 95% interval and `p_met`;
//! - `points.csv`: each point's sweep, swept values and targets met;
//! - `summary.txt`: the points ranked by targets met;
//! - `plots/<sweep>/`: for each sweep over one or two numeric keys, `p_met` across the sweep.
//!
//! The same job files give the same bytes, however the jobs were run (straight through,
//! resumed, or on shards then merged); only the timings in each manifest differ.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::time::SystemTime;

use super::store::{BatchFolder, BatchRecord, PointRecord};
use crate::output::{write_atomic, write_result_folder, CsvText, ResultFolder, Timings};
use crate::plot::{add_plots, plot_files, sweep_charts, Sweep, SweepPoint};
use crate::targets::{evaluate, Catalogue, TargetOutcome, Verdict};
use crate::util::fmt::fmt_stat;
use crate::util::hash::sha256_hex;
use crate::util::stats::mean_interval;

pub const COMPARISON_HEADER: &str =
    "point,sweep,target,metric,comparison,threshold,deadline,replications,mean,ci_low,ci_high,p05,p95,p_met,verdict";

/// Seconds and counts of one point's jobs run by this command (none when its jobs were run
/// earlier, or on shards), for the manifest's timings.
#[derive(Clone, Copy, Debug, Default)]
pub struct PointTimes {
    pub seconds: f64,
    pub events: u64,
    pub patients: u64,
}

/// How to assemble, and what the manifests' timings say.
#[derive(Clone, Debug)]
pub struct AssembleOptions {
    pub plots: bool,
    pub started: SystemTime,
    pub wall_seconds: f64,
    pub threads: usize,
    /// The command as typed.
    pub invocation: Vec<String>,
    /// By point, in order; missing points count as zero.
    pub times: Vec<PointTimes>,
}

/// One point's target outcomes, kept for the batch-level files.
struct PointOutcome {
    record: PointRecord,
    outcomes: Vec<TargetOutcome>,
}

impl PointOutcome {
    fn count(&self, verdict: Verdict) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.verdict == verdict)
            .count()
    }

    fn evaluated(&self) -> usize {
        self.outcomes.iter().filter(|o| o.stats.is_some()).count()
    }

    fn mean_p_met(&self) -> f64 {
        let p: Vec<f64> = self
            .outcomes
            .iter()
            .filter_map(|o| o.stats.as_ref().map(|s| s.p_met))
            .collect();
        if p.is_empty() {
            f64::NAN
        } else {
            p.iter().sum::<f64>() / p.len() as f64
        }
    }
}

/// Writes every result of the batch in `folder` from its job files, then marks `batch.json`
/// complete with the checksums of the batch-level files. Every job must be there.
/// `point_written` is told each point as its result folder is written (for progress).
pub fn assemble(
    folder: &BatchFolder,
    record: &BatchRecord,
    catalogue: &Catalogue,
    options: &AssembleOptions,
    point_written: &mut dyn FnMut(&str),
) -> Result<(), String> {
    let command_line = vec![
        "plansim".to_string(),
        "batch".to_string(),
        record.batch_file.clone(),
    ];
    let mut points = Vec::with_capacity(record.points.len());
    for (i, point) in record.points.iter().enumerate() {
        let scenario = folder.read_scenario(point)?;
        let mut replications = Vec::with_capacity(point.replications as usize);
        for replication in 1..=point.replications {
            let job = super::JobId {
                point: i,
                replication,
            };
            let result = folder.read_job(record, job).map_err(|why| {
                format!(
                    "{}: {why}",
                    folder.job_path(&point.name, replication).display()
                )
            })?;
            replications.push(result);
        }
        let outcomes = evaluate(catalogue, &scenario.month_ends(), &replications);
        let times = options.times.get(i).copied().unwrap_or_default();
        let timings = Timings::from_parts(
            options.started,
            options.wall_seconds,
            options.threads,
            times.seconds,
            (times.events, times.patients),
            &options.invocation,
        );
        let mut result =
            ResultFolder::from_parts(&scenario, &replications, &outcomes, &command_line, timings);
        if options.plots {
            add_plots(&mut result).map_err(|e| format!("scenario point {}: {e}", point.name))?;
        }
        write_result_folder(&folder.path, &point.name, &result.into_files(), true)
            .map_err(|e| e.to_string())?;
        point_written(&point.name);
        points.push(PointOutcome {
            record: point.clone(),
            outcomes,
        });
    }

    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "comparison.csv".to_string(),
            comparison_csv(&points).into_bytes(),
        ),
        ("points.csv".to_string(), points_csv(&points).into_bytes()),
        (
            "summary.txt".to_string(),
            summary_text(record, &points).into_bytes(),
        ),
    ];
    if options.plots {
        files.extend(sweep_plots(&points)?);
    }
    let mut record = record.clone();
    record.files.clear();
    for (name, bytes) in &files {
        let path = folder.path.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        write_atomic(&path, bytes).map_err(|e| e.to_string())?;
        record.files.insert(name.clone(), sha256_hex(bytes));
    }
    record.complete = true;
    folder.write_record(&record).map_err(|e| e.to_string())
}

fn comparison_csv(points: &[PointOutcome]) -> String {
    let mut out = CsvText::new(COMPARISON_HEADER.split(','));
    for p in points {
        for o in &p.outcomes {
            let t = &o.target;
            let numbers = match &o.stats {
                Some(s) => {
                    let interval = mean_interval(&s.values);
                    let mut numbers = vec![s.values.len().to_string()];
                    numbers.extend(
                        [
                            interval.mean,
                            interval.low,
                            interval.high,
                            s.p05,
                            s.p95,
                            s.p_met,
                        ]
                        .map(fmt_stat),
                    );
                    numbers
                }
                None => vec![String::new(); 7],
            };
            let mut fields = vec![
                p.record.name.clone(),
                p.record.sweep.clone().unwrap_or_default(),
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
    }
    out.finish()
}

/// One row per point; one column per swept key of the whole batch (empty where a point does
/// not sweep it), so a spreadsheet can pivot on them.
fn points_csv(points: &[PointOutcome]) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for p in points {
        for (k, _) in &p.record.parameters {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    let mut out = CsvText::new(
        "point,sweep,replications,targets_met,targets_uncertain,targets_not_met,targets_evaluated,mean_p_met"
            .split(',')
            .chain(keys.iter().copied()),
    );
    for p in points {
        let values: BTreeMap<&str, &str> = p
            .record
            .parameters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut fields = vec![
            p.record.name.clone(),
            p.record.sweep.clone().unwrap_or_default(),
            p.record.replications.to_string(),
            p.count(Verdict::Met).to_string(),
            p.count(Verdict::Uncertain).to_string(),
            p.count(Verdict::NotMet).to_string(),
            p.evaluated().to_string(),
            fmt_stat(p.mean_p_met()),
        ];
        fields.extend(
            keys.iter()
                .map(|k| values.get(k).copied().unwrap_or("").to_string()),
        );
        out.row(&fields);
    }
    out.finish()
}

/// The points ranked by targets met, then by mean `p_met`, then in batch order.
fn summary_text(record: &BatchRecord, points: &[PointOutcome]) -> String {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&points[a], &points[b]);
        pb.count(Verdict::Met)
            .cmp(&pa.count(Verdict::Met))
            .then(
                pb.mean_p_met()
                    .partial_cmp(&pa.mean_p_met())
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(a.cmp(&b))
    });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Batch {}: {} scenario points, {} jobs (plansim {})",
        record.batch,
        record.points.len(),
        record.jobs,
        record.plansim_version
    );
    if !record.description.is_empty() {
        let _ = writeln!(out, "{}", record.description);
    }
    let _ = writeln!(
        out,
        "\nPoints ranked by targets met (\"met\": at least 90% of replications meet the target at \
         its deadline; \"uncertain\": between 10% and 90%), then by the mean share of \
         replications meeting each evaluated target.\n"
    );
    let width = points
        .iter()
        .map(|p| p.record.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("point".len());
    let _ = writeln!(
        out,
        "rank  {:width$}  met  uncertain  not met  mean p_met  swept values",
        "point"
    );
    for (rank, &i) in order.iter().enumerate() {
        let p = &points[i];
        let swept: Vec<String> = p
            .record
            .parameters
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let _ = writeln!(
            out,
            "{:>4}  {:width$}  {:>3}  {:>9}  {:>7}  {:>10}  {}",
            rank + 1,
            p.record.name,
            p.count(Verdict::Met),
            p.count(Verdict::Uncertain),
            p.count(Verdict::NotMet),
            format!("{:.2}", p.mean_p_met()),
            swept.join(", ")
        );
    }
    out
}

/// `plots/<sweep>/…` for each sweep whose swept values are all numbers, over one or two keys.
fn sweep_plots(points: &[PointOutcome]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut sweeps: Vec<&str> = Vec::new();
    for p in points {
        if let Some(s) = p.record.sweep.as_deref() {
            if !sweeps.contains(&s) {
                sweeps.push(s);
            }
        }
    }
    let mut files = Vec::new();
    for name in sweeps {
        let members: Vec<&PointOutcome> = points
            .iter()
            .filter(|p| p.record.sweep.as_deref() == Some(name))
            .collect();
        let parameters: Vec<String> = members[0]
            .record
            .parameters
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        let mut sweep_points = Vec::new();
        for p in &members {
            let values: Option<Vec<f64>> = p
                .record
                .parameters
                .iter()
                .map(|(_, v)| v.parse::<f64>().ok())
                .collect();
            let Some(values) = values else {
                break;
            };
            sweep_points.push(SweepPoint {
                values,
                p_met: p
                    .outcomes
                    .iter()
                    .filter_map(|o| o.stats.as_ref().map(|s| (o.target.id.clone(), s.p_met)))
                    .collect(),
            });
        }
        if sweep_points.len() != members.len() || !(1..=2).contains(&parameters.len()) {
            continue; // Text values, or more keys than a chart can show: the CSVs have them.
        }
        let sweep = Sweep {
            parameters,
            points: sweep_points,
            replications: members[0].record.replications as usize,
        };
        let charts = sweep_charts(&sweep).map_err(|e| format!("sweep {name}: {e}"))?;
        files.extend(
            plot_files(&charts)
                .into_iter()
                .map(|(file, bytes)| (format!("plots/{name}/{file}"), bytes)),
        );
    }
    Ok(files)
}
