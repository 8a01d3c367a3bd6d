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
