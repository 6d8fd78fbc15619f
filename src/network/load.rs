//! The network scenario loader: reads the TOML table key by key, collects every problem (each
//! naming the file, the key, the value and what is allowed; unknown keys get the nearest known
//! key), and builds a validated [`NetworkScenario`]. Also tells network files from elective
//! ones by their `kind` key.

use std::collections::BTreeMap;

use super::{Arrivals, Capacity, NetworkScenario, Service, Session, Station, TimeUnit};
use crate::scenario::{nearest_key, ScenarioError};

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
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(ScenarioKind::Elective);
    };
    match table.get("kind") {
        None => Ok(ScenarioKind::Elective),
        Some(toml::Value::String(s)) if s == "network" => Ok(ScenarioKind::Network),
        Some(other) => Err(ScenarioError::from(vec![format!(
            "{origin}: kind = {other}: expected \"network\", or no kind key for an elective scenario"
        )])),
    }
}

/// Upper bounds that keep a run finite and its numbers meaningful.
const MAX_SERVERS: i64 = 100_000;
const MAX_REPLICATIONS: i64 = 10_000;
const MAX_PERIODS: f64 = 100_000.0;
/// At most this many minutes of simulated time (about 1,900 years).
const MAX_HORIZON_MINUTES: f64 = 1e9;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Collects problems, each prefixed with the file.
struct Problems<'a> {
    origin: &'a str,
    list: Vec<String>,
}

impl Problems<'_> {
    fn bad(&mut self, path: &str, value: &toml::Value, allowed: &str) {
        self.list.push(format!(
            "{}: {path} = {value}: expected {allowed}",
            self.origin
        ));
    }

    fn missing(&mut self, path: &str, allowed: &str) {
        self.list.push(format!(
            "{}: {path} is missing: expected {allowed}",
            self.origin
        ));
    }

    fn say(&mut self, message: String) {
        self.list.push(format!("{}: {message}", self.origin));
    }

    /// Reports keys of `table` not in `known`, with the nearest known key.
    fn unknown_keys(&mut self, prefix: &str, table: &toml::Table, known: &[&str]) {
        for key in table.keys().filter(|k| !known.contains(&k.as_str())) {
            let hint = match nearest_key(key, known) {
                Some(near) => format!("did you mean {near:?}? "),
                None => String::new(),
            };
            self.say(format!(
                "unknown key {prefix}{key}: {hint}known keys here: {}",
                known.join(", ")
            ));
        }
    }

    fn table<'t>(&mut self, path: &str, value: &'t toml::Value) -> Option<&'t toml::Table> {
        match value {
            toml::Value::Table(t) => Some(t),
            other => {
                self.bad(path, other, "a table");
                None
            }
        }
    }

    /// A number (integer or float) in `range`, finite.
    fn number(
        &mut self,
        path: &str,
        value: Option<&toml::Value>,
        min: f64,
        max: f64,
        open_min: bool,
        allowed: &str,
    ) -> Option<f64> {
        let Some(value) = value else {
            self.missing(path, allowed);
            return None;
        };
        let x = match value {
            toml::Value::Float(x) => *x,
            toml::Value::Integer(i) => *i as f64,
            _ => f64::NAN,
        };
        let above = if open_min { x > min } else { x >= min };
        if x.is_finite() && above && x <= max {
            Some(x)
        } else {
            self.bad(path, value, allowed);
            None
        }
    }

    fn integer(
        &mut self,
        path: &str,
        value: Option<&toml::Value>,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let allowed = format!("a whole number from {min} to {max}");
        match value {
            None => {
                self.missing(path, &allowed);
                None
            }
            Some(toml::Value::Integer(i)) if (min..=max).contains(i) => Some(*i),
            Some(other) => {
                self.bad(path, other, &allowed);
                None
            }
        }
    }

    fn string<'t>(
        &mut self,
        path: &str,
        value: Option<&'t toml::Value>,
        allowed: &str,
    ) -> Option<&'t str> {
        match value {
            None => {
                self.missing(path, allowed);
                None
            }
            Some(toml::Value::String(s)) => Some(s),
            Some(other) => {
                self.bad(path, other, allowed);
                None
            }
        }
    }

    fn array<'t>(
        &mut self,
        path: &str,
        value: Option<&'t toml::Value>,
        allowed: &str,
    ) -> Option<&'t [toml::Value]> {
        match value {
            None => {
                self.missing(path, allowed);
                None
            }
            Some(toml::Value::Array(a)) => Some(a),
            Some(other) => {
                self.bad(path, other, allowed);
                None
            }
        }
    }
}

/// A name usable in metric names and CSV fields.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

const NAME_RULE: &str = "a name of 1 to 64 characters: lowercase letters, digits, '_' or '-'";

/// Parses and validates `text`; `stem` is the default scenario name.
pub(super) fn build(
    text: &str,
    origin: &str,
    stem: Option<&str>,
) -> Result<NetworkScenario, ScenarioError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        ScenarioError::from(vec![format!("{origin}: not valid TOML: {}", e.message())])
    })?;
    let mut p = Problems {
        origin,
        list: Vec::new(),
    };
    p.unknown_keys(
        "",
        &table,
        &[
            "kind",
            "name",
            "description",
            "simulation",
            "classes",
            "arrivals",
            "stations",
        ],
    );
    if !matches!(table.get("kind"), Some(toml::Value::String(s)) if s == "network") {
        match table.get("kind") {
            Some(v) => p.bad("kind", v, "\"network\""),
            None => p.missing("kind", "\"network\""),
        }
    }
    let name = match table.get("name") {
        Some(v) => p.string("name", Some(v), NAME_RULE).map(str::to_string),
        None => stem.map(str::to_string),
    };
    let name = match name {
        Some(n) if valid_name(&n) => n,
        Some(n) => {
            p.bad("name", &toml::Value::String(n), NAME_RULE);
            String::new()
        }
        None => {
            p.missing("name", NAME_RULE);
            String::new()
        }
    };
    if let Some(d) = table.get("description") {
        p.string("description", Some(d), "text");
    }

    // [simulation]
    let empty = toml::Table::new();
    let sim = match table.get("simulation") {
        Some(v) => p.table("simulation", v).unwrap_or(&empty),
        None => {
            p.missing(
                "[simulation]",
                "a table with horizon, replications and seed",
            );
            &empty
        }
    };
    p.unknown_keys(
        "simulation.",
        sim,
        &[
            "time_unit",
            "horizon",
            "warm_up",
            "report_period",
            "replications",
            "seed",
        ],
    );
    let time_unit = match sim.get("time_unit") {
        None => TimeUnit::Minutes,
        Some(v) => match v.as_str() {
            Some("minutes") => TimeUnit::Minutes,
            Some("hours") => TimeUnit::Hours,
            Some("days") => TimeUnit::Days,
            _ => {
                p.bad(
                    "simulation.time_unit",
                    v,
                    "\"minutes\", \"hours\" or \"days\"",
                );
                TimeUnit::Minutes
            }
        },
    };
    let unit = time_unit.minutes();
    let max_horizon = MAX_HORIZON_MINUTES / unit;
    let horizon = p.number(
        "simulation.horizon",
        sim.get("horizon"),
        0.0,
        max_horizon,
        true,
        &format!(
            "a time above 0 and at most {max_horizon}, in {}",
            time_unit.name()
        ),
    );
    let warm_up = match sim.get("warm_up") {
        None => Some(0.0),
        v => p.number(
            "simulation.warm_up",
            v,
            0.0,
            max_horizon,
            false,
            &format!(
                "a time from 0 to below the horizon, in {}",
                time_unit.name()
            ),
        ),
    };
    if let (Some(h), Some(w)) = (horizon, warm_up) {
        if w >= h {
            p.bad(
                "simulation.warm_up",
                &sim["warm_up"],
                &format!("a time below the horizon ({h})"),
            );
        }
    }
    let report_period = match sim.get("report_period") {
        None => horizon.zip(warm_up).map(|(h, w)| h - w),
        v => p.number(
            "simulation.report_period",
            v,
            0.0,
            max_horizon,
            true,
            &format!("a time above 0, in {}", time_unit.name()),
        ),
    };
    if let (Some(h), Some(w), Some(r)) = (horizon, warm_up, report_period) {
        if h > w && (h - w) / r > MAX_PERIODS {
            p.bad(
                "simulation.report_period",
                &sim["report_period"],
                &format!(
                    "a period giving at most {MAX_PERIODS} periods between warm-up and horizon"
                ),
            );
        }
    }
    let replications = p.integer(
        "simulation.replications",
        sim.get("replications"),
        1,
        MAX_REPLICATIONS,
    );
    let seed = p.integer("simulation.seed", sim.get("seed"), 0, i64::MAX);

    // [[classes]]
    let mut classes = Vec::new();
    if let Some(list) = table.get("classes") {
        for (i, c) in p
            .array(
                "classes",
                Some(list),
                "an array of tables [[classes]] with a name",
            )
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let path = format!("classes[{i}]");
            let Some(c) = p.table(&path, c) else { continue };
            p.unknown_keys(&format!("{path}."), c, &["name"]);
            if let Some(n) = p.string(&format!("{path}.name"), c.get("name"), NAME_RULE) {
                if !valid_name(n) || classes.iter().any(|k| k == n) {
                    p.bad(
                        &format!("{path}.name"),
                        &c["name"],
                        &format!("{NAME_RULE}, unique among classes"),
                    );
                }
                classes.push(n.to_string());
            }
        }
        if classes.is_empty() {
            p.bad(
                "classes",
                list,
                "at least one [[classes]] table, or no classes key for one class",
            );
        }
    } else {
        classes.push("all".to_string());
    }

    // [[stations]]: names first, so routing can refer to any station.
    let station_tables: Vec<(String, &toml::Table)> = match table.get("stations") {
        None => {
            p.missing("[[stations]]", "at least one station");
            Vec::new()
        }
        Some(v) => p
            .array("stations", Some(v), "an array of tables [[stations]]")
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                p.table(&format!("stations[{i}]"), s)
                    .map(|t| (format!("stations[{i}]"), t))
            })
            .collect(),
    };
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (path, s)) in station_tables.iter().enumerate() {
        if let Some(n) = p.string(&format!("{path}.name"), s.get("name"), NAME_RULE) {
            if !valid_name(n) || names.contains_key(n) || n == "network" {
                p.bad(&format!("{path}.name"), &s["name"], &format!("{NAME_RULE}, unique among stations, not \"network\" (which names the network's own metrics)"));
            }
            names.entry(n.to_string()).or_insert(i);
        }
    }
    let station_names: Vec<&str> = names.keys().map(String::as_str).collect();
    let mut stations = Vec::new();
    for (path, s) in &station_tables {
        if let Some(station) = station(&mut p, path, s, &names, &station_names, unit) {
            stations.push(station);
        }
    }

    // [[arrivals]]
    let mut arrivals = Vec::new();
    match table.get("arrivals") {
        None => p.missing("[[arrivals]]", "at least one arrival stream"),
        Some(v) => {
            for (i, a) in p
                .array("arrivals", Some(v), "an array of tables [[arrivals]]")
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let path = format!("arrivals[{i}]");
                if let Some(a) = p.table(&path, a) {
                    if let Some(a) =
                        arrival(&mut p, &path, a, &names, &station_names, &classes, unit)
                    {
                        arrivals.push(a);
                    }
                }
            }
        }
    }

    if !p.list.is_empty() {
        return Err(ScenarioError::from(p.list));
    }
    let (Some(horizon), Some(warm_up), Some(report_period), Some(replications), Some(seed)) =
        (horizon, warm_up, report_period, replications, seed)
    else {
        return Err(ScenarioError::from(vec![format!(
            "{origin}: incomplete [simulation]"
        )]));
    };
    let mut resolved = table.clone();
    resolved.insert("name".into(), toml::Value::String(name.clone()));
    Ok(NetworkScenario {
        name,
        time_unit,
        horizon: horizon * unit,
        warm_up: warm_up * unit,
        report_period: report_period * unit,
        replications: replications as u32,
        seed: seed as u64,
        classes,
        arrivals,
        stations,
        resolved,
    })
}

fn station(
    p: &mut Problems,
    path: &str,
    s: &toml::Table,
    names: &BTreeMap<String, usize>,
    station_names: &[&str],
    unit: f64,
) -> Option<Station> {
    p.unknown_keys(
        &format!("{path}."),
        s,
        &["name", "servers", "sessions", "service", "routing"],
    );
    let name = s
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let capacity = match (s.get("servers"), s.get("sessions")) {
        (Some(c), None) => p
            .integer(&format!("{path}.servers"), Some(c), 1, MAX_SERVERS)
            .map(|c| Capacity::Servers(c as u32)),
        (None, Some(list)) => sessions(p, &format!("{path}.sessions"), list),
        _ => {
            p.say(format!("{path}: expected exactly one of servers (a number of servers) or sessions (weekly sessions)"));
            None
        }
    };
    let service = match s.get("service") {
        None => {
            p.missing(
                &format!("{path}.service"),
                "a table such as { distribution = \"exponential\", mean = 10.0 }",
            );
            None
        }
        Some(v) => p
            .table(&format!("{path}.service"), v)
            .and_then(|t| service(p, &format!("{path}.service"), t, unit)),
    };
    let mut routing = Vec::new();
    if let Some(v) = s.get("routing") {
        let rpath = format!("{path}.routing");
        if let Some(t) = p.table(&rpath, v) {
            let mut total = 0.0;
            for (next, prob) in t {
                let Some(&index) = names.get(next) else {
                    let hint = nearest_key(next, station_names)
                        .map(|n| format!("did you mean {n:?}? "))
                        .unwrap_or_default();
                    p.say(format!(
                        "{rpath}.{next}: no station is named {next:?}: {hint}stations: {}",
                        station_names.join(", ")
                    ));
                    continue;
                };
                if let Some(x) = p.number(
                    &format!("{rpath}.{next}"),
                    Some(prob),
                    0.0,
                    1.0,
                    false,
                    "a probability from 0 to 1",
                ) {
                    total += x;
                    routing.push((index, x));
                }
            }
            if total > 1.0 + 1e-9 {
                p.say(format!("{rpath}: probabilities add up to {total}: expected at most 1 (the rest leaves the network)"));
            }
        }
    }
    Some(Station {
        name,
        capacity: capacity?,
        service: service?,
        routing,
    })
}

fn service(p: &mut Problems, path: &str, t: &toml::Table, unit: f64) -> Option<Service> {
    let kinds = ["exponential", "deterministic", "lognormal", "gamma"];
    let dist = p.string(
        &format!("{path}.distribution"),
        t.get("distribution"),
        "\"exponential\", \"deterministic\", \"lognormal\" or \"gamma\"",
    )?;
    let positive = "a time above 0, in the scenario's time unit";
    match dist {
        "exponential" => {
            p.unknown_keys(&format!("{path}."), t, &["distribution", "mean"]);
            let mean = p.number(
                &format!("{path}.mean"),
                t.get("mean"),
                0.0,
                f64::MAX,
                true,
                positive,
            )?;
            Some(Service::Exponential { mean: mean * unit })
        }
        "deterministic" => {
            p.unknown_keys(&format!("{path}."), t, &["distribution", "value"]);
            let value = p.number(
                &format!("{path}.value"),
                t.get("value"),
                0.0,
                f64::MAX,
                false,
                "a time from 0, in the scenario's time unit",
            )?;
            Some(Service::Deterministic {
                value: value * unit,
            })
        }
        "lognormal" | "gamma" => {
            // Both by mean and standard deviation, the figures a service usually publishes.
            p.unknown_keys(&format!("{path}."), t, &["distribution", "mean", "sd"]);
            let mean = p.number(
                &format!("{path}.mean"),
                t.get("mean"),
                0.0,
                f64::MAX,
                true,
                positive,
            );
            let sd = p.number(
                &format!("{path}.sd"),
                t.get("sd"),
                0.0,
                f64::MAX,
                true,
                positive,
            );
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
        other => {
            let hint = nearest_key(other, &kinds)
                .map(|n| format!(" (did you mean {n:?}?)"))
                .unwrap_or_default();
            p.bad(
                &format!("{path}.distribution"),
                &t["distribution"],
                &format!("\"exponential\", \"deterministic\", \"lognormal\" or \"gamma\"{hint}"),
            );
            None
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

fn sessions(p: &mut Problems, path: &str, list: &toml::Value) -> Option<Capacity> {
    let items = p.array(path, Some(list), "an array of sessions such as { days = [\"mon\"], start = \"09:00\", end = \"13:00\", servers = 2 }")?;
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let spath = format!("{path}[{i}]");
        let Some(t) = p.table(&spath, item) else {
            ok = false;
            continue;
        };
        p.unknown_keys(
            &format!("{spath}."),
            t,
            &["days", "start", "end", "servers"],
        );
        let days: Vec<i64> = p
            .array(&format!("{spath}.days"), t.get("days"), "a list of days from \"mon\" to \"sun\"")
            .unwrap_or(&[])
            .iter()
            .filter_map(|d| match d.as_str().and_then(|s| DAYS.iter().position(|x| *x == s)) {
                Some(k) => Some(k as i64),
                None => {
                    p.bad(&format!("{spath}.days"), d, "a day: \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"");
                    None
                }
            })
            .collect();
        let time = |p: &mut Problems, key: &str| {
            let v = t.get(key);
            let s = p.string(&format!("{spath}.{key}"), v, "a time of day \"HH:MM\"")?;
            let m = clock(s);
            if m.is_none() {
                p.bad(
                    &format!("{spath}.{key}"),
                    &t[key],
                    "a time of day \"HH:MM\" from \"00:00\" to \"24:00\"",
                );
            }
            m
        };
        let (start, end) = (time(p, "start"), time(p, "end"));
        let servers = p.integer(
            &format!("{spath}.servers"),
            t.get("servers"),
            1,
            MAX_SERVERS,
        );
        match (start, end, servers) {
            (Some(start), Some(end), Some(servers)) if start < end && !days.is_empty() => {
                for day in days {
                    out.push(Session {
                        start: day * 1440 + start,
                        end: day * 1440 + end,
                        servers: servers as u32,
                    });
                }
            }
            (Some(start), Some(end), Some(_)) if start >= end => {
                p.bad(
                    &format!("{spath}.end"),
                    &t["end"],
                    "a time after start, on the same day",
                );
                ok = false;
            }
            _ => ok = false,
        }
    }
    if out.is_empty() && ok {
        p.bad(path, list, "at least one session on at least one day");
    }
    ok.then_some(Capacity::Sessions(out))
}

fn arrival(
    p: &mut Problems,
    path: &str,
    a: &toml::Table,
    names: &BTreeMap<String, usize>,
    station_names: &[&str],
    classes: &[String],
    unit: f64,
) -> Option<Arrivals> {
    p.unknown_keys(
        &format!("{path}."),
        a,
        &["station", "class", "rate", "schedule", "cycle"],
    );
    let station = p
        .string(
            &format!("{path}.station"),
            a.get("station"),
            "the name of a station",
        )
        .and_then(|n| match names.get(n) {
            Some(&i) => Some(i),
            None => {
                let hint = nearest_key(n, station_names)
                    .map(|x| format!("did you mean {x:?}? "))
                    .unwrap_or_default();
                p.say(format!(
                    "{path}.station = {n:?}: no such station: {hint}stations: {}",
                    station_names.join(", ")
                ));
                None
            }
        });
    let class = match a.get("class") {
        None if classes.len() == 1 => Some(0),
        None => {
            p.missing(
                &format!("{path}.class"),
                &format!("one of the classes: {}", classes.join(", ")),
            );
            None
        }
        v => p
            .string(&format!("{path}.class"), v, "a class name")
            .and_then(|n| {
                let found = classes.iter().position(|c| c == n);
                if found.is_none() {
                    p.bad(
                        &format!("{path}.class"),
                        &a["class"],
                        &format!("one of the classes: {}", classes.join(", ")),
                    );
                }
                found
            }),
    };
    let rate_rule = "a rate from 0 (customers per time unit)";
    let steps = match (a.get("rate"), a.get("schedule")) {
        (Some(r), None) => p
            .number(&format!("{path}.rate"), Some(r), 0.0, 1e9, false, rate_rule)
            .map(|r| vec![(0.0, r / unit)]),
        (None, Some(list)) => {
            let spath = format!("{path}.schedule");
            let items = p.array(
                &spath,
                Some(list),
                "an array such as [{ from = 0, rate = 2.0 }, { from = 8, rate = 0.5 }]",
            )?;
            let mut steps: Vec<(f64, f64)> = Vec::new();
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let ipath = format!("{spath}[{i}]");
                let Some(t) = p.table(&ipath, item) else {
                    ok = false;
                    continue;
                };
                p.unknown_keys(&format!("{ipath}."), t, &["from", "rate"]);
                let from = p.number(
                    &format!("{ipath}.from"),
                    t.get("from"),
                    0.0,
                    f64::MAX,
                    false,
                    "a time from 0, later than the step before",
                );
                let rate = p.number(
                    &format!("{ipath}.rate"),
                    t.get("rate"),
                    0.0,
                    1e9,
                    false,
                    rate_rule,
                );
                match (from, rate) {
                    (Some(f), Some(r)) => {
                        let first_ok = if steps.is_empty() {
                            f == 0.0
                        } else {
                            steps.last().is_some_and(|&(prev, _)| f * unit > prev)
                        };
                        if !first_ok {
                            p.bad(
                                &format!("{ipath}.from"),
                                &t["from"],
                                "0 for the first step, then increasing times",
                            );
                            ok = false;
                        }
                        steps.push((f * unit, r / unit));
                    }
                    _ => ok = false,
                }
            }
            if steps.is_empty() && ok {
                p.bad(&spath, list, "at least one step");
                ok = false;
            }
            ok.then_some(steps)
        }
        _ => {
            p.say(format!("{path}: expected exactly one of rate (a constant rate) or schedule (rates by time)"));
            None
        }
    };
    let cycle = match a.get("cycle") {
        None => None,
        Some(v) => {
            let last = steps
                .as_ref()
                .and_then(|s| s.last())
                .map_or(0.0, |&(f, _)| f / unit);
            let c = p.number(&format!("{path}.cycle"), Some(v), last, f64::MAX, true, &format!("a time after the last schedule step ({last}): the schedule repeats every cycle"));
            Some(c? * unit)
        }
    };
    Some(Arrivals {
        station: station?,
        class: class?,
        steps: steps?,
        cycle,
    })
}
