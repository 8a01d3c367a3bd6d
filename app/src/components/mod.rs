//! Reusable widgets.

pub mod feedback;
pub mod field;
pub mod layout;
