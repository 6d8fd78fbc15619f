//! The shipped calendars against their published source: the baseline's bank holidays are
//! exactly those of England and Wales (gov.uk) from its start to the end of 2026, as listed in
//! `data/calibration/bank_holidays_england_wales_2022_2026.csv`.

use std::fs;
use std::path::Path;

use plansim::scenario::Scenario;
use plansim::util::date::Date;

fn published_bank_holidays() -> Vec<(Date, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/calibration/bank_holidays_england_wales_2022_2026.csv");
    let text = fs::read_to_string(&path).expect("the published calendar is shipped");
    text.lines()
        .skip(1)
        .map(|line| {
            let mut fields = line.split(',');
            let date = Date::parse(fields.next().unwrap()).expect("an ISO date");
            let weekday = fields.next().unwrap().to_string();
            (date, weekday)
        })
        .collect()
}

#[test]
fn the_baseline_has_every_published_bank_holiday_from_its_start_to_2026() {
    let published = published_bank_holidays();
    // The list itself: each date falls on the weekday it is published with.
    for (date, weekday) in &published {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        assert_eq!(names[date.weekday() as usize], weekday, "{date}");
    }
    let baseline =
        Scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml"))
            .expect("the baseline loads");
    let start = baseline.simulation.start;
    let end = Date::parse("2026-12-31").unwrap();
    let expected: Vec<Date> = published
        .iter()
        .map(|(d, _)| *d)
        .filter(|d| *d >= start && *d <= end)
        .collect();
    assert_eq!(baseline.calendar.bank_holidays, expected);
    // Easter Monday 2024 is the first simulated day: a bank holiday, with no planned clinics.
    assert_eq!(expected.first(), Some(&start));
}
