//! The Hotsign simulator's tables: OAuth grants (`sandbox_hotsign_grants`),
//! invites as versioned JSON and invite credits per account.

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

/// A simulator invite: its JSON state (as it reads back, with its content)
/// and the version it was read at.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InviteRow {
    pub id: String,
    pub account: String,
    pub invite: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const INVITE_COLUMNS: &str = "id, account, invite, version, created_at";

/// Spends one of `account`'s invite credits (new accounts start with
/// `start`); false when none is left.
pub async fn spend_credit(db: &Db, account: &str, start: i64) -> sqlx::Result<bool> {
    let open = "INSERT INTO sandbox_hotsign_credits (account, credits) VALUES ($1, $2) \
                ON CONFLICT (account) DO NOTHING";
    let spend = "UPDATE sandbox_hotsign_credits SET credits = credits - 1 \
                 WHERE account = $1 AND credits > 0";
    on_pool!(db, pool => {
        sqlx::query(open).bind(account).bind(start).execute(pool).await?;
        Ok(sqlx::query(spend).bind(account).execute(pool).await?.rows_affected() == 1)
    })
}

/// The credits `account` has left.
pub async fn credits(db: &Db, account: &str, start: i64) -> sqlx::Result<i64> {
    let sql = "SELECT credits FROM sandbox_hotsign_credits WHERE account = $1";
    let found: Option<i64> =
        on_pool!(db, pool => sqlx::query_scalar(sql).bind(account).fetch_optional(pool).await)?;
    Ok(found.unwrap_or(start))
}

/// Gives `account` `n` more credits.
pub async fn add_credits(db: &Db, account: &str, start: i64, n: i64) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_hotsign_credits (account, credits) VALUES ($1, $2 + $3) \
               ON CONFLICT (account) DO UPDATE SET credits = sandbox_hotsign_credits.credits + $3";
    on_pool!(db, pool => sqlx::query(sql).bind(account).bind(start).bind(n)
        .execute(pool).await.map(|_| ()))
}

pub async fn insert_invite(
    db: &Db,
    id: &str,
    account: &str,
    external_id: Option<&str>,
    invite: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_hotsign_invites (id, account, external_id, invite, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $5)";
    on_pool!(db, pool => sqlx::query(sql).bind(id).bind(account).bind(external_id).bind(invite).bind(now)
        .execute(pool).await.map(|_| ()))
}

pub async fn find_invite(db: &Db, id: &str) -> sqlx::Result<Option<InviteRow>> {
    let sql = format!("SELECT {INVITE_COLUMNS} FROM sandbox_hotsign_invites WHERE id = $1");
    on_pool!(db, pool => sqlx::query_as::<_, InviteRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// Saves an invite read at `version`; false when someone saved it since.
pub async fn update_invite(
    db: &Db,
    id: &str,
    version: i64,
    invite: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql =
        "UPDATE sandbox_hotsign_invites SET invite = $1, updated_at = $2, version = version + 1 \
               WHERE id = $3 AND version = $4";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(invite).bind(now).bind(id).bind(version)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Deletes the invites created before `before` (the seed's 45 days); how many.
pub async fn delete_invites_before(db: &Db, before: DateTime<Utc>) -> sqlx::Result<u64> {
    let sql = "DELETE FROM sandbox_hotsign_invites WHERE created_at < $1";
    on_pool!(db, pool => sqlx::query(sql).bind(before).execute(pool).await.map(|r| r.rows_affected()))
}

/// The newest invites, newest first (for the control page).
pub async fn recent_invites(db: &Db, limit: i64) -> sqlx::Result<Vec<InviteRow>> {
    let sql = format!(
        "SELECT {INVITE_COLUMNS} FROM sandbox_hotsign_invites ORDER BY created_at DESC, id LIMIT $1"
    );
    on_pool!(db, pool => sqlx::query_as::<_, InviteRow>(&sql).bind(limit).fetch_all(pool).await)
}
