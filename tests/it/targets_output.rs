//! Targets, result files and the CLI: target evaluation on hand-made replications, statistics
//! against hand-computed values, the CSV contract, atomic writes and the refusal to overwrite.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use ndarray::Array2;

use plansim::model::{metric_by_name, ReplicationResult, METRICS};
use plansim::output::{
    check_destination, monthly_csv, summary_csv, targets_csv, write_atomic, write_result_folder,
    MONTHLY_HEADER, SUMMARY_HEADER, TARGETS_HEADER,
};
use plansim::targets::{evaluate, Catalogue, TargetOutcome, Verdict, BUILTIN_CATALOGUE};
use plansim::util::date::Date;

// ---- helpers -------------------------------------------------------------------------------

/// Month ends of `months` months from the month of `start`.
fn month_ends(start: &str, months: u32) -> Vec<Date> {
    let start = Date::parse(start).unwrap();
    (1..=months)
        .map(|m| start.first_of_month_after(m).add_days(-1))
        .collect()
}

/// A replication whose every metric is `value(month_index, metric_name)`.
fn replication(
    number: u32,
    months: usize,
    initial: f64,
    value: impl Fn(usize, &str) -> f64,
) -> ReplicationResult {
    let metrics =
        Array2::from_shape_fn((months, METRICS.len()), |(m, k)| value(m, METRICS[k].name));
    ReplicationResult {
        replication: number,
        metrics,
        initial_waiting_list: initial,
        wait_weeks: Array2::zeros((months + 1, 3)),
        events: 0,
        patients: 0,
    }
}

/// 12 months from April 2024; `metric` in month index `m` of replication `r` is `f(r, m)`,
/// every other metric 0.
fn year_of(
    replications: usize,
    metric: &str,
    f: impl Fn(usize, usize) -> f64,
) -> Vec<ReplicationResult> {
    (0..replications)
        .map(|r| {
            replication(r as u32 + 1, 12, 1000.0, |m, name| {
                if name == metric {
                    f(r, m)
                } else {
                    0.0
                }
            })
        })
        .collect()
}

fn builtin() -> Catalogue {
    Catalogue::builtin().unwrap()
}

fn outcome<'a>(outcomes: &'a [TargetOutcome], id: &str) -> &'a TargetOutcome {
    outcomes.iter().find(|o| o.target.id == id).unwrap()
}

fn plansim() -> Command {
    Command::cargo_bin("plansim").unwrap()
}

/// Every entry of a folder, sorted.
fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---- target evaluation ---------------------------------------------------------------------

#[test]
fn deadline_target_reads_the_month_ending_on_the_deadline() {
    // rtt_65w_zero: rtt_over_65w <= 0 at 2024-09-30, month index 5 (April is 0). Replication r
    // has r*10 + m over 65 weeks, except in September where replications 0..3 reach 0.
    let reps = year_of(4, "rtt_over_65w", |r, m| {
        if m == 5 && r < 3 {
            0.0
        } else {
            (r * 10 + m) as f64
        }
    });
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 12), &reps);
    let o = outcome(&outcomes, "rtt_65w_zero");
    let s = o.stats.as_ref().unwrap();
    assert_eq!(s.values, vec![0.0, 0.0, 0.0, 35.0]);
    assert_eq!(s.met, vec![true, true, true, false]);
    assert_eq!(s.mean, 8.75);
    assert_eq!(s.p_met, 0.75);
    // Type 7: p05 at h = 0.15 between 0 and 0 -> 0; p95 at h = 2.85 -> 0 + 0.85 * 35.
    assert_eq!(s.p05, 0.0);
    assert!((s.p95 - 29.75).abs() < 1e-12);
    assert_eq!(o.verdict, Verdict::Uncertain);
    assert_eq!(o.deadline, "2024-09-30");
}

#[test]
fn window_target_uses_the_mean_of_the_monthly_values() {
    // op_first_or_procedure_pct >= 46 as the mean over April 2024..March 2025. Replication 0
    // has 40..=51 (mean 45.5, not met); replication 1 has 41..=52 (mean 46.5, met).
    let reps = year_of(2, "op_first_or_procedure_pct", |r, m| (40 + r + m) as f64);
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 12), &reps);
    let o = outcome(&outcomes, "op_first_or_procedure_46");
    let s = o.stats.as_ref().unwrap();
    assert_eq!(s.values, vec![45.5, 46.5]);
    assert_eq!(s.met, vec![false, true]);
    assert_eq!(s.p_met, 0.5);
    assert_eq!(o.deadline, "2024-04-01/2025-03-31");
}

#[test]
fn window_inside_a_longer_run_uses_only_its_months() {
    // 24 months from January 2024: the window is months 3..=14. Value = month index.
    let reps: Vec<ReplicationResult> = vec![replication(1, 24, 0.0, |m, name| {
        if name == "op_first_or_procedure_pct" {
            m as f64
        } else {
            0.0
        }
    })];
    let outcomes = evaluate(&builtin(), &month_ends("2024-01-01", 24), &reps);
    // Mean of 3..=14 is 8.5.
    assert_eq!(
        outcome(&outcomes, "op_first_or_procedure_46")
            .stats
            .as_ref()
            .unwrap()
            .values,
        vec![8.5]
    );
}

#[test]
fn start_threshold_is_each_replications_initial_list_and_strict() {
    // rtt_waiting_list < start at March 2025 (month index 11).
    let reps = vec![
        replication(1, 12, 1000.0, |_, name| {
            if name == "rtt_waiting_list" {
                999.0
            } else {
                0.0
            }
        }),
        replication(2, 12, 1000.0, |_, name| {
            if name == "rtt_waiting_list" {
                1000.0
            } else {
                0.0
            }
        }),
        replication(3, 12, 2000.0, |_, name| {
            if name == "rtt_waiting_list" {
                1500.0
            } else {
                0.0
            }
        }),
    ];
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 12), &reps);
    let s = outcome(&outcomes, "rtt_list_reduced")
        .stats
        .clone()
        .unwrap();
    assert_eq!(s.met, vec![true, false, true]);
    assert_eq!(s.p_met, 2.0 / 3.0);
}

#[test]
fn end_targets_read_the_last_simulated_month() {
    // rtt_within_18w_pct >= 92 at "end": 3 months, so June 2024.
    let reps = vec![replication(1, 3, 0.0, |m, name| {
        if name == "rtt_within_18w_pct" {
            90.0 + m as f64
        } else {
            0.0
        }
    })];
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 3), &reps);
    let o = outcome(&outcomes, "rtt_18w_92");
    assert_eq!(o.deadline, "2024-06-30");
    assert_eq!(o.stats.as_ref().unwrap().values, vec![92.0]);
    assert_eq!(o.verdict, Verdict::Met);
}

#[test]
fn metrics_the_model_lacks_are_listed_as_not_modelled() {
    // Every target of the shipped catalogue is modelled; a catalogue may name a metric the
    // model does not produce (a later year's target), which is kept and marked, not dropped.
    let text = r#"
name = "test"
[[target]]
id = "beds_92"
description = "general and acute bed occupancy at most 92%"
metric = "bed_occupancy_pct"
comparison = "<="
threshold = 92
deadline = 2025-03-31
source = "test"
[[target]]
id = "rtt_65w_zero"
description = "no waits over 65 weeks"
metric = "rtt_over_65w"
comparison = "<="
threshold = 0
deadline = 2024-09-30
source = "test"
"#;
    let catalogue = Catalogue::from_toml_str(text, "test.toml").expect("valid catalogue");
    let reps = year_of(3, "rtt_over_65w", |_, _| 0.0);
    let outcomes = evaluate(&catalogue, &month_ends("2024-04-01", 12), &reps);
    assert_eq!(outcomes.len(), 2, "no target is dropped");
    assert_eq!(outcome(&outcomes, "beds_92").verdict, Verdict::NotModelled);
    assert_eq!(outcome(&outcomes, "beds_92").stats, None);
    assert_eq!(outcome(&outcomes, "rtt_65w_zero").verdict, Verdict::Met);
    let csv = targets_csv("base", &outcomes);
    assert!(
        csv.contains("\nbase,beds_92,bed_occupancy_pct,<=,92,2025-03-31,,,,,not_modelled\n"),
        "{csv}"
    );
    // The shipped catalogue has every metric it names.
    for o in evaluate(&builtin(), &month_ends("2024-04-01", 12), &reps) {
        assert!(
            metric_by_name(&o.target.metric).is_some(),
            "{} is not modelled",
            o.target.id
        );
    }
}

#[test]
fn deadlines_outside_the_run_are_beyond_the_horizon() {
    // Three months from April 2024: September and March, and the whole-year window, are not
    // simulated; a run starting in May misses the window's first month.
    let reps = vec![replication(1, 3, 0.0, |_, _| 0.0)];
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 3), &reps);
    for id in [
        "rtt_65w_zero",
        "rtt_list_reduced",
        "op_first_or_procedure_46",
        "day_case_85",
    ] {
        let o = outcome(&outcomes, id);
        assert_eq!(o.verdict, Verdict::BeyondHorizon, "{id}");
        assert_eq!(o.stats, None);
    }
    let reps = vec![replication(1, 12, 0.0, |_, _| 50.0)];
    let outcomes = evaluate(&builtin(), &month_ends("2024-05-01", 12), &reps);
    assert_eq!(
        outcome(&outcomes, "op_first_or_procedure_46").verdict,
        Verdict::BeyondHorizon
    );
    assert_eq!(
        outcome(&outcomes, "rtt_65w_zero").verdict,
        Verdict::NotMet,
        "September is inside"
    );
}

#[test]
fn verdict_thresholds_are_ninety_and_ten_percent() {
    let cases = [
        (10, 10, Verdict::Met),
        (9, 10, Verdict::Met),
        (8, 10, Verdict::Uncertain),
        (2, 10, Verdict::Uncertain),
        (1, 10, Verdict::NotMet),
        (0, 10, Verdict::NotMet),
        (1, 1, Verdict::Met),
        (0, 1, Verdict::NotMet),
        (27, 30, Verdict::Met),
        (26, 30, Verdict::Uncertain),
        (3, 30, Verdict::NotMet),
        (4, 30, Verdict::Uncertain),
    ];
    for (met, n, expected) in cases {
        assert_eq!(Verdict::from_count(met, n), expected, "{met} of {n}");
    }
    // Through evaluate: 9 of 10 replications reach 85% day cases in March 2025.
    let reps = year_of(
        10,
        "day_case_rate_pct",
        |r, _| if r < 9 { 85.0 } else { 84.9 },
    );
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 12), &reps);
    let o = outcome(&outcomes, "day_case_85");
    assert_eq!(o.stats.as_ref().unwrap().p_met, 0.9);
    assert_eq!(o.verdict, Verdict::Met);
}

#[test]
fn nan_never_meets_a_target() {
    let reps = year_of(2, "day_case_rate_pct", |_, _| f64::NAN);
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 12), &reps);
    let o = outcome(&outcomes, "day_case_85");
    assert_eq!(o.stats.as_ref().unwrap().met, vec![false, false]);
    assert_eq!(o.verdict, Verdict::NotMet);
}

#[test]
fn a_catalogue_from_text_is_evaluated_the_same_way() {
    let text = r#"
name = "custom"
[[target]]
id = "list_under_900"
description = "list under 900 in May 2024"
metric = "rtt_waiting_list"
comparison = "<"
threshold = 900
deadline = 2024-05-31
source = "test"
"#;
    let catalogue = Catalogue::from_toml_str(text, "custom.toml").unwrap();
    let reps = year_of(2, "rtt_waiting_list", |r, m| {
        1000.0 - 100.0 * (r + m) as f64
    });
    let outcomes = evaluate(&catalogue, &month_ends("2024-04-01", 12), &reps);
    assert_eq!(
        outcomes[0].stats.as_ref().unwrap().values,
        vec![900.0, 800.0]
    );
    assert_eq!(outcomes[0].stats.as_ref().unwrap().met, vec![false, true]);
}

// ---- the catalogue file ----------------------------------------------------------------------

#[test]
fn the_catalogue_holds_every_target_of_the_design() {
    // The ids of the standards table in the design document (section 1), in its order.
    let design_ids = [
        "rtt_65w_zero",
        "rtt_list_reduced",
        "rtt_18w_92",
        "op_first_or_procedure_46",
        "pifu_5pct",
        "day_case_85",
        "theatre_util_85",
        "vwa_107",
        "cancer_fds_77",
        "cancer_62d_70",
        "cancer_31d_96",
        "dm01_95",
    ];
    let file = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/targets/nhs-2024-25.toml"),
    )
    .unwrap();
    assert_eq!(
        file, BUILTIN_CATALOGUE,
        "the binary embeds the shipped file"
    );
    let ids: Vec<String> = builtin().targets.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids, design_ids);
}

// ---- statistics and CSV ----------------------------------------------------------------------

#[test]
fn csv_headers_are_the_contract() {
    assert_eq!(
        MONTHLY_HEADER,
        "scenario,replication,month,period_end,metric,value"
    );
    assert_eq!(
        SUMMARY_HEADER,
        "scenario,month,period_end,metric,mean,sd,p05,p50,p95"
    );
    assert_eq!(
        TARGETS_HEADER,
        "scenario,target,metric,comparison,threshold,deadline,mean,p05,p95,p_met,verdict"
    );
    let ends = month_ends("2024-04-01", 1);
    let reps = vec![replication(1, 1, 0.0, |_, _| 0.0)];
    assert!(monthly_csv("b", &ends, &reps).starts_with(&format!("{MONTHLY_HEADER}\n")));
    assert!(summary_csv("b", &ends, &reps).starts_with(&format!("{SUMMARY_HEADER}\n")));
    assert!(targets_csv("b", &[]).starts_with(&format!("{TARGETS_HEADER}\n")));
}

#[test]
fn monthly_rows_nest_replication_month_metric() {
    let ends = month_ends("2024-04-01", 2);
    let reps: Vec<ReplicationResult> = (1..=3)
        .map(|r| replication(r, 2, 0.0, |m, _| f64::from(r) * 100.0 + m as f64 - 0.5))
        .collect();
    let csv = monthly_csv("base", &ends, &reps);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 3 * 2 * METRICS.len());
    assert_eq!(
        lines[1],
        format!("base,1,1,2024-04-30,{},99.5", METRICS[0].name)
    );
    assert_eq!(
        lines[2],
        format!("base,1,1,2024-04-30,{},99.5", METRICS[1].name)
    );
    assert_eq!(
        lines[1 + METRICS.len()],
        format!("base,1,2,2024-05-31,{},100.5", METRICS[0].name)
    );
    assert_eq!(
        lines[1 + 2 * METRICS.len()],
        format!("base,2,1,2024-04-30,{},199.5", METRICS[0].name)
    );
    assert_eq!(
        *lines.last().unwrap(),
        format!("base,3,2,2024-05-31,{},300.5", METRICS.last().unwrap().name)
    );
}

#[test]
fn summary_statistics_match_hand_computation() {
    // Four replications with 1, 2, 3, 4 (in shuffled order): mean 2.5; sd = sqrt(5/3)
    // = 1.2909944487358056 -> 1.29099444874 at 12 significant digits; type 7 quantiles:
    // p05 at h = 0.15 -> 1.15, p50 at h = 1.5 -> 2.5, p95 at h = 2.85 -> 3.85.
    let ends = month_ends("2024-04-01", 1);
    let reps: Vec<ReplicationResult> = [3.0, 1.0, 4.0, 2.0]
        .iter()
        .enumerate()
        .map(|(i, &v)| replication(i as u32 + 1, 1, 0.0, move |_, _| v))
        .collect();
    let csv = summary_csv("base", &ends, &reps);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + METRICS.len());
    assert_eq!(
        lines[1],
        format!(
            "base,1,2024-04-30,{},2.5,1.29099444874,1.15,2.5,3.85",
            METRICS[0].name
        )
    );

    // One replication: sd 0, every quantile the value; -0 prints as 0.
    let one = vec![replication(1, 1, 0.0, |_, _| -0.0)];
    let csv = summary_csv("base", &ends, &one);
    assert_eq!(
        csv.lines().nth(1).unwrap(),
        format!("base,1,2024-04-30,{},0,0,0,0,0", METRICS[0].name)
    );
}

#[test]
fn targets_rows_carry_numbers_and_verdict() {
    let reps = year_of(4, "rtt_over_65w", |r, _| if r == 0 { 1.0 } else { 0.0 });
    let outcomes = evaluate(&builtin(), &month_ends("2024-04-01", 12), &reps);
    let csv = targets_csv("base", &outcomes);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 13);
    // Values 1, 0, 0, 0: mean 0.25; p05 0; p95 at h = 2.85 between 0 and 1 -> 0.85.
    assert_eq!(
        lines[1],
        "base,rtt_65w_zero,rtt_over_65w,<=,0,2024-09-30,0.25,0,0.85,0.75,uncertain"
    );
    assert_eq!(
        lines[3],
        "base,rtt_18w_92,rtt_within_18w_pct,>=,92,2025-03-31,0,0,0,0,not_met"
    );
}

#[test]
fn same_results_give_the_same_bytes() {
    let ends = month_ends("2024-04-01", 12);
    let make = || {
        year_of(5, "rtt_waiting_list", |r, m| {
            1000.0 / (1.0 + r as f64 + m as f64 * 0.1)
        })
    };
    let (a, b) = (make(), make());
    assert_eq!(monthly_csv("x", &ends, &a), monthly_csv("x", &ends, &b));
    assert_eq!(summary_csv("x", &ends, &a), summary_csv("x", &ends, &b));
    let catalogue = builtin();
    assert_eq!(
        targets_csv("x", &evaluate(&catalogue, &ends, &a)),
        targets_csv("x", &evaluate(&catalogue, &ends, &b))
    );
}

// ---- writing files ---------------------------------------------------------------------------

fn files(tag: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("monthly.csv", format!("monthly {tag}").into_bytes()),
        ("targets.csv", format!("targets {tag}").into_bytes()),
    ]
}

#[test]
fn atomic_writes_leave_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    write_atomic(&path, b"one").unwrap();
    write_atomic(&path, b"two").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "two");
    assert_eq!(entries(dir.path()), ["a.csv"]);

    let root = dir.path().join("results");
    let folder = write_result_folder(&root, "base", &files("1"), false).unwrap();
    assert_eq!(folder, root.join("base"));
    assert_eq!(entries(&root), ["base"]);
    assert_eq!(entries(&folder), ["monthly.csv", "targets.csv"]);
    assert_eq!(
        fs::read_to_string(folder.join("monthly.csv")).unwrap(),
        "monthly 1"
    );
}

#[test]
fn refuses_to_overwrite_results_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // An absent or empty folder is free.
    check_destination(root, "base", false).unwrap();
    fs::create_dir(root.join("base")).unwrap();
    check_destination(root, "base", false).unwrap();
    write_result_folder(root, "base", &files("old"), false).unwrap();

    let err = check_destination(root, "base", false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&root.join("base").display().to_string()),
        "{err}"
    );
    assert!(err.contains("--force") && err.contains("-o"), "{err}");
    assert!(write_result_folder(root, "base", &files("new"), false).is_err());
    assert_eq!(
        fs::read_to_string(root.join("base/monthly.csv")).unwrap(),
        "monthly old"
    );
    assert_eq!(entries(root), ["base"], "a refusal leaves nothing behind");
}

#[test]
fn force_replaces_the_whole_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_result_folder(root, "base", &files("old"), false).unwrap();
    fs::write(root.join("base/stale.png"), "old plot").unwrap();
    check_destination(root, "base", true).unwrap();
    write_result_folder(root, "base", &files("new"), true).unwrap();
    assert_eq!(entries(root), ["base"]);
    assert_eq!(
        entries(&root.join("base")),
        ["monthly.csv", "targets.csv"],
        "no old file survives"
    );
    assert_eq!(
        fs::read_to_string(root.join("base/targets.csv")).unwrap(),
        "targets new"
    );
}

// ---- the command line ------------------------------------------------------------------------

#[test]
fn cli_lists_the_targets() {
    let output = plansim().arg("targets").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    for target in builtin().targets {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{} ", target.id)));
        let row = row.unwrap_or_else(|| panic!("no row for {} in\n{stdout}", target.id));
        assert!(row.contains(&target.metric), "{row}");
        let modelled = if metric_by_name(&target.metric).is_some() {
            "yes"
        } else {
            "no"
        };
        assert!(row.contains(&format!(" {modelled} ")), "{row}");
    }
}

#[test]
fn cli_bad_usage_exits_2() {
    for args in [
        &[][..],
        &["run"],
        &["frobnicate"],
        &["run", "--bogus", "x.toml"],
        &["run", "-j", "0", "x.toml"],
        &["run", "-r", "ten", "x.toml"],
    ] {
        let output = plansim().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn cli_missing_scenario_file_exits_1_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["run", "check"] {
        let output = plansim()
            .current_dir(dir.path())
            .args([command, "no-such-scenario.toml"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("no-such-scenario.toml"), "{stderr}");
    }
    assert_eq!(
        entries(dir.path()),
        Vec::<String>::new(),
        "a failed run writes nothing"
    );
}
