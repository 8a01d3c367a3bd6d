//! The sandbox's tables: transactions as JSON documents, their files, and
//! the tokens of the signing links.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransactionRow {
    pub id: String,
    pub document: String,
    pub purged: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub file_id: String,
    pub meta: Option<String>,
    pub content: Option<Vec<u8>>,
    pub signed: Option<Vec<u8>>,
}

pub async fn insert_transaction(
    db: &Db,
    id: &str,
    document: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_transactions (id, document, created_at, updated_at) VALUES ($1, $2, $3, $3)";
    on_pool!(db, pool => sqlx::query(sql).bind(id).bind(document).bind(now).execute(pool).await.map(|_| ()))
}

pub async fn find_transaction(db: &Db, id: &str) -> sqlx::Result<Option<TransactionRow>> {
    let sql = "SELECT id, document, purged FROM sandbox_transactions WHERE id = $1";
    on_pool!(db, pool => sqlx::query_as::<_, TransactionRow>(sql).bind(id).fetch_optional(pool).await)
}

pub async fn update_transaction(
    db: &Db,
    id: &str,
    document: &str,
    purged: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql =
        "UPDATE sandbox_transactions SET document = $1, purged = $2, updated_at = $3 WHERE id = $4";
    on_pool!(db, pool => sqlx::query(sql).bind(document).bind(purged).bind(now).bind(id).execute(pool).await.map(|_| ()))
}

/// Holds a transaction for `holder` until `until` (across instances);
/// false while another holder has it, or when there is no such transaction.
pub async fn lock_transaction(
    db: &Db,
    id: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = "UPDATE sandbox_transactions SET locked_by = $1, locked_until = $2 \
               WHERE id = $3 AND (locked_until IS NULL OR locked_until < $4 OR locked_by = $1)";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(holder).bind(until).bind(id).bind(now)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Lets go of a transaction held by `holder`.
pub async fn unlock_transaction(db: &Db, id: &str, holder: &str) -> sqlx::Result<()> {
    let sql = "UPDATE sandbox_transactions SET locked_by = NULL, locked_until = NULL \
               WHERE id = $1 AND locked_by = $2";
    on_pool!(db, pool => sqlx::query(sql).bind(id).bind(holder).execute(pool).await.map(|_| ()))
}

/// Ids of transactions that are still running (for the clock: reminders, expiry).
pub async fn running_transaction_ids(db: &Db) -> sqlx::Result<Vec<String>> {
    let sql = "SELECT id FROM sandbox_transactions WHERE purged = FALSE ORDER BY created_at";
    on_pool!(db, pool => sqlx::query_scalar(sql).fetch_all(pool).await)
}

pub async fn insert_sign_link(
    db: &Db,
    token: &str,
    transaction_id: &str,
    signer_id: &str,
) -> sqlx::Result<()> {
    let sql =
        "INSERT INTO sandbox_sign_links (token, transaction_id, signer_id) VALUES ($1, $2, $3)";
    on_pool!(db, pool => sqlx::query(sql).bind(token).bind(transaction_id).bind(signer_id).execute(pool).await.map(|_| ()))
}

pub async fn find_sign_link(db: &Db, token: &str) -> sqlx::Result<Option<(String, String)>> {
    let sql = "SELECT transaction_id, signer_id FROM sandbox_sign_links WHERE token = $1";
    on_pool!(db, pool => sqlx::query_as(sql).bind(token).fetch_optional(pool).await)
}

pub async fn put_meta(
    db: &Db,
    transaction_id: &str,
    file_id: &str,
    meta: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_files (transaction_id, file_id, meta, created_at) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (transaction_id, file_id) DO UPDATE SET meta = excluded.meta";
    on_pool!(db, pool => sqlx::query(sql).bind(transaction_id).bind(file_id).bind(meta).bind(now).execute(pool).await.map(|_| ()))
}

/// Stores the PDF; returns true when the file had no content before.
pub async fn put_content(
    db: &Db,
    transaction_id: &str,
    file_id: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    // Only whether content exists: never read a stored PDF back just to know.
    let check = "SELECT COUNT(*) FROM sandbox_files \
                 WHERE transaction_id = $1 AND file_id = $2 AND content IS NOT NULL";
    let existed: i64 = on_pool!(db, pool => sqlx::query_scalar(check).bind(transaction_id).bind(file_id)
        .fetch_one(pool).await)?;
    let existed = existed > 0;
    let sql = "INSERT INTO sandbox_files (transaction_id, file_id, content, created_at) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (transaction_id, file_id) DO UPDATE SET content = excluded.content";
    on_pool!(db, pool => sqlx::query(sql).bind(transaction_id).bind(file_id).bind(content).bind(now).execute(pool).await.map(|_| ()))?;
    Ok(!existed)
}

pub async fn put_signed(
    db: &Db,
    transaction_id: &str,
    file_id: &str,
    signed: &[u8],
) -> sqlx::Result<()> {
    let sql = "UPDATE sandbox_files SET signed = $1 WHERE transaction_id = $2 AND file_id = $3";
    on_pool!(db, pool => sqlx::query(sql).bind(signed).bind(transaction_id).bind(file_id).execute(pool).await.map(|_| ()))
}

pub async fn find_file(
    db: &Db,
    transaction_id: &str,
    file_id: &str,
) -> sqlx::Result<Option<FileRow>> {
    let sql = "SELECT file_id, meta, content, signed FROM sandbox_files WHERE transaction_id = $1 AND file_id = $2";
    on_pool!(db, pool => sqlx::query_as::<_, FileRow>(sql).bind(transaction_id).bind(file_id).fetch_optional(pool).await)
}

/// The files of a transaction in upload order.
pub async fn files(db: &Db, transaction_id: &str) -> sqlx::Result<Vec<FileRow>> {
    let sql = "SELECT file_id, meta, content, signed FROM sandbox_files WHERE transaction_id = $1 ORDER BY created_at, file_id";
    on_pool!(db, pool => sqlx::query_as::<_, FileRow>(sql).bind(transaction_id).fetch_all(pool).await)
}

/// Removes the documents of a finished transaction.
pub async fn purge_files(db: &Db, transaction_id: &str) -> sqlx::Result<()> {
    let sql = "DELETE FROM sandbox_files WHERE transaction_id = $1";
    on_pool!(db, pool => sqlx::query(sql).bind(transaction_id).execute(pool).await.map(|_| ()))
}

pub async fn get_setting(db: &Db, key: &str) -> sqlx::Result<Option<String>> {
    let sql = "SELECT value FROM sandbox_settings WHERE key = $1";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(key).fetch_optional(pool).await)
}

pub async fn set_setting(db: &Db, key: &str, value: &str) -> sqlx::Result<()> {
    let sql = "INSERT INTO sandbox_settings (key, value) VALUES ($1, $2) \
               ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    on_pool!(db, pool => sqlx::query(sql).bind(key).bind(value).execute(pool).await.map(|_| ()))
}

/// Stores `value` under `key` unless something is stored there already.
pub async fn insert_setting_if_absent(db: &Db, key: &str, value: &str) -> sqlx::Result<()> {
    let sql =
        "INSERT INTO sandbox_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
    on_pool!(db, pool => sqlx::query(sql).bind(key).bind(value).execute(pool).await.map(|_| ()))
}

/// The newest transactions, newest first (for the mailbox page).
pub async fn recent_transactions(db: &Db, limit: i64) -> sqlx::Result<Vec<TransactionRow>> {
    let sql = "SELECT id, document, purged FROM sandbox_transactions ORDER BY created_at DESC, id LIMIT $1";
    on_pool!(db, pool => sqlx::query_as::<_, TransactionRow>(sql).bind(limit).fetch_all(pool).await)
}
