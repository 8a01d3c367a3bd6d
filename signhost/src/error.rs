//! Errors from the Signhost API, typed from both error body shapes
//! (`{"Message":…}` and RFC 7807 problem details).

use std::time::Duration;

use crate::model::Transaction;

pub const OUT_OF_CREDITS_TYPE: &str =
    "https://api.signhost.com/problem/subscription/out-of-credits";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Signhost refused the request ({status}): {message}")]
    BadRequest {
        status: u16,
        message: String,
        body: String,
    },
    #[error("Signhost did not accept the application key or user token: {message}")]
    Unauthorized { status: u16, message: String },
    #[error("The Signhost account is out of credits: {message}")]
    OutOfCredits { message: String },
    #[error("Signhost does not have this (yet): {message}")]
    NotFound {
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("The transaction was cleaned up at Signhost")]
    Gone { transaction: Box<Transaction> },
    #[error("Signhost had a server error ({status}): {message}")]
    Server {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("Signhost could not be reached: {0}")]
    Transport(String),
    #[error("The file has {size} bytes; Signhost accepts at most {limit}")]
    FileTooLarge { size: usize, limit: usize },
    #[error("Signhost answered with something this client cannot read: {0}")]
    Decode(String),
}

impl Error {
    /// Whether trying again later may succeed (5xx, connection problems).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Server { .. } | Error::Transport(_))
    }

    /// The message Signhost gave, for showing to staff.
    pub fn message(&self) -> String {
        match self {
            Error::BadRequest { message, .. }
            | Error::Unauthorized { message, .. }
            | Error::OutOfCredits { message }
            | Error::NotFound { message, .. }
            | Error::Server { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// Reads Signhost's message from either error shape, or the raw text.
pub fn message_of(body: &str) -> (String, Option<String>) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return (body.trim().trim_matches('"').to_string(), None);
    };
    if let Some(s) = value.as_str() {
        return (s.to_string(), None);
    }
    let get = |key: &str| {
        value.as_object().and_then(|o| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string)
        })
    };
    let message = get("message")
        .or_else(|| get("detail"))
        .or_else(|| get("title"))
        .unwrap_or_else(|| body.to_string());
    (message, get("type"))
}

/// Maps a non-success answer to an error.
pub fn from_response(status: u16, body: &str, retry_after: Option<Duration>) -> Error {
    let (message, problem_type) = message_of(body);
    match status {
        401 | 403 => Error::Unauthorized { status, message },
        402 if problem_type.as_deref() == Some(OUT_OF_CREDITS_TYPE) => {
            Error::OutOfCredits { message }
        }
        404 => Error::NotFound {
            message,
            retry_after,
        },
        410 => match serde_json::from_str::<Transaction>(body) {
            Ok(tx) => Error::Gone {
                transaction: Box::new(tx),
            },
            Err(_) => Error::Gone {
                transaction: Box::default(),
            },
        },
        500..=599 => Error::Server {
            status,
            message,
            retry_after,
        },
        _ => Error::BadRequest {
            status,
            message,
            body: body.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_error_shapes() {
        let legacy = from_response(
            400,
            r#"{"Message":"The sign request message is null or empty."}"#,
            None,
        );
        assert_eq!(
            legacy.message(),
            "The sign request message is null or empty."
        );
        let problem = from_response(
            400,
            r#"{"type":"about:blank","title":"Bad","detail":"FileId is invalid","status":400}"#,
            None,
        );
        assert_eq!(problem.message(), "FileId is invalid");
        let text = from_response(404, "receipt not found.", None);
        assert!(
            matches!(text, Error::NotFound { ref message, .. } if message == "receipt not found.")
        );
        let json_string = from_response(400, r#""Stored file""#, None);
        assert_eq!(json_string.message(), "Stored file");
    }

    #[test]
    fn distinguishes_credits_gone_and_server_errors() {
        let credits = from_response(
            402,
            &format!(r#"{{"type":"{OUT_OF_CREDITS_TYPE}","title":"Out of credits"}}"#),
            None,
        );
        assert!(matches!(credits, Error::OutOfCredits { .. }));
        let other_402 = from_response(402, r#"{"Message":"pay"}"#, None);
        assert!(matches!(other_402, Error::BadRequest { status: 402, .. }));
        let gone = from_response(
            410,
            r#"{"Id":"t1","Status":50,"Signers":null,"Files":null}"#,
            None,
        );
        let Error::Gone { transaction } = gone else {
            panic!("expected Gone")
        };
        assert_eq!(transaction.id.as_deref(), Some("t1"));
        let server = from_response(503, "busy", Some(Duration::from_secs(2)));
        assert!(server.is_retryable());
        assert!(!from_response(400, "{}", None).is_retryable());
        assert!(matches!(
            from_response(
                401,
                r#"{"Message":"Authorization has been denied for this request."}"#,
                None
            ),
            Error::Unauthorized { .. }
        ));
    }
}
