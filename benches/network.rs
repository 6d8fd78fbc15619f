//! Benchmarks: the event queue at several sizes in a steady state (hold model), and one
//! fixed-seed M/M/c replication of the shipped example.
//!
//! `cargo bench --bench network` prints criterion's timings (elements are events, so
//! criterion's throughput is events per second); the M/M/c benchmark also prints events and
//! customers per second.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plansim::engine::{EventQueue, SimTime};
use plansim::network::{run_network_replication, NetworkScenario};

/// The "hold" benchmark: a queue kept at `size` events, each step popping the earliest and
/// pushing one later, which is how a simulation uses its queue.
fn event_queue_hold(c: &mut Criterion) {
    const STEPS: u64 = 100_000;
    let mut group = c.benchmark_group("event_queue_hold");
    group.throughput(Throughput::Elements(STEPS));
    for size in [10u64, 1_000, 100_000, 1_000_000] {
        let mut queue = EventQueue::new();
        for i in 0..size {
            queue.push(SimTime::from_minutes(((i * 7919) % 100_000) as i64), i);
        }
        let mut x = 12345u64;
        group.bench_function(format!("pop_push_at_{size}"), |b| {
            b.iter(|| {
                for _ in 0..STEPS {
                    let (t, e) = queue.pop().expect("the queue is never empty");
                    // A cheap fixed pseudo-random increment, with ties.
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    queue.push(
                        SimTime::from_minutes(t.minutes() + (x >> 50) as i64),
                        black_box(e),
                    );
                }
            })
        });
    }
    group.finish();
}

fn mmc_replication(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/network/mmc.toml");
    let scenario = NetworkScenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let result = run_network_replication(&scenario, 1);
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "mmc, one replication: {seconds:.3} s, {:.1} million events/s, {:.1} million customers/s ({} events, {} customers)",
        result.events as f64 / seconds / 1e6,
        result.customers as f64 / seconds / 1e6,
        result.events,
        result.customers
    );
    let mut group = c.benchmark_group("network");
    group.sample_size(10);
    group.throughput(Throughput::Elements(result.events));
    group.bench_function("mmc_one_replication", |b| {
        b.iter(|| black_box(run_network_replication(&scenario, 1)))
    });
    group.finish();
}

criterion_group!(benches, event_queue_hold, mmc_replication);
criterion_main!(benches);
