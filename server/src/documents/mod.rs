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

pub fn routes(state: AppState) -> Router {
    Router::new()
        .at("/api/requests/{id}/documents", post(upload))
        .at("/requests/{id}/documents/{document_id}/pdf", get(download))
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
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
    let bytes = match axum::body::to_bytes(body, limit as usize).await {
        Ok(b) => b,
        Err(e) => {
            let over = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return if over {
                refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large(limit))
            } else {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "The upload was interrupted. Please try again.",
                )
            };
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
        Err(busy @ work::Busy::Busy) => {
            let mut res = refuse(StatusCode::SERVICE_UNAVAILABLE, busy.to_string());
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return res;
        }
        Err(e) => return refuse_app(app::ssr::web::internal(e)),
    };
    let found = match found {
        Ok(f) => f,
        Err(refusal) => {
            tracing::info!(request_id = id, %refusal, "upload refused");
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, refusal.to_string());
        }
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let pages_json = serde_json::to_string(&found.pages).unwrap_or_else(|_| "[]".into());
    let tags_json = serde_json::to_string(&found.tags).unwrap_or_else(|_| "[]".into());
    let doc = NewDocument {
        request_id: id,
        name: &name,
        sha256: &sha256,
        pages_json: &pages_json,
        tags_json: &tags_json,
        content: &bytes,
    };
    let (doc_id, position) = match documents::insert(&state.db, &doc, chrono::Utc::now()).await {
        Ok(stored) => stored,
        Err(e) => return refuse_app(app::ssr::web::internal(e)),
    };
    tracing::info!(
        request_id = id,
        document_id = doc_id,
        size = bytes.len(),
        "document uploaded"
    );
    let view = app::model::request::DocumentView {
        id: doc_id,
        name,
        position,
        size: bytes.len() as i64,
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
