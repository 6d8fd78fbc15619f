//! A rough estimate of a run's peak memory, so that a scenario too big for the machine is
//! refused before anything is allocated, with the estimate in the message. Deliberately simple
//! and on the generous side; it reads no file but `/proc/meminfo` (for what is available).
//!
//! The estimate, per scenario:
//! - each replication in progress holds its patients: about [`BYTES_PER_PATIENT`] for every
//!   patient the replication creates (the starting RTT list, the monitoring caseload, the DM01
//!   lists, and every elective, direct-access and cancer referral over the months, grown by
//!   `annual_growth`, times `scale`), plus [`BYTES_PER_REPLICATION`] of fixed tables. Slots are
//!   reused when patients leave, so with enough capacity the real figure is far lower; with
//!   none (everyone stays) it is about this. Measured: the national baseline peaks at 0.77 GB
//!   for 62 million patients (12 bytes each); the ICB example with zero capacity (the worst
//!   case) at 77 MB for 1.6 million, growing by 41 bytes for each patient more (a 32-byte
//!   record, a queue entry and a pending removal date);
//! - as many replications are in progress as there are threads (or jobs, if fewer);
//! - every finished replication keeps its month × metric table and waiting-time histogram, and
//!   the CSV text written from them is held in memory once before it is written.

use crate::model::METRICS;
use crate::scenario::Scenario;

/// Memory per patient created in a replication (see the module docs for the measurements).
pub const BYTES_PER_PATIENT: f64 = 42.0;
/// Fixed memory of one replication in progress: calendars, queues, tables.
pub const BYTES_PER_REPLICATION: f64 = 32.0 * 1024.0 * 1024.0;

/// What a run of some scenarios is estimated to need at its peak.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryEstimate {
    /// Replications in progress at once.
    pub concurrent: usize,
    /// The largest replication: patients created and bytes held.
    pub patients_per_replication: f64,
    pub bytes_per_replication: f64,
    /// Finished replications' tables and the CSV text, over all scenarios.
    pub result_bytes: f64,
    pub total_bytes: f64,
}

/// Estimates the peak memory of running `scenarios` on `threads` threads.
pub fn estimate_memory(scenarios: &[Scenario], threads: usize) -> MemoryEstimate {
    let jobs: usize = scenarios
        .iter()
        .map(|s| s.simulation.replications as usize)
        .sum();
    let concurrent = threads.max(1).min(jobs.max(1));
    let patients_per_replication = scenarios.iter().map(patients_created).fold(0.0, f64::max);
    let bytes_per_replication =
        BYTES_PER_REPLICATION + BYTES_PER_PATIENT * patients_per_replication;
    let result_bytes: f64 = scenarios.iter().map(result_bytes).sum();
    MemoryEstimate {
        concurrent,
        patients_per_replication,
        bytes_per_replication,
        result_bytes,
        total_bytes: concurrent as f64 * bytes_per_replication + result_bytes,
    }
}

/// Estimates the peak memory of a batch of `jobs` jobs on `threads` threads, none bigger than a
/// replication of `largest` (the point whose replication creates the most patients, with its
/// replications). Finished jobs go to disk, so the only results held are one point's, while
/// they are written.
pub fn estimate_batch_memory(largest: &Scenario, jobs: usize, threads: usize) -> MemoryEstimate {
    let concurrent = threads.max(1).min(jobs.max(1));
    let patients_per_replication = patients_created(largest);
    let bytes_per_replication =
        BYTES_PER_REPLICATION + BYTES_PER_PATIENT * patients_per_replication;
    let result_bytes = result_bytes(largest);
    MemoryEstimate {
        concurrent,
        patients_per_replication,
        bytes_per_replication,
        result_bytes,
        total_bytes: concurrent as f64 * bytes_per_replication + result_bytes,
    }
}

/// Patients one replication of `s` creates (see the module docs).
pub fn patients_created(s: &Scenario) -> f64 {
    let days = horizon_days(s);
    let weekdays = days * 5.0 / 7.0;
    let years = days / 365.25;
    // Referrals grow through the run; counting them all at the final rate is an upper bound.
    let growth = (1.0 + s.referrals.annual_growth.max(0.0)).powf(years);
    let at_start = s.initial_list.total as f64
        + s.initial_list.monitoring_caseload as f64
        + s.diagnostics
            .tests
            .iter()
            .map(|t| t.initial_waiting as f64)
            .sum::<f64>();
    let referred = s.referrals.per_day * days * growth
        + s.cancer.referrals_per_weekday * weekdays * growth
        + s.diagnostics
            .tests
            .iter()
            .map(|t| t.direct_requests_per_weekday * weekdays)
            .sum::<f64>();
    (at_start + referred) * s.simulation.scale
}

fn horizon_days(s: &Scenario) -> f64 {
    f64::from(s.simulation.months) * 31.0
}

/// A finished replication's tables, and the CSV text of all replications.
fn result_bytes(s: &Scenario) -> f64 {
    let reps = f64::from(s.simulation.replications);
    let months = f64::from(s.simulation.months);
    let metrics = METRICS.len() as f64;
    let weeks = f64::from(s.initial_list.longest_wait_weeks) + horizon_days(s) / 7.0 + 2.0;
    let name = s.name.len() as f64;
    let tables = reps * 8.0 * (months * metrics + (months + 1.0) * weeks);
    // Rows of monthly.csv (name, numbers, date, metric, value) and of waits.csv.
    let text = reps * (months * metrics * (name + 60.0) + (months + 1.0) * weeks * (name + 40.0));
    tables + text
}

/// Memory available to a new process, from `/proc/meminfo` (`MemAvailable`); `None` where
/// that cannot be read (not Linux), and then nothing is refused.
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// This process's peak resident memory in bytes (Linux: `VmHWM` in /proc/self/status).
pub fn peak_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// Bytes as `1.4 GB` (powers of 1000, one decimal).
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(512.0), "512 bytes");
        assert_eq!(human_bytes(1_430_000_000.0), "1.4 GB");
        assert_eq!(human_bytes(2.5e15), "2500.0 TB");
    }

    #[test]
    fn more_threads_hold_more_replications_but_never_more_than_the_jobs() {
        let s = crate::model::test_support::small_scenario();
        let one = estimate_memory(std::slice::from_ref(&s), 1);
        let many = estimate_memory(std::slice::from_ref(&s), 64);
        assert_eq!(one.concurrent, 1);
        assert_eq!(many.concurrent, s.simulation.replications as usize);
        assert!(many.total_bytes > one.total_bytes);
        assert!(one.patients_per_replication > s.initial_list.total as f64 * s.simulation.scale);
    }

    #[test]
    fn a_batch_holds_a_job_per_thread_but_only_one_points_results() {
        let s = crate::model::test_support::small_scenario();
        let replication = estimate_memory(std::slice::from_ref(&s), 1).bytes_per_replication;
        let run = estimate_memory(std::slice::from_ref(&s), 2);
        // A thousand jobs on two threads: two in progress, and a point's results, whatever the
        // number of jobs.
        let batch = estimate_batch_memory(&s, 1000, 2);
        assert_eq!(batch.concurrent, 2);
        assert_eq!(batch.total_bytes, 2.0 * replication + run.result_bytes);
        assert_eq!(estimate_batch_memory(&s, 1, 2).concurrent, 1);
    }
}
