//! The `archive_files` table: the signed documents and the receipt, stored
//! with their SHA-256 and size once a request is signed.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArchiveRow {
    pub id: i64,
    pub kind: String,
    pub file_id: String,
    pub name: String,
    pub size: i64,
    pub sha256: String,
}

pub struct NewArchiveFile<'a> {
    pub request_id: i64,
    /// `signed` or `receipt`.
    pub kind: &'a str,
    pub file_id: &'a str,
    pub name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
}

/// Stores a file once; storing it again changes nothing.
pub async fn insert(db: &Db, f: &NewArchiveFile<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "INSERT INTO archive_files (request_id, kind, file_id, name, size, sha256, content, stored_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, kind, file_id) DO NOTHING";
    on_pool!(db, pool => sqlx::query(sql).bind(f.request_id).bind(f.kind).bind(f.file_id).bind(f.name)
        .bind(f.content.len() as i64).bind(f.sha256).bind(f.content).bind(now)
        .execute(pool).await.map(|_| ()))
}

pub async fn list(db: &Db, request_id: i64) -> sqlx::Result<Vec<ArchiveRow>> {
    let sql =
        "SELECT id, kind, file_id, name, size, sha256 FROM archive_files WHERE request_id = $1 \
               ORDER BY CASE kind WHEN 'signed' THEN 0 ELSE 1 END, id";
    on_pool!(db, pool => sqlx::query_as(sql).bind(request_id).fetch_all(pool).await)
}

pub async fn content(db: &Db, request_id: i64, id: i64) -> sqlx::Result<Option<Vec<u8>>> {
    let sql = "SELECT content FROM archive_files WHERE request_id = $1 AND id = $2";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(request_id).bind(id).fetch_optional(pool).await)
}
