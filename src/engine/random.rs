//! Named random streams, derived from `(seed, scenario, replication, purpose)` by a documented,
//! stable function, so that each purpose (arrivals, routing, durations, ...) draws from its own
//! stream and results never depend on thread scheduling or on the platform.
//!
//! # Derivation (stable: changing it changes every published result)
//! ```text
//! mix(x)      = SplitMix64 finaliser of x + 0x9E3779B97F4A7C15
//! text(s)     = FNV-1a 64-bit hash of the UTF-8 bytes of s
//! stream_seed = mix(mix(mix(mix(seed) ^ text(scenario)) ^ replication) ^ text(purpose))
//! ```
//! * [`StreamKey::sequential`] seeds a `Xoshiro256PlusPlus` with `stream_seed` (through
//!   `seed_from_u64`, which expands it with SplitMix64 as rand_xoshiro documents). Use it for
//!   streams consumed in a fixed order, such as daily arrival counts.
//! * [`StreamKey::keyed`] gives a counter-based stream: the draws for entity `e` and decision
//!   `d` come from a SplitMix64 generator started at `mix(mix(stream_seed ^ mix(e)) ^ d)`.
//!   An entity's draws therefore do not depend on when, or in which order, other entities draw:
//!   two scenarios that see the same patients give each patient the same luck (common random
//!   numbers), so differences between scenarios are the effect of the lever, not noise.

use rand::rand_core::{impls, RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function applied to `x + golden gamma`.
pub const fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64 bit: a stable hash of a name (never `DefaultHasher`, which may change).
pub fn hash_text(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    hash
}

/// Identifies the random streams of one replication of one scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamKey {
    seed: u64,
    scenario: u64,
    replication: u64,
}

impl StreamKey {
    /// `scenario` names the stream family: scenarios that share it see the same random numbers.
    pub fn new(seed: u64, scenario: &str, replication: u64) -> StreamKey {
        StreamKey {
            seed,
            scenario: hash_text(scenario),
            replication,
        }
    }

    /// The 64-bit seed of the stream for `purpose` (see the module docs).
    pub fn stream_seed(&self, purpose: &str) -> u64 {
        mix(mix(mix(mix(self.seed) ^ self.scenario) ^ self.replication) ^ hash_text(purpose))
    }

    /// A sequential stream for `purpose`.
    pub fn sequential(&self, purpose: &str) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(self.stream_seed(purpose))
    }

    /// A counter-based stream for `purpose`, giving each (entity, decision) its own generator.
    pub fn keyed(&self, purpose: &str) -> KeyedStream {
        KeyedStream {
            base: self.stream_seed(purpose),
        }
    }
}

/// Counter-based random numbers: one independent generator per (entity, decision).
#[derive(Clone, Copy, Debug)]
pub struct KeyedStream {
    base: u64,
}

impl KeyedStream {
    /// The generator for `decision` of `entity`; the same arguments always give the same draws.
    pub fn rng(&self, entity: u64, decision: u64) -> SplitMix64 {
        SplitMix64 {
            state: mix(mix(self.base ^ mix(entity)) ^ decision),
        }
    }

    /// One uniform draw in [0, 1) for `decision` of `entity`.
    pub fn uniform(&self, entity: u64, decision: u64) -> f64 {
        unit_interval(self.rng(entity, decision).next_u64())
    }
}

/// Maps 64 random bits to [0, 1) using the top 53 bits.
pub fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast, and statistically sound as a
/// counter-based generator for short per-entity sequences.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl RngCore for SplitMix64 {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        let out = mix(self.state);
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        out
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        impls::fill_bytes_via_next(self, dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn derivation_is_pinned() {
        // These values are part of the reproducibility contract: if this test fails, every
        // published result changes. Update them only with a documented, deliberate change.
        assert_eq!(hash_text(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash_text("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
        let key = StreamKey::new(42, "baseline", 3);
        assert_eq!(key.stream_seed("arrivals"), key.stream_seed("arrivals"));
        let pinned = key.stream_seed("arrivals");
        assert_eq!(
            pinned,
            StreamKey::new(42, "baseline", 3).stream_seed("arrivals")
        );
    }

    #[test]
    fn purposes_replications_scenarios_and_seeds_give_different_streams() {
        let key = StreamKey::new(1, "baseline", 0);
        let seeds = [
            key.stream_seed("arrivals"),
            key.stream_seed("routing"),
            key.stream_seed("durations"),
            StreamKey::new(1, "baseline", 1).stream_seed("arrivals"),
            StreamKey::new(1, "example-icb", 0).stream_seed("arrivals"),
            StreamKey::new(2, "baseline", 0).stream_seed("arrivals"),
        ];
        for i in 0..seeds.len() {
            for j in i + 1..seeds.len() {
                assert_ne!(seeds[i], seeds[j], "streams {i} and {j} collide");
            }
        }
    }

    #[test]
    fn sequential_streams_are_deterministic() {
        let key = StreamKey::new(7, "s", 0);
        let a: Vec<u64> = (0..5)
            .map({
                let mut rng = key.sequential("arrivals");
                move |_| rng.random()
            })
            .collect();
        let mut rng = key.sequential("arrivals");
        let b: Vec<u64> = (0..5).map(|_| rng.random()).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn keyed_draws_do_not_depend_on_order() {
        let stream = StreamKey::new(7, "s", 0).keyed("routing");
        let forward: Vec<f64> = (0..100).map(|e| stream.uniform(e, 2)).collect();
        let backward: Vec<f64> = (0..100).rev().map(|e| stream.uniform(e, 2)).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
        assert_ne!(stream.uniform(5, 1), stream.uniform(5, 2));
    }

    #[test]
    fn keyed_uniforms_are_uniform() {
        // 100,000 draws in 10 equal bins: chi-square with 9 degrees of freedom. The 0.999
        // quantile is 27.88, so a sound generator fails this with probability 0.001; the seed is
        // fixed, so the test is deterministic.
        let stream = StreamKey::new(2024, "uniformity", 0).keyed("routing");
        let n = 100_000u64;
        let mut bins = [0u64; 10];
        for entity in 0..n {
            let u = stream.uniform(entity, 0);
            assert!((0.0..1.0).contains(&u));
            bins[(u * 10.0) as usize] += 1;
        }
        let expected = n as f64 / 10.0;
        let chi2: f64 = bins
            .iter()
            .map(|&b| (b as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 27.88, "chi-square {chi2} over bins {bins:?}");
    }
}
