//! The model's own tests: conservation, the starting position, determinism, common random
//! numbers, and small cases with answers known by hand or from queueing theory.

use super::*;
use crate::model::patient::Pathway;

#[test]
fn every_metric_in_the_table_has_a_value_every_month() {
    // Month end refuses a month in which a metric of the table got no value (`MonthValues`),
    // so a run that completes gave every metric one each month.
    let s = test_support::small_scenario();
    let result = run_replication(&s, 1);
    assert_eq!(
        result.metrics.dim(),
        (s.simulation.months as usize, METRICS.len())
    );
    for (month, row) in result.metrics.rows().into_iter().enumerate() {
        for (k, v) in row.iter().enumerate() {
            assert!(
                !v.is_nan(),
                "month {}: {} is NaN",
                month + 1,
                METRICS[k].name
            );
        }
    }
}

fn value(result: &ReplicationResult, month: usize, metric: Metric) -> f64 {
    result.value(month, metric)
}

#[test]
fn waiting_list_is_conserved_every_month() {
    // list at end = list at start + clock starts - clock stops - removals, exactly.
    let scenario = test_support::small_scenario();
    for replication in 0..2 {
        let result = run_replication(&scenario, replication);
        let mut list = result.initial_waiting_list;
        for month in 0..scenario.simulation.months as usize {
            let expected = list + value(&result, month, Metric::RttClockStarts)
                - value(&result, month, Metric::RttClockStopsAdmitted)
                - value(&result, month, Metric::RttClockStopsNonadmitted)
                - value(&result, month, Metric::RttRemovalsOther);
            list = value(&result, month, Metric::RttWaitingList);
            assert_eq!(
                list,
                expected,
                "replication {replication}, month {}",
                month + 1
            );
            let by_stage = value(&result, month, Metric::RttAwaitingFirst)
                + value(&result, month, Metric::RttAwaitingFollowup)
                + value(&result, month, Metric::RttAwaitingAdmission);
            assert_eq!(
                by_stage,
                list,
                "stages add up to the list in month {}",
                month + 1
            );
        }
    }
}

#[test]
fn initial_list_reproduces_the_published_counts_exactly() {
    let scenario = test_support::small_scenario();
    let mut hospital = Hospital::new(&scenario, 0);
    hospital.build_initial_list();
    let census = hospital.waiting.census(-1, &OVER_WEEKS);
    let published = &scenario.initial_list;
    assert_eq!(census.total, published.total);
    let expected: Vec<u64> = published.over_weeks.iter().map(|&(_, n)| n).collect();
    assert_eq!(census.over, expected);
    // The median and 92nd percentile were anchors, so they land within a day of the
    // published values.
    assert!(
        (census.median_weeks - 14.9).abs() < 1.0 / 7.0,
        "median {}",
        census.median_weeks
    );
    assert!(
        (census.p92_weeks - 44.7).abs() < 1.0 / 7.0,
        "p92 {}",
        census.p92_weeks
    );
    assert_eq!(
        hospital.on_list_by_stage.iter().sum::<u64>(),
        published.total
    );
}

fn census_at_start(scenario: &Scenario) -> waiting_list::Census {
    let mut hospital = Hospital::new(scenario, 0);
    hospital.build_initial_list();
    hospital.waiting.census(-1, &OVER_WEEKS)
}

#[test]
fn percentiles_on_a_threshold_day_keep_the_published_counts() {
    // A 92nd percentile of exactly 52 weeks and a median of exactly 18 weeks put two points
    // on one day; the counts over 18 and 52 weeks must still be exact.
    let mut scenario = test_support::small_scenario();
    scenario.initial_list.median_weeks = Some(18.0);
    scenario.initial_list.p92_weeks = Some(52.0);
    let census = census_at_start(&scenario);
    let expected: Vec<u64> = scenario
        .initial_list
        .over_weeks
        .iter()
        .map(|&(_, n)| n)
        .collect();
    assert_eq!(census.over, expected);
    assert_eq!(census.total, scenario.initial_list.total);
}

#[test]
fn three_points_on_one_day_build_without_panicking() {
    let mut scenario = test_support::small_scenario();
    let list = &mut scenario.initial_list;
    list.total = 1_000;
    list.over_weeks = vec![(18, 600), (52, 600), (65, 600), (78, 600), (104, 600)];
    list.longest_wait_weeks = 105;
    list.median_weeks = Some(105.0);
    list.p92_weeks = Some(105.0);
    let census = census_at_start(&scenario);
    assert_eq!(census.over, vec![600; 5]);
    assert_eq!(census.total, 1_000);
}

/// The small scenario with its list stated week by week: specialty `i` has `i + 1` pathways
/// in band `k` for every other band (the last among them), a third of them (rounded down) with a decision to admit.
fn weekly_scenario() -> Scenario {
    use crate::scenario::{WeeklyList, WEEKLY_BANDS};
    let mut scenario = test_support::small_scenario();
    let lists: Vec<WeeklyList> = scenario
        .specialties
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let waiting: Vec<u64> = (0..WEEKLY_BANDS)
                .map(|k| if k % 2 == 0 { (i + 1 + k) as u64 } else { 0 })
                .collect();
            WeeklyList {
                specialty: s.name.clone(),
                awaiting_admission: waiting.iter().map(|n| n / 3).collect(),
                waiting,
            }
        })
        .collect();
    let list = &mut scenario.initial_list;
    list.total = lists.iter().map(|l| l.waiting.iter().sum::<u64>()).sum();
    list.median_weeks = None;
    list.p92_weeks = None;
    list.share_awaiting_first = 0.7;
    list.share_followup = 0.3;
    list.share_awaiting_admission = 0.0;
    list.weekly = lists;
    scenario
}

#[test]
fn a_weekly_list_is_reproduced_band_by_band() {
    let scenario = weekly_scenario();
    let census = starting_list_by_week(&scenario);
    for (got, stated) in census.iter().zip(&scenario.initial_list.weekly) {
        assert_eq!(got.specialty, stated.specialty);
        let as_f64 = |v: &[u64]| v.iter().map(|&n| n as f64).collect::<Vec<f64>>();
        assert_eq!(got.waiting, as_f64(&stated.waiting), "{}", got.specialty);
        assert_eq!(
            got.awaiting_admission,
            as_f64(&stated.awaiting_admission),
            "{}",
            got.specialty
        );
    }
    // The census of the metrics agrees: over 52 weeks is the bands from 52 on, and no wait
    // exceeds the longest.
    let start = census_at_start(&scenario);
    assert_eq!(start.total, scenario.initial_list.total);
    let over_52: u64 = scenario
        .initial_list
        .weekly
        .iter()
        .map(|l| l.waiting[52..].iter().sum::<u64>())
        .sum();
    assert_eq!(start.over[1], over_52);
    let mut hospital = Hospital::new(&scenario, 1);
    hospital.build_initial_list();
    let longest = 7 * i64::from(scenario.initial_list.longest_wait_weeks);
    assert_eq!(hospital.waiting.waiting_more_than(-1, longest), 0);
    assert!(hospital.waiting.waiting_more_than(-1, 7 * 104) > 0);
}

#[test]
fn weekly_bands_cover_their_days() {
    use super::initial_list::{weekly_band, weekly_band_days};
    assert_eq!(weekly_band_days(0, 150), (1, 7));
    assert_eq!(weekly_band_days(17, 150), (120, 126));
    assert_eq!(weekly_band_days(104, 150), (729, 1050));
    // Waits of 126 days are not over 18 weeks; 127 days are.
    assert_eq!(weekly_band(126), 17);
    assert_eq!(weekly_band(127), 18);
    assert_eq!(weekly_band(0), 0);
    assert_eq!(weekly_band(5000), 104);
    for k in 0..105 {
        let (a, b) = weekly_band_days(k, 150);
        assert_eq!((weekly_band(a), weekly_band(b)), (k, k));
    }
}

#[test]
fn arrivals_do_not_depend_on_other_sources_of_patients() {
    // Common random numbers: a change to the starting caseload leaves every referral as it
    // was, so clock starts match month by month.
    let scenario = test_support::small_scenario();
    let mut changed = scenario.clone();
    changed.initial_list.monitoring_caseload *= 3;
    let (a, b) = (run_replication(&scenario, 1), run_replication(&changed, 1));
    let starts = |r: &ReplicationResult| r.metrics.column(Metric::RttClockStarts.index()).to_vec();
    assert_eq!(starts(&a), starts(&b));
    assert_ne!(
        a.metrics, b.metrics,
        "the caseload does change clinic activity"
    );
}

#[test]
fn diagnostic_and_cancer_pathways_are_conserved_every_month() {
    // DM01 list at end = at start + requests - tests - withdrawn; open cancer pathways at
    // end = at start + referrals - ruled out - first treatments. Exactly, every month.
    let scenario = test_support::small_scenario();
    let mut hospital = Hospital::new(&scenario, 1);
    hospital.build_initial_list();
    hospital.build_initial_tests();
    hospital.build_initial_cancer_pathways();
    let mut dm01: f64 = hospital.test_waiting.iter().map(|w| w.total() as f64).sum();
    let mut cancer = hospital.cancer_open.total() as f64;
    assert!(
        dm01 > 0.0 && cancer > 0.0,
        "both start with patients on them"
    );
    let result = run_replication(&scenario, 1);
    for month in 0..12 {
        let v = |metric: Metric| value(&result, month, metric);
        let dm01_end =
            dm01 + v(Metric::Dm01Requests) - v(Metric::Dm01Tests) - v(Metric::Dm01Removed);
        assert_eq!(
            v(Metric::Dm01WaitingList),
            dm01_end,
            "DM01, month {}",
            month + 1
        );
        dm01 = dm01_end;
        let cancer_end = cancer + v(Metric::CancerReferrals)
            - v(Metric::CancerRuledOut)
            - v(Metric::CancerFirstTreatments);
        assert_eq!(
            v(Metric::CancerOnPathway),
            cancer_end,
            "cancer, month {}",
            month + 1
        );
        cancer = cancer_end;
        let by_test: f64 = Metric::DM01_BY_TEST.iter().map(|m| v(m[0])).sum();
        assert_eq!(
            by_test,
            v(Metric::Dm01WaitingList),
            "test types add up, month {}",
            month + 1
        );
        assert!(
            v(Metric::CancerToldOutcome) == v(Metric::CancerDiagnosed) + v(Metric::CancerRuledOut)
        );
    }
}

#[test]
fn a_diagnostic_queue_matches_the_m_d_1_queue() {
    // One test a day (7 a week) and Poisson requests at 0.8 a day, every day: the list left
    // at the end of each day is the queue of an M/D/1 system with unit service time, whose
    // mean is Lq = rho^2 / (2 (1 - rho)) = 1.6 (Pollaczek-Khinchine). 200,000 days with a
    // correlation time of about 1/(1 - rho)^2 = 25 days leave a standard error near 1.5%;
    // the tolerance of 6% is four standard errors, and the seed is fixed.
    let mut scenario = test_support::small_scenario();
    for test in &mut scenario.diagnostics.tests {
        test.tests_per_week = 0.0;
        test.initial_waiting = 0;
        test.initial_over_6_weeks = 0;
    }
    scenario.diagnostics.tests[0].tests_per_week = 7.0;
    scenario.calendar.bank_holidays.clear();
    let mut hospital = Hospital::new(&scenario, 1);
    let (rho, days) = (0.8, 200_000i64);
    let mut rng = StreamKey::new(11, "m_d_1", 0).sequential("requests");
    let poisson = rand_distr::Poisson::new(rho).unwrap();
    let (mut queue_sum, mut tests) = (0.0, 0u64);
    for day in 0..days {
        let requests: f64 = rand_distr::Distribution::sample(&poisson, &mut rng);
        for index in 0..requests as u64 {
            // Every request is dated day 0, so the queue is first in, first out.
            let serial = patient::Serial::direct_test(day % 1000, 0, index);
            let patient = Patient::off_rtt(serial, Pathway::DirectTest, 0, 0, Stage::AwaitingTest);
            let at = hospital.patients.admit(patient);
            hospital.request_test(at, 0, 0);
        }
        let before = hospital.tally.tests[0];
        // Capacity for one test is planned whatever the simulated date: drive day 1 always.
        hospital.run_diagnostics(1);
        tests += hospital.tally.tests[0] - before;
        queue_sum += hospital.test_queues[0].entries() as f64;
    }
    let mean_queue = queue_sum / days as f64;
    let expected = rho * rho / (2.0 * (1.0 - rho));
    assert!(
        (mean_queue - expected).abs() < 0.06 * expected,
        "mean queue {mean_queue} vs {expected}"
    );
    // Utilisation law: tests done per day = the arrival rate.
    let throughput = tests as f64 / days as f64;
    assert!((throughput - rho).abs() < 0.01, "throughput {throughput}");
}

#[test]
fn theatre_utilisation_and_money_match_hand_arithmetic() {
    // One specialty with one 240-minute list a weekday, every case a 50-minute day case with
    // no variation, 10-minute turnarounds, no late starts, early finishes or cancellations,
    // and a long admitted list: each list books 4 cases (the 4th still has half its 60
    // minutes within 240) and runs 0-230 minutes. So: 4 cases a list; capped and uncapped
    // utilisation 200/240 = 83.33%; value 4 x 1,031.11 a list; cost 4,000 x 1.03 a list
    // (5% agency at 60% more). Nothing else happens: no referrals, clinics, tests or cancer.
    let mut s = test_support::small_scenario();
    s.specialties.truncate(1);
    let spec = &mut s.specialties[0];
    (
        spec.referral_share,
        spec.list_share,
        spec.daycase_propensity,
    ) = (1.0, 1.0, 1.0);
    spec.daycase_minutes = crate::scenario::Minutes {
        mean: 50.0,
        sd: 0.0,
    };
    (spec.clinic_slots_per_week, spec.theatre_lists_per_week) = (0.0, 5.0);
    s.referrals.per_day = 0.0;
    s.removals.monthly_rate = 0.0;
    s.initial_list.monitoring_caseload = 0;
    (
        s.initial_list.share_awaiting_first,
        s.initial_list.share_followup,
        s.initial_list.share_awaiting_admission,
    ) = (0.0, 0.0, 1.0);
    s.theatres = crate::scenario::Theatres {
        session_minutes: 240.0,
        late_start_mean_minutes: 0.0,
        early_finish_mean_minutes: 0.0,
        turnaround_minutes: 10.0,
        on_the_day_cancellation_rate: 0.0,
        booking_fraction: 1.0,
    };
    s.diagnostics.tests.iter_mut().for_each(|t| {
        (
            t.tests_per_week,
            t.direct_requests_per_weekday,
            t.initial_waiting,
            t.initial_over_6_weeks,
        ) = (0.0, 0.0, 0, 0)
    });
    s.cancer.referrals_per_weekday = 0.0;
    let result = run_replication(&s, 1);
    // April 2024 has 22 weekdays; no bank holiday falls in it.
    let lists = 22.0;
    let v = |metric: Metric| value(&result, 0, metric);
    assert_eq!(v(Metric::TheatreSessions), lists);
    assert_eq!(v(Metric::TheatreCasesPerList), 4.0);
    assert!((v(Metric::TheatreCappedUtilPct) - 100.0 * 200.0 / 240.0).abs() < 1e-9);
    assert!((v(Metric::TheatreUncappedUtilPct) - 100.0 * 200.0 / 240.0).abs() < 1e-9);
    assert_eq!(v(Metric::AdmittedDaycaseSpells), 4.0 * lists);
    assert!((v(Metric::FinValueDaycaseGbp) - 4.0 * lists * 1031.11).abs() < 1e-6);
    assert!((v(Metric::ActivityValueGbp) - 4.0 * lists * 1031.11).abs() < 1e-6);
    assert!((v(Metric::FinCostTheatreGbp) - lists * 4000.0 * 1.03).abs() < 1e-6);
    assert!((v(Metric::CostGbp) - lists * 4000.0 * 1.03).abs() < 1e-6);
    let per_stop = lists * 4000.0 * 1.03 / (4.0 * lists);
    assert!((v(Metric::CostPerClockStopGbp) - per_stop).abs() < 1e-9);
    assert!(
        (v(Metric::ValueWeightedActivityPct) - 100.0 * 4.0 * lists * 1031.11 / 5_000_000.0).abs()
            < 1e-9
    );
}

#[test]
fn same_seed_same_results_and_replications_differ() {
    let scenario = test_support::small_scenario();
    let a = run_replication(&scenario, 0);
    let b = run_replication(&scenario, 0);
    let c = run_replication(&scenario, 1);
    assert_eq!(a.metrics, b.metrics);
    assert_ne!(a.metrics, c.metrics);
}

#[test]
fn flows_are_plausible_for_the_inputs() {
    // Referrals: 150 a day for 365 days is 54,750 expected; Poisson sd is 234, so 2% is
    // over four standard deviations.
    let scenario = test_support::small_scenario();
    let result = run_replication(&scenario, 0);
    let starts: f64 = result.metrics.column(Metric::RttClockStarts.index()).sum();
    let growth_mean = (1.03f64.powf(1.0) - 1.0) / 1.03f64.ln(); // mean of 1.03^t over a year
    let expected = 150.0 * 365.0 * growth_mean;
    assert!(
        (starts - expected).abs() < 0.02 * expected,
        "starts {starts} vs {expected}"
    );
    // No slot is lost while patients wait, and none are left unused with a queue.
    for month in 0..12 {
        let util = value(&result, month, Metric::TheatreCappedUtilPct);
        assert!(util > 50.0 && util <= 100.0, "capped utilisation {util}");
        assert!(value(&result, month, Metric::TheatreUncappedUtilPct) >= util);
    }
}

mod littles_law;
