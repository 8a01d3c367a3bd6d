//! `/sandbox/api/…`: Signhost's REST API, status codes and messages.

use std::collections::BTreeMap;

use app::ssr::db::sandbox as db;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use signhost::model::{
    ActivityCode, CreateTransaction, DeleteTransaction, FileEntry, FileMeta, Link, Signer,
    Transaction, TransactionStatus,
};
use subtle::ConstantTimeEq;

use super::store::{self, add_activity, hold, internal, load, load_any, save, transaction_json};
use super::validate::{self, bad, Refusal};
use crate::sandbox::Shared;

type Answer = Result<Response, Refusal>;

fn authorize(s: &Shared, headers: &HeaderMap) -> Result<(), Refusal> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let app_ok: bool = get("application")
        .as_bytes()
        .ct_eq(format!("APPKey {}", s.app_key).as_bytes())
        .into();
    let user_ok: bool = get("authorization")
        .as_bytes()
        .ct_eq(format!("APIKey {}", s.user_token).as_bytes())
        .into();
    if app_ok && user_ok {
        Ok(())
    } else {
        Err(Refusal::new(
            401,
            "Authorization has been denied for this request.",
        ))
    }
}

fn file_link(s: &Shared, tid: &str, fid: &str) -> String {
    let mut url = s.public_url.join("sandbox/api/").expect("sandbox url");
    url.path_segments_mut()
        .expect("http url")
        .pop_if_empty()
        .extend(["transaction", tid, "file", fid]);
    url.to_string()
}

pub async fn create(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Answer {
    authorize(&s, &headers)?;
    let req: CreateTransaction =
        serde_json::from_slice(&body).map_err(|_| bad(validate::INVALID_JSON))?;
    validate::create(&req)?;
    validate::own_addresses(&req, &s.public_url)?;
    let id = uuid::Uuid::new_v4().to_string();
    let created = s.now();
    let mut links = Vec::new();
    let signers = req
        .signers
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let signer_id = input
                .id
                .clone()
                .unwrap_or_else(|| format!("Signer{}", i + 1));
            let token = uuid::Uuid::new_v4().simple().to_string();
            let sign_url = s
                .public_url
                .join(&format!("sandbox/sign/{token}"))
                .map(|u| u.to_string())
                .unwrap_or_default();
            links.push((token, signer_id.clone()));
            let send = input.send_sign_request.unwrap_or(true);
            Signer {
                id: Some(signer_id),
                email: Some(input.email.trim().to_string()),
                expires: input.expires,
                authentications: input.authentications.clone(),
                verifications: input.verifications.clone(),
                send_sign_request: Some(send),
                send_sign_confirmation: Some(input.send_sign_confirmation.unwrap_or(send)),
                sign_request_subject: input.sign_request_subject.clone(),
                sign_request_message: input.sign_request_message.clone(),
                days_to_remind: Some(input.days_to_remind.unwrap_or(7)),
                language: Some(input.language.clone().unwrap_or_else(|| "nl-NL".into())),
                reference: input.reference.clone(),
                intro_text: input.intro_text.clone(),
                return_url: Some(
                    input
                        .return_url
                        .clone()
                        .unwrap_or_else(|| "https://signhost.com".into()),
                ),
                allow_delegation: Some(input.allow_delegation.unwrap_or(false)),
                context: input.context.clone(),
                sign_url: Some(sign_url),
                created_date_time: Some(created),
                ..Default::default()
            }
        })
        .collect();
    let receivers = req
        .receivers
        .iter()
        .map(|r| signhost::model::Receiver {
            id: Some(uuid::Uuid::new_v4().to_string()),
            name: r.name.clone(),
            email: Some(r.email.clone()),
            language: Some(r.language.clone().unwrap_or_else(|| "nl-NL".into())),
            subject: r.subject.clone(),
            message: Some(r.message.clone()),
            reference: r.reference.clone(),
            context: r.context.clone(),
            created_date_time: Some(created),
            ..Default::default()
        })
        .collect();
    let any_invites = req
        .signers
        .iter()
        .any(|s| s.send_sign_request.unwrap_or(true));
    let tx = Transaction {
        id: Some(id.clone()),
        status: Some(TransactionStatus::WaitingForDocument),
        files: Some(BTreeMap::new()),
        seal: Some(req.seal),
        signers,
        receivers,
        reference: req.reference.clone(),
        postback_url: req.postback_url.clone(),
        sign_request_mode: Some(match req.sign_request_mode {
            Some(m) if m > 0 => m,
            _ if any_invites => 2,
            _ => 1,
        }),
        days_to_expire: Some(validate::days_to_expire(&req)),
        send_email_notifications: Some(req.send_email_notifications.unwrap_or(true)),
        language: Some(req.language.clone().unwrap_or_else(|| "nl-NL".into())),
        context: req.context.clone(),
        created_date_time: Some(created),
        modified_date_time: Some(created),
        ..Default::default()
    };
    let doc = serde_json::to_string(&tx).map_err(internal)?;
    db::insert_transaction(&s.db, &id, &doc, Utc::now())
        .await
        .map_err(internal)?;
    for (token, signer_id) in links {
        db::insert_sign_link(&s.db, &token, &id, &signer_id)
            .await
            .map_err(internal)?;
    }
    Ok(transaction_json(StatusCode::OK, &tx))
}

pub async fn get(State(s): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Answer {
    authorize(&s, &headers)?;
    Ok(transaction_json(StatusCode::OK, &load(&s, &id).await?))
}

pub async fn delete(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    authorize(&s, &headers)?;
    let options: DeleteTransaction = if body.iter().all(u8::is_ascii_whitespace) {
        DeleteTransaction::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| bad(validate::INVALID_JSON))?
    };
    let (_held, mut tx) = hold(&s, &id).await?;
    let status = tx.status.unwrap_or(TransactionStatus::WaitingForDocument);
    tx.canceled_date_time = Some(s.now());
    if status.is_final() {
        db::purge_files(&s.db, &id).await.map_err(internal)?;
        tx.files = Some(BTreeMap::new());
        save(&s, &mut tx, true).await?;
    } else {
        tx.status = Some(TransactionStatus::Cancelled);
        tx.cancelation_reason = options.reason.filter(|r| !r.is_empty());
        for signer in tx
            .signers
            .iter_mut()
            .filter(|s| s.signed_date_time.is_none())
        {
            add_activity(signer, ActivityCode::Cancelled, None, s.now());
        }
        save(&s, &mut tx, false).await?;
    }
    Ok(transaction_json(StatusCode::OK, &tx))
}

fn signer_ids(tx: &Transaction) -> Vec<String> {
    tx.signers.iter().filter_map(|s| s.id.clone()).collect()
}

pub async fn put_file(
    State(s): State<Shared>,
    Path((id, file_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    authorize(&s, &headers)?;
    validate::file_id(&file_id)?;
    let (_held, mut tx) = hold(&s, &id).await?;
    if tx.status != Some(TransactionStatus::WaitingForDocument) {
        return Err(bad(validate::ALREADY_STARTED));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    match content_type.as_str() {
        "application/json" => {
            let meta: FileMeta =
                serde_json::from_slice(&body).map_err(|_| bad(validate::INVALID_JSON))?;
            validate::meta(&meta, &signer_ids(&tx))?;
            let raw = serde_json::to_string(&meta).map_err(internal)?;
            db::put_meta(&s.db, &id, &file_id, &raw, Utc::now())
                .await
                .map_err(internal)?;
            let entry = file_entry(&s, &id, &file_id, meta.display_name.clone());
            tx.files
                .get_or_insert_with(BTreeMap::new)
                .insert(file_id.clone(), entry);
            save(&s, &mut tx, false).await?;
            let message = format!("Meta data for file {file_id} accepted, waiting for actual file");
            Ok((
                StatusCode::ACCEPTED,
                Json(serde_json::json!({ "Message": message })),
            )
                .into_response())
        }
        "application/pdf" => {
            if body.len() > signhost::MAX_FILE_BYTES {
                return Err(Refusal::new(413, validate::TOO_LARGE));
            }
            let digest = headers.get("digest").and_then(|v| v.to_str().ok());
            validate::digest(digest, &body)?;
            let checked = body.clone();
            let limits = crate::documents::guard::Limits::default();
            let is_pdf = crate::documents::work::run(
                std::time::Duration::from_secs(30),
                limits.max_time,
                move |budget| {
                    checked.starts_with(b"%PDF-")
                        && crate::documents::guard::open(&checked, &limits, budget).is_ok()
                },
            )
            .await
            .unwrap_or(false);
            if !is_pdf {
                return Err(bad(format!("{file_id} is not a valid PDF document.")));
            }
            let created = db::put_content(&s.db, &id, &file_id, &body, Utc::now())
                .await
                .map_err(internal)?;
            let files = tx.files.get_or_insert_with(BTreeMap::new);
            let display = files.get(&file_id).and_then(|f| f.display_name.clone());
            files.insert(file_id.clone(), file_entry(&s, &id, &file_id, display));
            save(&s, &mut tx, false).await?;
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let message = format!("Stored file {file_id} to transaction {id}");
            Ok((status, Json(serde_json::json!({ "Message": message }))).into_response())
        }
        _ => Err(bad(validate::WRONG_CONTENT_TYPE)),
    }
}

fn file_entry(s: &Shared, tid: &str, fid: &str, display_name: Option<String>) -> FileEntry {
    FileEntry {
        links: vec![Link {
            rel: Some("file".into()),
            r#type: Some("application/pdf".into()),
            link: Some(file_link(s, tid, fid)),
        }],
        display_name: Some(display_name.unwrap_or_else(|| fid.to_string())),
    }
}

pub async fn start(State(s): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Answer {
    authorize(&s, &headers)?;
    let (_held, mut tx) = hold(&s, &id).await?;
    if tx.status != Some(TransactionStatus::WaitingForDocument) {
        return Err(bad("The transaction has already been started."));
    }
    let files = db::files(&s.db, &id).await.map_err(internal)?;
    if files.is_empty() {
        return Err(bad(
            "The transaction has no files. Upload at least one before starting.",
        ));
    }
    if let Some(missing) = files.iter().find(|f| f.content.is_none()) {
        return Err(bad(format!(
            "File {} has metadata but no document. Upload it before starting.",
            missing.file_id
        )));
    }
    if tx.signers.is_empty() {
        tx.status = Some(TransactionStatus::Signed);
        super::finish::finish(&s, &mut tx).await?;
    } else {
        tx.status = Some(TransactionStatus::WaitingForSigner);
        super::sign::invite_next(&mut tx, s.now());
    }
    save(&s, &mut tx, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", name.replace('"', ""));
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub async fn get_file(
    State(s): State<Shared>,
    Path((id, file_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    authorize(&s, &headers)?;
    let (tx, purged) = load_any(&s, &id).await?;
    if purged {
        return Err(store::gone(&tx));
    }
    let file = db::find_file(&s.db, &id, &file_id)
        .await
        .map_err(internal)?;
    let signed = tx.status == Some(TransactionStatus::Signed);
    let bytes = file.and_then(|f| {
        if signed {
            f.signed.or(f.content)
        } else {
            f.content
        }
    });
    match bytes {
        Some(b) => Ok(pdf_response(b, &file_id)),
        None => Err(Refusal::new(404, format!("File {file_id} not found."))),
    }
}

pub async fn receipt(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    authorize(&s, &headers)?;
    let (tx, purged) = load_any(&s, &id).await?;
    if purged {
        return Err(store::gone(&tx));
    }
    if tx.status != Some(TransactionStatus::Signed) {
        return Err(Refusal::new(404, "receipt not found."));
    }
    let files = db::files(&s.db, &id).await.map_err(internal)?;
    let bytes = crate::documents::work::run_checked(move || super::receipt::receipt(&tx, &files))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok(pdf_response(bytes, &format!("receipt-{id}.pdf")))
}
