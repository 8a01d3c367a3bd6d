//! Who is signed in: sign-in, sign-out and the checks every staff page and
//! server function makes on the server.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::error::AppError;
use crate::model::{CurrentUser, Email};
use crate::ssr::db::{users, Db};
use crate::ssr::state::AppState;
use crate::ssr::web::internal;
use crate::ssr::{password, throttle};

const USER_KEY: &str = "user";

/// What the session remembers: the user and the epoch of their credentials,
/// so that a password reset or disabling ends every other session.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct SessionUser {
    id: i64,
    epoch: i64,
}

pub const WRONG_CREDENTIALS: &str = "The email address or password is not right.";

/// The user of `session`, if it belongs to an enabled account whose
/// credentials have not changed since sign-in.
pub async fn session_user(session: &Session, db: &Db) -> Result<Option<users::UserRow>, AppError> {
    let Some(stored) = session
        .get::<SessionUser>(USER_KEY)
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let user = users::find_by_id(db, stored.id).await.map_err(internal)?;
    Ok(user.filter(|u| !u.disabled && u.session_epoch == stored.epoch))
}

/// Checks the credentials, then cycles the session id and stores the user.
/// Wrong passwords and unknown emails get the same answer.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    email: &str,
    password_input: &str,
    address: &str,
) -> Result<CurrentUser, AppError> {
    let now = Utc::now();
    let account = Email::parse(email)
        .map(|e| e.to_string())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    throttle::check(&state.db, &state.throttle, &account, address, now).await?;

    let user = users::find_by_email(&state.db, &account)
        .await
        .map_err(internal)?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    if !password::verify(password_input.to_string(), hash).await {
        throttle::record_failure(&state.db, &state.throttle, &account, address, now)
            .await
            .map_err(internal)?;
        tracing::info!(%address, "failed sign-in");
        return Err(wrong_credentials(email));
    }
    let user = user.expect("verified users exist");
    if user.disabled {
        return Err(AppError::field(
            "email",
            "This account is disabled. Ask an admin to enable it.",
        ));
    }
    throttle::record_success(&state.db, &account)
        .await
        .map_err(internal)?;
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(
            USER_KEY,
            SessionUser {
                id: user.id,
                epoch: user.session_epoch,
            },
        )
        .await
        .map_err(internal)?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(user.to_current())
}

fn wrong_credentials(email: &str) -> AppError {
    let mut fields = crate::error::FieldErrors::new().keep("email", email);
    fields.add("password", WRONG_CREDENTIALS);
    AppError::Validation(fields)
}

/// Ends the session and forgets its id.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}

/// Inside a server function: the state and the session of this request.
pub async fn context() -> Result<(AppState, Session), AppError> {
    let state = leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| internal("AppState missing from context"))?;
    let session = leptos_axum::extract::<Session>().await.map_err(internal)?;
    Ok((state, session))
}

/// Inside a server function: the signed-in user, or `Unauthorized`.
pub async fn require_user() -> Result<(AppState, users::UserRow), AppError> {
    let (state, session) = context().await?;
    match session_user(&session, &state.db).await? {
        Some(user) => Ok((state, user)),
        None => Err(AppError::Unauthorized),
    }
}

/// Inside a server function: a signed-in admin, else `Unauthorized` / `Forbidden`.
pub async fn require_admin() -> Result<(AppState, users::UserRow), AppError> {
    let (state, user) = require_user().await?;
    if user.role() != crate::model::Role::Admin {
        return Err(AppError::Forbidden);
    }
    Ok((state, user))
}

/// The client's network address (see `web::ClientIp`).
pub async fn client_address() -> String {
    use axum::Extension;
    leptos_axum::extract::<Extension<crate::ssr::web::ClientIp>>()
        .await
        .map(|Extension(ip)| ip.0.to_string())
        .unwrap_or_else(|_| "unknown".to_string())
}
