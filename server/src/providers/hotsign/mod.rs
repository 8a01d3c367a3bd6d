//! Hotsign behind the provider seam: its tokens sealed at rest ([`seal`]),
//! connecting and disconnecting an account ([`connect`]), a working access
//! token, refreshed before it ends ([`tokens`]), and the adapter below,
//! which sends one invite per request (the written document with its
//! field markup, the signers numbered as its fields name them) and reads
//! it back ([`map`]). Without a connection (never made, or lapsed after 24
//! hours) what needs Hotsign pauses until an admin reconnects. A 402 is
//! "out of invite credits", never retried. Webhooks are only hints: the
//! invite is always read again. Hotsign deletes invites 45 days after
//! creation, so the signed document and audit trail are archived as soon
//! as everyone signed.

pub mod connect;
pub mod map;
pub mod seal;
pub mod tokens;

use app::model::request::RequestStatus;
use app::model::service::ProviderKind;
use app::ssr::db::documents::DocumentRow;
use app::ssr::provider::{
    ArtifactRef, Inbound, NewLink, Provider, ProviderError, Sending, Snapshot, Step,
};
use hotsign::contract::{Format, InviteCreate, InviteSigner, WebhookEvent};

use tokens::{TokenError, Tokens};

/// Seed: "Invites are deleted 45 days after creation".
pub const RETENTION_DAYS: i64 = 45;

pub struct Hotsign {
    pub tokens: Tokens,
}

/// A Hotsign error in the portal's terms.
pub fn lift(e: hotsign::Error) -> ProviderError {
    match e {
        hotsign::Error::OutOfCredits => ProviderError::Refused(
            "the Hotsign account is out of invite credits: buy more at Hotsign, then send the request again".into(),
        ),
        hotsign::Error::NotFound(_) => ProviderError::NotFound,
        hotsign::Error::Unauthorized(why) => ProviderError::Paused(format!(
            "Hotsign no longer accepts the portal's access ({why}): an admin must reconnect Hotsign on the Staff page"
        )),
        e if e.is_retryable() => ProviderError::Retry(e.to_string()),
        hotsign::Error::Unreadable(m) => ProviderError::Retry(format!("Hotsign's answer could not be read: {m}")),
        e => ProviderError::Refused(e.to_string()),
    }
}

/// No working connection: what needs Hotsign waits for an admin.
fn lift_token(e: TokenError) -> ProviderError {
    match e {
        TokenError::Service(e) => lift(e),
        TokenError::Database(m) => ProviderError::Retry(format!("database: {m}")),
        e => ProviderError::Paused(e.to_string()),
    }
}

/// The portal's reference on an invite.
pub fn reference(request_id: i64) -> String {
    format!("portal-{request_id}")
}

fn format_of(doc: &DocumentRow) -> Format {
    match doc.markup_info().map(|m| m.format) {
        Some(f) if f == "html" => Format::Html,
        _ => Format::Markdown,
    }
}

/// `lease.md` → `lease (signed).pdf`.
fn signed_name(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{stem} (signed).pdf")
}

/// The name Hotsign greets a signer with.
fn display_name(s: &app::model::request::Signer) -> String {
    let (first, last) = s.name_parts();
    let whole = format!("{first} {last}").trim().to_string();
    if whole.is_empty() {
        s.email.clone()
    } else {
        whole
    }
}

impl Hotsign {
    async fn token(&self) -> Result<String, ProviderError> {
        self.tokens.access().await.map_err(lift_token)
    }

    async fn invite(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        if cx.row.external_id.is_some() {
            return Ok(Step::Live);
        }
        let docs = cx.documents().await?;
        let Some(doc) = docs.iter().find(|d| d.markup.is_some()) else {
            return Err(ProviderError::Refused(
                "Hotsign needs a document written in the portal (HTML or markdown)".into(),
            ));
        };
        let content = String::from_utf8(cx.content(doc.id).await?)
            .map_err(|_| ProviderError::Refused(format!("{} is not text", doc.name)))?;
        let format = format_of(doc);
        let checked = hotsign::document::check(format, &content);
        if let Some(p) = checked.problems.first() {
            return Err(ProviderError::Refused(format!(
                "{}, line {}: {}",
                doc.name, p.line, p.message
            )));
        }
        let signers = cx.signers();
        let settings = cx.settings();
        let body = InviteCreate {
            title: if settings.title.trim().is_empty() {
                doc.name.clone()
            } else {
                settings.title.clone()
            },
            format,
            content,
            signers: signers
                .iter()
                .enumerate()
                .map(|(i, s)| InviteSigner {
                    number: i as u32 + 1,
                    name: display_name(s),
                    email: s.email.clone(),
                })
                .collect(),
            // One message for everyone: Hotsign's invite has no per-signer text.
            message: signers
                .iter()
                .map(|s| s.message.trim())
                .find(|m| !m.is_empty())
                .map(str::to_string),
            external_id: Some(reference(cx.row.id)),
        };
        let token = self.token().await?;
        let invite = self
            .tokens
            .client
            .create_invite(&token, &body)
            .await
            .map_err(lift)?;
        let links = signers
            .iter()
            .enumerate()
            .map(|(i, s)| NewLink {
                token: None,
                signer_key: s.key.clone(),
                signer_id: (i + 1).to_string(),
                // Hotsign emails each signer their own link.
                sign_url: String::new(),
            })
            .collect();
        let sent = serde_json::json!({"title": body.title, "format": body.format, "signers": body.signers, "document": doc.id});
        cx.created(&invite.id, &sent.to_string(), links).await?;
        cx.uploaded(doc.id).await?;
        Ok(Step::Live)
    }
}

#[async_trait::async_trait]
impl Provider for Hotsign {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Hotsign
    }

    fn first_step(&self) -> &'static str {
        "invite"
    }

    async fn step(&self, step: &str, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        match step {
            "invite" => self.invite(cx).await,
            other => Err(ProviderError::Refused(format!("unknown step {other}"))),
        }
    }

    async fn snapshot(&self, external_id: &str) -> Result<Snapshot, ProviderError> {
        let token = self.token().await?;
        match self.tokens.client.invite(&token, external_id).await {
            Ok(invite) => Ok(map::snapshot_of(&invite)),
            // Deleted (45 days after creation): gone.
            Err(hotsign::Error::NotFound(_)) => Err(ProviderError::Gone(None)),
            Err(e) => Err(lift(e)),
        }
    }

    async fn cancel(
        &self,
        external_id: &str,
        _reason: &str,
        _notify: bool,
    ) -> Result<Snapshot, ProviderError> {
        let token = self.token().await?;
        match self.tokens.client.cancel_invite(&token, external_id).await {
            // Already ended: what it is now tells how.
            Ok(()) | Err(hotsign::Error::Invalid(_)) => {}
            Err(e) => return Err(lift(e)),
        }
        self.snapshot(external_id).await
    }

    async fn purge(&self, _external_id: &str) -> Result<(), ProviderError> {
        Err(ProviderError::Refused(format!(
            "Hotsign deletes invites itself, {RETENTION_DAYS} days after they were sent"
        )))
    }

    fn artifacts(&self, documents: &[DocumentRow], _state: &str) -> Vec<ArtifactRef> {
        let name = documents
            .iter()
            .find(|d| d.markup.is_some())
            .map_or_else(|| "document (signed).pdf".into(), |d| signed_name(&d.name));
        vec![
            ArtifactRef {
                kind: "signed",
                file_id: "document".into(),
                name,
            },
            ArtifactRef {
                kind: "receipt",
                file_id: "audit".into(),
                name: "audit-trail.pdf".into(),
            },
        ]
    }

    async fn download(
        &self,
        external_id: &str,
        _state: &str,
        a: &ArtifactRef,
    ) -> Result<Vec<u8>, ProviderError> {
        let token = self.token().await?;
        let c = &self.tokens.client;
        let got = match a.file_id.as_str() {
            "audit" => c.audit_trail(&token, external_id).await,
            _ => c.document(&token, external_id).await,
        };
        got.map_err(lift)
    }

    /// The seed says nothing of how webhooks prove where they come from:
    /// one that reads as an event only makes the portal read the invite
    /// again, so nothing is taken from it.
    fn inbound(&self, _headers: &http::HeaderMap, body: &[u8]) -> Inbound {
        match serde_json::from_slice::<WebhookEvent>(body) {
            Ok(e) if !e.invite_id.is_empty() => Inbound {
                external_id: Some(e.invite_id),
                hint: e.status.as_ref().map(map::name_of),
                ..Default::default()
            },
            _ => Inbound {
                refused: Some("not a Hotsign event".into()),
                ..Default::default()
            },
        }
    }

    fn status_of_hint(&self, hint: &str) -> Option<RequestStatus> {
        let s: hotsign::status::EnvelopeStatus =
            serde_json::from_value(serde_json::json!(hint)).ok()?;
        Some(map::status_of(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_refuse_and_a_lost_connection_pauses() {
        assert!(matches!(
            lift(hotsign::Error::OutOfCredits),
            ProviderError::Refused(m) if m.contains("out of invite credits")
        ));
        assert!(matches!(
            lift_token(TokenError::NotConnected),
            ProviderError::Paused(_)
        ));
        assert!(matches!(
            lift_token(TokenError::Lapsed(chrono::Utc::now())),
            ProviderError::Paused(m) if m.contains("reconnect")
        ));
        assert!(matches!(
            lift(hotsign::Error::Unavailable("503".into())),
            ProviderError::Retry(_)
        ));
        assert_eq!(signed_name("Lease.md"), "Lease (signed).pdf");
    }
}
