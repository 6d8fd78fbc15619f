//! Validation: turns the merged scenario table into a [`Scenario`], reading every table through
//! the configuration checker (key names, types, ranges, cross-key rules) and collecting every
//! problem before reporting. Each table's keys, type and checks live in its own module; this one
//! holds the top level and the checks several tables share.

use std::collections::BTreeMap;

use super::{
    calendar, cancer, diagnostics, finance, initial_list, outpatients, referrals, removals,
    simulation, specialties, theatres, Scenario,
};
use crate::config::{is_file_name, key_path, Checker, Source};
use crate::util::date::Date;

/// Largest waiting list or count accepted: England's list is 7.5 million; far more is a typo
/// that would make the model allocate without bound.
pub(super) const MAX_COUNT: i64 = 100_000_000;
pub(super) const COUNT: &str = "a whole number from 0 to 100000000";
/// Largest weekly capacity or daily referral rate.
pub(super) const MAX_RATE: f64 = 10_000_000.0;
pub(super) const WEEKLY_CAPACITY: &str = "a weekly capacity from 0 to 10000000";
pub(super) const DAILY_RATE: &str = "a number from 0 to 10000000";
pub(super) const MAX_MINUTES: f64 = 1440.0;
/// Ten years, in weeks.
pub(super) const MAX_WEEKS: f64 = 520.0;
/// A year: the longest delay, in days, between two steps of a pathway.
pub(super) const MAX_DAYS: f64 = 365.0;

/// Replications one scenario may ask for.
pub const MAX_REPLICATIONS: u32 = 10_000;

pub(crate) const SCENARIO_NAME_RULE: &str =
    "1 to 64 characters from A-Z a-z 0-9 . _ - (not starting with .), as it names the result folder";

/// The top-level keys, in the order messages list them.
const KEYS: &[&str] = &[
    "name",
    "description",
    "extends",
    "stream_family",
    "simulation",
    "initial_list",
    "referrals",
    "removals",
    "outpatients",
    "theatres",
    "specialties",
    "calendar",
    "diagnostics",
    "cancer",
    "finance",
];

/// Safe as a folder name.
pub(crate) fn is_scenario_name(name: &str) -> bool {
    is_file_name(name)
}

/// Checks the whole scenario; `Err` holds every problem found.
pub(crate) fn build(source: &Source) -> Result<Scenario, Vec<String>> {
    let mut c = Checker::new(source);
    let scenario = scenario(&mut c);
    let mut problems = c.into_problems();
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

fn scenario(c: &mut Checker) -> Option<Scenario> {
    c.table(&[], KEYS);
    let raw_name = c.string(&["name"]);
    let name = c.required(&["name"], raw_name.clone(), SCENARIO_NAME_RULE);
    let name = name.filter(|n| {
        let ok = is_scenario_name(n);
        if !ok {
            c.bad(&["name"], format!("expected {SCENARIO_NAME_RULE}"));
        }
        ok
    });
    let description = c.string(&["description"]).unwrap_or_default();
    // Removed while resolving the chain; read here so that a wrong type is still reported.
    c.string(&["extends"]);
    let family = c.string(&["stream_family"]);
    let stream_family = c.required(&["stream_family"], family, SCENARIO_NAME_RULE);
    let stream_family = stream_family.filter(|n| {
        // The same text as the name (its default) is reported once, as the name.
        let ok = is_scenario_name(n) || raw_name.as_ref() == Some(n);
        if !ok {
            c.bad(&["stream_family"], format!("expected {SCENARIO_NAME_RULE}"));
        }
        ok
    });

    let simulation = simulation::read(c);
    let initial_list = initial_list::read(c);
    let referrals = referrals::read(c);
    let removals = removals::read(c);
    let outpatients = outpatients::read(c);
    let theatres = theatres::read(c);
    let specialties = specialties::read(c);
    if let (Some(list), Some(specialties)) = (&initial_list, &specialties) {
        initial_list::weekly_list_matches_specialties(c, list, specialties);
    }
    let horizon = simulation.as_ref().map(|s| {
        let end = s.start.first_of_month_after(s.months).add_days(-1);
        (s.start, end)
    });
    let names: Option<Vec<&str>> = specialties
        .as_ref()
        .map(|list| list.iter().map(|s| s.name.as_str()).collect());
    let calendar = calendar::read(c, horizon, names.as_deref());
    let diagnostics = diagnostics::read(c);
    let finance = finance::read(c);
    let cancer = cancer::read(c, names.as_deref());

    let scenario = Scenario {
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
    };
    calendar::check_capacity_bounds(c, &scenario);
    Some(scenario)
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

/// `path` with `key` appended.
pub(super) fn join<'p>(path: &[&'p str], key: &'p str) -> Vec<&'p str> {
    path.iter().copied().chain([key]).collect()
}

/// The simulated days, first and last, if the simulation table is valid.
pub(super) type Horizon = Option<(Date, Date)>;

/// A date inside the simulated days, or reported.
pub(super) fn in_horizon(
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

/// A table of named tables (specialties, tumour groups): present, with at least one entry
/// (`example` says what one looks like) and at most `max` (`what` names them in the message).
/// The names come back sorted, which is the order the model uses.
pub(super) fn named_tables(
    c: &mut Checker,
    path: &[&str],
    example: &str,
    what: &str,
    max: usize,
) -> Option<Vec<String>> {
    let names = c.names(path);
    if c.is_broken(&key_path(path)) {
        return None;
    }
    let names = names.unwrap_or_default();
    if names.is_empty() {
        let problem = c.source.missing(&key_path(path), example);
        c.problems.push(problem);
        return None;
    }
    if names.len() > max {
        c.bad(
            path,
            format!("expected at most {max} {what}, not {}", names.len()),
        );
        return None;
    }
    Some(names)
}

/// Checks an array of `n` non-negative numbers with a positive sum, scaled to a mean of 1.
pub(super) fn weights<const N: usize>(
    c: &mut Checker,
    path: &[&str],
    what: &str,
) -> Option<[f64; N]> {
    let expected = format!("an array of {N} non-negative numbers ({what})");
    let raw = c.numbers(path);
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

pub(super) fn rate(x: f64) -> bool {
    (0.0..=MAX_RATE).contains(&x)
}

pub(super) fn minutes_from_0(x: f64) -> bool {
    (0.0..=MAX_MINUTES).contains(&x)
}

/// The rule for one number: the values allowed and the words for them.
pub(super) type Rule = (fn(f64) -> bool, &'static str);

/// A `{ mean = .., sd = .. }` table (durations, delays), each checked by its rule; `None` if
/// either is missing or bad (reported) or the table is not a table.
pub(super) fn mean_and_sd(
    c: &mut Checker,
    path: &[&str],
    mean: Rule,
    sd: Rule,
) -> Option<(f64, f64)> {
    c.table(path, &["mean", "sd"]);
    if c.is_broken(&key_path(path)) {
        return None;
    }
    let mut read = |key: &'static str, (ok, expected): Rule| {
        let at = join(path, key);
        let value = c.f64(&at);
        c.number(&at, value, ok, expected)
    };
    let mean = read("mean", mean);
    let sd = read("sd", sd);
    Some((mean?, sd?))
}
