//! **Everything about Hotsign's API that no source states lives here.**
//! The seed (Hotsign's own overview) gives the host, the version, OAuth v2
//! three-legged with `state`, the lifetimes of codes and tokens, the
//! response codes, the limits, the statuses and the markup; it does not
//! give one resource path or body. Each item below is marked INFERRED and
//! follows common OAuth 2 (RFC 6749) and REST practice, so that replacing
//! the guess with Hotsign's real collection changes this file (and the
//! recorded fixtures in `hotsign/fixtures/`) only.

use serde::{Deserialize, Serialize};

use crate::status::EnvelopeStatus;

/// Seed: `host` "Default `https://api.hotsign.com`".
pub const HOST: &str = "https://api.hotsign.com";
/// Seed: `version` "Default `v1`".
pub const VERSION: &str = "v1";

/// INFERRED: the browser is sent here with `response_type=code`,
/// `client_id`, `redirect_uri` and `state` (RFC 6749 §4.1.1).
pub const AUTHORIZE_PATH: &str = "oauth/authorize";
/// INFERRED: `grant_type=authorization_code` and `refresh_token`, form
/// encoded, client id and secret in the body (RFC 6749 §4.1.3, §6).
pub const TOKEN_PATH: &str = "oauth/token";
/// INFERRED: token revocation (RFC 7009), `token` and `token_type_hint`.
pub const REVOKE_PATH: &str = "oauth/revoke";
/// INFERRED: who the token belongs to.
pub const ME_PATH: &str = "v1/me";
/// INFERRED: invites (POST to send one, GET `…/{id}` to read it).
pub const INVITES_PATH: &str = "v1/invites";

/// INFERRED: one invite.
pub fn invite_path(id: &str) -> String {
    format!("{INVITES_PATH}/{id}")
}

/// INFERRED: cancels an invite (POST, 204).
pub fn cancel_path(id: &str) -> String {
    format!("{INVITES_PATH}/{id}/cancel")
}

/// INFERRED: the completed document, a PDF (the seed says the completed
/// document and the audit trail are emailed on completion).
pub fn document_path(id: &str) -> String {
    format!("{INVITES_PATH}/{id}/document")
}

/// INFERRED: the audit trail, a PDF.
pub fn audit_path(id: &str) -> String {
    format!("{INVITES_PATH}/{id}/audit")
}

/// INFERRED: the token endpoint's answer (RFC 6749 §5.1); the lifetimes
/// themselves are seed-stated (1 hour, 24 hours).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default = "bearer")]
    pub token_type: String,
    /// Seconds (seed: "Tokens expire in 1 hour").
    pub expires_in: i64,
    pub refresh_token: String,
    /// INFERRED: seconds the refresh token lives (seed: 24 hours); when
    /// absent, the seed's 24 hours are assumed.
    #[serde(default)]
    pub refresh_expires_in: Option<i64>,
}

fn bearer() -> String {
    "Bearer".into()
}

/// INFERRED: the account a token belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// INFERRED: invite credits left (seed: "New accounts start with 10 invite credits").
    #[serde(default)]
    pub credits: Option<i64>,
}

/// Seed: HTML or markdown content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Markdown,
}

/// INFERRED: a signer of an invite; `number` is the seed's field signer
/// number (1 to 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteSigner {
    pub number: u32,
    pub name: String,
    pub email: String,
}

/// INFERRED: the body that sends an invite. Prefills travel inside the
/// content (seed: `data-value` and the markdown's fourth part).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteCreate {
    pub title: String,
    pub format: Format,
    pub content: String,
    pub signers: Vec<InviteSigner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// INFERRED: the portal's reference, echoed back and in webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// INFERRED: one signer's state within an invite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignerStatus {
    pub number: u32,
    pub email: String,
    pub status: EnvelopeStatus,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// INFERRED: an invite as read back; `status` uses the seed's twelve values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invite {
    pub id: String,
    pub status: EnvelopeStatus,
    #[serde(default)]
    pub external_id: Option<String>,
    pub signers: Vec<SignerStatus>,
    /// INFERRED: RFC 3339; the seed says invites are deleted 45 days after creation.
    pub created_at: String,
}

/// INFERRED: the webhook body (the seed only says there are webhook
/// subscriptions, at most 25): an event naming the invite. Always a hint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub invite_id: String,
    #[serde(default)]
    pub status: Option<EnvelopeStatus>,
}

/// INFERRED: the error body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorBody {
    pub error: String,
    #[serde(alias = "error_description")]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> serde_json::Value {
        let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(
            v["$inferred"],
            serde_json::json!(true),
            "{name} is marked as inferred"
        );
        v["body"].clone()
    }

    #[test]
    fn the_recorded_fixtures_read_as_the_inferred_types() {
        let t: TokenResponse = serde_json::from_value(fixture("token.json")).unwrap();
        assert_eq!(t.expires_in, 3600);
        assert_eq!(t.refresh_expires_in, Some(86_400));
        let me: Account = serde_json::from_value(fixture("me.json")).unwrap();
        assert_eq!(me.credits, Some(10));
        let sent: InviteCreate = serde_json::from_value(fixture("invite-create.json")).unwrap();
        assert_eq!(sent.format, Format::Markdown);
        assert_eq!(sent.signers.len(), 2);
        let invite: Invite = serde_json::from_value(fixture("invite.json")).unwrap();
        assert_eq!(invite.status, EnvelopeStatus::Viewed);
        assert_eq!(invite.signers[1].status, EnvelopeStatus::Bounced);
        let event: WebhookEvent = serde_json::from_value(fixture("webhook.json")).unwrap();
        assert_eq!(event.invite_id, invite.id);
        let err: ErrorBody = serde_json::from_value(fixture("error-402.json")).unwrap();
        assert!(err.message.contains("credits"));
    }

    #[test]
    fn paths_are_relative_to_the_host() {
        assert_eq!(invite_path("in_1"), "v1/invites/in_1");
        assert_eq!(cancel_path("in_1"), "v1/invites/in_1/cancel");
        assert!(!AUTHORIZE_PATH.starts_with('/') && !TOKEN_PATH.starts_with('/'));
    }
}
