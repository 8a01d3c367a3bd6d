//! Hotsign, as far as its own API overview (the seed `003_…`, Hotsign's
//! Postman collection header) states it: HTML and markdown documents with
//! field markup, sanitised on Hotsign's side ([`markup`]), and the field
//! syntax ([`fields`]), the twelve statuses ([`status`]), the response
//! codes ([`error`]) and three-legged OAuth ([`oauth`]). Resource paths
//! and bodies are not in any source: they are inferred, all in one
//! contract file ([`contract`]).

pub mod contract;
pub mod document;
pub mod error;
pub mod fields;
pub mod invites;
pub mod markup;
pub mod oauth;
pub mod status;

pub use error::Error;

/// Most signers on one document (seed: "Max signers on a single document | 5").
pub const MAX_SIGNERS: u32 = 5;
/// Largest content (seed: "Max content Size | 5MB").
pub const MAX_CONTENT_BYTES: usize = 5 * 1024 * 1024;
