//! The `postbacks` table: every message a signing service sent (postback,
//! webhook), as received (raw body and headers), then what became of it:
//! applied, covered by a fetch (duplicate), or quarantined with a reason.

use chrono::{DateTime, Utc};

use super::{on_ex, on_pool, Db, Ex};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PostbackRow {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub headers: String,
    pub body: String,
    pub size: i64,
    /// The service that sent it ("signhost").
    pub provider: String,
    /// The service's id of the request it is about.
    pub external_id: Option<String>,
    /// The status it claims, in the service's words (only a hint).
    pub hint: Option<String>,
    /// Its own proof of origin (Signhost: the checksum).
    pub signature: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    pub attempts: i64,
}

const COLUMNS: &str =
    "id, received_at, headers, body, size, provider, external_id, hint, signature, state, \
                       reason, request_id, attempts";

pub struct NewPostback<'a> {
    pub headers: &'a str,
    pub body: &'a str,
    pub size: i64,
    pub provider: &'a str,
    pub external_id: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub signature: Option<&'a str>,
    /// `received` (to be processed) or `quarantined`.
    pub state: &'a str,
    pub reason: Option<&'a str>,
}

pub async fn insert(
    ex: impl Into<Ex<'_>>,
    p: &NewPostback<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let sql = "INSERT INTO postbacks (received_at, headers, body, size, provider, external_id, hint, \
               signature, state, reason, run_at, processed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
               $9, $10, $1, CASE WHEN $9 = 'received' THEN NULL ELSE $1 END) RETURNING id";
    on_ex!(ex.into(), e => sqlx::query_scalar(sql)
        .bind(now).bind(p.headers).bind(p.body).bind(p.size).bind(p.provider).bind(p.external_id)
        .bind(p.hint).bind(p.signature).bind(p.state).bind(p.reason)
        .fetch_one(e).await)
}

/// Stores several postbacks in one statement (one commit: a group commit
/// for the intake); their ids in the order given.
pub async fn insert_many(
    db: &Db,
    rows: &[(NewPostback<'_>, DateTime<Utc>)],
) -> sqlx::Result<Vec<i64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<String> = (0..rows.len())
        .map(|i| {
            let n = |k: usize| i * 10 + k;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, CASE WHEN ${} = 'received' THEN NULL ELSE ${} END)",
                n(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8), n(9), n(10), n(1), n(9), n(1)
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO postbacks (received_at, headers, body, size, provider, external_id, hint, \
         signature, state, reason, run_at, processed_at) VALUES {} RETURNING id",
        values.join(", ")
    );
    let mut ids: Vec<i64> = on_pool!(db, pool => {
        let mut q = sqlx::query_scalar(&sql);
        for (p, now) in rows {
            q = q.bind(*now).bind(p.headers).bind(p.body).bind(p.size).bind(p.provider)
                .bind(p.external_id).bind(p.hint).bind(p.signature).bind(p.state).bind(p.reason);
        }
        q.fetch_all(pool).await
    })?;
    // Ids are given out in the order of the rows; RETURNING's order is not promised.
    ids.sort_unstable();
    Ok(ids)
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

/// How many stored postbacks and webhooks wait to be processed.
pub async fn waiting(db: &Db) -> sqlx::Result<i64> {
    let sql = "SELECT COUNT(*) FROM postbacks WHERE state = 'received'";
    on_pool!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await)
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

/// Whether the truth about the message's request was fetched from the
/// service after the message was queued (received, or replayed by an
/// admin): then whatever it hinted at is known already, and a burst of
/// messages gives one fetch.
pub async fn covered(db: &Db, p: &PostbackRow, request_id: i64) -> sqlx::Result<bool> {
    let sql =
        "SELECT r.fetched_at, p.run_at FROM requests r, postbacks p WHERE r.id = $1 AND p.id = $2";
    let found: Option<(Option<DateTime<Utc>>, DateTime<Utc>)> = on_pool!(db, pool => sqlx::query_as(sql).bind(request_id).bind(p.id).fetch_optional(pool).await?);
    Ok(found.is_some_and(|(fetched, queued)| fetched.is_some_and(|at| at >= queued)))
}

/// Whether an earlier message said exactly the same (same service, request,
/// claimed status and signature): a repeat, not news.
pub async fn repeats(db: &Db, p: &PostbackRow) -> sqlx::Result<bool> {
    let sql = "SELECT COUNT(*) FROM postbacks WHERE id < $1 AND state IN ('applied', 'duplicate') \
               AND provider = $2 AND external_id = $3 AND hint IS NOT DISTINCT FROM $4 \
               AND signature IS NOT DISTINCT FROM $5";
    let n: i64 = on_pool!(db, pool => sqlx::query_scalar(sql).bind(p.id).bind(&p.provider)
        .bind(&p.external_id).bind(&p.hint).bind(&p.signature).fetch_one(pool).await?);
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
