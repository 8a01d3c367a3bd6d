//! Downloads for signed-in staff: the archived signed documents and receipt,
//! and the evidence bundle (a zip with those, the postbacks received, the
//! activities, the audit log and a manifest of SHA-256 hashes), written to a
//! temporary file and streamed from there.

use std::io::{Seek, SeekFrom, Write};

use app::error::AppError;
use app::ssr::db::{activities, archive, audit, postbacks, requests, tracking};
use app::ssr::state::AppState;
use app::ssr::{auth, web};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio_util::io::ReaderStream;
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
    let (file, len) = match bundle(&state, id).await {
        Ok(done) => done,
        Err(e) => return refuse(e),
    };
    let stream = ReaderStream::new(tokio::fs::File::from_std(file));
    let mut res = (StatusCode::OK, Body::from_stream(stream)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
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

/// The bundle being written: a zip in an unnamed temporary file (gone when
/// it is closed), one entry at a time, so a request with large signed files
/// holds one of them in memory at most, and the manifest's lines.
struct Spool {
    zip: zip::ZipWriter<std::fs::File>,
    manifest: String,
}

impl Spool {
    fn new(preface: String) -> Result<Self, AppError> {
        let file = tempfile::tempfile().map_err(web::internal)?;
        Ok(Self {
            zip: zip::ZipWriter::new(file),
            manifest: preface,
        })
    }

    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), AppError> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(bytes.len() >= u32::MAX as usize);
        self.zip.start_file(name, options).map_err(web::internal)?;
        self.zip.write_all(bytes).map_err(web::internal)?;
        self.manifest.push_str(&format!(
            "{}  {}  {} bytes\n",
            hex::encode(Sha256::digest(bytes)),
            name,
            bytes.len()
        ));
        Ok(())
    }

    /// Adds an entry off the async threads (compressing a signed file takes a while).
    async fn add(mut self, name: String, bytes: Vec<u8>) -> Result<Self, AppError> {
        tokio::task::spawn_blocking(move || self.write(&name, &bytes).map(|()| self))
            .await
            .map_err(web::internal)?
    }

    /// Adds the manifest and closes the zip: the file, rewound, and its length.
    async fn finish(self) -> Result<(std::fs::File, u64), AppError> {
        tokio::task::spawn_blocking(move || {
            let Spool { mut zip, manifest } = self;
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("MANIFEST.sha256", options)
                .map_err(web::internal)?;
            zip.write_all(manifest.as_bytes()).map_err(web::internal)?;
            let mut file = zip.finish().map_err(web::internal)?;
            let len = file.seek(SeekFrom::End(0)).map_err(web::internal)?;
            file.rewind().map_err(web::internal)?;
            Ok((file, len))
        })
        .await
        .map_err(web::internal)?
    }
}

async fn bundle(state: &AppState, id: i64) -> Result<(std::fs::File, u64), AppError> {
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
    let mut preface = String::new();
    let kind = app::model::service::ProviderKind::parse(&row.provider);
    if let Some(kind) = kind.filter(|k| {
        use app::model::service::Artifact;
        let kept = k.capabilities().artifacts;
        // An audit trail is archived as the receipt.
        !kept.contains(&Artifact::Receipt) && !kept.contains(&Artifact::AuditTrail)
    }) {
        preface.push_str(&format!(
            "# {} issues no receipt PDF, so this bundle has none. The proof of signing is the \
             signature inside each file in signed/, with the service's events (activities.json) \
             and the messages it sent (postbacks.json).\n",
            kind.label()
        ));
    }
    let mut spool = Spool::new(preface)?;
    for f in archive::list(db, id).await.map_err(web::internal)? {
        let content = archive::content(db, id, f.id)
            .await
            .map_err(web::internal)?
            .unwrap_or_default();
        let folder = if f.kind == "receipt" { "" } else { "signed/" };
        spool = spool
            .add(format!("{folder}{}", zip_name(&f.name)), content)
            .await?;
    }
    let json = |v: &dyn erased::Json| v.pretty();
    let received = postbacks::for_request(db, id)
        .await
        .map_err(web::internal)?;
    spool = spool.add("postbacks.json".into(), json(&received)).await?;
    let timeline = activities::list(db, id).await.map_err(web::internal)?;
    spool = spool.add("activities.json".into(), json(&timeline)).await?;
    // What each signer did on a signing page the portal hosted (consent,
    // one-time codes sent and checked, never the codes).
    let consents = app::ssr::db::evidence::list(db, id)
        .await
        .map_err(web::internal)?;
    if !consents.is_empty() {
        spool = spool
            .add("consent-evidence.json".into(), json(&consents))
            .await?;
    }
    let log = audit::list(db, id).await.map_err(web::internal)?;
    spool = spool.add("audit-log.json".into(), json(&log)).await?;
    let request = serde_json::json!({
        "id": row.id, "title": row.title, "reference": row.reference,
        "status": row.status, "owner": row.owner_name, "created_at": row.created_at,
        "service": row.provider, "service_id": row.external_id, "service_status": service_status,
    });
    spool = spool.add("request.json".into(), json(&request)).await?;
    spool.finish().await
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
