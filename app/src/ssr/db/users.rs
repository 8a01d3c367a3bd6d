//! The `users` table: staff accounts.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};
use crate::model::{CurrentUser, Role, StaffMember};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub session_epoch: i64,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Staff)
    }

    pub fn to_current(&self) -> CurrentUser {
        CurrentUser {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
        }
    }

    pub fn to_member(&self) -> StaffMember {
        StaffMember {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            disabled: self.disabled,
            created_at: self.created_at,
            is_you: false,
        }
    }
}

const COLUMNS: &str =
    "id, email, display_name, password_hash, role, disabled, session_epoch, created_at";

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Inserts a user and returns its id. A taken email is a unique violation.
pub async fn insert(db: &Db, user: &NewUser<'_>, now: DateTime<Utc>) -> sqlx::Result<i64> {
    let sql =
        "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
    on_pool!(db, pool => sqlx::query_scalar(sql)
        .bind(user.email)
        .bind(user.display_name)
        .bind(user.password_hash)
        .bind(user.role.as_str())
        .bind(now)
        .fetch_one(pool)
        .await)
}

pub async fn find_by_email(db: &Db, email: &str) -> sqlx::Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    on_pool!(db, pool => sqlx::query_as::<_, UserRow>(&sql).bind(email).fetch_optional(pool).await)
}

pub async fn find_by_id(db: &Db, id: i64) -> sqlx::Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    on_pool!(db, pool => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// All users, admins first, then by name.
pub async fn list(db: &Db) -> sqlx::Result<Vec<UserRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, \
         lower(display_name), id"
    );
    on_pool!(db, pool => sqlx::query_as::<_, UserRow>(&sql).fetch_all(pool).await)
}

/// Enables or disables a user; disabling ends their sessions. Returns false
/// when there is no such user.
pub async fn set_disabled(
    db: &Db,
    id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET disabled = $1, session_epoch = session_epoch + 1, updated_at = $2 \
               WHERE id = $3";
    let done = on_pool!(db, pool => sqlx::query(sql).bind(disabled).bind(now).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// Replaces a password hash; this ends the user's other sessions.
pub async fn set_password_hash(
    db: &Db,
    id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, \
               updated_at = $2 WHERE id = $3";
    let done = on_pool!(db, pool => sqlx::query(sql).bind(hash).bind(now).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// How many enabled admins there are (the last one may not be disabled).
pub async fn count_active_admins(db: &Db) -> sqlx::Result<i64> {
    let sql = "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = FALSE";
    on_pool!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await)
}

/// Gives the account another role.
pub async fn set_role(db: &Db, id: i64, role: Role, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3";
    let done = on_pool!(db, pool => sqlx::query(sql).bind(role.as_str()).bind(now).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(done == 1)
}

/// Ends every session of the user (they carry the old epoch).
pub async fn end_sessions(db: &Db, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "UPDATE users SET session_epoch = session_epoch + 1, updated_at = $2 WHERE id = $1";
    on_pool!(db, pool => sqlx::query(sql).bind(id).bind(now).execute(pool).await.map(|_| ()))
}
