//! The validated scenario: every value here has passed validation, so the model can trust it.
//! Built only by the loader in this module (`Scenario::load`, `Scenario::from_toml_str`); the
//! raw TOML mirror and its checks live beside it.

use crate::date::Date;

/// Who is booked next from a waiting queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingPolicy {
    /// Clinical priority first (P1 before P2 ...), then the longest RTT wait (treat in turn).
    PriorityThenLongestWait,
    /// The longest RTT wait first, whatever the priority (a long-waiter push).
    LongestWaitFirst,
    /// In order of joining the queue, whatever the priority or the wait so far.
    FirstComeFirstServed,
}

impl BookingPolicy {
    pub const NAMES: [&'static str; 3] = [
        "priority_then_longest_wait",
        "longest_wait_first",
        "first_come_first_served",
    ];

    pub fn name(self) -> &'static str {
        match self {
            BookingPolicy::PriorityThenLongestWait => Self::NAMES[0],
            BookingPolicy::LongestWaitFirst => Self::NAMES[1],
            BookingPolicy::FirstComeFirstServed => Self::NAMES[2],
        }
    }

    pub fn from_name(name: &str) -> Option<BookingPolicy> {
        match name {
            "priority_then_longest_wait" => Some(BookingPolicy::PriorityThenLongestWait),
            "longest_wait_first" => Some(BookingPolicy::LongestWaitFirst),
            "first_come_first_served" => Some(BookingPolicy::FirstComeFirstServed),
            _ => None,
        }
    }
}

/// A complete, validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Safe as a folder name: letters, digits, `-`, `_` and `.` (not first).
    pub name: String,
    pub description: String,
    /// Scenarios with the same stream family draw the same random numbers (common random
    /// numbers). Defaults to the name of the root of the `extends` chain.
    pub stream_family: String,
    pub simulation: Simulation,
    pub initial_list: InitialList,
    pub referrals: Referrals,
    pub removals: Removals,
    pub outpatients: Outpatients,
    pub theatres: Theatres,
    /// At least one; in the order of their names (sorted), which fixes stream order.
    pub specialties: Vec<Specialty>,
    pub calendar: Calendar,
    pub diagnostics: Diagnostics,
    pub cancer: Cancer,
    pub finance: Finance,
    /// The resolved scenario as one TOML table (extends merged, overrides applied): written to
    /// `scenario.toml` in the result folder, and hashed for the manifest.
    pub resolved: toml::Table,
}

#[derive(Clone, Debug)]
pub struct Simulation {
    /// First simulated day; a first of the month.
    pub start: Date,
    /// Simulated months, 1 to 120.
    pub months: u32,
    pub replications: u32,
    pub seed: u64,
    /// Fraction of patients and capacity simulated (0 < scale <= 1); counts are reported
    /// divided by it. Set from `--scale`, 1 by default.
    pub scale: f64,
    pub booking_policy: BookingPolicy,
}

/// The published waiting-list position on the day before the simulation starts.
#[derive(Clone, Debug)]
pub struct InitialList {
    /// Incomplete pathways in total.
    pub total: u64,
    /// `(weeks, count)`: pathways waiting more than `weeks` weeks, weeks increasing and counts
    /// not increasing (the published 18, 52, 65, 78 and 104-week figures).
    pub over_weeks: Vec<(u32, u64)>,
    /// Published median and 92nd-percentile waits, used to shape the list within the bands.
    pub median_weeks: Option<f64>,
    pub p92_weeks: Option<f64>,
    /// The longest wait anyone has; more than the last `over_weeks` threshold.
    pub longest_wait_weeks: u32,
    /// Patients already treated (so not on the RTT list) who are under monitoring follow-up at
    /// the start. Without them clinics would start with no follow-ups to see and book first
    /// appointments far faster than they can in a steady state.
    pub monitoring_caseload: u64,
    /// Shares of the list by stage; they sum to 1.
    pub share_awaiting_first: f64,
    pub share_followup: f64,
    pub share_awaiting_admission: f64,
    /// The list stated week by week (`[initial_list.weekly.NAME]`), one entry per specialty in
    /// specialty order; empty when it is stated by thresholds (`total`, `over_18_weeks` ...).
    /// Stated so, `total` and `over_weeks` are its sums, `median_weeks` and `p92_weeks` are
    /// `None`, `share_awaiting_admission` is 0 (the weekly counts say who awaits admission) and
    /// the two other shares split the rest.
    pub weekly: Vec<WeeklyList>,
}

/// Weekly bands of a starting list stated week by week: as the RTT full CSV counts them, waits of
/// up to 1 week, more than 1 up to 2, ..., more than 103 up to 104, and more than 104 weeks.
pub const WEEKLY_BANDS: usize = 105;

/// One specialty's starting list by weekly band (`[initial_list.weekly.NAME]`).
#[derive(Clone, Debug, PartialEq)]
pub struct WeeklyList {
    pub specialty: String,
    /// Incomplete pathways in each of the [`WEEKLY_BANDS`] bands.
    pub waiting: Vec<u64>,
    /// Of those, the ones with a decision to admit (at most `waiting` in each band).
    pub awaiting_admission: Vec<u64>,
}

#[derive(Clone, Debug)]
pub struct Referrals {
    /// Mean RTT clock starts per calendar day at the start, all specialties together.
    pub per_day: f64,
    /// Growth per year (0.03 is 3%), compounded daily.
    pub annual_growth: f64,
    /// Relative volume Monday..Sunday; normalised to a mean of 1 over the week.
    pub weekday_weights: [f64; 7],
    /// Relative volume January..December; normalised to a mean of 1 over the year.
    pub monthly_seasonality: [f64; 12],
}

#[derive(Clone, Debug)]
pub struct Removals {
    /// Share of the patients on the list removed for reasons other than treatment per month
    /// (validation, no longer needed); 0 to 1.
    pub monthly_rate: f64,
    /// Validation sprints: the share of patients waiting over `validation_after_weeks` weeks
    /// validated each month, and the share of those found no longer to need care and removed.
    /// 0 by default (no sprint).
    pub validation_share_per_month: f64,
    pub validation_removal_share: f64,
    pub validation_after_weeks: u32,
}

#[derive(Clone, Debug)]
pub struct Outpatients {
    /// Share of booked appointments not attended.
    pub dna_rate: f64,
    /// Share of DNAs rebooked; the rest are discharged (an RTT pathway is then removed).
    pub dna_rebook_share: f64,
    /// Most of a day's clinic slots that follow-ups may take before first appointments are
    /// booked; follow-ups may still use slots that first appointments leave empty.
    pub followup_slot_cap: f64,
    /// Length of a patient-initiated follow-up period.
    pub pifu_period_weeks: f64,
}

#[derive(Clone, Debug)]
pub struct Theatres {
    pub session_minutes: f64,
    /// Mean of the exponential late start of a list.
    pub late_start_mean_minutes: f64,
    /// Mean of the exponential early finish: no case starts after planned end minus this.
    pub early_finish_mean_minutes: f64,
    pub turnaround_minutes: f64,
    /// Share of booked cases cancelled on the day (they return to the list).
    pub on_the_day_cancellation_rate: f64,
    /// Lists are booked until expected case and turnaround time reaches this share of the
    /// planned session.
    pub booking_fraction: f64,
}

/// What happens after an outpatient attendance of a patient whose clock is running.
/// The shares sum to 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcomes {
    /// Discharged with no treatment needed: a non-admitted clock stop.
    pub discharge: f64,
    /// Treatment starts in outpatients: a non-admitted clock stop, then monitoring follow-ups.
    pub treat: f64,
    /// Another follow-up on the pathway (clock keeps running).
    pub followup: f64,
    /// A diagnostic test, then a follow-up (clock keeps running).
    pub diagnostic: f64,
    /// Decision to admit: joins the admitted list.
    pub admit: f64,
}

/// A lognormal duration given by its mean and standard deviation in minutes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Minutes {
    pub mean: f64,
    pub sd: f64,
}

#[derive(Clone, Debug)]
pub struct Specialty {
    pub name: String,
    /// Share of referrals; across specialties they sum to 1.
    pub referral_share: f64,
    /// Share of the initial waiting list; across specialties they sum to 1.
    pub list_share: f64,
    /// Clinical priority P1..P4 shares; they sum to 1.
    pub priority_shares: [f64; 4],
    pub first_outcomes: Outcomes,
    pub followup_outcomes: Outcomes,
    pub followup_interval_weeks: f64,
    /// Which test a diagnostic outcome asks for: shares by [`TestType`], in `TestType::ALL`
    /// order, summing to 1.
    pub diagnostic_mix: [f64; TestType::COUNT],
    /// Mean number of monitoring follow-ups after treatment (outpatient or admitted).
    pub post_treatment_followups: f64,
    /// Share of follow-up attendances with a procedure.
    pub followup_procedure_share: f64,
    /// Share of monitoring follow-ups replaced by patient-initiated follow-up.
    pub pifu_share: f64,
    /// Share of PIFU patients who ever ask for an appointment.
    pub pifu_booking_share: f64,
    /// Share of admitted cases done as day cases.
    pub daycase_propensity: f64,
    pub daycase_minutes: Minutes,
    pub inpatient_minutes: Minutes,
    pub clinic_slots_per_week: f64,
    pub theatre_lists_per_week: f64,
    /// Multiplies every unit price for this specialty's activity (1 by default).
    pub price_factor: f64,
    /// Share of referrals diverted by advice and guidance: they never start an RTT clock
    /// (0 by default).
    pub advice_and_guidance_share: f64,
}

/// A kind of capacity that calendars and changes act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    ClinicSlots,
    TheatreLists,
    /// Diagnostic tests of one or all [`TestType`]s.
    DiagnosticTests,
    /// First non-surgical cancer treatments (chemotherapy, radiotherapy).
    CancerTreatments,
}

impl Resource {
    pub const NAMES: [&'static str; 4] = [
        "clinic_slots",
        "theatre_lists",
        "diagnostic_tests",
        "cancer_treatments",
    ];

    pub fn name(self) -> &'static str {
        match self {
            Resource::ClinicSlots => Self::NAMES[0],
            Resource::TheatreLists => Self::NAMES[1],
            Resource::DiagnosticTests => Self::NAMES[2],
            Resource::CancerTreatments => Self::NAMES[3],
        }
    }

    pub fn from_name(name: &str) -> Option<Resource> {
        match name {
            "clinic_slots" => Some(Resource::ClinicSlots),
            "theatre_lists" => Some(Resource::TheatreLists),
            "diagnostic_tests" => Some(Resource::DiagnosticTests),
            "cancer_treatments" => Some(Resource::CancerTreatments),
            _ => None,
        }
    }
}

/// The diagnostic modalities plansim models: the 15 DM01 key tests grouped by where they are
/// done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestType {
    Mri,
    Ct,
    /// Non-obstetric ultrasound.
    Ultrasound,
    /// Colonoscopy, flexi-sigmoidoscopy, gastroscopy and cystoscopy.
    Endoscopy,
    /// Physiological measurement: echocardiography, sleep studies, urodynamics, audiology and
    /// the other DM01 physiological tests.
    Physiological,
}

impl TestType {
    pub const COUNT: usize = 5;
    pub const ALL: [TestType; 5] = [
        TestType::Mri,
        TestType::Ct,
        TestType::Ultrasound,
        TestType::Endoscopy,
        TestType::Physiological,
    ];
    pub const NAMES: [&'static str; 5] = ["mri", "ct", "ultrasound", "endoscopy", "physiological"];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A lognormal number of days given by its mean and standard deviation (fixed if sd is 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Days {
    pub mean: f64,
    pub sd: f64,
}

/// Diagnostic capacity and demand (`[diagnostics]`).
#[derive(Clone, Debug)]
pub struct Diagnostics {
    /// Days from a test to its report reaching the clinician who asked for it.
    pub report_days: f64,
    /// One per test type, in `TestType::ALL` order.
    pub tests: Vec<DiagnosticTest>,
}

/// One modality (`[diagnostics.tests.mri]` ...).
#[derive(Clone, Debug)]
pub struct DiagnosticTest {
    pub test: TestType,
    /// Tests a week, done seven days a week (a seventh each day; none on bank holidays).
    pub tests_per_week: f64,
    /// Requests a day from GP direct access and other routes outside the modelled pathways,
    /// on weekdays (Monday to Friday).
    pub direct_requests_per_weekday: f64,
    /// Share of direct requests that are urgent (booked after cancer, before routine).
    pub urgent_share: f64,
    /// The DM01 waiting list for this test on the day before the start, and how many of them
    /// had waited 6 weeks or more.
    pub initial_waiting: u64,
    pub initial_over_6_weeks: u64,
    /// The longest wait on the starting list, in weeks (more than 6).
    pub initial_longest_weeks: u32,
}

/// Urgent suspected-cancer pathways (`[cancer]`).
#[derive(Clone, Debug)]
pub struct Cancer {
    /// Urgent suspected-cancer referrals per weekday (Monday to Friday), all tumour groups;
    /// they grow with `referrals.annual_growth`.
    pub referrals_per_weekday: f64,
    /// Whether cancer patients go ahead of elective patients for diagnostic tests, theatre lists
    /// and treatment. Turned off, they queue there like elective patients (priority 2, by
    /// referral date). Their first appointment is booked first either way: the referral is
    /// urgent.
    pub priority: bool,
    /// From the last test (or the first appointment if no test) to being told the diagnosis
    /// or that cancer is ruled out.
    pub diagnosis_days: Days,
    /// From diagnosis to the decision to treat (staging, multidisciplinary team).
    pub decision_days: Days,
    /// From the decision to treat to being ready for treatment (pre-operative assessment,
    /// treatment planning); the patient then waits for capacity.
    pub treatment_lead_days: Days,
    pub surgery_minutes: Minutes,
    /// First non-surgical treatments a week (planned Monday to Friday).
    pub non_surgical_per_week: f64,
    /// Mean waits assumed for steps taken before the start, to build the pathways in progress
    /// on the first day (the starting PTL): first appointment, each test, treatment.
    pub prestart_first_appointment_days: f64,
    pub prestart_test_days: f64,
    pub prestart_treatment_days: f64,
    /// At least one; ordered by name.
    pub tumour_groups: Vec<TumourGroup>,
}

/// One tumour group (`[cancer.tumour_groups.lower_gi]` ...).
#[derive(Clone, Debug)]
pub struct TumourGroup {
    pub name: String,
    /// Share of urgent referrals; across tumour groups they sum to 1.
    pub referral_share: f64,
    /// Index into `Scenario::specialties`: whose clinics and theatres the group uses.
    pub specialty: usize,
    /// Share needing a diagnostic test after the first appointment, and the share of those
    /// needing a second test.
    pub test_share: f64,
    pub second_test_share: f64,
    /// Which test: shares by [`TestType`], in `TestType::ALL` order, summing to 1.
    pub test_mix: [f64; TestType::COUNT],
    /// Share of referrals diagnosed with cancer.
    pub conversion_rate: f64,
    /// Share of those whose first treatment is surgery (the rest are treated non-surgically).
    pub surgery_share: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChangeAmount {
    /// Adds this much weekly capacity (negative removes), shared between the specialties
    /// affected in proportion to their base capacity.
    AddPerWeek(f64),
    /// Multiplies weekly capacity.
    Multiply(f64),
}

/// A dated step change in capacity, in force from `from` to the end of the run.
#[derive(Clone, Debug)]
pub struct CapacityChange {
    pub name: String,
    pub from: Date,
    pub resource: Resource,
    /// Index into `Scenario::specialties`, or into `TestType::ALL` for diagnostic tests;
    /// `None` for all (and always `None` for cancer treatments).
    pub specialty: Option<usize>,
    pub amount: ChangeAmount,
    /// Capacity bought at premium rates (waiting-list initiatives, insourcing, independent
    /// sector): what it adds costs `finance.premium_rate` times the usual unit cost.
    pub premium: bool,
}

/// Days on which a share of capacity is lost (industrial action, winter pressure).
#[derive(Clone, Debug)]
pub struct CapacityShock {
    pub name: String,
    pub from: Date,
    /// Inclusive.
    pub to: Date,
    /// Share of planned capacity lost on those days, 0 to 1.
    pub share_lost: f64,
    pub resources: Vec<Resource>,
}

/// The productivity levers a dated change can set. Each is `None` (unchanged) or the new value;
/// their meaning and range are those of the scenario keys of the same names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeverValues {
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

/// A dated change to productivity levers (`[calendar.levers.NAME]`), in force from `from` to the
/// end of the run for one specialty or all.
#[derive(Clone, Debug)]
pub struct LeverChange {
    pub name: String,
    pub from: Date,
    /// Index into `Scenario::specialties`; `None` for all.
    pub specialty: Option<usize>,
    pub set: LeverValues,
}

#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// No planned clinics or theatre lists on these days.
    pub bank_holidays: Vec<Date>,
    /// Ordered by name.
    pub changes: Vec<CapacityChange>,
    /// Ordered by name.
    pub shocks: Vec<CapacityShock>,
    /// Ordered by name; applied in date order.
    pub levers: Vec<LeverChange>,
}

impl Scenario {
    /// The last simulated day.
    pub fn end(&self) -> Date {
        self.simulation
            .start
            .first_of_month_after(self.simulation.months)
            .add_days(-1)
    }

    /// Simulated days in the horizon.
    pub fn horizon_days(&self) -> i64 {
        self.end().days_since(self.simulation.start) + 1
    }

    /// The last day of each simulated month, in order.
    pub fn month_ends(&self) -> Vec<Date> {
        (1..=self.simulation.months)
            .map(|m| self.simulation.start.first_of_month_after(m).add_days(-1))
            .collect()
    }
}

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
    /// National Cost Collection 2023/24 average unit costs (the published figures in
    /// shared/data): first and follow-up attendances (WF01B, WF01A), outpatient procedures,
    /// day cases, elective inpatients and diagnostic imaging.
    pub const NCC_2023_24: [f64; 6] = [232.07, 192.28, 229.72, 1031.11, 6214.17, 115.62];
}
