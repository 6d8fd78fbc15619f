//! The raw layer: serde structs that mirror the scenario TOML key for key, every field optional,
//! so that deserialising only checks key names and value types; `validate.rs` checks the rest.

use std::collections::BTreeMap;

use serde::de::{Deserializer, Error as _};
use serde::Deserialize;

use crate::date::Date;

// Every field is an `Option` so that a missing key is reported by validation (with the files
// that were read), not by serde. Integers are `i64` (TOML's integer type) so that a negative or
// huge value reaches the range checks and gets a message with the allowed range.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Removed while resolving the chain; listed here so that it is a known key.
    #[allow(dead_code)]
    pub extends: Option<String>,
    pub stream_family: Option<String>,
    pub simulation: Option<RawSimulation>,
    pub initial_list: Option<RawInitialList>,
    pub referrals: Option<RawReferrals>,
    pub removals: Option<RawRemovals>,
    pub outpatients: Option<RawOutpatients>,
    pub theatres: Option<RawTheatres>,
    /// Sorted by name, which is the order the model uses.
    pub specialties: Option<BTreeMap<String, RawSpecialty>>,
    pub calendar: Option<RawCalendar>,
    pub diagnostics: Option<RawDiagnostics>,
    pub cancer: Option<RawCancer>,
    pub finance: Option<RawFinance>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulation {
    pub start: Option<RawDate>,
    pub months: Option<i64>,
    pub replications: Option<i64>,
    pub seed: Option<i64>,
    pub scale: Option<f64>,
    pub booking_policy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInitialList {
    pub total: Option<i64>,
    pub over_18_weeks: Option<i64>,
    pub over_52_weeks: Option<i64>,
    pub over_65_weeks: Option<i64>,
    pub over_78_weeks: Option<i64>,
    pub over_104_weeks: Option<i64>,
    pub median_weeks: Option<f64>,
    pub p92_weeks: Option<f64>,
    pub longest_wait_weeks: Option<i64>,
    pub monitoring_caseload: Option<i64>,
    pub share_awaiting_first: Option<f64>,
    pub share_followup: Option<f64>,
    pub share_awaiting_admission: Option<f64>,
    /// The list week by week, one table per specialty (sorted by name).
    pub weekly: Option<BTreeMap<String, RawWeeklyList>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWeeklyList {
    pub waiting: Option<Vec<i64>>,
    pub awaiting_admission: Option<Vec<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReferrals {
    pub per_day: Option<f64>,
    pub annual_growth: Option<f64>,
    pub weekday_weights: Option<Vec<f64>>,
    pub monthly_seasonality: Option<Vec<f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRemovals {
    pub monthly_rate: Option<f64>,
    pub validation_share_per_month: Option<f64>,
    pub validation_removal_share: Option<f64>,
    pub validation_after_weeks: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutpatients {
    pub dna_rate: Option<f64>,
    pub dna_rebook_share: Option<f64>,
    pub followup_slot_cap: Option<f64>,
    pub pifu_period_weeks: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTheatres {
    pub session_minutes: Option<f64>,
    pub late_start_mean_minutes: Option<f64>,
    pub early_finish_mean_minutes: Option<f64>,
    pub turnaround_minutes: Option<f64>,
    pub on_the_day_cancellation_rate: Option<f64>,
    pub booking_fraction: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutcomes {
    pub discharge: Option<f64>,
    pub treat: Option<f64>,
    pub followup: Option<f64>,
    pub diagnostic: Option<f64>,
    pub admit: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMinutes {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSpecialty {
    pub referral_share: Option<f64>,
    pub list_share: Option<f64>,
    pub priority_shares: Option<Vec<f64>>,
    pub first_outcomes: Option<RawOutcomes>,
    pub followup_outcomes: Option<RawOutcomes>,
    pub followup_interval_weeks: Option<f64>,
    pub diagnostic_mix: Option<RawTestMix>,
    pub post_treatment_followups: Option<f64>,
    pub followup_procedure_share: Option<f64>,
    pub pifu_share: Option<f64>,
    pub pifu_booking_share: Option<f64>,
    pub daycase_propensity: Option<f64>,
    pub daycase_minutes: Option<RawMinutes>,
    pub inpatient_minutes: Option<RawMinutes>,
    pub clinic_slots_per_week: Option<f64>,
    pub theatre_lists_per_week: Option<f64>,
    pub price_factor: Option<f64>,
    pub advice_and_guidance_share: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalendar {
    pub bank_holidays: Option<Vec<RawDate>>,
    /// Sorted by name.
    pub changes: Option<BTreeMap<String, RawChange>>,
    /// Sorted by name.
    pub shocks: Option<BTreeMap<String, RawShock>>,
    /// Sorted by name.
    pub levers: Option<BTreeMap<String, RawLever>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChange {
    pub from: Option<RawDate>,
    pub resource: Option<String>,
    pub specialty: Option<String>,
    pub test: Option<String>,
    pub add_per_week: Option<f64>,
    pub multiply: Option<f64>,
    pub premium: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawShock {
    pub from: Option<RawDate>,
    pub to: Option<RawDate>,
    pub share_lost: Option<f64>,
    pub resources: Option<Vec<String>>,
}

/// Shares by test type (`diagnostic_mix`, `test_mix`). The fields are the names in
/// `TestType::NAMES`, in that order (a unit test checks).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTestMix {
    pub mri: Option<f64>,
    pub ct: Option<f64>,
    pub ultrasound: Option<f64>,
    pub endoscopy: Option<f64>,
    pub physiological: Option<f64>,
}

impl RawTestMix {
    /// The shares in `TestType::ALL` order.
    pub fn values(&self) -> [Option<f64>; 5] {
        [
            self.mri,
            self.ct,
            self.ultrasound,
            self.endoscopy,
            self.physiological,
        ]
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDiagnostics {
    pub report_days: Option<f64>,
    pub tests: Option<RawDiagnosticTests>,
}

/// One table per test type, named as in `TestType::NAMES` (so an unknown name is an unknown
/// key, with a suggestion).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDiagnosticTests {
    pub mri: Option<RawDiagnosticTest>,
    pub ct: Option<RawDiagnosticTest>,
    pub ultrasound: Option<RawDiagnosticTest>,
    pub endoscopy: Option<RawDiagnosticTest>,
    pub physiological: Option<RawDiagnosticTest>,
}

impl RawDiagnosticTests {
    /// The tables in `TestType::ALL` order.
    pub fn into_array(self) -> [Option<RawDiagnosticTest>; 5] {
        [
            self.mri,
            self.ct,
            self.ultrasound,
            self.endoscopy,
            self.physiological,
        ]
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDiagnosticTest {
    pub tests_per_week: Option<f64>,
    pub direct_requests_per_weekday: Option<f64>,
    pub urgent_share: Option<f64>,
    pub initial_waiting: Option<i64>,
    pub initial_over_6_weeks: Option<i64>,
    pub initial_longest_weeks: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDays {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCancer {
    pub referrals_per_weekday: Option<f64>,
    pub priority: Option<bool>,
    pub diagnosis_days: Option<RawDays>,
    pub decision_days: Option<RawDays>,
    pub treatment_lead_days: Option<RawDays>,
    pub surgery_minutes: Option<RawMinutes>,
    pub non_surgical_per_week: Option<f64>,
    pub prestart_first_appointment_days: Option<f64>,
    pub prestart_test_days: Option<f64>,
    pub prestart_treatment_days: Option<f64>,
    /// Sorted by name.
    pub tumour_groups: Option<BTreeMap<String, RawTumourGroup>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTumourGroup {
    pub referral_share: Option<f64>,
    pub specialty: Option<String>,
    pub test_share: Option<f64>,
    pub second_test_share: Option<f64>,
    pub test_mix: Option<RawTestMix>,
    pub conversion_rate: Option<f64>,
    pub surgery_share: Option<f64>,
}

/// A calendar date written as a TOML local date (`2024-04-01`) or a quoted `"2024-04-01"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RawDate(pub Date);

/// The text after "expected" in the message for a value that is not a date; `problems.rs`
/// recognises it to leave the message as it is.
pub(crate) const EXPECTED_DATE: &str = "expected a date like 2024-04-01";

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawDate, D::Error> {
        // Going through `toml::Value` accepts both spellings without an untagged enum.
        let value = toml::Value::deserialize(deserializer)?;
        let date = match &value {
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| {
                    Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                })
            }
            toml::Value::String(text) => parse_date_text(text.trim()),
            _ => None,
        };
        date.map(RawDate)
            .ok_or_else(|| D::Error::custom(EXPECTED_DATE))
    }
}

/// `YYYY-MM-DD` with a four-digit year: `Date::parse` accepts any year, and a year far outside
/// the calendar overflows its day arithmetic.
fn parse_date_text(text: &str) -> Option<Date> {
    let four_digit_year = text.len() == 10 && text.bytes().take(4).all(|b| b.is_ascii_digit());
    four_digit_year.then(|| Date::parse(text)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_toml_dates_or_strings() {
        let table: toml::Table = toml::from_str(
            "a = 2024-04-01\nb = \"2024-04-01\"\nc = \"2147483647-01-01\"\nd = 2024-04-01T10:00:00\ne = 5",
        )
        .expect("valid TOML");
        let date = |key: &str| {
            RawDate::deserialize(table[key].clone())
                .ok()
                .map(|d| d.0.to_string())
        };
        assert_eq!(date("a").as_deref(), Some("2024-04-01"));
        assert_eq!(date("b").as_deref(), Some("2024-04-01"));
        assert_eq!(date("c"), None);
        assert_eq!(date("d"), None);
        assert_eq!(date("e"), None);
    }

    #[test]
    fn test_type_fields_follow_test_type_order() {
        // Keys named from `TestType::NAMES`, valued by position: each must land in its place.
        use crate::scenario::TestType;
        let mix: Vec<String> = TestType::NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n} = {i}.0"))
            .collect();
        let mix: toml::Table = toml::from_str(&mix.join("\n")).expect("valid TOML");
        let mix = RawTestMix::deserialize(toml::Value::Table(mix)).expect("known keys");
        assert_eq!(
            mix.values(),
            [Some(0.0), Some(1.0), Some(2.0), Some(3.0), Some(4.0)]
        );

        let tests: Vec<String> = TestType::NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| format!("[{n}]\ninitial_waiting = {i}"))
            .collect();
        let tests: toml::Table = toml::from_str(&tests.join("\n")).expect("valid TOML");
        let tests = RawDiagnosticTests::deserialize(toml::Value::Table(tests)).expect("known keys");
        let waiting: Vec<Option<i64>> = tests
            .into_array()
            .iter()
            .map(|t| t.as_ref().and_then(|t| t.initial_waiting))
            .collect();
        assert_eq!(waiting, [Some(0), Some(1), Some(2), Some(3), Some(4)]);
        for (i, t) in TestType::ALL.iter().enumerate() {
            assert_eq!(t.index(), i);
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFinance {
    pub price_first_attendance: Option<f64>,
    pub price_followup_attendance: Option<f64>,
    pub price_outpatient_procedure: Option<f64>,
    pub price_daycase: Option<f64>,
    pub price_elective_inpatient: Option<f64>,
    pub price_diagnostic_test: Option<f64>,
    pub cost_clinic_slot: Option<f64>,
    pub cost_theatre_list: Option<f64>,
    pub cost_diagnostic_test: Option<f64>,
    pub cost_inpatient_stay: Option<f64>,
    pub agency_share: Option<f64>,
    pub agency_premium: Option<f64>,
    pub premium_rate: Option<f64>,
    pub baseline_monthly_value_gbp: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLever {
    pub from: Option<RawDate>,
    pub specialty: Option<String>,
    pub pifu_share: Option<f64>,
    pub pifu_booking_share: Option<f64>,
    pub daycase_propensity: Option<f64>,
    pub followup_procedure_share: Option<f64>,
    pub post_treatment_followups: Option<f64>,
    pub advice_and_guidance_share: Option<f64>,
    pub dna_rate: Option<f64>,
    pub late_start_mean_minutes: Option<f64>,
    pub early_finish_mean_minutes: Option<f64>,
    pub turnaround_minutes: Option<f64>,
    pub on_the_day_cancellation_rate: Option<f64>,
    pub booking_fraction: Option<f64>,
    pub validation_share_per_month: Option<f64>,
}
