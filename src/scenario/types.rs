//! The validated scenario: every value here has passed validation, so the model can trust it.
//! Built only by the loader in this module (`Scenario::load`, `Scenario::from_toml_str`); each
//! table's type, keys and checks live in the table's own module.

use super::{
    Calendar, Cancer, Diagnostics, Finance, InitialList, Outpatients, Referrals, Removals,
    Simulation, Specialty, Theatres,
};
use crate::util::date::Date;

/// A complete, validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Safe as a folder name: letters, digits, `-`, `_` and `.` (not first).
    pub name: String,
    pub description: String,
    /// Scenarios with the same stream family draw the same random numbers (common random
    /// numbers). Defaults to the name of the root of the `extends` chain.
    pub stream_family: String,
    pub simulation: Simulation,
    pub initial_list: InitialList,
    pub referrals: Referrals,
    pub removals: Removals,
    pub outpatients: Outpatients,
    pub theatres: Theatres,
    /// At least one; in the order of their names (sorted), which fixes stream order.
    pub specialties: Vec<Specialty>,
    pub calendar: Calendar,
    pub diagnostics: Diagnostics,
    pub cancer: Cancer,
    pub finance: Finance,
    /// The resolved scenario as one TOML table (extends merged, overrides applied): written to
    /// `scenario.toml` in the result folder, and hashed for the manifest.
    pub resolved: toml::Table,
}

impl Scenario {
    /// The last simulated day.
    pub fn end(&self) -> Date {
        self.simulation
            .start
            .first_of_month_after(self.simulation.months)
            .add_days(-1)
    }

    /// Simulated days in the horizon.
    pub fn horizon_days(&self) -> i64 {
        self.end().days_since(self.simulation.start) + 1
    }

    /// The last day of each simulated month, in order.
    pub fn month_ends(&self) -> Vec<Date> {
        (1..=self.simulation.months)
            .map(|m| self.simulation.start.first_of_month_after(m).add_days(-1))
            .collect()
    }
}
