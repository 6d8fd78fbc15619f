//! `[theatres]`: session length and the theatre productivity levers' base values.

use super::build::MAX_MINUTES;
use super::levers::read_base;
use crate::config::Checker;

const KEYS: &[&str] = &[
    "session_minutes",
    "late_start_mean_minutes",
    "early_finish_mean_minutes",
    "turnaround_minutes",
    "on_the_day_cancellation_rate",
    "booking_fraction",
];

#[derive(Clone, Debug)]
pub struct Theatres {
    pub session_minutes: f64,
    /// Mean of the exponential late start of a list.
    pub late_start_mean_minutes: f64,
    /// Mean of the exponential early finish: no case starts after planned end minus this.
    pub early_finish_mean_minutes: f64,
    pub turnaround_minutes: f64,
    /// Share of booked cases cancelled on the day (they return to the list).
    pub on_the_day_cancellation_rate: f64,
    /// Lists are booked until expected case and turnaround time reaches this share of the
    /// planned session.
    pub booking_fraction: f64,
}

pub(super) fn read(c: &mut Checker) -> Option<Theatres> {
    const T: &str = "theatres";
    c.table(&[T], KEYS);
    let session = c.f64(&[T, "session_minutes"]);
    let session = c.number(
        &[T, "session_minutes"],
        session,
        |x| (1.0..=MAX_MINUTES).contains(&x),
        "a number of minutes from 1 to 1440",
    );
    let mut lever = |key: &str| read_base(c, &[T, key], None);
    // Every key is read before any `?`, so that each problem is reported.
    let late = lever("late_start_mean_minutes");
    let early = lever("early_finish_mean_minutes");
    let turnaround = lever("turnaround_minutes");
    let cancel = lever("on_the_day_cancellation_rate");
    let booking = lever("booking_fraction");
    Some(Theatres {
        late_start_mean_minutes: late?,
        early_finish_mean_minutes: early?,
        turnaround_minutes: turnaround?,
        on_the_day_cancellation_rate: cancel?,
        booking_fraction: booking?,
        session_minutes: session?,
    })
}
