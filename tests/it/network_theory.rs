//! The engine against queueing theory, through the network model: M/M/1 and M/M/c (Erlang C)
//! probability of waiting, mean wait and wait tail; M/D/1 mean wait (Pollaczek-Khinchine); a
//! Jackson network's mean time in system.
//!
//! **Tolerances.** Each check runs R = 10 independent replications with a fixed seed and
//! compares the mean of the replications' estimates with theory. The tolerance is the
//! half-width of a 99.9% confidence interval for that mean: t(0.9995, 9 df) = 4.781 times the
//! replications' sample sd over sqrt(10). An unbiased simulation lands outside it with
//! probability 0.001 per check; the seeds are fixed, so the tests are deterministic. Where
//! theory is near 0 (P(wait) with 50 servers at load 0.5 is 1e-7), every replication gives 0
//! and the sd is 0, so an absolute floor is added: 0.002 for probabilities and 0.002 of the
//! mean service time for waits, far below anything a wrong engine produces.
//!
//! **Time resolution.** The engine counts whole minutes. Service means are c hours (so the
//! mean time between arrivals is 1/load hours, 60 minutes or more, whatever c), which makes
//! the rounding of each time to the minute negligible against the tolerances.
//!
//! **Run lengths.** Heavy traffic relaxes slowly (the M/M/1 relaxation time grows like
//! 1/(1 - sqrt(load))^2), so runs are longer at higher load: 40,000 arrivals per replication at
//! load 0.5, 100,000 at 0.8 and 400,000 at 0.95, each after a warm-up of a tenth of that.

use plansim::network::{run_network_replication, NetworkReplication, NetworkScenario};
use plansim::util::stats::{mean, sample_sd};

const REPLICATIONS: u32 = 10;
/// t quantile for a two-sided 99.9% interval with 9 degrees of freedom.
const T_999_9DF: f64 = 4.781;

fn run(text: &str) -> (NetworkScenario, Vec<NetworkReplication>) {
    let s = NetworkScenario::from_toml_str(text, "theory.toml")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let reps = (1..=REPLICATIONS)
        .map(|r| run_network_replication(&s, r))
        .collect();
    (s, reps)
}

fn column(s: &NetworkScenario, name: &str) -> usize {
    s.metric_names()
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// Checks that the replications' mean of `values` is within the 99.9% interval (plus `floor`)
/// of `theory`.
fn check(what: &str, values: &[f64], theory: f64, floor: f64) {
    let m = mean(values);
    let half = T_999_9DF * sample_sd(values) / (values.len() as f64).sqrt() + floor;
    assert!(
        (m - theory).abs() <= half,
        "{what}: simulated {m:.5} ± {half:.5} (99.9% CI + floor), theory {theory:.5}"
    );
}

/// Erlang C: the probability that an arrival waits in M/M/c with offered load `a` = lambda/mu,
/// through the stable Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)).
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

fn arrivals_for(rho: f64) -> f64 {
    if rho <= 0.5 {
        40_000.0
    } else if rho <= 0.8 {
        100_000.0
    } else {
        400_000.0
    }
}

fn mmc_text(c: u32, rho: f64, service: &str, seed: u64) -> String {
    // Arrival rate rho per hour; service mean c hours; so the load per server is rho.
    let horizon = arrivals_for(rho) / rho;
    format!(
        r#"kind = "network"
name = "theory-{c}-{seed}"
[simulation]
time_unit = "hours"
horizon = {h}
warm_up = {w}
replications = 10
seed = {seed}
[[arrivals]]
station = "q"
rate = {rho}
[[stations]]
name = "q"
servers = {c}
service = {service}
"#,
        h = horizon * 1.1,
        w = horizon * 0.1,
    )
}

#[test]
fn erlang_c_matches_hand_values() {
    // M/M/1: P(wait) = rho. M/M/5 at a = 4: 0.5541 (tables); M/M/2 at a = 1: 1/3.
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    assert!((erlang_c(5, 4.0) - 0.554_113).abs() < 1e-6);
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

/// M/M/c at every (c, load) of the grid: P(wait), mean wait, and P(W > t) at t = 1 / (c mu -
/// lambda), where theory is P(wait) e^-1.
#[test]
fn mmc_wait_probability_mean_and_tail_match_erlang_c() {
    for (i, &c) in [1u32, 5, 50].iter().enumerate() {
        for (j, &rho) in [0.5, 0.8, 0.95].iter().enumerate() {
            let text = mmc_text(
                c,
                rho,
                &format!("{{ distribution = \"exponential\", mean = {c}.0 }}"),
                100 + (3 * i + j) as u64,
            );
            let (s, reps) = run(&text);
            let mu = 1.0 / f64::from(c);
            let lambda = rho;
            let p_wait = erlang_c(c, lambda / mu);
            let drain = f64::from(c) * mu - lambda;
            let label = format!("M/M/{c} at load {rho}");
            let waited: Vec<f64> = reps
                .iter()
                .map(|r| r.totals[column(&s, "station.q.waited_pct")] / 100.0)
                .collect();
            check(&format!("{label}: P(wait)"), &waited, p_wait, 0.002);
            let waits: Vec<f64> = reps
                .iter()
                .map(|r| r.totals[column(&s, "station.q.mean_wait")])
                .collect();
            check(
                &format!("{label}: mean wait (hours)"),
                &waits,
                p_wait / drain,
                0.002 * f64::from(c),
            );
            let t = 1.0 / drain;
            let tail: Vec<f64> = reps
                .iter()
                .map(|r| {
                    r.waits[0].iter().filter(|&&w| w > t).count() as f64 / r.waits[0].len() as f64
                })
                .collect();
            check(
                &format!("{label}: P(W > {t:.2} h)"),
                &tail,
                p_wait * (-1.0f64).exp(),
                0.002,
            );
        }
    }
}

/// M/D/1: Pollaczek-Khinchine mean wait rho S / (2 (1 - rho)) for a fixed service time S.
#[test]
fn md1_mean_wait_matches_pollaczek_khinchine() {
    for (j, &rho) in [0.5, 0.8, 0.95].iter().enumerate() {
        let text = mmc_text(
            1,
            rho,
            "{ distribution = \"deterministic\", value = 1.0 }",
            200 + j as u64,
        );
        let (s, reps) = run(&text);
        let waits: Vec<f64> = reps
            .iter()
            .map(|r| r.totals[column(&s, "station.q.mean_wait")])
            .collect();
        check(
            &format!("M/D/1 at load {rho}: mean wait (hours)"),
            &waits,
            rho / (2.0 * (1.0 - rho)),
            0.002,
        );
    }
}

/// A Jackson network with feedback: A (2 servers, mean 1.2 h) sends half to B and 0.3 to C;
/// B (1 server, 0.8 h) sends 0.2 back to A; C (3 servers, 4 h); arrivals 1 an hour at A.
/// Traffic equations: lambda_A = 1 + 0.2 lambda_B, lambda_B = 0.5 lambda_A, lambda_C = 0.3
/// lambda_A, so lambda_A = 1/0.9. Each station behaves as an independent M/M/c (Jackson's
/// theorem); the mean time in system is the sum of the mean numbers at the stations over the
/// external arrival rate (Little's law).
#[test]
fn jackson_network_time_in_system_matches_theory() {
    let text = r#"kind = "network"
name = "jackson"
[simulation]
time_unit = "hours"
horizon = 110000.0
warm_up = 10000.0
replications = 10
seed = 300
[[arrivals]]
station = "a"
rate = 1.0
[[stations]]
name = "a"
servers = 2
service = { distribution = "exponential", mean = 1.2 }
routing = { b = 0.5, c = 0.3 }
[[stations]]
name = "b"
servers = 1
service = { distribution = "exponential", mean = 0.8 }
routing = { a = 0.2 }
[[stations]]
name = "c"
servers = 3
service = { distribution = "exponential", mean = 4.0 }
"#;
    let (s, reps) = run(text);
    let lambda_a = 1.0 / 0.9;
    let stations = [
        ("a", 2u32, 1.2, lambda_a),
        ("b", 1, 0.8, 0.5 * lambda_a),
        ("c", 3, 4.0, 0.3 * lambda_a),
    ];
    let mut number_in_system = 0.0;
    for (name, c, mean_service, lambda) in stations {
        let mu = 1.0 / mean_service;
        let wq = erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda);
        number_in_system += lambda * (wq + mean_service);
        let waits: Vec<f64> = reps
            .iter()
            .map(|r| r.totals[column(&s, &format!("station.{name}.mean_wait"))])
            .collect();
        check(
            &format!("Jackson station {name}: mean wait (hours)"),
            &waits,
            wq,
            0.002 * mean_service,
        );
    }
    let times: Vec<f64> = reps
        .iter()
        .map(|r| r.totals[column(&s, "network.mean_time_in_system")])
        .collect();
    check(
        "Jackson network: mean time in system (hours)",
        &times,
        number_in_system / 1.0,
        0.002,
    );
}
