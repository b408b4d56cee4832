//! Pieces shared by the steps.

pub mod frame;
pub mod notice;
pub mod stepper;
