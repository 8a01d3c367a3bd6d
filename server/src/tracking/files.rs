//! Downloads for signed-in staff: the archived signed documents and receipt,
//! and the evidence bundle (a zip with those, the postbacks received, the
//! activities, the audit log and a manifest of SHA-256 hashes).

use std::io::Write;

use app::error::AppError;
use app::ssr::db::{activities, archive, audit, postbacks, requests, tracking};
use app::ssr::state::AppState;
use app::ssr::{auth, web};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::documents::pdf_response;

fn refuse(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    crate::panic::error_page(status, &err.to_string())
}

async fn staff(state: &AppState, session: &Session) -> Result<(), AppError> {
    auth::session_user(session, state)
        .await?
        .map(|_| ())
        .ok_or(AppError::Unauthorized)
}

pub async fn archived_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, i64)>,
    session: Session,
) -> Response {
    if let Err(e) = staff(&state, &session).await {
        return refuse(e);
    }
    let name = match archive::list(&state.db, id).await {
        Ok(list) => list.into_iter().find(|f| f.id == file).map(|f| f.name),
        Err(e) => return refuse(web::internal(e)),
    };
    match (name, archive::content(&state.db, id, file).await) {
        (Some(name), Ok(Some(content))) => pdf_response(&name, content, "attachment"),
        (_, Err(e)) => refuse(web::internal(e)),
        _ => refuse(AppError::NotFound),
    }
}

/// A file name that is safe inside a zip.
fn zip_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || " ._()-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub async fn evidence(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    session: Session,
) -> Response {
    if let Err(e) = staff(&state, &session).await {
        return refuse(e);
    }
    match bundle(&state, id).await {
        Ok(bytes) => {
            let mut res = (StatusCode::OK, bytes).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            );
            let disposition = format!("attachment; filename=\"request-{id}-evidence.zip\"");
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            res
        }
        Err(e) => refuse(e),
    }
}

async fn bundle(state: &AppState, id: i64) -> Result<Vec<u8>, AppError> {
    let db = &state.db;
    let row = requests::find(db, id)
        .await
        .map_err(web::internal)?
        .ok_or(AppError::NotFound)?;
    let seen = tracking::find(db, id).await.map_err(web::internal)?;
    let archived = seen.as_ref().and_then(|t| t.archived_at);
    let service_status = seen.and_then(|t| t.provider_status);
    if archived.is_none() {
        return Err(AppError::Conflict(
            "The evidence bundle is ready once the request is signed and archived.".into(),
        ));
    }
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for f in archive::list(db, id).await.map_err(web::internal)? {
        let content = archive::content(db, id, f.id)
            .await
            .map_err(web::internal)?
            .unwrap_or_default();
        let folder = if f.kind == "receipt" { "" } else { "signed/" };
        entries.push((format!("{folder}{}", zip_name(&f.name)), content));
    }
    let json = |v: &dyn erased::Json| v.pretty();
    let received = postbacks::for_request(db, id)
        .await
        .map_err(web::internal)?;
    entries.push(("postbacks.json".into(), json(&received)));
    let timeline = activities::list(db, id).await.map_err(web::internal)?;
    entries.push(("activities.json".into(), json(&timeline)));
    // What each signer did on a signing page the portal hosted (consent,
    // one-time codes sent and checked, never the codes).
    let consents = app::ssr::db::evidence::list(db, id)
        .await
        .map_err(web::internal)?;
    if !consents.is_empty() {
        entries.push(("consent-evidence.json".into(), json(&consents)));
    }
    let log = audit::list(db, id).await.map_err(web::internal)?;
    entries.push(("audit-log.json".into(), json(&log)));
    let request = serde_json::json!({
        "id": row.id, "title": row.title, "reference": row.reference,
        "status": row.status, "owner": row.owner_name, "created_at": row.created_at,
        "service": row.provider, "service_id": row.external_id, "service_status": service_status,
    });
    entries.push(("request.json".into(), json(&request)));
    let mut manifest = String::new();
    let kind = app::model::service::ProviderKind::parse(&row.provider);
    if let Some(kind) = kind.filter(|k| {
        use app::model::service::Artifact;
        let kept = k.capabilities().artifacts;
        // An audit trail is archived as the receipt.
        !kept.contains(&Artifact::Receipt) && !kept.contains(&Artifact::AuditTrail)
    }) {
        manifest.push_str(&format!(
            "# {} issues no receipt PDF, so this bundle has none. The proof of signing is the \
             signature inside each file in signed/, with the service's events (activities.json) \
             and the messages it sent (postbacks.json).\n",
            kind.label()
        ));
    }
    for (name, bytes) in &entries {
        manifest.push_str(&format!(
            "{}  {}  {} bytes\n",
            hex::encode(Sha256::digest(bytes)),
            name,
            bytes.len()
        ));
    }
    entries.push(("MANIFEST.sha256".into(), manifest.into_bytes()));

    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &entries {
            zip.start_file(name.as_str(), options)
                .map_err(web::internal)?;
            zip.write_all(bytes).map_err(web::internal)?;
        }
        zip.finish().map_err(web::internal)?;
    }
    Ok(out.into_inner())
}

mod erased {
    /// Pretty JSON of anything serialisable, behind one object-safe trait.
    pub trait Json {
        fn pretty(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> Vec<u8> {
            serde_json::to_vec_pretty(self).unwrap_or_default()
        }
    }
}
