//! The patient-level random decisions, each with its own code, so that a patient's luck in one
//! decision never depends on how many draws another decision used (common random numbers).
//!
//! A draw is keyed by (stream, patient serial, decision code). Decisions made at a contact (an
//! appointment or a theatre booking) include the contact number in the code.

use rand_distr::{Distribution, Exp, LogNormal, Poisson};

use crate::engine::KeyedStream;
use crate::scenario::{Minutes, Outcomes};

/// Decisions drawn once per patient.
#[derive(Clone, Copy)]
#[repr(u64)]
pub enum Once {
    Specialty = 1,
    Priority,
    RemovalDay,
    InitialWait,
    InitialStage,
    InitialDueDay,
    DayCase,
    CaseMinutes,
    MonitoringLeft,
    MonitoringCount,
    Urgent,
    CancerNeedsTest,
    CancerSecondTest,
    CancerConversion,
    CancerSurgery,
    CancerToldDays,
    CancerDecisionDays,
    CancerLeadDays,
    PrestartFirst,
    PrestartTest1,
    PrestartTest2,
    PrestartTreatment,
}

/// Decisions drawn at each contact.
#[derive(Clone, Copy)]
#[repr(u64)]
pub enum AtContact {
    Dna = 1,
    DnaRebooked,
    Outcome,
    Procedure,
    Pifu,
    PifuBooks,
    PifuRequestDay,
    CancelledOnDay,
    TestChoice,
    /// Keyed by the month (as the contact number) rather than a contact.
    Validated,
}

/// Decisions drawn per theatre list (the entity is the list, not a patient).
#[derive(Clone, Copy)]
#[repr(u64)]
pub enum PerList {
    LateStart = 1,
    EarlyFinish,
}

pub fn once(decision: Once) -> u64 {
    decision as u64
}

pub fn at_contact(contact: u16, decision: AtContact) -> u64 {
    (u64::from(contact) + 1) << 8 | decision as u64
}

pub fn per_list(decision: PerList) -> u64 {
    (1 << 32) | decision as u64
}

/// The index of the category a uniform draw `u` falls in, for shares summing to 1.
pub fn pick(u: f64, shares: &[f64]) -> usize {
    let mut cumulative = 0.0;
    for (i, share) in shares.iter().enumerate() {
        cumulative += share;
        if u < cumulative {
            return i;
        }
    }
    // Rounding can leave the shares summing to just under 1: the last category with a
    // positive share takes the remainder.
    shares
        .iter()
        .rposition(|&s| s > 0.0)
        .unwrap_or(shares.len() - 1)
}

/// What happens after an attendance on a running clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Discharge,
    Treat,
    FollowUp,
    Diagnostic,
    Admit,
}

pub fn outcome(u: f64, shares: &Outcomes) -> Outcome {
    const ORDER: [Outcome; 5] = [
        Outcome::Discharge,
        Outcome::Treat,
        Outcome::FollowUp,
        Outcome::Diagnostic,
        Outcome::Admit,
    ];
    ORDER[pick(
        u,
        &[
            shares.discharge,
            shares.treat,
            shares.followup,
            shares.diagnostic,
            shares.admit,
        ],
    )]
}

/// A lognormal duration with the given mean and standard deviation (deterministic if sd is 0).
#[derive(Clone, Copy, Debug)]
pub struct DurationDraw {
    mean: f64,
    distribution: Option<LogNormal<f64>>,
}

impl DurationDraw {
    pub fn new(minutes: Minutes) -> Self {
        Self::lognormal(minutes.mean, minutes.sd)
    }

    /// A lognormal with this mean and standard deviation, in any unit.
    pub fn lognormal(mean: f64, sd: f64) -> Self {
        // Validation keeps the mean at least 0.5 and the sd bounded, so sigma is finite; a
        // degenerate case falls back to the mean rather than failing.
        let sigma2 = (sd / mean).powi(2).ln_1p();
        let distribution = (sd > 0.0)
            .then(|| LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt()).ok())
            .flatten();
        DurationDraw { mean, distribution }
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    pub fn sample(&self, stream: &KeyedStream, entity: u64, decision: u64) -> f64 {
        match &self.distribution {
            Some(d) => d.sample(&mut stream.rng(entity, decision)),
            None => self.mean,
        }
    }
}

/// An exponential draw with the given mean (0 if the mean is 0).
pub fn exponential(mean: f64, stream: &KeyedStream, entity: u64, decision: u64) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    Exp::new(1.0 / mean)
        .expect("positive rate")
        .sample(&mut stream.rng(entity, decision))
}

/// A Poisson count with the given mean, capped at `cap`.
pub fn poisson(mean: f64, cap: u64, stream: &KeyedStream, entity: u64, decision: u64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let n: f64 = Poisson::new(mean)
        .expect("positive mean")
        .sample(&mut stream.rng(entity, decision));
    (n as u64).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StreamKey;

    #[test]
    fn pick_follows_cumulative_shares() {
        let shares = [0.2, 0.0, 0.5, 0.3];
        assert_eq!(pick(0.0, &shares), 0);
        assert_eq!(pick(0.2, &shares), 2);
        assert_eq!(pick(0.69, &shares), 2);
        assert_eq!(pick(0.7, &shares), 3);
        assert_eq!(pick(0.999_999_999, &[0.5, 0.499_999_9, 0.0]), 1);
    }

    #[test]
    fn decision_codes_are_distinct() {
        let mut codes = vec![
            once(Once::Specialty),
            once(Once::CaseMinutes),
            per_list(PerList::LateStart),
        ];
        for contact in [0u16, 1, 255, 1000] {
            codes.push(at_contact(contact, AtContact::Dna));
            codes.push(at_contact(contact, AtContact::CancelledOnDay));
        }
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len());
    }

    #[test]
    fn lognormal_durations_have_the_requested_mean_and_sd() {
        // 200,000 draws: the standard error of the mean is 50/sqrt(200000) = 0.11 minutes, so
        // 0.6 minutes is over 5 standard errors; the sd estimate is within 2% at this size.
        let draw = DurationDraw::new(Minutes {
            mean: 120.0,
            sd: 50.0,
        });
        let stream = StreamKey::new(1, "durations", 0).keyed("durations");
        let n = 200_000u64;
        let xs: Vec<f64> = (0..n).map(|e| draw.sample(&stream, e, 0)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        assert!((mean - 120.0).abs() < 0.6, "mean {mean}");
        assert!((sd - 50.0).abs() < 1.0, "sd {sd}");
    }
}
