//! The discrete-event kernel: simulated time, the pending-event list, day-indexed agendas for
//! high-volume per-entity due dates, and named random streams.
//!
//! It knows nothing of the NHS, does no I/O and starts no threads. A model owns an
//! [`EventQueue`] of its own event type and pops events in `(time, sequence)` order (see
//! [`queue`] for the tie-break guarantee).

pub mod agenda;
pub mod queue;
pub mod random;
pub mod time;

pub use agenda::DayAgenda;
pub use queue::EventQueue;
pub use random::{KeyedStream, StreamKey};
pub use time::{SimDuration, SimTime, MINUTES_PER_DAY};
