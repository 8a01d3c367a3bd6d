//! Errors, typed from every body shape the sources show (S1
//! `Entities/SignicatError.cs`): the problem document `{title, code, detail,
//! type, traceId, invalidParams[{name, reason}]}`, Express's
//! `{errors[{field, message}]}` (also with a top-level `message`), and
//! OAuth's `{error, error_description}`.

use reqwest::StatusCode;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The token endpoint refused the credentials.
    #[error("Signicat refused the API client's credentials: {0}")]
    Credentials(String),
    /// A 403: the API client is not allowed this (the guide's troubleshooting:
    /// edit the client's scopes in the dashboard). Never retried.
    #[error("the API client lacks scope {scope}: {message}")]
    Scope { scope: String, message: String },
    /// The request was refused as sent (4xx other than 401/403/404).
    #[error("Signicat refused the request ({status}): {message}")]
    Refused {
        status: u16,
        message: String,
        /// Per field, when Signicat named them.
        fields: Vec<(String, String)>,
    },
    #[error("Signicat does not know it ({0})")]
    NotFound(String),
    /// 5xx, a timeout or no connection: worth trying again later.
    #[error("Signicat could not be reached or failed: {0}")]
    Unavailable(String),
    /// An answer this client could not read.
    #[error("Signicat's answer could not be read: {0}")]
    Unreadable(String),
}

impl Error {
    /// 5xx, timeouts and connection errors.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Body {
    title: Option<String>,
    detail: Option<String>,
    code: Option<serde_json::Value>,
    message: Option<String>,
    errors: Vec<FieldError>,
    invalid_params: Vec<InvalidParam>,
    error: Option<String>,
    /// OAuth's own spelling (not camelCase).
    #[serde(rename = "error_description")]
    error_description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FieldError {
    field: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InvalidParam {
    name: Option<String>,
    reason: Option<String>,
}

/// What a body says, in one line, and its field errors.
pub(crate) fn read_body(text: &str) -> (String, Vec<(String, String)>) {
    let Ok(b) = serde_json::from_str::<Body>(text) else {
        let t = text.trim();
        return (
            if t.is_empty() {
                "no details".into()
            } else {
                t.chars().take(300).collect()
            },
            Vec::new(),
        );
    };
    let mut fields: Vec<(String, String)> = b
        .errors
        .iter()
        .map(|e| {
            (
                e.field.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default(),
            )
        })
        .collect();
    fields.extend(b.invalid_params.iter().map(|p| {
        (
            p.name.clone().unwrap_or_default(),
            p.reason.clone().unwrap_or_default(),
        )
    }));
    let message = b
        .detail
        .or(b.error_description)
        .or(b.message)
        .or(b.title)
        .or(b.error)
        .or_else(|| b.code.map(|c| c.to_string()))
        .or_else(|| fields.first().map(|(f, m)| format!("{f}: {m}")))
        .unwrap_or_else(|| "no details".into());
    (message, fields)
}

/// The error for a non-success answer to a call that needed `scope`.
pub(crate) fn from_status(status: StatusCode, text: &str, scope: &str) -> Error {
    let (message, fields) = read_body(text);
    match status.as_u16() {
        403 => Error::Scope {
            scope: scope.to_string(),
            message,
        },
        404 => Error::NotFound(message),
        s if s >= 500 || s == 429 || s == 408 => Error::Unavailable(format!("{s}: {message}")),
        s => Error::Refused {
            status: s,
            message,
            fields,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_body_shape_gives_its_message_and_fields() {
        let problem = r#"{"title":"Bad Request","code":400,"detail":"signers must not be empty","type":"about:blank","traceId":"t","invalidParams":[{"name":"signers","reason":"empty"}]}"#;
        assert_eq!(
            read_body(problem),
            (
                "signers must not be empty".to_string(),
                vec![("signers".to_string(), "empty".to_string())]
            )
        );
        let express = r#"{"message":"The request is invalid","errors":[{"field":"dataToSign.fileName","message":"is required"}]}"#;
        let (m, f) = read_body(express);
        assert_eq!(m, "The request is invalid");
        assert_eq!(
            f,
            [("dataToSign.fileName".to_string(), "is required".to_string())]
        );
        let bare = r#"{"errors":[{"field":"title","message":"too long"}]}"#;
        assert_eq!(read_body(bare).0, "title: too long");
        let oauth =
            r#"{"error":"invalid_scope","error_description":"scope document_file is not allowed"}"#;
        assert_eq!(read_body(oauth).0, "scope document_file is not allowed");
        assert_eq!(read_body("").0, "no details");
        assert_eq!(
            read_body("<html>Bad gateway</html>").0,
            "<html>Bad gateway</html>"
        );
    }

    #[test]
    fn statuses_decide_what_kind_of_error_it_is() {
        let scope = from_status(StatusCode::FORBIDDEN, "{}", "document_write");
        assert_eq!(
            scope.to_string(),
            "the API client lacks scope document_write: no details"
        );
        assert!(!scope.is_retryable());
        assert!(from_status(StatusCode::BAD_GATEWAY, "", "x").is_retryable());
        assert!(from_status(StatusCode::TOO_MANY_REQUESTS, "", "x").is_retryable());
        assert!(matches!(
            from_status(StatusCode::NOT_FOUND, "", "x"),
            Error::NotFound(_)
        ));
        assert!(matches!(
            from_status(StatusCode::BAD_REQUEST, "", "x"),
            Error::Refused { status: 400, .. }
        ));
    }
}
