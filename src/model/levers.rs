//! Productivity levers in force on a day, per specialty: the scenario's values with the dated
//! lever changes (`[calendar.levers.*]`) that have started applied in date order. The model
//! reads every lever from here, so a lever can change on any date without the model knowing.

use crate::scenario::{LeverChange, LeverSet, Scenario};
use crate::util::date::Date;

/// The levers in force for one specialty: one value per lever declared in the scenario.
pub type Productivity = LeverSet<f64>;

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
            .map(|s| scenario.base_levers(s))
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
            *current = scenario.base_levers(specialty);
            let started = self.changes.iter().filter(|c| c.from <= date);
            for change in started.filter(|c| c.specialty.is_none_or(|s| s == specialty)) {
                current.apply(&change.set);
            }
        }
    }
}
