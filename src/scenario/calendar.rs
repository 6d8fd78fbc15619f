//! `[calendar]`: bank holidays, dated capacity changes (`[calendar.changes.NAME]`), capacity
//! shocks such as industrial action (`[calendar.shocks.NAME]`) and dated lever changes
//! (`[calendar.levers.NAME]`).

use super::build::{in_horizon, Horizon, MAX_RATE};
use super::diagnostics::TestType;
use super::levers::{read_set, LeverValues, LEVER_KEYS};
use crate::config::{is_snake_name, key_path, quoted_list, suggestion, Checker};
use crate::util::date::Date;

const KEYS: &[&str] = &["bank_holidays", "changes", "shocks", "levers"];
const CHANGE_KEYS: &[&str] = &[
    "from",
    "resource",
    "specialty",
    "test",
    "add_per_week",
    "multiply",
    "premium",
];
const SHOCK_KEYS: &[&str] = &["from", "to", "share_lost", "resources"];

/// A kind of capacity that calendars and changes act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    ClinicSlots,
    TheatreLists,
    /// Diagnostic tests of one or all [`TestType`]s.
    DiagnosticTests,
    /// First non-surgical cancer treatments (chemotherapy, radiotherapy).
    CancerTreatments,
}

impl Resource {
    pub const NAMES: [&'static str; 4] = [
        "clinic_slots",
        "theatre_lists",
        "diagnostic_tests",
        "cancer_treatments",
    ];

    pub fn name(self) -> &'static str {
        match self {
            Resource::ClinicSlots => Self::NAMES[0],
            Resource::TheatreLists => Self::NAMES[1],
            Resource::DiagnosticTests => Self::NAMES[2],
            Resource::CancerTreatments => Self::NAMES[3],
        }
    }

    pub fn from_name(name: &str) -> Option<Resource> {
        match name {
            "clinic_slots" => Some(Resource::ClinicSlots),
            "theatre_lists" => Some(Resource::TheatreLists),
            "diagnostic_tests" => Some(Resource::DiagnosticTests),
            "cancer_treatments" => Some(Resource::CancerTreatments),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChangeAmount {
    /// Adds this much weekly capacity (negative removes), shared between the specialties
    /// affected in proportion to their base capacity.
    AddPerWeek(f64),
    /// Multiplies weekly capacity.
    Multiply(f64),
}

/// A dated step change in capacity, in force from `from` to the end of the run.
#[derive(Clone, Debug)]
pub struct CapacityChange {
    pub name: String,
    pub from: Date,
    pub resource: Resource,
    /// Index into `Scenario::specialties`, or into `TestType::ALL` for diagnostic tests;
    /// `None` for all (and always `None` for cancer treatments).
    pub specialty: Option<usize>,
    pub amount: ChangeAmount,
    /// Capacity bought at premium rates (waiting-list initiatives, insourcing, independent
    /// sector): what it adds costs `finance.premium_rate` times the usual unit cost.
    pub premium: bool,
}

/// Days on which a share of capacity is lost (industrial action, winter pressure).
#[derive(Clone, Debug)]
pub struct CapacityShock {
    pub name: String,
    pub from: Date,
    /// Inclusive.
    pub to: Date,
    /// Share of planned capacity lost on those days, 0 to 1.
    pub share_lost: f64,
    pub resources: Vec<Resource>,
}

/// A dated change to productivity levers (`[calendar.levers.NAME]`), in force from `from` to the
/// end of the run for one specialty or all.
#[derive(Clone, Debug)]
pub struct LeverChange {
    pub name: String,
    pub from: Date,
    /// Index into `Scenario::specialties`; `None` for all.
    pub specialty: Option<usize>,
    pub set: LeverValues,
}

#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// No planned clinics or theatre lists on these days.
    pub bank_holidays: Vec<Date>,
    /// Ordered by name.
    pub changes: Vec<CapacityChange>,
    /// Ordered by name.
    pub shocks: Vec<CapacityShock>,
    /// Ordered by name; applied in date order.
    pub levers: Vec<LeverChange>,
}

fn resource(c: &mut Checker, path: &[&str], index: Option<usize>, name: &str) -> Option<Resource> {
    let resource = Resource::from_name(name);
    if resource.is_none() {
        let what = format!(
            "expected one of {}{}",
            quoted_list(&Resource::NAMES),
            suggestion(name, &Resource::NAMES)
        );
        match index {
            Some(i) => c.bad_at(path, i, what),
            None => c.bad(path, what),
        }
    }
    resource
}

pub(super) fn read(
    c: &mut Checker,
    horizon: Horizon,
    specialties: Option<&[&str]>,
) -> Option<Calendar> {
    c.table(&["calendar"], KEYS);
    // Bank holidays may be any dates (outside the horizon they do nothing); duplicates are fine.
    let bank_holidays = c.dates(&["calendar", "bank_holidays"]).unwrap_or_default();
    let mut ok = true;

    let mut changes = Vec::new();
    for name in c.names(&["calendar", "changes"]).unwrap_or_default() {
        match change(c, &name, horizon, specialties) {
            Some(change) => changes.push(change),
            None => ok = false,
        }
    }
    let mut shocks = Vec::new();
    for name in c.names(&["calendar", "shocks"]).unwrap_or_default() {
        match shock(c, &name, horizon) {
            Some(shock) => shocks.push(shock),
            None => ok = false,
        }
    }
    let mut levers = Vec::new();
    for name in c.names(&["calendar", "levers"]).unwrap_or_default() {
        match lever(c, &name, horizon, specialties) {
            Some(lever) => levers.push(lever),
            None => ok = false,
        }
    }
    ok.then_some(Calendar {
        bank_holidays,
        changes,
        shocks,
        levers,
    })
}

fn check_event_name(c: &mut Checker, kind: &str, name: &str) -> bool {
    let ok = is_snake_name(name);
    if !ok {
        c.bad_name(
            &["calendar", kind, name],
            "expected a name of lower-case letters, digits and _",
        );
    }
    ok
}

fn change(
    c: &mut Checker,
    name: &str,
    horizon: Horizon,
    specialties: Option<&[&str]>,
) -> Option<CapacityChange> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "changes", name, k] };
    c.table(&["calendar", "changes", name], CHANGE_KEYS);
    let name_ok = check_event_name(c, "changes", name);
    let from = c.date(&p("from"));
    let from = c.required_date(&p("from"), from);
    let from = in_horizon(c, &p("from"), from, horizon);
    let expected_resource = format!("one of {}", quoted_list(&Resource::NAMES));
    let raw_resource = c.string(&p("resource"));
    let resource = c
        .required(&p("resource"), raw_resource, &expected_resource)
        .and_then(|r| resource(c, &p("resource"), None, &r));
    let raw = RawTarget {
        specialty: c.string(&p("specialty")),
        test: c.string(&p("test")),
    };
    let target = change_target(c, name, &raw, resource, specialties);
    let add = c.f64(&p("add_per_week"));
    let multiply = c.f64(&p("multiply"));
    let premium = c.bool(&p("premium"));
    let amount = match (add, multiply) {
        (Some(add), None) => c
            .check_number(
                &p("add_per_week"),
                add,
                |x| x.abs() <= MAX_RATE,
                "a weekly amount from -10000000 to 10000000",
            )
            .map(ChangeAmount::AddPerWeek),
        (None, Some(factor)) => c
            .check_number(
                &p("multiply"),
                factor,
                |x| (0.0..=1000.0).contains(&x),
                "a factor from 0 to 1000",
            )
            .map(ChangeAmount::Multiply),
        (Some(_), Some(_)) => {
            c.bad(
                &p("multiply"),
                "expected either add_per_week or multiply, not both",
            );
            None
        }
        (None, None) => {
            let path = key_path(&["calendar", "changes", name, "add_per_week"]);
            if !c.is_broken(&path) && !c.is_broken(&key_path(&p("multiply"))) {
                let problem = c
                    .source
                    .missing(&path, "a weekly amount (or set multiply instead)");
                c.problems.push(problem);
            }
            None
        }
    };
    if !name_ok {
        return None;
    }
    Some(CapacityChange {
        name: name.to_string(),
        from: from?,
        resource: resource?,
        specialty: target?,
        amount: amount?,
        premium: premium.unwrap_or(false),
    })
}

const ALL_SPECIALTIES: &str = "\"all\" or the name of a specialty";
const ALL_TESTS: &str = "\"all\" or a test type";

/// What a change acts on: `specialty` (clinics, theatres) or `test` (diagnostic tests) resolved
/// to an index, `None` inside for all; cancer treatments take neither key.
fn change_target(
    c: &mut Checker,
    name: &str,
    raw: &RawTarget,
    resource: Option<Resource>,
    specialties: Option<&[&str]>,
) -> Option<Option<usize>> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "changes", name, k] };
    let mut ok = true;
    // A key the resource does not take: reported, and the change is not built.
    let mut refuse = |c: &mut Checker, key: &'static str, use_instead: &str| {
        if let (Some(r), true) = (resource, raw_has(raw, key)) {
            c.bad(
                &p(key),
                format!(
                    "expected no `{key}` with resource = \"{}\" ({use_instead})",
                    r.name()
                ),
            );
            ok = false;
        }
    };
    let target = match resource {
        Some(Resource::ClinicSlots | Resource::TheatreLists) => {
            refuse(
                c,
                "test",
                "`test` is only for \"diagnostic_tests\"; clinic and theatre changes name a `specialty`",
            );
            let value = c.required(&p("specialty"), raw.specialty.clone(), ALL_SPECIALTIES);
            value.and_then(|v| specialty_target(c, &p("specialty"), &v, specialties))
        }
        Some(Resource::DiagnosticTests) => {
            refuse(
                c,
                "specialty",
                "diagnostic test changes name a `test`: \"all\" or a test type",
            );
            let expected = format!("{ALL_TESTS} ({})", quoted_list(&TestType::NAMES));
            let value = c.required(&p("test"), raw.test.clone(), &expected);
            value.and_then(|v| test_target(c, &p("test"), &v))
        }
        Some(Resource::CancerTreatments) => {
            let why = "cancer treatment changes apply to all cancer treatments";
            refuse(c, "specialty", why);
            refuse(c, "test", why);
            Some(None)
        }
        // An unknown resource is reported already; check what can be checked.
        None => {
            if let Some(v) = &raw.specialty {
                specialty_target(c, &p("specialty"), v, specialties);
            }
            if let Some(v) = &raw.test {
                test_target(c, &p("test"), v);
            }
            None
        }
    };
    target.filter(|_| ok)
}

/// The keys naming what a change acts on, as given.
struct RawTarget {
    specialty: Option<String>,
    test: Option<String>,
}

fn raw_has(raw: &RawTarget, key: &str) -> bool {
    match key {
        "specialty" => raw.specialty.is_some(),
        "test" => raw.test.is_some(),
        _ => false,
    }
}

/// `"all"` (`Some(None)`) or a specialty's index in the sorted list; `None` if unknown or if
/// the specialties are not valid (reported there).
fn specialty_target(
    c: &mut Checker,
    path: &[&str],
    value: &str,
    specialties: Option<&[&str]>,
) -> Option<Option<usize>> {
    if value == "all" {
        return Some(None);
    }
    let names = specialties?;
    let candidates: Vec<&str> = ["all"].into_iter().chain(names.iter().copied()).collect();
    c.lookup(path, value, &candidates, ALL_SPECIALTIES)
        .map(|i| Some(i - 1))
}

/// `"all"` (`Some(None)`) or the test type's index in `TestType::ALL`.
fn test_target(c: &mut Checker, path: &[&str], value: &str) -> Option<Option<usize>> {
    let candidates: Vec<&str> = ["all"].into_iter().chain(TestType::NAMES).collect();
    c.lookup(path, value, &candidates, ALL_TESTS)
        .map(|i| i.checked_sub(1))
}

fn shock(c: &mut Checker, name: &str, horizon: Horizon) -> Option<CapacityShock> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "shocks", name, k] };
    c.table(&["calendar", "shocks", name], SHOCK_KEYS);
    let name_ok = check_event_name(c, "shocks", name);
    let from = c.date(&p("from"));
    let from = c.required_date(&p("from"), from);
    let from = in_horizon(c, &p("from"), from, horizon);
    let to = c.date(&p("to"));
    let to = c.required_date(&p("to"), to);
    let to = in_horizon(c, &p("to"), to, horizon);
    let to = match (from, to) {
        (Some(from), Some(to)) if to < from => {
            c.bad(
                &p("to"),
                format!("expected a date on or after from = {from}"),
            );
            None
        }
        _ => to,
    };
    let share_lost = c.f64(&p("share_lost"));
    let share_lost = c.share(&p("share_lost"), share_lost);
    let expected = format!("a non-empty array of {}", quoted_list(&Resource::NAMES));
    let names = c.strings(&p("resources"));
    let names = c.required(&p("resources"), names, &expected);
    let resources = names.and_then(|names| {
        if names.is_empty() {
            c.bad(&p("resources"), format!("expected {expected}"));
            return None;
        }
        let mut list = Vec::new();
        let mut ok = true;
        for (i, n) in names.iter().enumerate() {
            match resource(c, &p("resources"), Some(i), n) {
                Some(r) if !list.contains(&r) => list.push(r),
                Some(_) => {}
                None => ok = false,
            }
        }
        ok.then_some(list)
    });
    if !name_ok {
        return None;
    }
    Some(CapacityShock {
        name: name.to_string(),
        from: from?,
        to: to?,
        share_lost: share_lost?,
        resources: resources?,
    })
}

/// A dated lever change: a date in the horizon, `specialty` ("all" or a name), and at least one
/// lever, each in the range of the scenario key it replaces.
fn lever(
    c: &mut Checker,
    name: &str,
    horizon: Horizon,
    specialties: Option<&[&str]>,
) -> Option<LeverChange> {
    let p = |k: &'static str| -> [&str; 4] { ["calendar", "levers", name, k] };
    let keys: Vec<&str> = ["from", "specialty"]
        .into_iter()
        .chain(LEVER_KEYS.iter().copied())
        .collect();
    c.table(&["calendar", "levers", name], &keys);
    let name_ok = check_event_name(c, "levers", name);
    let from = c.date(&p("from"));
    let from = c.required_date(&p("from"), from);
    let from = in_horizon(c, &p("from"), from, horizon);
    let specialty = c.string(&p("specialty"));
    let specialty = c
        .required(&p("specialty"), specialty, ALL_SPECIALTIES)
        .and_then(|v| specialty_target(c, &p("specialty"), &v, specialties));
    let (set, ok) = read_set(c, &["calendar", "levers", name]);
    if set == LeverValues::default() && ok {
        c.bad(
            &["calendar", "levers", name],
            "expected at least one lever to set, such as pifu_share = 0.1",
        );
        return None;
    }
    if !(name_ok && ok) {
        return None;
    }
    Some(LeverChange {
        name: name.to_string(),
        from: from?,
        specialty: specialty?,
        set,
    })
}

/// Refuses changes that would raise a resource's weekly capacity, in all, past what any
/// scenario needs (about fourteen times England's): a typo such as `multiply = 1000` would
/// otherwise make the run spin through billions of sessions. Counted as an upper bound: every
/// addition and every factor above 1, whatever its date and unit.
pub(super) fn check_capacity_bounds(c: &mut Checker, scenario: &super::Scenario) {
    for resource in [
        Resource::ClinicSlots,
        Resource::TheatreLists,
        Resource::DiagnosticTests,
        Resource::CancerTreatments,
    ] {
        let base: f64 = match resource {
            Resource::ClinicSlots => scenario
                .specialties
                .iter()
                .map(|s| s.clinic_slots_per_week)
                .sum(),
            Resource::TheatreLists => scenario
                .specialties
                .iter()
                .map(|s| s.theatre_lists_per_week)
                .sum(),
            Resource::DiagnosticTests => scenario
                .diagnostics
                .tests
                .iter()
                .map(|t| t.tests_per_week)
                .sum(),
            Resource::CancerTreatments => scenario.cancer.non_surgical_per_week,
        };
        let mut weekly = base;
        let mut changes: Vec<&CapacityChange> = scenario
            .calendar
            .changes
            .iter()
            .filter(|change| change.resource == resource)
            .collect();
        changes.sort_by(|a, b| (a.from, &a.name).cmp(&(b.from, &b.name)));
        for change in changes {
            weekly = match change.amount {
                ChangeAmount::AddPerWeek(add) => weekly + add.max(0.0),
                ChangeAmount::Multiply(factor) => weekly * factor.max(1.0),
            };
            if weekly > MAX_RATE {
                let key = match change.amount {
                    ChangeAmount::AddPerWeek(_) => "add_per_week",
                    ChangeAmount::Multiply(_) => "multiply",
                };
                c.bad(
                    &["calendar", "changes", &change.name, key],
                    format!(
                        "expected changes that keep {} at most {} a week in all (with this one \
                         they could reach {:.0} a week, from {:.0} before any change)",
                        resource.name(),
                        MAX_RATE,
                        weekly,
                        base
                    ),
                );
                break;
            }
        }
    }
}
