//! Statistics across replications: mean, sample standard deviation and quantiles. Pure
//! functions over slices in job order, so results never depend on the thread count.
//!
//! Quantiles use linear interpolation between order statistics (Hyndman and Fan's type 7, the
//! default in R and NumPy): for `n` sorted values and probability `p`, with `h = (n - 1) p`,
//! the quantile is `x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])`.

/// Mean, sample standard deviation and the 5th, 50th and 95th percentiles of some values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub mean: f64,
    /// Sample standard deviation (divisor `n - 1`); 0 for a single value.
    pub sd: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
}

/// Summarises `values`; every field is NaN when there are none.
pub fn summarise(values: &[f64]) -> Summary {
    let mut sorted = values.to_vec();
    // total_cmp gives NaN a fixed place (last), so the order is always well defined.
    sorted.sort_by(f64::total_cmp);
    Summary {
        mean: mean(values),
        sd: sample_sd(values),
        p05: quantile_sorted(&sorted, 0.05),
        p50: quantile_sorted(&sorted, 0.50),
        p95: quantile_sorted(&sorted, 0.95),
    }
}

/// Arithmetic mean, summed in slice order; NaN for no values.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation with divisor `n - 1`; 0 for one value, NaN for none.
pub fn sample_sd(values: &[f64]) -> f64 {
    match values.len() {
        0 => f64::NAN,
        1 => 0.0,
        n => {
            let m = mean(values);
            let squares: f64 = values.iter().map(|x| (x - m) * (x - m)).sum();
            (squares / (n - 1) as f64).sqrt()
        }
    }
}

/// Type 7 quantile of values already sorted ascending; `p` in 0..=1. NaN for no values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    if frac == 0.0 || sorted[lo] == sorted[hi] {
        // Exact order statistic: no arithmetic, so no rounding and no inf - inf.
        sorted[lo]
    } else {
        sorted[lo] + frac * (sorted[hi] - sorted[lo])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_summary() {
        // 1..=10: mean 5.5; sd = sqrt(82.5 / 9); p05: h = 0.45 -> 1 + 0.45 = 1.45;
        // p50: h = 4.5 -> 5.5; p95: h = 8.55 -> 9.55.
        let values: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let s = summarise(&values);
        assert_eq!(s.mean, 5.5);
        assert!((s.sd - (82.5f64 / 9.0).sqrt()).abs() < 1e-12);
        assert!((s.p05 - 1.45).abs() < 1e-12);
        assert_eq!(s.p50, 5.5);
        assert!((s.p95 - 9.55).abs() < 1e-12);
    }

    #[test]
    fn one_value_has_zero_sd_and_itself_as_every_quantile() {
        let s = summarise(&[7.0]);
        assert_eq!(
            s,
            Summary {
                mean: 7.0,
                sd: 0.0,
                p05: 7.0,
                p50: 7.0,
                p95: 7.0
            }
        );
    }

    #[test]
    fn no_values_give_nan() {
        let s = summarise(&[]);
        assert!(s.mean.is_nan() && s.sd.is_nan() && s.p05.is_nan());
    }
}

/// A mean with a 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// The mean paired difference `variant - base` (replication by replication) with its 95%
/// confidence interval from Student's t with n - 1 degrees of freedom. With common random
/// numbers the pairs share their patients, so this interval is narrower than the difference
/// of two independent means.
pub fn paired_difference(base: &[f64], variant: &[f64]) -> Interval {
    assert_eq!(
        base.len(),
        variant.len(),
        "paired samples of different sizes"
    );
    let differences: Vec<f64> = variant.iter().zip(base).map(|(v, b)| v - b).collect();
    mean_interval(&differences)
}

/// The mean with its 95% confidence interval from Student's t with n - 1 degrees of freedom;
/// with one value the interval is that value, with none it is NaN.
pub fn mean_interval(values: &[f64]) -> Interval {
    let summary = summarise(values);
    let n = values.len();
    let half_width = if n > 1 {
        t_975(n - 1) * summary.sd / (n as f64).sqrt()
    } else {
        0.0
    };
    Interval {
        mean: summary.mean,
        low: summary.mean - half_width,
        high: summary.mean + half_width,
    }
}

/// The 97.5th percentile of Student's t with `df` degrees of freedom (1.96 beyond 30).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    TABLE.get(df.saturating_sub(1)).copied().unwrap_or(1.96)
}
