//! Booking queues: who a clinic or theatre list takes next, under the scenario's booking policy.
//!
//! A queue holds references, not patients. Entries of patients who left the queue some other way
//! (removed from the list, say) stay behind as tombstones and are skipped when popped.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::patient::{Patient, PatientRef, Stage};
use crate::scenario::BookingPolicy;

/// Days are offset so they pack into 28 bits of the key (about 735,000 years either side).
const DAY_OFFSET: i64 = 1 << 27;

/// A queue ordered by a packed key: rank (3 bits) | day (28 bits) | insertion sequence (32 bits).
/// The sequence makes ties deterministic: among equal rank and day, first in is first out.
pub struct BookingQueue {
    heap: BinaryHeap<Reverse<(u64, u32, u32)>>,
    sequence: u32,
    stage: Stage,
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
    /// A queue holding patients at `stage`; entries of patients no longer there are skipped.
    pub fn new(stage: Stage) -> Self {
        BookingQueue {
            heap: BinaryHeap::new(),
            sequence: 0,
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
        let day = u64::try_from(i64::from(day) + DAY_OFFSET).expect("day within range");
        let key = (u64::from(rank) << 60) | (day << 32) | u64::from(self.sequence);
        self.sequence = self
            .sequence
            .checked_add(1)
            .expect("over 4 billion bookings in one queue");
        self.heap.push(Reverse((key, at.index, at.generation)));
    }

    /// The next patient to book, skipping tombstones. `is_current` says whether a reference
    /// still points at a patient waiting at this queue's stage.
    pub fn pop(
        &mut self,
        mut is_current: impl FnMut(PatientRef, Stage) -> bool,
    ) -> Option<PatientRef> {
        while let Some(Reverse((_, index, generation))) = self.heap.pop() {
            let at = PatientRef { index, generation };
            if is_current(at, self.stage) {
                return Some(at);
            }
        }
        None
    }

    /// The next patient to book, without taking them off the queue (tombstones on top are
    /// dropped). Follow with [`BookingQueue::take_peeked`] to book them.
    pub fn peek(
        &mut self,
        mut is_current: impl FnMut(PatientRef, Stage) -> bool,
    ) -> Option<PatientRef> {
        while let Some(&Reverse((_, index, generation))) = self.heap.peek() {
            let at = PatientRef { index, generation };
            if is_current(at, self.stage) {
                return Some(at);
            }
            self.heap.pop();
        }
        None
    }

    /// Takes the patient [`BookingQueue::peek`] returned.
    pub fn take_peeked(&mut self) {
        self.heap.pop();
    }

    /// Entries held, tombstones included.
    pub fn entries(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient(priority: u8, clock_start_day: i32, queued_day: i32) -> Patient {
        Patient {
            serial: 0,
            clock_start_day,
            queued_day,
            generation: 0,
            specialty: 0,
            priority,
            stage: Stage::AwaitingFirst,
            clock_running: true,
            contacts: 0,
            monitoring_left: 0,
            day_case: false,
        }
    }

    fn order_of(order: Order, patients: &[Patient]) -> Vec<u32> {
        let mut queue = BookingQueue::new(Stage::AwaitingFirst);
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
        let mut queue = BookingQueue::new(Stage::AwaitingFirst);
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
