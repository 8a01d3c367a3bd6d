//! The `signer_evidence` table: what a signer did on a signing page the
//! portal hosts, for the evidence bundle. One-time codes are never stored;
//! only whether one was accepted.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{on_pool, Db};

/// What a signer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Ticked the consent box and went on.
    Consented,
    /// Asked for a one-time code, and the service sent it.
    CodeSent,
    /// Entered a code: `outcome` says whether it was accepted.
    CodeChecked,
    /// Too many wrong codes: the service locked the order.
    Locked,
    /// Signed (the service made the signatures).
    Signed,
    /// Declined, with a reason.
    Declined,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Consented => "consented",
            Event::CodeSent => "code_sent",
            Event::CodeChecked => "code_checked",
            Event::Locked => "locked",
            Event::Signed => "signed",
            Event::Declined => "declined",
        }
    }
}

/// A document as the signer was shown it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Shown {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct EvidenceRow {
    pub signer_key: String,
    pub event: String,
    pub outcome: String,
    /// JSON list of [`Shown`].
    pub documents: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
}

/// Who did it, from where.
pub struct From<'a> {
    pub request_id: i64,
    pub signer_key: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn record(
    db: &Db,
    by: &From<'_>,
    event: Event,
    outcome: &str,
    documents: &[Shown],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let docs = serde_json::to_string(documents).unwrap_or_else(|_| "[]".into());
    let agent: String = by.user_agent.chars().take(400).collect();
    let sql = "INSERT INTO signer_evidence (request_id, signer_key, event, outcome, documents, ip, user_agent, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(by.request_id).bind(by.signer_key).bind(event.as_str()).bind(outcome).bind(&docs)
        .bind(by.ip).bind(&agent).bind(now)
        .execute(pool).await.map(|_| ()))
}

/// Everything recorded for a request, oldest first.
pub async fn list(db: &Db, request_id: i64) -> sqlx::Result<Vec<EvidenceRow>> {
    let sql = "SELECT signer_key, event, outcome, documents, ip, user_agent, created_at \
               FROM signer_evidence WHERE request_id = $1 ORDER BY id";
    on_pool!(db, pool => sqlx::query_as(sql).bind(request_id).fetch_all(pool).await)
}

/// The last time `event` happened for a signer.
pub async fn last(
    db: &Db,
    request_id: i64,
    signer_key: &str,
    event: Event,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    let sql = "SELECT created_at FROM signer_evidence WHERE request_id = $1 AND signer_key = $2 AND event = $3 \
               ORDER BY id DESC LIMIT 1";
    on_pool!(db, pool => sqlx::query_scalar::<_, DateTime<Utc>>(sql)
        .bind(request_id).bind(signer_key).bind(event.as_str())
        .fetch_optional(pool).await)
}
