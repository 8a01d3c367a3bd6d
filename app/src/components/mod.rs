//! Reusable widgets.

pub mod browser;
pub mod feedback;
pub mod field;
pub mod layout;
