//! Month end: the census of every waiting list and the month's flows, written as one row of
//! the replication's metric table (counts at the simulated scale; `into_result` scales them).
//! The row is filled through [`MonthValues`], and a month in which any metric of the table was
//! given no value stops the run rather than reporting a zero.

use super::diagnostics;
use super::{Hospital, Metric, Money, MonthValues, OVER_WEEKS};

impl Hospital<'_> {
    pub(super) fn record_wait_weeks(&mut self, row: usize, census_day: i64) {
        let weeks = self.wait_weeks.ncols() - 1;
        let histogram = self.waiting.weeks_histogram(census_day, weeks);
        for (cell, count) in self.wait_weeks.row_mut(row).iter_mut().zip(histogram) {
            *cell = count as f64;
        }
    }

    pub(super) fn close_month(&mut self, month: usize) {
        let census_day = self.month_ends[month].days_since(self.start);
        self.record_wait_weeks(month + 1, census_day);
        let census = self.waiting.census(census_day, &OVER_WEEKS);
        let tally = std::mem::take(&mut self.tally);
        let percent = |part: f64, whole: f64| {
            if whole > 0.0 {
                100.0 * part / whole
            } else {
                0.0
            }
        };
        let attendances = (tally.first_attendances + tally.followup_attendances) as f64;
        let spells = (tally.daycase_spells + tally.inpatient_spells) as f64;
        let mut values = MonthValues::new();
        let mut set = |metric: Metric, value: f64| values.set(metric, value);
        set(Metric::RttWaitingList, census.total as f64);
        // An empty list has nobody waiting over 18 weeks: the standard is met, not failed.
        let within_18w = if census.total == 0 {
            100.0
        } else {
            percent((census.total - census.over[0]) as f64, census.total as f64)
        };
        set(Metric::RttWithin18wPct, within_18w);
        set(Metric::RttOver18w, census.over[0] as f64);
        set(Metric::RttOver52w, census.over[1] as f64);
        set(Metric::RttOver65w, census.over[2] as f64);
        set(Metric::RttOver78w, census.over[3] as f64);
        set(Metric::RttOver104w, census.over[4] as f64);
        set(Metric::RttMedianWaitWeeks, census.median_weeks);
        set(Metric::RttP92WaitWeeks, census.p92_weeks);
        set(Metric::RttClockStarts, tally.clock_starts as f64);
        set(Metric::RttClockStopsAdmitted, tally.stops_admitted as f64);
        set(
            Metric::RttClockStopsNonadmitted,
            tally.stops_nonadmitted as f64,
        );
        set(Metric::RttRemovalsOther, tally.removals as f64);
        set(Metric::RttAwaitingFirst, self.on_list_by_stage[0] as f64);
        set(Metric::RttAwaitingFollowup, self.on_list_by_stage[1] as f64);
        set(
            Metric::RttAwaitingAdmission,
            self.on_list_by_stage[2] as f64,
        );
        set(Metric::OpFirstAttendances, tally.first_attendances as f64);
        set(
            Metric::OpFollowupAttendances,
            tally.followup_attendances as f64,
        );
        set(Metric::OpDna, tally.dna as f64);
        set(Metric::OpPifuMoved, tally.pifu_moved as f64);
        set(
            Metric::OpPifuPct,
            percent(tally.pifu_moved as f64, attendances),
        );
        set(
            Metric::OpFirstOrProcedurePct,
            percent(
                (tally.first_attendances + tally.followups_with_procedure) as f64,
                attendances,
            ),
        );
        set(Metric::OpClinicSlots, tally.clinic_slots as f64);
        set(
            Metric::OpClinicSlotsUnused,
            tally.clinic_slots_unused as f64,
        );
        set(Metric::DiagnosticRequests, tally.diagnostic_requests as f64);
        set(Metric::TheatreSessions, tally.theatre_sessions as f64);
        set(
            Metric::TheatreSessionsLost,
            tally.theatre_sessions_lost as f64,
        );
        set(
            Metric::TheatreCappedUtilPct,
            percent(tally.theatre_capped_minutes, tally.theatre_planned_minutes),
        );
        set(
            Metric::TheatreUncappedUtilPct,
            percent(
                tally.theatre_uncapped_minutes,
                tally.theatre_planned_minutes,
            ),
        );
        set(
            Metric::TheatreCasesPerList,
            if tally.theatre_sessions > 0 {
                tally.theatre_cases as f64 / tally.theatre_sessions as f64
            } else {
                0.0
            },
        );
        set(Metric::TheatreCancelledOnDay, tally.cancelled_on_day as f64);
        set(
            Metric::DayCaseRatePct,
            percent(tally.daycase_spells as f64, spells),
        );
        set(Metric::AdmittedDaycaseSpells, tally.daycase_spells as f64);
        set(
            Metric::AdmittedInpatientSpells,
            tally.inpatient_spells as f64,
        );

        // Diagnostics: the DM01 waiting list counts waits of 6 weeks or more.
        let mut dm01 = (0u64, 0u64, 0u64);
        for (test, metrics) in Metric::DM01_BY_TEST.iter().enumerate() {
            let waiting = self.test_waiting[test].total();
            let over = self.test_waiting[test]
                .waiting_more_than(census_day, diagnostics::SIX_WEEKS_DAYS - 1);
            dm01 = (dm01.0 + waiting, dm01.1 + over, dm01.2 + tally.tests[test]);
            set(metrics[0], waiting as f64);
            set(
                metrics[1],
                if waiting > 0 {
                    percent((waiting - over) as f64, waiting as f64)
                } else {
                    100.0
                },
            );
            set(metrics[2], tally.tests[test] as f64);
        }
        set(Metric::Dm01WaitingList, dm01.0 as f64);
        set(Metric::Dm01Over6w, dm01.1 as f64);
        set(
            Metric::Dm01Within6wPct,
            if dm01.0 > 0 {
                percent((dm01.0 - dm01.1) as f64, dm01.0 as f64)
            } else {
                100.0
            },
        );
        set(Metric::Dm01Tests, dm01.2 as f64);
        set(Metric::Dm01Requests, tally.dm01_requests as f64);
        set(Metric::Dm01Removed, tally.dm01_removed as f64);

        // Cancer: each standard's share among the patients reaching its point this month.
        let share = |part: u64, whole: u64| {
            if whole > 0 {
                percent(part as f64, whole as f64)
            } else {
                100.0
            }
        };
        set(Metric::CancerReferrals, tally.cancer_referrals as f64);
        set(Metric::CancerToldOutcome, tally.cancer_told as f64);
        set(
            Metric::CancerFdsPct,
            share(tally.cancer_told_within_28d, tally.cancer_told),
        );
        set(Metric::CancerDiagnosed, tally.cancer_diagnosed as f64);
        set(Metric::CancerRuledOut, tally.cancer_ruled_out as f64);
        set(Metric::CancerFirstTreatments, tally.cancer_treated as f64);
        set(Metric::CancerSurgery, tally.cancer_surgery as f64);
        set(
            Metric::Cancer62dPct,
            share(tally.cancer_within_62d, tally.cancer_treated),
        );
        set(
            Metric::Cancer31dPct,
            share(tally.cancer_within_31d, tally.cancer_treated),
        );
        set(
            Metric::Cancer62dBacklog,
            self.cancer_open.waiting_more_than(census_day, 62) as f64,
        );
        set(Metric::CancerOnPathway, self.cancer_open.total() as f64);

        // Money: each value and cost as tallied, then the totals derived from them.
        set(
            Metric::OpFollowupProcedures,
            tally.followups_with_procedure as f64,
        );
        set(Metric::Dm01TestCapacity, tally.test_capacity as f64);
        for money in Money::VALUES.into_iter().chain(Money::COSTS) {
            set(money.metric(), tally.money[money as usize]);
        }
        let value: f64 = Money::VALUES.iter().map(|&m| tally.money[m as usize]).sum();
        let cost: f64 = Money::COSTS.iter().map(|&m| tally.money[m as usize]).sum();
        let stops = (tally.stops_admitted + tally.stops_nonadmitted) as f64;
        let scale = self.scenario.simulation.scale;
        set(Metric::ActivityValueGbp, value);
        set(Metric::CostGbp, cost);
        // Full-size value against the full-size baseline: the scale cancels.
        set(
            Metric::ValueWeightedActivityPct,
            100.0 * value / scale / self.scenario.finance.baseline_monthly_value_gbp,
        );
        set(
            Metric::CostPerClockStopGbp,
            if stops > 0.0 { cost / stops } else { 0.0 },
        );
        // A forgotten metric is a bug in this function, found by every test that runs a month.
        let values = values
            .finish()
            .unwrap_or_else(|missing| panic!("month end gave no value to {}", missing.join(", ")));
        for (cell, value) in self.results.row_mut(month).iter_mut().zip(values) {
            *cell = value;
        }
    }
}
