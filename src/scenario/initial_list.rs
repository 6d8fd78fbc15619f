//! `[initial_list]`: the published waiting-list position on the day before the start.

use super::build::{COUNT, MAX_COUNT, MAX_WEEKS};
use super::Specialty;
use crate::config::{dotted, key_path, nearest, num, Checker};

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
    "weekly",
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
    /// The list stated week by week (`[initial_list.weekly.NAME]`), one entry per specialty in
    /// specialty order; empty when it is stated by thresholds (`total`, `over_18_weeks` ...).
    /// Stated so, `total` and `over_weeks` are its sums, `median_weeks` and `p92_weeks` are
    /// `None`, `share_awaiting_admission` is 0 (the weekly counts say who awaits admission) and
    /// the two other shares split the rest.
    pub weekly: Vec<WeeklyList>,
}

/// Weekly bands of a starting list stated week by week: as the RTT full CSV counts them, waits of
/// up to 1 week, more than 1 up to 2, ..., more than 103 up to 104, and more than 104 weeks.
pub const WEEKLY_BANDS: usize = 105;

/// One specialty's starting list by weekly band (`[initial_list.weekly.NAME]`).
#[derive(Clone, Debug, PartialEq)]
pub struct WeeklyList {
    pub specialty: String,
    /// Incomplete pathways in each of the [`WEEKLY_BANDS`] bands.
    pub waiting: Vec<u64>,
    /// Of those, the ones with a decision to admit (at most `waiting` in each band).
    pub awaiting_admission: Vec<u64>,
}

pub(super) fn read(c: &mut Checker) -> Option<InitialList> {
    const T: &str = "initial_list";
    c.table(&[T], KEYS);
    // The list stated week by week is checked on its own (`weekly_initial_list`).
    if c.value(&[T, "weekly"]).is_some() {
        return weekly_initial_list(c);
    }
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
    let longest = longest_wait(c);
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

    let caseload = monitoring_caseload(c);
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
        weekly: Vec::new(),
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

/// `longest_wait_weeks`, in either form of the list.
fn longest_wait(c: &mut Checker) -> Option<i64> {
    let path = ["initial_list", "longest_wait_weeks"];
    let longest = c.int(&path);
    c.whole(
        &path,
        longest,
        105,
        520,
        "a whole number of weeks from 105 to 520 (more than the 104-week band)",
    )
}

/// `monitoring_caseload`, in either form of the list. Optional: a scenario without it starts
/// with no one under monitoring follow-up.
fn monitoring_caseload(c: &mut Checker) -> Option<i64> {
    let path = ["initial_list", "monitoring_caseload"];
    match c.int(&path) {
        None => Some(0),
        caseload => c.whole(&path, caseload, 0, MAX_COUNT, COUNT),
    }
}

// ---- The starting list stated week by week (`[initial_list.weekly.NAME]`) ----
//
// Written by `plansim import rtt` from the RTT full CSV: per specialty, the incomplete pathways
// in each of the 105 weekly bands and how many of them have a decision to admit. The keys of
// the threshold form (`total`, `over_*_weeks`, `median_weeks`, `p92_weeks`) and
// `share_awaiting_admission` would contradict the counts, so they are refused beside them.

const WEEKLY_RULE: &str =
    "when initial_list.weekly states the list week by week (the weekly counts set it)";

fn weekly_initial_list(c: &mut Checker) -> Option<InitialList> {
    const T: &str = "initial_list";
    let contradicting = [
        "total",
        "over_18_weeks",
        "over_52_weeks",
        "over_65_weeks",
        "over_78_weeks",
        "over_104_weeks",
        "median_weeks",
        "p92_weeks",
        "share_awaiting_admission",
    ];
    let mut ok = true;
    for key in contradicting {
        if c.value(&[T, key]).is_some() {
            c.bad(
                &[T, key],
                format!("expected no initial_list.{key} {WEEKLY_RULE}"),
            );
            ok = false;
        }
    }
    let longest = longest_wait(c);
    let caseload = monitoring_caseload(c);
    // Patients without a decision to admit await a first appointment or a follow-up.
    let mut share = |key: &str| {
        let value = c.f64(&[T, key]);
        c.share(&[T, key], value)
    };
    let share_first = share("share_awaiting_first");
    let share_followup = share("share_followup");
    if let (Some(a), Some(b)) = (share_first, share_followup) {
        c.sums_to_one(
            &[T, "share_followup"],
            a + b,
            "share_awaiting_first and share_followup (the list without a decision to admit)",
        );
    }
    let names = c.names(&[T, "weekly"]).unwrap_or_default();
    if names.is_empty() {
        c.bad(
            &[T, "weekly"],
            "expected one table per specialty, like [initial_list.weekly.general_surgery]",
        );
        ok = false;
    }
    let mut lists = Vec::new();
    for name in names {
        let path = |key: &'static str| -> [&str; 4] { [T, "weekly", &name, key] };
        c.table(&[T, "weekly", &name], &["waiting", "awaiting_admission"]);
        let waiting = weekly_counts(c, &path("waiting"));
        let admit = weekly_counts(c, &path("awaiting_admission"));
        let (Some(waiting), Some(admit)) = (waiting, admit) else {
            ok = false;
            continue;
        };
        for k in (0..WEEKLY_BANDS).filter(|&k| admit[k] > waiting[k]) {
            c.bad_at(
                &path("awaiting_admission"),
                k,
                format!(
                    "expected at most initial_list.weekly.{}.waiting[{k}] = {}: those awaiting admission are among those waiting",
                    dotted(&[name.as_str()]),
                    waiting[k]
                ),
            );
            ok = false;
        }
        lists.push(WeeklyList {
            specialty: name.clone(),
            waiting,
            awaiting_admission: admit,
        });
    }
    let total: u64 = lists.iter().map(|l| l.waiting.iter().sum::<u64>()).sum();
    if total > MAX_COUNT as u64 {
        c.bad(
            &[T, "weekly"],
            format!("the weekly counts add up to {total}: expected at most {MAX_COUNT} pathways"),
        );
        ok = false;
    }
    // The threshold counts follow from the bands: over N weeks is bands N to 104.
    let over_weeks = BANDS
        .iter()
        .map(|&(weeks, _)| {
            let over = lists
                .iter()
                .map(|l| l.waiting[weeks as usize..].iter().sum::<u64>())
                .sum();
            (weeks, over)
        })
        .collect();
    if !ok {
        return None;
    }
    Some(InitialList {
        total,
        over_weeks,
        median_weeks: None,
        p92_weeks: None,
        longest_wait_weeks: u32::try_from(longest?).ok()?,
        monitoring_caseload: caseload? as u64,
        share_awaiting_first: share_first?,
        share_followup: share_followup?,
        share_awaiting_admission: 0.0,
        weekly: lists,
    })
}

/// Exactly [`WEEKLY_BANDS`] whole numbers of pathways.
fn weekly_counts(c: &mut Checker, path: &[&str]) -> Option<Vec<u64>> {
    let expected = "105 weekly counts of pathways: waits of up to 1 week, more than 1 up to 2, ..., more than 104 weeks";
    let raw = c.ints(path);
    let values = c.required(path, raw, expected)?;
    if values.len() != WEEKLY_BANDS {
        c.bad(
            path,
            format!("{} counts: expected {expected}", values.len()),
        );
        return None;
    }
    let mut ok = true;
    for (k, &v) in values.iter().enumerate() {
        if !(0..=MAX_COUNT).contains(&v) {
            c.bad_at(path, k, format!("expected {COUNT}"));
            ok = false;
        }
    }
    ok.then(|| values.iter().map(|&v| v as u64).collect())
}

/// A weekly list names each specialty once, and each specialty's `list_share` is its share of
/// the weekly counts (so the two cannot say different things).
pub(super) fn weekly_list_matches_specialties(
    c: &mut Checker,
    list: &InitialList,
    specialties: &[Specialty],
) {
    if list.weekly.is_empty() {
        return;
    }
    let names: Vec<&str> = specialties.iter().map(|s| s.name.as_str()).collect();
    for weekly in &list.weekly {
        if !names.contains(&weekly.specialty.as_str()) {
            let hint = match nearest(&weekly.specialty, &names) {
                Some(best) => format!("; did you mean `{best}`?"),
                None => String::new(),
            };
            c.bad_name(
                &["initial_list", "weekly", &weekly.specialty],
                &format!(
                    "expected the name of a specialty{hint} (specialties: {})",
                    names.join(", ")
                ),
            );
        }
    }
    for specialty in specialties {
        let Some(weekly) = list.weekly.iter().find(|w| w.specialty == specialty.name) else {
            let path = key_path(&["initial_list", "weekly", &specialty.name]);
            let problem = c.source.missing(
                &path,
                "the specialty's starting list week by week, a table with waiting = [...] and awaiting_admission = [...]",
            );
            c.problems.push(problem);
            continue;
        };
        let count: u64 = weekly.waiting.iter().sum();
        let share = if list.total > 0 {
            count as f64 / list.total as f64
        } else {
            0.0
        };
        if (specialty.list_share - share).abs() > 0.0005 {
            c.bad(
                &["specialties", &specialty.name, "list_share"],
                format!(
                    "expected {share:.6}, the specialty's share of the weekly counts ({count} of {} pathways in initial_list.weekly)",
                    list.total
                ),
            );
        }
    }
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
