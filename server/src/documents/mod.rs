//! Documents over plain HTTP: the upload (a raw PDF body, so the browser
//! can show progress) and the PDF for the page renderer.

pub mod corpus;
pub mod guard;
pub mod inspect;
pub mod work;

use crate::routes::At;
use app::error::AppError;
use app::ssr::db::documents::{self, NewDocument};
use app::ssr::db::users::UserRow;
use app::ssr::state::AppState;
use app::ssr::{auth, requests};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

pub const FILE_NAME_HEADER: &str = "x-file-name";

pub fn routes(state: AppState, uploads_at_once: usize) -> Router {
    Router::new()
        .at("/api/requests/{id}/documents", post(upload))
        .at("/requests/{id}/documents/{document_id}/pdf", get(download))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::Extension(UploadGate::new(uploads_at_once)))
        .with_state(state)
}

/// Uploads received at once (`UPLOADS_AT_ONCE`): each holds up to a whole
/// PDF in memory while it is checked, so their number bounds the memory
/// uploads take. An upload beyond it waits (its body unread) for a while,
/// then is refused with `503` and `Retry-After`.
#[derive(Clone)]
pub struct UploadGate {
    turns: std::sync::Arc<tokio::sync::Semaphore>,
    /// How long an upload waits for its turn.
    wait: std::time::Duration,
}

impl UploadGate {
    pub fn new(at_once: usize) -> Self {
        Self::with_wait(at_once, std::time::Duration::from_secs(20))
    }

    pub fn with_wait(at_once: usize, wait: std::time::Duration) -> Self {
        UploadGate {
            turns: std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1))),
            wait,
        }
    }

    /// A turn, held while the upload is received, checked and stored;
    /// `None` when none came free in time.
    pub async fn enter(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(self.wait, self.turns.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

fn busy(message: &str) -> Response {
    let mut res = refuse(StatusCode::SERVICE_UNAVAILABLE, message);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

/// Why a body was not received whole.
enum Receive {
    TooLarge,
    Interrupted,
}

/// Reads the body into one buffer sized from `Content-Length` (no copy as
/// it grows), hashing each piece as it arrives; at most `limit` bytes.
async fn receive(
    body: Body,
    declared: Option<u64>,
    limit: u64,
) -> Result<(Vec<u8>, String), Receive> {
    use futures::StreamExt;
    let mut hasher = Sha256::new();
    let mut content = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    let mut stream = body.into_data_stream();
    while let Some(piece) = stream.next().await {
        let piece = piece.map_err(|_| Receive::Interrupted)?;
        if (content.len() + piece.len()) as u64 > limit {
            return Err(Receive::TooLarge);
        }
        hasher.update(&piece);
        content.extend_from_slice(&piece);
    }
    Ok((content, hex::encode(hasher.finalize())))
}

/// An error answer the upload widget shows as it is.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "message": message.into() });
    (status, Json(body)).into_response()
}

fn refuse_app(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    refuse(status, err.to_string())
}

async fn signed_in(state: &AppState, session: &Session) -> Result<UserRow, AppError> {
    auth::session_user(session, state)
        .await?
        .ok_or(AppError::Unauthorized)
}

fn too_large(limit: u64) -> String {
    format!(
        "This file is larger than {}, the most a document may be. Make it smaller (for example, scan at a lower resolution) and try again.",
        app::model::request::format_size(limit as i64)
    )
}

/// The name the browser sent (URL-encoded), without any path, tidied.
pub fn file_name(headers: &HeaderMap) -> String {
    let raw = headers
        .get(FILE_NAME_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let base = decoded.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        "Document.pdf".into()
    } else {
        clean.to_string()
    }
}

async fn upload(
    State(state): State<AppState>,
    axum::Extension(gate): axum::Extension<UploadGate>,
    Path(id): Path<i64>,
    session: Session,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let user = match signed_in(&state, &session).await {
        Ok(u) => u,
        Err(e) => return refuse_app(e),
    };
    if let Err(e) = requests::editable(&state, &user, id).await {
        return refuse_app(e);
    }
    let limit = state.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large(limit));
    }
    let Some(_turn) = gate.enter().await else {
        return busy(
            "The portal is receiving other documents right now. Please try again in a moment.",
        );
    };
    let (bytes, sha256) = match receive(body, declared, limit).await {
        Ok(received) => received,
        Err(Receive::TooLarge) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large(limit)),
        Err(Receive::Interrupted) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "The upload was interrupted. Please try again.",
            )
        }
    };
    let name = file_name(&headers);
    let limits = guard::Limits::default();
    let checked = work::run(
        std::time::Duration::from_secs(30),
        limits.max_time,
        move |budget| {
            let found = inspect::inspect_within(&bytes, &limits, budget);
            (found, bytes)
        },
    )
    .await;
    let (found, bytes) = match checked {
        Ok(done) => done,
        Err(b @ work::Busy::Busy) => return busy(&b.to_string()),
        Err(e) => return refuse_app(app::ssr::web::internal(e)),
    };
    let found = match found {
        Ok(f) => f,
        Err(refusal) => {
            tracing::info!(request_id = id, %refusal, "upload refused");
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, refusal.to_string());
        }
    };
    let pages_json = serde_json::to_string(&found.pages).unwrap_or_else(|_| "[]".into());
    let tags_json = serde_json::to_string(&found.tags).unwrap_or_else(|_| "[]".into());
    let size = bytes.len();
    let doc = NewDocument {
        request_id: id,
        name: &name,
        sha256: &sha256,
        pages_json: &pages_json,
        tags_json: &tags_json,
        content: bytes,
    };
    let (doc_id, position) = match documents::insert(&state.db, doc, chrono::Utc::now()).await {
        Ok(stored) => stored,
        Err(e) => return refuse_app(app::ssr::web::internal(e)),
    };
    tracing::info!(
        request_id = id,
        document_id = doc_id,
        size,
        "document uploaded"
    );
    let view = app::model::request::DocumentView {
        id: doc_id,
        name,
        position,
        size: size as i64,
        sha256,
        pages: found.pages,
        tags: found.tags,
        fields: Vec::new(),
        markup: None,
    };
    (StatusCode::CREATED, Json(view)).into_response()
}

async fn download(
    State(state): State<AppState>,
    Path((id, document_id)): Path<(i64, i64)>,
    session: Session,
) -> Response {
    if let Err(e) = signed_in(&state, &session).await {
        return refuse_app(e);
    }
    let found = match documents::list(&state.db, id).await {
        Ok(list) => list
            .into_iter()
            .find(|d| d.id == document_id)
            .map(|d| (d.name, d.markup.is_some())),
        Err(e) => return refuse_app(app::ssr::web::internal(e)),
    };
    let content = match documents::content(&state.db, id, document_id).await {
        Ok(c) => c,
        Err(e) => return refuse_app(app::ssr::web::internal(e)),
    };
    let (Some((name, written)), Some(content)) = (found, content) else {
        return refuse_app(AppError::NotFound);
    };
    if written {
        // A document written in the portal is shown as its text, never rendered.
        return file_response(&name, content, "inline", "text/plain; charset=utf-8");
    }
    pdf_response(&name, content, "inline")
}

/// A PDF download with a safe file name.
pub fn pdf_response(name: &str, content: Vec<u8>, disposition: &str) -> Response {
    file_response(name, content, disposition, "application/pdf")
}

/// A download of `content_type` with a safe file name.
pub fn file_response(
    name: &str,
    content: Vec<u8>,
    disposition: &str,
    content_type: &'static str,
) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let value = format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = (StatusCode::OK, content).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[cfg(test)]
mod gate_tests {
    use super::UploadGate;
    use std::time::Duration;

    #[tokio::test]
    async fn uploads_beyond_the_limit_wait_and_then_are_turned_away() {
        let gate = UploadGate::with_wait(2, Duration::from_millis(50));
        let a = gate.enter().await.expect("first turn");
        let _b = gate.enter().await.expect("second turn");
        assert!(gate.enter().await.is_none(), "a third waits, then gives up");
        // One waiting while a turn comes free gets it.
        let waiting = tokio::spawn({
            let gate = UploadGate {
                wait: Duration::from_secs(5),
                ..gate.clone()
            };
            async move { gate.enter().await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(a);
        assert!(waiting.await.unwrap());
    }
}
