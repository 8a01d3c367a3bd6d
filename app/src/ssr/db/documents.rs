//! The `documents` table: PDFs of a request, with what was read from them
//! and the fields placed on them. Lists never load the bytes.

use chrono::{DateTime, Utc};

use super::{blob, on_ex, on_pool, Db, Ex};
use crate::model::request::{DocumentView, MarkupInfo};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub request_id: i64,
    pub position: i64,
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub pages: String,
    pub tags: String,
    pub fields: String,
    pub uploaded_at: Option<DateTime<Utc>>,
    /// A written document's format and fields (JSON `MarkupInfo`); None for a PDF.
    pub markup: Option<String>,
}

impl DocumentRow {
    /// The view shown to staff (lists stored as JSON are read leniently).
    pub fn to_view(&self) -> DocumentView {
        DocumentView {
            id: self.id,
            name: self.name.clone(),
            position: self.position,
            size: self.size,
            sha256: self.sha256.clone(),
            pages: serde_json::from_str(&self.pages).unwrap_or_default(),
            tags: serde_json::from_str(&self.tags).unwrap_or_default(),
            fields: serde_json::from_str(&self.fields).unwrap_or_default(),
            markup: self.markup_info(),
        }
    }

    pub fn markup_info(&self) -> Option<MarkupInfo> {
        self.markup
            .as_deref()
            .map(|m| serde_json::from_str(m).unwrap_or_default())
    }
}

const COLUMNS: &str =
    "id, request_id, position, name, size, sha256, pages, tags, fields, uploaded_at, markup";

pub struct NewDocument<'a> {
    pub request_id: i64,
    pub name: &'a str,
    pub sha256: &'a str,
    pub pages_json: &'a str,
    pub tags_json: &'a str,
    /// The upload's own buffer, handed over.
    pub content: Vec<u8>,
}

/// The new row of a document (its bytes go into `document_content`).
const INSERT: &str = "INSERT INTO documents (request_id, position, name, size, sha256, pages, tags, markup, created_at) \
     VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM documents WHERE request_id = $1), \
     $2, $3, $4, $5, $6, $7, $8) RETURNING id, position";

/// Adds a document at the end of the request's list; returns its id and
/// position. On SQLite the bytes are written into their row in pieces
/// (`blob::write`) instead of being bound, which would copy them whole.
pub async fn insert(db: &Db, doc: NewDocument<'_>, now: DateTime<Utc>) -> sqlx::Result<(i64, i64)> {
    let size = doc.content.len() as i64;
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let (id, position): (i64, i64) = sqlx::query_as(INSERT)
            .bind(doc.request_id).bind(doc.name).bind(size).bind(doc.sha256)
            .bind(doc.pages_json).bind(doc.tags_json).bind(None::<String>).bind(now)
            .fetch_one(&mut *tx).await?;
        Content::store(&mut tx, id, doc.content).await?;
        tx.commit().await?;
        Ok((id, position))
    })
}

/// Storing a document's bytes, per backend.
trait Content {
    async fn store(&mut self, id: i64, bytes: Vec<u8>) -> sqlx::Result<()>;
}

impl Content for sqlx::Transaction<'_, sqlx::Sqlite> {
    /// `content` is the table's last column, so `zeroblob` allocates nothing.
    async fn store(&mut self, id: i64, bytes: Vec<u8>) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO document_content (document_id, content) VALUES ($1, zeroblob($2))",
        )
        .bind(id)
        .bind(bytes.len() as i64)
        .execute(&mut **self)
        .await?;
        blob::write(self, c"document_content", c"content", id, &bytes).await
    }
}

impl Content for sqlx::Transaction<'_, sqlx::Postgres> {
    async fn store(&mut self, id: i64, bytes: Vec<u8>) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO document_content (document_id, content) VALUES ($1, $2)")
            .bind(id)
            .bind(bytes)
            .execute(&mut **self)
            .await
            .map(|_| ())
    }
}

/// A document written in the portal: its text, name and what was read from it.
pub struct Written<'a> {
    pub request_id: i64,
    pub name: &'a str,
    pub sha256: &'a str,
    pub markup: &'a MarkupInfo,
    pub text: &'a str,
}

/// Adds a written document at the end of the request's list; its id.
pub async fn insert_written(db: &Db, w: &Written<'_>, now: DateTime<Utc>) -> sqlx::Result<i64> {
    let markup = serde_json::to_string(w.markup).unwrap_or_else(|_| "{}".into());
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let (id, _): (i64, i64) = sqlx::query_as(INSERT)
            .bind(w.request_id).bind(w.name).bind(w.text.len() as i64).bind(w.sha256)
            .bind("[]").bind("[]").bind(Some(&markup)).bind(now)
            .fetch_one(&mut *tx).await?;
        Content::store(&mut tx, id, w.text.as_bytes().to_vec()).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Replaces a written document's text; false when it is not one of the
/// request's written documents.
pub async fn update_written(db: &Db, id: i64, w: &Written<'_>) -> sqlx::Result<bool> {
    let markup = serde_json::to_string(w.markup).unwrap_or_else(|_| "{}".into());
    let sql = "UPDATE documents SET name = $1, size = $2, sha256 = $3, markup = $4 \
               WHERE request_id = $5 AND id = $6 AND markup IS NOT NULL";
    let text = "UPDATE document_content SET content = $1 WHERE document_id = $2";
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let n = sqlx::query(sql)
            .bind(w.name).bind(w.text.len() as i64).bind(w.sha256).bind(&markup)
            .bind(w.request_id).bind(id)
            .execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            sqlx::query(text).bind(w.text.as_bytes()).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    })
}

/// The documents of a request, in order.
pub async fn list(db: &Db, request_id: i64) -> sqlx::Result<Vec<DocumentRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM documents WHERE request_id = $1 ORDER BY position, id");
    on_pool!(db, pool => sqlx::query_as::<_, DocumentRow>(&sql).bind(request_id).fetch_all(pool).await)
}

/// The PDF bytes of one document of a request.
pub async fn content(db: &Db, request_id: i64, id: i64) -> sqlx::Result<Option<Vec<u8>>> {
    let sql = "SELECT c.content FROM document_content c JOIN documents d ON d.id = c.document_id \
               WHERE d.request_id = $1 AND d.id = $2";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(request_id).bind(id).fetch_optional(pool).await)
}

pub async fn rename(db: &Db, request_id: i64, id: i64, name: &str) -> sqlx::Result<bool> {
    let sql = "UPDATE documents SET name = $1 WHERE request_id = $2 AND id = $3";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(name).bind(request_id).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

pub async fn save_fields(db: &Db, request_id: i64, id: i64, json: &str) -> sqlx::Result<bool> {
    let sql = "UPDATE documents SET fields = $1 WHERE request_id = $2 AND id = $3";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(json).bind(request_id).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

pub async fn remove(db: &Db, request_id: i64, id: i64) -> sqlx::Result<bool> {
    let sql = "DELETE FROM documents WHERE request_id = $1 AND id = $2";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(request_id).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Swaps a document with its neighbour before (`up`) or after it.
pub async fn move_by_one(db: &Db, request_id: i64, id: i64, up: bool) -> sqlx::Result<bool> {
    let docs = list(db, request_id).await?;
    let Some(i) = docs.iter().position(|d| d.id == id) else {
        return Ok(false);
    };
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    let Some(other) = j.and_then(|j| docs.get(j)) else {
        return Ok(true);
    };
    let (a, b) = (&docs[i], other);
    let sql = "UPDATE documents SET position = $1 WHERE id = $2";
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(sql).bind(b.position).bind(a.id).execute(&mut *tx).await?;
        sqlx::query(sql).bind(a.position).bind(b.id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Records that a document reached the service (Signhost: metadata and PDF).
pub async fn mark_uploaded(ex: impl Into<Ex<'_>>, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    let sql = "UPDATE documents SET uploaded_at = $1 WHERE id = $2";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(now).bind(id).execute(pool).await.map(|_| ()))
}

/// Forgets uploads (when a new request at the service replaces the old one).
pub async fn clear_uploaded(ex: impl Into<Ex<'_>>, request_id: i64) -> sqlx::Result<()> {
    let sql = "UPDATE documents SET uploaded_at = NULL WHERE request_id = $1";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(request_id).execute(pool).await.map(|_| ()))
}
