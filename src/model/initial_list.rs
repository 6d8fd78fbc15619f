//! The waiting list on the day before the simulation starts, built from a published position.
//!
//! Published figures give the list size and the counts waiting over 18, 52, 65, 78 and 104
//! weeks (and the median and 92nd-percentile waits). Together they are points on the cumulative
//! distribution of waits. Between neighbouring points the number of patients is exactly what
//! the points say, so every published count is reproduced at the census; within each interval
//! clock starts follow a monotone cubic through all the points (Fritsch and Carlson's
//! shape-preserving interpolation), so the density of waits is continuous across the published
//! thresholds instead of stepping at each of them. A list stated week by week (imported from the
//! RTT full CSV) is placed band by band.

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

/// The cumulative count of the starting list by days waited, through the anchors: `C(x)` is
/// the pathways waiting less than `x` days, `C(0) = 0` and `C(longest + 1) = within` at each
/// anchor. Monotone cubic Hermite pieces (Fritsch and Carlson's slopes, as in PCHIP) keep it
/// increasing and give a continuous density, so no week just under a threshold holds a cliff
/// of patients.
struct WaitCurve {
    x: Vec<f64>,
    y: Vec<f64>,
    slope: Vec<f64>,
}

impl WaitCurve {
    fn through(anchors: &[(i64, u64)]) -> WaitCurve {
        let mut x = vec![0.0];
        let mut y = vec![0.0];
        for &(longest, within) in anchors {
            x.push((longest + 1) as f64);
            y.push(within as f64);
        }
        let n = x.len();
        let h: Vec<f64> = (0..n - 1).map(|k| x[k + 1] - x[k]).collect();
        let d: Vec<f64> = (0..n - 1).map(|k| (y[k + 1] - y[k]) / h[k]).collect();
        let mut slope = vec![0.0; n];
        if n == 2 {
            slope = vec![d[0], d[0]];
        } else {
            for k in 1..n - 1 {
                // A weighted harmonic mean of the neighbouring secants; flat where they
                // disagree in sign or one is flat, which keeps each piece monotone.
                if d[k - 1] > 0.0 && d[k] > 0.0 {
                    let (w1, w2) = (2.0 * h[k] + h[k - 1], h[k] + 2.0 * h[k - 1]);
                    slope[k] = (w1 + w2) / (w1 / d[k - 1] + w2 / d[k]);
                }
            }
            slope[0] = end_slope(h[0], h[1], d[0], d[1]);
            slope[n - 1] = end_slope(h[n - 2], h[n - 3], d[n - 2], d[n - 3]);
        }
        WaitCurve { x, y, slope }
    }

    /// `C(t)` on piece `k`, from its start.
    fn value(&self, k: usize, t: f64) -> f64 {
        let h = self.x[k + 1] - self.x[k];
        let s = t / h;
        let (s2, s3) = (s * s, s * s * s);
        (2.0 * s3 - 3.0 * s2 + 1.0) * self.y[k]
            + (s3 - 2.0 * s2 + s) * h * self.slope[k]
            + (-2.0 * s3 + 3.0 * s2) * self.y[k + 1]
            + (s3 - s2) * h * self.slope[k + 1]
    }

    /// The whole days waited by a patient of anchor band `band` whose place within the band is
    /// `u` (0 to 1): the inverse of `C` on that piece, by bisection (`C` increases there).
    fn wait(&self, band: usize, u: f64) -> i64 {
        let target = self.y[band] + u * (self.y[band + 1] - self.y[band]);
        let (mut low, mut high) = (0.0, self.x[band + 1] - self.x[band]);
        // Half a day is the resolution needed; 30 halvings reach it on any horizon.
        for _ in 0..30 {
            let mid = 0.5 * (low + high);
            if self.value(band, mid) < target {
                low = mid;
            } else {
                high = mid;
            }
        }
        (self.x[band] + 0.5 * (low + high)).floor() as i64
    }
}

/// The three-point end slope of PCHIP, kept between 0 and three times the secant so that the
/// end piece stays monotone.
fn end_slope(h0: f64, h1: f64, d0: f64, d1: f64) -> f64 {
    let m = ((2.0 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
    if m.signum() != d0.signum() || d0 == 0.0 {
        0.0
    } else if d0.signum() != d1.signum() && m.abs() > 3.0 * d0.abs() {
        3.0 * d0
    } else {
        m
    }
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
        let curve = WaitCurve::through(&anchors);
        let specialties = &self.scenario.specialties;
        let list_shares: Vec<f64> = specialties.iter().map(|s| s.list_share).collect();
        let mut placed = 0;
        let mut shortest = 0;
        // Days strictly increase along the anchors, so each band is a non-empty day range.
        for (band, &(longest, within)) in anchors.iter().enumerate() {
            for index in placed..within {
                let serial = Serial::starting_list(index);
                let u = self.routing.uniform(serial, draws::once(Once::InitialWait));
                let wait = curve.wait(band, u).clamp(shortest, longest);
                self.add_initial_patient(serial, CENSUS_DAY - wait, &list_shares);
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

#[cfg(test)]
mod curve_tests {
    use super::*;

    /// England, March 2024: the published counts within 18, 52, 65, 78 and 104 weeks, the
    /// median (14.9 weeks) and 92nd percentile (44.7 weeks), and the longest wait (156 weeks),
    /// as `wait_anchors` makes them.
    fn march_2024() -> Vec<(i64, u64)> {
        let total = 7_538_830u64;
        let mut anchors = vec![
            ((14.9f64 * 7.0).floor() as i64, total / 2),
            (7 * 18, total - 3_226_102),
            ((44.7f64 * 7.0).floor() as i64, (total as f64 * 0.92) as u64),
            (7 * 52, total - 309_299),
            (7 * 65, total - 48_967),
            (7 * 78, total - 4_769),
            (7 * 104, total - 232),
            (7 * 156, total),
        ];
        anchors.sort();
        anchors
    }

    fn cumulative(curve: &WaitCurve, days: f64) -> f64 {
        let k = curve
            .x
            .windows(2)
            .position(|w| days <= w[1])
            .unwrap_or(curve.x.len() - 2);
        curve.value(k, days - curve.x[k])
    }

    #[test]
    fn the_curve_passes_through_every_published_count() {
        let anchors = march_2024();
        let curve = WaitCurve::through(&anchors);
        for &(longest, within) in &anchors {
            let at = cumulative(&curve, (longest + 1) as f64);
            assert!(
                (at - within as f64).abs() < 1e-6,
                "{longest}: {at} against {within}"
            );
        }
    }

    #[test]
    fn weekly_counts_fall_smoothly_with_no_cliff_at_a_threshold() {
        let curve = WaitCurve::through(&march_2024());
        let weeks: Vec<f64> = (0..155)
            .map(|w| cumulative(&curve, 7.0 * (w + 1) as f64) - cumulative(&curve, 7.0 * w as f64))
            .collect();
        for w in 1..weeks.len() {
            // Never more patients a week than the week before (within rounding), and never
            // fewer than half: spreading each band evenly gave steps of a quarter at 52 weeks
            // and a sixth at 65.
            assert!(
                weeks[w] <= weeks[w - 1] * (1.0 + 1e-9) + 1e-6,
                "week {w}: {weeks:?}"
            );
            assert!(
                weeks[w] >= 0.5 * weeks[w - 1],
                "week {w}: {} after {}",
                weeks[w],
                weeks[w - 1]
            );
        }
        // Just under 65 weeks, about 7,800 a week, not the twenty thousand of an even spread.
        assert!(weeks[64] < 8_000.0, "{}", weeks[64]);
    }

    #[test]
    fn a_patient_waits_inside_its_band() {
        let anchors = march_2024();
        let curve = WaitCurve::through(&anchors);
        let mut shortest = 0;
        for (band, &(longest, _)) in anchors.iter().enumerate() {
            for u in [0.0, 1e-9, 0.25, 0.5, 0.999_999, 1.0 - f64::EPSILON] {
                let wait = curve.wait(band, u);
                assert!(
                    (shortest..=longest).contains(&wait),
                    "band {band}, u {u}: {wait}"
                );
            }
            shortest = longest + 1;
        }
    }
}
