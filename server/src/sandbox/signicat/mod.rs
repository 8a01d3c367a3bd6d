//! The Signicat simulator: the Express signature API at
//! `<PUBLIC_URL>sandbox/signicat/` with the real service's paths under it
//! (`oauth/connect/token`, `signature/documents…`, `notification/…`), so a
//! client of the Express API pointed at that base runs unmodified.
//!
//! What it follows: the token endpoint (HTTP Basic or form credentials,
//! `expires_in`), documents with the real status values and signing order,
//! a signing page per signer that redirects with `idfy-jwt`, packaging a
//! little after the last signature (`completedPackages`, `document_packaged`),
//! signed PDFs, webhooks signed with `X-Idfy-Signature` and retried, the
//! event pull API, cancel, and the deadline by the sandbox clock.
//!
//! Where the sources are silent the simulator guesses, all in [`guess`].

pub mod api;
pub mod auth;
pub mod guess;
pub mod notify;
pub mod sign;
pub mod store;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::routes::At;
use crate::sandbox::Shared;

/// The installation's Signicat sandbox credentials (made on first start,
/// kept in the database like Signhost's keys).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Keys {
    pub client_id: String,
    pub client_secret: String,
    pub webhook_secret: String,
    /// Signs the simulator's access tokens and return JWTs.
    pub signing_key: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Where the simulator lives under the portal.
pub const BASE: &str = "sandbox/signicat/";

pub fn routes(sandbox: Shared) -> Router {
    Router::new()
        .at("/sandbox/signicat/oauth/connect/token", post(auth::token))
        .at("/sandbox/signicat/signature/documents", post(api::create))
        .at(
            "/sandbox/signicat/signature/documents/summary",
            get(api::find),
        )
        .at("/sandbox/signicat/signature/documents/{id}", get(api::get))
        .at(
            "/sandbox/signicat/signature/documents/{id}/status",
            get(api::status),
        )
        .at(
            "/sandbox/signicat/signature/documents/{id}/summary",
            get(api::summary),
        )
        .at(
            "/sandbox/signicat/signature/documents/{id}/cancel",
            post(api::cancel),
        )
        .at(
            "/sandbox/signicat/signature/documents/{id}/attachments",
            post(api::add_attachment).get(api::attachments),
        )
        .at(
            "/sandbox/signicat/signature/documents/{id}/signers",
            get(api::signers),
        )
        .at(
            "/sandbox/signicat/signature/documents/{id}/signers/{signer}",
            get(api::signer).patch(api::update_signer),
        )
        .at(
            "/sandbox/signicat/signature/documents/{id}/files",
            get(api::file),
        )
        .at(
            "/sandbox/signicat/signature/documents/{id}/files/attachments/{attachment}",
            get(api::attachment_file),
        )
        .at(
            "/sandbox/signicat/signature/jwt/validate",
            post(api::validate_jwt),
        )
        .at("/sandbox/signicat/notification/events", get(notify::events))
        .at(
            "/sandbox/signicat/notification/events/peek",
            get(notify::peek),
        )
        .at(
            "/sandbox/signicat/notification/events/types",
            get(notify::types),
        )
        .at(
            "/sandbox/signicat/notification/events/handle",
            post(notify::handle_many),
        )
        .at(
            "/sandbox/signicat/notification/events/{id}/handle",
            post(notify::handle_one),
        )
        .at(
            "/sandbox/signicat/notification/webhooks",
            get(notify::webhooks).post(notify::add_webhook),
        )
        .at(
            "/sandbox/signicat/notification/webhooks/{id}",
            get(notify::webhook).delete(notify::delete_webhook),
        )
        .at(
            "/sandbox/signicat/notification/webhooks/{id}/ping",
            post(notify::ping),
        )
        .at("/sandbox/signicat/sign/{doc}/{signer}", get(sign::page))
        .at(
            "/sandbox/signicat/sign/{doc}/{signer}/sign",
            post(sign::sign),
        )
        .at(
            "/sandbox/signicat/sign/{doc}/{signer}/abort",
            post(sign::abort),
        )
        .at(
            "/sandbox/signicat/sign/{doc}/{signer}/file/{file}",
            get(sign::file),
        )
        .layer(DefaultBodyLimit::max(guess::MAX_REQUEST_BYTES))
        .with_state(sandbox)
}
