//! Integration tests, one binary: each module covers one part of plansim through its public API
//! or its command line.

mod batch;
mod batch_errors;
mod bulk_service_theory;
mod calendars;
mod diagnostics_cancer;
mod docs_commands;
mod end_to_end;
mod finance_levers;
mod import_rtt;
mod layers;
mod network;
mod network_theory;
mod plots_report;
mod robustness_files;
mod robustness_fuzz;
mod robustness_input;
mod robustness_interrupt;
mod robustness_output;
mod robustness_readback;
mod robustness_report;
mod scenario_errors;
mod slurm;
mod support;
mod targets_output;
