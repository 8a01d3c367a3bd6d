//! Signicat behind the provider seam: the start job's steps (create →
//! attachments), its documents read as a [`Snapshot`], cancel, the archive
//! (the signed PAdES of each PDF; Signicat issues no receipt), webhooks
//! checked by `X-Idfy-Signature`, and their events on the timeline.
//!
//! The portal's own signer token goes into each signer's redirect URLs, so
//! the tokens are chosen and saved before the create call; a create whose
//! answer was lost is found again by `externalId` (the request id) instead
//! of making a second document.

pub mod map;
pub mod read;

use app::model::request::RequestStatus;
use app::model::service::{EventKind, ProviderKind};
use app::ssr::db::activities::ActivityRow;
use app::ssr::db::documents::DocumentRow;
use app::ssr::db::users;
use app::ssr::provider::{
    new_token, ArtifactRef, Inbound, NewLink, Provider, ProviderError, Sending, Snapshot, Step,
};
use serde_json::{json, Value};
use signicat::model::{DocumentStatus, FileFormat};
use signicat::webhook::{verify, EventType, WebhookError, SIGNATURE_HEADER};

pub struct Signicat {
    pub client: signicat::Client,
    /// The portal's landing page (`<PUBLIC_URL>return`).
    pub return_url: String,
    /// Checks each webhook's `X-Idfy-Signature`.
    pub webhook_secret: String,
}

/// A Signicat error in the portal's terms.
pub fn lift(e: signicat::Error) -> ProviderError {
    match e {
        signicat::Error::NotFound(_) => ProviderError::NotFound,
        e if e.is_retryable() => ProviderError::Retry(e.to_string()),
        e => ProviderError::Refused(e.to_string()),
    }
}

/// The file id of an archived attachment.
const ATTACHMENT: &str = "attachment:";

/// What was sent, without the PDF itself (its size and SHA-256 instead).
fn recorded(doc: &signicat::model::DocumentCreateOptions, pdf: &[u8]) -> Value {
    let mut v = serde_json::to_value(doc).unwrap_or_default();
    v["dataToSign"]["base64Content"] = json!(format!(
        "({} bytes, sha256 {})",
        pdf.len(),
        crate::sandbox::pdf::hex_sha256(pdf)
    ));
    v
}

/// The part of what was sent that must match for a resume (the deadline
/// is recomputed from today, so it is left out).
fn comparable(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(a) = v.get_mut("advanced").and_then(Value::as_object_mut) {
        a.remove("timeToLive");
    }
    v
}

fn tokens(state: &Value) -> serde_json::Map<String, Value> {
    state["tokens"].as_object().cloned().unwrap_or_default()
}

impl Signicat {
    async fn create(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let signers = cx.signers();
        // Each signer's token first: it goes into their redirect URLs.
        let mut state = cx.state();
        let mut chosen = tokens(&state);
        if signers.iter().any(|s| !chosen.contains_key(&s.key)) {
            for s in &signers {
                chosen
                    .entry(s.key.clone())
                    .or_insert_with(|| json!(new_token()));
            }
            state["tokens"] = Value::Object(chosen.clone());
            cx.save_state(&state).await?;
        }
        let token_of = |key: &str| chosen[key].as_str().unwrap_or_default().to_string();
        let docs = cx.documents().await?;
        let Some(first) = docs.first() else {
            return Err(ProviderError::Refused("the request has no document".into()));
        };
        let content = cx.content(first.id).await?;
        let owner = users::find_by_id(cx.db, cx.row.owner_id).await?;
        let back = |key: &str| format!("{}?t={}", self.return_url, token_of(key));
        let context = map::Context {
            contact_email: owner.as_ref().map(|u| u.email.as_str()).unwrap_or_default(),
            today: chrono::Utc::now().date_naive(),
            return_url: &back,
        };
        let pdf = map::Pdf {
            name: &first.name,
            bytes: &content,
        };
        let wanted = map::document(
            cx.row.id,
            &cx.settings(),
            &signers,
            &pdf,
            docs.len() - 1,
            &context,
        );
        let payload = recorded(&wanted, &content);
        if let Some(old) = cx.row.external_id.clone() {
            let sent: Option<Value> = cx
                .row
                .sent_payload
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok());
            if sent.as_ref().map(comparable) == Some(comparable(&payload)) {
                return Ok(Step::Next("attachments"));
            }
            // An earlier, refused attempt with other details: replaced.
            match self
                .client
                .cancel(&old, "replaced by a corrected request")
                .await
            {
                Ok(()) | Err(signicat::Error::NotFound(_) | signicat::Error::Refused { .. }) => {}
                Err(e) => return Err(lift(e)),
            }
            cx.forget().await?;
        }
        // A create whose answer was lost left a document with our externalId.
        let external = cx.row.id.to_string();
        let earlier = self
            .client
            .find_by_external_id(&external)
            .await
            .map_err(lift)?
            .into_iter()
            .find(|d| {
                !matches!(
                    d.status,
                    Some(DocumentStatus::Canceled | DocumentStatus::Expired)
                )
            });
        let doc = match earlier {
            Some(found) => self
                .client
                .get_document(&found.document_id)
                .await
                .map_err(lift)?,
            None => self.client.create_document(&wanted).await.map_err(lift)?,
        };
        if doc.document_id.is_empty() {
            return Err(ProviderError::Retry(
                "Signicat answered without a document id".into(),
            ));
        }
        let links = signers
            .iter()
            .filter_map(|s| {
                let at = doc
                    .signers
                    .iter()
                    .find(|d| d.external_signer_id.as_deref() == Some(s.key.as_str()))?;
                Some(NewLink {
                    token: Some(token_of(&s.key)),
                    signer_key: s.key.clone(),
                    signer_id: at.id.clone(),
                    sign_url: at.url.clone().unwrap_or_default(),
                })
            })
            .collect();
        cx.created(&doc.document_id, &payload.to_string(), links)
            .await?;
        cx.uploaded(first.id).await?;
        Ok(Step::Next("attachments"))
    }

    /// Adds each further PDF as a `sign` attachment, in order; those the
    /// document already has (an earlier attempt) are recognised by position.
    async fn attachments(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let Some(id) = cx.row.external_id.clone() else {
            return Ok(Step::Next("create"));
        };
        let docs = cx.documents().await?;
        if docs.len() < 2 {
            return Ok(Step::Live);
        }
        let present = self.client.attachments(&id).await.map_err(lift)?;
        let mut state = cx.state();
        for (i, d) in docs.iter().skip(1).enumerate() {
            let attachment_id = match present.get(i) {
                Some(a) => a.id.clone(),
                None => {
                    let content = cx.content(d.id).await?;
                    let a = map::attachment(&map::Pdf {
                        name: &d.name,
                        bytes: &content,
                    });
                    self.client.add_attachment(&id, &a).await.map_err(lift)?.id
                }
            };
            state["attachments"][d.id.to_string()] = json!(attachment_id);
            cx.save_state(&state).await?;
            if d.uploaded_at.is_none() {
                cx.uploaded(d.id).await?;
            }
        }
        Ok(Step::Live)
    }
}

/// The portal's word for a Signicat event type (`None`: the snapshot
/// already tells it, as each signature does).
fn event_kind(t: &EventType) -> Option<EventKind> {
    use EventKind as K;
    Some(match t {
        EventType::DocumentLinkOpened => K::Opened,
        EventType::DocumentEmailOpened => K::InvitationReceived,
        EventType::DocumentRead => K::Viewed,
        EventType::DocumentSigned => K::Finished,
        EventType::DocumentCanceled => K::Cancelled,
        EventType::DocumentExpired => K::Expired,
        EventType::DocumentBeforeDeleted | EventType::DocumentDeleted => K::Deleted,
        EventType::DocumentPartiallySigned | EventType::Ping => return None,
        _ => K::Other,
    })
}

/// An event the portal has no kind for, in words.
fn other_words(t: &EventType) -> String {
    match t {
        EventType::DocumentCreated => "the document was created at Signicat".into(),
        EventType::DocumentPackaged => "Signicat made the signed files".into(),
        EventType::DocumentFormPartiallySigned | EventType::DocumentFormSigned => {
            "a form was signed".into()
        }
        other => format!("Signicat: {}", type_name(other).replace('_', " ")),
    }
}

fn type_name(t: &EventType) -> String {
    match t {
        EventType::Other(s) => s.clone(),
        known => serde_json::to_value(known)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

#[async_trait::async_trait]
impl Provider for Signicat {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Signicat
    }

    fn first_step(&self) -> &'static str {
        "create"
    }

    async fn step(&self, step: &str, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        match step {
            "create" => self.create(cx).await,
            _ => self.attachments(cx).await,
        }
    }

    async fn snapshot(&self, external_id: &str) -> Result<Snapshot, ProviderError> {
        let doc = self.client.get_document(external_id).await.map_err(lift)?;
        Ok(read::snapshot_of(&doc))
    }

    async fn cancel(
        &self,
        external_id: &str,
        reason: &str,
        _notify: bool,
    ) -> Result<Snapshot, ProviderError> {
        match self.client.cancel(external_id, reason).await {
            // Already closed: what it is now tells why.
            Ok(()) | Err(signicat::Error::Refused { status: 409, .. }) => {}
            Err(e) => return Err(lift(e)),
        }
        self.snapshot(external_id).await
    }

    async fn purge(&self, _external_id: &str) -> Result<(), ProviderError> {
        Err(ProviderError::Refused(
            "Signicat deletes documents itself, after the days the document allows".into(),
        ))
    }

    fn artifacts(&self, documents: &[DocumentRow], state: &str) -> Vec<ArtifactRef> {
        let state: Value = serde_json::from_str(state).unwrap_or_default();
        documents
            .iter()
            .enumerate()
            .map(|(i, d)| ArtifactRef {
                kind: "signed",
                file_id: if i == 0 {
                    "pades".into()
                } else {
                    format!(
                        "{ATTACHMENT}{}",
                        state["attachments"][d.id.to_string()]
                            .as_str()
                            .unwrap_or_default()
                    )
                },
                name: crate::providers::signhost::signed_name(&d.name),
            })
            .collect()
    }

    async fn download(
        &self,
        external_id: &str,
        _state: &str,
        a: &ArtifactRef,
    ) -> Result<Vec<u8>, ProviderError> {
        let bytes = match a.file_id.strip_prefix(ATTACHMENT) {
            Some("") => {
                return Err(ProviderError::Refused(format!(
                    "the portal did not keep Signicat's id of {}",
                    a.name
                )))
            }
            Some(aid) => self
                .client
                .attachment_file(external_id, aid, FileFormat::Pades)
                .await
                .map_err(lift)?,
            None => self
                .client
                .file(external_id, FileFormat::Pades)
                .await
                .map_err(lift)?,
        };
        Ok(bytes.to_vec())
    }

    fn inbound(&self, headers: &http::HeaderMap, body: &[u8]) -> Inbound {
        let given = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
        let signature = given.map(str::to_string);
        match verify(body, given, &self.webhook_secret) {
            Ok(event) if event.kind == EventType::Ping => Inbound {
                signature,
                ignore: Some("a ping (Signicat sends one when a webhook is set up)".into()),
                ..Default::default()
            },
            Ok(event) => Inbound {
                external_id: event.document_id().map(str::to_string),
                hint: Some(type_name(&event.kind)),
                signature,
                refused: None,
                ignore: None,
            },
            Err(e) => Inbound {
                signature,
                refused: Some(match e {
                    WebhookError::Malformed(_) => "not a Signicat event".into(),
                    e => e.to_string(),
                }),
                ..Default::default()
            },
        }
    }

    fn events_of(&self, body: &[u8]) -> Vec<ActivityRow> {
        let Ok(event) = serde_json::from_slice::<signicat::webhook::Event>(body) else {
            return Vec::new();
        };
        let Some(kind) = event_kind(&event.kind) else {
            return Vec::new();
        };
        let p = &event.payload;
        let info = p["message"]
            .as_str()
            .map(str::to_string)
            .or_else(|| (kind == EventKind::Other).then(|| other_words(&event.kind)));
        vec![ActivityRow {
            activity_id: event.id.clone(),
            signer_id: p["signerId"].as_str().unwrap_or_default().to_string(),
            kind: kind.as_str().into(),
            code: 0,
            info,
            happened_at: event.timestamp.clone().unwrap_or_default(),
        }]
    }

    fn status_of_hint(&self, hint: &str) -> Option<RequestStatus> {
        match hint {
            "document_signed" | "document_packaged" => Some(RequestStatus::Signed),
            "document_canceled" => Some(RequestStatus::Cancelled),
            "document_expired" => Some(RequestStatus::Expired),
            "document_created"
            | "document_partially_signed"
            | "document_link_opened"
            | "document_read" => Some(RequestStatus::Waiting),
            _ => None,
        }
    }
}
