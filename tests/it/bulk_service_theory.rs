//! The discrete-time bulk-service queue against both models.
//!
//! **The queue.** Each period, a Poisson(lambda) number of customers arrive, then up to c of
//! those waiting are served; the number left waiting at the end of period n + 1 is
//!
//!   Q(n+1) = max(Q(n) + A(n+1) - c, 0),   A ~ Poisson(lambda), lambda < c.
//!
//! This is the M/D/c queue observed at multiples of the service time (Crommelin 1932): a
//! Markov chain on 0, 1, 2, ... whose stationary distribution has no elementary closed form
//! for c > 1. [`stationary`] computes it numerically, independently of any simulation: it
//! iterates the chain's transition on the distribution itself (pi <- pi P), from an empty
//! queue, until nothing changes (total variation below 1e-14), on states up to a bound where
//! the remaining mass is below 1e-15. `the_numerical_solution_matches_closed_forms` checks it
//! against Pollaczek-Khinchine for c = 1 (mean rho^2 / (2 (1 - rho))) and against flow
//! balance (served per period = lambda) for any c.
//!
//! **In the elective model** (`elective_list_matches_the_bulk_service_queue`): referrals arrive
//! at the start of each weekday, clinics later that day book c first appointments first come,
//! first served, and every first appointment is discharged (the clock stops): the RTT list at
//! the end of each weekday is this chain. Weekends change nothing (no referrals, no clinics),
//! so every month-end census is a draw from the stationary distribution.
//!
//! **In the network model** (`session_queue_matches_the_bulk_service_queue`): customers arrive
//! overnight, 00:00 to 08:00 on weekdays, and one server works a 09:00 to 11:00 session with a
//! deterministic service of one hour. A service starts only while the session is open, and
//! the session is closed at 11:00, so each weekday serves min(Q + A, 2) customers and the
//! queue at the end of the day is the chain with c = 2. This test depends on the order of
//! simultaneous events: the second service ends at 11:00, exactly when the session ends, and
//! the session end, scheduled a week earlier, must run first. With the engine's tie-break
//! reversed, the completion runs first and starts a third service at 11:00, so the station
//! serves 3 a day and the waits fall far outside the tolerance.
//!
//! **Tolerances.** Replications are independent and the seeds fixed. Each check compares the
//! mean over R replications of a per-replication estimate with theory, and requires it to lie
//! within the 99.9% confidence half-width t(0.9995, R - 1) sd / sqrt(R) (an unbiased model
//! fails a check with probability 0.001).

use plansim::model::{run_replication, Metric};
use plansim::network::{run_network_replication, NetworkScenario};
use plansim::scenario::Scenario;
use plansim::util::stats::{mean, sample_sd};

/// Poisson probabilities P(A = k) for k = 0, 1, ... until the tail is negligible.
fn poisson_pmf(lambda: f64) -> Vec<f64> {
    let mut pmf = vec![(-lambda).exp()];
    let mut k = 0.0;
    while k < lambda || *pmf.last().unwrap() > 1e-18 {
        k += 1.0;
        let next = pmf.last().unwrap() * lambda / k;
        pmf.push(next);
    }
    pmf
}

/// The stationary distribution of Q' = max(Q + A - c, 0), A ~ Poisson(lambda), by iterating
/// the transition from an empty queue until the distribution stops changing.
fn stationary(lambda: f64, c: usize) -> Vec<f64> {
    assert!(lambda < c as f64, "a stable queue needs lambda < c");
    let arrivals = poisson_pmf(lambda);
    // States kept: enough that the stationary tail beyond them is negligible (it decays
    // geometrically; checked below).
    let states = 400 + 200 * c;
    let mut pi = vec![0.0; states];
    pi[0] = 1.0;
    for _ in 0..1_000_000 {
        let mut next = vec![0.0; states];
        for (q, &p) in pi.iter().enumerate() {
            if p < 1e-300 {
                continue;
            }
            for (a, &pa) in arrivals.iter().enumerate() {
                let after = (q + a).saturating_sub(c);
                if after < states {
                    next[after] += p * pa;
                }
            }
        }
        let change: f64 = next.iter().zip(&pi).map(|(x, y)| (x - y).abs()).sum();
        pi = next;
        if change < 1e-14 {
            let total: f64 = pi.iter().sum();
            let tail: f64 = pi[states - states / 4..].iter().sum();
            assert!(
                (total - 1.0).abs() < 1e-9 && tail < 1e-15,
                "truncation: {total}, {tail}"
            );
            return pi;
        }
    }
    panic!("the chain did not converge");
}

/// E[f(Q)] under a distribution over 0, 1, 2, ...
fn expect(pi: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    pi.iter().enumerate().map(|(q, p)| p * f(q as f64)).sum()
}

/// The distribution of Y = Q + A (the queue just before service).
fn before_service(pi: &[f64], lambda: f64) -> Vec<f64> {
    let arrivals = poisson_pmf(lambda);
    let mut y = vec![0.0; pi.len() + arrivals.len()];
    for (q, &p) in pi.iter().enumerate() {
        for (a, &pa) in arrivals.iter().enumerate() {
            y[q + a] += p * pa;
        }
    }
    y
}

/// t quantiles for a two-sided 99.9% interval.
fn t_999(degrees_of_freedom: usize) -> f64 {
    match degrees_of_freedom {
        9 => 4.781,
        199 => 3.340,
        _ => panic!("no t quantile tabulated for {degrees_of_freedom} degrees of freedom"),
    }
}

/// Checks that the mean of `values` lies within the 99.9% interval of `theory`.
fn check(what: &str, values: &[f64], theory: f64) {
    let m = mean(values);
    let half = t_999(values.len() - 1) * sample_sd(values) / (values.len() as f64).sqrt();
    assert!(
        (m - theory).abs() <= half,
        "{what}: simulated {m:.4} ± {half:.4} (99.9% CI over {} replications), theory {theory:.4}",
        values.len()
    );
}

#[test]
fn the_numerical_solution_matches_closed_forms() {
    // c = 1 is the M/D/1 queue: E[Q] = rho^2 / (2 (1 - rho)) (Pollaczek-Khinchine for the
    // number waiting, which is what is left after each service period).
    for rho in [0.5, 0.8, 0.95] {
        let pi = stationary(rho, 1);
        let expected = rho * rho / (2.0 * (1.0 - rho));
        assert!((expect(&pi, |q| q) - expected).abs() < 1e-6 * expected);
    }
    // Any c: in the long run every arrival is served, so E[min(Q + A, c)] = lambda.
    for (lambda, c) in [(9.0, 10), (1.8, 2), (19.0, 20)] {
        let y = before_service(&stationary(lambda, c), lambda);
        let served = expect(&y, |y| y.min(c as f64));
        assert!(
            (served - lambda).abs() < 1e-7,
            "c = {c}: served {served}, lambda {lambda}"
        );
    }
}

/// An elective scenario that is the bulk-service queue: one specialty; `per_weekday` Poisson
/// referrals every weekday and none at weekends; `slots` clinic slots every weekday (no bank
/// holidays); first come, first served; no DNAs; every first appointment ends in discharge;
/// no removals, growth, seasonality, starting list, follow-ups, tests, theatre lists or
/// cancer patients. The scenario loader validates it like any user's file.
fn elective_text(per_weekday: f64, slots: u32, seed: u64) -> String {
    // Weekday weights are normalised to a mean of 1 (so 1.4 on weekdays): per_day * 1.4 is the
    // weekday rate.
    let per_day = per_weekday * 5.0 / 7.0;
    let test = |name: &str| {
        format!(
            "[diagnostics.tests.{name}]\ntests_per_week = 0\ndirect_requests_per_weekday = 0\n\
             urgent_share = 0\ninitial_waiting = 0\ninitial_over_6_weeks = 0\ninitial_longest_weeks = 7\n"
        )
    };
    let tests: String = ["mri", "ct", "ultrasound", "endoscopy", "physiological"]
        .iter()
        .map(|t| test(t))
        .collect();
    format!(
        r#"name = "bulk-service"
[simulation]
start = 2024-04-01
months = 120
replications = 200
seed = {seed}
booking_policy = "first_come_first_served"
[initial_list]
total = 0
over_18_weeks = 0
over_52_weeks = 0
over_65_weeks = 0
over_78_weeks = 0
over_104_weeks = 0
longest_wait_weeks = 105
monitoring_caseload = 0
share_awaiting_first = 1.0
share_followup = 0.0
share_awaiting_admission = 0.0
[referrals]
per_day = {per_day}
annual_growth = 0.0
weekday_weights = [1, 1, 1, 1, 1, 0, 0]
monthly_seasonality = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
[removals]
monthly_rate = 0.0
[outpatients]
dna_rate = 0.0
dna_rebook_share = 1.0
followup_slot_cap = 0.5
pifu_period_weeks = 26
[theatres]
session_minutes = 240
late_start_mean_minutes = 0
early_finish_mean_minutes = 0
turnaround_minutes = 10
on_the_day_cancellation_rate = 0.0
booking_fraction = 1.0
[specialties.clinic]
referral_share = 1.0
list_share = 1.0
priority_shares = [0.0, 0.0, 0.0, 1.0]
first_outcomes = {{ discharge = 1.0, treat = 0.0, followup = 0.0, diagnostic = 0.0, admit = 0.0 }}
followup_outcomes = {{ discharge = 1.0, treat = 0.0, followup = 0.0, diagnostic = 0.0, admit = 0.0 }}
followup_interval_weeks = 8
diagnostic_mix = {{ mri = 1.0, ct = 0.0, ultrasound = 0.0, endoscopy = 0.0, physiological = 0.0 }}
post_treatment_followups = 0.0
followup_procedure_share = 0.0
pifu_share = 0.0
pifu_booking_share = 0.0
daycase_propensity = 1.0
daycase_minutes = {{ mean = 45, sd = 20 }}
inpatient_minutes = {{ mean = 100, sd = 40 }}
clinic_slots_per_week = {weekly}
theatre_lists_per_week = 0
[calendar]
bank_holidays = []
[diagnostics]
report_days = 7
{tests}[cancer]
referrals_per_weekday = 0
priority = true
diagnosis_days = {{ mean = 19, sd = 18 }}
decision_days = {{ mean = 14, sd = 10 }}
treatment_lead_days = {{ mean = 18, sd = 10 }}
surgery_minutes = {{ mean = 150, sd = 60 }}
non_surgical_per_week = 0
prestart_first_appointment_days = 2
prestart_test_days = 1.5
prestart_treatment_days = 5
[cancer.tumour_groups.all]
referral_share = 1.0
specialty = "clinic"
test_share = 0.0
second_test_share = 0.0
test_mix = {{ mri = 1.0, ct = 0.0, ultrasound = 0.0, endoscopy = 0.0, physiological = 0.0 }}
conversion_rate = 0.0
surgery_share = 0.0
[finance]
baseline_monthly_value_gbp = 1000000
"#,
        weekly = 5 * slots,
    )
}

/// The RTT list at month ends against the stationary bulk-service queue: its mean, and the
/// share of month ends with nobody waiting. Two cases: c = 1 slot a day at load 0.8, where the
/// mean is Pollaczek-Khinchine's 1.6 (P(empty) 0.445), and c = 10 slots at load 0.9 (mean
/// 3.10, P(empty) 0.446). R = 200 replications of 120 months from an empty list; the first two
/// month ends are dropped, so each replication averages 118 month ends (correlated within a
/// replication; the interval across replications accounts for that). The 99.9% half-widths
/// (t(0.9995, 199) = 3.340) come to about 4% of the mean list and 0.011 on P(empty).
#[test]
fn elective_list_matches_the_bulk_service_queue() {
    for (lambda, c, seed) in [(0.8, 1u32, 31u64), (9.0, 10, 32)] {
        let text = elective_text(lambda, c, seed);
        let scenario = Scenario::from_toml_str(&text, "bulk-service.toml")
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let pi = stationary(lambda, c as usize);
        let months = scenario.simulation.months as usize;
        let (mut means, mut empty) = (Vec::new(), Vec::new());
        for replication in 1..=scenario.simulation.replications {
            let result = run_replication(&scenario, replication);
            let lists: Vec<f64> = (2..months)
                .map(|m| result.value(m, Metric::RttWaitingList))
                .collect();
            // Nothing else happens: every clock stop is a first appointment that day.
            assert_eq!(
                result
                    .metrics
                    .column(Metric::RttRemovalsOther.index())
                    .sum(),
                0.0
            );
            means.push(mean(&lists));
            empty.push(lists.iter().filter(|&&q| q == 0.0).count() as f64 / lists.len() as f64);
        }
        let label = format!("{c} slots a weekday, {lambda} referrals a weekday");
        check(&format!("{label}: mean list"), &means, expect(&pi, |q| q));
        check(&format!("{label}: P(list empty)"), &empty, pi[0]);
    }
}

/// The overnight-arrivals session station against the bulk-service queue with c = 2, through
/// the network model's `mean_wait` (hours) and `mean_queue` (time-average number waiting).
///
/// With Q the queue at the end of a weekday (stationary distribution pi, lambda = 1.8 arrivals
/// a weekday, uniform over 00:00-08:00) and Y = Q + A, the number waiting over a weekday is Q
/// plus the arrivals so far until 08:00 (8 E[Q] + 4 lambda hour-customers), Y until 09:00,
/// (Y - 1)+ while the first is served, then (Y - 2)+ for the remaining 14 hours; at weekends it
/// is Q (48 hours). So the time-average number waiting is
///   L = (5 (8 E[Q] + 4 lambda + E[Y] + E[(Y - 1)+] + 14 E[(Y - 2)+]) + 48 E[Q]) / 168,
/// and by Little's law the mean wait is L / (5 lambda / 168) hours: 27.5 hours (Friday's
/// arrivals wait the weekend) and L = 1.23 at lambda = 1.5 (load 0.75). R = 10 replications of
/// 10,000 weeks (75,000 customers each) after a 10-week warm-up; the 99.9% half-widths come to
/// about 4.5%. With the tie-break reversed the mean wait is 8.6 hours.
#[test]
fn session_queue_matches_the_bulk_service_queue() {
    let (lambda, c) = (1.5, 2usize);
    let rate = lambda / 8.0; // an hour, 00:00 to 08:00
    let schedule: Vec<String> = (0..5)
        .flat_map(|day| {
            let t = 24 * day;
            [
                format!("{{ from = {t}, rate = {rate} }}"),
                format!("{{ from = {}, rate = 0.0 }}", t + 8),
            ]
        })
        .collect();
    let weeks = 10_000.0;
    let text = format!(
        r#"kind = "network"
name = "overnight"
[simulation]
time_unit = "hours"
warm_up = {warm_up}
horizon = {horizon}
replications = 10
seed = 400
[[arrivals]]
station = "clinic"
schedule = [{schedule}]
cycle = 168
[[stations]]
name = "clinic"
sessions = [{{ days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "11:00", servers = 1 }}]
service = {{ distribution = "deterministic", value = 1.0 }}
"#,
        warm_up = 10.0 * 168.0,
        horizon = (10.0 + weeks) * 168.0,
        schedule = schedule.join(", "),
    );
    let s = NetworkScenario::from_toml_str(&text, "overnight.toml")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let column = |name: &str| {
        s.metric_names()
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no metric {name}"))
    };
    let reps: Vec<_> = (1..=10).map(|r| run_network_replication(&s, r)).collect();

    let pi = stationary(lambda, c);
    let y = before_service(&pi, lambda);
    let q = expect(&pi, |q| q);
    let weekday = 8.0 * q
        + 4.0 * lambda
        + expect(&y, |y| y)
        + expect(&y, |y| (y - 1.0).max(0.0))
        + 14.0 * expect(&y, |y| (y - 2.0).max(0.0));
    let mean_queue = (5.0 * weekday + 48.0 * q) / 168.0;
    let mean_wait = mean_queue / (5.0 * lambda / 168.0);

    let values = |name: &str| -> Vec<f64> { reps.iter().map(|r| r.totals[column(name)]).collect() };
    check(
        "session station: mean wait (hours)",
        &values("station.clinic.mean_wait"),
        mean_wait,
    );
    check(
        "session station: time-average number waiting",
        &values("station.clinic.mean_queue"),
        mean_queue,
    );
}
