//! `plansim import rtt`: a scenario from the RTT full CSV file NHS England publishes monthly.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};

use plansim::import::rtt::{read_rtt_file, Part};
use plansim::import::rtt_scenario::{scenario_name, scenario_toml, ImportOptions};
use plansim::output::write_atomic;
use plansim::scenario::Scenario;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Builds a runnable scenario from an RTT full CSV data file: the treatment functions as
    /// specialties, the referral rate (Part_3), the starting list week by week (Part_2,
    /// Part_2A) and capacity sized to the month's clock stops (Part_1A, Part_1B); the rest
    /// from a template scenario.
    Rtt(RttArgs),
}

#[derive(Debug, Args)]
pub struct RttArgs {
    /// The RTT full CSV file (one month, as published or cut to some providers).
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    /// Provider code to import (repeat for several, summed); every provider in the file if none.
    #[arg(long = "provider", value_name = "CODE")]
    providers: Vec<String>,
    /// Scenario file to write [default: <scenario name>.toml in the current folder].
    #[arg(short = 'o', long = "output", value_name = "SCENARIO.toml")]
    output: Option<PathBuf>,
    /// Scenario whose assumptions fill in what the file does not hold.
    #[arg(
        long,
        value_name = "SCENARIO",
        default_value = "scenarios/baseline.toml"
    )]
    template: PathBuf,
    /// Simulated months.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
    months: u32,
    /// Replace the scenario file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn import(command: &ImportCommand) -> Result<()> {
    match command {
        ImportCommand::Rtt(args) => import_rtt(args),
    }
}

fn import_rtt(args: &RttArgs) -> Result<()> {
    let data = read_rtt_file(&args.file, &args.providers)?;
    let template = Scenario::load(&args.template)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("template {}", args.template.display()))?;
    let source_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.file.display().to_string());
    let template_name = args.template.display().to_string();
    let options = ImportOptions {
        source_name: &source_name,
        template: &template,
        template_name: &template_name,
        months: args.months,
    };
    let text = scenario_toml(&data, &options).map_err(|e| anyhow!(e))?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.toml", scenario_name(&data))));
    // The importer's own check: what it writes must load as it stands.
    let scenario = Scenario::from_toml_str(&text, &output.display().to_string()).map_err(|e| {
        anyhow!("the imported scenario does not validate (a bug in the importer):\n{e}")
    })?;
    write_new(&output, text.as_bytes(), args.force)?;
    let list = data.check_total.part(Part::Incomplete).band_sum();
    let starts = data.check_total.part(Part::NewPeriods).total_all;
    writeln!(
        io::stdout().lock(),
        "{}: {} specialties, {list} pathways on the list, {starts} clock starts in {} -> {}",
        scenario.name,
        scenario.specialties.len(),
        data.period.label(),
        output.display()
    )?;
    Ok(())
}

/// Writes `path` atomically, refusing to replace a file without `force`.
fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if path.is_dir() {
        bail!(
            "{} is a folder: expected a scenario file name",
            path.display()
        );
    }
    if path.exists() && !force {
        bail!(
            "{} already exists: pass --force to replace it, or -o to write elsewhere",
            path.display()
        );
    }
    write_atomic(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
