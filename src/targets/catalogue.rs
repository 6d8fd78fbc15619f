//! The target catalogue file: read through the configuration checker (unknown keys with the
//! nearest known one, every problem with its line and column), each `[[target]]` validated into
//! [`Target`], all problems collected before reporting.
//! Knows nothing of replications; evaluation lives in `evaluate.rs`.

use std::fmt;

use crate::config::{is_snake_name, key_path, Checker, TomlFile};
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

const KEYS: &[&str] = &["name", "target"];
const TARGET_KEYS: &[&str] = &[
    "id",
    "description",
    "metric",
    "comparison",
    "threshold",
    "deadline",
    "from",
    "aggregate",
    "source",
];

impl Catalogue {
    /// The catalogue shipped with plansim.
    pub fn builtin() -> Result<Catalogue, CatalogueError> {
        Catalogue::from_toml_str(BUILTIN_CATALOGUE, BUILTIN_ORIGIN)
    }

    /// Parses and validates catalogue text; `origin` names it in messages.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Catalogue, CatalogueError> {
        let file = TomlFile::parse(text, origin).map_err(|problems| CatalogueError { problems })?;
        let source = file.source();
        let mut c = Checker::new(&source);
        c.table(&[], KEYS);
        let name = c.string(&["name"]);
        let name = c.required(&["name"], name, "the catalogue's name, in quotes");
        let entries = c.tables(&["target"], "tables written [[target]]");
        let broken = c.is_broken(&key_path(&["target"]));
        if !broken && entries.as_ref().is_none_or(Vec::is_empty) {
            c.problems.push(format!(
                "{origin}: no [[target]] tables: a catalogue needs at least one"
            ));
        }
        let mut targets: Vec<Target> = Vec::new();
        for entry in entries.unwrap_or_default() {
            if let Some(target) = target(&mut c, &entry) {
                if targets.iter().any(|seen| seen.id == target.id) {
                    c.bad(
                        &["target", &entry, "id"],
                        "expected an id no earlier target uses",
                    );
                }
                targets.push(target);
            }
        }
        let problems = c.into_problems();
        match name {
            Some(name) if problems.is_empty() => Ok(Catalogue { name, targets }),
            _ => Err(CatalogueError { problems }),
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

/// One `[[target]]` entry (`entry` is its `[i]` segment).
fn target(c: &mut Checker, entry: &str) -> Option<Target> {
    let p = |key: &'static str| -> [&str; 3] { ["target", entry, key] };
    c.table(&["target", entry], TARGET_KEYS);
    let before = c.problems.len();
    let text = |c: &mut Checker, key: &'static str, what: &str| {
        let value = c.string(&p(key));
        let value = c.required(&p(key), value, what)?;
        if value.trim().is_empty() {
            c.bad(&p(key), format!("expected {what}, not empty"));
            return None;
        }
        Some(value)
    };
    let id = text(c, "id", "an id of lower-case letters, digits and _");
    let id = id.filter(|id| {
        let ok = is_snake_name(id);
        if !ok {
            c.bad(&p("id"), "expected lower-case letters, digits and _");
        }
        ok
    });
    let description = text(c, "description", "what is measured, in quotes");
    let metric = text(c, "metric", "a metric name, in quotes");
    let source = text(c, "source", "where the target comes from, in quotes");

    const COMPARISONS: &str = "one of \"<=\", \"<\", \">=\", \">\"";
    let comparison = c.string(&p("comparison"));
    let comparison = c
        .required(&p("comparison"), comparison, COMPARISONS)
        .and_then(|symbol| {
            let found = Comparison::from_symbol(&symbol);
            if found.is_none() {
                c.bad(&p("comparison"), format!("expected {COMPARISONS}"));
            }
            found
        });

    const THRESHOLD: &str = "a finite number or \"start\"";
    let threshold = c.value(&p("threshold"));
    let threshold =
        c.required(&p("threshold"), threshold, THRESHOLD)
            .and_then(|value| match value {
                toml::Value::Integer(i) => Some(Threshold::Value(*i as f64)),
                toml::Value::Float(x) if x.is_finite() => Some(Threshold::Value(*x)),
                toml::Value::String(s) if s == "start" => Some(Threshold::Start),
                _ => {
                    c.bad(&p("threshold"), format!("expected {THRESHOLD}"));
                    None
                }
            });
    // Only the waiting list has a starting value that replications report.
    if let (Some(Threshold::Start), Some(metric)) = (threshold, &metric) {
        if metric != "rtt_waiting_list" {
            c.bad(
                &p("threshold"),
                format!("only metric \"rtt_waiting_list\" has a starting value, not {metric:?}"),
            );
        }
    }

    const DEADLINE: &str = "a date such as 2025-03-31 or \"end\"";
    let deadline = c.value(&p("deadline"));
    let deadline = c
        .required(&p("deadline"), deadline, DEADLINE)
        .and_then(|value| match value {
            toml::Value::String(s) if s == "end" => Some(None),
            value => match toml_date(value) {
                Some(d) if d == d.last_of_month() => Some(Some(d)),
                Some(d) => {
                    c.bad(
                        &p("deadline"),
                        format!(
                            "expected the last day of a month ({}) or \"end\"",
                            d.last_of_month()
                        ),
                    );
                    None
                }
                None => {
                    c.bad(&p("deadline"), format!("expected {DEADLINE}"));
                    None
                }
            },
        });

    let from = c.date(&p("from"));
    let from = from.filter(|d| {
        let ok = *d == d.first_of_month();
        if !ok {
            c.bad(
                &p("from"),
                format!("expected the first day of a month ({})", d.first_of_month()),
            );
        }
        ok
    });
    let aggregate = c.string(&p("aggregate"));
    let has_from = c.value(&p("from")).is_some();
    match (&aggregate, has_from) {
        (Some(a), _) if a != "mean" => c.bad(&p("aggregate"), "expected \"mean\""),
        (Some(_), false) => c.bad(
            &p("aggregate"),
            "expected `from` beside it, the window's start",
        ),
        (None, true) => c.bad(
            &p("from"),
            "expected aggregate = \"mean\" beside it, to say how the window is summarised",
        ),
        _ => {}
    }

    if c.problems.len() > before {
        return None;
    }
    let timing = match (from, deadline?) {
        (None, None) => Timing::End,
        (None, Some(d)) => Timing::Deadline(d),
        (Some(_), None) => {
            c.bad(
                &p("deadline"),
                "expected a dated deadline: a window (`from`) needs one",
            );
            return None;
        }
        (Some(from), Some(to)) if from > to => {
            c.bad(
                &p("from"),
                format!("expected a date on or before deadline = {to}"),
            );
            return None;
        }
        (Some(from), Some(to)) => Timing::WindowMean { from, to },
    };
    Some(Target {
        id: id?,
        description: description?,
        metric: metric?,
        comparison: comparison?,
        threshold: threshold?,
        timing,
        source: source?,
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
            ("source = \"s\"", "source = \"s\"\ncolour = 1", "t.toml:11:1: unknown key `target[0].colour` (allowed: id, description, metric, comparison, threshold, deadline, from, aggregate, source)"),
            ("comparison = \"<=\"", "comparison = \"=<\"", "t.toml:7:1: target[0].comparison = \"=<\": expected one of \"<=\", \"<\", \">=\", \">\""),
            ("threshold = 0", "threshold = \"zero\"", "t.toml:8:1: target[0].threshold = \"zero\": expected a finite number or \"start\""),
            ("threshold = 0", "threshold = \"start\"", "t.toml:8:1: target[0].threshold = \"start\": only metric \"rtt_waiting_list\" has a starting value, not \"rtt_over_65w\""),
            ("deadline = 2024-09-30", "deadline = 2024-09-15", "t.toml:9:1: target[0].deadline = 2024-09-15: expected the last day of a month (2024-09-30) or \"end\""),
            ("deadline = 2024-09-30", "deadline = \"soon\"", "t.toml:9:1: target[0].deadline = \"soon\": expected a date such as 2025-03-31 or \"end\""),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-04-01", "t.toml:10:1: target[0].from = 2024-04-01: expected aggregate = \"mean\" beside it, to say how the window is summarised"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\naggregate = \"mean\"", "t.toml:10:1: target[0].aggregate = \"mean\": expected `from` beside it, the window's start"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-04-02\naggregate = \"mean\"", "t.toml:10:1: target[0].from = 2024-04-02: expected the first day of a month (2024-04-01)"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-10-01\naggregate = \"mean\"", "t.toml:10:1: target[0].from = 2024-10-01: expected a date on or before deadline = 2024-09-30"),
            ("deadline = 2024-09-30", "deadline = 2024-09-30\nfrom = 2024-04-01\naggregate = \"max\"", "t.toml:11:1: target[0].aggregate = \"max\": expected \"mean\""),
            ("id = \"a\"", "id = \"A b\"", "t.toml:4:1: target[0].id = \"A b\": expected lower-case letters, digits and _"),
            ("name = \"test\"", "name = \"test\"\nyear = 2024", "t.toml:3:1: unknown key `year` (allowed: name, target)"),
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
            "t.toml:14:1: target[1].id = \"a\": expected an id no earlier target uses"
        );
    }
}
