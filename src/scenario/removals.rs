//! `[removals]`: pathways leaving the list without treatment, and validation sprints.

use super::levers::read_base;
use crate::config::Checker;

const KEYS: &[&str] = &[
    "monthly_rate",
    "validation_share_per_month",
    "validation_removal_share",
    "validation_after_weeks",
];

#[derive(Clone, Debug)]
pub struct Removals {
    /// Share of the patients on the list removed for reasons other than treatment per month
    /// (validation, no longer needed); 0 to 1.
    pub monthly_rate: f64,
    /// Validation sprints: the share of patients waiting over `validation_after_weeks` weeks
    /// validated each month, and the share of those found no longer to need care and removed.
    /// 0 by default (no sprint).
    pub validation_share_per_month: f64,
    pub validation_removal_share: f64,
    pub validation_after_weeks: u32,
}

pub(super) fn read(c: &mut Checker) -> Option<Removals> {
    const T: &str = "removals";
    c.table(&[T], KEYS);
    // A rate of 1 would remove everyone at once: it is a hazard, not a share to be met.
    let rate = c.f64(&[T, "monthly_rate"]);
    let rate = c.number(
        &[T, "monthly_rate"],
        rate,
        |x| (0.0..1.0).contains(&x),
        "a share from 0 up to (not including) 1",
    );
    // Validation sprints are optional: none unless stated.
    let validated = read_base(c, &[T, "validation_share_per_month"], Some(0.0));
    let removed = c.f64(&[T, "validation_removal_share"]);
    let removed = match removed {
        None => Some(0.0),
        Some(_) => c.share(&[T, "validation_removal_share"], removed),
    };
    let after = c.int(&[T, "validation_after_weeks"]);
    let after = match after {
        None => Some(12),
        Some(_) => c.whole(
            &[T, "validation_after_weeks"],
            after,
            0,
            520,
            "a whole number of weeks from 0 to 520",
        ),
    };
    Some(Removals {
        monthly_rate: rate?,
        validation_share_per_month: validated?,
        validation_removal_share: removed?,
        validation_after_weeks: after? as u32,
    })
}
