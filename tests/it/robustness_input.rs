//! Every class of bad input through the `plansim` command: exit status 1 and one message naming
//! the file (with line and column where the parser gives them), the key, the value and what is
//! allowed. The loader's own table (`scenario_errors.rs`) has many cases per class; this one
//! has at least one per class end to end, plus what only the command sees: files that are not
//! UTF-8 or are folders, scenarios too big for memory, unsafe names, zero capacity (legal, with
//! a warning), bad overrides.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{self, plansim};

fn fixture() -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml"),
    )
    .expect("the fixture exists")
}

/// The fixture with each `(old, new)` applied once; `old` must be there, so that a change to
/// the fixture cannot quietly make a case test nothing.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = fixture();
    for (old, new) in edits {
        assert!(text.contains(old), "the fixture has no {old:?}");
        text = text.replacen(old, new, 1);
    }
    text
}

fn scratch(name: &str) -> PathBuf {
    support::scratch("robustness_input", name)
}

/// Runs `plansim check case.toml` (or `run`, for what only a run checks) in a folder holding
/// `files`, and returns stderr after checking for exit status 1 and no panic.
fn fails(dir: &Path, args: &[&str]) -> String {
    let output = plansim().current_dir(dir).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

#[test]
fn each_class_of_bad_scenario_gives_exit_1_and_a_precise_message() {
    let nan = [("monthly_rate = 0.031", "monthly_rate = nan")];
    let cases: &[(&str, String, &str)] = &[
        ("TOML syntax", edited(&[("months = 12", "months = = 12")]), "error: case.toml:9:10: TOML syntax error"),
        ("wrong type", edited(&[("session_minutes = 240", "session_minutes = \"forty\"")]), "case.toml:44:1: theatres.session_minutes = \"forty\": expected a number"),
        ("unknown key", edited(&[("session_minutes = 240", "sesion_minutes = 240")]), "case.toml:44:1: unknown key `theatres.sesion_minutes`; did you mean `session_minutes`?"),
        ("missing key", edited(&[("seed = 20240401\n", "")]), "case.toml: missing key `simulation.seed`: expected a whole number from 0 to 9223372036854775807"),
        ("negative", edited(&[("session_minutes = 240", "session_minutes = -40")]), "case.toml:44:1: theatres.session_minutes = -40: expected a number of minutes from 1 to 1440"),
        ("probability", edited(&[("dna_rate = 0.07", "dna_rate = 1.5")]), "outpatients.dna_rate = 1.5: expected a share from 0 to 1"),
        ("shares", edited(&[("admit = 0.20 }", "admit = 0.25 }")]), "the shares add up to 1.05"),
        ("NaN", edited(&nan), "removals.monthly_rate = nan: expected a share from 0 up to (not including) 1"),
        ("infinite", edited(&[("per_day = 57500", "per_day = inf")]), "referrals.per_day = inf: expected a number from 0 to 10000000"),
        ("too large for the validator", edited(&[("per_day = 57500", "per_day = 1e300")]), "case.toml:29:1: referrals.per_day = 1000000000000000000000"),
        ("huge integer", edited(&[("total = 7538830", "total = 99999999999999999999")]), "case.toml:15:9: TOML syntax error: number too large to fit in target type"),
        ("dates out of order", edited(&[("to = 2024-07-02", "to = 2024-06-01")]), "calendar.shocks.industrial_action.to = 2024-06-01: expected a date on or after from = 2024-06-27"),
        ("date outside the horizon", edited(&[("from = 2024-07-01", "from = 2025-04-01")]), "calendar.changes.extra_theatre_lists.from = 2025-04-01: expected a date from 2024-04-01 to 2025-03-31"),
        ("no specialties", edited(&[("[specialties.trauma_orthopaedics]", "[x.trauma_orthopaedics]"), ("[specialties.general_surgery]", "[x.general_surgery]")]), "missing key `specialties`: expected at least one specialty"),
        ("empty file", String::new(), "case.toml: missing key `simulation.start`: expected a date like 2024-04-01"),
        ("path separator in name", edited(&[("name = \"base\"", "name = \"a/b\"")]), "case.toml:4:1: name = \"a/b\": expected 1 to 64 characters from A-Z a-z 0-9 . _ - (not starting with .), as it names the result folder"),
        ("parent folder as name", edited(&[("name = \"base\"", "name = \"..\"")]), "case.toml:4:1: name = \"..\": expected 1 to 64 characters"),
        ("escaping name", edited(&[("name = \"base\"", "name = \"../../etc/evil\"")]), "name = \"../../etc/evil\": expected 1 to 64 characters"),
        ("absolute name", edited(&[("name = \"base\"", "name = \"/tmp/evil\"")]), "name = \"/tmp/evil\": expected 1 to 64 characters"),
        ("backslash in name", edited(&[("name = \"base\"", "name = \"a\\\\b\"")]), "case.toml:4:1: name = 'a\\b': expected 1 to 64 characters"),
        ("markup in name", edited(&[("name = \"base\"", "name = \"<b>x</b>\"")]), "name = \"<b>x</b>\": expected 1 to 64 characters"),
        ("empty name", edited(&[("name = \"base\"", "name = \"\"")]), "name = \"\": expected 1 to 64 characters"),
        ("missing extends file", format!("extends = \"nowhere.toml\"\n{}", fixture()), "case.toml:1:1: extends = \"nowhere.toml\": cannot read nowhere.toml"),
        ("extends itself", format!("extends = \"case.toml\"\n{}", fixture()), "case.toml:1:1: extends = \"case.toml\" makes a cycle: case.toml -> case.toml"),
    ];
    let dir = scratch("table");
    let mut failures = Vec::new();
    for (what, text, expected) in cases {
        fs::write(dir.join("case.toml"), text).unwrap();
        let err = fails(&dir, &["check", "case.toml"]);
        if !err.contains(expected) {
            failures.push(format!(
                "{what}:\n  expected: {expected}\n  got:      {err}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Found by the fuzzer: a multi-line string in a message broke "one problem per line".
#[test]
fn a_multi_line_value_is_reported_on_one_line() {
    let dir = scratch("multiline");
    let text = edited(&[("name = \"base\"", "name = \"\"\"\nba\tse\n\"\"\"")]);
    fs::write(dir.join("case.toml"), text).unwrap();
    let err = fails(&dir, &["check", "case.toml"]);
    assert_eq!(
        err,
        "error: case.toml:4:1: name = \"ba\\tse\\n\": expected 1 to 64 characters from A-Z a-z \
         0-9 . _ - (not starting with .), as it names the result folder\n"
    );
}

#[test]
fn files_that_are_not_scenario_text() {
    let dir = scratch("files");
    fs::write(dir.join("latin1.toml"), b"name = \"caf\xe9\"\n").unwrap();
    let err = fails(&dir, &["check", "latin1.toml"]);
    assert_eq!(
        err,
        "error: latin1.toml: not UTF-8 text (first bad byte on line 1); save the file as UTF-8\n"
    );

    let mut binary: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    binary[0] = 0;
    fs::write(dir.join("garbage.toml"), binary).unwrap();
    let err = fails(&dir, &["check", "garbage.toml"]);
    assert!(err.contains("garbage.toml:"), "{err}");

    fs::write(dir.join("big.toml"), vec![b'#'; 5 * 1024 * 1024]).unwrap();
    let err = fails(&dir, &["check", "big.toml"]);
    assert!(
        err.contains(
            "big.toml: the file is larger than 4194304 bytes; scenario files are small TOML files"
        ),
        "{err}"
    );

    let err = fails(&dir, &["check", "absent.toml"]);
    assert!(
        err.contains("absent.toml: cannot read the file: No such file or directory"),
        "{err}"
    );

    fs::create_dir(dir.join("folder")).unwrap();
    let err = fails(&dir, &["check", "folder"]);
    assert!(
        err.contains(
            "folder: a folder without manifest.json: expected a scenario file, or a result folder"
        ),
        "{err}"
    );
    let err = fails(&dir, &["run", "folder", "-o", "out"]);
    assert!(err.contains("folder: is a folder, not a file"), "{err}");
    assert!(!dir.join("out").exists());

    // Every bad file is reported, not only the first.
    let err = fails(&dir, &["check", "latin1.toml", "absent.toml"]);
    assert_eq!(err.lines().count(), 2, "{err}");
}

#[test]
fn a_variant_extending_a_missing_file_or_in_a_cycle() {
    let dir = scratch("extends");
    fs::write(dir.join("a.toml"), "extends = \"b.toml\"\n").unwrap();
    fs::write(dir.join("b.toml"), "name = \"b\"\nextends = \"a.toml\"\n").unwrap();
    let err = fails(&dir, &["check", "a.toml"]);
    assert_eq!(
        err,
        "error: b.toml:2:1: extends = \"a.toml\" makes a cycle: a.toml -> b.toml -> a.toml\n"
    );
    fs::write(
        dir.join("v.toml"),
        "# a variant\nextends = \"gone/base.toml\"\n",
    )
    .unwrap();
    let err = fails(&dir, &["run", "v.toml", "-o", "out"]);
    assert!(err.starts_with("error: v.toml:2:1: extends = \"gone/base.toml\": cannot read gone/base.toml: No such file or directory"), "{err}");
    assert!(!dir.join("out").exists(), "nothing written");
    // A parent that cannot be read is reported at the `extends` that named it.
    fs::write(dir.join("latin1.toml"), b"name = \"caf\xe9\"\n").unwrap();
    fs::write(dir.join("w.toml"), "extends = \"latin1.toml\"\n").unwrap();
    let err = fails(&dir, &["check", "w.toml"]);
    assert_eq!(err, "error: w.toml:1:1: extends = \"latin1.toml\": latin1.toml: not UTF-8 text (first bad byte on line 1); save the file as UTF-8\n");
}

#[test]
fn a_scenario_too_big_for_memory_is_refused_before_anything_runs() {
    let dir = scratch("memory");
    // Ten million referrals a day for ten years: the largest values the loader allows, and
    // tens of billions of patients.
    let text = edited(&[
        ("per_day = 57500", "per_day = 10000000"),
        ("months = 12", "months = 120"),
    ])
    .replace("from = 2024-07-01", "from = 2025-07-01");
    fs::write(dir.join("huge.toml"), text).unwrap();
    plansim()
        .current_dir(&dir)
        .args(["check", "huge.toml"])
        .assert()
        .success();
    let started = std::time::Instant::now();
    let err = fails(&dir, &["run", "huge.toml", "-o", "out", "-j", "1"]);
    assert!(started.elapsed().as_secs() < 10, "refused at once");
    assert!(
        err.starts_with("error: base: the run needs about "),
        "{err}"
    );
    assert!(err.contains(" TB of memory, more than the "), "{err}");
    assert!(
        err.contains("1 replication(s) at a time of about "),
        "{err}"
    );
    assert!(
        err.contains("Lower --scale, --months, the replications (-r) or the referral volumes"),
        "{err}"
    );
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn zero_capacity_is_legal_and_warns_that_the_list_grows_without_bound() {
    let dir = scratch("zero");
    let text = edited(&[("clinic_slots_per_week = 90000", "clinic_slots_per_week = 0")]);
    fs::write(dir.join("zero.toml"), text).unwrap();
    let checked = plansim()
        .current_dir(&dir)
        .args(["check", "zero.toml"])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&checked.get_output().stderr).into_owned();
    assert!(err.contains("warning: scenario base: specialties.trauma_orthopaedics.clinic_slots_per_week = 0: no clinic capacity, so its waiting list grows without bound"), "{err}");
    let ran = plansim()
        .current_dir(&dir)
        .args([
            "run",
            "zero.toml",
            "-q",
            "--no-plots",
            "--scale",
            "0.002",
            "--months",
            "4",
            "-r",
            "1",
            "-o",
            "out",
        ])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&ran.get_output().stderr).into_owned();
    assert!(
        err.contains("clinic_slots_per_week = 0: no clinic capacity"),
        "{err}"
    );
    // And the list does grow: no first appointments, so no one leaves but by removal.
    let monthly = fs::read_to_string(dir.join("out/base/monthly.csv")).unwrap();
    assert!(monthly.contains(",rtt_waiting_list,"));
}

#[test]
fn bad_overrides_and_output_folders() {
    let dir = scratch("overrides");
    fs::write(dir.join("base.toml"), fixture()).unwrap();
    let err = fails(&dir, &["run", "base.toml", "--scale", "0", "-o", "out"]);
    assert!(
        err.contains("command line (--scale): simulation.scale = 0"),
        "{err}"
    );
    let err = fails(&dir, &["run", "base.toml", "--months", "0", "-o", "out"]);
    assert!(err.contains("command line (--months): simulation.months = 0: expected a whole number of months from 1 to 120"), "{err}");
    let err = fails(&dir, &["run", "base.toml", "--scale", "NaN", "-o", "out"]);
    assert!(
        err.contains("simulation.scale = nan: expected a fraction above 0 and at most 1"),
        "{err}"
    );
    fs::write(dir.join("file"), "not a folder").unwrap();
    let err = fails(
        &dir,
        &[
            "run",
            "base.toml",
            "--scale",
            "0.001",
            "--months",
            "4",
            "-o",
            "file",
        ],
    );
    assert!(
        err.contains(
            "file: exists and is not a folder; remove it or choose another output folder with -o"
        ),
        "{err}"
    );
    // A number out of range is checked as the file's key is, in the same words (exit 1); one
    // that is not a number at all is a usage error, clap's, with exit status 2.
    let out = plansim()
        .current_dir(&dir)
        .args(["run", "base.toml", "-r", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "command line (-r): simulation.replications = 0: expected a whole number from 1 to 10000"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same for a network scenario.
    let out = plansim()
        .args([
            "run",
            "scenarios/network/mmc.toml",
            "-r",
            "10001",
            "-q",
            "-o",
        ])
        .arg(dir.join("network-out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "command line (-r): simulation.replications = 10001: expected a whole number from 1 to 10000"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.join("network-out").exists());
    plansim()
        .current_dir(&dir)
        .args(["run", "base.toml", "-r", "many"])
        .assert()
        .code(2);
}
