//! Result files of a network run: the contract's `manifest.json`, `scenario.toml`,
//! `monthly.csv`, `summary.csv` and `targets.csv` (header only: no planning target applies to a
//! generic network), plus `stations.csv`, each metric over the whole run after the warm-up.
//!
//! In `monthly.csv` and `summary.csv`, `month` numbers the reporting periods from 1 and
//! `period_end` is the end of the period in the scenario's time unit from time zero.

use serde::Serialize;

use super::csv::{CsvText, MONTHLY_HEADER, SUMMARY_HEADER, TARGETS_HEADER};
use super::manifest::round_us;
use crate::experiment::{NetworkExperiment, NetworkRun};
use crate::network::{NetworkScenario, NETWORK_METRICS, STATION_METRICS};
use crate::util::date::iso_utc;
use crate::util::fmt::{fmt_num, fmt_stat};
use crate::util::hash::sha256_hex;
use crate::util::stats;

pub const STATIONS_HEADER: &str = "scenario,station,metric,mean,sd,ci95_half_width,p05,p50,p95";

/// Field order here is the key order in the file; everything outside `timings` is
/// byte-identical for the same inputs.
#[derive(Serialize)]
struct NetworkManifest {
    plansim_version: String,
    kind: &'static str,
    scenario: String,
    scenario_hash: String,
    seed: u64,
    replications: u32,
    replications_requested: u32,
    time_unit: &'static str,
    command_line: Vec<String>,
    /// Network runs always finish (Ctrl-C ends the process and writes nothing).
    complete: bool,
    /// SHA-256 of every other file, so `plansim check RUN_DIR` can verify the folder.
    files: std::collections::BTreeMap<String, String>,
    timings: NetworkTimings,
}

#[derive(Serialize)]
struct NetworkTimings {
    started: String,
    wall_seconds: f64,
    threads: usize,
    replication_seconds: f64,
    events_per_second: f64,
    customers_per_second: f64,
    invocation: Vec<String>,
}

/// The files of one network scenario's result folder, in the order they are written.
pub fn network_result_files(
    scenario: &NetworkScenario,
    run: &NetworkRun,
    experiment: &NetworkExperiment,
    command_line: &[String],
    invocation: &[String],
) -> Vec<(&'static str, Vec<u8>)> {
    let per_second = |count: u64| {
        if run.replication_seconds > 0.0 {
            (count as f64 / run.replication_seconds).round()
        } else {
            0.0
        }
    };
    let files: Vec<(&'static str, Vec<u8>)> = vec![
        ("scenario.toml", scenario.resolved_toml().into_bytes()),
        (
            "monthly.csv",
            network_monthly_csv(scenario, run).into_bytes(),
        ),
        (
            "summary.csv",
            network_summary_csv(scenario, run).into_bytes(),
        ),
        ("stations.csv", stations_csv(scenario, run).into_bytes()),
        (
            "targets.csv",
            CsvText::new(TARGETS_HEADER.split(','))
                .finish()
                .into_bytes(),
        ),
    ];
    let manifest = NetworkManifest {
        plansim_version: env!("CARGO_PKG_VERSION").to_string(),
        kind: "network",
        scenario: scenario.name.clone(),
        scenario_hash: scenario.hash(),
        seed: scenario.seed,
        replications: scenario.replications,
        replications_requested: scenario.replications,
        time_unit: scenario.time_unit.name(),
        command_line: command_line.to_vec(),
        complete: true,
        files: files
            .iter()
            .map(|(name, bytes)| (name.to_string(), sha256_hex(bytes)))
            .collect(),
        timings: NetworkTimings {
            started: iso_utc(experiment.started),
            wall_seconds: round_us(experiment.wall_seconds),
            threads: experiment.threads,
            replication_seconds: round_us(run.replication_seconds),
            events_per_second: per_second(run.events()),
            customers_per_second: per_second(run.customers()),
            invocation: invocation
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    if i == 0 {
                        "plansim".to_string()
                    } else {
                        a.clone()
                    }
                })
                .collect(),
        },
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("a manifest always serialises");
    json.push('\n');
    let mut all = vec![("manifest.json", json.into_bytes())];
    all.extend(files);
    all
}

/// Period ends in the scenario's time unit.
fn period_ends(scenario: &NetworkScenario) -> Vec<String> {
    let unit = scenario.time_unit.minutes();
    scenario
        .periods()
        .iter()
        .map(|&(_, end)| fmt_stat(end / unit))
        .collect()
}

/// One row per replication, period and metric.
pub fn network_monthly_csv(scenario: &NetworkScenario, run: &NetworkRun) -> String {
    let names = scenario.metric_names();
    let ends = period_ends(scenario);
    let mut out = CsvText::new(MONTHLY_HEADER.split(','));
    for rep in &run.replications {
        for (p, end) in ends.iter().enumerate() {
            for (k, metric) in names.iter().enumerate() {
                let value = rep.periods.get([p, k]).copied().unwrap_or(f64::NAN);
                let fields: [&str; 6] = [
                    &scenario.name,
                    &rep.replication.to_string(),
                    &(p + 1).to_string(),
                    end,
                    metric,
                    &fmt_num(value),
                ];
                out.row(fields);
            }
        }
    }
    out.finish()
}

/// One row per period and metric, statistics across replications (NaN values, from periods
/// in which nothing happened, are left out).
pub fn network_summary_csv(scenario: &NetworkScenario, run: &NetworkRun) -> String {
    let names = scenario.metric_names();
    let ends = period_ends(scenario);
    let mut out = CsvText::new(SUMMARY_HEADER.split(','));
    for (p, end) in ends.iter().enumerate() {
        for (k, metric) in names.iter().enumerate() {
            let values: Vec<f64> = run
                .replications
                .iter()
                .filter_map(|r| r.periods.get([p, k]).copied())
                .filter(|v| !v.is_nan())
                .collect();
            let s = stats::summarise(&values);
            let fields: [&str; 9] = [
                &scenario.name,
                &(p + 1).to_string(),
                end,
                metric,
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

/// One row per station (then `network`) and metric over the whole run after the warm-up:
/// mean across replications, sample sd, the half-width of a normal 95% confidence interval
/// for the mean (1.96 sd / sqrt(n)), and quantiles.
pub fn stations_csv(scenario: &NetworkScenario, run: &NetworkRun) -> String {
    let mut out = CsvText::new(STATIONS_HEADER.split(','));
    let scopes = scenario
        .stations
        .iter()
        .flat_map(|s| {
            STATION_METRICS
                .iter()
                .map(move |m| (s.name.as_str(), m.name))
        })
        .chain(NETWORK_METRICS.iter().map(|m| ("network", m.name)));
    for (k, (station, metric)) in scopes.enumerate() {
        let values: Vec<f64> = run
            .replications
            .iter()
            .filter_map(|r| r.totals.get(k).copied())
            .filter(|v| !v.is_nan())
            .collect();
        let s = stats::summarise(&values);
        let half = 1.96 * s.sd / (values.len() as f64).sqrt();
        let fields: [&str; 9] = [
            &scenario.name,
            station,
            metric,
            &fmt_stat(s.mean),
            &fmt_stat(s.sd),
            &fmt_stat(half),
            &fmt_stat(s.p05),
            &fmt_stat(s.p50),
            &fmt_stat(s.p95),
        ];
        out.row(fields);
    }
    out.finish()
}
