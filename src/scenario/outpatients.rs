//! `[outpatients]`: non-attendance, follow-up slots and the PIFU period.

use super::build::MAX_WEEKS;
use super::levers::read_base;
use crate::config::Checker;

const KEYS: &[&str] = &[
    "dna_rate",
    "dna_rebook_share",
    "followup_slot_cap",
    "pifu_period_weeks",
];

#[derive(Clone, Debug)]
pub struct Outpatients {
    /// Share of booked appointments not attended.
    pub dna_rate: f64,
    /// Share of DNAs rebooked; the rest are discharged (an RTT pathway is then removed).
    pub dna_rebook_share: f64,
    /// Most of a day's clinic slots that follow-ups may take before first appointments are
    /// booked; follow-ups may still use slots that first appointments leave empty.
    pub followup_slot_cap: f64,
    /// Length of a patient-initiated follow-up period.
    pub pifu_period_weeks: f64,
}

pub(super) fn read(c: &mut Checker) -> Option<Outpatients> {
    const T: &str = "outpatients";
    c.table(&[T], KEYS);
    let dna = read_base(c, &[T, "dna_rate"], None);
    let rebook = c.f64(&[T, "dna_rebook_share"]);
    let rebook = c.share(&[T, "dna_rebook_share"], rebook);
    let cap = c.f64(&[T, "followup_slot_cap"]);
    let cap = c.share(&[T, "followup_slot_cap"], cap);
    let pifu = c.f64(&[T, "pifu_period_weeks"]);
    let pifu = c.number(
        &[T, "pifu_period_weeks"],
        pifu,
        |x| x > 0.0 && x <= MAX_WEEKS,
        "a number of weeks above 0 and at most 520",
    );
    Some(Outpatients {
        dna_rate: dna?,
        dna_rebook_share: rebook?,
        followup_slot_cap: cap?,
        pifu_period_weeks: pifu?,
    })
}
