//! Report safety through the `plansim` command: a description holding HTML, script, quotes,
//! commas and line breaks comes out escaped (or as data) in every file a run, `plot` and
//! `report` write; and no scenario name can put an output outside the chosen folder.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{self, plansim};

fn scratch(name: &str) -> PathBuf {
    support::scratch("robustness_report", name)
}

/// Every file under `dir`, by path relative to it.
fn all_files(dir: &Path, prefix: &str, into: &mut Vec<(String, Vec<u8>)>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            all_files(&entry.path(), &format!("{name}/"), into);
        } else {
            into.push((name, fs::read(entry.path()).unwrap()));
        }
    }
}

#[test]
fn markup_in_a_description_is_escaped_in_every_output() {
    let dir = scratch("markup");
    let evil = r#"<script>alert('x')</script><img src=x onerror=alert(1)> & "quoted", with, commas
and a second line"#;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = format!(
        "extends = {:?}\nname = \"evil-desc\"\ndescription = '''{evil}'''\n",
        repo.join("scenarios/example-icb.toml")
            .display()
            .to_string()
    );
    fs::write(dir.join("evil.toml"), text).unwrap();
    plansim()
        .current_dir(&dir)
        .args([
            "run",
            "evil.toml",
            "--scale",
            "0.02",
            "--months",
            "2",
            "-r",
            "2",
            "-q",
            "-o",
            "out",
        ])
        .assert()
        .success();
    let run = dir.join("out/evil-desc");
    plansim().arg("report").arg(&run).assert().success();
    plansim().arg("check").arg(&run).assert().success();

    let mut files = Vec::new();
    all_files(&run, "", &mut files);
    assert!(files.iter().any(|(n, _)| n == "report.html"));
    assert!(files.iter().any(|(n, _)| n.ends_with(".svg")));
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if name == "scenario.toml" {
            // Data, not markup: the resolved scenario holds the description as a TOML string
            // that loads back to exactly what was written.
            let table: toml::Table = toml::from_str(&text).unwrap();
            assert_eq!(table["description"].as_str(), Some(evil));
            continue;
        }
        // Text such as `onerror=alert(1)` may stay, escaped inside a string; no element may.
        for raw in ["<script", "<img"] {
            assert!(!text.contains(raw), "{name} holds {raw} unescaped");
        }
        if name.ends_with(".svg") || name.ends_with(".html") {
            let doc = scraper::Html::parse_document(&text);
            let active = scraper::Selector::parse("script, img, [onerror], [onload]").unwrap();
            assert_eq!(doc.select(&active).count(), 0, "{name}");
        }
        if name.ends_with(".csv") {
            // Names cannot hold commas or quotes, so every row has the header's columns.
            let mut lines = text.lines();
            let columns = lines.next().unwrap().split(',').count();
            assert!(lines.all(|l| l.split(',').count() == columns), "{name}");
        }
    }
    let html = String::from_utf8_lossy(&files.iter().find(|(n, _)| n == "report.html").unwrap().1)
        .into_owned();
    assert!(html.contains("&lt;script&gt;alert("), "shown as text");
    let doc = scraper::Html::parse_document(&html);
    let scripts = scraper::Selector::parse("script, img[onerror]").unwrap();
    assert_eq!(doc.select(&scripts).count(), 0);
    // The manifest is JSON that parses, whatever the description.
    let manifest = files.iter().find(|(n, _)| n == "manifest.json").unwrap();
    serde_json::from_slice::<serde_json::Value>(&manifest.1).unwrap();
}

#[test]
fn no_scenario_name_can_write_outside_the_output_folder() {
    let dir = scratch("names");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let parent = repo
        .join("scenarios/example-icb.toml")
        .display()
        .to_string();
    let names = [
        "../escaped",
        "../../escaped",
        "/tmp/escaped",
        "sub/escaped",
        "..",
        ".",
        ".hidden",
        "a\\b",
        "C:escaped",
        "escaped\u{0}",
        "esc\naped",
        "",
    ];
    for name in names {
        let text = format!("extends = {parent:?}\nname = {}\n", toml_string(name));
        fs::write(dir.join("case.toml"), text).unwrap();
        let output = plansim()
            .current_dir(&dir)
            .args([
                "run",
                "case.toml",
                "--scale",
                "0.01",
                "--months",
                "1",
                "-r",
                "1",
                "-q",
                "--no-plots",
                "-o",
                "out/inner",
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name:?}: {err}");
        assert!(err.contains("case.toml:2:1: name = "), "{name:?}: {err}");
        assert!(err.contains("expected 1 to 64 characters from A-Z a-z 0-9 . _ - (not starting with .), as it names the result folder"), "{name:?}: {err}");
        assert!(!dir.join("out").exists(), "{name:?}: nothing written");
    }
    // A name taken from a file name is held to the same rule.
    fs::write(dir.join("..toml"), format!("extends = {parent:?}\n")).unwrap();
    let output = plansim()
        .current_dir(&dir)
        .args(["check", "..toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("name = \".\" (from the file name): expected 1 to 64"));
    assert!(!Path::new("/tmp/escaped").exists());
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
