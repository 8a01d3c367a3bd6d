//! The signing page at each signer's `url` (plain HTML, no JavaScript
//! needed): the documents, then Sign or Abort, then back to the signer's
//! `redirectSettings` with `idfy-jwt`. Signing order (`order`) is kept.
//! Also the simulator's clock work: packaging a little after the last
//! signature, and expiry at the deadline (by the sandbox clock).

use app::ssr::db::sandbox_signicat as db;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;
use signicat::model::{
    AuthenticationMechanism, DocumentSignature, DocumentStatus, FileFormat, Notify, RedirectMode,
};

use super::auth::return_jwt;
use super::guess;
use super::store::{internal, load, update, Emit, Fault, SimDoc, SimSigner};
use crate::panic::escape;
use crate::sandbox::common::{page, pdf, preview};
use crate::sandbox::{Sandbox, Shared};

fn page_html(title: &str, body: &str) -> Html<String> {
    page::shell("Signicat", title, body)
}

fn message(title: &str, text: &str) -> Response {
    page_html(
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
    )
    .into_response()
}

fn uses_sms(signer: &SimSigner) -> bool {
    signer.options.authentication.as_ref().is_some_and(|a| {
        matches!(
            a.mechanism,
            AuthenticationMechanism::SmsOtp | AuthenticationMechanism::EidAndSmsOtp
        )
    })
}

fn display_name(signer: &SimSigner) -> String {
    let info = signer.options.signer_info.clone().unwrap_or_default();
    let name = [info.first_name, info.last_name]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        info.email
            .unwrap_or_else(|| signer.options.external_signer_id.clone())
    } else {
        name
    }
}

/// Why this signer cannot sign now, if they cannot.
pub fn blocked(doc: &SimDoc, signer_id: &str) -> Option<String> {
    let signer = doc.signer(signer_id)?;
    match doc.status.document_status {
        DocumentStatus::WaitingForAttachments => {
            return Some(
                "This document is not ready yet: its attachments are still being added.".into(),
            )
        }
        DocumentStatus::Canceled => {
            return Some("This document was canceled by the sender.".into())
        }
        DocumentStatus::Expired => {
            return Some("The deadline for signing this document has passed.".into())
        }
        _ => {}
    }
    if signer.document_signature.is_some() {
        return Some("You have signed already. Thank you.".into());
    }
    let mine = signer.options.order.unwrap_or(0);
    let earlier_open = doc
        .signers
        .iter()
        .any(|o| o.document_signature.is_none() && o.options.order.is_some_and(|n| n < mine));
    earlier_open.then(|| "It is not your turn yet: earlier signers have not signed.".into())
}

async fn doc_and_signer(s: &Sandbox, doc_id: &str, signer_id: &str) -> Result<SimDoc, Fault> {
    let doc = load(s, doc_id).await?.0;
    if doc.signer(signer_id).is_none() {
        return Err(Fault::not_found("Signer"));
    }
    Ok(doc)
}

/// The files of a document: ("data" or the attachment id, name).
fn files(doc: &SimDoc) -> Vec<(String, String)> {
    std::iter::once(("data".to_string(), doc.data_to_sign.file_name.clone()))
        .chain(
            doc.attachments
                .iter()
                .map(|a| (a.id.clone(), a.file_name.clone())),
        )
        .collect()
}

pub async fn page(
    State(s): State<Shared>,
    Path((doc_id, signer_id)): Path<(String, String)>,
) -> Result<Response, Fault> {
    let doc = doc_and_signer(&s, &doc_id, &signer_id).await?;
    if let Some(reason) = blocked(&doc, &signer_id) {
        return Ok(message("Signing", &reason));
    }
    let signer = doc.signer(&signer_id).cloned().unwrap_or_default();
    if !signer.link_opened {
        update(&s, &doc_id, |d| {
            let Some(me) = d.signer_mut(&signer_id).filter(|m| !m.link_opened) else {
                return Ok(Vec::new());
            };
            me.link_opened = true;
            let external = me.options.external_signer_id.clone();
            Ok(vec![Emit::about(
                d,
                "document_link_opened",
                json!({"signerId": signer_id, "externalSignerId": external}),
            )])
        })
        .await?;
    }
    let mut contents = Vec::new();
    for (file_id, name) in files(&doc) {
        let (bytes, _) = db::file(&s.db, &doc_id, &file_id)
            .await
            .map_err(internal)?
            .unwrap_or_default();
        contents.push((file_id, name, bytes));
    }
    let pages = crate::documents::work::run_checked(move || {
        contents
            .into_iter()
            .map(|(id, name, bytes)| (id, name, preview::pages(&bytes)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(internal)?;
    let base = format!("/sandbox/signicat/sign/{doc_id}/{signer_id}");
    let mut docs = String::new();
    for (file_id, name, pages) in &pages {
        let shown = preview::document(&format!("{base}/file/{file_id}"), name, pages, &[]);
        docs.push_str(&format!(
            "<section class=\"card\"><h2>{}</h2>{shown}</section>",
            escape(name)
        ));
    }
    let code = if uses_sms(&signer) {
        let number = signer
            .options
            .signer_info
            .as_ref()
            .and_then(|i| i.mobile.as_ref())
            .map(|m| format!("{} {}", m.country_code, m.number))
            .unwrap_or_default();
        format!(
            "<div class=\"field\"><label for=\"code\">One-time code sent by SMS to {}</label>\
             <input id=\"code\" name=\"code\" inputmode=\"numeric\" pattern=\"[0-9]{{6}}\" required autocomplete=\"one-time-code\">\
             <p class=\"muted small\">The sandbox sends no SMS: any six digits are accepted.</p></div>",
            escape(&number)
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{}</h1><p>Signing as <strong>{}</strong>. Signicat adds your signature to the documents below.</p>{docs}\
         <section class=\"card\"><form method=\"post\" action=\"{base}/sign\" class=\"form\">{code}\
         <button type=\"submit\" class=\"button button-primary\">Sign</button></form>\
         <form method=\"post\" action=\"{base}/abort\" class=\"form\" style=\"margin-top:1.5rem\">\
         <button type=\"submit\" class=\"button button-quiet\">Abort</button></form></section>",
        escape(&doc.title),
        escape(&display_name(&signer)),
    );
    Ok(page_html("Sign", &body).into_response())
}

/// Where the signer's browser goes next, with `idfy-jwt` as Signicat adds it.
fn back_to(s: &Sandbox, doc: &SimDoc, signer: &SimSigner, outcome: &str) -> Response {
    let r = &signer.options.redirect_settings;
    let target = match outcome {
        "success" => r.success.clone(),
        "cancel" => r.cancel.clone(),
        _ => r.error.clone(),
    };
    let payload = json!({
        "documentId": doc.document_id, "externalId": doc.external_id,
        "signerId": signer.id, "externalSignerId": signer.options.external_signer_id,
        "aborted": outcome == "cancel",
        "signSuccess": (outcome == "success").then(|| json!({"url": signer.url})),
    });
    let jwt = return_jwt(s, payload);
    match target
        .filter(|_| r.redirect_mode != RedirectMode::DonotRedirect)
        .and_then(|t| url::Url::parse(&t).ok())
    {
        Some(mut url) => {
            url.query_pairs_mut().append_pair("idfy-jwt", &jwt);
            Redirect::to(url.as_str()).into_response()
        }
        None => message(
            "Signing",
            if outcome == "success" {
                "Thank you: you have signed."
            } else {
                "You left without signing."
            },
        ),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignForm {
    code: Option<String>,
}

pub async fn sign(
    State(s): State<Shared>,
    Path((doc_id, signer_id)): Path<(String, String)>,
    client: Option<axum::Extension<app::ssr::web::ClientIp>>,
    Form(form): Form<SignForm>,
) -> Result<Response, Fault> {
    let address = client.map_or("127.0.0.1".to_string(), |c| c.0 .0.to_string());
    let now = s.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let doc = update(&s, &doc_id, |doc| {
        if let Some(reason) = blocked(doc, &signer_id) {
            return Err(Fault::conflict(&reason));
        }
        let me = doc.signer(&signer_id).cloned().ok_or_else(|| Fault::not_found("Signer"))?;
        let sms = uses_sms(&me);
        if sms && !form.code.as_deref().is_some_and(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Fault::field("code", "Enter the six-digit code."));
        }
        let signature = DocumentSignature {
            signature_method: Some(guess::signature_method(sms).into()),
            full_name: Some(display_name(&me)),
            signed_time: Some(now.clone()),
            mechanism: Some("handwritten".into()),
            client_ip: Some(address.clone()),
        };
        if let Some(m) = doc.signer_mut(&signer_id) {
            m.document_signature = Some(signature);
        }
        let signed: Vec<_> = doc
            .signers
            .iter()
            .filter_map(|s| {
                let d = s.document_signature.as_ref()?;
                Some(json!({"id": s.id, "externalSignerId": s.options.external_signer_id,
                    "fullName": d.full_name, "signedTime": d.signed_time, "signatureMethod": d.signature_method}))
            })
            .collect();
        if doc.signatures() >= doc.required() {
            doc.status.document_status = DocumentStatus::Signed;
            doc.signed_date = Some(now.clone());
            Ok(vec![Emit::about(doc, "document_signed", json!({"signedTime": now, "signers": signed}))])
        } else {
            doc.status.document_status = DocumentStatus::Partialsigned;
            Ok(vec![Emit::about(doc, "document_partially_signed", json!({"signerId": signer_id, "signers": signed}))])
        }
    })
    .await;
    let doc = match doc {
        Ok(d) => d,
        Err(f) if f.status == 409 => {
            return Ok(message(
                "Signing",
                f.body["detail"].as_str().unwrap_or("You cannot sign now."),
            ))
        }
        Err(f) => return Err(f),
    };
    let me = doc.signer(&signer_id).cloned().unwrap_or_default();
    Ok(back_to(&s, &doc, &me, "success"))
}

/// Abort: Signicat has no "rejected"; the signer goes to the cancel URL
/// with `aborted` in the JWT, and the document stays open.
pub async fn abort(
    State(s): State<Shared>,
    Path((doc_id, signer_id)): Path<(String, String)>,
) -> Result<Response, Fault> {
    let doc = doc_and_signer(&s, &doc_id, &signer_id).await?;
    let me = doc.signer(&signer_id).cloned().unwrap_or_default();
    Ok(back_to(&s, &doc, &me, "cancel"))
}

pub async fn file(
    State(s): State<Shared>,
    Path((doc_id, signer_id, file_id)): Path<(String, String, String)>,
) -> Result<Response, Fault> {
    let doc = doc_and_signer(&s, &doc_id, &signer_id).await?;
    if !files(&doc).iter().any(|(id, _)| *id == file_id) {
        return Err(Fault::not_found("File"));
    }
    let (bytes, _) = db::file(&s.db, &doc_id, &file_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Fault::not_found("File"))?;
    let mut res = (axum::http::StatusCode::OK, bytes).into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/pdf"),
    );
    Ok(res)
}

/// A signed copy of `original`: one block per signature on its last page.
fn signed_copy(original: &[u8], doc: &SimDoc) -> lopdf::Result<Vec<u8>> {
    let pages = preview::pages(original).len().max(1) as u32;
    let (_, height) = pdf::page_size(original, pages);
    let marks = doc
        .signers
        .iter()
        .filter_map(|s| s.document_signature.as_ref())
        .enumerate()
        .map(|(i, d)| pdf::Mark {
            page: pages,
            left: 36.0,
            top: (height - 36.0 - 46.0 * (i as f64 + 1.0)).max(0.0),
            width: 240.0,
            height: 40.0,
            lines: vec![
                format!("Signed by {}", d.full_name.clone().unwrap_or_default()),
                d.signed_time.clone().unwrap_or_default(),
                format!(
                    "Signicat sandbox · {}",
                    d.signature_method.clone().unwrap_or_default()
                ),
            ],
        })
        .collect::<Vec<_>>();
    pdf::mark(original, &marks)
}

/// Makes the signed files and lists the packages.
async fn package(s: &Sandbox, doc: &SimDoc) -> Result<(), Fault> {
    for (file_id, _) in files(doc) {
        let Some((original, _)) = db::file(&s.db, &doc.document_id, &file_id)
            .await
            .map_err(internal)?
        else {
            continue;
        };
        let snapshot = doc.clone();
        let signed = crate::documents::work::run_checked(move || signed_copy(&original, &snapshot))
            .await
            .map_err(internal)?
            .map_err(internal)?;
        db::put_signed(&s.db, &doc.document_id, &file_id, &signed)
            .await
            .map_err(internal)?;
    }
    update(s, &doc.document_id, |d| {
        if !d.status.completed_packages.is_empty() {
            return Ok(Vec::new());
        }
        d.status.completed_packages = vec![FileFormat::Native, FileFormat::Pades];
        Ok(vec![Emit::about(
            d,
            "document_packaged",
            json!({"fileFormat": "pades"}),
        )])
    })
    .await?;
    Ok(())
}

/// Does what is due: packages signed documents, expires those past their deadline.
pub async fn tick(s: &Sandbox) -> Result<(), Fault> {
    let now = s.now();
    for id in db::due(&s.db, now.with_timezone(&chrono::Utc))
        .await
        .map_err(internal)?
    {
        let doc = load(s, &id).await?.0;
        if doc.status.document_status == DocumentStatus::Signed {
            if doc.status.completed_packages.is_empty() {
                package(s, &doc).await?;
            }
            continue;
        }
        update(s, &id, |d| {
            if d.is_final() || d.deadline().is_none_or(|t| t > now) {
                return Ok(Vec::new());
            }
            d.status.document_status = DocumentStatus::Expired;
            Ok(vec![Emit::about(d, "document_expired", json!({}))])
        })
        .await?;
    }
    Ok(())
}

/// The invitations Signicat would have emailed (the invite flow), for the
/// sandbox mailbox: (when, HTML).
pub async fn mail(s: &Sandbox) -> Result<Vec<(String, String)>, Fault> {
    let mut out = Vec::new();
    for row in db::recent(&s.db, 200).await.map_err(internal)? {
        let Ok(doc) = serde_json::from_str::<SimDoc>(&row.document) else {
            continue;
        };
        for signer in &doc.signers {
            let by_email =
                signer.options.notifications.as_ref().is_some_and(|n| {
                    matches!(n.setup.request, Notify::SendEmail | Notify::SendBoth)
                });
            if !by_email || blocked(&doc, &signer.id).is_some() {
                continue;
            }
            let to = signer
                .options
                .signer_info
                .as_ref()
                .and_then(|i| i.email.clone())
                .unwrap_or_default();
            out.push((
                doc.created_time.clone(),
                format!(
                    "<li class=\"card mail\"><p><span class=\"badge\">Signicat invitation</span> to <strong>{}</strong></p>\
                     <h2>{}</h2><p><a class=\"button\" href=\"{}\">Open the document to sign</a></p>\
                     <p class=\"muted small\">Signicat document {}</p></li>",
                    escape(&to),
                    escape(&doc.title),
                    escape(&signer.url),
                    escape(&doc.document_id),
                ),
            ));
        }
    }
    Ok(out)
}
