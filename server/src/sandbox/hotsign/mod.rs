//! The Hotsign simulator, at `/sandbox/hotsign/`: its OAuth ([`oauth`]: an
//! authorize page that asks the admin to allow the portal, codes that live
//! 15 seconds and work once, tokens for 1 hour, refresh tokens for 24 hours,
//! replaced on use, revocation and the account), its invites ([`invites`]:
//! credits, limits, sanitising, statuses, the completed PDF and audit
//! trail, 45-day deletion) and its pages ([`sign`]: a signing page per
//! signer, a control page for every status, the invite emails). The seed
//! states the rules; the paths are the inferred contract's
//! (`hotsign::contract`). Everything lives in the database, so every
//! instance sees the same invites.

pub mod invites;
pub mod oauth;
pub mod sign;

use axum::routing::{get, post};
use axum::Router;

use crate::routes::At;
use crate::sandbox::Shared;

/// Where the simulator answers; its host for the `hotsign` client.
pub const BASE: &str = "sandbox/hotsign/";

/// The simulator's registered app (made per installation).
#[derive(Clone, Default)]
pub struct Keys {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

/// The account the simulator signs in (there is one).
pub const ACCOUNT: &str = "office@sandbox-hotsign.test";

pub fn routes(sandbox: Shared) -> Router {
    Router::new()
        .at(
            "/sandbox/hotsign/oauth/authorize",
            get(oauth::authorize_page).post(oauth::decide),
        )
        .at("/sandbox/hotsign/oauth/token", post(oauth::token))
        .at("/sandbox/hotsign/oauth/revoke", post(oauth::revoke))
        .at("/sandbox/hotsign/v1/me", get(oauth::me))
        .at("/sandbox/hotsign/v1/invites", post(invites::create))
        .at("/sandbox/hotsign/v1/invites/{id}", get(invites::get))
        .at(
            "/sandbox/hotsign/v1/invites/{id}/cancel",
            post(invites::cancel),
        )
        .at(
            "/sandbox/hotsign/v1/invites/{id}/document",
            get(invites::document),
        )
        .at(
            "/sandbox/hotsign/v1/invites/{id}/audit",
            get(invites::audit),
        )
        .at("/sandbox/hotsign/sign/{token}", get(sign::page))
        .at("/sandbox/hotsign/sign/{token}/sign", post(sign::sign))
        .at("/sandbox/hotsign/sign/{token}/decline", post(sign::decline))
        .layer(axum::extract::DefaultBodyLimit::max(
            hotsign::MAX_CONTENT_BYTES + 256 * 1024,
        ))
        .with_state(sandbox)
}

/// The control page and its forms (for signed-in staff only).
pub fn tools(sandbox: Shared) -> Router {
    Router::new()
        .at(sign::CONTROL_PATH, get(sign::control))
        .at(
            "/sandbox/hotsign/invites/{id}/status",
            post(sign::set_status),
        )
        .at("/sandbox/hotsign/invites/{id}/{how}", post(sign::close))
        .at("/sandbox/hotsign/credits", post(sign::buy_credits))
        .with_state(sandbox)
}
