//! One module per step of the flow.

pub mod credentials;
pub mod done;
pub mod generate;
pub mod pending;
pub mod region;
pub mod source;
pub mod start;
pub mod strategy;
