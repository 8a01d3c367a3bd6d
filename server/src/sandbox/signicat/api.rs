//! The documents API (`signature/documents…`, S1
//! `Services/Signing/Express/ExpressSignatureService.cs`): create with the
//! first PDF, attachments until the announced number is in, read, status,
//! summaries, cancel, signers, and the signed files once packaged.

use app::ssr::db::sandbox_signicat as db;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use signicat::model::{
    AttachmentOptions, AuthenticationMechanism, DocumentCreateOptions, DocumentStatus,
    DocumentStatusSummary, FileFormat, RedirectMode,
};

use super::auth::require;
use super::guess;
use super::store::{
    internal, load, update, DataFile, Emit, Fault, SimAttachment, SimDoc, SimSigner,
};
use crate::sandbox::common::pdf;
use crate::sandbox::{Sandbox, Shared};

fn read_json<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Fault> {
    serde_json::from_slice(body).map_err(|e| {
        let path = e.to_string();
        Fault::field(
            "body",
            &format!("The request body could not be read: {path}"),
        )
    })
}

fn pdf_bytes(field: &str, data: &str) -> Result<Vec<u8>, Fault> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| Fault::field(field, "Must be base64."))?;
    if !pdf::is_pdf(&bytes) {
        return Err(Fault::field(
            field,
            "Must be a PDF document (the sandbox signs PDFs only).",
        ));
    }
    Ok(bytes)
}

fn is_web_url(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Every problem with a create request, by field.
fn problems(s: &Sandbox, o: &DocumentCreateOptions) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut bad = |f: String, m: &str| out.push((f, m.to_string()));
    if o.title.trim().is_empty() {
        bad("title".into(), "The title is required.");
    }
    if o.external_id.trim().is_empty() {
        bad("externalId".into(), "The externalId is required.");
    }
    if !o.data_to_sign.file_name.to_lowercase().ends_with(".pdf") {
        bad("dataToSign.fileName".into(), "Must name a .pdf file.");
    }
    if o.signers.is_empty() || o.signers.len() > guess::MAX_SIGNERS {
        bad(
            "signers".into(),
            &format!("Between 1 and {} signers.", guess::MAX_SIGNERS),
        );
    }
    for (i, signer) in o.signers.iter().enumerate() {
        let at = |f: &str| format!("signers[{i}].{f}");
        if signer.external_signer_id.trim().is_empty() {
            bad(at("externalSignerId"), "The externalSignerId is required.");
        } else if o.signers[..i]
            .iter()
            .any(|p| p.external_signer_id == signer.external_signer_id)
        {
            bad(
                at("externalSignerId"),
                "Must be unique within the document.",
            );
        }
        let r = &signer.redirect_settings;
        if r.redirect_mode == RedirectMode::Redirect {
            for (name, u) in [
                ("success", &r.success),
                ("cancel", &r.cancel),
                ("error", &r.error),
            ] {
                if !u.as_deref().is_some_and(is_web_url) {
                    bad(
                        at(&format!("redirectSettings.{name}")),
                        "Must be an http(s) URL when redirectMode is redirect.",
                    );
                }
            }
        }
        let sms = signer.authentication.as_ref().is_some_and(|a| {
            matches!(
                a.mechanism,
                AuthenticationMechanism::SmsOtp | AuthenticationMechanism::EidAndSmsOtp
            )
        });
        if sms
            && signer
                .signer_info
                .as_ref()
                .and_then(|i| i.mobile.as_ref())
                .is_none()
        {
            bad(
                at("signerInfo.mobile"),
                "A mobile number is required for SMS one-time codes.",
            );
        }
    }
    if o.advanced.attachments.unwrap_or(0) > guess::MAX_ATTACHMENTS {
        bad(
            "advanced.attachments".into(),
            &format!("At most {} attachments.", guess::MAX_ATTACHMENTS),
        );
    }
    if let Some(d) = o
        .advanced
        .time_to_live
        .as_ref()
        .and_then(|t| t.deadline.as_deref())
    {
        match chrono::DateTime::parse_from_rfc3339(d) {
            Err(_) => bad(
                "advanced.timeToLive.deadline".into(),
                "Must be an ISO 8601 date and time.",
            ),
            Ok(t) if t <= s.now() => bad(
                "advanced.timeToLive.deadline".into(),
                "Must be in the future.",
            ),
            Ok(t) if t > s.now() + Duration::days(guess::MAX_DEADLINE_DAYS) => bad(
                "advanced.timeToLive.deadline".into(),
                &format!("Must be at most {} days ahead.", guess::MAX_DEADLINE_DAYS),
            ),
            Ok(_) => {}
        }
    }
    out
}

/// `POST signature/documents`.
pub async fn create(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_write")?;
    let options: DocumentCreateOptions = read_json(&body)?;
    let mut found = problems(&s, &options);
    let content = match pdf_bytes(
        "dataToSign.base64Content",
        &options.data_to_sign.base64_content,
    ) {
        Ok(c) => Some(c),
        Err(f) => {
            found.extend(
                f.body["invalidParams"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap_or_default().to_string(),
                            p["reason"].as_str().unwrap_or_default().to_string(),
                        )
                    }),
            );
            None
        }
    };
    if !found.is_empty() {
        return Err(Fault::invalid(found));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let signers = options
        .signers
        .iter()
        .map(|o| {
            let sid = uuid::Uuid::new_v4().to_string();
            SimSigner {
                url: s
                    .public_url
                    .join(&format!("{}sign/{id}/{sid}", super::BASE))
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
                id: sid,
                options: o.clone(),
                document_signature: None,
                link_opened: false,
            }
        })
        .collect();
    let waiting = options.advanced.attachments.unwrap_or(0) > 0;
    let doc = SimDoc {
        document_id: id.clone(),
        external_id: options.external_id.clone(),
        title: options.title.clone(),
        description: options.description.clone(),
        contact_details: options.contact_details.clone(),
        data_to_sign: DataFile {
            file_name: options.data_to_sign.file_name.clone(),
            packaging: options.data_to_sign.packaging.clone(),
        },
        signers,
        status: DocumentStatusSummary {
            document_status: if waiting {
                DocumentStatus::WaitingForAttachments
            } else {
                DocumentStatus::Unsigned
            },
            completed_packages: Vec::new(),
        },
        advanced: options.advanced.clone(),
        attachments: Vec::new(),
        created_time: s.now().to_rfc3339(),
        signed_date: None,
        canceled_reason: None,
    };
    let json = serde_json::to_string(&doc).map_err(internal)?;
    db::insert_document(
        &s.db,
        &id,
        &doc.external_id,
        &json,
        doc.due_at(),
        Utc::now(),
    )
    .await
    .map_err(internal)?;
    db::put_file(&s.db, &id, "data", &content.unwrap_or_default())
        .await
        .map_err(internal)?;
    super::store::emit(&s, &doc, Emit::about(&doc, "document_created", json!({})))
        .await
        .map_err(internal)?;
    Ok((StatusCode::CREATED, Json(doc.answer())).into_response())
}

pub async fn get(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    Ok(Json(load(&s, &id).await?.0.answer()).into_response())
}

pub async fn status(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    let doc = load(&s, &id).await?.0;
    let attachments: serde_json::Map<String, Value> = doc
        .attachments
        .iter()
        .map(|a| (a.id.clone(), json!(doc.status.completed_packages)))
        .collect();
    Ok(Json(json!({
        "documentStatus": doc.status.document_status,
        "completedPackages": doc.status.completed_packages,
        "attachmentPackages": attachments,
    }))
    .into_response())
}

fn summary_of(doc: &SimDoc) -> Value {
    json!({
        "documentId": doc.document_id,
        "externalId": doc.external_id,
        "title": doc.title,
        "status": doc.status.document_status,
        "created": doc.created_time,
        "deadline": doc.deadline().map(|d| d.to_rfc3339()),
        "signedDate": doc.signed_date,
        "requiredSignatures": doc.required(),
        "currentSignatures": doc.signatures(),
        "documentSignatures": doc.signers.iter().filter_map(|s| {
            let d = s.document_signature.as_ref()?;
            Some(json!({"signerId": s.id, "externalSignerId": s.options.external_signer_id,
                "signatureMethod": d.signature_method, "fullName": d.full_name, "signedTime": d.signed_time}))
        }).collect::<Vec<_>>(),
    })
}

pub async fn summary(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    Ok(Json(summary_of(&load(&s, &id).await?.0)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindQuery {
    external_id: Option<String>,
    status: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

/// `GET signature/documents/summary?externalId=…`: the sandbox searches by
/// `externalId` (required here), optionally by status.
pub async fn find(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<FindQuery>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    let Some(external) = q.external_id.filter(|e| !e.is_empty()) else {
        return Err(Fault::field(
            "externalId",
            "The sandbox searches by externalId.",
        ));
    };
    let docs: Vec<SimDoc> = db::by_external_id(&s.db, &external)
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(|r| serde_json::from_str(&r.document).ok())
        .filter(|d: &SimDoc| {
            q.status
                .as_deref()
                .is_none_or(|st| d.status.document_status.as_str() == st)
        })
        .collect();
    let count = docs.len();
    let data: Vec<Value> = docs
        .iter()
        .skip(q.offset.unwrap_or(0))
        .take(q.limit.unwrap_or(100).min(1000))
        .map(summary_of)
        .collect();
    Ok(Json(json!({"count": count, "data": data})).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CancelQuery {
    reason: Option<String>,
}

/// `POST signature/documents/{id}/cancel?reason=…`.
pub async fn cancel(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<CancelQuery>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_write")?;
    let reason = q.reason.unwrap_or_default();
    update(&s, &id, |doc| {
        if doc.is_final() {
            return Err(Fault::conflict(&format!(
                "The document is {} and can no longer be canceled.",
                doc.status.document_status.as_str()
            )));
        }
        doc.status.document_status = DocumentStatus::Canceled;
        doc.canceled_reason = Some(reason.clone());
        Ok(vec![Emit::about(
            doc,
            "document_canceled",
            json!({"message": reason}),
        )])
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST signature/documents/{id}/attachments`.
pub async fn add_attachment(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_write")?;
    let a: AttachmentOptions = read_json(&body)?;
    let mut found = Vec::new();
    if !a.file_name.to_lowercase().ends_with(".pdf") {
        found.push(("fileName".to_string(), "Must name a .pdf file.".to_string()));
    }
    if a.title.trim().is_empty() {
        found.push(("title".to_string(), "The title is required.".to_string()));
    }
    let content = pdf_bytes("data", &a.data);
    if let Err(f) = &content {
        found.push((
            "data".to_string(),
            f.body["invalidParams"][0]["reason"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ));
    }
    if !found.is_empty() {
        return Err(Fault::invalid(found));
    }
    let content = content?;
    let aid = uuid::Uuid::new_v4().to_string();
    let added = SimAttachment {
        id: aid.clone(),
        file_name: a.file_name.clone(),
        title: a.title.clone(),
        kind: a.kind,
        signers: a.signers.clone(),
    };
    // The file first: an attachment listed without its file would break signing.
    db::put_file(&s.db, &id, &aid, &content)
        .await
        .map_err(internal)?;
    update(&s, &id, |doc| {
        let expected = doc.advanced.attachments.unwrap_or(0) as usize;
        if doc.status.document_status != DocumentStatus::WaitingForAttachments
            || doc.attachments.len() >= expected
        {
            return Err(Fault::conflict(&format!(
                "The document takes no more attachments (it announced {expected})."
            )));
        }
        doc.attachments.push(added.clone());
        if doc.attachments.len() == expected {
            doc.status.document_status = DocumentStatus::Unsigned;
        }
        Ok(Vec::new())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

pub async fn attachments(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    Ok(Json(load(&s, &id).await?.0.attachments).into_response())
}

fn signer_answer(doc: &SimDoc, signer_id: &str) -> Result<Value, Fault> {
    doc.answer()["signers"]
        .as_array()
        .and_then(|list| list.iter().find(|v| v["id"] == signer_id).cloned())
        .ok_or_else(|| Fault::not_found("Signer"))
}

pub async fn signers(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    Ok(Json(load(&s, &id).await?.0.answer()["signers"].clone()).into_response())
}

pub async fn signer(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, signer_id)): Path<(String, String)>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    Ok(Json(signer_answer(&load(&s, &id).await?.0, &signer_id)?).into_response())
}

/// What a signer update may change (the rest stays as created).
const UPDATABLE: [&str; 5] = [
    "signerInfo",
    "notifications",
    "ui",
    "redirectSettings",
    "authentication",
];

/// `PATCH signature/documents/{id}/signers/{signerId}`.
pub async fn update_signer(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, signer_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_write")?;
    let change: serde_json::Map<String, Value> = read_json(&body)?;
    if let Some(k) = change.keys().find(|k| !UPDATABLE.contains(&k.as_str())) {
        return Err(Fault::field(
            k,
            "Cannot be changed after the document is created.",
        ));
    }
    let doc = update(&s, &id, |doc| {
        if doc.is_final() {
            return Err(Fault::conflict("The document is closed."));
        }
        let signer = doc
            .signer_mut(&signer_id)
            .ok_or_else(|| Fault::not_found("Signer"))?;
        if signer.document_signature.is_some() {
            return Err(Fault::conflict("The signer has signed already."));
        }
        let mut options = serde_json::to_value(&signer.options).map_err(internal)?;
        for (k, v) in &change {
            options[k] = v.clone();
        }
        signer.options =
            serde_json::from_value(options).map_err(|e| Fault::field("body", &e.to_string()))?;
        Ok(Vec::new())
    })
    .await?;
    Ok(Json(signer_answer(&doc, &signer_id)?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileQuery {
    file_format: Option<FileFormat>,
}

fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        name.replace('"', "")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A file in `format`: the original as `unsigned`, the signed PDF as
/// `pades` or `native` once packaged; 409 before that.
async fn send_file(
    s: &Sandbox,
    doc: &SimDoc,
    file_id: &str,
    format: Option<FileFormat>,
    name: &str,
) -> Result<Response, Fault> {
    let (original, signed) = db::file(&s.db, &doc.document_id, file_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Fault::not_found("File"))?;
    match format.unwrap_or(FileFormat::Unsigned) {
        FileFormat::Unsigned => Ok(pdf_response(original, name)),
        f @ (FileFormat::Pades | FileFormat::Native) => {
            match signed.filter(|_| doc.status.completed_packages.contains(&f)) {
                Some(bytes) => Ok(pdf_response(bytes, name)),
                None => Err(Fault::conflict(&format!(
                    "The {} package is not ready: the document is {}.",
                    f.as_str(),
                    doc.status.document_status.as_str()
                ))),
            }
        }
        f => Err(Fault::field(
            "fileFormat",
            &format!("The sandbox does not make {} files.", f.as_str()),
        )),
    }
}

pub async fn file(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<FileQuery>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_file")?;
    let doc = load(&s, &id).await?.0;
    let name = doc.data_to_sign.file_name.clone();
    send_file(&s, &doc, "data", q.file_format, &name).await
}

pub async fn attachment_file(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((id, attachment)): Path<(String, String)>,
    Query(q): Query<FileQuery>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_file")?;
    let doc = load(&s, &id).await?.0;
    let name = doc
        .attachments
        .iter()
        .find(|a| a.id == attachment)
        .map(|a| a.file_name.clone())
        .ok_or_else(|| Fault::not_found("Attachment"))?;
    send_file(&s, &doc, &attachment, q.file_format, &name).await
}

#[derive(Debug, Deserialize)]
pub struct JwtBody {
    jwt: String,
}

/// `POST signature/jwt/validate`.
pub async fn validate_jwt(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(b): Json<JwtBody>,
) -> Result<Response, Fault> {
    require(&s, &headers, "document_read")?;
    Ok(Json(super::auth::validate_return_jwt(&s, &b.jwt)).into_response())
}
