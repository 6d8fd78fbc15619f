//! `[finance]`: unit prices of activity, unit costs of capacity, agency and premium rates, and
//! the 2019/20 baseline of value-weighted activity.

use crate::config::Checker;

const KEYS: &[&str] = &[
    "price_first_attendance",
    "price_followup_attendance",
    "price_outpatient_procedure",
    "price_daycase",
    "price_elective_inpatient",
    "price_diagnostic_test",
    "cost_clinic_slot",
    "cost_theatre_list",
    "cost_diagnostic_test",
    "cost_inpatient_stay",
    "agency_share",
    "agency_premium",
    "premium_rate",
    "baseline_monthly_value_gbp",
];

/// Money (`[finance]`): what activity is worth and what capacity costs, in pounds. Prices
/// default to the National Cost Collection 2023/24 averages; costs are planning assumptions.
#[derive(Clone, Debug, PartialEq)]
pub struct Finance {
    pub price_first_attendance: f64,
    pub price_followup_attendance: f64,
    /// A follow-up attendance with a procedure is priced as an outpatient procedure.
    pub price_outpatient_procedure: f64,
    pub price_daycase: f64,
    pub price_elective_inpatient: f64,
    pub price_diagnostic_test: f64,
    /// Cost of each clinic slot held, each theatre list held and each diagnostic test of
    /// capacity held (lost capacity costs nothing).
    pub cost_clinic_slot: f64,
    pub cost_theatre_list: f64,
    pub cost_diagnostic_test: f64,
    /// Ward cost of an inpatient stay (day cases need no bed).
    pub cost_inpatient_stay: f64,
    /// Share of staff cost paid at agency rates, and how much more those rates are (0.6 is 60%).
    pub agency_share: f64,
    pub agency_premium: f64,
    /// Cost multiplier for capacity added by a change marked `premium` (waiting-list
    /// initiatives, insourcing, independent sector).
    pub premium_rate: f64,
    /// Value of a month's elective activity in 2019/20 at these prices: the 100% of
    /// `value_weighted_activity_pct`.
    pub baseline_monthly_value_gbp: f64,
}

impl Finance {
    /// Average unit costs from the National Cost Collection 2023/24, published by NHS England:
    /// first and follow-up attendances (WF01B, WF01A), outpatient procedures, day cases,
    /// elective inpatients and diagnostic imaging.
    pub const NCC_2023_24: [f64; 6] = [232.07, 192.28, 229.72, 1031.11, 6214.17, 115.62];
}

/// `[finance]`: every price and cost has a default; the 2019/20 baseline must be stated.
pub(super) fn read(c: &mut Checker) -> Option<Finance> {
    c.table(&["finance"], KEYS);
    const MONEY: &str = "an amount of pounds from 0 to 10000000";
    let money = |x: f64| (0.0..=10_000_000.0).contains(&x);
    let [first, followup, procedure, daycase, inpatient, test] = Finance::NCC_2023_24;
    let mut or_default = |key: &str, default: f64, ok: fn(f64) -> bool, expected: &str| {
        let value = c.f64(&["finance", key]);
        match value {
            None => Some(default),
            Some(_) => c.number(&["finance", key], value, ok, expected),
        }
    };
    let prices = [
        or_default("price_first_attendance", first, money, MONEY),
        or_default("price_followup_attendance", followup, money, MONEY),
        or_default("price_outpatient_procedure", procedure, money, MONEY),
        or_default("price_daycase", daycase, money, MONEY),
        or_default("price_elective_inpatient", inpatient, money, MONEY),
        or_default("price_diagnostic_test", test, money, MONEY),
    ];
    let clinic = or_default("cost_clinic_slot", 110.0, money, MONEY);
    let theatre = or_default("cost_theatre_list", 4_000.0, money, MONEY);
    let scan = or_default("cost_diagnostic_test", 85.0, money, MONEY);
    let stay = or_default("cost_inpatient_stay", 2_500.0, money, MONEY);
    let share = |x: f64| (0.0..=1.0).contains(&x);
    let agency = or_default("agency_share", 0.0, share, "a share from 0 to 1");
    let agency_premium = or_default(
        "agency_premium",
        0.0,
        |x| (0.0..=5.0).contains(&x),
        "a premium from 0 to 5 (0.6 is 60% more)",
    );
    let premium = or_default(
        "premium_rate",
        1.0,
        |x| (1.0..=10.0).contains(&x),
        "a multiplier from 1 to 10",
    );
    let baseline = c.f64(&["finance", "baseline_monthly_value_gbp"]);
    let baseline = c.number(
        &["finance", "baseline_monthly_value_gbp"],
        baseline,
        |x| x > 0.0 && x <= 1e12,
        "the value of a month of 2019/20 elective activity in pounds, above 0",
    );
    let [first, followup, procedure, daycase, inpatient, test] = prices;
    Some(Finance {
        price_first_attendance: first?,
        price_followup_attendance: followup?,
        price_outpatient_procedure: procedure?,
        price_daycase: daycase?,
        price_elective_inpatient: inpatient?,
        price_diagnostic_test: test?,
        cost_clinic_slot: clinic?,
        cost_theatre_list: theatre?,
        cost_diagnostic_test: scan?,
        cost_inpatient_stay: stay?,
        agency_share: agency?,
        agency_premium: agency_premium?,
        premium_rate: premium?,
        baseline_monthly_value_gbp: baseline?,
    })
}
