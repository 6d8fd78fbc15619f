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
mod month_end;
mod outpatients;
mod patient;
mod referrals;
#[cfg(test)]
pub(crate) mod test_support;
mod theatres;
mod waiting_list;

use metrics::MonthValues;
pub use metrics::{
    metric_by_name, Metric, MetricDef, MetricKind, ReplicationResult, Unit, METRICS,
};

use ndarray::Array2;

use crate::engine::{DayAgenda, EventQueue, KeyedStream, SimDuration, SimTime, StreamKey};
use crate::scenario::{Scenario, TestType};
use crate::util::date::Date;
use booking::{BookingQueue, BookingRules, QueueKind};
use capacity::{CapacityCalendar, WholeUnits};
use draws::{DurationDraw, Once};
use levers::Levers;
use patient::{Patient, PatientRef, Patients, Stage, WARM_BATCH};
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

/// One specialty's starting list by weekly band of weeks waited at the census (the day before
/// the first simulated day), at full size: the check that a list stated week by week is
/// reproduced band by band.
#[derive(Clone, Debug, PartialEq)]
pub struct WeeklyCensus {
    pub specialty: String,
    /// RTT pathways in each of the 105 weekly bands (as the RTT full CSV counts them).
    pub waiting: Vec<f64>,
    /// Of those, the pathways awaiting admission.
    pub awaiting_admission: Vec<f64>,
}

/// Builds the starting list of `scenario` (replication 1's draws) and counts it per specialty
/// and weekly band, from the patients themselves.
pub fn starting_list_by_week(scenario: &Scenario) -> Vec<WeeklyCensus> {
    let mut hospital = Hospital::new(scenario, 1);
    hospital.build_initial_list();
    let bands = crate::scenario::WEEKLY_BANDS;
    let scale = scenario.simulation.scale;
    let mut census: Vec<WeeklyCensus> = scenario
        .specialties
        .iter()
        .map(|s| WeeklyCensus {
            specialty: s.name.clone(),
            waiting: vec![0.0; bands],
            awaiting_admission: vec![0.0; bands],
        })
        .collect();
    for at in hospital.patients.live_refs() {
        let Some(patient) = hospital.patients.get(at) else {
            continue;
        };
        if !patient.clock_running {
            continue;
        }
        let wait = -1 - i64::from(patient.clock_start_day);
        let band = initial_list::weekly_band(wait);
        let counts = &mut census[patient.specialty as usize];
        counts.waiting[band] += 1.0 / scale;
        if patient.stage == Stage::AwaitingAdmission {
            counts.awaiting_admission[band] += 1.0 / scale;
        }
    }
    census
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
        for batch in self.agenda.take_day(day).chunks(WARM_BATCH) {
            self.patients.warm(batch.iter().map(|due| due.patient));
            for &due in batch {
                self.handled += 1;
                self.handle_due(due, day);
            }
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
            DueKind::Removal if patient.clock_running => {
                self.withdraw_test_request(due.patient);
                self.tally.removals += 1;
                self.stop_clock(due.patient);
                self.leave(due.patient);
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
        patient.queued_day = patient::patient_day(day);
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
mod tests;
