//! A batch on a Slurm cluster: `scripts/slurm/submit.sh` runs it as a 4-task job array plus a
//! merge job that waits for the array, and the merged folder must hold the same bytes as the
//! batch run on one machine (manifest timings aside), with every job run by exactly one task.
//! `submit.sh` also checks the batch before it queues anything (a test that needs no cluster).
//!
//! It needs a cluster that answers `sinfo` (`scripts/slurm/local-cluster.sh` starts one on this
//! machine, as root). Without one it is skipped, except when `CI` is set: CI must run it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

const BATCH_NAME: &str = "slurm-small";
const TASKS: usize = 4;
/// 5 points of 3 replications.
const JOBS: usize = 15;
const MERGE_DEADLINE: Duration = Duration::from_secs(300);

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Why no Slurm cluster can take the test's jobs, if none can.
fn no_cluster() -> Option<String> {
    let output = match Command::new("sinfo").args(["-h", "-o", "%T"]).output() {
        Ok(output) => output,
        Err(e) => return Some(format!("sinfo could not be run ({e})")),
    };
    if !output.status.success() {
        return Some(format!(
            "sinfo failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let states = String::from_utf8_lossy(&output.stdout).to_string();
    let usable = states
        .lines()
        .any(|s| ["idle", "mixed", "allocated", "completing"].contains(&s.trim()));
    if usable {
        None
    } else {
        Some(format!(
            "no node of the cluster takes jobs (states: {:?})",
            states.trim()
        ))
    }
}

/// Every file under `root`, as its path relative to `root`, with its bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A manifest without its `timings`, the one part allowed to differ between runs.
fn without_timings(bytes: &[u8], what: &str) -> serde_json::Value {
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
    let object = value
        .as_object_mut()
        .unwrap_or_else(|| panic!("{what}: not a JSON object"));
    assert!(object.remove("timings").is_some(), "{what}: no timings");
    value
}

/// The `scontrol show job` fields of a job, or None once Slurm has forgotten it.
fn job_fields(id: &str) -> Option<BTreeMap<String, String>> {
    let output = Command::new("scontrol")
        .args(["show", "job", "-o", id])
        .output()
        .expect("scontrol runs");
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    // One line per job (an array shows one per task); the merge job is a single job.
    let line = text.lines().next()?;
    Some(
        line.split_whitespace()
            .filter_map(|field| field.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn logs(dir: &Path) -> String {
    let mut text = String::new();
    if let Ok(entries) = fs::read_dir(dir) {
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let body = fs::read_to_string(&path).unwrap_or_default();
            text.push_str(&format!("---- {}\n{body}", path.display()));
        }
    }
    text
}

/// Waits for the merge job to end; panics with the jobs' logs unless it completed.
fn wait_for_merge(merge: &str, array: &str, logs_dir: &Path) {
    let started = Instant::now();
    loop {
        let fields = job_fields(merge);
        let state = fields
            .as_ref()
            .and_then(|f| f.get("JobState").cloned())
            .unwrap_or_else(|| "UNKNOWN (no longer listed)".to_string());
        let reason = fields
            .as_ref()
            .and_then(|f| f.get("Reason").cloned())
            .unwrap_or_default();
        match state.as_str() {
            "COMPLETED" => return,
            "PENDING" | "CONFIGURING" | "RUNNING" | "COMPLETING"
                if reason != "DependencyNeverSatisfied" && started.elapsed() < MERGE_DEADLINE =>
            {
                sleep(Duration::from_millis(500));
            }
            _ => {
                let _ = Command::new("scancel").args([array, merge]).status();
                panic!(
                    "merge job {merge} is {state} (reason {reason}) after {:.0?}; array job {array}: {:?}\n{}",
                    started.elapsed(),
                    job_fields(array),
                    logs(logs_dir)
                );
            }
        }
    }
}

#[test]
fn a_batch_sharded_over_a_slurm_job_array_merges_to_the_single_machine_results() {
    if let Some(why) = no_cluster() {
        if std::env::var_os("CI").is_some() {
            panic!("CI must run the Slurm test, but {why}; start a cluster with scripts/slurm/local-cluster.sh");
        }
        eprintln!("skipped: {why} (as root, scripts/slurm/local-cluster.sh starts one here)");
        return;
    }
    let plansim = env!("CARGO_BIN_EXE_plansim");
    let batch = repo("tests/fixtures/batches/slurm-small.toml");
    // Under the target folder rather than /tmp: on a real cluster the nodes must see it.
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("slurm");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();

    let local = Command::new(plansim)
        .arg("batch")
        .arg(&batch)
        .arg("-o")
        .arg(root.join("local"))
        .arg("-q")
        .output()
        .unwrap();
    assert!(
        local.status.success(),
        "plansim batch on one machine failed:\n{}",
        String::from_utf8_lossy(&local.stderr)
    );

    let cluster = root.join("cluster");
    let submitted = Command::new("bash")
        .arg(repo("scripts/slurm/submit.sh"))
        .args(["--plansim", plansim])
        .arg(&batch)
        .arg(TASKS.to_string())
        .arg(&cluster)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&submitted.stdout).into_owned();
    assert!(
        submitted.status.success(),
        "submit.sh failed:\n{stdout}{}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    let job_id = |label: &str| -> String {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .and_then(|rest| rest.split(':').next())
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no '{label}<id>:' line in submit.sh's output:\n{stdout}"))
            .to_string()
    };
    let array = job_id("array job ");
    let merge = job_id("merge job ");
    wait_for_merge(&merge, &array, &cluster.join("logs"));

    // The 4 tasks wrote 4 shards that together hold every job exactly once.
    let mut holder: BTreeMap<String, usize> = BTreeMap::new();
    for task in 1..=TASKS {
        let jobs = cluster.join(format!("shards/{task}/{BATCH_NAME}/jobs"));
        let own: Vec<String> = files(&jobs)
            .into_keys()
            .filter(|path| path.ends_with(".job"))
            .collect();
        assert!(
            !own.is_empty(),
            "shard {task} ran no job ({})",
            jobs.display()
        );
        for job in own {
            if let Some(other) = holder.insert(job.clone(), task) {
                panic!("job {job} was run by both task {other} and task {task}");
            }
        }
    }
    assert_eq!(
        holder.len(),
        JOBS,
        "the shards ran {} jobs, not the batch's {JOBS}: {:?}",
        holder.len(),
        holder.keys().collect::<Vec<_>>()
    );

    // The merged folder and the one-machine folder, file by file.
    let expected = files(&root.join("local").join(BATCH_NAME));
    let merged = files(&cluster.join(BATCH_NAME));
    let manifests = expected
        .keys()
        .filter(|p| p.ends_with("manifest.json"))
        .count();
    assert!(
        manifests >= 5 && expected.keys().any(|p| p.ends_with("monthly.csv")),
        "too little to compare: {:?}",
        expected.keys().collect::<Vec<_>>()
    );
    let differ = differing_files(&expected, &merged);
    assert!(
        differ.is_empty(),
        "{} of {} files differ between the merged and the one-machine results: {differ:?}",
        differ.len(),
        expected.len()
    );

    // The comparison sees a changed byte and a changed manifest field outside the timings.
    let mut tampered = merged.clone();
    tampered.get_mut("base/monthly.csv").unwrap()[0] ^= 1;
    let manifest = tampered.get_mut("grid-1/manifest.json").unwrap();
    let text = String::from_utf8(manifest.clone()).unwrap();
    *manifest = text
        .replacen("\"replications\": 3", "\"replications\": 4", 1)
        .into_bytes();
    assert_eq!(
        differing_files(&expected, &tampered),
        vec![
            "base/monthly.csv".to_string(),
            "grid-1/manifest.json".to_string()
        ]
    );
}

/// Files that are missing on either side or differ: byte for byte, except manifests, which are
/// compared without their timings.
fn differing_files(
    expected: &BTreeMap<String, Vec<u8>>,
    actual: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut names: Vec<&String> = expected.keys().chain(actual.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|path| match (expected.get(*path), actual.get(*path)) {
            (Some(a), Some(b)) if path.ends_with("manifest.json") => {
                without_timings(a, path) != without_timings(b, path)
            }
            (Some(a), Some(b)) => a != b,
            _ => true,
        })
        .cloned()
        .collect()
}

#[test]
fn a_bad_batch_is_reported_by_submit_sh_and_nothing_is_queued() {
    // Needs no cluster: an `sbatch` that only notes it was called stands first on the PATH.
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("slurm-bad");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();
    let batch = root.join("bad.toml");
    fs::write(
        &batch,
        "name = \"bad\"\n[[scenario]]\nfile = \"missing.toml\"\n",
    )
    .unwrap();
    let fake = root.join("bin");
    fs::create_dir_all(&fake).unwrap();
    let called = root.join("sbatch-was-called");
    let sbatch = fake.join("sbatch");
    fs::write(
        &sbatch,
        format!(
            "#!/bin/sh\ntouch {:?}\nexit 1\n",
            called.display().to_string()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&sbatch, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        fake.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = root.join("out");
    let submitted = Command::new("bash")
        .env("PATH", path)
        .arg(repo("scripts/slurm/submit.sh"))
        .args(["--plansim", env!("CARGO_BIN_EXE_plansim")])
        .arg(&batch)
        .arg("4")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&submitted.stderr);
    assert_eq!(submitted.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("bad.toml:3:1: scenario[0].file = \"missing.toml\": ")
            && stderr.contains("missing.toml does not exist"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the batch does not check (see the message above); nothing was submitted"),
        "{stderr}"
    );
    assert!(submitted.stdout.is_empty(), "no job ids printed");
    assert!(!called.exists(), "sbatch was called");
    assert!(!out.join("logs").exists() && !out.join("shards").exists());
}
