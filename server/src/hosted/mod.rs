//! The signing page the portal hosts for services without one of their own
//! (CertEurope SignAPI), at the signer's link `/s/<token>`: the documents
//! drawn by pdf.js, an explicit consent, the one-time code (send, resend
//! after a cooldown, wrong code with the tries left, locked at the
//! service's limit), decline with a reason. Every step is a plain form
//! (POST, then back to the page), so it works without script, from the
//! keyboard and on a phone. Each step is recorded as evidence (time,
//! address, browser, the documents' SHA-256; never the code).

pub mod words;

use std::sync::Arc;

use app::ssr::db::evidence::{self, Event, Shown};
use app::ssr::db::requests::RequestRow;
use app::ssr::db::signer_links::LinkRow;
use app::ssr::db::{documents, requests, signer_links};
use app::ssr::provider::{CodeError, Provider, ProviderError, Turn};
use app::ssr::state::AppState;
use app::ssr::web::ClientIp;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chrono::Utc;
use serde::Deserialize;

use crate::brand::signer_page;
use crate::panic::escape;
use crate::routes::At;
use crate::sandbox::common::preview;
use words::{fill, Words};

/// Seconds before a signer may ask for another one-time code. SignAPI's
/// sources name no limit; this is the portal's own.
pub const RESEND_COOLDOWN_SECS: i64 = 30;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .at("/s/{token}/documents/{id}", get(document))
        .at("/s/{token}/code", post(send_code))
        .at("/s/{token}/sign", post(sign))
        .at("/s/{token}/decline", post(decline))
        .with_state(state)
}

/// A signer's link with its request and the adapter, when the request's
/// service is one whose page the portal hosts.
struct Signer {
    link: LinkRow,
    row: RequestRow,
    provider: Arc<dyn Provider>,
    words: &'static Words,
    name: String,
}

async fn signer_of(state: &AppState, token: &str) -> Option<Signer> {
    let link = signer_links::find(&state.db, token).await.ok().flatten()?;
    let row = requests::find(&state.db, link.request_id)
        .await
        .ok()
        .flatten()?;
    let provider = state.providers.of(&row.provider)?;
    provider.hosted()?;
    let signer = app::ssr::requests::signers_of(&row)
        .into_iter()
        .find(|s| s.key == link.signer_key)?;
    let words = words::of(&app::ssr::requests::language_of(&row, &signer));
    Some(Signer {
        link,
        row,
        provider,
        words,
        name: signer.name,
    })
}

impl Signer {
    /// The service's side of the page (`signer_of` only finds signers of
    /// services that have one).
    fn hosted(&self) -> &dyn app::ssr::provider::Hosted {
        self.provider
            .hosted()
            .expect("signer_of keeps only hosted services")
    }
}

/// The signer of a step's form, and where it came from.
async fn step_from(
    state: &AppState,
    token: &str,
    ip: &ClientIp,
    headers: &HeaderMap,
) -> Option<(Signer, Origin)> {
    Some((signer_of(state, token).await?, origin(ip, headers)))
}

fn page(s: &Signer, state: &AppState, status: StatusCode, body: &str) -> Response {
    let mut res = (
        status,
        Html(signer_page(&state.brand, s.words.lang, s.words.title, body)),
    )
        .into_response();
    let h = res.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn message(title: &str, text: &str) -> String {
    format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text))
}

/// Who did it, from where, for the evidence.
struct Origin {
    ip: String,
    agent: String,
}

fn origin(ip: &ClientIp, headers: &HeaderMap) -> Origin {
    Origin {
        ip: ip.0.to_string(),
        agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
    }
}

async fn record(
    state: &AppState,
    s: &Signer,
    by: &Origin,
    event: Event,
    outcome: &str,
    shown: &[Shown],
) -> sqlx::Result<()> {
    let from = evidence::From {
        request_id: s.row.id,
        signer_key: &s.link.signer_key,
        ip: &by.ip,
        user_agent: &by.agent,
    };
    evidence::record(&state.db, &from, event, outcome, shown, Utc::now()).await
}

/// The documents as this signer signs them, with their SHA-256.
async fn shown(state: &AppState, s: &Signer) -> Result<Vec<(i64, Shown, Vec<u8>)>, ProviderError> {
    let hosted = s.hosted();
    let mut out = Vec::new();
    for d in documents::list(&state.db, s.row.id).await? {
        let bytes = hosted.document(&s.row, &s.link.signer_key, d.id).await?;
        let sha256 = crate::sandbox::pdf::hex_sha256(&bytes);
        out.push((
            d.id,
            Shown {
                name: d.name,
                sha256,
            },
            bytes,
        ));
    }
    Ok(out)
}

/// The core learns what changed (the signature made, a decline) at once.
async fn refresh(state: &AppState, s: &Signer) {
    if let Some(external) = s.row.external_id.as_deref() {
        if let Err(e) =
            app::ssr::tracking::refresh(&state.db, s.provider.as_ref(), s.row.id, external).await
        {
            tracing::warn!(request_id = s.row.id, error = %e, "could not read the status after the signing page");
        }
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    /// What the last step said (a fixed word, never free text).
    #[serde(default)]
    e: String,
    #[serde(default)]
    n: Option<i64>,
}

/// GET `/s/<token>` for a hosted service (called by the link handler).
pub async fn show(state: &AppState, token: &str, query: &PageQuery) -> Option<Response> {
    let s = signer_of(state, token).await?;
    let w = s.words;
    let hosted = s.hosted();
    match s.row.status() {
        app::model::request::RequestStatus::Waiting => {}
        // Their signature completed the request: thanked, not told the link is dead.
        app::model::request::RequestStatus::Signed => {
            return Some(page(
                &s,
                state,
                StatusCode::OK,
                &message(w.signed_title, w.signed),
            ))
        }
        _ => return None,
    }
    let turn = match hosted.turn(&s.row, &s.link.signer_key).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(request_id = s.row.id, error = %e, "signing page: the service failed");
            return Some(page(
                &s,
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                &message(w.title, w.unavailable),
            ));
        }
    };
    let locked = evidence::last(&state.db, s.row.id, &s.link.signer_key, Event::Locked)
        .await
        .ok()
        .flatten()
        .is_some();
    let body = match turn {
        Turn::Closed => return None,
        _ if locked => message(w.locked_title, w.locked),
        Turn::After(name) => message(w.title, &fill(w.after, "name", &name)),
        Turn::Signed => {
            refresh(state, &s).await;
            message(w.signed_title, w.signed)
        }
        Turn::Declined => {
            refresh(state, &s).await;
            message(w.declined_title, w.declined)
        }
        Turn::Locked => message(w.locked_title, w.locked),
        Turn::Signing => {
            let mut res = page(
                &s,
                state,
                StatusCode::OK,
                &format!(
                    "<h1>{}</h1><p role=\"status\" class=\"alert alert-warn\">{}</p>",
                    escape(w.title),
                    escape(w.signing)
                ),
            );
            res.headers_mut()
                .insert("refresh", HeaderValue::from_static("2"));
            return Some(res);
        }
        Turn::Open { otp } => match open_page(state, &s, token, otp, query).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(request_id = s.row.id, error = %e, "signing page: documents unavailable");
                message(w.title, w.unavailable)
            }
        },
    };
    Some(page(&s, state, StatusCode::OK, &body))
}

fn notice(w: &Words, query: &PageQuery) -> String {
    let n = query.n.unwrap_or_default();
    let (class, text) = match query.e.as_str() {
        "consent" => ("error", w.need_consent.to_string()),
        "code" => ("error", w.need_code.to_string()),
        "wrong" if query.n.is_some() => ("error", fill(w.wrong_code_left, "n", n)),
        "wrong" => ("error", w.wrong_code.to_string()),
        "stale" => ("error", w.stale_code.to_string()),
        "wait" => ("warn", fill(w.wait, "n", n)),
        "sent" => ("ok", w.sent.to_string()),
        "reason" => ("error", w.need_reason.to_string()),
        "service" => ("error", w.service_failed.to_string()),
        _ => return String::new(),
    };
    let role = if class == "error" { "alert" } else { "status" };
    format!(
        "<p class=\"alert alert-{class}\" role=\"{role}\" id=\"notice\">{}</p>",
        escape(&text)
    )
}

/// A phone number with only its last three digits shown.
fn masked(number: &str) -> String {
    let digits: Vec<char> = number.chars().collect();
    let keep = digits.len().saturating_sub(3);
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep && c.is_ascii_digit() && i > 2 {
                '•'
            } else {
                *c
            }
        })
        .collect()
}

async fn open_page(
    state: &AppState,
    s: &Signer,
    token: &str,
    otp: bool,
    query: &PageQuery,
) -> Result<String, ProviderError> {
    let w = s.words;
    let docs = shown(state, s).await?;
    let key = &s.link.signer_key;
    let consented = evidence::last(&state.db, s.row.id, key, Event::Consented)
        .await?
        .is_some();
    let sent = evidence::last(&state.db, s.row.id, key, Event::CodeSent).await?;
    let mut html = format!(
        "<div class=\"hosted-sign\"><h1>{}</h1><p class=\"muted\">{} <strong>{}</strong>{}</p>{}",
        escape(&s.row.title),
        escape(w.for_you),
        escape(&s.name),
        if s.row.reference.trim().is_empty() {
            String::new()
        } else {
            format!(" · {}", escape(&s.row.reference))
        },
        notice(w, query)
    );
    html.push_str(&format!(
        "<h2>{}</h2><ul class=\"hosted-docs\">",
        escape(w.documents)
    ));
    for (_, d, _) in &docs {
        html.push_str(&format!(
            "<li>{} <span class=\"muted small mono\">SHA-256 {}…</span></li>",
            escape(&d.name),
            &d.sha256[..12.min(d.sha256.len())]
        ));
    }
    html.push_str("</ul>");
    for (id, d, bytes) in &docs {
        let url = format!("/s/{token}/documents/{id}");
        html.push_str(&preview::document(
            &url,
            &d.name,
            &preview::pages(bytes),
            &[],
        ));
    }
    let consent_box = format!(
        "<p><label class=\"consent\"><input type=\"checkbox\" name=\"consent\" value=\"yes\" required> {}</label></p>",
        escape(w.consent)
    );
    if !otp {
        html.push_str(&format!(
            "<form method=\"post\" action=\"/s/{token}/sign\" class=\"hosted-step\">{consent_box}\
             <button type=\"submit\" class=\"button button-primary\">{}</button></form>",
            escape(w.agree_and_sign)
        ));
    } else if !consented || sent.is_none() {
        html.push_str(&format!(
            "<form method=\"post\" action=\"/s/{token}/code\" class=\"hosted-step\"><p class=\"muted small\">{}</p>{}\
             <button type=\"submit\" class=\"button button-primary\">{}</button></form>",
            escape(w.step_consent),
            if consented { String::new() } else { consent_box },
            escape(w.agree_and_send)
        ));
    } else {
        let contact = s
            .row
            .signer_list()
            .iter()
            .find(|x| &x.key == key)
            .map(crate::providers::certeurope::map::otp_contact)
            .unwrap_or_default();
        let wait = sent
            .map(|at| RESEND_COOLDOWN_SECS - (Utc::now() - at).num_seconds())
            .unwrap_or(0)
            .max(0);
        html.push_str(&format!(
            "<form method=\"post\" action=\"/s/{token}/sign\" class=\"hosted-step\"><p class=\"muted small\">{}</p>\
             <p>{} <strong>{}</strong>.</p>\
             <label for=\"otp\">{}</label><input id=\"otp\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
             pattern=\"[0-9]{{4,8}}\" maxlength=\"8\" required aria-describedby=\"otp-hint\" autofocus>\
             <p id=\"otp-hint\" class=\"muted small\">{}</p>\
             <button type=\"submit\" class=\"button button-primary\">{}</button></form>",
            escape(w.step_code),
            escape(w.code_to),
            escape(&masked(&contact)),
            escape(w.code_label),
            escape(w.code_hint),
            escape(w.sign)
        ));
        html.push_str(&format!(
            "<form method=\"post\" action=\"/s/{token}/code\"><button type=\"submit\" class=\"button button-quiet\">{}</button>{}</form>",
            escape(w.resend),
            if wait > 0 {
                format!(" <span class=\"muted small\">{}</span>", escape(&fill(w.resend_in, "n", wait)))
            } else {
                String::new()
            }
        ));
    }
    html.push_str(&format!(
        "<details class=\"decline\"><summary>{}</summary><form method=\"post\" action=\"/s/{token}/decline\" class=\"hosted-step\">\
         <label for=\"reason\">{}</label><textarea id=\"reason\" name=\"reason\" rows=\"3\" maxlength=\"500\" required></textarea>\
         <button type=\"submit\" class=\"button button-danger\">{}</button></form></details>",
        escape(w.decline),
        escape(w.decline_reason),
        escape(w.decline_send)
    ));
    html.push_str("</div><script type=\"module\" src=\"/js/pdf-pages.js\"></script>");
    Ok(html)
}

fn back(token: &str, e: &str, n: Option<i64>) -> Response {
    let to = match (e, n) {
        ("", _) => format!("/s/{token}"),
        (e, Some(n)) => format!("/s/{token}?e={e}&n={n}#notice"),
        (e, None) => format!("/s/{token}?e={e}#notice"),
    };
    Redirect::to(&to).into_response()
}

fn not_active() -> Response {
    (StatusCode::NOT_FOUND, "This signing link is not active.").into_response()
}

async fn document(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, i64)>,
) -> Response {
    let Some(s) = signer_of(&state, &token).await else {
        return not_active();
    };
    let hosted = s.hosted();
    if s.row.status() != app::model::request::RequestStatus::Waiting {
        return not_active();
    }
    match hosted.document(&s.row, &s.link.signer_key, id).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (header::CACHE_CONTROL, "no-store"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
            bytes,
        )
            .into_response(),
        Err(ProviderError::NotFound) => not_active(),
        Err(e) => {
            tracing::warn!(request_id = s.row.id, error = %e, "signing page: document unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The document cannot be shown right now.",
            )
                .into_response()
        }
    }
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    consent: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    reason: String,
}

/// The signer ticked the box (when the form had it); false when they
/// never agreed.
async fn consent(
    state: &AppState,
    s: &Signer,
    by: &Origin,
    form: &StepForm,
) -> Result<bool, ProviderError> {
    let key = &s.link.signer_key;
    if form.consent == "yes" {
        let docs: Vec<Shown> = shown(state, s)
            .await?
            .into_iter()
            .map(|(_, d, _)| d)
            .collect();
        record(
            state,
            s,
            by,
            Event::Consented,
            "agreed to sign electronically",
            &docs,
        )
        .await?;
        return Ok(true);
    }
    Ok(evidence::last(&state.db, s.row.id, key, Event::Consented)
        .await?
        .is_some())
}

async fn send_code(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<StepForm>,
) -> Response {
    let Some((s, by)) = step_from(&state, &token, &ip, &headers).await else {
        return not_active();
    };
    match consent(&state, &s, &by, &form).await {
        Ok(true) => {}
        Ok(false) => return back(&token, "consent", None),
        Err(e) => {
            tracing::warn!(request_id = s.row.id, error = %e, "signing page: consent not recorded");
            return back(&token, "service", None);
        }
    }
    let key = &s.link.signer_key;
    if let Ok(Some(at)) = evidence::last(&state.db, s.row.id, key, Event::CodeSent).await {
        let wait = RESEND_COOLDOWN_SECS - (Utc::now() - at).num_seconds();
        if wait > 0 {
            return back(&token, "wait", Some(wait));
        }
    }
    let hosted = s.hosted();
    let first = matches!(
        evidence::last(&state.db, s.row.id, key, Event::CodeSent).await,
        Ok(None)
    );
    match hosted.send_code(&s.row, key).await {
        Ok(()) => {
            let _ = record(
                &state,
                &s,
                &by,
                Event::CodeSent,
                "the service sent a one-time code",
                &[],
            )
            .await;
            back(&token, if first { "" } else { "sent" }, None)
        }
        Err(e) => {
            tracing::warn!(request_id = s.row.id, error = %e, "signing page: no code sent");
            back(&token, "service", None)
        }
    }
}

async fn sign(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<StepForm>,
) -> Response {
    let Some((s, by)) = step_from(&state, &token, &ip, &headers).await else {
        return not_active();
    };
    let hosted = s.hosted();
    match consent(&state, &s, &by, &form).await {
        Ok(true) => {}
        Ok(false) => return back(&token, "consent", None),
        Err(_) => return back(&token, "service", None),
    }
    let otp = matches!(
        hosted.turn(&s.row, &s.link.signer_key).await,
        Ok(Turn::Open { otp: true })
    );
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    if otp && (code.is_empty() || !code.chars().all(|c| c.is_ascii_digit())) {
        return back(&token, "code", None);
    }
    let given = otp.then_some(code.as_str());
    match hosted.sign(&s.row, &s.link.signer_key, given).await {
        Ok(()) => {
            if otp {
                let _ = record(&state, &s, &by, Event::CodeChecked, "accepted", &[]).await;
            }
            let docs: Vec<Shown> = match shown(&state, &s).await {
                Ok(d) => d.into_iter().map(|(_, d, _)| d).collect(),
                Err(_) => Vec::new(),
            };
            let _ = record(
                &state,
                &s,
                &by,
                Event::Signed,
                "the service was asked to sign",
                &docs,
            )
            .await;
            back(&token, "", None)
        }
        Err(CodeError::Wrong { tries_left }) => {
            let outcome = match tries_left {
                Some(n) => format!("wrong code, {n} tries left"),
                None => "wrong code".into(),
            };
            let _ = record(&state, &s, &by, Event::CodeChecked, &outcome, &[]).await;
            back(&token, "wrong", tries_left.map(i64::from))
        }
        Err(CodeError::Locked) => {
            let _ = record(
                &state,
                &s,
                &by,
                Event::CodeChecked,
                "wrong code, no tries left",
                &[],
            )
            .await;
            let _ = record(
                &state,
                &s,
                &by,
                Event::Locked,
                "too many wrong codes: the service locked the order",
                &[],
            )
            .await;
            back(&token, "", None)
        }
        Err(CodeError::Stale) => {
            let _ = record(
                &state,
                &s,
                &by,
                Event::CodeChecked,
                "the code was no longer valid",
                &[],
            )
            .await;
            back(&token, "stale", None)
        }
        Err(CodeError::Service(e)) => {
            tracing::warn!(request_id = s.row.id, error = %e, "signing page: not signed");
            back(&token, "service", None)
        }
    }
}

async fn decline(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<StepForm>,
) -> Response {
    let Some((s, by)) = step_from(&state, &token, &ip, &headers).await else {
        return not_active();
    };
    let reason: String = form.reason.trim().chars().take(500).collect();
    if reason.is_empty() {
        return back(&token, "reason", None);
    }
    match s
        .hosted()
        .decline(&s.row, &s.link.signer_key, &reason)
        .await
    {
        Ok(()) => {
            let _ = record(&state, &s, &by, Event::Declined, &reason, &[]).await;
            refresh(&state, &s).await;
            back(&token, "", None)
        }
        Err(e) => {
            tracing::warn!(request_id = s.row.id, error = %e, "signing page: decline not sent");
            back(&token, "service", None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_number_shows_only_its_country_code_and_last_digits() {
        assert_eq!(masked("+31612345678"), "+31••••••678");
        assert_eq!(masked("12"), "12");
    }
}
