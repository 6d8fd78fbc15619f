//! targets (being written).
