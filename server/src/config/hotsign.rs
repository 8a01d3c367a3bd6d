//! Hotsign's settings: `HOTSIGN_API_URL` (Hotsign's host, the seed's
//! `https://api.hotsign.com`), the registered app's `HOTSIGN_CLIENT_ID` and
//! `HOTSIGN_CLIENT_SECRET`, and the key that seals its tokens at rest:
//! `HOTSIGN_TOKEN_KEY` (32 bytes, base64) or else a key file
//! (`HOTSIGN_TOKEN_KEY_FILE`, by default `hotsign-token.key` next to the
//! SQLite database, made on first use). The portal's Hotsign contract is
//! inferred, so a real Hotsign is refused unless
//! `HOTSIGN_ALLOW_INFERRED_CONTRACT=yes`. Without a URL the built-in
//! simulator stands in whenever the sandbox is on.

use std::path::PathBuf;

use url::Url;

use super::{err, parse_http_url, with_trailing_slash, ConfigError, Secret};

#[derive(Clone, Debug)]
pub struct HotsignSettings {
    pub api_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    /// `HOTSIGN_TOKEN_KEY`, when given (checked at start).
    pub token_key: Option<Secret>,
    pub key_file: PathBuf,
    /// The simulator: its app's credentials are filled in at start.
    pub simulator: bool,
}

pub(super) fn read(
    var: &impl Fn(&str) -> Option<String>,
    public_url: &Url,
    sandbox: bool,
    database_url: &str,
) -> Result<Option<HotsignSettings>, ConfigError> {
    let token_key = match var("HOTSIGN_TOKEN_KEY") {
        Some(k) => {
            crate::providers::hotsign::seal::TokenKey::from_base64(&k)
                .map_err(|e| err("HOTSIGN_TOKEN_KEY", e.to_string()))?;
            Some(Secret(k))
        }
        None => None,
    };
    let key_file = var("HOTSIGN_TOKEN_KEY_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            crate::sandbox::certeurope::pki::files_dir(database_url).join("hotsign-token.key")
        });
    let Some(raw) = var("HOTSIGN_API_URL") else {
        if !sandbox {
            return Ok(None);
        }
        return Ok(Some(HotsignSettings {
            api_url: public_url
                .join(crate::sandbox::hotsign::BASE)
                .map_err(|e| err("PUBLIC_URL", e.to_string()))?,
            client_id: String::new(),
            client_secret: Secret(String::new()),
            token_key,
            key_file,
            simulator: true,
        }));
    };
    let api_url = with_trailing_slash(parse_http_url("HOTSIGN_API_URL", &raw)?);
    if api_url.scheme() != "https" {
        return Err(err(
            "HOTSIGN_API_URL",
            "must be https: Hotsign blocks every plain HTTP request",
        ));
    }
    if var("HOTSIGN_ALLOW_INFERRED_CONTRACT").as_deref() != Some("yes") {
        return Err(err(
            "HOTSIGN_ALLOW_INFERRED_CONTRACT",
            "must be yes to use a real Hotsign: the portal's Hotsign paths and bodies are inferred, not documented (hotsign/src/contract.rs)",
        ));
    }
    let required = |name: &'static str| {
        var(name).ok_or_else(|| err(name, "is required when HOTSIGN_API_URL is set"))
    };
    Ok(Some(HotsignSettings {
        api_url,
        client_id: required("HOTSIGN_CLIENT_ID")?,
        client_secret: Secret(required("HOTSIGN_CLIENT_SECRET")?),
        token_key,
        key_file,
        simulator: false,
    }))
}
