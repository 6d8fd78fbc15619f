//! Small helpers below every other layer: statistics across replications, number formatting,
//! SHA-256 in hex and calendar dates. Pure functions and plain types; this module imports no
//! other part of plansim, so every layer may use it.

pub mod date;
pub mod fmt;
pub mod hash;
pub mod stats;
