//! Output safety through the `plansim` command: the manifest's checksums catch a changed or
//! truncated file, a run killed with SIGKILL at any moment leaves the previous complete result
//! or nothing that claims to be complete, and a read-only output folder or a full disk gives a
//! clear error, exit status 1 and no half-written result. A second run into a folder in use is
//! refused before it simulates.
//!
//! The read-only and full-disk cases mount small tmpfs file systems, which needs root (CI runs
//! as root). Where mounting is refused they fall back to something that still really fails:
//! a read-only folder (`chmod`, or `chattr +i` for root) and a file-size limit (`ulimit -f`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::thread::sleep;
use std::time::Duration;

use plansim::output::verify_result_folder;

use crate::support::{self, plansim};

fn scratch(name: &str) -> PathBuf {
    support::scratch("robustness_output", name)
}

/// A quick ICB run: a fiftieth of the patients, two months.
const QUICK: [&str; 7] = ["--scale", "0.02", "--months", "2", "-r", "2", "-q"];

fn quick_run(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    plansim()
        .args(["run", "scenarios/example-icb.toml"])
        .args(QUICK)
        .args(extra)
        .arg("-o")
        .arg(out)
        .assert()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn check_verifies_a_result_folder_and_catches_changed_truncated_and_missing_files() {
    let out = scratch("check");
    quick_run(&out, &[]).success();
    let run = out.join("example-icb");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(run.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["files"].as_object().unwrap();
    for name in [
        "scenario.toml",
        "monthly.csv",
        "summary.csv",
        "targets.csv",
        "waits.csv",
    ] {
        assert!(listed.contains_key(name), "{name} has a checksum");
    }
    assert!(listed
        .keys()
        .any(|k| k.starts_with("plots/") && k.ends_with(".png")));
    assert!(listed
        .keys()
        .any(|k| k.starts_with("plots/") && k.ends_with(".svg")));
    assert_eq!(manifest["complete"], true);
    let ok = plansim().arg("check").arg(&run).assert().success();
    let said = String::from_utf8_lossy(&ok.get_output().stdout).into_owned();
    assert!(
        said.contains("complete result of scenario \"example-icb\", 2 replications"),
        "{said}"
    );

    // Each damage is caught on its own copy of the folder, naming the file.
    type Damage = fn(&Path);
    let damages: [(&str, Damage, &str); 6] = [
        (
            "one byte changed",
            |d| flip_byte(&d.join("summary.csv")),
            "summary.csv: checksum does not match the manifest",
        ),
        (
            "truncated",
            |d| truncate_half(&d.join("monthly.csv")),
            "monthly.csv: checksum does not match",
        ),
        (
            "plot damaged",
            |d| truncate_half(&d.join("plots/dashboard.png")),
            "plots/dashboard.png: checksum does not match",
        ),
        (
            "file deleted",
            |d| fs::remove_file(d.join("targets.csv")).unwrap(),
            "targets.csv: missing (listed in manifest.json)",
        ),
        (
            "manifest truncated",
            |d| truncate_half(&d.join("manifest.json")),
            "manifest.json: not valid JSON",
        ),
        (
            "manifest gone",
            |d| fs::remove_file(d.join("manifest.json")).unwrap(),
            "a folder without manifest.json",
        ),
    ];
    for (what, damage, expected) in damages {
        let copy = out.join(what.replace(' ', "_")).join("example-icb");
        copy_tree(&run, &copy);
        damage(&copy);
        let failed = plansim().arg("check").arg(&copy).assert().code(1);
        let err = stderr(&failed);
        assert!(err.contains(expected), "{what}: {err}");
        assert!(
            err.contains(&copy.display().to_string()),
            "{what}: names the folder: {err}"
        );
    }
}

/// The `--force` window: killed between moving the old folder aside and putting the new one
/// in place, the previous results are under `.<name>.old-<pid>`, and `check` says so.
#[test]
fn a_folder_in_use_is_refused_to_a_second_run_and_to_plot_and_report() {
    let out = scratch("busy");
    // Hold the result folder's lock as a running plansim does.
    fs::create_dir_all(&out).unwrap();
    let held = fs::File::create(out.join(".example-icb.lock")).unwrap();
    held.lock().unwrap();
    for extra in [&[][..], &["--force"]] {
        let refused = quick_run(&out, extra).code(1);
        assert_eq!(
            stderr(&refused),
            format!(
                "error: {}: another plansim is working on this folder now; wait for it to finish, or stop it\n",
                out.join("example-icb").display()
            ),
            "{extra:?}"
        );
    }
    assert_eq!(entries(&out), [".example-icb.lock"], "nothing written");
    drop(held);
    quick_run(&out, &[]).success();
    let folder = out.join("example-icb");
    assert!(folder.join("manifest.json").exists());

    // Redrawing the plots or the report rewrites files in the folder: refused while in use.
    let held = fs::File::open(out.join(".example-icb.lock")).unwrap();
    held.lock().unwrap();
    for command in ["plot", "report"] {
        let refused = plansim().arg(command).arg(&folder).assert().code(1);
        assert!(
            stderr(&refused).contains("another plansim is working on this folder now"),
            "{command}: {}",
            stderr(&refused)
        );
    }
    assert!(!folder.join("report.html").exists());
    drop(held);
    plansim().arg("report").arg(&folder).assert().success();
}

#[test]
fn check_points_at_leftovers_of_an_interrupted_write() {
    let out = scratch("leftovers");
    quick_run(&out, &["--no-plots"]).success();
    fs::rename(out.join("example-icb"), out.join(".example-icb.old-12345")).unwrap();
    quick_run(&out, &["--no-plots"]).success();
    fs::create_dir(out.join(".example-icb.partial-777")).unwrap();
    let ok = plansim()
        .arg("check")
        .arg(out.join("example-icb"))
        .assert()
        .success();
    let said = String::from_utf8_lossy(&ok.get_output().stdout).into_owned();
    assert!(said.contains(".example-icb.old-12345 was left by an interrupted write; it is not a result (it holds the results that were being replaced"), "{said}");
    assert!(said.contains(".example-icb.partial-777 was left by an interrupted write; it is not a result and can be deleted"), "{said}");
}

fn flip_byte(path: &Path) {
    let mut bytes = fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    fs::write(path, bytes).unwrap();
}

fn truncate_half(path: &Path) {
    let bytes = fs::read(path).unwrap();
    fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What a SIGKILL left in the output folder.
#[derive(Debug, Default)]
struct Outcomes {
    /// `DIR/example-icb` holds the previous complete result.
    previous: usize,
    /// `DIR/example-icb` holds the new complete result (the kill came after the swap).
    replaced: usize,
    /// `DIR/example-icb` is absent, and the old results are intact under `.example-icb.old-*`.
    moved_aside: usize,
    /// Kills that left a staging folder: they hit the writing itself.
    while_writing: usize,
}

#[test]
fn sigkill_at_any_moment_leaves_the_previous_result_or_nothing_claiming_completeness() {
    let out = scratch("sigkill");
    let args = [
        "run",
        "scenarios/example-icb.toml",
        "--scale",
        "0.02",
        "--months",
        "2",
        "-r",
        "4",
        "-q",
        "--force",
        "-o",
    ];
    // The previous complete result, timed so the kills can be spread over a whole run.
    let clock = std::time::Instant::now();
    plansim().args(args).arg(&out).assert().success();
    let run_ms = (clock.elapsed().as_millis() as u64).max(400);
    let started = |dir: &Path| -> String {
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        manifest["timings"]["started"].to_string()
            + &manifest["timings"]["wall_seconds"].to_string()
    };
    let mut previous = started(&out.join("example-icb"));
    let binary = assert_cmd::cargo::cargo_bin("plansim");
    let mut outcomes = Outcomes::default();
    // 20 moments evenly from 10 ms to just past a whole run, so every stage gets hit:
    // loading, simulating, drawing plots, writing, and swapping the folder in.
    for i in 0..20u64 {
        let delay = 10 + i * (run_ms + 100) / 19;
        let mut child = Process::new(&binary)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL; it may have finished already.
        child.wait().unwrap();

        // Nothing but the result folder and hidden temporaries.
        for name in entries(&out) {
            assert!(
                name == "example-icb"
                    || name.starts_with(".example-icb.partial-")
                    || name.starts_with(".example-icb.old-")
                    || name == ".example-icb.lock"
                    || name.starts_with(".plansim-probe-"),
                "kill after {delay} ms left {name}, which is neither the result nor a temporary"
            );
        }
        let folder = out.join("example-icb");
        if folder.exists() {
            plansim().arg("check").arg(&folder).assert().success();
            let now = started(&folder);
            if now == previous {
                outcomes.previous += 1;
            } else {
                outcomes.replaced += 1;
                previous = now;
            }
        } else {
            let old = entries(&out)
                .into_iter()
                .find(|n| n.starts_with(".example-icb.old-"))
                .unwrap_or_else(|| panic!("kill after {delay} ms: no result and no old result"));
            let report = verify_result_folder(&out.join(&old))
                .unwrap_or_else(|e| panic!("kill after {delay} ms: {old} damaged: {e:?}"));
            assert!(report.complete);
            // Put it back, as `check` tells a user to.
            fs::rename(out.join(&old), &folder).unwrap();
            outcomes.moved_aside += 1;
        }
        // Clear staging folders so the next kill's leftovers are its own.
        for name in entries(&out)
            .into_iter()
            .filter(|n| n.starts_with('.') && n != ".example-icb.lock")
        {
            outcomes.while_writing += 1;
            fs::remove_dir_all(out.join(name)).unwrap();
        }
    }
    eprintln!("SIGKILL outcomes over runs of {run_ms} ms: {outcomes:?}");
    assert_eq!(
        outcomes.previous + outcomes.replaced + outcomes.moved_aside,
        20
    );
    assert!(
        outcomes.previous > 0,
        "some kills came before the swap: {outcomes:?}"
    );
}

/// A tmpfs mounted on a new temporary folder, unmounted when dropped; `None` where mounting
/// is not allowed (not root, or a sandbox without mount rights).
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(options: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Process::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg(self.dir.path()).status();
    }
}

fn is_root() -> bool {
    Process::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A folder nothing can be created in: a read-only tmpfs, or failing that a folder made
/// read-only by permissions (not root) or `chattr +i` (root). Each is checked to really refuse
/// a write; if none does, the test fails rather than assert nothing.
enum ReadOnly {
    Mounted(Tmpfs),
    Folder(tempfile::TempDir, bool),
}

impl ReadOnly {
    fn new() -> ReadOnly {
        let read_only = match Tmpfs::mount("size=64k,ro") {
            Some(mount) => ReadOnly::Mounted(mount),
            None => {
                let dir = tempfile::tempdir().unwrap();
                let immutable = is_root();
                if immutable {
                    let _ = Process::new("chattr").arg("+i").arg(dir.path()).status();
                } else {
                    let _ = Process::new("chmod").arg("0555").arg(dir.path()).status();
                }
                ReadOnly::Folder(dir, immutable)
            }
        };
        let probe = read_only.path().join("probe");
        assert!(
            fs::create_dir(&probe).is_err(),
            "could not make a read-only folder here (no tmpfs mount, chattr or chmod that works)"
        );
        read_only
    }

    fn path(&self) -> &Path {
        match self {
            ReadOnly::Mounted(m) => m.path(),
            ReadOnly::Folder(d, _) => d.path(),
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if let ReadOnly::Folder(dir, immutable) = self {
            let (tool, arg) = if *immutable {
                ("chattr", "-i")
            } else {
                ("chmod", "0755")
            };
            let _ = Process::new(tool).arg(arg).arg(dir.path()).status();
        }
    }
}

#[test]
fn a_read_only_output_folder_is_refused_before_simulating() {
    let read_only = ReadOnly::new();
    for out in [
        read_only.path().to_path_buf(),
        read_only.path().join("results"),
    ] {
        let failed = quick_run(&out, &[]).code(1);
        let err = stderr(&failed);
        assert!(err.starts_with("error: "), "{err}");
        assert!(
            err.contains("the output folder cannot be written: choose another with -o"),
            "{err}"
        );
        assert!(
            err.contains(&read_only.path().display().to_string()),
            "{err}"
        );
    }
    assert!(entries(read_only.path()).is_empty(), "nothing written");
}

/// Runs `plansim run` into `out`, on a disk that holds `bytes` at most: a tmpfs of that size,
/// or failing that a file-size limit (`ulimit -f`, with SIGXFSZ ignored so writes fail with
/// an error instead of killing the process).
fn run_on_small_disk(out: &Path, extra: &[&str]) -> std::process::Output {
    let binary = assert_cmd::cargo::cargo_bin("plansim");
    let mut args: Vec<String> = ["run", "scenarios/example-icb.toml"]
        .iter()
        .chain(QUICK.iter())
        .chain(extra.iter())
        .map(|s| s.to_string())
        .collect();
    args.push("-o".into());
    args.push(out.display().to_string());
    Process::new(binary)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_full_disk_gives_a_clear_error_and_keeps_the_previous_result() {
    let Some(disk) = Tmpfs::mount("size=200k") else {
        return full_disk_by_file_size_limit();
    };
    let out = disk.path().join("results");
    // A first result without plots fits (about 60 kB)...
    let first = run_on_small_disk(&out, &["--no-plots"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = fs::read(out.join("example-icb/manifest.json")).unwrap();
    // ...and one with plots (about 600 kB) does not.
    let full = run_on_small_disk(&out, &["--force"]);
    assert_eq!(full.status.code(), Some(1));
    let err = String::from_utf8_lossy(&full.stderr);
    assert!(
        err.starts_with("error: scenario example-icb: results not written"),
        "{err}"
    );
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains("the disk is full: free some space or choose another output folder with -o"),
        "{err}"
    );
    // The previous result is untouched and nothing half-written is left (the lock file stays,
    // as it always does).
    assert_eq!(entries(&out), [".example-icb.lock", "example-icb"]);
    assert_eq!(
        fs::read(out.join("example-icb/manifest.json")).unwrap(),
        before
    );
    plansim()
        .arg("check")
        .arg(out.join("example-icb"))
        .assert()
        .success();
}

/// The fallback when tmpfs cannot be mounted: writes beyond 64 kB fail with EFBIG.
fn full_disk_by_file_size_limit() {
    let out = scratch("file_size_limit");
    let binary = assert_cmd::cargo::cargo_bin("plansim");
    let script = format!(
        "trap '' XFSZ; ulimit -f 64; exec '{}' run scenarios/example-icb.toml {} -o '{}'",
        binary.display(),
        QUICK.join(" "),
        out.display()
    );
    let full = Process::new("sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(1));
    let err = String::from_utf8_lossy(&full.stderr);
    assert!(err.contains("the disk is full"), "{err}");
    assert!(
        entries(&out).is_empty(),
        "nothing half-written: {:?}",
        entries(&out)
    );
}
