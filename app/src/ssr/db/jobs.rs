//! The `jobs` table: durable work, claimed with a lease so that several
//! portal instances on one database never run the same job at once
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has a single writer).

use chrono::{DateTime, Utc};

use super::{on_ex, on_pool, Db, Ex};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub request_id: i64,
    pub step: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    /// The service it waits for a person to bring back (see [`pause`]).
    pub paused_for: Option<String>,
}

const COLUMNS: &str = "id, kind, request_id, step, attempts, last_error, done_at, paused_for";

/// Adds a job unless one of this kind is already open for the request.
/// Returns false when one was open.
pub async fn enqueue(
    ex: impl Into<Ex<'_>>,
    kind: &str,
    request_id: i64,
    step: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "INSERT INTO jobs (kind, request_id, step, run_at, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $4, $4) \
               ON CONFLICT (kind, request_id) WHERE done_at IS NULL DO NOTHING";
    let n = on_ex!(ex.into(), pool => sqlx::query(sql).bind(kind).bind(request_id).bind(step).bind(now)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Takes the next due job for `worker` until `until`.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Option<JobRow>> {
    let due = "SELECT id FROM jobs WHERE done_at IS NULL AND paused_for IS NULL AND run_at <= $3 \
               AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at, id LIMIT 1";
    let update = |pick: &str| {
        format!(
            "UPDATE jobs SET locked_until = $1, locked_by = $2, updated_at = $3 \
             WHERE id = ({due}{pick}) AND done_at IS NULL \
             AND (locked_until IS NULL OR locked_until < $3) RETURNING {COLUMNS}"
        )
    };
    match db {
        Db::Postgres(pool) => {
            sqlx::query_as::<_, JobRow>(&update(" FOR UPDATE SKIP LOCKED"))
                .bind(until)
                .bind(worker)
                .bind(now)
                .fetch_optional(pool)
                .await
        }
        Db::Sqlite(pool) => {
            sqlx::query_as::<_, JobRow>(&update(""))
                .bind(until)
                .bind(worker)
                .bind(now)
                .fetch_optional(pool)
                .await
        }
    }
}

/// Extends `worker`'s hold on a job it still holds until `until`; false
/// when the lease was lost (it ran out and another worker took the job).
pub async fn renew(db: &Db, id: i64, worker: &str, until: DateTime<Utc>) -> sqlx::Result<bool> {
    let sql =
        "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 AND done_at IS NULL";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(until).bind(id).bind(worker)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Moves a claimed job to its next step, due at once, and releases it.
/// False when the worker no longer holds it.
pub async fn advance(
    db: &Db,
    id: i64,
    worker: &str,
    step: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "UPDATE jobs SET step = $1, attempts = 0, last_error = NULL, run_at = $2, \
               locked_until = NULL, locked_by = NULL, updated_at = $2 WHERE id = $3 AND locked_by = $4";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(step).bind(now).bind(id).bind(worker)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Records a failed attempt and releases the job until `run_at`.
pub async fn retry_later(
    db: &Db,
    id: i64,
    worker: &str,
    error: &str,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "UPDATE jobs SET attempts = attempts + 1, last_error = $1, run_at = $2, \
               locked_until = NULL, locked_by = NULL, updated_at = $3 WHERE id = $4 AND locked_by = $5";
    on_pool!(db, pool => sqlx::query(sql).bind(error).bind(run_at).bind(now).bind(id).bind(worker)
        .execute(pool).await.map(|_| ()))
}

/// Releases a claimed job to wait for `service` to be brought back by a
/// person (an admin reconnecting it): not an attempt, so it keeps its
/// count, and it is not claimed again until [`resume`].
pub async fn pause(
    db: &Db,
    id: i64,
    worker: &str,
    why: &str,
    service: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "UPDATE jobs SET paused_for = $1, last_error = $2, run_at = $3, \
               locked_until = NULL, locked_by = NULL, updated_at = $3 WHERE id = $4 AND locked_by = $5";
    on_pool!(db, pool => sqlx::query(sql).bind(service).bind(why).bind(now).bind(id).bind(worker)
        .execute(pool).await.map(|_| ()))
}

/// Makes every job waiting for `service` due at once; how many there were.
pub async fn resume(db: &Db, service: &str, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let sql = "UPDATE jobs SET paused_for = NULL, last_error = NULL, run_at = $1, updated_at = $1 \
               WHERE paused_for = $2 AND done_at IS NULL";
    on_pool!(db, pool => sqlx::query(sql).bind(now).bind(service)
        .execute(pool).await.map(|r| r.rows_affected()))
}

/// Ends a job, done or given up (with the reason).
pub async fn finish(
    ex: impl Into<Ex<'_>>,
    id: i64,
    worker: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql =
        "UPDATE jobs SET done_at = $1, last_error = $2, locked_until = NULL, locked_by = NULL, \
               updated_at = $1 WHERE id = $3 AND locked_by = $4";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(now).bind(error).bind(id).bind(worker)
        .execute(pool).await.map(|_| ()))
}

/// The newest job of `kind` for a request (for showing progress).
pub async fn latest(db: &Db, kind: &str, request_id: i64) -> sqlx::Result<Option<JobRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE kind = $1 AND request_id = $2 ORDER BY id DESC LIMIT 1"
    );
    on_pool!(db, pool => sqlx::query_as::<_, JobRow>(&sql).bind(kind).bind(request_id)
        .fetch_optional(pool).await)
}

/// The open jobs of one kind, for monitoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    pub kind: String,
    /// Not done and not waiting for a person.
    pub waiting: i64,
    /// Waiting for a person to bring a service back.
    pub paused: i64,
    /// How long the oldest due one has been due (0 when none is).
    pub oldest_age_seconds: f64,
}

/// The open jobs per kind.
pub async fn queue_by_kind(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Vec<Queue>> {
    let sql = "SELECT kind, \
               SUM(CASE WHEN paused_for IS NULL THEN 1 ELSE 0 END), \
               SUM(CASE WHEN paused_for IS NULL THEN 0 ELSE 1 END) \
               FROM jobs WHERE done_at IS NULL GROUP BY kind ORDER BY kind";
    let counts: Vec<(String, i64, i64)> =
        on_pool!(db, pool => sqlx::query_as(sql).fetch_all(pool).await?);
    let oldest = "SELECT run_at FROM jobs WHERE done_at IS NULL AND paused_for IS NULL \
                  AND kind = $1 AND run_at <= $2 ORDER BY run_at LIMIT 1";
    let mut out = Vec::new();
    for (kind, waiting, paused) in counts {
        let due: Option<DateTime<Utc>> = on_pool!(db, pool => sqlx::query_scalar(oldest)
            .bind(&kind).bind(now).fetch_optional(pool).await?);
        out.push(Queue {
            kind,
            waiting,
            paused,
            oldest_age_seconds: due.map_or(0.0, |at| (now - at).num_milliseconds() as f64 / 1000.0),
        });
    }
    Ok(out)
}
