//! `[simulation]`: the horizon, replications, seed, scale and booking policy.

use super::build::MAX_REPLICATIONS;
use crate::config::{quoted_list, suggestion, Checker};
use crate::util::date::Date;

const KEYS: &[&str] = &[
    "start",
    "months",
    "replications",
    "seed",
    "scale",
    "booking_policy",
];

#[derive(Clone, Debug)]
pub struct Simulation {
    /// First simulated day; a first of the month.
    pub start: Date,
    /// Simulated months, 1 to 120.
    pub months: u32,
    pub replications: u32,
    pub seed: u64,
    /// Fraction of patients and capacity simulated (0 < scale <= 1); counts are reported
    /// divided by it. Set from `--scale`, 1 by default.
    pub scale: f64,
    pub booking_policy: BookingPolicy,
}

/// Who is booked next from a waiting queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingPolicy {
    /// Clinical priority first (P1 before P2 ...), then the longest RTT wait (treat in turn).
    PriorityThenLongestWait,
    /// The longest RTT wait first, whatever the priority (a long-waiter push).
    LongestWaitFirst,
    /// In order of joining the queue, whatever the priority or the wait so far.
    FirstComeFirstServed,
}

impl BookingPolicy {
    pub const NAMES: [&'static str; 3] = [
        "priority_then_longest_wait",
        "longest_wait_first",
        "first_come_first_served",
    ];

    pub fn name(self) -> &'static str {
        match self {
            BookingPolicy::PriorityThenLongestWait => Self::NAMES[0],
            BookingPolicy::LongestWaitFirst => Self::NAMES[1],
            BookingPolicy::FirstComeFirstServed => Self::NAMES[2],
        }
    }

    pub fn from_name(name: &str) -> Option<BookingPolicy> {
        match name {
            "priority_then_longest_wait" => Some(BookingPolicy::PriorityThenLongestWait),
            "longest_wait_first" => Some(BookingPolicy::LongestWaitFirst),
            "first_come_first_served" => Some(BookingPolicy::FirstComeFirstServed),
            _ => None,
        }
    }
}

pub(super) fn read(c: &mut Checker) -> Option<Simulation> {
    const T: &str = "simulation";
    c.table(&[T], KEYS);
    let start = c.date(&[T, "start"]);
    let start = c.required_date(&[T, "start"], start).filter(|d| {
        let ok = d.ymd().2 == 1;
        if !ok {
            c.bad(
                &[T, "start"],
                "expected the first day of a month, like 2024-04-01",
            );
        }
        ok
    });
    let months = c.int(&[T, "months"]);
    let months = c.whole(
        &[T, "months"],
        months,
        1,
        120,
        "a whole number of months from 1 to 120",
    );
    let replications = c.int(&[T, "replications"]);
    let replications = c.whole(
        &[T, "replications"],
        replications,
        1,
        i64::from(MAX_REPLICATIONS),
        "a whole number from 1 to 10000",
    );
    let seed = c.int(&[T, "seed"]);
    let seed = c.whole(
        &[T, "seed"],
        seed,
        0,
        i64::MAX,
        "a whole number from 0 to 9223372036854775807",
    );
    let raw_scale = c.f64(&[T, "scale"]);
    let scale = match raw_scale {
        None => Some(1.0),
        Some(_) => c.optional_number(
            &[T, "scale"],
            raw_scale,
            |x| x > 0.0 && x <= 1.0,
            "a fraction above 0 and at most 1",
        ),
    };
    let expected_policy = format!("one of {}", quoted_list(&BookingPolicy::NAMES));
    let policy = c.string(&[T, "booking_policy"]);
    let policy = c.required(&[T, "booking_policy"], policy, &expected_policy);
    let booking_policy = policy.and_then(|name| {
        let policy = BookingPolicy::from_name(&name);
        if policy.is_none() {
            c.bad(
                &[T, "booking_policy"],
                format!(
                    "expected {expected_policy}{}",
                    suggestion(&name, &BookingPolicy::NAMES)
                ),
            );
        }
        policy
    });
    Some(Simulation {
        start: start?,
        months: u32::try_from(months?).ok()?,
        replications: u32::try_from(replications?).ok()?,
        seed: u64::try_from(seed?).ok()?,
        scale: scale?,
        booking_policy: booking_policy?,
    })
}
