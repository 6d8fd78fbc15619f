//! Charts of saved results, as PNG and SVG bytes: per target metric a fan chart (median, middle
//! 50% and 90% of replications, target, deadline, published start), a one-page dashboard, the
//! waiting-time distribution when the run wrote `waits.csv`, overlays of several scenarios, and
//! sweep charts. Reads results through [`RunResults`], never the model; returns bytes and
//! leaves files to `output` (the writer) and the command line.
//!
//! Output is byte-identical for the same results: the font is compiled in (DejaVu Sans,
//! `assets/fonts/`), SVG text is drawn as glyph outlines, and PNGs carry no timestamps.

mod backend;
mod charts;
mod font;
mod results;
pub mod style;

pub use charts::{Sweep, SweepPoint};
pub use results::{MonthStats, ResultFiles, ResultsError, RunResults, TargetRow, WaitProfile};

use charts::{Chart, Dashboard, Overlay, SweepHeatmap, SweepLines, Trajectory, WaitDistribution};
use plotters::prelude::*;

use crate::output::ResultFolder;

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("drawing {chart}: {message}")]
pub struct PlotError {
    pub chart: String,
    pub message: String,
}

/// One chart in both formats.
#[derive(Clone, Debug)]
pub struct RenderedChart {
    /// File stem: `dashboard`, `trajectory-rtt_waiting_list`, ...
    pub id: String,
    pub title: String,
    pub png: Vec<u8>,
    pub svg: String,
}

fn render<C: Chart>(chart: &C) -> Result<RenderedChart, PlotError> {
    let fail = |message: String| PlotError {
        chart: chart.id(),
        message,
    };
    let (w, h) = chart.size();
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let area = backend::Png::new(&mut rgb, (w, h)).into_drawing_area();
        chart.draw(&area).map_err(fail)?;
        area.present().map_err(|e| fail(e.to_string()))?;
    }
    let png = backend::encode_png(&rgb, (w, h)).map_err(|e| fail(e.to_string()))?;
    let mut svg = backend::Svg::new((w, h), &chart.id(), &chart.title());
    {
        let area = (&mut svg).into_drawing_area();
        chart.draw(&area).map_err(fail)?;
    }
    Ok(RenderedChart {
        id: chart.id(),
        title: chart.title(),
        png,
        svg: svg.finish(),
    })
}

/// Every chart of one run, dashboard first, then one per target metric with values (in
/// catalogue order), then the waiting-time distribution if the run has `waits.csv`.
pub fn run_charts(run: &RunResults) -> Result<Vec<RenderedChart>, PlotError> {
    let mut charts = vec![render(&Dashboard { run })?];
    let mut seen = std::collections::BTreeSet::new();
    for t in run.drawable_targets() {
        if seen.insert(t.metric.clone()) {
            charts.push(render(&Trajectory {
                run,
                metric: &t.metric,
                target: Some(t),
            })?);
        }
    }
    if let Some(chart) = WaitDistribution::choose(run) {
        charts.push(render(&chart)?);
    }
    Ok(charts)
}

/// One chart per metric the runs share a target for, each overlaying every run's median.
pub fn comparison_charts(runs: &[RunResults]) -> Result<Vec<RenderedChart>, PlotError> {
    let Some(first) = runs.first() else {
        return Ok(Vec::new());
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut charts = Vec::new();
    for t in first.targets.iter() {
        let has_values = runs.iter().any(|r| r.series.contains_key(&t.metric));
        if has_values && seen.insert(t.metric.clone()) {
            charts.push(render(&Overlay {
                runs,
                metric: &t.metric,
            })?);
        }
    }
    Ok(charts)
}

/// Sweep charts: lines of p_met for one parameter, a heatmap per target for two.
pub fn sweep_charts(sweep: &Sweep) -> Result<Vec<RenderedChart>, PlotError> {
    match sweep.parameters.len() {
        1 => Ok(vec![render(&SweepLines { sweep })?]),
        2 => sweep
            .targets()
            .iter()
            .map(|t| render(&SweepHeatmap { sweep, target: t }))
            .collect(),
        n => Err(PlotError {
            chart: "sweep".to_string(),
            message: format!("a sweep over {n} parameters: charts draw one or two"),
        }),
    }
}

/// Adds `plots/` to a result folder about to be written, drawn from its own bytes exactly as
/// `plansim plot` reads them back, so both give the same plots; the manifest then records
/// their checksums like every other file's.
pub fn add_plots(folder: &mut ResultFolder) -> Result<(), PlotError> {
    let manifest = folder.manifest.to_json().into_bytes();
    let mut view: ResultFiles = folder
        .files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    view.insert("manifest.json", &manifest);
    let results = RunResults::from_files(&view).map_err(|e| PlotError {
        chart: "results".to_string(),
        message: e.to_string(),
    })?;
    let charts = run_charts(&results)?;
    folder.files.extend(
        plot_files(&charts)
            .into_iter()
            .map(|(name, bytes)| (format!("plots/{name}"), bytes)),
    );
    Ok(())
}

/// The files of a `plots/` folder for these charts: `ID.png` and `ID.svg` for each.
pub fn plot_files(charts: &[RenderedChart]) -> Vec<(String, Vec<u8>)> {
    charts
        .iter()
        .flat_map(|c| {
            [
                (format!("{}.png", c.id), c.png.clone()),
                (format!("{}.svg", c.id), c.svg.clone().into_bytes()),
            ]
        })
        .collect()
}
