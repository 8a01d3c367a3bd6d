//! The Hotsign simulator, at `/sandbox/hotsign/`. So far its OAuth: an
//! authorize page that asks the admin to allow the portal, codes that live
//! 15 seconds and work once, tokens for 1 hour, refresh tokens for 24 hours
//! (replaced on use), revocation and the account (as the seed states the
//! lifetimes; the paths are the inferred contract's, `hotsign::contract`).
//! Grants live in the database, so every instance sees the same ones.

pub mod oauth;

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
        .with_state(sandbox)
}
