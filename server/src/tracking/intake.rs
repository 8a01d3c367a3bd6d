//! `POST /signhost/postback`: the raw postback is stored first; then its
//! checksum is checked. Anything stored is answered 2xx (a non-2xx would
//! block Signhost's queue for this URL); a postback that is not authentic,
//! not a transaction, or too large is quarantined and never applied.
//! Processing happens later, in the worker.

use app::ssr::db::postbacks::{self, NewPostback};
use app::ssr::state::AppState;
use app::ssr::web::ClientIp;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;
use signhost::checksum::{verify_postback, PostbackError};

/// Signhost's postbacks are a transaction with its signers and activities;
/// a megabyte leaves room for large ones.
pub const MAX_POSTBACK_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct Intake {
    pub state: AppState,
    pub shared_secret: String,
    pub flood: super::flood::FloodGuard,
}

/// The headers worth keeping, with any authorization value hidden.
fn kept_headers(headers: &HeaderMap) -> String {
    let mut kept = serde_json::Map::new();
    for name in [
        "content-type",
        "content-length",
        "checksum",
        "user-agent",
        "authorization",
    ] {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            let v = if name == "authorization" {
                "(present, not stored)"
            } else {
                v
            };
            kept.insert(name.into(), v.into());
        }
    }
    serde_json::Value::Object(kept).to_string()
}

pub async fn receive(
    State(intake): State<Intake>,
    Extension(ClientIp(source)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !intake.flood.admit(source) {
        // Signhost sends a refused postback again later.
        tracing::warn!(%source, "postback rate limit reached");
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            "too many postbacks, try again",
        )
            .into_response();
        res.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("1"),
        );
        return res;
    }
    let now = Utc::now();
    let kept = kept_headers(&headers);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let bytes = if declared.is_some_and(|n| n > MAX_POSTBACK_BYTES) {
        Err(declared.unwrap_or_default())
    } else {
        axum::body::to_bytes(body, MAX_POSTBACK_BYTES)
            .await
            .map_err(|_| declared.unwrap_or(MAX_POSTBACK_BYTES + 1))
    };
    let db = &intake.state.db;
    let stored = match bytes {
        Err(size) => {
            let p = NewPostback {
                headers: &kept,
                body: "",
                size: size as i64,
                transaction_id: None,
                status: None,
                checksum: None,
                state: "quarantined",
                reason: Some("too large: the body was not kept"),
            };
            postbacks::insert(db, &p, now).await
        }
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let header_checksum = headers.get("checksum").and_then(|v| v.to_str().ok());
            let verdict = verify_postback(&bytes, header_checksum, &intake.shared_secret);
            let loose: Option<signhost::model::Transaction> = serde_json::from_slice(&bytes).ok();
            let (state, reason) = match &verdict {
                Ok(_) => ("received", None),
                Err(PostbackError::Malformed(_)) => {
                    ("quarantined", Some("not a transaction".to_string()))
                }
                Err(e) => ("quarantined", Some(e.to_string())),
            };
            // Bodies that are not authentic count against the sender's hourly
            // budget; past it only the attempt is kept.
            let over_budget =
                verdict.is_err() && !intake.flood.may_store(source, bytes.len() as u64);
            let reason = if over_budget {
                Some(format!(
                    "{}; the body was not kept (this sender's hourly allowance for unauthenticated postbacks is used up)",
                    reason.unwrap_or_default()
                ))
            } else {
                reason
            };
            let text = if over_budget { "".into() } else { text };
            let id = loose.as_ref().and_then(|t| t.id.clone());
            let checksum = header_checksum
                .map(str::to_string)
                .or_else(|| loose.as_ref().and_then(|t| t.checksum.clone()));
            let p = NewPostback {
                headers: &kept,
                body: &text,
                size: bytes.len() as i64,
                transaction_id: id.as_deref(),
                status: loose
                    .as_ref()
                    .and_then(|t| t.status)
                    .map(|s| s.code() as i64),
                checksum: checksum.as_deref(),
                state,
                reason: reason.as_deref(),
            };
            postbacks::insert(db, &p, now).await
        }
    };
    match stored {
        Ok(id) => {
            tracing::info!(postback_id = id, "postback stored");
            intake.state.wake_workers();
            (StatusCode::OK, "stored").into_response()
        }
        Err(e) => {
            // Not stored: a non-2xx makes Signhost send it again later.
            tracing::error!(error = %e, "postback could not be stored");
            (StatusCode::SERVICE_UNAVAILABLE, "not stored, try again").into_response()
        }
    }
}
