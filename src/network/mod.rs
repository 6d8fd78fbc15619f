//! A generic queueing-network model on the engine: stations with servers or weekly sessions,
//! service-time distributions, probabilistic routing, priority classes and Poisson arrivals
//! with a rate schedule. It serves custom pathways and checks the engine against queueing
//! theory. No I/O, no threads, no wall clock: [`load`] turns TOML text into a validated
//! [`NetworkScenario`], [`run_network_replication`] runs one replication of it.
//!
//! Files say `kind = "network"`; elective scenario files have no `kind` key.

mod load;
mod metrics;
mod sim;

pub use load::{scenario_kind, ScenarioKind};
pub use metrics::{StationMetric, NETWORK_METRICS, STATION_METRICS};
pub use sim::{run_network_replication, NetworkReplication};

use std::path::Path;

use crate::scenario::ScenarioError;
use crate::util::hash::sha256_hex;

/// Minutes in a week: sessions repeat weekly, and time zero is Monday 00:00.
pub const MINUTES_PER_WEEK: i64 = 7 * 24 * 60;

/// The unit every time and rate in a network file is stated in; the engine counts whole
/// minutes, so each drawn duration is rounded to the nearest minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub const NAMES: [&'static str; 3] = ["minutes", "hours", "days"];

    pub fn minutes(self) -> f64 {
        match self {
            TimeUnit::Minutes => 1.0,
            TimeUnit::Hours => 60.0,
            TimeUnit::Days => 1440.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }
}

/// A service-time distribution, with parameters in minutes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Service {
    Exponential {
        mean: f64,
    },
    Deterministic {
        value: f64,
    },
    /// `ln` of the time is normal with mean `mu` and standard deviation `sigma`.
    Lognormal {
        mu: f64,
        sigma: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
}

impl Service {
    /// The mean service time in minutes.
    pub fn mean(&self) -> f64 {
        match *self {
            Service::Exponential { mean } => mean,
            Service::Deterministic { value } => value,
            Service::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Service::Gamma { shape, scale } => shape * scale,
        }
    }
}

/// A weekly session: `servers` servers from `start` to `end`, minutes from Monday 00:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    pub start: i64,
    pub end: i64,
    pub servers: u32,
}

/// How a station serves: always `c` servers, or servers only during weekly sessions. A service
/// started in a session runs to its end (overruns are not cut short).
#[derive(Clone, Debug, PartialEq)]
pub enum Capacity {
    Servers(u32),
    Sessions(Vec<Session>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Station {
    pub name: String,
    pub capacity: Capacity,
    pub service: Service,
    /// `(next station, probability)`; the rest of the probability leaves the network.
    pub routing: Vec<(usize, f64)>,
}

/// A Poisson arrival stream: piecewise-constant rates (per minute) from the given minute on,
/// repeating every `cycle` minutes if set.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrivals {
    pub station: usize,
    pub class: usize,
    /// `(from minute, rate per minute)`, the first from 0, increasing.
    pub steps: Vec<(f64, f64)>,
    pub cycle: Option<f64>,
}

impl Arrivals {
    /// The rate per minute at `minute`.
    pub fn rate_at(&self, minute: f64) -> f64 {
        let t = match self.cycle {
            Some(cycle) => minute.rem_euclid(cycle),
            None => minute,
        };
        self.steps
            .iter()
            .take_while(|(from, _)| *from <= t)
            .last()
            .map_or(0.0, |&(_, rate)| rate)
    }

    pub fn max_rate(&self) -> f64 {
        self.steps.iter().map(|&(_, r)| r).fold(0.0, f64::max)
    }
}

/// A validated network scenario. Times are in minutes; `time_unit` is how results are reported.
#[derive(Clone, Debug)]
pub struct NetworkScenario {
    pub name: String,
    pub time_unit: TimeUnit,
    pub horizon: f64,
    pub warm_up: f64,
    pub report_period: f64,
    pub replications: u32,
    pub seed: u64,
    /// Priority classes, most urgent first (served first at every station).
    pub classes: Vec<String>,
    pub arrivals: Vec<Arrivals>,
    pub stations: Vec<Station>,
    resolved: toml::Table,
}

impl NetworkScenario {
    /// Reads and validates a network file.
    pub fn load(path: &Path) -> Result<NetworkScenario, ScenarioError> {
        let origin = path.display().to_string();
        let text = crate::config::read_input_text(path, &origin)
            .map_err(|problem| ScenarioError::from(vec![problem]))?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        load::build(&text, &origin, stem.as_deref())
    }

    /// Parses and validates network text; `origin` names it in messages and its stem is the
    /// default name.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<NetworkScenario, ScenarioError> {
        let stem = Path::new(origin)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        load::build(text, origin, stem.as_deref())
    }

    /// The same scenario with `-r` and `-s` from the command line applied.
    pub fn with_overrides(
        &self,
        replications: Option<u32>,
        seed: Option<u64>,
    ) -> Result<Self, ScenarioError> {
        let mut scenario = self.clone();
        let simulation = scenario
            .resolved
            .entry("simulation")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let toml::Value::Table(simulation) = simulation {
            if let Some(n) = replications {
                // Checked as the file's key is, in the same words.
                if !(1..=crate::scenario::MAX_REPLICATIONS).contains(&n) {
                    return Err(ScenarioError::from(vec![format!(
                        "command line (-r): simulation.replications = {n}: expected a whole number from 1 to {}",
                        crate::scenario::MAX_REPLICATIONS
                    )]));
                }
                scenario.replications = n;
                simulation.insert("replications".into(), toml::Value::Integer(i64::from(n)));
            }
            if let Some(seed) = seed {
                let as_toml = i64::try_from(seed).map_err(|_| {
                    ScenarioError::from(vec![format!(
                        "command line (-s): simulation.seed = {seed}: expected a whole number from 0 to {}",
                        i64::MAX
                    )])
                })?;
                scenario.seed = seed;
                simulation.insert("seed".into(), toml::Value::Integer(as_toml));
            }
        }
        Ok(scenario)
    }

    /// The scenario as run, as TOML text (keys sorted, so deterministic).
    pub fn resolved_toml(&self) -> String {
        toml::to_string(&self.resolved).expect("a TOML table always serialises")
    }

    /// Lowercase hex SHA-256 of [`NetworkScenario::resolved_toml`].
    pub fn hash(&self) -> String {
        sha256_hex(self.resolved_toml().as_bytes())
    }

    /// Reporting periods after the warm-up: `(start, end)` in minutes; the last may be short.
    pub fn periods(&self) -> Vec<(f64, f64)> {
        let mut periods = Vec::new();
        let mut start = self.warm_up;
        while start < self.horizon {
            let end = (start + self.report_period).min(self.horizon);
            periods.push((start, end));
            start = end;
        }
        periods
    }

    /// Column names of a replication's table: each station's metrics, then the network's.
    pub fn metric_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .stations
            .iter()
            .flat_map(|s| {
                STATION_METRICS
                    .iter()
                    .map(move |m| format!("station.{}.{}", s.name, m.name))
            })
            .collect();
        names.extend(
            NETWORK_METRICS
                .iter()
                .map(|m| format!("network.{}", m.name)),
        );
        names
    }
}
