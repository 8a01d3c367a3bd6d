//! CertEurope's SignAPI for one-time ("ephemeral") certificates, as a typed
//! client that knows nothing of the portal: mutual TLS with the client
//! certificate CertEurope issues (PEM files; no Authorization header),
//! orders (simple and triggered with OTP), signature requests, validate,
//! sign (SYNC and ASYNC), status with `signedContent`, search, refuse and
//! delete, and the error body `{errorMsg, errorLabel}` with its OTP labels.
//!
//! Sources: the Ruby client `MIPISE/certeurope_sign_api` (S8: its
//! `lib/certeurope_sign_api/**`, its test and the aglio HTML docs of 2018)
//! and the PHP client `ylly/certsign` (S10: `src/Signator.php`,
//! `src/Client/Sign/*`, `src/Exception/OTPException.php`). Where neither says
//! something, the item says so.

pub mod client;
pub mod error;
pub mod model;

pub use client::{Client, Mode, Tls};
pub use error::{Error, OtpError};
