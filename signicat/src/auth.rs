//! OAuth2 client credentials, as Signicat's guide to connecting says:
//! `POST …/oauth/connect/token` with the form `grant_type=client_credentials`
//! and a space-separated `scope`, authenticated with HTTP Basic
//! `client_id:client_secret`; the answer is `{access_token, expires_in,
//! token_type}`. A token is reused until shortly before it expires (the
//! SDKs' `GetToken` caches it until `now + expires_in`, S1); callers that
//! need one at the same moment wait for a single request.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

/// A token is given up this long before Signicat said it expires, so that
/// no call starts with a token that dies on the way.
pub const EARLY: Duration = Duration::from_secs(60);

/// What an API client may be allowed to do (the scopes of the signature
/// and notification APIs, S3 `api-authentication.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    DocumentRead,
    DocumentWrite,
    DocumentFile,
    Event,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::DocumentRead => "document_read",
            Scope::DocumentWrite => "document_write",
            Scope::DocumentFile => "document_file",
            Scope::Event => "event",
        }
    }
}

/// The API client's id and secret (the secret never prints).
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenAnswer {
    pub access_token: String,
    #[serde(default = "an_hour")]
    pub expires_in: u64,
}

fn an_hour() -> u64 {
    3600
}

#[derive(Clone)]
pub(crate) struct Token {
    pub value: String,
    pub good_until: Instant,
}

/// Where the token for one set of scopes is kept; locked while it is fetched.
pub(crate) type Slot = Arc<Mutex<Option<Token>>>;

/// The slots, by the set of scopes each token was asked for.
type Slots = Vec<(BTreeSet<Scope>, Slot)>;

/// The one token per set of scopes, shared by every clone of the client.
#[derive(Clone, Default)]
pub(crate) struct TokenCache {
    slots: Arc<Mutex<Slots>>,
}

impl TokenCache {
    /// The slot for `scopes`: its lock is held while a token is fetched, so
    /// concurrent callers wait for that one request instead of each making one.
    pub async fn slot(&self, scopes: &BTreeSet<Scope>) -> Slot {
        let mut slots = self.slots.lock().await;
        if let Some((_, slot)) = slots.iter().find(|(s, _)| s == scopes) {
            return slot.clone();
        }
        let slot = Arc::new(Mutex::new(None));
        slots.push((scopes.clone(), slot.clone()));
        slot
    }
}

/// When a token that Signicat says lives `expires_in` seconds stops being used.
pub(crate) fn good_until(now: Instant, expires_in: u64) -> Instant {
    let lives = Duration::from_secs(expires_in);
    now + lives.saturating_sub(EARLY.min(lives / 2))
}

/// The `scope` form value: the names, space-separated, in a stable order.
pub fn scope_value(scopes: &BTreeSet<Scope>) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_dropped_a_minute_early_and_a_short_one_at_half_time() {
        let now = Instant::now();
        assert_eq!(good_until(now, 3600), now + Duration::from_secs(3540));
        assert_eq!(good_until(now, 60), now + Duration::from_secs(30));
        assert_eq!(good_until(now, 0), now);
    }

    #[test]
    fn scopes_are_space_separated_and_secrets_never_print() {
        let scopes: BTreeSet<Scope> = [Scope::DocumentWrite, Scope::DocumentRead].into();
        assert_eq!(scope_value(&scopes), "document_read document_write");
        let c = Credentials {
            client_id: "id".into(),
            client_secret: "very-secret".into(),
        };
        assert!(!format!("{c:?}").contains("very-secret"));
    }
}
