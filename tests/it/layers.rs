//! Imports point one way: every `crate::` path in the library's sources names its own layer or
//! one below it, as the layer table in ARCHITECTURE.md says. The command (`main.rs`, `cli.rs`,
//! `cli/`) sits on top and reaches the library only as `plansim::`, so it may use any layer.

use std::fs;
use std::path::{Path, PathBuf};

/// The library's layers, bottom first. A module may use its own layer and the layers listed
/// before it; modules sharing a row (model and network) may not use each other.
const LAYERS: &[&[&str]] = &[
    &["util"],
    &["config"],
    &["engine"],
    &["scenario"],
    &["model", "network", "import"],
    &["experiment"],
    &["targets"],
    &["output"],
    &["plot"],
    &["report"],
    &["batch"],
];

/// Row of a top-level module in [`LAYERS`].
fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

/// The top-level module a source file belongs to: `src/model/booking.rs` is in `model`,
/// `src/cli.rs` in `cli`; `None` for `lib.rs`, which only declares the modules.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// Every `crate::NAME` in the code of `source` (comments skipped), with its line number.
fn crate_paths(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `$crate::` (macros) and `my_crate::` are not paths into this crate.
            let plain = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            if plain && !name.is_empty() {
                found.push((number + 1, name));
            }
            rest = after;
        }
    }
    found
}

/// What is wrong with the imports of the file at `relative` (inside src/) holding `source`.
fn violations(relative: &Path, source: &str) -> Vec<String> {
    let Some(module) = module_of(relative) else {
        return Vec::new();
    };
    let Some(own) = rank(&module) else {
        // The command: it reaches the library as `plansim::`, which may be any layer. A new
        // top-level module must be given a row in the table first.
        return if matches!(module.as_str(), "main" | "cli") {
            Vec::new()
        } else {
            vec![format!(
                "src/{}: module `{module}` has no row in the layer table",
                relative.display()
            )]
        };
    };
    let mut problems = Vec::new();
    for (line, target) in crate_paths(source) {
        let allowed = target == module || rank(&target).is_some_and(|r| r < own);
        if !allowed {
            problems.push(format!(
                "src/{}:{line}: `{module}` uses `crate::{target}`, which is not below it",
                relative.display()
            ));
        }
    }
    problems
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_import_runs_upward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let source = fs::read_to_string(file).unwrap();
        checked += crate_paths(&source).len();
        problems.extend(violations(relative, &source));
    }
    assert!(
        checked > 50,
        "only {checked} crate:: paths found: is the scan reading the sources?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .collect();
    assert!(modules.len() >= 10, "{modules:?}");
    for module in modules {
        assert!(rank(module).is_some(), "`{module}` has no row in LAYERS");
    }
}

#[test]
fn the_check_catches_upward_and_sideways_imports() {
    let file = Path::new("util/fmt.rs");
    assert_eq!(
        violations(file, "use crate::util::date::Date;\n"),
        Vec::<String>::new()
    );
    let upward = violations(file, "use std::fmt;\nuse crate::model::METRICS;\n");
    assert_eq!(
        upward,
        ["src/util/fmt.rs:2: `util` uses `crate::model`, which is not below it"]
    );
    // Inline paths count as much as `use` lines; comments and `$crate` do not.
    let targets = Path::new("targets/catalogue.rs");
    assert_eq!(
        violations(
            targets,
            "    write!(f, \"{}\", crate::output::fmt_num(v))\n"
        )
        .len(),
        1
    );
    assert!(violations(targets, "// see crate::output\n").is_empty());
    assert!(violations(targets, "$crate::output::x!()\n").is_empty());
    // Peers in one row may not use each other.
    assert_eq!(
        violations(Path::new("network/sim.rs"), "use crate::model::Hospital;\n").len(),
        1
    );
    // The command may use anything; a module missing from the table is reported.
    assert!(violations(Path::new("cli/batch.rs"), "use crate::batch::x;\n").is_empty());
    assert_eq!(violations(Path::new("extra/mod.rs"), "").len(), 1);
}
