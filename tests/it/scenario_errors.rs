//! Scenario loading from the outside: one bad edit of a valid fixture per case, each expected to
//! give a message naming the file, key, value and what is allowed; plus `extends` chains,
//! command-line overrides and the shipped baseline.

use std::fs;
use std::path::{Path, PathBuf};

use plansim::scenario::{ChangeAmount, Overrides, Resource, Scenario, TestType};

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml")
}

fn fixture() -> String {
    fs::read_to_string(fixture_path()).expect("the fixture exists")
}

/// The fixture with each `(old, new)` applied once; `old` must be there, so that a change to
/// the fixture cannot quietly make a case test nothing.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = fixture();
    for (old, new) in edits {
        assert!(text.contains(old), "the fixture has no {old:?}");
        text = text.replacen(old, new, 1);
    }
    text
}

fn problems(text: &str) -> String {
    match Scenario::from_toml_str(text, "case.toml") {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_fixture_is_valid() {
    let s = Scenario::load(&fixture_path()).expect("valid fixture");
    assert_eq!(s.name, "base");
    assert_eq!(s.stream_family, "base");
    assert_eq!(s.specialties.len(), 2);
    // Sorted by name: general_surgery first, so the change's index points at orthopaedics.
    assert_eq!(s.specialties[0].name, "general_surgery");
    assert_eq!(s.calendar.changes[0].specialty, Some(1));
    assert_eq!(s.calendar.changes[0].amount, ChangeAmount::AddPerWeek(40.0));
    assert_eq!(
        s.calendar.shocks[0].resources,
        vec![Resource::ClinicSlots, Resource::TheatreLists]
    );
    assert_eq!(s.simulation.scale, 1.0);
    let mean: f64 = s.referrals.weekday_weights.iter().sum::<f64>() / 7.0;
    assert!((mean - 1.0).abs() < 1e-12);
    let mean: f64 = s.referrals.monthly_seasonality.iter().sum::<f64>() / 12.0;
    assert!((mean - 1.0).abs() < 1e-12);
    assert_eq!(s.initial_list.over_weeks.len(), 5);
    assert_eq!(s.hash().len(), 64);
    // Diagnostic mixes in `TestType::ALL` order, tests likewise, tumour groups by name.
    assert_eq!(
        s.specialties[1].diagnostic_mix,
        [0.55, 0.15, 0.25, 0.0, 0.05]
    );
    let tests: Vec<TestType> = s.diagnostics.tests.iter().map(|t| t.test).collect();
    assert_eq!(tests, TestType::ALL);
    assert_eq!(s.diagnostics.tests[1].initial_longest_weeks, 27);
    assert_eq!(s.diagnostics.report_days, 7.0);
    let groups: Vec<(&str, usize)> = s
        .cancer
        .tumour_groups
        .iter()
        .map(|g| (g.name.as_str(), g.specialty))
        .collect();
    assert_eq!(groups, [("lower_gi", 0), ("sarcoma", 1)]);
    assert_eq!(
        s.cancer.tumour_groups[1].test_mix,
        [0.8, 0.1, 0.1, 0.0, 0.0]
    );
    assert!(s.cancer.priority);
    assert_eq!(s.cancer.diagnosis_days.mean, 7.0);
    assert_eq!(s.cancer.prestart_treatment_days, 9.0);
}

#[test]
fn changes_name_their_target_by_resource() {
    // A diagnostic change names a test: its index in `TestType::ALL`, or `None` for all.
    let s = Scenario::load(&fixture_path()).expect("valid fixture");
    let more_mri = &s.calendar.changes[1];
    assert_eq!(more_mri.name, "more_mri");
    assert_eq!(more_mri.resource, Resource::DiagnosticTests);
    assert_eq!(more_mri.specialty, Some(0));
    for (test, index) in [("physiological", Some(4)), ("ct", Some(1)), ("all", None)] {
        let text = edited(&[("test = \"mri\"", &format!("test = \"{test}\""))]);
        let s = Scenario::from_toml_str(&text, "t.toml").expect("valid");
        assert_eq!(s.calendar.changes[1].specialty, index, "{test}");
    }
    // Cancer treatments take neither key; shocks accept the new resources.
    let text = edited(&[
        (
            "resource = \"diagnostic_tests\"\ntest = \"mri\"",
            "resource = \"cancer_treatments\"",
        ),
        (
            "resources = [\"clinic_slots\", \"theatre_lists\"]",
            "resources = [\"diagnostic_tests\", \"cancer_treatments\"]",
        ),
    ]);
    let s = Scenario::from_toml_str(&text, "t.toml").expect("valid");
    assert_eq!(s.calendar.changes[1].resource, Resource::CancerTreatments);
    assert_eq!(s.calendar.changes[1].specialty, None);
    assert_eq!(s.calendar.changes[1].amount, ChangeAmount::Multiply(1.2));
    assert_eq!(
        s.calendar.shocks[0].resources,
        vec![Resource::DiagnosticTests, Resource::CancerTreatments]
    );
    // The resolved TOML keeps the new sections and loads back the same.
    let again = Scenario::from_toml_str(&s.resolved_toml(), "again.toml").expect("round trip");
    assert_eq!(again.hash(), s.hash());
    assert_eq!(again.cancer.tumour_groups.len(), 2);
}

#[test]
fn bad_snippets_give_precise_messages() {
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: &[Case] = &[
        // TOML syntax
        ("syntax", &[("months = 12", "months = = 12")], "case.toml:9:10: TOML syntax error"),
        ("duplicate key", &[("months = 12", "months = 12\nmonths = 3")], "case.toml:10:"),
        // Unknown keys
        (
            "typo with suggestion",
            &[("session_minutes = 240", "sesion_minutes = 240")],
            "case.toml:44:1: unknown key `theatres.sesion_minutes`; did you mean `session_minutes`? (allowed: session_minutes,",
        ),
        ("unknown top level", &[("name = \"base\"", "name = \"base\"\ncolour = \"red\"")], "unknown key `colour` (allowed: name, description, extends,"),
        (
            "typo inside inline table",
            &[("treat = 0.20, followup = 0.20", "tret = 0.20, followup = 0.20")],
            "unknown key `specialties.trauma_orthopaedics.first_outcomes.tret`; did you mean `treat`?",
        ),
        ("unknown change key", &[("add_per_week = 40", "add_per_weak = 40")], "did you mean `add_per_week`?"),
        // Wrong types
        ("string for number", &[("session_minutes = 240", "session_minutes = \"forty\"")], "case.toml:44:1: theatres.session_minutes = \"forty\": expected a number"),
        ("float for integer", &[("months = 12", "months = 12.5")], "simulation.months = 12.5: expected a whole number"),
        ("scalar for table", &[("[removals]\nmonthly_rate = 0.031\n", ""), ("name = \"base\"", "removals = 5\nname = \"base\"")], "case.toml:4:1: removals = 5: expected a table"),
        ("string in array", &[("[1.35, 1.30,", "[1.35, \"x\",")], "referrals.weekday_weights[1] = \"x\": expected a number"),
        ("not a date", &[("start = 2024-04-01", "start = \"April\"")], "simulation.start = \"April\": expected a date like 2024-04-01"),
        ("date with time", &[("start = 2024-04-01", "start = 2024-04-01T09:00:00")], "simulation.start = 2024-04-01T09:00:00: expected a date"),
        // Missing keys
        ("missing key", &[("seed = 20240401\n", "")], "case.toml: missing key `simulation.seed`: expected a whole number from 0 to 9223372036854775807 (files read: case.toml)"),
        ("missing in inline table", &[("{ mean = 70, sd = 30 }", "{ mean = 70 }")], "missing key `specialties.trauma_orthopaedics.daycase_minutes.sd`"),
        // Ranges
        ("negative minutes", &[("session_minutes = 240", "session_minutes = -40")], "case.toml:44:1: theatres.session_minutes = -40: expected a number of minutes from 1 to 1440"),
        ("probability above 1", &[("dna_rate = 0.07", "dna_rate = 1.5")], "outpatients.dna_rate = 1.5: expected a share from 0 to 1"),
        ("removal rate of 1", &[("monthly_rate = 0.031", "monthly_rate = 1.0")], "removals.monthly_rate = 1.0: expected a share from 0 up to (not including) 1"),
        ("tiny case time", &[("daycase_minutes = { mean = 70, sd = 30 }", "daycase_minutes = { mean = 0.001, sd = 30 }")], "daycase_minutes.mean = 0.001: expected a number of minutes from 1 to 1440"),
        ("zero 2019/20 baseline", &[("baseline_monthly_value_gbp = 50000000", "baseline_monthly_value_gbp = 0")], "case.toml:184:1: finance.baseline_monthly_value_gbp = 0: expected the value of a month of 2019/20 elective activity in pounds, above 0"),
        ("agency share above 1", &[("baseline_monthly_value_gbp = 50000000", "baseline_monthly_value_gbp = 50000000\nagency_share = 2")], "finance.agency_share = 2: expected a share from 0 to 1"),
        ("premium below 1", &[("baseline_monthly_value_gbp = 50000000", "baseline_monthly_value_gbp = 50000000\npremium_rate = 0.5")], "finance.premium_rate = 0.5: expected a multiplier from 1 to 10"),
        ("lever share above 1", &[("baseline_monthly_value_gbp = 50000000", "baseline_monthly_value_gbp = 50000000\n[calendar.levers.faster]\nfrom = 2024-07-01\nspecialty = \"all\"\npifu_share = 1.5")], "calendar.levers.faster.pifu_share = 1.5: expected a share from 0 to 1"),
        ("lever for no specialty", &[("baseline_monthly_value_gbp = 50000000", "baseline_monthly_value_gbp = 50000000\n[calendar.levers.faster]\nfrom = 2024-07-01\nspecialty = \"urology\"\npifu_share = 0.1")], "calendar.levers.faster.specialty = \"urology\""),
        ("lever setting nothing", &[("baseline_monthly_value_gbp = 50000000", "baseline_monthly_value_gbp = 50000000\n[calendar.levers.faster]\nfrom = 2024-07-01\nspecialty = \"all\"")], "calendar.levers.faster = { from = 2024-07-01, specialty = \"all\" }: expected at least one lever to set, such as pifu_share = 0.1"),
        ("negative price factor", &[("clinic_slots_per_week = 90000", "clinic_slots_per_week = 90000\nprice_factor = -1")], "price_factor = -1: expected a factor from 0 to 100"),
        ("nan", &[("monthly_rate = 0.031", "monthly_rate = nan")], "removals.monthly_rate = nan: expected a share from 0 up to (not including) 1"),
        ("inf", &[("per_day = 57500", "per_day = inf")], "referrals.per_day = inf: expected a number from 0 to 10000000"),
        ("absurd referrals", &[("per_day = 57500", "per_day = 1e12")], "referrals.per_day = 1000000000000.0: expected a number from 0 to 10000000"),
        ("growth", &[("annual_growth = 0.03", "annual_growth = 2")], "referrals.annual_growth = 2: expected a yearly growth from -0.5 to 1"),
        ("negative capacity", &[("clinic_slots_per_week = 90000", "clinic_slots_per_week = -1")], "clinic_slots_per_week = -1: expected a weekly capacity from 0 to 10000000"),
        ("negative sd", &[("{ mean = 140, sd = 50 }", "{ mean = 140, sd = -5 }")], "inpatient_minutes.sd = -5: expected a number of minutes from 0 to 1440"),
        // Share groups
        ("referral shares", &[("referral_share = 0.4", "referral_share = 0.5")], "specialties.*.referral_share add up to 1.1 (general_surgery 0.6, trauma_orthopaedics 0.5): expected a total of 1"),
        ("list shares", &[("list_share = 0.45", "list_share = 0.4")], "specialties.*.list_share add up to 0.95"),
        ("priority shares", &[("[0.01, 0.09, 0.25, 0.65]", "[0.01, 0.09, 0.25, 0.55]")], "priority_shares = [0.01, 0.09, 0.25, 0.55]: the shares add up to 0.9: expected a total of 1"),
        ("priority share count", &[("[0.01, 0.09, 0.25, 0.65]", "[0.1, 0.9]")], "expected an array of 4 shares for P1 to P4, adding up to 1, not 2 values"),
        ("outcomes", &[("admit = 0.20 }", "admit = 0.25 }")], "first_outcomes = { admit = 0.25, diagnostic = 0.1, discharge = 0.3, followup = 0.2, treat = 0.2 }: the shares add up to 1.05"),
        ("stage shares", &[("share_followup = 0.30", "share_followup = 0.35")], "share_awaiting_first, share_followup and share_awaiting_admission add up to 1.05: expected a total of 1"),
        // The initial list
        ("counts increase", &[("over_65_weeks = 48967", "over_65_weeks = 409299")], "initial_list.over_65_weeks = 409299: expected at most initial_list.over_52_weeks = 309299"),
        ("count above total", &[("over_18_weeks = 3226102", "over_18_weeks = 9000000")], "initial_list.over_18_weeks = 9000000: expected at most the list total"),
        ("negative count", &[("over_104_weeks = 232", "over_104_weeks = -1")], "initial_list.over_104_weeks = -1: expected a whole number from 0 to 100000000"),
        ("median", &[("median_weeks = 14.9", "median_weeks = 30")], "initial_list.median_weeks = 30: expected from 0 to 18 weeks, where the bands put half the list"),
        ("p92", &[("p92_weeks = 44.7", "p92_weeks = 60")], "initial_list.p92_weeks = 60: expected from 18 to 52 weeks"),
        ("longest wait", &[("longest_wait_weeks = 156", "longest_wait_weeks = 100")], "expected a whole number of weeks from 105 to 520"),
        // Simulation
        ("start mid-month", &[("start = 2024-04-01", "start = 2024-04-02")], "simulation.start = 2024-04-02: expected the first day of a month"),
        ("zero months", &[("months = 12", "months = 0")], "simulation.months = 0: expected a whole number of months from 1 to 120"),
        ("too many months", &[("months = 12", "months = 121")], "simulation.months = 121"),
        ("zero replications", &[("replications = 10", "replications = 0")], "simulation.replications = 0: expected a whole number from 1 to 10000"),
        ("negative seed", &[("seed = 20240401", "seed = -1")], "simulation.seed = -1: expected a whole number from 0 to"),
        ("scale zero", &[("months = 12", "months = 12\nscale = 0")], "simulation.scale = 0: expected a fraction above 0 and at most 1"),
        ("policy", &[("\"priority_then_longest_wait\"", "\"longest_wait_frist\"")], "booking_policy = \"longest_wait_frist\": expected one of \"priority_then_longest_wait\", \"longest_wait_first\", \"first_come_first_served\"; did you mean \"longest_wait_first\"?"),
        ("six weekdays", &[("[1.35, 1.30, 1.25, 1.20, 1.10, 0.45, 0.35]", "[1, 1, 1, 1, 1, 1]")], "expected an array of 7 non-negative numbers (Monday to Sunday), not 6"),
        ("zero weekdays", &[("[1.35, 1.30, 1.25, 1.20, 1.10, 0.45, 0.35]", "[0, 0, 0, 0, 0, 0, 0]")], "with a positive sum"),
        ("negative season", &[("[1.02, 0.98,", "[-1.02, 0.98,")], "referrals.monthly_seasonality[0] = -1.02: expected a number from 0 to 1000000"),
        // Names
        ("scenario name", &[("name = \"base\"", "name = \"a/b\"")], "case.toml:4:1: name = \"a/b\": expected 1 to 64 characters"),
        ("hidden name", &[("name = \"base\"", "name = \".base\"")], "name = \".base\": expected"),
        ("specialty name", &[("[specialties.general_surgery]", "[specialties.General]")], "specialties.General: expected a specialty name of lower-case letters, digits and _"),
        ("no specialties", &[("[specialties.trauma_orthopaedics]", "[x.trauma_orthopaedics]"), ("[specialties.general_surgery]", "[x.general_surgery]")], "missing key `specialties`: expected at least one specialty"),
        // Calendar
        ("unknown specialty in change", &[("specialty = \"trauma_orthopaedics\"", "specialty = \"cardiology\"")], "specialty = \"cardiology\": expected \"all\" or the name of a specialty: \"all\", \"general_surgery\", \"trauma_orthopaedics\""),
        ("add and multiply", &[("add_per_week = 40", "add_per_week = 40\nmultiply = 1.1")], "calendar.changes.extra_theatre_lists.multiply = 1.1: expected either add_per_week or multiply, not both"),
        ("neither add nor multiply", &[("add_per_week = 40\n", "")], "missing key `calendar.changes.extra_theatre_lists.add_per_week`"),
        ("negative multiply", &[("add_per_week = 40", "multiply = -1")], "multiply = -1: expected a factor from 0 to 1000"),
        ("capacity without bound", &[("add_per_week = 40", "multiply = 1000\n[calendar.changes.again]\nfrom = 2024-08-01\nresource = \"theatre_lists\"\nspecialty = \"all\"\nmultiply = 1000")], "calendar.changes.again.multiply = 1000: expected changes that keep theatre_lists at most 10000000 a week in all (with this one they could reach 9000000000 a week, from 9000 before any change)"),
        ("change outside horizon", &[("from = 2024-07-01", "from = 2025-04-01")], "calendar.changes.extra_theatre_lists.from = 2025-04-01: expected a date from 2024-04-01 to 2025-03-31"),
        ("bad resource", &[("resource = \"theatre_lists\"", "resource = \"theatre_list\"")], "resource = \"theatre_list\": expected one of \"clinic_slots\", \"theatre_lists\", \"diagnostic_tests\", \"cancer_treatments\"; did you mean \"theatre_lists\"?"),
        ("change name", &[("[calendar.changes.extra_theatre_lists]", "[calendar.changes.Extra]")], "calendar.changes.Extra: expected a name of lower-case letters"),
        ("shock backwards", &[("to = 2024-07-02", "to = 2024-06-01")], "calendar.shocks.industrial_action.to = 2024-06-01: expected a date on or after from = 2024-06-27"),
        ("shock no resources", &[("resources = [\"clinic_slots\", \"theatre_lists\"]", "resources = []")], "resources = []: expected a non-empty array"),
        ("shock bad resource", &[("resources = [\"clinic_slots\", \"theatre_lists\"]", "resources = [\"clinic_slots\", \"beds\"]")], "resources[1] = \"beds\": expected one of"),
        ("shock share", &[("share_lost = 0.3", "share_lost = 1.3")], "share_lost = 1.3: expected a share from 0 to 1"),
        ("bank holiday", &[("2024-05-06, 2024-05-27", "2024-05-06, \"Whitsun\"")], "calendar.bank_holidays[1] = \"Whitsun\": expected a date like 2024-04-01"),
        ("test on a theatre change", &[("specialty = \"trauma_orthopaedics\"", "specialty = \"trauma_orthopaedics\"\ntest = \"mri\"")], "case.toml:94:1: calendar.changes.extra_theatre_lists.test = \"mri\": expected no `test` with resource = \"theatre_lists\" (`test` is only for \"diagnostic_tests\"; clinic and theatre changes name a `specialty`)"),
        ("unknown test in change", &[("test = \"mri\"", "test = \"pet\"")], "case.toml:107:1: calendar.changes.more_mri.test = \"pet\": expected \"all\" or a test type: \"all\", \"mri\", \"ct\", \"ultrasound\", \"endoscopy\", \"physiological\""),
        ("test typo in change", &[("test = \"mri\"", "test = \"ultrasund\"")], "test = \"ultrasund\": expected \"all\" or a test type: \"all\", \"mri\", \"ct\", \"ultrasound\", \"endoscopy\", \"physiological\"; did you mean \"ultrasound\"?"),
        ("specialty on a diagnostic change", &[("test = \"mri\"", "specialty = \"general_surgery\"")], "calendar.changes.more_mri.specialty = \"general_surgery\": expected no `specialty` with resource = \"diagnostic_tests\""),
        ("diagnostic change without test", &[("test = \"mri\"\n", "")], "case.toml: missing key `calendar.changes.more_mri.test`: expected \"all\" or a test type (\"mri\", \"ct\", \"ultrasound\", \"endoscopy\", \"physiological\")"),
        ("test on a cancer change", &[("resource = \"diagnostic_tests\"", "resource = \"cancer_treatments\"")], "calendar.changes.more_mri.test = \"mri\": expected no `test` with resource = \"cancer_treatments\" (cancer treatment changes apply to all cancer treatments)"),
        ("specialty near miss in change", &[("specialty = \"trauma_orthopaedics\"", "specialty = \"trauma_orthopedics\"")], "did you mean \"trauma_orthopaedics\"?"),
        // Specialties' diagnostic mix
        ("turnaround is gone", &[("followup_interval_weeks = 8\n", "followup_interval_weeks = 8\ndiagnostic_turnaround_weeks = 4\n")], "case.toml:58:1: unknown key `specialties.trauma_orthopaedics.diagnostic_turnaround_weeks` (allowed: referral_share, list_share, priority_shares, first_outcomes, followup_outcomes, followup_interval_weeks, diagnostic_mix,"),
        ("mix not adding up", &[("{ mri = 0.55, ct = 0.15,", "{ mri = 0.45, ct = 0.15,")], "case.toml:58:1: specialties.trauma_orthopaedics.diagnostic_mix = { ct = 0.15, endoscopy = 0.0, mri = 0.45, physiological = 0.05, ultrasound = 0.25 }: the shares add up to 0.9: expected a total of 1"),
        ("mix key missing", &[("endoscopy = 0.00, physiological = 0.05 }", "endoscopy = 0.00 }")], "case.toml: missing key `specialties.trauma_orthopaedics.diagnostic_mix.physiological`: expected a share from 0 to 1"),
        ("mix key typo", &[("{ mri = 0.55, ct = 0.15,", "{ mri = 0.55, cat = 0.15,")], "unknown key `specialties.trauma_orthopaedics.diagnostic_mix.cat`; did you mean `ct`? (allowed: mri, ct, ultrasound, endoscopy, physiological)"),
        ("mix share negative", &[("{ mri = 0.55, ct = 0.15,", "{ mri = 0.75, ct = -0.05,")], "specialties.trauma_orthopaedics.diagnostic_mix.ct = -0.05: expected a share from 0 to 1"),
        // Diagnostics
        ("report days", &[("report_days = 7", "report_days = 0")], "case.toml:111:1: diagnostics.report_days = 0: expected a number of days above 0 and at most 365"),
        (
            "missing test type",
            &[("[diagnostics.tests.ct]\ntests_per_week = 140000\ndirect_requests_per_weekday = 24000\nurgent_share = 0.4\ninitial_waiting = 300000\ninitial_over_6_weeks = 45000\ninitial_longest_weeks = 27\n", "")],
            "case.toml: missing key `diagnostics.tests.ct`: expected a table of tests_per_week, direct_requests_per_weekday, urgent_share, initial_waiting, initial_over_6_weeks and initial_longest_weeks (every test type must be given)",
        ),
        ("unknown test type", &[("[diagnostics.tests.ct]", "[diagnostics.tests.pet]")], "case.toml:121:20: unknown key `diagnostics.tests.pet` (allowed: mri, ct, ultrasound, endoscopy, physiological)"),
        ("unknown test type leaves one missing", &[("[diagnostics.tests.ct]", "[diagnostics.tests.pet]")], "missing key `diagnostics.tests.ct`"),
        ("no test tables", &[("[diagnostics.tests.", "[x."), ("[diagnostics.tests.", "[x."), ("[diagnostics.tests.", "[x."), ("[diagnostics.tests.", "[x."), ("[diagnostics.tests.", "[x.")], "case.toml: missing key `diagnostics.tests`: expected a table for each test type: [diagnostics.tests.mri], [diagnostics.tests.ct],"),
        ("test key typo", &[("tests_per_week = 88000", "test_per_week = 88000")], "case.toml:114:1: unknown key `diagnostics.tests.mri.test_per_week`; did you mean `tests_per_week`?"),
        ("urgent share", &[("urgent_share = 0.3", "urgent_share = 1.5")], "case.toml:116:1: diagnostics.tests.mri.urgent_share = 1.5: expected a share from 0 to 1"),
        ("tests per week", &[("tests_per_week = 88000", "tests_per_week = -88000")], "diagnostics.tests.mri.tests_per_week = -88000: expected a weekly capacity from 0 to 10000000"),
        ("direct requests", &[("direct_requests_per_weekday = 15500", "direct_requests_per_weekday = nan")], "diagnostics.tests.mri.direct_requests_per_weekday = nan: expected a number from 0 to 10000000"),
        ("over 6 weeks above waiting", &[("initial_over_6_weeks = 72000", "initial_over_6_weeks = 400000")], "case.toml:118:1: diagnostics.tests.mri.initial_over_6_weeks = 400000: expected at most diagnostics.tests.mri.initial_waiting = 330000"),
        ("waiting as a fraction", &[("initial_waiting = 330000", "initial_waiting = 330000.5")], "diagnostics.tests.mri.initial_waiting = 330000.5: expected a whole number"),
        ("longest weeks", &[("initial_longest_weeks = 26", "initial_longest_weeks = 3")], "case.toml:119:1: diagnostics.tests.mri.initial_longest_weeks = 3: expected a whole number of weeks from 7 to 520 (more than the 6-week standard)"),
        // Cancer
        ("priority as a string", &[("priority = true", "priority = \"yes\"")], "case.toml:155:1: cancer.priority = \"yes\": expected true or false (without quotes)"),
        ("days mean of 0", &[("diagnosis_days = { mean = 7, sd = 6 }", "diagnosis_days = { mean = 0, sd = 6 }")], "case.toml:156:20: cancer.diagnosis_days.mean = 0: expected a number of days from 0.5 to 365"),
        ("days sd", &[("decision_days = { mean = 12, sd = 8 }", "decision_days = { mean = 12, sd = 400 }")], "cancer.decision_days.sd = 400: expected a number of days from 0 to 365"),
        ("days missing", &[("treatment_lead_days = { mean = 14, sd = 9 }\n", "")], "case.toml: missing key `cancer.treatment_lead_days.mean`: expected a number of days from 0.5 to 365"),
        ("surgery minutes", &[("surgery_minutes = { mean = 150, sd = 60 }", "surgery_minutes = { mean = 0, sd = 60 }")], "cancer.surgery_minutes.mean = 0: expected a number of minutes from 1 to 1440"),
        ("cancer referrals", &[("referrals_per_weekday = 12000", "referrals_per_weekday = -1")], "cancer.referrals_per_weekday = -1: expected a number from 0 to 10000000"),
        ("non-surgical", &[("non_surgical_per_week = 2600", "non_surgical_per_week = inf")], "cancer.non_surgical_per_week = inf: expected a weekly capacity from 0 to 10000000"),
        ("prestart days", &[("prestart_test_days = 10", "prestart_test_days = 400")], "case.toml:162:1: cancer.prestart_test_days = 400: expected a number of days from 0 to 365"),
        ("unknown tumour group specialty", &[("specialty = \"general_surgery\"", "specialty = \"cardiology\"")], "case.toml:167:1: cancer.tumour_groups.lower_gi.specialty = \"cardiology\": expected the name of a specialty: \"general_surgery\", \"trauma_orthopaedics\""),
        ("tumour group specialty typo", &[("specialty = \"general_surgery\"", "specialty = \"general_surgry\"")], "specialty = \"general_surgry\": expected the name of a specialty: \"general_surgery\", \"trauma_orthopaedics\"; did you mean \"general_surgery\"?"),
        ("tumour group shares", &[("referral_share = 0.7", "referral_share = 0.8")], "cancer.tumour_groups.*.referral_share add up to 1.1 (lower_gi 0.8, sarcoma 0.3): expected a total of 1"),
        ("tumour group share range", &[("surgery_share = 0.6", "surgery_share = 1.6")], "case.toml:172:1: cancer.tumour_groups.lower_gi.surgery_share = 1.6: expected a share from 0 to 1"),
        ("test mix not adding up", &[("{ mri = 0.0, ct = 0.3,", "{ mri = 0.1, ct = 0.3,")], "case.toml:170:1: cancer.tumour_groups.lower_gi.test_mix = { ct = 0.3, endoscopy = 0.7, mri = 0.1, physiological = 0.0, ultrasound = 0.0 }: the shares add up to 1.1: expected a total of 1"),
        ("test mix key missing", &[("{ mri = 0.0, ct = 0.3,", "{ ct = 0.3,")], "missing key `cancer.tumour_groups.lower_gi.test_mix.mri`: expected a share from 0 to 1"),
        ("tumour group name", &[("[cancer.tumour_groups.sarcoma]", "[cancer.tumour_groups.Sarcoma]")], "cancer.tumour_groups.Sarcoma: expected a tumour group name of lower-case letters, digits and _"),
        ("tumour group key typo", &[("conversion_rate = 0.03", "convertion_rate = 0.03")], "unknown key `cancer.tumour_groups.lower_gi.convertion_rate`; did you mean `conversion_rate`?"),
        ("no tumour groups", &[("[cancer.tumour_groups.lower_gi]", "[groups.lower_gi]"), ("[cancer.tumour_groups.sarcoma]", "[groups.sarcoma]")], "case.toml: missing key `cancer.tumour_groups`: expected at least one tumour group, a table like [cancer.tumour_groups.lower_gi]"),
        ("tumour group without specialty", &[("specialty = \"general_surgery\"\n", "")], "missing key `cancer.tumour_groups.lower_gi.specialty`: expected the name of a specialty"),
    ];
    let mut failures = Vec::new();
    for (name, edits, expected) in cases {
        let got = problems(&edited(edits));
        if !got.contains(expected) {
            failures.push(format!(
                "{name}:\n  expected: {expected}\n  got:      {}",
                got.replace('\n', "\n            ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn good_variations_load() {
    // A quoted date, `scale`, "all" specialties and `multiply` are all accepted.
    let text = edited(&[
        ("start = 2024-04-01", "start = \"2024-04-01\"\nscale = 0.01"),
        ("specialty = \"trauma_orthopaedics\"", "specialty = \"all\""),
        ("add_per_week = 40", "multiply = 1.1"),
    ]);
    let s = Scenario::from_toml_str(&text, "good.toml").expect("valid");
    assert_eq!(s.name, "base");
    assert_eq!(s.simulation.scale, 0.01);
    assert_eq!(s.calendar.changes[0].specialty, None);
    assert_eq!(s.calendar.changes[0].amount, ChangeAmount::Multiply(1.1));
    assert_eq!(s.simulation.start.to_string(), "2024-04-01");
}

#[test]
fn validation_reports_every_problem_at_once() {
    let text = edited(&[
        ("months = 12", "months = 0"),
        ("dna_rate = 0.07", "dna_rate = \"x\""),
        ("session_minutes = 240", "sesion_minutes = 240"),
        ("turnaround_minutes = 12", "turnaround_minut = 12"),
        ("referral_share = 0.4", "referral_share = 1.4"),
        ("median_weeks = 14.9", "median_weeks = 30"),
        ("seed = 20240401\n", ""),
    ]);
    let err = Scenario::from_toml_str(&text, "many.toml").expect_err("invalid");
    let all = err.to_string();
    for expected in [
        "simulation.months = 0",
        "outpatients.dna_rate = \"x\"",
        "unknown key `theatres.sesion_minutes`",
        "unknown key `theatres.turnaround_minut`",
        "referral_share = 1.4",
        "initial_list.median_weeks = 30",
        "missing key `simulation.seed`",
    ] {
        assert!(all.contains(expected), "no {expected:?} in:\n{all}");
    }
    // One problem per line, and nothing said twice.
    assert_eq!(err.problems.len(), all.lines().count());
    assert!(err.problems.len() >= 7, "{all}");
    // A key with a wrong type is not also reported missing.
    assert!(!all.contains("missing key `outpatients.dna_rate`"), "{all}");
}

#[test]
fn name_defaults_to_the_file_stem() {
    let text = edited(&[("name = \"base\"\n", "")]);
    let s = Scenario::from_toml_str(&text, "dir/winter_plan.toml").expect("valid");
    assert_eq!(s.name, "winter_plan");
    assert_eq!(s.stream_family, "winter_plan");
    assert!(s.resolved_toml().contains("name = \"winter_plan\""));
    let err = Scenario::from_toml_str(&text, "my plan.toml").expect_err("space in name");
    assert!(
        err.to_string()
            .contains("my plan.toml: name = \"my plan\" (from the file name): expected 1 to 64"),
        "{err}"
    );
}

/// Writes files into a new temporary folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("folder");
        }
        fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn a_variant_inherits_and_overrides() {
    let dir = folder(&[
        ("base.toml", &fixture()),
        ("variants/winter.toml", "extends = \"../base.toml\"\n[theatres]\nsession_minutes = 210\n"),
        ("variants/winter_strike.toml", "extends = \"winter.toml\"\nname = \"strike\"\n[simulation]\nmonths = 6\n[calendar.changes.extra_theatre_lists]\nfrom = 2024-08-01\n"),
    ]);
    let winter = Scenario::load(&dir.path().join("variants/winter.toml")).expect("valid");
    assert_eq!(winter.name, "winter");
    assert_eq!(winter.stream_family, "base");
    assert_eq!(winter.theatres.session_minutes, 210.0);
    assert_eq!(winter.theatres.turnaround_minutes, 12.0);
    assert_eq!(winter.simulation.months, 12);
    assert_eq!(winter.specialties.len(), 2);
    let resolved = winter.resolved_toml();
    assert!(resolved.contains("stream_family = \"base\""), "{resolved}");
    assert!(!resolved.contains("extends"), "{resolved}");

    // A variant of a variant: the root's name is still the stream family.
    let strike = Scenario::load(&dir.path().join("variants/winter_strike.toml")).expect("valid");
    assert_eq!(strike.name, "strike");
    assert_eq!(strike.stream_family, "base");
    assert_eq!(strike.theatres.session_minutes, 210.0);
    assert_eq!(strike.simulation.months, 6);
    let change = &strike.calendar.changes[0];
    assert_eq!(change.from.to_string(), "2024-08-01");
    assert_eq!(change.amount, ChangeAmount::AddPerWeek(40.0));
    assert_ne!(strike.hash(), winter.hash());
}

#[test]
fn a_problem_is_reported_in_the_file_that_set_the_key() {
    let bad_base = fixture().replace("dna_rate = 0.07", "dna_rate = 7");
    let dir = folder(&[
        ("base.toml", &bad_base),
        (
            "v.toml",
            "extends = \"base.toml\"\n\n[outpatients]\ndna_rebook_share = 1.5\n",
        ),
    ]);
    let err = Scenario::load(&dir.path().join("v.toml"))
        .expect_err("invalid")
        .to_string();
    assert!(
        err.contains("base.toml:38:1: outpatients.dna_rate = 7: expected a share"),
        "{err}"
    );
    assert!(
        err.contains("v.toml:4:1: outpatients.dna_rebook_share = 1.5"),
        "{err}"
    );

    let dir = folder(&[
        ("base.toml", &fixture().replace("seed = 20240401\n", "")),
        ("v.toml", "extends = \"base.toml\"\n"),
    ]);
    let err = Scenario::load(&dir.path().join("v.toml"))
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("missing key `simulation.seed`"), "{err}");
    assert!(
        err.contains("(files read: ") && err.contains("v.toml, ") && err.contains("base.toml)"),
        "{err}"
    );
}

#[test]
fn extends_cycles_and_missing_parents() {
    let dir = folder(&[
        ("a.toml", "extends = \"b.toml\"\n"),
        ("b.toml", "name = \"b\"\nextends = \"a.toml\"\n"),
    ]);
    let err = Scenario::load(&dir.path().join("a.toml"))
        .expect_err("cycle")
        .to_string();
    assert!(
        err.contains("b.toml:2:1: extends = \"a.toml\" makes a cycle: "),
        "{err}"
    );
    let chain = err.split("makes a cycle: ").nth(1).unwrap_or_default();
    let names: Vec<&str> = chain
        .split(" -> ")
        .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p))
        .collect();
    assert_eq!(names, ["a.toml", "b.toml", "a.toml"], "{err}");

    let dir = folder(&[("self.toml", "extends = \"self.toml\"\n")]);
    let err = Scenario::load(&dir.path().join("self.toml"))
        .expect_err("cycle")
        .to_string();
    assert!(
        err.contains("makes a cycle:") && err.matches("self.toml").count() >= 3,
        "{err}"
    );

    let dir = folder(&[("v.toml", "# a variant\nextends = \"nowhere.toml\"\n")]);
    let err = Scenario::load(&dir.path().join("v.toml"))
        .expect_err("missing")
        .to_string();
    assert!(
        err.contains("v.toml:2:1: extends = \"nowhere.toml\": cannot read "),
        "{err}"
    );
    assert!(err.contains("nowhere.toml"), "{err}");

    let err = Scenario::from_toml_str("extends = 3\n", "x.toml")
        .expect_err("bad type")
        .to_string();
    assert!(
        err.contains("x.toml:1:1: extends = 3: expected a file name in quotes"),
        "{err}"
    );

    let dir = folder(&[
        ("p.toml", "name = \"p\"\n[simulation\n"),
        ("c.toml", "extends = \"p.toml\"\n"),
    ]);
    let err = Scenario::load(&dir.path().join("c.toml"))
        .expect_err("syntax")
        .to_string();
    assert!(err.contains("p.toml:2:12: TOML syntax error"), "{err}");
}

#[test]
fn unreadable_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("latin1.toml");
    fs::write(&path, b"name = \"caf\xe9\"\n").expect("write");
    let err = Scenario::load(&path).expect_err("not UTF-8").to_string();
    assert!(
        err.contains("latin1.toml: not UTF-8 text (first bad byte on line 1)"),
        "{err}"
    );

    let err = Scenario::load(&dir.path().join("absent.toml"))
        .expect_err("absent")
        .to_string();
    assert!(err.contains("absent.toml: cannot read the file"), "{err}");
}

#[test]
fn overrides_are_validated_and_recorded() {
    let base = Scenario::load(&fixture_path()).expect("valid");
    let o = Overrides {
        replications: Some(3),
        seed: Some(7),
        months: Some(9),
        scale: Some(0.5),
    };
    let s = base.with_overrides(&o).expect("valid overrides");
    assert_eq!(
        (
            s.simulation.replications,
            s.simulation.seed,
            s.simulation.months
        ),
        (3, 7, 9)
    );
    assert_eq!(s.simulation.scale, 0.5);
    let resolved = s.resolved_toml();
    for line in ["replications = 3", "seed = 7", "months = 9", "scale = 0.5"] {
        assert!(
            resolved.lines().any(|l| l == line),
            "no {line:?} in\n{resolved}"
        );
    }
    assert_ne!(s.hash(), base.hash());
    // Resolved text loads back to the same scenario.
    let again = Scenario::from_toml_str(&resolved, "again.toml").expect("round trip");
    assert_eq!(again.resolved_toml(), resolved);
    assert_eq!(again.hash(), s.hash());
    assert_eq!(
        base.with_overrides(&Overrides::default())
            .expect("no change")
            .hash(),
        base.hash()
    );

    let bad = Overrides {
        replications: Some(0),
        seed: Some(u64::MAX),
        months: Some(200),
        scale: Some(f64::NAN),
    };
    let err = base
        .with_overrides(&bad)
        .expect_err("bad overrides")
        .to_string();
    for expected in [
        "command line (-r): simulation.replications = 0: expected a whole number from 1 to 10000",
        "command line (-s): simulation.seed = 18446744073709551615: expected a whole number from 0 to 9223372036854775807",
        "command line (--months): simulation.months = 200: expected a whole number of months from 1 to 120",
        "command line (--scale): simulation.scale = nan: expected a fraction above 0 and at most 1",
    ] {
        assert!(err.contains(expected), "no {expected:?} in:\n{err}");
    }
    // A shorter run that leaves a dated change outside the simulated days.
    let err = base
        .with_overrides(&Overrides {
            months: Some(2),
            ..Overrides::default()
        })
        .expect_err("short");
    assert!(
        err.to_string().contains(
            "extra_theatre_lists.from = 2024-07-01: expected a date from 2024-04-01 to 2024-05-31"
        ),
        "{err}"
    );
}

#[test]
fn the_shipped_baseline_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("baseline.toml:\n{e}"));
    assert_eq!(s.name, "baseline");
    assert_eq!(s.stream_family, "baseline");
    assert_eq!(s.simulation.start.to_string(), "2024-04-01");
    assert_eq!(s.simulation.months, 12);
    assert_eq!(s.initial_list.total, 7_538_830);
    assert!(!s.specialties.is_empty());
    let referral: f64 = s.specialties.iter().map(|x| x.referral_share).sum();
    let list: f64 = s.specialties.iter().map(|x| x.list_share).sum();
    assert!((referral - 1.0).abs() < 1e-6 && (list - 1.0).abs() < 1e-6);
    let tests: Vec<TestType> = s.diagnostics.tests.iter().map(|t| t.test).collect();
    assert_eq!(tests, TestType::ALL);
    assert!(s
        .diagnostics
        .tests
        .iter()
        .all(|t| t.tests_per_week > 0.0 && t.initial_waiting > 0));
    let groups: Vec<&str> = s
        .cancer
        .tumour_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(
        groups,
        ["breast", "lower_gi", "lung", "other", "skin", "urology"]
    );
    let lung = &s.cancer.tumour_groups[2];
    assert_eq!(s.specialties[lung.specialty].name, "medical_and_other");
    assert_eq!(lung.test_mix, [0.0, 1.0, 0.0, 0.0, 0.0]);
    for specialty in &s.specialties {
        let sum: f64 = specialty.diagnostic_mix.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6, "{}", specialty.name);
    }
}

#[test]
fn each_problem_is_said_once_on_one_line() {
    // A suggested key is not also reported missing; a bad name is not reported again as the
    // stream family it defaults to; a multi-line parser message becomes one line.
    let err = problems(&edited(&[(
        "session_minutes = 240",
        "sesion_minutes = 240",
    )]));
    assert_eq!(err.lines().count(), 1, "{err}");
    let err = problems(&edited(&[("name = \"base\"", "name = \"a/b\"")]));
    assert_eq!(err.lines().count(), 1, "{err}");
    let err = problems(&edited(&[("months = 12", "months = = 12")]));
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn text_extends_relative_to_the_current_folder() {
    // Integration tests run in the package folder.
    let text =
        "extends = \"tests/fixtures/scenarios/base.toml\"\n[removals]\nmonthly_rate = 0.02\n";
    let s = Scenario::from_toml_str(text, "quick.toml").expect("valid");
    assert_eq!(
        (s.name.as_str(), s.stream_family.as_str()),
        ("quick", "base")
    );
    assert_eq!(s.removals.monthly_rate, 0.02);
    assert_eq!(s.outpatients.dna_rate, 0.07);
}

#[test]
fn too_many_specialties_are_refused_before_anything_runs() {
    // The model keeps a specialty in one byte; the limit is checked, not wrapped around.
    let mut text = fixture();
    for i in 0..200 {
        text.push_str(&format!("\n[specialties.extra_{i}]\nreferral_share = 0\n"));
    }
    let err = problems(&text);
    assert!(
        err.contains("expected at most 200 specialties, not 202"),
        "{err}"
    );
}
