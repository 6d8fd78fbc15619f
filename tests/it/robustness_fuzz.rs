//! Fuzzing on a stable toolchain: property tests (proptest) that mutate the shipped scenarios
//! (byte flips, deleted, duplicated and swapped lines, swapped values, huge numbers, NaN,
//! unicode) and a written result folder, and assert that nothing panics, that every error
//! names a place, that a scenario that loads also round-trips and runs, and that `check` never
//! passes a changed file.
//!
//! The batch loader is fuzzed the same way, from the shipped batch files.
//!
//! `cargo test` runs a short, deterministic version. For a long one:
//! `PLANSIM_FUZZ_CASES=200000 PLANSIM_FUZZ_RANDOM=1 cargo test --release --test it fuzz -- --nocapture`
//! (it prints how many inputs it tried).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use assert_cmd::Command;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use plansim::batch::{load_batch, BatchRecord};
use plansim::experiment::memory::{estimate_memory, patients_created};
use plansim::model::{run_replication, METRICS};
use plansim::output::verify_result_folder;
use plansim::scenario::{Overrides, Scenario};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Cases from `PLANSIM_FUZZ_CASES`, else `default`; a fixed seed unless `PLANSIM_FUZZ_RANDOM`
/// is set, so `cargo test` always tries the same inputs.
fn runner(default: u32) -> TestRunner {
    let cases = std::env::var("PLANSIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    if std::env::var_os("PLANSIM_FUZZ_RANDOM").is_some() {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    }
}

/// One edit to a text; indices are taken modulo what they index, so any number is valid.
#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(usize, u8),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// Swaps the values of two `key = value` lines.
    SwapValues(usize, usize),
    /// Replaces the value of a `key = value` line.
    SetValue(usize, String),
    Insert(usize, String),
    Truncate(usize),
}

/// Values a tired planner, a broken editor or an attacker might leave in a file.
fn weird_value() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "nan",
        "-nan",
        "+nan",
        "inf",
        "-inf",
        "1e308",
        "-1e308",
        "1e-320",
        "0",
        "-0",
        "0.0",
        "-1",
        "1",
        "2",
        "1e12",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551616",
        "0x7fffffff",
        "1_000_000",
        "\"\"",
        "[]",
        "{}",
        "[[]]",
        "true",
        "\"💥\"",
        "\"\\u0000\"",
        "2024-02-30",
        "2024-04-01",
        "0000-01-01",
        "9999-12-31",
        "1979-05-27T07:32:00Z",
        "\"../../etc/passwd\"",
        "\"/dev/zero\"",
        "\"/\"",
        "\"<script>alert(1)</script>\"",
        "{ mean = -1, sd = nan }",
        "[nan, inf, -inf]",
        "[1e308, 1e308, 1e308, 1e308]",
        "\"a\\\\b\"",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        4 => fixed,
        1 => any::<f64>().prop_map(|x| format!("{x:?}")),
        1 => any::<i64>().prop_map(|x| x.to_string()),
        1 => any::<u32>().prop_map(|x| x.to_string()),
        1 => "\\PC{0,12}".prop_map(|s| format!("{s:?}")),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = 0..100_000usize;
    prop_oneof![
        3 => (i.clone(), 0..8u8).prop_map(|(a, b)| Mutation::FlipBit(a, b)),
        2 => i.clone().prop_map(Mutation::DeleteLine),
        1 => i.clone().prop_map(Mutation::DuplicateLine),
        1 => (i.clone(), i.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        2 => (i.clone(), i.clone()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        4 => (i.clone(), weird_value()).prop_map(|(a, v)| Mutation::SetValue(a, v)),
        1 => (i.clone(), "\\PC{0,8}|\\[|\\]|=|\"|\n|\\[x\\]\n").prop_map(|(a, s)| Mutation::Insert(a, s)),
        1 => i.prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &[u8], mutation: &Mutation) -> Vec<u8> {
    let lines =
        |t: &[u8]| -> Vec<Vec<u8>> { t.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect() };
    let join = |l: Vec<Vec<u8>>| l.join(&b'\n');
    // Lines holding `key = value`, as (line index, byte where the value starts).
    let assignments = |l: &[Vec<u8>]| -> Vec<(usize, usize)> {
        l.iter()
            .enumerate()
            .filter(|(_, line)| !line.starts_with(b"#") && !line.starts_with(b"["))
            .filter_map(|(n, line)| {
                let eq = line.windows(3).position(|w| w == b" = ")?;
                Some((n, eq + 3))
            })
            .collect()
    };
    let mut out = text.to_vec();
    match mutation {
        Mutation::FlipBit(at, bit) if !out.is_empty() => {
            let at = at % out.len();
            out[at] ^= 1 << bit;
        }
        Mutation::DeleteLine(n) => {
            let mut l = lines(text);
            l.remove(n % l.len());
            out = join(l);
        }
        Mutation::DuplicateLine(n) => {
            let mut l = lines(text);
            let line = l[n % l.len()].clone();
            l.insert(n % l.len(), line);
            out = join(l);
        }
        Mutation::SwapLines(a, b) => {
            let mut l = lines(text);
            let len = l.len();
            l.swap(a % len, b % len);
            out = join(l);
        }
        Mutation::SwapValues(a, b) => {
            let mut l = lines(text);
            let spots = assignments(&l);
            if !spots.is_empty() {
                let (la, va) = spots[a % spots.len()];
                let (lb, vb) = spots[b % spots.len()];
                let value_a = l[la][va..].to_vec();
                let value_b = l[lb][vb..].to_vec();
                l[la].truncate(va);
                l[la].extend(value_b);
                l[lb].truncate(vb);
                l[lb].extend(value_a);
            }
            out = join(l);
        }
        Mutation::SetValue(a, value) => {
            let mut l = lines(text);
            let spots = assignments(&l);
            if !spots.is_empty() {
                let (n, v) = spots[a % spots.len()];
                l[n].truncate(v);
                l[n].extend(value.as_bytes());
            }
            out = join(l);
        }
        Mutation::Insert(at, s) => {
            let at = at % (out.len() + 1);
            out.splice(at..at, s.bytes());
        }
        Mutation::Truncate(at) => out.truncate(at % (out.len() + 1)),
        Mutation::FlipBit(..) => {}
    }
    out
}

/// Inputs tried by the loader and the check fuzzers, printed at the end of a long run.
static LOADER_INPUTS: AtomicU64 = AtomicU64::new(0);
static LOADED: AtomicU64 = AtomicU64::new(0);
static RAN: AtomicU64 = AtomicU64::new(0);
static CHECK_INPUTS: AtomicU64 = AtomicU64::new(0);

#[test]
fn fuzz_the_scenario_loader() {
    // The shipped baseline, the ICB variant that extends it, and the test fixture, side by side
    // so that `extends = "baseline.toml"` resolves.
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        repo("scenarios/baseline.toml"),
        dir.path().join("baseline.toml"),
    )
    .unwrap();
    let seeds: Vec<Vec<u8>> = [
        "scenarios/baseline.toml",
        "scenarios/example-icb.toml",
        "scenarios/long-waiters-first.toml",
        "tests/fixtures/scenarios/base.toml",
    ]
    .iter()
    .map(|p| fs::read(repo(p)).unwrap())
    .collect();
    let seed_count = seeds.len();
    let strategy = (0..seed_count, prop::collection::vec(mutation(), 1..3));
    let path = dir.path().join("fuzz.toml");
    let folder = dir.path().display().to_string();
    let result = runner(256).run(&strategy, |(seed, mutations)| {
        let mut text = seeds[seed].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        LOADER_INPUTS.fetch_add(1, Ordering::Relaxed);
        fs::write(&path, &text).unwrap();
        match Scenario::load(&path) {
            Err(e) => {
                prop_assert!(!e.problems.is_empty(), "an error with no problem");
                for problem in &e.problems {
                    prop_assert!(
                        problem.starts_with(&folder) && !problem.contains('\n'),
                        "a problem that does not start with its file: {problem:?}"
                    );
                }
            }
            Ok(scenario) => {
                LOADED.fetch_add(1, Ordering::Relaxed);
                loaded_scenario_is_sound(&scenario)?;
            }
        }
        Ok(())
    });
    eprintln!(
        "scenario loader: {} inputs tried, {} loaded, {} ran a replication",
        LOADER_INPUTS.load(Ordering::Relaxed),
        LOADED.load(Ordering::Relaxed),
        RAN.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

static BATCH_INPUTS: AtomicU64 = AtomicU64::new(0);
static BATCHES_LOADED: AtomicU64 = AtomicU64::new(0);

#[test]
fn fuzz_the_batch_loader() {
    // The shipped overnight example and the test batch, with the scenario files they name at
    // the same relative places.
    let dir = tempfile::tempdir().unwrap();
    let batches = dir.path().join("batches");
    fs::create_dir_all(&batches).unwrap();
    fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    for (from, to) in [
        ("scenarios/baseline.toml", "baseline.toml"),
        ("scenarios/example-icb.toml", "example-icb.toml"),
        ("tests/fixtures/scenarios/base.toml", "scenarios/base.toml"),
    ] {
        fs::copy(repo(from), dir.path().join(to)).unwrap();
    }
    let seeds: Vec<Vec<u8>> = [
        "scenarios/batches/overnight-example.toml",
        "tests/fixtures/batches/small.toml",
    ]
    .iter()
    .map(|p| fs::read(repo(p)).unwrap())
    .collect();
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..3));
    let path = batches.join("fuzz.toml");
    let folder = dir.path().display().to_string();
    let result = runner(64).run(&strategy, |(seed, mutations)| {
        let mut text = seeds[seed].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        BATCH_INPUTS.fetch_add(1, Ordering::Relaxed);
        fs::write(&path, &text).unwrap();
        match load_batch(&path) {
            Err(problems) => {
                prop_assert!(!problems.is_empty(), "an error with no problem");
                for problem in &problems {
                    prop_assert!(
                        problem.starts_with(&folder) && !problem.contains('\n'),
                        "a problem that does not start with its file: {problem:?}"
                    );
                }
            }
            Ok(batch) => {
                BATCHES_LOADED.fetch_add(1, Ordering::Relaxed);
                prop_assert!(!batch.points.is_empty());
                let record = BatchRecord::new(&batch, None);
                let back: BatchRecord = serde_json::from_str(&record.to_json()).unwrap();
                prop_assert_eq!(&back, &record);
                prop_assert_eq!(record.jobs().len() as u64, record.jobs);
                for point in batch.points.iter().take(2) {
                    let scenario = Scenario::from_toml_str(&point.resolved, "point.toml");
                    let scenario = scenario.map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(&scenario.hash(), &point.scenario_hash);
                    prop_assert_eq!(&scenario.name, &point.name);
                }
            }
        }
        Ok(())
    });
    eprintln!(
        "batch loader: {} inputs tried, {} loaded",
        BATCH_INPUTS.load(Ordering::Relaxed),
        BATCHES_LOADED.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// What must hold for any scenario the loader accepts: its resolved text loads back as the same
/// scenario, warnings and the memory estimate are computed, and a small replication runs.
fn loaded_scenario_is_sound(scenario: &Scenario) -> Result<(), TestCaseError> {
    let again = Scenario::from_toml_str(&scenario.resolved_toml(), "again.toml");
    let again = match again {
        Ok(again) => again,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "resolved text does not load back: {e}"
            )))
        }
    };
    prop_assert_eq!(again.hash(), scenario.hash());
    let _ = scenario.warnings();
    let estimate = estimate_memory(std::slice::from_ref(scenario), 2);
    prop_assert!(estimate.total_bytes.is_finite() && estimate.total_bytes > 0.0);
    // About 3,000 patients, so a replication takes milliseconds.
    let full = patients_created(scenario) / scenario.simulation.scale;
    let scale = (3000.0 / full).clamp(1e-6, 1.0);
    let small = scenario.with_overrides(&Overrides {
        replications: Some(1),
        scale: Some(scale),
        ..Overrides::default()
    });
    if let Ok(small) = small {
        if patients_created(&small) < 20_000.0 {
            let result = run_replication(&small, 1);
            let months = small.simulation.months as usize;
            prop_assert_eq!(result.metrics.shape(), &[months, METRICS.len()]);
            RAN.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// One small result folder, written once by `plansim run`.
fn written_result() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness_fuzz");
        let _ = fs::remove_dir_all(&out);
        Command::cargo_bin("plansim")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "run",
                "scenarios/example-icb.toml",
                "--scale",
                "0.01",
                "--months",
                "1",
                "-r",
                "1",
                "-q",
                "--no-plots",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        out.join("example-icb")
    })
}

#[test]
fn fuzz_check_of_a_result_folder() {
    let original = written_result();
    let names: Vec<String> = {
        let mut n: Vec<String> = fs::read_dir(original)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    let contents: Vec<Vec<u8>> = names
        .iter()
        .map(|n| fs::read(original.join(n)).unwrap())
        .collect();
    let manifest = names.iter().position(|n| n == "manifest.json").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("example-icb");
    fs::create_dir(&copy).unwrap();
    let shown = copy.display().to_string();
    // Mutations go to the manifest half the time: its parser is the one that sees any bytes.
    let target = prop_oneof![1 => Just(manifest), 1 => 0..names.len()];
    let strategy = (target, prop::collection::vec(mutation(), 1..4));
    let result = runner(256).run(&strategy, |(file, mutations)| {
        CHECK_INPUTS.fetch_add(1, Ordering::Relaxed);
        for (name, bytes) in names.iter().zip(&contents) {
            fs::write(copy.join(name), bytes).unwrap();
        }
        let mut bytes = contents[file].clone();
        for m in &mutations {
            bytes = apply(&bytes, m);
        }
        fs::write(copy.join(&names[file]), &bytes).unwrap();
        let changed = bytes != contents[file];
        match verify_result_folder(&copy) {
            Ok(report) => {
                // Only the manifest may change and still verify (a space, a timing).
                prop_assert!(
                    !changed || file == manifest,
                    "{} was changed and still verified: {report:?}",
                    names[file]
                );
            }
            Err(problems) => {
                prop_assert!(changed, "an intact folder failed: {problems:?}");
                for problem in &problems {
                    prop_assert!(
                        problem.starts_with(&shown),
                        "does not name the file: {problem}"
                    );
                }
            }
        }
        Ok(())
    });
    eprintln!(
        "check: {} inputs tried",
        CHECK_INPUTS.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_mutations_do_what_they_say() {
    let text = b"a = 1\nb = 2\n[t]\nc = 3";
    assert_eq!(
        apply(text, &Mutation::SwapValues(0, 1)),
        b"a = 2\nb = 1\n[t]\nc = 3"
    );
    assert_eq!(
        apply(text, &Mutation::SetValue(2, "nan".into())),
        b"a = 1\nb = 2\n[t]\nc = nan"
    );
    assert_eq!(
        apply(text, &Mutation::DeleteLine(2)),
        b"a = 1\nb = 2\nc = 3"
    );
    assert_eq!(
        apply(text, &Mutation::FlipBit(0, 5)),
        b"A = 1\nb = 2\n[t]\nc = 3"
    );
    assert_eq!(apply(text, &Mutation::Truncate(3)), b"a =");
}
