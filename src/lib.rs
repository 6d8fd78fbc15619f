//! plansim: a discrete-event simulator of NHS patient pathways for operational planning.
//!
//! Layers, inner to outer: [`engine`] (time, events, random streams) and [`model`] (what happens
//! to patients) do no I/O and no threading, nor does the simulation in [`network`] (a generic
//! queueing-network model on the same engine); [`scenario`] parses and validates scenario files;
//! [`experiment`] runs replications in parallel; [`targets`] evaluates the planning targets;
//! [`output`] writes result files; [`plot`] and [`report`] draw charts and an HTML report from
//! saved results. `main.rs` wires them into the `plansim` command.

pub mod batch;
pub mod date;
pub mod engine;
pub mod experiment;
pub mod import;
pub mod model;
pub mod network;
pub mod output;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod targets;
