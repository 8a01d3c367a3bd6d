//! What the portal knows of a sent request at its service: status, signers,
//! when it was last checked. The status only moves forward.

use chrono::{DateTime, Utc};

use super::{on_ex, on_pool, Db, Ex};
use crate::model::request::RequestStatus;

/// The service's state of a request, as the portal records it.
pub struct Observed<'a> {
    pub status: RequestStatus,
    /// The service's own status, in its words.
    pub provider_status: &'a str,
    pub signers_signed: i64,
    pub signer_states_json: &'a str,
    /// When the service was asked (messages received before it are covered).
    pub fetched_at: DateTime<Utc>,
}

/// Records what the service said. A request still waiting takes any status; a
/// finished one keeps its end status (late or out-of-order news never moves
/// it back). False when the news was refused. `updated_at` ("last change")
/// moves only when something did change: a check that finds the request as
/// it was leaves it where it is in the list.
pub async fn observe(
    ex: impl Into<Ex<'_>>,
    id: i64,
    seen: &Observed<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    // The service's own sub-status (Signhost: 10 → 20, "processing") and the first
    // reading of the signers' states are not news to staff.
    let sql = "UPDATE requests SET updated_at = CASE WHEN status IS DISTINCT FROM $1 \
               OR signers_signed IS DISTINCT FROM $3 \
               OR (signer_states <> '[]' AND signer_states IS DISTINCT FROM $4) \
               THEN $5 ELSE updated_at END, \
               status = $1, provider_status = $2, signers_signed = $3, signer_states = $4, \
               fetched_at = $7 \
               WHERE id = $6 AND (status = 'waiting' OR status = $1)";
    let n = on_ex!(ex.into(), pool => sqlx::query(sql)
        .bind(seen.status.as_str()).bind(seen.provider_status).bind(seen.signers_signed)
        .bind(seen.signer_states_json).bind(now).bind(id).bind(seen.fetched_at)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// The request's status, locked until the caller's transaction ends (on
/// PostgreSQL; SQLite's write transaction already holds the database), so
/// two instances applying news at once cannot both see the old status.
pub async fn lock_status(ex: impl Into<Ex<'_>>, id: i64) -> sqlx::Result<Option<String>> {
    match ex.into() {
        Ex::Tx(super::Tx::Postgres(t)) => {
            sqlx::query_scalar("SELECT status FROM requests WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut **t)
                .await
        }
        ex => on_ex!(ex, e => sqlx::query_scalar("SELECT status FROM requests WHERE id = $1")
            .bind(id).fetch_optional(e).await),
    }
}

/// Marks a request changed now (news that is not a status: a signer's activity).
pub async fn touch(ex: impl Into<Ex<'_>>, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "UPDATE requests SET updated_at = $1 WHERE id = $2";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(now).bind(id).execute(pool).await.map(|_| ()))
}

/// The request that `provider` knows as `external_id`.
pub async fn request_of(db: &Db, provider: &str, external_id: &str) -> sqlx::Result<Option<i64>> {
    let sql = "SELECT id FROM requests WHERE provider = $1 AND external_id = $2";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(provider).bind(external_id).fetch_optional(pool).await)
}

pub async fn postback_seen(ex: impl Into<Ex<'_>>, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "UPDATE requests SET last_postback_at = $1 WHERE id = $2";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(now).bind(id).execute(pool).await.map(|_| ()))
}

/// Requests waiting at their service whose next check is due (the reconciliation).
pub async fn due_checks(db: &Db, now: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    let sql = "SELECT id, check_failures FROM requests WHERE status = 'waiting' \
               AND external_id IS NOT NULL AND (next_check_at IS NULL OR next_check_at <= $1) \
               ORDER BY next_check_at, id LIMIT $2";
    on_pool!(db, pool => sqlx::query_as(sql).bind(now).bind(limit).fetch_all(pool).await)
}

/// Takes a due check for `until` (so that two instances do not both check); false if taken.
pub async fn claim_check(
    db: &Db,
    id: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "UPDATE requests SET next_check_at = $1 WHERE id = $2 \
               AND (next_check_at IS NULL OR next_check_at <= $3)";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(until).bind(id).bind(now)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

pub async fn schedule_check(
    ex: impl Into<Ex<'_>>,
    id: i64,
    at: DateTime<Utc>,
    failures: i64,
) -> sqlx::Result<()> {
    let sql = "UPDATE requests SET next_check_at = $1, check_failures = $2 WHERE id = $3";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(at).bind(failures).bind(id).execute(pool).await.map(|_| ()))
}

pub async fn mark_archived(ex: impl Into<Ex<'_>>, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "UPDATE requests SET archived_at = $1, updated_at = $1 WHERE id = $2";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(now).bind(id).execute(pool).await.map(|_| ()))
}

/// Details the request page and the landing page need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrackingRow {
    pub provider_status: Option<String>,
    pub signers_signed: i64,
    pub signer_states: String,
    pub last_postback_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
}

pub async fn find(db: &Db, id: i64) -> sqlx::Result<Option<TrackingRow>> {
    let sql =
        "SELECT provider_status, signers_signed, signer_states, last_postback_at, archived_at, \
               started_at FROM requests WHERE id = $1";
    on_pool!(db, pool => sqlx::query_as::<_, TrackingRow>(sql).bind(id).fetch_optional(pool).await)
}
