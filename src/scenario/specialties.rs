//! `[specialties.NAME]`: each specialty's referrals, starting list share, outcomes, durations,
//! capacity and its productivity levers' base values.

use super::build::{
    join, mean_and_sd, minutes_from_0, named_tables, rate, MAX_MINUTES, MAX_WEEKS, WEEKLY_CAPACITY,
};
use super::diagnostics::{test_mix, TestType};
use super::levers::read_base;
use crate::config::{is_snake_name, key_path, num, Checker, SUM_TOLERANCE};

const KEYS: &[&str] = &[
    "referral_share",
    "list_share",
    "priority_shares",
    "first_outcomes",
    "followup_outcomes",
    "followup_interval_weeks",
    "diagnostic_mix",
    "post_treatment_followups",
    "followup_procedure_share",
    "pifu_share",
    "pifu_booking_share",
    "daycase_propensity",
    "daycase_minutes",
    "inpatient_minutes",
    "clinic_slots_per_week",
    "theatre_lists_per_week",
    "price_factor",
    "advice_and_guidance_share",
];

const OUTCOME_KEYS: &[&str] = &["discharge", "treat", "followup", "diagnostic", "admit"];

/// What happens after an outpatient attendance of a patient whose clock is running.
/// The shares sum to 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcomes {
    /// Discharged with no treatment needed: a non-admitted clock stop.
    pub discharge: f64,
    /// Treatment starts in outpatients: a non-admitted clock stop, then monitoring follow-ups.
    pub treat: f64,
    /// Another follow-up on the pathway (clock keeps running).
    pub followup: f64,
    /// A diagnostic test, then a follow-up (clock keeps running).
    pub diagnostic: f64,
    /// Decision to admit: joins the admitted list.
    pub admit: f64,
}

/// A lognormal duration given by its mean and standard deviation in minutes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Minutes {
    pub mean: f64,
    pub sd: f64,
}

#[derive(Clone, Debug)]
pub struct Specialty {
    pub name: String,
    /// Share of referrals; across specialties they sum to 1.
    pub referral_share: f64,
    /// Share of the initial waiting list; across specialties they sum to 1.
    pub list_share: f64,
    /// Clinical priority P1..P4 shares; they sum to 1.
    pub priority_shares: [f64; 4],
    pub first_outcomes: Outcomes,
    pub followup_outcomes: Outcomes,
    pub followup_interval_weeks: f64,
    /// Which test a diagnostic outcome asks for: shares by [`TestType`], in `TestType::ALL`
    /// order, summing to 1.
    pub diagnostic_mix: [f64; TestType::COUNT],
    /// Mean number of monitoring follow-ups after treatment (outpatient or admitted).
    pub post_treatment_followups: f64,
    /// Share of follow-up attendances with a procedure.
    pub followup_procedure_share: f64,
    /// Share of monitoring follow-ups replaced by patient-initiated follow-up.
    pub pifu_share: f64,
    /// Share of PIFU patients who ever ask for an appointment.
    pub pifu_booking_share: f64,
    /// Share of admitted cases done as day cases.
    pub daycase_propensity: f64,
    pub daycase_minutes: Minutes,
    pub inpatient_minutes: Minutes,
    pub clinic_slots_per_week: f64,
    pub theatre_lists_per_week: f64,
    /// Multiplies every unit price for this specialty's activity (1 by default).
    pub price_factor: f64,
    /// Share of referrals diverted by advice and guidance: they never start an RTT clock
    /// (0 by default).
    pub advice_and_guidance_share: f64,
}

/// The model keeps a patient's specialty in one byte.
const MAX_SPECIALTIES: usize = 200;

pub(super) fn read(c: &mut Checker) -> Option<Vec<Specialty>> {
    let path = ["specialties"];
    let example = "at least one specialty, a table like [specialties.general_surgery]";
    let names = named_tables(c, &path, example, "specialties", MAX_SPECIALTIES)?;
    let mut list = Vec::new();
    let mut all_ok = true;
    for name in names {
        match specialty(c, &name) {
            Some(s) => list.push(s),
            None => all_ok = false,
        }
    }
    if !all_ok {
        return None;
    }
    for (key, get) in [
        (
            "referral_share",
            (|s: &Specialty| s.referral_share) as fn(&Specialty) -> f64,
        ),
        ("list_share", |s: &Specialty| s.list_share),
    ] {
        let sum: f64 = list.iter().map(get).sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            let each: Vec<String> = list
                .iter()
                .map(|s| format!("{} {}", s.name, num(get(s))))
                .collect();
            let place = c.source.place(&key_path(&path));
            c.problems.push(format!(
                "{place}: specialties.*.{key} add up to {} ({}): expected a total of 1",
                num(sum),
                each.join(", ")
            ));
        }
    }
    Some(list)
}

fn outcomes(c: &mut Checker, path: &[&str]) -> Option<Outcomes> {
    c.table(path, OUTCOME_KEYS);
    if c.is_broken(&key_path(path)) {
        return None;
    }
    let mut share = |k: &'static str| {
        let at = join(path, k);
        let value = c.f64(&at);
        c.share(&at, value)
    };
    let discharge = share("discharge");
    let treat = share("treat");
    let followup = share("followup");
    let diagnostic = share("diagnostic");
    let admit = share("admit");
    let out = Outcomes {
        discharge: discharge?,
        treat: treat?,
        followup: followup?,
        diagnostic: diagnostic?,
        admit: admit?,
    };
    let sum = out.discharge + out.treat + out.followup + out.diagnostic + out.admit;
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        c.sums_to_one(path, sum, "the shares");
        return None;
    }
    Some(out)
}

pub(super) fn minutes(c: &mut Checker, path: &[&str]) -> Option<Minutes> {
    let (mean, sd) = mean_and_sd(
        c,
        path,
        (
            |x| (1.0..=MAX_MINUTES).contains(&x),
            "a number of minutes from 1 to 1440",
        ),
        (minutes_from_0, "a number of minutes from 0 to 1440"),
    )?;
    Some(Minutes { mean, sd })
}

fn specialty(c: &mut Checker, name: &str) -> Option<Specialty> {
    let p = |k: &'static str| -> [&str; 3] { ["specialties", name, k] };
    c.table(&["specialties", name], KEYS);
    let name_ok = is_snake_name(name);
    if !name_ok {
        c.bad_name(
            &["specialties", name],
            "expected a specialty name of lower-case letters, digits and _",
        );
    }
    let share = |c: &mut Checker, k: &'static str| {
        let value = c.f64(&p(k));
        c.share(&p(k), value)
    };
    let referral_share = share(c, "referral_share");
    let list_share = share(c, "list_share");
    let priority_shares = priority_shares(c, &p("priority_shares"));
    let first = outcomes(c, &p("first_outcomes"));
    let followup = outcomes(c, &p("followup_outcomes"));
    let weeks = |x: f64| x > 0.0 && x <= MAX_WEEKS;
    const WEEKS: &str = "a number of weeks above 0 and at most 520";
    let interval = c.f64(&p("followup_interval_weeks"));
    let interval = c.number(&p("followup_interval_weeks"), interval, weeks, WEEKS);
    let diagnostic_mix = test_mix(c, &p("diagnostic_mix"));
    let post = read_base(c, &p("post_treatment_followups"), None);
    let procedure = read_base(c, &p("followup_procedure_share"), None);
    let pifu = read_base(c, &p("pifu_share"), None);
    let pifu_booking = read_base(c, &p("pifu_booking_share"), None);
    let daycase = read_base(c, &p("daycase_propensity"), None);
    let daycase_minutes = minutes(c, &p("daycase_minutes"));
    let inpatient_minutes = minutes(c, &p("inpatient_minutes"));
    let clinic = c.f64(&p("clinic_slots_per_week"));
    let clinic = c.number(&p("clinic_slots_per_week"), clinic, rate, WEEKLY_CAPACITY);
    let lists = c.f64(&p("theatre_lists_per_week"));
    let lists = c.number(&p("theatre_lists_per_week"), lists, rate, WEEKLY_CAPACITY);
    // Optional: prices apply as they are unless a specialty says otherwise.
    let advice = read_base(c, &p("advice_and_guidance_share"), Some(0.0));
    let price_factor = c.f64(&p("price_factor"));
    let price_factor = match price_factor {
        None => Some(1.0),
        Some(_) => c.number(
            &p("price_factor"),
            price_factor,
            |x| (0.0..=100.0).contains(&x),
            "a factor from 0 to 100",
        ),
    };
    if !name_ok {
        return None;
    }
    Some(Specialty {
        name: name.to_string(),
        referral_share: referral_share?,
        list_share: list_share?,
        priority_shares: priority_shares?,
        first_outcomes: first?,
        followup_outcomes: followup?,
        followup_interval_weeks: interval?,
        diagnostic_mix: diagnostic_mix?,
        post_treatment_followups: post?,
        followup_procedure_share: procedure?,
        pifu_share: pifu?,
        pifu_booking_share: pifu_booking?,
        daycase_propensity: daycase?,
        daycase_minutes: daycase_minutes?,
        inpatient_minutes: inpatient_minutes?,
        clinic_slots_per_week: clinic?,
        theatre_lists_per_week: lists?,
        price_factor: price_factor?,
        advice_and_guidance_share: advice?,
    })
}

fn priority_shares(c: &mut Checker, path: &[&str]) -> Option<[f64; 4]> {
    const EXPECTED: &str = "an array of 4 shares for P1 to P4, adding up to 1";
    let raw = c.numbers(path);
    let values = c.required(path, raw, EXPECTED)?;
    let Ok(shares) = <[f64; 4]>::try_from(values.as_slice()) else {
        c.bad(
            path,
            format!("expected {EXPECTED}, not {} values", values.len()),
        );
        return None;
    };
    let mut ok = true;
    for (i, &s) in shares.iter().enumerate() {
        if !(s.is_finite() && (0.0..=1.0).contains(&s)) {
            c.bad_at(path, i, "expected a share from 0 to 1");
            ok = false;
        }
    }
    if ok {
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            c.sums_to_one(path, sum, "the shares");
            ok = false;
        }
    }
    ok.then_some(shares)
}
