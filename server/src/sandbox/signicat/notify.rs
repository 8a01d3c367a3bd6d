//! The notification API: webhooks (`{name, active, events[], config{url,
//! secret}}`, S2 `Entities/Webhook*.cs`), each change delivered signed with
//! `X-Idfy-Signature` through the simulators' retrying outbound queue, a
//! `ping` on creation; and the event pull API (`events`, `peek`, `types`,
//! `handle`). Webhooks may only point at this portal.

use app::ssr::db::sandbox as settings;
use app::ssr::db::sandbox_postbacks as queue;
use app::ssr::db::sandbox_signicat as db;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::auth::require;
use super::store::{internal, Fault};
use crate::sandbox::{Sandbox, Shared};

const KEY: &str = "signicat.webhooks";

/// The event types (S3 `notification/events/README.md`).
pub const TYPES: [&str; 13] = [
    "document_created",
    "document_link_opened",
    "document_email_opened",
    "document_read",
    "document_partially_signed",
    "document_signed",
    "document_packaged",
    "document_canceled",
    "document_expired",
    "document_before_deleted",
    "document_deleted",
    "document_form_partially_signed",
    "document_form_signed",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConfig {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_logging: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub events: Vec<String>,
    pub config: WebhookConfig,
    #[serde(default)]
    pub tags: Vec<String>,
}

fn yes() -> bool {
    true
}

/// The portal's own webhook, there from the first start.
pub fn portal_webhook(s: &Sandbox) -> Webhook {
    Webhook {
        id: 1,
        name: "portal".into(),
        active: true,
        events: vec!["*".into()],
        config: WebhookConfig {
            url: s
                .public_url
                .join("hooks/signicat")
                .map(|u| u.to_string())
                .unwrap_or_default(),
            secret: Some(s.signicat.webhook_secret.clone()),
            delivery_logging: Some("failed".into()),
        },
        tags: Vec::new(),
    }
}

/// Registers the portal's webhook on the first start (kept afterwards).
pub async fn install(s: &Sandbox) -> Result<(), sqlx::Error> {
    let list = serde_json::to_string(&vec![portal_webhook(s)]).unwrap_or_default();
    settings::insert_setting_if_absent(&s.db, KEY, &list).await
}

async fn list(s: &Sandbox) -> Result<Vec<Webhook>, sqlx::Error> {
    Ok(settings::get_setting(&s.db, KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

async fn find(s: &Sandbox, id: i64) -> Result<Webhook, Fault> {
    list(s)
        .await
        .map_err(internal)?
        .into_iter()
        .find(|h| h.id == id)
        .ok_or_else(|| Fault::not_found("Webhook"))
}

async fn store(s: &Sandbox, hooks: &[Webhook]) -> Result<(), sqlx::Error> {
    settings::set_setting(
        &s.db,
        KEY,
        &serde_json::to_string(hooks).unwrap_or_default(),
    )
    .await
}

fn queue_for(hook: &Webhook, transaction: &str, body: &str) -> (String, String) {
    let secret = hook.config.secret.clone().unwrap_or_default();
    (
        signicat::webhook::sign(body.as_bytes(), &secret),
        transaction.to_string(),
    )
}

/// Queues `body` (an event of `kind`) for every active webhook that wants it.
pub async fn deliver(
    s: &Sandbox,
    document_id: &str,
    kind: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    for hook in list(s).await? {
        let wanted = hook.events.iter().any(|e| e == "*" || e == kind);
        if !hook.active || !wanted {
            continue;
        }
        let (signature, transaction) = queue_for(&hook, document_id, body);
        let message = queue::Outbound {
            url: &hook.config.url,
            transaction_id: &transaction,
            body,
            header: "X-Idfy-Signature",
            signature: &signature,
        };
        queue::enqueue(&s.db, &message, Utc::now()).await?;
    }
    Ok(())
}

async fn send_ping(s: &Sandbox, hook: &Webhook) -> Result<(), sqlx::Error> {
    let body = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "timestamp": s.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "accountId": super::guess::ACCOUNT_ID,
        "type": "ping",
        "payload": {"webhookId": hook.id},
        "tags": hook.tags,
    })
    .to_string();
    let (signature, _) = queue_for(hook, "ping", &body);
    let message = queue::Outbound {
        url: &hook.config.url,
        transaction_id: "ping",
        body: &body,
        header: "X-Idfy-Signature",
        signature: &signature,
    };
    queue::enqueue(&s.db, &message, Utc::now()).await
}

/// A webhook without its secret, as the API shows it.
fn shown(hook: &Webhook) -> Value {
    let mut h = hook.clone();
    h.config.secret = None;
    serde_json::to_value(h).unwrap_or_default()
}

pub async fn webhooks(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    let hooks = list(&s).await.map_err(internal)?;
    Ok(Json(hooks.iter().map(shown).collect::<Vec<_>>()).into_response())
}

pub async fn webhook(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    Ok(Json(shown(&find(&s, id).await?)).into_response())
}

pub async fn add_webhook(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(mut hook): Json<Webhook>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    let own = s.public_url.as_str();
    if !hook.config.url.starts_with(own) {
        return Err(Fault::field(
            "config.url",
            &format!("The sandbox delivers only to this portal ({own})."),
        ));
    }
    if hook.events.is_empty() {
        return Err(Fault::field(
            "events",
            "Name at least one event type, or *.",
        ));
    }
    if let Some(bad) = hook
        .events
        .iter()
        .find(|e| *e != "*" && !TYPES.contains(&e.as_str()))
    {
        return Err(Fault::field(
            "events",
            &format!("Unknown event type {bad}."),
        ));
    }
    let mut hooks = list(&s).await.map_err(internal)?;
    hook.id = hooks.iter().map(|h| h.id).max().unwrap_or(0) + 1;
    hooks.push(hook.clone());
    store(&s, &hooks).await.map_err(internal)?;
    send_ping(&s, &hook).await.map_err(internal)?;
    Ok((StatusCode::CREATED, Json(shown(&hook))).into_response())
}

pub async fn delete_webhook(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    let mut hooks = list(&s).await.map_err(internal)?;
    let before = hooks.len();
    hooks.retain(|h| h.id != id);
    if hooks.len() == before {
        return Err(Fault::not_found("Webhook"));
    }
    store(&s, &hooks).await.map_err(internal)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn ping(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    send_ping(&s, &find(&s, id).await?)
        .await
        .map_err(internal)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventQuery {
    event_type: Option<String>,
}

async fn unhandled(s: &Sandbox, kind: Option<&str>, limit: i64) -> Result<Vec<Value>, Fault> {
    let rows = db::unhandled_events(&s.db, kind, limit)
        .await
        .map_err(internal)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| serde_json::from_str(&r.body).ok())
        .collect())
}

/// `GET notification/events`: events not handled yet, oldest first.
pub async fn events(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<EventQuery>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    Ok(Json(unhandled(&s, q.event_type.as_deref(), 100).await?).into_response())
}

/// `GET notification/events/peek`: the oldest unhandled event, if any.
pub async fn peek(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<EventQuery>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    match unhandled(&s, q.event_type.as_deref(), 1)
        .await?
        .into_iter()
        .next()
    {
        Some(e) => Ok(Json(e).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

pub async fn types(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    Ok(Json(TYPES).into_response())
}

pub async fn handle_one(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    if db::handle_event(&s.db, &id).await.map_err(internal)? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(Fault::not_found("Event"))
    }
}

pub async fn handle_many(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(ids): Json<Vec<String>>,
) -> Result<Response, Fault> {
    require(&s, &headers, "event")?;
    for id in &ids {
        db::handle_event(&s.db, id).await.map_err(internal)?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
