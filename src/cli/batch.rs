//! `plansim batch`: a batch file's jobs run on this machine (all of them, or one shard's), each
//! saved as it finishes; results assembled from the saved jobs.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use plansim::batch::{
    assemble, check_output_root, load_batch, plan_folder, remove_folder, run_pending,
    AssembleOptions, Batch, BatchFolder, BatchRecord, FolderPlan, Shard,
};
use plansim::experiment::memory::{
    estimate_batch_memory, memory_limit, peak_memory, MemoryEstimate,
};
use plansim::experiment::{ExperimentOptions, ProgressSpec};
use plansim::output::{is_locked, OutputError};
use plansim::targets::Catalogue;
use plansim::util::fmt::{human_bytes, human_duration};

use super::common::{install_stop_handler, lock, refuse_if_too_big, Interrupted};
use super::flags::{OutputDir, Threads, WriteFlags};

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The batch file (TOML): scenario points and sweeps; see docs/guide/batches.md.
    #[arg(value_name = "BATCH")]
    file: PathBuf,
    #[command(flatten)]
    output: OutputDir,
    /// Finish an interrupted batch: run only the jobs not yet saved. Without an earlier run,
    /// starts one.
    #[arg(long)]
    resume: bool,
    /// Run only shard I of N (I from 1), a deterministic share of the jobs, to merge later
    /// with `plansim merge`; `auto` reads a Slurm array task or Kubernetes Indexed Job index.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    #[command(flatten)]
    threads: Threads,
    #[command(flatten)]
    write: WriteFlags,
    /// Without a terminal, print a progress line every SECONDS (a bar is drawn on a terminal).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    log_every: u64,
    /// Check everything and say what would run (points, jobs, memory, what the output folder
    /// holds), then stop: nothing runs and nothing is written. With -q, only the check.
    #[arg(long)]
    dry_run: bool,
}

pub fn batch(args: &BatchArgs, invocation: &[String]) -> Result<()> {
    let batch = load_batch(&args.file).map_err(|problems| anyhow!(problems.join("\n")))?;
    let shard = match args.shard.as_deref() {
        None => None,
        Some("auto") => {
            Some(Shard::from_env(|name| std::env::var(name).ok()).map_err(|e| anyhow!(e))?)
        }
        Some(text) => Some(Shard::parse(text).map_err(|e| anyhow!(e))?),
    };
    if args.dry_run {
        return dry_run(&batch, shard, args);
    }
    refuse_if_too_big(
        &format!("{}: the batch", args.file.display()),
        &batch_memory(&batch, shard, &args.threads),
        "Lower the batch's (or its points') scale, months or replications, or use fewer threads \
         (-j 1)",
    )?;
    for warning in &batch.warnings {
        eprintln!("warning: {warning}");
    }
    let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
    let record = BatchRecord::new(&batch, shard);
    let folder = BatchFolder::new(args.output.output.join(&batch.name));
    // Two processes on one folder would each run the missing jobs and write the results at
    // the same time.
    let _lock = lock(&folder.path)?;
    let was_complete = match plan_folder(&folder, &record, args.write.force, args.resume)? {
        FolderPlan::Start => false,
        FolderPlan::Replace => {
            remove_folder(&folder.path)?;
            false
        }
        FolderPlan::Continue { complete } => complete,
    };
    let own = record.own_jobs();
    let scan = folder.scan(&record, &own);
    if was_complete && scan.missing.is_empty() {
        if !args.write.quiet {
            println!(
                "{}: batch {} is already complete; nothing to do",
                folder.path.display(),
                batch.name
            );
        }
        return Ok(());
    }
    folder.prepare(&batch, &record)?;
    // From here on the jobs read their scenarios from the folder, so memory holds no point's
    // scenario but those running.
    let name = batch.name.clone();
    drop(batch);
    for (path, why) in &scan.damaged {
        eprintln!("note: {}: {why}; running that job again", path.display());
    }
    let stop = install_stop_handler("no new job starts; the jobs done are saved");
    let options = ExperimentOptions {
        threads: args.threads.option(),
        progress: !args.write.quiet,
        stop: Some(stop.clone()),
    };
    let progress = ProgressSpec {
        unit: "jobs",
        already_done: scan.finished.len(),
        log_every: Some(Duration::from_secs(args.log_every)),
    };
    let pending = scan.missing.clone();
    let run = run_pending(&folder, &record, pending.clone(), &options, &progress)?;
    let done = scan.finished.len() + run.saved;
    if run.jobs.interrupted {
        return Err(Interrupted(format!(
            "interrupted: {done} of {} jobs{} are done and saved in {}; run the same command with \
             --resume to finish the rest",
            own.len(),
            shard.map(|s| format!(" of shard {s}")).unwrap_or_default(),
            folder.path.display()
        ))
        .into());
    }

    if let Some(shard) = shard {
        let mut record = record;
        record.complete = true;
        folder.write_record(&record)?;
        if !args.write.quiet {
            println!(
                "shard {shard} of batch {name}: {} jobs done -> {}\nmerge the shards with: plansim merge <the {} shard folders> -o DIR",
                own.len(),
                folder.path.display(),
                shard.count
            );
        }
        return Ok(());
    }
    let options = AssembleOptions {
        plots: !args.write.no_plots,
        started: run.jobs.started,
        wall_seconds: run.jobs.wall_seconds,
        threads: run.jobs.threads,
        invocation: invocation.to_vec(),
        times: run.times,
    };
    let bar = writing_bar(record.points.len(), !args.write.quiet);
    assemble(&folder, &record, &catalogue, &options, &mut |_| bar.inc(1))
        .map_err(|e| anyhow!(e))?;
    bar.finish_and_clear();
    if !args.write.quiet {
        let header = format!(
            "batch {name}: ran {} jobs in {}{} -> {}",
            pending.len(),
            human_duration(run.jobs.wall_seconds),
            peak_memory()
                .map(|b| format!(", peak memory {}", human_bytes(b)))
                .unwrap_or_default(),
            folder.path.display()
        );
        print_summary(&folder, &header)?;
    }
    Ok(())
}

/// The peak memory of running this machine's jobs of the batch: a job per thread, each at most
/// as big as one of the largest point's, and one point's results.
fn batch_memory(batch: &Batch, shard: Option<Shard>, threads: &Threads) -> MemoryEstimate {
    let jobs = BatchRecord::new(batch, shard).own_jobs().len();
    estimate_batch_memory(
        batch.size.patients_per_replication,
        batch.size.point_results,
        jobs,
        threads.count(),
    )
}

/// `plansim batch --dry-run`: everything the command checks before it runs a job, and what it
/// would run, on stdout; writes nothing. A folder the real command would refuse gives the same
/// error. Memory is reported, not refused: a batch is often checked on one machine (a login
/// node) and run on others.
fn dry_run(batch: &Batch, shard: Option<Shard>, args: &BatchArgs) -> Result<()> {
    let record = BatchRecord::new(batch, shard);
    let folder = BatchFolder::new(args.output.output.join(&batch.name));
    let own = record.own_jobs();
    check_output_root(&args.output.output)?;
    if is_locked(&folder.path) {
        return Err(OutputError::Busy {
            folder: folder.path,
        }
        .into());
    }
    let shown = folder.path.display();
    let state = match plan_folder(&folder, &record, args.write.force, args.resume)? {
        FolderPlan::Start => format!("{shown}: new; the command would run all {} jobs", own.len()),
        FolderPlan::Replace => format!(
            "{shown}: exists; --force would delete it, and everything in it, and run all {} jobs",
            own.len()
        ),
        FolderPlan::Continue { complete } => {
            let scan = folder.scan_readonly(&record, &own);
            if complete && scan.missing.is_empty() {
                format!("{shown}: already complete; the command would do nothing")
            } else {
                let damaged = match scan.damaged.len() {
                    0 => String::new(),
                    n => format!(" ({n} of them to replace damaged job files)"),
                };
                format!(
                    "{shown}: {} of {} jobs saved; the command would run the other {}{damaged}",
                    scan.finished.len(),
                    own.len(),
                    scan.missing.len()
                )
            }
        }
    };
    // A bad PLANSIM_MEMORY_LIMIT is refused even with -q, as the run would refuse it.
    let limit = memory_limit().map_err(|e| anyhow!(e))?;
    for warning in &batch.warnings {
        eprintln!("warning: {warning}");
    }
    if args.write.quiet {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    let total: u64 = batch.points.iter().map(|p| u64::from(p.replications)).sum();
    writeln!(
        out,
        "batch {}: {} scenario points, {total} jobs{}",
        batch.name,
        batch.points.len(),
        shard
            .map(|s| format!("; shard {s} runs {} of them", own.len()))
            .unwrap_or_default()
    )?;
    let width = batch.points.iter().map(|p| p.name.len()).max().unwrap_or(0);
    writeln!(out, "  {:<width$}  replications  settings", "point")?;
    for point in &batch.points {
        let line = format!(
            "  {:<width$}  {:>12}  {}",
            point.name,
            point.replications,
            point.settings_text()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let estimate = batch_memory(batch, shard, &args.threads);
    let limit = match limit {
        Some(limit) if estimate.total_bytes > limit.bytes => format!(
            "; more than the {} {}, so the command would refuse to start here",
            human_bytes(limit.bytes),
            limit.source
        ),
        Some(limit) => format!("; {} {}", human_bytes(limit.bytes), limit.source),
        None => String::new(),
    };
    writeln!(
        out,
        "memory: about {} with {} job(s) at a time (a job of {} is about {}){limit}",
        human_bytes(estimate.total_bytes),
        estimate.concurrent,
        batch.size.largest_point,
        human_bytes(estimate.bytes_per_replication),
    )?;
    writeln!(out, "output: {state}")?;
    writeln!(out, "dry run: nothing was run or written")?;
    Ok(())
}

/// A bar for writing the points' results (plots take a second or so each), on a terminal only.
pub(super) fn writing_bar(points: usize, wanted: bool) -> ProgressBar {
    if !wanted || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(points as u64), ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{bar:40} {pos}/{len} points' results written, ETA {eta}")
            .expect("the template is valid");
    bar.set_style(style);
    bar
}

/// `header`, then the top of summary.txt (the ranking).
pub(super) fn print_summary(folder: &BatchFolder, header: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{header}")?;
    // The ranking, cut short for big batches: summary.txt has it all.
    let summary = fs::read_to_string(folder.path.join("summary.txt")).unwrap_or_default();
    const SHOWN: usize = 30;
    let lines: Vec<&str> = summary.lines().collect();
    for line in lines.iter().take(SHOWN) {
        writeln!(out, "  {line}")?;
    }
    if lines.len() > SHOWN {
        writeln!(
            out,
            "  ... ({} more lines in summary.txt)",
            lines.len() - SHOWN
        )?;
    }
    Ok(())
}
