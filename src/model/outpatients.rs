//! Outpatient clinics: first appointments and follow-ups share each specialty's clinic slots;
//! DNAs are rebooked or discharged; attendances end in discharge, treatment, another follow-up,
//! a diagnostic test or a decision to admit; after treatment, monitoring follow-ups, some of
//! them replaced by patient-initiated follow-up (PIFU).

use super::booking::QueueKind;
use super::draws::{self, AtContact, Once, Outcome};
use super::patient::{patient_day, Pathway, PatientRef, Stage, WARM_BATCH};
use super::{Due, DueKind, Hospital, Money};
use crate::scenario::Resource;

/// Which queue an appointment is booked from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Appointment {
    First,
    FollowUp,
}

impl Appointment {
    fn queue(self) -> QueueKind {
        match self {
            Appointment::First => QueueKind::FirstAppointment,
            Appointment::FollowUp => QueueKind::FollowUp,
        }
    }
}

impl Hospital<'_> {
    pub(super) fn run_clinics(&mut self, day: i64) {
        let date = self.date(day);
        let share_lost = self.capacity.share_lost(date, Resource::ClinicSlots);
        let followup_cap = self.scenario.outpatients.followup_slot_cap;
        let mut rebook = Vec::new();
        for specialty in 0..self.scenario.specialties.len() {
            let planned = self.clinic_slots[specialty].take(self.capacity.planned(
                date,
                specialty,
                Resource::ClinicSlots,
            ));
            let lost = self.clinic_slots_lost[specialty]
                .take(planned as f64 * share_lost)
                .min(planned);
            let slots = planned - lost;
            if slots == 0 {
                continue;
            }
            // Due follow-ups first, up to the cap; then first appointments; then any follow-ups
            // still waiting take the slots first appointments left empty.
            let cap = (slots as f64 * followup_cap).floor() as u64;
            let mut used =
                self.book_clinic(specialty, Appointment::FollowUp, cap, day, &mut rebook);
            used += self.book_clinic(
                specialty,
                Appointment::First,
                slots - used,
                day,
                &mut rebook,
            );
            used += self.book_clinic(
                specialty,
                Appointment::FollowUp,
                slots - used,
                day,
                &mut rebook,
            );
            self.tally.clinic_slots += slots;
            let premium = self
                .capacity
                .premium_share(date, specialty, Resource::ClinicSlots);
            self.cost_capacity(Money::ClinicCost, slots as f64, premium);
            self.tally.clinic_slots_unused += slots - used;
            // Rebooked DNAs rejoin after the day's clinics, so they are not booked twice today.
            for (at, appointment) in rebook.drain(..) {
                let patient = self.patients.current(at);
                patient.queued_day = patient_day(day);
                self.enqueue(at, appointment.queue());
            }
        }
    }

    /// Books up to `limit` patients from one of a specialty's queues; returns the slots used.
    fn book_clinic(
        &mut self,
        specialty: usize,
        appointment: Appointment,
        limit: u64,
        day: i64,
        rebook: &mut Vec<(PatientRef, Appointment)>,
    ) -> u64 {
        let mut used = 0;
        while used < limit {
            let queue = match appointment {
                Appointment::First => &mut self.first_queues[specialty],
                Appointment::FollowUp => &mut self.followup_queues[specialty],
            };
            let patients = &self.patients;
            if used % WARM_BATCH as u64 == 0 {
                patients.warm(queue.front((limit - used).min(WARM_BATCH as u64) as usize));
            }
            let Some(at) = queue.pop(|at, stage| Self::is_waiting(patients, at, stage)) else {
                break;
            };
            used += 1;
            self.attend(at, appointment, day, rebook);
        }
        used
    }

    fn attend(
        &mut self,
        at: PatientRef,
        appointment: Appointment,
        day: i64,
        rebook: &mut Vec<(PatientRef, Appointment)>,
    ) {
        self.handled += 1;
        let patient = self.patients.current(at);
        patient.contacts = patient.contacts.saturating_add(1);
        let (serial, contact, specialty, clock_running, patient_pathway) = (
            patient.serial,
            patient.contacts,
            patient.specialty as usize,
            patient.clock_running,
            patient.pathway,
        );
        // Copies, so the draws and the scenario stay usable while the tallies change.
        let routing = self.routing;
        let draw = |decision| routing.uniform(serial, draws::at_contact(contact, decision));
        let scenario = self.scenario;
        let outpatients = &scenario.outpatients;
        let spec = &scenario.specialties[specialty];

        if patient_pathway == Pathway::Cancer {
            // Urgent cancer appointments are assumed attended: DNAs are rebooked within days.
            self.tally.first_attendances += 1;
            self.value_activity(Money::FirstAttendance, Some(specialty));
            self.cancer_after_first_appointment(at, day);
            return;
        }
        let levers = self.levers.current[specialty];
        if draw(AtContact::Dna) < levers.dna_rate {
            self.tally.dna += 1;
            if draw(AtContact::DnaRebooked) < outpatients.dna_rebook_share {
                rebook.push((at, appointment));
            } else {
                // Discharged after a DNA: the pathway is removed, not completed by treatment.
                if clock_running {
                    self.tally.removals += 1;
                    self.stop_clock(at);
                }
                self.leave(at);
            }
            return;
        }
        match appointment {
            Appointment::First => {
                self.tally.first_attendances += 1;
                self.value_activity(Money::FirstAttendance, Some(specialty));
                let outcome = draws::outcome(draw(AtContact::Outcome), &spec.first_outcomes);
                self.after_attendance(at, outcome, day);
            }
            Appointment::FollowUp => {
                self.tally.followup_attendances += 1;
                if draw(AtContact::Procedure) < levers.followup_procedure_share {
                    self.tally.followups_with_procedure += 1;
                    self.value_activity(Money::OutpatientProcedure, Some(specialty));
                } else {
                    self.value_activity(Money::FollowupAttendance, Some(specialty));
                }
                if clock_running {
                    let outcome = draws::outcome(draw(AtContact::Outcome), &spec.followup_outcomes);
                    self.after_attendance(at, outcome, day);
                } else {
                    let patient = self.patients.current(at);
                    patient.monitoring_left = patient.monitoring_left.saturating_sub(1);
                    self.next_monitoring(at, day, true);
                }
            }
        }
    }

    /// What an attendance on a running clock leads to.
    fn after_attendance(&mut self, at: PatientRef, outcome: Outcome, day: i64) {
        match outcome {
            Outcome::Discharge => {
                self.tally.stops_nonadmitted += 1;
                self.stop_clock(at);
                self.leave(at);
            }
            Outcome::Treat => {
                self.tally.stops_nonadmitted += 1;
                self.stop_clock(at);
                self.start_monitoring(at, day, true);
            }
            Outcome::FollowUp => self.schedule_followup(at, day),
            Outcome::Diagnostic => self.request_diagnostic(at, day),
            Outcome::Admit => self.add_to_admitted_list(at, day),
        }
    }

    fn add_to_admitted_list(&mut self, at: PatientRef, day: i64) {
        let patient = self.patients.current(at);
        let propensity = self.levers.current[patient.specialty as usize].daycase_propensity;
        patient.day_case = self
            .routing
            .uniform(patient.serial, draws::once(Once::DayCase))
            < propensity;
        patient.queued_day = patient_day(day);
        self.set_stage(at, Stage::AwaitingAdmission);
        self.enqueue(at, QueueKind::Admission);
    }

    /// After treatment (in outpatients or in theatre): draws how many monitoring follow-ups the
    /// patient needs. `at_attendance` says whether this follows an attendance, where a move to
    /// PIFU can be decided.
    pub(super) fn start_monitoring(&mut self, at: PatientRef, day: i64, at_attendance: bool) {
        let patient = self.patients.current(at);
        let mean = self.levers.current[patient.specialty as usize].post_treatment_followups;
        let decision = draws::once(Once::MonitoringCount);
        patient.monitoring_left = draws::poisson(
            mean,
            u64::from(u8::MAX),
            &self.routing,
            patient.serial,
            decision,
        ) as u8;
        self.next_monitoring(at, day, at_attendance);
    }

    /// The next monitoring follow-up: booked, replaced by PIFU, or none left (discharged).
    fn next_monitoring(&mut self, at: PatientRef, day: i64, at_attendance: bool) {
        let patient = self.patients.current(at);
        if patient.monitoring_left == 0 {
            self.leave(at);
            return;
        }
        let (serial, contact) = (patient.serial, patient.contacts);
        let levers = self.levers.current[patient.specialty as usize];
        let routing = self.routing;
        let draw = |decision| routing.uniform(serial, draws::at_contact(contact, decision));
        if at_attendance && draw(AtContact::Pifu) < levers.pifu_share {
            self.tally.pifu_moved += 1;
            if draw(AtContact::PifuBooks) < levers.pifu_booking_share {
                let period_days = self.scenario.outpatients.pifu_period_weeks * 7.0;
                let request_day = day + 1 + (draw(AtContact::PifuRequestDay) * period_days) as i64;
                self.set_stage(at, Stage::PatientInitiated);
                self.agenda.add(
                    request_day,
                    Due {
                        patient: at,
                        what: DueKind::PatientRequest,
                    },
                );
            } else {
                // Never asks: discharged at the end of the PIFU period, using no capacity.
                self.leave(at);
            }
            return;
        }
        self.schedule_followup(at, day);
    }

    pub(super) fn schedule_followup(&mut self, at: PatientRef, day: i64) {
        self.set_stage(at, Stage::FollowUpScheduled);
        let specialty = self.patients.current(at).specialty as usize;
        let due = day + self.specialties[specialty].followup_interval_days;
        self.agenda.add(
            due,
            Due {
                patient: at,
                what: DueKind::FollowUp,
            },
        );
    }
}
