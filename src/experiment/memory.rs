//! A rough estimate of a run's peak memory, so that a scenario too big for the machine is
//! refused before anything is allocated, with the estimate in the message. Deliberately simple
//! and on the generous side. The memory allowed ([`memory_limit`]) is read from
//! `/proc/meminfo` and the process's control group, or set by `PLANSIM_MEMORY_LIMIT`.
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

use std::path::Path;

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
    let patients = scenarios.iter().map(patients_created).fold(0.0, f64::max);
    let results: f64 = scenarios.iter().map(result_bytes).sum();
    estimate(threads.max(1).min(jobs.max(1)), patients, results)
}

/// Estimates the peak memory of a batch of `jobs` jobs on `threads` threads. Its replications
/// create at most `patients` patients each; finished jobs go to disk, so the only results held
/// are one point's while they are written, at most `point_results` bytes (the most of any
/// point, [`result_bytes`]).
pub fn estimate_batch_memory(
    patients: f64,
    point_results: f64,
    jobs: usize,
    threads: usize,
) -> MemoryEstimate {
    estimate(threads.max(1).min(jobs.max(1)), patients, point_results)
}

fn estimate(concurrent: usize, patients_per_replication: f64, result_bytes: f64) -> MemoryEstimate {
    let bytes_per_replication =
        BYTES_PER_REPLICATION + BYTES_PER_PATIENT * patients_per_replication;
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
    // Seasonality moves referrals between months: count each simulated month at its own
    // weight, so that a year's referrals squeezed into one month are counted as such. A
    // month's weekdays and chance move its count by a few percent more: a tenth is added.
    let (_, first_month, _) = s.simulation.start.ymd();
    let seasonal_days: f64 = (0..s.simulation.months)
        .map(|m| {
            let calendar_month = (first_month as usize - 1 + m as usize) % 12;
            31.0 * s.referrals.monthly_seasonality[calendar_month]
        })
        .sum::<f64>()
        * 1.1;
    let referred = s.referrals.per_day * seasonal_days * growth
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

/// The results of all of `s`'s replications: each one's tables, and the CSV text of all.
pub fn result_bytes(s: &Scenario) -> f64 {
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

/// The memory a run may use, and where that figure comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryLimit {
    pub bytes: f64,
    /// Said after the figure in messages: "available", "set by PLANSIM_MEMORY_LIMIT", ...
    pub source: &'static str,
}

/// Names the memory a run may use, overriding what plansim reads from the machine.
pub const MEMORY_LIMIT_VARIABLE: &str = "PLANSIM_MEMORY_LIMIT";

/// The memory a run may use: `PLANSIM_MEMORY_LIMIT` if set; otherwise what the machine has
/// available (`MemAvailable` in `/proc/meminfo`), or the limit of this process's control group
/// (a Slurm job's or a container's) if that is lower. `None` where none of these can be read
/// (not Linux), and then nothing is refused. A bad `PLANSIM_MEMORY_LIMIT` is an error.
pub fn memory_limit() -> Result<Option<MemoryLimit>, String> {
    if let Some(value) = std::env::var_os(MEMORY_LIMIT_VARIABLE) {
        let text = value.to_string_lossy();
        return parse_bytes(&text)
            .map(|bytes| {
                Some(MemoryLimit {
                    bytes,
                    source: "set by PLANSIM_MEMORY_LIMIT",
                })
            })
            .ok_or_else(|| {
                format!(
                    "{MEMORY_LIMIT_VARIABLE}={text:?}: expected an amount of memory, such as \
                     4G, 512M or 2000000000 (bytes)"
                )
            });
    }
    let available = meminfo_available().map(|bytes| MemoryLimit {
        bytes,
        source: "available",
    });
    let group = control_group_limit().map(|bytes| MemoryLimit {
        bytes,
        source: "allowed to this process's control group (a job's or container's limit)",
    });
    Ok(match (available, group) {
        (Some(a), Some(g)) if g.bytes < a.bytes => Some(g),
        (Some(a), _) => Some(a),
        (None, g) => g,
    })
}

/// Reads `4G`, `512M`, `1.5GB`, `64KiB` or a number of bytes (K, M, G, T by 1024).
fn parse_bytes(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_uppercase();
    let unit = unit.trim_end_matches('B').trim_end_matches('I');
    let factor = match unit {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * factor;
    (bytes.is_finite() && bytes > 0.0).then_some(bytes)
}

/// `MemAvailable` from `/proc/meminfo`.
fn meminfo_available() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// The tightest memory limit of this process's control group and its parents (cgroup v2
/// `memory.max`, or v1 `memory.limit_in_bytes`): what Slurm and container runtimes set for a
/// job, and what `/proc/meminfo` does not show. `None` without a limit.
fn control_group_limit() -> Option<f64> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    control_group_limit_in(&groups, Path::new("/sys/fs/cgroup"))
}

/// [`control_group_limit`] from the text of `/proc/self/cgroup` and the cgroup file system
/// mounted at `mount`.
fn control_group_limit_in(groups: &str, mount: &Path) -> Option<f64> {
    let mut tightest: Option<f64> = None;
    for line in groups.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (root, limit_file) = if id == "0" && controllers.is_empty() {
            (mount.to_path_buf(), "memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            (mount.join("memory"), "memory.limit_in_bytes")
        } else {
            continue;
        };
        // The group's own folder, then each parent's up to the mount.
        let mut dir = root.join(path.trim_start_matches('/'));
        loop {
            let limit = std::fs::read_to_string(dir.join(limit_file))
                .ok()
                .and_then(|t| t.trim().parse::<f64>().ok())
                // v2 writes no limit as "max", v1 as a number near 2^63.
                .filter(|&bytes| bytes < 1e18);
            if let Some(bytes) = limit {
                tightest = Some(tightest.map_or(bytes, |t| t.min(bytes)));
            }
            if dir == root || !dir.pop() || !dir.starts_with(&root) {
                break;
            }
        }
    }
    tightest
}

/// This process's peak resident memory in bytes (Linux: `VmHWM` in /proc/self/status).
pub fn peak_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_limits_read_as_people_write_them() {
        let gib = 1024.0 * 1024.0 * 1024.0;
        assert_eq!(parse_bytes("4G"), Some(4.0 * gib));
        assert_eq!(parse_bytes("1.5GB"), Some(1.5 * gib));
        assert_eq!(parse_bytes("512MiB"), Some(512.0 * 1024.0 * 1024.0));
        assert_eq!(parse_bytes(" 2000000000 "), Some(2e9));
        assert_eq!(parse_bytes("64k"), Some(65536.0));
        for bad in ["", "G", "4X", "-1G", "0", "lots", "1e400"] {
            assert_eq!(parse_bytes(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_tightest_control_group_limit_counts_from_the_group_up() {
        let mount = std::env::temp_dir().join(format!("plansim-cgroup-{}", std::process::id()));
        let write = |path: &str, text: &str| {
            let path = mount.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        // cgroup v2: the job's own group has no limit, its parent 4 GiB, the root none.
        write("memory.max", "max\n");
        write("slurm/memory.max", "4294967296\n");
        write("slurm/job_7/memory.max", "max\n");
        assert_eq!(
            control_group_limit_in("0::/slurm/job_7\n", &mount),
            Some(4294967296.0)
        );
        assert_eq!(control_group_limit_in("0::/\n", &mount), None);
        // cgroup v1: "no limit" is a number near 2^63; a job limit of 2 GB.
        write("memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("memory/pod/memory.limit_in_bytes", "2000000000\n");
        assert_eq!(
            control_group_limit_in("9:cpu:/\n4:memory:/pod\n", &mount),
            Some(2e9)
        );
        assert_eq!(control_group_limit_in("4:memory:/\n", &mount), None);
        // A group whose files cannot be read is no limit.
        assert_eq!(control_group_limit_in("0::/elsewhere\n", &mount), None);
        std::fs::remove_dir_all(&mount).unwrap();
    }

    #[test]
    fn the_patient_count_bounds_a_run_whatever_the_seasonality() {
        // A month's run whose month has all the year's referrals: the estimate must still
        // bound the patients the model creates, and not by a wide margin.
        let mut s = crate::model::test_support::small_scenario();
        s.simulation.months = 1;
        let (_, month, _) = s.simulation.start.ymd();
        s.referrals.monthly_seasonality = [0.0; 12];
        s.referrals.monthly_seasonality[month as usize - 1] = 12.0;
        let estimated = patients_created(&s);
        let created = crate::model::run_replication(&s, 1).patients as f64;
        assert!(
            created <= estimated,
            "{created} created, {estimated} estimated"
        );
        assert!(
            estimated < 2.0 * created,
            "{created} created, {estimated} estimated"
        );
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
        let patients = patients_created(&s);
        let batch = estimate_batch_memory(patients, result_bytes(&s), 1000, 2);
        assert_eq!(batch.concurrent, 2);
        assert_eq!(batch.total_bytes, 2.0 * replication + run.result_bytes);
        assert_eq!(
            estimate_batch_memory(patients, result_bytes(&s), 1, 2).concurrent,
            1
        );
    }
}
