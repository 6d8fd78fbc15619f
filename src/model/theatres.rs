//! Theatre lists: each list is booked from the specialty's admitted list up to a planned share
//! of its session, then run on the day with a late start, on-the-day cancellations, case times
//! and turnarounds, and an early finish. Touch time inside the planned session is capped
//! utilisation; all touch time, overruns included, is uncapped utilisation (GIRFT definitions).

use super::booking::QueueKind;
use super::draws::DurationDraw;
use super::draws::{self, AtContact, Once, PerList};
use super::patient::{Pathway, Patient, PatientRef, WARM_BATCH};
use super::{Hospital, Money};
use crate::scenario::Resource;

impl Hospital<'_> {
    pub(super) fn run_theatre_lists(&mut self, day: i64) {
        let date = self.date(day);
        let share_lost = self.capacity.share_lost(date, Resource::TheatreLists);
        let session_minutes = self.scenario.theatres.session_minutes;
        let mut back_to_list = Vec::new();
        let mut booked = Vec::new();
        for specialty in 0..self.scenario.specialties.len() {
            let planned = self.theatre_lists[specialty].take(self.capacity.planned(
                date,
                specialty,
                Resource::TheatreLists,
            ));
            let lost = self.theatre_lists_lost[specialty]
                .take(planned as f64 * share_lost)
                .min(planned);
            // Lost lists were planned, so they count in the utilisation denominator as unused.
            self.tally.theatre_planned_minutes += planned as f64 * session_minutes;
            self.tally.theatre_sessions += planned - lost;
            let premium = self
                .capacity
                .premium_share(date, specialty, Resource::TheatreLists);
            self.cost_capacity(Money::TheatreCost, (planned - lost) as f64, premium);
            self.tally.theatre_sessions_lost += lost;
            for list in 0..planned - lost {
                self.book_list(specialty, &mut booked);
                self.run_list(specialty, day, list, &mut booked, &mut back_to_list);
            }
            // Cancelled patients go back on the list after today's lists, keeping their place.
            for at in back_to_list.drain(..) {
                self.enqueue(at, QueueKind::Admission);
            }
        }
    }

    /// The case-time distribution for a patient: cancer surgery, or the specialty's day-case
    /// or inpatient times.
    fn case_minutes(&self, patient: &Patient) -> &DurationDraw {
        let model = &self.specialties[patient.specialty as usize];
        match (patient.pathway, patient.day_case) {
            (Pathway::Cancer, _) => &self.cancer_surgery_minutes,
            (_, true) => &model.daycase_minutes,
            (_, false) => &model.inpatient_minutes,
        }
    }

    fn expected_case_minutes(&self, at: PatientRef) -> f64 {
        let patient = self.patients.get(at).expect("booked patient is current");
        self.case_minutes(patient).mean()
    }

    /// Books patients in queue order while at least half of the next case's expected time fits
    /// within the booking target (lists are filled, not left short, so some overrun); a list
    /// always takes at least one patient if anyone is waiting.
    fn book_list(&mut self, specialty: usize, booked: &mut Vec<PatientRef>) {
        let (session_minutes, levers) = (
            self.scenario.theatres.session_minutes,
            self.levers.current[specialty],
        );
        let budget = session_minutes * levers.booking_fraction;
        let mut expected = 0.0;
        loop {
            let patients = &self.patients;
            if booked.len().is_multiple_of(WARM_BATCH) {
                patients.warm(self.admission_queues[specialty].front(WARM_BATCH));
            }
            let Some((at, place)) = self.admission_queues[specialty]
                .peek(|at, stage| Self::is_waiting(patients, at, stage))
            else {
                break;
            };
            let minutes = self.expected_case_minutes(at) + levers.turnaround_minutes;
            if !booked.is_empty() && expected + minutes / 2.0 > budget {
                break;
            }
            self.admission_queues[specialty].take(place);
            expected += minutes;
            booked.push(at);
        }
    }

    fn run_list(
        &mut self,
        specialty: usize,
        day: i64,
        list: u64,
        booked: &mut Vec<PatientRef>,
        back_to_list: &mut Vec<PatientRef>,
    ) {
        let (session_minutes, levers) = (
            self.scenario.theatres.session_minutes,
            self.levers.current[specialty],
        );
        // Each list draws its own late start and early finish: list identity, not patient.
        let list_id = ((day as u64 + (1 << 20)) << 28) | ((specialty as u64) << 20) | list;
        let late_start = draws::exponential(
            levers.late_start_mean_minutes,
            &self.durations,
            list_id,
            draws::per_list(PerList::LateStart),
        );
        let early_finish = draws::exponential(
            levers.early_finish_mean_minutes,
            &self.durations,
            list_id,
            draws::per_list(PerList::EarlyFinish),
        );
        let session_end = session_minutes;
        let last_start = session_end - early_finish;
        let (cancel_rate, turnaround) = (
            levers.on_the_day_cancellation_rate,
            levers.turnaround_minutes,
        );
        let mut clock = late_start;
        for at in booked.drain(..) {
            self.handled += 1;
            let patient = self.patients.current(at);
            let (serial, booking, day_case) =
                (patient.serial, patient.theatre_bookings, patient.day_case);
            let cancel_draw = draws::at_contact(u16::from(booking), AtContact::CancelledOnDay);
            if self.routing.uniform(serial, cancel_draw) < cancel_rate {
                patient.theatre_bookings = booking.saturating_add(1);
                self.tally.cancelled_on_day += 1;
                back_to_list.push(at);
                continue;
            }
            if clock >= last_start {
                // Bumped for lack of time, also a cancellation on the day. The patient's own
                // draws stay as they were: a bump depends on other patients.
                self.tally.cancelled_on_day += 1;
                back_to_list.push(at);
                continue;
            }
            let patient = self.patients.get(at).expect("booked patient is current");
            let pathway = patient.pathway;
            let case_minutes = self.case_minutes(patient).sample(
                &self.durations,
                serial,
                draws::once(Once::CaseMinutes),
            );
            self.tally.theatre_capped_minutes += case_minutes.min(session_end - clock).max(0.0);
            self.tally.theatre_uncapped_minutes += case_minutes;
            self.tally.theatre_cases += 1;
            clock += case_minutes + turnaround;
            if pathway == Pathway::Cancer || !day_case {
                self.value_activity(Money::ElectiveInpatient, Some(specialty));
                self.cost_capacity(Money::InpatientStayCost, 1.0, 0.0);
            } else {
                self.value_activity(Money::Daycase, Some(specialty));
            }
            if pathway == Pathway::Cancer {
                self.cancer_treated(at, day, true);
                continue;
            }
            if day_case {
                self.tally.daycase_spells += 1;
            } else {
                self.tally.inpatient_spells += 1;
            }
            self.tally.stops_admitted += 1;
            self.stop_clock(at);
            self.start_monitoring(at, day, false);
        }
    }
}
