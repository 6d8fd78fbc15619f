//! `plansim run`: load → validate → run → write, for elective scenarios and (when every file
//! says `kind = "network"`) network scenarios.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;

use plansim::experiment::memory::estimate_memory;
use plansim::experiment::{run_experiment, run_network_experiment, ExperimentOptions};
use plansim::model::{metric_by_name, Metric, ReplicationResult};
use plansim::output::{
    check_destination, check_writable, comparison_csv, keep_interrupted, network_result_files,
    write_atomic, write_result_folder, ResultFolder,
};
use plansim::plot::add_plots;
use plansim::scenario::{Overrides, Scenario};
use plansim::targets::{evaluate, Catalogue, TargetOutcome};

use super::common::{
    all_network, install_stop_handler, load_network, lock, print_warnings, refuse_if_too_big,
    Interrupted,
};
use super::flags::{OutputDir, Threads, WriteFlags};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    output: OutputDir,
    #[command(flatten)]
    threads: Threads,
    #[command(flatten)]
    overrides: ScenarioOverrides,
    #[command(flatten)]
    write: WriteFlags,
}

/// The settings the command line can override in every scenario it runs.
#[derive(Debug, Args)]
struct ScenarioOverrides {
    /// Replications per scenario (overrides the scenario file; checked as the file's key is).
    #[arg(short = 'r', long = "replications", value_name = "N")]
    replications: Option<u32>,
    /// Random seed (overrides the scenario file).
    #[arg(short = 's', long = "seed", value_name = "SEED")]
    seed: Option<u64>,
    /// Simulated months (overrides the scenario file).
    #[arg(long, value_name = "N")]
    months: Option<u32>,
    /// Simulate a fraction F of patients and capacity; figures are reported at full size.
    #[arg(long, value_name = "F")]
    scale: Option<f64>,
}

impl RunArgs {
    /// The command that reproduces the results: scenarios and the options that change results,
    /// in a fixed form; threads, output folder, --force and -q change no result, so they are
    /// left out and the manifest stays byte-identical across them.
    fn reproduce(&self) -> Vec<String> {
        let mut words = vec!["plansim".to_string(), "run".to_string()];
        words.extend(self.scenarios.iter().map(|p| p.display().to_string()));
        let o = &self.overrides;
        let options = [
            ("--replications", o.replications.map(|n| n.to_string())),
            ("--seed", o.seed.map(|n| n.to_string())),
            ("--months", o.months.map(|n| n.to_string())),
            ("--scale", o.scale.map(|f| f.to_string())),
        ];
        for (flag, value) in options {
            if let Some(value) = value {
                words.push(flag.to_string());
                words.push(value);
            }
        }
        words
    }

    fn options(&self) -> ExperimentOptions {
        ExperimentOptions {
            threads: self.threads.option(),
            progress: !self.write.quiet,
            stop: None,
        }
    }
}

/// Written in the output folder when `run` is given more than one scenario.
const COMPARISON_FILE: &str = "comparison.csv";

pub fn run(args: &RunArgs, invocation: &[String]) -> Result<()> {
    if all_network(&args.scenarios)? {
        return run_network(args, invocation);
    }
    let output = &args.output.output;
    let o = &args.overrides;
    let overrides = Overrides {
        replications: o.replications,
        seed: o.seed,
        months: o.months,
        scale: o.scale,
    };
    let scenarios = load_all(&args.scenarios, &overrides)?;
    unique_names(&scenarios)?;
    fits_in_memory(&scenarios, &args.threads)?;
    print_warnings(&scenarios);
    let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
    // Refuse before simulating, so no time is wasted on results that cannot be written. The
    // locks are held until the results are written, so a second run into the same folder is
    // refused now, not after it has simulated.
    check_writable(output)?;
    let _locks = scenarios
        .iter()
        .map(|s| lock(&output.join(&s.name)))
        .collect::<Result<Vec<_>>>()?;
    for scenario in &scenarios {
        check_destination(output, &scenario.name, args.write.force)?;
    }
    let comparing = scenarios.len() > 1;
    if comparing {
        check_comparable(&scenarios)?;
        let path = output.join(COMPARISON_FILE);
        if path.exists() && !args.write.force {
            bail!(
                "{} already exists: pass --force to replace it, or -o to write elsewhere",
                path.display()
            );
        }
    }

    let stop = install_stop_handler("no new replication starts");
    let options = ExperimentOptions {
        stop: Some(stop.clone()),
        ..args.options()
    };
    let experiment = run_experiment(&scenarios, &options)?;
    if experiment.interrupted {
        let kept = keep_interrupted(
            output,
            &scenarios,
            &catalogue,
            &experiment,
            &args.reproduce(),
            invocation,
        );
        return Err(Interrupted(kept).into());
    }

    let mut written = Vec::new();
    for (scenario, run) in scenarios.iter().zip(&experiment.runs) {
        if stop.is_stopped() {
            return Err(Interrupted(format!(
                "interrupted while writing results: every replication had completed; written: \
                 {}; not written: the rest (run them again)",
                names_or_none(
                    written
                        .iter()
                        .map(|(s, _, _): &(&Scenario, PathBuf, _)| s.name.as_str())
                )
            ))
            .into());
        }
        let outcomes = evaluate(&catalogue, &scenario.month_ends(), &run.replications);
        let mut folder = ResultFolder::new(
            scenario,
            run,
            &outcomes,
            &experiment,
            &args.reproduce(),
            invocation,
        );
        if !args.write.no_plots {
            add_plots(&mut folder).with_context(|| format!("{}: plots", scenario.name))?;
        }
        let files = folder.into_files();
        let folder = write_result_folder(output, &scenario.name, &files, args.write.force)
            .with_context(|| {
                format!(
                    "scenario {}: results not written (already written: {})",
                    scenario.name,
                    names_or_none(
                        written
                            .iter()
                            .map(|(s, _, _): &(&Scenario, PathBuf, _)| s.name.as_str())
                    )
                )
            })?;
        written.push((scenario, folder, outcomes));
    }

    if comparing {
        let metrics = comparison_metrics(&catalogue);
        let others: Vec<(&str, &[ReplicationResult])> = scenarios[1..]
            .iter()
            .zip(&experiment.runs[1..])
            .map(|(s, r)| (s.name.as_str(), r.replications.as_slice()))
            .collect();
        let base = (&scenarios[0], &experiment.runs[0]);
        let csv = comparison_csv(
            &base.0.name,
            &base.1.replications,
            &others,
            &base.0.month_ends(),
            &metrics,
        );
        write_atomic(&output.join(COMPARISON_FILE), csv.as_bytes())?;
    }

    if !args.write.quiet {
        let mut out = io::stdout().lock();
        for (scenario, folder, outcomes) in &written {
            let s = &scenario.simulation;
            writeln!(
                out,
                "{}: {} replications of {} months -> {}",
                scenario.name,
                s.replications,
                s.months,
                folder.display()
            )?;
            write_verdicts(&mut out, outcomes)?;
        }
    }
    Ok(())
}

/// `plansim run` over network scenarios. No plots: the charts are drawn for the planning
/// targets' metrics.
fn run_network(args: &RunArgs, invocation: &[String]) -> Result<()> {
    let o = &args.overrides;
    if o.months.is_some() || o.scale.is_some() {
        bail!("--months and --scale do not apply to network scenarios: set simulation.horizon in the file, and scale arrival rates there");
    }
    let output = &args.output.output;
    let scenarios = load_network(&args.scenarios, |s| {
        s.with_overrides(o.replications, o.seed)
    })?;
    let mut names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        bail!(
            "two scenarios are named {:?}: each needs its own name, which names its result folder",
            pair[0]
        );
    }
    // As for elective runs: locked until written, and checked under the lock.
    let _locks = scenarios
        .iter()
        .map(|s| lock(&output.join(&s.name)))
        .collect::<Result<Vec<_>>>()?;
    for scenario in &scenarios {
        check_destination(output, &scenario.name, args.write.force)?;
    }
    // Network runs are short; Ctrl-C simply ends the process, writing nothing.
    let experiment = run_network_experiment(&scenarios, &args.options())?;
    let mut out = io::stdout().lock();
    for (scenario, run) in scenarios.iter().zip(&experiment.runs) {
        let files = network_result_files(scenario, run, &experiment, &args.reproduce(), invocation);
        let folder = write_result_folder(output, &scenario.name, &files, args.write.force)?;
        if !args.write.quiet {
            writeln!(
                out,
                "{}: {} replications of a network, {} customers, {} events -> {}",
                scenario.name,
                scenario.replications,
                run.customers(),
                run.events(),
                folder.display()
            )?;
        }
    }
    Ok(())
}

/// Paired differences need the same replications (paired by number) and the same months.
fn check_comparable(scenarios: &[Scenario]) -> Result<()> {
    let first = &scenarios[0];
    for other in &scenarios[1..] {
        let (a, b) = (&first.simulation, &other.simulation);
        if (a.replications, a.months, a.start) != (b.replications, b.months, b.start) {
            bail!(
                "{} and {} cannot be compared: comparison.csv pairs replications month by month, so both need the same start, months and replications (use -r and --months to set them)",
                first.name,
                other.name
            );
        }
    }
    Ok(())
}

/// Every target's metric, then what a finance team asks a lever to buy: clock stops, long
/// waits and pounds.
fn comparison_metrics(catalogue: &Catalogue) -> Vec<Metric> {
    let mut metrics: Vec<Metric> = Vec::new();
    let extra = [
        Metric::RttClockStopsAdmitted,
        Metric::RttClockStopsNonadmitted,
        Metric::RttOver52w,
        Metric::RttOver65w,
        Metric::ActivityValueGbp,
        Metric::CostGbp,
        Metric::CostPerClockStopGbp,
    ];
    let from_catalogue = catalogue
        .targets
        .iter()
        .filter_map(|t| metric_by_name(&t.metric))
        .map(Metric::from_index);
    for metric in from_catalogue.chain(extra) {
        if !metrics.contains(&metric) {
            metrics.push(metric);
        }
    }
    metrics
}

fn names_or_none<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Loads every scenario and applies the overrides, reporting every bad file, not just the first.
fn load_all(paths: &[PathBuf], overrides: &Overrides) -> Result<Vec<Scenario>> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match Scenario::load(path).and_then(|s| s.with_overrides(overrides)) {
            Ok(s) => scenarios.push(s),
            Err(e) => problems.extend(e.problems),
        }
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(anyhow!(problems.join("\n")))
    }
}

/// Refuses a run whose estimated peak memory is more than the machine has available, before
/// anything is allocated (see `experiment::memory` for the estimate).
fn fits_in_memory(scenarios: &[Scenario], threads: &Threads) -> Result<()> {
    let estimate = estimate_memory(scenarios, threads.count());
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    refuse_if_too_big(
        &format!("{}: the run", names.join(", ")),
        &estimate,
        "Lower --scale, --months, the replications (-r) or the referral volumes, or use fewer \
         threads (-j 1)",
    )
}

/// Two scenarios with one name would write the same result folder.
fn unique_names(scenarios: &[Scenario]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for s in scenarios {
        if !seen.insert(s.name.as_str()) {
            bail!("two scenarios are named {:?}: each needs its own name, which names its result folder", s.name);
        }
    }
    Ok(())
}

fn write_verdicts(out: &mut impl Write, outcomes: &[TargetOutcome]) -> io::Result<()> {
    let width = outcomes
        .iter()
        .map(|o| o.target.id.len())
        .max()
        .unwrap_or(0)
        .max("target".len());
    writeln!(out, "  {:width$}  {:14}  p_met", "target", "verdict")?;
    for o in outcomes {
        let p_met = o
            .stats
            .as_ref()
            .map(|s| format!("{:.2}", s.p_met))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:width$}  {:14}  {p_met}",
            o.target.id,
            o.verdict.name()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn run_args(args: &[&str]) -> RunArgs {
        match Cli::try_parse_from(args).unwrap().command {
            Command::Run(run) => run,
            other => panic!("not run: {other:?}"),
        }
    }

    #[test]
    fn reproducing_command_leaves_out_what_cannot_change_results() {
        let a = run_args(&[
            "plansim", "run", "a.toml", "b.toml", "-j", "1", "-o", "x", "-q", "--force", "-r", "3",
        ]);
        let b = run_args(&[
            "/bin/plansim",
            "run",
            "-r3",
            "a.toml",
            "b.toml",
            "--threads=2",
        ]);
        assert_eq!(
            a.reproduce(),
            ["plansim", "run", "a.toml", "b.toml", "--replications", "3"]
        );
        assert_eq!(a.reproduce(), b.reproduce());
        let c = run_args(&[
            "plansim", "run", "a.toml", "--scale", "0.25", "--months", "6", "-s", "9",
        ]);
        let expected = [
            "plansim", "run", "a.toml", "--seed", "9", "--months", "6", "--scale", "0.25",
        ];
        assert_eq!(c.reproduce(), expected);
    }

    #[test]
    fn run_defaults() {
        let a = run_args(&["plansim", "run", "a.toml"]);
        assert_eq!(a.output.output, PathBuf::from("output"));
        assert!(!a.write.force && !a.write.quiet && !a.write.no_plots);
        let o = &a.overrides;
        assert_eq!(
            (o.replications, o.seed, a.threads.threads, o.months, o.scale),
            (None, None, None, None, None)
        );
    }
}
