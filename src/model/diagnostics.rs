//! The seam where diagnostics plug in. A test requested at an outpatient appointment currently
//! returns its result after the specialty's fixed turnaround, with no capacity limit; the
//! patient then joins the follow-up queue to act on it. Modelling scanners, endoscopy lists and
//! the 6-week standard replaces the body of [`Hospital::request_diagnostic`] with a booking
//! queue per test type, and calls [`DueKind::DiagnosticResult`]'s handling when a test is done.

use super::patient::{PatientRef, Stage};
use super::{Due, DueKind, Hospital};

impl Hospital<'_> {
    pub(super) fn request_diagnostic(&mut self, at: PatientRef, day: i64) {
        self.tally.diagnostic_requests += 1;
        self.set_stage(at, Stage::AwaitingDiagnostic);
        let specialty = self.patients.current(at).specialty as usize;
        let turnaround = self.specialties[specialty].diagnostic_turnaround_days;
        self.agenda.add(
            day + turnaround,
            Due {
                patient: at,
                what: DueKind::DiagnosticResult,
            },
        );
    }
}
