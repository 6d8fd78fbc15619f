//! Calendar dates (proleptic Gregorian, no time zone): enough to place simulated days on the
//! calendar, find weekdays and month ends, and print ISO dates and UTC times. No I/O.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date, stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Day of the week, Monday first (as ISO 8601 counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// 0 for Monday up to 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Sat | Weekday::Sun)
    }
}

impl Date {
    /// The date for a year (1 to 9999), month (1-12) and day (1-31); `None` if no such date
    /// exists or the year is outside that range (which also keeps the arithmetic in range).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?;
        let day = parts.next()?;
        if month.len() != 2 || day.len() != 2 {
            return None;
        }
        Date::from_ymd(year, month.parse().ok()?, day.parse().ok()?)
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Month 1-12.
    pub fn month(self) -> u32 {
        self.ymd().1
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        const ORDER: [Weekday; 7] = [
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
        ];
        ORDER[self.0.rem_euclid(7) as usize]
    }

    pub fn add_days(self, days: i64) -> Date {
        Date((i64::from(self.0) + days) as i32)
    }

    /// Days from `other` to `self` (negative if `self` is earlier).
    pub fn days_since(self, other: Date) -> i64 {
        i64::from(self.0) - i64::from(other.0)
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> Date {
        let (y, m, _) = self.ymd();
        Date(days_from_civil(y, m, 1))
    }

    /// The last day of this date's month.
    pub fn last_of_month(self) -> Date {
        let (y, m, _) = self.ymd();
        Date(days_from_civil(y, m, days_in_month(y, m)))
    }

    /// The first day of the month `months` after this date's month.
    pub fn first_of_month_after(self, months: u32) -> Date {
        let (y, m, _) = self.ymd();
        let index = y * 12 + (m as i32 - 1) + months as i32;
        Date(days_from_civil(
            index.div_euclid(12),
            index.rem_euclid(12) as u32 + 1,
            1,
        ))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil algorithm (public domain), shifted so March starts the year.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

/// A point in time as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC); times before 1970 print
/// as 1970-01-01T00:00:00Z.
pub fn iso_utc(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let day = Date::from_ymd(1970, 1, 1)
        .expect("a real date")
        .add_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_times() {
        let t = UNIX_EPOCH + Duration::from_secs(1_711_929_600 + 3661);
        assert_eq!(iso_utc(t), "2024-04-01T01:01:01Z");
    }

    #[test]
    fn round_trips_and_known_weekdays() {
        let d = Date::parse("2024-04-01").unwrap();
        assert_eq!(d.to_string(), "2024-04-01");
        assert_eq!(d.weekday(), Weekday::Mon);
        assert_eq!(Date::parse("2024-02-29").unwrap().weekday(), Weekday::Thu);
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since(Date(0)), 0);
        for days in -1000..1000 {
            let date = Date(days);
            let (y, m, dd) = date.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(date));
        }
    }

    #[test]
    fn month_arithmetic() {
        let d = Date::parse("2024-02-10").unwrap();
        assert_eq!(d.last_of_month().to_string(), "2024-02-29");
        assert_eq!(d.first_of_month_after(11).to_string(), "2025-01-01");
        assert_eq!(d.first_of_month_after(0).to_string(), "2024-02-01");
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-04-31",
            "2024-4-1",
            "yesterday",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }
}
