//! The simulator's documents: their state, saved with optimistic locking
//! (a change is redone on a fresh read when someone saved in between), the
//! errors it answers with, and the events each change emits.

use app::ssr::db::sandbox_signicat as db;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use signicat::model::{
    Advanced, ContactDetails, DocumentSignature, DocumentStatus, DocumentStatusSummary, Packaging,
    SignerOptions,
};

use super::guess;
use crate::sandbox::Sandbox;

/// An error answer, in Signicat's problem-document shape.
#[derive(Debug)]
pub struct Fault {
    pub status: u16,
    pub body: Value,
}

fn trace() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl Fault {
    pub fn invalid(problems: Vec<(String, String)>) -> Fault {
        Fault {
            status: 400,
            body: guess::validation_body(&problems, &trace()),
        }
    }

    pub fn field(name: &str, reason: &str) -> Fault {
        Fault::invalid(vec![(name.to_string(), reason.to_string())])
    }

    pub fn new(status: u16, title: &str, detail: &str) -> Fault {
        Fault {
            status,
            body: guess::problem_body(status, title, detail, &trace()),
        }
    }

    pub fn not_found(what: &str) -> Fault {
        Fault::new(404, "Not Found", &format!("{what} was not found"))
    }

    pub fn conflict(detail: &str) -> Fault {
        Fault::new(409, "Conflict", detail)
    }
}

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.body)).into_response()
    }
}

pub fn internal(err: impl std::fmt::Display) -> Fault {
    tracing::error!(error = %err, "signicat sandbox failure");
    Fault::new(500, "Internal Server Error", "An internal error occurred.")
}

/// The document to sign: its name and packaging (the PDF is in the files table).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataFile {
    pub file_name: String,
    pub packaging: Packaging,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimSigner {
    pub id: String,
    pub url: String,
    #[serde(flatten)]
    pub options: SignerOptions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_signature: Option<DocumentSignature>,
    /// Simulator only (not in answers): the signer opened the page.
    #[serde(default)]
    pub link_opened: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimAttachment {
    pub id: String,
    pub file_name: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: signicat::model::AttachmentType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signers: Option<Vec<String>>,
}

/// A document as the simulator keeps it; its answer is this JSON without
/// the simulator-only keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimDoc {
    pub document_id: String,
    pub external_id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub contact_details: ContactDetails,
    pub data_to_sign: DataFile,
    pub signers: Vec<SimSigner>,
    pub status: DocumentStatusSummary,
    pub advanced: Advanced,
    #[serde(default)]
    pub attachments: Vec<SimAttachment>,
    pub created_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled_reason: Option<String>,
}

fn parse_time(t: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(t).ok()
}

impl SimDoc {
    pub fn is_final(&self) -> bool {
        matches!(
            self.status.document_status,
            DocumentStatus::Signed | DocumentStatus::Canceled | DocumentStatus::Expired
        )
    }

    pub fn deadline(&self) -> Option<DateTime<FixedOffset>> {
        self.advanced
            .time_to_live
            .as_ref()?
            .deadline
            .as_deref()
            .and_then(parse_time)
    }

    /// Signatures that complete the document (`requiredSignatures`, else every signer).
    pub fn required(&self) -> usize {
        self.advanced
            .required_signatures
            .map(|n| n as usize)
            .filter(|n| *n > 0)
            .unwrap_or(self.signers.len())
            .min(self.signers.len())
    }

    pub fn signatures(&self) -> usize {
        self.signers
            .iter()
            .filter(|s| s.document_signature.is_some())
            .count()
    }

    /// When the clock must look at it next (sandbox time): packaging after
    /// the last signature, else the deadline of a running document.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        match self.status.document_status {
            DocumentStatus::Signed if self.status.completed_packages.is_empty() => {
                let signed = self.signed_date.as_deref().and_then(parse_time)?;
                Some(
                    signed.with_timezone(&Utc)
                        + Duration::from_std(guess::PACKAGING_DELAY).unwrap_or_default(),
                )
            }
            _ if self.is_final() => None,
            _ => self.deadline().map(|d| d.with_timezone(&Utc)),
        }
    }

    pub fn signer(&self, id: &str) -> Option<&SimSigner> {
        self.signers.iter().find(|s| s.id == id)
    }

    pub fn signer_mut(&mut self, id: &str) -> Option<&mut SimSigner> {
        self.signers.iter_mut().find(|s| s.id == id)
    }

    /// The answer Signicat gives for the document.
    pub fn answer(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(signers) = v.get_mut("signers").and_then(Value::as_array_mut) {
            for s in signers {
                if let Some(o) = s.as_object_mut() {
                    o.remove("linkOpened");
                }
            }
        }
        if let Some(o) = v.as_object_mut() {
            o.remove("canceledReason");
        }
        v
    }
}

/// A document and the version it was read at.
pub async fn load(s: &Sandbox, id: &str) -> Result<(SimDoc, i64), Fault> {
    let row = db::find_document(&s.db, id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Fault::not_found("Document"))?;
    let doc = serde_json::from_str(&row.document).map_err(internal)?;
    Ok((doc, row.version))
}

/// An event to send once a change is saved.
pub struct Emit {
    pub kind: &'static str,
    pub payload: Value,
}

impl Emit {
    pub fn about(doc: &SimDoc, kind: &'static str, more: Value) -> Emit {
        let mut payload =
            json!({"documentId": doc.document_id, "externalDocumentId": doc.external_id});
        if let (Some(p), Value::Object(more)) = (payload.as_object_mut(), more) {
            p.extend(more);
        }
        Emit { kind, payload }
    }
}

/// Applies `change` to the newest version of a document and saves it; when
/// someone saved in between, reads again and redoes it. Then sends the
/// events the change produced.
pub async fn update<F>(s: &Sandbox, id: &str, mut change: F) -> Result<SimDoc, Fault>
where
    F: FnMut(&mut SimDoc) -> Result<Vec<Emit>, Fault>,
{
    for _ in 0..20 {
        let (mut doc, version) = load(s, id).await?;
        let events = change(&mut doc)?;
        let json = serde_json::to_string(&doc).map_err(internal)?;
        if db::update_document(&s.db, id, version, &json, doc.due_at(), Utc::now())
            .await
            .map_err(internal)?
        {
            for e in events {
                emit(s, &doc, e).await.map_err(internal)?;
            }
            return Ok(doc);
        }
    }
    Err(Fault::conflict("The document is being changed; try again."))
}

/// Records the event for the pull API and queues it for every webhook that wants it.
pub async fn emit(s: &Sandbox, doc: &SimDoc, e: Emit) -> Result<(), sqlx::Error> {
    let envelope = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "timestamp": s.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "accountId": guess::ACCOUNT_ID,
        "type": e.kind,
        "payload": e.payload,
        "tags": doc.advanced.tags,
    });
    let id = envelope["id"].as_str().unwrap_or_default().to_string();
    let body = envelope.to_string();
    db::insert_event(&s.db, &id, &doc.document_id, e.kind, &body, Utc::now()).await?;
    super::notify::deliver(s, &doc.document_id, e.kind, &body).await
}
