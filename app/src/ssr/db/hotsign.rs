//! The `hotsign_connection` table: the one Hotsign account the portal is
//! connected to, with its tokens sealed (the server seals and opens them).

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ConnectionRow {
    pub account: String,
    pub access_sealed: String,
    pub refresh_sealed: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
    pub connected_by: Option<i64>,
    pub connected_at: DateTime<Utc>,
}

const COLUMNS: &str = "account, access_sealed, refresh_sealed, access_expires_at, refresh_expires_at, connected_by, connected_at";

/// Keeps the connection (replacing an earlier one).
pub async fn save(db: &Db, c: &ConnectionRow) -> sqlx::Result<()> {
    let sql = format!(
        "INSERT INTO hotsign_connection (id, {COLUMNS}) VALUES (1, $1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET account = excluded.account, access_sealed = excluded.access_sealed, \
         refresh_sealed = excluded.refresh_sealed, access_expires_at = excluded.access_expires_at, \
         refresh_expires_at = excluded.refresh_expires_at, connected_by = excluded.connected_by, \
         connected_at = excluded.connected_at"
    );
    on_pool!(db, pool => sqlx::query(&sql)
        .bind(&c.account).bind(&c.access_sealed).bind(&c.refresh_sealed)
        .bind(c.access_expires_at).bind(c.refresh_expires_at).bind(c.connected_by).bind(c.connected_at)
        .execute(pool).await.map(|_| ()))
}

pub async fn find(db: &Db) -> sqlx::Result<Option<ConnectionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM hotsign_connection WHERE id = 1");
    on_pool!(db, pool => sqlx::query_as::<_, ConnectionRow>(&sql).fetch_optional(pool).await)
}

pub async fn delete(db: &Db) -> sqlx::Result<()> {
    on_pool!(db, pool => sqlx::query("DELETE FROM hotsign_connection WHERE id = 1")
        .execute(pool).await.map(|_| ()))
}
