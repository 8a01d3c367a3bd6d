//! The simulator's invites (paths and bodies: the inferred contract,
//! `hotsign::contract`; rules: the seed). An invite takes at most 5
//! signers and 5 MB of content, spends one invite credit (10 for a new
//! account; 402 when spent), keeps its content sanitised as Hotsign does,
//! and is deleted 45 days after creation. Every signer has one of the
//! seed's statuses; the invite's is derived from theirs (a guess of the
//! simulator's: the seed names the statuses, not how an envelope's follows
//! its signers'). Each change is pushed to the portal as a webhook, a hint.

use app::ssr::db::sandbox_hotsign as db;
use app::ssr::db::sandbox_postbacks::{self as queue, Outbound};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use hotsign::contract::{Format, Invite, InviteCreate, SignerStatus, WebhookEvent};
use hotsign::status::EnvelopeStatus;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::oauth::account_of;
use crate::sandbox::common::pdf;
use crate::sandbox::Shared;

/// Seed: "New accounts start with 10 invite credits".
pub const START_CREDITS: i64 = 10;
/// Seed: "Invites are deleted 45 days after creation".
pub const RETENTION_DAYS: i64 = 45;
/// Where the simulator's webhooks go, as if the portal had subscribed.
pub const HOOK_PATH: &str = "hooks/hotsign";

fn error(status: StatusCode, error: &str, message: &str) -> Response {
    (status, Json(json!({"error": error, "message": message}))).into_response()
}

fn internal() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "Something went wrong on our side; try again.",
    )
}

/// One signer as the simulator keeps them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimSigner {
    pub number: u32,
    pub name: String,
    pub email: String,
    pub status: EnvelopeStatus,
    pub updated_at: DateTime<Utc>,
    /// Their signing page is `/sandbox/hotsign/sign/{token}`.
    pub token: String,
    /// What they entered, by field label.
    #[serde(default)]
    pub values: Vec<(String, String)>,
}

/// One line of the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trail {
    pub at: DateTime<Utc>,
    pub what: String,
}

/// An invite as the simulator keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimInvite {
    pub id: String,
    pub title: String,
    pub format: Format,
    /// What Hotsign keeps: the content sanitised (HTML either way).
    pub html: String,
    pub external_id: Option<String>,
    pub signers: Vec<SimSigner>,
    /// Cancelled by the sender or expired: the whole invite.
    #[serde(default)]
    pub closed: Option<EnvelopeStatus>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub trail: Vec<Trail>,
}

/// How far a signer's status has come (for the invite's own status).
fn progress(s: &EnvelopeStatus) -> u8 {
    match s {
        EnvelopeStatus::Changedsigner | EnvelopeStatus::Scheduled => 0,
        EnvelopeStatus::Bounced | EnvelopeStatus::Spam => 1,
        EnvelopeStatus::Sent => 2,
        EnvelopeStatus::Delivered => 3,
        EnvelopeStatus::Opened => 4,
        EnvelopeStatus::Viewed => 5,
        _ => 6,
    }
}

impl SimInvite {
    /// The invite's status: closed, or a decline, or everyone signed, or
    /// where the signer furthest behind is.
    pub fn status(&self) -> EnvelopeStatus {
        if let Some(c) = &self.closed {
            return c.clone();
        }
        if self
            .signers
            .iter()
            .any(|s| s.status == EnvelopeStatus::Declined)
        {
            return EnvelopeStatus::Declined;
        }
        self.signers
            .iter()
            .filter(|s| s.status != EnvelopeStatus::Signed)
            .min_by_key(|s| progress(&s.status))
            .map_or(EnvelopeStatus::Signed, |s| s.status.clone())
    }

    pub fn is_final(&self) -> bool {
        self.status().is_final()
    }

    pub fn wire(&self) -> Invite {
        Invite {
            id: self.id.clone(),
            status: self.status(),
            external_id: self.external_id.clone(),
            signers: self
                .signers
                .iter()
                .map(|s| SignerStatus {
                    number: s.number,
                    email: s.email.clone(),
                    status: s.status.clone(),
                    updated_at: Some(s.updated_at.to_rfc3339()),
                })
                .collect(),
            created_at: self.created_at.to_rfc3339(),
        }
    }

    /// Sets a signer's status (not after the invite ended).
    pub fn set(&mut self, number: u32, status: EnvelopeStatus, now: DateTime<Utc>) -> bool {
        if self.is_final() {
            return false;
        }
        let Some(s) = self.signers.iter_mut().find(|s| s.number == number) else {
            return false;
        };
        s.status = status.clone();
        s.updated_at = now;
        let who = format!("{} <{}>", s.name, s.email);
        self.trail.push(Trail {
            at: now,
            what: format!(
                "{who}: {}",
                serde_json::to_value(&status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
        });
        if self.status() == EnvelopeStatus::Signed {
            self.trail.push(Trail {
                at: now,
                what: "Completed: every signer signed".into(),
            });
        }
        true
    }

    /// Ends the whole invite (cancelled or expired).
    pub fn close(&mut self, status: EnvelopeStatus, now: DateTime<Utc>) -> bool {
        if self.is_final() {
            return false;
        }
        self.trail.push(Trail {
            at: now,
            what: format!(
                "Invite {}",
                if status == EnvelopeStatus::Canceled {
                    "cancelled by the sender"
                } else {
                    "expired"
                }
            ),
        });
        self.closed = Some(status);
        true
    }
}

/// An invite, unless it is gone (never made, another account's, or past
/// its 45 days, when it is deleted as Hotsign does).
pub async fn load(
    s: &Shared,
    account: Option<&str>,
    id: &str,
) -> Result<(SimInvite, i64), Response> {
    let not_found = || error(StatusCode::NOT_FOUND, "not_found", "No such invite.");
    let row = db::find_invite(&s.db, id)
        .await
        .map_err(|_| internal())?
        .ok_or_else(not_found)?;
    if account.is_some_and(|a| a != row.account) {
        return Err(not_found());
    }
    let now = s.now().with_timezone(&Utc);
    if row.created_at + Duration::days(RETENTION_DAYS) <= now {
        let _ = db::delete_invites_before(&s.db, now - Duration::days(RETENTION_DAYS)).await;
        return Err(not_found());
    }
    let invite = serde_json::from_str(&row.invite).map_err(|_| internal())?;
    Ok((invite, row.version))
}

/// Changes an invite with `change` (read again and redone when someone
/// saved it meanwhile); tells the portal. False when `change` declined.
pub async fn change(
    s: &Shared,
    id: &str,
    change: impl Fn(&mut SimInvite, DateTime<Utc>) -> bool,
) -> Result<bool, Response> {
    for _ in 0..5 {
        let (mut invite, version) = load(s, None, id).await?;
        let now = s.now().with_timezone(&Utc);
        if !change(&mut invite, now) {
            return Ok(false);
        }
        let json = serde_json::to_string(&invite).map_err(|_| internal())?;
        if db::update_invite(&s.db, id, version, &json, Utc::now())
            .await
            .map_err(|_| internal())?
        {
            notify(s, &invite).await;
            return Ok(true);
        }
    }
    Err(error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "The invite is busy; try again.",
    ))
}

/// Queues the webhook that tells the portal the invite changed.
async fn notify(s: &Shared, invite: &SimInvite) {
    let Ok(url) = s.public_url.join(HOOK_PATH) else {
        return;
    };
    let event = WebhookEvent {
        invite_id: invite.id.clone(),
        status: Some(invite.status()),
    };
    let body = serde_json::to_string(&event).unwrap_or_default();
    let m = Outbound {
        url: url.as_str(),
        transaction_id: &invite.id,
        body: &body,
        header: "X-Hotsign-Event",
        signature: "invite.updated",
    };
    if let Err(e) = queue::enqueue(&s.db, &m, Utc::now()).await {
        tracing::warn!(error = %e, "hotsign sandbox webhook not queued");
    }
}

/// What makes a new invite invalid (the seed's 400), in one message.
fn invalid(body: &InviteCreate) -> Option<String> {
    if body.title.trim().is_empty() {
        return Some("title is missing".into());
    }
    let n = body.signers.len();
    if n == 0 || n > hotsign::MAX_SIGNERS as usize {
        return Some(format!(
            "an invite has 1 to {} signers; this one has {n}",
            hotsign::MAX_SIGNERS
        ));
    }
    for (i, s) in body.signers.iter().enumerate() {
        if s.number != i as u32 + 1 {
            return Some("signers are numbered 1, 2, … in order".into());
        }
        if !s.email.contains('@') || s.name.trim().is_empty() {
            return Some(format!(
                "signer {} needs a name and an email address",
                s.number
            ));
        }
    }
    let checked = hotsign::document::check(body.format, &body.content);
    if let Some(p) = checked.problems.first() {
        return Some(format!("line {}: {}", p.line, p.message));
    }
    if let Some(f) = checked.fields.iter().find(|f| f.signer as usize > n) {
        return Some(format!(
            "line {}: field \"{}\" is for signer {} but the invite has {n}",
            f.line, f.label, f.signer
        ));
    }
    None
}

/// POST `v1/invites`.
pub async fn create(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match account_of(&s, &headers).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    if body.len() > hotsign::MAX_CONTENT_BYTES + 64 * 1024 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the content is larger than 5 MB",
        );
    }
    let body: InviteCreate = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("the invite could not be read: {e}"),
            )
        }
    };
    if let Some(why) = invalid(&body) {
        return error(StatusCode::BAD_REQUEST, "invalid_request", &why);
    }
    match db::spend_credit(&s.db, &account, START_CREDITS).await {
        Ok(true) => {}
        Ok(false) => {
            return error(
                StatusCode::PAYMENT_REQUIRED,
                "out_of_credits",
                "You ran out of invite credits and need to buy more.",
            )
        }
        Err(_) => return internal(),
    }
    let now = s.now().with_timezone(&Utc);
    let mut invite = SimInvite {
        id: format!("inv_{}", uuid::Uuid::new_v4().simple()),
        title: body.title.clone(),
        format: body.format,
        html: hotsign::document::check(body.format, &body.content).preview,
        external_id: body.external_id.clone(),
        signers: body
            .signers
            .iter()
            .map(|x| SimSigner {
                number: x.number,
                name: x.name.clone(),
                email: x.email.clone(),
                status: EnvelopeStatus::Sent,
                updated_at: now,
                token: String::new(),
                values: Vec::new(),
            })
            .collect(),
        closed: None,
        created_at: now,
        trail: std::iter::once(Trail {
            at: now,
            what: format!(
                "Invite \"{}\" sent to {}",
                body.title,
                body.signers
                    .iter()
                    .map(|x| x.email.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect(),
    };
    for signer in &mut invite.signers {
        // The invite's id leads to it from the signing page.
        signer.token = format!("{}.{}", invite.id, app::ssr::provider::new_token());
    }
    let Ok(json) = serde_json::to_string(&invite) else {
        return internal();
    };
    if db::insert_invite(
        &s.db,
        &invite.id,
        &account,
        invite.external_id.as_deref(),
        &json,
        now,
    )
    .await
    .is_err()
    {
        return internal();
    }
    (StatusCode::CREATED, Json(invite.wire())).into_response()
}

/// GET `v1/invites/{id}`.
pub async fn get(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let account = match account_of(&s, &headers).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    match load(&s, Some(&account), &id).await {
        Ok((invite, _)) => Json(invite.wire()).into_response(),
        Err(res) => res,
    }
}

/// POST `v1/invites/{id}/cancel`: 204; cancelling a cancelled invite is
/// fine, one that has ended otherwise is refused (400).
pub async fn cancel(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let account = match account_of(&s, &headers).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    let invite = match load(&s, Some(&account), &id).await {
        Ok((i, _)) => i,
        Err(res) => return res,
    };
    match invite.status() {
        EnvelopeStatus::Canceled => return StatusCode::NO_CONTENT.into_response(),
        s if s.is_final() => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the invite has already ended",
            )
        }
        _ => {}
    }
    match change(&s, &id, |i, now| i.close(EnvelopeStatus::Canceled, now)).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(res) => res,
    }
}

/// The visible text of the sanitised content, line by line.
fn text_lines(html: &str) -> Vec<String> {
    let spaced = html
        .replace("</p>", "\n")
        .replace("<br>", "\n")
        .replace("</li>", "\n")
        .replace("</h2>", "\n");
    let mut out = String::new();
    let mut in_tag = false;
    for c in spaced.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.lines()
        .map(|l| {
            l.trim()
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn pdf_response(bytes: lopdf::Result<Vec<u8>>) -> Response {
    match bytes {
        Ok(b) => ([(header::CONTENT_TYPE, "application/pdf")], b).into_response(),
        Err(_) => internal(),
    }
}

/// The completed document: the content's text, what each signer entered
/// and their signature.
pub fn completed_pdf(invite: &SimInvite) -> lopdf::Result<Vec<u8>> {
    let mut lines = vec![(invite.title.clone(), 16)];
    lines.extend(
        text_lines(&invite.html)
            .into_iter()
            .take(30)
            .map(|l| (l, 10)),
    );
    for s in &invite.signers {
        for (label, value) in &s.values {
            lines.push((format!("{label}: {value}"), 10));
        }
        lines.push((
            format!(
                "Signed by {} <{}> on {}",
                s.name,
                s.email,
                s.updated_at.format("%Y-%m-%d %H:%M UTC")
            ),
            11,
        ));
    }
    lines.push((format!("Hotsign sandbox invite {}", invite.id), 8));
    pdf::text_document(&lines)
}

/// The audit trail: every step of the invite, in order.
pub fn audit_pdf(invite: &SimInvite) -> lopdf::Result<Vec<u8>> {
    let mut lines = vec![(format!("Audit trail: {}", invite.title), 16)];
    lines.extend(invite.trail.iter().take(50).map(|t| {
        (
            format!("{}  {}", t.at.format("%Y-%m-%d %H:%M:%S UTC"), t.what),
            9,
        )
    }));
    lines.push((format!("Hotsign sandbox invite {}", invite.id), 8));
    pdf::text_document(&lines)
}

async fn completed(s: &Shared, headers: &HeaderMap, id: &str) -> Result<SimInvite, Response> {
    let account = account_of(s, headers).await?;
    let (invite, _) = load(s, Some(&account), id).await?;
    if invite.status() != EnvelopeStatus::Signed {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the invite is not completed",
        ));
    }
    Ok(invite)
}

/// GET `v1/invites/{id}/document`.
pub async fn document(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match completed(&s, &headers, &id).await {
        Ok(i) => pdf_response(completed_pdf(&i)),
        Err(res) => res,
    }
}

/// GET `v1/invites/{id}/audit`.
pub async fn audit(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match completed(&s, &headers, &id).await {
        Ok(i) => pdf_response(audit_pdf(&i)),
        Err(res) => res,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(statuses: &[EnvelopeStatus]) -> SimInvite {
        let now = Utc::now();
        SimInvite {
            id: "inv_1".into(),
            title: "Lease".into(),
            format: Format::Markdown,
            html: "<p>Hello</p>".into(),
            external_id: None,
            signers: statuses
                .iter()
                .enumerate()
                .map(|(i, st)| SimSigner {
                    number: i as u32 + 1,
                    name: format!("S{i}"),
                    email: format!("s{i}@example.com"),
                    status: st.clone(),
                    updated_at: now,
                    token: format!("t{i}"),
                    values: Vec::new(),
                })
                .collect(),
            closed: None,
            created_at: now,
            trail: Vec::new(),
        }
    }

    #[test]
    fn the_invite_follows_the_signer_furthest_behind_until_all_signed() {
        use EnvelopeStatus::*;
        assert_eq!(invite(&[Signed, Opened]).status(), Opened);
        assert_eq!(invite(&[Viewed, Bounced]).status(), Bounced);
        assert_eq!(invite(&[Signed, Signed]).status(), Signed);
        assert_eq!(invite(&[Signed, Declined]).status(), Declined);
        let mut i = invite(&[Sent, Sent]);
        assert!(i.close(Canceled, Utc::now()));
        assert_eq!(i.status(), Canceled);
        assert!(
            !i.set(1, Signed, Utc::now()),
            "nothing changes after the end"
        );
    }

    #[test]
    fn the_completed_pdf_and_the_trail_are_pdfs_with_the_text() {
        let mut i = invite(&[EnvelopeStatus::Sent]);
        i.set(1, EnvelopeStatus::Signed, Utc::now());
        assert!(completed_pdf(&i).unwrap().starts_with(b"%PDF"));
        assert!(audit_pdf(&i).unwrap().starts_with(b"%PDF"));
        assert_eq!(
            text_lines("<h2>Lease</h2><p>Rent &amp; costs<br>monthly</p>"),
            ["Lease", "Rent & costs", "monthly"]
        );
    }
}
