//! `[referrals]`: RTT clock starts a day, their growth, weekday pattern and seasonality.

use super::build::{weights, MAX_RATE};
use crate::config::Checker;

const KEYS: &[&str] = &[
    "per_day",
    "annual_growth",
    "weekday_weights",
    "monthly_seasonality",
];

#[derive(Clone, Debug)]
pub struct Referrals {
    /// Mean RTT clock starts per calendar day at the start, all specialties together.
    pub per_day: f64,
    /// Growth per year (0.03 is 3%), compounded daily.
    pub annual_growth: f64,
    /// Relative volume Monday..Sunday; normalised to a mean of 1 over the week.
    pub weekday_weights: [f64; 7],
    /// Relative volume January..December; normalised to a mean of 1 over the year.
    pub monthly_seasonality: [f64; 12],
}

pub(super) fn read(c: &mut Checker) -> Option<Referrals> {
    const T: &str = "referrals";
    c.table(&[T], KEYS);
    let per_day = c.f64(&[T, "per_day"]);
    let per_day = c.number(
        &[T, "per_day"],
        per_day,
        |x| (0.0..=MAX_RATE).contains(&x),
        "a number from 0 to 10000000",
    );
    let growth = c.f64(&[T, "annual_growth"]);
    let growth = c.number(
        &[T, "annual_growth"],
        growth,
        |x| (-0.5..=1.0).contains(&x),
        "a yearly growth from -0.5 to 1 (0.03 is 3%)",
    );
    let weekday = weights::<7>(c, &[T, "weekday_weights"], "Monday to Sunday");
    let monthly = weights::<12>(c, &[T, "monthly_seasonality"], "January to December");
    Some(Referrals {
        per_day: per_day?,
        annual_growth: growth?,
        weekday_weights: weekday?,
        monthly_seasonality: monthly?,
    })
}
