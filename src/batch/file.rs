//! Batch files: read through the configuration checker and expanded into scenario points.
//! Every problem names the batch file, the line and column, the key, the value and what is
//! allowed; the scenarios' own problems name the scenario file, or the batch file line that set
//! the key.

use std::path::{Path, PathBuf};

use super::{Batch, BatchSize, Point};
use crate::config::{key_path, Checker, KeyPath, TomlFile};
use crate::experiment::memory::{patients_created, result_bytes};
use crate::scenario::{is_scenario_name, Scenario, ScenarioBase, Setting, SCENARIO_NAME_RULE};
use crate::util::hash::sha256_hex;

/// Refused before expanding: a grid this big is a typo, not a plan.
pub const MAX_POINTS: usize = 10_000;
/// Refused before running: more jobs than a cluster runs in a night.
pub const MAX_JOBS: u64 = 1_000_000;
/// Names used by the batch folder itself, so no point may take them.
pub const RESERVED_NAMES: [&str; 7] = [
    "jobs",
    "plots",
    "batch.json",
    "batch.toml",
    "comparison.csv",
    "points.csv",
    "summary.txt",
];

const TOP_KEYS: [&str; 8] = [
    "name",
    "description",
    "replications",
    "seed",
    "months",
    "scale",
    "scenario",
    "sweep",
];
const SCENARIO_KEYS: [&str; 2] = ["file", "name"];
const SWEEP_KEYS: [&str; 4] = ["name", "file", "set", "grid"];
/// Top-level keys that set `simulation.<key>` in every point.
const SIMULATION_OVERRIDES: [&str; 4] = ["replications", "seed", "months", "scale"];
/// Sweep names leave room for the `-NN` that point names add.
const SWEEP_NAME_RULE: &str = "1 to 56 characters from A-Z a-z 0-9 . _ - (not starting with .): \
     point names add -1, -2, ... to it";
const GRID_RULE: &str = "a table of scenario keys, each with a list of values, like \
     \"specialties.ent.theatre_lists_per_week\" = [35, 45]";
const FILE_RULE: &str = "the path of a scenario file, relative to the batch file's folder";

/// Reads the batch file at `path` and builds every scenario point, reporting every problem
/// found, not just the first.
pub fn load_batch(path: &Path) -> Result<Batch, Vec<String>> {
    let file = TomlFile::read(path)?;
    let source = file.source();
    let mut r = Reader {
        c: Checker::new(&source),
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        size: BatchSize::default(),
        warnings: Vec::new(),
    };
    r.c.table(&[], &TOP_KEYS);
    let name = r.c.string(&["name"]);
    let name = r.c.required(&["name"], name, SCENARIO_NAME_RULE);
    let name = name.filter(|n| {
        let ok = is_scenario_name(n);
        if !ok {
            r.c.bad(&["name"], format!("expected {SCENARIO_NAME_RULE}"));
        }
        ok
    });
    let description = r.c.string(&["description"]).unwrap_or_default();
    let overrides: Vec<Setting> = SIMULATION_OVERRIDES
        .iter()
        .filter_map(|key| {
            r.c.value(&[key]).map(|value| Setting {
                path: key_path(&["simulation", key]),
                value: value.clone(),
                place: r.place(&[key]),
            })
        })
        .collect();

    let mut points = Vec::new();
    let scenarios = r.c.tables(&["scenario"], "tables written [[scenario]]");
    for entry in scenarios.unwrap_or_default() {
        if let Some(point) = r.scenario_point(&entry, &overrides) {
            points.push(point);
        }
    }
    let sweeps = r.c.tables(&["sweep"], "tables written [[sweep]]");
    for entry in sweeps.unwrap_or_default() {
        points.extend(r.sweep_points(&entry, &overrides));
    }
    let mut problems = r.c.into_problems();
    if points.is_empty() && problems.is_empty() {
        problems.push(format!(
            "{}: no scenario points: add a [[scenario]] with a file, or a [[sweep]] with a file \
             and a grid",
            file.display
        ));
    }
    check_point_names(&file.display, &points, &mut problems);
    let jobs: u64 = points.iter().map(|p| u64::from(p.replications)).sum();
    if jobs > MAX_JOBS {
        problems.push(format!(
            "{}: {jobs} jobs (scenario points × replications): at most {MAX_JOBS} are allowed; \
             split the batch, or lower the replications",
            file.display
        ));
    }
    dedup(&mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Batch {
        size: r.size,
        warnings: r.warnings,
        name: name.unwrap_or_default(),
        description,
        file_name: path.file_name().map_or_else(
            || file.display.clone(),
            |n| n.to_string_lossy().into_owned(),
        ),
        file_sha256: sha256_hex(file.text.as_bytes()),
        file_text: file.text.clone(),
        points,
    })
}

/// Every grid point of a sweep repeats the base file's problems: keep each once, in order.
fn dedup(problems: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
}

/// Each point names its result folder: no two alike, and none the batch folder itself uses.
fn check_point_names(file: &str, points: &[Point], problems: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    for p in points {
        if RESERVED_NAMES.contains(&p.name.as_str()) {
            problems.push(format!(
                "{file}: scenario point {:?}: the name is used by the batch folder itself ({}); \
                 give the point another name",
                p.name,
                RESERVED_NAMES.join(", ")
            ));
        }
        if !seen.insert(p.name.clone()) {
            problems.push(format!(
                "{file}: two scenario points are named {:?}: each needs its own name (set name = \
                 \"...\" in its [[scenario]]), as it names the point's result folder",
                p.name
            ));
        }
    }
}

/// A key path inside an entry: `["sweep", "[0]"]` and `"grid"`.
fn at<'p>(entry: &[&'p str], key: &'p str) -> Vec<&'p str> {
    entry.iter().copied().chain([key]).collect()
}

/// A scenario key set under `[sweep.set]` or `[sweep.grid]`.
struct Leaf {
    /// Its key in the batch file (`sweep`, `[0]`, `grid`, `referrals.per_day`), for messages.
    key: KeyPath,
    setting: Setting,
}

/// Reads the batch file's entries through the checker and builds their points.
struct Reader<'a> {
    c: Checker<'a>,
    /// The folder that scenario `file`s are relative to.
    dir: PathBuf,
    size: BatchSize,
    warnings: Vec<String>,
}

impl Reader<'_> {
    /// `batch.toml:12:1`, where a key was set, for the settings it makes.
    fn place(&self, path: &[&str]) -> String {
        self.c.source.place(&key_path(path))
    }

    /// The scenario file of entry `entry` (`["scenario", "[0]"]`), loaded and merged.
    fn base(&mut self, entry: &[&str]) -> Option<ScenarioBase> {
        let key = at(entry, "file");
        let file = self.c.string(&key);
        let file = self.c.required(&key, file, FILE_RULE)?;
        let path = self.dir.join(&file);
        if !path.is_file() {
            let why = if path.exists() {
                "is not a file"
            } else {
                "does not exist"
            };
            self.c.bad(
                &key,
                format!(
                    "{} {why} (scenario files are relative to the batch file's folder)",
                    path.display()
                ),
            );
            return None;
        }
        match ScenarioBase::load(&path) {
            Ok(base) => Some(base),
            Err(e) => {
                self.c.problems.extend(e.problems);
                None
            }
        }
    }

    fn scenario_point(&mut self, entry: &str, overrides: &[Setting]) -> Option<Point> {
        let e = ["scenario", entry];
        self.c.table(&e, &SCENARIO_KEYS);
        let name = self.c.string(&at(&e, "name"));
        let base = self.base(&e)?;
        let mut settings = overrides.to_vec();
        if let Some(name) = name {
            settings.push(Setting {
                path: vec!["name".to_string()],
                value: toml::Value::String(name),
                place: self.place(&at(&e, "name")),
            });
        }
        match base.build(&settings) {
            Ok(scenario) => Some(self.point(scenario, None, Vec::new())),
            Err(e) => {
                self.c.problems.extend(e.problems);
                None
            }
        }
    }

    fn sweep_points(&mut self, entry: &str, overrides: &[Setting]) -> Vec<Point> {
        let e = ["sweep", entry];
        self.c.table(&e, &SWEEP_KEYS);
        let name_key = at(&e, "name");
        let name = self.c.string(&name_key);
        let name = self.c.required(&name_key, name, SWEEP_NAME_RULE);
        let name = name.filter(|n| {
            let ok = is_scenario_name(n) && n.chars().count() <= 56;
            if !ok {
                self.c.bad(&name_key, format!("expected {SWEEP_NAME_RULE}"));
            }
            ok
        });
        let fixed = self.leaves(&at(&e, "set"), false);
        let grid = self.leaves(&at(&e, "grid"), true);
        let grid = self.grid_values(&e, grid);
        let base = self.base(&e);
        let (Some(name), Some(fixed), Some(grid), Some(base)) = (name, fixed, grid, base) else {
            return Vec::new();
        };

        let count = grid
            .iter()
            .map(|(_, values)| values.len())
            .product::<usize>();
        let width = count.to_string().len();
        let mut points = Vec::with_capacity(count);
        for k in 0..count {
            // Row-major: the first key varies slowest.
            let mut rest = k;
            let mut chosen = vec![0; grid.len()];
            for (slot, (_, values)) in chosen.iter_mut().zip(&grid).rev() {
                *slot = rest % values.len();
                rest /= values.len();
            }
            let point_name = format!("{name}-{:0width$}", k + 1);
            let mut settings = overrides.to_vec();
            settings.extend(fixed.iter().map(|leaf| leaf.setting.clone()));
            let mut parameters = Vec::new();
            for ((setting, values), &j) in grid.iter().zip(&chosen) {
                parameters.push((setting.path.join("."), values[j].clone()));
                settings.push(Setting {
                    value: values[j].clone(),
                    ..setting.clone()
                });
            }
            settings.push(Setting {
                path: vec!["name".to_string()],
                value: toml::Value::String(point_name.clone()),
                place: format!(
                    "{} (point {point_name} of sweep {name})",
                    self.place(&name_key)
                ),
            });
            match base.build(&settings) {
                Ok(scenario) => points.push(self.point(scenario, Some(name.clone()), parameters)),
                Err(e) => self.c.problems.extend(e.problems),
            }
        }
        points
    }

    /// A validated scenario as a point; notes its warnings, and its size for the memory check.
    fn point(
        &mut self,
        scenario: Scenario,
        sweep: Option<String>,
        parameters: Vec<(String, toml::Value)>,
    ) -> Point {
        for warning in scenario.warnings() {
            if !self.warnings.contains(&warning) {
                self.warnings.push(warning);
            }
        }
        let point = Point {
            name: scenario.name.clone(),
            resolved: scenario.resolved_toml(),
            scenario_hash: scenario.hash(),
            replications: scenario.simulation.replications,
            sweep,
            parameters,
        };
        let size = &mut self.size;
        size.point_results = size.point_results.max(result_bytes(&scenario));
        let patients = patients_created(&scenario);
        if size.largest_point.is_empty() || patients > size.patients_per_replication {
            size.largest_point = scenario.name.clone();
            size.patients_per_replication = patients;
        }
        point
    }

    /// The scenario keys set under `path` (a table, or dotted keys), each as a [`Setting`]
    /// whose place is the batch file line.
    fn leaves(&mut self, path: &[&str], required: bool) -> Option<Vec<Leaf>> {
        let Some(value) = self.c.value(path) else {
            if required {
                self.c.required(path, None::<()>, GRID_RULE);
                return None;
            }
            return Some(Vec::new());
        };
        let toml::Value::Table(table) = value else {
            self.c.bad(path, "expected a table of scenario keys");
            return None;
        };
        let mut out = Vec::new();
        let mut prefix = key_path(path);
        self.collect_leaves(table, &mut prefix, path.len(), &mut out);
        Some(out)
    }

    fn collect_leaves(
        &self,
        table: &toml::Table,
        prefix: &mut KeyPath,
        depth: usize,
        out: &mut Vec<Leaf>,
    ) {
        for (key, value) in table {
            prefix.push(key.clone());
            match value {
                toml::Value::Table(sub) => self.collect_leaves(sub, prefix, depth, out),
                _ => {
                    // A quoted key with dots ("a.b" = ...) names a nested key, like a.b = ...
                    let path: Vec<String> = prefix[depth..]
                        .iter()
                        .flat_map(|part| part.split('.').map(str::to_string))
                        .collect();
                    out.push(Leaf {
                        key: prefix.clone(),
                        setting: Setting {
                            path,
                            value: value.clone(),
                            place: self.c.source.place(prefix),
                        },
                    });
                }
            }
            prefix.pop();
        }
    }

    /// Each grid key with its values, checked: non-empty lists of plain values, and a grid of
    /// at most [`MAX_POINTS`] points.
    fn grid_values(
        &mut self,
        entry: &[&str],
        grid: Option<Vec<Leaf>>,
    ) -> Option<Vec<(Setting, Vec<toml::Value>)>> {
        let grid = grid?;
        let path = at(entry, "grid");
        if grid.is_empty() {
            self.c.bad_name(
                &path,
                "expected at least one scenario key with a list of values",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for leaf in grid {
            match &leaf.setting.value {
                toml::Value::Array(values) if !values.is_empty() => {
                    out.push((leaf.setting.clone(), values.clone()));
                }
                other => {
                    ok = false;
                    let what = if matches!(other, toml::Value::Array(_)) {
                        "an empty list"
                    } else {
                        "a single value"
                    };
                    let key: Vec<&str> = leaf.key.iter().map(String::as_str).collect();
                    self.c.bad(
                        &key,
                        format!(
                            "expected a list of the values to sweep, like [1, 2, 3], not {what} \
                             (a fixed value goes under [sweep.set])"
                        ),
                    );
                }
            }
        }
        let points = out
            .iter()
            .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))
            .unwrap_or(usize::MAX);
        if points > MAX_POINTS {
            self.c.bad_name(
                &path,
                &format!("the grid has {points} points: expected at most {MAX_POINTS} in a batch"),
            );
            return None;
        }
        ok.then_some(out)
    }
}
