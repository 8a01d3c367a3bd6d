//! Signhost's settings: `SIGNHOST_API_URL` and its three keys, and whether
//! the built-in sandbox stands in for it.

use std::fmt;

use url::Url;

use super::{err, is_loopback, on_off, parse_http_url, with_trailing_slash, ConfigError, Secret};

#[derive(Clone, Debug)]
pub struct SignhostSettings {
    pub api_url: Url,
    pub app_key: Secret,
    pub user_token: Secret,
    pub shared_secret: Secret,
    /// The keys were not configured: the sandbox's own keys, generated once
    /// per installation and kept in the database, fill them in at start.
    pub installation_keys: bool,
}

impl SignhostSettings {
    /// Replaces unconfigured keys with the installation's sandbox keys.
    pub fn use_installation_keys(&mut self, keys: &SandboxKeys) {
        if self.installation_keys {
            self.app_key = Secret(keys.app_key.clone());
            self.user_token = Secret(keys.user_token.clone());
            self.shared_secret = Secret(keys.shared_secret.clone());
        }
    }
}

/// The keys of the built-in sandbox, random per installation.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxKeys {
    pub app_key: String,
    pub user_token: String,
    pub shared_secret: String,
}

impl fmt::Debug for SandboxKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SandboxKeys(***)")
    }
}

/// Reads Signhost's settings; also decides whether the sandbox is served
/// (it stands in for Signhost when no real one is configured).
pub(super) fn read(
    var: &impl Fn(&str) -> Option<String>,
    public_url: &Url,
    loopback: bool,
) -> Result<(SignhostSettings, bool), ConfigError> {
    let api_url = match var("SIGNHOST_API_URL") {
        Some(raw) => with_trailing_slash(parse_http_url("SIGNHOST_API_URL", &raw)?),
        None => public_url
            .join("sandbox/api/")
            .map_err(|e| err("PUBLIC_URL", e.to_string()))?,
    };
    let sandbox_setting = match var("SANDBOX") {
        None => None,
        raw => Some(on_off("SANDBOX", raw)?),
    };
    let sandbox_prefix = public_url
        .join("sandbox/")
        .map(|u| u.to_string())
        .unwrap_or_default();
    let uses_sandbox = api_url.as_str().starts_with(&sandbox_prefix);
    // A stand-in on this machine (a test proxy in front of the sandbox)
    // is not a real service; anything else is.
    let real_service = !uses_sandbox && !is_loopback(&api_url);
    let sandbox = match (sandbox_setting, uses_sandbox) {
            (Some(true), false) if real_service => {
                return Err(err(
                    "SANDBOX",
                    "is on, but SIGNHOST_API_URL points at a real Signhost; the sandbox is never served next to a real service (remove SANDBOX or set it off)",
                ))
            }
            (Some(false), true) => {
                return Err(err(
                    "SIGNHOST_API_URL",
                    "points at the built-in sandbox, but SANDBOX is off; set the real Signhost URL",
                ))
            }
            (None, true) if !loopback => {
                return Err(err(
                    "SANDBOX",
                    format!("is needed: PUBLIC_URL ({public_url}) can be reached from other machines, so the built-in sandbox is not switched on by default. Set SIGNHOST_API_URL and its keys for a real Signhost, or SANDBOX=on to serve the sandbox there anyway"),
                ))
            }
            (Some(on), _) => on,
            (None, uses) => uses,
        };
    // The sandbox makes its own keys; a real Signhost needs them configured.
    let configured = [
        "SIGNHOST_APP_KEY",
        "SIGNHOST_USER_TOKEN",
        "SIGNHOST_SHARED_SECRET",
    ]
    .iter()
    .filter(|n| var(n).is_some())
    .count();
    let installation_keys = uses_sandbox && configured == 0;
    let secret = |name: &'static str| -> Result<Secret, ConfigError> {
        match var(name) {
            Some(v) => Ok(Secret(v)),
            None if installation_keys => Ok(Secret(String::new())),
            None if uses_sandbox => Err(err(
                name,
                "is missing: set all three Signhost keys, or none to use the sandbox's own",
            )),
            None => Err(err(
                name,
                "is required when SIGNHOST_API_URL points at a real Signhost",
            )),
        }
    };
    let signhost = SignhostSettings {
        api_url,
        app_key: secret("SIGNHOST_APP_KEY")?,
        user_token: secret("SIGNHOST_USER_TOKEN")?,
        shared_secret: secret("SIGNHOST_SHARED_SECRET")?,
        installation_keys,
    };

    Ok((signhost, sandbox))
}
