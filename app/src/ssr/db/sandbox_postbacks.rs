//! The sandbox's postback queue: one in flight per URL, strictly in order.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostbackRow {
    pub id: i64,
    pub url: String,
    pub body: String,
    pub checksum: String,
    /// The header the signature goes in (`Checksum`, `X-Idfy-Signature`).
    pub signature_header: String,
    pub attempts: i64,
}

/// A message to deliver to `url`, with its signature in `header`.
pub struct Outbound<'a> {
    pub url: &'a str,
    pub transaction_id: &'a str,
    pub body: &'a str,
    pub header: &'a str,
    pub signature: &'a str,
}

pub async fn enqueue(db: &Db, m: &Outbound<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_postbacks (url, transaction_id, body, checksum, signature_header, next_attempt_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $6)";
    on_pool!(db, pool => sqlx::query(sql).bind(m.url).bind(m.transaction_id).bind(m.body).bind(m.signature)
        .bind(m.header).bind(now).execute(pool).await.map(|_| ()))
}

/// The oldest pending postback of every URL, when it is due and not taken.
pub async fn due_heads(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Vec<PostbackRow>> {
    let sql =
        "SELECT id, url, body, checksum, signature_header, attempts FROM sandbox_postbacks p \
               WHERE delivered_at IS NULL AND failed = FALSE AND next_attempt_at <= $1 \
               AND (locked_until IS NULL OR locked_until < $1) \
               AND id = (SELECT MIN(q.id) FROM sandbox_postbacks q \
                         WHERE q.url = p.url AND q.delivered_at IS NULL AND q.failed = FALSE) \
               ORDER BY id";
    on_pool!(db, pool => sqlx::query_as::<_, PostbackRow>(sql).bind(now).fetch_all(pool).await)
}

/// Takes a postback for delivery until `until`; false when another worker
/// has it or it was delivered (or given up) meanwhile: a head read before
/// another instance finished with it is not delivered twice.
pub async fn claim(
    db: &Db,
    id: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "UPDATE sandbox_postbacks SET locked_until = $1 \
               WHERE id = $2 AND delivered_at IS NULL AND failed = FALSE \
               AND (locked_until IS NULL OR locked_until < $3)";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(until).bind(id).bind(now).execute(pool).await?.rows_affected());
    Ok(n == 1)
}

pub async fn delivered(db: &Db, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "UPDATE sandbox_postbacks SET delivered_at = $1, attempts = attempts + 1, locked_until = NULL WHERE id = $2";
    on_pool!(db, pool => sqlx::query(sql).bind(now).bind(id).execute(pool).await.map(|_| ()))
}

/// Records a failed attempt: retried at `next`, or given up when `give_up`.
pub async fn failed_attempt(
    db: &Db,
    id: i64,
    error: &str,
    next: DateTime<Utc>,
    give_up: bool,
) -> sqlx::Result<()> {
    let sql = "UPDATE sandbox_postbacks SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
               failed = $3, locked_until = NULL WHERE id = $4";
    on_pool!(db, pool => sqlx::query(sql).bind(error).bind(next).bind(give_up).bind(id).execute(pool).await.map(|_| ()))
}
