//! One module per step of the flow.

pub mod credentials;
pub mod data_extract;
pub mod done;
pub mod generate;
pub mod region;
pub mod source;
pub mod start;
pub mod strategy;
