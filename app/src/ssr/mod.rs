//! Server-only code: state, authentication, sessions and the db room.

pub mod auth;
pub mod db;
pub mod faults;
pub mod password;
pub mod provider;
pub mod requests;
pub mod sessions;
pub mod staff;
pub mod state;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod throttle;
pub mod tracking;
pub mod tracking_view;
pub mod web;
pub mod written;
