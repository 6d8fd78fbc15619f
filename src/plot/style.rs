//! Colours, units and number formats shared by the charts and the report: the Okabe–Ito
//! palette (safe for the common colour-vision deficiencies), percentages with one decimal, and
//! what unit a metric is in, read from its name and the metric table so
//! metrics added later are labelled without a change here.

use plotters::style::RGBColor;

use crate::model::METRICS;
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

/// The unit a metric is measured in, for axis labels and number formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Weeks,
    Pounds,
    Pathways,
    Count,
    Ratio,
}

impl Unit {
    /// From the metric's name: suffixes carry units by the naming rule in STYLE.md.
    pub fn of(metric: &str) -> Unit {
        if metric.ends_with("_pct") {
            Unit::Percent
        } else if metric.ends_with("_weeks") {
            Unit::Weeks
        } else if metric.ends_with("_gbp") {
            Unit::Pounds
        } else if metric.contains("per_") {
            Unit::Ratio
        } else if metric.starts_with("rtt_")
            && !metric.contains("clock_")
            && !metric.contains("removals")
        {
            Unit::Pathways
        } else {
            Unit::Count
        }
    }

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

/// The metric's description from the metric table, or its name with underscores as spaces.
pub fn describe(metric: &str) -> String {
    METRICS
        .iter()
        .find(|m| m.name == metric)
        .map(|m| m.description.to_string())
        .unwrap_or_else(|| metric.replace('_', " "))
}

/// A short chart title for a metric.
pub fn title(metric: &str) -> String {
    let known = match metric {
        "rtt_waiting_list" => "RTT waiting list",
        "rtt_within_18w_pct" => "RTT pathways within 18 weeks",
        "rtt_over_18w" => "RTT pathways waiting over 18 weeks",
        "rtt_over_52w" => "RTT pathways waiting over 52 weeks",
        "rtt_over_65w" => "RTT pathways waiting over 65 weeks",
        "rtt_over_78w" => "RTT pathways waiting over 78 weeks",
        "rtt_over_104w" => "RTT pathways waiting over 104 weeks",
        "rtt_median_wait_weeks" => "Median RTT wait",
        "rtt_p92_wait_weeks" => "92nd percentile RTT wait",
        "op_first_or_procedure_pct" => "Outpatient firsts and follow-ups with a procedure",
        "op_pifu_pct" => "Outpatient attendances moved to PIFU",
        "day_case_rate_pct" => "Day-case rate",
        "theatre_capped_util_pct" => "Capped theatre utilisation",
        "value_weighted_activity_pct" => "Value-weighted activity against 2019/20",
        "cancer_fds_pct" => "Cancer Faster Diagnosis Standard (28 days)",
        "cancer_62d_pct" => "Cancer treatment within 62 days",
        "cancer_31d_pct" => "Cancer treatment within 31 days",
        "dm01_within_6w_pct" => "Diagnostic waits under 6 weeks (DM01)",
        _ => "",
    };
    if known.is_empty() {
        let d = describe(metric);
        let mut c = d.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => metric.to_string(),
        }
    } else {
        known.to_string()
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
    fn numbers_read_as_people_write_them() {
        assert_eq!(Unit::Percent.format(57.2149), "57.2%");
        assert_eq!(Unit::of("cost_per_clock_stop_gbp"), Unit::Pounds);
        assert_eq!(Unit::of("rtt_over_65w"), Unit::Pathways);
        assert_eq!(Unit::Pathways.tick(7_500_000.0, 100_000.0), "7.5m");
        assert_eq!(target_phrase(">=", "92", Unit::Percent), "≥ 92.0%");
        assert_eq!(
            target_phrase("<", "start", Unit::Pathways),
            "below the starting list"
        );
    }
}
