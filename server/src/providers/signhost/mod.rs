//! Signhost behind the portal's provider seam: the start job's steps
//! (create → upload → start), a transaction read as a [`Snapshot`], cancel,
//! delete, the archive's files, postbacks and the return redirect.

pub mod map;

use std::collections::HashMap;
use std::sync::Arc;

use app::model::request::RequestStatus;
use app::model::service::{EventKind, ProviderKind, SignerPhase};
use app::model::tracking::SignerState;
use app::ssr::db::activities::ActivityRow;
use app::ssr::db::documents::DocumentRow;
use app::ssr::provider::{
    ArtifactRef, Inbound, NewLink, Provider, ProviderError, ReturnTo, Sending, Snapshot, Step,
};
use bytes::Bytes;
use signhost::checksum::{verify_postback, PostbackError};
use signhost::model::{ActivityCode, Transaction, TransactionStatus};

pub struct Signhost {
    pub client: Arc<signhost::Client>,
    /// Where Signhost posts back (`<PUBLIC_URL>signhost/postback`).
    pub postback_url: String,
    /// Where Signhost sends a signer's browser (`<PUBLIC_URL>return`).
    pub return_url: String,
    /// Checks the checksum of each postback.
    pub shared_secret: String,
}

/// A Signhost error in the portal's terms.
pub fn lift(e: signhost::Error) -> ProviderError {
    {
        match e {
            signhost::Error::Gone { transaction } => {
                ProviderError::Gone(Some(Box::new(snapshot_of(&transaction))))
            }
            signhost::Error::NotFound { .. } => ProviderError::NotFound,
            e if e.is_retryable() => ProviderError::Retry(e.to_string()),
            e => ProviderError::Refused(e.message()),
        }
    }
}

/// The portal status for a Signhost transaction status code.
pub fn status_of(code: i64) -> RequestStatus {
    match code {
        30 => RequestStatus::Signed,
        40 => RequestStatus::Rejected,
        50 => RequestStatus::Expired,
        60 => RequestStatus::Cancelled,
        70 => RequestStatus::Broken,
        _ => RequestStatus::Waiting,
    }
}

/// The portal's word for a Signhost activity code (the same table as
/// migration 0008 used for the activities recorded before it).
pub fn event_kind(code: i64) -> EventKind {
    use EventKind as K;
    match code {
        101 => K::Invited,
        102 => K::InvitationReceived,
        103 => K::Opened,
        104 => K::Reminded,
        105 => K::Viewed,
        110 => K::Identified,
        111 => K::IdentityFailed,
        201 => K::Cancelled,
        202 => K::Declined,
        203 => K::Signed,
        204 => K::Delegated,
        301 => K::DocumentSent,
        302 => K::DocumentOpened,
        303 => K::DocumentDownloaded,
        401 => K::ReceiptSent,
        402 => K::ReceiptOpened,
        403 => K::ReceiptDownloaded,
        500 => K::Finished,
        600 => K::Deleted,
        700 => K::Expired,
        901..=904 => K::EmailBounced,
        999 => K::Failed,
        _ => K::Other,
    }
}

fn signer_state(s: &signhost::model::Signer) -> SignerState {
    let did = |code: ActivityCode| s.activities.iter().any(|a| a.code == code);
    let (status, at) = if s.signed_date_time.is_some() || did(ActivityCode::Signed) {
        (SignerPhase::Signed, s.signed_date_time)
    } else if s.reject_date_time.is_some() || did(ActivityCode::Rejected) {
        (SignerPhase::Rejected, s.reject_date_time)
    } else {
        (SignerPhase::Waiting, None)
    };
    SignerState {
        id: s.id.clone().unwrap_or_default(),
        email: s.email.clone().unwrap_or_default(),
        status: status.as_str().into(),
        at: at.map(|t| t.to_rfc3339()),
        reason: s.reject_reason.clone(),
    }
}

/// A transaction as Signhost returned it, in the portal's words.
pub fn snapshot_of(tx: &Transaction) -> Snapshot {
    let code = tx.status.map(|s| s.code() as i64).unwrap_or(10);
    let events = tx
        .signers
        .iter()
        .flat_map(|s| {
            s.activities.iter().map(move |a| {
                let code = a.code.code() as i64;
                ActivityRow {
                    activity_id: a.id.clone().unwrap_or_default(),
                    signer_id: s.id.clone().unwrap_or_default(),
                    kind: event_kind(code).as_str().into(),
                    code,
                    info: if a.code == ActivityCode::Rejected {
                        s.reject_reason.clone()
                    } else {
                        a.info.clone()
                    },
                    happened_at: a
                        .created_date_time
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_default(),
                }
            })
        })
        .collect();
    Snapshot {
        status: status_of(code),
        raw_status: code.to_string(),
        signers: tx.signers.iter().map(signer_state).collect(),
        events,
    }
}

impl Signhost {
    /// Creates the transaction, unless this request already has one that
    /// matches the draft (then it resumes). A transaction left from an
    /// earlier, refused attempt with other signers is cancelled first.
    async fn create(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let signers = cx.signers();
        let addresses = map::Addresses {
            postback_url: &self.postback_url,
            return_url: &self.return_url,
        };
        let wanted = map::transaction(
            cx.row.id,
            &cx.settings(),
            &signers,
            &cx.receivers(),
            &addresses,
        );
        let wanted_json =
            serde_json::to_string(&wanted).map_err(|e| ProviderError::Refused(e.to_string()))?;
        if let Some(old) = cx.row.external_id.clone() {
            if cx.row.sent_payload.as_deref() == Some(wanted_json.as_str()) {
                return Ok(Step::Next("upload"));
            }
            match self.client.delete_transaction(&old, None).await {
                Ok(_) | Err(signhost::Error::Gone { .. } | signhost::Error::NotFound { .. }) => {}
                Err(e) => return Err(lift(e)),
            }
            cx.forget().await?;
        }
        let created = self
            .client
            .create_transaction(&wanted)
            .await
            .map_err(lift)?;
        let Some(tid) = created.id.clone() else {
            return Err(ProviderError::Retry(
                "Signhost answered without a transaction id".into(),
            ));
        };
        let links = signers
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let id = map::signer_id(i + 1);
                let url = created
                    .signers
                    .iter()
                    .find(|c| c.id.as_deref() == Some(id.as_str()))
                    .and_then(|c| c.sign_url.clone())?;
                Some(NewLink {
                    token: None,
                    signer_key: s.key.clone(),
                    signer_id: id,
                    sign_url: url,
                })
            })
            .collect();
        // Saved before anything else, so a retry resumes instead of creating another.
        cx.created(&tid, &wanted_json, links).await?;
        Ok(Step::Next("upload"))
    }

    /// Puts each document's metadata and PDF; documents already there are skipped.
    async fn upload(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let Some(tid) = cx.row.external_id.clone() else {
            return Ok(Step::Next("create"));
        };
        let signers = cx.signers();
        for doc in cx.documents().await? {
            if doc.uploaded_at.is_some() {
                continue;
            }
            let file_id = map::file_id(doc.id);
            self.client
                .put_file_meta(&tid, &file_id, &map::file_meta(&doc.to_view(), &signers))
                .await
                .map_err(lift)?;
            let content = cx.content(doc.id).await?;
            self.client
                .put_file(&tid, &file_id, Bytes::from(content))
                .await
                .map_err(lift)?;
            cx.uploaded(doc.id).await?;
        }
        Ok(Step::Next("start"))
    }

    /// Starts the transaction; one that is already past "waiting for
    /// documents" was started by an earlier attempt.
    async fn start(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let Some(tid) = cx.row.external_id.clone() else {
            return Ok(Step::Next("create"));
        };
        let current = self.client.get_transaction(&tid).await.map_err(lift)?;
        if current.status == Some(TransactionStatus::WaitingForDocument) {
            self.client.start(&tid).await.map_err(lift)?;
        }
        Ok(Step::Live)
    }
}

#[async_trait::async_trait]
impl Provider for Signhost {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Signhost
    }

    fn first_step(&self) -> &'static str {
        "create"
    }

    async fn step(&self, step: &str, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        match step {
            "create" => self.create(cx).await,
            "upload" => self.upload(cx).await,
            _ => self.start(cx).await,
        }
    }

    async fn snapshot(&self, external_id: &str) -> Result<Snapshot, ProviderError> {
        Ok(snapshot_of(
            &self
                .client
                .get_transaction(external_id)
                .await
                .map_err(lift)?,
        ))
    }

    async fn cancel(
        &self,
        external_id: &str,
        reason: &str,
        notify: bool,
    ) -> Result<Snapshot, ProviderError> {
        let options = signhost::model::DeleteTransaction {
            send_notifications: notify,
            reason: Some(reason.to_string()),
        };
        let tx = self
            .client
            .delete_transaction(external_id, Some(&options))
            .await
            .map_err(lift)?;
        Ok(snapshot_of(&tx))
    }

    async fn purge(&self, external_id: &str) -> Result<(), ProviderError> {
        self.client
            .delete_transaction(external_id, None)
            .await
            .map_err(lift)?;
        Ok(())
    }

    fn artifacts(&self, documents: &[DocumentRow], _state: &str) -> Vec<ArtifactRef> {
        let mut files: Vec<ArtifactRef> = documents
            .iter()
            .map(|d| ArtifactRef {
                kind: "signed",
                file_id: map::file_id(d.id),
                name: signed_name(&d.name),
            })
            .collect();
        files.push(ArtifactRef {
            kind: "receipt",
            file_id: "receipt".into(),
            name: "Receipt.pdf".into(),
        });
        files
    }

    async fn download(
        &self,
        external_id: &str,
        _state: &str,
        a: &ArtifactRef,
    ) -> Result<Vec<u8>, ProviderError> {
        let bytes = match a.kind {
            "receipt" => self.client.get_receipt(external_id).await.map_err(lift)?,
            _ => self
                .client
                .get_file(external_id, &a.file_id)
                .await
                .map_err(lift)?,
        };
        Ok(bytes.to_vec())
    }

    fn inbound(&self, headers: &http::HeaderMap, body: &[u8]) -> Inbound {
        let header_checksum = headers.get("checksum").and_then(|v| v.to_str().ok());
        let verdict = verify_postback(body, header_checksum, &self.shared_secret);
        let loose: Option<Transaction> = serde_json::from_slice(body).ok();
        let refused = match &verdict {
            Ok(_) => None,
            Err(PostbackError::Malformed(_)) => Some("not a transaction".to_string()),
            Err(e) => Some(e.to_string()),
        };
        Inbound {
            external_id: loose.as_ref().and_then(|t| t.id.clone()),
            hint: loose
                .as_ref()
                .and_then(|t| t.status)
                .map(|s| s.code().to_string()),
            signature: header_checksum
                .map(str::to_string)
                .or_else(|| loose.as_ref().and_then(|t| t.checksum.clone())),
            refused,
            ignore: None,
        }
    }

    fn file_ref(&self, document_id: i64) -> String {
        map::file_id(document_id)
    }

    fn status_of_hint(&self, hint: &str) -> Option<RequestStatus> {
        hint.parse().ok().map(status_of)
    }

    fn return_lookup(&self, query: &HashMap<String, String>) -> Option<ReturnTo> {
        Some(ReturnTo {
            external_id: query.get("sh_transactionid")?.clone(),
            signer_id: query.get("sh_signerid")?.clone(),
        })
    }
}

/// "Lease.pdf" → "Lease (signed).pdf".
pub fn signed_name(name: &str) -> String {
    match name
        .strip_suffix(".pdf")
        .or_else(|| name.strip_suffix(".PDF"))
    {
        Some(stem) => format!("{stem} (signed).pdf"),
        None => format!("{name} (signed).pdf"),
    }
}
