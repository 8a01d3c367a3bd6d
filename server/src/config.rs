//! Configuration from the environment (a `.env` file is read first if present),
//! validated at start. Every error names the variable at fault.

use std::fmt;
use std::net::SocketAddr;

use url::Url;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portal.db";
pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:3000";

/// A value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(empty)"
        } else {
            "Secret(***)"
        })
    }
}

#[derive(Clone, Debug)]
pub struct SignhostSettings {
    pub api_url: Url,
    pub app_key: Secret,
    pub user_token: Secret,
    pub shared_secret: Secret,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Whether the built-in Signhost sandbox is served under `/sandbox/`.
    pub sandbox: bool,
    pub database_url: String,
    pub public_url: Url,
    pub bind_addr: SocketAddr,
    pub signhost: SignhostSettings,
    /// The largest PDF staff may upload (at most Signhost's 50 MB).
    pub max_upload_bytes: u64,
    /// Whether this instance runs the background workers (start jobs).
    pub workers: bool,
    /// Hours a waiting request may go without a postback before staff are warned.
    pub quiet_hours: i64,
    /// Reverse proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("configuration error in {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

impl Config {
    /// Reads `.env` (if any) and then the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables (tests use a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err(
                "DATABASE_URL",
                format!(
                    "must start with sqlite: or postgres:// (got '{}')",
                    redact_url(&database_url)
                ),
            ));
        }

        let bind_raw = var("BIND_ADDR")
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| DEFAULT_BIND_ADDR.to_string());
        let bind_addr: SocketAddr = bind_raw.parse().map_err(|_| {
            err(
                "BIND_ADDR",
                format!("must be an address and port like 127.0.0.1:3000 (got '{bind_raw}')"),
            )
        })?;

        let public_url = match var("PUBLIC_URL") {
            Some(raw) => parse_http_url("PUBLIC_URL", &raw)?,
            None => {
                let host = if bind_addr.ip().is_unspecified() {
                    "localhost".to_string()
                } else {
                    bind_addr.ip().to_string()
                };
                parse_http_url(
                    "PUBLIC_URL",
                    &format!("http://{host}:{}/", bind_addr.port()),
                )?
            }
        };
        let public_url = with_trailing_slash(public_url);

        let api_url = match var("SIGNHOST_API_URL") {
            Some(raw) => with_trailing_slash(parse_http_url("SIGNHOST_API_URL", &raw)?),
            None => public_url
                .join("sandbox/api/")
                .map_err(|e| err("PUBLIC_URL", e.to_string()))?,
        };
        let sandbox = on_off("SANDBOX", var("SANDBOX"))?;
        let workers = on_off("WORKERS", var("WORKERS"))?;
        let quiet_hours = match var("POSTBACK_QUIET_HOURS") {
            None => 24,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|h| (1..=720).contains(h))
                .ok_or_else(|| {
                    err(
                        "POSTBACK_QUIET_HOURS",
                        format!("must be a number of hours from 1 to 720 (got '{raw}')"),
                    )
                })?,
        };
        let trusted_proxies = match var("TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(raw) => crate::client_ip::parse_list(&raw)
                .map_err(|m| err("TRUSTED_PROXIES", format!("{m} (got '{raw}')")))?,
        };
        let max_upload_bytes = match var("MAX_UPLOAD_MB") {
            None => MAX_UPLOAD_BYTES,
            Some(raw) => match raw.parse::<u64>() {
                Ok(mb) if (1..=50).contains(&mb) => (mb * 1024 * 1024).min(MAX_UPLOAD_BYTES),
                _ => {
                    return Err(err(
                        "MAX_UPLOAD_MB",
                        format!("must be a whole number of megabytes from 1 to 50, Signhost's limit (got '{raw}')"),
                    ))
                }
            },
        };
        let sandbox_prefix = public_url
            .join("sandbox/")
            .map(|u| u.to_string())
            .unwrap_or_default();
        let uses_sandbox = api_url.as_str().starts_with(&sandbox_prefix);
        if uses_sandbox && !sandbox {
            return Err(err(
                "SIGNHOST_API_URL",
                "points at the built-in sandbox, but SANDBOX is off; set the real Signhost URL",
            ));
        }
        // The sandbox works without any keys; a real Signhost needs them.
        let secret = |name: &'static str, sandbox_default: &str| -> Result<Secret, ConfigError> {
            match var(name) {
                Some(v) => Ok(Secret(v)),
                None if uses_sandbox => Ok(Secret(sandbox_default.to_string())),
                None => Err(err(
                    name,
                    "is required when SIGNHOST_API_URL points at a real Signhost",
                )),
            }
        };
        let signhost = SignhostSettings {
            api_url,
            app_key: secret("SIGNHOST_APP_KEY", "sandbox-app-key")?,
            user_token: secret("SIGNHOST_USER_TOKEN", "sandbox-user-token")?,
            shared_secret: secret("SIGNHOST_SHARED_SECRET", "sandbox-shared-secret")?,
        };

        Ok(Config {
            sandbox,
            database_url,
            public_url,
            bind_addr,
            signhost,
            max_upload_bytes,
            workers,
            quiet_hours,
            trusted_proxies,
        })
    }

    /// Where Signhost posts status changes (`PostbackUrl`).
    pub fn postback_url(&self) -> String {
        format!("{}signhost/postback", self.public_url)
    }

    /// Where Signhost sends a signer's browser afterwards (`ReturnUrl`).
    pub fn landing_url(&self) -> String {
        format!("{}return", self.public_url)
    }

    /// Cookies get the Secure flag when the portal is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// Signhost's limit on one PDF (50 MB).
pub const MAX_UPLOAD_BYTES: u64 = 52_428_800;

fn on_off(name: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("on" | "true" | "1" | "yes") => Ok(true),
        Some("off" | "false" | "0" | "no") => Ok(false),
        Some(other) => Err(err(name, format!("must be on or off (got '{other}')"))),
    }
}

fn parse_http_url(var: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(raw).map_err(|e| err(var, format!("is not a valid URL ({e}): '{raw}'")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(err(
            var,
            format!("must be an http:// or https:// URL with a host (got '{raw}')"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err(
            var,
            format!("must not have a query or fragment (got '{raw}')"),
        ));
    }
    Ok(url)
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// Hides a password in a database URL before it is shown.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_on_sqlite_with_the_sandbox() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(
            c.signhost.api_url.as_str(),
            "http://127.0.0.1:3000/sandbox/api/"
        );
        assert!(!c.secure_cookies());
    }

    #[test]
    fn public_url_drives_sandbox_url_and_secure_cookies() {
        let c = config(&[("PUBLIC_URL", "https://sign.example.nl/portal")]).unwrap();
        assert_eq!(c.public_url.as_str(), "https://sign.example.nl/portal/");
        assert_eq!(
            c.signhost.api_url.as_str(),
            "https://sign.example.nl/portal/sandbox/api/"
        );
        assert!(c.secure_cookies());
    }

    #[test]
    fn errors_name_the_variable() {
        assert_eq!(
            config(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var,
            "DATABASE_URL"
        );
        assert_eq!(
            config(&[("PUBLIC_URL", "ftp://x")]).unwrap_err().var,
            "PUBLIC_URL"
        );
        assert_eq!(
            config(&[("PUBLIC_URL", "not a url")]).unwrap_err().var,
            "PUBLIC_URL"
        );
        assert_eq!(
            config(&[("BIND_ADDR", "localhost")]).unwrap_err().var,
            "BIND_ADDR"
        );
        assert_eq!(
            config(&[("SIGNHOST_API_URL", "nope")]).unwrap_err().var,
            "SIGNHOST_API_URL"
        );
        let e = config(&[("PUBLIC_URL", "ftp://x")]).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("configuration error in PUBLIC_URL"));
    }

    #[test]
    fn upload_limit_and_workers() {
        let c = config(&[]).unwrap();
        assert_eq!(c.max_upload_bytes, 52_428_800);
        assert!(c.workers);
        let c = config(&[("MAX_UPLOAD_MB", "10"), ("WORKERS", "off")]).unwrap();
        assert_eq!(c.max_upload_bytes, 10 * 1024 * 1024);
        assert!(!c.workers);
        for bad in ["0", "51", "ten"] {
            let e = config(&[("MAX_UPLOAD_MB", bad)]).unwrap_err();
            assert_eq!(e.var, "MAX_UPLOAD_MB");
        }
        assert_eq!(config(&[("WORKERS", "x")]).unwrap_err().var, "WORKERS");
        assert_eq!(config(&[]).unwrap().quiet_hours, 24);
        assert_eq!(
            config(&[("POSTBACK_QUIET_HOURS", "6")])
                .unwrap()
                .quiet_hours,
            6
        );
        let e = config(&[("POSTBACK_QUIET_HOURS", "0")]).unwrap_err();
        assert_eq!(e.var, "POSTBACK_QUIET_HOURS");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
        let c = config(&[("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        let e = config(&[("TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err();
        assert_eq!(e.var, "TRUSTED_PROXIES");
        assert!(e.message.contains("10.0.0.0/33"), "{}", e.message);
    }

    #[test]
    fn sandbox_settings_are_checked() {
        assert_eq!(config(&[("SANDBOX", "maybe")]).unwrap_err().var, "SANDBOX");
        assert_eq!(
            config(&[("SANDBOX", "off")]).unwrap_err().var,
            "SIGNHOST_API_URL"
        );
        let real = [("SIGNHOST_API_URL", "https://api.signhost.com/api/")];
        assert_eq!(config(&real).unwrap_err().var, "SIGNHOST_APP_KEY");
    }

    #[test]
    fn the_sandbox_needs_no_keys_and_real_signhost_does() {
        let c = config(&[]).unwrap();
        assert!(c.sandbox);
        assert_eq!(c.signhost.app_key.expose(), "sandbox-app-key");
        let real = config(&[
            ("SIGNHOST_API_URL", "https://api.signhost.com/api"),
            ("SIGNHOST_APP_KEY", "k"),
            ("SIGNHOST_USER_TOKEN", "t"),
            ("SIGNHOST_SHARED_SECRET", "s"),
            ("SANDBOX", "off"),
        ])
        .unwrap();
        assert_eq!(
            real.signhost.api_url.as_str(),
            "https://api.signhost.com/api/"
        );
        assert!(!real.sandbox);
    }

    #[test]
    fn secrets_never_print() {
        let c = config(&[
            ("SIGNHOST_APP_KEY", "app-key-123"),
            ("SIGNHOST_SHARED_SECRET", "s3cr3t"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("app-key-123") && !shown.contains("s3cr3t"),
            "{shown}"
        );
        assert_eq!(c.signhost.app_key.expose(), "app-key-123");
    }

    #[test]
    fn database_passwords_are_redacted() {
        let shown = redact_url("postgres://user:hunter2@db/portal");
        assert!(!shown.contains("hunter2") && shown.contains("***"));
    }
}
