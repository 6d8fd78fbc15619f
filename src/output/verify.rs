//! Verifies a written result folder against its manifest: every file the manifest lists is
//! there with the same SHA-256, and the folder says whether it is complete. Reads only; never
//! repairs. Any bytes in manifest.json give a message naming the file, never a panic.

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::util::hash::{is_sha256_hex, sha256_hex_reader};

/// What a folder that verified holds.
#[derive(Clone, Debug, PartialEq)]
pub struct FolderReport {
    pub scenario: String,
    /// Files whose checksum matched.
    pub files_checked: usize,
    /// False for the folder an interrupted run leaves.
    pub complete: bool,
    pub replications: u64,
    pub replications_requested: u64,
    /// Files in the folder the manifest does not list (`report.html`, which is written later),
    /// for information: they are not results.
    pub unlisted: Vec<String>,
    /// Temporary files and folders an interrupted write left in the folder or beside it. They
    /// never claim to be results (their names start with `.`) and can be deleted.
    pub leftovers: Vec<PathBuf>,
}

/// Checks the result folder `dir`. Every problem found is returned, each naming its file.
pub fn verify_result_folder(dir: &Path) -> Result<FolderReport, Vec<String>> {
    let manifest_path = dir.join("manifest.json");
    let shown = |p: &Path| p.display().to_string();
    let text = super::read_written_file(&manifest_path)
        .map_err(|e| vec![format!("{}: cannot read: {e}", shown(&manifest_path))])?;
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(|e| {
        vec![format!(
            "{}: not valid JSON (line {}, column {}: {e}); the folder is damaged: run the scenario again",
            shown(&manifest_path),
            e.line(),
            e.column()
        )]
    })?;
    let field = |key: &str| value.get(key);
    let mut problems = Vec::new();
    let files = match field("files").and_then(|f| f.as_object()) {
        Some(files) => files,
        None => {
            return Err(vec![format!(
                "{}: no `files` checksums, so the folder cannot be verified (written by an older \
                 plansim, or damaged); run the scenario again",
                shown(&manifest_path)
            )])
        }
    };
    let mut checked = 0;
    for (name, expected) in files {
        let Some(relative) = inside_path(name) else {
            problems.push(format!(
                "{}: files.{name:?}: not a path inside the result folder",
                shown(&manifest_path)
            ));
            continue;
        };
        let Some(expected) = expected.as_str().filter(|h| is_sha256_hex(h)) else {
            problems.push(format!(
                "{}: files.{name:?} = {expected}: expected a SHA-256 as 64 hex digits",
                shown(&manifest_path)
            ));
            continue;
        };
        let path = dir.join(&relative);
        match file_sha256(&path) {
            Ok(found) if found == expected => checked += 1,
            Ok(found) => problems.push(format!(
                "{}: checksum does not match the manifest (sha256 {found}, expected {expected}): \
                 the file was changed or damaged after plansim wrote it",
                shown(&path)
            )),
            Err(e) if e.kind() == io::ErrorKind::NotFound => problems.push(format!(
                "{}: missing (listed in manifest.json)",
                shown(&path)
            )),
            Err(e) => problems.push(format!("{}: cannot read: {e}", shown(&path))),
        }
    }
    let complete = field("complete").and_then(|c| c.as_bool());
    let replications = field("replications").and_then(|r| r.as_u64());
    let requested = field("replications_requested").and_then(|r| r.as_u64());
    let scenario = field("scenario").and_then(|s| s.as_str());
    let (Some(complete), Some(replications), Some(requested), Some(scenario)) =
        (complete, replications, requested, scenario)
    else {
        problems.push(format!(
            "{}: expected `scenario`, `complete`, `replications` and `replications_requested`; \
             the folder is damaged: run the scenario again",
            shown(&manifest_path)
        ));
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let (unlisted, mut leftovers) = unlisted_files(dir, files);
    leftovers.extend(leftovers_beside(dir));
    Ok(FolderReport {
        scenario: scenario.to_string(),
        files_checked: checked,
        complete,
        replications,
        replications_requested: requested,
        unlisted,
        leftovers,
    })
}

/// What `plansim check` says about a folder: lines for stdout, in order, and the problems
/// found (a folder with problems fails the check).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FolderCheck {
    pub lines: Vec<String>,
    pub problems: Vec<String>,
}

impl FolderCheck {
    /// Adds `other`'s lines and problems after this one's.
    pub fn extend(&mut self, other: FolderCheck) {
        self.lines.extend(other.lines);
        self.problems.extend(other.problems);
    }

    fn problem(problem: String) -> FolderCheck {
        FolderCheck {
            lines: Vec::new(),
            problems: vec![problem],
        }
    }
}

/// Verifies one result folder for `plansim check`: an incomplete folder is a problem, and
/// temporary files an interrupted write left are noted.
pub fn check_result_folder(dir: &Path) -> FolderCheck {
    let shown = dir.display();
    if !dir.join("manifest.json").exists() {
        return FolderCheck::problem(format!(
            "{shown}: a folder without manifest.json: expected a scenario file, or a result \
             folder written by `plansim run` (DIR/<scenario name>)"
        ));
    }
    let report = match verify_result_folder(dir) {
        Ok(report) => report,
        Err(problems) => {
            return FolderCheck {
                lines: Vec::new(),
                problems,
            }
        }
    };
    let mut check = FolderCheck::default();
    for leftover in &report.leftovers {
        check.lines.push(format!(
            "note: {} was left by an interrupted write; it is not a result{}",
            leftover.display(),
            if leftover.to_string_lossy().contains(".old-") {
                " (it holds the results that were being replaced; delete it, or rename it to restore them)"
            } else {
                " and can be deleted"
            }
        ));
    }
    if !report.complete {
        check.problems.push(format!(
            "{shown}: the files are intact, but the run was interrupted: it holds {} of {} \
             replications (\"complete\": false in manifest.json); run the scenario again for a \
             complete result",
            report.replications, report.replications_requested
        ));
        return check;
    }
    check.lines.push(format!(
        "{shown}: complete result of scenario {:?}, {} replications; {} files match their checksums",
        report.scenario, report.replications, report.files_checked
    ));
    if !report.unlisted.is_empty() {
        check.lines.push(format!(
            "note: not covered by the manifest (written after the run): {}",
            report.unlisted.join(", ")
        ));
    }
    check
}

/// `name` as a relative path of ordinary, non-hidden components (`plots/x.png`), or `None`.
/// Keeps a manifest from pointing `check` outside the folder.
fn inside_path(name: &str) -> Option<PathBuf> {
    if name.is_empty() || name.contains('\\') {
        return None;
    }
    let path = Path::new(name);
    let ordinary = path.components().all(|c| match c {
        Component::Normal(part) => !part.to_string_lossy().starts_with('.'),
        _ => false,
    });
    ordinary.then(|| path.to_path_buf())
}

/// Hashes a file as it streams, so a large monthly.csv is not read whole.
fn file_sha256(path: &Path) -> io::Result<String> {
    // Checked before opening: opening a FIFO would block.
    if !fs::symlink_metadata(path)?.is_file() {
        return Err(io::Error::other("not a plain file"));
    }
    let file = File::open(path)?;
    sha256_hex_reader(file)
}

/// Files under `dir` (one level of subfolders, as `plots/`) that the manifest does not list,
/// split into ordinary files and temporary leftovers (names starting with `.`).
fn unlisted_files(
    dir: &Path,
    listed: &serde_json::Map<String, serde_json::Value>,
) -> (Vec<String>, Vec<PathBuf>) {
    let mut unlisted = Vec::new();
    let mut leftovers = Vec::new();
    let mut visit = |prefix: &str, folder: &Path, recurse: bool| -> Vec<(String, PathBuf)> {
        let mut subfolders = Vec::new();
        let Ok(entries) = fs::read_dir(folder) else {
            return subfolders;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let relative = format!("{prefix}{name}");
            if name.starts_with('.') {
                leftovers.push(path);
            } else if path.is_dir() {
                if recurse {
                    subfolders.push((format!("{relative}/"), path));
                } else {
                    unlisted.push(relative);
                }
            } else if relative != "manifest.json" && !listed.contains_key(&relative) {
                unlisted.push(relative);
            }
        }
        subfolders
    };
    for (prefix, sub) in visit("", dir, true) {
        visit(&prefix, &sub, false);
    }
    unlisted.sort();
    leftovers.sort();
    (unlisted, leftovers)
}

/// The writer's temporary folders for this result folder, beside it: `.<name>.partial-<pid>`
/// (a write that was stopped) and `.<name>.old-<pid>` (the previous results, moved aside by a
/// `--force` run that was stopped before it could delete them).
fn leftovers_beside(dir: &Path) -> Vec<PathBuf> {
    let (Some(name), Some(parent)) = (dir.file_name(), dir.parent()) else {
        return Vec::new();
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let name = name.to_string_lossy();
    let prefixes = [format!(".{name}.partial-"), format!(".{name}.old-")];
    let mut found: Vec<PathBuf> = fs::read_dir(parent)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            prefixes.iter().any(|p| n.starts_with(p.as_str()))
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_inside() {
        assert!(inside_path("monthly.csv").is_some());
        assert!(inside_path("plots/dashboard.png").is_some());
        for bad in [
            "",
            "../x",
            "/etc/passwd",
            "plots/../../x",
            ".hidden",
            "plots/.x",
            "a\\b",
            "./x",
        ] {
            assert!(inside_path(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn check_says_what_a_result_folder_holds() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("base");
        fs::create_dir(&dir).unwrap();
        let no_manifest = check_result_folder(&dir);
        assert!(no_manifest.lines.is_empty());
        assert_eq!(no_manifest.problems.len(), 1);
        assert!(no_manifest.problems[0].contains("a folder without manifest.json"));

        // A well-formed checksum that is not the file's.
        let wrong = "0".repeat(64);
        fs::write(dir.join("summary.csv"), "a,b\n").unwrap();
        let manifest = |complete: bool, sha: &str| {
            format!(
                r#"{{"scenario": "base", "complete": {complete}, "replications": 2,
                    "replications_requested": 5, "files": {{"summary.csv": "{sha}"}}}}"#
            )
        };
        fs::write(dir.join("manifest.json"), manifest(true, &wrong)).unwrap();
        let damaged = check_result_folder(&dir);
        assert!(
            damaged.problems[0].contains("checksum does not match"),
            "{damaged:?}"
        );

        // SHA-256 of "a,b\n", by `sha256sum`.
        let sha = "5be08c9684a1d25efcee09318204824278b08bbfb4aef973ffefd0b9d7478313";
        fs::write(dir.join("manifest.json"), manifest(false, sha)).unwrap();
        fs::write(dir.join("report.html"), "<p>").unwrap();
        let interrupted = check_result_folder(&dir);
        assert_eq!(interrupted.lines, Vec::<String>::new());
        assert_eq!(interrupted.problems.len(), 1);
        assert!(interrupted.problems[0].contains("it holds 2 of 5 replications"));

        fs::write(dir.join("manifest.json"), manifest(true, sha)).unwrap();
        fs::write(dir.join(".summary.csv.tmp-1"), "").unwrap();
        let complete = check_result_folder(&dir);
        assert!(complete.problems.is_empty(), "{complete:?}");
        let shown = dir.display();
        assert_eq!(
            complete.lines,
            [
                format!(
                    "note: {}/.summary.csv.tmp-1 was left by an interrupted write; it is not a \
                     result and can be deleted",
                    shown
                ),
                format!(
                    "{shown}: complete result of scenario \"base\", 2 replications; 1 files \
                     match their checksums"
                ),
                "note: not covered by the manifest (written after the run): report.html"
                    .to_string(),
            ]
        );
    }
}
