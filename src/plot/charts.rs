//! The charts, each drawn onto any plotters backend (so the PNG and the SVG are the same
//! picture): a metric's trajectory with uncertainty bands, target, deadline and published
//! start; the dashboard grid; waiting-time distributions; several scenarios' medians overlaid;
//! and sweeps (probability of meeting each target across sweep points, a heatmap for two
//! parameters). Every chart carries a title, axis captions with units, a legend where it has
//! more than one series, and a source line.

use plotters::chart::SeriesAnno;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::FAMILY;
use super::results::{RunResults, TargetRow, WaitProfile};
use super::style::{self, Unit, GRID, INK, MUTED, PALETTE, PROJECTION, START, TARGET};
use crate::util::date::Date;

pub(crate) type DrawResult = Result<(), String>;

/// The coordinates of every chart here: plain numbers across and up.
type Coords = Cartesian2d<RangedCoordf64, RangedCoordf64>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Font sizes and line widths for one chart scale (full chart or dashboard panel).
#[derive(Clone, Copy)]
pub(crate) struct Sizes {
    pub title: u32,
    pub text: u32,
    pub small: u32,
    pub line: u32,
}

pub(crate) const FULL: Sizes = Sizes {
    title: 30,
    text: 19,
    small: 16,
    line: 3,
};

const PANEL: Sizes = Sizes {
    title: 24,
    text: 17,
    small: 15,
    line: 3,
};

fn text_style(size: u32, colour: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size).into_font(),
        color: colour.to_backend_color(),
        pos: Pos::default(),
    }
}

fn bold(size: u32, colour: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size, FontStyle::Bold).into_font(),
        color: colour.to_backend_color(),
        pos: Pos::default(),
    }
}

/// A chart that can be drawn on any backend.
pub(crate) trait Chart {
    /// Pixel size.
    fn size(&self) -> (u32, u32);
    /// File stem and SVG id prefix.
    fn id(&self) -> String;
    /// The accessible name and the report's caption.
    fn title(&self) -> String;
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// The source line every chart ends with.
fn source_line(run: &RunResults) -> String {
    format!(
        "Source: plansim {} simulation, scenario \u{201c}{}\u{201d}, {} replications.",
        env!("CARGO_PKG_VERSION"),
        run.scenario,
        run.replications
    )
}

/// The source line of the sweep charts.
fn sweep_source_line(sweep: &Sweep) -> String {
    format!(
        "Source: plansim {} sweep, {} points, {} replications each.",
        env!("CARGO_PKG_VERSION"),
        sweep.points.len(),
        sweep.replications
    )
}

/// The heading every full-size chart shares: title and subtitle at the top, source at the foot.
fn draw_heading<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    source: &str,
) -> DrawResult {
    let (_, h) = area.dim_in_pixel();
    let s = FULL;
    area.draw_text(title, &bold(s.title, INK), (24, 16))
        .map_err(err)?;
    area.draw_text(subtitle, &text_style(s.text, MUTED), (24, 58))
        .map_err(err)?;
    area.draw_text(source, &text_style(s.small, MUTED), (24, h as i32 - 30))
        .map_err(err)?;
    Ok(())
}

/// The boxed legend of a full-size chart's labelled series.
fn draw_series_legend<'c, DB: DrawingBackend + 'c>(
    chart: &mut ChartContext<'c, DB, Coords>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .margin(12)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .label_font(text_style(FULL.small, INK))
        .draw()
        .map_err(err)
}

/// Date of month index `i` (0 = the day before the first month).
fn month_date(run: &RunResults, metric: &str, i: usize) -> Option<Date> {
    if i == 0 {
        return run.start_date;
    }
    run.series
        .get(metric)?
        .iter()
        .find(|m| m.month as usize == i)
        .map(|m| m.period_end)
}

/// Month index of a month-end date, counting the start as 0.
fn month_index(start: Option<Date>, d: Date) -> Option<f64> {
    let s = start?;
    let months = (d.year() - s.year()) * 12 + d.month() as i32 - s.month() as i32;
    Some(months as f64)
}

/// Which month ticks to label so they never crowd: every month up to 13, then every 3 or 12.
fn month_tick_every(months: usize, width: u32) -> usize {
    let fit = (width / 70).max(2) as usize;
    [1, 2, 3, 6, 12, 24]
        .into_iter()
        .find(|k| months / k < fit)
        .unwrap_or(24)
}

/// A y range with a little room, from zero where zero is close enough to matter, and within
/// 0-100 for percentages.
fn y_range(values: impl Iterator<Item = f64>, unit: Unit) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo >= 0.0 && lo < 0.5 * hi {
        lo = 0.0;
    }
    if hi - lo < 1e-9 {
        // A flat line (all zeros, say) still needs a visible scale.
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        lo -= if lo == 0.0 { 0.0 } else { pad };
        hi += pad;
    }
    let pad = (hi - lo) * 0.08;
    let (mut lo, mut hi) = (if lo == 0.0 { 0.0 } else { lo - pad }, hi + pad);
    if unit == Unit::Percent {
        lo = lo.max(0.0);
        hi = hi.min(100.0).max(lo + 1.0);
    }
    if lo < 0.0 && unit != Unit::Pounds {
        lo = 0.0;
    }
    (lo, hi)
}

/// Room left and right of the first and last month, so their points sit clear of the edges.
const MONTH_PAD: f64 = 0.3;

/// The axes of a month-by-month chart of `metric`, drawn: month 0 (the published start) to
/// `last` across, `lo..hi` up. Month-end dates for the ticks come from `run`, as many as fit
/// in `width` pixels.
fn monthly_axes<'c, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &RunResults,
    metric: &str,
    last: f64,
    (lo, hi): (f64, f64),
    s: Sizes,
    width: u32,
) -> Result<ChartContext<'c, DB, Coords>, String> {
    let unit = style::unit(metric);
    let step = (hi - lo) / 6.0;
    let every = month_tick_every(last as usize, width);
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(s.text * 2 + 14)
        .y_label_area_size(s.text * 5)
        .build_cartesian_2d(-MONTH_PAD..last + MONTH_PAD, lo..hi)
        .map_err(err)?;
    let x_fmt = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 1e-6 || i < 0.0 || !(i as usize).is_multiple_of(every) {
            return String::new();
        }
        month_date(run, metric, i as usize)
            .map(style::month_tick)
            .unwrap_or_default()
    };
    let y_fmt = |y: &f64| unit.tick(*y, step);
    chart
        .configure_mesh()
        .x_labels(last as usize + 1)
        .y_labels(7)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(text_style(s.small, INK))
        .axis_desc_style(text_style(s.text, INK))
        .x_desc("month end")
        .y_desc(unit.axis())
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// A target's level as a dashed line across a month-by-month chart; the caller may give it a
/// legend entry.
fn draw_target_line<'a, 'c, DB: DrawingBackend>(
    chart: &'a mut ChartContext<'c, DB, Coords>,
    threshold: f64,
    last: f64,
    s: Sizes,
) -> Result<&'a mut SeriesAnno<'c, DB>, String> {
    chart
        .draw_series(std::iter::once(DashedPathElement::new(
            vec![(-MONTH_PAD, threshold), (last + MONTH_PAD, threshold)],
            10,
            6,
            TARGET.stroke_width(s.line),
        )))
        .map_err(err)
}

/// What a target says, for a subtitle: `Target ≥ 92.0% by Mar 2025: met in 0% of 20 replications (not met)`.
pub(crate) fn target_summary(t: &TargetRow, unit: Unit, replications: usize) -> String {
    let when = match (t.window_start(), t.deadline_date()) {
        (Some(from), Some(to)) => format!(
            "on average {} to {}",
            style::month_label(from),
            style::month_label(to)
        ),
        (None, Some(to)) => format!("by {}", style::month_label(to)),
        _ => String::new(),
    };
    let phrase = style::target_phrase(&t.comparison, &t.threshold, unit);
    let how_sure = match t.p_met {
        Some(p) => format!(
            ": met in {}% of {} replications ({})",
            style::fmt_decimal(100.0 * p, 0),
            replications,
            t.verdict.replace('_', " ")
        ),
        None => format!(" ({})", t.verdict.replace('_', " ")),
    };
    format!("Target {phrase} {when}{how_sure}")
}

/// A legend entry of the fan charts.
enum Key {
    Median,
    Middle50,
    Band90,
    Target,
    Start(String),
}

/// A legend in one row from `(x, y)` (y is the row's centre), outside the plot so it never
/// hides data.
fn header_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    keys: &[Key],
    (mut lx, ly): (i32, i32),
    size: u32,
) -> DrawResult {
    for key in keys {
        let label = match key {
            Key::Median => {
                area.draw(&PathElement::new(
                    vec![(lx, ly), (lx + 26, ly)],
                    PROJECTION.stroke_width(3),
                ))
                .map_err(err)?;
                "median"
            }
            Key::Middle50 => {
                area.draw(&Rectangle::new(
                    [(lx, ly - 8), (lx + 26, ly + 8)],
                    PROJECTION.mix(0.35).filled(),
                ))
                .map_err(err)?;
                "middle 50% of replications"
            }
            Key::Band90 => {
                area.draw(&Rectangle::new(
                    [(lx, ly - 8), (lx + 26, ly + 8)],
                    PROJECTION.mix(0.15).filled(),
                ))
                .map_err(err)?;
                "90% of replications"
            }
            Key::Target => {
                area.draw(&DashedPathElement::new(
                    vec![(lx, ly), (lx + 26, ly)],
                    7,
                    4,
                    TARGET.stroke_width(3),
                ))
                .map_err(err)?;
                "target"
            }
            Key::Start(label) => {
                area.draw(&Circle::new((lx + 13, ly), 6, START.filled()))
                    .map_err(err)?;
                label.as_str()
            }
        };
        let style = text_style(size, INK).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw_text(label, &style, (lx + 34, ly)).map_err(err)?;
        lx += 34 + area.estimate_text_size(label, &style).map_err(err)?.0 as i32 + 30;
    }
    Ok(())
}

/// One metric's trajectory.
pub(crate) struct Trajectory<'a> {
    pub run: &'a RunResults,
    pub metric: &'a str,
    pub target: Option<&'a TargetRow>,
}

impl Chart for Trajectory<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 760)
    }
    fn id(&self) -> String {
        format!("trajectory-{}", self.metric)
    }
    fn title(&self) -> String {
        style::title(self.metric)
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        area.fill(&WHITE).map_err(err)?;
        let unit = style::unit(self.metric);
        let (w, _) = area.dim_in_pixel();
        let s = FULL;
        let subtitle = match self.target {
            Some(t) => target_summary(t, unit, self.run.replications),
            None => style::describe(self.metric),
        };
        draw_heading(area, &self.title(), &subtitle, &source_line(self.run))?;
        let mut keys = vec![Key::Median, Key::Middle50, Key::Band90];
        if self.target.is_some() {
            keys.push(Key::Target);
        }
        if self.run.start_values.contains_key(self.metric) {
            let label = self
                .run
                .start_date
                .map(|d| format!("published {}", style::month_label(d)))
                .unwrap_or_else(|| "published start".to_string());
            keys.push(Key::Start(label));
        }
        header_legend(area, &keys, (24, 102), s.small)?;
        let plot = area.margin(124, 44, 12, 28);
        draw_trajectory(&plot, self.run, self.metric, self.target, s, w)
    }
}

/// One month of the fan: (month, p05, p25, p50, p75, p95).
type FanPoint = (f64, f64, f64, f64, f64, f64);

/// The fan chart itself, into `area` (no title): shared by the full chart and the dashboard.
fn draw_trajectory<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &RunResults,
    metric: &str,
    target: Option<&TargetRow>,
    s: Sizes,
    width: u32,
) -> DrawResult {
    let unit = style::unit(metric);
    let months = match run.series.get(metric) {
        Some(m) if !m.is_empty() => m,
        _ => return Err(format!("no values of {metric} to draw")),
    };
    let start = run.start_values.get(metric).copied();
    let threshold = target.and_then(|t| t.threshold_value(start));
    let last = months.iter().map(|m| m.month).max().unwrap_or(1) as f64;
    let (lo, hi) = y_range(
        months
            .iter()
            .flat_map(|m| [m.p05, m.p95])
            .chain(start)
            .chain(threshold),
        unit,
    );
    let mut chart = monthly_axes(area, run, metric, last, (lo, hi), s, width)?;

    // The deadline, and a window target's months, behind the data.
    if let Some(t) = target {
        if let Some(from) = t.window_start() {
            if let (Some(a), Some(b)) = (
                month_index(run.start_date, from.add_days(-1)),
                t.deadline_date()
                    .and_then(|d| month_index(run.start_date, d)),
            ) {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a + 0.5, lo), (b + 0.3, hi)],
                        RGBColor(240, 240, 240).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        if let Some(d) = t
            .deadline_date()
            .and_then(|d| month_index(run.start_date, d))
        {
            if d <= last {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        vec![(d, lo), (d, hi)],
                        2,
                        5,
                        MUTED.stroke_width(2),
                    )))
                    .map_err(err)?;
                let label = format!(
                    "deadline {}",
                    t.deadline_date()
                        .map(style::month_label)
                        .unwrap_or_default()
                );
                let right = d > last * 0.6;
                let anchor = if right { HPos::Right } else { HPos::Left };
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((d, hi))
                            + Text::new(
                                label,
                                (if right { -6 } else { 6 }, 4),
                                text_style(s.small, MUTED).pos(Pos::new(anchor, VPos::Top)),
                            ),
                    ))
                    .map_err(err)?;
            }
        }
    }

    // Bands start from the published value where there is one: day 0 reproduces it exactly.
    let mut points: Vec<FanPoint> = Vec::new();
    if let Some(v) = start {
        points.push((0.0, v, v, v, v, v));
    }
    points.extend(
        months
            .iter()
            .map(|m| (m.month as f64, m.p05, m.p25, m.p50, m.p75, m.p95)),
    );
    let band = |lower: fn(&FanPoint) -> f64, upper: fn(&FanPoint) -> f64| {
        let mut poly: Vec<(f64, f64)> = points.iter().map(|p| (p.0, upper(p))).collect();
        poly.extend(points.iter().rev().map(|p| (p.0, lower(p))));
        poly
    };
    chart
        .draw_series(std::iter::once(Polygon::new(
            band(|p| p.1, |p| p.5),
            PROJECTION.mix(0.15).filled(),
        )))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(Polygon::new(
            band(|p| p.2, |p| p.4),
            PROJECTION.mix(0.35).filled(),
        )))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            points.iter().map(|p| (p.0, p.3)),
            PROJECTION.stroke_width(s.line),
        ))
        .map_err(err)?;

    if let Some(v) = threshold {
        draw_target_line(&mut chart, v, last, s)?;
    }
    if let Some(v) = start {
        chart
            .draw_series(std::iter::once(Circle::new((0.0, v), 6, START.filled())))
            .map_err(err)?;
    }
    Ok(())
}

/// The one-page grid of headline metrics: every target metric the run has values for.
pub(crate) struct Dashboard<'a> {
    pub run: &'a RunResults,
}

impl Dashboard<'_> {
    fn panels(&self) -> Vec<(&str, Option<&TargetRow>)> {
        let mut seen = std::collections::BTreeSet::new();
        let mut panels: Vec<(&str, Option<&TargetRow>)> = Vec::new();
        for t in self.run.drawable_targets() {
            if seen.insert(t.metric.as_str()) {
                panels.push((t.metric.as_str(), Some(t)));
            }
        }
        if panels.is_empty() {
            // A run with no target metric still gets its list on the page.
            if self.run.series.contains_key("rtt_waiting_list") {
                panels.push(("rtt_waiting_list", None));
            } else if let Some(m) = self.run.series.keys().next() {
                panels.push((m.as_str(), None));
            }
        }
        panels
    }

    fn grid(&self) -> (usize, usize) {
        let n = self.panels().len().max(1);
        let cols = if n <= 2 {
            n
        } else if n <= 4 {
            2
        } else {
            3
        };
        (cols, n.div_ceil(cols))
    }
}

impl Chart for Dashboard<'_> {
    fn size(&self) -> (u32, u32) {
        let (cols, rows) = self.grid();
        (cols as u32 * 600, 150 + rows as u32 * 420)
    }
    fn id(&self) -> String {
        "dashboard".to_string()
    }
    fn title(&self) -> String {
        format!("Planning targets: {}", self.run.scenario)
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        area.fill(&WHITE).map_err(err)?;
        let (w, h) = area.dim_in_pixel();
        area.draw_text(&self.title(), &bold(34, INK), (24, 14))
            .map_err(err)?;
        let sub = if self.run.description.is_empty() {
            "Median projection with the middle 50% and 90% of replications".to_string()
        } else {
            self.run.description.clone()
        };
        area.draw_text(&sub, &text_style(20, MUTED), (24, 58))
            .map_err(err)?;
        // One legend for every panel, in the header.
        header_legend(
            area,
            &[
                Key::Median,
                Key::Middle50,
                Key::Band90,
                Key::Target,
                Key::Start("published start".to_string()),
            ],
            (24, 100),
            17,
        )?;
        area.draw_text(
            &source_line(self.run),
            &text_style(15, MUTED),
            (24, h as i32 - 26),
        )
        .map_err(err)?;

        let body = area.margin(130, 36, 0, 0);
        let (cols, rows) = self.grid();
        let cells = body.split_evenly((rows, cols));
        for ((metric, target), cell) in self.panels().into_iter().zip(cells.iter()) {
            let unit = style::unit(metric);
            cell.draw_text(&style::title(metric), &bold(PANEL.title - 4, INK), (20, 8))
                .map_err(err)?;
            let sub = match target {
                Some(t) => {
                    let phrase = style::target_phrase(&t.comparison, &t.threshold, unit);
                    let p = t
                        .p_met
                        .map(|p| format!("P(met) {}%", style::fmt_decimal(100.0 * p, 0)))
                        .unwrap_or_default();
                    format!("target {phrase} · {p} · {}", t.verdict.replace('_', " "))
                }
                None => String::new(),
            };
            cell.draw_text(&sub, &text_style(PANEL.small, MUTED), (20, 40))
                .map_err(err)?;
            let plot = cell.margin(66, 10, 10, 24);
            draw_trajectory(&plot, self.run, metric, target, PANEL, w / cols as u32)?;
        }
        Ok(())
    }
}

/// Pathways by weeks waited at the start and at a few months.
pub(crate) struct WaitDistribution<'a> {
    pub run: &'a RunResults,
    /// Chosen profiles, in the order drawn (the start first).
    pub profiles: Vec<&'a WaitProfile>,
}

impl<'a> WaitDistribution<'a> {
    /// The start, each target deadline inside the run, and the last month: four at most.
    pub fn choose(run: &'a RunResults) -> Option<WaitDistribution<'a>> {
        let last = run.waits.last()?;
        let mut months: Vec<u32> = vec![0];
        for t in &run.targets {
            if let Some(d) = t.deadline_date() {
                if let Some(p) = run.waits.iter().find(|p| p.period_end == d) {
                    months.push(p.month);
                }
            }
        }
        months.push(last.month);
        months.sort_unstable();
        months.dedup();
        while months.len() > 4 {
            // Keep the start and the end; drop from the middle.
            months.remove(months.len() / 2);
        }
        let profiles = months
            .iter()
            .filter_map(|m| run.waits.iter().find(|p| p.month == *m))
            .collect();
        Some(WaitDistribution { run, profiles })
    }
}

impl Chart for WaitDistribution<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 760)
    }
    fn id(&self) -> String {
        "waits".to_string()
    }
    fn title(&self) -> String {
        "RTT waiting list by weeks waited".to_string()
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        area.fill(&WHITE).map_err(err)?;
        let s = FULL;
        draw_heading(
            area,
            &self.title(),
            "Incomplete pathways by whole weeks waited at month end, median across replications",
            &source_line(self.run),
        )?;
        let max_weeks = self
            .profiles
            .iter()
            .flat_map(|p| p.pathways.iter().filter(|(_, n)| *n > 0.0).map(|(w, _)| *w))
            .max()
            .unwrap_or(52)
            .max(70) as f64;
        let (lo, hi) = y_range(
            self.profiles
                .iter()
                .flat_map(|p| p.pathways.iter().map(|(_, n)| *n)),
            Unit::Pathways,
        );
        let plot = area.margin(92, 44, 12, 28);
        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(s.text * 2 + 14)
            .y_label_area_size(s.text * 5)
            .build_cartesian_2d(0f64..max_weeks + 1.0, lo..hi)
            .map_err(err)?;
        let step = (hi - lo) / 6.0;
        let y_fmt = |y: &f64| Unit::Pathways.tick(*y, step);
        let x_fmt = |x: &f64| style::fmt_thousands(*x);
        chart
            .configure_mesh()
            .x_labels(12)
            .y_labels(7)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(text_style(s.small, INK))
            .axis_desc_style(text_style(s.text, INK))
            .x_desc("weeks waited")
            .y_desc("pathways in each week")
            .draw()
            .map_err(err)?;
        for weeks in [18.0, 52.0, 65.0] {
            if weeks <= max_weeks {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        vec![(weeks, lo), (weeks, hi)],
                        2,
                        5,
                        MUTED.stroke_width(2),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((weeks, hi))
                            + Text::new(
                                format!("{weeks} weeks"),
                                (6, 4),
                                text_style(s.small, MUTED),
                            ),
                    ))
                    .map_err(err)?;
            }
        }
        for (i, profile) in self.profiles.iter().enumerate() {
            let colour = if profile.month == 0 {
                START
            } else {
                PALETTE[(i - 1).min(5) % 6]
            };
            let label = if profile.month == 0 {
                format!("start ({})", style::month_label(profile.period_end))
            } else {
                style::month_label(profile.period_end)
            };
            // Steps: each band holds its count across its whole week.
            let mut pts = Vec::new();
            for (w, n) in &profile.pathways {
                pts.push((*w as f64, *n));
                pts.push((*w as f64 + 1.0, *n));
            }
            chart
                .draw_series(LineSeries::new(pts, colour.stroke_width(s.line)))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], colour.stroke_width(3))
                });
        }
        draw_series_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Several scenarios' medians of one metric on one chart.
pub(crate) struct Overlay<'a> {
    pub runs: &'a [RunResults],
    pub metric: &'a str,
}

impl Chart for Overlay<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 760)
    }
    fn id(&self) -> String {
        format!("compare-{}", self.metric)
    }
    fn title(&self) -> String {
        format!("{}: scenarios compared", style::title(self.metric))
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        area.fill(&WHITE).map_err(err)?;
        let unit = style::unit(self.metric);
        let (w, _) = area.dim_in_pixel();
        let s = FULL;
        let first = self.runs.first().ok_or("no scenarios to compare")?;
        let target = first.targets.iter().find(|t| t.metric == self.metric);
        let subtitle = match target {
            Some(t) => format!(
                "Median across replications · target {}",
                style::target_phrase(&t.comparison, &t.threshold, unit)
            ),
            None => "Median across replications".to_string(),
        };
        let names: Vec<&str> = self.runs.iter().map(|r| r.scenario.as_str()).collect();
        let source = format!(
            "Source: plansim {} simulation of {} scenarios: {}.",
            env!("CARGO_PKG_VERSION"),
            names.len(),
            names.join(", ")
        );
        draw_heading(area, &self.title(), &subtitle, &source)?;
        let series: Vec<(&RunResults, Vec<(f64, f64)>)> = self
            .runs
            .iter()
            .filter_map(|r| {
                let months = r.series.get(self.metric)?;
                let mut pts: Vec<(f64, f64)> = Vec::new();
                if let Some(v) = r.start_values.get(self.metric) {
                    pts.push((0.0, *v));
                }
                pts.extend(months.iter().map(|m| (m.month as f64, m.p50)));
                Some((r, pts))
            })
            .collect();
        if series.is_empty() {
            return Err(format!("no scenario has values of {}", self.metric));
        }
        let last = series
            .iter()
            .flat_map(|(_, p)| p.iter().map(|q| q.0))
            .fold(1.0f64, f64::max);
        let threshold =
            target.and_then(|t| t.threshold_value(first.start_values.get(self.metric).copied()));
        let (lo, hi) = y_range(
            series
                .iter()
                .flat_map(|(_, p)| p.iter().map(|q| q.1))
                .chain(threshold),
            unit,
        );
        let plot = area.margin(92, 44, 12, 28);
        let mut chart = monthly_axes(&plot, first, self.metric, last, (lo, hi), s, w)?;
        if let Some(v) = threshold {
            draw_target_line(&mut chart, v, last, s)?
                .label("target")
                .legend(|(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 22, y)], 6, 4, TARGET.stroke_width(3))
                });
        }
        // The target owns vermillion; scenarios take the other colours, skipping yellow.
        let colours = [
            PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[4], PALETTE[5], START,
        ];
        for (i, (run, pts)) in series.iter().enumerate() {
            let colour = colours[i % colours.len()];
            // Beyond six scenarios colours repeat; dashes tell the repeats apart.
            let series = chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(s.line)))
                .map_err(err)?;
            series.label(run.scenario.clone()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 22, y)], colour.stroke_width(3))
            });
            if i >= colours.len() {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 4, WHITE.filled())))
                    .map_err(err)?;
            }
        }
        draw_series_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Results of a sweep: for each point, its parameter values and each target's `p_met`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Parameter names (one or two), e.g. `theatres.extra_lists_per_week`.
    pub parameters: Vec<String>,
    pub points: Vec<SweepPoint>,
    pub replications: usize,
}

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// One value per parameter, in `Sweep::parameters` order.
    pub values: Vec<f64>,
    /// (target id, p_met), for targets with a p_met.
    pub p_met: Vec<(String, f64)>,
}

impl Sweep {
    /// Target ids in first-seen order.
    pub fn targets(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for p in &self.points {
            for (t, _) in &p.p_met {
                if !ids.contains(t) {
                    ids.push(t.clone());
                }
            }
        }
        ids
    }
}

/// Probability of meeting each target across the points of a one-parameter sweep.
pub(crate) struct SweepLines<'a> {
    pub sweep: &'a Sweep,
}

impl Chart for SweepLines<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 760)
    }
    fn id(&self) -> String {
        "sweep".to_string()
    }
    fn title(&self) -> String {
        "Probability of meeting each target across the sweep".to_string()
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        area.fill(&WHITE).map_err(err)?;
        let s = FULL;
        let param = self
            .sweep
            .parameters
            .first()
            .ok_or("a sweep needs a parameter")?;
        draw_heading(
            area,
            &self.title(),
            &format!("Share of replications meeting each target, by {param}"),
            &sweep_source_line(self.sweep),
        )?;
        let xs: Vec<f64> = self
            .sweep
            .points
            .iter()
            .filter_map(|p| p.values.first().copied())
            .collect();
        let (xlo, xhi) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
        if !xlo.is_finite() {
            return Err("a sweep needs at least one point".to_string());
        }
        let pad = if xhi > xlo { (xhi - xlo) * 0.03 } else { 1.0 };
        let plot = area.margin(92, 44, 12, 28);
        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(s.text * 2 + 14)
            .y_label_area_size(s.text * 5)
            .build_cartesian_2d(xlo - pad..xhi + pad, 0f64..105.0)
            .map_err(err)?;
        let span = (xhi - xlo).max(1.0);
        let x_fmt = |x: &f64| Unit::Count.tick(*x, span / 8.0);
        let y_fmt = |y: &f64| {
            if *y <= 100.0 {
                format!("{y:.0}")
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_labels(9)
            .y_labels(12)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(text_style(s.small, INK))
            .axis_desc_style(text_style(s.text, INK))
            .x_desc(param.as_str())
            .y_desc("replications meeting the target, %")
            .draw()
            .map_err(err)?;
        for level in [10.0, 90.0] {
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(xlo - pad, level), (xhi + pad, level)],
                    4,
                    6,
                    MUTED.stroke_width(1),
                )))
                .map_err(err)?;
        }
        for (i, target) in self.sweep.targets().iter().enumerate() {
            let colour = PALETTE[i % 6];
            let mut pts: Vec<(f64, f64)> = self
                .sweep
                .points
                .iter()
                .filter_map(|p| {
                    let x = *p.values.first()?;
                    let y = p.p_met.iter().find(|(t, _)| t == target)?.1;
                    Some((x, 100.0 * y))
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(s.line)))
                .map_err(err)?
                .label(target.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], colour.stroke_width(3))
                });
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 5, colour.filled())))
                .map_err(err)?;
        }
        draw_series_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

/// A colour for a probability 0-1: the viridis scale (perceptually even, colour-blind safe,
/// readable in grey).
pub(crate) fn viridis(p: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let p = if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = p * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// A heatmap axis label at `at`: the sweep value of the cell centred there, none in between.
fn cell_label(values: &[f64], at: f64) -> String {
    let i = at.round();
    if (at - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    values
        .get(i as usize)
        .map(|v| style::fmt_decimal(*v, if v.fract() == 0.0 { 0 } else { 2 }))
        .unwrap_or_default()
}

/// For a two-parameter sweep, one heatmap of p_met per target.
pub(crate) struct SweepHeatmap<'a> {
    pub sweep: &'a Sweep,
    pub target: &'a str,
}

impl Chart for SweepHeatmap<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 820)
    }
    fn id(&self) -> String {
        format!("sweep-{}", self.target)
    }
    fn title(&self) -> String {
        format!("Probability of meeting {}", self.target)
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        area.fill(&WHITE).map_err(err)?;
        let s = FULL;
        let (px, py) = match self.sweep.parameters.as_slice() {
            [a, b] => (a, b),
            _ => return Err("a heatmap needs a sweep over two parameters".to_string()),
        };
        let distinct = |i: usize| {
            let mut v: Vec<f64> = self
                .sweep
                .points
                .iter()
                .filter_map(|p| p.values.get(i).copied())
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let (xs, ys) = (distinct(0), distinct(1));
        if xs.is_empty() || ys.is_empty() {
            return Err("a sweep needs at least one point".to_string());
        }
        draw_heading(
            area,
            &self.title(),
            "Share of replications meeting the target at each sweep point (white: no result)",
            &sweep_source_line(self.sweep),
        )?;
        let plot = area.margin(92, 44, 12, 150);
        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(s.text * 2 + 14)
            .y_label_area_size(s.text * 6)
            .build_cartesian_2d(
                -0.5f64..xs.len() as f64 - 0.5,
                -0.5f64..ys.len() as f64 - 0.5,
            )
            .map_err(err)?;
        let x_fmt = |x: &f64| cell_label(&xs, *x);
        let y_fmt = |y: &f64| cell_label(&ys, *y);
        chart
            .configure_mesh()
            .x_labels(xs.len())
            .y_labels(ys.len())
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .disable_mesh()
            .axis_style(MUTED)
            .label_style(text_style(s.small, INK))
            .axis_desc_style(text_style(s.text, INK))
            .x_desc(px.as_str())
            .y_desc(py.as_str())
            .draw()
            .map_err(err)?;
        for p in &self.sweep.points {
            let (Some(x), Some(y)) = (p.values.first(), p.values.get(1)) else {
                continue;
            };
            let (Some(i), Some(j)) = (
                xs.iter().position(|v| v == x),
                ys.iter().position(|v| v == y),
            ) else {
                continue;
            };
            let Some((_, pm)) = p.p_met.iter().find(|(t, _)| t == self.target) else {
                continue;
            };
            let (i, j) = (i as f64, j as f64);
            let colour = viridis(*pm);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(i - 0.5, j - 0.5), (i + 0.5, j + 0.5)],
                    colour.filled(),
                )))
                .map_err(err)?;
            // Dark text on the light end of the scale, white on the dark end.
            let ink = if *pm > 0.6 { INK } else { WHITE };
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{}%", style::fmt_decimal(100.0 * pm, 0)),
                    (i, j),
                    bold(s.text, ink).pos(Pos::new(HPos::Center, VPos::Center)),
                )))
                .map_err(err)?;
        }
        // Colour key on the right.
        let (kw, kh) = (26, 300);
        let (kx, ky) = (plot.dim_in_pixel().0 as i32 + 40, 140);
        for k in 0..kh {
            let p = 1.0 - k as f64 / (kh - 1) as f64;
            area.draw(&Rectangle::new(
                // One pixel tall: a rectangle from a row to the same row draws nothing.
                [(kx, ky + k), (kx + kw, ky + k + 1)],
                viridis(p).filled(),
            ))
            .map_err(err)?;
        }
        for (p, label) in [(1.0, "100%"), (0.5, "50%"), (0.0, "0%")] {
            let y = ky + ((1.0 - p) * (kh - 1) as f64) as i32;
            area.draw_text(
                label,
                &text_style(s.small, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                (kx + kw + 8, y),
            )
            .map_err(err)?;
        }
        area.draw_text("P(met)", &text_style(s.small, INK), (kx, ky - 30))
            .map_err(err)?;
        Ok(())
    }
}
