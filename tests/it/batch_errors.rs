//! Every class of bad batch input: exit status 1, one message naming the file, the line, the
//! key, the value and what is allowed, and nothing written.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::support;

fn scratch(name: &str) -> PathBuf {
    support::scratch("batch_errors", name)
}

/// Writes `text` as `b.toml` beside a copy of the test scenario `s.toml`, runs `plansim batch`
/// on it with `extra` arguments, and returns stderr, after checking the exit status is 1 and
/// that no output folder was made.
fn refused(case: &str, text: &[u8], extra: &[&str]) -> String {
    let dir = scratch(case);
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml");
    fs::write(
        dir.join("s.toml"),
        format!("extends = {base:?}\nname = \"s\"\n[simulation]\nmonths = 4\n"),
    )
    .unwrap();
    fs::write(dir.join("b.toml"), text).unwrap();
    let output = Command::cargo_bin("plansim")
        .unwrap()
        .current_dir(&dir)
        .args(["batch", "b.toml", "-q", "-o", "out"])
        .args(extra)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{case}: {err}");
    assert!(
        !dir.join("out").exists(),
        "{case}: wrote {}",
        dir.join("out").display()
    );
    assert!(!err.contains("panicked"), "{case}: {err}");
    err
}

const POINT: &str = "[[scenario]]\nfile = \"s.toml\"\n";

#[test]
fn each_class_of_bad_batch_input_gets_a_precise_message() {
    let cases: Vec<(&str, String, &[&str], &str)> = vec![
        (
            "missing scenario",
            "name = \"b\"\n[[scenario]]\nfile = \"nope.toml\"\n".into(),
            &[],
            "b.toml:3:1: scenario[0].file = \"nope.toml\": nope.toml does not exist (scenario files are relative to the batch file's folder)",
        ),
        (
            "unknown key",
            format!("name = \"b\"\nreplicatons = 3\n{POINT}"),
            &[],
            "b.toml:2:1: unknown key `replicatons`; did you mean `replications`? (allowed: name, description, replications, seed, months, scale, scenario, sweep)",
        ),
        (
            "unknown sweep key",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\ngridd = 1\n".into(),
            &[],
            "b.toml:5:1: unknown key `sweep[0].gridd`; did you mean `grid`? (allowed: name, file, set, grid)",
        ),
        (
            "missing name",
            POINT.into(),
            &[],
            "b.toml: missing key `name`: expected 1 to 64 characters from A-Z a-z 0-9 . _ - (not starting with .), as it names the result folder (files read: b.toml)",
        ),
        (
            "unsafe name",
            format!("name = \"../up\"\n{POINT}"),
            &[],
            "b.toml:1:1: name = \"../up\": expected 1 to 64 characters from A-Z a-z 0-9 . _ -",
        ),
        (
            "wrong type",
            "name = \"b\"\n[[scenario]]\nfile = 3\n".into(),
            &[],
            "b.toml:3:1: scenario[0].file = 3: expected a string (in quotes)",
        ),
        (
            "grid value not a list",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"referrals.per_day\" = 5\n".into(),
            &[],
            "b.toml:6:1: sweep[0].grid.\"referrals.per_day\" = 5: expected a list of the values to sweep, like [1, 2, 3], not a single value (a fixed value goes under [sweep.set])",
        ),
        (
            "empty grid list",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"referrals.per_day\" = []\n".into(),
            &[],
            "b.toml:6:1: sweep[0].grid.\"referrals.per_day\" = []: expected a list of the values to sweep, like [1, 2, 3], not an empty list",
        ),
        (
            "missing grid",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n".into(),
            &[],
            "b.toml:2:1: missing key `sweep[0].grid`: expected a table of scenario keys, each with a list of values",
        ),
        (
            "grid key unknown to the scenario",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"referrals.per_dya\" = [1, 2]\n".into(),
            &[],
            "b.toml:6:1: unknown key `referrals.per_dya`",
        ),
        (
            "swept value out of range",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"outpatients.dna_rate\" = [0.1, 1.5]\n".into(),
            &[],
            "b.toml:6:1: outpatients.dna_rate = 1.5",
        ),
        (
            "NaN override",
            format!("name = \"b\"\nscale = nan\n{POINT}"),
            &[],
            "b.toml:2:1: simulation.scale = nan",
        ),
        (
            "zero replications",
            format!("name = \"b\"\nreplications = 0\n{POINT}"),
            &[],
            "b.toml:2:1: simulation.replications = 0",
        ),
        (
            "set through a value",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.set]\n\"referrals.per_day.x\" = 1\n[sweep.grid]\n\"referrals.annual_growth\" = [0.0]\n".into(),
            &[],
            "b.toml:6:1: referrals.per_day.x = 1: referrals.per_day is a value in the scenario, not a table",
        ),
        (
            "empty grid",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n".into(),
            &[],
            "b.toml:5:8: sweep[0].grid: expected at least one scenario key with a list of values",
        ),
        (
            "second sweep without a name",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"referrals.per_day\" = [1]\n[[sweep]]\nfile = \"s.toml\"\n[sweep.grid]\n\"referrals.per_day\" = [2]\n".into(),
            &[],
            "b.toml:7:1: missing key `sweep[1].name`: expected 1 to 56 characters from A-Z a-z 0-9 . _ - (not starting with .): point names add -1, -2, ... to it (files read: b.toml)",
        ),
        (
            "no points",
            "name = \"b\"\n".into(),
            &[],
            "b.toml: no scenario points: add a [[scenario]]",
        ),
        (
            "duplicate points",
            format!("name = \"b\"\n{POINT}{POINT}"),
            &[],
            "b.toml: two scenario points are named \"s\"",
        ),
        (
            "reserved point name",
            "name = \"b\"\n[[scenario]]\nfile = \"s.toml\"\nname = \"jobs\"\n".into(),
            &[],
            "scenario point \"jobs\": the name is used by the batch folder itself",
        ),
        (
            "grid too large",
            format!(
                "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"a.b\" = [{0}]\n\"a.c\" = [{0}]\n",
                (0..101).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
            ),
            &[],
            "b.toml:5:8: sweep[0].grid: the grid has 10201 points: expected at most 10000 in a batch",
        ),
        (
            "syntax error",
            "name = \"b\"\n[[scenario]\nfile = \"s.toml\"\n".into(),
            &[],
            "b.toml:2:",
        ),
        (
            "bad shard",
            format!("name = \"b\"\n{POINT}"),
            &["--shard", "5/4"],
            "--shard 5/4: expected I/N with 1 ≤ I ≤ N",
        ),
        (
            "shard auto outside a scheduler",
            format!("name = \"b\"\n{POINT}"),
            &["--shard", "auto"],
            "--shard auto: found neither SLURM_ARRAY_TASK_ID",
        ),
    ];
    for (case, text, extra, expected) in &cases {
        let err = refused(&case.replace(' ', "-"), text.as_bytes(), extra);
        assert!(
            err.contains(expected),
            "{case}: expected {expected:?} in:\n{err}"
        );
    }
    // Not UTF-8: Windows-1252 "£" on line 2.
    let err = refused("not-utf8", b"name = \"b\"\ndescription = \"\xa3\"\n", &[]);
    assert!(
        err.contains("b.toml: not UTF-8 text (first bad byte on line 2)"),
        "{err}"
    );
}

/// Runs `plansim ARGS` in the fixtures' batch folder with `PLANSIM_MEMORY_LIMIT` set.
fn with_memory_limit(limit: &str, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("plansim")
        .unwrap()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/batches"))
        .env("PLANSIM_MEMORY_LIMIT", limit)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_batch_too_big_for_memory_is_refused_counting_a_job_per_thread() {
    // small.toml's largest job is estimated at 34.7 MB (plus 0.2 MB of a point's results):
    // under a 50 MiB limit one job at a time fits, two do not.
    let out = scratch("memory").join("out");
    let out = out.to_str().unwrap();
    let two = with_memory_limit("50M", &["batch", "small.toml", "-j", "2", "-q", "-o", out]);
    let err = String::from_utf8_lossy(&two.stderr);
    assert_eq!(two.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: small.toml: the batch needs about 69.6 MB of memory, more than the 52.4 MB set by PLANSIM_MEMORY_LIMIT: 2 replication(s) at a time of about 34.7 MB each"),
        "{err}"
    );
    assert!(!Path::new(out).exists(), "nothing written");
    let one = with_memory_limit(
        "50M",
        &["batch", "small.toml", "-j", "1", "--dry-run", "-o", out],
    );
    let plan = String::from_utf8_lossy(&one.stdout);
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert!(
        plan.contains("memory: about 34.9 MB with 1 job(s) at a time (a job of grid-3 is about 34.7 MB); 52.4 MB set by PLANSIM_MEMORY_LIMIT\n"),
        "{plan}"
    );
    let refused = with_memory_limit(
        "50M",
        &["batch", "small.toml", "-j", "2", "--dry-run", "-o", out],
    );
    assert!(
        String::from_utf8_lossy(&refused.stdout)
            .contains("more than the 52.4 MB set by PLANSIM_MEMORY_LIMIT, so the command would refuse to start here"),
    );
    for extra in [&[][..], &["--dry-run"]] {
        let bad = with_memory_limit(
            "lots",
            &[&["batch", "small.toml", "-q", "-o", out][..], extra].concat(),
        );
        assert_eq!(bad.status.code(), Some(1));
        assert_eq!(
            String::from_utf8_lossy(&bad.stderr),
            "error: PLANSIM_MEMORY_LIMIT=\"lots\": expected an amount of memory, such as 4G, 512M or 2000000000 (bytes)\n",
            "{extra:?}"
        );
    }
}

#[test]
fn a_batch_is_sized_by_its_largest_job_and_its_heaviest_point() {
    // Point `big` creates the most patients a replication; point `many` has far more
    // replications, so its results are the most a point holds while they are written.
    let dir = scratch("sizes");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml");
    for (name, scale, replications) in [("big", 0.002, 2), ("many", 0.001, 200)] {
        fs::write(
            dir.join(format!("{name}.toml")),
            format!(
                "extends = {base:?}\nname = \"{name}\"\n[simulation]\nmonths = 4\nscale = {scale}\nreplications = {replications}\n"
            ),
        )
        .unwrap();
    }
    fs::write(
        dir.join("b.toml"),
        "name = \"b\"\n[[scenario]]\nfile = \"big.toml\"\n[[scenario]]\nfile = \"many.toml\"\n",
    )
    .unwrap();
    let batch = plansim::batch::load_batch(&dir.join("b.toml")).expect("loads");
    let scenario = |name: &str| plansim::scenario::Scenario::load(&dir.join(name)).unwrap();
    let (big, many) = (scenario("big.toml"), scenario("many.toml"));
    use plansim::experiment::memory::{patients_created, result_bytes};
    assert_eq!(batch.size.largest_point, "big");
    assert_eq!(batch.size.patients_per_replication, patients_created(&big));
    assert!(result_bytes(&many) > 50.0 * result_bytes(&big));
    assert_eq!(batch.size.point_results, result_bytes(&many));
}
