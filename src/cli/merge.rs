//! `plansim merge`: the shard folders of one batch, checked to hold every job exactly once and
//! intact, merged into one batch folder with the results of a run on one machine.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};
use clap::Args;

use plansim::batch::{BatchFolder, MergeOptions, Shards};
use plansim::targets::Catalogue;

use super::batch::{print_summary, writing_bar};
use super::common::lock;
use super::flags::WriteFlags;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders of one batch (DIR/<batch name>, or a DIR holding exactly one batch).
    #[arg(required = true, value_name = "BATCH_DIR")]
    dirs: Vec<PathBuf>,
    /// Folder for the merged results: writes DIR/<batch name>/.
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    output: PathBuf,
    #[command(flatten)]
    write: WriteFlags,
}

pub fn merge(args: &MergeArgs, invocation: &[String]) -> Result<()> {
    let options = MergeOptions {
        force: args.write.force,
        plots: !args.write.no_plots,
        started: SystemTime::now(),
        clock: Instant::now(),
        invocation: invocation.to_vec(),
    };
    let shards = Shards::open(&args.dirs)?;
    // Taken once the shards are known good, so that a refused merge leaves nothing behind.
    let _lock = lock(&args.output.join(shards.batch()))?;
    let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
    let bar = writing_bar(shards.points(), !args.write.quiet);
    let merged = shards.merge(&args.output, &catalogue, &options, &mut |_| bar.inc(1))?;
    bar.finish_and_clear();
    if !args.write.quiet {
        let header = format!(
            "batch {}: merged {} jobs from {} folders -> {}",
            shards.batch(),
            shards.jobs(),
            shards.folders(),
            merged.display()
        );
        print_summary(&BatchFolder::new(&merged), &header)?;
    }
    Ok(())
}
