//! `plansim import rtt`: the RTT full CSV sample read exactly (against sums of the raw file made
//! here by plain string splitting), the variants the file has had accepted, malformed files
//! refused with their place, the new weekly starting-list keys validated, and the shipped
//! provider scenario kept in step with the sample and runnable.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use plansim::import::rtt::{band_column, read_rtt_file, Part, RttData, BANDS};
use plansim::import::rtt_scenario::specialty_name;
use plansim::model::starting_list_by_week;
use plansim::scenario::Scenario;

use crate::support::{plansim, scratch};

const SAMPLE: &str = "data/rtt/rtt-full-csv-RBD-2024-11.csv";
const SHIPPED: &str = "scenarios/providers/rbd-2024-11.toml";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Counts by (part, treatment function code): the 108 numbers and the rows summed.
type RawSums = BTreeMap<(String, String), (Vec<u64>, usize)>;

/// The sample's counts by (part, treatment function code), summed over commissioner rows,
/// with the number of rows summed: the 105 bands, the unknown clock starts and Total All. The
/// last 108 cells of a row are numbers and the four before them codes and names without
/// commas, so splitting at commas from the end is exact even where names are quoted.
fn raw_sums() -> (RawSums, usize) {
    let text = fs::read_to_string(repo(SAMPLE)).unwrap();
    let mut sums = RawSums::new();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let n = cells.len();
        let numbers = &cells[n - 108..];
        let code = cells[n - 110].to_string();
        let part = cells[n - 112].to_string();
        let entry = sums
            .entry((part, code))
            .or_insert_with(|| (vec![0; 108], 0));
        for (sum, cell) in entry.0.iter_mut().zip(numbers) {
            *sum += if cell.is_empty() {
                0
            } else {
                cell.parse::<u64>().unwrap()
            };
        }
        entry.1 += 1;
        rows += 1;
    }
    (sums, rows)
}

fn sample() -> RttData {
    read_rtt_file(&repo(SAMPLE), &["RBD".to_string()]).expect("the sample reads")
}

#[test]
fn the_sample_matches_independent_sums_band_by_band() {
    let data = sample();
    let (sums, rows) = raw_sums();
    assert_eq!(data.rows, rows);
    assert_eq!(rows, 512);
    assert_eq!(data.period.label(), "RTT-November-2024");
    assert_eq!(data.providers[0].0, "RBD");
    // Commissioner rows really are summed: most (part, function) pairs have several rows.
    let most = sums.values().map(|(_, n)| *n).max().unwrap();
    assert!(most > 10, "at most {most} rows for one part and function");

    let mut checked = 0;
    for ((part, code), (expected, _)) in &sums {
        let part = Part::ALL
            .into_iter()
            .find(|p| p.code() == part)
            .expect("a known part");
        let function = if code == "C_999" {
            &data.check_total
        } else {
            data.functions
                .iter()
                .find(|f| &f.code == code)
                .expect("every code read")
        };
        let counts = function.part(part);
        assert_eq!(
            counts.bands.to_vec(),
            expected[..BANDS].to_vec(),
            "{code} {}",
            part.code()
        );
        assert_eq!(counts.unknown_start, expected[BANDS + 1], "{code}");
        assert_eq!(counts.total_all, expected[BANDS + 2], "{code}");
        checked += 1;
    }
    assert_eq!(checked, sums.len());
    // The figures the data notes quote for the sample.
    assert_eq!(data.check_total.part(Part::Incomplete).band_sum(), 21_702);
    assert_eq!(data.check_total.part(Part::NewPeriods).total_all, 5_003);
    assert_eq!(data.check_total.part(Part::Admitted).total_all, 1_544);
    assert_eq!(data.check_total.part(Part::NonAdmitted).total_all, 2_925);
    // C_999 is the sum over treatment functions, band by band.
    for part in Part::ALL {
        for k in 0..BANDS {
            let sum: u64 = data.functions.iter().map(|f| f.part(part).bands[k]).sum();
            assert_eq!(sum, data.check_total.part(part).bands[k]);
        }
    }
}

#[test]
fn the_imported_starting_list_is_the_file_band_by_band() {
    let scenario = Scenario::load(&repo(SHIPPED)).expect("the shipped scenario loads");
    let census = starting_list_by_week(&scenario);
    let (sums, _) = raw_sums();
    let data = sample();
    assert_eq!(census.len(), data.functions.len());
    for function in &data.functions {
        let name = specialty_name(&function.code, &function.name);
        let got = census
            .iter()
            .find(|c| c.specialty == name)
            .unwrap_or_else(|| panic!("{name} in the scenario"));
        for (part, counts) in [
            ("Part_2", &got.waiting),
            ("Part_2A", &got.awaiting_admission),
        ] {
            let expected: Vec<f64> = sums
                .get(&(part.to_string(), function.code.clone()))
                .map(|(s, _)| s[..BANDS].iter().map(|&n| n as f64).collect())
                .unwrap_or_else(|| vec![0.0; BANDS]);
            assert_eq!(counts, &expected, "{name} {part}");
        }
    }
}

#[test]
fn the_shipped_scenario_is_what_the_importer_writes() {
    let dir = scratch("import_rtt", "shipped");
    let out = dir.join("rbd.toml");
    plansim()
        .args(["import", "rtt", SAMPLE, "--provider", "RBD", "-o"])
        .arg(&out)
        .assert()
        .success();
    let written = fs::read(&out).unwrap();
    let shipped = fs::read(repo(SHIPPED)).unwrap();
    assert!(
        written == shipped,
        "{SHIPPED} is stale: write it again with `plansim import rtt {SAMPLE} --provider RBD -o {SHIPPED} --force`"
    );
    // Never replaced without --force.
    let again = plansim()
        .args(["import", "rtt", SAMPLE, "-o"])
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&again.get_output().stderr).into_owned();
    assert!(stderr.contains("already exists: pass --force"), "{stderr}");
    // Every provider (the sample has one) gives the same scenario.
    plansim()
        .args(["import", "rtt", SAMPLE, "--force", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(fs::read(&out).unwrap() == shipped);
}

#[test]
fn the_shipped_provider_scenario_checks_and_runs() {
    plansim().args(["check", SHIPPED]).assert().success();
    let dir = scratch("import_rtt", "run");
    plansim()
        .args([
            "run",
            SHIPPED,
            "-r",
            "1",
            "--months",
            "2",
            "-q",
            "--no-plots",
            "-o",
        ])
        .arg(&dir)
        .assert()
        .success();
    let monthly = fs::read_to_string(dir.join("rbd-2024-11/monthly.csv")).unwrap();
    // The first month's clock stops are of the size the file shows (1,544 admitted and 2,925
    // non-admitted in 30 days of November; December has 31): within a third.
    for (metric, file) in [
        ("rtt_clock_stops_admitted", 1_544.0),
        ("rtt_clock_stops_nonadmitted", 2_925.0),
    ] {
        let value: f64 = monthly
            .lines()
            .find(|l| l.contains(",1,1,") && l.contains(&format!(",{metric},")))
            .and_then(|l| l.rsplit(',').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{metric} in month 1"));
        let expected = file * 31.0 / 30.0;
        assert!(
            (value - expected).abs() < expected / 3.0,
            "{metric}: {value} simulated, {expected} in the file"
        );
    }
}

// ---- Small synthetic files: the variants accepted and the malformed ones refused ----

fn header_cells() -> Vec<String> {
    let mut names: Vec<String> = [
        "Period",
        "Provider Org Code",
        "Provider Org Name",
        "Commissioner Org Code",
        "RTT Part Type",
        "Treatment Function Code",
        "Treatment Function Name",
    ]
    .map(String::from)
    .to_vec();
    names.extend((0..BANDS).map(band_column));
    names.extend(
        [
            "Total",
            "Patients with unknown clock start date",
            "Total All",
        ]
        .map(String::from),
    );
    names
}

/// A row with `counts` in the first bands; Part_3 rows hold Total All only.
fn row_cells(commissioner: &str, part: &str, code: &str, counts: &[u64]) -> Vec<String> {
    let mut cells: Vec<String> = [
        "RTT-March-2024",
        "RXX",
        "A TRUST",
        commissioner,
        part,
        code,
        "A Service",
    ]
    .map(String::from)
    .to_vec();
    let sum: u64 = counts.iter().sum();
    if part == "Part_3" {
        cells.extend((0..BANDS + 2).map(|_| String::new()));
    } else {
        cells.extend((0..BANDS).map(|k| counts.get(k).map_or("0".to_string(), u64::to_string)));
        cells.extend([sum.to_string(), "0".to_string()]);
    }
    cells.push(sum.to_string());
    cells
}

/// A small valid file: two commissioners' Part_2 rows for one function, and the check totals.
fn synthetic() -> Vec<Vec<String>> {
    vec![
        header_cells(),
        row_cells("11J", "Part_2", "C_110", &[1, 2, 3]),
        row_cells("11X", "Part_2", "C_110", &[4, 0, 6]),
        row_cells("11J", "Part_2", "C_999", &[5, 2, 9]),
        row_cells("11J", "Part_3", "C_110", &[7]),
        row_cells("11J", "Part_3", "C_999", &[7]),
    ]
}

fn write(dir: &Path, name: &str, rows: &[Vec<String>]) -> PathBuf {
    let text: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    let path = dir.join(name);
    fs::write(&path, text.join("\n") + "\n").unwrap();
    path
}

fn read_error(path: &Path) -> String {
    read_rtt_file(path, &[]).expect_err("refused").to_string()
}

#[test]
fn variants_the_file_has_had_are_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let plain = read_rtt_file(&write(dir.path(), "plain.csv", &synthetic()), &[]).unwrap();
    let c110 = &plain.functions[0];
    assert_eq!(c110.code, "C_110");
    assert_eq!(&c110.part(Part::Incomplete).bands[..3], &[5, 2, 9]);
    assert_eq!(c110.part(Part::NewPeriods).total_all, 7);
    let same = |data: RttData, what: &str| {
        assert_eq!(data.functions, plain.functions, "{what}");
        assert_eq!(data.period, plain.period, "{what}");
    };

    // Title rows above the header.
    let mut rows = vec![
        vec!["Referral to Treatment (RTT) Waiting Times".to_string()],
        vec![String::new()],
        vec!["Published: 9 May 2024".to_string(), String::new()],
    ];
    rows.extend(synthetic());
    same(
        read_rtt_file(&write(dir.path(), "preamble.csv", &rows), &[]).unwrap(),
        "preamble",
    );

    // The period split into year and month columns.
    let rows: Vec<Vec<String>> = synthetic()
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            let (year, month) = if i == 0 {
                ("Year", "Month")
            } else {
                ("2024", "March")
            };
            r.remove(0);
            r.insert(0, month.to_string());
            r.insert(0, year.to_string());
            r
        })
        .collect();
    same(
        read_rtt_file(&write(dir.path(), "split.csv", &rows), &[]).unwrap(),
        "split period",
    );

    // Blank cells for zeros.
    let rows: Vec<Vec<String>> = synthetic()
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| if c == "0" { String::new() } else { c })
                .collect()
        })
        .collect();
    same(
        read_rtt_file(&write(dir.path(), "blank.csv", &rows), &[]).unwrap(),
        "blank cells",
    );

    // Other names of the code columns, in other case and spacing.
    let mut rows = synthetic();
    rows[0][1] = "Provider Code".to_string();
    rows[0][5] = " treatment  function ".to_string();
    same(
        read_rtt_file(&write(dir.path(), "names.csv", &rows), &["rxx".to_string()]).unwrap(),
        "column names",
    );
}

#[test]
fn malformed_files_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shown = |name: &str| d.join(name).display().to_string();

    let mut rows = synthetic();
    rows[0][4] = "Part".to_string();
    let e = read_error(&write(d, "missing.csv", &rows));
    assert_eq!(
        e,
        format!(
            "{}:1: the header has no column `RTT Part Type` (or `RTT Part`, `Part Type`): expected the columns of the RTT full CSV file (Period, Provider Org Code, RTT Part Type, Treatment Function Code, the 105 weekly bands, Total All)",
            shown("missing.csv")
        )
    );

    let mut rows = synthetic();
    rows[2][8] = "0a".to_string();
    let e = read_error(&write(d, "number.csv", &rows));
    assert_eq!(
        e,
        format!(
            "{}:3: column 9 `Gt 01 To 02 Weeks SUM 1` = \"0a\": expected a whole number of pathways (0 or more), or a blank cell",
            shown("number.csv")
        )
    );

    let mut rows = synthetic();
    rows[4][4] = "Part_4".to_string();
    let e = read_error(&write(d, "part.csv", &rows));
    assert_eq!(
        e,
        format!(
            "{}:5: column 5 `RTT Part Type` = \"Part_4\": expected one of the RTT parts Part_1A, Part_1B, Part_2, Part_2A, Part_3",
            shown("part.csv")
        )
    );

    let mut rows = synthetic();
    rows[1][0] = "RTT-Smarch-2024".to_string();
    let e = read_error(&write(d, "period.csv", &rows));
    assert_eq!(
        e,
        format!(
            "{}:2: column 1 `Period` = \"RTT-Smarch-2024\": expected a period like RTT-November-2024",
            shown("period.csv")
        )
    );

    let mut rows = synthetic();
    rows[3][7] = "6".to_string();
    let e = read_error(&write(d, "row-total.csv", &rows));
    assert_eq!(
        e,
        format!(
            "{}:4: column 113 `Total` = \"16\": expected the sum of the row's weekly bands, 17",
            shown("row-total.csv")
        )
    );

    let mut rows = synthetic();
    rows[3] = row_cells("11J", "Part_2", "C_999", &[6, 2, 9]);
    let e = read_error(&write(d, "total.csv", &rows));
    assert!(
        e.contains("Part_2 `Gt 00 To 01 Weeks SUM 1`: the C_999 rows say 6 but the treatment functions add up to 5"),
        "{e}"
    );

    fs::write(d.join("empty.csv"), "").unwrap();
    assert_eq!(
        read_error(&d.join("empty.csv")),
        format!(
            "{}: the file is empty: expected an RTT full CSV file with a header row",
            shown("empty.csv")
        )
    );

    fs::write(d.join("other.csv"), "a,b,c\n1,2,3\n").unwrap();
    assert!(read_error(&d.join("other.csv")).contains("no header row in the first 50 rows"));

    assert!(read_error(d).contains("not a regular file"));
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_without_waiting() {
    // A FIFO with no writer would block a reader for ever; it must be refused unopened.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let e = read_error(&fifo);
    assert!(e.contains("not a regular file"), "{e}");
    let e = read_error(Path::new("/dev/zero"));
    assert!(e.contains("not a regular file"), "{e}");
    // And through the command: an error naming the file, exit status 1.
    let out = plansim()
        .args(["import", "rtt"])
        .arg(&fifo)
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("fifo.csv: not a regular file"), "{stderr}");
}

// ---- The weekly starting list in scenario files ----

fn shipped_text() -> String {
    fs::read_to_string(repo(SHIPPED)).unwrap()
}

fn problems(text: &str) -> String {
    match Scenario::from_toml_str(text, "rbd.toml") {
        Ok(_) => panic!("expected problems"),
        Err(e) => e.to_string(),
    }
}

/// The shipped scenario with the `waiting` array of C_100 replaced.
fn with_waiting(values: &str) -> String {
    let text = shipped_text();
    let table = text
        .find("[initial_list.weekly.c_100_general_surgery]")
        .unwrap();
    let start = table + text[table..].find("waiting = [").unwrap();
    let end = start + text[start..].find("]\n").unwrap() + 1;
    format!("{}waiting = {values}{}", &text[..start], &text[end..])
}

#[test]
fn weekly_lists_are_validated_key_by_key() {
    let key = "initial_list.weekly.c_100_general_surgery";
    let e = problems(&with_waiting("[1, 2, 3]"));
    assert!(
        e.contains(&format!(
            "{key}.waiting = [1, 2, 3]: 3 counts: expected 105 weekly counts"
        )),
        "{e}"
    );

    let mut counts = vec!["20".to_string(); 105];
    counts[4] = "-1".to_string();
    let e = problems(&with_waiting(&format!("[{}]", counts.join(", "))));
    assert!(
        e.contains(&format!(
            "{key}.waiting[4] = -1: expected a whole number from 0 to 100000000"
        )),
        "{e}"
    );

    // Fewer waiting than awaiting admission in band 0 (11 with a decision to admit).
    let mut counts = vec!["20".to_string(); 105];
    counts[0] = "3".to_string();
    let e = problems(&with_waiting(&format!("[{}]", counts.join(", "))));
    assert!(
        e.contains(&format!(
            "{key}.awaiting_admission[0] = 11: expected at most {key}.waiting[0] = 3"
        )),
        "{e}"
    );

    let text = shipped_text().replace(
        "longest_wait_weeks = 156",
        "total = 21702\nover_52_weeks = 100\nlongest_wait_weeks = 156",
    );
    let e = problems(&text);
    assert!(
        e.contains("initial_list.total = 21702: expected no initial_list.total when initial_list.weekly states the list week by week"),
        "{e}"
    );
    assert!(e.contains("expected no initial_list.over_52_weeks"), "{e}");

    let text = shipped_text().replace(
        "[initial_list.weekly.c_101_urology]",
        "[initial_list.weekly.c_101_urologgy]",
    );
    let e = problems(&text);
    assert!(
        e.contains("initial_list.weekly.c_101_urologgy: expected the name of a specialty; did you mean `c_101_urology`?"),
        "{e}"
    );
    assert!(e.contains("initial_list.weekly.c_101_urology"), "{e}");

    // An empty weekly table states no list at all.
    let text = shipped_text();
    let cut = text.find("[specialties.").unwrap();
    let specialties: String = text[cut..]
        .split("\n[")
        .filter(|t| !t.starts_with("initial_list.weekly."))
        .collect::<Vec<_>>()
        .join("\n[");
    let text = format!("{}[initial_list.weekly]\n\n{specialties}", &text[..cut]);
    let e = problems(&text);
    assert!(
        e.contains("initial_list.weekly = {  }: expected one table per specialty"),
        "{e}"
    );

    let text = shipped_text().replacen("list_share = 0.05018", "list_share = 0.06018", 1);
    let e = problems(&text);
    assert!(
        e.contains("specialties.c_100_general_surgery.list_share = 0.06018: expected 0.050180, the specialty's share of the weekly counts (1089 of 21702 pathways in initial_list.weekly)"),
        "{e}"
    );
}
