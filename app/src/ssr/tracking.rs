//! The one way in for news about a sent request: whatever the hint (a
//! postback or webhook, a signer's browser coming back, the periodic
//! check), the portal asks the service for the truth and applies it: the
//! status (forward only), each signer's state, the activities (merged), and
//! the archive job once everything is signed, in one transaction.

use chrono::{DateTime, Utc};

use crate::model::request::RequestStatus;
use crate::ssr::db::activities;
use crate::ssr::db::{audit, jobs, tracking, Db, Tx};
use crate::ssr::faults;
use crate::ssr::provider::{Provider, ProviderError, Snapshot};

pub const ARCHIVE_JOB: &str = "archive";

/// What `apply` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub status: RequestStatus,
    /// The status moved (false for news that was old or already known).
    pub changed: bool,
    pub new_activities: u64,
}

/// Applies what the service said when asked (never a message's body alone:
/// a message is only a hint to ask).
pub async fn apply(
    db: &Db,
    request_id: i64,
    tx: &Snapshot,
    now: DateTime<Utc>,
) -> sqlx::Result<Applied> {
    // One transaction: the status, the activities, the audit line and the
    // archive job land together, so a crash between them cannot leave a
    // signed request that is never archived.
    let mut t = db.begin().await?;
    let applied = apply_in(&mut t, request_id, tx, now).await?;
    t.commit().await?;
    Ok(applied)
}

/// [`apply`] inside the caller's transaction (with writes of its own that
/// must land with it).
pub async fn apply_in(
    t: &mut Tx,
    request_id: i64,
    tx: &Snapshot,
    now: DateTime<Utc>,
) -> sqlx::Result<Applied> {
    let status = tx.status;
    let states = &tx.signers;
    let signed = states.iter().filter(|s| s.status == "signed").count() as i64;
    let json = serde_json::to_string(&states).unwrap_or_else(|_| "[]".into());
    let before = tracking::lock_status(&mut *t, request_id)
        .await?
        .map(|s| RequestStatus::parse(&s));
    let observed = tracking::observe(
        &mut *t,
        request_id,
        &tracking::Observed {
            status,
            provider_status: &tx.raw_status,
            signers_signed: signed,
            signer_states_json: &json,
            fetched_at: now,
        },
        now,
    )
    .await?;
    faults::check(request_id, "apply: status recorded")?;
    let new_activities = activities::merge(&mut *t, request_id, &tx.events).await?;
    if new_activities > 0 {
        tracking::touch(&mut *t, request_id, now).await?;
    }
    faults::check(request_id, "apply: activities merged")?;
    let changed = observed && before != Some(status);
    let current = if observed {
        status
    } else {
        before.unwrap_or(status)
    };
    if changed {
        audit::record(&mut *t, request_id, None, "status", status.label(), now).await?;
        faults::check(request_id, "apply: status audited")?;
        if status == RequestStatus::Signed {
            jobs::enqueue(&mut *t, ARCHIVE_JOB, request_id, "download", now).await?;
        }
    }
    Ok(Applied {
        status: current,
        changed,
        new_activities,
    })
}

/// Asks the service for the truth about a request and applies it. The
/// time is taken before asking, so every message received until then is
/// covered by this answer.
pub async fn refresh(
    db: &Db,
    provider: &dyn Provider,
    request_id: i64,
    external_id: &str,
) -> Result<Applied, ProviderError> {
    let asked_at = Utc::now();
    let snapshot = match provider.snapshot(external_id).await {
        Ok(s) => s,
        Err(ProviderError::Gone(Some(s))) => *s,
        Err(e) => return Err(e),
    };
    Ok(apply(db, request_id, &snapshot, asked_at).await?)
}
