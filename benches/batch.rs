//! Batch throughput: jobs per hour of the ICB example through `plansim batch`, on 1 and 2
//! threads, and the speed-up between them.
//!
//! `cargo bench --bench batch` runs the release binary on a batch of one point (the ICB
//! example, 12 months) with `JOBS` replications, `--no-plots`, three times per thread count, and
//! prints the faster of each: the whole command, job saving and result files included.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const JOBS: u32 = 32;
const RUNS: usize = 3;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-batch");
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).expect("a scratch folder");
    let batch = scratch.join("icb-jobs.toml");
    fs::write(
        &batch,
        format!(
            "name = \"icb-jobs\"\nreplications = {JOBS}\n\n[[scenario]]\nfile = {:?}\n",
            root.join("scenarios/example-icb.toml")
        ),
    )
    .expect("the batch file");

    let mut per_hour = Vec::new();
    for threads in [1, 2] {
        let mut best = f64::INFINITY;
        for run in 0..RUNS {
            let out = scratch.join(format!("out-{threads}-{run}"));
            let started = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_plansim"))
                .args([
                    "batch",
                    "-q",
                    "--no-plots",
                    "-j",
                    &threads.to_string(),
                    "-o",
                ])
                .arg(&out)
                .arg(&batch)
                .status()
                .expect("plansim runs");
            assert!(status.success(), "plansim batch failed");
            best = best.min(started.elapsed().as_secs_f64());
        }
        let jobs_per_hour = f64::from(JOBS) * 3600.0 / best;
        println!(
            "batch/example-icb: {JOBS} jobs on {threads} thread(s): {best:.2} s, {jobs_per_hour:.0} jobs per hour"
        );
        per_hour.push(jobs_per_hour);
    }
    println!(
        "batch/example-icb: speed-up from 1 to 2 threads: {:.2}",
        per_hour[1] / per_hour[0]
    );
}
