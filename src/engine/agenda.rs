//! A day-indexed agenda: items due on a simulated day, returned in the order they were added.
//!
//! Millions of patients each have a due date (a follow-up, a patient-initiated request, the day
//! they would leave the list unless treated). Keeping these in the event heap would make every
//! heap operation slower; instead they sit in one bucket per day and the model drains a day's
//! bucket from a single daily event. Within a day, items come out in insertion order, so the
//! order is as deterministic as the event queue's.

/// Items due on days `0..horizon_days`; items due later are not kept (the run ends first).
pub struct DayAgenda<T> {
    buckets: Vec<Vec<T>>,
    len: usize,
}

impl<T> DayAgenda<T> {
    pub fn new(horizon_days: usize) -> Self {
        DayAgenda {
            buckets: (0..horizon_days).map(|_| Vec::new()).collect(),
            len: 0,
        }
    }

    /// Adds `item` due on `day`. Returns false (and keeps nothing) if the day is past the
    /// horizon. A day already drained, or in the past, is a bug in the caller.
    pub fn add(&mut self, day: i64, item: T) -> bool {
        assert!(day >= 0, "agenda item due on past day {day}");
        match self.buckets.get_mut(day as usize) {
            Some(bucket) => {
                bucket.push(item);
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// Removes and returns everything due on `day`, in insertion order.
    pub fn take_day(&mut self, day: i64) -> Vec<T> {
        match usize::try_from(day)
            .ok()
            .and_then(|d| self.buckets.get_mut(d))
        {
            Some(bucket) => {
                let items = std::mem::take(bucket);
                self.len -= items.len();
                items
            }
            None => Vec::new(),
        }
    }

    /// Items held, across all days.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_out_on_their_day_in_insertion_order() {
        let mut agenda = DayAgenda::new(10);
        assert!(agenda.add(3, "b"));
        assert!(agenda.add(1, "a"));
        assert!(agenda.add(3, "c"));
        assert_eq!(agenda.len(), 3);
        assert_eq!(agenda.take_day(1), vec!["a"]);
        assert_eq!(agenda.take_day(2), Vec::<&str>::new());
        assert_eq!(agenda.take_day(3), vec!["b", "c"]);
        assert!(agenda.is_empty());
    }

    #[test]
    fn items_past_the_horizon_are_dropped() {
        let mut agenda = DayAgenda::new(5);
        assert!(!agenda.add(5, 1));
        assert!(agenda.is_empty());
        assert!(agenda.take_day(99).is_empty());
    }
}
