//! The last line of defence: a panic in a handler becomes a plain error page
//! with the request id, and the details go to the log only.

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use futures::FutureExt;

pub async fn catch_panic(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(app::ssr::web::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(res) => res,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(%request_id, panic = %detail, "handler panicked");
            let message = app::error::AppError::Internal { request_id }.to_string();
            error_page(StatusCode::INTERNAL_SERVER_ERROR, &message)
        }
    }
}

/// A small error page; `message` must already be safe to show.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = page(
        "Something went wrong",
        &format!(
            "<h1>Something went wrong</h1><p>{}</p><a class=\"button\" href=\"/\">Go to requests</a>",
            escape(message)
        ),
    );
    (status, Html(body)).into_response()
}

/// A complete HTML document in the portal's style around `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Signing portal</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head>\
         <body><main class=\"center-page\"><div class=\"card narrow\">{body}</div></main></body></html>",
        escape(title)
    )
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
