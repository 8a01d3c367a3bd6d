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
    /// When the user signed in (the absolute lifetime counts from here).
    #[serde(default)]
    signed_in_at: i64,
    /// The last request seen (the idle timeout counts from here).
    #[serde(default)]
    seen_at: i64,
}

/// How long a staff session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRules {
    /// Ended after this long without a request.
    pub idle: chrono::Duration,
    /// Ended this long after sign-in, however active.
    pub absolute: chrono::Duration,
}

impl Default for SessionRules {
    fn default() -> Self {
        Self {
            idle: chrono::Duration::hours(2),
            absolute: chrono::Duration::hours(12),
        }
    }
}

/// Whether a session signed in at `signed_in_at` and last seen at `seen_at`
/// (Unix seconds) is still valid at `now`.
pub fn session_alive(rules: &SessionRules, signed_in_at: i64, seen_at: i64, now: i64) -> bool {
    now - signed_in_at < rules.absolute.num_seconds() && now - seen_at < rules.idle.num_seconds()
}

pub const WRONG_CREDENTIALS: &str = "The email address or password is not right.";

/// The user of `session`, if it belongs to an enabled account whose
/// credentials have not changed since sign-in.
pub async fn session_user(
    session: &Session,
    state: &AppState,
) -> Result<Option<users::UserRow>, AppError> {
    // Rendering a page or answering a server function: the sign-in guard
    // has already looked this request's user up.
    if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() {
        if let Some(SeenUser(user)) = parts.extensions.get::<SeenUser>() {
            return Ok(Some(user.clone()));
        }
    }
    session_user_within(session, &state.db, &state.sessions).await
}

/// The user the sign-in guard found for this request, kept in its
/// extensions so the page or server function it reaches does not ask the
/// session store and the users table a second time.
#[derive(Debug, Clone)]
pub struct SeenUser(pub users::UserRow);

/// `session_user` under `rules`: a session past its idle timeout or its
/// absolute lifetime is ended here. Activity moves the idle clock (written
/// at most once a minute).
pub async fn session_user_within(
    session: &Session,
    db: &Db,
    rules: &SessionRules,
) -> Result<Option<users::UserRow>, AppError> {
    let Some(mut stored) = session
        .get::<SessionUser>(USER_KEY)
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let now = Utc::now().timestamp();
    if !session_alive(rules, stored.signed_in_at, stored.seen_at, now) {
        session.flush().await.map_err(internal)?;
        return Ok(None);
    }
    let user = users::find_by_id(db, stored.id).await.map_err(internal)?;
    let user = user.filter(|u| !u.disabled && u.session_epoch == stored.epoch);
    if user.is_some() && now - stored.seen_at >= 60 {
        stored.seen_at = now;
        session.insert(USER_KEY, stored).await.map_err(internal)?;
    }
    Ok(user)
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
    let attempt = throttle::take(&state.db, &state.throttle, &account, address, now).await?;

    let user = users::find_by_email(&state.db, &account)
        .await
        .map_err(internal)?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = password::verify(password_input.to_string(), hash).await;
    let verified = match verified {
        Ok(v) => v,
        Err(busy) => {
            // Not an attempt at all: nothing was checked.
            let _ = throttle::give_back(&state.db, attempt).await;
            return Err(busy);
        }
    };
    // A disabled account answers exactly like a wrong password, so the
    // answer does not tell whether an account exists or is disabled.
    let user = match user {
        Some(user) if verified && !user.disabled => user,
        _ => {
            throttle::failed(&state.db, &state.throttle, now)
                .await
                .map_err(internal)?;
            tracing::info!(%address, "failed sign-in");
            return Err(wrong_credentials(email));
        }
    };
    throttle::succeeded(&state.db, attempt, &account)
        .await
        .map_err(internal)?;
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(
            USER_KEY,
            SessionUser {
                id: user.id,
                epoch: user.session_epoch,
                signed_in_at: now.timestamp(),
                seen_at: now.timestamp(),
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

/// Ends every session of `user`, on every device, this one included.
pub async fn sign_out_everywhere(
    db: &Db,
    session: &Session,
    user: &users::UserRow,
) -> Result<(), AppError> {
    users::end_sessions(db, user.id, Utc::now())
        .await
        .map_err(internal)?;
    tracing::info!(user_id = user.id, "signed out everywhere");
    sign_out(session).await
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
    match session_user(&session, &state).await? {
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
