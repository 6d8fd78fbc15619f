//! Simulated time: a point in time (`SimTime`) and a length of time (`SimDuration`) are distinct
//! types, both counted in whole minutes so that ordering is exact and arithmetic never rounds
//! differently on different machines.
//!
//! Time zero is the start of the simulated horizon; negative times are the past (for example the
//! clock starts of patients already on the waiting list when the simulation begins).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Minutes in one day.
pub const MINUTES_PER_DAY: i64 = 24 * 60;

/// A point in simulated time, in minutes from the start of the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(i64);

/// A length of simulated time, in minutes. Never negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(i64);

impl SimTime {
    /// The start of the horizon.
    pub const ZERO: SimTime = SimTime(0);

    pub const fn from_minutes(minutes: i64) -> SimTime {
        SimTime(minutes)
    }

    /// Midnight at the start of simulated day `day` (day 0 is the first simulated day).
    pub const fn start_of_day(day: i64) -> SimTime {
        SimTime(day * MINUTES_PER_DAY)
    }

    pub const fn minutes(self) -> i64 {
        self.0
    }

    /// The simulated day this time falls on (day 0 is the first; the past is negative).
    pub const fn day(self) -> i64 {
        self.0.div_euclid(MINUTES_PER_DAY)
    }

    /// Minutes since midnight of this time's day.
    pub const fn minute_of_day(self) -> i64 {
        self.0.rem_euclid(MINUTES_PER_DAY)
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of whole minutes. Negative input is a bug in the caller.
    pub fn minutes(minutes: i64) -> SimDuration {
        assert!(
            minutes >= 0,
            "a duration cannot be negative: {minutes} minutes"
        );
        SimDuration(minutes)
    }

    /// A duration from fractional minutes, rounded to the nearest minute; NaN and negative
    /// values are rejected because they can only come from a broken distribution.
    pub fn from_minutes_f64(minutes: f64) -> SimDuration {
        assert!(
            minutes.is_finite() && minutes >= 0.0,
            "invalid duration: {minutes} minutes"
        );
        SimDuration(minutes.round() as i64)
    }

    pub fn days(days: i64) -> SimDuration {
        SimDuration::minutes(days * MINUTES_PER_DAY)
    }

    pub fn weeks(weeks: i64) -> SimDuration {
        SimDuration::days(weeks * 7)
    }

    pub const fn as_minutes(self) -> i64 {
        self.0
    }

    /// Whole days completed (a wait of 6 days 23 hours is 6 days).
    pub const fn whole_days(self) -> i64 {
        self.0 / MINUTES_PER_DAY
    }

    pub fn as_days_f64(self) -> f64 {
        self.0 as f64 / MINUTES_PER_DAY as f64
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0 + rhs.0)
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 += rhs.0;
    }
}

impl Sub<SimDuration> for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0 - rhs.0)
    }
}

/// The time elapsed from `rhs` to `self`; `self` must not be earlier than `rhs`.
impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        SimDuration::minutes(self.0 - rhs.0)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0 + rhs.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let minute = self.minute_of_day();
        write!(
            f,
            "day {} {:02}:{:02}",
            self.day(),
            minute / 60,
            minute % 60
        )
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} min", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_plus_duration_and_difference_round_trip() {
        let t = SimTime::start_of_day(3) + SimDuration::minutes(90);
        assert_eq!(t.day(), 3);
        assert_eq!(t.minute_of_day(), 90);
        assert_eq!(t - SimTime::start_of_day(3), SimDuration::minutes(90));
        assert_eq!(SimDuration::weeks(18).whole_days(), 126);
    }

    #[test]
    fn negative_times_fall_on_past_days() {
        let t = SimTime::from_minutes(-1);
        assert_eq!(t.day(), -1);
        assert_eq!(t.minute_of_day(), MINUTES_PER_DAY - 1);
        assert_eq!(t.to_string(), "day -1 23:59");
    }

    #[test]
    #[should_panic(expected = "cannot be negative")]
    fn negative_duration_is_a_bug() {
        let _ = SimDuration::minutes(-5);
    }

    #[test]
    #[should_panic(expected = "invalid duration")]
    fn nan_duration_is_a_bug() {
        let _ = SimDuration::from_minutes_f64(f64::NAN);
    }
}
