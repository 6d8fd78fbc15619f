//! `plansim run` and `plansim check` for network scenarios (`kind = "network"`): the same
//! read → validate → run → write steps as the elective commands, over the network model.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};

use plansim::experiment::{run_network_experiment, ExperimentOptions};
use plansim::network::{scenario_kind, NetworkScenario, ScenarioKind};
use plansim::output::{check_destination, network_result_files, write_result_folder};

use super::RunArgs;

/// Whether the files are network scenarios: `Some(true)` all network, `Some(false)` all
/// elective, an error for a mix (each kind writes its own result shape) or a bad `kind`.
/// Files that cannot be read count as elective, so the elective loader reports them.
pub(super) fn all_network(paths: &[PathBuf]) -> Result<bool> {
    let mut network = 0;
    let mut problems = Vec::new();
    for path in paths {
        // Read as the loaders read (a FIFO or device is refused, not waited on).
        let Ok(text) = plansim::config::read_input_text(path, &path.display().to_string()) else {
            continue;
        };
        match scenario_kind(&text, &path.display().to_string()) {
            Ok(ScenarioKind::Network) => network += 1,
            Ok(ScenarioKind::Elective) => {}
            Err(e) => problems.extend(e.problems),
        }
    }
    if !problems.is_empty() {
        bail!(problems.join("\n"));
    }
    if network > 0 && network < paths.len() {
        bail!("network scenarios (kind = \"network\") and elective scenarios cannot be run by one command: run them separately");
    }
    Ok(network > 0)
}

fn load(paths: &[PathBuf], args: Option<&RunArgs>) -> Result<Vec<NetworkScenario>> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let loaded = NetworkScenario::load(path).and_then(|s| match args {
            Some(a) => s.with_overrides(a.replications, a.seed),
            None => Ok(s),
        });
        match loaded {
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

/// `plansim run` over network scenarios. No plots: the charts are drawn for the planning
/// targets' metrics.
pub(super) fn run(args: &RunArgs, invocation: &[String]) -> Result<()> {
    if args.months.is_some() || args.scale.is_some() {
        bail!("--months and --scale do not apply to network scenarios: set simulation.horizon in the file, and scale arrival rates there");
    }
    let scenarios = load(&args.scenarios, Some(args))?;
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
        .map(|s| super::lock(&args.output.join(&s.name)))
        .collect::<Result<Vec<_>>>()?;
    for scenario in &scenarios {
        check_destination(&args.output, &scenario.name, args.force)?;
    }
    let options = ExperimentOptions {
        threads: args.threads.map(|n| n as usize),
        progress: !args.quiet,
        // Network runs are short; Ctrl-C simply ends the process, writing nothing.
        stop: None,
    };
    let experiment = run_network_experiment(&scenarios, &options)?;
    let mut out = io::stdout().lock();
    for (scenario, run) in scenarios.iter().zip(&experiment.runs) {
        let files = network_result_files(scenario, run, &experiment, &args.reproduce(), invocation);
        let folder = write_result_folder(&args.output, &scenario.name, &files, args.force)?;
        if !args.quiet {
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

/// `plansim check` for network files: prints each resolved scenario.
pub(super) fn check(paths: &[PathBuf]) -> Result<()> {
    let scenarios = load(paths, None)?;
    let mut out = io::stdout().lock();
    for (path, s) in paths.iter().zip(&scenarios) {
        writeln!(out, "# {} (network scenario {:?})", path.display(), s.name)?;
        writeln!(out, "{}", s.resolved_toml())?;
    }
    Ok(())
}
