//! The RTT waiting-time distribution, kept as counts of running clocks per clock-start day.
//!
//! Adding a count at a clock start and subtracting it at a clock stop or removal makes every
//! month-end statistic (list size, waits over N weeks, median) a pass over days rather than a
//! scan of patients. Published RTT bands count "over N weeks" as waits of more than 7N days.

/// Running clocks by the day they started.
pub struct WaitingList {
    /// `counts[i]` clocks started on day `first_day + i`.
    counts: Vec<u64>,
    first_day: i64,
    total: u64,
}

/// The waiting list at a census day.
#[derive(Clone, Debug, PartialEq)]
pub struct Census {
    pub total: u64,
    /// Pathways waiting more than `weeks` weeks, for each requested threshold.
    pub over: Vec<u64>,
    pub median_weeks: f64,
    pub p92_weeks: f64,
}

impl WaitingList {
    /// Room for clock starts from `first_day` to `last_day` inclusive.
    pub fn new(first_day: i64, last_day: i64) -> Self {
        WaitingList {
            counts: vec![0; (last_day - first_day + 1) as usize],
            first_day,
            total: 0,
        }
    }

    fn slot(&self, day: i64) -> usize {
        let i = day - self.first_day;
        assert!(
            i >= 0 && (i as usize) < self.counts.len(),
            "clock start day {day} outside the range kept"
        );
        i as usize
    }

    pub fn start_clock(&mut self, day: i64) {
        let i = self.slot(day);
        self.counts[i] += 1;
        self.total += 1;
    }

    pub fn stop_clock(&mut self, day: i64) {
        let i = self.slot(day);
        assert!(
            self.counts[i] > 0,
            "stopping a clock that was not running (start day {day})"
        );
        self.counts[i] -= 1;
        self.total -= 1;
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// The list as it stands at the end of `census_day`, with counts over each of `weeks`.
    pub fn census(&self, census_day: i64, weeks: &[u32]) -> Census {
        let mut over = vec![0u64; weeks.len()];
        // Walk from the longest wait down, so cumulative counts of long waits come for free.
        let mut cumulative_long = 0u64;
        let mut waits: Vec<(i64, u64)> = Vec::new();
        for (i, &count) in self.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let wait_days = census_day - (self.first_day + i as i64);
            waits.push((wait_days, count));
        }
        // `waits` is in decreasing wait order because days increase along `counts`.
        let mut next = 0;
        let mut thresholds: Vec<(usize, i64)> = weeks
            .iter()
            .enumerate()
            .map(|(k, &w)| (k, 7 * i64::from(w)))
            .collect();
        thresholds.sort_by_key(|&(_, days)| std::cmp::Reverse(days));
        for &(k, days) in &thresholds {
            while next < waits.len() && waits[next].0 > days {
                cumulative_long += waits[next].1;
                next += 1;
            }
            over[k] = cumulative_long;
        }
        Census {
            total: self.total,
            over,
            median_weeks: quantile_weeks(&waits, self.total, 0.5),
            p92_weeks: quantile_weeks(&waits, self.total, 0.92),
        }
    }
}

impl WaitingList {
    /// Clocks that have run more than `days` days at the end of `census_day`.
    pub fn waiting_more_than(&self, census_day: i64, days: i64) -> u64 {
        // Clock starts before `census_day - days` have waited longer.
        let newest_start = census_day - days - 1;
        let end = (newest_start - self.first_day + 1).clamp(0, self.counts.len() as i64) as usize;
        self.counts[..end].iter().sum()
    }

    /// Pathways by whole weeks waited at the end of `census_day`: entry `w` counts waits of
    /// `7w` to `7w + 6` days. Waits of `weeks` weeks or more land in the last entry.
    pub fn weeks_histogram(&self, census_day: i64, weeks: usize) -> Vec<u64> {
        let mut histogram = vec![0u64; weeks + 1];
        for (i, &count) in self.counts.iter().enumerate() {
            if count > 0 {
                let wait_days = (census_day - (self.first_day + i as i64)).max(0);
                histogram[((wait_days / 7) as usize).min(weeks)] += count;
            }
        }
        histogram
    }
}

/// The wait (in weeks) below which a share `q` of pathways lie, interpolated within the day as
/// the published statistics interpolate within weekly bands. `waits` is in decreasing order.
fn quantile_weeks(waits: &[(i64, u64)], total: u64, q: f64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let target = q * total as f64;
    let mut below = 0.0;
    for &(wait_days, count) in waits.iter().rev() {
        let upto = below + count as f64;
        if upto >= target {
            // Spread the day's patients evenly over the day (wait_days, wait_days + 1].
            let fraction = (target - below) / count as f64;
            return (wait_days as f64 + fraction) / 7.0;
        }
        below = upto;
    }
    waits.first().map_or(0.0, |&(d, _)| (d as f64 + 1.0) / 7.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn census_counts_waits_over_thresholds() {
        let mut list = WaitingList::new(-1000, 100);
        // Census at day 0: one pathway waiting exactly 18 weeks (126 days), one 127 days,
        // one 365 days, one 0 days.
        for day in [-126, -127, -365, 0] {
            list.start_clock(day);
        }
        let census = list.census(0, &[18, 52]);
        assert_eq!(census.total, 4);
        assert_eq!(
            census.over,
            vec![2, 1],
            "126 days is not over 18 weeks; 127 is"
        );
        list.stop_clock(-365);
        assert_eq!(list.census(0, &[52]).over, vec![0]);
    }

    #[test]
    fn counts_waits_longer_than_a_number_of_days() {
        let mut list = WaitingList::new(-100, 10);
        for day in [0, -41, -42, -43, -99] {
            list.start_clock(day);
        }
        // At the end of day 0: waits of 0, 41, 42, 43 and 99 days.
        assert_eq!(
            list.waiting_more_than(0, 41),
            3,
            "6 weeks or more is more than 41 days"
        );
        assert_eq!(list.waiting_more_than(0, 62), 1);
        assert_eq!(list.waiting_more_than(0, 0), 4);
    }

    #[test]
    fn histogram_counts_whole_weeks_waited() {
        let mut list = WaitingList::new(-100, 0);
        for day in [0, -6, -7, -13, -14, -99] {
            list.start_clock(day);
        }
        assert_eq!(
            list.weeks_histogram(0, 3),
            vec![2, 2, 1, 1],
            "waits of 0-6, 7-13, 14-20 days and 99 (capped)"
        );
    }

    #[test]
    fn median_of_uniform_waits() {
        let mut list = WaitingList::new(-700, 0);
        for day in -699..=0 {
            list.start_clock(day);
        }
        // Waits 0..=699 days, one each: the median is 350 days = 50 weeks.
        let census = list.census(0, &[]);
        assert!(
            (census.median_weeks - 50.0).abs() < 1e-9,
            "{}",
            census.median_weeks
        );
        assert!(
            (census.p92_weeks - 92.0).abs() < 1e-9,
            "{}",
            census.p92_weeks
        );
    }

    #[test]
    #[should_panic(expected = "not running")]
    fn stopping_a_clock_twice_is_a_bug() {
        let mut list = WaitingList::new(0, 10);
        list.start_clock(3);
        list.stop_clock(3);
        list.stop_clock(3);
    }
}
