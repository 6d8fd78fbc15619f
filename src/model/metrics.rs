//! Metric names and kinds, and the month × metric table one replication returns.
//!
//! Names follow the interface contract in DESIGN.md; users' scripts depend on them, so a name is
//! never changed, only added.

use ndarray::Array2;

/// How a metric is measured, which also says how `--scale` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A count over the month (clock starts, attendances); reported divided by the scale.
    Flow,
    /// A count at month end (the waiting list); reported divided by the scale.
    Stock,
    /// A percentage, 0-100; not scaled.
    Percent,
    /// A wait in weeks; not scaled.
    Weeks,
    /// A ratio such as cases per list; not scaled.
    Ratio,
}

impl MetricKind {
    /// Whether the value is a count of patients or activity, so `--scale` divides it.
    pub fn is_count(self) -> bool {
        matches!(self, MetricKind::Flow | MetricKind::Stock)
    }
}

/// One metric: its name in the result files, its kind, and what it means.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    pub name: &'static str,
    pub kind: MetricKind,
    pub description: &'static str,
}

macro_rules! metrics {
    ($( $id:ident = $name:literal, $kind:ident, $desc:literal; )*) => {
        /// Column index of each metric in a replication's table.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Metric { $( $id, )* }

        /// Every metric, in column order.
        const ALL_METRICS: &[Metric] = &[ $( Metric::$id, )* ];

        /// Every metric the model reports, in column order.
        pub const METRICS: &[MetricDef] = &[
            $( MetricDef { name: $name, kind: MetricKind::$kind, description: $desc }, )*
        ];
    };
}

metrics! {
    RttWaitingList = "rtt_waiting_list", Stock, "incomplete RTT pathways at month end";
    RttWithin18wPct = "rtt_within_18w_pct", Percent, "share of incomplete pathways waiting 18 weeks or less";
    RttOver18w = "rtt_over_18w", Stock, "incomplete pathways waiting over 18 weeks";
    RttOver52w = "rtt_over_52w", Stock, "incomplete pathways waiting over 52 weeks";
    RttOver65w = "rtt_over_65w", Stock, "incomplete pathways waiting over 65 weeks";
    RttOver78w = "rtt_over_78w", Stock, "incomplete pathways waiting over 78 weeks";
    RttOver104w = "rtt_over_104w", Stock, "incomplete pathways waiting over 104 weeks";
    RttMedianWaitWeeks = "rtt_median_wait_weeks", Weeks, "median wait of incomplete pathways";
    RttP92WaitWeeks = "rtt_p92_wait_weeks", Weeks, "92nd percentile wait of incomplete pathways";
    RttClockStarts = "rtt_clock_starts", Flow, "new RTT pathways (referrals)";
    RttClockStopsAdmitted = "rtt_clock_stops_admitted", Flow, "pathways completed by admitted treatment";
    RttClockStopsNonadmitted = "rtt_clock_stops_nonadmitted", Flow, "pathways completed in outpatients";
    RttRemovalsOther = "rtt_removals_other", Flow, "pathways removed other than by treatment (validation, no longer needed, DNA discharge)";
    RttAwaitingFirst = "rtt_awaiting_first", Stock, "incomplete pathways awaiting a first outpatient appointment";
    RttAwaitingFollowup = "rtt_awaiting_followup", Stock, "incomplete pathways awaiting a follow-up or a test result";
    RttAwaitingAdmission = "rtt_awaiting_admission", Stock, "incomplete pathways on the admitted list";
    OpFirstAttendances = "op_first_attendances", Flow, "first outpatient attendances";
    OpFollowupAttendances = "op_followup_attendances", Flow, "follow-up outpatient attendances";
    OpDna = "op_dna", Flow, "booked appointments not attended";
    OpPifuMoved = "op_pifu_moved", Flow, "attendances whose outcome was moved or discharged to PIFU";
    OpPifuPct = "op_pifu_pct", Percent, "attendances moved or discharged to PIFU, share of all attendances";
    OpFirstOrProcedurePct = "op_first_or_procedure_pct", Percent, "first attendances plus follow-ups with a procedure, share of all attendances";
    OpClinicSlots = "op_clinic_slots", Flow, "clinic slots held";
    OpClinicSlotsUnused = "op_clinic_slots_unused", Flow, "clinic slots held with nobody to book";
    DiagnosticRequests = "diagnostic_requests", Flow, "diagnostic tests requested at elective outpatient attendances";
    TheatreSessions = "theatre_sessions", Flow, "theatre lists held";
    TheatreSessionsLost = "theatre_sessions_lost", Flow, "planned theatre lists lost to capacity shocks";
    TheatreCappedUtilPct = "theatre_capped_util_pct", Percent, "touch time inside planned session time over planned time of lists held or lost";
    TheatreUncappedUtilPct = "theatre_uncapped_util_pct", Percent, "all touch time, overruns included, over planned time of lists held or lost";
    TheatreCasesPerList = "theatre_cases_per_list", Ratio, "cases operated per list held";
    TheatreCancelledOnDay = "theatre_cancelled_on_day", Flow, "booked cases cancelled on the day, including for lack of time";
    DayCaseRatePct = "day_case_rate_pct", Percent, "elective spells done as day cases";
    AdmittedDaycaseSpells = "admitted_daycase_spells", Flow, "day-case spells";
    AdmittedInpatientSpells = "admitted_inpatient_spells", Flow, "elective inpatient spells";
    Dm01WaitingList = "dm01_waiting_list", Stock, "patients waiting for a DM01 diagnostic test at month end";
    Dm01Over6w = "dm01_over_6w", Stock, "patients waiting 6 weeks or more for a diagnostic test";
    Dm01Within6wPct = "dm01_within_6w_pct", Percent, "share of the diagnostic waiting list waiting under 6 weeks";
    Dm01Tests = "dm01_tests", Flow, "diagnostic tests done";
    Dm01Requests = "dm01_requests", Flow, "diagnostic tests requested (outpatients, cancer pathways, direct access)";
    Dm01Removed = "dm01_removed", Flow, "test requests withdrawn untested (the patient left the RTT list while waiting)";
    Dm01WaitingListMri = "dm01_waiting_list_mri", Stock, "patients waiting for MRI at month end";
    Dm01Within6wPctMri = "dm01_within_6w_pct_mri", Percent, "share of the MRI waiting list waiting under 6 weeks";
    Dm01TestsMri = "dm01_tests_mri", Flow, "MRI tests done";
    Dm01WaitingListCt = "dm01_waiting_list_ct", Stock, "patients waiting for CT at month end";
    Dm01Within6wPctCt = "dm01_within_6w_pct_ct", Percent, "share of the CT waiting list waiting under 6 weeks";
    Dm01TestsCt = "dm01_tests_ct", Flow, "CT tests done";
    Dm01WaitingListUltrasound = "dm01_waiting_list_ultrasound", Stock, "patients waiting for non-obstetric ultrasound at month end";
    Dm01Within6wPctUltrasound = "dm01_within_6w_pct_ultrasound", Percent, "share of the non-obstetric ultrasound waiting list waiting under 6 weeks";
    Dm01TestsUltrasound = "dm01_tests_ultrasound", Flow, "non-obstetric ultrasound tests done";
    Dm01WaitingListEndoscopy = "dm01_waiting_list_endoscopy", Stock, "patients waiting for endoscopy at month end";
    Dm01Within6wPctEndoscopy = "dm01_within_6w_pct_endoscopy", Percent, "share of the endoscopy waiting list waiting under 6 weeks";
    Dm01TestsEndoscopy = "dm01_tests_endoscopy", Flow, "endoscopy tests done";
    Dm01WaitingListPhysiological = "dm01_waiting_list_physiological", Stock, "patients waiting for physiological measurement at month end";
    Dm01Within6wPctPhysiological = "dm01_within_6w_pct_physiological", Percent, "share of the physiological measurement waiting list waiting under 6 weeks";
    Dm01TestsPhysiological = "dm01_tests_physiological", Flow, "physiological measurement tests done";
    CancerReferrals = "cancer_referrals", Flow, "urgent suspected-cancer referrals";
    CancerToldOutcome = "cancer_told_outcome", Flow, "patients told they have cancer or that it is ruled out (Faster Diagnosis Standard denominator)";
    CancerFdsPct = "cancer_fds_pct", Percent, "share told within 28 days of referral (Faster Diagnosis Standard)";
    CancerDiagnosed = "cancer_diagnosed", Flow, "patients diagnosed with cancer";
    CancerRuledOut = "cancer_ruled_out", Flow, "patients told cancer is ruled out";
    CancerFirstTreatments = "cancer_first_treatments", Flow, "first definitive cancer treatments";
    CancerSurgery = "cancer_surgery", Flow, "first definitive treatments that were surgery in a theatre list";
    Cancer62dPct = "cancer_62d_pct", Percent, "share of first treatments within 62 days of referral";
    Cancer31dPct = "cancer_31d_pct", Percent, "share of first treatments within 31 days of the decision to treat";
    Cancer62dBacklog = "cancer_62d_backlog", Stock, "patients on a cancer pathway past day 62 without treatment at month end";
    CancerOnPathway = "cancer_on_pathway", Stock, "patients on a cancer pathway (not ruled out, not treated) at month end";
    OpFollowupProcedures = "op_followup_procedures", Flow, "follow-up attendances with a procedure (priced as outpatient procedures)";
    Dm01TestCapacity = "dm01_test_capacity", Flow, "diagnostic test capacity held (tests)";
    FinValueFirstAttendanceGbp = "fin_value_first_attendance_gbp", Flow, "value of first outpatient attendances";
    FinValueFollowupAttendanceGbp = "fin_value_followup_attendance_gbp", Flow, "value of follow-up attendances without a procedure";
    FinValueOutpatientProcedureGbp = "fin_value_outpatient_procedure_gbp", Flow, "value of follow-up attendances with a procedure";
    FinValueDaycaseGbp = "fin_value_daycase_gbp", Flow, "value of day cases";
    FinValueElectiveInpatientGbp = "fin_value_elective_inpatient_gbp", Flow, "value of elective inpatient spells, cancer surgery included";
    FinValueDiagnosticTestGbp = "fin_value_diagnostic_test_gbp", Flow, "value of diagnostic tests";
    FinCostClinicGbp = "fin_cost_clinic_gbp", Flow, "cost of clinic slots held";
    FinCostTheatreGbp = "fin_cost_theatre_gbp", Flow, "cost of theatre lists held";
    FinCostDiagnosticGbp = "fin_cost_diagnostic_gbp", Flow, "cost of diagnostic capacity held";
    FinCostInpatientStaysGbp = "fin_cost_inpatient_stays_gbp", Flow, "ward cost of inpatient stays";
    ActivityValueGbp = "activity_value_gbp", Flow, "value of all activity at the scenario's prices";
    CostGbp = "cost_gbp", Flow, "cost of the capacity held and of inpatient stays";
    ValueWeightedActivityPct = "value_weighted_activity_pct", Percent, "activity value against the 2019/20 monthly baseline";
    CostPerClockStopGbp = "cost_per_clock_stop_gbp", Ratio, "cost over RTT clock stops (admitted and non-admitted)";
}

impl Metric {
    pub fn index(self) -> usize {
        self as usize
    }

    /// The per-test-type DM01 metrics (waiting list, share within 6 weeks, tests), in
    /// `TestType::ALL` order.
    pub const DM01_BY_TEST: [[Metric; 3]; 5] = [
        [
            Metric::Dm01WaitingListMri,
            Metric::Dm01Within6wPctMri,
            Metric::Dm01TestsMri,
        ],
        [
            Metric::Dm01WaitingListCt,
            Metric::Dm01Within6wPctCt,
            Metric::Dm01TestsCt,
        ],
        [
            Metric::Dm01WaitingListUltrasound,
            Metric::Dm01Within6wPctUltrasound,
            Metric::Dm01TestsUltrasound,
        ],
        [
            Metric::Dm01WaitingListEndoscopy,
            Metric::Dm01Within6wPctEndoscopy,
            Metric::Dm01TestsEndoscopy,
        ],
        [
            Metric::Dm01WaitingListPhysiological,
            Metric::Dm01Within6wPctPhysiological,
            Metric::Dm01TestsPhysiological,
        ],
    ];

    /// The metric in column `index` of [`METRICS`].
    pub fn from_index(index: usize) -> Metric {
        ALL_METRICS[index]
    }

    pub fn def(self) -> &'static MetricDef {
        &METRICS[self as usize]
    }
}

/// Looks a metric up by its name.
pub fn metric_by_name(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

/// One replication's results: month × metric values (rows are months 1..=N, columns follow
/// [`METRICS`]), reported at full size (already divided by the scale), plus engine counters.
#[derive(Clone, Debug)]
pub struct ReplicationResult {
    pub replication: u32,
    pub metrics: Array2<f64>,
    /// The waiting list the replication started from, at full size.
    pub initial_waiting_list: f64,
    /// Pathways by whole weeks waited, at full size: row 0 is the starting list (the day
    /// before the first simulated day), row `m` the end of month `m`; column `w` counts waits
    /// of `w` whole weeks, and the last column everything longer.
    pub wait_weeks: Array2<f64>,
    /// Events handled: engine events, agenda items and per-patient session activities.
    pub events: u64,
    /// Patients simulated: the initial list plus every referral.
    pub patients: u64,
}

impl ReplicationResult {
    pub fn value(&self, month_index: usize, metric: Metric) -> f64 {
        self.metrics[[month_index, metric.index()]]
    }
}
