//! Special files given where a scenario or batch file is expected: refused at once, never
//! blocked on (a FIFO with no writer) or read until memory runs out (a device).

use std::process::Command as Process;
use std::time::{Duration, Instant};

use crate::support::{plansim, scratch};

fn refused_quickly(args: &[&str], expected: &str) {
    let started = Instant::now();
    let out = plansim()
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    // A hang would be stopped by the timeout above; this says which.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{args:?} blocked"
    );
}

#[test]
fn a_fifo_or_a_device_as_scenario_or_parent_is_refused_not_waited_on() {
    let dir = scratch("files", "special");
    let fifo = dir.join("scenario.toml");
    let made = Process::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    refused_quickly(
        &["check", fifo],
        "is a special file (a pipe, device or socket), not a file",
    );
    refused_quickly(&["run", fifo, "-q"], "not a file");
    refused_quickly(&["check", "/dev/zero"], "/dev/zero: is a special file");
    // A parent named by `extends` is read the same way.
    let child = dir.join("child.toml");
    std::fs::write(&child, "extends = \"scenario.toml\"\nname = \"child\"\n").unwrap();
    refused_quickly(
        &["check", child.to_str().unwrap()],
        "scenario.toml: is a special file",
    );
    refused_quickly(&["batch", fifo, "--dry-run"], "not a file");
}
