//! The simulator's OAuth endpoints (paths: `hotsign::contract`, inferred;
//! lifetimes: `hotsign::oauth`, from the seed).

use std::collections::HashMap;

use app::ssr::db::sandbox_hotsign::{self as grants, GrantRow};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{Duration, Utc};
use hotsign::oauth::{CODE_SECONDS, REFRESH_SECONDS, TOKEN_SECONDS};
use serde_json::json;

use super::ACCOUNT;
use crate::panic::escape;
use crate::sandbox::common::page::shell;
use crate::sandbox::Shared;

type Params = HashMap<String, String>;

fn param<'a>(p: &'a Params, name: &str) -> &'a str {
    p.get(name).map(String::as_str).unwrap_or_default()
}

/// The inferred error body, with the seed's code.
fn error(status: StatusCode, error: &str, message: &str) -> Response {
    (status, Json(json!({"error": error, "message": message}))).into_response()
}

fn fresh(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// The redirect must go back to the portal that runs the simulator.
fn allowed_redirect(s: &Shared, uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| u.origin() == s.public_url.origin())
}

fn bad_request(s: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        shell(
            "Hotsign",
            "Not allowed",
            &format!("<h1>Not allowed</h1><p>{}</p>", escape(s)),
        ),
    )
        .into_response()
}

/// GET `oauth/authorize`: asks the admin to allow the portal.
pub async fn authorize_page(State(s): State<Shared>, Query(p): Query<Params>) -> Response {
    if param(&p, "response_type") != "code" {
        return bad_request("response_type must be code.");
    }
    if param(&p, "client_id") != s.hotsign.client_id {
        return bad_request("This app is not registered (unknown client_id).");
    }
    let redirect = param(&p, "redirect_uri");
    if !allowed_redirect(&s, redirect) {
        return bad_request("The redirect_uri is not one of the app's callback URLs.");
    }
    let hidden = |name: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(param(&p, name))
        )
    };
    shell(
        "Hotsign",
        "Allow access",
        &format!(
            "<h1>Allow the signing portal to use your Hotsign account?</h1>\
             <p>It will send invites and read their status as <strong>{}</strong>. \
             Codes from this page work for {CODE_SECONDS} seconds.</p>\
             <form method=\"post\" class=\"inline-form\">{}{}{}\
             <button class=\"button\" name=\"decision\" value=\"allow\">Allow</button> \
             <button class=\"button button-quiet\" name=\"decision\" value=\"deny\">Deny</button></form>",
            escape(ACCOUNT),
            hidden("client_id"),
            hidden("redirect_uri"),
            hidden("state")
        ),
    )
    .into_response()
}

/// POST `oauth/authorize`: back to the app with a code, or with `access_denied`.
pub async fn decide(State(s): State<Shared>, Form(p): Form<Params>) -> Response {
    let redirect = param(&p, "redirect_uri");
    if param(&p, "client_id") != s.hotsign.client_id || !allowed_redirect(&s, redirect) {
        return bad_request("This app or callback URL is not registered.");
    }
    let Ok(mut back) = url::Url::parse(redirect) else {
        return bad_request("The redirect_uri is not a URL.");
    };
    if param(&p, "decision") != "allow" {
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", param(&p, "state"));
        return Redirect::to(back.as_str()).into_response();
    }
    let now = s.now().with_timezone(&Utc);
    let code = GrantRow {
        token: fresh("code"),
        kind: "code".into(),
        account: ACCOUNT.into(),
        redirect_uri: redirect.into(),
        created_at: now,
        expires_at: now + Duration::seconds(CODE_SECONDS),
        used_at: None,
    };
    if let Err(e) = grants::insert(&s.db, &code).await {
        tracing::warn!(error = %e, "hotsign sandbox: code not stored");
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "try again",
        );
    }
    back.query_pairs_mut()
        .append_pair("code", &code.token)
        .append_pair("state", param(&p, "state"));
    Redirect::to(back.as_str()).into_response()
}

/// A new access and refresh token for the account.
async fn issue(s: &Shared, account: &str) -> Response {
    let now = s.now().with_timezone(&Utc);
    let grant = |kind: &str, seconds: i64| GrantRow {
        token: fresh(if kind == "access" { "at" } else { "rt" }),
        kind: kind.into(),
        account: account.into(),
        redirect_uri: String::new(),
        created_at: now,
        expires_at: now + Duration::seconds(seconds),
        used_at: None,
    };
    let access = grant("access", TOKEN_SECONDS);
    let refresh = grant("refresh", REFRESH_SECONDS);
    for g in [&access, &refresh] {
        if let Err(e) = grants::insert(&s.db, g).await {
            tracing::warn!(error = %e, "hotsign sandbox: token not stored");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again",
            );
        }
    }
    Json(json!({
        "access_token": access.token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS,
        "refresh_token": refresh.token, "refresh_expires_in": REFRESH_SECONDS,
    }))
    .into_response()
}

/// POST `oauth/token`: a code (once, within 15 s) or a refresh token (once, within 24 h).
pub async fn token(State(s): State<Shared>, Form(p): Form<Params>) -> Response {
    if param(&p, "client_id") != s.hotsign.client_id
        || param(&p, "client_secret") != s.hotsign.client_secret
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The client_id or client_secret is not valid.",
        );
    }
    let now = s.now().with_timezone(&Utc);
    let (kind, given) = match param(&p, "grant_type") {
        "authorization_code" => ("code", param(&p, "code")),
        "refresh_token" => ("refresh", param(&p, "refresh_token")),
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type {other:?} is not supported"),
            )
        }
    };
    let used = match grants::use_once(&s.db, given, kind, now).await {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "hotsign sandbox: grant lookup failed");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again",
            );
        }
    };
    let what = if kind == "code" {
        "authorization code"
    } else {
        "refresh token"
    };
    let Some(g) = used else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            &format!("The {what} is unknown or was already used."),
        );
    };
    if g.expires_at <= now {
        let lifetime = if kind == "code" {
            format!("{CODE_SECONDS} seconds")
        } else {
            "24 hours".into()
        };
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            &format!("The {what} expired (it lives {lifetime})."),
        );
    }
    if kind == "code" && g.redirect_uri != param(&p, "redirect_uri") {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "The redirect_uri differs from the one the code was issued for.",
        );
    }
    issue(&s, &g.account).await
}

/// POST `oauth/revoke`: the token no longer works (an unknown one is fine).
pub async fn revoke(State(s): State<Shared>, Form(p): Form<Params>) -> Response {
    let now = s.now().with_timezone(&Utc);
    for kind in ["access", "refresh"] {
        let _ = grants::use_once(&s.db, param(&p, "token"), kind, now).await;
    }
    StatusCode::OK.into_response()
}

/// The valid access token of a request, or the seed's 401.
pub async fn account_of(s: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let unauthorized = |m: &str| error(StatusCode::UNAUTHORIZED, "invalid_token", m);
    match grants::find(&s.db, given).await {
        Ok(Some(g)) if g.kind == "access" && g.used_at.is_none() => {
            if g.expires_at <= s.now().with_timezone(&Utc) {
                Err(unauthorized("The token expired (tokens live 1 hour)."))
            } else {
                Ok(g.account)
            }
        }
        Ok(_) => Err(unauthorized("The token is not valid.")),
        Err(_) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "try again",
        )),
    }
}

/// GET `v1/me`.
pub async fn me(State(s): State<Shared>, headers: HeaderMap) -> Response {
    match account_of(&s, &headers).await {
        Ok(account) => {
            Json(json!({"email": account, "name": "Sandbox office", "credits": 10})).into_response()
        }
        Err(res) => res,
    }
}
