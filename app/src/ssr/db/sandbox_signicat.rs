//! The Signicat simulator's tables: documents as versioned JSON (an update
//! names the version it read, so concurrent signatures cannot overwrite one
//! another), their files, and the events of the pull API.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: String,
    pub document: String,
    pub version: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub body: String,
}

pub async fn insert_document(
    db: &Db,
    id: &str,
    external_id: &str,
    document: &str,
    due_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_signicat_documents (id, external_id, document, due_at, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $5)";
    on_pool!(db, pool => sqlx::query(sql).bind(id).bind(external_id).bind(document).bind(due_at).bind(now)
        .execute(pool).await.map(|_| ()))
}

pub async fn find_document(db: &Db, id: &str) -> sqlx::Result<Option<DocumentRow>> {
    let sql = "SELECT id, document, version FROM sandbox_signicat_documents WHERE id = $1";
    on_pool!(db, pool => sqlx::query_as::<_, DocumentRow>(sql).bind(id).fetch_optional(pool).await)
}

/// The documents created with this `externalId`, oldest first.
pub async fn by_external_id(db: &Db, external_id: &str) -> sqlx::Result<Vec<DocumentRow>> {
    let sql =
        "SELECT id, document, version FROM sandbox_signicat_documents WHERE external_id = $1 \
               ORDER BY created_at, id";
    on_pool!(db, pool => sqlx::query_as::<_, DocumentRow>(sql).bind(external_id).fetch_all(pool).await)
}

/// Saves a document read at `version`; false when someone saved it since
/// (the caller reads it again and redoes its change).
pub async fn update_document(
    db: &Db,
    id: &str,
    version: i64,
    document: &str,
    due_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "UPDATE sandbox_signicat_documents SET document = $1, due_at = $2, updated_at = $3, \
               version = version + 1 WHERE id = $4 AND version = $5";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(document).bind(due_at).bind(now).bind(id).bind(version)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Documents with something due by `now` (packaging, the deadline).
pub async fn due(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Vec<String>> {
    let sql = "SELECT id FROM sandbox_signicat_documents WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(now).fetch_all(pool).await)
}

/// The newest documents, newest first (for the mailbox).
pub async fn recent(db: &Db, limit: i64) -> sqlx::Result<Vec<DocumentRow>> {
    let sql = "SELECT id, document, version FROM sandbox_signicat_documents ORDER BY created_at DESC, id LIMIT $1";
    on_pool!(db, pool => sqlx::query_as::<_, DocumentRow>(sql).bind(limit).fetch_all(pool).await)
}

pub async fn put_file(
    db: &Db,
    document_id: &str,
    file_id: &str,
    content: &[u8],
) -> sqlx::Result<()> {
    let sql =
        "INSERT INTO sandbox_signicat_files (document_id, file_id, content) VALUES ($1, $2, $3) \
               ON CONFLICT (document_id, file_id) DO UPDATE SET content = excluded.content";
    on_pool!(db, pool => sqlx::query(sql).bind(document_id).bind(file_id).bind(content)
        .execute(pool).await.map(|_| ()))
}

pub async fn put_signed(
    db: &Db,
    document_id: &str,
    file_id: &str,
    signed: &[u8],
) -> sqlx::Result<()> {
    let sql =
        "UPDATE sandbox_signicat_files SET signed = $1 WHERE document_id = $2 AND file_id = $3";
    on_pool!(db, pool => sqlx::query(sql).bind(signed).bind(document_id).bind(file_id)
        .execute(pool).await.map(|_| ()))
}

/// A file's original and, once packaged, its signed version.
pub async fn file(
    db: &Db,
    document_id: &str,
    file_id: &str,
) -> sqlx::Result<Option<(Vec<u8>, Option<Vec<u8>>)>> {
    let sql = "SELECT content, signed FROM sandbox_signicat_files WHERE document_id = $1 AND file_id = $2";
    on_pool!(db, pool => sqlx::query_as(sql).bind(document_id).bind(file_id).fetch_optional(pool).await)
}

pub async fn insert_event(
    db: &Db,
    id: &str,
    document_id: &str,
    kind: &str,
    body: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_signicat_events (id, document_id, type, body, created_at) VALUES ($1, $2, $3, $4, $5)";
    on_pool!(db, pool => sqlx::query(sql).bind(id).bind(document_id).bind(kind).bind(body).bind(now)
        .execute(pool).await.map(|_| ()))
}

/// Events not handled yet, oldest first; of one type when `kind` is given.
pub async fn unhandled_events(
    db: &Db,
    kind: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<EventRow>> {
    let sql = "SELECT id, body FROM sandbox_signicat_events WHERE handled = FALSE \
               AND (CAST($1 AS TEXT) IS NULL OR type = $1) ORDER BY seq LIMIT $2";
    on_pool!(db, pool => sqlx::query_as::<_, EventRow>(sql).bind(kind).bind(limit).fetch_all(pool).await)
}

/// Marks an event handled; false when there is no such event.
pub async fn handle_event(db: &Db, id: &str) -> sqlx::Result<bool> {
    let sql = "UPDATE sandbox_signicat_events SET handled = TRUE WHERE id = $1";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(id).execute(pool).await?.rows_affected());
    Ok(n == 1)
}
