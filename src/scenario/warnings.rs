//! Warnings about scenarios that are legal but probably not meant: zero capacity is allowed
//! (it models a service that has stopped), but its queue then grows without bound.

use super::{ChangeAmount, Resource, Scenario, TestType};

impl Scenario {
    /// One line per resource with no capacity at all, naming the scenario and the key.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        // A change adds capacity to a zero base only when it names the unit: one for "all" is
        // shared in proportion to base capacity, and multiplying zero gives zero.
        let added = |resource: Resource, unit: usize| {
            self.calendar.changes.iter().any(|c| {
                c.resource == resource
                    && c.specialty == Some(unit)
                    && matches!(c.amount, ChangeAmount::AddPerWeek(x) if x > 0.0)
            })
        };
        let mut warn = |key: String, what: &str| {
            warnings.push(format!(
                "scenario {}: {key} = 0: no {what}, so its waiting list grows without bound \
                 (allowed, but check that it is meant)",
                self.name
            ));
        };
        for (i, s) in self.specialties.iter().enumerate() {
            if s.clinic_slots_per_week == 0.0 && !added(Resource::ClinicSlots, i) {
                warn(
                    format!("specialties.{}.clinic_slots_per_week", s.name),
                    "clinic capacity",
                );
            }
            let admits = s.first_outcomes.admit > 0.0 || s.followup_outcomes.admit > 0.0;
            if admits && s.theatre_lists_per_week == 0.0 && !added(Resource::TheatreLists, i) {
                warn(
                    format!("specialties.{}.theatre_lists_per_week", s.name),
                    "theatre capacity",
                );
            }
        }
        for t in &self.diagnostics.tests {
            if t.tests_per_week == 0.0 && !added(Resource::DiagnosticTests, t.test.index()) {
                warn(
                    format!(
                        "diagnostics.tests.{}.tests_per_week",
                        TestType::name(t.test)
                    ),
                    "test capacity",
                );
            }
        }
        let non_surgical = self
            .cancer
            .tumour_groups
            .iter()
            .any(|g| g.surgery_share < 1.0);
        let cancer_added = self.calendar.changes.iter().any(|c| {
            c.resource == Resource::CancerTreatments
                && matches!(c.amount, ChangeAmount::AddPerWeek(x) if x > 0.0)
        });
        if non_surgical && self.cancer.non_surgical_per_week == 0.0 && !cancer_added {
            warn(
                "cancer.non_surgical_per_week".to_string(),
                "non-surgical treatment capacity",
            );
        }
        warnings
    }
}
