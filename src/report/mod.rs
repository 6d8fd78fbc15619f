//! `report.html`: one self-contained page from a run's saved results: the targets table with
//! verdict colours and `p_met`, every chart as inline SVG, the scenario's parameters and the
//! manifest. No network access is needed to open it: styles and charts are inline and there is
//! no script. Rendered with minijinja, which escapes every value (scenario names and
//! descriptions are user text); only our own SVG is marked safe. Returns text; the caller
//! writes the file.

use serde::Serialize;

use crate::plot::{run_charts, style, PlotError, RunResults};
use crate::targets::Catalogue;

const TEMPLATE: &str = include_str!("../../templates/report.html");

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error("report template: {0}")]
    Template(#[from] minijinja::Error),
}

#[derive(Serialize)]
struct TargetView {
    id: String,
    metric: String,
    description: String,
    phrase: String,
    deadline: String,
    mean: String,
    range: String,
    p_met: String,
    verdict: String,
    verdict_text: String,
}

#[derive(Serialize)]
struct ChartView {
    id: String,
    title: String,
    svg: String,
}

#[derive(Serialize)]
struct Item {
    key: String,
    value: String,
}

/// Flattens JSON into `a.b.c = value` rows, in the file's key order for objects as parsed
/// (serde_json keeps keys sorted, which is stable).
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<Item>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::Array(items) if items.iter().all(|v| !v.is_object()) => {
            let parts: Vec<String> = items
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.push(Item {
                key: prefix.to_string(),
                value: parts.join(" "),
            });
        }
        serde_json::Value::String(s) => out.push(Item {
            key: prefix.to_string(),
            value: s.clone(),
        }),
        other => out.push(Item {
            key: prefix.to_string(),
            value: other.to_string(),
        }),
    }
}

/// The report for one run, as HTML text.
pub fn render_report(run: &RunResults) -> Result<String, ReportError> {
    let catalogue = Catalogue::builtin().ok();
    let targets: Vec<TargetView> = run
        .targets
        .iter()
        .map(|t| {
            let unit = style::unit(&t.metric);
            let description = catalogue
                .as_ref()
                .and_then(|c| c.targets.iter().find(|c| c.id == t.target))
                .map(|c| c.description.clone())
                .unwrap_or_else(|| style::describe(&t.metric));
            let fmt = |x: Option<f64>| x.map(|v| unit.format(v)).unwrap_or_else(|| "–".into());
            let deadline = match (t.window_start(), t.deadline_date()) {
                (Some(a), Some(b)) => format!(
                    "mean of {} to {}",
                    style::month_label(a),
                    style::month_label(b)
                ),
                (None, Some(d)) => style::month_label(d),
                _ => t.deadline.clone(),
            };
            TargetView {
                id: t.target.clone(),
                metric: t.metric.clone(),
                description,
                phrase: format!(
                    "target {}",
                    style::target_phrase(&t.comparison, &t.threshold, unit)
                ),
                deadline,
                mean: fmt(t.mean),
                range: match (t.p05, t.p95) {
                    (Some(a), Some(b)) => format!("{} to {}", unit.format(a), unit.format(b)),
                    _ => "–".into(),
                },
                p_met: t
                    .p_met
                    .map(|p| format!("{}%", style::fmt_decimal(100.0 * p, 1)))
                    .unwrap_or_else(|| "–".into()),
                verdict: t
                    .verdict
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect(),
                verdict_text: t.verdict.replace('_', " "),
            }
        })
        .collect();
    let charts: Vec<ChartView> = run_charts(run)?
        .into_iter()
        .map(|c| ChartView {
            id: c.id,
            title: c.title,
            svg: c.svg,
        })
        .collect();
    let mut manifest = Vec::new();
    if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&run.manifest_json) {
        // Dozens of checksums are for `plansim check`, not for a reader of the report.
        if let Some(fields) = value.as_object_mut() {
            fields.remove("files");
        }
        flatten("", &value, &mut manifest);
    }
    let period = {
        let all: Vec<_> = run
            .series
            .values()
            .flat_map(|m| m.iter().map(|s| s.period_end))
            .collect();
        match (all.iter().min(), all.iter().max()) {
            (Some(a), Some(b)) => format!(
                "months ending {} to {}",
                style::month_label(*a),
                style::month_label(*b)
            ),
            _ => "no months".to_string(),
        }
    };

    let mut env = minijinja::Environment::new();
    // The name ends in .html, so minijinja escapes every value for HTML.
    env.add_template("report.html", TEMPLATE)?;
    let html = env
        .get_template("report.html")?
        .render(minijinja::context! {
            version => env!("CARGO_PKG_VERSION"),
            scenario => run.scenario,
            description => run.description,
            replications => run.replications,
            period => period,
            targets => targets,
            charts => charts,
            scenario_toml => run.scenario_toml,
            manifest => manifest,
        })?;
    Ok(html)
}
