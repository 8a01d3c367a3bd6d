//! `POST /hooks/{provider}` (and Signhost's own `POST /signhost/postback`):
//! the raw message is stored first; then the service's adapter checks it.
//! Anything stored is answered 2xx (a non-2xx would block Signhost's queue
//! for this URL); a message that is not authentic, not readable, or too
//! large is quarantined and never acted on. Processing happens later, in
//! the worker, and is only ever a fetch of the truth from the service.

use super::group_commit::Incoming;
use app::model::service::ProviderKind;
use app::ssr::state::AppState;
use app::ssr::web::ClientIp;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;

/// Signhost's postbacks are a transaction with its signers and activities;
/// a megabyte leaves room for large ones.
pub const MAX_POSTBACK_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct Intake {
    pub state: AppState,
    pub flood: super::flood::FloodGuard,
    /// Stores what arrives, many messages to a transaction.
    pub writer: super::group_commit::Writer,
}

/// The headers worth keeping, with any authorization value hidden.
fn kept_headers(headers: &HeaderMap) -> String {
    let mut kept = serde_json::Map::new();
    for name in [
        "content-type",
        "content-length",
        "checksum",
        "x-idfy-signature",
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

/// `POST /signhost/postback`: the address Signhost is given.
pub async fn signhost_postback(
    State(intake): State<Intake>,
    Extension(ClientIp(source)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive(intake, ProviderKind::Signhost, source, headers, body).await
}

/// `POST /hooks/{provider}`: any configured service's messages.
pub async fn hook(
    State(intake): State<Intake>,
    Path(provider): Path<String>,
    Extension(ClientIp(source)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match ProviderKind::parse(&provider).filter(|k| intake.state.providers.get(*k).is_some()) {
        Some(kind) => receive(intake, kind, source, headers, body).await,
        None => (StatusCode::NOT_FOUND, "no such service here").into_response(),
    }
}

async fn receive(
    intake: Intake,
    kind: ProviderKind,
    source: std::net::IpAddr,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !intake.flood.admit(source) {
        // Signhost sends a refused postback again later.
        tracing::warn!(%source, "postback rate limit reached");
        crate::metrics::intake(kind.as_str(), "rate_limited");
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
    let incoming = match bytes {
        Err(size) => Incoming {
            received_at: now,
            headers: kept,
            body: String::new(),
            size: size as i64,
            provider: kind.as_str(),
            external_id: None,
            hint: None,
            signature: None,
            state: "quarantined",
            reason: Some("too large: the body was not kept".into()),
        },
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let inbound = match intake.state.providers.get(kind) {
                Some(adapter) => adapter.inbound(&headers, &bytes),
                None => app::ssr::provider::Inbound {
                    refused: Some("for a service this portal does not use".into()),
                    ..Default::default()
                },
            };
            let authentic = inbound.refused.is_none();
            let (state, reason) = match (inbound.refused, inbound.ignore) {
                (Some(why), _) => ("quarantined", Some(why)),
                (None, Some(why)) => ("ignored", Some(why)),
                (None, None) => ("received", None),
            };
            // Bodies that are not authentic count against the sender's hourly
            // budget; past it only the attempt is kept.
            let over_budget = !authentic && !intake.flood.may_store(source, bytes.len() as u64);
            let reason = if over_budget {
                Some(format!(
                    "{}; the body was not kept (this sender's hourly allowance for unauthenticated postbacks is used up)",
                    reason.unwrap_or_default()
                ))
            } else {
                reason
            };
            Incoming {
                received_at: now,
                headers: kept,
                body: if over_budget {
                    String::new()
                } else {
                    text.into_owned()
                },
                size: bytes.len() as i64,
                provider: kind.as_str(),
                external_id: inbound.external_id,
                hint: inbound.hint,
                signature: inbound.signature,
                state,
                reason,
            }
        }
    };
    let provider = incoming.provider;
    match intake.writer.store(incoming).await {
        Ok(id) => {
            crate::metrics::intake(provider, "stored");
            tracing::info!(postback_id = id, "postback stored");
            intake.state.wake_workers();
            (StatusCode::OK, "stored").into_response()
        }
        Err(e) => {
            // Not stored: a non-2xx makes Signhost send it again later.
            tracing::error!(error = %e, "postback could not be stored");
            crate::metrics::intake(provider, "not_stored");
            (StatusCode::SERVICE_UNAVAILABLE, "not stored, try again").into_response()
        }
    }
}
