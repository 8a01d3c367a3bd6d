//! The `activities` table: every signer activity a service reported, merged
//! from postbacks and checks (each recorded once).

use super::{on_ex, on_pool, Db, Ex};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ActivityRow {
    pub activity_id: String,
    pub signer_id: String,
    /// What happened, in the portal's words (`signed`, `viewed`, …).
    pub kind: String,
    /// The service's own code for it (0 when it has none).
    pub code: i64,
    pub info: Option<String>,
    pub happened_at: String,
}

/// Adds the activities not yet recorded (by Id + Code + CreatedDateTime).
pub async fn merge(
    ex: impl Into<Ex<'_>>,
    request_id: i64,
    rows: &[ActivityRow],
) -> sqlx::Result<u64> {
    let sql =
        "INSERT INTO activities (request_id, activity_id, signer_id, kind, code, info, happened_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) \
               ON CONFLICT (request_id, activity_id, code, happened_at) DO NOTHING";
    let mut ex = ex.into();
    let mut added = 0;
    for r in rows {
        added += on_ex!(ex.again(), e => sqlx::query(sql).bind(request_id).bind(&r.activity_id)
            .bind(&r.signer_id).bind(&r.kind).bind(r.code).bind(&r.info).bind(&r.happened_at)
            .execute(e).await?.rows_affected());
    }
    Ok(added)
}

/// A request's activities in the order they happened.
pub async fn list(db: &Db, request_id: i64) -> sqlx::Result<Vec<ActivityRow>> {
    let sql = "SELECT activity_id, signer_id, kind, code, info, happened_at FROM activities \
               WHERE request_id = $1 ORDER BY happened_at, id";
    on_pool!(db, pool => sqlx::query_as(sql).bind(request_id).fetch_all(pool).await)
}
