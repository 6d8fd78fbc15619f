//! What a stopped run keeps: each scenario's completed replications (1 to k) in
//! `DIR/<name>.interrupted/`, whose manifest says `"complete": false`. `DIR/<name>/` is never
//! touched, and a `.interrupted` folder that holds a complete result is not replaced.

use std::path::Path;

use crate::experiment::ExperimentResult;
use crate::scenario::Scenario;
use crate::targets::{evaluate, Catalogue};

use super::{write_result_folder, ResultFolder};

/// Keeps what a stopped experiment completed under `root` (see the module docs) and returns the
/// message that says what was done and kept. `command_line` and `invocation` are recorded in
/// each manifest, as for a complete run. Nothing here fails: a scenario that cannot be kept
/// gets a line saying why.
pub fn keep_interrupted(
    root: &Path,
    scenarios: &[Scenario],
    catalogue: &Catalogue,
    experiment: &ExperimentResult,
    command_line: &[String],
    invocation: &[String],
) -> String {
    let total: u32 = scenarios.iter().map(|s| s.simulation.replications).sum();
    let mut kept = Vec::new();
    let mut notes = Vec::new();
    for (scenario, run) in scenarios.iter().zip(&experiment.runs) {
        if run.replications.is_empty() {
            continue;
        }
        let name = format!("{}.interrupted", scenario.name);
        if holds_complete_result(&root.join(&name)) {
            notes.push(format!(
                "{}: not kept, because {} holds a complete result",
                scenario.name,
                root.join(&name).display()
            ));
            continue;
        }
        let outcomes = evaluate(catalogue, &scenario.month_ends(), &run.replications);
        let files = ResultFolder::new(
            scenario,
            run,
            &outcomes,
            experiment,
            command_line,
            invocation,
        )
        .into_files();
        // An earlier interrupted folder of the same scenario is replaced: it is not a result.
        match write_result_folder(root, &name, &files, true) {
            Ok(folder) => kept.push(format!(
                "replications 1 to {} of {} in {}",
                run.replications.len(),
                scenario.name,
                folder.display()
            )),
            Err(e) => notes.push(format!("{}: could not keep: {e}", scenario.name)),
        }
    }
    let mut message = format!(
        "interrupted: {} of {total} replications had completed; no complete result was written",
        experiment.completed
    );
    if !kept.is_empty() {
        message.push_str(&format!(
            "; kept {} (manifest \"complete\": false; `plansim plot` and `report` can read them)",
            kept.join(", ")
        ));
    }
    for note in notes {
        message.push_str(&format!("\n{note}"));
    }
    message
}

/// Whether `folder` has a manifest saying `"complete": true` (a real result, not ours to
/// replace). A folder whose manifest cannot be read counts as complete: what it holds is
/// unknown, so it is left alone; a folder that does not exist holds nothing.
pub fn holds_complete_result(folder: &Path) -> bool {
    super::read_written_file(&folder.join("manifest.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|v| v.get("complete").and_then(|c| c.as_bool()))
        .unwrap_or(folder.exists())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::SystemTime;

    use super::*;
    use crate::experiment::ScenarioRun;

    #[test]
    fn only_a_manifest_saying_incomplete_may_be_replaced() {
        let root = tempfile::tempdir().unwrap();
        let folder = |name: &str, manifest: Option<&str>| {
            let path = root.path().join(name);
            fs::create_dir(&path).unwrap();
            if let Some(text) = manifest {
                fs::write(path.join("manifest.json"), text).unwrap();
            }
            path
        };
        assert!(!holds_complete_result(&root.path().join("absent")));
        assert!(!holds_complete_result(&folder(
            "partial",
            Some(r#"{"complete": false}"#)
        )));
        assert!(holds_complete_result(&folder(
            "done",
            Some(r#"{"complete": true}"#)
        )));
        // Unknown contents are not ours to replace.
        assert!(holds_complete_result(&folder("damaged", Some("{not json"))));
        assert!(holds_complete_result(&folder("no-manifest", None)));
    }

    #[test]
    fn a_stop_before_any_replication_keeps_nothing_and_says_so() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let scenario = Scenario::load(&path).unwrap();
        let experiment = ExperimentResult {
            runs: vec![ScenarioRun {
                replications: Vec::new(),
                replication_seconds: 0.0,
            }],
            started: SystemTime::UNIX_EPOCH,
            wall_seconds: 0.0,
            threads: 1,
            interrupted: true,
            completed: 0,
        };
        let root = tempfile::tempdir().unwrap();
        let catalogue = Catalogue::builtin().unwrap();
        let message = keep_interrupted(
            root.path(),
            std::slice::from_ref(&scenario),
            &catalogue,
            &experiment,
            &[],
            &[],
        );
        let total = scenario.simulation.replications;
        assert_eq!(
            message,
            format!(
                "interrupted: 0 of {total} replications had completed; no complete result was \
                 written"
            )
        );
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
    }
}
