//! `plansim report`: RUN_DIR/report.html from the saved results.

use std::path::Path;

use anyhow::Result;

use plansim::output::write_atomic;
use plansim::report::render_report;

use super::common::{load_results, lock};

pub fn report(run_dir: &Path) -> Result<()> {
    let _lock = lock(run_dir)?;
    let run = load_results(run_dir)?;
    let html = render_report(&run)?;
    let path = run_dir.join("report.html");
    write_atomic(&path, html.as_bytes())?;
    Ok(())
}
