//! Importers: published NHS files turned into scenarios. `rtt.rs` reads the RTT full CSV that
//! NHS England publishes each month; `rtt_scenario.rs` writes a runnable scenario from it, with
//! what the file does not hold taken from a template scenario.

pub mod rtt;
pub mod rtt_scenario;
