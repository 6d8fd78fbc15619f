//! output (being written).
