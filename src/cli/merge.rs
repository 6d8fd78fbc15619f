//! `plansim merge`: the shard folders of one batch, checked to hold every job exactly once and
//! intact, merged into one batch folder with the results of a run on one machine.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;

use plansim::batch::{assemble, AssembleOptions, BatchFolder, BatchRecord, JobId, BATCH_RECORD};
use plansim::output::{check_destination, replace_folder, write_atomic};
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

/// The batch folder a merge argument names: itself, or the one batch folder inside it.
fn batch_folder_of(dir: &Path) -> Result<BatchFolder> {
    if dir.join(BATCH_RECORD).exists() {
        return Ok(BatchFolder::new(dir));
    }
    let entries =
        fs::read_dir(dir).with_context(|| format!("{}: cannot read it", dir.display()))?;
    let inside: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(BATCH_RECORD).exists())
        .collect();
    match inside.as_slice() {
        [one] => Ok(BatchFolder::new(one)),
        [] => bail!(
            "{}: not a batch folder: it holds no {BATCH_RECORD}, nor a folder with one (expected a folder written by plansim batch --shard)",
            dir.display()
        ),
        _ => bail!(
            "{}: holds {} batch folders; name the one to merge",
            dir.display(),
            inside.len()
        ),
    }
}

pub fn merge(args: &MergeArgs, invocation: &[String]) -> Result<()> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let inputs: Vec<BatchFolder> = args
        .dirs
        .iter()
        .map(|d| batch_folder_of(d))
        .collect::<Result<_>>()?;
    let records: Vec<BatchRecord> = inputs
        .iter()
        .map(|f| f.read_record())
        .collect::<Result<_, _>>()?;
    let reference = &records[0];
    for (input, record) in inputs.iter().zip(&records).skip(1) {
        let differences = reference.differences(record);
        if !differences.is_empty() {
            bail!(
                "{} and {} are not shards of the same batch: {}",
                inputs[0].path.display(),
                input.path.display(),
                differences.join("; ")
            );
        }
    }

    // Every job exactly once, and intact.
    let mut owner: BTreeMap<JobId, usize> = BTreeMap::new();
    for (i, (input, record)) in inputs.iter().zip(&records).enumerate() {
        for job in input.present_jobs(record) {
            let point = &record.points[job.point].name;
            if let Some(&first) = owner.get(&job) {
                bail!(
                    "replication {} of {point} is in both {} and {}: the shards overlap (were they run with different --shard counts, or one folder given twice?)",
                    job.replication,
                    inputs[first].path.display(),
                    input.path.display()
                );
            }
            input.read_job(record, job).map_err(|why| {
                anyhow!(
                    "{}: {why}; run that shard again with --resume",
                    input.job_path(point, job.replication).display()
                )
            })?;
            owner.insert(job, i);
        }
    }
    let all = reference.jobs();
    let missing: Vec<(usize, JobId)> = all
        .iter()
        .enumerate()
        .filter(|(_, j)| !owner.contains_key(j))
        .map(|(i, j)| (i, *j))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing
            .iter()
            .take(5)
            .map(|(position, j)| {
                let shard = records
                    .iter()
                    .find_map(|r| r.shard)
                    .map(|s| {
                        let index = (*position as u32) % s.count + 1;
                        format!(" (shard {index}/{})", s.count)
                    })
                    .unwrap_or_default();
                format!(
                    "replication {} of {}{shard}",
                    j.replication, reference.points[j.point].name
                )
            })
            .collect();
        bail!(
            "the shards hold {} of the batch's {} jobs: missing {}{}; finish the shards that lack them (plansim batch ... --shard I/N --resume), then merge again",
            owner.len(),
            all.len(),
            shown.join(", "),
            if missing.len() > shown.len() { format!(" and {} more", missing.len() - shown.len()) } else { String::new() }
        );
    }

    let target = args.output.join(&reference.batch);
    // Taken once the shards are known good, so that a refused merge leaves nothing behind.
    let _lock = lock(&target)?;
    check_destination(&args.output, &reference.batch, args.write.force)?;
    fs::create_dir_all(&args.output)
        .with_context(|| format!("{}: cannot create it", args.output.display()))?;
    let staging = args.output.join(format!(
        ".{}.partial-{}",
        reference.batch,
        std::process::id()
    ));
    if staging.exists() {
        fs::remove_dir_all(&staging)
            .with_context(|| format!("{}: cannot remove it", staging.display()))?;
    }
    let merged = BatchFolder::new(&staging);
    let result = (|| -> Result<()> {
        let mut record = reference.clone();
        record.shard = None;
        record.complete = false;
        record.files.clear();
        merged.copy_inputs_from(&inputs[0], &record)?;
        merged.write_record(&record)?;
        for (job, &i) in &owner {
            let point = &record.points[job.point].name;
            let from = inputs[i].job_path(point, job.replication);
            let bytes =
                fs::read(&from).with_context(|| format!("{}: cannot read it", from.display()))?;
            write_atomic(&merged.job_path(point, job.replication), &bytes)?;
        }
        let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
        let options = AssembleOptions {
            plots: !args.write.no_plots,
            started,
            wall_seconds: clock.elapsed().as_secs_f64(),
            threads: 1,
            invocation: invocation.to_vec(),
            times: Vec::new(),
        };
        let bar = writing_bar(record.points.len(), !args.write.quiet);
        assemble(&merged, &record, &catalogue, &options, &mut |_| bar.inc(1))
            .map_err(|e| anyhow!(e))?;
        bar.finish_and_clear();
        replace_folder(&staging, &target)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    if !args.write.quiet {
        let header = format!(
            "batch {}: merged {} jobs from {} folders -> {}",
            reference.batch,
            owner.len(),
            inputs.len(),
            target.display()
        );
        print_summary(&BatchFolder::new(&target), &header)?;
    }
    Ok(())
}
