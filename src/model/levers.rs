//! Productivity levers in force on a day, per specialty: the scenario's values with the dated
//! lever changes (`[calendar.levers.*]`) that have started applied in date order. The model
//! reads every lever from here, so a lever can change on any date without the model knowing.

use crate::scenario::{LeverChange, LeverValues, Scenario};
use crate::util::date::Date;

/// The levers in force for one specialty.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Productivity {
    pub pifu_share: f64,
    pub pifu_booking_share: f64,
    pub daycase_propensity: f64,
    pub followup_procedure_share: f64,
    pub post_treatment_followups: f64,
    pub advice_and_guidance_share: f64,
    pub dna_rate: f64,
    pub late_start_mean_minutes: f64,
    pub early_finish_mean_minutes: f64,
    pub turnaround_minutes: f64,
    pub on_the_day_cancellation_rate: f64,
    pub booking_fraction: f64,
    pub validation_share_per_month: f64,
}

impl Productivity {
    /// The scenario's own values for `specialty`, before any dated change.
    fn base(scenario: &Scenario, specialty: usize) -> Productivity {
        let spec = &scenario.specialties[specialty];
        let theatres = &scenario.theatres;
        Productivity {
            pifu_share: spec.pifu_share,
            pifu_booking_share: spec.pifu_booking_share,
            daycase_propensity: spec.daycase_propensity,
            followup_procedure_share: spec.followup_procedure_share,
            post_treatment_followups: spec.post_treatment_followups,
            advice_and_guidance_share: spec.advice_and_guidance_share,
            dna_rate: scenario.outpatients.dna_rate,
            late_start_mean_minutes: theatres.late_start_mean_minutes,
            early_finish_mean_minutes: theatres.early_finish_mean_minutes,
            turnaround_minutes: theatres.turnaround_minutes,
            on_the_day_cancellation_rate: theatres.on_the_day_cancellation_rate,
            booking_fraction: theatres.booking_fraction,
            validation_share_per_month: scenario.removals.validation_share_per_month,
        }
    }

    fn apply(&mut self, set: &LeverValues) {
        let pairs = [
            (&mut self.pifu_share, set.pifu_share),
            (&mut self.pifu_booking_share, set.pifu_booking_share),
            (&mut self.daycase_propensity, set.daycase_propensity),
            (
                &mut self.followup_procedure_share,
                set.followup_procedure_share,
            ),
            (
                &mut self.post_treatment_followups,
                set.post_treatment_followups,
            ),
            (
                &mut self.advice_and_guidance_share,
                set.advice_and_guidance_share,
            ),
            (&mut self.dna_rate, set.dna_rate),
            (
                &mut self.late_start_mean_minutes,
                set.late_start_mean_minutes,
            ),
            (
                &mut self.early_finish_mean_minutes,
                set.early_finish_mean_minutes,
            ),
            (&mut self.turnaround_minutes, set.turnaround_minutes),
            (
                &mut self.on_the_day_cancellation_rate,
                set.on_the_day_cancellation_rate,
            ),
            (&mut self.booking_fraction, set.booking_fraction),
            (
                &mut self.validation_share_per_month,
                set.validation_share_per_month,
            ),
        ];
        for (lever, value) in pairs {
            if let Some(value) = value {
                *lever = value;
            }
        }
    }
}

/// Every specialty's levers, kept current day by day.
pub struct Levers {
    /// Lever changes in date order (then by name).
    changes: Vec<LeverChange>,
    pub current: Vec<Productivity>,
}

impl Levers {
    pub fn new(scenario: &Scenario) -> Levers {
        let mut changes = scenario.calendar.levers.clone();
        changes.sort_by(|a, b| (a.from, &a.name).cmp(&(b.from, &b.name)));
        let current = (0..scenario.specialties.len())
            .map(|s| Productivity::base(scenario, s))
            .collect();
        let mut levers = Levers { changes, current };
        // In force from the first day, so that the starting list sees them too.
        levers.update(scenario, scenario.simulation.start);
        levers
    }

    /// Brings the levers up to `date`: the base values with every change from on or before it.
    pub fn update(&mut self, scenario: &Scenario, date: Date) {
        if !self.changes.iter().any(|c| c.from == date) && date != scenario.simulation.start {
            return;
        }
        for (specialty, current) in self.current.iter_mut().enumerate() {
            *current = Productivity::base(scenario, specialty);
            let started = self.changes.iter().filter(|c| c.from <= date);
            for change in started.filter(|c| c.specialty.is_none_or(|s| s == specialty)) {
                current.apply(&change.set);
            }
        }
    }
}
