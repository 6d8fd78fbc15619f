//! The one place that writes result files. A result folder `DIR/<name>/` is never overwritten
//! without `--force`; every file is written to a temporary file in its folder, synced, then
//! renamed, so a reader never sees half a file.
//!
//! A whole folder is first written as `DIR/.<name>.partial-<pid>/` and then renamed into place.
//! With `--force` the old folder is first renamed aside to `DIR/.<name>.old-<pid>/` and removed
//! after the new one is in place: an interruption leaves either the old folder or the new one
//! (possibly under its temporary name), never a mix. Names starting with `.` are temporary.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Manifest;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{}: already holds results; pass --force to replace them, or -o to write somewhere else", folder.display())]
    Exists { folder: PathBuf },
    #[error("{}: exists and is not a folder; remove it or choose another output folder with -o", path.display())]
    NotAFolder { path: PathBuf },
    #[error("{}: {source}{}", path.display(), hint(source))]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{}: another plansim is working on this folder now; wait for it to finish, or stop it",
        folder.display()
    )]
    Busy { folder: PathBuf },
}

/// What to do about the write errors a user can fix.
fn hint(error: &io::Error) -> &'static str {
    use io::ErrorKind::*;
    match error.kind() {
        StorageFull | QuotaExceeded | FileTooLarge => {
            "; the disk is full: free some space or choose another output folder with -o \
             (nothing half-written was left behind)"
        }
        PermissionDenied | ReadOnlyFilesystem => {
            "; the output folder cannot be written: choose another with -o"
        }
        _ => "",
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Checks that `DIR/<name>/` may be written: absent, empty, or `force` given. Called before
/// the simulation runs, so a refusal costs nothing.
pub fn check_destination(root: &Path, name: &str, force: bool) -> Result<(), OutputError> {
    for path in [root.to_path_buf(), root.join(name)] {
        match fs::metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_error(&path)(e)),
            Ok(meta) if !meta.is_dir() => return Err(OutputError::NotAFolder { path }),
            Ok(_) => {}
        }
    }
    let folder = root.join(name);
    if !force && !is_empty_dir(&folder)? {
        return Err(OutputError::Exists { folder });
    }
    Ok(())
}

/// Checks that files can be created in `root` (creating it if needed) by making and removing
/// a temporary folder, so a read-only or missing output folder is reported before the
/// simulation runs rather than after.
pub fn check_writable(root: &Path) -> Result<(), OutputError> {
    if root.exists() && !root.is_dir() {
        return Err(OutputError::NotAFolder {
            path: root.to_path_buf(),
        });
    }
    fs::create_dir_all(root).map_err(io_error(root))?;
    let probe = root.join(format!(".plansim-probe-{}", std::process::id()));
    fs::create_dir(&probe).map_err(io_error(root))?;
    fs::remove_dir(&probe).map_err(io_error(&probe))
}

fn is_empty_dir(folder: &Path) -> Result<bool, OutputError> {
    let mut entries = fs::read_dir(folder).map_err(io_error(folder))?;
    Ok(entries.next().is_none())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temp = folder.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(io_error(path)(e));
    }
    sync_dir(folder);
    Ok(())
}

/// Writes `files` as the folder `root/<name>/` (see the module docs for how), creating `root`
/// if needed. Returns the folder written.
pub fn write_result_folder<N: AsRef<str>, B: AsRef<[u8]>>(
    root: &Path,
    name: &str,
    files: &[(N, B)],
    force: bool,
) -> Result<PathBuf, OutputError> {
    check_destination(root, name, force)?;
    fs::create_dir_all(root).map_err(io_error(root))?;
    let pid = std::process::id();
    let staging = root.join(format!(".{name}.partial-{pid}"));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    fs::create_dir(&staging).map_err(io_error(&staging))?;

    let folder = root.join(name);
    let result = (|| {
        for (file_name, bytes) in files {
            let path = staging.join(file_name.as_ref());
            // A name may hold a subfolder (`plots/dashboard.png`): it is part of the folder.
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            write_atomic(&path, bytes.as_ref())?;
        }
        put_in_place(&staging, &folder, &root.join(format!(".{name}.old-{pid}")))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    sync_dir(root);
    Ok(folder)
}

/// Puts a complete folder built at `staging` in place as `folder` (moving an existing one
/// aside and removing it once the new one is in place).
pub fn replace_folder(staging: &Path, folder: &Path) -> Result<(), OutputError> {
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let root = folder
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let old = root.join(format!(".{name}.old-{}", std::process::id()));
    put_in_place(staging, folder, &old)?;
    sync_dir(root);
    Ok(())
}

/// Replaces the `plots/` checksums in `run_dir/manifest.json` with those of `plots` (names
/// inside `plots/`). The same results draw the same plots, so this usually rewrites the same
/// bytes; a manifest plansim cannot read (written by an older version) is left alone.
pub fn record_plots(run_dir: &Path, plots: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let path = run_dir.join("manifest.json");
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(());
    };
    let Ok(mut manifest) = serde_json::from_str::<Manifest>(&text) else {
        return Ok(());
    };
    manifest.files.retain(|name, _| !name.starts_with("plots/"));
    let named: Vec<(String, &[u8])> = plots
        .iter()
        .map(|(n, b)| (format!("plots/{n}"), b.as_slice()))
        .collect();
    manifest.record_files(named.iter().map(|(n, b)| (n.as_str(), *b)));
    write_atomic(&path, manifest.to_json().as_bytes())
}

/// Renames `staging` to `folder`, moving an existing `folder` aside to `old` first.
fn put_in_place(staging: &Path, folder: &Path, old: &Path) -> Result<(), OutputError> {
    match fs::metadata(folder) {
        Err(_) => {}
        Ok(_) if is_empty_dir(folder)? => fs::remove_dir(folder).map_err(io_error(folder))?,
        Ok(_) => {
            fs::rename(folder, old).map_err(io_error(folder))?;
            if let Err(e) = fs::rename(staging, folder) {
                // Put the old results back rather than leave no folder at all.
                let _ = fs::rename(old, folder);
                return Err(io_error(folder)(e));
            }
            return fs::remove_dir_all(old).map_err(io_error(old));
        }
    }
    fs::rename(staging, folder).map_err(io_error(folder))
}

/// Makes renames in `folder` durable. Best effort: some platforms cannot open a folder.
fn sync_dir(folder: &Path) {
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_file_where_the_folder_should_be() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("base"), "x").unwrap();
        let err = check_destination(root.path(), "base", true).unwrap_err();
        assert!(matches!(err, OutputError::NotAFolder { .. }), "{err}");
    }
}
