//! `[diagnostics]`: the test types, their capacity, direct-access demand and starting lists.

use super::build::{join, rate, COUNT, DAILY_RATE, MAX_COUNT, MAX_DAYS, WEEKLY_CAPACITY};
use crate::config::{key_path, Checker, SUM_TOLERANCE};

const TEST_KEYS: &[&str] = &[
    "tests_per_week",
    "direct_requests_per_weekday",
    "urgent_share",
    "initial_waiting",
    "initial_over_6_weeks",
    "initial_longest_weeks",
];

/// The diagnostic modalities plansim models: the 15 DM01 key tests grouped by where they are
/// done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestType {
    Mri,
    Ct,
    /// Non-obstetric ultrasound.
    Ultrasound,
    /// Colonoscopy, flexi-sigmoidoscopy, gastroscopy and cystoscopy.
    Endoscopy,
    /// Physiological measurement: echocardiography, sleep studies, urodynamics, audiology and
    /// the other DM01 physiological tests.
    Physiological,
}

impl TestType {
    pub const COUNT: usize = 5;
    pub const ALL: [TestType; 5] = [
        TestType::Mri,
        TestType::Ct,
        TestType::Ultrasound,
        TestType::Endoscopy,
        TestType::Physiological,
    ];
    pub const NAMES: [&'static str; 5] = ["mri", "ct", "ultrasound", "endoscopy", "physiological"];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Diagnostic capacity and demand (`[diagnostics]`).
#[derive(Clone, Debug)]
pub struct Diagnostics {
    /// Days from a test to its report reaching the clinician who asked for it.
    pub report_days: f64,
    /// One per test type, in `TestType::ALL` order.
    pub tests: Vec<DiagnosticTest>,
}

/// One modality (`[diagnostics.tests.mri]` ...).
#[derive(Clone, Debug)]
pub struct DiagnosticTest {
    pub test: TestType,
    /// Tests a week, done seven days a week (a seventh each day; none on bank holidays).
    pub tests_per_week: f64,
    /// Requests a day from GP direct access and other routes outside the modelled pathways,
    /// on weekdays (Monday to Friday).
    pub direct_requests_per_weekday: f64,
    /// Share of direct requests that are urgent (booked after cancer, before routine).
    pub urgent_share: f64,
    /// The DM01 waiting list for this test on the day before the start, and how many of them
    /// had waited 6 weeks or more.
    pub initial_waiting: u64,
    pub initial_over_6_weeks: u64,
    /// The longest wait on the starting list, in weeks (more than 6).
    pub initial_longest_weeks: u32,
}

pub(super) fn read(c: &mut Checker) -> Option<Diagnostics> {
    c.table(&["diagnostics"], &["report_days", "tests"]);
    let report_days = c.f64(&["diagnostics", "report_days"]);
    let report_days = c.number(
        &["diagnostics", "report_days"],
        report_days,
        |x| x > 0.0 && x <= MAX_DAYS,
        "a number of days above 0 and at most 365",
    );
    let tables: Vec<String> = TestType::NAMES
        .iter()
        .map(|n| format!("[diagnostics.tests.{n}]"))
        .collect();
    let expected = format!("a table for each test type: {}", tables.join(", "));
    let given = c.table(&["diagnostics", "tests"], &TestType::NAMES);
    let given = c.required(&["diagnostics", "tests"], given, &expected);
    let tests = given.and_then(|given| {
        let mut list = Vec::new();
        let mut ok = true;
        for test in TestType::ALL {
            let path = ["diagnostics", "tests", test.name()];
            c.table(&path, TEST_KEYS);
            let present = given.get(test.name()).map(|_| ());
            let present = c.required(
                &path,
                present,
                "a table of tests_per_week, direct_requests_per_weekday, urgent_share, \
                 initial_waiting, initial_over_6_weeks and initial_longest_weeks \
                 (every test type must be given)",
            );
            match present.and_then(|()| diagnostic_test(c, test)) {
                Some(t) => list.push(t),
                None => ok = false,
            }
        }
        ok.then_some(list)
    });
    Some(Diagnostics {
        report_days: report_days?,
        tests: tests?,
    })
}

fn diagnostic_test(c: &mut Checker, test: TestType) -> Option<DiagnosticTest> {
    let name = test.name();
    let p = |k: &'static str| -> [&str; 4] { ["diagnostics", "tests", name, k] };
    if c.is_broken(&key_path(&["diagnostics", "tests", name])) {
        return None;
    }
    let per_week = c.f64(&p("tests_per_week"));
    let per_week = c.number(&p("tests_per_week"), per_week, rate, WEEKLY_CAPACITY);
    let direct = c.f64(&p("direct_requests_per_weekday"));
    let direct = c.number(&p("direct_requests_per_weekday"), direct, rate, DAILY_RATE);
    let urgent = c.f64(&p("urgent_share"));
    let urgent = c.share(&p("urgent_share"), urgent);
    let waiting = c.int(&p("initial_waiting"));
    let waiting = c.whole(&p("initial_waiting"), waiting, 0, MAX_COUNT, COUNT);
    let over = c.int(&p("initial_over_6_weeks"));
    let over = c.whole(&p("initial_over_6_weeks"), over, 0, MAX_COUNT, COUNT);
    let over = over.filter(|&n| match waiting {
        Some(w) if n > w => {
            c.bad(
                &p("initial_over_6_weeks"),
                format!("expected at most diagnostics.tests.{name}.initial_waiting = {w}"),
            );
            false
        }
        _ => true,
    });
    let longest = c.int(&p("initial_longest_weeks"));
    let longest = c.whole(
        &p("initial_longest_weeks"),
        longest,
        7,
        520,
        "a whole number of weeks from 7 to 520 (more than the 6-week standard)",
    );
    Some(DiagnosticTest {
        test,
        tests_per_week: per_week?,
        direct_requests_per_weekday: direct?,
        urgent_share: urgent?,
        initial_waiting: u64::try_from(waiting?).ok()?,
        initial_over_6_weeks: u64::try_from(over?).ok()?,
        initial_longest_weeks: u32::try_from(longest?).ok()?,
    })
}

/// Shares by test type (`diagnostic_mix`, `test_mix`), every type given, adding up to 1; in
/// `TestType::ALL` order.
pub(super) fn test_mix(c: &mut Checker, path: &[&str]) -> Option<[f64; TestType::COUNT]> {
    c.table(path, &TestType::NAMES);
    if c.is_broken(&key_path(path)) {
        return None;
    }
    let mut shares = [0.0; TestType::COUNT];
    let mut ok = true;
    for (name, share) in TestType::NAMES.iter().zip(&mut shares) {
        let key = join(path, name);
        let value = c.f64(&key);
        match c.share(&key, value) {
            Some(v) => *share = v,
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let sum: f64 = shares.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        c.sums_to_one(path, sum, "the shares");
        return None;
    }
    Some(shares)
}
