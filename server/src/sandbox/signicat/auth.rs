//! The token endpoint (`POST oauth/connect/token`, client credentials by
//! HTTP Basic or as form fields, as the seed and the SDKs send them) and
//! the bearer check of every API call. Tokens are signed JWTs, so any
//! portal instance can check one without shared memory.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::store::Fault;
use crate::sandbox::{Sandbox, Shared};

/// The scopes of the documents and notification APIs (S2 `OAuthScope.cs`).
pub const SCOPES: [&str; 4] = ["document_read", "document_write", "document_file", "event"];

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    scope: String,
    iat: i64,
    exp: i64,
    jti: String,
}

const ISSUER: &str = "signicat-sandbox";

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `client_id:client_secret` from an HTTP Basic header.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// `POST /sandbox/signicat/oauth/connect/token`.
pub async fn token(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type=client_credentials is supported",
        );
    }
    let given =
        basic(&headers).or_else(|| Some((form.client_id.clone()?, form.client_secret.clone()?)));
    let Some((id, secret)) = given else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "no client credentials",
        );
    };
    let keys = &s.signicat;
    if !(same(&id, &keys.client_id) & same(&secret, &keys.client_secret)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let asked: Vec<&str> = form
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if let Some(bad) = asked.iter().find(|a| !SCOPES.contains(a)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("the client is not allowed scope {bad}"),
        );
    }
    let scope = if asked.is_empty() {
        SCOPES.join(" ")
    } else {
        asked.join(" ")
    };
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        iss: ISSUER.into(),
        sub: id,
        scope: scope.clone(),
        iat: now,
        exp: now + s.signicat_token_seconds,
        jti: uuid::Uuid::new_v4().simple().to_string(),
    };
    let Ok(jwt) = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(keys.signing_key.as_bytes()),
    ) else {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "could not issue a token",
        );
    };
    Json(json!({
        "access_token": jwt,
        "expires_in": s.signicat_token_seconds,
        "token_type": "Bearer",
        "scope": scope,
    }))
    .into_response()
}

/// Checks the bearer token of an API call and that it carries `scope`:
/// 401 when it is missing, wrong or expired, 403 when the scope is lacking.
pub fn require(s: &Sandbox, headers: &HeaderMap, scope: &str) -> Result<(), Fault> {
    let unauthorized = |why: &str| Fault::new(401, "Unauthorized", why);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("A bearer token is required."))?;
    let mut rules = Validation::new(Algorithm::HS256);
    rules.leeway = 0;
    rules.set_issuer(&[ISSUER]);
    let claims = decode::<Claims>(
        token.trim(),
        &DecodingKey::from_secret(s.signicat.signing_key.as_bytes()),
        &rules,
    )
    .map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
            unauthorized("The access token has expired.")
        }
        _ => unauthorized("The access token is not valid."),
    })?
    .claims;
    if claims.scope.split_whitespace().any(|s| s == scope) {
        Ok(())
    } else {
        Err(Fault::new(
            403,
            "Forbidden",
            &format!("The access token lacks the scope {scope}."),
        ))
    }
}

/// A signed JWT of `payload`, as the return redirect's `idfy-jwt` carries.
pub fn return_jwt(s: &Sandbox, payload: serde_json::Value) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"iss": ISSUER, "iat": now, "exp": now + 3600, "payload": payload});
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(s.signicat.signing_key.as_bytes()),
    )
    .unwrap_or_default()
}

/// What `POST signature/jwt/validate` answers for a return JWT.
pub fn validate_return_jwt(s: &Sandbox, jwt: &str) -> serde_json::Value {
    let mut rules = Validation::new(Algorithm::HS256);
    rules.set_issuer(&[ISSUER]);
    match decode::<serde_json::Value>(
        jwt,
        &DecodingKey::from_secret(s.signicat.signing_key.as_bytes()),
        &rules,
    ) {
        Ok(data) => json!({
            "valid": true,
            "expires": data.claims.get("exp").and_then(|e| e.as_i64())
                .and_then(|e| chrono::DateTime::from_timestamp(e, 0)).map(|t| t.to_rfc3339()),
            "payload": data.claims.get("payload").cloned().unwrap_or_default(),
        }),
        Err(_) => json!({"valid": false}),
    }
}
