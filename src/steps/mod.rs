//! One module per step of the flow.

pub mod pending;
pub mod start;
