//! The simulator's pages: each signer's signing page (what Hotsign's
//! invite email links to), the control page that moves an invite through
//! every one of the seed's twelve statuses, and the invite emails in the
//! sandbox mailbox.

use std::collections::HashMap;

use app::ssr::db::sandbox_hotsign as db;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hotsign::fields::{parse_html, FieldType};
use hotsign::status::EnvelopeStatus;

use super::invites::{change, load, SimInvite, SimSigner, START_CREDITS};
use super::ACCOUNT;
use crate::panic::escape;
use crate::sandbox::common::page::shell;
use crate::sandbox::Shared;

/// Where staff move invites along.
pub const CONTROL_PATH: &str = "/sandbox/hotsign/invites";

fn name_of(s: &EnvelopeStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    (
        status,
        shell(
            "Hotsign",
            title,
            &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
        ),
    )
        .into_response()
}

/// The invite and signer a signing link is for.
async fn signer_of(s: &Shared, token: &str) -> Result<(SimInvite, SimSigner), Response> {
    let gone = || {
        message(
            StatusCode::NOT_FOUND,
            "Invite not found",
            "This invite does not exist any more (Hotsign deletes invites 45 days after they were sent).",
        )
    };
    let id = token.split('.').next().unwrap_or_default();
    let (invite, _) = load(s, None, id).await.map_err(|_| gone())?;
    let signer = invite
        .signers
        .iter()
        .find(|x| x.token == token)
        .cloned()
        .ok_or_else(gone)?;
    Ok((invite, signer))
}

fn field_input(i: usize, f: &hotsign::fields::Field) -> String {
    let id = format!("f{i}");
    let name = format!("field{i}");
    let required = if f.required { " required" } else { "" };
    let value = escape(f.prefill.as_deref().unwrap_or_default());
    let label = format!(
        "<label for=\"{id}\">{}{}</label>",
        escape(&f.label),
        if f.required { " *" } else { "" }
    );
    let input = match f.kind {
        FieldType::Selection => {
            let options: String = f
                .options
                .iter()
                .map(|o| {
                    let picked = f.prefill.as_deref().is_some_and(|p| {
                        p.replace(' ', "").eq_ignore_ascii_case(&o.replace(' ', ""))
                    });
                    format!(
                        "<option{}>{}</option>",
                        if picked { " selected" } else { "" },
                        escape(o)
                    )
                })
                .collect();
            format!("<select id=\"{id}\" name=\"{name}\"{required}>{options}</select>")
        }
        FieldType::Signature => format!(
            "<input id=\"{id}\" name=\"{name}\" type=\"text\" autocomplete=\"name\" \
             placeholder=\"Type your name to sign\"{required}>"
        ),
        FieldType::Date => {
            format!("<input id=\"{id}\" name=\"{name}\" type=\"date\" value=\"{value}\"{required}>")
        }
        FieldType::Email => format!(
            "<input id=\"{id}\" name=\"{name}\" type=\"email\" value=\"{value}\"{required}>"
        ),
        FieldType::Phone => {
            format!("<input id=\"{id}\" name=\"{name}\" type=\"tel\" value=\"{value}\"{required}>")
        }
        FieldType::Text => {
            format!("<input id=\"{id}\" name=\"{name}\" type=\"text\" value=\"{value}\"{required}>")
        }
    };
    format!("<div class=\"field\">{label}{input}</div>")
}

/// GET `/sandbox/hotsign/sign/{token}`: the document and this signer's
/// fields; opening it counts as viewing it.
pub async fn page(State(s): State<Shared>, Path(token): Path<String>) -> Response {
    let (invite, signer) = match signer_of(&s, &token).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let status = invite.status();
    if status.is_final() || matches!(signer.status, EnvelopeStatus::Signed) {
        let what = match (&signer.status, &status) {
            (EnvelopeStatus::Signed, _) => "You signed this document. Hotsign emails the completed document and its audit trail once everyone has signed.".to_string(),
            (_, st) => format!("This invite has ended ({}).", name_of(st)),
        };
        return message(StatusCode::OK, &invite.title, &what);
    }
    if signer.status != EnvelopeStatus::Viewed {
        let n = signer.number;
        let _ = change(&s, &invite.id, |i, now| {
            i.set(n, EnvelopeStatus::Viewed, now)
        })
        .await;
    }
    let (fields, _) = parse_html(&invite.html);
    let mine: String = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.signer == signer.number)
        .map(|(i, f)| field_input(i, f))
        .collect();
    let action = format!("/sandbox/hotsign/sign/{}", escape(&token));
    let body = format!(
        "<div class=\"page-head\"><h1>{}</h1></div>\
         <p class=\"muted\">For {} &lt;{}&gt;, signer {} of {}.</p>\
         <article class=\"card hotsign-document\">{}</article>\
         <form method=\"post\" action=\"{action}/sign\" class=\"card form\">\
         <h2>Your fields</h2>{mine}\
         <div class=\"actions\"><button type=\"submit\" class=\"button button-primary\">Sign</button></div></form>\
         <form method=\"post\" action=\"{action}/decline\" class=\"card form\">\
         <div class=\"field\"><label for=\"reason\">Reason for declining</label>\
         <input id=\"reason\" name=\"reason\" type=\"text\"></div>\
         <button type=\"submit\" class=\"button button-danger\">Decline</button></form>",
        escape(&invite.title),
        escape(&signer.name),
        escape(&signer.email),
        signer.number,
        invite.signers.len(),
        hotsign::markup::for_display(&invite.html),
    );
    shell("Hotsign", &invite.title, &body).into_response()
}

/// POST `/sandbox/hotsign/sign/{token}/sign`: required fields must be filled.
pub async fn sign(
    State(s): State<Shared>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (invite, signer) = match signer_of(&s, &token).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let (fields, _) = parse_html(&invite.html);
    let mut values = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if f.signer != signer.number {
            continue;
        }
        let v = form
            .get(&format!("field{i}"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        if f.required && v.is_empty() {
            return message(
                StatusCode::BAD_REQUEST,
                "A field is missing",
                &format!("\"{}\" is required. Go back and fill it in.", f.label),
            );
        }
        values.push((f.label.clone(), v));
    }
    let n = signer.number;
    let signed = change(&s, &invite.id, |i, now| {
        if let Some(x) = i.signers.iter_mut().find(|x| x.number == n) {
            x.values = values.clone();
        }
        i.set(n, EnvelopeStatus::Signed, now)
    })
    .await;
    match signed {
        Ok(true) => message(
            StatusCode::OK,
            "Signed",
            "Thank you. Hotsign emails the completed document and its audit trail once everyone has signed.",
        ),
        Ok(false) => message(StatusCode::CONFLICT, "Not signed", "This invite has ended."),
        Err(res) => res,
    }
}

/// POST `/sandbox/hotsign/sign/{token}/decline`.
pub async fn decline(
    State(s): State<Shared>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (invite, signer) = match signer_of(&s, &token).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let n = signer.number;
    let reason = form.get("reason").cloned().unwrap_or_default();
    let declined = change(&s, &invite.id, |i, now| {
        let done = i.set(n, EnvelopeStatus::Declined, now);
        if done && !reason.trim().is_empty() {
            if let Some(t) = i.trail.last_mut() {
                t.what.push_str(&format!(" ({})", reason.trim()));
            }
        }
        done
    })
    .await;
    match declined {
        Ok(true) => message(
            StatusCode::OK,
            "Declined",
            "The sender is told that you declined.",
        ),
        Ok(false) => message(
            StatusCode::CONFLICT,
            "Not declined",
            "This invite has ended.",
        ),
        Err(res) => res,
    }
}

/// The statuses a signer can be moved to (the invite's own two, cancel
/// and expiry, have their buttons).
const SIGNER_STATUSES: [EnvelopeStatus; 10] = [
    EnvelopeStatus::Changedsigner,
    EnvelopeStatus::Scheduled,
    EnvelopeStatus::Sent,
    EnvelopeStatus::Bounced,
    EnvelopeStatus::Spam,
    EnvelopeStatus::Delivered,
    EnvelopeStatus::Opened,
    EnvelopeStatus::Viewed,
    EnvelopeStatus::Declined,
    EnvelopeStatus::Signed,
];

/// GET `/sandbox/hotsign/invites`: every invite, each signer's status
/// with a form to set any other, expiry and cancel, and the credits.
pub async fn control(State(s): State<Shared>) -> Response {
    let rows = match db::recent_invites(&s.db, 100).await {
        Ok(r) => r,
        Err(_) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Not available",
                "Try again.",
            )
        }
    };
    let credits = db::credits(&s.db, ACCOUNT, START_CREDITS)
        .await
        .unwrap_or(0);
    let mut items = String::new();
    for row in rows {
        let Ok(invite) = serde_json::from_str::<SimInvite>(&row.invite) else {
            continue;
        };
        let id = escape(&invite.id);
        let mut signers = String::new();
        for x in &invite.signers {
            let options: String = SIGNER_STATUSES
                .iter()
                .map(|st| {
                    let n = name_of(st);
                    format!(
                        "<option value=\"{n}\"{}>{n}</option>",
                        if *st == x.status { " selected" } else { "" }
                    )
                })
                .collect();
            signers.push_str(&format!(
                "<li><form method=\"post\" action=\"{CONTROL_PATH}/{id}/status\" class=\"inline-form\">\
                 <input type=\"hidden\" name=\"number\" value=\"{n}\">\
                 <span>Signer {n}: {} &lt;{}&gt; · <strong>{}</strong></span>\
                 <label for=\"st-{id}-{n}\" class=\"visually-hidden\">Status of signer {n}</label>\
                 <select id=\"st-{id}-{n}\" name=\"status\">{options}</select>\
                 <label for=\"em-{id}-{n}\" class=\"visually-hidden\">New email (changedsigner)</label>\
                 <input id=\"em-{id}-{n}\" name=\"email\" type=\"email\" placeholder=\"new email (changedsigner)\">\
                 <button type=\"submit\" class=\"button\">Set</button> \
                 <a href=\"/sandbox/hotsign/sign/{}\">signing page</a></form></li>",
                escape(&x.name),
                escape(&x.email),
                name_of(&x.status),
                escape(&x.token),
                n = x.number,
            ));
        }
        items.push_str(&format!(
            "<li class=\"card\"><h2>{}</h2><p class=\"muted small\">Invite {id} · {} · sent {}</p>\
             <ul class=\"plain\">{signers}</ul>\
             <form method=\"post\" action=\"{CONTROL_PATH}/{id}/expire\" class=\"inline-form\">\
             <button type=\"submit\" class=\"button\">Expire the invite</button></form>\
             <form method=\"post\" action=\"{CONTROL_PATH}/{id}/cancel\" class=\"inline-form\">\
             <button type=\"submit\" class=\"button button-danger\">Cancel the invite</button></form></li>",
            escape(&invite.title),
            name_of(&invite.status()),
            invite.created_at.format("%Y-%m-%d %H:%M"),
        ));
    }
    if items.is_empty() {
        items = "<li class=\"empty-state\"><h2>No invites yet</h2><p>Send a request with Hotsign and it appears here.</p></li>".into();
    }
    let body = format!(
        "<div class=\"page-head\"><h1>Hotsign invites</h1></div>\
         <p class=\"muted\">Move each signer through Hotsign's statuses; the portal is told by a webhook and reads the invite again.</p>\
         <form method=\"post\" action=\"/sandbox/hotsign/credits\" class=\"card inline-form\">\
         <span>Invite credits left for {}: <strong>{credits}</strong></span>\
         <button type=\"submit\" class=\"button\">Buy 10 credits</button></form>\
         <ul class=\"mail-list\">{items}</ul>",
        escape(ACCOUNT)
    );
    shell("Hotsign", "Invites", &body).into_response()
}

fn back() -> Response {
    Redirect::to(CONTROL_PATH).into_response()
}

/// POST `/sandbox/hotsign/invites/{id}/status`.
pub async fn set_status(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let number: u32 = form.get("number").and_then(|n| n.parse().ok()).unwrap_or(0);
    let Some(status) = form
        .get("status")
        .and_then(|v| serde_json::from_value::<EnvelopeStatus>(serde_json::json!(v)).ok())
        .filter(|st| SIGNER_STATUSES.contains(st))
    else {
        return message(
            StatusCode::BAD_REQUEST,
            "Unknown status",
            "Pick one of the listed statuses.",
        );
    };
    let email = form
        .get("email")
        .map(|e| e.trim().to_string())
        .filter(|e| e.contains('@'));
    let changed = change(&s, &id, |i, now| {
        if status == EnvelopeStatus::Changedsigner {
            if let (Some(e), Some(x)) = (&email, i.signers.iter_mut().find(|x| x.number == number))
            {
                x.email = e.clone();
            }
        }
        i.set(number, status.clone(), now)
    })
    .await;
    match changed {
        Ok(true) => back(),
        Ok(false) => message(
            StatusCode::CONFLICT,
            "Not changed",
            "The invite has ended or has no such signer.",
        ),
        Err(res) => res,
    }
}

/// POST `/sandbox/hotsign/invites/{id}/expire` and `…/cancel`.
pub async fn close(State(s): State<Shared>, Path((id, how)): Path<(String, String)>) -> Response {
    let status = match how.as_str() {
        "expire" => EnvelopeStatus::Expired,
        "cancel" => EnvelopeStatus::Canceled,
        _ => return message(StatusCode::NOT_FOUND, "Not found", "No such action."),
    };
    match change(&s, &id, |i, now| i.close(status.clone(), now)).await {
        Ok(true) => back(),
        Ok(false) => message(
            StatusCode::CONFLICT,
            "Not changed",
            "The invite has already ended.",
        ),
        Err(res) => res,
    }
}

/// POST `/sandbox/hotsign/credits`: ten more invite credits.
pub async fn buy_credits(State(s): State<Shared>) -> Response {
    match db::add_credits(&s.db, ACCOUNT, START_CREDITS, 10).await {
        Ok(()) => back(),
        Err(_) => message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not available",
            "Try again.",
        ),
    }
}

/// The invite emails, for the sandbox mailbox (newest first): each
/// signer's invitation while the invite is open, unless it bounced or
/// went to spam.
pub async fn mail(s: &Shared) -> Vec<String> {
    let Ok(rows) = db::recent_invites(&s.db, 100).await else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in rows {
        let Ok(invite) = serde_json::from_str::<SimInvite>(&row.invite) else {
            continue;
        };
        if invite.is_final() {
            continue;
        }
        for x in invite
            .signers
            .iter()
            .filter(|x| !x.status.is_delivery_problem())
        {
            out.push(format!(
                "<li class=\"card mail\"><p><span class=\"badge\">Hotsign invite</span> to <strong>{}</strong></p>\
                 <h2>{}</h2><p><a class=\"button\" href=\"/sandbox/hotsign/sign/{}\">Review and sign</a> \
                 <a href=\"{CONTROL_PATH}\">Move it through Hotsign's statuses</a></p>\
                 <p class=\"muted small\">Hotsign invite {}</p></li>",
                escape(&x.email),
                escape(&invite.title),
                escape(&x.token),
                escape(&invite.id),
            ));
        }
    }
    out
}
