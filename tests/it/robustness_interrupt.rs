//! Ctrl-C through the `plansim` command: SIGINT sent to a running child stops it promptly with
//! exit status 1 (a failed run) and a message counting the replications done; nothing claims to be
//! complete, a previous result is untouched, and the completed replications are kept in
//! `<name>.interrupted` exactly as a shorter run would have written them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::{self, plansim};

fn scratch(name: &str) -> PathBuf {
    support::scratch("robustness_interrupt", name)
}

/// Long enough to be running when the signal comes: many short replications.
const LONG: [&str; 9] = [
    "--scale",
    "0.05",
    "--months",
    "2",
    "-r",
    "4000",
    "-j",
    "2",
    "--no-plots",
];

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn ctrl_c_stops_promptly_keeps_completed_replications_and_touches_no_result() {
    let out = scratch("sigint");
    // A previous complete result, which the interrupted --force run must leave as it was.
    plansim()
        .args([
            "run",
            "scenarios/example-icb.toml",
            "--scale",
            "0.02",
            "--months",
            "2",
            "-r",
            "2",
            "-q",
            "--no-plots",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let before = fs::read(out.join("example-icb/monthly.csv")).unwrap();

    let mut child = Process::new(assert_cmd::cargo::cargo_bin("plansim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "scenarios/example-icb.toml", "-q", "--force"])
        .args(LONG)
        .arg("-o")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running when interrupted"
    );
    let sent = Instant::now();
    // The shell's own `kill`, so no procps package is needed.
    let kill = Process::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "stopped promptly, not after {took:?}"
    );
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr).into_owned();

    // "interrupted: 37 of 4000 replications had completed; ..."
    let done: usize = err
        .split("interrupted: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("says how many replications completed: {err}"));
    assert!(
        err.contains(&format!(
            "interrupted: {done} of 4000 replications had completed; no complete result was written"
        )),
        "{err}"
    );
    assert!(done > 0 && done < 4000, "{err}");

    // The previous result is as it was; the completed replications are beside it.
    assert_eq!(
        fs::read(out.join("example-icb/monthly.csv")).unwrap(),
        before
    );
    plansim()
        .arg("check")
        .arg(out.join("example-icb"))
        .assert()
        .success();
    let names: Vec<String> = entries(&out)
        .into_iter()
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(names, ["example-icb", "example-icb.interrupted"]);
    let kept = out.join("example-icb.interrupted");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(kept.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["replications_requested"], 4000);
    let k = manifest["replications"].as_u64().unwrap() as usize;
    assert!(k >= 1 && k <= done, "kept 1..={k} of {done} done");
    assert!(
        err.contains(&format!("kept replications 1 to {k} of example-icb in ")),
        "{err}"
    );

    // `check` finds the files intact but says the folder is not a complete result.
    let checked = plansim().arg("check").arg(&kept).assert().code(1);
    let said = String::from_utf8_lossy(&checked.get_output().stderr).into_owned();
    assert!(
        said.contains(&format!(
            "the files are intact, but the run was interrupted: it holds {k} of 4000 replications"
        )),
        "{said}"
    );

    // The kept replications are numbered 1..=k with no gap, and replication 1 is exactly what
    // a one-replication run gives.
    let monthly = fs::read_to_string(kept.join("monthly.csv")).unwrap();
    let mut reps: Vec<usize> = monthly
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    reps.dedup();
    assert_eq!(reps, (1..=k).collect::<Vec<_>>());
    let one = scratch("one");
    plansim()
        .args(["run", "scenarios/example-icb.toml", "-q", "-r", "1"])
        .args(&LONG[..4])
        .args(["--no-plots", "-o"])
        .arg(&one)
        .assert()
        .success();
    let single = fs::read_to_string(one.join("example-icb/monthly.csv")).unwrap();
    let first_rep: Vec<&str> = monthly
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("1"))
        .collect();
    let single_rows: Vec<&str> = single.lines().skip(1).collect();
    assert_eq!(first_rep, single_rows);
    // And the kept results can be plotted.
    plansim().arg("plot").arg(&kept).assert().success();
}

/// Batch schedulers stop jobs with SIGTERM: the same orderly stop as Ctrl-C.
#[test]
fn sigterm_from_a_scheduler_stops_the_same_way() {
    let out = scratch("sigterm");
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("plansim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "scenarios/example-icb.toml", "-q"])
        .args(LONG)
        .arg("-o")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    sleep(Duration::from_millis(1000));
    assert!(child.try_wait().unwrap().is_none(), "still running");
    let kill = Process::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains(" of 4000 replications had completed; no complete result was written"),
        "{err}"
    );
    assert!(
        !out.join("example-icb").exists(),
        "nothing claims to be complete"
    );
}
