//! Signicat's signature API ("Express", the documents API), as a typed
//! client that knows nothing of the portal: OAuth2 client credentials with
//! one cached token shared by every caller, the documents endpoints, typed
//! errors, and the verification of webhooks (`X-Idfy-Signature`).
//!
//! Sources (named per item in the code): the official SDKs
//! `signicat/signicat-express-net` (S2) and `signicat/signicat-net` (S1),
//! the docs `idfy-io/docs` (S3), and Signicat's guide to connecting (the
//! token endpoint, scopes, HTTP Basic).

pub mod auth;
pub mod client;
pub mod error;
pub mod model;
pub mod webhook;

pub use auth::{Credentials, Scope};
pub use client::{Client, RetryPolicy};
pub use error::Error;
