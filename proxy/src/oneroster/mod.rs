//! Talking to a district's OneRoster 1.2 server: credential validation.

pub mod page;
pub mod validate;
pub mod wording;

pub use validate::validate_connection;
pub use wording::Wording;
