//! `plansim plot`: charts from saved results, into each RUN_DIR/plots/ and, with --compare,
//! charts overlaying the runs.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

use plansim::output::{record_plots, write_result_folder};
use plansim::plot::{comparison_charts, plot_files, run_charts};

use super::common::{load_results, lock};

/// Draws each RUN_DIR/plots/, replacing the folder whole (written aside, then renamed in), and
/// records the plots' checksums in the manifest.
pub fn plot(run_dirs: &[PathBuf], compare: Option<&Path>) -> Result<()> {
    // Each folder's plots and manifest are rewritten: no run may be replacing it meanwhile.
    let _locks = run_dirs
        .iter()
        .map(|d| lock(d))
        .collect::<Result<Vec<_>>>()?;
    let runs = run_dirs
        .iter()
        .map(|d| load_results(d))
        .collect::<Result<Vec<_>>>()?;
    for (dir, run) in run_dirs.iter().zip(&runs) {
        let files = plot_files(&run_charts(run)?);
        write_plots(dir, "plots", &files)?;
        record_plots(dir, &files)?;
    }
    if let Some(out) = compare {
        if runs.len() < 2 {
            bail!("--compare needs at least two RUN_DIRs to overlay");
        }
        let charts = comparison_charts(&runs)?;
        let (root, name) = split_folder(out)?;
        write_plots(&root, &name, &plot_files(&charts))?;
    }
    Ok(())
}

/// `a/b/c` -> (`a/b`, `c`), for the writer, which swaps a named folder in whole.
fn split_folder(path: &Path) -> Result<(PathBuf, String)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| anyhow!("{}: expected a folder name", path.display()))?;
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok((root, name))
}

fn write_plots(root: &Path, name: &str, files: &[(String, Vec<u8>)]) -> Result<()> {
    // Replacing plots is always allowed: they are derived from the results beside them.
    write_result_folder(root, name, files, true)?;
    Ok(())
}
