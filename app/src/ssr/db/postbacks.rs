//! The `postbacks` table: every postback as received (raw body and headers),
//! then what became of it: applied, a duplicate, or quarantined with a reason.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PostbackRow {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub headers: String,
    pub body: String,
    pub size: i64,
    pub transaction_id: Option<String>,
    pub status: Option<i64>,
    pub checksum: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    pub attempts: i64,
}

const COLUMNS: &str =
    "id, received_at, headers, body, size, transaction_id, status, checksum, state, \
                       reason, request_id, attempts";

pub struct NewPostback<'a> {
    pub headers: &'a str,
    pub body: &'a str,
    pub size: i64,
    pub transaction_id: Option<&'a str>,
    pub status: Option<i64>,
    pub checksum: Option<&'a str>,
    /// `received` (to be processed) or `quarantined`.
    pub state: &'a str,
    pub reason: Option<&'a str>,
}

pub async fn insert(db: &Db, p: &NewPostback<'_>, now: DateTime<Utc>) -> sqlx::Result<i64> {
    let sql = "INSERT INTO postbacks (received_at, headers, body, size, transaction_id, status, checksum, \
               state, reason, run_at, processed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $1, \
               CASE WHEN $8 = 'received' THEN NULL ELSE $1 END) RETURNING id";
    on_pool!(db, pool => sqlx::query_scalar(sql)
        .bind(now).bind(p.headers).bind(p.body).bind(p.size).bind(p.transaction_id).bind(p.status)
        .bind(p.checksum).bind(p.state).bind(p.reason)
        .fetch_one(pool).await)
}

/// Takes the oldest due postback to process until `until`.
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Option<PostbackRow>> {
    let pick = "SELECT id FROM postbacks WHERE state = 'received' AND run_at <= $2 \
                AND (locked_until IS NULL OR locked_until < $2) ORDER BY id LIMIT 1";
    let sql = |lock: &str| {
        format!(
            "UPDATE postbacks SET locked_until = $1 WHERE id = ({pick}{lock}) AND state = 'received' \
             AND (locked_until IS NULL OR locked_until < $2) RETURNING {COLUMNS}"
        )
    };
    match db {
        Db::Postgres(pool) => {
            sqlx::query_as(&sql(" FOR UPDATE SKIP LOCKED"))
                .bind(until)
                .bind(now)
                .fetch_optional(pool)
                .await
        }
        Db::Sqlite(pool) => {
            sqlx::query_as(&sql(""))
                .bind(until)
                .bind(now)
                .fetch_optional(pool)
                .await
        }
    }
}

/// Ends processing: `applied`, `duplicate` or `quarantined` (with the reason).
pub async fn settle(
    db: &Db,
    id: i64,
    state: &str,
    reason: Option<&str>,
    request_id: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql =
        "UPDATE postbacks SET state = $1, reason = $2, request_id = COALESCE($3, request_id), \
               processed_at = $4, locked_until = NULL, attempts = attempts + 1 WHERE id = $5";
    on_pool!(db, pool => sqlx::query(sql).bind(state).bind(reason).bind(request_id).bind(now).bind(id)
        .execute(pool).await.map(|_| ()))
}

pub async fn retry_later(db: &Db, id: i64, reason: &str, at: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "UPDATE postbacks SET reason = $1, run_at = $2, locked_until = NULL, attempts = attempts + 1 \
               WHERE id = $3";
    on_pool!(db, pool => sqlx::query(sql).bind(reason).bind(at).bind(id).execute(pool).await.map(|_| ()))
}

/// Whether an earlier postback with the same Id, Status and Checksum was applied.
pub async fn applied_before(db: &Db, p: &PostbackRow) -> sqlx::Result<bool> {
    let sql = "SELECT COUNT(*) FROM postbacks WHERE state = 'applied' AND id < $1 AND transaction_id = $2 \
               AND status = $3 AND checksum = $4";
    let n: i64 = on_pool!(db, pool => sqlx::query_scalar(sql).bind(p.id).bind(&p.transaction_id)
        .bind(p.status).bind(&p.checksum).fetch_one(pool).await?);
    Ok(n > 0)
}

/// Puts a stored postback back in the queue (an admin's replay).
pub async fn replay(db: &Db, id: i64, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let sql = "UPDATE postbacks SET state = 'received', reason = NULL, run_at = $1, locked_until = NULL, \
               processed_at = NULL WHERE id = $2";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(now).bind(id).execute(pool).await?.rows_affected());
    Ok(n == 1)
}

pub async fn for_request(db: &Db, request_id: i64) -> sqlx::Result<Vec<PostbackRow>> {
    let sql = format!("SELECT {COLUMNS} FROM postbacks WHERE request_id = $1 ORDER BY id");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(request_id).fetch_all(pool).await)
}

/// The newest postbacks first (the admins' inbox).
pub async fn recent(db: &Db, limit: i64) -> sqlx::Result<Vec<PostbackRow>> {
    let sql = format!("SELECT {COLUMNS} FROM postbacks ORDER BY id DESC LIMIT $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await)
}

/// The newest postbacks of one part of the inbox: `quarantined` ones, or
/// the others (`authentic`: received, applied, duplicate), or all.
pub async fn recent_in(
    db: &Db,
    quarantined: Option<bool>,
    limit: i64,
) -> sqlx::Result<Vec<PostbackRow>> {
    let filter = match quarantined {
        None => "",
        Some(true) => "WHERE state = 'quarantined'",
        Some(false) => "WHERE state <> 'quarantined'",
    };
    let sql = format!("SELECT {COLUMNS} FROM postbacks {filter} ORDER BY id DESC LIMIT $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await)
}

/// How many postbacks are quarantined and how many are not.
pub async fn counts(db: &Db) -> sqlx::Result<(i64, i64)> {
    let sql = "SELECT COALESCE(SUM(CASE WHEN state = 'quarantined' THEN 0 ELSE 1 END), 0), \
               COALESCE(SUM(CASE WHEN state = 'quarantined' THEN 1 ELSE 0 END), 0) FROM postbacks";
    on_pool!(db, pool => sqlx::query_as(sql).fetch_one(pool).await)
}

pub async fn find(db: &Db, id: i64) -> sqlx::Result<Option<PostbackRow>> {
    let sql = format!("SELECT {COLUMNS} FROM postbacks WHERE id = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}
