//! The start job: sends a prepared request to Signhost, one durable step at
//! a time (create → upload → start), so a restart resumes where it was and
//! one request never gets a second Signhost transaction.

pub mod map;

use std::sync::Arc;
use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::requests::RequestRow;
use app::ssr::db::signer_links::LinkRow;
use app::ssr::db::{documents, jobs, requests, signer_links, tracking, Db};
use app::ssr::requests::{receivers_of, signers_of, START_JOB};
use app::ssr::tracking::ARCHIVE_JOB;
use bytes::Bytes;
use chrono::Utc;
use signhost::model::TransactionStatus;
use tokio::sync::Notify;

/// How long a claimed job is ours; another instance may take it after.
const LEASE: Duration = Duration::from_secs(600);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: u64 = 300;

pub struct Worker {
    pub db: Db,
    pub signhost: Arc<signhost::Client>,
    pub postback_url: String,
    pub return_url: String,
    /// Unique per running instance.
    pub id: String,
    /// How often a request waiting for signers is checked at Signhost.
    pub check_every: Duration,
    /// Wakes the loop when there is more to do.
    pub wake: Arc<Notify>,
}

/// How a step ended.
pub(crate) enum Outcome {
    Next(&'static str),
    Done,
}

/// Why a step did not finish.
pub(crate) enum StepError {
    /// Worth trying again later (Signhost 5xx or unreachable, database).
    Retry(String),
    /// Signhost refused; staff must change something.
    Refused(String),
}

impl From<sqlx::Error> for StepError {
    fn from(e: sqlx::Error) -> Self {
        StepError::Retry(format!("database: {e}"))
    }
}

impl From<signhost::Error> for StepError {
    fn from(e: signhost::Error) -> Self {
        if e.is_retryable() {
            StepError::Retry(e.to_string())
        } else {
            StepError::Refused(e.message())
        }
    }
}

impl Worker {
    pub fn new(
        db: Db,
        signhost: signhost::Client,
        postback_url: String,
        return_url: String,
    ) -> Self {
        Worker {
            db,
            signhost: Arc::new(signhost),
            postback_url,
            return_url,
            id: uuid::Uuid::new_v4().to_string(),
            check_every: Duration::from_secs(300),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Does one round of every duty; true when something was done.
    pub async fn tick(&self) -> sqlx::Result<bool> {
        let job = self.run_next().await?;
        let postback = self.process_postback().await?;
        let checked = self.reconcile_due().await? > 0;
        Ok(job || postback || checked)
    }

    /// Works until the process ends; `wake` cuts the wait short.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.tick().await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "worker could not reach the database"),
                }
                let _ = tokio::time::timeout(Duration::from_secs(1), self.wake.notified()).await;
            }
        })
    }

    /// Claims one due job and runs one step of it. False when nothing was due.
    pub async fn run_next(&self) -> sqlx::Result<bool> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
        let Some(job) = jobs::claim(&self.db, &self.id, now, until).await? else {
            return Ok(false);
        };
        let outcome = match job.kind.as_str() {
            START_JOB => self.step(job.request_id, &job.step).await,
            ARCHIVE_JOB => match requests::find(&self.db, job.request_id).await {
                Ok(Some(row)) => self.archive(&row).await,
                Ok(None) => Ok(Outcome::Done),
                Err(e) => Err(e.into()),
            },
            other => Err(StepError::Refused(format!("unknown job kind {other}"))),
        };
        let archive = job.kind == ARCHIVE_JOB;
        let now = Utc::now();
        match outcome {
            Ok(Outcome::Next(step)) => {
                tracing::info!(request_id = job.request_id, step, "start job: next step");
                jobs::advance(&self.db, job.id, &self.id, step, now).await?;
            }
            Ok(Outcome::Done) => {
                tracing::info!(request_id = job.request_id, kind = %job.kind, "job done");
                jobs::finish(&self.db, job.id, &self.id, None, now).await?;
            }
            Err(StepError::Retry(error)) => {
                let wait = 2u64
                    .saturating_pow(job.attempts.clamp(0, 16) as u32)
                    .min(MAX_BACKOFF_SECS);
                tracing::warn!(request_id = job.request_id, step = %job.step, %error, wait, "start job: will retry");
                let at = now + chrono::Duration::seconds(wait as i64);
                jobs::retry_later(&self.db, job.id, &self.id, &error, at, now).await?;
            }
            Err(StepError::Refused(message)) if archive => {
                // Archiving never gives up on its own: try again in an hour.
                tracing::error!(request_id = job.request_id, %message, "archiving failed");
                let at = now + chrono::Duration::hours(1);
                jobs::retry_later(&self.db, job.id, &self.id, &message, at, now).await?;
            }
            Err(StepError::Refused(message)) => {
                tracing::warn!(request_id = job.request_id, step = %job.step, %message, "Signhost refused the request");
                requests::set_status(
                    &self.db,
                    job.request_id,
                    RequestStatus::Failed,
                    Some(&message),
                    now,
                )
                .await?;
                jobs::finish(&self.db, job.id, &self.id, Some(&message), now).await?;
            }
        }
        Ok(true)
    }

    async fn step(&self, request_id: i64, step: &str) -> Result<Outcome, StepError> {
        let Some(row) = requests::find(&self.db, request_id).await? else {
            return Ok(Outcome::Done);
        };
        if row.status() != RequestStatus::Starting {
            return Ok(Outcome::Done);
        }
        match step {
            "create" => self.create(&row).await,
            "upload" => self.upload(&row).await,
            _ => self.start(&row).await,
        }
    }

    /// Creates the transaction, unless this request already has one that
    /// matches the draft (then it resumes). A transaction left from an
    /// earlier, refused attempt with other signers is cancelled first.
    async fn create(&self, row: &RequestRow) -> Result<Outcome, StepError> {
        let signers = signers_of(row);
        let addresses = map::Addresses {
            postback_url: &self.postback_url,
            return_url: &self.return_url,
        };
        let wanted = map::transaction(
            row.id,
            &row.settings(),
            &signers,
            &receivers_of(row),
            &addresses,
        );
        let wanted_json =
            serde_json::to_string(&wanted).map_err(|e| StepError::Refused(e.to_string()))?;
        let now = Utc::now();
        if let Some(old) = &row.signhost_id {
            if row.sent_transaction.as_deref() == Some(wanted_json.as_str()) {
                return Ok(Outcome::Next("upload"));
            }
            match self.signhost.delete_transaction(old, None).await {
                Ok(_) | Err(signhost::Error::Gone { .. } | signhost::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            requests::set_signhost(&self.db, row.id, None, None, now).await?;
            signer_links::delete_for(&self.db, row.id).await?;
            documents::clear_uploaded(&self.db, row.id).await?;
        }
        let created = self.signhost.create_transaction(&wanted).await?;
        let Some(tid) = created.id.clone() else {
            return Err(StepError::Retry(
                "Signhost answered without a transaction id".into(),
            ));
        };
        // Saved before anything else, so a retry resumes instead of creating another.
        requests::set_signhost(&self.db, row.id, Some(&tid), Some(&wanted_json), now).await?;
        for (i, s) in signers.iter().enumerate() {
            let id = map::signer_id(i + 1);
            let url = created
                .signers
                .iter()
                .find(|c| c.id.as_deref() == Some(id.as_str()))
                .and_then(|c| c.sign_url.clone());
            if let Some(sign_url) = url {
                let link = LinkRow {
                    token: new_token(),
                    request_id: row.id,
                    signer_key: s.key.clone(),
                    signer_id: id,
                    sign_url,
                };
                signer_links::upsert(&self.db, &link, now).await?;
            }
        }
        Ok(Outcome::Next("upload"))
    }

    /// Puts each document's metadata and PDF; documents already there are skipped.
    async fn upload(&self, row: &RequestRow) -> Result<Outcome, StepError> {
        let Some(tid) = &row.signhost_id else {
            return Ok(Outcome::Next("create"));
        };
        let signers = signers_of(row);
        for doc in documents::list(&self.db, row.id).await? {
            if doc.uploaded_at.is_some() {
                continue;
            }
            let file_id = map::file_id(doc.id);
            self.signhost
                .put_file_meta(tid, &file_id, &map::file_meta(&doc.to_view(), &signers))
                .await?;
            let content = documents::content(&self.db, row.id, doc.id)
                .await?
                .ok_or_else(|| StepError::Retry("document vanished".into()))?;
            self.signhost
                .put_file(tid, &file_id, Bytes::from(content))
                .await?;
            documents::mark_uploaded(&self.db, doc.id, Utc::now()).await?;
        }
        Ok(Outcome::Next("start"))
    }

    /// Starts the transaction; one that is already past "waiting for
    /// documents" was started by an earlier attempt.
    async fn start(&self, row: &RequestRow) -> Result<Outcome, StepError> {
        let Some(tid) = &row.signhost_id else {
            return Ok(Outcome::Next("create"));
        };
        let current = self.signhost.get_transaction(tid).await?;
        if current.status == Some(TransactionStatus::WaitingForDocument) {
            self.signhost.start(tid).await?;
        }
        let now = Utc::now();
        requests::set_status(&self.db, row.id, RequestStatus::Waiting, None, now).await?;
        let first_check = now + chrono::Duration::from_std(self.check_every).unwrap_or_default();
        tracking::schedule_check(&self.db, row.id, first_check, 0).await?;
        Ok(Outcome::Done)
    }
}

/// An unguessable token for a signer link (244 random bits).
fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
