//! The Signhost room: Signhost's REST API as typed Rust, and verification of
//! its postbacks. Knows nothing about the portal's pages or database.
//!
//! The contract followed here is Signhost's public API (`api.signhost.com`):
//! PascalCase JSON, status and activity codes, the SHA-1 postback checksum
//! and the `Digest` header on PDF uploads.

pub mod checksum;
pub mod client;
pub mod error;
pub mod model;

pub use client::{Client, RetryPolicy, MAX_FILE_BYTES};
pub use error::Error;
