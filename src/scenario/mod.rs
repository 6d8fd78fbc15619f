//! Scenario files: parse TOML, resolve `extends` chains, validate every key, and build the
//! validated [`Scenario`] the model runs. Only this module knows the scenario file format.

mod build;
mod calendar;
mod cancer;
mod diagnostics;
mod finance;
mod initial_list;
mod levers;
mod load;
mod outpatients;
mod referrals;
mod removals;
mod simulation;
mod specialties;
mod theatres;
mod types;
mod warnings;

pub use calendar::{Calendar, CapacityChange, CapacityShock, ChangeAmount, LeverChange, Resource};
pub use cancer::{Cancer, Days, TumourGroup};
pub use diagnostics::{DiagnosticTest, Diagnostics, TestType};
pub use finance::Finance;
pub use initial_list::{InitialList, WeeklyList, WEEKLY_BANDS};
pub use levers::{LeverSet, LeverValues, LEVER_KEYS};
pub use outpatients::Outpatients;
pub use referrals::Referrals;
pub use removals::Removals;
pub use simulation::{BookingPolicy, Simulation};
pub use specialties::{Minutes, Outcomes, Specialty};
pub use theatres::Theatres;
pub use types::Scenario;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::util::hash::sha256_hex;

pub(crate) use crate::config::render as render_value;
use crate::config::{key_path, Origin, Source};
pub use build::MAX_REPLICATIONS;
pub(crate) use build::{is_scenario_name, SCENARIO_NAME_RULE};

/// Values the command line may override (`-r`, `-s`, `--months`, `--scale`).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub replications: Option<u32>,
    pub seed: Option<u64>,
    pub months: Option<u32>,
    pub scale: Option<f64>,
}

/// Everything wrong with a scenario, each problem naming file, key, value and what is allowed.
#[derive(Debug)]
pub struct ScenarioError {
    pub problems: Vec<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.problems.join("\n"))
    }
}

impl std::error::Error for ScenarioError {}

impl From<Vec<String>> for ScenarioError {
    fn from(problems: Vec<String>) -> ScenarioError {
        ScenarioError { problems }
    }
}

/// A value set on a scenario from outside its files: a batch file's overrides and sweep values.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The key path, one segment per table level (`["specialties", "ent", "pifu_share"]`).
    pub path: Vec<String>,
    pub value: toml::Value,
    /// Where it was set (`batch.toml:12:1`), for messages.
    pub place: String,
}

/// A scenario file read and merged (its `extends` chain) but not yet validated, so that many
/// scenarios can be built from it with different [`Setting`]s, each validated with messages
/// pointing at the file line that set each key.
#[derive(Clone, Debug)]
pub struct ScenarioBase(Source);

impl ScenarioBase {
    pub fn load(path: &Path) -> Result<ScenarioBase, ScenarioError> {
        Ok(ScenarioBase(load::resolve_path(path)?))
    }

    /// The scenario with `settings` applied, validated as a whole.
    pub fn build(&self, settings: &[Setting]) -> Result<Scenario, ScenarioError> {
        let mut source = self.0.clone();
        let mut problems = Vec::new();
        for setting in settings {
            match set_key(&mut source.table, &setting.path, setting.value.clone()) {
                Ok(()) => {
                    source.origins.retain(|path, _| !path.starts_with(&setting.path));
                    source.origins.insert(
                        setting.path.clone(),
                        Origin {
                            place: setting.place.clone(),
                            note: None,
                        },
                    );
                }
                Err(parent) => problems.push(format!(
                    "{}: {} = {}: {} is a value in the scenario, not a table, so it has no key {:?}",
                    setting.place,
                    setting.path.join("."),
                    render_value(&setting.value),
                    parent,
                    setting.path.last().map(String::as_str).unwrap_or_default()
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ScenarioError { problems });
        }
        Ok(build::build(&source)?)
    }
}

/// Sets `path` in `table`, creating tables on the way; fails (naming the blocking key) where
/// the path runs through a value.
fn set_key(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(());
    };
    let mut current = table;
    for (depth, key) in parents.iter().enumerate() {
        let entry = current
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            _ => return Err(path[..=depth].join(".")),
        };
    }
    current.insert(last.clone(), value);
    Ok(())
}

impl Scenario {
    /// Reads, resolves and validates the scenario file at `path`.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let source = load::resolve_path(path)?;
        Ok(build::build(&source)?)
    }

    /// Parses and validates scenario text; `origin` names it in messages, and its stem is the
    /// default name. An `extends` path is relative to the current folder.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let source = load::resolve_text(text, origin)?;
        Ok(build::build(&source)?)
    }

    /// The same scenario with command-line overrides applied and validated; its resolved
    /// table shows the values actually run.
    pub fn with_overrides(&self, overrides: &Overrides) -> Result<Scenario, ScenarioError> {
        let mut table = self.resolved.clone();
        let mut origins = BTreeMap::new();
        let mut problems = Vec::new();
        let mut set = |key: &str, flag: &str, value: toml::Value| {
            let path = key_path(&["simulation", key]);
            origins.insert(
                path,
                Origin {
                    place: format!("command line ({flag})"),
                    note: None,
                },
            );
            if let Some(toml::Value::Table(simulation)) = table.get_mut("simulation") {
                simulation.insert(key.to_string(), value);
            }
        };
        if let Some(n) = overrides.replications {
            set("replications", "-r", toml::Value::Integer(i64::from(n)));
        }
        if let Some(seed) = overrides.seed {
            // TOML integers are i64, and the seed must survive a round trip through scenario.toml.
            match i64::try_from(seed) {
                Ok(seed) => set("seed", "-s", toml::Value::Integer(seed)),
                Err(_) => problems.push(format!(
                    "command line (-s): simulation.seed = {seed}: expected a whole number from 0 to {}",
                    i64::MAX
                )),
            }
        }
        if let Some(n) = overrides.months {
            set("months", "--months", toml::Value::Integer(i64::from(n)));
        }
        if let Some(scale) = overrides.scale {
            set("scale", "--scale", toml::Value::Float(scale));
        }
        let source = Source {
            table,
            files: Vec::new(),
            origins,
            fallback: format!("scenario {}", self.name),
        };
        match build::build(&source) {
            Ok(scenario) if problems.is_empty() => Ok(scenario),
            Ok(_) => Err(ScenarioError { problems }),
            Err(more) => {
                problems.extend(more);
                Err(ScenarioError { problems })
            }
        }
    }

    /// The resolved scenario as TOML text (deterministic: keys sorted).
    pub fn resolved_toml(&self) -> String {
        toml::to_string(&self.resolved).expect("a TOML table always serialises")
    }

    /// Lowercase hex SHA-256 of [`Scenario::resolved_toml`], for the manifest.
    pub fn hash(&self) -> String {
        sha256_hex(self.resolved_toml().as_bytes())
    }

    /// The productivity levers of `specialty` as the scenario sets them, before any dated
    /// change.
    pub fn base_levers(&self, specialty: usize) -> LeverSet<f64> {
        LeverSet::base(self, specialty)
    }
}
