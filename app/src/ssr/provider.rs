//! The seam between the portal and a signing service. The core (the start
//! job, the news intake, reconciliation, the landing page, cancel, the
//! archive) calls a [`Provider`]; each service's adapter (in the server's
//! `providers` room) implements it on top of its wire crate. The core owns
//! the job queue, the forward-only status, the activities, the archive
//! bookkeeping and the audit log; an adapter owns its steps, its ids and
//! what its statuses mean.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;

use crate::model::request::{Receiver, RequestStatus, Settings, Signer};
use crate::model::service::{Capabilities, Offered, ProviderKind};
use crate::model::tracking::SignerState;
use crate::ssr::db::activities::ActivityRow;
use crate::ssr::db::documents::DocumentRow;
use crate::ssr::db::requests::RequestRow;
use crate::ssr::db::signer_links::LinkRow;
use crate::ssr::db::{documents, requests, signer_links, Db};
use crate::ssr::faults;

/// What a service says about a request, in the portal's words (with its
/// own status beside them). Fetched from the service, never taken from a
/// message it pushed.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub status: RequestStatus,
    /// The service's status as it said it ("30", "partialsigned").
    pub raw_status: String,
    /// Each signer, by the service's signer id.
    pub signers: Vec<SignerState>,
    /// Everything that happened, with an id the service keeps stable.
    pub events: Vec<ActivityRow>,
}

/// Why a call to a service did not work.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderError {
    /// Worth trying again later (5xx, unreachable, the database).
    Retry(String),
    /// The service refused; staff must change something.
    Refused(String),
    /// The service has cleaned the request up; what it still said, if anything.
    Gone(Option<Box<Snapshot>>),
    /// The service does not know the request.
    NotFound,
    /// Only a person can bring the service back (an admin reconnecting the
    /// account): what needs it waits, without counting attempts, until then.
    Paused(String),
}

impl ProviderError {
    pub fn message(&self) -> String {
        match self {
            ProviderError::Retry(m) | ProviderError::Refused(m) | ProviderError::Paused(m) => {
                m.clone()
            }
            ProviderError::Gone(_) => "the signing service no longer has this request".into(),
            ProviderError::NotFound => "the signing service does not know this request".into(),
        }
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl From<sqlx::Error> for ProviderError {
    fn from(e: sqlx::Error) -> Self {
        ProviderError::Retry(format!("database: {e}"))
    }
}

/// How a step of the start job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Go on with this step.
    Next(&'static str),
    /// Sent: now it waits for the signers.
    Live,
}

/// A file the archive keeps: `kind` is `signed` or `receipt`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactRef {
    pub kind: &'static str,
    pub file_id: String,
    pub name: String,
}

/// What an inbound message (postback, webhook) says about itself; read in
/// the HTTP handler, without I/O.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inbound {
    pub external_id: Option<String>,
    /// The status it claims (only a hint).
    pub hint: Option<String>,
    /// Its own proof of origin, as sent.
    pub signature: Option<String>,
    /// `None` when authentic; else why it is quarantined.
    pub refused: Option<String>,
    /// Authentic but nothing to act on (a webhook's `ping`): why.
    pub ignore: Option<String>,
}

/// A signer's browser coming back from the service's signing page.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnTo {
    pub external_id: String,
    pub signer_id: String,
}

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    fn capabilities(&self) -> &'static Capabilities {
        self.kind().capabilities()
    }

    /// The start job's first step.
    fn first_step(&self) -> &'static str;

    /// Runs one durable step of sending; the core records the next one. A
    /// step that creates something at the service saves its id (through
    /// [`Sending::created`]) before it returns, so a retry resumes.
    async fn step(&self, step: &str, cx: &mut Sending<'_>) -> Result<Step, ProviderError>;

    /// The truth about a request, fetched from the service.
    async fn snapshot(&self, external_id: &str) -> Result<Snapshot, ProviderError>;

    /// Cancels a waiting request; the state it is in afterwards.
    async fn cancel(
        &self,
        external_id: &str,
        reason: &str,
        notify: bool,
    ) -> Result<Snapshot, ProviderError>;

    /// Deletes a finished (archived) request at the service.
    async fn purge(&self, external_id: &str) -> Result<(), ProviderError>;

    /// The files to archive once a request is signed.
    /// The files to archive once a request is signed (`state`: what the
    /// adapter kept, e.g. the service's ids of further documents).
    fn artifacts(&self, documents: &[DocumentRow], state: &str) -> Vec<ArtifactRef>;

    async fn download(
        &self,
        external_id: &str,
        state: &str,
        a: &ArtifactRef,
    ) -> Result<Vec<u8>, ProviderError>;

    /// Authenticates and reads an inbound message.
    fn inbound(&self, headers: &http::HeaderMap, body: &[u8]) -> Inbound;

    /// What an authentic message itself reports for the timeline (services
    /// whose webhooks carry events: Signicat); read again when it is processed.
    fn events_of(&self, _body: &[u8]) -> Vec<ActivityRow> {
        Vec::new()
    }

    /// How the service names a document in what it reports (Signhost:
    /// `document-{id}.pdf`), so the timeline can name it as staff do.
    fn file_ref(&self, document_id: i64) -> String {
        document_id.to_string()
    }

    /// A status a message claimed, in the portal's words.
    fn status_of_hint(&self, _hint: &str) -> Option<RequestStatus> {
        None
    }

    /// Reads the service's own parameters on a return to the landing page.
    fn return_lookup(&self, _query: &HashMap<String, String>) -> Option<ReturnTo> {
        None
    }

    /// For a service without a signer page of its own, what the page the
    /// portal hosts asks of it (`capabilities().hosted_signing`).
    fn hosted(&self) -> Option<&dyn Hosted> {
        None
    }
}

/// Where a signer stands on a signing page the portal hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// An earlier signer signs first (their name).
    After(String),
    /// Theirs to sign; `otp`: a one-time code is sent to them first.
    Open {
        otp: bool,
    },
    /// The service is making their signatures.
    Signing,
    Signed,
    Declined,
    /// Too many wrong codes: the service will not sign for them any more.
    Locked,
    /// The request is closed (expired, cancelled, or declined by someone else).
    Closed,
}

/// Why a one-time code did not sign.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeError {
    /// Not the code sent (tries left, when the service said).
    Wrong {
        tries_left: Option<u32>,
    },
    /// Too many wrong codes.
    Locked,
    /// The code is no longer valid, or none was sent: ask for a new one.
    Stale,
    Service(ProviderError),
}

impl From<ProviderError> for CodeError {
    fn from(e: ProviderError) -> Self {
        CodeError::Service(e)
    }
}

impl From<sqlx::Error> for CodeError {
    fn from(e: sqlx::Error) -> Self {
        CodeError::Service(e.into())
    }
}

/// A service's side of the signing page the portal hosts. The portal
/// shows the documents, takes consent and the code and keeps the proof;
/// the adapter makes the service sign, one signer after the other.
#[async_trait::async_trait]
pub trait Hosted: Send + Sync {
    /// Where the signer stands (an adapter may prepare their turn here:
    /// CertEurope makes their signature requests from the previous signer's output).
    async fn turn(&self, row: &RequestRow, signer_key: &str) -> Result<Turn, ProviderError>;

    /// A document as this signer signs it (after the earlier signers' signatures).
    async fn document(
        &self,
        row: &RequestRow,
        signer_key: &str,
        document_id: i64,
    ) -> Result<Vec<u8>, ProviderError>;

    /// Has the service send the signer a one-time code.
    async fn send_code(&self, row: &RequestRow, signer_key: &str) -> Result<(), ProviderError>;

    /// Signs for the signer (with the code they entered, when one was sent).
    async fn sign(
        &self,
        row: &RequestRow,
        signer_key: &str,
        code: Option<&str>,
    ) -> Result<(), CodeError>;

    /// The signer declines.
    async fn decline(
        &self,
        row: &RequestRow,
        signer_key: &str,
        reason: &str,
    ) -> Result<(), ProviderError>;
}

/// The services configured on this portal.
#[derive(Clone, Default)]
pub struct Providers {
    by_kind: Arc<HashMap<ProviderKind, Arc<dyn Provider>>>,
    /// Offered for new drafts when staff do not choose.
    pub default: ProviderKind,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.by_kind.keys().map(|k| k.as_str()).collect();
        kinds.sort();
        f.debug_struct("Providers")
            .field("configured", &kinds)
            .field("default", &self.default)
            .finish()
    }
}

impl Providers {
    pub fn new(list: Vec<Arc<dyn Provider>>, default: ProviderKind) -> Providers {
        Providers {
            by_kind: Arc::new(list.into_iter().map(|p| (p.kind(), p)).collect()),
            default,
        }
    }

    /// These services and `more` (which replace any of the same kind).
    pub fn with(self, more: Vec<Arc<dyn Provider>>) -> Providers {
        let mut by_kind = (*self.by_kind).clone();
        for p in more {
            by_kind.insert(p.kind(), p);
        }
        Providers {
            by_kind: Arc::new(by_kind),
            default: self.default,
        }
    }

    pub fn get(&self, kind: ProviderKind) -> Option<Arc<dyn Provider>> {
        self.by_kind.get(&kind).cloned()
    }

    /// The adapter of a request's service (by its stored name).
    pub fn of(&self, provider: &str) -> Option<Arc<dyn Provider>> {
        ProviderKind::parse(provider).and_then(|k| self.get(k))
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Provider>> {
        self.by_kind.values()
    }

    /// The services staff may choose, the default first.
    pub fn offered(&self) -> Vec<Offered> {
        let mut kinds: Vec<ProviderKind> = self.by_kind.keys().copied().collect();
        kinds.sort_by_key(|k| (*k != self.default, k.as_str()));
        kinds
            .into_iter()
            .map(|k| Offered {
                kind: k,
                label: k.label().into(),
                experimental: k.capabilities().contract
                    == crate::model::service::Contract::Inferred,
            })
            .collect()
    }
}

/// A signer link to save with the service's id of a new request.
pub struct NewLink {
    /// The portal's token for the signer, when the adapter chose it before
    /// creating (it went into the service's redirect URL); else a new one.
    pub token: Option<String>,
    pub signer_key: String,
    /// The service's signer id.
    pub signer_id: String,
    /// The service's signing page for the signer ("" when the portal hosts it).
    pub sign_url: String,
}

/// What a step of the start job may read and record.
pub struct Sending<'a> {
    pub db: &'a Db,
    pub row: RequestRow,
}

impl Sending<'_> {
    pub fn settings(&self) -> Settings {
        self.row.settings()
    }

    pub fn signers(&self) -> Vec<Signer> {
        self.row.signer_list()
    }

    pub fn receivers(&self) -> Vec<Receiver> {
        self.row.receiver_list()
    }

    pub async fn documents(&self) -> sqlx::Result<Vec<DocumentRow>> {
        documents::list(self.db, self.row.id).await
    }

    pub async fn content(&self, document_id: i64) -> Result<Vec<u8>, ProviderError> {
        documents::content(self.db, self.row.id, document_id)
            .await?
            .ok_or_else(|| ProviderError::Retry("document vanished".into()))
    }

    /// Notes that a document reached the service.
    pub async fn uploaded(&self, document_id: i64) -> sqlx::Result<()> {
        documents::mark_uploaded(self.db, document_id, Utc::now()).await
    }

    /// Saves the service's id of the new request with what was sent and the
    /// signers' links, together (a crash in between must not leave the
    /// signers without links on resume).
    pub async fn created(
        &mut self,
        external_id: &str,
        payload: &str,
        links: Vec<NewLink>,
    ) -> sqlx::Result<()> {
        let now = Utc::now();
        let mut t = self.db.begin().await?;
        requests::set_external(&mut t, self.row.id, Some(external_id), Some(payload), now).await?;
        faults::check(self.row.id, "create: transaction saved")?;
        for l in links {
            let link = LinkRow {
                token: l.token.unwrap_or_else(new_token),
                request_id: self.row.id,
                signer_key: l.signer_key,
                signer_id: l.signer_id,
                sign_url: l.sign_url,
            };
            signer_links::upsert(&mut t, &link, now).await?;
        }
        t.commit().await?;
        self.row.external_id = Some(external_id.into());
        self.row.sent_payload = Some(payload.into());
        Ok(())
    }

    /// Keeps what the adapter must remember between its steps (JSON), at
    /// once: saved before a call whose answer might be lost in a crash.
    pub async fn save_state(&mut self, state: &serde_json::Value) -> sqlx::Result<()> {
        let json = state.to_string();
        requests::set_provider_state(self.db, self.row.id, &json, Utc::now()).await?;
        self.row.provider_state = json;
        Ok(())
    }

    /// What the adapter kept (an empty object when nothing yet).
    pub fn state(&self) -> serde_json::Value {
        serde_json::from_str(&self.row.provider_state).unwrap_or_else(|_| serde_json::json!({}))
    }

    /// Forgets what an earlier, refused attempt created (after the adapter
    /// removed it at the service).
    pub async fn forget(&mut self) -> sqlx::Result<()> {
        let mut t = self.db.begin().await?;
        requests::set_external(&mut t, self.row.id, None, None, Utc::now()).await?;
        signer_links::delete_for(&mut t, self.row.id).await?;
        documents::clear_uploaded(&mut t, self.row.id).await?;
        t.commit().await?;
        self.row.external_id = None;
        self.row.sent_payload = None;
        Ok(())
    }
}

/// An unguessable token for a signer link (244 random bits).
pub fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
