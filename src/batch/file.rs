//! Batch files: read, checked key by key, and expanded into scenario points. Every problem
//! names the batch file, the line and column, the key, the value and what is allowed; the
//! scenarios' own problems name the scenario file, or the batch file line that set the key.

use std::path::{Path, PathBuf};

use super::{Batch, BatchSize, Point};
use crate::config::TomlFile;
use crate::experiment::memory::{patients_created, result_bytes};
use crate::scenario::{
    is_scenario_name, nearest_key, render_value, Scenario, ScenarioBase, Setting,
    SCENARIO_NAME_RULE,
};
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

/// Reads the batch file at `path` and builds every scenario point, reporting every problem
/// found, not just the first.
pub fn load_batch(path: &Path) -> Result<Batch, Vec<String>> {
    let file = TomlFile::read(path)?;
    let mut c = Checker {
        file: &file,
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        problems: Vec::new(),
        size: BatchSize::default(),
        warnings: Vec::new(),
    };
    for key in file.table.keys() {
        c.known(&[], key, &TOP_KEYS);
    }
    let name = c.string(&["name"], true).filter(|n| {
        let ok = is_scenario_name(n);
        if !ok {
            c.bad(&["name"], &format!("expected {SCENARIO_NAME_RULE}"));
        }
        ok
    });
    let description = c.string(&["description"], false).unwrap_or_default();
    let overrides: Vec<Setting> = SIMULATION_OVERRIDES
        .iter()
        .filter_map(|key| {
            file.table.get(*key).map(|value| Setting {
                path: vec!["simulation".to_string(), key.to_string()],
                value: value.clone(),
                place: c.place(&[key]),
            })
        })
        .collect();

    let mut points = Vec::new();
    for i in c.tables("scenario") {
        if let Some(point) = c.scenario_point(i, &overrides) {
            points.push(point);
        }
    }
    for i in c.tables("sweep") {
        points.extend(c.sweep_points(i, &overrides));
    }
    if points.is_empty() && c.problems.is_empty() {
        c.problems.push(format!(
            "{}: no scenario points: add a [[scenario]] with a file, or a [[sweep]] with a file \
             and a grid",
            file.display
        ));
    }
    c.check_point_names(&points);
    let jobs: u64 = points.iter().map(|p| u64::from(p.replications)).sum();
    if jobs > MAX_JOBS {
        c.problems.push(format!(
            "{}: {jobs} jobs (scenario points × replications): at most {MAX_JOBS} are allowed; \
             split the batch, or lower the replications",
            file.display
        ));
    }
    let mut problems = c.problems;
    dedup(&mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Batch {
        size: c.size,
        warnings: c.warnings,
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

struct Checker<'a> {
    file: &'a TomlFile,
    /// The folder that scenario `file`s are relative to.
    dir: PathBuf,
    problems: Vec<String>,
    size: BatchSize,
    warnings: Vec<String>,
}

fn owned(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| s.to_string()).collect()
}

impl Checker<'_> {
    fn place(&self, path: &[&str]) -> String {
        self.file.place(&owned(path))
    }

    fn value(&self, path: &[&str]) -> Option<&toml::Value> {
        let (first, rest) = path.split_first()?;
        let mut value = self.file.table.get(*first)?;
        for key in rest {
            value = match value {
                toml::Value::Table(t) => t.get(*key)?,
                toml::Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// `place: key = value: what`.
    fn bad(&mut self, path: &[&str], what: &str) {
        let value = self
            .value(path)
            .map(render_value)
            .unwrap_or_else(|| "(missing)".to_string());
        self.problems.push(format!(
            "{}: {} = {value}: {what}",
            self.place(path),
            self.shown(path)
        ));
    }

    /// The key path as a user reads it: `sweep[2].grid`, not `sweep.1.grid`.
    fn shown(&self, path: &[&str]) -> String {
        let mut out = String::new();
        for part in path {
            match part.parse::<usize>() {
                Ok(i) if !out.is_empty() => out.push_str(&format!("[{}]", i + 1)),
                _ => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(part);
                }
            }
        }
        out
    }

    fn known(&mut self, parent: &[&str], key: &str, allowed: &[&str]) {
        if allowed.contains(&key) {
            return;
        }
        let mut path = parent.to_vec();
        path.push(key);
        let hint = match nearest_key(key, allowed) {
            Some(near) => format!("did you mean {near:?}? "),
            None => String::new(),
        };
        self.problems.push(format!(
            "{}: unknown key {}: {hint}allowed here: {}",
            self.place(&path),
            self.shown(&path),
            allowed.join(", ")
        ));
    }

    fn string(&mut self, path: &[&str], required: bool) -> Option<String> {
        match self.value(path) {
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.bad(path, "expected text in quotes");
                None
            }
            None if required => {
                let parent = &path[..path.len() - 1];
                let at = if parent.is_empty() {
                    self.file.display.clone()
                } else {
                    self.place(parent)
                };
                self.problems.push(format!(
                    "{at}: missing key {}: it is required",
                    self.shown(path)
                ));
                None
            }
            None => None,
        }
    }

    /// The entries of the array of tables `key` (`[[scenario]]`), each with its index.
    fn tables(&mut self, key: &str) -> Vec<usize> {
        match self.file.table.get(key) {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => {
                let mut ok = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if item.is_table() {
                        ok.push(i);
                    } else {
                        let index = i.to_string();
                        self.bad(&[key, &index], &format!("expected a table: [[{key}]]"));
                    }
                }
                ok
            }
            Some(_) => {
                self.bad(&[key], &format!("expected tables written [[{key}]]"));
                Vec::new()
            }
        }
    }

    /// The scenario file of entry `[[kind]]` number `index`, loaded and merged.
    fn base(&mut self, kind: &str, index: &str) -> Option<ScenarioBase> {
        let file = self.string(&[kind, index, "file"], true)?;
        let path = self.dir.join(&file);
        if !path.is_file() {
            let why = if path.exists() {
                "is not a file".to_string()
            } else {
                "does not exist".to_string()
            };
            self.bad(
                &[kind, index, "file"],
                &format!(
                    "{} {why} (scenario files are relative to the batch file's folder)",
                    path.display()
                ),
            );
            return None;
        }
        match ScenarioBase::load(&path) {
            Ok(base) => Some(base),
            Err(e) => {
                self.problems.extend(e.problems);
                None
            }
        }
    }

    fn scenario_point(&mut self, i: usize, overrides: &[Setting]) -> Option<Point> {
        let index = i.to_string();
        if let Some(toml::Value::Table(t)) = self.value(&["scenario", &index]) {
            for key in t.keys().cloned().collect::<Vec<_>>() {
                self.known(&["scenario", &index], &key, &SCENARIO_KEYS);
            }
        }
        let name = self.string(&["scenario", &index, "name"], false);
        let base = self.base("scenario", &index)?;
        let mut settings = overrides.to_vec();
        if let Some(name) = name {
            settings.push(Setting {
                path: vec!["name".to_string()],
                value: toml::Value::String(name),
                place: self.place(&["scenario", &index, "name"]),
            });
        }
        match base.build(&settings) {
            Ok(scenario) => Some(self.point(scenario, None, Vec::new())),
            Err(e) => {
                self.problems.extend(e.problems);
                None
            }
        }
    }

    fn sweep_points(&mut self, i: usize, overrides: &[Setting]) -> Vec<Point> {
        let index = i.to_string();
        if let Some(toml::Value::Table(t)) = self.value(&["sweep", &index]) {
            for key in t.keys().cloned().collect::<Vec<_>>() {
                self.known(&["sweep", &index], &key, &SWEEP_KEYS);
            }
        }
        let name = self.string(&["sweep", &index, "name"], true);
        let name = name.filter(|n| {
            // The point names add `-NN`, so the sweep's name must leave room for it.
            let ok = is_scenario_name(n) && n.chars().count() <= 56;
            if !ok {
                self.bad(
                    &["sweep", &index, "name"],
                    "expected 1 to 56 characters from A-Z a-z 0-9 . _ - (not starting with .): \
                     point names add -1, -2, ... to it",
                );
            }
            ok
        });
        let fixed = self.leaves(&["sweep", &index, "set"], false);
        let grid = self.leaves(&["sweep", &index, "grid"], true);
        let grid = self.grid_values(&index, grid);
        let base = self.base("sweep", &index);
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
            settings.extend(fixed.iter().cloned());
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
                    self.place(&["sweep", &index, "name"])
                ),
            });
            match base.build(&settings) {
                Ok(scenario) => points.push(self.point(scenario, Some(name.clone()), parameters)),
                Err(e) => self.problems.extend(e.problems),
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
    fn leaves(&mut self, path: &[&str], required: bool) -> Option<Vec<Setting>> {
        let Some(value) = self.value(path).cloned() else {
            if required {
                self.problems.push(format!(
                    "{}: missing key {}: it is required: a table of scenario keys, each with a \
                     list of values, like \"specialties.ent.theatre_lists_per_week\" = [35, 45]",
                    self.place(&path[..path.len() - 1]),
                    self.shown(path)
                ));
            }
            return if required { None } else { Some(Vec::new()) };
        };
        let toml::Value::Table(table) = value else {
            self.bad(path, "expected a table of scenario keys");
            return None;
        };
        let mut out = Vec::new();
        let mut prefix: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let depth = prefix.len();
        self.collect_leaves(&table, &mut prefix, depth, &mut out);
        Some(out)
    }

    fn collect_leaves(
        &self,
        table: &toml::Table,
        prefix: &mut Vec<String>,
        depth: usize,
        out: &mut Vec<Setting>,
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
                    out.push(Setting {
                        path,
                        value: value.clone(),
                        place: self.file.place(prefix),
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
        index: &str,
        grid: Option<Vec<Setting>>,
    ) -> Option<Vec<(Setting, Vec<toml::Value>)>> {
        let grid = grid?;
        let at = self.place(&["sweep", index, "grid"]);
        if grid.is_empty() {
            self.problems.push(format!(
                "{at}: sweep[{}].grid is empty: give at least one scenario key with a list of values",
                index.parse::<usize>().unwrap_or(0) + 1
            ));
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for setting in grid {
            let key = setting.path.join(".");
            match &setting.value {
                toml::Value::Array(values) if !values.is_empty() => {
                    out.push((setting.clone(), values.clone()));
                }
                other => {
                    ok = false;
                    let what = if matches!(other, toml::Value::Array(_)) {
                        "an empty list"
                    } else {
                        "a single value"
                    };
                    self.problems.push(format!(
                        "{}: sweep grid key {key} = {}: {what}; expected a list of the values to \
                         sweep, like [1, 2, 3] (a fixed value goes under [sweep.set])",
                        setting.place,
                        render_value(other)
                    ));
                }
            }
        }
        let points = out
            .iter()
            .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))
            .unwrap_or(usize::MAX);
        if points > MAX_POINTS {
            self.problems.push(format!(
                "{at}: the grid has {points} points: at most {MAX_POINTS} are allowed in a batch"
            ));
            return None;
        }
        ok.then_some(out)
    }

    fn check_point_names(&mut self, points: &[Point]) {
        let mut seen = std::collections::HashSet::new();
        for p in points {
            if RESERVED_NAMES.contains(&p.name.as_str()) {
                self.problems.push(format!(
                    "{}: scenario point {:?}: the name is used by the batch folder itself ({}); \
                     give the point another name",
                    self.file.display,
                    p.name,
                    RESERVED_NAMES.join(", ")
                ));
            }
            if !seen.insert(p.name.clone()) {
                self.problems.push(format!(
                    "{}: two scenario points are named {:?}: each needs its own name (set name = \
                     \"...\" in its [[scenario]]), as it names the point's result folder",
                    self.file.display, p.name
                ));
            }
        }
    }
}
