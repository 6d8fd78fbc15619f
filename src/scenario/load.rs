//! Reading scenario files: UTF-8 and TOML syntax checks, `extends` chains (cycles, missing
//! parents), the deep merge of a chain into one table, and where each merged key was set.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::config::problems::{Origin, Source};
use crate::config::{read_input_text, TomlFile};

/// Variants of variants are useful; a chain this long is a mistake.
const MAX_CHAIN: usize = 32;

/// One scenario file's text and where it lives.
struct FileText {
    /// The path as the user wrote it (or the origin name), for messages.
    display: String,
    /// The folder `extends` is relative to.
    dir: PathBuf,
    /// For spotting cycles; `None` for text that did not come from a file.
    canonical: Option<PathBuf>,
    stem: String,
    text: String,
}

/// One parsed file of a chain.
struct Parsed {
    file: FileText,
    table: toml::Table,
    /// Line and column of every key (tables too) in this file.
    positions: BTreeMap<Vec<String>, (usize, usize)>,
}

/// Reads the scenario at `path` and every file it extends, and merges them.
pub(crate) fn resolve_path(path: &Path) -> Result<Source, Vec<String>> {
    let display = path.display().to_string();
    let canonical = fs::canonicalize(path).ok();
    let text = read_text(path, &display)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    resolve(FileText {
        display,
        dir,
        canonical,
        stem: stem_of(path),
        text,
    })
}

/// As [`resolve_path`], for text named `origin`; `extends` is relative to the current folder.
pub(crate) fn resolve_text(text: &str, origin: &str) -> Result<Source, Vec<String>> {
    resolve(FileText {
        display: origin.to_string(),
        dir: PathBuf::new(),
        canonical: None,
        stem: stem_of(Path::new(origin)),
        text: text.to_string(),
    })
}

fn stem_of(path: &Path) -> String {
    match path.file_stem() {
        Some(stem) => stem.to_string_lossy().into_owned(),
        None => path.display().to_string(),
    }
}

fn read_text(path: &Path, display: &str) -> Result<String, Vec<String>> {
    read_input_text(path, display).map_err(|problem| vec![problem])
}

/// Follows the `extends` chain from `top`, then merges it, root first.
fn resolve(top: FileText) -> Result<Source, Vec<String>> {
    let mut chain: Vec<Parsed> = Vec::new();
    let mut current = top;
    loop {
        let parsed = parse(current)?;
        let Some(extends) = parsed.table.get("extends") else {
            chain.push(parsed);
            break;
        };
        let place = place_of(&parsed, &["extends"]);
        let Some(parent_name) = extends.as_str() else {
            let value = crate::config::render(extends);
            return Err(vec![format!(
                "{place}: extends = {value}: expected a file name in quotes, like \"baseline.toml\""
            )]);
        };
        let parent_path = parsed.file.dir.join(parent_name);
        let parent_display = parent_path.display().to_string();
        let canonical = match fs::canonicalize(&parent_path) {
            Ok(path) => path,
            Err(e) => {
                return Err(vec![format!(
                    "{place}: extends = {parent_name:?}: cannot read {parent_display}: {e} \
                     (extends is relative to the folder of {})",
                    parsed.file.display
                )])
            }
        };
        let mut names: Vec<String> = chain.iter().map(|p| p.file.display.clone()).collect();
        names.push(parsed.file.display.clone());
        let seen = chain
            .iter()
            .chain([&parsed])
            .any(|p| p.file.canonical.as_ref() == Some(&canonical));
        if seen {
            names.push(parent_display);
            return Err(vec![format!(
                "{place}: extends = {parent_name:?} makes a cycle: {}",
                names.join(" -> ")
            )]);
        }
        if names.len() >= MAX_CHAIN {
            return Err(vec![format!(
                "{place}: extends: the chain is longer than {MAX_CHAIN} files: {}",
                names.join(" -> ")
            )]);
        }
        // Say which `extends` led to an unreadable file, not only the file.
        let text = read_text(&parent_path, &parent_display).map_err(|problems| {
            problems
                .into_iter()
                .map(|p| format!("{place}: extends = {parent_name:?}: {p}"))
                .collect::<Vec<_>>()
        })?;
        let dir = parent_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        chain.push(parsed);
        current = FileText {
            display: parent_display,
            dir,
            canonical: Some(canonical),
            stem: stem_of(&parent_path),
            text,
        };
    }
    Ok(merge_chain(chain))
}

fn place_of(parsed: &Parsed, path: &[&str]) -> String {
    let key: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    match parsed.positions.get(&key) {
        Some((line, col)) => format!("{}:{line}:{col}", parsed.file.display),
        None => parsed.file.display.clone(),
    }
}

fn parse(file: FileText) -> Result<Parsed, Vec<String>> {
    let parsed = TomlFile::parse(&file.text, &file.display)?;
    Ok(Parsed {
        file,
        table: parsed.table,
        positions: parsed.positions,
    })
}

/// Merges the chain (the top file first in `chain`) into one table, root first so that each
/// file overrides its parents, and fills in `name` and `stream_family`.
fn merge_chain(chain: Vec<Parsed>) -> Source {
    let files: Vec<String> = chain.iter().map(|p| p.file.display.clone()).collect();
    let top_display = files.first().cloned().unwrap_or_default();
    let top_stem = chain
        .first()
        .map(|p| p.file.stem.clone())
        .unwrap_or_default();
    let root_name =
        chain.last().map(
            |root| match root.table.get("name").and_then(|v| v.as_str()) {
                Some(name) => name.to_string(),
                None => root.file.stem.clone(),
            },
        );

    let mut merged = toml::Table::new();
    let mut origins: BTreeMap<Vec<String>, Origin> = BTreeMap::new();
    let count = chain.len();
    for (depth, parsed) in chain.into_iter().enumerate().rev() {
        let mut table = parsed.table.clone();
        table.remove("extends");
        // A variant is its own scenario: the name is never inherited.
        if depth != 0 {
            table.remove("name");
        }
        merge_into(&mut merged, table, &mut Vec::new(), &parsed, &mut origins);
    }

    if !merged.contains_key("name") {
        merged.insert("name".into(), toml::Value::String(top_stem));
        origins.insert(
            vec!["name".into()],
            Origin {
                place: top_display.clone(),
                note: Some("(from the file name)".into()),
            },
        );
    }
    if !merged.contains_key("stream_family") {
        // Variants share their root's random numbers unless they say otherwise.
        let family = root_name.unwrap_or_default();
        let note = if count > 1 {
            format!(
                "(the name of {}, the root of the extends chain)",
                files[count - 1]
            )
        } else {
            "(the scenario name)".to_string()
        };
        merged.insert("stream_family".into(), toml::Value::String(family));
        origins.insert(
            vec!["stream_family".into()],
            Origin {
                place: top_display.clone(),
                note: Some(note),
            },
        );
    }
    Source {
        table: merged,
        files,
        origins,
        fallback: top_display,
    }
}

/// Deep merge: tables merge key by key, anything else replaces what the parent had.
fn merge_into(
    dst: &mut toml::Table,
    src: toml::Table,
    prefix: &mut Vec<String>,
    file: &Parsed,
    origins: &mut BTreeMap<Vec<String>, Origin>,
) {
    for (key, value) in src {
        prefix.push(key.clone());
        set_origin(prefix, file, origins);
        match (dst.get_mut(&key), value) {
            (Some(toml::Value::Table(old)), toml::Value::Table(new)) => {
                merge_into(old, new, prefix, file, origins);
            }
            (_, value) => {
                // Whatever the parents said below this key no longer applies. The paths below
                // a key follow it in sorted order, so they are a range of each map (a scan of
                // the whole map for every key took quadratic time on a large file).
                let below = |path: &&Vec<String>| path.starts_with(prefix);
                let stale: Vec<Vec<String>> = descendants(origins, prefix)
                    .take_while(below)
                    .cloned()
                    .collect();
                for path in stale {
                    origins.remove(&path);
                }
                let fresh: Vec<Vec<String>> = descendants(&file.positions, prefix)
                    .take_while(below)
                    .cloned()
                    .collect();
                for path in fresh {
                    set_origin(&path, file, origins);
                }
                dst.insert(key, value);
            }
        }
        prefix.pop();
    }
}

/// The keys of `map` after `prefix` in sorted order: its descendants first, then the rest.
fn descendants<'m, V>(
    map: &'m BTreeMap<Vec<String>, V>,
    prefix: &[String],
) -> impl Iterator<Item = &'m Vec<String>> {
    use std::ops::Bound::{Excluded, Unbounded};
    map.range::<Vec<String>, _>((Excluded(prefix.to_vec()), Unbounded))
        .map(|(path, _)| path)
}

fn set_origin(path: &[String], file: &Parsed, origins: &mut BTreeMap<Vec<String>, Origin>) {
    let place = match file.positions.get(path) {
        Some((line, col)) => format!("{}:{line}:{col}", file.file.display),
        None => file.file.display.clone(),
    };
    origins.insert(path.to_vec(), Origin { place, note: None });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::dotted;

    #[test]
    fn positions_of_keys_in_headers_inline_tables_and_dotted_keys() {
        let text = "x = 1\n[specialties.foo]\nm = { mean = 1, sd = 2 }\na.b = 2\n";
        let source = resolve_text(text, "t.toml").expect("valid");
        let at = |p: &[&str]| source.place(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(at(&["x"]), "t.toml:1:1");
        assert_eq!(at(&["specialties", "foo"]), "t.toml:2:14");
        assert_eq!(at(&["specialties", "foo", "m", "sd"]), "t.toml:3:17");
        assert_eq!(at(&["specialties", "foo", "a", "b"]), "t.toml:4:3");
        assert_eq!(at(&["specialties", "foo", "nothing"]), "t.toml:2:14");
        assert_eq!(source.table["name"].as_str(), Some("t"));
        assert_eq!(source.table["stream_family"].as_str(), Some("t"));
        assert_eq!(dotted(&["a"]), "a");
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = resolve_text("a = 1\nb = = 2\n", "bad.toml").expect_err("bad syntax");
        assert!(
            err[0].starts_with("bad.toml:2:5: TOML syntax error:"),
            "{err:?}"
        );
        let err = resolve_text("a = 1\na = 2\n", "dup.toml").expect_err("duplicate key");
        assert!(err[0].starts_with("dup.toml:2:"), "{err:?}");
    }

    #[test]
    fn merge_replaces_leaves_and_merges_tables() {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = "name = \"root\"\n[t]\na = 1\nb = [1, 2]\n[u.v]\nw = 1\n";
        fs::write(dir.path().join("base.toml"), base).expect("write");
        let child = "extends = \"base.toml\"\n[t]\nb = [3]\n[u]\nv = 5\n";
        fs::write(dir.path().join("child.toml"), child).expect("write");
        let source = resolve_path(&dir.path().join("child.toml")).expect("valid");
        let t = &source.table;
        assert_eq!(t["t"]["a"].as_integer(), Some(1));
        assert_eq!(t["t"]["b"].as_array().map(Vec::len), Some(1));
        assert_eq!(t["u"]["v"].as_integer(), Some(5));
        assert_eq!(t["name"].as_str(), Some("child"));
        assert_eq!(t["stream_family"].as_str(), Some("root"));
        assert!(!t.contains_key("extends"));
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(source.place(&path(&["t", "a"])).ends_with("base.toml:3:1"));
        assert!(source.place(&path(&["t", "b"])).ends_with("child.toml:3:1"));
        assert!(!source.origins.contains_key(&path(&["u", "v", "w"])));
    }
}
