//! The command examples in the README and the user guide (`docs/guide/*.md`) are run, so they
//! cannot go stale.
//!
//! Every line of a fenced ```` ```sh ```` (or `bash`, `shell`) block that starts with `plansim `
//! or `cargo run --release -- ` is a command example. Output and error examples go in
//! ```` ```text ```` blocks, which are not run. A line with a placeholder (`<...>`, `...`, or an
//! placeholder word such as `FILE.csv`, `CODE`, `TRUST.toml`) is skipped and counted.
//!
//! Each page's examples run in order, with the built binary, in a fresh folder holding copies of
//! `scenarios/` and `data/`, so relative paths resolve as from the repository's top folder and
//! an example may use what an earlier one on the same page wrote. To keep the test short:
//! - `run` first checks every scenario file it names with `plansim check`, then runs with
//!   `-r 1 --no-plots -q --force` and, for elective scenarios, `--scale 0.01` in place of the
//!   example's own `-r` and `--scale` (the months stay: a scenario's dated changes must fall
//!   inside them);
//! - `batch` runs with `--dry-run`, which checks the batch file, every point and the output
//!   folder, and runs nothing;
//! - `merge` of shard folders that no example wrote (the batches above only dry-run) must fail
//!   with status 1 on reading the first of them: the arguments parsed (a usage error is status
//!   2) and the command got as far as its input.
//!
//! Every other command runs as written and must succeed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::scratch;

/// Fewer checked examples than this means the extraction has broken.
const MIN_CHECKED: usize = 15;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The documentation pages, README first, then the guide in name order.
fn pages() -> Vec<PathBuf> {
    let mut guide: Vec<PathBuf> = fs::read_dir(repo().join("docs/guide"))
        .expect("docs/guide/ exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    guide.sort();
    assert!(!guide.is_empty(), "docs/guide/ holds no pages");
    let mut pages = vec![repo().join("README.md")];
    pages.extend(guide);
    pages
}

/// One command example: where it is, and its words after `plansim`.
struct Example {
    place: String,
    line: String,
    words: Vec<String>,
}

/// The command examples of one page, and how many placeholder lines were skipped.
fn examples(page: &Path) -> (Vec<Example>, usize) {
    let text = fs::read_to_string(page).unwrap();
    let name = page.strip_prefix(repo()).unwrap().display().to_string();
    let mut found = Vec::new();
    let mut skipped = 0;
    let mut fence: Option<bool> = None; // Some(runnable) inside a fenced block
    for (index, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => {
                    let lang = info.split_whitespace().next().unwrap_or("");
                    Some(matches!(lang, "sh" | "bash" | "shell"))
                }
            };
            continue;
        }
        if fence != Some(true) {
            continue;
        }
        // A comment to the end of the line; no example has `#` inside an argument.
        let line = match trimmed.find(" #") {
            Some(at) => trimmed[..at].trim(),
            None => trimmed,
        };
        let rest = if let Some(rest) = line.strip_prefix("plansim ") {
            rest
        } else if let Some(rest) = line.strip_prefix("cargo run --release -- ") {
            rest
        } else {
            continue;
        };
        let place = format!("{name}:{}", index + 1);
        let words: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
        if is_placeholder(line, &words) {
            skipped += 1;
            continue;
        }
        assert!(
            !line.contains(['"', '\'', '$', '`', '|', '>', ';', '&', '\\']),
            "{place}: `{line}`: shell syntax the test does not interpret; keep examples to plain words"
        );
        found.push(Example {
            place,
            line: line.to_string(),
            words,
        });
    }
    assert!(fence.is_none(), "{name}: a fenced block is never closed");
    (found, skipped)
}

/// The words the docs use as placeholders (before any extension: `FILE.csv`, `TRUST.toml`).
/// Real upper-case arguments, such as the provider code `RBD`, are not among them.
const PLACEHOLDERS: &[&str] = &[
    "FILE",
    "CODE",
    "TRUST",
    "DIR",
    "RUN_DIR",
    "SCENARIO",
    "BATCH",
    "BATCH_DIR",
    "N",
    "F",
    "SEED",
    "THREADS",
    "I",
    "A",
    "B",
    "C",
];

/// `<...>`, `...`, or a placeholder word.
fn is_placeholder(line: &str, words: &[String]) -> bool {
    line.contains('<')
        || line.contains("...")
        || words.iter().any(|word| {
            let stem = word.split(['.', '/']).next().unwrap_or("");
            PLACEHOLDERS.contains(&stem)
        })
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn plansim(dir: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plansim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("plansim runs")
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The positional arguments of a command (its options and their values left out), given the
/// options of that command that take a value.
fn positionals<'a>(words: &'a [String], with_value: &[&str]) -> Vec<&'a String> {
    let mut out = Vec::new();
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        if word.starts_with('-') {
            if with_value.contains(&word.as_str()) {
                iter.next();
            }
        } else {
            out.push(word);
        }
    }
    out
}

const RUN_VALUE_OPTIONS: &[&str] = &[
    "-o",
    "--output",
    "-j",
    "--threads",
    "-r",
    "--replications",
    "-s",
    "--seed",
    "--months",
    "--scale",
];

/// A `run` example made small: its own replications, scale, quiet and plot flags replaced by the
/// test's.
fn small_run(dir: &Path, words: &[String]) -> Vec<String> {
    let mut args = Vec::new();
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        match word.as_str() {
            "-r" | "--replications" | "--scale" => {
                iter.next();
            }
            "-q" | "--quiet" | "--no-plots" | "--force" => {}
            _ => args.push(word.clone()),
        }
    }
    let scenarios = positionals(&words[1..], RUN_VALUE_OPTIONS);
    let network = scenarios.iter().any(|file| {
        fs::read_to_string(dir.join(file))
            .map(|text| text.lines().any(|l| l.trim() == "kind = \"network\""))
            .unwrap_or(false)
    });
    for extra in ["-r", "1", "--no-plots", "-q", "--force"] {
        args.push(extra.to_string());
    }
    if !network {
        args.push("--scale".to_string());
        args.push("0.01".to_string());
    }
    args
}

#[test]
fn every_command_example_in_the_docs_runs() {
    let mut checked = 0;
    let mut skipped = 0;
    for page in pages() {
        let (found, placeholders) = examples(&page);
        skipped += placeholders;
        if found.is_empty() {
            continue;
        }
        let stem = page.file_stem().unwrap().to_string_lossy().to_string();
        let dir = scratch("docs_commands", &stem);
        copy_tree(&repo().join("scenarios"), &dir.join("scenarios"));
        copy_tree(&repo().join("data"), &dir.join("data"));
        for example in found {
            let Example { place, line, words } = example;
            let command = words.first().map(String::as_str).unwrap_or("");
            match command {
                "run" => {
                    let files: Vec<String> = positionals(&words[1..], RUN_VALUE_OPTIONS)
                        .into_iter()
                        .cloned()
                        .collect();
                    assert!(!files.is_empty(), "{place}: `{line}` names no scenario");
                    let mut check = vec!["check".to_string()];
                    check.extend(files);
                    let output = plansim(&dir, &check);
                    assert!(
                        output.status.success(),
                        "{place}: `{line}`: its scenario files do not check\n{}",
                        describe(&output)
                    );
                    let output = plansim(&dir, &small_run(&dir, &words));
                    assert!(
                        output.status.success(),
                        "{place}: `{line}` fails\n{}",
                        describe(&output)
                    );
                }
                "batch" => {
                    let mut args = words.clone();
                    if !args.iter().any(|w| w == "--dry-run") {
                        args.push("--dry-run".to_string());
                    }
                    let output = plansim(&dir, &args);
                    assert!(
                        output.status.success(),
                        "{place}: `{line}` (as a dry run) fails\n{}",
                        describe(&output)
                    );
                }
                "merge" => {
                    let inputs = positionals(&words[1..], &["-o", "--output"]);
                    assert!(!inputs.is_empty(), "{place}: `{line}` names no shard");
                    let output = plansim(&dir, &words);
                    if inputs.iter().all(|input| dir.join(input).exists()) {
                        assert!(
                            output.status.success(),
                            "{place}: `{line}` fails\n{}",
                            describe(&output)
                        );
                    } else {
                        let stderr = String::from_utf8_lossy(&output.stderr);
                        assert!(
                            output.status.code() == Some(1)
                                && stderr.contains(inputs[0].as_str())
                                && stderr.contains("cannot read"),
                            "{place}: `{line}` with no shards written should fail reading \
                             `{}` (status 1)\n{}",
                            inputs[0],
                            describe(&output)
                        );
                    }
                }
                _ => {
                    let output = plansim(&dir, &words);
                    assert!(
                        output.status.success(),
                        "{place}: `{line}` fails\n{}",
                        describe(&output)
                    );
                }
            }
            checked += 1;
        }
    }
    eprintln!("docs commands: {checked} examples checked, {skipped} placeholder lines skipped");
    assert!(
        checked >= MIN_CHECKED,
        "only {checked} command examples found in the README and docs/guide/ (expected at least \
         {MIN_CHECKED}): has the extraction broken?"
    );
}

#[test]
fn placeholders_are_recognised() {
    let words = |line: &str| -> Vec<String> {
        line.split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    for line in [
        "plansim import rtt FILE.csv --provider CODE -o TRUST.toml",
        "plansim run TRUST.toml",
        "plansim report <RUN_DIR>",
        "plansim run a.toml ...",
    ] {
        assert!(is_placeholder(line, &words(line)), "{line}");
    }
    for line in [
        "plansim run scenarios/baseline.toml --scale 0.05 -r 4",
        "plansim import rtt data/rtt/rtt-full-csv-RBD-2024-11.csv --provider RBD -o rbd.toml",
    ] {
        assert!(!is_placeholder(line, &words(line)), "{line}");
    }
}
