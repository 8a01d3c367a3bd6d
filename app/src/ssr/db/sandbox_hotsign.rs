//! The Hotsign simulator's OAuth grants (`sandbox_hotsign_grants`).

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GrantRow {
    pub token: String,
    pub kind: String,
    pub account: String,
    pub redirect_uri: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "token, kind, account, redirect_uri, created_at, expires_at, used_at";

pub async fn insert(db: &Db, g: &GrantRow) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_hotsign_grants (token, kind, account, redirect_uri, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(&g.token).bind(&g.kind).bind(&g.account).bind(&g.redirect_uri)
        .bind(g.created_at).bind(g.expires_at)
        .execute(pool).await.map(|_| ()))
}

/// Uses a grant of `kind` once: the row as it was, or `None` when unknown
/// or already used (two exchanges of one code: only one wins).
pub async fn use_once(
    db: &Db,
    token: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<GrantRow>> {
    let sql = format!(
        "UPDATE sandbox_hotsign_grants SET used_at = $1 WHERE token = $2 AND kind = $3 AND used_at IS NULL \
         RETURNING {COLUMNS}"
    );
    on_pool!(db, pool => sqlx::query_as::<_, GrantRow>(&sql).bind(now).bind(token).bind(kind)
        .fetch_optional(pool).await)
}

pub async fn find(db: &Db, token: &str) -> sqlx::Result<Option<GrantRow>> {
    let sql = format!("SELECT {COLUMNS} FROM sandbox_hotsign_grants WHERE token = $1");
    on_pool!(db, pool => sqlx::query_as::<_, GrantRow>(&sql).bind(token).fetch_optional(pool).await)
}
