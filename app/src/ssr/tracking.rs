//! Applying what Signhost says about a transaction to the request: the
//! status (forward only), each signer's state, the activities (merged), and
//! the archive job once everything is signed.

use chrono::{DateTime, Utc};
use signhost::model::{ActivityCode, Transaction};

use crate::model::request::RequestStatus;
use crate::model::tracking::SignerState;
use crate::ssr::db::activities::{self, ActivityRow};
use crate::ssr::db::{audit, jobs, requests, tracking, Db};

pub const ARCHIVE_JOB: &str = "archive";

/// What `apply` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub status: RequestStatus,
    /// The status moved (false for news that was old or already known).
    pub changed: bool,
    pub new_activities: u64,
}

fn signer_state(s: &signhost::model::Signer) -> SignerState {
    let did = |code: ActivityCode| s.activities.iter().any(|a| a.code == code);
    let (status, at) = if s.signed_date_time.is_some() || did(ActivityCode::Signed) {
        ("signed", s.signed_date_time)
    } else if s.reject_date_time.is_some() || did(ActivityCode::Rejected) {
        ("rejected", s.reject_date_time)
    } else {
        ("waiting", None)
    };
    SignerState {
        id: s.id.clone().unwrap_or_default(),
        email: s.email.clone().unwrap_or_default(),
        status: status.into(),
        at: at.map(|t| t.to_rfc3339()),
        reason: s.reject_reason.clone(),
    }
}

/// Applies a transaction as Signhost returned it (never a postback body
/// alone: only Id and Status are covered by its checksum).
pub async fn apply(
    db: &Db,
    request_id: i64,
    tx: &Transaction,
    now: DateTime<Utc>,
) -> sqlx::Result<Applied> {
    let code = tx.status.map(|s| s.code() as i64).unwrap_or(10);
    let status = RequestStatus::from_signhost(code);
    let states: Vec<SignerState> = tx.signers.iter().map(signer_state).collect();
    let signed = states.iter().filter(|s| s.status == "signed").count() as i64;
    let json = serde_json::to_string(&states).unwrap_or_else(|_| "[]".into());
    let before = requests::find(db, request_id).await?.map(|r| r.status());
    let observed = tracking::observe(
        db,
        request_id,
        &tracking::Observed {
            status,
            signhost_status: code,
            signers_signed: signed,
            signer_states_json: &json,
        },
        now,
    )
    .await?;
    let rows: Vec<ActivityRow> = tx
        .signers
        .iter()
        .flat_map(|s| {
            s.activities.iter().map(move |a| ActivityRow {
                activity_id: a.id.clone().unwrap_or_default(),
                signer_id: s.id.clone().unwrap_or_default(),
                code: a.code.code() as i64,
                info: if a.code == ActivityCode::Rejected {
                    s.reject_reason.clone()
                } else {
                    a.info.clone()
                },
                happened_at: a
                    .created_date_time
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default(),
            })
        })
        .collect();
    let new_activities = activities::merge(db, request_id, &rows).await?;
    if new_activities > 0 {
        tracking::touch(db, request_id, now).await?;
    }
    let changed = observed && before != Some(status);
    let current = if observed {
        status
    } else {
        before.unwrap_or(status)
    };
    if changed {
        audit::record(db, request_id, None, "status", status.label(), now).await?;
        if status == RequestStatus::Signed {
            jobs::enqueue(db, ARCHIVE_JOB, request_id, "download", now).await?;
        }
    }
    Ok(Applied {
        status: current,
        changed,
        new_activities,
    })
}
