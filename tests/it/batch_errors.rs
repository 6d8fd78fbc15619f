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
            "b.toml:3:1: scenario[1].file = \"nope.toml\": nope.toml does not exist (scenario files are relative to the batch file's folder)",
        ),
        (
            "unknown key",
            format!("name = \"b\"\nreplicatons = 3\n{POINT}"),
            &[],
            "b.toml:2:1: unknown key replicatons: did you mean \"replications\"?",
        ),
        (
            "unknown sweep key",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\ngridd = 1\n".into(),
            &[],
            "b.toml:5:1: unknown key sweep[1].gridd: did you mean \"grid\"?",
        ),
        (
            "missing name",
            POINT.into(),
            &[],
            "b.toml: missing key name: it is required",
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
            "b.toml:3:1: scenario[1].file = 3: expected text in quotes",
        ),
        (
            "grid value not a list",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"referrals.per_day\" = 5\n".into(),
            &[],
            "b.toml:6:1: sweep grid key referrals.per_day = 5: a single value; expected a list of the values to sweep",
        ),
        (
            "empty grid list",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.grid]\n\"referrals.per_day\" = []\n".into(),
            &[],
            "referrals.per_day = []: an empty list",
        ),
        (
            "missing grid",
            "name = \"b\"\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n".into(),
            &[],
            "b.toml:2:1: missing key sweep[1].grid: it is required",
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
            "the grid has 10201 points: at most 10000 are allowed",
        ),
        (
            // Ten million referrals a day (the most the loader allows) for a year: over 100 GB
            // a job, refused before anything is allocated, counting a job per thread.
            "too big for memory",
            "name = \"b\"\nmonths = 12\n[[sweep]]\nname = \"g\"\nfile = \"s.toml\"\n[sweep.set]\n\"referrals.per_day\" = 10000000\n[sweep.grid]\n\"referrals.annual_growth\" = [0.0, 0.01]\n".into(),
            &["-j", "2"],
            "b.toml: the batch needs about ",
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
