//! Reusable widgets.

pub mod browser;
pub mod feedback;
pub mod field;
pub mod files;
pub mod layout;
pub mod time;
pub mod toast;
