//! The NHS pathway model on the engine: elective referrals, outpatient first appointments and
//! follow-ups, patient-initiated follow-up, diagnostics, urgent cancer pathways, the admitted
//! list in theatre sessions, removals other than treatment, and month-end metrics. No I/O, no
//! threads, no wall clock.
//!
//! One replication is one [`Hospital`] run from the published starting position to the end of
//! the horizon. Engine events are few (one per day for arrivals and due items and one for
//! diagnostics; one per working day for theatres, clinics and cancer treatment; one per month
//! end); waiting patients sit in booking queues and per-patient due dates sit on a day agenda,
//! so the event heap stays small.

mod booking;
mod cancer;
mod capacity;
mod diagnostics;
mod draws;
mod initial_list;
mod levers;
pub mod metrics;
mod outpatients;
mod patient;
mod referrals;
#[cfg(test)]
pub(crate) mod test_support;
mod theatres;
mod waiting_list;

pub use metrics::{metric_by_name, Metric, MetricDef, MetricKind, ReplicationResult, METRICS};

use ndarray::Array2;

use crate::date::Date;
use crate::engine::{DayAgenda, EventQueue, KeyedStream, SimDuration, SimTime, StreamKey};
use crate::scenario::{Scenario, TestType};
use booking::{BookingQueue, BookingRules, QueueKind};
use capacity::{CapacityCalendar, WholeUnits};
use draws::{DurationDraw, Once};
use levers::Levers;
use patient::{Patient, PatientRef, Patients, Stage};
use waiting_list::WaitingList;

/// The waits, in weeks, that the RTT metrics count "over".
const OVER_WEEKS: [u32; 5] = [18, 52, 65, 78, 104];

/// Runs one replication of `scenario` and returns its monthly metrics at full size.
pub fn run_replication(scenario: &Scenario, replication: u32) -> ReplicationResult {
    let mut hospital = Hospital::new(scenario, replication);
    hospital.run();
    hospital.into_result(replication)
}

/// The waiting list the model starts from, as a census on the day before the first simulated
/// day, at full size: the check that the published position is reproduced.
#[derive(Clone, Debug, PartialEq)]
pub struct StartingPosition {
    pub total: f64,
    /// `(weeks, pathways waiting more than that)` for 18, 52, 65, 78 and 104 weeks.
    pub over_weeks: Vec<(u32, f64)>,
    pub median_weeks: f64,
    pub p92_weeks: f64,
}

/// Builds the starting list of `scenario` (replication 1's draws) and takes its census.
pub fn starting_position(scenario: &Scenario) -> StartingPosition {
    let mut hospital = Hospital::new(scenario, 1);
    hospital.build_initial_list();
    let census = hospital.waiting.census(-1, &OVER_WEEKS);
    let scale = scenario.simulation.scale;
    StartingPosition {
        total: census.total as f64 / scale,
        over_weeks: OVER_WEEKS
            .iter()
            .zip(&census.over)
            .map(|(&w, &n)| (w, n as f64 / scale))
            .collect(),
        median_weeks: census.median_weeks,
        p92_weeks: census.p92_weeks,
    }
}

/// What the engine schedules.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// Start of a day: due items, then the day's referrals.
    DayStart(i64),
    /// The day's theatre lists, all specialties.
    TheatreLists(i64),
    /// The day's outpatient clinics, all specialties.
    Clinics(i64),
    /// The day's diagnostic tests, all modalities.
    Diagnostics(i64),
    /// The day's first non-surgical cancer treatments.
    CancerTreatments(i64),
    /// Month-end census and metrics for month index `.0` (0-based).
    MonthEnd(usize),
}

/// Something due for one patient on a given day.
#[derive(Clone, Copy, Debug)]
struct Due {
    patient: PatientRef,
    what: DueKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DueKind {
    /// The day the patient would leave the list unless treated first (validation, no longer
    /// needed): drawn at referral from the removal rate.
    Removal,
    /// A scheduled follow-up becomes due and joins the follow-up queue.
    FollowUp,
    /// A diagnostic result returns; the patient needs a follow-up to act on it.
    DiagnosticResult,
    /// A patient on PIFU asks for an appointment.
    PatientRequest,
    /// Cancer: the first test's result is back and the second test is requested.
    CancerNextTest,
    /// Cancer: told the diagnosis or that cancer is ruled out (the Faster Diagnosis Standard).
    CancerTold,
    /// Cancer: the decision to treat (the 31-day clock starts).
    CancerDecision,
    /// Cancer: ready for first treatment.
    CancerReady,
}

/// Flows counted during the current month.
#[derive(Clone, Debug, Default)]
struct MonthTally {
    clock_starts: u64,
    stops_admitted: u64,
    stops_nonadmitted: u64,
    removals: u64,
    first_attendances: u64,
    followup_attendances: u64,
    followups_with_procedure: u64,
    dna: u64,
    pifu_moved: u64,
    clinic_slots: u64,
    clinic_slots_unused: u64,
    diagnostic_requests: u64,
    theatre_sessions: u64,
    theatre_sessions_lost: u64,
    theatre_planned_minutes: f64,
    theatre_capped_minutes: f64,
    theatre_uncapped_minutes: f64,
    theatre_cases: u64,
    cancelled_on_day: u64,
    daycase_spells: u64,
    inpatient_spells: u64,
    dm01_requests: u64,
    dm01_removed: u64,
    tests: [u64; TestType::COUNT],
    cancer_referrals: u64,
    cancer_told: u64,
    cancer_told_within_28d: u64,
    cancer_diagnosed: u64,
    cancer_ruled_out: u64,
    cancer_treated: u64,
    cancer_surgery: u64,
    cancer_within_62d: u64,
    cancer_within_31d: u64,
    test_capacity: u64,
    validation_removals: u64,
    /// Pounds, by the `Money` index.
    money: [f64; Money::COUNT],
}

/// What the money tally holds: activity values, then capacity costs.
#[derive(Clone, Copy, Debug)]
enum Money {
    FirstAttendance,
    FollowupAttendance,
    OutpatientProcedure,
    Daycase,
    ElectiveInpatient,
    DiagnosticTest,
    ClinicCost,
    TheatreCost,
    DiagnosticCost,
    InpatientStayCost,
}

impl Money {
    const COUNT: usize = 10;
    const VALUES: [Money; 6] = [
        Money::FirstAttendance,
        Money::FollowupAttendance,
        Money::OutpatientProcedure,
        Money::Daycase,
        Money::ElectiveInpatient,
        Money::DiagnosticTest,
    ];
    const COSTS: [Money; 4] = [
        Money::ClinicCost,
        Money::TheatreCost,
        Money::DiagnosticCost,
        Money::InpatientStayCost,
    ];

    fn metric(self) -> Metric {
        match self {
            Money::FirstAttendance => Metric::FinValueFirstAttendanceGbp,
            Money::FollowupAttendance => Metric::FinValueFollowupAttendanceGbp,
            Money::OutpatientProcedure => Metric::FinValueOutpatientProcedureGbp,
            Money::Daycase => Metric::FinValueDaycaseGbp,
            Money::ElectiveInpatient => Metric::FinValueElectiveInpatientGbp,
            Money::DiagnosticTest => Metric::FinValueDiagnosticTestGbp,
            Money::ClinicCost => Metric::FinCostClinicGbp,
            Money::TheatreCost => Metric::FinCostTheatreGbp,
            Money::DiagnosticCost => Metric::FinCostDiagnosticGbp,
            Money::InpatientStayCost => Metric::FinCostInpatientStaysGbp,
        }
    }
}

/// Per-specialty values the model uses often, converted once from the scenario.
struct SpecialtyModel {
    followup_interval_days: i64,
    daycase_minutes: DurationDraw,
    inpatient_minutes: DurationDraw,
}

/// The state of one replication.
pub(crate) struct Hospital<'a> {
    scenario: &'a Scenario,
    start: Date,
    horizon_days: i64,
    month_ends: Vec<Date>,
    events: EventQueue<Event>,
    agenda: DayAgenda<Due>,
    patients: Patients,
    waiting: WaitingList,
    first_queues: Vec<BookingQueue>,
    followup_queues: Vec<BookingQueue>,
    admission_queues: Vec<BookingQueue>,
    clinic_slots: Vec<WholeUnits>,
    clinic_slots_lost: Vec<WholeUnits>,
    theatre_lists: Vec<WholeUnits>,
    theatre_lists_lost: Vec<WholeUnits>,
    capacity: CapacityCalendar,
    specialties: Vec<SpecialtyModel>,
    arrivals: KeyedStream,
    routing: KeyedStream,
    durations: KeyedStream,
    /// Daily probability-rate of removal other than treatment, for a patient on the list.
    removal_hazard_per_day: f64,
    rules: BookingRules,
    /// Productivity levers in force today, per specialty.
    levers: Levers,
    test_queues: Vec<BookingQueue>,
    /// DM01 waiting list per test type, by request day.
    test_waiting: Vec<WaitingList>,
    test_capacity: Vec<WholeUnits>,
    test_capacity_lost: Vec<WholeUnits>,
    report_days: i64,
    cancer_treatment_queue: BookingQueue,
    cancer_treatment_capacity: WholeUnits,
    cancer_treatment_capacity_lost: WholeUnits,
    cancer_surgery_minutes: DurationDraw,
    /// Open cancer pathways (not ruled out, not treated) by referral day.
    cancer_open: WaitingList,
    /// Clock-running patients by stage: awaiting first, follow-up or test, admission.
    on_list_by_stage: [u64; 3],
    tally: MonthTally,
    results: Array2<f64>,
    /// Pathways by whole weeks waited: row 0 at the start, then each month end.
    wait_weeks: Array2<f64>,
    initial_list_size: u64,
    /// Engine events, agenda items and patient activities handled.
    handled: u64,
}

impl<'a> Hospital<'a> {
    fn new(scenario: &'a Scenario, replication: u32) -> Self {
        let start = scenario.simulation.start;
        let horizon_days = scenario.horizon_days();
        let streams = StreamKey::new(
            scenario.simulation.seed,
            &scenario.stream_family,
            u64::from(replication),
        );
        let n = scenario.specialties.len();
        // Queues and counters keep days back to the oldest clock start of any starting list.
        let longest_test_weeks = scenario
            .diagnostics
            .tests
            .iter()
            .map(|t| t.initial_longest_weeks)
            .max();
        let longest_weeks = scenario
            .initial_list
            .longest_wait_weeks
            .max(longest_test_weeks.unwrap_or(0));
        let oldest_day = -7 * i64::from(longest_weeks) - 2;
        let queues = |stage| {
            (0..n)
                .map(|_| BookingQueue::new(stage, oldest_day, horizon_days))
                .collect::<Vec<_>>()
        };
        let monthly_rate = scenario.removals.monthly_rate;
        let removal_hazard_per_day = if monthly_rate >= 1.0 {
            f64::INFINITY
        } else {
            -(1.0 - monthly_rate).ln() / (365.25 / 12.0)
        };
        let specialties = scenario
            .specialties
            .iter()
            .map(|s| SpecialtyModel {
                followup_interval_days: (s.followup_interval_weeks * 7.0).round().max(1.0) as i64,
                daycase_minutes: DurationDraw::new(s.daycase_minutes),
                inpatient_minutes: DurationDraw::new(s.inpatient_minutes),
            })
            .collect();
        Hospital {
            scenario,
            start,
            horizon_days,
            month_ends: scenario.month_ends(),
            events: EventQueue::new(),
            agenda: DayAgenda::new(horizon_days as usize),
            patients: Patients::default(),
            waiting: WaitingList::new(oldest_day, horizon_days),
            first_queues: queues(Stage::AwaitingFirst),
            followup_queues: queues(Stage::AwaitingFollowUp),
            admission_queues: queues(Stage::AwaitingAdmission),
            clinic_slots: vec![WholeUnits::default(); n],
            clinic_slots_lost: vec![WholeUnits::default(); n],
            theatre_lists: vec![WholeUnits::default(); n],
            theatre_lists_lost: vec![WholeUnits::default(); n],
            capacity: CapacityCalendar::new(scenario),
            specialties,
            arrivals: streams.keyed("arrivals"),
            routing: streams.keyed("routing"),
            durations: streams.keyed("durations"),
            removal_hazard_per_day,
            levers: Levers::new(scenario),
            rules: BookingRules {
                policy: scenario.simulation.booking_policy,
                cancer_priority: scenario.cancer.priority,
            },
            test_queues: (0..TestType::COUNT)
                .map(|_| BookingQueue::new(Stage::AwaitingTest, oldest_day, horizon_days))
                .collect(),
            test_waiting: (0..TestType::COUNT)
                .map(|_| WaitingList::new(oldest_day, horizon_days))
                .collect(),
            test_capacity: vec![WholeUnits::default(); TestType::COUNT],
            test_capacity_lost: vec![WholeUnits::default(); TestType::COUNT],
            report_days: (scenario.diagnostics.report_days.round() as i64).max(1),
            cancer_treatment_queue: BookingQueue::new(
                Stage::AwaitingTreatment,
                oldest_day,
                horizon_days,
            ),
            cancer_treatment_capacity: WholeUnits::default(),
            cancer_treatment_capacity_lost: WholeUnits::default(),
            cancer_surgery_minutes: DurationDraw::new(scenario.cancer.surgery_minutes),
            cancer_open: WaitingList::new(oldest_day, horizon_days),
            on_list_by_stage: [0; 3],
            tally: MonthTally::default(),
            results: Array2::zeros((scenario.simulation.months as usize, METRICS.len())),
            // Anyone on the list has waited at most the longest starting wait plus the horizon.
            wait_weeks: Array2::zeros((
                scenario.simulation.months as usize + 1,
                scenario.initial_list.longest_wait_weeks as usize + horizon_days as usize / 7 + 2,
            )),
            initial_list_size: 0,
            handled: 0,
        }
    }

    fn run(&mut self) {
        self.build_initial_list();
        self.initial_list_size = self.waiting.total();
        self.record_wait_weeks(0, -1);
        self.build_initial_tests();
        self.build_initial_cancer_pathways();
        self.events
            .push(SimTime::start_of_day(0), Event::DayStart(0));
        while let Some((time, event)) = self.events.pop() {
            self.handled += 1;
            match event {
                Event::DayStart(day) => self.start_day(day, time),
                Event::TheatreLists(day) => self.run_theatre_lists(day),
                Event::Clinics(day) => self.run_clinics(day),
                Event::Diagnostics(day) => self.run_diagnostics(day),
                Event::CancerTreatments(day) => self.run_cancer_treatments(day),
                Event::MonthEnd(month) => self.close_month(month),
            }
        }
    }

    fn date(&self, day: i64) -> Date {
        self.start.add_days(day)
    }

    /// Due items first (so a patient due today can be booked today), then referrals; then
    /// schedules the rest of the day and the next day.
    fn start_day(&mut self, day: i64, now: SimTime) {
        self.levers.update(self.scenario, self.date(day));
        if self.date(day).ymd().2 == 1 {
            self.validation_sprint(day);
        }
        for due in self.agenda.take_day(day) {
            self.handled += 1;
            self.handle_due(due, day);
        }
        self.refer(day);
        self.refer_cancer(day);
        self.refer_direct_tests(day);
        let date = self.date(day);
        if self.capacity.is_working_day(date) {
            self.events
                .push(now + SimDuration::minutes(8 * 60), Event::TheatreLists(day));
            self.events
                .push(now + SimDuration::minutes(9 * 60), Event::Clinics(day));
            self.events.push(
                now + SimDuration::minutes(10 * 60),
                Event::CancerTreatments(day),
            );
        }
        self.events.push(
            now + SimDuration::minutes(8 * 60 + 30),
            Event::Diagnostics(day),
        );
        if let Some(month) = self.month_ends.iter().position(|&end| end == date) {
            self.events.push(
                now + SimDuration::minutes(23 * 60 + 59),
                Event::MonthEnd(month),
            );
        }
        if day + 1 < self.horizon_days {
            self.events
                .push(SimTime::start_of_day(day + 1), Event::DayStart(day + 1));
        }
    }

    fn handle_due(&mut self, due: Due, day: i64) {
        let Some(patient) = self.patients.get(due.patient) else {
            return;
        };
        match due.what {
            DueKind::Removal => {
                if patient.clock_running {
                    self.withdraw_test_request(due.patient);
                    self.tally.removals += 1;
                    self.stop_clock(due.patient);
                    self.leave(due.patient);
                }
            }
            DueKind::FollowUp if patient.stage == Stage::FollowUpScheduled => {
                self.join_followup_queue(due.patient, day)
            }
            DueKind::DiagnosticResult if patient.stage == Stage::AwaitingResult => {
                self.join_followup_queue(due.patient, day)
            }
            DueKind::PatientRequest if patient.stage == Stage::PatientInitiated => {
                self.patients.current(due.patient).monitoring_left = 1;
                self.join_followup_queue(due.patient, day)
            }
            DueKind::CancerNextTest
            | DueKind::CancerTold
            | DueKind::CancerDecision
            | DueKind::CancerReady
                if patient.stage == Stage::CancerNextStep =>
            {
                self.cancer_step(due.patient, due.what, day)
            }
            _ => {}
        }
    }

    /// A validation sprint on the first day of a month: of the patients waiting longer than
    /// `validation_after_weeks`, the specialty's share validated this month is checked, and
    /// those found no longer to need care are removed. Each patient's draw is keyed by the
    /// month, so the same patients are found in every scenario.
    fn validation_sprint(&mut self, day: i64) {
        let removals = &self.scenario.removals;
        let after_days = 7 * i64::from(removals.validation_after_weeks);
        let removal_share = removals.validation_removal_share;
        if removal_share <= 0.0
            || self
                .levers
                .current
                .iter()
                .all(|p| p.validation_share_per_month <= 0.0)
        {
            return;
        }
        let month = self.date(day).year() as u64 * 12 + u64::from(self.date(day).month());
        for at in self.patients.live_refs() {
            let patient = self.patients.get(at).expect("live reference");
            if !patient.clock_running || day - i64::from(patient.clock_start_day) <= after_days {
                continue;
            }
            let chance = self.levers.current[patient.specialty as usize].validation_share_per_month
                * removal_share;
            let decision = draws::at_contact(month as u16, draws::AtContact::Validated);
            if self.routing.uniform(patient.serial, decision) < chance {
                self.withdraw_test_request(at);
                self.tally.removals += 1;
                self.tally.validation_removals += 1;
                self.stop_clock(at);
                self.leave(at);
            }
        }
    }

    /// Demand growth since the start, compounded daily.
    fn growth(&self, day: i64) -> f64 {
        (1.0 + self.scenario.referrals.annual_growth).powf(day as f64 / 365.25)
    }

    // --- Moving patients between stages, keeping the list counts right ---------------------

    /// Index into `on_list_by_stage` for a stage, if it counts on the RTT list.
    fn stage_bucket(stage: Stage) -> Option<usize> {
        match stage {
            Stage::AwaitingFirst => Some(0),
            Stage::FollowUpScheduled
            | Stage::AwaitingFollowUp
            | Stage::AwaitingTest
            | Stage::AwaitingResult => Some(1),
            Stage::AwaitingAdmission => Some(2),
            Stage::PatientInitiated
            | Stage::CancerNextStep
            | Stage::AwaitingTreatment
            | Stage::Left => None,
        }
    }

    /// Moves a patient to `stage`, keeping the by-stage counts of the RTT list.
    fn set_stage(&mut self, at: PatientRef, stage: Stage) {
        let patient = self.patients.current(at);
        let (old, running) = (patient.stage, patient.clock_running);
        patient.stage = stage;
        if running {
            if let Some(b) = Self::stage_bucket(old) {
                self.on_list_by_stage[b] -= 1;
            }
            if let Some(b) = Self::stage_bucket(stage) {
                self.on_list_by_stage[b] += 1;
            }
        }
    }

    /// Adds a new patient with a running clock at `stage`, and draws their removal day.
    fn start_pathway(&mut self, patient: Patient, today: i64) -> PatientRef {
        debug_assert!(patient.clock_running);
        let stage = patient.stage;
        self.waiting.start_clock(i64::from(patient.clock_start_day));
        let at = self.patients.admit(patient);
        if let Some(b) = Self::stage_bucket(stage) {
            self.on_list_by_stage[b] += 1;
        }
        self.schedule_removal(at, today);
        at
    }

    fn schedule_removal(&mut self, at: PatientRef, today: i64) {
        if self.removal_hazard_per_day <= 0.0 {
            return;
        }
        let serial = self.patients.current(at).serial;
        let u = self.routing.uniform(serial, draws::once(Once::RemovalDay));
        let days = -(1.0 - u).ln() / self.removal_hazard_per_day;
        if days < (self.horizon_days - today) as f64 {
            // Removals happen at the start of a day, so the earliest is tomorrow.
            self.agenda.add(
                today + 1 + days as i64,
                Due {
                    patient: at,
                    what: DueKind::Removal,
                },
            );
        }
    }

    /// Stops a running RTT clock (treatment, discharge or removal); the caller counts why.
    fn stop_clock(&mut self, at: PatientRef) {
        let patient = self.patients.current(at);
        debug_assert!(
            patient.clock_running,
            "stopping a clock that is not running"
        );
        let (start_day, stage) = (patient.clock_start_day, patient.stage);
        patient.clock_running = false;
        if let Some(b) = Self::stage_bucket(stage) {
            self.on_list_by_stage[b] -= 1;
        }
        self.waiting.stop_clock(i64::from(start_day));
    }

    /// The patient leaves the system (any running clock must already be stopped).
    fn leave(&mut self, at: PatientRef) {
        debug_assert!(
            !self.patients.current(at).clock_running,
            "leaving with a running clock"
        );
        self.patients.discharge(at);
    }

    fn join_followup_queue(&mut self, at: PatientRef, day: i64) {
        self.set_stage(at, Stage::AwaitingFollowUp);
        let patient = self.patients.current(at);
        patient.queued_day = day as i32;
        self.enqueue(at, QueueKind::FollowUp);
    }

    /// Puts a patient in the queue of `kind` for their specialty (or test type), ranked by the
    /// booking rules. The patient must already be at that queue's stage.
    fn enqueue(&mut self, at: PatientRef, kind: QueueKind) {
        let patient = self.patients.get(at).expect("queued patient is current");
        let key = self.rules.key(patient, kind);
        let (stage, specialty) = (patient.stage, patient.specialty as usize);
        let queue = match kind {
            QueueKind::FirstAppointment => &mut self.first_queues[specialty],
            QueueKind::FollowUp => &mut self.followup_queues[specialty],
            QueueKind::Admission => &mut self.admission_queues[specialty],
            QueueKind::Test => &mut self.test_queues[patient.test as usize],
            QueueKind::CancerTreatment => &mut self.cancer_treatment_queue,
        };
        queue.push(at, stage, key);
    }

    /// Adds the value of one unit of activity, at the specialty's price factor.
    fn value_activity(&mut self, money: Money, specialty: Option<usize>) {
        let finance = &self.scenario.finance;
        let price = match money {
            Money::FirstAttendance => finance.price_first_attendance,
            Money::FollowupAttendance => finance.price_followup_attendance,
            Money::OutpatientProcedure => finance.price_outpatient_procedure,
            Money::Daycase => finance.price_daycase,
            Money::ElectiveInpatient => finance.price_elective_inpatient,
            Money::DiagnosticTest => finance.price_diagnostic_test,
            _ => unreachable!("{money:?} is a cost, not an activity"),
        };
        let factor = specialty.map_or(1.0, |s| self.scenario.specialties[s].price_factor);
        self.tally.money[money as usize] += price * factor;
    }

    /// Adds the cost of `units` of capacity held, `premium_share` of it bought at premium
    /// rates, with the agency uplift on staff cost.
    fn cost_capacity(&mut self, money: Money, units: f64, premium_share: f64) {
        let finance = &self.scenario.finance;
        let unit_cost = match money {
            Money::ClinicCost => finance.cost_clinic_slot,
            Money::TheatreCost => finance.cost_theatre_list,
            Money::DiagnosticCost => finance.cost_diagnostic_test,
            Money::InpatientStayCost => finance.cost_inpatient_stay,
            _ => unreachable!("{money:?} is an activity, not a cost"),
        };
        let premium = 1.0 + premium_share * (finance.premium_rate - 1.0);
        let agency = 1.0 + finance.agency_share * finance.agency_premium;
        self.tally.money[money as usize] += units * unit_cost * premium * agency;
    }

    /// Whether a queue entry still points at a patient waiting at that queue's stage.
    fn is_waiting(patients: &Patients, at: PatientRef, stage: Stage) -> bool {
        patients.get(at).is_some_and(|p| p.stage == stage)
    }

    // --- Month end ---------------------------------------------------------------------------

    fn record_wait_weeks(&mut self, row: usize, census_day: i64) {
        let weeks = self.wait_weeks.ncols() - 1;
        let histogram = self.waiting.weeks_histogram(census_day, weeks);
        for (cell, count) in self.wait_weeks.row_mut(row).iter_mut().zip(histogram) {
            *cell = count as f64;
        }
    }

    fn close_month(&mut self, month: usize) {
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
        let mut row = self.results.row_mut(month);
        let mut set = |metric: Metric, value: f64| row[metric.index()] = value;
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
    }

    fn into_result(mut self, replication: u32) -> ReplicationResult {
        // Counts were simulated at the scenario's scale: report them at full size.
        let scale = self.scenario.simulation.scale;
        for (column, def) in METRICS.iter().enumerate() {
            if def.kind.is_count() {
                self.results.column_mut(column).mapv_inplace(|v| v / scale);
            }
        }
        self.wait_weeks.mapv_inplace(|v| v / scale);
        ReplicationResult {
            replication,
            metrics: self.results,
            wait_weeks: self.wait_weeks,
            initial_waiting_list: self.initial_list_size as f64 / scale,
            events: self.handled,
            patients: self.patients.created(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::patient::Pathway;

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

    #[test]
    fn arrivals_do_not_depend_on_other_sources_of_patients() {
        // Common random numbers: a change to the starting caseload leaves every referral as it
        // was, so clock starts match month by month.
        let scenario = test_support::small_scenario();
        let mut changed = scenario.clone();
        changed.initial_list.monitoring_caseload *= 3;
        let (a, b) = (run_replication(&scenario, 1), run_replication(&changed, 1));
        let starts =
            |r: &ReplicationResult| r.metrics.column(Metric::RttClockStarts.index()).to_vec();
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
                v(Metric::CancerToldOutcome)
                    == v(Metric::CancerDiagnosed) + v(Metric::CancerRuledOut)
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
                let patient =
                    Patient::off_rtt(serial, Pathway::DirectTest, 0, 0, Stage::AwaitingTest);
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
            (v(Metric::ValueWeightedActivityPct) - 100.0 * 4.0 * lists * 1031.11 / 5_000_000.0)
                .abs()
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
}
