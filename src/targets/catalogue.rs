//! The target catalogue file: parse TOML (unknown keys rejected, key paths kept in messages),
//! then validate every target into [`Target`], collecting all problems before reporting.
//! Knows nothing of replications; evaluation lives in `evaluate.rs`.

use std::fmt;

use serde::Deserialize;

use crate::model::metric_by_name;
use crate::util::date::Date;

/// The shipped catalogue, `scenarios/targets/nhs-2024-25.toml`, built into the binary.
pub const BUILTIN_CATALOGUE: &str = include_str!("../../scenarios/targets/nhs-2024-25.toml");

/// Where the built-in catalogue says it comes from, in messages.
const BUILTIN_ORIGIN: &str = "scenarios/targets/nhs-2024-25.toml";

/// A validated list of targets, in file order.
#[derive(Clone, Debug)]
pub struct Catalogue {
    pub name: String,
    pub targets: Vec<Target>,
}

/// One planning target.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub id: String,
    pub description: String,
    /// A metric name; may be one the model does not report (then the target is not modelled).
    pub metric: String,
    pub comparison: Comparison,
    pub threshold: Threshold,
    pub timing: Timing,
    pub source: String,
}

/// How the metric value (left) is compared with the threshold (right).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Le,
    Lt,
    Ge,
    Gt,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Le => "<=",
            Comparison::Lt => "<",
            Comparison::Ge => ">=",
            Comparison::Gt => ">",
        }
    }

    fn from_symbol(text: &str) -> Option<Comparison> {
        [
            Comparison::Le,
            Comparison::Lt,
            Comparison::Ge,
            Comparison::Gt,
        ]
        .into_iter()
        .find(|c| c.symbol() == text)
    }

    /// Whether `value` meets the target; NaN (a percentage of nothing) never does.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Le => value <= threshold,
            Comparison::Lt => value < threshold,
            Comparison::Ge => value >= threshold,
            Comparison::Gt => value > threshold,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    Value(f64),
    /// The metric's value at the start of each replication (its `initial_waiting_list`).
    Start,
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Value(v) => write!(f, "{}", crate::util::fmt::fmt_num(*v)),
            Threshold::Start => f.write_str("start"),
        }
    }
}

/// When a target is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// The month whose period_end is this date.
    Deadline(Date),
    /// The mean of the monthly values of the months from `from` (a first of the month) to
    /// `to` (a last of the month), both inside.
    WindowMean { from: Date, to: Date },
    /// The last simulated month.
    End,
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timing::Deadline(d) => write!(f, "{d}"),
            // ISO 8601 interval notation: one field, no comma, easy to split.
            Timing::WindowMean { from, to } => write!(f, "{from}/{to}"),
            Timing::End => f.write_str("end"),
        }
    }
}

/// Everything wrong with a catalogue, each problem naming the file and the key.
#[derive(Debug, thiserror::Error)]
#[error("{}", problems.join("\n"))]
pub struct CatalogueError {
    pub problems: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    name: String,
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    id: String,
    description: String,
    metric: String,
    comparison: String,
    // Number or "start", and date or "end": kept as TOML values and checked by hand, because
    // serde's untagged enums would lose the key path and give a vague message.
    threshold: toml::Value,
    deadline: toml::Value,
    from: Option<toml::Value>,
    aggregate: Option<String>,
    source: String,
}

impl Catalogue {
    /// The catalogue shipped with plansim.
    pub fn builtin() -> Result<Catalogue, CatalogueError> {
        Catalogue::from_toml_str(BUILTIN_CATALOGUE, BUILTIN_ORIGIN)
    }

    /// Parses and validates catalogue text; `origin` names it in messages.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue = serde_path_to_error::deserialize(toml::Deserializer::new(text))
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().message().to_string();
                let problem = if path == "." {
                    format!("{origin}: {message}")
                } else {
                    format!("{origin}: {path}: {message}")
                };
                CatalogueError {
                    problems: vec![problem],
                }
            })?;

        let mut problems = Vec::new();
        if raw.target.is_empty() {
            problems.push(format!(
                "{origin}: no [[target]] tables: a catalogue needs at least one"
            ));
        }
        let mut targets = Vec::new();
        for (i, t) in raw.target.into_iter().enumerate() {
            let at = format!("{origin}: target[{i}]");
            if let Some(target) = validate_target(t, &at, &mut problems) {
                if targets.iter().any(|seen: &Target| seen.id == target.id) {
                    problems.push(format!(
                        "{at}.id = {:?}: used by an earlier target",
                        target.id
                    ));
                }
                targets.push(target);
            }
        }
        if problems.is_empty() {
            Ok(Catalogue {
                name: raw.name,
                targets,
            })
        } else {
            Err(CatalogueError { problems })
        }
    }

    pub fn get(&self, id: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.id == id)
    }
}

impl Target {
    /// Whether the model reports this target's metric.
    pub fn is_modelled(&self) -> bool {
        metric_by_name(&self.metric).is_some()
    }
}

fn validate_target(raw: RawTarget, at: &str, problems: &mut Vec<String>) -> Option<Target> {
    let before = problems.len();

    let id_ok = !raw.id.is_empty()
        && raw
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !id_ok {
        problems.push(format!(
            "{at}.id = {:?}: expected lower-case letters, digits and _",
            raw.id
        ));
    }
    for (key, value) in [("description", &raw.description), ("metric", &raw.metric)] {
        if value.trim().is_empty() {
            problems.push(format!("{at}.{key}: must not be empty"));
        }
    }

    let comparison = Comparison::from_symbol(&raw.comparison);
    if comparison.is_none() {
        problems.push(format!(
            "{at}.comparison = {:?}: expected one of \"<=\", \"<\", \">=\", \">\"",
            raw.comparison
        ));
    }

    let threshold = match &raw.threshold {
        toml::Value::Integer(i) => Some(Threshold::Value(*i as f64)),
        toml::Value::Float(x) if x.is_finite() => Some(Threshold::Value(*x)),
        toml::Value::String(s) if s == "start" => Some(Threshold::Start),
        other => {
            problems.push(format!(
                "{at}.threshold = {other}: expected a finite number or \"start\""
            ));
            None
        }
    };
    // Only the waiting list has a starting value that replications report.
    if threshold == Some(Threshold::Start) && raw.metric != "rtt_waiting_list" {
        problems.push(format!(
            "{at}.threshold = \"start\": only metric \"rtt_waiting_list\" has a starting value, not {:?}",
            raw.metric
        ));
    }

    let deadline = match &raw.deadline {
        toml::Value::String(s) if s == "end" => Some(None),
        value => match toml_date(value) {
            Some(d) if d == d.last_of_month() => Some(Some(d)),
            Some(d) => {
                problems.push(format!(
                    "{at}.deadline = {d}: expected the last day of a month ({}) or \"end\"",
                    d.last_of_month()
                ));
                None
            }
            None => {
                problems.push(format!(
                    "{at}.deadline = {value}: expected a date such as 2025-03-31 or \"end\""
                ));
                None
            }
        },
    };

    let from = match &raw.from {
        None => None,
        Some(value) => match toml_date(value) {
            Some(d) if d == d.first_of_month() => Some(d),
            Some(d) => {
                problems.push(format!(
                    "{at}.from = {d}: expected the first day of a month ({})",
                    d.first_of_month()
                ));
                None
            }
            None => {
                problems.push(format!(
                    "{at}.from = {value}: expected a date such as 2024-04-01"
                ));
                None
            }
        },
    };

    match (&raw.aggregate, &raw.from) {
        (Some(a), _) if a != "mean" => {
            problems.push(format!("{at}.aggregate = {a:?}: expected \"mean\""));
        }
        (Some(_), None) => {
            problems.push(format!("{at}.aggregate: needs `from`, the window's start"))
        }
        (None, Some(_)) => problems.push(format!(
            "{at}.from: needs aggregate = \"mean\" to say how the window is summarised"
        )),
        _ => {}
    }

    if problems.len() > before {
        return None;
    }
    let timing = match (from, deadline?) {
        (None, None) => Timing::End,
        (None, Some(d)) => Timing::Deadline(d),
        (Some(_), None) => {
            problems.push(format!(
                "{at}.deadline = \"end\": a window (`from`) needs a dated deadline"
            ));
            return None;
        }
        (Some(from), Some(to)) if from > to => {
            problems.push(format!("{at}.from = {from}: after deadline = {to}"));
            return None;
        }
        (Some(from), Some(to)) => Timing::WindowMean { from, to },
    };
    Some(Target {
        id: raw.id,
        description: raw.description,
        metric: raw.metric,
        comparison: comparison?,
        threshold: threshold?,
        timing,
        source: raw.source,
    })
}

/// A TOML local date (no time, no offset) as a [`Date`].
fn toml_date(value: &toml::Value) -> Option<Date> {
    let toml::Value::Datetime(dt) = value else {
        return None;
    };
    if dt.time.is_some() || dt.offset.is_some() {
        return None;
    }
    let d = dt.date?;
    Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "test"
[[target]]
id = "a"
description = "d"
metric = "rtt_over_65w"
comparison = "<="
threshold = 0
deadline = 2024-09-30
source = "s"
"#;

    #[test]
    fn builtin_catalogue_parses() {
        let c = Catalogue::builtin().unwrap();
        assert_eq!(c.targets.len(), 12);
        let list = c.get("rtt_list_reduced").unwrap();
        assert_eq!(list.threshold, Threshold::Start);
        assert_eq!(list.comparison, Comparison::Lt);
        assert_eq!(c.get("rtt_18w_92").unwrap().timing, Timing::End);
        assert_eq!(
            c.get("vwa_107").unwrap().timing.to_string(),
            "2024-04-01/2025-03-31"
        );
    }

    #[test]
    fn parses_a_minimal_target() {
        let c = Catalogue::from_toml_str(GOOD, "t.toml").unwrap();
        assert_eq!(
            c.targets[0].timing,
            Timing::Deadline(Date::parse("2024-09-30").unwrap())
        );
        assert_eq!(c.targets[0].threshold, Threshold::Value(0.0));
    }

    /// (replace this, with this, expected message)
    #[test]
    fn bad_catalogues_have_exact_messages() {
        let cases = [
            ("source = \"s\"", "source = \"s\"\ncolour = 1", "t.toml: target[0].colour: unknown field `colour`, expected one of `id`, `description`, `metric`, `comparison`, `threshold`, `deadline`, `from`, `aggregate`, `source`"),
            ("comparison = \"<=\"", "comparison = \"=<\"", "t.toml: target[0].comparison = \"=<\": expected one of \"<=\", \"<\", \">=\", \">\""),
            ("threshold = 0", "threshold = \"zero\"", "t.toml: target[0].threshold = \"zero\": expected a finite number or \"start\""),
            ("threshold = 0", "threshold = \"start\"", "t.toml: target[0].threshold = \"start\": only metric \"rtt_waiting_list\" has a starting value, not \"rtt_over_65w\""),
            ("deadline = 2024-09-30", "deadline = 2024-09-15", "t.toml: target[0].deadline = 2024-09-15: expected the last day of a month (2024-09-30) or \"end\""),
            ("deadline = 2024-09-30", "deadline = \"soon\"", "t.toml: target[0].deadline = \"soon\": expected a date such as 2025-03-31 or \"end\""),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-04-01", "t.toml: target[0].from: needs aggregate = \"mean\" to say how the window is summarised"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\naggregate = \"mean\"", "t.toml: target[0].aggregate: needs `from`, the window's start"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-04-02\naggregate = \"mean\"", "t.toml: target[0].from = 2024-04-02: expected the first day of a month (2024-04-01)"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-10-01\naggregate = \"mean\"", "t.toml: target[0].from = 2024-10-01: after deadline = 2024-09-30"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-04-01\naggregate = \"max\"", "t.toml: target[0].aggregate = \"max\": expected \"mean\""),
            ("id = \"a\"", "id = \"A b\"", "t.toml: target[0].id = \"A b\": expected lower-case letters, digits and _"),
            ("name = \"test\"", "name = \"test\"\nyear = 2024", "t.toml: year: unknown field `year`, expected `name` or `target`"),
        ];
        for (from, to, expected) in cases {
            let text = GOOD.replace(from, to);
            let err = Catalogue::from_toml_str(&text, "t.toml").unwrap_err();
            assert_eq!(err.to_string(), expected, "for {to}");
        }
    }

    #[test]
    fn reports_every_problem_and_duplicate_ids() {
        let text = GOOD
            .replace("comparison = \"<=\"", "comparison = \"==\"")
            .replace("threshold = 0", "threshold = true");
        let err = Catalogue::from_toml_str(&text, "t.toml").unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        let text = format!("{GOOD}{}", GOOD.replace("name = \"test\"", ""));
        let err = Catalogue::from_toml_str(&text, "t.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: target[1].id = \"a\": used by an earlier target"
        );
    }
}
