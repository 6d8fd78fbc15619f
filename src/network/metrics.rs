//! The network model's metrics: per-station and network-wide accumulators for one reporting
//! period, and the values reported from them. Times are reported in the scenario's time unit.

use crate::util::stats::quantile_sorted;

/// One reported metric: its name (after `station.<name>.` or `network.`) and meaning.
#[derive(Clone, Copy, Debug)]
pub struct StationMetric {
    pub name: &'static str,
    pub description: &'static str,
}

const fn metric(name: &'static str, description: &'static str) -> StationMetric {
    StationMetric { name, description }
}

/// Per-station metrics, in column order.
pub const STATION_METRICS: &[StationMetric] = &[
    metric("arrivals", "customers joining the station in the period"),
    metric("completions", "services completed in the period"),
    metric("throughput", "services completed per time unit"),
    metric("waited_pct", "share of services started in the period that had waited at all (0-100)"),
    metric("mean_wait", "mean wait before service, of services started in the period"),
    metric("wait_p50", "median wait (type 7 quantile)"),
    metric("wait_p90", "90th percentile wait"),
    metric("wait_p95", "95th percentile wait"),
    metric("mean_queue", "time-average number waiting (not in service)"),
    metric("utilisation_pct", "busy server time over server time available (0-100; session overruns count, so it can pass 100)"),
    metric("mean_sojourn", "mean wait plus service, of services completed in the period"),
];

/// Network-wide metrics, in column order.
pub const NETWORK_METRICS: &[StationMetric] = &[
    metric("arrivals", "customers arriving from outside in the period"),
    metric("exits", "customers leaving the network in the period"),
    metric("mean_time_in_system", "mean time from arrival to exit, of customers leaving in the period who arrived after the warm-up"),
];

/// What one station did in one period. Times in minutes.
#[derive(Clone, Debug, Default)]
pub(crate) struct StationTally {
    pub arrivals: u64,
    pub completions: u64,
    /// Waits of services started in the period, in whole minutes.
    pub waits: Vec<i64>,
    pub sojourn_sum: f64,
    pub sojourn_count: u64,
    /// Integrals over time of the number waiting, busy servers and servers available.
    pub area_queue: f64,
    pub area_busy: f64,
    pub area_capacity: f64,
}

impl StationTally {
    pub fn merge(&mut self, other: &StationTally) {
        self.arrivals += other.arrivals;
        self.completions += other.completions;
        self.waits.extend_from_slice(&other.waits);
        self.sojourn_sum += other.sojourn_sum;
        self.sojourn_count += other.sojourn_count;
        self.area_queue += other.area_queue;
        self.area_busy += other.area_busy;
        self.area_capacity += other.area_capacity;
    }

    /// The values of [`STATION_METRICS`] over a period of `minutes`, times divided by `unit`
    /// (minutes per time unit). Sorts `waits`. Means of nothing are NaN.
    pub fn values(&mut self, minutes: f64, unit: f64) -> Vec<f64> {
        self.waits.sort_unstable();
        let waits: Vec<f64> = self.waits.iter().map(|&w| w as f64 / unit).collect();
        let started = waits.len() as f64;
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        vec![
            self.arrivals as f64,
            self.completions as f64,
            ratio(self.completions as f64, minutes / unit),
            ratio(
                100.0 * waits.iter().filter(|&&w| w > 0.0).count() as f64,
                started,
            ),
            ratio(waits.iter().sum(), started),
            quantile_sorted(&waits, 0.50),
            quantile_sorted(&waits, 0.90),
            quantile_sorted(&waits, 0.95),
            ratio(self.area_queue, minutes),
            ratio(100.0 * self.area_busy, self.area_capacity),
            ratio(self.sojourn_sum / unit, self.sojourn_count as f64),
        ]
    }
}

/// What the network as a whole did in one period.
#[derive(Clone, Debug, Default)]
pub(crate) struct NetworkTally {
    pub arrivals: u64,
    pub exits: u64,
    pub time_in_system_sum: f64,
    pub time_in_system_count: u64,
}

impl NetworkTally {
    pub fn merge(&mut self, other: &NetworkTally) {
        self.arrivals += other.arrivals;
        self.exits += other.exits;
        self.time_in_system_sum += other.time_in_system_sum;
        self.time_in_system_count += other.time_in_system_count;
    }

    /// The values of [`NETWORK_METRICS`], times divided by `unit`.
    pub fn values(&self, unit: f64) -> Vec<f64> {
        let mean = if self.time_in_system_count > 0 {
            self.time_in_system_sum / unit / self.time_in_system_count as f64
        } else {
            f64::NAN
        };
        vec![self.arrivals as f64, self.exits as f64, mean]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_station_values() {
        // Four services started, waits 0, 0, 60, 120 minutes; reported in hours over 10 hours.
        let mut tally = StationTally {
            arrivals: 5,
            completions: 4,
            waits: vec![120, 0, 60, 0],
            sojourn_sum: 600.0,
            sojourn_count: 4,
            area_queue: 300.0,
            area_busy: 450.0,
            area_capacity: 600.0,
        };
        let v = tally.values(600.0, 60.0);
        assert_eq!(v.len(), STATION_METRICS.len());
        assert_eq!(&v[..5], &[5.0, 4.0, 0.4, 50.0, 0.75]);
        // Sorted waits 0, 0, 1, 2 hours: p50 = 0.5, p90 at h = 2.7 -> 1.7, p95 at 2.85 -> 1.85.
        assert_eq!(v[5], 0.5);
        assert!((v[6] - 1.7).abs() < 1e-12 && (v[7] - 1.85).abs() < 1e-12);
        assert_eq!(&v[8..], &[0.5, 75.0, 2.5]);
    }

    #[test]
    fn empty_period_gives_nan_means_not_a_panic() {
        let v = StationTally::default().values(60.0, 1.0);
        assert!(v[4].is_nan() && v[5].is_nan() && v[9].is_nan());
        assert_eq!(v[0], 0.0);
    }
}
