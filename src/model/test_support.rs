//! A small scenario built in code, and a run observed day by day, for the model's own tests (no
//! files involved).

use super::{Event, Hospital, ReplicationResult};
use crate::engine::SimTime;
use crate::scenario::*;
use crate::util::date::Date;

/// A district-sized scenario: two specialties, 12 months from April 2024.
pub(crate) fn small_scenario() -> Scenario {
    let specialty = |name: &str, share: f64, clinic: f64, lists: f64| Specialty {
        name: name.to_string(),
        referral_share: share,
        list_share: share,
        priority_shares: [0.02, 0.13, 0.25, 0.60],
        first_outcomes: Outcomes {
            discharge: 0.35,
            treat: 0.2,
            followup: 0.2,
            diagnostic: 0.1,
            admit: 0.15,
        },
        followup_outcomes: Outcomes {
            discharge: 0.4,
            treat: 0.2,
            followup: 0.1,
            diagnostic: 0.05,
            admit: 0.25,
        },
        followup_interval_weeks: 8.0,
        diagnostic_mix: [0.3, 0.2, 0.3, 0.1, 0.1],
        post_treatment_followups: 1.5,
        followup_procedure_share: 0.1,
        pifu_share: 0.05,
        pifu_booking_share: 0.4,
        daycase_propensity: 0.7,
        daycase_minutes: Minutes {
            mean: 60.0,
            sd: 20.0,
        },
        inpatient_minutes: Minutes {
            mean: 130.0,
            sd: 45.0,
        },
        clinic_slots_per_week: clinic,
        theatre_lists_per_week: lists,
        price_factor: 1.0,
        advice_and_guidance_share: 0.0,
    };
    let date = |s: &str| Date::parse(s).expect("valid test date");
    Scenario {
        name: "small".into(),
        description: String::new(),
        stream_family: "small".into(),
        simulation: Simulation {
            start: date("2024-04-01"),
            months: 12,
            replications: 2,
            seed: 7,
            scale: 1.0,
            booking_policy: BookingPolicy::PriorityThenLongestWait,
        },
        initial_list: InitialList {
            total: 20_000,
            over_weeks: vec![(18, 8_600), (52, 820), (65, 130), (78, 13), (104, 1)],
            median_weeks: Some(14.9),
            p92_weeks: Some(44.7),
            longest_wait_weeks: 150,
            monitoring_caseload: 6_000,
            share_awaiting_first: 0.55,
            share_followup: 0.30,
            share_awaiting_admission: 0.15,
            weekly: Vec::new(),
        },
        referrals: Referrals {
            per_day: 150.0,
            annual_growth: 0.03,
            weekday_weights: [1.35, 1.30, 1.25, 1.20, 1.10, 0.45, 0.35],
            monthly_seasonality: [1.0; 12],
        },
        removals: Removals {
            monthly_rate: 0.03,
            validation_share_per_month: 0.0,
            validation_removal_share: 0.0,
            validation_after_weeks: 12,
        },
        outpatients: Outpatients {
            dna_rate: 0.07,
            dna_rebook_share: 0.85,
            followup_slot_cap: 0.6,
            pifu_period_weeks: 26.0,
        },
        theatres: Theatres {
            session_minutes: 240.0,
            late_start_mean_minutes: 20.0,
            early_finish_mean_minutes: 15.0,
            turnaround_minutes: 12.0,
            on_the_day_cancellation_rate: 0.04,
            booking_fraction: 0.95,
        },
        specialties: vec![
            specialty("general_surgery", 0.5, 1_100.0, 50.0),
            specialty("orthopaedics", 0.5, 1_100.0, 50.0),
        ],
        calendar: Calendar {
            bank_holidays: vec![date("2024-05-06"), date("2024-05-27"), date("2024-08-26")],
            changes: vec![],
            shocks: vec![],
            levers: vec![],
        },
        diagnostics: Diagnostics {
            report_days: 7.0,
            tests: TestType::ALL
                .iter()
                .map(|&test| DiagnosticTest {
                    test,
                    tests_per_week: 260.0,
                    direct_requests_per_weekday: 40.0,
                    urgent_share: 0.3,
                    initial_waiting: 1_500,
                    initial_over_6_weeks: 300,
                    initial_longest_weeks: 26,
                })
                .collect(),
        },
        cancer: Cancer {
            referrals_per_weekday: 40.0,
            priority: true,
            diagnosis_days: Days { mean: 7.0, sd: 5.0 },
            decision_days: Days {
                mean: 12.0,
                sd: 8.0,
            },
            treatment_lead_days: Days {
                mean: 14.0,
                sd: 9.0,
            },
            surgery_minutes: Minutes {
                mean: 150.0,
                sd: 60.0,
            },
            non_surgical_per_week: 5.0,
            prestart_first_appointment_days: 8.0,
            prestart_test_days: 10.0,
            prestart_treatment_days: 8.0,
            tumour_groups: vec![
                TumourGroup {
                    name: "lower_gi".into(),
                    referral_share: 0.6,
                    specialty: 0,
                    test_share: 0.9,
                    second_test_share: 0.3,
                    test_mix: [0.0, 0.3, 0.0, 0.7, 0.0],
                    conversion_rate: 0.05,
                    surgery_share: 0.6,
                },
                TumourGroup {
                    name: "skin".into(),
                    referral_share: 0.4,
                    specialty: 1,
                    test_share: 0.1,
                    second_test_share: 0.0,
                    test_mix: [0.0, 0.5, 0.5, 0.0, 0.0],
                    conversion_rate: 0.08,
                    surgery_share: 0.9,
                },
            ],
        },
        finance: Finance {
            price_first_attendance: 232.07,
            price_followup_attendance: 192.28,
            price_outpatient_procedure: 229.72,
            price_daycase: 1031.11,
            price_elective_inpatient: 6214.17,
            price_diagnostic_test: 115.62,
            cost_clinic_slot: 110.0,
            cost_theatre_list: 4000.0,
            cost_diagnostic_test: 85.0,
            cost_inpatient_stay: 2500.0,
            agency_share: 0.05,
            agency_premium: 0.6,
            premium_rate: 1.5,
            baseline_monthly_value_gbp: 5_000_000.0,
        },
        resolved: toml::Table::new(),
    }
}

/// Runs one replication exactly as [`super::run_replication`] does, and calls
/// `at_day_end(hospital, day)` after the last event of each simulated day (after the day's
/// clinics, lists, tests and any month-end census), so a test can watch the model day by day.
///
/// This repeats the event loop of `Hospital::run`; the test `observed_run_is_the_real_run`
/// checks that both give identical results, so the copy cannot drift from the model.
pub(crate) fn run_observed(
    scenario: &Scenario,
    replication: u32,
    mut at_day_end: impl FnMut(&Hospital<'_>, i64),
) -> ReplicationResult {
    let mut hospital = Hospital::new(scenario, replication);
    hospital.build_initial_list();
    hospital.initial_list_size = hospital.waiting.total();
    hospital.record_wait_weeks(0, -1);
    hospital.build_initial_tests();
    hospital.build_initial_cancer_pathways();
    hospital
        .events
        .push(SimTime::start_of_day(0), Event::DayStart(0));
    let mut today = 0;
    while let Some((time, event)) = hospital.events.pop() {
        while time.day() > today {
            at_day_end(&hospital, today);
            today += 1;
        }
        hospital.handled += 1;
        match event {
            Event::DayStart(day) => hospital.start_day(day, time),
            Event::TheatreLists(day) => hospital.run_theatre_lists(day),
            Event::Clinics(day) => hospital.run_clinics(day),
            Event::Diagnostics(day) => hospital.run_diagnostics(day),
            Event::CancerTreatments(day) => hospital.run_cancer_treatments(day),
            Event::MonthEnd(month) => hospital.close_month(month),
        }
    }
    at_day_end(&hospital, today);
    hospital.into_result(replication)
}

impl Hospital<'_> {
    /// Pathways on the RTT waiting list by the model's own count (what `rtt_waiting_list`
    /// reports at each month end).
    pub(crate) fn rtt_list_size(&self) -> u64 {
        self.waiting.total()
    }

    /// Every patient whose RTT clock is running, from the patient records: (slot in the patient
    /// arena, serial, clock start day).
    pub(crate) fn running_clocks(&self) -> Vec<(usize, u64, i64)> {
        self.patients
            .live_refs()
            .into_iter()
            .filter_map(|at| {
                let p = self.patients.get(at)?;
                p.clock_running.then_some((
                    at.index as usize,
                    p.serial,
                    i64::from(p.clock_start_day),
                ))
            })
            .collect()
    }
}
