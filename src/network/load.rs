//! The network scenario loader: reads the file through the configuration checker (every
//! problem collected, each naming the file, line and column, the key, the value and what is
//! allowed; unknown keys get the nearest allowed key) and builds a validated
//! [`NetworkScenario`]. Also tells network files from elective ones by their `kind` key.

use std::collections::BTreeMap;

use super::{Arrivals, Capacity, NetworkScenario, Service, Session, Station, TimeUnit};
use crate::config::{
    is_metric_name, key_path, num, quoted_list, suggestion, Checker, Origin, TomlFile,
    METRIC_NAME_RULE,
};
use crate::scenario::ScenarioError;

/// What a scenario file describes, read from its top-level `kind` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScenarioKind {
    /// No `kind` key: the NHS elective model.
    Elective,
    /// `kind = "network"`.
    Network,
}

/// The kind of the scenario in `text`; `Elective` when the text has no `kind` key or does not
/// parse (the elective loader then reports the parse error in its own words).
pub fn scenario_kind(text: &str, origin: &str) -> Result<ScenarioKind, ScenarioError> {
    let Ok(file) = TomlFile::parse(text, origin) else {
        return Ok(ScenarioKind::Elective);
    };
    match file.table.get("kind") {
        None => Ok(ScenarioKind::Elective),
        Some(toml::Value::String(s)) if s == "network" => Ok(ScenarioKind::Network),
        Some(_) => {
            let source = file.source();
            let mut c = Checker::new(&source);
            c.bad(
                &["kind"],
                "expected \"network\", or no kind key for an elective scenario",
            );
            Err(ScenarioError::from(c.into_problems()))
        }
    }
}

/// Upper bounds that keep a run finite and its numbers meaningful.
const MAX_SERVERS: i64 = 100_000;
const MAX_REPLICATIONS: i64 = 10_000;
const MAX_PERIODS: f64 = 100_000.0;
/// At most this many minutes of simulated time (about 1,900 years).
const MAX_HORIZON_MINUTES: f64 = 1e9;
const MAX_RATE: f64 = 1e9;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const KEYS: &[&str] = &[
    "kind",
    "name",
    "description",
    "simulation",
    "classes",
    "arrivals",
    "stations",
];
const SIMULATION_KEYS: &[&str] = &[
    "time_unit",
    "horizon",
    "warm_up",
    "report_period",
    "replications",
    "seed",
];
const STATION_KEYS: &[&str] = &["name", "servers", "sessions", "service", "routing"];
const SESSION_KEYS: &[&str] = &["days", "start", "end", "servers"];
const ARRIVAL_KEYS: &[&str] = &["station", "class", "rate", "schedule", "cycle"];
const DISTRIBUTIONS: [&str; 4] = ["exponential", "deterministic", "lognormal", "gamma"];

const CAPACITY_RULE: &str =
    "exactly one of servers (a number of servers) or sessions (weekly sessions)";
const RATE_RULE: &str = "a rate from 0 (customers per time unit)";
const STREAM_RULE: &str = "exactly one of rate (a constant rate) or schedule (rates by time)";

fn servers_rule() -> String {
    format!("a whole number from 1 to {MAX_SERVERS}")
}

/// A key path inside an array entry: `["stations", "[0]"]` and `"name"`.
fn at<'p>(entry: &[&'p str], key: &'p str) -> Vec<&'p str> {
    entry.iter().copied().chain([key]).collect()
}

/// Parses and validates `text`; `stem` is the default scenario name.
pub(super) fn build(
    text: &str,
    origin: &str,
    stem: Option<&str>,
) -> Result<NetworkScenario, ScenarioError> {
    let file = TomlFile::parse(text, origin).map_err(ScenarioError::from)?;
    let mut source = file.source();
    if !source.table.contains_key("name") {
        if let Some(stem) = stem {
            source
                .table
                .insert("name".into(), toml::Value::String(stem.to_string()));
            source.origins.insert(
                key_path(&["name"]),
                Origin {
                    place: origin.to_string(),
                    note: Some("(from the file name)".into()),
                },
            );
        }
    }
    let mut c = Checker::new(&source);
    let scenario = read(&mut c);
    let problems = c.into_problems();
    match scenario {
        Some(scenario) if problems.is_empty() => Ok(scenario),
        // Every part left unbuilt has reported why; this guards against one that did not.
        _ if problems.is_empty() => Err(ScenarioError::from(vec![format!(
            "{origin}: the network could not be built"
        )])),
        _ => Err(ScenarioError::from(problems)),
    }
}

fn read(c: &mut Checker) -> Option<NetworkScenario> {
    c.table(&[], KEYS);
    let kind = c.expect_text(&["kind"], "\"network\"");
    if kind.is_some_and(|k| k != "network") {
        c.bad(&["kind"], "expected \"network\"");
    }
    let name = c.expect_text(&["name"], METRIC_NAME_RULE);
    let name = name.filter(|n| {
        let ok = is_metric_name(n);
        if !ok {
            c.bad(&["name"], format!("expected {METRIC_NAME_RULE}"));
        }
        ok
    });
    c.string(&["description"]);
    let (time_unit, simulation) = simulation(c);
    let unit = time_unit.minutes();
    let classes = classes(c);

    // [[stations]]: names first, so routing can refer to any station.
    let station_entries = entries(c, "stations", "at least one [[stations]] table");
    let mut names = Names {
        index: BTreeMap::new(),
        complete: true,
    };
    for (i, entry) in station_entries.iter().enumerate() {
        // Keys first, so that a misspelt name is reported once, as a misspelling.
        c.table(&["stations", entry.as_str()], STATION_KEYS);
        let path = ["stations", entry.as_str(), "name"];
        let Some(n) = c.expect_text(&path, METRIC_NAME_RULE) else {
            names.complete = false;
            continue;
        };
        if !is_metric_name(&n) || names.index.contains_key(&n) || n == "network" {
            c.bad(&path, format!("expected {METRIC_NAME_RULE}, unique among stations, not \"network\" (which names the network's own metrics)"));
            names.complete = false;
        }
        names.index.entry(n).or_insert(i);
    }
    let stations: Vec<Option<Station>> = station_entries
        .iter()
        .map(|entry| station(c, &["stations", entry.as_str()], &names, unit))
        .collect();

    let arrival_entries = entries(
        c,
        "arrivals",
        "at least one arrival stream, a [[arrivals]] table",
    );
    let arrivals: Vec<Option<Arrivals>> = arrival_entries
        .iter()
        .map(|entry| arrival(c, &["arrivals", entry.as_str()], &names, &classes, unit))
        .collect();

    let simulation = simulation?;
    let resolved = c.source.table.clone();
    Some(NetworkScenario {
        name: name?,
        time_unit,
        horizon: simulation.horizon * unit,
        warm_up: simulation.warm_up * unit,
        report_period: simulation.report_period * unit,
        replications: simulation.replications as u32,
        seed: simulation.seed as u64,
        classes,
        arrivals: arrivals.into_iter().collect::<Option<_>>()?,
        stations: stations.into_iter().collect::<Option<_>>()?,
        resolved,
    })
}

/// The entries of the required array of tables `[[key]]`; none (reported) if it is missing or
/// empty.
fn entries(c: &mut Checker, key: &str, expected: &str) -> Vec<String> {
    let found = c.tables(&[key], &format!("an array of tables [[{key}]]"));
    if c.value(&[key]).is_none() {
        c.required(&[key], None::<()>, expected);
    } else if is_empty_array(c, &[key]) {
        c.bad(&[key], format!("expected {expected}"));
    }
    found.unwrap_or_default()
}

/// Whether the value at `path` is `[]` (an array of entries that are not all tables is not
/// empty: its entries are reported one by one).
fn is_empty_array(c: &Checker, path: &[&str]) -> bool {
    c.value(path)
        .and_then(toml::Value::as_array)
        .is_some_and(Vec::is_empty)
}

/// `[simulation]`, times in its time unit.
struct Simulation {
    horizon: f64,
    warm_up: f64,
    report_period: f64,
    replications: i64,
    seed: i64,
}

fn simulation(c: &mut Checker) -> (TimeUnit, Option<Simulation>) {
    let p = |key: &'static str| -> [&str; 2] { ["simulation", key] };
    c.table(&["simulation"], SIMULATION_KEYS);
    let time_unit = match c.value(&p("time_unit")) {
        None => TimeUnit::Minutes,
        Some(_) => c
            .expect_text(&p("time_unit"), "\"minutes\", \"hours\" or \"days\"")
            .and_then(|u| c.lookup(&p("time_unit"), &u, &TimeUnit::NAMES, "a time unit"))
            .map_or(TimeUnit::Minutes, |i| {
                [TimeUnit::Minutes, TimeUnit::Hours, TimeUnit::Days][i]
            }),
    };
    let units = time_unit.name();
    let max_horizon = MAX_HORIZON_MINUTES / time_unit.minutes();
    let horizon = c.expect_number(
        &p("horizon"),
        |x| x > 0.0 && x <= max_horizon,
        &format!("a time above 0 and at most {max_horizon}, in {units}"),
    );
    let warm_up = match c.value(&p("warm_up")) {
        None => Some(0.0),
        Some(_) => c.expect_number(
            &p("warm_up"),
            |x| (0.0..=max_horizon).contains(&x),
            &format!("a time from 0 to below the horizon, in {units}"),
        ),
    };
    let warm_up = match (horizon, warm_up) {
        (Some(h), Some(w)) if w >= h => {
            c.bad(
                &p("warm_up"),
                format!("expected a time below the horizon ({h})"),
            );
            None
        }
        _ => warm_up,
    };
    let report_period = match c.value(&p("report_period")) {
        None => horizon.zip(warm_up).map(|(h, w)| h - w),
        Some(_) => c.expect_number(
            &p("report_period"),
            |x| x > 0.0 && x <= max_horizon,
            &format!("a time above 0, in {units}"),
        ),
    };
    if let (Some(h), Some(w), Some(r)) = (horizon, warm_up, report_period) {
        if (h - w) / r > MAX_PERIODS {
            c.bad(
                &p("report_period"),
                format!(
                    "expected a period giving at most {MAX_PERIODS} periods between warm-up and horizon"
                ),
            );
        }
    }
    let replications = c.expect_whole(
        &p("replications"),
        1,
        MAX_REPLICATIONS,
        &format!("a whole number from 1 to {MAX_REPLICATIONS}"),
    );
    let seed = c.expect_whole(
        &p("seed"),
        0,
        i64::MAX,
        &format!("a whole number from 0 to {}", i64::MAX),
    );
    let simulation = || {
        Some(Simulation {
            horizon: horizon?,
            warm_up: warm_up?,
            report_period: report_period?,
            replications: replications?,
            seed: seed?,
        })
    };
    (time_unit, simulation())
}

/// `[[classes]]`, most urgent first; one class, `all`, if there is no `classes` key.
fn classes(c: &mut Checker) -> Vec<String> {
    if c.value(&["classes"]).is_none() {
        return vec!["all".to_string()];
    }
    let entries = c.tables(&["classes"], "an array of tables [[classes]] with a name");
    let mut classes: Vec<String> = Vec::new();
    for entry in entries.as_deref().unwrap_or_default() {
        c.table(&["classes", entry], &["name"]);
        let path = ["classes", entry.as_str(), "name"];
        if let Some(n) = c.expect_text(&path, METRIC_NAME_RULE) {
            if !is_metric_name(&n) || classes.contains(&n) {
                c.bad(
                    &path,
                    format!("expected {METRIC_NAME_RULE}, unique among classes"),
                );
            }
            classes.push(n);
        }
    }
    if is_empty_array(c, &["classes"]) {
        c.bad(
            &["classes"],
            "expected at least one [[classes]] table, or no classes key for one class",
        );
    }
    classes
}

/// The stations by name, each to its entry's index, for routing and arrivals to refer to.
struct Names {
    index: BTreeMap<String, usize>,
    /// Every station has a good name. If one has not (reported), a reference to no known
    /// station may mean that one, so it is not reported as well.
    complete: bool,
}

impl Names {
    /// The station named `name`, set at `path`; otherwise reports it, listing the stations. A
    /// name that is a key (`routing = { clinic = 0.4 }`) is reported without a value.
    fn find(&self, c: &mut Checker, path: &[&str], name: &str, is_key: bool) -> Option<usize> {
        if let Some(&i) = self.index.get(name) {
            return Some(i);
        }
        if self.complete {
            let stations: Vec<&str> = self.index.keys().map(String::as_str).collect();
            let what = format!(
                "expected the name of a station: {}{}",
                quoted_list(&stations),
                suggestion(name, &stations)
            );
            if is_key {
                c.bad_name(path, &what);
            } else {
                c.bad(path, what);
            }
        }
        None
    }
}

fn station(c: &mut Checker, entry: &[&str], names: &Names, unit: f64) -> Option<Station> {
    let name = c
        .value(&at(entry, "name"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let servers = at(entry, "servers");
    let capacity = match (c.value(&servers), c.value(&at(entry, "sessions"))) {
        (Some(_), None) => c
            .expect_whole(&servers, 1, MAX_SERVERS, &servers_rule())
            .map(|n| Capacity::Servers(n as u32)),
        (None, Some(_)) => sessions(c, &at(entry, "sessions")),
        (None, None) => c.required(&servers, None, CAPACITY_RULE),
        (Some(_), Some(_)) => {
            c.bad_name(entry, &format!("expected {CAPACITY_RULE}, not both"));
            None
        }
    };
    let service = service(c, &at(entry, "service"), unit);

    let mut routing = Vec::new();
    let routes = at(entry, "routing");
    if let Some(table) = c.any_table(&routes) {
        let mut total = 0.0;
        for next in table.keys() {
            let path = at(&routes, next);
            let Some(index) = names.find(c, &path, next, true) else {
                continue;
            };
            let probability = c.expect_number(
                &path,
                |x| (0.0..=1.0).contains(&x),
                "a probability from 0 to 1",
            );
            if let Some(x) = probability {
                total += x;
                routing.push((index, x));
            }
        }
        if total > 1.0 + 1e-9 {
            c.bad(
                &routes,
                format!(
                    "probabilities add up to {}: expected at most 1 (the rest leaves the network)",
                    num(total)
                ),
            );
        }
    }
    Some(Station {
        name,
        capacity: capacity?,
        service: service?,
        routing,
    })
}

fn service(c: &mut Checker, path: &[&str], unit: f64) -> Option<Service> {
    let p = |key: &'static str| at(path, key);
    // The keys allowed depend on the distribution; any distribution's if it is not known.
    let named = c.value(&p("distribution")).and_then(|v| v.as_str());
    let keys: &[&str] = match named {
        Some("exponential") => &["distribution", "mean"],
        Some("deterministic") => &["distribution", "value"],
        // Both by mean and standard deviation, the figures a service usually publishes.
        Some("lognormal" | "gamma") => &["distribution", "mean", "sd"],
        _ => &["distribution", "mean", "sd", "value"],
    };
    if c.value(path).is_none() {
        return c.required(
            path,
            None,
            "a table such as { distribution = \"exponential\", mean = 10.0 }",
        );
    }
    c.table(path, keys)?;
    let dist = c.expect_text(
        &p("distribution"),
        "\"exponential\", \"deterministic\", \"lognormal\" or \"gamma\"",
    )?;
    let dist =
        DISTRIBUTIONS[c.lookup(&p("distribution"), &dist, &DISTRIBUTIONS, "a distribution")?];
    let positive = "a time above 0, in the scenario's time unit";
    match dist {
        "exponential" => {
            let mean = c.expect_number(&p("mean"), |x| x > 0.0, positive)?;
            Some(Service::Exponential { mean: mean * unit })
        }
        "deterministic" => {
            let value = c.expect_number(
                &p("value"),
                |x| x >= 0.0,
                "a time from 0, in the scenario's time unit",
            )?;
            Some(Service::Deterministic {
                value: value * unit,
            })
        }
        _ => {
            let mean = c.expect_number(&p("mean"), |x| x > 0.0, positive);
            let sd = c.expect_number(&p("sd"), |x| x > 0.0, positive);
            let (mean, sd) = (mean? * unit, sd? * unit);
            let cv2 = (sd / mean).powi(2);
            if dist == "lognormal" {
                let sigma2 = (1.0 + cv2).ln();
                Some(Service::Lognormal {
                    mu: mean.ln() - sigma2 / 2.0,
                    sigma: sigma2.sqrt(),
                })
            } else {
                Some(Service::Gamma {
                    shape: 1.0 / cv2,
                    scale: mean * cv2,
                })
            }
        }
    }
}

/// `"HH:MM"` to minutes after midnight; `"24:00"` is the end of the day.
fn clock(text: &str) -> Option<i64> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    let minutes = h * 60 + m;
    ((0..60).contains(&m) && (0..=1440).contains(&minutes)).then_some(minutes)
}

fn sessions(c: &mut Checker, path: &[&str]) -> Option<Capacity> {
    let entries = c.tables(path, "an array of sessions such as { days = [\"mon\"], start = \"09:00\", end = \"13:00\", servers = 2 }")?;
    let mut out = Vec::new();
    let mut ok = true;
    for entry in &entries {
        let session = at(path, entry);
        let p = |key: &'static str| at(&session, key);
        c.table(&session, SESSION_KEYS);
        let days = session_days(c, &p("days"));
        let time = |c: &mut Checker, key: &'static str| {
            let text = c.expect_text(&p(key), "a time of day \"HH:MM\"")?;
            let minutes = clock(&text);
            if minutes.is_none() {
                c.bad(
                    &p(key),
                    "expected a time of day \"HH:MM\" from \"00:00\" to \"24:00\"",
                );
            }
            minutes
        };
        let (start, end) = (time(c, "start"), time(c, "end"));
        let servers = c.expect_whole(&p("servers"), 1, MAX_SERVERS, &servers_rule());
        match (days, start, end, servers) {
            (Some(days), Some(start), Some(end), Some(servers)) if start < end => {
                for day in days {
                    out.push(Session {
                        start: day * 1440 + start,
                        end: day * 1440 + end,
                        servers: servers as u32,
                    });
                }
            }
            (_, Some(start), Some(end), _) if start >= end => {
                c.bad(&p("end"), "expected a time after start, on the same day");
                ok = false;
            }
            _ => ok = false,
        }
    }
    if is_empty_array(c, path) {
        c.bad(path, "expected at least one session on at least one day");
        ok = false;
    }
    ok.then_some(Capacity::Sessions(out))
}

/// A session's days, as day numbers from Monday; `None` (reported) unless every day is one.
fn session_days(c: &mut Checker, path: &[&str]) -> Option<Vec<i64>> {
    const EXPECTED: &str = "a list of days from \"mon\" to \"sun\"";
    let items = c.expect(path, |v| v.as_array().cloned(), EXPECTED)?;
    if items.is_empty() {
        c.bad(path, format!("expected {EXPECTED}, at least one"));
        return None;
    }
    let mut days = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let text = item.as_str().unwrap_or_default();
        match DAYS.iter().position(|d| *d == text) {
            Some(day) => days.push(day as i64),
            None => {
                let what = format!(
                    "expected a day: {}{}",
                    quoted_list(&DAYS),
                    suggestion(text, &DAYS)
                );
                c.bad_at(path, i, what);
                ok = false;
            }
        }
    }
    ok.then_some(days)
}

fn arrival(
    c: &mut Checker,
    entry: &[&str],
    names: &Names,
    classes: &[String],
    unit: f64,
) -> Option<Arrivals> {
    c.table(entry, ARRIVAL_KEYS);
    let p = |key: &'static str| at(entry, key);
    let station = c
        .expect_text(&p("station"), "the name of a station")
        .and_then(|n| names.find(c, &p("station"), &n, false));
    let class_names: Vec<&str> = classes.iter().map(String::as_str).collect();
    let class_rule = format!("the name of a class: {}", quoted_list(&class_names));
    let class = match c.value(&p("class")) {
        None if classes.len() == 1 => Some(0),
        // No class to name: `classes` is reported.
        _ if classes.is_empty() => None,
        None => c.required(&p("class"), None, &class_rule),
        Some(_) => c
            .expect_text(&p("class"), &class_rule)
            .and_then(|n| c.lookup(&p("class"), &n, &class_names, "the name of a class")),
    };
    let steps = match (c.value(&p("rate")), c.value(&p("schedule"))) {
        (Some(_), None) => c
            .expect_number(&p("rate"), |x| (0.0..=MAX_RATE).contains(&x), RATE_RULE)
            .map(|r| vec![(0.0, r / unit)]),
        (None, Some(_)) => schedule(c, &p("schedule"), unit),
        (None, None) => c.required(&p("rate"), None, STREAM_RULE),
        (Some(_), Some(_)) => {
            c.bad_name(entry, &format!("expected {STREAM_RULE}, not both"));
            None
        }
    };
    let cycle = match c.value(&p("cycle")) {
        None => None,
        Some(_) => {
            let last = steps
                .as_ref()
                .and_then(|s| s.last())
                .map_or(0.0, |&(from, _)| from / unit);
            let cycle = c.expect_number(
                &p("cycle"),
                |x| x > last,
                &format!("a time after the last schedule step ({last}): the schedule repeats every cycle"),
            );
            Some(cycle? * unit)
        }
    };
    Some(Arrivals {
        station: station?,
        class: class?,
        steps: steps?,
        cycle,
    })
}

/// `schedule = [{ from = 0, rate = 2.0 }, ...]`: `(from minute, rate per minute)` steps.
fn schedule(c: &mut Checker, path: &[&str], unit: f64) -> Option<Vec<(f64, f64)>> {
    let entries = c.tables(
        path,
        "an array such as [{ from = 0, rate = 2.0 }, { from = 8, rate = 0.5 }]",
    )?;
    let mut steps: Vec<(f64, f64)> = Vec::new();
    let mut ok = true;
    for entry in &entries {
        let step = at(path, entry);
        c.table(&step, &["from", "rate"]);
        let from = c.expect_number(
            &at(&step, "from"),
            |x| x >= 0.0,
            "a time from 0, later than the step before",
        );
        let rate = c.expect_number(
            &at(&step, "rate"),
            |x| (0.0..=MAX_RATE).contains(&x),
            RATE_RULE,
        );
        let (Some(from), Some(rate)) = (from, rate) else {
            ok = false;
            continue;
        };
        let in_order = match steps.last() {
            None => from == 0.0,
            Some(&(previous, _)) => from * unit > previous,
        };
        if !in_order {
            c.bad(
                &at(&step, "from"),
                "expected 0 for the first step, then increasing times",
            );
            ok = false;
        }
        steps.push((from * unit, rate / unit));
    }
    if is_empty_array(c, path) {
        c.bad(path, "expected at least one step");
        ok = false;
    }
    ok.then_some(steps)
}
