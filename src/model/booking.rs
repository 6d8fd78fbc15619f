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

use super::patient::{Patient, PatientRef, Stage};
use crate::scenario::BookingPolicy;

/// Ranks 0 (orders without priority) and 1 to 4 (clinical priority).
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

/// How a queue ranks its patients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// By the booking policy (first appointments, the admitted list).
    Policy(BookingPolicy),
    /// By the day the patient became due (follow-ups are booked in due order).
    DueDate,
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

    pub fn push(&mut self, at: PatientRef, patient: &Patient, order: Order) {
        debug_assert_eq!(
            patient.stage, self.stage,
            "patient queued at the wrong stage"
        );
        let (rank, day) = match order {
            Order::Policy(BookingPolicy::PriorityThenLongestWait) => {
                (patient.priority, patient.clock_start_day)
            }
            Order::Policy(BookingPolicy::LongestWaitFirst) => (0, patient.clock_start_day),
            Order::Policy(BookingPolicy::FirstComeFirstServed) | Order::DueDate => {
                (0, patient.queued_day)
            }
        };
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
        }
        self.first_word = usize::MAX;
        None
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
        patient.queued_day = queued_day;
        patient
    }

    fn order_of(order: Order, patients: &[Patient]) -> Vec<u32> {
        let mut queue = BookingQueue::new(Stage::AwaitingFirst, -400, 10);
        for (i, p) in patients.iter().enumerate() {
            queue.push(
                PatientRef {
                    index: i as u32,
                    generation: 0,
                },
                p,
                order,
            );
        }
        std::iter::from_fn(|| queue.pop(|_, _| true))
            .map(|r| r.index)
            .collect()
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
        let priority = Order::Policy(BookingPolicy::PriorityThenLongestWait);
        assert_eq!(order_of(priority, &patients), [1, 0, 2, 3]);
        assert_eq!(
            order_of(Order::Policy(BookingPolicy::LongestWaitFirst), &patients),
            [0, 2, 3, 1]
        );
        assert_eq!(
            order_of(
                Order::Policy(BookingPolicy::FirstComeFirstServed),
                &patients
            ),
            [2, 3, 1, 0]
        );
        assert_eq!(order_of(Order::DueDate, &patients), [2, 3, 1, 0]);
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
                &patient(4, i as i32, 0),
                Order::DueDate,
            );
        }
        let next = queue.pop(|at, _| at.index != 0);
        assert_eq!(next.map(|r| r.index), Some(1));
        assert_eq!(queue.entries(), 1);
    }
}
