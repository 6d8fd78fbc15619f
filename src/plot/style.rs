//! Colours, units and number formats shared by the charts and the report: the Okabe–Ito
//! palette (safe for the common colour-vision deficiencies), how each unit is captioned and
//! formatted, and each metric's unit and title, read from the metric table (where every metric
//! declares them) so metrics added later are labelled without a change here.

use plotters::style::RGBColor;

use crate::model::{MetricDef, METRICS};
use crate::util::date::Date;
// The number formats for people live in `util::fmt`; charts reach them through here.
pub use crate::util::fmt::{fmt_decimal, fmt_thousands};

/// Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour-vision
/// deficiency. Blue first: it carries the projection on every chart.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow (last: weak on white)
];
pub const PROJECTION: RGBColor = PALETTE[0];
pub const TARGET: RGBColor = PALETTE[1];
pub const START: RGBColor = RGBColor(0, 0, 0);
pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const MUTED: RGBColor = RGBColor(96, 96, 96);
pub const GRID: RGBColor = RGBColor(225, 225, 225);

/// The unit a metric is measured in: declared in the metric table.
pub use crate::model::Unit;

/// How each unit is shown on charts and in the report.
impl Unit {
    /// The y-axis caption's unit.
    pub fn axis(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Weeks => "weeks",
            Unit::Pounds => "£",
            Unit::Pathways => "pathways",
            Unit::Count => "number",
            Unit::Ratio => "ratio",
        }
    }

    /// A value for people: `188,471`, `56.3%`, `14.9 weeks`, `£1,031`.
    pub fn format(self, x: f64) -> String {
        match self {
            Unit::Percent => format!("{}%", fmt_decimal(x, 1)),
            Unit::Weeks => format!("{} weeks", fmt_decimal(x, 1)),
            Unit::Pounds => format!("£{}", fmt_thousands(x)),
            Unit::Ratio => fmt_decimal(x, 2),
            Unit::Pathways | Unit::Count => fmt_thousands(x),
        }
    }

    /// A tick label: like [`Unit::format`] but compact (no unit word; it is on the axis).
    pub fn tick(self, x: f64, step: f64) -> String {
        let decimals = if step >= 1.0 || step <= 0.0 {
            0
        } else {
            (-step.log10()).ceil() as usize
        };
        match self {
            Unit::Percent | Unit::Weeks | Unit::Ratio => fmt_decimal(x, decimals),
            _ if x.abs() >= 1e6 && step >= 1e5 => {
                format!("{}m", fmt_decimal(x / 1e6, if step >= 1e6 { 0 } else { 1 }))
            }
            _ => fmt_thousands(x),
        }
    }
}

fn definition(metric: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.name == metric)
}

/// The metric's unit from the metric table; a plain count for a metric the table does not
/// have (results from another version of plansim).
pub fn unit(metric: &str) -> Unit {
    definition(metric).map_or(Unit::Count, |m| m.unit)
}

/// The metric's description from the metric table, or its name with underscores as spaces.
pub fn describe(metric: &str) -> String {
    definition(metric)
        .map(|m| m.description.to_string())
        .unwrap_or_else(|| metric.replace('_', " "))
}

/// The metric's chart title from the metric table, or for a metric the table does not have,
/// its name with underscores as spaces, capitalised.
pub fn title(metric: &str) -> String {
    match definition(metric) {
        Some(m) => m.title.to_string(),
        None => {
            let words = metric.replace('_', " ");
            let mut c = words.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Sep 2024`.
pub fn month_label(d: Date) -> String {
    format!(
        "{} {}",
        MONTHS[(d.month() as usize).saturating_sub(1) % 12],
        d.year()
    )
}

/// `Sep 24`, for crowded axes.
pub fn month_tick(d: Date) -> String {
    format!(
        "{} {:02}",
        MONTHS[(d.month() as usize).saturating_sub(1) % 12],
        d.year().rem_euclid(100)
    )
}

/// A readable comparison: `≥ 92%`, `0 or fewer`, `below the starting list`.
pub fn target_phrase(comparison: &str, threshold: &str, unit: Unit) -> String {
    if threshold == "start" {
        return match comparison {
            "<" | "<=" => "below the starting list".to_string(),
            _ => "above the starting list".to_string(),
        };
    }
    let value = threshold
        .parse::<f64>()
        .map(|v| unit.format(v))
        .unwrap_or_else(|_| threshold.to_string());
    let symbol = match comparison {
        "<=" => "≤",
        ">=" => "≥",
        other => other,
    };
    format!("{symbol} {value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_titles_come_from_the_metric_table() {
        for m in METRICS {
            assert_eq!(unit(m.name), m.unit, "{}", m.name);
            assert_eq!(title(m.name), m.title, "{}", m.name);
        }
        // Names alone would mislead: this is a percentage although its name does not end in
        // `_pct`, and a cost per clock stop is in pounds.
        assert_eq!(unit("dm01_within_6w_pct_mri"), Unit::Percent);
        assert_eq!(unit("cost_per_clock_stop_gbp"), Unit::Pounds);
        assert_eq!(unit("rtt_over_65w"), Unit::Pathways);
        assert_eq!(title("rtt_median_wait_weeks"), "Median RTT wait");
        // A metric the table does not have is a plain count, titled from its name.
        assert_eq!(unit("station_queue_pct"), Unit::Count);
        assert_eq!(title("station_queue_pct"), "Station queue pct");
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(Unit::Percent.format(57.2149), "57.2%");
        assert_eq!(Unit::Pathways.tick(7_500_000.0, 100_000.0), "7.5m");
        assert_eq!(target_phrase(">=", "92", Unit::Percent), "≥ 92.0%");
        assert_eq!(
            target_phrase("<", "start", Unit::Pathways),
            "below the starting list"
        );
    }
}
