//! `[initial_list]`: the published waiting-list position on the day before the start.

use super::build::{COUNT, MAX_COUNT, MAX_WEEKS};
use crate::config::{num, Checker};

const KEYS: &[&str] = &[
    "total",
    "over_18_weeks",
    "over_52_weeks",
    "over_65_weeks",
    "over_78_weeks",
    "over_104_weeks",
    "median_weeks",
    "p92_weeks",
    "longest_wait_weeks",
    "monitoring_caseload",
    "share_awaiting_first",
    "share_followup",
    "share_awaiting_admission",
];

/// The published waiting-time bands: (weeks, key).
const BANDS: [(u32, &str); 5] = [
    (18, "over_18_weeks"),
    (52, "over_52_weeks"),
    (65, "over_65_weeks"),
    (78, "over_78_weeks"),
    (104, "over_104_weeks"),
];

/// The published waiting-list position on the day before the simulation starts.
#[derive(Clone, Debug)]
pub struct InitialList {
    /// Incomplete pathways in total.
    pub total: u64,
    /// `(weeks, count)`: pathways waiting more than `weeks` weeks, weeks increasing and counts
    /// not increasing (the published 18, 52, 65, 78 and 104-week figures).
    pub over_weeks: Vec<(u32, u64)>,
    /// Published median and 92nd-percentile waits, used to shape the list within the bands.
    pub median_weeks: Option<f64>,
    pub p92_weeks: Option<f64>,
    /// The longest wait anyone has; more than the last `over_weeks` threshold.
    pub longest_wait_weeks: u32,
    /// Patients already treated (so not on the RTT list) who are under monitoring follow-up at
    /// the start. Without them clinics would start with no follow-ups to see and book first
    /// appointments far faster than they can in a steady state.
    pub monitoring_caseload: u64,
    /// Shares of the list by stage; they sum to 1.
    pub share_awaiting_first: f64,
    pub share_followup: f64,
    pub share_awaiting_admission: f64,
}

pub(super) fn read(c: &mut Checker) -> Option<InitialList> {
    const T: &str = "initial_list";
    c.table(&[T], KEYS);
    let total = c.int(&[T, "total"]);
    let total = c.whole(&[T, "total"], total, 0, MAX_COUNT, COUNT);
    let mut over = Vec::new();
    let mut bands_ok = total.is_some();
    let mut previous: Option<(&str, i64)> = None;
    for (weeks, key) in BANDS.iter() {
        let value = c.int(&[T, key]);
        let count = c.whole(&[T, key], value, 0, MAX_COUNT, COUNT);
        let count = count.filter(|&n| match total {
            Some(total) if n > total => {
                c.bad(
                    &[T, key],
                    format!("expected at most the list total, initial_list.total = {total}"),
                );
                false
            }
            _ => true,
        });
        let count = count.filter(|&n| match previous {
            Some((before, m)) if n > m => {
                c.bad(
                    &[T, key],
                    format!(
                        "expected at most initial_list.{before} = {m}: fewer pathways wait longer"
                    ),
                );
                false
            }
            _ => true,
        });
        match count {
            Some(n) => {
                previous = Some((key, n));
                over.push((*weeks, n as u64));
            }
            None => bands_ok = false,
        }
    }
    let longest = c.int(&[T, "longest_wait_weeks"]);
    let longest = c.whole(
        &[T, "longest_wait_weeks"],
        longest,
        105,
        520,
        "a whole number of weeks from 105 to 520 (more than the 104-week band)",
    );
    let weeks_rule = |x: f64| x > 0.0 && x <= MAX_WEEKS;
    let raw_median = c.f64(&[T, "median_weeks"]);
    let raw_p92 = c.f64(&[T, "p92_weeks"]);
    let median = c.optional_number(
        &[T, "median_weeks"],
        raw_median,
        weeks_rule,
        "a number of weeks above 0 and at most 520",
    );
    let p92 = c.optional_number(
        &[T, "p92_weeks"],
        raw_p92,
        weeks_rule,
        "a number of weeks above 0 and at most 520",
    );
    let median_ok = median.is_some() == raw_median.is_some();
    let p92_ok = p92.is_some() == raw_p92.is_some();

    // Check the published median and 92nd percentile against the bands they must agree with.
    if let (true, Some(total), Some(longest)) = (bands_ok, total, longest) {
        if total > 0 {
            let total = total as f64;
            let mut points = vec![(0.0, 0.0)];
            points.extend(over.iter().map(|&(w, n)| (f64::from(w), total - n as f64)));
            points.push((longest as f64, total));
            for (key, value, share, label) in [
                ("median_weeks", median, 0.5, "half"),
                ("p92_weeks", p92, 0.92, "92% of"),
            ] {
                let Some(weeks) = value else { continue };
                let count = share * total;
                let (low, high) = quantile_range(&points, count);
                if weeks < low || weeks > high {
                    c.bad(
                        &[T, key],
                        format!(
                            "expected from {} to {} weeks, where the bands put {label} the list ({} of {} pathways)",
                            num(low),
                            num(high),
                            num(count),
                            num(total)
                        ),
                    );
                }
            }
        }
    }
    if let (Some(m), Some(p)) = (median, p92) {
        if m > p {
            c.bad(
                &[T, "p92_weeks"],
                format!("expected at least initial_list.median_weeks = {}", num(m)),
            );
        }
    }

    // Optional: a scenario without it starts with no one under monitoring follow-up.
    let caseload = c.int(&[T, "monitoring_caseload"]);
    let caseload = match caseload {
        None => Some(0),
        Some(_) => c.whole(&[T, "monitoring_caseload"], caseload, 0, MAX_COUNT, COUNT),
    };
    let mut share = |key: &str| {
        let value = c.f64(&[T, key]);
        c.share(&[T, key], value)
    };
    let share_first = share("share_awaiting_first");
    let share_followup = share("share_followup");
    let share_admission = share("share_awaiting_admission");
    if let (Some(a), Some(b), Some(d)) = (share_first, share_followup, share_admission) {
        c.sums_to_one(
            &[T, "share_awaiting_admission"],
            a + b + d,
            "share_awaiting_first, share_followup and share_awaiting_admission",
        );
    }
    if !(bands_ok && median_ok && p92_ok) {
        return None;
    }
    Some(InitialList {
        total: total? as u64,
        over_weeks: over,
        median_weeks: median,
        p92_weeks: p92,
        longest_wait_weeks: u32::try_from(longest?).ok()?,
        monitoring_caseload: caseload? as u64,
        share_awaiting_first: share_first?,
        share_followup: share_followup?,
        share_awaiting_admission: share_admission?,
    })
}

/// The weeks at which `count` pathways may have been reached, given `(weeks, count within)`
/// points with both increasing: the union of the intervals between neighbouring points whose
/// counts enclose `count`.
fn quantile_range(points: &[(f64, f64)], count: f64) -> (f64, f64) {
    let last = points.len().saturating_sub(1);
    // The last point at or below the count, and the first interval whose end reaches it.
    let below = points.iter().rposition(|p| p.1 <= count).unwrap_or(0);
    let reach = (0..last)
        .find(|&i| points[i + 1].1 >= count)
        .unwrap_or(last);
    let low = points.get(reach).map_or(0.0, |p| p.0);
    let high = points.get((below + 1).min(last)).map_or(0.0, |p| p.0);
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_ranges_follow_the_bands() {
        // March 2024: within 0, 18, 52, 65, 78, 104 and 156 weeks.
        let points = [
            (0.0, 0.0),
            (18.0, 4_312_728.0),
            (52.0, 7_229_531.0),
            (65.0, 7_489_863.0),
            (78.0, 7_534_061.0),
            (104.0, 7_538_598.0),
            (156.0, 7_538_830.0),
        ];
        assert_eq!(quantile_range(&points, 0.5 * 7_538_830.0), (0.0, 18.0));
        assert_eq!(quantile_range(&points, 0.92 * 7_538_830.0), (18.0, 52.0));
        // Exactly at a band edge, either neighbouring interval will do.
        assert_eq!(quantile_range(&points, 4_312_728.0), (0.0, 52.0));
        assert_eq!(quantile_range(&points, 7_538_830.0), (104.0, 156.0));
    }
}
