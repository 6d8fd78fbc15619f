//! Number formatting, the one home for it. Two families:
//!
//! - for files (`fmt_num`, `fmt_stat`): Rust's shortest round-trip form (`{}` of `f64`), never
//!   `-0`; statistics across replications are first rounded to 12 significant digits so that
//!   sums such as `0.1 + 0.2` do not print as `0.30000000000000004`. The same numbers always
//!   give the same bytes.
//! - for people (`fmt_thousands`, `fmt_decimal`, `human_duration`, `human_bytes`): thousands
//!   separators, fixed decimals, durations and sizes in the units people read.

/// Formats a number deterministically: shortest round-trip, `0` for `-0`, `NaN`/`inf`/`-inf`
/// for the non-finite.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        // Also catches -0.0, which compares equal to 0.
        "0".to_string()
    } else {
        format!("{x}")
    }
}

/// Rounds to 12 significant digits (through decimal text, so the result is exact and the same
/// on every platform). Non-finite values pass through.
pub fn round_sig(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.11e}")
        .parse()
        .expect("Rust formats a float it can parse")
}

/// A statistic as printed in summary.csv and targets.csv.
pub fn fmt_stat(x: f64) -> String {
    fmt_num(round_sig(x))
}

/// Whole number with thousands separators: `7,538,830`, `-1,200`.
pub fn fmt_thousands(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let r = x.round();
    let digits = format!("{}", r.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if r < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// Fixed decimals with thousands separators on the whole part: `1,234.5`.
pub fn fmt_decimal(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.*}", decimals, x);
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let negative = int.starts_with('-');
    let whole: f64 = int.trim_start_matches('-').parse().unwrap_or(0.0);
    let mut out = fmt_thousands(whole);
    // "-0.0" reads as a sign error to people.
    if negative && (whole != 0.0 || frac.is_some_and(|f| f.chars().any(|c| c != '0'))) {
        out.insert(0, '-');
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `1h 05m`, `12m 03s`, `42s`.
pub fn human_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, min, sec) => format!("{min}m {sec:02}s"),
        (h, min, _) => format!("{h}h {min:02}m"),
    }
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
    fn numbers_print_deterministically() {
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(7538830.0), "7538830");
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_num(f64::NAN), "NaN");
        assert_eq!(fmt_stat(0.1 + 0.2), "0.3");
        assert_eq!(fmt_stat(-1e-300 * 1e-300), "0");
        assert_eq!(fmt_stat(2.0 / 3.0), "0.666666666667");
        assert_eq!(fmt_stat(123456789012345.0), "123456789012000");
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(fmt_thousands(7_538_830.4), "7,538,830");
        assert_eq!(fmt_thousands(-1200.0), "-1,200");
        assert_eq!(fmt_thousands(999.0), "999");
        assert_eq!(fmt_decimal(-0.04, 1), "0.0");
        assert_eq!(fmt_decimal(12345.67, 1), "12,345.7");
    }

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(512.0), "512 bytes");
        assert_eq!(human_bytes(1_430_000_000.0), "1.4 GB");
        assert_eq!(human_bytes(2.5e15), "2500.0 TB");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human_duration(41.6), "42s");
        assert_eq!(human_duration(12.0 * 60.0 + 3.0), "12m 03s");
        assert_eq!(human_duration(3600.0 + 5.0 * 60.0 + 59.0), "1h 05m");
        assert_eq!(human_duration(-3.0), "0s");
    }
}
