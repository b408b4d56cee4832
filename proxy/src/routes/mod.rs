//! The proxy's HTTP resources, one module each.

pub mod complete;
pub mod connections;
pub mod cors;
pub mod extracts;
pub mod health;
pub mod sessions;
pub mod validate;
