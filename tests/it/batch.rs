//! `plansim batch` and `plansim merge` through the command line: a batch's results equal its
//! points run alone, whatever the threads; a batch killed at random moments and resumed gives
//! the same bytes as one run straight through; shards merged give the same bytes as one
//! machine; changed inputs are refused on resume; progress shows in logs; memory stays flat as
//! the batch grows.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::{self, plansim};

const SMALL: &str = "tests/fixtures/batches/small.toml";

fn scratch(name: &str) -> PathBuf {
    support::scratch("batch", name)
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `root` (hidden temporaries excluded), by relative path, with manifests'
/// `timings` removed: the one part allowed to differ between runs.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let mut bytes = fs::read(&path).unwrap();
            if name == "manifest.json" {
                let mut manifest: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                manifest.as_object_mut().unwrap().remove("timings");
                bytes = serde_json::to_vec(&manifest).unwrap();
            }
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(relative, bytes);
        }
    }
    files
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&ta),
        names(&tb),
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    for (name, bytes) in &ta {
        assert!(
            bytes == &tb[name],
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn run_batch(file: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    plansim()
        .args(["batch", file, "-q", "-o"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_batch_gives_each_point_the_results_of_running_it_alone_whatever_the_threads() {
    let one = scratch("threads-1");
    let two = scratch("threads-2");
    assert!(run_batch(SMALL, &one, &["-j", "1"]).status.success());
    assert!(run_batch(SMALL, &two, &["-j", "2"]).status.success());
    assert_same_tree(&one.join("small"), &two.join("small"));

    let batch = one.join("small");
    let record: serde_json::Value =
        serde_json::from_slice(&fs::read(batch.join("batch.json")).unwrap()).unwrap();
    assert_eq!(record["complete"], true);
    assert_eq!(record["jobs"], 15);
    let names: Vec<&str> = record["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["base", "grid-1", "grid-2", "grid-3", "grid-4"]);
    // The grid: the first key varies slowest.
    assert_eq!(
        record["points"][2]["parameters"],
        serde_json::json!([
            ["referrals.per_day", "50000"],
            ["simulation.booking_policy", "\"longest_wait_first\""]
        ])
    );

    // A point's results are those of `plansim run` on its resolved scenario.
    let alone = scratch("alone");
    plansim()
        .args(["run", "-q", "--no-plots", "-o"])
        .arg(&alone)
        .arg(batch.join("jobs/grid-3/scenario.toml"))
        .assert()
        .success();
    for file in [
        "monthly.csv",
        "summary.csv",
        "targets.csv",
        "waits.csv",
        "finance.csv",
    ] {
        assert_eq!(
            fs::read(batch.join("grid-3").join(file)).unwrap(),
            fs::read(alone.join("grid-3").join(file)).unwrap(),
            "{file}"
        );
    }
    let scenario = fs::read_to_string(batch.join("grid-3/scenario.toml")).unwrap();
    assert!(scenario.contains("per_day = 60000"), "{scenario}");
    assert!(scenario.contains("booking_policy = \"priority_then_longest_wait\""));

    // Every point folder verifies, and the batch files are listed in comparison.csv.
    for name in &names {
        plansim()
            .arg("check")
            .arg(batch.join(name))
            .assert()
            .success();
    }
    let comparison = fs::read_to_string(batch.join("comparison.csv")).unwrap();
    for name in &names {
        assert!(
            comparison
                .lines()
                .any(|l| l.starts_with(&format!("{name},"))),
            "{name}"
        );
    }
    let summary = fs::read_to_string(batch.join("summary.txt")).unwrap();
    assert!(
        summary.contains("Batch small: 5 scenario points, 15 jobs"),
        "{summary}"
    );

    // `plansim check` verifies the whole batch folder, and finds a changed byte.
    let checked = plansim().arg("check").arg(&batch).output().unwrap();
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(String::from_utf8_lossy(&checked.stdout)
        .contains("complete batch \"small\": 5 points, 15 jobs intact, 3 batch files match"));
    let damaged = two.join("small");
    let mut bytes = fs::read(damaged.join("comparison.csv")).unwrap();
    bytes[100] ^= 1;
    fs::write(damaged.join("comparison.csv"), bytes).unwrap();
    let job = damaged.join("jobs/base/r0002.job");
    let cut = fs::read(&job).unwrap();
    fs::write(&job, &cut[..cut.len() - 1]).unwrap();
    let refused = plansim().arg("check").arg(&damaged).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert!(
        err.contains("comparison.csv: checksum does not match batch.json"),
        "{err}"
    );
    assert!(
        err.contains("r0002.job: its checksum does not match"),
        "{err}"
    );
}

#[test]
fn shards_merged_equal_one_machine_and_overlaps_or_gaps_are_refused() {
    let whole = scratch("shards-whole");
    assert!(run_batch(SMALL, &whole, &["--no-plots"]).status.success());
    let root = scratch("shards");
    let mut shard_dirs = Vec::new();
    for i in 1..=3 {
        let dir = root.join(format!("s{i}"));
        let shard = format!("{i}/3");
        let out = run_batch(SMALL, &dir, &["--shard", &shard, "--no-plots"]);
        assert!(out.status.success(), "{}", stderr(&out));
        shard_dirs.push(dir);
    }
    // Each shard holds its own jobs: 15 in all, none twice.
    let count = |dir: &Path| {
        tree(&dir.join("small"))
            .keys()
            .filter(|k| k.ends_with(".job"))
            .count()
    };
    let counts: Vec<usize> = shard_dirs.iter().map(|d| count(d)).collect();
    assert_eq!(counts, [5, 5, 5]);
    assert!(
        !shard_dirs[0].join("small/comparison.csv").exists(),
        "a shard assembles nothing"
    );

    let merged = root.join("merged");
    plansim()
        .args(["merge", "-q", "--no-plots"])
        .args(&shard_dirs)
        .arg("-o")
        .arg(&merged)
        .assert()
        .success();
    assert_same_tree(&whole.join("small"), &merged.join("small"));

    let refused = plansim()
        .args(["merge", "-q"])
        .args(&shard_dirs[..2])
        .arg("-o")
        .arg(root.join("gap"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("the shards hold 10 of the batch's 15 jobs: missing"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("(shard 3/3)"),
        "{}",
        stderr(&refused)
    );
    assert!(!root.join("gap/small").exists());
    let twice = plansim()
        .args(["merge", "-q"])
        .args([
            &shard_dirs[0],
            &shard_dirs[0],
            &shard_dirs[1],
            &shard_dirs[2],
        ])
        .arg("-o")
        .arg(root.join("twice"))
        .output()
        .unwrap();
    assert!(
        stderr(&twice).contains("the shards overlap"),
        "{}",
        stderr(&twice)
    );
    // Merging again into the same folder is refused without --force.
    let again = plansim()
        .args(["merge", "-q"])
        .args(&shard_dirs)
        .arg("-o")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(
        stderr(&again).contains("already holds results"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_dry_run_says_what_would_run_refuses_what_the_run_refuses_and_writes_nothing() {
    let root = scratch("dry-run");
    let out = root.join("out");
    let dry = |extra: &[&str]| {
        let output = run_batch(SMALL, &out, &[&["--dry-run"][..], extra].concat());
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr(&output),
        )
    };
    // Before anything ran (`run_batch` passes -q; without it the plan is printed).
    let plan = plansim()
        .args([
            "batch",
            SMALL,
            "--dry-run",
            "--shard",
            "2/3",
            "-j",
            "2",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(plan.status.success(), "{}", stderr(&plan));
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.starts_with("batch small: 5 scenario points, 15 jobs; shard 2/3 runs 5 of them\n"),
        "{text}"
    );
    assert!(
        text.contains("  grid-4             3  referrals.per_day = 60000, simulation.booking_policy = \"longest_wait_first\"\n"),
        "{text}"
    );
    assert!(text.contains("with 2 job(s) at a time"), "{text}");
    assert!(
        text.contains("small: new; the command would run all 5 jobs\n"),
        "{text}"
    );
    assert_eq!(dry(&[]), (Some(0), String::new(), String::new()));
    assert!(!out.exists(), "a dry run writes nothing");

    // A shard run to the end, then one job file lost: what --resume would run.
    assert!(run_batch(SMALL, &out, &["--shard", "2/3", "--no-plots"])
        .status
        .success());
    let before = tree(&out);
    let quiet_plan = |extra: &[&str]| {
        plansim()
            .args(["batch", SMALL, "--dry-run", "-o"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    let complete = quiet_plan(&["--shard", "2/3", "--resume"]);
    assert!(String::from_utf8_lossy(&complete.stdout)
        .contains("small: already complete; the command would do nothing"));
    let job = out.join("small/jobs/base/r0002.job");
    fs::remove_file(&job).unwrap();
    let missing = quiet_plan(&["--shard", "2/3", "--resume"]);
    assert!(
        String::from_utf8_lossy(&missing.stdout)
            .contains("small: 4 of 5 jobs saved; the command would run the other 1\n"),
        "{}",
        String::from_utf8_lossy(&missing.stdout)
    );
    let forced = quiet_plan(&["--force"]);
    assert!(String::from_utf8_lossy(&forced.stdout).contains(
        "small: exists; --force would delete it, and everything in it, and run all 15 jobs"
    ));

    // What the real command refuses, the dry run refuses with the same words.
    for extra in [
        &[][..],
        &["--resume"][..],
        &["--shard", "1/3", "--resume"][..],
    ] {
        let real = run_batch(SMALL, &out, extra);
        assert_eq!(real.status.code(), Some(1), "{extra:?}");
        let (code, _, err) = dry(extra);
        assert_eq!((code, err), (Some(1), stderr(&real)), "{extra:?}");
    }
    // An output folder, or a batch folder, that is a file.
    let file = root.join("a-file");
    fs::write(&file, "not a folder").unwrap();
    for (out_dir, extra) in [(&file, &[][..]), (&root, &["--force"][..])] {
        fs::write(root.join("small"), "not a folder").unwrap();
        let real = run_batch(SMALL, out_dir, extra);
        assert_eq!(real.status.code(), Some(1), "{extra:?}");
        let dry = run_batch(SMALL, out_dir, &[extra, &["--dry-run"]].concat());
        assert_eq!(
            (dry.status.code(), stderr(&dry)),
            (Some(1), stderr(&real)),
            "{extra:?}"
        );
    }

    let mut after = tree(&out);
    after.insert(
        "small/jobs/base/r0002.job".into(),
        before["small/jobs/base/r0002.job"].clone(),
    );
    assert_eq!(after, before, "dry runs and refusals touch nothing");
}

/// Long enough to be killed part way: 40 jobs of a few hundredths of a second at `scale` 0.003,
/// then assembly.
fn long_batch(dir: &Path) -> PathBuf {
    long_batch_at(dir, 0.003)
}

fn long_batch_at(dir: &Path, scale: f64) -> PathBuf {
    let file = dir.join("long.toml");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml");
    fs::write(
        &file,
        format!(
            "name = \"long\"\nreplications = 8\nmonths = 4\nscale = {scale}\n\n\
             [[sweep]]\nname = \"g\"\nfile = {base:?}\n[sweep.grid]\n\"referrals.per_day\" = [50000, 55000, 60000, 65000, 70000]\n"
        ),
    )
    .unwrap();
    file
}

/// Job files saved so far in a batch folder.
fn saved_jobs(batch: &Path) -> usize {
    let Ok(points) = fs::read_dir(batch.join("jobs")) else {
        return 0;
    };
    points
        .flatten()
        .filter_map(|p| fs::read_dir(p.path()).ok())
        .flat_map(|files| files.flatten())
        .filter(|f| f.file_name().to_string_lossy().ends_with(".job"))
        .count()
}

/// Starts `plansim batch FILE -q -o OUT EXTRA...` in the background, its stderr piped.
fn spawn_batch(file: &str, out: &Path, extra: &[&str]) -> Child {
    Process::new(assert_cmd::cargo::cargo_bin("plansim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["batch", file, "-q", "-o"])
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until `jobs` jobs of the batch folder are saved, or `child` has ended, or a minute
/// has gone.
fn wait_until_saved(child: &mut Child, batch: &Path, jobs: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while saved_jobs(batch) < jobs && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_batch_killed_at_random_moments_and_resumed_gives_the_same_bytes() {
    let root = scratch("kill");
    let file = long_batch(&root);
    let file = file.to_str().unwrap();
    let straight = root.join("straight");
    assert!(run_batch(file, &straight, &[]).status.success());

    // SIGKILL at moments drawn from a fixed sequence (a linear congruential generator, so the
    // test is the same every time): first once a drawn number of jobs is saved, then at a
    // drawn delay after every job is saved, while the results are being written.
    let resumed = root.join("resumed");
    let mut state: u64 = 20240401;
    let mut draw = |below: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % below
    };
    let mut moments: Vec<(usize, u64)> = (0..5).map(|_| (1 + draw(39) as usize, 0)).collect();
    moments.sort();
    moments.extend((0..4).map(|_| (40, draw(2500))));
    let mut kills = 0;
    for &(jobs, delay) in &moments {
        let mut child = spawn_batch(file, &resumed, &["--resume"]);
        wait_until_saved(&mut child, &resumed.join("long"), jobs);
        sleep(Duration::from_millis(delay));
        if child.try_wait().unwrap().is_none() {
            let _ = child.kill(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        // Whatever a kill left never claims to be complete.
        let record = fs::read(resumed.join("long/batch.json")).unwrap_or_default();
        if let Ok(record) = serde_json::from_slice::<serde_json::Value>(&record) {
            if record["complete"] == true {
                break;
            }
        }
    }
    let out = run_batch(file, &resumed, &["--resume"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(kills >= 5, "only {kills} kills landed while the batch ran");
    assert_same_tree(&straight.join("long"), &resumed.join("long"));

    // The sweep over one numeric key has its chart of p_met, which decodes and is not blank.
    let chart = image::open(straight.join("long/plots/g/sweep.png"))
        .unwrap()
        .to_rgb8();
    assert_eq!(chart.dimensions(), (1200, 760));
    let colours: std::collections::HashSet<_> = chart.pixels().collect();
    assert!(colours.len() > 20, "{} colours", colours.len());
    assert!(straight.join("long/plots/g/sweep.svg").exists());
}

#[test]
fn ctrl_c_keeps_the_jobs_done_and_resume_finishes_them() {
    let root = scratch("sigint");
    // Seconds of work on one thread, so the signal comes while jobs remain.
    let file = long_batch_at(&root, 0.02);
    let out = root.join("out");
    let mut child = spawn_batch(file.to_str().unwrap(), &out, &["-j", "1", "--no-plots"]);
    // Stop it once a few jobs are saved.
    wait_until_saved(&mut child, &out.join("long"), 3);
    let kill = Process::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("interrupted: "), "{err}");
    assert!(err.contains("run the same command with --resume"), "{err}");
    let done: usize = err
        .split("interrupted: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("says how many jobs are done: {err}"));
    let saved = tree(&out.join("long"))
        .keys()
        .filter(|k| k.ends_with(".job"))
        .count();
    assert_eq!(saved, done, "every job counted as done is saved");
    assert!(done < 40, "{err}");

    // Without --resume, the unfinished batch is left alone.
    let refused = run_batch(file.to_str().unwrap(), &out, &["--no-plots"]);
    assert!(
        stderr(&refused).contains(&format!(
            "holds an unfinished batch ({done} of 40 jobs saved); pass --resume"
        )),
        "{}",
        stderr(&refused)
    );
    let resumed = run_batch(file.to_str().unwrap(), &out, &["--resume", "--no-plots"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let straight = root.join("straight");
    assert!(
        run_batch(file.to_str().unwrap(), &straight, &["--no-plots"])
            .status
            .success()
    );
    assert_same_tree(&straight.join("long"), &out.join("long"));
}

#[test]
fn a_second_plansim_on_a_batch_folder_is_refused_and_a_killed_one_leaves_no_lock() {
    let root = scratch("lock");
    let out = root.join("out");
    // Hold the folder's lock as a running plansim does.
    fs::create_dir_all(&out).unwrap();
    let held = fs::File::create(out.join(".small.lock")).unwrap();
    held.lock().unwrap();
    let busy = |output: &std::process::Output, what: &str| {
        assert_eq!(output.status.code(), Some(1), "{what}");
        assert!(
            stderr(output).contains(&format!(
                "{}: another plansim is working on this folder now",
                out.join("small").display()
            )),
            "{what}: {}",
            stderr(output)
        );
    };
    for extra in [&[][..], &["--resume"], &["--force"], &["--dry-run"]] {
        busy(&run_batch(SMALL, &out, extra), &format!("batch {extra:?}"));
    }
    let shard = root.join("shard");
    assert!(run_batch(SMALL, &shard, &["--shard", "1/1", "--no-plots"])
        .status
        .success());
    let merge = plansim()
        .args(["merge", "-q", "--no-plots"])
        .arg(shard.join("small"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    busy(&merge, "merge");
    assert!(
        !out.join("small").exists(),
        "the refused commands wrote nothing"
    );
    drop(held);

    // SIGKILL leaves no stale lock: the resume goes ahead and finishes the batch.
    let file = long_batch_at(&root, 0.02);
    let file = file.to_str().unwrap();
    let mut first = spawn_batch(file, &out, &["-j", "1", "--no-plots"]);
    wait_until_saved(&mut first, &out.join("long"), 1);
    first.kill().unwrap();
    first.wait().unwrap();
    let resumed = run_batch(file, &out, &["--resume", "--no-plots"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(saved_jobs(&out.join("long")), 40);
}

#[test]
fn a_resume_with_a_changed_batch_file_or_scenario_or_a_damaged_job_is_handled() {
    let root = scratch("changed");
    let scenario = root.join("s.toml");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml");
    fs::write(&scenario, format!("extends = {base:?}\nname = \"s\"\n")).unwrap();
    let file = root.join("b.toml");
    let text = "name = \"b\"\nreplications = 2\nmonths = 4\nscale = 0.001\n\n[[scenario]]\nfile = \"s.toml\"\n";
    fs::write(&file, text).unwrap();
    let file_arg = file.to_str().unwrap();
    let out = root.join("out");
    assert!(run_batch(file_arg, &out, &["--shard", "1/2", "--no-plots"])
        .status
        .success());

    // The batch file changed: refused, saying so.
    fs::write(&file, text.replace("replications = 2", "replications = 3")).unwrap();
    let changed = run_batch(file_arg, &out, &["--resume", "--shard", "1/2"]);
    assert_eq!(changed.status.code(), Some(1));
    assert!(
        stderr(&changed).contains("cannot resume: the batch file has changed since"),
        "{}",
        stderr(&changed)
    );
    fs::write(&file, text).unwrap();

    // A scenario file it uses changed: refused, naming the point.
    fs::write(
        &scenario,
        format!("extends = {base:?}\nname = \"s\"\n[referrals]\nper_day = 1000\n"),
    )
    .unwrap();
    let edited = run_batch(file_arg, &out, &["--resume", "--shard", "1/2"]);
    assert!(
        stderr(&edited).contains("scenario point s differs"),
        "{}",
        stderr(&edited)
    );
    fs::write(&scenario, format!("extends = {base:?}\nname = \"s\"\n")).unwrap();

    // Another shard than the one started: refused.
    let other = run_batch(file_arg, &out, &["--resume", "--shard", "2/2"]);
    assert!(
        stderr(&other).contains("it was run as shard 1/2, not shard 2/2"),
        "{}",
        stderr(&other)
    );

    // A damaged job file is run again, not taken as done.
    let job = out.join("b/jobs/s/r0001.job");
    let good = fs::read(&job).unwrap();
    fs::write(&job, &good[..good.len() / 2]).unwrap();
    let redone = plansim()
        .args([
            "batch",
            file_arg,
            "--resume",
            "--shard",
            "1/2",
            "--no-plots",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(redone.status.success(), "{}", stderr(&redone));
    assert!(
        stderr(&redone).contains("r0001.job: its checksum does not match"),
        "{}",
        stderr(&redone)
    );
    assert_eq!(fs::read(&job).unwrap(), good);
}

#[test]
fn progress_is_a_line_at_intervals_in_a_log_and_nothing_with_q() {
    let root = scratch("progress");
    // Several seconds on one thread, so that lines a second apart come more than once.
    let file = long_batch_at(&root, 0.02);
    let logged = plansim()
        .args([
            "batch",
            file.to_str().unwrap(),
            "--no-plots",
            "--log-every",
            "1",
            "-j",
            "1",
            "-o",
        ])
        .arg(root.join("logged"))
        .output()
        .unwrap();
    assert!(logged.status.success());
    let err = stderr(&logged);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert!(lines.len() >= 2, "{err}");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("progress: 40 of 40 jobs done (100.0%), "),
        "{last}"
    );
    assert!(lines[0].contains(" elapsed, about "), "{}", lines[0]);
    let out = String::from_utf8_lossy(&logged.stdout);
    assert!(out.starts_with("batch long: ran 40 jobs in "), "{out}");

    let quiet = plansim()
        .args([
            "batch",
            file.to_str().unwrap(),
            "-q",
            "--no-plots",
            "--log-every",
            "1",
            "-j",
            "1",
            "-o",
        ])
        .arg(root.join("quiet"))
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty() && quiet.stdout.is_empty());
}

/// The peak memory a batch reports at its end, in MB.
fn peak_mb(stdout: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(stdout);
    let after = text
        .split("peak memory ")
        .nth(1)
        .unwrap_or_else(|| panic!("no peak memory in {text}"));
    let mut words = after.split_whitespace();
    let value: f64 = words.next().unwrap().parse().unwrap();
    match words.next().unwrap() {
        "kB" => value / 1000.0,
        "MB" => value,
        "GB" | "GB," => value * 1000.0,
        other => panic!("unit {other}"),
    }
}

#[test]
fn memory_stays_flat_as_a_batch_grows_from_10_to_1000_jobs() {
    let root = scratch("memory");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml");
    // A sweep of `points` points, `replications` each.
    let write = |name: &str, points: u32, replications: u32| {
        let values: Vec<String> = (0..points).map(|i| (50000 + 10 * i).to_string()).collect();
        let file = root.join(format!("{name}.toml"));
        fs::write(
            &file,
            format!(
                "name = \"{name}\"\nreplications = {replications}\nmonths = 12\nscale = 0.0002\n\n\
                 [[sweep]]\nname = \"g\"\nfile = {base:?}\n[sweep.grid]\n\"referrals.per_day\" = [{}]\n",
                values.join(", ")
            ),
        )
        .unwrap();
        file
    };
    let run = |file: &Path| {
        let out = plansim()
            .args([
                "batch",
                file.to_str().unwrap(),
                "--no-plots",
                "-j",
                "2",
                "-o",
            ])
            .arg(root.join("out"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        peak_mb(&out.stdout)
    };
    let ten = run(&write("ten", 10, 1));
    let thousand = run(&write("thousand", 100, 10));
    // The job files hold each replication's results as they sit in memory (8 bytes a number):
    // a batch that kept its replications would grow by at least their total. Writing a point's
    // results holds that point's 10 replications and its CSV text: a few MB, whatever the
    // number of points.
    let job_mb: f64 = tree(&root.join("out/thousand"))
        .iter()
        .filter(|(k, _)| k.ends_with(".job"))
        .map(|(_, bytes)| bytes.len() as f64 / 1e6)
        .sum();
    assert!(
        job_mb > 15.0,
        "the test needs results big enough to see: {job_mb} MB"
    );
    assert!(
        thousand - ten < 0.5 * job_mb,
        "10 jobs: {ten} MB, 1000 jobs: {thousand} MB, results of the 1000 jobs: {job_mb} MB"
    );
}
