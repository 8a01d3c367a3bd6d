//! DTOs and validated newtypes, shared by the server and the browser.

pub mod dashboard;
mod email;
pub mod fit;
pub mod history;
pub mod preflight;
pub mod request;
pub mod service;
mod staff;
pub mod tracking;
pub mod url;
pub mod written;

pub use email::Email;
pub use staff::{
    check_password, CurrentUser, DisplayName, HotsignConnection, Invited, Role, StaffMember,
    MIN_PASSWORD_LEN,
};
