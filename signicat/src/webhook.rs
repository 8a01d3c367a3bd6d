//! Webhooks: `X-Idfy-Signature` is the hex HMAC-SHA256 of the raw body
//! with the webhook's secret (S2 `Services/Notification/Entities/WebhookConfig.cs`;
//! S3 `api-endpoints/notification/events/webhooks.md`), checked in constant
//! time. The envelope is `{id, timestamp, accountId, type, payload, tags}`;
//! a `ping` is sent when a webhook is created and is only to be answered.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "x-idfy-signature";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("no webhook secret is configured")]
    NoSecret,
    #[error("the webhook has no X-Idfy-Signature header")]
    MissingSignature,
    #[error("the webhook signature does not match")]
    BadSignature,
    #[error("the webhook body is not an event: {0}")]
    Malformed(String),
}

/// The event types of the sources (S3 `notification/events/README.md`);
/// anything else is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Ping,
    DocumentCreated,
    DocumentLinkOpened,
    DocumentEmailOpened,
    DocumentRead,
    DocumentPartiallySigned,
    DocumentSigned,
    DocumentPackaged,
    DocumentCanceled,
    DocumentExpired,
    DocumentBeforeDeleted,
    DocumentDeleted,
    DocumentFormPartiallySigned,
    DocumentFormSigned,
    ResourceCreated,
    #[serde(untagged)]
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: EventType,
    #[serde(default)]
    pub payload: serde_json::Value,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Event {
    /// The document the event is about (`payload.documentId`).
    pub fn document_id(&self) -> Option<&str> {
        self.payload.get("documentId").and_then(|v| v.as_str())
    }
}

/// The signature Signicat sends for `body`.
pub fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks the signature (constant time) and reads the event.
pub fn verify(body: &[u8], signature: Option<&str>, secret: &str) -> Result<Event, WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::NoSecret);
    }
    let given = signature.ok_or(WebhookError::MissingSignature)?;
    let given = hex::decode(given.trim()).map_err(|_| WebhookError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&given)
        .map_err(|_| WebhookError::BadSignature)?;
    serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"e1","timestamp":"2026-12-01T10:00:00Z","accountId":"a","type":"document_signed","payload":{"documentId":"d1","externalDocumentId":"42"},"tags":[]}"#;

    #[test]
    fn a_signed_event_passes_and_names_its_document() {
        let signature = sign(BODY, "secret");
        assert_eq!(signature.len(), 64);
        let event = verify(BODY, Some(&signature), "secret").unwrap();
        assert_eq!(event.kind, EventType::DocumentSigned);
        assert_eq!(event.document_id(), Some("d1"));
    }

    #[test]
    fn a_wrong_missing_or_unkeyed_signature_is_refused() {
        let signature = sign(BODY, "secret");
        assert_eq!(
            verify(BODY, Some(&signature), "other"),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(BODY, Some("zz"), "secret"),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(BODY, None, "secret"),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify(BODY, Some(&signature), ""),
            Err(WebhookError::NoSecret)
        );
        let mut changed = BODY.to_vec();
        changed[10] ^= 1;
        assert_eq!(
            verify(&changed, Some(&signature), "secret"),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn ping_and_unknown_types_are_read() {
        let ping = br#"{"id":"p","type":"ping","payload":{}}"#;
        let e = verify(ping, Some(&sign(ping, "s")), "s").unwrap();
        assert_eq!(e.kind, EventType::Ping);
        let new = br#"{"id":"n","type":"document_teleported","payload":{}}"#;
        let e = verify(new, Some(&sign(new, "s")), "s").unwrap();
        assert_eq!(e.kind, EventType::Other("document_teleported".into()));
    }
}
