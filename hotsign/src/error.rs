//! Hotsign's answers in types. The codes are the seed's ("Response
//! Codes"): 400 invalid, 401 unauthorized, 402 out of invite credits, 404
//! not found, 500 server error. The body shape is inferred
//! ([`crate::contract::ErrorBody`]).

use reqwest::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 400: "the data you provided is likely invalid".
    #[error("Hotsign refused the request as invalid: {0}")]
    Invalid(String),
    /// 401: the token, or the client id and secret, are not (or no longer) valid.
    #[error("Hotsign did not accept the credentials: {0}")]
    Unauthorized(String),
    /// 402: "You ran out of invite credits and need to buy more." Never retried.
    #[error("the Hotsign account is out of invite credits")]
    OutOfCredits,
    #[error("Hotsign does not know it ({0})")]
    NotFound(String),
    /// 5xx, a timeout or no connection: worth trying again later.
    #[error("Hotsign could not be reached or failed: {0}")]
    Unavailable(String),
    #[error("Hotsign's answer could not be read: {0}")]
    Unreadable(String),
}

impl Error {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }
}

pub(crate) fn from_status(status: StatusCode, text: &str) -> Error {
    let body: crate::contract::ErrorBody = serde_json::from_str(text).unwrap_or_default();
    let message = match (body.message.is_empty(), body.error.is_empty()) {
        (false, _) => body.message,
        (true, false) => body.error,
        (true, true) => text.chars().take(200).collect(),
    };
    match status.as_u16() {
        400 => Error::Invalid(message),
        401 => Error::Unauthorized(message),
        402 => Error::OutOfCredits,
        404 => Error::NotFound(message),
        s if s >= 500 => Error::Unavailable(format!("{s}: {message}")),
        s => Error::Invalid(format!("{s}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_seed_code_has_its_error() {
        let of = |code: u16, body: &str| from_status(StatusCode::from_u16(code).unwrap(), body);
        assert_eq!(
            of(
                400,
                r#"{"error":"invalid_request","message":"title is missing"}"#
            ),
            Error::Invalid("title is missing".into())
        );
        assert_eq!(
            of(
                401,
                r#"{"error":"invalid_grant","error_description":"code expired"}"#
            ),
            Error::Unauthorized("code expired".into())
        );
        assert_eq!(of(402, "{}"), Error::OutOfCredits);
        assert!(matches!(of(404, ""), Error::NotFound(_)));
        assert!(of(500, "boom").is_retryable() && !of(402, "").is_retryable());
    }
}
