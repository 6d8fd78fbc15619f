//! Capacity calendars: how many clinic slots, theatre lists, diagnostic tests and first
//! non-surgical cancer treatments are planned on a day, after bank holidays, dated step changes
//! and shocks.
//!
//! Clinics, theatres and cancer treatments plan weekly capacity on weekdays (Monday to
//! Friday), a fifth each day; diagnostic tests run seven days a week, a seventh each day. None
//! is planned on bank holidays. Fractional amounts carry over to the next day
//! ([`WholeUnits`]), so a specialty with 7.5 lists a week holds 1 or 2 a day and exactly 7.5 a
//! week on average, with no randomness.

use crate::scenario::{CapacityChange, ChangeAmount, Resource, Scenario};
use crate::util::date::Date;

/// Planned capacity by day, resource and unit (specialty, test type, or the one cancer
/// treatment service).
pub struct CapacityCalendar {
    /// Base weekly capacity `[resource][unit]`, already scaled.
    base: [Vec<f64>; 4],
    changes: Vec<CapacityChange>,
    shocks: Vec<(Date, Date, f64, Vec<Resource>)>,
    bank_holidays: Vec<Date>,
    scale: f64,
}

fn resource_index(resource: Resource) -> usize {
    match resource {
        Resource::ClinicSlots => 0,
        Resource::TheatreLists => 1,
        Resource::DiagnosticTests => 2,
        Resource::CancerTreatments => 3,
    }
}

impl CapacityCalendar {
    pub fn new(scenario: &Scenario) -> Self {
        let scale = scenario.simulation.scale;
        let specialties = &scenario.specialties;
        let clinic = specialties
            .iter()
            .map(|s| s.clinic_slots_per_week * scale)
            .collect();
        let theatre = specialties
            .iter()
            .map(|s| s.theatre_lists_per_week * scale)
            .collect();
        let tests = scenario
            .diagnostics
            .tests
            .iter()
            .map(|t| t.tests_per_week * scale)
            .collect();
        let cancer = vec![scenario.cancer.non_surgical_per_week * scale];
        let mut bank_holidays = scenario.calendar.bank_holidays.clone();
        bank_holidays.sort();
        // Multiplying and adding do not commute: apply in date order (then by name).
        let mut changes = scenario.calendar.changes.clone();
        changes.sort_by(|a, b| (a.from, &a.name).cmp(&(b.from, &b.name)));
        CapacityCalendar {
            base: [clinic, theatre, tests, cancer],
            changes,
            shocks: scenario
                .calendar
                .shocks
                .iter()
                .map(|s| (s.from, s.to, s.share_lost, s.resources.clone()))
                .collect(),
            bank_holidays,
            scale,
        }
    }

    pub fn is_bank_holiday(&self, date: Date) -> bool {
        self.bank_holidays.binary_search(&date).is_ok()
    }

    /// Whether clinics and theatres plan sessions on `date`.
    pub fn is_working_day(&self, date: Date) -> bool {
        !date.weekday().is_weekend() && !self.is_bank_holiday(date)
    }

    /// Weekly capacity of `specialty` (or test type) in force on `date`, after step changes.
    pub fn weekly(&self, date: Date, specialty: usize, resource: Resource) -> f64 {
        self.weekly_split(date, specialty, resource).0
    }

    /// The share of `weekly` bought at premium rates (changes marked `premium`).
    pub fn premium_share(&self, date: Date, specialty: usize, resource: Resource) -> f64 {
        let (weekly, premium) = self.weekly_split(date, specialty, resource);
        if weekly > 0.0 {
            (premium / weekly).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// (weekly capacity, the part of it added by premium changes), changes in date order.
    fn weekly_split(&self, date: Date, specialty: usize, resource: Resource) -> (f64, f64) {
        let base = &self.base[resource_index(resource)];
        let (mut weekly, mut premium) = (base[specialty], 0.0);
        let changes = self
            .changes
            .iter()
            .filter(|c| c.resource == resource && c.from <= date);
        for change in changes.filter(|c| c.specialty.is_none_or(|s| s == specialty)) {
            let before = weekly;
            match change.amount {
                ChangeAmount::Multiply(factor) => {
                    weekly *= factor;
                    premium *= factor;
                }
                ChangeAmount::AddPerWeek(amount) => {
                    let share = match change.specialty {
                        Some(_) => 1.0,
                        None => {
                            let total: f64 = base.iter().sum();
                            if total > 0.0 {
                                base[specialty] / total
                            } else {
                                1.0 / base.len() as f64
                            }
                        }
                    };
                    weekly += amount * self.scale * share;
                }
            }
            if change.premium {
                premium += (weekly - before).max(0.0);
            }
        }
        (weekly.max(0.0), premium.min(weekly.max(0.0)))
    }

    /// Capacity planned on `date` (see the module docs for which days), before shocks.
    pub fn planned(&self, date: Date, unit: usize, resource: Resource) -> f64 {
        let (open, days_a_week) = match resource {
            Resource::DiagnosticTests => (!self.is_bank_holiday(date), 7.0),
            _ => (self.is_working_day(date), 5.0),
        };
        if open {
            self.weekly(date, unit, resource) / days_a_week
        } else {
            0.0
        }
    }

    /// Share of planned capacity lost to shocks on `date`; overlapping shocks take the largest.
    pub fn share_lost(&self, date: Date, resource: Resource) -> f64 {
        self.shocks
            .iter()
            .filter(|(from, to, _, resources)| {
                *from <= date && date <= *to && resources.contains(&resource)
            })
            .map(|&(_, _, share, _)| share)
            .fold(0.0, f64::max)
    }
}

/// Turns a stream of fractional daily amounts into whole units, carrying the remainder.
#[derive(Clone, Copy, Debug, Default)]
pub struct WholeUnits {
    carry: f64,
}

impl WholeUnits {
    pub fn take(&mut self, amount: f64) -> u64 {
        self.carry += amount;
        // The tolerance stops 0.2 added five times from flooring to zero.
        let whole = (self.carry + 1e-9).floor().max(0.0);
        self.carry -= whole;
        whole as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_units_keep_the_long_run_average() {
        let mut units = WholeUnits::default();
        let total: u64 = (0..1000).map(|_| units.take(1.5)).sum();
        assert_eq!(total, 1500);
        let mut fifths = WholeUnits::default();
        let days: Vec<u64> = (0..5).map(|_| fifths.take(0.2)).collect();
        assert_eq!(days, [0, 0, 0, 0, 1]);
    }
}
