//! The waiting list on the day before the simulation starts, built from a published position.
//!
//! Published figures give the list size and the counts waiting over 18, 52, 65, 78 and 104
//! weeks (and the median and 92nd-percentile waits). Together they are points on the cumulative
//! distribution of waits; clock starts are placed uniformly at random on the days between
//! neighbouring points, so every published count is reproduced exactly at the census, and the
//! shape between them is the simplest one consistent with it.

use super::booking::QueueKind;
use super::draws::{self, Once};
use super::patient::{Patient, Serial, Stage};
use super::{Due, DueKind, Hospital};
use crate::scenario::WEEKLY_BANDS;

/// The census is the last day before the simulation (day -1).
const CENSUS_DAY: i64 = -1;

/// Points `(longest wait in days, pathways waiting that long or less)` of the starting list,
/// at the simulated scale, in increasing order.
pub(super) fn wait_anchors(hospital: &Hospital<'_>) -> Vec<(i64, u64)> {
    let list = &hospital.scenario.initial_list;
    let scale = hospital.scenario.simulation.scale;
    let scaled = |count: f64| (count * scale).round() as u64;
    let total = scaled(list.total as f64);
    let mut anchors: Vec<(i64, u64)> = list
        .over_weeks
        .iter()
        .map(|&(weeks, over)| {
            (
                7 * i64::from(weeks),
                total.saturating_sub(scaled(over as f64)),
            )
        })
        .collect();
    for (weeks, share) in [(list.median_weeks, 0.5), (list.p92_weeks, 0.92)] {
        if let Some(weeks) = weeks {
            anchors.push((
                (weeks * 7.0).floor() as i64,
                scaled(list.total as f64 * share),
            ));
        }
    }
    anchors.push((7 * i64::from(list.longest_wait_weeks), total));
    anchors.sort();
    // A percentile can fall on the same day as a threshold (a 92nd percentile of exactly 52
    // weeks): one point per day, keeping the larger count, which is the one the day must hold.
    anchors.dedup_by(|later, kept| {
        let same_day = later.0 == kept.0;
        if same_day {
            kept.1 = kept.1.max(later.1);
        }
        same_day
    });
    // Validation keeps the points consistent; rounding at small scales could still step back.
    let mut highest = 0;
    for anchor in &mut anchors {
        anchor.1 = anchor.1.clamp(highest, total);
        highest = anchor.1;
    }
    anchors
}

/// The days waited, at the census, by patients in weekly band `k` of a list stated week by
/// week: band 0 is waits of 1 to 7 days, band `k` of `7k + 1` to `7k + 7`, and the last band
/// (more than 104 weeks) runs to the longest wait. "Over N weeks" is a wait of more than 7N
/// days, so every band is reproduced by a census that counts waits that way.
pub(super) fn weekly_band_days(k: usize, longest_wait_weeks: u32) -> (i64, i64) {
    let shortest = 7 * k as i64 + 1;
    if k + 1 < WEEKLY_BANDS {
        (shortest, shortest + 6)
    } else {
        (shortest, 7 * i64::from(longest_wait_weeks))
    }
}

/// The weekly band of a wait of `days` at the census (the inverse of [`weekly_band_days`]; a
/// wait of 0 days, a clock started on the census day, counts in the first band).
pub(super) fn weekly_band(days: i64) -> usize {
    (((days.max(1) - 1) / 7) as usize).min(WEEKLY_BANDS - 1)
}

impl Hospital<'_> {
    pub(super) fn build_initial_list(&mut self) {
        if self.scenario.initial_list.weekly.is_empty() {
            self.build_list_from_thresholds();
        } else {
            self.build_list_by_week();
        }
        let referral_shares: Vec<f64> = self
            .scenario
            .specialties
            .iter()
            .map(|s| s.referral_share)
            .collect();
        let scale = self.scenario.simulation.scale;
        let caseload = (self.scenario.initial_list.monitoring_caseload as f64 * scale).round();
        for index in 0..caseload as u64 {
            self.add_monitoring_patient(Serial::starting_caseload(index), &referral_shares);
        }
    }

    /// The list stated week by week: each band of each specialty exactly (at the simulated
    /// scale), the first of a band's patients awaiting admission as many as the band's
    /// decisions to admit, and clock starts spread evenly at random over the band's days.
    fn build_list_by_week(&mut self) {
        let scenario = self.scenario;
        let list = &scenario.initial_list;
        let scale = scenario.simulation.scale;
        let scaled = |count: u64| (count as f64 * scale).round() as u64;
        let stage_shares = [list.share_awaiting_first, list.share_followup];
        let mut index = 0;
        for weekly in &list.weekly {
            let Some(specialty) = scenario
                .specialties
                .iter()
                .position(|s| s.name == weekly.specialty)
            else {
                debug_assert!(false, "validation matches weekly lists to specialties");
                continue;
            };
            for k in 0..WEEKLY_BANDS {
                let (shortest, longest) = weekly_band_days(k, list.longest_wait_weeks);
                let admit = scaled(weekly.awaiting_admission[k]);
                for n in 0..scaled(weekly.waiting[k]) {
                    let serial = Serial::starting_list(index);
                    index += 1;
                    let draw = |decision| self.routing.uniform(serial, draws::once(decision));
                    let wait = shortest
                        + (draw(Once::InitialWait) * (longest - shortest + 1) as f64) as i64;
                    let stage = if n < admit {
                        Stage::AwaitingAdmission
                    } else if draws::pick(draw(Once::InitialStage), &stage_shares) == 0 {
                        Stage::AwaitingFirst
                    } else {
                        Stage::FollowUpScheduled
                    };
                    self.place_initial_patient(
                        serial,
                        specialty,
                        stage,
                        CENSUS_DAY - wait.min(longest),
                    );
                }
            }
        }
    }

    /// The list stated by its size and counts over thresholds (the published national
    /// figures).
    fn build_list_from_thresholds(&mut self) {
        let anchors = wait_anchors(self);
        let specialties = &self.scenario.specialties;
        let list_shares: Vec<f64> = specialties.iter().map(|s| s.list_share).collect();
        let mut placed = 0;
        let mut shortest = 0;
        // Days strictly increase along the anchors, so each band is a non-empty day range.
        for (longest, within) in anchors {
            for index in placed..within {
                let serial = Serial::starting_list(index);
                let u = self.routing.uniform(serial, draws::once(Once::InitialWait));
                let wait = shortest + (u * (longest - shortest + 1) as f64) as i64;
                self.add_initial_patient(serial, CENSUS_DAY - wait.min(longest), &list_shares);
            }
            placed = placed.max(within);
            shortest = longest + 1;
        }
    }

    /// A patient treated before the start, with follow-ups still to come: the first falls due
    /// within one follow-up interval.
    fn add_monitoring_patient(&mut self, serial: u64, referral_shares: &[f64]) {
        let draw = |decision| self.routing.uniform(serial, draws::once(decision));
        let specialty = draws::pick(draw(Once::Specialty), referral_shares);
        let mean = self.scenario.specialties[specialty].post_treatment_followups;
        let cap = u64::from(u8::MAX) - 1;
        let later = draws::poisson(
            mean,
            cap,
            &self.routing,
            serial,
            draws::once(Once::MonitoringLeft),
        );
        let interval = self.specialties[specialty].followup_interval_days as f64;
        let due_in = (draw(Once::InitialDueDay) * interval) as i64;
        // Treated before the start: no clock runs.
        let patient = Patient {
            clock_running: false,
            monitoring_left: 1 + later as u8,
            ..Patient::on_pathway(serial, specialty, 4, 0, Stage::FollowUpScheduled)
        };
        let at = self.patients.admit(patient);
        self.agenda.add(
            due_in,
            Due {
                patient: at,
                what: DueKind::FollowUp,
            },
        );
    }

    /// A patient of a list stated by thresholds: specialty and stage drawn from the shares.
    fn add_initial_patient(&mut self, serial: u64, clock_start_day: i64, list_shares: &[f64]) {
        let draw = |decision| self.routing.uniform(serial, draws::once(decision));
        let specialty = draws::pick(draw(Once::Specialty), list_shares);
        let list = &self.scenario.initial_list;
        let stage_shares = [
            list.share_awaiting_first,
            list.share_followup,
            list.share_awaiting_admission,
        ];
        let stage = match draws::pick(draw(Once::InitialStage), &stage_shares) {
            0 => Stage::AwaitingFirst,
            1 => Stage::FollowUpScheduled,
            _ => Stage::AwaitingAdmission,
        };
        self.place_initial_patient(serial, specialty, stage, clock_start_day);
    }

    /// Puts a patient of the starting list where `stage` says. Every draw is keyed by the
    /// patient's serial, so the order of the draws changes nothing.
    fn place_initial_patient(
        &mut self,
        serial: u64,
        specialty: usize,
        stage: Stage,
        clock_start_day: i64,
    ) {
        let draw = |decision| self.routing.uniform(serial, draws::once(decision));
        let spec = &self.scenario.specialties[specialty];
        let priority = 1 + draws::pick(draw(Once::Priority), &spec.priority_shares) as u8;
        let day_case = draw(Once::DayCase) < self.levers.current[specialty].daycase_propensity;
        let interval = self.specialties[specialty].followup_interval_days as f64;
        let due_in = (draw(Once::InitialDueDay) * interval) as i64;
        let patient = Patient {
            day_case,
            ..Patient::on_pathway(serial, specialty, priority, clock_start_day, stage)
        };
        let at = self.start_pathway(patient, 0);
        match stage {
            Stage::AwaitingFirst => self.enqueue(at, QueueKind::FirstAppointment),
            Stage::AwaitingAdmission => self.enqueue(at, QueueKind::Admission),
            _ => {
                self.agenda.add(
                    due_in,
                    Due {
                        patient: at,
                        what: DueKind::FollowUp,
                    },
                );
            }
        }
    }
}
