//! Integration tests, one binary; each area of plansim adds a module here.

mod targets_output;
