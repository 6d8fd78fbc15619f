//! The pending-event list: a binary heap ordered by `(time, sequence number)`.
//!
//! **Ordering guarantee.** Events pop in increasing time. Events scheduled for the same time pop
//! in the order they were scheduled (first scheduled, first popped), because every push takes
//! the next value of a per-queue sequence counter and the heap compares `(time, sequence)`.
//! The event payload never takes part in the comparison, so the order cannot depend on what an
//! event contains, on hashing, or on the platform.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

struct Entry<E> {
    time: SimTime,
    sequence: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.sequence == other.sequence
    }
}
impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest `(time, sequence)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.sequence).cmp(&(self.time, self.sequence))
    }
}

/// Events waiting to happen, popped in `(time, sequence)` order.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_sequence: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_sequence: 0,
        }
    }

    /// Schedules `event` at `time`; among events at the same time it runs after those already
    /// scheduled.
    pub fn push(&mut self, time: SimTime, event: E) {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.heap.push(Entry {
            time,
            sequence,
            event,
        });
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|entry| (entry.time, entry.event))
    }

    /// The time of the earliest event, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|entry| entry.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order() {
        let mut queue = EventQueue::new();
        for (time, name) in [(30, "c"), (10, "a"), (20, "b")] {
            queue.push(SimTime::from_minutes(time), name);
        }
        let order: Vec<_> = std::iter::from_fn(|| queue.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn simultaneous_events_pop_in_scheduling_order() {
        // The payloads sort the other way round, so a comparison that looked at them would fail.
        let mut queue = EventQueue::new();
        let t = SimTime::from_minutes(5);
        for name in ["z", "y", "x", "w"] {
            queue.push(t, name);
        }
        queue.push(SimTime::from_minutes(1), "first");
        let order: Vec<_> = std::iter::from_fn(|| queue.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["first", "z", "y", "x", "w"]);
    }

    #[test]
    fn tie_break_holds_for_events_pushed_while_popping() {
        let mut queue = EventQueue::new();
        let t = SimTime::from_minutes(0);
        queue.push(t, 1);
        queue.push(t, 2);
        let (_, first) = queue.pop().unwrap();
        queue.push(t, 3); // scheduled later, so it runs after 2 although both are at time 0
        let rest: Vec<_> = std::iter::from_fn(|| queue.pop()).map(|(_, e)| e).collect();
        assert_eq!((first, rest), (1, vec![2, 3]));
    }

    #[test]
    fn peek_and_len_agree_with_pop() {
        let mut queue = EventQueue::new();
        assert!(queue.is_empty());
        queue.push(SimTime::from_minutes(7), ());
        queue.push(SimTime::from_minutes(3), ());
        assert_eq!(queue.len(), 2);
        assert_eq!(queue.peek_time(), Some(SimTime::from_minutes(3)));
    }
}
