//! Diagnostics: one queue per test type (MRI, CT, ultrasound, endoscopy, physiological
//! measurement), served by the day's test capacity. Requests come from elective outpatient
//! attendances, from cancer pathways and from GP direct access. Each request starts a DM01
//! 6-week clock, which stops when the test is done (or the request is withdrawn).

use rand_distr::{Distribution, Poisson};

use super::booking::QueueKind;
use super::draws::{self, AtContact, Once};
use super::patient::{patient_day, Pathway, Patient, PatientRef, Serial, Stage, WARM_BATCH};
use super::{Due, DueKind, Hospital, Money};
use crate::scenario::{Resource, TestType};

/// DM01 counts waits of 6 weeks or more.
pub(super) const SIX_WEEKS_DAYS: i64 = 42;

impl Hospital<'_> {
    /// The seam from outpatients: an attendance on a running RTT clock asks for a test; the
    /// specialty's mix says which. The result comes back to a follow-up.
    pub(super) fn request_diagnostic(&mut self, at: PatientRef, day: i64) {
        self.tally.diagnostic_requests += 1;
        let patient = self.patients.current(at);
        let mix = &self.scenario.specialties[patient.specialty as usize].diagnostic_mix;
        let choice = draws::at_contact(patient.contacts, AtContact::TestChoice);
        let test = draws::pick(self.routing.uniform(patient.serial, choice), mix);
        self.request_test(at, test, day);
    }

    /// Puts a patient on the waiting list for `test`: the DM01 clock starts today.
    pub(super) fn request_test(&mut self, at: PatientRef, test: usize, day: i64) {
        self.tally.dm01_requests += 1;
        self.set_stage(at, Stage::AwaitingTest);
        let patient = self.patients.current(at);
        patient.test = test as u8;
        patient.queued_day = patient_day(day);
        self.test_waiting[test].start_clock(day);
        self.enqueue(at, QueueKind::Test);
    }

    /// A patient waiting for a test leaves another way (removed from the RTT list): the
    /// request is withdrawn and its DM01 clock stops.
    pub(super) fn withdraw_test_request(&mut self, at: PatientRef) {
        let patient = self.patients.current(at);
        if patient.stage == Stage::AwaitingTest {
            self.test_waiting[patient.test as usize].stop_clock(i64::from(patient.queued_day));
            self.tally.dm01_removed += 1;
        }
    }

    /// The day's tests, each modality from its own queue.
    pub(super) fn run_diagnostics(&mut self, day: i64) {
        let date = self.date(day);
        let share_lost = self.capacity.share_lost(date, Resource::DiagnosticTests);
        for test in 0..TestType::COUNT {
            let planned = self.test_capacity[test].take(self.capacity.planned(
                date,
                test,
                Resource::DiagnosticTests,
            ));
            let lost = self.test_capacity_lost[test]
                .take(planned as f64 * share_lost)
                .min(planned);
            self.tally.test_capacity += planned - lost;
            let premium = self
                .capacity
                .premium_share(date, test, Resource::DiagnosticTests);
            self.cost_capacity(Money::DiagnosticCost, (planned - lost) as f64, premium);
            for done in 0..planned - lost {
                let patients = &self.patients;
                if done % WARM_BATCH as u64 == 0 {
                    let n = (planned - lost - done).min(WARM_BATCH as u64) as usize;
                    patients.warm(self.test_queues[test].front(n));
                }
                let next =
                    self.test_queues[test].pop(|at, stage| Self::is_waiting(patients, at, stage));
                let Some(at) = next else { break };
                self.do_test(at, test, day);
            }
        }
    }

    fn do_test(&mut self, at: PatientRef, test: usize, day: i64) {
        self.handled += 1;
        self.tally.tests[test] += 1;
        self.value_activity(Money::DiagnosticTest, None);
        let patient = self.patients.current(at);
        self.test_waiting[test].stop_clock(i64::from(patient.queued_day));
        match patient.pathway {
            Pathway::Elective => {
                self.set_stage(at, Stage::AwaitingResult);
                let report = day + self.report_days;
                self.agenda.add(
                    report,
                    Due {
                        patient: at,
                        what: DueKind::DiagnosticResult,
                    },
                );
            }
            Pathway::DirectTest => self.leave(at),
            Pathway::Cancer => self.cancer_tested(at, day),
        }
    }

    /// GP direct-access requests on weekdays, Poisson per test type, growing with referrals.
    pub(super) fn refer_direct_tests(&mut self, day: i64) {
        if self.date(day).weekday().is_weekend() {
            return;
        }
        let scale = self.scenario.simulation.scale * self.growth(day);
        for test in 0..TestType::COUNT {
            let spec = &self.scenario.diagnostics.tests[test];
            let lambda = spec.direct_requests_per_weekday * scale;
            if lambda <= 0.0 {
                continue;
            }
            let mut rng = self
                .arrivals
                .rng(day as u64, DIRECT_TEST_STREAMS + test as u64);
            let count: f64 = Poisson::new(lambda)
                .expect("positive finite rate")
                .sample(&mut rng);
            let urgent_share = spec.urgent_share;
            for index in 0..count as u64 {
                if index % WARM_BATCH as u64 == 0 {
                    self.patients.warm_next_slots(WARM_BATCH);
                }
                let serial = Serial::direct_test(day, test, index);
                let urgent = self.routing.uniform(serial, draws::once(Once::Urgent)) < urgent_share;
                let patient = Patient {
                    urgent,
                    ..Patient::off_rtt(serial, Pathway::DirectTest, 0, day, Stage::AwaitingTest)
                };
                let at = self.patients.admit(patient);
                self.handled += 1;
                self.request_test(at, test, day);
            }
        }
    }

    /// The DM01 waiting list on the day before the start: each test's published list, with
    /// the count waiting 6 weeks or more reproduced exactly (waits uniform within the two bands).
    pub(super) fn build_initial_tests(&mut self) {
        let scale = self.scenario.simulation.scale;
        for test in 0..TestType::COUNT {
            let spec = &self.scenario.diagnostics.tests[test];
            let total = (spec.initial_waiting as f64 * scale).round() as u64;
            let over = ((spec.initial_over_6_weeks as f64 * scale).round() as u64).min(total);
            let longest = (7 * i64::from(spec.initial_longest_weeks)).max(SIX_WEEKS_DAYS);
            for index in 0..total {
                let serial = Serial::starting_test(test, index);
                let (low, high) = if index < over {
                    (SIX_WEEKS_DAYS, longest)
                } else {
                    (0, SIX_WEEKS_DAYS - 1)
                };
                let u = self.routing.uniform(serial, draws::once(Once::InitialWait));
                let wait = low + ((u * (high - low + 1) as f64) as i64).min(high - low);
                let request_day = -1 - wait;
                let patient = Patient::off_rtt(
                    serial,
                    Pathway::DirectTest,
                    0,
                    request_day,
                    Stage::AwaitingTest,
                );
                let at = self.patients.admit(patient);
                self.request_test(at, test, request_day);
                // The starting list is not a month's requests.
                self.tally.dm01_requests -= 1;
            }
        }
    }
}

/// Arrival streams for direct-access tests are keyed apart from specialties' referrals.
pub(super) const DIRECT_TEST_STREAMS: u64 = 1 << 16;
