//! Request-scoped helpers for server functions: request id, status codes,
//! logging of internal errors.

use axum::http::{header::ACCEPT, request::Parts, StatusCode};
use leptos::prelude::use_context;

use crate::error::AppError;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The client's address, set on every request by the server (the socket's
/// peer, or what a trusted proxy says in `X-Forwarded-For`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// The nonce of this response's Content-Security-Policy (set by the server
/// on every request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(pub String);

/// Makes the request's CSP nonce the one Leptos puts on its scripts.
pub fn provide_csp_nonce() {
    if let Some(nonce) =
        use_context::<Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned())
    {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

/// The id of the request being served (set by the server's request-id layer).
pub fn request_id() -> String {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Logs an unexpected failure and turns it into a generic `Internal` error
/// that carries only the request id.
pub fn internal(err: impl std::fmt::Display) -> AppError {
    let request_id = request_id();
    tracing::error!(%request_id, error = %err, "internal error");
    AppError::Internal { request_id }
}

/// Sets the HTTP status of a failed server function to match its error.
///
/// A plain HTML form post (no JavaScript) is answered with a redirect back to
/// the form instead, which carries the error; its status is left alone.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        // A page being rendered (GET) takes the status of its data: a
        // request that does not exist makes the page a 404.
        let plain_form = use_context::<Parts>()
            .filter(|p| p.method == axum::http::Method::POST)
            .and_then(|p| {
                p.headers
                    .get(ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if !plain_form {
            if let (Some(res), Ok(status)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                StatusCode::from_u16(err.status()),
            ) {
                res.set_status(status);
                if let Some(secs) = err.retry_after() {
                    res.insert_header(
                        axum::http::header::RETRY_AFTER,
                        axum::http::HeaderValue::from(secs),
                    );
                }
            }
        }
    }
    result
}
