//! `plansim batch` and `plansim merge`: a batch file's jobs run on this machine (all of them,
//! or one shard's), each saved as it finishes; results assembled from the saved jobs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use plansim::batch::{
    assemble, load_batch, AssembleOptions, Batch, BatchFolder, BatchRecord, JobId, PointTimes,
    Shard, BATCH_RECORD,
};
use plansim::experiment::memory::{
    estimate_batch_memory, memory_limit, peak_memory, MemoryEstimate,
};
use plansim::experiment::{run_jobs, ExperimentOptions, ProgressSpec};
use plansim::model::run_replication;
use plansim::output::{check_destination, is_locked, replace_folder, write_atomic, OutputError};
use plansim::scenario::Scenario;
use plansim::targets::Catalogue;
use plansim::util::fmt::{human_bytes, human_duration};

use super::{install_stop_handler, lock, refuse_if_too_big, threads_to_use, Interrupted};

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The batch file (TOML): scenario points and sweeps; see the README.
    #[arg(value_name = "BATCH")]
    file: PathBuf,
    /// Folder for the results: the batch writes DIR/<batch name>/.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "output"
    )]
    output: PathBuf,
    /// Finish an interrupted batch: run only the jobs not yet saved. Without an earlier run,
    /// starts one.
    #[arg(long)]
    resume: bool,
    /// Run only shard I of N (I from 1), a deterministic share of the jobs, to merge later
    /// with `plansim merge`; `auto` reads a Slurm array task or Kubernetes Indexed Job index.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// Worker threads [default: one per core]. Results do not depend on it.
    #[arg(short = 'j', long = "threads", value_name = "THREADS", value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Start again, replacing DIR/<batch name>/ and any jobs saved in it.
    #[arg(long)]
    force: bool,
    /// No progress and no summary.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Do not draw plots.
    #[arg(long)]
    no_plots: bool,
    /// Without a terminal, print a progress line every SECONDS (a bar is drawn on a terminal).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    log_every: u64,
    /// Check everything and say what would run (points, jobs, memory, what the output folder
    /// holds), then stop: nothing runs and nothing is written. With -q, only the check.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders of one batch (DIR/<batch name>, or a DIR holding exactly one batch).
    #[arg(required = true, value_name = "BATCH_DIR")]
    dirs: Vec<PathBuf>,
    /// Folder for the merged results: writes DIR/<batch name>/.
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    output: PathBuf,
    /// Replace DIR/<batch name>/ if it exists.
    #[arg(long)]
    force: bool,
    /// No summary.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Do not draw plots.
    #[arg(long)]
    no_plots: bool,
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
        &batch_memory(&batch, shard, args.threads),
        "Lower the batch's (or its points') scale, months or replications, or use fewer threads \
         (-j 1)",
    )?;
    for warning in &batch.warnings {
        eprintln!("warning: {warning}");
    }
    let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
    let record = BatchRecord::new(&batch, shard);
    let folder = BatchFolder::new(args.output.join(&batch.name));
    // Two processes on one folder would each run the missing jobs and write the results at
    // the same time.
    let _lock = lock(&folder.path)?;
    let was_complete = match plan_folder(&folder, &record, args)? {
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
        if !args.quiet {
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
        threads: args.threads.map(|n| n as usize),
        progress: !args.quiet,
        stop: Some(stop.clone()),
    };
    let progress = ProgressSpec {
        unit: "jobs",
        already_done: scan.finished.len(),
        log_every: Some(Duration::from_secs(args.log_every)),
    };
    let pending = scan.missing.clone();
    let (run, times) = run_pending(&folder, &record, pending.clone(), &options, &progress)?;
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
        if !args.quiet {
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
        plots: !args.no_plots,
        started: run.jobs.started,
        wall_seconds: run.jobs.wall_seconds,
        threads: run.jobs.threads,
        invocation: invocation.to_vec(),
        times,
    };
    let bar = writing_bar(record.points.len(), !args.quiet);
    assemble(&folder, &record, &catalogue, &options, &mut |_| bar.inc(1))
        .map_err(|e| anyhow!(e))?;
    bar.finish_and_clear();
    if !args.quiet {
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
fn batch_memory(batch: &Batch, shard: Option<Shard>, threads: Option<u32>) -> MemoryEstimate {
    let jobs = BatchRecord::new(batch, shard).own_jobs().len();
    estimate_batch_memory(
        batch.size.patients_per_replication,
        batch.size.point_results,
        jobs,
        threads_to_use(threads),
    )
}

/// `plansim batch --dry-run`: everything the command checks before it runs a job, and what it
/// would run, on stdout; writes nothing. A folder the real command would refuse gives the same
/// error. Memory is reported, not refused: a batch is often checked on one machine (a login
/// node) and run on others.
fn dry_run(batch: &Batch, shard: Option<Shard>, args: &BatchArgs) -> Result<()> {
    let record = BatchRecord::new(batch, shard);
    let folder = BatchFolder::new(args.output.join(&batch.name));
    let own = record.own_jobs();
    check_output_root(&args.output)?;
    if is_locked(&folder.path) {
        return Err(OutputError::Busy {
            folder: folder.path,
        }
        .into());
    }
    let shown = folder.path.display();
    let state = match plan_folder(&folder, &record, args)? {
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
    if args.quiet {
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
    let estimate = batch_memory(batch, shard, args.threads);
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

/// What the command will do with DIR/<batch name>/.
enum FolderPlan {
    /// Start the batch in it (it does not exist, or is empty).
    Start,
    /// Replace it (--force).
    Replace,
    /// Carry on with the batch it holds (--resume); `complete` when every job of the folder's
    /// share was done and its results written.
    Continue { complete: bool },
}

/// Decides what DIR/<batch name>/ means for this command, changing nothing: refuses what would
/// lose work or mix two batches. The dry run and the real run both decide here, so a dry run
/// refuses exactly what the run would.
fn plan_folder(folder: &BatchFolder, record: &BatchRecord, args: &BatchArgs) -> Result<FolderPlan> {
    let path = &folder.path;
    if !path.exists() {
        return Ok(FolderPlan::Start);
    }
    if !path.is_dir() {
        bail!(
            "{}: exists and is not a folder; remove it or choose another output folder with -o",
            path.display()
        );
    }
    if args.force {
        return Ok(FolderPlan::Replace);
    }
    if !folder.record_path().exists() {
        if fs::read_dir(path)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
        {
            return Ok(FolderPlan::Start);
        }
        bail!(
            "{}: exists and is not a batch folder (no {BATCH_RECORD}); choose another output folder with -o, or pass --force to replace it",
            path.display()
        );
    }
    let existing = folder.read_record()?;
    if !args.resume {
        if existing.complete && existing.shard.is_none() {
            bail!(
                "{}: already holds the complete results of batch {}; pass --force to run it again, or -o to write elsewhere",
                path.display(),
                existing.batch
            );
        }
        let saved = folder.present_jobs(&existing).len();
        bail!(
            "{}: holds an unfinished batch ({saved} of {} jobs saved); pass --resume to finish it, or --force to start again",
            path.display(),
            existing.jobs
        );
    }
    let differences = existing.differences(record);
    if !differences.is_empty() {
        bail!(
            "{}: cannot resume: {}. Resuming would mix results of different batches: run it with --force to start again, or -o to write elsewhere",
            path.display(),
            differences.join("; ")
        );
    }
    if existing.shard != record.shard {
        let show =
            |s: Option<Shard>| s.map_or_else(|| "all jobs".to_string(), |s| format!("shard {s}"));
        bail!(
            "{}: cannot resume: it was run as {}, not {}; resume with the same --shard",
            path.display(),
            show(existing.shard),
            show(record.shard)
        );
    }
    Ok(FolderPlan::Continue {
        complete: existing.complete,
    })
}

/// Refuses an output folder (-o) that is a file, as taking the lock would.
fn check_output_root(root: &Path) -> Result<()> {
    if root.exists() && !root.is_dir() {
        return Err(OutputError::NotAFolder {
            path: root.to_path_buf(),
        }
        .into());
    }
    Ok(())
}

/// Removes a folder that --force replaces: moved aside first, so that what is left after an
/// interruption is plainly not a result.
fn remove_folder(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = path.with_file_name(format!(".{name}.old-{}", std::process::id()));
    fs::rename(path, &aside).with_context(|| format!("{}: cannot replace it", path.display()))?;
    fs::remove_dir_all(&aside).with_context(|| format!("{}: cannot remove it", aside.display()))
}

struct PendingRun {
    jobs: plansim::experiment::JobsRun,
    saved: usize,
}

/// Runs `pending` and saves each job as it finishes; a job that fails or cannot be saved stops
/// the run with its error (the jobs saved before it stay saved).
fn run_pending(
    folder: &BatchFolder,
    record: &BatchRecord,
    pending: Vec<JobId>,
    options: &ExperimentOptions,
    progress: &ProgressSpec,
) -> Result<(PendingRun, Vec<PointTimes>)> {
    let mut times = vec![PointTimes::default(); record.points.len()];
    let mut saved = 0;
    let mut failure: Option<anyhow::Error> = None;
    let shared = Arc::new((folder.clone(), record.clone()));
    let jobs = run_jobs(
        pending,
        options,
        progress,
        move |job: &JobId| {
            let (folder, record) = &*shared;
            let scenario = scenario_of(folder, record, job.point)?;
            Ok::<_, String>((*job, run_replication(&scenario, job.replication)))
        },
        |_, outcome| {
            let point_name = |job: JobId| record.points[job.point].name.clone();
            match outcome {
                Ok((Ok((job, result)), seconds)) => match folder.write_job(record, job, &result) {
                    Ok(()) => {
                        saved += 1;
                        let t = &mut times[job.point];
                        t.seconds += seconds;
                        t.events += result.events;
                        t.patients += result.patients;
                        true
                    }
                    Err(e) => {
                        failure = Some(anyhow!(
                            "replication {} of {}: could not save it: {e}; the {saved} jobs saved before it are kept (finish with --resume)",
                            job.replication,
                            point_name(job)
                        ));
                        false
                    }
                },
                Ok((Err(message), _)) => {
                    failure = Some(anyhow!("{message}; the {saved} jobs saved are kept"));
                    false
                }
                Err(message) => {
                    failure = Some(anyhow!(
                        "a job failed: {message} (this is a bug in plansim; please report it with the batch file); the {saved} jobs saved are kept"
                    ));
                    false
                }
            }
        },
    )?;
    if let Some(failure) = failure {
        return Err(failure);
    }
    Ok((PendingRun { jobs, saved }, times))
}

thread_local! {
    /// The scenario this worker last ran, by its hash: jobs start in order, so a worker's
    /// consecutive jobs are mostly of one point, and it builds each scenario about once.
    static LAST_SCENARIO: RefCell<Option<(String, Arc<Scenario>)>> = const { RefCell::new(None) };
}

fn scenario_of(
    folder: &BatchFolder,
    record: &BatchRecord,
    point: usize,
) -> Result<Arc<Scenario>, String> {
    let point = &record.points[point];
    let cached = LAST_SCENARIO.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(hash, _)| *hash == point.scenario_hash)
            .map(|(_, s)| Arc::clone(s))
    });
    if let Some(scenario) = cached {
        return Ok(scenario);
    }
    let scenario = Arc::new(folder.read_scenario(point)?);
    LAST_SCENARIO.with(|last| {
        *last.borrow_mut() = Some((point.scenario_hash.clone(), Arc::clone(&scenario)))
    });
    Ok(scenario)
}

/// A bar for writing the points' results (plots take a second or so each), on a terminal only.
fn writing_bar(points: usize, wanted: bool) -> ProgressBar {
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
fn print_summary(folder: &BatchFolder, header: &str) -> Result<()> {
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
    check_destination(&args.output, &reference.batch, args.force)?;
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
            plots: !args.no_plots,
            started,
            wall_seconds: clock.elapsed().as_secs_f64(),
            threads: 1,
            invocation: invocation.to_vec(),
            times: Vec::new(),
        };
        let bar = writing_bar(record.points.len(), !args.quiet);
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
    if !args.quiet {
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

/// Verifies a batch folder: complete, every job file intact, every point's result folder and
/// every batch-level file matching the checksums recorded. Returns the problems found.
pub fn check_batch_folder(out: &mut impl Write, dir: &Path) -> Result<Vec<String>> {
    let shown = dir.display();
    let folder = BatchFolder::new(dir);
    let record = match folder.read_record() {
        Ok(record) => record,
        Err(e) => return Ok(vec![e.to_string()]),
    };
    let mut problems = Vec::new();
    let scan = folder.scan_readonly(&record, &record.own_jobs());
    for (path, why) in &scan.damaged {
        problems.push(format!("{}: {why}", path.display()));
    }
    if let Some(shard) = record.shard {
        if scan.missing.is_empty() {
            writeln!(
                out,
                "{shown}: shard {shard} of batch {:?}: its {} jobs are saved and intact; merge the shards with plansim merge",
                record.batch,
                scan.finished.len()
            )?;
        } else {
            problems.push(format!(
                "{shown}: shard {shard} of batch {:?} holds {} of its {} jobs; finish it with plansim batch ... --shard {shard} --resume",
                record.batch,
                scan.finished.len(),
                scan.finished.len() + scan.missing.len()
            ));
        }
        return Ok(problems);
    }
    if !record.complete {
        problems.push(format!(
            "{shown}: batch {:?} is not complete: {} of {} jobs are saved; finish it with plansim batch {} --resume",
            record.batch,
            scan.finished.len(),
            record.jobs,
            record.batch_file
        ));
        return Ok(problems);
    }
    for point in &record.points {
        problems.extend(super::check_result_folder(out, &dir.join(&point.name))?);
    }
    for (name, expected) in &record.files {
        let path = dir.join(name);
        match fs::read(&path) {
            Ok(bytes) if plansim::output::sha256_hex(&bytes) == *expected => {}
            Ok(_) => problems.push(format!(
                "{}: checksum does not match {BATCH_RECORD}: the file changed or was damaged after plansim wrote it",
                path.display()
            )),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if problems.is_empty() {
        writeln!(
            out,
            "{shown}: complete batch {:?}: {} points, {} jobs intact, {} batch files match their checksums",
            record.batch,
            record.points.len(),
            scan.finished.len(),
            record.files.len()
        )?;
    }
    Ok(problems)
}
