//! The productivity levers, each declared once: its key, the table its base value lives in, its
//! allowed range and the words for it. From the one list come the lever set the model reads
//! ([`LeverSet<f64>`]), the values a dated change sets (`[calendar.levers.NAME]`,
//! [`LeverValues`]), the list of lever keys, and the check used both for the base key and for
//! every dated change of it, so the two can never disagree.
//!
//! Adding a lever: a row here, its key in its home table's key list (the base value is read
//! with [`read_base`]), its use in the model, and the shipped scenarios.

use super::build::minutes_from_0;
use super::Scenario;
use crate::config::Checker;

fn share(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}
const SHARE: &str = "a share from 0 to 1";
const MINUTES: &str = "a number of minutes from 0 to 1440";

/// Where a lever's base value is: a specialty's table, or one of the scenario's tables.
macro_rules! lever_home {
    (specialty, $scenario:ident, $specialty:ident, $key:ident) => {
        $scenario.specialties[$specialty].$key
    };
    ($table:ident, $scenario:ident, $specialty:ident, $key:ident) => {
        $scenario.$table.$key
    };
}

macro_rules! levers {
    ($( $(#[doc = $doc:literal])* $key:ident in $home:ident: $ok:expr, $expected:expr; )*) => {
        /// One value per lever: `LeverSet<f64>` is the levers in force, [`LeverValues`] the ones
        /// a dated change sets (`None` leaves a lever as it is).
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct LeverSet<T> {
            $( $(#[doc = $doc])* pub $key: T, )*
        }

        /// The levers a dated change sets; the rest are `None`.
        pub type LeverValues = LeverSet<Option<f64>>;

        impl LeverSet<f64> {
            /// The scenario's own values for `specialty`, before any dated change.
            pub fn base(scenario: &Scenario, specialty: usize) -> LeverSet<f64> {
                LeverSet {
                    $( $key: lever_home!($home, scenario, specialty, $key), )*
                }
            }

            /// Sets every lever that `set` names.
            pub fn apply(&mut self, set: &LeverValues) {
                $( if let Some(value) = set.$key { self.$key = value; } )*
            }
        }

        /// Every lever key, in the order declared.
        pub const LEVER_KEYS: &[&str] = &[ $( stringify!($key), )* ];

        /// A lever's check: the values allowed and the words for them.
        fn rule(key: &str) -> Option<(fn(f64) -> bool, &'static str)> {
            match key {
                $( stringify!($key) => Some(($ok, $expected)), )*
                _ => None,
            }
        }

        /// The levers set in the table at `path` (a dated change), each checked by its rule;
        /// `false` if any was bad (reported).
        pub(super) fn read_set(c: &mut Checker, path: &[&str]) -> (LeverValues, bool) {
            let mut ok = true;
            let set = LeverSet {
                $( $key: read_optional(c, path, stringify!($key), &mut ok), )*
            };
            (set, ok)
        }
    };
}

levers! {
    /// Share of monitoring follow-ups replaced by patient-initiated follow-up.
    pifu_share in specialty: share, SHARE;
    /// Share of PIFU patients who ever ask for an appointment.
    pifu_booking_share in specialty: share, SHARE;
    /// Share of admitted cases done as day cases.
    daycase_propensity in specialty: share, SHARE;
    /// Share of follow-up attendances with a procedure.
    followup_procedure_share in specialty: share, SHARE;
    /// Mean number of monitoring follow-ups after treatment.
    post_treatment_followups in specialty: |x| (0.0..=100.0).contains(&x),
        "a mean number of follow-ups from 0 to 100";
    /// Share of referrals diverted by advice and guidance.
    advice_and_guidance_share in specialty: share, SHARE;
    /// Share of booked appointments not attended.
    dna_rate in outpatients: share, SHARE;
    /// Mean of the exponential late start of a theatre list.
    late_start_mean_minutes in theatres: minutes_from_0, MINUTES;
    /// Mean of the exponential early finish of a theatre list.
    early_finish_mean_minutes in theatres: minutes_from_0, MINUTES;
    /// Minutes between cases.
    turnaround_minutes in theatres: minutes_from_0, MINUTES;
    /// Share of booked cases cancelled on the day.
    on_the_day_cancellation_rate in theatres: share, SHARE;
    /// Share of a session's planned minutes that lists are booked to.
    booking_fraction in theatres: |x| x > 0.0 && x <= 1.0, "a share above 0 and at most 1";
    /// Share of long waiters validated each month.
    validation_share_per_month in removals: share, SHARE;
}

fn lever_rule(key: &str) -> (fn(f64) -> bool, &'static str) {
    rule(key).unwrap_or_else(|| panic!("{key} is not declared as a lever"))
}

fn read_optional(c: &mut Checker, path: &[&str], key: &str, ok: &mut bool) -> Option<f64> {
    let at: Vec<&str> = path.iter().copied().chain([key]).collect();
    let value = c.f64(&at)?;
    let (valid, expected) = lever_rule(key);
    let checked = c.check_number(&at, value, valid, expected);
    *ok &= checked.is_some();
    checked
}

/// A lever's base value in its home table (`path` ends with the lever's key): required, or
/// `default` when left out if there is one.
pub(super) fn read_base(c: &mut Checker, path: &[&str], default: Option<f64>) -> Option<f64> {
    let key = path.last().copied().unwrap_or_default();
    let (valid, expected) = lever_rule(key);
    let value = c.f64(path);
    match (value, default) {
        (None, Some(default)) => Some(default),
        _ => c.number(path, value, valid, expected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lever_has_a_rule_and_a_field() {
        for key in LEVER_KEYS {
            assert!(rule(key).is_some(), "{key}");
        }
        // A set naming one lever changes that lever and no other.
        let mut levers = LeverSet::<f64>::default();
        let set = LeverValues {
            turnaround_minutes: Some(5.0),
            ..LeverValues::default()
        };
        levers.apply(&set);
        assert_eq!(levers.turnaround_minutes, 5.0);
        assert_eq!(
            levers,
            LeverSet {
                turnaround_minutes: 5.0,
                ..LeverSet::default()
            }
        );
    }
}
