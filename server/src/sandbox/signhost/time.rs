//! Time at the Signhost sandbox: invitations and reminders "sent" to the
//! mailbox page at `/sandbox/mail`, expiry, and the control that moves the
//! simulators' clock forward.

use app::ssr::db::sandbox as db;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Duration, FixedOffset};
use serde::Deserialize;
use signhost::model::{ActivityCode, Transaction, TransactionStatus};

use super::store::{add_activity, hold, internal, save};
use super::validate::Refusal;
use crate::sandbox::common::clock;
use crate::sandbox::{Sandbox, Shared};

/// Applies reminders and expiry to one transaction; true when it changed.
pub fn apply_time(tx: &mut Transaction, now: DateTime<FixedOffset>) -> bool {
    if !matches!(
        tx.status,
        Some(TransactionStatus::WaitingForSigner | TransactionStatus::InProgress)
    ) {
        return false;
    }
    let expires_at = tx
        .created_date_time
        .map(|c| c + Duration::days(tx.days_to_expire.unwrap_or(30).into()));
    let signer_expired = tx
        .signers
        .iter()
        .any(|s| s.signed_date_time.is_none() && s.expires.is_some_and(|e| e <= now));
    if expires_at.is_some_and(|e| e <= now) || signer_expired {
        tx.status = Some(TransactionStatus::Expired);
        return true;
    }
    let mut changed = false;
    for signer in tx.signers.iter_mut() {
        let remind = signer.days_to_remind.unwrap_or(7);
        if signer.send_sign_request != Some(true)
            || signer.signed_date_time.is_some()
            || remind <= 0
        {
            continue;
        }
        let last = signer
            .activities
            .iter()
            .filter(|a| {
                matches!(
                    a.code,
                    ActivityCode::InvitationSent | ActivityCode::InvitationReminderResent
                )
            })
            .filter_map(|a| a.created_date_time)
            .max();
        if let Some(last) = last {
            if now - last >= Duration::days(remind.into()) {
                add_activity(signer, ActivityCode::InvitationReminderResent, None, now);
                changed = true;
            }
        }
    }
    changed
}

/// Runs the clock over every running transaction.
pub async fn tick(s: &Sandbox) -> Result<(), Refusal> {
    for id in db::running_transaction_ids(&s.db).await.map_err(internal)? {
        // Held: a signature at the same moment is not overwritten, and a
        // second instance's round finds the reminder already sent.
        let (_held, mut tx) = match hold(s, &id).await {
            Ok(found) => found,
            Err(r) if r.status == 410 => continue,
            Err(r) => return Err(r),
        };
        if apply_time(&mut tx, s.now()) {
            save(s, &mut tx, false).await?;
        }
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct Advance {
    days: i64,
}

/// `POST /sandbox/clock`: moves the sandbox clock `days` ahead and applies it.
pub async fn advance(
    State(s): State<Shared>,
    Form(form): Form<Advance>,
) -> Result<Response, Refusal> {
    if !(0..=365).contains(&form.days) {
        return Err(Refusal::new(400, "Move the clock by 0 to 365 days."));
    }
    clock::move_ahead(&s, form.days).await.map_err(internal)?;
    tick(&s).await?;
    crate::sandbox::signicat::sign::tick(&s)
        .await
        .map_err(|f| {
            Refusal::new(
                f.status,
                "The Signicat simulator could not apply the clock.",
            )
        })?;
    Ok(Redirect::to("/sandbox/mail").into_response())
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /sandbox/mail`: every invitation and reminder the sandbox "sent".
pub async fn mailbox(
    State(s): State<Shared>,
    viewer: Option<axum::Extension<crate::sandbox::Viewer>>,
) -> Result<Response, Refusal> {
    let keys = match viewer {
        Some(axum::Extension(crate::sandbox::Viewer { admin: true })) => format!(
            "<details class=\"card\"><summary>Sandbox keys (admins only)</summary>\
             <p class=\"muted small\">Made for this installation on its first start. A Signhost client \
             talks to <code>{}</code> with these.</p><dl class=\"keys\">\
             <dt>Application key (<code>Application: APPKey …</code>)</dt><dd><code>{}</code></dd>\
             <dt>User token (<code>Authorization: APIKey …</code>)</dt><dd><code>{}</code></dd>\
             <dt>Postback shared secret</dt><dd><code>{}</code></dd></dl></details>",
            escape(s.public_url.join("sandbox/api/").map(|u| u.to_string()).unwrap_or_default().as_str()),
            escape(&s.app_key),
            escape(&s.user_token),
            escape(&s.shared_secret),
        ),
        _ => String::new(),
    };
    let mut messages = Vec::new();
    for row in db::recent_transactions(&s.db, 200)
        .await
        .map_err(internal)?
    {
        let Ok(tx) = serde_json::from_str::<Transaction>(&row.document) else {
            continue;
        };
        for signer in &tx.signers {
            for a in &signer.activities {
                let kind = match a.code {
                    ActivityCode::InvitationSent => "Invitation",
                    ActivityCode::InvitationReminderResent => "Reminder",
                    _ => continue,
                };
                messages.push((a.created_date_time, kind, tx.clone(), signer.clone()));
            }
        }
    }
    messages.sort_by_key(|m| std::cmp::Reverse(m.0));
    let mut items = String::new();
    for (at, kind, tx, signer) in &messages {
        let subject = signer
            .sign_request_subject
            .clone()
            .unwrap_or_else(|| "Please sign this document".into());
        items.push_str(&format!(
            "<li class=\"card mail\"><p><span class=\"badge\">{kind}</span> to <strong>{}</strong> · {}</p>\
             <h2>{}</h2><p>{}</p><p><a class=\"button\" href=\"{}\">Open the document to sign</a></p>\
             <p class=\"muted small\">Transaction {} · reference {}</p></li>",
            escape(signer.email.as_deref().unwrap_or("")),
            at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
            escape(&subject),
            escape(signer.sign_request_message.as_deref().unwrap_or("")).replace('\n', "<br>"),
            escape(signer.sign_url.as_deref().unwrap_or("#")),
            escape(tx.id.as_deref().unwrap_or("")),
            escape(tx.reference.as_deref().unwrap_or("-")),
        ));
    }
    let signicat = crate::sandbox::signicat::sign::mail(&s)
        .await
        .map_err(|f| Refusal::new(f.status, "The Signicat simulator's mail could not be read."))?;
    for (_, item) in signicat {
        items.push_str(&item);
    }
    for item in crate::sandbox::hotsign::sign::mail(&s).await {
        items.push_str(&item);
    }
    for c in s.certeurope.codes().iter().rev() {
        items.push_str(&format!(
            "<li class=\"card mail\"><p><span class=\"badge\">One-time code</span> to <strong>{}</strong> · {}</p>\
             <h2>Your signing code: <code>{}</code></h2>\
             <p class=\"muted small\">CertEurope SignAPI simulator · order {}</p></li>",
            escape(&c.contact),
            c.at.format("%Y-%m-%d %H:%M"),
            escape(&c.code),
            escape(&c.order),
        ));
    }
    if items.is_empty() {
        items = "<li class=\"empty-state\"><h2>No mail yet</h2><p>Invitations appear here when a request \
                 with invitations by the signing service is started.</p></li>"
            .into();
    }
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sandbox mailbox</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head>\
         <body><main class=\"content\"><div class=\"page-head\"><h1>Sandbox mailbox</h1></div>\
         <p class=\"muted\">What the signing services' simulators would have emailed. Sandbox time: {}.</p>\
         <form method=\"post\" action=\"/sandbox/clock\" class=\"card form inline-form\">\
         <div class=\"field\"><label for=\"days\">Move the sandbox clock forward (days)</label>\
         <input id=\"days\" name=\"days\" type=\"number\" min=\"0\" max=\"365\" value=\"1\"></div>\
         <button type=\"submit\" class=\"button\">Move clock</button></form>\
         {keys}<ul class=\"mail-list\">{items}</ul></main></body></html>",
        s.now().format("%Y-%m-%d %H:%M %:z")
    );
    Ok(Html(body).into_response())
}
