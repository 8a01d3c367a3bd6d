//! Loading and saving sandbox transactions, and answering as Signhost does.

use app::ssr::db::sandbox as db;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, FixedOffset, Utc};
use signhost::model::{Activity, ActivityCode, Signer, Transaction};

use super::validate::Refusal;
use crate::sandbox::Sandbox;

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        match self.body {
            Some(body) => (status, Json(body)).into_response(),
            None => (status, Json(serde_json::json!({ "Message": self.message }))).into_response(),
        }
    }
}

pub fn internal(err: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %err, "sandbox failure");
    Refusal::new(500, "An internal error occurred.")
}

/// A transaction that is present (not purged).
pub async fn load(sandbox: &Sandbox, id: &str) -> Result<Transaction, Refusal> {
    match load_any(sandbox, id).await? {
        (tx, false) => Ok(tx),
        (tx, true) => Err(gone(&tx)),
    }
}

/// How long a hold lasts at most: an instance that dies holding a
/// transaction keeps it from the others this long.
const HOLD: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a change waits for another one to the same transaction.
const HOLD_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A transaction held by this caller until dropped: every change to a
/// transaction (a signature, a file, the clock) reads and writes it while
/// held, so two changes at the same moment (two signers, on two portal
/// instances) both land instead of one overwriting the other.
pub struct Held {
    db: app::ssr::db::Db,
    id: String,
    holder: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        let (db, id, holder) = (self.db.clone(), self.id.clone(), self.holder.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = db::unlock_transaction(&db, &id, &holder).await {
                    tracing::warn!(error = %e, "sandbox transaction not released; it frees itself");
                }
            });
        }
    }
}

/// Waits for the transaction, holds it, and loads it (present, not purged).
pub async fn hold(sandbox: &Sandbox, id: &str) -> Result<(Held, Transaction), Refusal> {
    let (held, tx, purged) = hold_any(sandbox, id).await?;
    if purged {
        return Err(gone(&tx));
    }
    Ok((held, tx))
}

/// [`hold`] for a transaction that may have been purged.
pub async fn hold_any(sandbox: &Sandbox, id: &str) -> Result<(Held, Transaction, bool), Refusal> {
    let holder = uuid::Uuid::new_v4().to_string();
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(2);
    let mut known = false;
    loop {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(HOLD).unwrap_or_default();
        if db::lock_transaction(&sandbox.db, id, &holder, now, until)
            .await
            .map_err(internal)?
        {
            break;
        }
        // Missing, or held by another change: which? (Asked once; a
        // transaction is never deleted, only purged.)
        if !known {
            load_any(sandbox, id).await?;
            known = true;
        }
        if started.elapsed() > HOLD_WAIT {
            return Err(Refusal::new(
                503,
                "The transaction is busy with another change. Please try again.",
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_millis(50));
    }
    let held = Held {
        db: sandbox.db.clone(),
        id: id.to_string(),
        holder,
    };
    let (tx, purged) = load_any(sandbox, id).await?;
    Ok((held, tx, purged))
}

/// A transaction and whether its documents were purged.
pub async fn load_any(sandbox: &Sandbox, id: &str) -> Result<(Transaction, bool), Refusal> {
    let row = db::find_transaction(&sandbox.db, id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Refusal::new(404, "Transaction not found."))?;
    let tx = serde_json::from_str(&row.document).map_err(internal)?;
    Ok((tx, row.purged))
}

pub async fn save(sandbox: &Sandbox, tx: &mut Transaction, purged: bool) -> Result<(), Refusal> {
    tx.modified_date_time = Some(sandbox.now());
    let id = tx.id.clone().unwrap_or_default();
    let doc = serde_json::to_string(tx).map_err(internal)?;
    db::update_transaction(&sandbox.db, &id, &doc, purged, Utc::now())
        .await
        .map_err(internal)?;
    super::postbacks::enqueue(sandbox, tx)
        .await
        .map_err(internal)
}

/// 410 with what is left of the transaction.
pub fn gone(tx: &Transaction) -> Refusal {
    Refusal {
        status: 410,
        message: "The transaction was cleaned up.".into(),
        body: serde_json::to_value(tx).ok(),
    }
}

/// Answers a transaction the way Signhost does (every key present).
pub fn transaction_json(status: StatusCode, tx: &Transaction) -> Response {
    (status, Json(tx)).into_response()
}

fn activity(code: ActivityCode, info: Option<String>, at: DateTime<FixedOffset>) -> Activity {
    Activity {
        id: Some(uuid::Uuid::new_v4().to_string()),
        code,
        activity: Some(code.name()),
        info,
        created_date_time: Some(at),
    }
}

pub fn add_activity(
    signer: &mut Signer,
    code: ActivityCode,
    info: Option<String>,
    at: DateTime<FixedOffset>,
) {
    signer.activities.push(activity(code, info, at));
}
