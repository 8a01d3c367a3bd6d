//! Server functions answer their errors with the status the error means.
//! Our functions set it themselves (`web::finish`); errors raised by the
//! framework before a function runs (input that does not deserialize, a body
//! over the limit) would otherwise all be answered 500.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// The header server_fn puts on its error answers.
const SERVER_FN_ERROR: &str = "serverfnerror";

/// Error bodies are small; anything larger is left alone.
const LIMIT: usize = 64 * 1024;

pub async fn layer(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
