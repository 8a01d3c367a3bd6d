//! The `requests` table: drafts and the requests sent from them.

use chrono::{DateTime, Utc};

use super::{on_ex, on_pool, Db, Ex};
use crate::model::request::{Flow, Receiver, RequestStatus, Settings, Signer};
use crate::model::service::ProviderKind;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub title: String,
    pub reference: String,
    pub flow: String,
    pub language: String,
    pub days_to_expire: i64,
    pub remind_days: i64,
    pub sequential: bool,
    pub notify_sender: bool,
    pub signers: String,
    pub receivers: String,
    pub status: String,
    pub failure: Option<String>,
    /// The signing service the request is made at ("signhost").
    pub provider: String,
    /// The service's own id of the request, once it has one.
    pub external_id: Option<String>,
    /// What was sent to create it there (to notice a draft changed after a refusal).
    pub sent_payload: Option<String>,
    /// What the service's adapter keeps between its steps (JSON).
    pub provider_state: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RequestRow {
    pub fn status(&self) -> RequestStatus {
        RequestStatus::parse(&self.status)
    }

    /// The signers as edited (a list that cannot be read counts as empty).
    pub fn signer_list(&self) -> Vec<Signer> {
        serde_json::from_str(&self.signers).unwrap_or_default()
    }

    pub fn receiver_list(&self) -> Vec<Receiver> {
        serde_json::from_str(&self.receivers).unwrap_or_default()
    }

    /// The name of the request's service, as staff see it.
    pub fn service_label(&self) -> &'static str {
        ProviderKind::parse(&self.provider)
            .unwrap_or_default()
            .label()
    }

    pub fn settings(&self) -> Settings {
        Settings {
            title: self.title.clone(),
            reference: self.reference.clone(),
            flow: Flow::parse(&self.flow),
            language: self.language.clone(),
            days_to_expire: self.days_to_expire,
            remind_days: self.remind_days,
            sequential: self.sequential,
            notify_sender: self.notify_sender,
        }
    }
}

const SELECT: &str = "SELECT r.id, r.owner_id, u.display_name AS owner_name, r.title, r.reference, \
    r.flow, r.language, r.days_to_expire, r.remind_days, r.sequential, r.notify_sender, r.signers, \
    r.receivers, r.status, r.failure, r.provider, r.external_id, r.sent_payload, r.provider_state, r.created_at, r.updated_at \
    FROM requests r JOIN users u ON u.id = r.owner_id";

/// Only drafts (and requests Signhost refused) may change.
const EDITABLE: &str = "status IN ('draft', 'failed')";

/// A new, empty draft owned by `owner_id`, to be sent with the default service.
pub async fn insert(db: &Db, owner_id: i64, now: DateTime<Utc>) -> sqlx::Result<i64> {
    insert_for(db, owner_id, ProviderKind::default().as_str(), now).await
}

/// A new, empty draft owned by `owner_id`, to be sent with `provider`.
pub async fn insert_for(
    db: &Db,
    owner_id: i64,
    provider: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let sql = "INSERT INTO requests (owner_id, provider, created_at, updated_at) \
               VALUES ($1, $2, $3, $3) RETURNING id";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(owner_id).bind(provider).bind(now)
        .fetch_one(pool).await)
}

pub async fn find(ex: impl Into<Ex<'_>>, id: i64) -> sqlx::Result<Option<RequestRow>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    on_ex!(ex.into(), pool => sqlx::query_as::<_, RequestRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// When the request last changed (one column: the request page asks every
/// few seconds while it waits).
pub async fn changed_at(db: &Db, id: i64) -> sqlx::Result<Option<DateTime<Utc>>> {
    let sql = "SELECT updated_at FROM requests WHERE id = $1";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_optional(pool).await)
}

/// The most recently changed requests first.
pub async fn list(db: &Db, limit: i64) -> sqlx::Result<Vec<RequestRow>> {
    let sql = format!("{SELECT} ORDER BY r.updated_at DESC, r.id DESC LIMIT $1");
    on_pool!(db, pool => sqlx::query_as::<_, RequestRow>(&sql).bind(limit).fetch_all(pool).await)
}

/// Saves the settings of an editable request; false when it is not editable.
pub async fn save_settings(
    db: &Db,
    id: i64,
    s: &Settings,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = format!(
        "UPDATE requests SET title = $1, reference = $2, flow = $3, language = $4, days_to_expire = $5, \
         remind_days = $6, sequential = $7, notify_sender = $8, updated_at = $9 WHERE id = $10 AND {EDITABLE}"
    );
    let n = on_pool!(db, pool => sqlx::query(&sql)
        .bind(&s.title).bind(&s.reference).bind(s.flow.as_str()).bind(&s.language)
        .bind(s.days_to_expire).bind(s.remind_days).bind(s.sequential).bind(s.notify_sender)
        .bind(now).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Saves the signers or receivers list (JSON) of an editable request.
pub async fn save_people(
    db: &Db,
    id: i64,
    column: People,
    json: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let column = match column {
        People::Signers => "signers",
        People::Receivers => "receivers",
    };
    let sql =
        format!("UPDATE requests SET {column} = $1, updated_at = $2 WHERE id = $3 AND {EDITABLE}");
    let n = on_pool!(db, pool => sqlx::query(&sql).bind(json).bind(now).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

#[derive(Debug, Clone, Copy)]
pub enum People {
    Signers,
    Receivers,
}

/// Sets the signing service of an editable request; false when not editable.
pub async fn set_provider(
    db: &Db,
    id: i64,
    provider: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql =
        format!("UPDATE requests SET provider = $1, updated_at = $2 WHERE id = $3 AND {EDITABLE}");
    let n = on_pool!(db, pool => sqlx::query(&sql).bind(provider).bind(now).bind(id)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Draft → starting; false when it was not editable (already started).
pub async fn mark_starting(
    ex: impl Into<Ex<'_>>,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql = format!(
        "UPDATE requests SET status = 'starting', failure = NULL, updated_at = $1 WHERE id = $2 AND {EDITABLE}"
    );
    let n = on_ex!(ex.into(), pool => sqlx::query(&sql).bind(now).bind(id).execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Sets the status (and the failure message shown to staff).
pub async fn set_status(
    ex: impl Into<Ex<'_>>,
    id: i64,
    status: RequestStatus,
    failure: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let started = if status == RequestStatus::Waiting {
        ", started_at = $4"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE requests SET status = $1, failure = $2, updated_at = $4 {started} WHERE id = $3"
    );
    on_ex!(ex.into(), pool => sqlx::query(&sql).bind(status.as_str()).bind(failure).bind(id).bind(now)
        .execute(pool).await.map(|_| ()))
}

/// Remembers the service's id of the request and what was sent to create
/// it (or forgets both, with `None`).
pub async fn set_external(
    ex: impl Into<Ex<'_>>,
    id: i64,
    external_id: Option<&str>,
    sent_payload: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql =
        "UPDATE requests SET external_id = $1, sent_payload = $2, updated_at = $3 WHERE id = $4";
    on_ex!(ex.into(), pool => sqlx::query(sql).bind(external_id).bind(sent_payload).bind(now).bind(id)
        .execute(pool).await.map(|_| ()))
}

/// Saves the adapter's state of a request (JSON).
pub async fn set_provider_state(
    db: &Db,
    id: i64,
    state: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let sql = "UPDATE requests SET provider_state = $1, updated_at = $2 WHERE id = $3";
    on_pool!(db, pool => sqlx::query(sql).bind(state).bind(now).bind(id).execute(pool).await.map(|_| ()))
}

/// Deletes an editable request with its documents; false when not editable.
pub async fn delete(db: &Db, id: i64) -> sqlx::Result<bool> {
    let sql = format!("DELETE FROM requests WHERE id = $1 AND {EDITABLE}");
    let n = on_pool!(db, pool => sqlx::query(&sql).bind(id).execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// Copies a request (settings, people, documents and fields) into a new
/// draft owned by `owner_id`.
pub async fn duplicate(db: &Db, id: i64, owner_id: i64, now: DateTime<Utc>) -> sqlx::Result<i64> {
    let copy = "INSERT INTO requests (owner_id, title, reference, flow, language, days_to_expire, \
        remind_days, sequential, notify_sender, signers, receivers, provider, created_at, updated_at) \
        SELECT $1, CASE WHEN title = '' THEN '' ELSE 'Copy of ' || title END, reference, flow, language, \
        days_to_expire, remind_days, sequential, notify_sender, signers, receivers, provider, $2, $2 \
        FROM requests WHERE id = $3 RETURNING id";
    // One document at a time, so each copy's bytes follow it (written
    // documents stay written: their markup is copied too).
    let originals = "SELECT id FROM documents WHERE request_id = $1 ORDER BY position, id";
    let doc = "INSERT INTO documents (request_id, position, name, size, sha256, pages, tags, fields, \
        markup, created_at) SELECT $1, position, name, size, sha256, pages, tags, fields, markup, $2 \
        FROM documents WHERE id = $3 RETURNING id";
    let content = "INSERT INTO document_content (document_id, content) \
        SELECT $1, content FROM document_content WHERE document_id = $2";
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let new_id: i64 = sqlx::query_scalar(copy).bind(owner_id).bind(now).bind(id)
            .fetch_one(&mut *tx).await?;
        let docs: Vec<i64> = sqlx::query_scalar(originals).bind(id).fetch_all(&mut *tx).await?;
        for old in docs {
            let copied: i64 = sqlx::query_scalar(doc).bind(new_id).bind(now).bind(old)
                .fetch_one(&mut *tx).await?;
            sqlx::query(content).bind(copied).bind(old).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(new_id)
    })
}
