//! The signing page at each `SignUrl`: plain HTML that works without
//! JavaScript, with Sign and Reject, then back to the signer's `ReturnUrl`.

use app::ssr::db::sandbox as db;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use signhost::model::{
    ActivityCode, FileMeta, IpAddress, Signer, Transaction, TransactionStatus, Verification,
};

use super::finish::{finish, meta_of, signer_fields};
use super::store::{add_activity, hold, internal, load, save, Held};
use super::validate::Refusal;
use crate::panic::escape;
use crate::sandbox::common::page;
use crate::sandbox::common::preview::{self, Outline};
use crate::sandbox::{Sandbox, Shared};

async fn link_of(s: &Sandbox, token: &str) -> Result<(String, String), Refusal> {
    db::find_sign_link(&s.db, token)
        .await
        .map_err(internal)?
        .ok_or_else(|| Refusal::new(404, "This signing link is not valid."))
}

/// The transaction and signer of a signing link, to read.
async fn link(s: &Sandbox, token: &str) -> Result<(Transaction, String), Refusal> {
    let (tid, signer_id) = link_of(s, token).await?;
    Ok((load(s, &tid).await?, signer_id))
}

/// The same, held for a change (see `store::hold`).
async fn link_held(s: &Sandbox, token: &str) -> Result<(Held, Transaction, String), Refusal> {
    let (tid, signer_id) = link_of(s, token).await?;
    let (held, tx) = hold(s, &tid).await?;
    Ok((held, tx, signer_id))
}

fn signer_mut<'a>(tx: &'a mut Transaction, id: &str) -> &'a mut Signer {
    tx.signers
        .iter_mut()
        .find(|s| s.id.as_deref() == Some(id))
        .expect("linked signers exist")
}

/// Why this signer cannot sign now, if they cannot.
fn blocked(tx: &Transaction, signer_id: &str, at: DateTime<FixedOffset>) -> Option<String> {
    let signer = tx
        .signers
        .iter()
        .find(|s| s.id.as_deref() == Some(signer_id))?;
    match tx.status {
        Some(TransactionStatus::WaitingForDocument) => {
            return Some("This request has not been sent yet.".into())
        }
        Some(s) if s.is_final() => {
            return Some(format!("This request is closed (status {}).", s.code()))
        }
        _ => {}
    }
    if signer.signed_date_time.is_some() {
        return Some("You have signed already. Thank you.".into());
    }
    if signer.reject_date_time.is_some() {
        return Some("You have rejected this request.".into());
    }
    if signer.expires.is_some_and(|e| e < at) {
        return Some("Your signing link has expired.".into());
    }
    if sequential(tx) {
        let first_open = tx.signers.iter().find(|s| s.signed_date_time.is_none())?;
        if first_open.id.as_deref() != Some(signer_id) {
            return Some("It is not your turn yet: earlier signers have not signed.".into());
        }
    }
    None
}

fn sequential(tx: &Transaction) -> bool {
    tx.sign_request_mode == Some(2) && tx.signers.iter().any(|s| s.send_sign_request == Some(true))
}

/// Records `InvitationSent` for the signers whose turn it is (all at once,
/// or one by one in sequential mode).
pub fn invite_next(tx: &mut Transaction, at: DateTime<FixedOffset>) {
    let sequential = sequential(tx);
    for signer in tx.signers.iter_mut() {
        if signer.signed_date_time.is_some() {
            continue;
        }
        let invited = signer
            .activities
            .iter()
            .any(|a| a.code == ActivityCode::InvitationSent);
        if signer.send_sign_request == Some(true) && !invited {
            add_activity(signer, ActivityCode::InvitationSent, None, at);
        }
        if sequential {
            break;
        }
    }
}

fn page_html(title: &str, body: &str) -> Html<String> {
    page::shell("Signhost", title, body)
}

/// Signhost fields placed by position, as outlines (a field anchored to a
/// text is only listed; Signhost's default size is 140 × 70 points).
pub fn outlines(fields: &[(&String, &signhost::model::Field)]) -> Vec<Outline> {
    fields
        .iter()
        .filter_map(|(name, f)| {
            let l = f.location.as_ref().filter(|l| l.search.is_none())?;
            Some(Outline {
                label: (*name).clone(),
                kind: f.r#type.clone(),
                page: l.page_number.unwrap_or(1).max(1) as u32,
                at: [
                    l.left.unwrap_or(0.0),
                    l.top.unwrap_or(0.0),
                    l.width.unwrap_or(140.0),
                    l.height.unwrap_or(70.0),
                ],
            })
        })
        .collect()
}

/// The fields of `signer_id`, described in words.
fn field_list(meta: &FileMeta, signer_id: &str) -> Vec<String> {
    signer_fields(meta, signer_id)
        .into_iter()
        .map(|(name, f)| {
            let place = f
                .location
                .as_ref()
                .map_or(String::new(), |l| match &l.search {
                    Some(search) => format!(" at the text {search}"),
                    None => format!(
                        " on page {} at {} pt from the left, {} pt from the top",
                        l.page_number.unwrap_or(1),
                        l.left.unwrap_or(0.0),
                        l.top.unwrap_or(0.0)
                    ),
                });
            format!("{} ({}){place}", name, f.r#type)
        })
        .collect()
}

pub async fn page(State(s): State<Shared>, Path(token): Path<String>) -> Result<Response, Refusal> {
    let (_held, mut tx, signer_id) = link_held(&s, &token).await?;
    if let Some(reason) = blocked(&tx, &signer_id, s.now()) {
        return Ok(page_html(
            "Signing",
            &format!("<h1>Signing</h1><p>{}</p>", escape(&reason)),
        )
        .into_response());
    }
    let files = db::files(&s.db, tx.id.as_deref().unwrap_or_default())
        .await
        .map_err(internal)?;
    let signer = signer_mut(&mut tx, &signer_id);
    if signer.activities.last().map(|a| a.code) != Some(ActivityCode::Opened) {
        add_activity(signer, ActivityCode::Opened, None, s.now());
    }
    let email = signer.email.clone().unwrap_or_default();
    let intro = signer.intro_text.clone().unwrap_or_default();
    let pages = page_sizes(&files).await?;
    let mut docs = String::new();
    for (f, pages) in files.iter().zip(&pages) {
        let meta = meta_of(f);
        let name = meta
            .display_name
            .clone()
            .unwrap_or_else(|| f.file_id.clone());
        let fields = field_list(&meta, &signer_id);
        let list = if fields.is_empty() {
            "<p class=\"muted\">No fields placed for you: your signature goes top-right on page 1, or at your {{SignerN}} tag.</p>".to_string()
        } else {
            format!(
                "<ul>{}</ul>",
                fields
                    .iter()
                    .map(|f| format!("<li>{}</li>", escape(f)))
                    .collect::<String>()
            )
        };
        let url = format!("/sandbox/sign/{token}/file/{}", urlencode(&f.file_id));
        let shown = preview::document(
            &url,
            &name,
            pages,
            &outlines(&signer_fields(&meta, &signer_id)),
        );
        docs.push_str(&format!(
            "<section class=\"card\"><h2>{}</h2>{list}{shown}</section>",
            escape(&name)
        ));
    }
    save(&s, &mut tx, false).await?;
    let body = format!(
        "<h1>Please review and sign</h1><p>Signing as <strong>{}</strong>.</p><p>{}</p>{docs}\
         <section class=\"card\"><form method=\"post\" action=\"/sandbox/sign/{token}/sign\" class=\"form\">\
         <button type=\"submit\" class=\"button button-primary\">Sign</button></form>\
         <form method=\"post\" action=\"/sandbox/sign/{token}/reject\" class=\"form\" style=\"margin-top:1.5rem\">\
         <div class=\"field\"><label for=\"reason\">Reason for rejecting</label><textarea id=\"reason\" name=\"reason\" required></textarea></div>\
         <button type=\"submit\" class=\"button button-quiet\">Reject</button></form></section>",
        escape(&email),
        escape(&intro)
    );
    Ok(page_html("Sign", &body).into_response())
}

/// The pages of each file, read off the async threads with the portal's
/// other PDF work (parsing is CPU work).
async fn page_sizes(
    files: &[db::FileRow],
) -> Result<Vec<Vec<app::model::request::PageInfo>>, Refusal> {
    let contents: Vec<Option<Vec<u8>>> = files.iter().map(|f| f.content.clone()).collect();
    crate::documents::work::run_checked(move || {
        contents
            .iter()
            .map(|c| c.as_deref().map(preview::pages).unwrap_or_default())
            .collect()
    })
    .await
    .map_err(internal)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn back_to(signer: &Signer, tid: &str, status: &str) -> Response {
    let base = signer
        .return_url
        .clone()
        .unwrap_or_else(|| "https://signhost.com".into());
    let mut url = match url::Url::parse(&base) {
        Ok(u) => u,
        Err(_) => return Redirect::to("https://signhost.com").into_response(),
    };
    url.query_pairs_mut()
        .append_pair("sh_transactionid", tid)
        .append_pair("sh_signerid", signer.id.as_deref().unwrap_or_default())
        .append_pair("sh_signerstatus", status);
    Redirect::to(url.as_str()).into_response()
}

pub async fn sign(
    State(s): State<Shared>,
    Path(token): Path<String>,
    client: Option<axum::Extension<app::ssr::web::ClientIp>>,
) -> Result<Response, Refusal> {
    let (_held, mut tx, signer_id) = link_held(&s, &token).await?;
    if let Some(reason) = blocked(&tx, &signer_id, s.now()) {
        return Err(Refusal::new(409, reason));
    }
    let tid = tx.id.clone().unwrap_or_default();
    let files = db::files(&s.db, &tid).await.map_err(internal)?;
    let address = client.map_or("127.0.0.1".to_string(), |c| c.0 .0.to_string());
    let signer = signer_mut(&mut tx, &signer_id);
    for f in &files {
        let opened = signer.activities.iter().any(|a| {
            a.code == ActivityCode::DocumentOpened && a.info.as_deref() == Some(&f.file_id)
        });
        if !opened {
            add_activity(
                signer,
                ActivityCode::DocumentOpened,
                Some(f.file_id.clone()),
                s.now(),
            );
        }
    }
    add_activity(signer, ActivityCode::Signed, None, s.now());
    signer.signed_date_time = Some(s.now());
    signer
        .verifications
        .push(Verification::IpAddress(IpAddress {
            ip_address: Some(address),
        }));
    let signer = signer.clone();
    if tx.signers.iter().all(|s| s.signed_date_time.is_some()) {
        tx.status = Some(TransactionStatus::InProgress);
        save(&s, &mut tx, false).await?;
        tx.status = Some(TransactionStatus::Signed);
        finish(&s, &mut tx).await?;
    } else {
        invite_next(&mut tx, s.now());
    }
    save(&s, &mut tx, false).await?;
    Ok(back_to(&signer, &tid, "signed"))
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

pub async fn reject(
    State(s): State<Shared>,
    Path(token): Path<String>,
    Form(form): Form<RejectForm>,
) -> Result<Response, Refusal> {
    let (_held, mut tx, signer_id) = link_held(&s, &token).await?;
    if let Some(reason) = blocked(&tx, &signer_id, s.now()) {
        return Err(Refusal::new(409, reason));
    }
    let tid = tx.id.clone().unwrap_or_default();
    let signer = signer_mut(&mut tx, &signer_id);
    add_activity(signer, ActivityCode::Rejected, None, s.now());
    signer.reject_date_time = Some(s.now());
    signer.reject_reason = Some(form.reason.trim().to_string()).filter(|r| !r.is_empty());
    let signer = signer.clone();
    tx.status = Some(TransactionStatus::Rejected);
    save(&s, &mut tx, false).await?;
    Ok(back_to(&signer, &tid, "rejected"))
}

/// A document of the transaction, for the signer's browser to show.
pub async fn file(
    State(s): State<Shared>,
    Path((token, file_id)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let (tx, _) = link(&s, &token).await?;
    let tid = tx.id.clone().unwrap_or_default();
    let file = db::find_file(&s.db, &tid, &file_id)
        .await
        .map_err(internal)?;
    let signed = tx.status == Some(TransactionStatus::Signed);
    match file.and_then(|f| {
        if signed {
            f.signed.or(f.content)
        } else {
            f.content
        }
    }) {
        Some(bytes) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/pdf")],
            bytes,
        )
            .into_response()),
        None => Err(Refusal::new(404, "Document not found.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::common::preview::{document, pages};
    use signhost::model::{Field, Location};

    fn field(page: i32, left: f64, top: f64) -> Field {
        Field {
            r#type: "Signature".into(),
            location: Some(Location {
                page_number: Some(page),
                left: Some(left),
                top: Some(top),
                width: Some(100.0),
                height: Some(50.0),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn outlines_a_field_on_its_own_page_in_percent() {
        let pages = pages(&crate::sandbox::common::pdf::two_page_sample(0));
        let name = "Signature1".to_string();
        let f = field(2, 396.0, 306.0);
        let html = document("/f", "Lease <1>", &pages, &outlines(&[(&name, &f)]));
        assert_eq!(html.matches("<canvas").count(), 2);
        assert!(html.contains("aria-label=\"Page 2 of 2 in Lease &lt;1&gt;\""));
        let second = html.split("data-page=\"2\"").nth(1).unwrap();
        assert!(second.contains("left:50.00%;top:50.00%"), "{second}");
        let first = html.split("data-page=\"2\"").next().unwrap();
        assert!(!first.contains("sandbox-field"));
    }

    #[test]
    fn a_field_anchored_to_text_is_only_listed() {
        let pages = pages(&crate::sandbox::common::pdf::two_page_sample(0));
        let name = "Signature1".to_string();
        let mut f = field(1, 10.0, 10.0);
        f.location.as_mut().unwrap().search = Some("{{Signer1}}".into());
        assert!(!document("/f", "a", &pages, &outlines(&[(&name, &f)])).contains("sandbox-field"));
    }
}
