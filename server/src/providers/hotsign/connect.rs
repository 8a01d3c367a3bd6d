//! Connecting the portal to a Hotsign account (admins only): "Connect
//! Hotsign" sends the browser to Hotsign's authorize page with a random
//! `state` kept in the admin's session; the callback takes that state out
//! of the session (so an answer is accepted once, and only in the session
//! that asked), exchanges the code at once (it lives 15 seconds), and keeps
//! the tokens sealed.

use std::collections::HashMap;

use app::model::service::ProviderKind;
use app::model::Role;
use app::ssr::db::hotsign::{self as connection, ConnectionRow};
use app::ssr::db::jobs;
use app::ssr::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, Utc};
use tower_sessions::Session;

use super::seal::TokenKey;
use super::tokens::Tokens;
use crate::panic::escape;
use crate::routes::At;

/// Where the admin's session keeps the pending `state`.
const STATE_KEY: &str = "hotsign.oauth_state";

#[derive(Clone)]
pub struct Connect {
    pub app: AppState,
    pub client: hotsign::oauth::Client,
    pub key: TokenKey,
}

pub fn routes(c: Connect) -> Router {
    Router::new()
        .at("/hotsign/connect", get(connect))
        .at("/hotsign/callback", get(callback))
        .at("/hotsign/disconnect", post(disconnect))
        .with_state(c)
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{t} · Hotsign</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head>\
             <body><main class=\"center-page\"><div class=\"card narrow\"><h1>{t}</h1><p>{}</p>\
             <p><a href=\"/staff\">Back to the Staff page</a></p></div></main></body></html>",
            escape(text),
            t = escape(title)
        )),
    )
        .into_response()
}

/// The signed-in admin's id, or the page that says why not.
async fn admin(c: &Connect, session: &Session) -> Result<i64, Response> {
    match app::ssr::auth::session_user(session, &c.app).await {
        Ok(Some(u)) if u.role() == Role::Admin => Ok(u.id),
        Ok(Some(_)) => Err(page(
            StatusCode::FORBIDDEN,
            "Admins only",
            "Only an admin can connect the portal to Hotsign.",
        )),
        Ok(None) => Err(Redirect::to("/sign-in?next=%2Fhotsign%2Fconnect").into_response()),
        Err(_) => Err(page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not now",
            "The portal could not check who you are. Try again in a minute.",
        )),
    }
}

async fn connect(State(c): State<Connect>, session: Session) -> Response {
    if let Err(res) = admin(&c, &session).await {
        return res;
    }
    let state = app::ssr::provider::new_token();
    if session.insert(STATE_KEY, &state).await.is_err() {
        return page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not now",
            "The portal could not start the connection. Try again in a minute.",
        );
    }
    match c.client.authorize_url(&state) {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(e) => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not connected",
            &e.to_string(),
        ),
    }
}

async fn callback(
    State(c): State<Connect>,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let admin_id = match admin(&c, &session).await {
        Ok(id) => id,
        Err(res) => return res,
    };
    // Taken out at once: the same answer never connects twice.
    let expected: Option<String> = session.remove(STATE_KEY).await.ok().flatten();
    let given = q.get("state");
    if expected.is_none() || given != expected.as_ref() {
        tracing::warn!("hotsign callback with a wrong or reused state refused");
        return page(
            StatusCode::BAD_REQUEST,
            "Not connected",
            "This answer from Hotsign does not belong to a connection started here (its state is wrong or was already used). Start again with “Connect Hotsign”.",
        );
    }
    if q.contains_key("error") {
        return page(
            StatusCode::OK,
            "Not connected",
            "Hotsign was not connected: access was not allowed on Hotsign's page.",
        );
    }
    let Some(code) = q.get("code") else {
        return page(
            StatusCode::BAD_REQUEST,
            "Not connected",
            "Hotsign sent no code.",
        );
    };
    let asked = Utc::now();
    let tokens = match c.client.exchange(code).await {
        Ok(t) => t,
        Err(e) => {
            return page(
                StatusCode::BAD_GATEWAY,
                "Not connected",
                &format!("Hotsign did not accept the code ({e}). Its codes work for 15 seconds: start again with “Connect Hotsign”."),
            )
        }
    };
    let account = match c.client.me(&tokens.access_token).await {
        Ok(a) => a,
        Err(e) => return page(StatusCode::BAD_GATEWAY, "Not connected", &e.to_string()),
    };
    let refresh_seconds = tokens
        .refresh_expires_in
        .unwrap_or(hotsign::oauth::REFRESH_SECONDS);
    let row = ConnectionRow {
        account: account.email.clone(),
        access_sealed: c.key.seal("access", &tokens.access_token),
        refresh_sealed: c.key.seal("refresh", &tokens.refresh_token),
        access_expires_at: asked + Duration::seconds(tokens.expires_in),
        refresh_expires_at: asked + Duration::seconds(refresh_seconds),
        connected_by: Some(admin_id),
        connected_at: Utc::now(),
    };
    if let Err(e) = connection::save(&c.app.db, &row).await {
        tracing::error!(error = %e, "hotsign connection not saved");
        return page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not connected",
            "The portal could not keep the connection. Try again in a minute.",
        );
    }
    tracing::info!(account = %row.account, "hotsign connected");
    let service = ProviderKind::Hotsign.as_str();
    let resumed = jobs::resume(&c.app.db, service, Utc::now())
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "paused hotsign jobs not resumed; they run at the next reconnect");
            0
        });
    if resumed > 0 {
        tracing::info!(jobs = resumed, "paused hotsign jobs resumed");
        c.app.wake_workers();
    }
    let waiting = match resumed {
        0 => String::new(),
        1 => " One request that waited for the connection goes on now.".into(),
        n => format!(" {n} requests that waited for the connection go on now."),
    };
    page(
        StatusCode::OK,
        "Hotsign connected",
        &format!(
            "Connected as {}; the refresh is valid until {} (UTC) and is renewed with use.{waiting}",
            row.account,
            row.refresh_expires_at.format("%Y-%m-%d %H:%M")
        ),
    )
}

/// Revokes the tokens at Hotsign (what can be revoked) and forgets them.
async fn disconnect(State(c): State<Connect>, session: Session) -> Response {
    let admin_id = match admin(&c, &session).await {
        Ok(id) => id,
        Err(res) => return res,
    };
    let tokens = Tokens {
        db: c.app.db.clone(),
        client: c.client.clone(),
        key: c.key.clone(),
    };
    match tokens.disconnect().await {
        Ok(unrevoked) if unrevoked.is_empty() => {
            tracing::info!(admin = admin_id, "hotsign disconnected by an admin");
            page(
                StatusCode::OK,
                "Hotsign disconnected",
                "The portal's access was revoked at Hotsign and its tokens were deleted. Requests already sent with Hotsign wait until an admin connects again.",
            )
        }
        Ok(unrevoked) => page(
            StatusCode::OK,
            "Hotsign disconnected",
            &format!(
                "The tokens were deleted here, but Hotsign did not confirm revoking {}. Remove the portal's access on Hotsign's own pages too.",
                unrevoked.join("; ")
            ),
        ),
        Err(e) => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not disconnected",
            &format!("The portal could not disconnect Hotsign ({e}). Try again in a minute."),
        ),
    }
}
