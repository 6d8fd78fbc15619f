//! `[cancer]`: urgent suspected-cancer pathways, their timings, treatment capacity and the
//! tumour groups (`[cancer.tumour_groups.NAME]`).

use super::build::{mean_and_sd, named_tables, rate, DAILY_RATE, MAX_DAYS, WEEKLY_CAPACITY};
use super::diagnostics::{test_mix, TestType};
use super::specialties::{minutes, Minutes};
use crate::config::{is_snake_name, key_path, num, Checker, SUM_TOLERANCE};

const KEYS: &[&str] = &[
    "referrals_per_weekday",
    "priority",
    "diagnosis_days",
    "decision_days",
    "treatment_lead_days",
    "surgery_minutes",
    "non_surgical_per_week",
    "prestart_first_appointment_days",
    "prestart_test_days",
    "prestart_treatment_days",
    "tumour_groups",
];

const GROUP_KEYS: &[&str] = &[
    "referral_share",
    "specialty",
    "test_share",
    "second_test_share",
    "test_mix",
    "conversion_rate",
    "surgery_share",
];

/// A lognormal number of days given by its mean and standard deviation (fixed if sd is 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Days {
    pub mean: f64,
    pub sd: f64,
}

/// Urgent suspected-cancer pathways (`[cancer]`).
#[derive(Clone, Debug)]
pub struct Cancer {
    /// Urgent suspected-cancer referrals per weekday (Monday to Friday), all tumour groups;
    /// they grow with `referrals.annual_growth`.
    pub referrals_per_weekday: f64,
    /// Whether cancer patients go ahead of elective patients for diagnostic tests, theatre lists
    /// and treatment. Turned off, they queue there like elective patients (priority 2, by
    /// referral date). Their first appointment is booked first either way: the referral is
    /// urgent.
    pub priority: bool,
    /// From the last test (or the first appointment if no test) to being told the diagnosis
    /// or that cancer is ruled out.
    pub diagnosis_days: Days,
    /// From diagnosis to the decision to treat (staging, multidisciplinary team).
    pub decision_days: Days,
    /// From the decision to treat to being ready for treatment (pre-operative assessment,
    /// treatment planning); the patient then waits for capacity.
    pub treatment_lead_days: Days,
    pub surgery_minutes: Minutes,
    /// First non-surgical treatments a week (planned Monday to Friday).
    pub non_surgical_per_week: f64,
    /// Mean waits assumed for steps taken before the start, to build the pathways in progress
    /// on the first day (the starting PTL): first appointment, each test, treatment.
    pub prestart_first_appointment_days: f64,
    pub prestart_test_days: f64,
    pub prestart_treatment_days: f64,
    /// At least one; ordered by name.
    pub tumour_groups: Vec<TumourGroup>,
}

/// One tumour group (`[cancer.tumour_groups.lower_gi]` ...).
#[derive(Clone, Debug)]
pub struct TumourGroup {
    pub name: String,
    /// Share of urgent referrals; across tumour groups they sum to 1.
    pub referral_share: f64,
    /// Index into `Scenario::specialties`: whose clinics and theatres the group uses.
    pub specialty: usize,
    /// Share needing a diagnostic test after the first appointment, and the share of those
    /// needing a second test.
    pub test_share: f64,
    pub second_test_share: f64,
    /// Which test: shares by [`TestType`], in `TestType::ALL` order, summing to 1.
    pub test_mix: [f64; TestType::COUNT],
    /// Share of referrals diagnosed with cancer.
    pub conversion_rate: f64,
    /// Share of those whose first treatment is surgery (the rest are treated non-surgically).
    pub surgery_share: f64,
}

fn days(c: &mut Checker, path: &[&str]) -> Option<Days> {
    let (mean, sd) = mean_and_sd(
        c,
        path,
        (
            |x| (0.5..=MAX_DAYS).contains(&x),
            "a number of days from 0.5 to 365",
        ),
        (
            |x| (0.0..=MAX_DAYS).contains(&x),
            "a number of days from 0 to 365",
        ),
    )?;
    Some(Days { mean, sd })
}

pub(super) fn read(c: &mut Checker, specialties: Option<&[&str]>) -> Option<Cancer> {
    let p = |k: &'static str| -> [&str; 2] { ["cancer", k] };
    c.table(&["cancer"], KEYS);
    let referrals = c.f64(&p("referrals_per_weekday"));
    let referrals = c.number(&p("referrals_per_weekday"), referrals, rate, DAILY_RATE);
    let priority = c.bool(&p("priority"));
    let priority = c.required(&p("priority"), priority, "true or false");
    let diagnosis = days(c, &p("diagnosis_days"));
    let decision = days(c, &p("decision_days"));
    let lead = days(c, &p("treatment_lead_days"));
    let surgery = minutes(c, &p("surgery_minutes"));
    let non_surgical = c.f64(&p("non_surgical_per_week"));
    let non_surgical = c.number(
        &p("non_surgical_per_week"),
        non_surgical,
        rate,
        WEEKLY_CAPACITY,
    );
    let prestart = |c: &mut Checker, key: &'static str| {
        let value = c.f64(&p(key));
        c.number(
            &p(key),
            value,
            |x| (0.0..=MAX_DAYS).contains(&x),
            "a number of days from 0 to 365",
        )
    };
    let first = prestart(c, "prestart_first_appointment_days");
    let test = prestart(c, "prestart_test_days");
    let treatment = prestart(c, "prestart_treatment_days");
    let groups = tumour_groups(c, specialties);
    Some(Cancer {
        referrals_per_weekday: referrals?,
        priority: priority?,
        diagnosis_days: diagnosis?,
        decision_days: decision?,
        treatment_lead_days: lead?,
        surgery_minutes: surgery?,
        non_surgical_per_week: non_surgical?,
        prestart_first_appointment_days: first?,
        prestart_test_days: test?,
        prestart_treatment_days: treatment?,
        tumour_groups: groups?,
    })
}

/// Tumour groups appear in output columns; more than this is a mistake.
const MAX_TUMOUR_GROUPS: usize = 50;

fn tumour_groups(c: &mut Checker, specialties: Option<&[&str]>) -> Option<Vec<TumourGroup>> {
    let path = ["cancer", "tumour_groups"];
    let example = "at least one tumour group, a table like [cancer.tumour_groups.lower_gi]";
    let names = named_tables(c, &path, example, "tumour groups", MAX_TUMOUR_GROUPS)?;
    let mut list = Vec::new();
    let mut all_ok = true;
    for name in names {
        match tumour_group(c, &name, specialties) {
            Some(g) => list.push(g),
            None => all_ok = false,
        }
    }
    if !all_ok {
        return None;
    }
    let sum: f64 = list.iter().map(|g| g.referral_share).sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        let each: Vec<String> = list
            .iter()
            .map(|g| format!("{} {}", g.name, num(g.referral_share)))
            .collect();
        let place = c.source.place(&key_path(&path));
        c.problems.push(format!(
            "{place}: cancer.tumour_groups.*.referral_share add up to {} ({}): expected a total of 1",
            num(sum),
            each.join(", ")
        ));
        return None;
    }
    Some(list)
}

fn tumour_group(c: &mut Checker, name: &str, specialties: Option<&[&str]>) -> Option<TumourGroup> {
    let p = |k: &'static str| -> [&str; 4] { ["cancer", "tumour_groups", name, k] };
    c.table(&["cancer", "tumour_groups", name], GROUP_KEYS);
    let name_ok = is_snake_name(name);
    if !name_ok {
        c.bad_name(
            &["cancer", "tumour_groups", name],
            "expected a tumour group name of lower-case letters, digits and _",
        );
    }
    let share = |c: &mut Checker, k: &'static str| {
        let value = c.f64(&p(k));
        c.share(&p(k), value)
    };
    let referral_share = share(c, "referral_share");
    const SPECIALTY: &str = "the name of a specialty";
    let specialty = c.string(&p("specialty"));
    let specialty = c
        .required(&p("specialty"), specialty, SPECIALTY)
        .and_then(|s| {
            let names = specialties?;
            c.lookup(&p("specialty"), &s, names, SPECIALTY)
        });
    let test_share = share(c, "test_share");
    let second_test_share = share(c, "second_test_share");
    let mix = test_mix(c, &p("test_mix"));
    let conversion = share(c, "conversion_rate");
    let surgery = share(c, "surgery_share");
    if !name_ok {
        return None;
    }
    Some(TumourGroup {
        name: name.to_string(),
        referral_share: referral_share?,
        specialty: specialty?,
        test_share: test_share?,
        second_test_share: second_test_share?,
        test_mix: mix?,
        conversion_rate: conversion?,
        surgery_share: surgery?,
    })
}
