//! Patients: compact records in an arena, addressed by index and generation.
//!
//! Slots are reused when a patient leaves, and each reuse bumps the slot's generation, so a
//! stale reference (left in a queue or on the agenda) is recognised and skipped: removals from
//! queues are lazy.

/// Where a patient is on their pathway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// In a specialty's queue for a first outpatient appointment.
    AwaitingFirst,
    /// A follow-up is due on a later day (on the agenda).
    FollowUpScheduled,
    /// Due, and in the specialty's follow-up queue.
    AwaitingFollowUp,
    /// In a diagnostic test queue (DM01 waiting list).
    AwaitingTest,
    /// Tested; the report or the next step is on the agenda.
    AwaitingResult,
    /// A cancer patient between steps that take time but no capacity (diagnosis, decision to
    /// treat, treatment planning): on the agenda.
    CancerNextStep,
    /// In the queue for first non-surgical cancer treatment.
    AwaitingTreatment,
    /// On the admitted list, in the specialty's theatre queue.
    AwaitingAdmission,
    /// On patient-initiated follow-up: will ask for an appointment on a later day.
    PatientInitiated,
    /// Gone: the slot is free.
    Left,
}

/// Builds patient serials. A serial names a patient by where they come from, not by when they
/// were created, so a change to one source of patients (a specialty's referrals, the starting
/// list) leaves every other patient's serial, and so their random draws, unchanged.
///
/// The top four bits name the source; the rest number patients within it.
pub struct Serial;

impl Serial {
    fn daily(source: u64, day: i64, stream: usize, index: u64) -> u64 {
        // Days before the start (the cancer pathways in progress) are offset to stay positive.
        let day = (day + (1 << 12)) as u64;
        debug_assert!(day < 1 << 20 && stream < 256 && index < 1 << 28);
        source << 60 | day << 36 | (stream as u64) << 28 | index
    }

    /// The `index`-th referral to `specialty` on simulated day `day`.
    pub fn referral(day: i64, specialty: usize, index: u64) -> u64 {
        Self::daily(0, day, specialty, index)
    }

    /// The `index`-th pathway of the starting list.
    pub fn starting_list(index: u64) -> u64 {
        1 << 60 | index
    }

    /// The `index`-th patient of the starting monitoring caseload.
    pub fn starting_caseload(index: u64) -> u64 {
        2 << 60 | index
    }

    /// The `index`-th direct-access request for test type `test` on day `day`.
    pub fn direct_test(day: i64, test: usize, index: u64) -> u64 {
        Self::daily(3, day, test, index)
    }

    /// The `index`-th patient on the starting DM01 waiting list for test type `test`.
    pub fn starting_test(test: usize, index: u64) -> u64 {
        4 << 60 | (test as u64) << 40 | index
    }

    /// The `index`-th urgent cancer referral for tumour group `group` on day `day` (negative
    /// days: referrals before the start whose pathways are still open on the first day).
    pub fn cancer_referral(day: i64, group: usize, index: u64) -> u64 {
        Self::daily(5, day, group, index)
    }
}

/// Which pathway a patient is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pathway {
    /// An elective referral-to-treatment pathway (or monitoring after one).
    Elective,
    /// An urgent suspected-cancer referral.
    Cancer,
    /// A diagnostic test requested outside the modelled pathways (GP direct access).
    DirectTest,
}

/// A simulated day as a patient record keeps it: 16 bits, so that the record fits in 32 bytes.
/// Scenarios start at most 520 weeks back and run at most 120 months, well within ±32,767 days.
pub type PatientDay = i16;

/// A simulated day in a patient record (see [`PatientDay`]).
pub fn patient_day(day: i64) -> PatientDay {
    PatientDay::try_from(day).expect("simulated days fit a patient record")
}

/// A reference to a patient that stays valid only while the patient is in the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatientRef {
    pub index: u32,
    pub generation: u32,
}

/// One patient. Kept small: a national run holds millions, and touching one costs a trip to
/// main memory, so two records share a cache line (see the size check below).
#[derive(Clone, Copy, Debug)]
pub struct Patient {
    /// Unique within a replication and independent of the order patients are created in (see
    /// [`Serial`]): keys the patient's random draws.
    pub serial: u64,
    /// Day the RTT clock started (negative: before the simulation).
    pub clock_start_day: PatientDay,
    /// Day the patient joined their current queue (for first-come-first-served booking and
    /// follow-up due dates).
    pub queued_day: PatientDay,
    pub generation: u32,
    pub specialty: u8,
    /// Clinical priority 1 (most urgent) to 4.
    pub priority: u8,
    pub stage: Stage,
    /// Whether the RTT clock is running (the patient counts on the RTT waiting list).
    pub clock_running: bool,
    pub pathway: Pathway,
    /// Tumour group (cancer pathways).
    pub tumour_group: u8,
    /// The test type asked for, while waiting for a test.
    pub test: u8,
    /// Tests still to do on a cancer pathway, counting the one under way.
    pub tests_left: u8,
    /// Urgent (a direct-access test request booked ahead of routine ones).
    pub urgent: bool,
    /// Day of the decision to treat (cancer: starts the 31-day clock).
    pub decision_day: PatientDay,
    /// Outpatient appointments booked so far: numbers the draws made at each.
    pub contacts: u16,
    /// Theatre bookings resolved by an on-the-day cancellation so far: numbers the
    /// cancellation draws. A case bumped for lack of time keeps its number, since a bump
    /// depends on other patients, and the patient's own luck must not.
    pub theatre_bookings: u8,
    /// Monitoring follow-ups still to come after treatment.
    pub monitoring_left: u8,
    pub day_case: bool,
}

impl Patient {
    /// A patient with a running RTT clock who has had no contact yet.
    pub fn on_pathway(
        serial: u64,
        specialty: usize,
        priority: u8,
        clock_start_day: i64,
        stage: Stage,
    ) -> Patient {
        Patient {
            serial,
            clock_start_day: patient_day(clock_start_day),
            queued_day: patient_day(clock_start_day),
            generation: 0,
            specialty: specialty as u8,
            priority,
            stage,
            clock_running: true,
            pathway: Pathway::Elective,
            tumour_group: 0,
            test: 0,
            tests_left: 0,
            urgent: false,
            decision_day: 0,
            contacts: 0,
            theatre_bookings: 0,
            monitoring_left: 0,
            day_case: false,
        }
    }

    /// A patient on a pathway other than an RTT one: no RTT clock runs.
    pub fn off_rtt(
        serial: u64,
        pathway: Pathway,
        specialty: usize,
        start_day: i64,
        stage: Stage,
    ) -> Patient {
        Patient {
            clock_running: false,
            pathway,
            ..Patient::on_pathway(serial, specialty, 2, start_day, stage)
        }
    }
}

/// How many patients to warm at a time before handling them in turn (see [`Patients::warm`]).
pub const WARM_BATCH: usize = 16;

const _: () = assert!(
    std::mem::size_of::<Patient>() == 32,
    "a patient record is 32 bytes"
);

/// All patients in the system.
#[derive(Default)]
pub struct Patients {
    slots: Vec<Patient>,
    free: Vec<u32>,
    created: u64,
}

impl Patients {
    /// Adds a patient and returns a reference to it.
    pub fn admit(&mut self, mut patient: Patient) -> PatientRef {
        self.created += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            patient.generation = slot.generation;
            *slot = patient;
            PatientRef {
                index,
                generation: patient.generation,
            }
        } else {
            let index = u32::try_from(self.slots.len()).expect("more than 4 billion live patients");
            patient.generation = 0;
            self.slots.push(patient);
            PatientRef {
                index,
                generation: 0,
            }
        }
    }

    /// Reads the records behind `refs` one after another with nothing in between, so that
    /// their cache misses overlap. A national arena is far larger than the cache, and the
    /// patients a clinic or a day's agenda handles in turn sit at scattered slots: touched one
    /// at a time, each waits for main memory on its own.
    pub fn warm(&self, refs: impl IntoIterator<Item = PatientRef>) {
        let mut touched = 0u32;
        for at in refs {
            if let Some(patient) = self.slots.get(at.index as usize) {
                touched = touched.wrapping_add(patient.generation);
            }
        }
        std::hint::black_box(touched);
    }

    /// Warms the slots the next `n` admissions will fill (see [`Patients::warm`]).
    pub fn warm_next_slots(&self, n: usize) {
        let next = &self.free[self.free.len().saturating_sub(n)..];
        self.warm(next.iter().map(|&index| PatientRef {
            index,
            generation: 0,
        }));
    }

    /// The patient, if the reference is still current.
    pub fn get(&self, at: PatientRef) -> Option<&Patient> {
        self.slots
            .get(at.index as usize)
            .filter(|p| p.generation == at.generation && p.stage != Stage::Left)
    }

    pub fn get_mut(&mut self, at: PatientRef) -> Option<&mut Patient> {
        self.slots
            .get_mut(at.index as usize)
            .filter(|p| p.generation == at.generation && p.stage != Stage::Left)
    }

    /// The patient behind a reference known to be current (a broken invariant otherwise).
    pub fn current(&mut self, at: PatientRef) -> &mut Patient {
        self.get_mut(at).expect("patient reference must be current")
    }

    /// The patient leaves; the slot is reused later under a new generation.
    pub fn discharge(&mut self, at: PatientRef) {
        let slot = &mut self.slots[at.index as usize];
        debug_assert_eq!(
            slot.generation, at.generation,
            "discharging a stale reference"
        );
        slot.stage = Stage::Left;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(at.index);
    }

    /// References to every patient in the system, in slot order.
    pub fn live_refs(&self) -> Vec<PatientRef> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, p)| p.stage != Stage::Left)
            .map(|(i, p)| PatientRef {
                index: i as u32,
                generation: p.generation,
            })
            .collect()
    }

    /// Patients created so far (the initial list and every referral).
    pub fn created(&self) -> u64 {
        self.created
    }

    /// Patients in the system now.
    #[cfg(test)]
    pub fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient() -> Patient {
        Patient::on_pathway(0, 0, 4, 0, Stage::AwaitingFirst)
    }

    #[test]
    fn serials_of_different_sources_never_collide() {
        let a = Serial::referral(3_652, 199, (1 << 28) - 1);
        assert!(a < Serial::starting_list(0));
        assert!(Serial::starting_list(u32::MAX as u64) < Serial::starting_caseload(0));
        assert!(Serial::starting_caseload(u32::MAX as u64) < Serial::direct_test(-100, 0, 0));
        assert!(Serial::direct_test(3_652, 4, 1 << 20) < Serial::starting_test(0, 0));
        assert!(Serial::starting_test(4, u32::MAX as u64) < Serial::cancer_referral(-150, 0, 0));
        assert_ne!(Serial::referral(1, 0, 0), Serial::referral(0, 1, 0));
        assert_ne!(
            Serial::cancer_referral(-1, 0, 0),
            Serial::cancer_referral(0, 0, 0)
        );
    }

    #[test]
    fn the_widest_scenarios_days_fit_a_patient_record() {
        // The oldest clock start of a 520-week starting list, and a day past 120 months.
        assert_eq!(i64::from(patient_day(-7 * 520 - 2)), -3642);
        assert_eq!(i64::from(patient_day(120 * 31)), 3720);
    }

    #[test]
    fn stale_references_are_recognised_after_reuse() {
        let mut patients = Patients::default();
        let first = patients.admit(Patient {
            serial: 0,
            ..patient()
        });
        patients.discharge(first);
        assert!(patients.get(first).is_none());
        let second = patients.admit(Patient {
            serial: 1,
            ..patient()
        });
        assert_eq!(second.index, first.index, "slot reused");
        assert!(patients.get(first).is_none(), "old reference stays stale");
        assert_eq!(patients.get(second).map(|p| p.serial), Some(1));
        assert_eq!((patients.created(), patients.live()), (2, 1));
    }
}
