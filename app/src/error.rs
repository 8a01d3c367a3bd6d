//! `AppError`: the one error type that crosses the wire.
//!
//! Internal failures are logged on the server and reach the user only as a
//! generic message with the request id, never with SQL or stack text.

use leptos::prelude::FromServerFnError;
use leptos::server_fn::{codec::JsonEncoding, error::ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Problems with individual form fields, plus the (non-secret) values the
/// user typed, so a form can be shown again exactly as it was submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a message for `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_string(), message.into()));
    }

    /// Remembers what the user typed into `field` (never use for secrets).
    pub fn keep(mut self, field: &str, value: &str) -> Self {
        self.values.push((field.to_string(), value.to_string()));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The first message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The kept value of `field`, if any.
    pub fn value(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }

    /// `Ok(())` when nothing was added, else a `Validation` error.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("The page or item was not found.")]
    NotFound,
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have access to this.")]
    Forbidden,
    #[error("Please correct the fields marked below.")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("Too many failed attempts. Please wait {retry_after_secs} seconds and try again.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("The portal is busy right now. Please try again in {retry_after_secs} seconds.")]
    Busy { retry_after_secs: u64 },
    #[error("The signing service answered: {0}")]
    Upstream(String),
    #[error(
        "Something went wrong on our side. If it keeps happening, quote reference {request_id}."
    )]
    Internal { request_id: String },
    #[error("The portal could not read this request: {0}")]
    BadRequest(String),
    #[error("This request is larger than the portal accepts.")]
    PayloadTooLarge,
    #[error("Could not reach the portal. Check your connection and try again.")]
    Transport(ServerFnErrorErr),
}

impl AppError {
    /// One message for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Validation(errors)
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Validation(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Busy { .. } => 503,
            AppError::Upstream(_) => 502,
            AppError::BadRequest(_) => 400,
            AppError::PayloadTooLarge => 413,
            AppError::Internal { .. } | AppError::Transport(_) => 500,
        }
    }

    /// Seconds to wait before trying again, for answers that say so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// Field errors, when this is a validation error.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Validation(f) => Some(f),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Input that cannot be read is the caller's fault (400, or 413 when
    /// too large), never an internal error.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                if m.contains("length limit") {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest(m.chars().take(300).collect())
                }
            }
            other => AppError::Transport(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_values_and_messages() {
        let mut f = FieldErrors::new().keep("email", "a@b.nl");
        assert!(f.is_empty());
        f.add("email", "Already used");
        assert_eq!(f.get("email"), Some("Already used"));
        assert_eq!(f.get("name"), None);
        assert_eq!(f.value("email"), Some("a@b.nl"));
        assert!(matches!(f.into_result(), Err(AppError::Validation(_))));
    }

    #[test]
    fn internal_error_never_shows_more_than_the_reference() {
        let e = AppError::Internal {
            request_id: "abc-123".into(),
        };
        let text = e.to_string();
        assert!(text.contains("abc-123"));
        assert_eq!(e.status(), 500);
    }

    #[test]
    fn statuses_match_their_meaning() {
        assert_eq!(AppError::Unauthorized.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(
            AppError::TooManyRequests {
                retry_after_secs: 3
            }
            .status(),
            429
        );
        assert_eq!(AppError::field("x", "bad").status(), 422);
    }
}
