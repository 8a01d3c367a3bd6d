//! SignAPI's errors. The body is `{errorMsg, errorLabel}` (S10
//! `Signator.php`); the OTP labels are S10's constants: `ERROR_MAUVAIS_CODE`
//! (wrong code; the message says "encore N essai(s)"), `ERROR_NBR_ESSAI`
//! (too many tries) and `ERROR_CODE_KO` (the code is no longer valid).

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// The error body, as SignAPI sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    pub error_msg: String,
    pub error_label: String,
}

pub const WRONG_CODE: &str = "ERROR_MAUVAIS_CODE";
pub const TOO_MANY_TRIES: &str = "ERROR_NBR_ESSAI";
pub const CODE_KO: &str = "ERROR_CODE_KO";

/// What went wrong with a one-time code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    #[error("wrong code ({tries_left:?} tries left): {message}")]
    WrongCode {
        /// From "encore N essai(s)" in the message, when it says.
        tries_left: Option<u32>,
        message: String,
    },
    #[error("too many wrong codes: {message}")]
    TooManyTries { message: String },
    #[error("the code is no longer valid: {message}")]
    Expired { message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The one-time code was refused.
    #[error("CertEurope refused the one-time code: {0}")]
    Otp(OtpError),
    /// The request was refused as sent.
    #[error("CertEurope refused the request ({status}, {label}): {message}")]
    Refused {
        status: u16,
        label: String,
        message: String,
    },
    #[error("CertEurope does not know it ({0})")]
    NotFound(String),
    /// The TLS handshake failed: no or a wrong client certificate, or a
    /// server this client does not trust.
    #[error("CertEurope's TLS connection failed: {0}")]
    Tls(String),
    /// 5xx, a timeout or no connection: worth trying again later.
    #[error("CertEurope could not be reached or failed: {0}")]
    Unavailable(String),
    /// An answer (or a certificate file) this client could not read.
    #[error("CertEurope's answer could not be read: {0}")]
    Unreadable(String),
}

impl Error {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }
}

/// "Code incorrect, encore 2 essai(s)" → 2.
pub fn tries_left(message: &str) -> Option<u32> {
    let lower = message.to_lowercase();
    let at = lower.find("encore")?;
    lower[at + "encore".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The error for a non-success answer.
pub(crate) fn from_status(status: StatusCode, text: &str) -> Error {
    let body: ErrorBody = serde_json::from_str(text).unwrap_or_else(|_| ErrorBody {
        error_msg: text.trim().chars().take(300).collect(),
        error_label: String::new(),
    });
    let message = if body.error_msg.is_empty() {
        "no details".to_string()
    } else {
        body.error_msg.clone()
    };
    match body.error_label.as_str() {
        WRONG_CODE => {
            return Error::Otp(OtpError::WrongCode {
                tries_left: tries_left(&message),
                message,
            })
        }
        TOO_MANY_TRIES => return Error::Otp(OtpError::TooManyTries { message }),
        CODE_KO => return Error::Otp(OtpError::Expired { message }),
        _ => {}
    }
    match status.as_u16() {
        404 => Error::NotFound(message),
        s if s >= 500 || s == 429 || s == 408 => Error::Unavailable(format!("{s}: {message}")),
        s => Error::Refused {
            status: s,
            label: body.error_label,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_otp_labels_become_otp_errors_with_the_tries_left() {
        let wrong = from_status(
            StatusCode::BAD_REQUEST,
            r#"{"errorMsg":"Code OTP incorrect, encore 2 essai(s)","errorLabel":"ERROR_MAUVAIS_CODE"}"#,
        );
        assert_eq!(
            wrong,
            Error::Otp(OtpError::WrongCode {
                tries_left: Some(2),
                message: "Code OTP incorrect, encore 2 essai(s)".into()
            })
        );
        let locked = from_status(
            StatusCode::BAD_REQUEST,
            r#"{"errorMsg":"Nombre d'essais dépassé","errorLabel":"ERROR_NBR_ESSAI"}"#,
        );
        assert!(matches!(locked, Error::Otp(OtpError::TooManyTries { .. })));
        let ko = from_status(
            StatusCode::BAD_REQUEST,
            r#"{"errorMsg":"Code expiré","errorLabel":"ERROR_CODE_KO"}"#,
        );
        assert!(matches!(ko, Error::Otp(OtpError::Expired { .. })));
    }

    #[test]
    fn other_labels_and_statuses_keep_what_signapi_said() {
        assert_eq!(
            from_status(
                StatusCode::BAD_REQUEST,
                r#"{"errorMsg":"holder.country is required","errorLabel":"ERROR_VALIDATION"}"#
            ),
            Error::Refused {
                status: 400,
                label: "ERROR_VALIDATION".into(),
                message: "holder.country is required".into()
            }
        );
        assert!(matches!(
            from_status(StatusCode::NOT_FOUND, "{}"),
            Error::NotFound(_)
        ));
        assert!(from_status(StatusCode::BAD_GATEWAY, "<html>").is_retryable());
        assert!(!from_status(StatusCode::CONFLICT, "").is_retryable());
    }

    #[test]
    fn tries_left_is_read_from_the_french_message() {
        assert_eq!(tries_left("Code incorrect, encore 1 essai"), Some(1));
        assert_eq!(tries_left("Encore 3 essai(s)"), Some(3));
        assert_eq!(tries_left("Code incorrect"), None);
    }
}
