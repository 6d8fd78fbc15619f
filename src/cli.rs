//! The commands of `plansim` (the binary's part): each reads top to bottom, load → validate →
//! run → write, over the library's modules. Results go to files; stdout gets short human
//! summaries; errors are returned for `main` to print.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};

mod batch;
mod import;
mod network;

use plansim::experiment::memory::{estimate_memory, human_bytes, memory_limit, MemoryEstimate};
use plansim::experiment::{run_experiment, ExperimentOptions, ExperimentResult, StopFlag};
use plansim::model::{metric_by_name, Metric, ReplicationResult};
use plansim::output::{
    check_destination, check_writable, comparison_csv, lock_folder, verify_result_folder,
    write_atomic, write_result_folder, FolderLock, Manifest, ResultFolder,
};
use plansim::plot::{add_plots, comparison_charts, plot_files, run_charts, RunResults};
use plansim::report::render_report;
use plansim::scenario::{Overrides, Scenario};
use plansim::targets::{evaluate, Catalogue, TargetOutcome};

#[derive(Debug, Parser)]
#[command(
    name = "plansim",
    version,
    about = "Simulates NHS elective pathways against the planning targets"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs each scenario for N replications and writes results under DIR/<scenario name>/.
    Run(RunArgs),
    /// Validates scenario files and prints each resolved scenario; runs nothing.
    Check {
        /// Scenario files.
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
    },
    /// Lists the target catalogue.
    Targets,
    /// Builds a scenario from a file NHS England publishes (`plansim import rtt FILE.csv`).
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Runs an overnight batch: every (scenario point, replication) job of BATCH, each saved
    /// as it finishes; resumable, and shardable across machines. Writes DIR/<batch name>/.
    Batch(batch::BatchArgs),
    /// Merges the shard folders of one batch into DIR/<batch name>/, the same as a run on one
    /// machine.
    Merge(batch::MergeArgs),
    /// Draws RUN_DIR/plots/ (PNG and SVG) from saved results; with --compare, also overlays
    /// the runs' medians.
    Plot {
        /// Result folders written by `plansim run` (DIR/<scenario name>).
        #[arg(required = true, value_name = "RUN_DIR")]
        run_dirs: Vec<PathBuf>,
        /// Also write charts overlaying every RUN_DIR's medians, one per target metric, into
        /// this folder.
        #[arg(long, value_name = "DIR")]
        compare: Option<PathBuf>,
    },
    /// Writes RUN_DIR/report.html: one self-contained page with targets, charts, scenario and
    /// manifest, which opens offline.
    Report {
        /// A result folder written by `plansim run` (DIR/<scenario name>).
        #[arg(value_name = "RUN_DIR")]
        run_dir: PathBuf,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenario files.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Folder for the results; each scenario writes DIR/<scenario name>/.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "output"
    )]
    output: PathBuf,
    /// Replications per scenario (overrides the scenario file).
    #[arg(short = 'r', long = "replications", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// Random seed (overrides the scenario file).
    #[arg(short = 's', long = "seed", value_name = "SEED")]
    seed: Option<u64>,
    /// Worker threads [default: one per core]. Results do not depend on it.
    #[arg(short = 'j', long = "threads", value_name = "THREADS", value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Simulated months (overrides the scenario file).
    #[arg(long, value_name = "N")]
    months: Option<u32>,
    /// Simulate a fraction F of patients and capacity; figures are reported at full size.
    #[arg(long, value_name = "F")]
    scale: Option<f64>,
    /// Replace existing results in DIR/<scenario name>/.
    #[arg(long)]
    force: bool,
    /// No progress bar and no summary.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Do not draw plots/ (saves a few seconds; `plansim plot` can draw them later).
    #[arg(long)]
    no_plots: bool,
}

impl RunArgs {
    /// The command that reproduces the results: scenarios and the options that change results,
    /// in a fixed form; threads, output folder, --force and -q change no result, so they are
    /// left out and the manifest stays byte-identical across them.
    fn reproduce(&self) -> Vec<String> {
        let mut words = vec!["plansim".to_string(), "run".to_string()];
        words.extend(self.scenarios.iter().map(|p| p.display().to_string()));
        let options = [
            ("--replications", self.replications.map(|n| n.to_string())),
            ("--seed", self.seed.map(|n| n.to_string())),
            ("--months", self.months.map(|n| n.to_string())),
            ("--scale", self.scale.map(|f| f.to_string())),
        ];
        for (flag, value) in options {
            if let Some(value) = value {
                words.push(flag.to_string());
                words.push(value);
            }
        }
        words
    }
}

/// Runs the parsed command; `invocation` (the command line as typed) is recorded in each
/// manifest's timings.
pub fn execute(cli: Cli, invocation: &[String]) -> Result<()> {
    let result = match cli.command {
        Command::Run(args) => run(&args, invocation),
        Command::Check { scenarios } => check(&scenarios),
        Command::Targets => targets(),
        Command::Import(command) => import::import(&command),
        Command::Batch(args) => batch::batch(&args, invocation),
        Command::Merge(args) => batch::merge(&args, invocation),
        Command::Plot { run_dirs, compare } => plot(&run_dirs, compare.as_deref()),
        Command::Report { run_dir } => report(&run_dir),
    };
    // A closed stdout (`plansim targets | head`) is the reader's choice, not a failure.
    match result {
        Err(e)
            if e.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn run(args: &RunArgs, invocation: &[String]) -> Result<()> {
    if network::all_network(&args.scenarios)? {
        return network::run(args, invocation);
    }
    let overrides = Overrides {
        replications: args.replications,
        seed: args.seed,
        months: args.months,
        scale: args.scale,
    };
    let scenarios = load_all(&args.scenarios, &overrides)?;
    unique_names(&scenarios)?;
    fits_in_memory(&scenarios, args.threads)?;
    print_warnings(&scenarios);
    let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
    // Refuse before simulating, so no time is wasted on results that cannot be written. The
    // locks are held until the results are written, so a second run into the same folder is
    // refused now, not after it has simulated.
    check_writable(&args.output)?;
    let _locks = scenarios
        .iter()
        .map(|s| lock(&args.output.join(&s.name)))
        .collect::<Result<Vec<_>>>()?;
    for scenario in &scenarios {
        check_destination(&args.output, &scenario.name, args.force)?;
    }
    let comparing = scenarios.len() > 1;
    if comparing {
        check_comparable(&scenarios)?;
        let path = args.output.join(COMPARISON_FILE);
        if path.exists() && !args.force {
            bail!(
                "{} already exists: pass --force to replace it, or -o to write elsewhere",
                path.display()
            );
        }
    }

    let stop = install_stop_handler("no new replication starts");
    let options = ExperimentOptions {
        threads: args.threads.map(|n| n as usize),
        progress: !args.quiet,
        stop: Some(stop.clone()),
    };
    let experiment = run_experiment(&scenarios, &options)?;
    if experiment.interrupted {
        return Err(write_interrupted(
            args,
            invocation,
            &scenarios,
            &catalogue,
            &experiment,
        ));
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
        if !args.no_plots {
            add_plots(&mut folder).with_context(|| format!("{}: plots", scenario.name))?;
        }
        let files = folder.into_files();
        let folder = write_result_folder(&args.output, &scenario.name, &files, args.force)
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
        write_atomic(&args.output.join(COMPARISON_FILE), csv.as_bytes())?;
    }

    if !args.quiet {
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

/// Ctrl-C (or a scheduler's SIGTERM) sets the returned flag, saying on stderr what stopping
/// means (`what`); a second one quits at once. Without a handler (one is already installed:
/// only in tests) the default, quitting, applies.
fn install_stop_handler(what: &'static str) -> StopFlag {
    let stop = StopFlag::new();
    let handler_stop = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if handler_stop.is_stopped() {
            std::process::exit(INTERRUPTED_EXIT);
        }
        handler_stop.stop();
        eprintln!("\nstopping: {what} (press Ctrl-C again to quit at once)");
    });
    stop
}

/// Written in the output folder when `run` is given more than one scenario.
const COMPARISON_FILE: &str = "comparison.csv";

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

/// Exit status for a run stopped by Ctrl-C or SIGTERM: a failed run, 1, as the interface
/// contract says; the message on stderr says it was interrupted and what was kept.
pub const INTERRUPTED_EXIT: i32 = 1;

/// A run stopped by Ctrl-C or SIGTERM; `main` exits with [`INTERRUPTED_EXIT`].
#[derive(Debug)]
pub struct Interrupted(String);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

fn names_or_none<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// After a stop: keeps each scenario's completed replications (1 to k) in
/// `DIR/<name>.interrupted/`, whose manifest says `"complete": false`, never touching
/// `DIR/<name>/`; returns the error that says what was done and kept.
fn write_interrupted(
    args: &RunArgs,
    invocation: &[String],
    scenarios: &[Scenario],
    catalogue: &Catalogue,
    experiment: &ExperimentResult,
) -> anyhow::Error {
    let total: u32 = scenarios.iter().map(|s| s.simulation.replications).sum();
    let mut kept = Vec::new();
    let mut notes = Vec::new();
    for (scenario, run) in scenarios.iter().zip(&experiment.runs) {
        if run.replications.is_empty() {
            continue;
        }
        let name = format!("{}.interrupted", scenario.name);
        if holds_complete_result(&args.output.join(&name)) {
            notes.push(format!(
                "{}: not kept, because {} holds a complete result",
                scenario.name,
                args.output.join(&name).display()
            ));
            continue;
        }
        let outcomes = evaluate(catalogue, &scenario.month_ends(), &run.replications);
        let files = ResultFolder::new(
            scenario,
            run,
            &outcomes,
            experiment,
            &args.reproduce(),
            invocation,
        )
        .into_files();
        // An earlier interrupted folder of the same scenario is replaced: it is not a result.
        match write_result_folder(&args.output, &name, &files, true) {
            Ok(folder) => kept.push(format!(
                "replications 1 to {} of {} in {}",
                run.replications.len(),
                scenario.name,
                folder.display()
            )),
            Err(e) => notes.push(format!("{}: could not keep: {e}", scenario.name)),
        }
    }
    let mut message = format!(
        "interrupted: {} of {total} replications had completed; no complete result was written",
        experiment.completed
    );
    if !kept.is_empty() {
        message.push_str(&format!(
            "; kept {} (manifest \"complete\": false; `plansim plot` and `report` can read them)",
            kept.join(", ")
        ));
    }
    for note in notes {
        message.push_str(&format!("\n{note}"));
    }
    Interrupted(message).into()
}

/// Whether `folder` has a manifest saying `"complete": true` (a real result, not ours to replace).
fn holds_complete_result(folder: &Path) -> bool {
    std::fs::read(folder.join("manifest.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|v| v.get("complete").and_then(|c| c.as_bool()))
        .unwrap_or(folder.exists())
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
fn fits_in_memory(scenarios: &[Scenario], threads: Option<u32>) -> Result<()> {
    let estimate = estimate_memory(scenarios, threads_to_use(threads));
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    refuse_if_too_big(
        &format!("{}: the run", names.join(", ")),
        &estimate,
        "Lower --scale, --months, the replications (-r) or the referral volumes, or use fewer \
         threads (-j 1)",
    )
}

/// The threads a command will run on: as asked, or one per core.
fn threads_to_use(threads: Option<u32>) -> usize {
    match threads {
        Some(n) => n as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// Refuses, before anything is allocated, what would need more memory than is available.
/// `what` starts the message ("base: the run"); `fix` says what to lower.
fn refuse_if_too_big(what: &str, estimate: &MemoryEstimate, fix: &str) -> Result<()> {
    let Some(limit) = memory_limit().map_err(|e| anyhow!(e))? else {
        return Ok(());
    };
    if estimate.total_bytes <= limit.bytes {
        return Ok(());
    }
    bail!(
        "{what} needs about {} of memory, more than the {} {}: {} replication(s) at a time of \
         about {} each (about {} patients), plus {} of results. {fix}",
        human_bytes(estimate.total_bytes),
        human_bytes(limit.bytes),
        limit.source,
        estimate.concurrent,
        human_bytes(estimate.bytes_per_replication),
        human_count(estimate.patients_per_replication),
        human_bytes(estimate.result_bytes),
    );
}

/// `3,250` or `58.9 million`.
fn human_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1} million", n / 1e6)
    } else {
        plansim::plot::style::fmt_thousands(n)
    }
}

/// Locks `folder` for this command (see `plansim::output::lock_folder`), warning where the
/// file system cannot lock.
fn lock(folder: &Path) -> Result<FolderLock> {
    let lock = lock_folder(folder)?;
    if let Some(warning) = lock.warning() {
        eprintln!("warning: {warning}");
    }
    Ok(lock)
}

/// Legal but probably unmeant settings (zero capacity), on stderr; they do not stop anything.
fn print_warnings(scenarios: &[Scenario]) {
    for warning in scenarios.iter().flat_map(Scenario::warnings) {
        eprintln!("warning: {warning}");
    }
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

/// Checks each path: a folder holding manifest.json is a result folder, verified against its
/// checksums; anything else is a scenario file, validated and printed resolved.
fn check(paths: &[PathBuf]) -> Result<()> {
    if network::all_network(paths)? {
        return network::check(paths);
    }
    let mut out = io::stdout().lock();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() && path.join(plansim::batch::BATCH_RECORD).exists() {
            problems.extend(batch::check_batch_folder(&mut out, path)?);
            continue;
        }
        if path.is_dir() {
            problems.extend(check_result_folder(&mut out, path)?);
            continue;
        }
        match Scenario::load(path) {
            Ok(s) => {
                print_warnings(std::slice::from_ref(&s));
                writeln!(out, "# {} (scenario {:?})", path.display(), s.name)?;
                writeln!(out, "{}", s.resolved_toml())?;
            }
            Err(e) => problems.extend(e.problems),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(anyhow!(problems.join("\n")))
    }
}

/// Verifies one result folder; returns its problems (an incomplete folder is one).
fn check_result_folder(out: &mut impl Write, dir: &Path) -> Result<Vec<String>> {
    let shown = dir.display();
    if !dir.join("manifest.json").exists() {
        return Ok(vec![format!(
            "{shown}: a folder without manifest.json: expected a scenario file, or a result \
             folder written by `plansim run` (DIR/<scenario name>)"
        )]);
    }
    let report = match verify_result_folder(dir) {
        Ok(report) => report,
        Err(problems) => return Ok(problems),
    };
    for leftover in &report.leftovers {
        writeln!(
            out,
            "note: {} was left by an interrupted write; it is not a result{}",
            leftover.display(),
            if leftover.to_string_lossy().contains(".old-") {
                " (it holds the results that were being replaced; delete it, or rename it to restore them)"
            } else {
                " and can be deleted"
            }
        )?;
    }
    if !report.complete {
        return Ok(vec![format!(
            "{shown}: the files are intact, but the run was interrupted: it holds {} of {} \
             replications (\"complete\": false in manifest.json); run the scenario again for a \
             complete result",
            report.replications, report.replications_requested
        )]);
    }
    writeln!(
        out,
        "{shown}: complete result of scenario {:?}, {} replications; {} files match their checksums",
        report.scenario, report.replications, report.files_checked
    )?;
    if !report.unlisted.is_empty() {
        writeln!(
            out,
            "note: not covered by the manifest (written after the run): {}",
            report.unlisted.join(", ")
        )?;
    }
    Ok(Vec::new())
}

/// Reads a result folder, with an error that says what to pass instead.
fn load_results(dir: &Path) -> Result<RunResults> {
    RunResults::load(dir).map_err(|e| anyhow!("{e}"))
}

/// Draws each RUN_DIR/plots/, replacing the folder whole (written aside, then renamed in), and
/// records the plots' checksums in the manifest.
fn plot(run_dirs: &[PathBuf], compare: Option<&Path>) -> Result<()> {
    // Each folder's plots and manifest are rewritten: no run may be replacing it meanwhile.
    let _locks = run_dirs
        .iter()
        .map(|d| lock(d))
        .collect::<Result<Vec<_>>>()?;
    let runs = run_dirs
        .iter()
        .map(|d| load_results(d))
        .collect::<Result<Vec<_>>>()?;
    for (dir, run) in run_dirs.iter().zip(&runs) {
        let files = plot_files(&run_charts(run)?);
        write_plots(dir, "plots", &files)?;
        record_plots(dir, &files)?;
    }
    if let Some(out) = compare {
        if runs.len() < 2 {
            bail!("--compare needs at least two RUN_DIRs to overlay");
        }
        let charts = comparison_charts(&runs)?;
        let (root, name) = split_folder(out)?;
        write_plots(&root, &name, &plot_files(&charts))?;
    }
    Ok(())
}

/// `a/b/c` -> (`a/b`, `c`), for the writer, which swaps a named folder in whole.
fn split_folder(path: &Path) -> Result<(PathBuf, String)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| anyhow!("{}: expected a folder name", path.display()))?;
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok((root, name))
}

fn write_plots(root: &Path, name: &str, files: &[(String, Vec<u8>)]) -> Result<()> {
    // Replacing plots is always allowed: they are derived from the results beside them.
    write_result_folder(root, name, files, true)?;
    Ok(())
}

/// Replaces the `plots/` checksums in RUN_DIR/manifest.json. The same results draw the same
/// plots, so this usually rewrites the same bytes; a manifest plansim cannot read (written by
/// an older version) is left alone.
fn record_plots(dir: &Path, plots: &[(String, Vec<u8>)]) -> Result<()> {
    let path = dir.join("manifest.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let Ok(mut manifest) = serde_json::from_str::<Manifest>(&text) else {
        return Ok(());
    };
    manifest.files.retain(|name, _| !name.starts_with("plots/"));
    let named: Vec<(String, &[u8])> = plots
        .iter()
        .map(|(n, b)| (format!("plots/{n}"), b.as_slice()))
        .collect();
    manifest.record_files(named.iter().map(|(n, b)| (n.as_str(), *b)));
    write_atomic(&path, manifest.to_json().as_bytes())?;
    Ok(())
}

fn report(run_dir: &Path) -> Result<()> {
    let _lock = lock(run_dir)?;
    let run = load_results(run_dir)?;
    let html = render_report(&run)?;
    let path = run_dir.join("report.html");
    write_atomic(&path, html.as_bytes())?;
    Ok(())
}

fn targets() -> Result<()> {
    let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
    let mut out = io::stdout().lock();
    writeln!(out, "{}", catalogue.name)?;
    let rows: Vec<[String; 7]> = catalogue
        .targets
        .iter()
        .map(|t| {
            let modelled = if metric_by_name(&t.metric).is_some() {
                "yes"
            } else {
                "no"
            };
            [
                t.id.clone(),
                t.metric.clone(),
                t.comparison.symbol().to_string(),
                t.threshold.to_string(),
                t.timing.to_string(),
                modelled.to_string(),
                t.description.clone(),
            ]
        })
        .collect();
    let header = [
        "id",
        "metric",
        "cmp",
        "threshold",
        "deadline",
        "modelled",
        "description",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: [&str; 7]| {
        // The description is last and not padded, so long ones do not widen the table.
        let mut text: String = cells[..6]
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:w$}  "))
            .collect();
        text.push_str(cells[6]);
        text
    };
    writeln!(out, "{}", line(header))?;
    for row in &rows {
        writeln!(out, "{}", line(row.each_ref().map(String::as_str)))?;
    }
    writeln!(
        out,
        "\n\"end\": the last simulated month. from/to: the mean of the monthly values in the window. \
         \"start\": the waiting list each replication starts from."
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(a.output, PathBuf::from("output"));
        assert!(!a.force && !a.quiet && !a.no_plots);
        assert_eq!(
            (a.replications, a.seed, a.threads, a.months, a.scale),
            (None, None, None, None, None)
        );
    }
}
