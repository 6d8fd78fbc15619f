//! Benchmarks: the event queue, and one fixed-seed replication of the ICB example.
//!
//! `cargo bench --bench replication` prints criterion's timings; the replication benchmark
//! also prints events and patients per second for the README.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use plansim::engine::{EventQueue, SimTime};
use plansim::model::run_replication;
use plansim::scenario::Scenario;

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

fn icb_replication(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-icb.toml");
    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));

    // One timed run first, to report throughput in the units the README uses.
    let started = Instant::now();
    let result = run_replication(&scenario, 0);
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "example-icb, one replication: {seconds:.3} s, {:.2} million events/s, {:.0} thousand patients/s ({} events, {} patients)",
        result.events as f64 / seconds / 1e6,
        result.patients as f64 / seconds / 1e3,
        result.events,
        result.patients
    );

    let mut group = c.benchmark_group("replication");
    group.sample_size(10);
    group.throughput(Throughput::Elements(result.patients));
    group.bench_function("example_icb_12_months", |b| {
        b.iter(|| black_box(run_replication(&scenario, 0)))
    });
    group.finish();
}

criterion_group!(benches, event_queue, icb_replication);
criterion_main!(benches);
