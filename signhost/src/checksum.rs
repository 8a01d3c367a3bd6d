//! Postback verification.
//!
//! `Checksum = lowercase hex SHA-1 of (Id + "||" + Status + "|" + SharedSecret)`,
//! read from the `Checksum` header when present, else from the body, and
//! compared in constant time.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use crate::model::Transaction;

/// The checksum Signhost sends with a postback of transaction `id` in `status`.
pub fn compute(id: &str, status: i32, shared_secret: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("{id}||{status}|{shared_secret}").as_bytes());
    hex::encode(hasher.finalize())
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PostbackError {
    #[error("the postback body is not a Signhost transaction: {0}")]
    Malformed(String),
    #[error("the postback has no transaction Id")]
    MissingId,
    #[error("the postback has no checksum")]
    MissingChecksum,
    #[error("the postback checksum does not match")]
    BadChecksum,
    #[error("no shared secret is configured, so postbacks cannot be verified")]
    NoSecret,
}

/// Parses a postback body and checks its checksum (the header's if given,
/// else the body's). Returns the transaction only when it is authentic.
pub fn verify_postback(
    body: &[u8],
    header_checksum: Option<&str>,
    shared_secret: &str,
) -> Result<Transaction, PostbackError> {
    if shared_secret.is_empty() {
        return Err(PostbackError::NoSecret);
    }
    let tx: Transaction =
        serde_json::from_slice(body).map_err(|e| PostbackError::Malformed(e.to_string()))?;
    let id = tx
        .id
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or(PostbackError::MissingId)?;
    let given = header_checksum
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or(tx.checksum.as_deref().filter(|s| !s.is_empty()))
        .ok_or(PostbackError::MissingChecksum)?;
    let status = tx.status.map(|s| s.code()).unwrap_or_default();
    let expected = compute(id, status, shared_secret);
    if bool::from(
        expected
            .as_bytes()
            .ct_eq(given.to_ascii_lowercase().as_bytes()),
    ) {
        Ok(tx)
    } else {
        Err(PostbackError::BadChecksum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "b10ae331-af78-4e79-a39e-5b64693b6b68";
    const VECTOR: &str = "cdc09eee2ed6df2846dcc193aedfef59f2834f8d";

    fn body(id: &str, status: i32, checksum: Option<&str>) -> Vec<u8> {
        let mut v = serde_json::json!({ "Id": id, "Status": status, "Signers": [], "Files": {} });
        if let Some(c) = checksum {
            v["Checksum"] = c.into();
        }
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn official_vector() {
        assert_eq!(compute(ID, 20, "SharedSecret"), VECTOR);
    }

    #[test]
    fn accepts_checksum_from_body_or_header() {
        let tx = verify_postback(&body(ID, 20, Some(VECTOR)), None, "SharedSecret").unwrap();
        assert_eq!(tx.id.as_deref(), Some(ID));
        verify_postback(&body(ID, 20, None), Some(VECTOR), "SharedSecret").unwrap();
        verify_postback(
            &body(ID, 20, None),
            Some(&VECTOR.to_uppercase()),
            "SharedSecret",
        )
        .unwrap();
    }

    #[test]
    fn header_wins_over_body() {
        let err =
            verify_postback(&body(ID, 20, Some(VECTOR)), Some("0000"), "SharedSecret").unwrap_err();
        assert_eq!(err, PostbackError::BadChecksum);
    }

    #[test]
    fn refuses_wrong_secret_status_and_empty_fields() {
        assert_eq!(
            verify_postback(&body(ID, 20, Some(VECTOR)), None, "OtherSecret"),
            Err(PostbackError::BadChecksum)
        );
        assert_eq!(
            verify_postback(&body(ID, 30, Some(VECTOR)), None, "SharedSecret"),
            Err(PostbackError::BadChecksum)
        );
        assert_eq!(
            verify_postback(&body("", 20, Some(VECTOR)), None, "SharedSecret"),
            Err(PostbackError::MissingId)
        );
        assert_eq!(
            verify_postback(&body(ID, 20, Some("")), None, "SharedSecret"),
            Err(PostbackError::MissingChecksum)
        );
        assert_eq!(
            verify_postback(&body(ID, 20, None), Some("  "), "SharedSecret"),
            Err(PostbackError::MissingChecksum)
        );
        assert_eq!(
            verify_postback(&body(ID, 20, Some(VECTOR)), None, ""),
            Err(PostbackError::NoSecret)
        );
    }

    #[test]
    fn refuses_bodies_that_are_not_json() {
        for bad in [&b"not json"[..], b"", b"[1,2]", b"{\"Id\": 5}"] {
            assert!(
                matches!(
                    verify_postback(bad, Some(VECTOR), "SharedSecret"),
                    Err(PostbackError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
    }
}
