//! One plansim at a time per result or batch folder. While a command works on `DIR/<name>/`,
//! it holds `DIR/.<name>.lock` locked; a second command on the same folder is refused at once
//! instead of finding out when it writes, or mixing its work with the first's.
//!
//! The lock file is beside the folder rather than inside it, as `--force` moves the folder away
//! while the lock is held; it is never removed, as removing a lock file lets two processes lock
//! two different files of one name. The operating system releases the lock when the process
//! ends, however it ends, so a killed command never leaves a stale lock.

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use super::OutputError;

/// A folder's lock, held until dropped.
#[derive(Debug)]
pub struct FolderLock {
    /// The locked file; `None` where the file system cannot lock.
    _file: Option<File>,
    unsupported: Option<String>,
}

impl FolderLock {
    /// Set when the folder could not be locked because its file system cannot lock files.
    pub fn warning(&self) -> Option<&str> {
        self.unsupported.as_deref()
    }
}

/// The lock file of `folder`: `.<name>.lock` beside it. A folder given without a name of its
/// own (`.`, `..`) is named by its full path, so one folder always has one lock file.
fn lock_path(folder: &Path) -> PathBuf {
    let folder = match folder.file_name() {
        Some(_) => folder.to_path_buf(),
        None => fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf()),
    };
    let name = folder.file_name().unwrap_or_default().to_string_lossy();
    folder.with_file_name(format!(".{name}.lock"))
}

/// Locks `folder` (which need not exist yet) for this process, or says that another plansim
/// is working on it. On a file system that cannot lock files, goes on unlocked, and the lock
/// says so in its warning.
pub fn lock_folder(folder: &Path) -> Result<FolderLock, OutputError> {
    let path = lock_path(folder);
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, source }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if parent.exists() && !parent.is_dir() {
            return Err(OutputError::NotAFolder {
                path: parent.to_path_buf(),
            });
        }
        fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    // plansim makes its lock files as plain files: a link in their place (a dangling one would
    // be followed, creating a file wherever it points) was not made by plansim.
    if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(io_error(&path)(io::Error::other(
            "is not a plain file (a link, a folder or a special file), so it is not a lock \
             file plansim made; remove it and run again",
        )));
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(FolderLock {
            _file: Some(file),
            unsupported: None,
        }),
        Err(TryLockError::WouldBlock) => Err(OutputError::Busy {
            folder: folder.to_path_buf(),
        }),
        Err(TryLockError::Error(e)) if cannot_lock_here(&e) => Ok(FolderLock {
            _file: None,
            unsupported: Some(format!(
                "{}: this file system cannot lock files ({e}), so nothing stops a second \
                 plansim from working on {} at the same time",
                path.display(),
                folder.display()
            )),
        }),
        Err(TryLockError::Error(e)) => Err(io_error(&path)(e)),
    }
}

/// Whether another plansim holds `folder`'s lock now. Creates nothing: for a dry run.
pub fn is_locked(folder: &Path) -> bool {
    let Ok(file) = File::open(lock_path(folder)) else {
        return false;
    };
    matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock))
}

/// Errors of a file system that has no locks (Lustre mounted without `flock`, NFS without its
/// lock service), as opposed to a lock that failed.
fn cannot_lock_here(e: &io::Error) -> bool {
    /// ENOLCK on Linux: "no locks available".
    const NO_LOCKS_AVAILABLE: i32 = 37;
    e.kind() == io::ErrorKind::Unsupported
        || (cfg!(target_os = "linux") && e.raw_os_error() == Some(NO_LOCKS_AVAILABLE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_folder_is_refused_until_the_first_is_dropped() {
        let root = std::env::temp_dir().join(format!("plansim-lock-{}", std::process::id()));
        let folder = root.join("results");
        let first = lock_folder(&folder).expect("locks");
        assert!(first.warning().is_none());
        assert_eq!(lock_path(&folder), root.join(".results.lock"));
        assert!(!folder.exists(), "the folder itself is not made");
        // flock locks belong to open files, so a second open file in this process conflicts
        // as another process's would.
        assert!(is_locked(&folder));
        let err = lock_folder(&folder).expect_err("busy");
        assert!(matches!(err, OutputError::Busy { .. }), "{err}");
        drop(first);
        assert!(!is_locked(&folder));
        drop(lock_folder(&folder).expect("free again"));
        // A folder named `.` locks the same file as by its name.
        fs::create_dir_all(&folder).unwrap();
        assert_eq!(
            lock_path(&folder.join(".")),
            fs::canonicalize(&root).unwrap().join(".results.lock")
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
