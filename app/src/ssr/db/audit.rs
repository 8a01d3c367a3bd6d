//! The `audit_log` table: what staff (and the portal) did with a request.

use chrono::{DateTime, Utc};

use super::{on_ex, on_pool, Db, Ex};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub action: String,
    pub detail: String,
    pub who: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn record(
    ex: impl Into<Ex<'_>>,
    request_id: i64,
    user_id: Option<i64>,
    action: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "INSERT INTO audit_log (request_id, user_id, action, detail, created_at) VALUES ($1, $2, $3, $4, $5)";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(request_id).bind(user_id).bind(action).bind(detail).bind(now)
        .execute(pool).await.map(|_| ()))
}

pub async fn list(db: &Db, request_id: i64) -> sqlx::Result<Vec<AuditRow>> {
    let sql = "SELECT a.action, a.detail, u.display_name AS who, a.created_at FROM audit_log a \
               LEFT JOIN users u ON u.id = a.user_id WHERE a.request_id = $1 ORDER BY a.id";
    on_pool!(db, pool => sqlx::query_as(sql).bind(request_id).fetch_all(pool).await)
}
