//! Urgent suspected-cancer pathways: referral by tumour group, a first appointment and tests
//! booked ahead of elective patients (when cancer priority is on), the Faster Diagnosis Standard
//! point (told the diagnosis or that cancer is ruled out), the decision to treat, and first
//! definitive treatment: surgery in the specialty's theatre lists or non-surgical treatment with
//! its own capacity. The 28-day, 31-day and 62-day clocks run per patient.
//!
//! Cancer pathways are not RTT pathways here: they use the same clinics, scanners and theatres
//! but are counted in the cancer metrics, not in the RTT list.

use rand_distr::{Distribution, Poisson};

use super::booking::QueueKind;
use super::draws::{self, AtContact, DurationDraw, Once};
use super::patient::{patient_day, Pathway, Patient, PatientRef, Serial, Stage, WARM_BATCH};
use super::{Due, DueKind, Hospital};
use crate::scenario::{Days, Resource};

/// Arrival streams for cancer referrals are keyed apart from specialties' referrals.
const CANCER_STREAMS: u64 = 1 << 17;
/// Cancer referrals this many days before the start are followed to build the pathways open on
/// the first day; longer pathways are rare enough to leave out.
const PRESTART_DAYS: i64 = 180;

fn days(spread: Days) -> DurationDraw {
    DurationDraw::lognormal(spread.mean, spread.sd)
}

/// A cancer patient's pathway steps, in days from the start (fractional), as they would unfold
/// with the delays the patient draws. Used to place pathways already open on the first day.
struct Timeline {
    first_appointment: f64,
    /// (day requested, day done, test type) for each test.
    tests: Vec<(f64, f64, usize)>,
    told: f64,
    /// For a cancer: decision to treat, ready for treatment, treated.
    treatment: Option<(f64, f64, f64)>,
}

impl Hospital<'_> {
    /// Urgent referrals on weekdays, Poisson per tumour group.
    pub(super) fn refer_cancer(&mut self, day: i64) {
        if !self.capacity.is_working_day(self.date(day)) {
            return;
        }
        for (count, (group, index)) in self.cancer_arrivals(day).into_iter().enumerate() {
            if count % WARM_BATCH == 0 {
                self.patients.warm_next_slots(WARM_BATCH);
            }
            self.tally.cancer_referrals += 1;
            let at = self.new_cancer_patient(day, group, index, Stage::AwaitingFirst);
            self.queue_first_appointment(at);
        }
    }

    /// (tumour group, index within the day) of each urgent referral on `day`.
    fn cancer_arrivals(&self, day: i64) -> Vec<(usize, u64)> {
        let cancer = &self.scenario.cancer;
        let rate =
            cancer.referrals_per_weekday * self.scenario.simulation.scale * self.growth(day.max(0));
        let mut arrivals = Vec::new();
        for (group, spec) in cancer.tumour_groups.iter().enumerate() {
            let lambda = rate * spec.referral_share;
            if lambda <= 0.0 {
                continue;
            }
            let mut rng = self.arrivals.rng(
                day.wrapping_add(1 << 20) as u64,
                CANCER_STREAMS + group as u64,
            );
            let count: f64 = Poisson::new(lambda)
                .expect("positive finite rate")
                .sample(&mut rng);
            arrivals.extend((0..count as u64).map(|index| (group, index)));
        }
        arrivals
    }

    fn new_cancer_patient(
        &mut self,
        referral_day: i64,
        group: usize,
        index: u64,
        stage: Stage,
    ) -> PatientRef {
        self.handled += 1;
        let serial = Serial::cancer_referral(referral_day, group, index);
        let specialty = self.scenario.cancer.tumour_groups[group].specialty;
        let patient = Patient {
            tumour_group: group as u8,
            ..Patient::off_rtt(serial, Pathway::Cancer, specialty, referral_day, stage)
        };
        self.cancer_open.start_clock(referral_day);
        self.patients.admit(patient)
    }

    fn queue_first_appointment(&mut self, at: PatientRef) {
        self.enqueue(at, QueueKind::FirstAppointment);
    }

    /// Tests this patient needs (0, 1 or 2): drawn once, so the same in every scenario.
    fn cancer_tests_needed(&self, serial: u64, group: usize) -> u8 {
        let spec = &self.scenario.cancer.tumour_groups[group];
        if self
            .routing
            .uniform(serial, draws::once(Once::CancerNeedsTest))
            >= spec.test_share
        {
            0
        } else if self
            .routing
            .uniform(serial, draws::once(Once::CancerSecondTest))
            < spec.second_test_share
        {
            2
        } else {
            1
        }
    }

    /// Which test type the patient's `nth` test (1 or 2) is.
    fn cancer_test_type(&self, serial: u64, group: usize, nth: u8) -> usize {
        let mix = &self.scenario.cancer.tumour_groups[group].test_mix;
        draws::pick(
            self.routing.uniform(
                serial,
                draws::at_contact(u16::from(nth), AtContact::TestChoice),
            ),
            mix,
        )
    }

    /// After the first appointment: tests, or straight to being told.
    pub(super) fn cancer_after_first_appointment(&mut self, at: PatientRef, day: i64) {
        let patient = self.patients.current(at);
        let (serial, group) = (patient.serial, patient.tumour_group as usize);
        let tests = self.cancer_tests_needed(serial, group);
        self.patients.current(at).tests_left = tests;
        if tests > 0 {
            let test = self.cancer_test_type(serial, group, 1);
            self.request_test(at, test, day);
        } else {
            self.schedule_told(at, day, serial);
        }
    }

    /// Being told the diagnosis or that cancer is ruled out, after the patient's delay.
    fn schedule_told(&mut self, at: PatientRef, day: i64, serial: u64) {
        let delay = self.cancer_delay(serial, Once::CancerToldDays);
        self.schedule_cancer_step(at, day, DueKind::CancerTold, delay);
    }

    /// A test is done: the next test once this result is back, or being told.
    pub(super) fn cancer_tested(&mut self, at: PatientRef, day: i64) {
        let patient = self.patients.current(at);
        patient.tests_left = patient.tests_left.saturating_sub(1);
        let serial = patient.serial;
        if patient.tests_left > 0 {
            self.schedule_cancer_step(at, day, DueKind::CancerNextTest, self.report_days as f64);
        } else {
            self.schedule_told(at, day, serial);
        }
    }

    fn cancer_delay(&self, serial: u64, decision: Once) -> f64 {
        let cancer = &self.scenario.cancer;
        let spread = match decision {
            Once::CancerToldDays => cancer.diagnosis_days,
            Once::CancerDecisionDays => cancer.decision_days,
            _ => cancer.treatment_lead_days,
        };
        days(spread).sample(&self.durations, serial, draws::once(decision))
    }

    /// Puts the patient's next step on the agenda `after` days from `day` (at least tomorrow:
    /// today's agenda has been read).
    fn schedule_cancer_step(&mut self, at: PatientRef, day: i64, what: DueKind, after: f64) {
        self.set_stage(at, Stage::CancerNextStep);
        self.agenda.add(
            day + (after.round() as i64).max(1),
            Due { patient: at, what },
        );
    }

    /// A step on the cancer agenda falls due.
    pub(super) fn cancer_step(&mut self, at: PatientRef, what: DueKind, day: i64) {
        let patient = self.patients.current(at);
        let (serial, group, referral_day) = (
            patient.serial,
            patient.tumour_group as usize,
            i64::from(patient.clock_start_day),
        );
        match what {
            DueKind::CancerNextTest => {
                let test = self.cancer_test_type(serial, group, 2);
                self.request_test(at, test, day);
            }
            DueKind::CancerTold => {
                self.tally.cancer_told += 1;
                if day - referral_day <= 28 {
                    self.tally.cancer_told_within_28d += 1;
                }
                let conversion = self.scenario.cancer.tumour_groups[group].conversion_rate;
                if self
                    .routing
                    .uniform(serial, draws::once(Once::CancerConversion))
                    < conversion
                {
                    self.tally.cancer_diagnosed += 1;
                    self.schedule_cancer_step(
                        at,
                        day,
                        DueKind::CancerDecision,
                        self.cancer_delay(serial, Once::CancerDecisionDays),
                    );
                } else {
                    self.tally.cancer_ruled_out += 1;
                    self.close_cancer_pathway(at);
                }
            }
            DueKind::CancerDecision => {
                self.patients.current(at).decision_day = patient_day(day);
                self.schedule_cancer_step(
                    at,
                    day,
                    DueKind::CancerReady,
                    self.cancer_delay(serial, Once::CancerLeadDays),
                );
            }
            DueKind::CancerReady => self.queue_cancer_treatment(at, day),
            _ => unreachable!("not a cancer step: {what:?}"),
        }
    }

    fn is_surgical(&self, serial: u64, group: usize) -> bool {
        let share = self.scenario.cancer.tumour_groups[group].surgery_share;
        self.routing
            .uniform(serial, draws::once(Once::CancerSurgery))
            < share
    }

    /// Ready for treatment: surgery joins the specialty's admitted list, other treatment the
    /// non-surgical queue.
    fn queue_cancer_treatment(&mut self, at: PatientRef, ready_day: i64) {
        let patient = self.patients.current(at);
        patient.queued_day = patient_day(ready_day);
        let (serial, group) = (patient.serial, patient.tumour_group as usize);
        if self.is_surgical(serial, group) {
            self.set_stage(at, Stage::AwaitingAdmission);
            self.enqueue(at, QueueKind::Admission);
        } else {
            self.set_stage(at, Stage::AwaitingTreatment);
            self.enqueue(at, QueueKind::CancerTreatment);
        }
    }

    /// First definitive treatment (surgery or not): the 31- and 62-day clocks stop.
    pub(super) fn cancer_treated(&mut self, at: PatientRef, day: i64, surgery: bool) {
        let patient = self.patients.current(at);
        let (referral_day, decision_day) = (
            i64::from(patient.clock_start_day),
            i64::from(patient.decision_day),
        );
        self.tally.cancer_treated += 1;
        self.tally.cancer_surgery += u64::from(surgery);
        self.tally.cancer_within_62d += u64::from(day - referral_day <= 62);
        self.tally.cancer_within_31d += u64::from(day - decision_day <= 31);
        self.close_cancer_pathway(at);
    }

    fn close_cancer_pathway(&mut self, at: PatientRef) {
        let referral_day = self.patients.current(at).clock_start_day;
        self.cancer_open.stop_clock(i64::from(referral_day));
        self.leave(at);
    }

    /// The day's first non-surgical treatments, in the order patients became ready.
    pub(super) fn run_cancer_treatments(&mut self, day: i64) {
        let date = self.date(day);
        let share_lost = self.capacity.share_lost(date, Resource::CancerTreatments);
        let planned = self.cancer_treatment_capacity.take(self.capacity.planned(
            date,
            0,
            Resource::CancerTreatments,
        ));
        let lost = self
            .cancer_treatment_capacity_lost
            .take(planned as f64 * share_lost)
            .min(planned);
        for _ in 0..planned - lost {
            let patients = &self.patients;
            let Some(at) = self
                .cancer_treatment_queue
                .pop(|at, stage| Self::is_waiting(patients, at, stage))
            else {
                break;
            };
            self.handled += 1;
            self.cancer_treated(at, day, false);
        }
    }

    /// The pathways open on the first day: referrals in the `PRESTART_DAYS` before the start,
    /// each followed through its own delays with the assumed waits for capacity before the
    /// start, and placed at the step it has reached.
    pub(super) fn build_initial_cancer_pathways(&mut self) {
        for day in -PRESTART_DAYS..0 {
            if self.date(day).weekday().is_weekend() {
                continue;
            }
            for (group, index) in self.cancer_arrivals(day) {
                let serial = Serial::cancer_referral(day, group, index);
                let timeline = self.prestart_timeline(serial, group, day);
                self.place_open_pathway(day, group, index, &timeline);
            }
        }
    }

    fn prestart_timeline(&self, serial: u64, group: usize, referral_day: i64) -> Timeline {
        let cancer = &self.scenario.cancer;
        let wait = |mean: f64, decision: Once| {
            draws::exponential(mean, &self.durations, serial, draws::once(decision))
        };
        let first_appointment = referral_day as f64
            + wait(cancer.prestart_first_appointment_days, Once::PrestartFirst).max(1.0);
        let mut tests = Vec::new();
        let mut last = first_appointment;
        for nth in 1..=self.cancer_tests_needed(serial, group) {
            let requested = if nth == 1 {
                last
            } else {
                last + self.report_days as f64
            };
            let decision = if nth == 1 {
                Once::PrestartTest1
            } else {
                Once::PrestartTest2
            };
            let done = requested + wait(cancer.prestart_test_days, decision);
            tests.push((requested, done, self.cancer_test_type(serial, group, nth)));
            last = done;
        }
        let told = last
            + self
                .cancer_delay(serial, Once::CancerToldDays)
                .round()
                .max(1.0);
        let conversion = cancer.tumour_groups[group].conversion_rate;
        let treatment = (self
            .routing
            .uniform(serial, draws::once(Once::CancerConversion))
            < conversion)
            .then(|| {
                let decision = told
                    + self
                        .cancer_delay(serial, Once::CancerDecisionDays)
                        .round()
                        .max(1.0);
                let ready = decision
                    + self
                        .cancer_delay(serial, Once::CancerLeadDays)
                        .round()
                        .max(1.0);
                (
                    decision,
                    ready,
                    ready + wait(cancer.prestart_treatment_days, Once::PrestartTreatment),
                )
            });
        Timeline {
            first_appointment,
            tests,
            told,
            treatment,
        }
    }

    /// Creates the patient at the step the timeline has reached on day 0, if still open.
    fn place_open_pathway(
        &mut self,
        referral_day: i64,
        group: usize,
        index: u64,
        timeline: &Timeline,
    ) {
        let day = |t: f64| t.floor() as i64;
        let tests_needed = timeline.tests.len() as u8;
        if timeline.first_appointment >= 0.0 {
            let at = self.new_cancer_patient(referral_day, group, index, Stage::AwaitingFirst);
            self.queue_first_appointment(at);
            return;
        }
        for (i, &(requested, done, test)) in timeline.tests.iter().enumerate() {
            if done < 0.0 {
                continue;
            }
            let at = self.new_cancer_patient(referral_day, group, index, Stage::CancerNextStep);
            self.patients.current(at).tests_left = tests_needed - i as u8;
            if requested >= 0.0 {
                // The previous result is not back yet: the test is requested when it is.
                self.agenda.add(
                    day(requested),
                    Due {
                        patient: at,
                        what: DueKind::CancerNextTest,
                    },
                );
            } else {
                self.request_test(at, test, day(requested));
                self.tally.dm01_requests -= 1; // requested before the start
            }
            return;
        }
        let next = if timeline.told >= 0.0 {
            Some((DueKind::CancerTold, timeline.told, None))
        } else if let Some((decision, ready, treated)) = timeline.treatment {
            if decision >= 0.0 {
                Some((DueKind::CancerDecision, decision, None))
            } else if ready >= 0.0 {
                Some((DueKind::CancerReady, ready, Some(decision)))
            } else if treated >= 0.0 {
                Some((DueKind::CancerReady, -1.0, Some(decision)))
            } else {
                None
            }
        } else {
            None
        };
        let Some((what, when, decision)) = next else {
            return;
        };
        let at = self.new_cancer_patient(referral_day, group, index, Stage::CancerNextStep);
        if let Some(decision) = decision {
            self.patients.current(at).decision_day = patient_day(day(decision));
        }
        if when >= 0.0 {
            self.agenda.add(day(when), Due { patient: at, what });
        } else {
            // Ready before the start and still waiting: in the treatment queues now.
            self.queue_cancer_treatment(at, day(timeline.treatment.map_or(0.0, |t| t.1)));
        }
    }
}
