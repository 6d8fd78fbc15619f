//! Validation: turns the merged scenario table into a [`Scenario`], checking key names, types,
//! ranges and cross-key rules, and collecting every problem before reporting.

use std::collections::{BTreeMap, BTreeSet};

use serde_path_to_error::Segment;

use super::problems::{
    dotted, expected_in_words, key_path, nearest, num, parse_unknown_field, KeyPath, Source,
};
use super::raw::*;
use super::types::*;
use crate::date::Date;

/// Largest waiting list or count accepted: England's list is 7.5 million; far more is a typo
/// that would make the model allocate without bound.
const MAX_COUNT: i64 = 100_000_000;
/// Largest weekly capacity or daily referral rate.
const MAX_RATE: f64 = 10_000_000.0;
const MAX_MINUTES: f64 = 1440.0;
/// Ten years, in weeks.
const MAX_WEEKS: f64 = 520.0;
/// A year: the longest delay, in days, between two steps of a pathway.
const MAX_DAYS: f64 = 365.0;
/// Tolerance for share groups that must sum to 1.
const SUM_TOLERANCE: f64 = 1e-6;
/// Stop retrying deserialisation after this many key or type problems.
const MAX_STRUCTURE_PROBLEMS: usize = 100;

/// The published waiting-time bands: (weeks, key).
const BANDS: [(u32, &str); 5] = [
    (18, "over_18_weeks"),
    (52, "over_52_weeks"),
    (65, "over_65_weeks"),
    (78, "over_78_weeks"),
    (104, "over_104_weeks"),
];

/// Checks the whole scenario; `Err` holds every problem found.
pub(crate) fn build(source: &Source) -> Result<Scenario, Vec<String>> {
    let (raw, broken, mut problems) = deserialize(source);
    let mut checker = Checker {
        source,
        broken,
        problems: Vec::new(),
    };
    let scenario = scenario(&mut checker, raw);
    problems.append(&mut checker.problems);
    // `Scenario::resolved_toml` relies on the table serialising; check it here, not there.
    if let Err(e) = toml::to_string(&source.table) {
        problems.push(format!(
            "{}: cannot write the resolved scenario: {e}",
            source.top_place()
        ));
    }
    match scenario {
        Some(scenario) if problems.is_empty() => Ok(scenario),
        _ if !problems.is_empty() => Err(problems),
        // Every `None` comes with a problem; this is a safety net, not an expected path.
        _ => Err(vec![format!(
            "{}: the scenario is incomplete",
            source.top_place()
        )]),
    }
}

/// Deserialises the raw layer. serde stops at the first unknown key or wrong type, so after
/// each one the offending key is reported, removed and deserialisation tried again: the user
/// sees every such problem at once. Removed keys are returned so that validation does not
/// also call them missing.
fn deserialize(source: &Source) -> (RawScenario, BTreeSet<KeyPath>, Vec<String>) {
    let mut table = source.table.clone();
    let mut broken = BTreeSet::new();
    let mut problems = Vec::new();
    let mut suggested = BTreeSet::new();
    while problems.len() < MAX_STRUCTURE_PROBLEMS {
        let error = match serde_path_to_error::deserialize::<_, RawScenario>(toml::Value::Table(
            table.clone(),
        )) {
            Ok(raw) => {
                broken.append(&mut suggested);
                return (raw, broken, problems);
            }
            Err(error) => error,
        };
        // The key path down to the first array; an element's index if inside one.
        let mut path = KeyPath::new();
        let mut index = None;
        for segment in error.path().iter() {
            match segment {
                Segment::Map { key } if index.is_none() => path.push(key.clone()),
                Segment::Seq { index: i } if index.is_none() => index = Some(*i),
                _ => {}
            }
        }
        let message = error.inner().message();
        problems.push(match parse_unknown_field(message) {
            Some(unknown) => {
                let allowed: Vec<&str> = unknown.allowed.iter().map(String::as_str).collect();
                let hint = match nearest(&unknown.key, &allowed) {
                    Some(best) => {
                        // The suggestion already tells the user the real key is not set.
                        let mut meant = path[..path.len().saturating_sub(1)].to_vec();
                        meant.push(best.to_string());
                        suggested.insert(meant);
                        format!("; did you mean `{best}`?")
                    }
                    None => String::new(),
                };
                format!(
                    "{}: unknown key `{}`{hint} (allowed: {})",
                    source.place(&path),
                    dotted(&path),
                    allowed.join(", ")
                )
            }
            None => source.value_problem_at(&path, index, &expected_in_words(message)),
        });
        if !remove(&mut table, &path) {
            break;
        }
        broken.insert(path);
    }
    // Could not make progress: report what we have, with an empty scenario to validate.
    broken.append(&mut suggested);
    (RawScenario::default(), broken, problems)
}

/// Removes the key at `path`; false if there was none.
fn remove(table: &mut toml::Table, path: &[String]) -> bool {
    match path {
        [] => false,
        [key] => table.remove(key).is_some(),
        [key, rest @ ..] => match table.get_mut(key) {
            Some(toml::Value::Table(sub)) => remove(sub, rest),
            _ => false,
        },
    }
}

/// Collects problems; each check returns `None` for a missing or bad value.
struct Checker<'a> {
    source: &'a Source,
    /// Keys already reported as unknown or of the wrong type.
    broken: BTreeSet<KeyPath>,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn is_broken(&self, path: &[String]) -> bool {
        (1..=path.len()).any(|n| self.broken.contains(&path[..n]))
    }

    /// A problem with the value at `path`; `what` says what is allowed.
    fn bad(&mut self, path: &[&str], what: impl AsRef<str>) {
        let problem = self.source.value_problem(&key_path(path), what.as_ref());
        self.problems.push(problem);
    }

    /// A problem with one element of the array at `path`.
    fn bad_at(&mut self, path: &[&str], index: usize, what: impl AsRef<str>) {
        let problem = self
            .source
            .value_problem_at(&key_path(path), Some(index), what.as_ref());
        self.problems.push(problem);
    }

    /// The value if present; otherwise reports the key missing (unless already reported).
    fn required<T>(&mut self, path: &[&str], value: Option<T>, expected: &str) -> Option<T> {
        if value.is_none() {
            let path = key_path(path);
            if !self.is_broken(&path) {
                let problem = self.source.missing(&path, expected);
                self.problems.push(problem);
            }
        }
        value
    }

    /// A required table: missing, it counts as empty so that each of its keys is reported.
    fn table<T: Default>(&mut self, path: &[&str], value: Option<T>) -> Option<T> {
        match value {
            Some(value) => Some(value),
            None if self.is_broken(&key_path(path)) => None,
            None => Some(T::default()),
        }
    }

    /// A required number with `ok` true; `expected` says what is allowed ("a number from 0 to 1").
    fn number(
        &mut self,
        path: &[&str],
        value: Option<f64>,
        ok: fn(f64) -> bool,
        expected: &str,
    ) -> Option<f64> {
        let value = self.required(path, value, expected)?;
        self.check_number(path, value, ok, expected)
    }

    /// As [`Checker::number`] for a key that may be left out.
    fn optional_number(
        &mut self,
        path: &[&str],
        value: Option<f64>,
        ok: fn(f64) -> bool,
        expected: &str,
    ) -> Option<f64> {
        self.check_number(path, value?, ok, expected)
    }

    fn check_number(
        &mut self,
        path: &[&str],
        value: f64,
        ok: fn(f64) -> bool,
        expected: &str,
    ) -> Option<f64> {
        // TOML allows `nan` and `inf`; no key accepts them.
        if value.is_finite() && ok(value) {
            Some(value)
        } else {
            self.bad(path, format!("expected {expected}"));
            None
        }
    }

    fn share(&mut self, path: &[&str], value: Option<f64>) -> Option<f64> {
        self.number(
            path,
            value,
            |x| (0.0..=1.0).contains(&x),
            "a share from 0 to 1",
        )
    }

    /// A required whole number from `low` to `high`.
    fn whole(
        &mut self,
        path: &[&str],
        value: Option<i64>,
        low: i64,
        high: i64,
        expected: &str,
    ) -> Option<i64> {
        let value = self.required(path, value, expected)?;
        if (low..=high).contains(&value) {
            Some(value)
        } else {
            self.bad(path, format!("expected {expected}"));
            None
        }
    }

    fn date(&mut self, path: &[&str], value: Option<RawDate>) -> Option<Date> {
        self.required(path, value, "a date like 2024-04-01")
            .map(|d| d.0)
    }

    /// Reports a group of shares that should sum to 1; the shares are already checked.
    fn sums_to_one(&mut self, path: &[&str], sum: f64, what: &str) {
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            self.bad(
                path,
                format!("{what} add up to {}: expected a total of 1", num(sum)),
            );
        }
    }
}

/// `[a-z0-9_]+`: names of specialties, changes and shocks, which appear in output columns.
fn is_snake_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Safe as a folder name.
pub(crate) fn is_scenario_name(name: &str) -> bool {
    (1..=64).contains(&name.chars().count())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Replications one scenario may ask for.
pub const MAX_REPLICATIONS: u32 = 10_000;

pub(crate) const SCENARIO_NAME_RULE: &str =
    "1 to 64 characters from A-Z a-z 0-9 . _ - (not starting with .), as it names the result folder";

fn scenario(c: &mut Checker, raw: RawScenario) -> Option<Scenario> {
    let name = c.required(&["name"], raw.name.clone(), SCENARIO_NAME_RULE);
    let name = name.filter(|n| {
        let ok = is_scenario_name(n);
        if !ok {
            c.bad(&["name"], format!("expected {SCENARIO_NAME_RULE}"));
        }
        ok
    });
    let stream_family = c.required(&["stream_family"], raw.stream_family, SCENARIO_NAME_RULE);
    let stream_family = stream_family.filter(|n| {
        // The same text as the name (its default) is reported once, as the name.
        let ok = is_scenario_name(n) || raw.name.as_ref() == Some(n);
        if !ok {
            c.bad(&["stream_family"], format!("expected {SCENARIO_NAME_RULE}"));
        }
        ok
    });
    let description = raw.description.unwrap_or_default();

    let simulation = c
        .table(&["simulation"], raw.simulation)
        .and_then(|s| simulation(c, s));
    let initial_list = c
        .table(&["initial_list"], raw.initial_list)
        .and_then(|s| initial_list(c, s));
    let referrals = c
        .table(&["referrals"], raw.referrals)
        .and_then(|s| referrals(c, s));
    let removals = c
        .table(&["removals"], raw.removals)
        .and_then(|s| removals(c, s));
    let outpatients = c
        .table(&["outpatients"], raw.outpatients)
        .and_then(|s| outpatients(c, s));
    let theatres = c
        .table(&["theatres"], raw.theatres)
        .and_then(|s| theatres(c, s));
    let specialties = specialties(c, raw.specialties);
    if let (Some(list), Some(specialties)) = (&initial_list, &specialties) {
        weekly_list_matches_specialties(c, list, specialties);
    }
    let horizon = simulation.as_ref().map(|s| {
        let end = s.start.first_of_month_after(s.months).add_days(-1);
        (s.start, end)
    });
    let names: Option<Vec<&str>> = specialties
        .as_ref()
        .map(|list| list.iter().map(|s| s.name.as_str()).collect());
    let calendar = calendar(
        c,
        raw.calendar.unwrap_or_default(),
        horizon,
        names.as_deref(),
    );
    let diagnostics = c
        .table(&["diagnostics"], raw.diagnostics)
        .and_then(|s| diagnostics(c, s));
    let finance = c
        .table(&["finance"], raw.finance)
        .and_then(|f| finance(c, f));
    let cancer = c
        .table(&["cancer"], raw.cancer)
        .and_then(|s| cancer(c, s, names.as_deref()));

    Some(Scenario {
        name: name?,
        description,
        stream_family: stream_family?,
        simulation: simulation?,
        initial_list: initial_list?,
        referrals: referrals?,
        removals: removals?,
        outpatients: outpatients?,
        theatres: theatres?,
        specialties: specialties?,
        calendar: calendar?,
        diagnostics: diagnostics?,
        cancer: cancer?,
        finance: finance?,
        resolved: sorted(&c.source.table),
    })
}

/// A copy with keys in sorted order at every level, whatever map type `toml` was built with.
pub(crate) fn sorted(table: &toml::Table) -> toml::Table {
    let ordered: BTreeMap<&String, &toml::Value> = table.iter().collect();
    ordered
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                toml::Value::Table(t) => toml::Value::Table(sorted(t)),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

fn simulation(c: &mut Checker, raw: RawSimulation) -> Option<Simulation> {
    let start = c.date(&["simulation", "start"], raw.start).filter(|d| {
        let ok = d.ymd().2 == 1;
        if !ok {
            c.bad(
                &["simulation", "start"],
                "expected the first day of a month, like 2024-04-01",
            );
        }
        ok
    });
    let months = c.whole(
        &["simulation", "months"],
        raw.months,
        1,
        120,
        "a whole number of months from 1 to 120",
    );
    let replications = c.whole(
        &["simulation", "replications"],
        raw.replications,
        1,
        i64::from(MAX_REPLICATIONS),
        "a whole number from 1 to 10000",
    );
    let seed = c.whole(
        &["simulation", "seed"],
        raw.seed,
        0,
        i64::MAX,
        "a whole number from 0 to 9223372036854775807",
    );
    let scale = c.optional_number(
        &["simulation", "scale"],
        raw.scale,
        |x| x > 0.0 && x <= 1.0,
        "a fraction above 0 and at most 1",
    );
    let scale = if raw.scale.is_some() {
        scale
    } else {
        Some(1.0)
    };
    let expected_policy = format!("one of {}", quoted_list(&BookingPolicy::NAMES));
    let policy = c.required(
        &["simulation", "booking_policy"],
        raw.booking_policy,
        &expected_policy,
    );
    let booking_policy = policy.and_then(|name| {
        let policy = BookingPolicy::from_name(&name);
        if policy.is_none() {
            let hint = match nearest(&name, &BookingPolicy::NAMES) {
                Some(best) => format!("; did you mean \"{best}\"?"),
                None => String::new(),
            };
            c.bad(
                &["simulation", "booking_policy"],
                format!("expected {expected_policy}{hint}"),
            );
        }
        policy
    });
    Some(Simulation {
        start: start?,
        months: u32::try_from(months?).ok()?,
        replications: u32::try_from(replications?).ok()?,
        seed: u64::try_from(seed?).ok()?,
        scale: scale?,
        booking_policy: booking_policy?,
    })
}

fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(", ")
}

fn initial_list(c: &mut Checker, mut raw: RawInitialList) -> Option<InitialList> {
    // The list stated week by week is checked on its own (`weekly_initial_list`).
    if let Some(weekly) = raw.weekly.take() {
        return weekly_initial_list(c, raw, weekly);
    }
    let total = c.whole(&["initial_list", "total"], raw.total, 0, MAX_COUNT, COUNT);
    let values = [
        raw.over_18_weeks,
        raw.over_52_weeks,
        raw.over_65_weeks,
        raw.over_78_weeks,
        raw.over_104_weeks,
    ];
    let mut over = Vec::new();
    let mut bands_ok = total.is_some();
    let mut previous: Option<(&str, i64)> = None;
    for ((weeks, key), value) in BANDS.iter().zip(values) {
        let count = c.whole(&["initial_list", key], value, 0, MAX_COUNT, COUNT);
        let count = count.filter(|&n| match total {
            Some(total) if n > total => {
                c.bad(
                    &["initial_list", key],
                    format!("expected at most the list total, initial_list.total = {total}"),
                );
                false
            }
            _ => true,
        });
        let count = count.filter(|&n| match previous {
            Some((before, m)) if n > m => {
                c.bad(
                    &["initial_list", key],
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
    let longest = c.whole(
        &["initial_list", "longest_wait_weeks"],
        raw.longest_wait_weeks,
        105,
        520,
        "a whole number of weeks from 105 to 520 (more than the 104-week band)",
    );
    let weeks_rule = |x: f64| x > 0.0 && x <= MAX_WEEKS;
    let median = c.optional_number(
        &["initial_list", "median_weeks"],
        raw.median_weeks,
        weeks_rule,
        "a number of weeks above 0 and at most 520",
    );
    let p92 = c.optional_number(
        &["initial_list", "p92_weeks"],
        raw.p92_weeks,
        weeks_rule,
        "a number of weeks above 0 and at most 520",
    );
    let median_ok = median.is_some() == raw.median_weeks.is_some();
    let p92_ok = p92.is_some() == raw.p92_weeks.is_some();

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
                        &["initial_list", key],
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
                &["initial_list", "p92_weeks"],
                format!("expected at least initial_list.median_weeks = {}", num(m)),
            );
        }
    }

    // Optional: a scenario without it starts with no one under monitoring follow-up.
    let caseload = match raw.monitoring_caseload {
        None => Some(0),
        Some(_) => c.whole(
            &["initial_list", "monitoring_caseload"],
            raw.monitoring_caseload,
            0,
            MAX_COUNT,
            COUNT,
        ),
    };
    let share_first = c.share(
        &["initial_list", "share_awaiting_first"],
        raw.share_awaiting_first,
    );
    let share_followup = c.share(&["initial_list", "share_followup"], raw.share_followup);
    let share_admission = c.share(
        &["initial_list", "share_awaiting_admission"],
        raw.share_awaiting_admission,
    );
    if let (Some(a), Some(b), Some(d)) = (share_first, share_followup, share_admission) {
        c.sums_to_one(
            &["initial_list", "share_awaiting_admission"],
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

/// Checks an array of `n` non-negative numbers with a positive sum, scaled to a mean of 1.
fn weights<const N: usize>(
    c: &mut Checker,
    path: &[&str],
    raw: Option<Vec<f64>>,
    what: &str,
) -> Option<[f64; N]> {
    let expected = format!("an array of {N} non-negative numbers ({what})");
    let values = c.required(path, raw, &expected)?;
    if values.len() != N {
        c.bad(path, format!("expected {expected}, not {}", values.len()));
        return None;
    }
    let mut ok = true;
    for (i, &w) in values.iter().enumerate() {
        if !(w.is_finite() && (0.0..=1e6).contains(&w)) {
            c.bad_at(path, i, "expected a number from 0 to 1000000");
            ok = false;
        }
    }
    let sum: f64 = values.iter().sum();
    if ok && sum <= 0.0 {
        c.bad(path, format!("expected {expected} with a positive sum"));
        ok = false;
    }
    if !ok {
        return None;
    }
    let mut out = [0.0; N];
    for (o, w) in out.iter_mut().zip(&values) {
        *o = w * N as f64 / sum;
    }
    Some(out)
}

fn referrals(c: &mut Checker, raw: RawReferrals) -> Option<Referrals> {
    let per_day = c.number(
        &["referrals", "per_day"],
        raw.per_day,
        |x| (0.0..=MAX_RATE).contains(&x),
        "a number from 0 to 10000000",
    );
    let growth = c.number(
        &["referrals", "annual_growth"],
        raw.annual_growth,
        |x| (-0.5..=1.0).contains(&x),
        "a yearly growth from -0.5 to 1 (0.03 is 3%)",
    );
    let weekday = weights::<7>(
        c,
        &["referrals", "weekday_weights"],
        raw.weekday_weights,
        "Monday to Sunday",
    );
    let monthly = weights::<12>(
        c,
        &["referrals", "monthly_seasonality"],
        raw.monthly_seasonality,
        "January to December",
    );
    Some(Referrals {
        per_day: per_day?,
        annual_growth: growth?,
        weekday_weights: weekday?,
        monthly_seasonality: monthly?,
    })
}

fn removals(c: &mut Checker, raw: RawRemovals) -> Option<Removals> {
    // A rate of 1 would remove everyone at once: it is a hazard, not a share to be met.
    let rate = c.number(
        &["removals", "monthly_rate"],
        raw.monthly_rate,
        |x| (0.0..1.0).contains(&x),
        "a share from 0 up to (not including) 1",
    );
    // Validation sprints are optional: none unless stated.
    let share = |c: &mut Checker, key: &str, value: Option<f64>| match value {
        None => Some(0.0),
        Some(_) => c.share(&["removals", key], value),
    };
    let validated = share(
        c,
        "validation_share_per_month",
        raw.validation_share_per_month,
    );
    let removed = share(c, "validation_removal_share", raw.validation_removal_share);
    let after = match raw.validation_after_weeks {
        None => Some(12),
        Some(_) => c.whole(
            &["removals", "validation_after_weeks"],
            raw.validation_after_weeks,
            0,
            520,
            "a whole number of weeks from 0 to 520",
        ),
    };
    Some(Removals {
        monthly_rate: rate?,
        validation_share_per_month: validated?,
        validation_removal_share: removed?,
        validation_after_weeks: after? as u32,
    })
}

fn outpatients(c: &mut Checker, raw: RawOutpatients) -> Option<Outpatients> {
    let dna = c.share(&["outpatients", "dna_rate"], raw.dna_rate);
    let rebook = c.share(&["outpatients", "dna_rebook_share"], raw.dna_rebook_share);
    let cap = c.share(&["outpatients", "followup_slot_cap"], raw.followup_slot_cap);
    let pifu = c.number(
        &["outpatients", "pifu_period_weeks"],
        raw.pifu_period_weeks,
        |x| x > 0.0 && x <= MAX_WEEKS,
        "a number of weeks above 0 and at most 520",
    );
    Some(Outpatients {
        dna_rate: dna?,
        dna_rebook_share: rebook?,
        followup_slot_cap: cap?,
        pifu_period_weeks: pifu?,
    })
}

fn minutes_from_0(x: f64) -> bool {
    (0.0..=MAX_MINUTES).contains(&x)
}

fn theatres(c: &mut Checker, raw: RawTheatres) -> Option<Theatres> {
    const FROM_0: &str = "a number of minutes from 0 to 1440";
    let session = c.number(
        &["theatres", "session_minutes"],
        raw.session_minutes,
        |x| (1.0..=MAX_MINUTES).contains(&x),
        "a number of minutes from 1 to 1440",
    );
    let late = c.number(
        &["theatres", "late_start_mean_minutes"],
        raw.late_start_mean_minutes,
        minutes_from_0,
        FROM_0,
    );
    let early = c.number(
        &["theatres", "early_finish_mean_minutes"],
        raw.early_finish_mean_minutes,
        minutes_from_0,
        FROM_0,
    );
    let turnaround = c.number(
        &["theatres", "turnaround_minutes"],
        raw.turnaround_minutes,
        minutes_from_0,
        FROM_0,
    );
    let cancel = c.share(
        &["theatres", "on_the_day_cancellation_rate"],
        raw.on_the_day_cancellation_rate,
    );
    let booking = c.number(
        &["theatres", "booking_fraction"],
        raw.booking_fraction,
        |x| x > 0.0 && x <= 1.0,
        "a share above 0 and at most 1",
    );
    Some(Theatres {
        session_minutes: session?,
        late_start_mean_minutes: late?,
        early_finish_mean_minutes: early?,
        turnaround_minutes: turnaround?,
        on_the_day_cancellation_rate: cancel?,
        booking_fraction: booking?,
    })
}

/// A table of named tables (specialties, tumour groups): present, with at least one entry
/// (`example` says what one looks like) and at most `max` (`what` names them in the message).
fn named_tables<T>(
    c: &mut Checker,
    path: &[&str],
    raw: Option<BTreeMap<String, T>>,
    example: &str,
    what: &str,
    max: usize,
) -> Option<BTreeMap<String, T>> {
    if raw.is_none() && c.is_broken(&key_path(path)) {
        return None;
    }
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        let problem = c.source.missing(&key_path(path), example);
        c.problems.push(problem);
        return None;
    }
    if raw.len() > max {
        c.bad(
            path,
            format!("expected at most {max} {what}, not {}", raw.len()),
        );
        return None;
    }
    Some(raw)
}

/// The model keeps a patient's specialty in one byte.
const MAX_SPECIALTIES: usize = 200;

fn specialties(
    c: &mut Checker,
    raw: Option<BTreeMap<String, RawSpecialty>>,
) -> Option<Vec<Specialty>> {
    let path = ["specialties"];
    let example = "at least one specialty, a table like [specialties.general_surgery]";
    let raw = named_tables(c, &path, raw, example, "specialties", MAX_SPECIALTIES)?;
    let mut list = Vec::new();
    let mut all_ok = true;
    for (name, raw) in raw {
        match specialty(c, &name, raw) {
            Some(s) => list.push(s),
            None => all_ok = false,
        }
    }
    if !all_ok {
        return None;
    }
    for (key, get) in [
        (
            "referral_share",
            (|s: &Specialty| s.referral_share) as fn(&Specialty) -> f64,
        ),
        ("list_share", |s: &Specialty| s.list_share),
    ] {
        let sum: f64 = list.iter().map(get).sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            let each: Vec<String> = list
                .iter()
                .map(|s| format!("{} {}", s.name, num(get(s))))
                .collect();
            let place = c.source.place(&key_path(&path));
            c.problems.push(format!(
                "{place}: specialties.*.{key} add up to {} ({}): expected a total of 1",
                num(sum),
                each.join(", ")
            ));
        }
    }
    Some(list)
}

fn outcomes(c: &mut Checker, path: &[&str], raw: Option<RawOutcomes>) -> Option<Outcomes> {
    let raw = c.table(path, raw)?;
    let key = |k: &'static str| -> Vec<&str> { path.iter().copied().chain([k]).collect() };
    let discharge = c.share(&key("discharge"), raw.discharge);
    let treat = c.share(&key("treat"), raw.treat);
    let followup = c.share(&key("followup"), raw.followup);
    let diagnostic = c.share(&key("diagnostic"), raw.diagnostic);
    let admit = c.share(&key("admit"), raw.admit);
    let out = Outcomes {
        discharge: discharge?,
        treat: treat?,
        followup: followup?,
        diagnostic: diagnostic?,
        admit: admit?,
    };
    let sum = out.discharge + out.treat + out.followup + out.diagnostic + out.admit;
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        c.sums_to_one(path, sum, "the shares");
        return None;
    }
    Some(out)
}

fn minutes(c: &mut Checker, path: &[&str], raw: Option<RawMinutes>) -> Option<Minutes> {
    let raw = c.table(path, raw)?;
    let key = |k: &'static str| -> Vec<&str> { path.iter().copied().chain([k]).collect() };
    let mean = c.number(
        &key("mean"),
        raw.mean,
        |x| (1.0..=MAX_MINUTES).contains(&x),
        "a number of minutes from 1 to 1440",
    );
    let sd = c.number(
        &key("sd"),
        raw.sd,
        minutes_from_0,
        "a number of minutes from 0 to 1440",
    );
    Some(Minutes {
        mean: mean?,
        sd: sd?,
    })
}

fn specialty(c: &mut Checker, name: &str, raw: RawSpecialty) -> Option<Specialty> {
    let p = |k: &'static str| -> [&str; 3] { ["specialties", name, k] };
    let name_ok = is_snake_name(name);
    if !name_ok {
        let place = c.source.place(&key_path(&["specialties", name]));
        c.problems.push(format!(
            "{place}: specialties.{}: expected a specialty name of lower-case letters, digits and _",
            dotted(&[name])
        ));
    }
    let referral_share = c.share(&p("referral_share"), raw.referral_share);
    let list_share = c.share(&p("list_share"), raw.list_share);
    let priority_shares = priority_shares(c, &p("priority_shares"), raw.priority_shares);
    let first = outcomes(c, &p("first_outcomes"), raw.first_outcomes);
    let followup = outcomes(c, &p("followup_outcomes"), raw.followup_outcomes);
    let weeks = |x: f64| x > 0.0 && x <= MAX_WEEKS;
    const WEEKS: &str = "a number of weeks above 0 and at most 520";
    let interval = c.number(
        &p("followup_interval_weeks"),
        raw.followup_interval_weeks,
        weeks,
        WEEKS,
    );
    let diagnostic_mix = test_mix(c, &p("diagnostic_mix"), raw.diagnostic_mix);
    let post = c.number(
        &p("post_treatment_followups"),
        raw.post_treatment_followups,
        |x| (0.0..=100.0).contains(&x),
        "a mean number of follow-ups from 0 to 100",
    );
    let procedure = c.share(&p("followup_procedure_share"), raw.followup_procedure_share);
    let pifu = c.share(&p("pifu_share"), raw.pifu_share);
    let pifu_booking = c.share(&p("pifu_booking_share"), raw.pifu_booking_share);
    let daycase = c.share(&p("daycase_propensity"), raw.daycase_propensity);
    let daycase_minutes = minutes(c, &p("daycase_minutes"), raw.daycase_minutes);
    let inpatient_minutes = minutes(c, &p("inpatient_minutes"), raw.inpatient_minutes);
    let clinic = c.number(
        &p("clinic_slots_per_week"),
        raw.clinic_slots_per_week,
        rate,
        WEEKLY_CAPACITY,
    );
    let lists = c.number(
        &p("theatre_lists_per_week"),
        raw.theatre_lists_per_week,
        rate,
        WEEKLY_CAPACITY,
    );
    // Optional: prices apply as they are unless a specialty says otherwise.
    let advice = match raw.advice_and_guidance_share {
        None => Some(0.0),
        Some(_) => c.share(
            &p("advice_and_guidance_share"),
            raw.advice_and_guidance_share,
        ),
    };
    let price_factor = match raw.price_factor {
        None => Some(1.0),
        Some(_) => c.number(
            &p("price_factor"),
            raw.price_factor,
            |x| (0.0..=100.0).contains(&x),
            "a factor from 0 to 100",
        ),
    };
    if !name_ok {
        return None;
    }
    Some(Specialty {
        name: name.to_string(),
        referral_share: referral_share?,
        list_share: list_share?,
        priority_shares: priority_shares?,
        first_outcomes: first?,
        followup_outcomes: followup?,
        followup_interval_weeks: interval?,
        diagnostic_mix: diagnostic_mix?,
        post_treatment_followups: post?,
        followup_procedure_share: procedure?,
        pifu_share: pifu?,
        pifu_booking_share: pifu_booking?,
        daycase_propensity: daycase?,
        daycase_minutes: daycase_minutes?,
        inpatient_minutes: inpatient_minutes?,
        clinic_slots_per_week: clinic?,
        theatre_lists_per_week: lists?,
        price_factor: price_factor?,
        advice_and_guidance_share: advice?,
    })
}

fn priority_shares(c: &mut Checker, path: &[&str], raw: Option<Vec<f64>>) -> Option<[f64; 4]> {
    const EXPECTED: &str = "an array of 4 shares for P1 to P4, adding up to 1";
    let values = c.required(path, raw, EXPECTED)?;
    let Ok(shares) = <[f64; 4]>::try_from(values.as_slice()) else {
        c.bad(
            path,
            format!("expected {EXPECTED}, not {} values", values.len()),
        );
        return None;
    };
    let mut ok = true;
    for (i, &s) in shares.iter().enumerate() {
        if !(s.is_finite() && (0.0..=1.0).contains(&s)) {
            c.bad_at(path, i, "expected a share from 0 to 1");
            ok = false;
        }
    }
    if ok {
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            c.sums_to_one(path, sum, "the shares");
            ok = false;
        }
    }
    ok.then_some(shares)
}

/// Shares by test type (`diagnostic_mix`, `test_mix`), every type given, adding up to 1; in
/// `TestType::ALL` order.
fn test_mix(
    c: &mut Checker,
    path: &[&str],
    raw: Option<RawTestMix>,
) -> Option<[f64; TestType::COUNT]> {
    let raw = c.table(path, raw)?;
    let mut shares = [0.0; TestType::COUNT];
    let mut ok = true;
    for ((name, value), share) in TestType::NAMES.iter().zip(raw.values()).zip(&mut shares) {
        let key: Vec<&str> = path.iter().copied().chain([*name]).collect();
        match c.share(&key, value) {
            Some(v) => *share = v,
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let sum: f64 = shares.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        c.sums_to_one(path, sum, "the shares");
        return None;
    }
    Some(shares)
}

/// The position of `value` in `candidates`; otherwise reports it, listing the candidates and
/// suggesting the nearest. `expected` says what they are ("the name of a specialty").
fn lookup(
    c: &mut Checker,
    path: &[&str],
    value: &str,
    candidates: &[&str],
    expected: &str,
) -> Option<usize> {
    let found = candidates.iter().position(|n| *n == value);
    if found.is_none() {
        let hint = match nearest(value, candidates) {
            Some(best) => format!("; did you mean \"{best}\"?"),
            None => String::new(),
        };
        c.bad(
            path,
            format!("expected {expected}: {}{hint}", quoted_list(candidates)),
        );
    }
    found
}

/// The simulated days, first and last, if the simulation table is valid.
type Horizon = Option<(Date, Date)>;

fn in_horizon(
    c: &mut Checker,
    path: &[&str],
    date: Option<Date>,
    horizon: Horizon,
) -> Option<Date> {
    let date = date?;
    match horizon {
        Some((start, end)) if date < start || date > end => {
            c.bad(
                path,
                format!("expected a date from {start} to {end} (the simulated days)"),
            );
            None
        }
        _ => Some(date),
    }
}

fn resource(c: &mut Checker, path: &[&str], index: Option<usize>, name: &str) -> Option<Resource> {
    let resource = Resource::from_name(name);
    if resource.is_none() {
        let hint = match nearest(name, &Resource::NAMES) {
            Some(best) => format!("; did you mean \"{best}\"?"),
            None => String::new(),
        };
        let what = format!("expected one of {}{hint}", quoted_list(&Resource::NAMES));
        match index {
            Some(i) => c.bad_at(path, i, what),
            None => c.bad(path, what),
        }
    }
    resource
}

fn calendar(
    c: &mut Checker,
    raw: RawCalendar,
    horizon: Horizon,
    specialties: Option<&[&str]>,
) -> Option<Calendar> {
    // Bank holidays may be any dates (outside the horizon they do nothing); duplicates are fine.
    let bank_holidays: Vec<Date> = raw
        .bank_holidays
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.0)
        .collect();
    let mut ok = true;

    let mut changes = Vec::new();
    for (name, raw) in raw.changes.unwrap_or_default() {
        match change(c, &name, raw, horizon, specialties) {
            Some(change) => changes.push(change),
            None => ok = false,
        }
    }
    let mut shocks = Vec::new();
    for (name, raw) in raw.shocks.unwrap_or_default() {
        match shock(c, &name, raw, horizon) {
            Some(shock) => shocks.push(shock),
            None => ok = false,
        }
    }
    let mut levers = Vec::new();
    for (name, raw) in raw.levers.unwrap_or_default() {
        match lever(c, &name, raw, horizon, specialties) {
            Some(lever) => levers.push(lever),
            None => ok = false,
        }
    }
    ok.then_some(Calendar {
        bank_holidays,
        changes,
        shocks,
        levers,
    })
}

fn check_event_name(c: &mut Checker, kind: &str, name: &str) -> bool {
    let ok = is_snake_name(name);
    if !ok {
        let place = c.source.place(&key_path(&["calendar", kind, name]));
        c.problems.push(format!(
            "{place}: calendar.{kind}.{}: expected a name of lower-case letters, digits and _",
            dotted(&[name])
        ));
    }
    ok
}

fn change(
    c: &mut Checker,
    name: &str,
    raw: RawChange,
    horizon: Horizon,
    specialties: Option<&[&str]>,
) -> Option<CapacityChange> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "changes", name, k] };
    let name_ok = check_event_name(c, "changes", name);
    let from = c.date(&p("from"), raw.from);
    let from = in_horizon(c, &p("from"), from, horizon);
    let expected_resource = format!("one of {}", quoted_list(&Resource::NAMES));
    let resource = c
        .required(&p("resource"), raw.resource.clone(), &expected_resource)
        .and_then(|r| resource(c, &p("resource"), None, &r));
    let target = change_target(c, name, &raw, resource, specialties);
    let amount = match (raw.add_per_week, raw.multiply) {
        (Some(add), None) => c
            .check_number(
                &p("add_per_week"),
                add,
                |x| x.abs() <= MAX_RATE,
                "a weekly amount from -10000000 to 10000000",
            )
            .map(ChangeAmount::AddPerWeek),
        (None, Some(factor)) => c
            .check_number(
                &p("multiply"),
                factor,
                |x| (0.0..=1000.0).contains(&x),
                "a factor from 0 to 1000",
            )
            .map(ChangeAmount::Multiply),
        (Some(_), Some(_)) => {
            c.bad(
                &p("multiply"),
                "expected either add_per_week or multiply, not both",
            );
            None
        }
        (None, None) => {
            let path = key_path(&["calendar", "changes", name, "add_per_week"]);
            if !c.is_broken(&path) && !c.is_broken(&key_path(&p("multiply"))) {
                let problem = c
                    .source
                    .missing(&path, "a weekly amount (or set multiply instead)");
                c.problems.push(problem);
            }
            None
        }
    };
    if !name_ok {
        return None;
    }
    Some(CapacityChange {
        name: name.to_string(),
        from: from?,
        resource: resource?,
        specialty: target?,
        amount: amount?,
        premium: raw.premium.unwrap_or(false),
    })
}

const ALL_SPECIALTIES: &str = "\"all\" or the name of a specialty";
const ALL_TESTS: &str = "\"all\" or a test type";

/// What a change acts on: `specialty` (clinics, theatres) or `test` (diagnostic tests) resolved
/// to an index, `None` inside for all; cancer treatments take neither key.
fn change_target(
    c: &mut Checker,
    name: &str,
    raw: &RawChange,
    resource: Option<Resource>,
    specialties: Option<&[&str]>,
) -> Option<Option<usize>> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "changes", name, k] };
    let mut ok = true;
    // A key the resource does not take: reported, and the change is not built.
    let mut refuse = |c: &mut Checker, key: &'static str, use_instead: &str| {
        if let (Some(r), true) = (resource, raw_has(raw, key)) {
            c.bad(
                &p(key),
                format!(
                    "expected no `{key}` with resource = \"{}\" ({use_instead})",
                    r.name()
                ),
            );
            ok = false;
        }
    };
    let target = match resource {
        Some(Resource::ClinicSlots | Resource::TheatreLists) => {
            refuse(
                c,
                "test",
                "`test` is only for \"diagnostic_tests\"; clinic and theatre changes name a `specialty`",
            );
            let value = c.required(&p("specialty"), raw.specialty.clone(), ALL_SPECIALTIES);
            value.and_then(|v| specialty_target(c, &p("specialty"), &v, specialties))
        }
        Some(Resource::DiagnosticTests) => {
            refuse(
                c,
                "specialty",
                "diagnostic test changes name a `test`: \"all\" or a test type",
            );
            let expected = format!("{ALL_TESTS} ({})", quoted_list(&TestType::NAMES));
            let value = c.required(&p("test"), raw.test.clone(), &expected);
            value.and_then(|v| test_target(c, &p("test"), &v))
        }
        Some(Resource::CancerTreatments) => {
            let why = "cancer treatment changes apply to all cancer treatments";
            refuse(c, "specialty", why);
            refuse(c, "test", why);
            Some(None)
        }
        // An unknown resource is reported already; check what can be checked.
        None => {
            if let Some(v) = &raw.specialty {
                specialty_target(c, &p("specialty"), v, specialties);
            }
            if let Some(v) = &raw.test {
                test_target(c, &p("test"), v);
            }
            None
        }
    };
    target.filter(|_| ok)
}

fn raw_has(raw: &RawChange, key: &str) -> bool {
    match key {
        "specialty" => raw.specialty.is_some(),
        "test" => raw.test.is_some(),
        _ => false,
    }
}

/// `"all"` (`Some(None)`) or a specialty's index in the sorted list; `None` if unknown or if
/// the specialties are not valid (reported there).
fn specialty_target(
    c: &mut Checker,
    path: &[&str],
    value: &str,
    specialties: Option<&[&str]>,
) -> Option<Option<usize>> {
    if value == "all" {
        return Some(None);
    }
    let names = specialties?;
    let candidates: Vec<&str> = ["all"].into_iter().chain(names.iter().copied()).collect();
    lookup(c, path, value, &candidates, ALL_SPECIALTIES).map(|i| Some(i - 1))
}

/// `"all"` (`Some(None)`) or the test type's index in `TestType::ALL`.
fn test_target(c: &mut Checker, path: &[&str], value: &str) -> Option<Option<usize>> {
    let candidates: Vec<&str> = ["all"].into_iter().chain(TestType::NAMES).collect();
    lookup(c, path, value, &candidates, ALL_TESTS).map(|i| i.checked_sub(1))
}

fn shock(c: &mut Checker, name: &str, raw: RawShock, horizon: Horizon) -> Option<CapacityShock> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "shocks", name, k] };
    let name_ok = check_event_name(c, "shocks", name);
    let from = c.date(&p("from"), raw.from);
    let from = in_horizon(c, &p("from"), from, horizon);
    let to = c.date(&p("to"), raw.to);
    let to = in_horizon(c, &p("to"), to, horizon);
    let to = match (from, to) {
        (Some(from), Some(to)) if to < from => {
            c.bad(
                &p("to"),
                format!("expected a date on or after from = {from}"),
            );
            None
        }
        _ => to,
    };
    let share_lost = c.share(&p("share_lost"), raw.share_lost);
    let expected = format!("a non-empty array of {}", quoted_list(&Resource::NAMES));
    let names = c.required(&p("resources"), raw.resources, &expected);
    let resources = names.and_then(|names| {
        if names.is_empty() {
            c.bad(&p("resources"), format!("expected {expected}"));
            return None;
        }
        let mut list = Vec::new();
        let mut ok = true;
        for (i, n) in names.iter().enumerate() {
            match resource(c, &p("resources"), Some(i), n) {
                Some(r) if !list.contains(&r) => list.push(r),
                Some(_) => {}
                None => ok = false,
            }
        }
        ok.then_some(list)
    });
    if !name_ok {
        return None;
    }
    Some(CapacityShock {
        name: name.to_string(),
        from: from?,
        to: to?,
        share_lost: share_lost?,
        resources: resources?,
    })
}

const COUNT: &str = "a whole number from 0 to 100000000";
const WEEKLY_CAPACITY: &str = "a weekly capacity from 0 to 10000000";
const DAILY_RATE: &str = "a number from 0 to 10000000";

fn rate(x: f64) -> bool {
    (0.0..=MAX_RATE).contains(&x)
}

fn diagnostics(c: &mut Checker, raw: RawDiagnostics) -> Option<Diagnostics> {
    let report_days = c.number(
        &["diagnostics", "report_days"],
        raw.report_days,
        |x| x > 0.0 && x <= MAX_DAYS,
        "a number of days above 0 and at most 365",
    );
    let tables: Vec<String> = TestType::NAMES
        .iter()
        .map(|n| format!("[diagnostics.tests.{n}]"))
        .collect();
    let expected = format!("a table for each test type: {}", tables.join(", "));
    let raw_tests = c.required(&["diagnostics", "tests"], raw.tests, &expected);
    let tests = raw_tests.and_then(|raw_tests| {
        let mut list = Vec::new();
        let mut ok = true;
        for (test, raw) in TestType::ALL.into_iter().zip(raw_tests.into_array()) {
            let raw = c.required(
                &["diagnostics", "tests", test.name()],
                raw,
                "a table of tests_per_week, direct_requests_per_weekday, urgent_share, \
                 initial_waiting, initial_over_6_weeks and initial_longest_weeks \
                 (every test type must be given)",
            );
            match raw.and_then(|raw| diagnostic_test(c, test, raw)) {
                Some(t) => list.push(t),
                None => ok = false,
            }
        }
        ok.then_some(list)
    });
    Some(Diagnostics {
        report_days: report_days?,
        tests: tests?,
    })
}

fn diagnostic_test(
    c: &mut Checker,
    test: TestType,
    raw: RawDiagnosticTest,
) -> Option<DiagnosticTest> {
    let name = test.name();
    let p = |k: &'static str| -> [&str; 4] { ["diagnostics", "tests", name, k] };
    let per_week = c.number(
        &p("tests_per_week"),
        raw.tests_per_week,
        rate,
        WEEKLY_CAPACITY,
    );
    let direct = c.number(
        &p("direct_requests_per_weekday"),
        raw.direct_requests_per_weekday,
        rate,
        DAILY_RATE,
    );
    let urgent = c.share(&p("urgent_share"), raw.urgent_share);
    let waiting = c.whole(
        &p("initial_waiting"),
        raw.initial_waiting,
        0,
        MAX_COUNT,
        COUNT,
    );
    let over = c.whole(
        &p("initial_over_6_weeks"),
        raw.initial_over_6_weeks,
        0,
        MAX_COUNT,
        COUNT,
    );
    let over = over.filter(|&n| match waiting {
        Some(w) if n > w => {
            c.bad(
                &p("initial_over_6_weeks"),
                format!("expected at most diagnostics.tests.{name}.initial_waiting = {w}"),
            );
            false
        }
        _ => true,
    });
    let longest = c.whole(
        &p("initial_longest_weeks"),
        raw.initial_longest_weeks,
        7,
        520,
        "a whole number of weeks from 7 to 520 (more than the 6-week standard)",
    );
    Some(DiagnosticTest {
        test,
        tests_per_week: per_week?,
        direct_requests_per_weekday: direct?,
        urgent_share: urgent?,
        initial_waiting: u64::try_from(waiting?).ok()?,
        initial_over_6_weeks: u64::try_from(over?).ok()?,
        initial_longest_weeks: u32::try_from(longest?).ok()?,
    })
}

fn days(c: &mut Checker, path: &[&str], raw: Option<RawDays>) -> Option<Days> {
    let raw = c.table(path, raw)?;
    let key = |k: &'static str| -> Vec<&str> { path.iter().copied().chain([k]).collect() };
    let mean = c.number(
        &key("mean"),
        raw.mean,
        |x| (0.5..=MAX_DAYS).contains(&x),
        "a number of days from 0.5 to 365",
    );
    let sd = c.number(
        &key("sd"),
        raw.sd,
        |x| (0.0..=MAX_DAYS).contains(&x),
        "a number of days from 0 to 365",
    );
    Some(Days {
        mean: mean?,
        sd: sd?,
    })
}

fn cancer(c: &mut Checker, raw: RawCancer, specialties: Option<&[&str]>) -> Option<Cancer> {
    let p = |k: &'static str| -> [&str; 2] { ["cancer", k] };
    let referrals = c.number(
        &p("referrals_per_weekday"),
        raw.referrals_per_weekday,
        rate,
        DAILY_RATE,
    );
    let priority = c.required(&p("priority"), raw.priority, "true or false");
    let diagnosis = days(c, &p("diagnosis_days"), raw.diagnosis_days);
    let decision = days(c, &p("decision_days"), raw.decision_days);
    let lead = days(c, &p("treatment_lead_days"), raw.treatment_lead_days);
    let surgery = minutes(c, &p("surgery_minutes"), raw.surgery_minutes);
    let non_surgical = c.number(
        &p("non_surgical_per_week"),
        raw.non_surgical_per_week,
        rate,
        WEEKLY_CAPACITY,
    );
    let prestart = |c: &mut Checker, key: &'static str, value: Option<f64>| {
        c.number(
            &p(key),
            value,
            |x| (0.0..=MAX_DAYS).contains(&x),
            "a number of days from 0 to 365",
        )
    };
    let first = prestart(
        c,
        "prestart_first_appointment_days",
        raw.prestart_first_appointment_days,
    );
    let test = prestart(c, "prestart_test_days", raw.prestart_test_days);
    let treatment = prestart(c, "prestart_treatment_days", raw.prestart_treatment_days);
    let groups = tumour_groups(c, raw.tumour_groups, specialties);
    Some(Cancer {
        referrals_per_weekday: referrals?,
        priority: priority?,
        diagnosis_days: diagnosis?,
        decision_days: decision?,
        treatment_lead_days: lead?,
        surgery_minutes: surgery?,
        non_surgical_per_week: non_surgical?,
        prestart_first_appointment_days: first?,
        prestart_test_days: test?,
        prestart_treatment_days: treatment?,
        tumour_groups: groups?,
    })
}

/// Tumour groups appear in output columns; more than this is a mistake.
const MAX_TUMOUR_GROUPS: usize = 50;

fn tumour_groups(
    c: &mut Checker,
    raw: Option<BTreeMap<String, RawTumourGroup>>,
    specialties: Option<&[&str]>,
) -> Option<Vec<TumourGroup>> {
    let path = ["cancer", "tumour_groups"];
    let example = "at least one tumour group, a table like [cancer.tumour_groups.lower_gi]";
    let raw = named_tables(c, &path, raw, example, "tumour groups", MAX_TUMOUR_GROUPS)?;
    let mut list = Vec::new();
    let mut all_ok = true;
    for (name, raw) in raw {
        match tumour_group(c, &name, raw, specialties) {
            Some(g) => list.push(g),
            None => all_ok = false,
        }
    }
    if !all_ok {
        return None;
    }
    let sum: f64 = list.iter().map(|g| g.referral_share).sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        let each: Vec<String> = list
            .iter()
            .map(|g| format!("{} {}", g.name, num(g.referral_share)))
            .collect();
        let place = c.source.place(&key_path(&path));
        c.problems.push(format!(
            "{place}: cancer.tumour_groups.*.referral_share add up to {} ({}): expected a total of 1",
            num(sum),
            each.join(", ")
        ));
        return None;
    }
    Some(list)
}

fn tumour_group(
    c: &mut Checker,
    name: &str,
    raw: RawTumourGroup,
    specialties: Option<&[&str]>,
) -> Option<TumourGroup> {
    let p = |k: &'static str| -> [&str; 4] { ["cancer", "tumour_groups", name, k] };
    let name_ok = is_snake_name(name);
    if !name_ok {
        let place = c
            .source
            .place(&key_path(&["cancer", "tumour_groups", name]));
        c.problems.push(format!(
            "{place}: cancer.tumour_groups.{}: expected a tumour group name of lower-case letters, digits and _",
            dotted(&[name])
        ));
    }
    let referral_share = c.share(&p("referral_share"), raw.referral_share);
    const SPECIALTY: &str = "the name of a specialty";
    let specialty = c
        .required(&p("specialty"), raw.specialty, SPECIALTY)
        .and_then(|s| {
            let names = specialties?;
            lookup(c, &p("specialty"), &s, names, SPECIALTY)
        });
    let test_share = c.share(&p("test_share"), raw.test_share);
    let second_test_share = c.share(&p("second_test_share"), raw.second_test_share);
    let mix = test_mix(c, &p("test_mix"), raw.test_mix);
    let conversion = c.share(&p("conversion_rate"), raw.conversion_rate);
    let surgery = c.share(&p("surgery_share"), raw.surgery_share);
    if !name_ok {
        return None;
    }
    Some(TumourGroup {
        name: name.to_string(),
        referral_share: referral_share?,
        specialty: specialty?,
        test_share: test_share?,
        second_test_share: second_test_share?,
        test_mix: mix?,
        conversion_rate: conversion?,
        surgery_share: surgery?,
    })
}

/// `[finance]`: every price and cost has a default; the 2019/20 baseline must be stated.
fn finance(c: &mut Checker, raw: RawFinance) -> Option<Finance> {
    const MONEY: &str = "an amount of pounds from 0 to 10000000";
    let money = |x: f64| (0.0..=10_000_000.0).contains(&x);
    let [first, followup, procedure, daycase, inpatient, test] = Finance::NCC_2023_24;
    let mut or_default =
        |key: &str, value: Option<f64>, default: f64, ok: fn(f64) -> bool, expected: &str| {
            match value {
                None => Some(default),
                Some(_) => c.number(&["finance", key], value, ok, expected),
            }
        };
    let prices = [
        or_default(
            "price_first_attendance",
            raw.price_first_attendance,
            first,
            money,
            MONEY,
        ),
        or_default(
            "price_followup_attendance",
            raw.price_followup_attendance,
            followup,
            money,
            MONEY,
        ),
        or_default(
            "price_outpatient_procedure",
            raw.price_outpatient_procedure,
            procedure,
            money,
            MONEY,
        ),
        or_default("price_daycase", raw.price_daycase, daycase, money, MONEY),
        or_default(
            "price_elective_inpatient",
            raw.price_elective_inpatient,
            inpatient,
            money,
            MONEY,
        ),
        or_default(
            "price_diagnostic_test",
            raw.price_diagnostic_test,
            test,
            money,
            MONEY,
        ),
    ];
    let clinic = or_default(
        "cost_clinic_slot",
        raw.cost_clinic_slot,
        110.0,
        money,
        MONEY,
    );
    let theatre = or_default(
        "cost_theatre_list",
        raw.cost_theatre_list,
        4_000.0,
        money,
        MONEY,
    );
    let scan = or_default(
        "cost_diagnostic_test",
        raw.cost_diagnostic_test,
        85.0,
        money,
        MONEY,
    );
    let stay = or_default(
        "cost_inpatient_stay",
        raw.cost_inpatient_stay,
        2_500.0,
        money,
        MONEY,
    );
    let share = |x: f64| (0.0..=1.0).contains(&x);
    let agency = or_default(
        "agency_share",
        raw.agency_share,
        0.0,
        share,
        "a share from 0 to 1",
    );
    let agency_premium = or_default(
        "agency_premium",
        raw.agency_premium,
        0.0,
        |x| (0.0..=5.0).contains(&x),
        "a premium from 0 to 5 (0.6 is 60% more)",
    );
    let premium = or_default(
        "premium_rate",
        raw.premium_rate,
        1.0,
        |x| (1.0..=10.0).contains(&x),
        "a multiplier from 1 to 10",
    );
    let baseline = c.number(
        &["finance", "baseline_monthly_value_gbp"],
        raw.baseline_monthly_value_gbp,
        |x| x > 0.0 && x <= 1e12,
        "the value of a month of 2019/20 elective activity in pounds, above 0",
    );
    let [first, followup, procedure, daycase, inpatient, test] = prices;
    Some(Finance {
        price_first_attendance: first?,
        price_followup_attendance: followup?,
        price_outpatient_procedure: procedure?,
        price_daycase: daycase?,
        price_elective_inpatient: inpatient?,
        price_diagnostic_test: test?,
        cost_clinic_slot: clinic?,
        cost_theatre_list: theatre?,
        cost_diagnostic_test: scan?,
        cost_inpatient_stay: stay?,
        agency_share: agency?,
        agency_premium: agency_premium?,
        premium_rate: premium?,
        baseline_monthly_value_gbp: baseline?,
    })
}

/// A dated lever change: a date in the horizon, `specialty` ("all" or a name), and at least one
/// lever, each in the range of the scenario key it replaces.
fn lever(
    c: &mut Checker,
    name: &str,
    raw: RawLever,
    horizon: Horizon,
    specialties: Option<&[&str]>,
) -> Option<LeverChange> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "levers", name, k] };
    let name_ok = check_event_name(c, "levers", name);
    let from = c.date(&p("from"), raw.from);
    let from = in_horizon(c, &p("from"), from, horizon);
    let specialty = c
        .required(&p("specialty"), raw.specialty.clone(), ALL_SPECIALTIES)
        .and_then(|v| specialty_target(c, &p("specialty"), &v, specialties));
    let mut ok = true;
    let mut check = |c: &mut Checker,
                     key: &'static str,
                     value: Option<f64>,
                     valid: fn(f64) -> bool,
                     expected: &str| {
        value.and_then(|_| {
            let checked = c.optional_number(&p(key), value, valid, expected);
            ok &= checked.is_some();
            checked
        })
    };
    let share = |x: f64| (0.0..=1.0).contains(&x);
    const SHARE: &str = "a share from 0 to 1";
    const MINUTES: &str = "a number of minutes from 0 to 1440";
    let set = LeverValues {
        pifu_share: check(c, "pifu_share", raw.pifu_share, share, SHARE),
        pifu_booking_share: check(
            c,
            "pifu_booking_share",
            raw.pifu_booking_share,
            share,
            SHARE,
        ),
        daycase_propensity: check(
            c,
            "daycase_propensity",
            raw.daycase_propensity,
            share,
            SHARE,
        ),
        followup_procedure_share: check(
            c,
            "followup_procedure_share",
            raw.followup_procedure_share,
            share,
            SHARE,
        ),
        post_treatment_followups: check(
            c,
            "post_treatment_followups",
            raw.post_treatment_followups,
            |x| (0.0..=100.0).contains(&x),
            "a mean number of follow-ups from 0 to 100",
        ),
        advice_and_guidance_share: check(
            c,
            "advice_and_guidance_share",
            raw.advice_and_guidance_share,
            share,
            SHARE,
        ),
        dna_rate: check(c, "dna_rate", raw.dna_rate, share, SHARE),
        late_start_mean_minutes: check(
            c,
            "late_start_mean_minutes",
            raw.late_start_mean_minutes,
            minutes_from_0,
            MINUTES,
        ),
        early_finish_mean_minutes: check(
            c,
            "early_finish_mean_minutes",
            raw.early_finish_mean_minutes,
            minutes_from_0,
            MINUTES,
        ),
        turnaround_minutes: check(
            c,
            "turnaround_minutes",
            raw.turnaround_minutes,
            minutes_from_0,
            MINUTES,
        ),
        on_the_day_cancellation_rate: check(
            c,
            "on_the_day_cancellation_rate",
            raw.on_the_day_cancellation_rate,
            share,
            SHARE,
        ),
        booking_fraction: check(
            c,
            "booking_fraction",
            raw.booking_fraction,
            |x| x > 0.0 && x <= 1.0,
            "a fraction above 0 and at most 1",
        ),
        validation_share_per_month: check(
            c,
            "validation_share_per_month",
            raw.validation_share_per_month,
            share,
            SHARE,
        ),
    };
    if set == LeverValues::default() && ok {
        c.bad(
            &["calendar", "levers", name],
            "expected at least one lever to set, such as pifu_share = 0.1",
        );
        return None;
    }
    if !(name_ok && ok) {
        return None;
    }
    Some(LeverChange {
        name: name.to_string(),
        from: from?,
        specialty: specialty?,
        set,
    })
}

// ---- The starting list stated week by week (`[initial_list.weekly.NAME]`) ----
//
// Written by `plansim import rtt` from the RTT full CSV: per specialty, the incomplete pathways
// in each of the 105 weekly bands and how many of them have a decision to admit. The keys of
// the threshold form (`total`, `over_*_weeks`, `median_weeks`, `p92_weeks`) and
// `share_awaiting_admission` would contradict the counts, so they are refused beside them.

const WEEKLY_RULE: &str =
    "when initial_list.weekly states the list week by week (the weekly counts set it)";

fn weekly_initial_list(
    c: &mut Checker,
    raw: RawInitialList,
    weekly: BTreeMap<String, RawWeeklyList>,
) -> Option<InitialList> {
    let given = [
        ("total", raw.total.is_some()),
        ("over_18_weeks", raw.over_18_weeks.is_some()),
        ("over_52_weeks", raw.over_52_weeks.is_some()),
        ("over_65_weeks", raw.over_65_weeks.is_some()),
        ("over_78_weeks", raw.over_78_weeks.is_some()),
        ("over_104_weeks", raw.over_104_weeks.is_some()),
        ("median_weeks", raw.median_weeks.is_some()),
        ("p92_weeks", raw.p92_weeks.is_some()),
        (
            "share_awaiting_admission",
            raw.share_awaiting_admission.is_some(),
        ),
    ];
    for (key, _) in given.iter().filter(|(_, given)| *given) {
        c.bad(
            &["initial_list", key],
            format!("expected no initial_list.{key} {WEEKLY_RULE}"),
        );
    }
    let longest = c.whole(
        &["initial_list", "longest_wait_weeks"],
        raw.longest_wait_weeks,
        105,
        520,
        "a whole number of weeks from 105 to 520 (more than the 104-week band)",
    );
    let caseload = match raw.monitoring_caseload {
        None => Some(0),
        Some(_) => c.whole(
            &["initial_list", "monitoring_caseload"],
            raw.monitoring_caseload,
            0,
            MAX_COUNT,
            COUNT,
        ),
    };
    // Patients without a decision to admit await a first appointment or a follow-up.
    let share_first = c.share(
        &["initial_list", "share_awaiting_first"],
        raw.share_awaiting_first,
    );
    let share_followup = c.share(&["initial_list", "share_followup"], raw.share_followup);
    if let (Some(a), Some(b)) = (share_first, share_followup) {
        c.sums_to_one(
            &["initial_list", "share_followup"],
            a + b,
            "share_awaiting_first and share_followup (the list without a decision to admit)",
        );
    }
    let mut lists = Vec::new();
    let mut ok = !weekly.is_empty();
    if weekly.is_empty() {
        c.bad(
            &["initial_list", "weekly"],
            "expected one table per specialty, like [initial_list.weekly.general_surgery]",
        );
    }
    for (name, raw) in weekly {
        let path = |key: &'static str| -> [&str; 4] { ["initial_list", "weekly", &name, key] };
        let waiting = weekly_counts(c, &path("waiting"), raw.waiting);
        let admit = weekly_counts(c, &path("awaiting_admission"), raw.awaiting_admission);
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
            &["initial_list", "weekly"],
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
    if !ok || !given.iter().all(|(_, given)| !given) {
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
fn weekly_counts(c: &mut Checker, path: &[&str], raw: Option<Vec<i64>>) -> Option<Vec<u64>> {
    let expected = "105 weekly counts of pathways: waits of up to 1 week, more than 1 up to 2, ..., more than 104 weeks";
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
fn weekly_list_matches_specialties(c: &mut Checker, list: &InitialList, specialties: &[Specialty]) {
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
            let place = c
                .source
                .place(&key_path(&["initial_list", "weekly", &weekly.specialty]));
            c.problems.push(format!(
                "{place}: initial_list.weekly.{}: expected the name of a specialty{hint} (specialties: {})",
                dotted(&[weekly.specialty.as_str()]),
                names.join(", ")
            ));
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

    #[test]
    fn names() {
        assert!(is_scenario_name("winter-2024_v1.2"));
        assert!(!is_scenario_name(".hidden"));
        assert!(!is_scenario_name("a/b"));
        assert!(!is_scenario_name(""));
        assert!(!is_scenario_name(&"x".repeat(65)));
        assert!(is_snake_name("trauma_orthopaedics"));
        assert!(!is_snake_name("Trauma"));
    }
}
