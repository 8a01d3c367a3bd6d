//! The `sign_in_failures` table: recent failed sign-ins, for throttling.
//!
//! Kept in the database (not in memory) so that several portal instances
//! on one PostgreSQL throttle together.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Keyed by the email address that was tried.
    Account,
    /// Keyed by the client's network address.
    Address,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
        }
    }
}

pub async fn record(db: &Db, scope: Scope, subject: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ($1, $2, $3)";
    on_pool!(db, pool => sqlx::query(sql).bind(scope.as_str()).bind(subject).bind(now)
        .execute(pool).await.map(|_| ()))
}

const RESERVE: &str = "INSERT INTO sign_in_failures (scope, subject, created_at) \
     SELECT $1, $2, $3 WHERE (SELECT COUNT(*) FROM sign_in_failures \
     WHERE scope = $1 AND subject = $2 AND created_at > $4) < $5 RETURNING id";

/// Takes one of `limit` attempts allowed since `since`, atomically: the
/// attempt is recorded first (as a failure, until it is known to be one or
/// released), so concurrent attempts cannot all pass a check made before
/// any of them is counted. `None` when the limit is reached.
pub async fn reserve(
    db: &Db,
    scope: Scope,
    subject: &str,
    since: DateTime<Utc>,
    limit: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    match db {
        // One statement is atomic on SQLite: writers are serialised.
        Db::Sqlite(pool) => {
            sqlx::query_scalar(RESERVE)
                .bind(scope.as_str())
                .bind(subject)
                .bind(now)
                .bind(since)
                .bind(limit)
                .fetch_optional(pool)
                .await
        }
        // PostgreSQL: a lock per subject, held until the insert commits.
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))")
                .bind(scope.as_str())
                .bind(subject)
                .execute(&mut *tx)
                .await?;
            let id = sqlx::query_scalar(RESERVE)
                .bind(scope.as_str())
                .bind(subject)
                .bind(now)
                .bind(since)
                .bind(limit)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(id)
        }
    }
}

/// Gives back an attempt taken with `reserve` (it did not fail).
pub async fn release(db: &Db, id: i64) -> sqlx::Result<()> {
    let sql = "DELETE FROM sign_in_failures WHERE id = $1";
    on_pool!(db, pool => sqlx::query(sql).bind(id).execute(pool).await.map(|_| ()))
}

/// The number of failures since `since` and the oldest of them.
pub async fn recent(
    db: &Db,
    scope: Scope,
    subject: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
    let sql = "SELECT COUNT(*), MIN(created_at) FROM sign_in_failures \
               WHERE scope = $1 AND subject = $2 AND created_at > $3";
    on_pool!(db, pool => sqlx::query_as(sql).bind(scope.as_str()).bind(subject).bind(since)
        .fetch_one(pool).await)
}

/// Forgets the failures of one subject (after a successful sign-in).
pub async fn clear(db: &Db, scope: Scope, subject: &str) -> sqlx::Result<()> {
    let sql = "DELETE FROM sign_in_failures WHERE scope = $1 AND subject = $2";
    on_pool!(db, pool => sqlx::query(sql).bind(scope.as_str()).bind(subject)
        .execute(pool).await.map(|_| ()))
}

/// Deletes failures older than `before`; returns how many went.
pub async fn prune(db: &Db, before: DateTime<Utc>) -> sqlx::Result<u64> {
    let sql = "DELETE FROM sign_in_failures WHERE created_at <= $1";
    on_pool!(db, pool => sqlx::query(sql).bind(before).execute(pool).await.map(|r| r.rows_affected()))
}
