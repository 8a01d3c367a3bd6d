//! The worker: one room for the background duties of every portal
//! instance. Jobs (sending a request, one durable step at a time; archiving
//! a signed one) are claimed with a lease so that several instances share
//! them; stored postbacks and webhooks are turned into a fetch of the
//! truth; requests still waiting are checked now and then.

mod archive;
mod news;
mod send;

use std::sync::Arc;
use std::time::Duration;

use app::model::request::RequestStatus;
use app::model::service::ProviderKind;
use app::ssr::db::{jobs, requests, Db};
use app::ssr::provider::{ProviderError, Providers};
use app::ssr::requests::START_JOB;
use app::ssr::tracking::ARCHIVE_JOB;
use chrono::Utc;
use tokio::sync::Notify;

/// How long a claimed job is ours without renewal; another instance may
/// take it after. Renewed every third of it while a step works, so a long
/// step (a 50 MB upload) keeps its job and a crashed instance's job is
/// taken over within a minute.
pub const LEASE: Duration = Duration::from_secs(45);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: u64 = 300;

pub struct Worker {
    pub db: Db,
    /// The signing services this portal speaks.
    pub providers: Providers,
    /// Unique per running instance.
    pub id: String,
    /// How often a request waiting for signers is checked at its service.
    pub check_every: Duration,
    /// Wakes the loop when there is more to do.
    pub wake: Arc<Notify>,
    /// How long a claimed job is held without renewal ([`LEASE`]).
    pub lease: Duration,
}

/// How a step ended.
pub(crate) enum Outcome {
    Next(&'static str),
    Done,
}

/// Why a step did not finish.
pub(crate) enum StepError {
    /// Worth trying again later (the service's 5xx or unreachable, database).
    Retry(String),
    /// The service refused; staff must change something.
    Refused(String),
    /// Waits for a person to bring `service` back (see `jobs::pause`).
    Paused { service: String, why: String },
}

impl From<sqlx::Error> for StepError {
    fn from(e: sqlx::Error) -> Self {
        StepError::Retry(format!("database: {e}"))
    }
}

impl StepError {
    /// A service's error, where the service is known (so a pause names it).
    fn of(service: ProviderKind) -> impl Fn(ProviderError) -> StepError {
        move |e| match e {
            ProviderError::Paused(why) => StepError::Paused {
                service: service.as_str().to_string(),
                why,
            },
            e => e.into(),
        }
    }
}

impl From<ProviderError> for StepError {
    fn from(e: ProviderError) -> Self {
        match e {
            // Without knowing the service it waits for, it waits as a retry.
            ProviderError::Retry(m) | ProviderError::Paused(m) => StepError::Retry(m),
            e => StepError::Refused(e.message()),
        }
    }
}

/// Runs `work` for a job claimed by `worker`, renewing its lease every
/// third of `lease` until the work ends.
pub async fn under_lease<T>(
    db: &Db,
    job_id: i64,
    worker: &str,
    lease: Duration,
    work: impl std::future::Future<Output = T>,
) -> T {
    tokio::pin!(work);
    let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + lease / 3, lease / 3);
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = renew.tick() => {
                let until = Utc::now() + chrono::Duration::from_std(lease).unwrap_or_default();
                match jobs::renew(db, job_id, worker, until).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(job_id, "job lease lost; another worker may take it"),
                    Err(e) => tracing::warn!(job_id, error = %e, "job lease not renewed"),
                }
            }
        }
    }
}

impl Worker {
    /// A worker that speaks Signhost only, at `signhost`.
    pub fn new(
        db: Db,
        signhost: signhost::Client,
        postback_url: String,
        return_url: String,
    ) -> Self {
        let adapter = crate::providers::signhost(signhost, postback_url, return_url, String::new());
        Self::with_providers(
            db,
            crate::providers::registry(vec![adapter], ProviderKind::Signhost),
        )
    }

    pub fn with_providers(db: Db, providers: Providers) -> Self {
        Worker {
            db,
            providers,
            id: uuid::Uuid::new_v4().to_string(),
            check_every: Duration::from_secs(300),
            wake: Arc::new(Notify::new()),
            lease: LEASE,
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
        let until = now + chrono::Duration::from_std(self.lease).unwrap_or_default();
        let Some(job) = jobs::claim(&self.db, &self.id, now, until).await? else {
            return Ok(false);
        };
        let step = async {
            match job.kind.as_str() {
                START_JOB => self.send_step(job.request_id, &job.step).await,
                ARCHIVE_JOB => match requests::find(&self.db, job.request_id).await {
                    Ok(Some(row)) => self.archive(&row).await,
                    Ok(None) => Ok(Outcome::Done),
                    Err(e) => Err(e.into()),
                },
                other => Err(StepError::Refused(format!("unknown job kind {other}"))),
            }
        };
        // Everything the step logs (its service calls too) names the job and request.
        let span = tracing::info_span!("job", job_id = job.id, request_id = job.request_id, kind = %job.kind, step = %job.step);
        let started = std::time::Instant::now();
        let outcome = tracing::Instrument::instrument(
            under_lease(&self.db, job.id, &self.id, self.lease, step),
            span,
        )
        .await;
        let label = match &outcome {
            Ok(Outcome::Next(_)) => "next",
            Ok(Outcome::Done) => "done",
            Err(StepError::Retry(_)) => "retry",
            Err(StepError::Paused { .. }) => "paused",
            Err(StepError::Refused(_)) => "refused",
        };
        crate::metrics::job(&job.kind, label, started.elapsed().as_secs_f64());
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
            Err(StepError::Paused { service, why }) => {
                tracing::warn!(request_id = job.request_id, step = %job.step, %why, "job paused until the service is back");
                jobs::pause(&self.db, job.id, &self.id, &why, &service, now).await?;
            }
            Err(StepError::Refused(message)) if archive => {
                // Archiving never gives up on its own: try again in an hour.
                tracing::error!(request_id = job.request_id, %message, "archiving failed");
                let at = now + chrono::Duration::hours(1);
                jobs::retry_later(&self.db, job.id, &self.id, &message, at, now).await?;
            }
            Err(StepError::Refused(message)) => {
                tracing::warn!(request_id = job.request_id, step = %job.step, %message, "the signing service refused the request");
                let mut t = self.db.begin().await?;
                requests::set_status(
                    &mut t,
                    job.request_id,
                    RequestStatus::Failed,
                    Some(&message),
                    now,
                )
                .await?;
                jobs::finish(&mut t, job.id, &self.id, Some(&message), now).await?;
                t.commit().await?;
            }
        }
        Ok(true)
    }
}
