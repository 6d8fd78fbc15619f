//! Benchmarks: the event queue, one fixed-seed replication of the ICB example, and one of the
//! national baseline at a reduced `--scale`.
//!
//! `cargo bench --bench replication` prints criterion's timings; the replication benchmarks
//! also print events and patients per second for the user guide (`docs/guide/performance.md`).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use plansim::engine::{EventQueue, SimTime};
use plansim::model::run_replication;
use plansim::scenario::{Overrides, Scenario};

fn event_queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_queue");
    for size in [1_000u64, 10_000, 100_000, 1_000_000] {
        group.throughput(Throughput::Elements(size));
        group.bench_function(format!("push_pop_{size}"), |b| {
            b.iter_batched(
                EventQueue::<u64>::new,
                |mut queue| {
                    // A pseudo-random but fixed pattern of times, with many ties.
                    for i in 0..size {
                        queue.push(SimTime::from_minutes(((i * 7919) % 1000) as i64), i);
                    }
                    while let Some(event) = queue.pop() {
                        black_box(event);
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Runs one replication once and prints its throughput in the units the user guide uses.
fn report_throughput(label: &str, scenario: &Scenario) -> u64 {
    let started = Instant::now();
    let result = run_replication(scenario, 0);
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{label}, one replication: {seconds:.3} s, {:.2} million events/s, {:.0} thousand patients/s ({} events, {} patients)",
        result.events as f64 / seconds / 1e6,
        result.patients as f64 / seconds / 1e3,
        result.events,
        result.patients
    );
    result.patients
}

fn load(file: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn icb_replication(c: &mut Criterion) {
    let scenario = load("scenarios/example-icb.toml");
    let patients = report_throughput("example-icb", &scenario);

    let mut group = c.benchmark_group("replication");
    group.sample_size(10);
    group.throughput(Throughput::Elements(patients));
    group.bench_function("example_icb_12_months", |b| {
        b.iter(|| black_box(run_replication(&scenario, 0)))
    });
    group.finish();
}

/// The national baseline at 5% of its patients and capacity: the same pathways and the same
/// shape of work as a full national replication, in about a twentieth of the time.
const NATIONAL_BENCH_SCALE: f64 = 0.05;

fn national_replication(c: &mut Criterion) {
    let overrides = Overrides {
        scale: Some(NATIONAL_BENCH_SCALE),
        ..Overrides::default()
    };
    let scenario = load("scenarios/baseline.toml")
        .with_overrides(&overrides)
        .unwrap_or_else(|e| panic!("{e}"));
    let patients = report_throughput("baseline at --scale 0.05", &scenario);

    let mut group = c.benchmark_group("replication");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(patients));
    group.bench_function("national_scale_0.05_12_months", |b| {
        b.iter(|| black_box(run_replication(&scenario, 0)))
    });
    group.finish();
}

criterion_group!(benches, event_queue, icb_replication, national_replication);
criterion_main!(benches);
