//! Integration tests, one binary: each module covers one part of plansim through its public API
//! or its command line.

mod scenario_errors;
mod targets_output;
