//! Helpers shared by the command-line tests.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `plansim` binary, run from the repository root (so shipped scenario paths resolve).
pub fn plansim() -> Command {
    let mut command = Command::cargo_bin("plansim").expect("binary built");
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// An empty folder `group/name` under the test target folder, cleared of earlier runs.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}
