//! The `staff_invitations` table: one-time links to choose a password.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

/// Records a link for `user_id`, replacing any earlier one of theirs.
pub async fn replace(
    db: &Db,
    user_id: i64,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let clear = "DELETE FROM staff_invitations WHERE user_id = $1";
    let add = "INSERT INTO staff_invitations (token_hash, user_id, expires_at, created_at) \
               VALUES ($1, $2, $3, $4)";
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(clear).bind(user_id).execute(&mut *tx).await?;
        sqlx::query(add).bind(token_hash).bind(user_id).bind(expires_at).bind(now)
            .execute(&mut *tx).await?;
        tx.commit().await
    })
}

/// The account a link that is still valid belongs to.
pub async fn find(db: &Db, token_hash: &str, now: DateTime<Utc>) -> sqlx::Result<Option<i64>> {
    let sql = "SELECT user_id FROM staff_invitations WHERE token_hash = $1 AND expires_at > $2";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(token_hash).bind(now).fetch_optional(pool).await)
}

/// Uses up a valid link: answers its account once, `None` ever after.
pub async fn take(db: &Db, token_hash: &str, now: DateTime<Utc>) -> sqlx::Result<Option<i64>> {
    let sql =
        "DELETE FROM staff_invitations WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(token_hash).bind(now).fetch_optional(pool).await)
}
