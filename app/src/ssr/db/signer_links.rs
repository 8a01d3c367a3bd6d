//! The `signer_links` table: the portal's own unguessable link per signer,
//! which redirects to the signer's current signing page at the service
//! (Signhost: its `SignUrl`).

use chrono::{DateTime, Utc};

use super::{on_ex, on_pool, Db, Ex};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub token: String,
    pub request_id: i64,
    pub signer_key: String,
    pub signer_id: String,
    pub sign_url: String,
}

const COLUMNS: &str = "token, request_id, signer_key, signer_id, sign_url";

/// Stores a signer's `SignUrl`; an existing link keeps its token.
pub async fn upsert(ex: impl Into<Ex<'_>>, link: &LinkRow, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "INSERT INTO signer_links (token, request_id, signer_key, signer_id, sign_url, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id, signer_key) \
               DO UPDATE SET signer_id = excluded.signer_id, sign_url = excluded.sign_url";
    on_ex!(ex.into(), pool => sqlx::query(sql)
        .bind(&link.token).bind(link.request_id).bind(&link.signer_key).bind(&link.signer_id)
        .bind(&link.sign_url).bind(now)
        .execute(pool).await.map(|_| ()))
}

pub async fn find(db: &Db, token: &str) -> sqlx::Result<Option<LinkRow>> {
    let sql = format!("SELECT {COLUMNS} FROM signer_links WHERE token = $1");
    on_pool!(db, pool => sqlx::query_as::<_, LinkRow>(&sql).bind(token).fetch_optional(pool).await)
}

pub async fn list(db: &Db, request_id: i64) -> sqlx::Result<Vec<LinkRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM signer_links WHERE request_id = $1 ORDER BY signer_id");
    on_pool!(db, pool => sqlx::query_as::<_, LinkRow>(&sql).bind(request_id).fetch_all(pool).await)
}

/// Forgets the links of a request (its transaction was replaced).
pub async fn delete_for(ex: impl Into<Ex<'_>>, request_id: i64) -> sqlx::Result<()> {
    let sql = "DELETE FROM signer_links WHERE request_id = $1";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(request_id).execute(pool).await.map(|_| ()))
}
