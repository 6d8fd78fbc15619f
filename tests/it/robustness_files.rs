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

#[test]
fn a_large_file_of_unknown_keys_is_refused_without_quadratic_work() {
    // 150,000 unknown keys (2.3 MB) before a valid scenario: every key's position and origin
    // used to be found by scanning the whole file or table again, minutes of work; it is now a
    // second or two. The limit is a guard against that regression, not a speed measurement.
    let dir = scratch("files", "many-keys");
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-icb.toml"),
    )
    .unwrap()
    .replace("extends = \"baseline.toml\"", "");
    let baseline = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let mut text: String = (0..150_000).map(|i| format!("k{i} = {i}\n")).collect();
    text.push_str(&format!("extends = {:?}\n", baseline.display().to_string()));
    text.push_str(&base);
    let file = dir.join("many.toml");
    std::fs::write(&file, text).unwrap();
    let started = Instant::now();
    let out = plansim()
        .arg("check")
        .arg(&file)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("many.toml:1:1: unknown key `k0`")
            && stderr.contains("more unknown keys or values of the wrong type, not shown"),
        "{}",
        stderr.lines().take(3).collect::<Vec<_>>().join("\n")
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}
