//! The metric table (each metric declared once: name, kind, unit, chart title, description),
//! the month's values as month end fills them, and the month × metric table one replication
//! returns.
//!
//! Names follow the interface contract in docs/design.md; users' scripts depend on them, so a name is
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

/// What a metric's values are measured in, for axis captions and number formats (how each is
/// shown is `plot::style`'s business).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Weeks,
    Pounds,
    /// RTT pathways (the waiting list and its parts).
    Pathways,
    /// Patients, attendances, tests, lists: anything else counted.
    Count,
    Ratio,
}

/// One metric: its name in the result files, its kind, its unit, the title of its chart, and
/// what it means.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    pub name: &'static str,
    pub kind: MetricKind,
    pub unit: Unit,
    pub title: &'static str,
    pub description: &'static str,
}

macro_rules! metrics {
    ($( $id:ident = $name:literal, $kind:ident, $unit:ident, $title:literal, $desc:literal; )*) => {
        /// Column index of each metric in a replication's table.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Metric { $( $id, )* }

        /// Every metric, in column order.
        const ALL_METRICS: &[Metric] = &[ $( Metric::$id, )* ];

        /// Every metric the model reports, in column order.
        pub const METRICS: &[MetricDef] = &[
            $( MetricDef {
                name: $name,
                kind: MetricKind::$kind,
                unit: Unit::$unit,
                title: $title,
                description: $desc,
            }, )*
        ];
    };
}

// One line a metric: `Id = "name", kind, unit, "Chart title", "description";`.
metrics! {
    RttWaitingList = "rtt_waiting_list", Stock, Pathways, "RTT waiting list", "incomplete RTT pathways at month end";
    RttWithin18wPct = "rtt_within_18w_pct", Percent, Percent, "RTT pathways within 18 weeks", "share of incomplete pathways waiting 18 weeks or less";
    RttOver18w = "rtt_over_18w", Stock, Pathways, "RTT pathways waiting over 18 weeks", "incomplete pathways waiting over 18 weeks";
    RttOver52w = "rtt_over_52w", Stock, Pathways, "RTT pathways waiting over 52 weeks", "incomplete pathways waiting over 52 weeks";
    RttOver65w = "rtt_over_65w", Stock, Pathways, "RTT pathways waiting over 65 weeks", "incomplete pathways waiting over 65 weeks";
    RttOver78w = "rtt_over_78w", Stock, Pathways, "RTT pathways waiting over 78 weeks", "incomplete pathways waiting over 78 weeks";
    RttOver104w = "rtt_over_104w", Stock, Pathways, "RTT pathways waiting over 104 weeks", "incomplete pathways waiting over 104 weeks";
    RttMedianWaitWeeks = "rtt_median_wait_weeks", Weeks, Weeks, "Median RTT wait", "median wait of incomplete pathways";
    RttP92WaitWeeks = "rtt_p92_wait_weeks", Weeks, Weeks, "92nd percentile RTT wait", "92nd percentile wait of incomplete pathways";
    RttClockStarts = "rtt_clock_starts", Flow, Count, "RTT clock starts", "new RTT pathways (referrals)";
    RttClockStopsAdmitted = "rtt_clock_stops_admitted", Flow, Count, "RTT clock stops, admitted", "pathways completed by admitted treatment";
    RttClockStopsNonadmitted = "rtt_clock_stops_nonadmitted", Flow, Count, "RTT clock stops, non-admitted", "pathways completed in outpatients";
    RttRemovalsOther = "rtt_removals_other", Flow, Count, "RTT removals other than by treatment", "pathways removed other than by treatment (validation, no longer needed, DNA discharge)";
    RttAwaitingFirst = "rtt_awaiting_first", Stock, Pathways, "RTT pathways awaiting a first appointment", "incomplete pathways awaiting a first outpatient appointment";
    RttAwaitingFollowup = "rtt_awaiting_followup", Stock, Pathways, "RTT pathways awaiting a follow-up or result", "incomplete pathways awaiting a follow-up or a test result";
    RttAwaitingAdmission = "rtt_awaiting_admission", Stock, Pathways, "RTT pathways on the admitted list", "incomplete pathways on the admitted list";
    OpFirstAttendances = "op_first_attendances", Flow, Count, "First outpatient attendances", "first outpatient attendances";
    OpFollowupAttendances = "op_followup_attendances", Flow, Count, "Follow-up outpatient attendances", "follow-up outpatient attendances";
    OpDna = "op_dna", Flow, Count, "Outpatient appointments not attended", "booked appointments not attended";
    OpPifuMoved = "op_pifu_moved", Flow, Count, "Outpatient attendances moved to PIFU (count)", "attendances whose outcome was moved or discharged to PIFU";
    OpPifuPct = "op_pifu_pct", Percent, Percent, "Outpatient attendances moved to PIFU", "attendances moved or discharged to PIFU, share of all attendances";
    OpFirstOrProcedurePct = "op_first_or_procedure_pct", Percent, Percent, "Outpatient firsts and follow-ups with a procedure", "first attendances plus follow-ups with a procedure, share of all attendances";
    OpClinicSlots = "op_clinic_slots", Flow, Count, "Clinic slots held", "clinic slots held";
    OpClinicSlotsUnused = "op_clinic_slots_unused", Flow, Count, "Clinic slots unused", "clinic slots held with nobody to book";
    DiagnosticRequests = "diagnostic_requests", Flow, Count, "Diagnostic tests requested in outpatients", "diagnostic tests requested at elective outpatient attendances";
    TheatreSessions = "theatre_sessions", Flow, Count, "Theatre lists held", "theatre lists held";
    TheatreSessionsLost = "theatre_sessions_lost", Flow, Count, "Theatre lists lost to shocks", "planned theatre lists lost to capacity shocks";
    TheatreCappedUtilPct = "theatre_capped_util_pct", Percent, Percent, "Capped theatre utilisation", "touch time inside planned session time over planned time of lists held or lost";
    TheatreUncappedUtilPct = "theatre_uncapped_util_pct", Percent, Percent, "Uncapped theatre utilisation", "all touch time, overruns included, over planned time of lists held or lost";
    TheatreCasesPerList = "theatre_cases_per_list", Ratio, Ratio, "Cases per theatre list", "cases operated per list held";
    TheatreCancelledOnDay = "theatre_cancelled_on_day", Flow, Count, "Cases cancelled on the day", "booked cases cancelled on the day, including for lack of time";
    DayCaseRatePct = "day_case_rate_pct", Percent, Percent, "Day-case rate", "elective spells done as day cases";
    AdmittedDaycaseSpells = "admitted_daycase_spells", Flow, Count, "Day-case spells", "day-case spells";
    AdmittedInpatientSpells = "admitted_inpatient_spells", Flow, Count, "Elective inpatient spells", "elective inpatient spells";
    Dm01WaitingList = "dm01_waiting_list", Stock, Count, "Diagnostic waiting list (DM01)", "patients waiting for a DM01 diagnostic test at month end";
    Dm01Over6w = "dm01_over_6w", Stock, Count, "Diagnostic waits of 6 weeks or more", "patients waiting 6 weeks or more for a diagnostic test";
    Dm01Within6wPct = "dm01_within_6w_pct", Percent, Percent, "Diagnostic waits under 6 weeks (DM01)", "share of the diagnostic waiting list waiting under 6 weeks";
    Dm01Tests = "dm01_tests", Flow, Count, "Diagnostic tests done", "diagnostic tests done";
    Dm01Requests = "dm01_requests", Flow, Count, "Diagnostic tests requested", "diagnostic tests requested (outpatients, cancer pathways, direct access)";
    Dm01Removed = "dm01_removed", Flow, Count, "Diagnostic requests withdrawn", "test requests withdrawn untested (the patient left the RTT list while waiting)";
    Dm01WaitingListMri = "dm01_waiting_list_mri", Stock, Count, "MRI waiting list", "patients waiting for MRI at month end";
    Dm01Within6wPctMri = "dm01_within_6w_pct_mri", Percent, Percent, "MRI waits under 6 weeks", "share of the MRI waiting list waiting under 6 weeks";
    Dm01TestsMri = "dm01_tests_mri", Flow, Count, "MRI tests done", "MRI tests done";
    Dm01WaitingListCt = "dm01_waiting_list_ct", Stock, Count, "CT waiting list", "patients waiting for CT at month end";
    Dm01Within6wPctCt = "dm01_within_6w_pct_ct", Percent, Percent, "CT waits under 6 weeks", "share of the CT waiting list waiting under 6 weeks";
    Dm01TestsCt = "dm01_tests_ct", Flow, Count, "CT tests done", "CT tests done";
    Dm01WaitingListUltrasound = "dm01_waiting_list_ultrasound", Stock, Count, "Ultrasound waiting list", "patients waiting for non-obstetric ultrasound at month end";
    Dm01Within6wPctUltrasound = "dm01_within_6w_pct_ultrasound", Percent, Percent, "Ultrasound waits under 6 weeks", "share of the non-obstetric ultrasound waiting list waiting under 6 weeks";
    Dm01TestsUltrasound = "dm01_tests_ultrasound", Flow, Count, "Ultrasound tests done", "non-obstetric ultrasound tests done";
    Dm01WaitingListEndoscopy = "dm01_waiting_list_endoscopy", Stock, Count, "Endoscopy waiting list", "patients waiting for endoscopy at month end";
    Dm01Within6wPctEndoscopy = "dm01_within_6w_pct_endoscopy", Percent, Percent, "Endoscopy waits under 6 weeks", "share of the endoscopy waiting list waiting under 6 weeks";
    Dm01TestsEndoscopy = "dm01_tests_endoscopy", Flow, Count, "Endoscopy tests done", "endoscopy tests done";
    Dm01WaitingListPhysiological = "dm01_waiting_list_physiological", Stock, Count, "Physiological measurement waiting list", "patients waiting for physiological measurement at month end";
    Dm01Within6wPctPhysiological = "dm01_within_6w_pct_physiological", Percent, Percent, "Physiological measurement waits under 6 weeks", "share of the physiological measurement waiting list waiting under 6 weeks";
    Dm01TestsPhysiological = "dm01_tests_physiological", Flow, Count, "Physiological measurement tests done", "physiological measurement tests done";
    CancerReferrals = "cancer_referrals", Flow, Count, "Urgent suspected-cancer referrals", "urgent suspected-cancer referrals";
    CancerToldOutcome = "cancer_told_outcome", Flow, Count, "Cancer patients told their outcome", "patients told they have cancer or that it is ruled out (Faster Diagnosis Standard denominator)";
    CancerFdsPct = "cancer_fds_pct", Percent, Percent, "Cancer Faster Diagnosis Standard (28 days)", "share told within 28 days of referral (Faster Diagnosis Standard)";
    CancerDiagnosed = "cancer_diagnosed", Flow, Count, "Patients diagnosed with cancer", "patients diagnosed with cancer";
    CancerRuledOut = "cancer_ruled_out", Flow, Count, "Patients with cancer ruled out", "patients told cancer is ruled out";
    CancerFirstTreatments = "cancer_first_treatments", Flow, Count, "First definitive cancer treatments", "first definitive cancer treatments";
    CancerSurgery = "cancer_surgery", Flow, Count, "Cancer surgery in theatre lists", "first definitive treatments that were surgery in a theatre list";
    Cancer62dPct = "cancer_62d_pct", Percent, Percent, "Cancer treatment within 62 days", "share of first treatments within 62 days of referral";
    Cancer31dPct = "cancer_31d_pct", Percent, Percent, "Cancer treatment within 31 days", "share of first treatments within 31 days of the decision to treat";
    Cancer62dBacklog = "cancer_62d_backlog", Stock, Count, "Cancer patients past day 62 untreated", "patients on a cancer pathway past day 62 without treatment at month end";
    CancerOnPathway = "cancer_on_pathway", Stock, Count, "Patients on a cancer pathway", "patients on a cancer pathway (not ruled out, not treated) at month end";
    OpFollowupProcedures = "op_followup_procedures", Flow, Count, "Follow-ups with a procedure", "follow-up attendances with a procedure (priced as outpatient procedures)";
    Dm01TestCapacity = "dm01_test_capacity", Flow, Count, "Diagnostic test capacity held", "diagnostic test capacity held (tests)";
    FinValueFirstAttendanceGbp = "fin_value_first_attendance_gbp", Flow, Pounds, "Value of first attendances", "value of first outpatient attendances";
    FinValueFollowupAttendanceGbp = "fin_value_followup_attendance_gbp", Flow, Pounds, "Value of follow-up attendances", "value of follow-up attendances without a procedure";
    FinValueOutpatientProcedureGbp = "fin_value_outpatient_procedure_gbp", Flow, Pounds, "Value of outpatient procedures", "value of follow-up attendances with a procedure";
    FinValueDaycaseGbp = "fin_value_daycase_gbp", Flow, Pounds, "Value of day cases", "value of day cases";
    FinValueElectiveInpatientGbp = "fin_value_elective_inpatient_gbp", Flow, Pounds, "Value of elective inpatient spells", "value of elective inpatient spells, cancer surgery included";
    FinValueDiagnosticTestGbp = "fin_value_diagnostic_test_gbp", Flow, Pounds, "Value of diagnostic tests", "value of diagnostic tests";
    FinCostClinicGbp = "fin_cost_clinic_gbp", Flow, Pounds, "Cost of clinic slots", "cost of clinic slots held";
    FinCostTheatreGbp = "fin_cost_theatre_gbp", Flow, Pounds, "Cost of theatre lists", "cost of theatre lists held";
    FinCostDiagnosticGbp = "fin_cost_diagnostic_gbp", Flow, Pounds, "Cost of diagnostic capacity", "cost of diagnostic capacity held";
    FinCostInpatientStaysGbp = "fin_cost_inpatient_stays_gbp", Flow, Pounds, "Ward cost of inpatient stays", "ward cost of inpatient stays";
    ActivityValueGbp = "activity_value_gbp", Flow, Pounds, "Value of activity", "value of all activity at the scenario's prices";
    CostGbp = "cost_gbp", Flow, Pounds, "Cost of capacity and stays", "cost of the capacity held and of inpatient stays";
    ValueWeightedActivityPct = "value_weighted_activity_pct", Percent, Percent, "Value-weighted activity against 2019/20", "activity value against the 2019/20 monthly baseline";
    CostPerClockStopGbp = "cost_per_clock_stop_gbp", Ratio, Pounds, "Cost per RTT clock stop", "cost over RTT clock stops (admitted and non-admitted)";
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

/// One month's row of values as month end fills it, remembering which metrics were given a
/// value: a metric month end forgets is caught (see [`MonthValues::finish`]) instead of being
/// left at zero.
pub(crate) struct MonthValues {
    values: Vec<f64>,
    given: Vec<bool>,
}

impl MonthValues {
    pub(crate) fn new() -> MonthValues {
        MonthValues {
            values: vec![0.0; METRICS.len()],
            given: vec![false; METRICS.len()],
        }
    }

    pub(crate) fn set(&mut self, metric: Metric, value: f64) {
        let k = metric.index();
        debug_assert!(!self.given[k], "{} set twice", METRICS[k].name);
        self.values[k] = value;
        self.given[k] = true;
    }

    /// The metrics of the table with no value yet, in table order.
    pub(crate) fn missing(&self) -> Vec<&'static str> {
        METRICS
            .iter()
            .zip(&self.given)
            .filter(|(_, &given)| !given)
            .map(|(m, _)| m.name)
            .collect()
    }

    /// The values in table order, once every metric has one; otherwise the names of those
    /// without.
    pub(crate) fn finish(self) -> Result<Vec<f64>, Vec<&'static str>> {
        let missing = self.missing();
        if missing.is_empty() {
            Ok(self.values)
        } else {
            Err(missing)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_with_a_metric_left_out_names_it() {
        let mut month = MonthValues::new();
        for (k, _) in METRICS.iter().enumerate() {
            if Metric::from_index(k) != Metric::CancerSurgery {
                month.set(Metric::from_index(k), k as f64);
            }
        }
        assert_eq!(month.missing(), ["cancer_surgery"]);
        assert_eq!(month.finish().unwrap_err(), ["cancer_surgery"]);

        let mut month = MonthValues::new();
        for k in 0..METRICS.len() {
            month.set(Metric::from_index(k), k as f64);
        }
        let values = month.finish().unwrap();
        assert_eq!(
            values[Metric::CancerSurgery.index()],
            Metric::CancerSurgery.index() as f64
        );
    }

    #[test]
    fn the_table_is_consistent() {
        let mut names = std::collections::BTreeSet::new();
        let mut titles = std::collections::BTreeSet::new();
        for (k, m) in METRICS.iter().enumerate() {
            assert_eq!(Metric::from_index(k).def().name, m.name);
            assert!(names.insert(m.name), "{} twice", m.name);
            assert!(titles.insert(m.title), "title {:?} twice", m.title);
            assert!(
                !m.title.is_empty() && !m.description.is_empty(),
                "{}",
                m.name
            );
            // A percentage or a wait is measured in its own unit; a count of patients or
            // activity in pathways, pounds or a plain number.
            let consistent = match m.kind {
                MetricKind::Percent => m.unit == Unit::Percent,
                MetricKind::Weeks => m.unit == Unit::Weeks,
                MetricKind::Ratio => matches!(m.unit, Unit::Ratio | Unit::Pounds),
                MetricKind::Flow | MetricKind::Stock => {
                    matches!(m.unit, Unit::Pathways | Unit::Count | Unit::Pounds)
                }
            };
            assert!(consistent, "{}: {:?} in {:?}", m.name, m.kind, m.unit);
            // A unit in the name agrees with the declared one.
            if m.name.ends_with("_gbp") {
                assert_eq!(m.unit, Unit::Pounds, "{}", m.name);
            }
            if m.name.contains("_pct") {
                assert_eq!(m.unit, Unit::Percent, "{}", m.name);
            }
        }
    }
}
