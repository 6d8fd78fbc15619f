//! Scenario files: parse TOML, resolve `extends` chains, validate every key, and build the
//! validated [`Scenario`] the model runs. Only this module knows the scenario file format.

mod load;
mod problems;
mod raw;
mod types;
mod validate;
mod warnings;

pub use types::*;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};

pub(crate) use problems::nearest as nearest_key;
use problems::{key_path, Origin, Source};

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

impl Scenario {
    /// Reads, resolves and validates the scenario file at `path`.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let source = load::resolve_path(path)?;
        Ok(validate::build(&source)?)
    }

    /// Parses and validates scenario text; `origin` names it in messages, and its stem is the
    /// default name. An `extends` path is relative to the current folder.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let source = load::resolve_text(text, origin)?;
        Ok(validate::build(&source)?)
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
        match validate::build(&source) {
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
        let digest = Sha256::digest(self.resolved_toml().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}
