//! Pieces shared by the steps.

pub mod notice;
pub mod stepper;
