//! One file (or folder) per page.

pub mod new_request;
pub mod not_found;
pub mod postbacks;
pub mod request;
pub mod requests;
pub mod sign_in;
pub mod staff;
pub mod welcome;
