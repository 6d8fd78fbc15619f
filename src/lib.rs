//! plansim: a discrete-event simulator of NHS patient pathways for operational planning.
//!
//! Layers, inner to outer (imports only point inward; ARCHITECTURE.md has the table and
//! `tests/it/layers.rs` checks it): [`util`] (statistics, number formats, hashing, dates);
//! [`engine`] (time, events, random streams); [`scenario`] parses and validates scenario files;
//! [`model`] (what happens to patients) and the simulation in [`network`] (a generic
//! queueing-network model on the same engine) do no I/O and no threading; [`experiment`] runs
//! replications in parallel; [`targets`] evaluates the planning targets; [`output`] writes
//! result files; [`plot`] and [`report`] draw charts and an HTML report from saved results;
//! [`batch`] runs overnight batches. `main.rs` wires them into the `plansim` command.

pub mod batch;
pub mod config;
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
pub mod util;
