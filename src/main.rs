//! The `plansim` command (being written).
fn main() {}
