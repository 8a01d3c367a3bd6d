//! Signicat's settings: `SIGNICAT_API_URL` (the documents API, e.g.
//! `https://api.signicat.io/signature/`), `SIGNICAT_TOKEN_URL` (by default
//! `oauth/connect/token` on the same host), the API client's
//! `SIGNICAT_CLIENT_ID` / `SIGNICAT_CLIENT_SECRET` and the webhook's
//! `SIGNICAT_WEBHOOK_SECRET`. Without them, the built-in simulator stands
//! in whenever the sandbox is on, with credentials made per installation.

use url::Url;

use super::{err, parse_http_url, with_trailing_slash, ConfigError, Secret};

#[derive(Clone, Debug)]
pub struct SignicatSettings {
    pub api_url: Url,
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    pub webhook_secret: Secret,
    /// The simulator's credentials fill these in at start.
    pub installation_keys: bool,
    /// Lifetime of the simulator's access tokens (`SANDBOX_SIGNICAT_TOKEN_SECONDS`).
    pub sandbox_token_seconds: i64,
}

impl SignicatSettings {
    /// Fills in the simulator's credentials when none were configured.
    pub fn use_installation_keys(&mut self, keys: &crate::sandbox::signicat::Keys) {
        if self.installation_keys {
            self.client_id = keys.client_id.clone();
            self.client_secret = Secret(keys.client_secret.clone());
            self.webhook_secret = Secret(keys.webhook_secret.clone());
        }
    }
}

const NAMES: [&str; 3] = [
    "SIGNICAT_CLIENT_ID",
    "SIGNICAT_CLIENT_SECRET",
    "SIGNICAT_WEBHOOK_SECRET",
];

/// Signicat's settings, or `None` when it is not offered (no real service
/// configured and the sandbox off).
pub(super) fn read(
    var: &impl Fn(&str) -> Option<String>,
    public_url: &Url,
    sandbox: bool,
    token_seconds: i64,
) -> Result<Option<SignicatSettings>, ConfigError> {
    let simulator = |path: &str| {
        public_url
            .join(&format!("{}{path}", crate::sandbox::signicat::BASE))
            .map_err(|e| err("PUBLIC_URL", e.to_string()))
    };
    let configured = NAMES.iter().filter(|n| var(n).is_some()).count();
    let Some(raw) = var("SIGNICAT_API_URL") else {
        if !sandbox {
            return Ok(None);
        }
        if configured > 0 {
            return Err(err(
                "SIGNICAT_API_URL",
                "is missing: the Signicat credentials are set, so name the real Signicat API too (e.g. https://api.signicat.io/signature/)",
            ));
        }
        return Ok(Some(SignicatSettings {
            api_url: simulator("signature/")?,
            token_url: simulator("oauth/connect/token")?,
            client_id: String::new(),
            client_secret: Secret(String::new()),
            webhook_secret: Secret(String::new()),
            installation_keys: true,
            sandbox_token_seconds: token_seconds,
        }));
    };
    let api_url = with_trailing_slash(parse_http_url("SIGNICAT_API_URL", &raw)?);
    let token_url = match var("SIGNICAT_TOKEN_URL") {
        Some(t) => parse_http_url("SIGNICAT_TOKEN_URL", &t)?,
        None => api_url
            .join("/oauth/connect/token")
            .map_err(|e| err("SIGNICAT_API_URL", e.to_string()))?,
    };
    let required = |name: &'static str| {
        var(name).ok_or_else(|| err(name, "is required when SIGNICAT_API_URL is set"))
    };
    Ok(Some(SignicatSettings {
        api_url,
        token_url,
        client_id: required("SIGNICAT_CLIENT_ID")?,
        client_secret: Secret(required("SIGNICAT_CLIENT_SECRET")?),
        webhook_secret: Secret(required("SIGNICAT_WEBHOOK_SECRET")?),
        installation_keys: false,
        sandbox_token_seconds: token_seconds,
    }))
}
