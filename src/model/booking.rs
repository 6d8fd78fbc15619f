//! Booking queues: who a clinic or theatre list takes next, under the scenario's booking policy.
//!
//! A queue holds references, not patients. Entries of patients who left the queue some other way
//! (removed from the list, say) stay behind as tombstones and are skipped when reached.
//!
//! Every order used here ranks patients by (rank, a whole day, insertion order), so the queue is
//! a bucket queue: one first-in-first-out bucket per (rank, day) and a bitset of the non-empty
//! buckets. That gives the same order as a heap keyed on (rank, day, sequence), in constant time
//! per operation and with the locality of arrays.

use std::collections::VecDeque;

#[cfg(test)]
use super::patient::patient_day;
use super::patient::{Pathway, Patient, PatientRef, Stage};
use crate::scenario::BookingPolicy;

/// Ranks 0 (cancer, or orders without rank) to 4 (clinical priority 4).
const RANKS: usize = 5;

pub struct BookingQueue {
    /// Rank-major: bucket `rank * days + (day - first_day)`.
    buckets: Vec<VecDeque<PatientRef>>,
    /// Bit `i` set when bucket `i` may be non-empty.
    occupied: Vec<u64>,
    /// Every word before this one is zero.
    first_word: usize,
    first_day: i64,
    days: usize,
    stage: Stage,
}

/// Where a peeked patient stands, to take them without searching again.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    bucket: usize,
    at: PatientRef,
}

/// Which kind of queue a patient joins; each ranks patients its own way (see [`BookingRules`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    FirstAppointment,
    FollowUp,
    Admission,
    Test,
    CancerTreatment,
}

/// How every queue of a replication ranks its patients: lowest `(rank, day)` first, then first
/// in, first out.
///
/// - Follow-ups and non-surgical cancer treatment: by the day the patient became due.
/// - Cancer patients: rank 0 for their first appointment, and for tests, theatre lists and
///   treatment too when `cancer_priority` is on, by the day they joined the queue.
/// - First appointments and the admitted list, by the booking policy: clinical priority then
///   RTT clock start; RTT clock start alone; or the day the patient joined the queue.
/// - Tests: urgent requests (rank 1) before routine ones (rank 2), each by request day (the
///   DM01 6-week clock); under `longest_wait_first`, RTT patients by their RTT clock start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookingRules {
    pub policy: BookingPolicy,
    pub cancer_priority: bool,
}

impl BookingRules {
    pub fn key(&self, patient: &Patient, queue: QueueKind) -> (u8, i32) {
        // An urgent referral's first appointment is always urgent; `cancer_priority` decides
        // whether cancer goes first for tests, theatre lists and treatment too.
        let cancer_first = patient.pathway == Pathway::Cancer
            && (self.cancer_priority || queue == QueueKind::FirstAppointment);
        match queue {
            QueueKind::FollowUp | QueueKind::CancerTreatment => (0, patient.queued_day.into()),
            _ if cancer_first => (0, patient.queued_day.into()),
            QueueKind::Test => {
                let rank = if patient.urgent { 1 } else { 2 };
                let longest_first =
                    self.policy == BookingPolicy::LongestWaitFirst && patient.clock_running;
                let day = if longest_first {
                    patient.clock_start_day
                } else {
                    patient.queued_day
                };
                (rank, day.into())
            }
            QueueKind::FirstAppointment | QueueKind::Admission => match self.policy {
                BookingPolicy::PriorityThenLongestWait => {
                    (patient.priority, patient.clock_start_day.into())
                }
                BookingPolicy::LongestWaitFirst => (1, patient.clock_start_day.into()),
                BookingPolicy::FirstComeFirstServed => (1, patient.queued_day.into()),
            },
        }
    }
}

impl BookingQueue {
    /// A queue for patients at `stage` whose ordering days lie in `first_day..=last_day`.
    pub fn new(stage: Stage, first_day: i64, last_day: i64) -> Self {
        let days = (last_day - first_day + 1) as usize;
        let buckets = RANKS * days;
        BookingQueue {
            buckets: (0..buckets).map(|_| VecDeque::new()).collect(),
            occupied: vec![0; buckets.div_ceil(64)],
            first_word: usize::MAX,
            first_day,
            days,
            stage,
        }
    }

    /// Queues `at` with its `(rank, day)` key from [`BookingRules::key`].
    pub fn push(&mut self, at: PatientRef, stage: Stage, (rank, day): (u8, i32)) {
        debug_assert_eq!(stage, self.stage, "patient queued at the wrong stage");
        let offset = i64::from(day) - self.first_day;
        assert!(
            offset >= 0 && (offset as usize) < self.days && usize::from(rank) < RANKS,
            "queue day {day} or rank {rank} outside the range the queue was built for"
        );
        let bucket = usize::from(rank) * self.days + offset as usize;
        self.buckets[bucket].push_back(at);
        self.occupied[bucket / 64] |= 1 << (bucket % 64);
        self.first_word = self.first_word.min(bucket / 64);
    }

    /// The first non-empty bucket, clearing the bits of buckets found empty.
    fn front_bucket(&mut self) -> Option<usize> {
        while self.first_word < self.occupied.len() {
            let word = self.occupied[self.first_word];
            if word == 0 {
                self.first_word += 1;
                continue;
            }
            let bucket = self.first_word * 64 + word.trailing_zeros() as usize;
            if !self.buckets[bucket].is_empty() {
                return Some(bucket);
            }
            self.occupied[self.first_word] &= !(1 << (bucket % 64));
            // A drained bucket gives its memory back: otherwise every bucket would keep room
            // for the most patients it ever held, and a year's buckets hold a year's flow.
            self.buckets[bucket] = VecDeque::new();
        }
        self.first_word = usize::MAX;
        None
    }

    /// Up to `n` entries at the front of the queue (tombstones included): the patients about
    /// to be booked, to warm before booking them.
    pub fn front(&mut self, n: usize) -> impl Iterator<Item = PatientRef> + '_ {
        let bucket = self.front_bucket();
        bucket
            .map(|bucket| self.buckets[bucket].iter().take(n).copied())
            .into_iter()
            .flatten()
    }

    /// The next patient to book, without taking them off the queue (tombstones in front are
    /// dropped). `is_current` says whether a reference still points at a patient waiting at
    /// this queue's stage. Pass the returned place to [`BookingQueue::take`] to book them.
    pub fn peek(
        &mut self,
        mut is_current: impl FnMut(PatientRef, Stage) -> bool,
    ) -> Option<(PatientRef, Place)> {
        while let Some(bucket) = self.front_bucket() {
            while let Some(&at) = self.buckets[bucket].front() {
                if is_current(at, self.stage) {
                    return Some((at, Place { bucket, at }));
                }
                self.buckets[bucket].pop_front();
            }
        }
        None
    }

    /// Takes the patient a [`BookingQueue::peek`] returned; the queue must not have changed
    /// in between.
    pub fn take(&mut self, place: Place) {
        let taken = self.buckets[place.bucket].pop_front();
        debug_assert_eq!(
            taken,
            Some(place.at),
            "the queue changed between peek and take"
        );
    }

    /// The next patient to book, taken off the queue, skipping tombstones.
    pub fn pop(&mut self, is_current: impl FnMut(PatientRef, Stage) -> bool) -> Option<PatientRef> {
        let (at, place) = self.peek(is_current)?;
        self.take(place);
        Some(at)
    }

    /// Entries held, tombstones included.
    #[cfg(test)]
    pub fn entries(&self) -> usize {
        self.buckets.iter().map(VecDeque::len).sum()
    }

    /// Room held for entries, over all buckets.
    #[cfg(test)]
    pub fn room(&self) -> usize {
        self.buckets.iter().map(VecDeque::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient(priority: u8, clock_start_day: i32, queued_day: i32) -> Patient {
        let mut patient = Patient::on_pathway(
            0,
            0,
            priority,
            i64::from(clock_start_day),
            Stage::AwaitingFirst,
        );
        patient.queued_day = patient_day(queued_day.into());
        patient
    }

    fn order_of(rules: BookingRules, kind: QueueKind, patients: &[Patient]) -> Vec<u32> {
        let mut queue = BookingQueue::new(Stage::AwaitingFirst, -400, 10);
        for (i, p) in patients.iter().enumerate() {
            queue.push(
                PatientRef {
                    index: i as u32,
                    generation: 0,
                },
                Stage::AwaitingFirst,
                rules.key(p, kind),
            );
        }
        std::iter::from_fn(|| queue.pop(|_, _| true))
            .map(|r| r.index)
            .collect()
    }

    fn rules(policy: BookingPolicy) -> BookingRules {
        BookingRules {
            policy,
            cancer_priority: true,
        }
    }

    #[test]
    fn policies_order_patients_as_documented() {
        // 0: routine, waiting longest; 1: urgent, recent; 2: routine, recent but queued first;
        // 3: same as 2 but pushed later.
        let patients = [
            patient(4, -300, 5),
            patient(2, -10, 3),
            patient(4, -20, 1),
            patient(4, -20, 1),
        ];
        let first = QueueKind::FirstAppointment;
        assert_eq!(
            order_of(
                rules(BookingPolicy::PriorityThenLongestWait),
                first,
                &patients
            ),
            [1, 0, 2, 3]
        );
        assert_eq!(
            order_of(rules(BookingPolicy::LongestWaitFirst), first, &patients),
            [0, 2, 3, 1]
        );
        assert_eq!(
            order_of(rules(BookingPolicy::FirstComeFirstServed), first, &patients),
            [2, 3, 1, 0]
        );
        assert_eq!(
            order_of(
                rules(BookingPolicy::LongestWaitFirst),
                QueueKind::FollowUp,
                &patients
            ),
            [2, 3, 1, 0]
        );
    }

    #[test]
    fn cancer_goes_first_for_tests_and_theatres_only_with_cancer_priority() {
        let mut cancer = patient(2, -5, 9);
        cancer.pathway = Pathway::Cancer;
        cancer.clock_running = false;
        let patients = [patient(1, -300, 0), cancer];
        let on = rules(BookingPolicy::PriorityThenLongestWait);
        let off = BookingRules {
            cancer_priority: false,
            ..on
        };
        assert_eq!(order_of(on, QueueKind::Admission, &patients), [1, 0]);
        assert_eq!(order_of(off, QueueKind::Admission, &patients), [0, 1]);
        assert_eq!(order_of(on, QueueKind::Test, &patients), [1, 0]);
        assert_eq!(
            order_of(off, QueueKind::FirstAppointment, &patients),
            [1, 0],
            "urgent referral"
        );
    }

    #[test]
    fn tests_go_by_urgency_then_request_day_or_rtt_wait() {
        let mut direct_urgent =
            Patient::off_rtt(0, Pathway::DirectTest, 0, 8, Stage::AwaitingFirst);
        direct_urgent.urgent = true;
        let direct_routine = Patient::off_rtt(0, Pathway::DirectTest, 0, 2, Stage::AwaitingFirst);
        let elective = patient(4, -200, 6); // requested on day 6, on the RTT list since day -200
        let patients = [elective, direct_routine, direct_urgent];
        let kind = QueueKind::Test;
        assert_eq!(
            order_of(
                rules(BookingPolicy::PriorityThenLongestWait),
                kind,
                &patients
            ),
            [2, 1, 0]
        );
        assert_eq!(
            order_of(rules(BookingPolicy::LongestWaitFirst), kind, &patients),
            [2, 0, 1]
        );
    }

    #[test]
    fn drained_buckets_give_their_memory_back() {
        let mut queue = BookingQueue::new(Stage::AwaitingFirst, -400, 10);
        for i in 0..1000 {
            let at = PatientRef {
                index: i,
                generation: 0,
            };
            queue.push(at, Stage::AwaitingFirst, (1, (i % 3) as i32));
        }
        assert!(queue.room() >= 1000);
        while queue.pop(|_, _| true).is_some() {}
        assert_eq!((queue.entries(), queue.room()), (0, 0));
    }

    #[test]
    fn tombstones_are_skipped() {
        let mut queue = BookingQueue::new(Stage::AwaitingFirst, -400, 10);
        for i in 0..3 {
            queue.push(
                PatientRef {
                    index: i,
                    generation: 0,
                },
                Stage::AwaitingFirst,
                (0, i as i32),
            );
        }
        let next = queue.pop(|at, _| at.index != 0);
        assert_eq!(next.map(|r| r.index), Some(1));
        assert_eq!(queue.entries(), 1);
    }
}
