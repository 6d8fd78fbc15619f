//! Referrals: Poisson arrivals per specialty each day, with a weekday pattern, monthly
//! seasonality and annual growth. Each referral starts an RTT clock and joins the queue for a
//! first outpatient appointment.

use rand_distr::{Distribution, Poisson};

use super::booking::QueueKind;
use super::draws::{self, Once};
use super::patient::{Patient, Serial, Stage, WARM_BATCH};
use super::Hospital;

impl Hospital<'_> {
    /// Expected referrals to all specialties on simulated day `day`, at the simulated scale.
    pub(super) fn referral_rate(&self, day: i64) -> f64 {
        let referrals = &self.scenario.referrals;
        let date = self.date(day);
        // Bank holidays see Sunday's volume.
        let weekday = if self.capacity.is_bank_holiday(date) {
            6
        } else {
            date.weekday().index()
        };
        let growth = self.growth(day);
        referrals.per_day
            * self.scenario.simulation.scale
            * referrals.weekday_weights[weekday]
            * referrals.monthly_seasonality[date.month() as usize - 1]
            * growth
    }

    pub(super) fn refer(&mut self, day: i64) {
        let rate = self.referral_rate(day);
        for specialty in 0..self.scenario.specialties.len() {
            // Advice and guidance diverts a share before any clock starts.
            let diverted = self.levers.current[specialty].advice_and_guidance_share;
            let lambda =
                rate * self.scenario.specialties[specialty].referral_share * (1.0 - diverted);
            if lambda <= 0.0 {
                continue;
            }
            // Each (day, specialty) count has its own generator, so a change to one specialty's
            // demand leaves every other specialty's arrivals as they were.
            let mut rng = self.arrivals.rng(day as u64, specialty as u64);
            let count: f64 = Poisson::new(lambda)
                .expect("positive finite rate")
                .sample(&mut rng);
            for index in 0..count as u64 {
                if index % WARM_BATCH as u64 == 0 {
                    self.patients.warm_next_slots(WARM_BATCH);
                }
                self.new_referral(specialty, day, index);
            }
        }
    }

    fn new_referral(&mut self, specialty: usize, day: i64, index: u64) {
        self.handled += 1;
        self.tally.clock_starts += 1;
        let serial = Serial::referral(day, specialty, index);
        let shares = &self.scenario.specialties[specialty].priority_shares;
        let priority = 1 + draws::pick(
            self.routing.uniform(serial, draws::once(Once::Priority)),
            shares,
        ) as u8;
        let patient = Patient::on_pathway(serial, specialty, priority, day, Stage::AwaitingFirst);
        let at = self.start_pathway(patient, day);
        self.enqueue(at, QueueKind::FirstAppointment);
    }
}
