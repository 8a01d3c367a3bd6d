//! Configuration from the environment (a `.env` file is read first if present),
//! validated at start. Every error names the variable at fault.

use std::fmt;
use std::net::SocketAddr;

use url::Url;

mod certeurope;
mod hotsign;
mod signhost;
mod signicat;

use app::model::service::ProviderKind;
pub use certeurope::CertEuropeSettings;
pub use hotsign::HotsignSettings;
pub use signhost::{SandboxKeys, SignhostSettings};
pub use signicat::SignicatSettings;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portal.db";
pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:3000";

/// A value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

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
pub struct Config {
    /// Whether the built-in Signhost sandbox is served under `/sandbox/`.
    pub sandbox: bool,
    /// The sandbox was switched on explicitly on an address others can reach.
    pub sandbox_exposed: bool,
    pub database_url: String,
    pub public_url: Url,
    pub bind_addr: SocketAddr,
    pub signhost: SignhostSettings,
    /// Where the SignAPI simulator listens for TLS (`SANDBOX_CERTEUROPE_ADDR`,
    /// with the sandbox on; `off` for none).
    pub certeurope_sandbox_addr: Option<SocketAddr>,
    /// Signicat, when offered (a real service, or the simulator with the sandbox).
    pub signicat: Option<SignicatSettings>,
    /// CertEurope SignAPI, when offered (a real service, or the simulator on
    /// its TLS port with the sandbox).
    pub certeurope: Option<CertEuropeSettings>,
    /// Hotsign, when offered (a real one only with
    /// `HOTSIGN_ALLOW_INFERRED_CONTRACT=yes`, or the simulator with the sandbox).
    pub hotsign: Option<HotsignSettings>,
    /// The service new drafts get (`DEFAULT_PROVIDER`, one configured here).
    pub default_provider: ProviderKind,
    /// The largest PDF staff may upload (at most Signhost's 50 MB).
    pub max_upload_bytes: u64,
    /// Uploads received and checked at once; more wait their turn.
    pub uploads_at_once: usize,
    /// Whether this instance runs the background workers (start jobs).
    pub workers: bool,
    /// Hours a waiting request may go without a postback before staff are warned.
    pub quiet_hours: i64,
    /// Reverse proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Staff sessions end after this many minutes without a request…
    pub session_idle_minutes: i64,
    /// …and this many hours after sign-in, however active.
    pub session_max_hours: i64,
    /// Postbacks accepted per second from one sender address.
    pub postback_rate: u32,
    /// How often the sandbox's clock makes its round (reminders, expiry).
    pub sandbox_clock_seconds: u64,
    /// Bearer token for `/metrics` on the portal's listener (`METRICS_TOKEN`).
    pub metrics_token: Option<Secret>,
    /// A loopback listener serving `/metrics` without a token (`METRICS_ADDR`).
    pub metrics_addr: Option<SocketAddr>,
    /// The organisation named on the pages signers see.
    pub organisation_name: String,
    /// A PNG, JPEG, WebP or SVG file shown beside that name.
    pub organisation_logo: Option<std::path::PathBuf>,
}

/// The content type of a logo file, by its extension.
pub fn logo_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return None,
    })
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

/// The SignAPI simulator's TLS port.
pub const DEFAULT_CERTEUROPE_SANDBOX_ADDR: &str = "127.0.0.1:3443";

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
        let number =
            |name: &'static str, default: i64, range: std::ops::RangeInclusive<i64>, unit: &str| {
                match var(name) {
                    None => Ok(default),
                    Some(raw) => raw
                        .parse::<i64>()
                        .ok()
                        .filter(|n| range.contains(n))
                        .ok_or_else(|| {
                            err(
                                name,
                                format!(
                                    "must be a number of {unit} from {} to {} (got '{raw}')",
                                    range.start(),
                                    range.end()
                                ),
                            )
                        }),
                }
            };
        let session_idle_minutes = number("SESSION_IDLE_MINUTES", 120, 5..=1440, "minutes")?;
        let session_max_hours = number("SESSION_MAX_HOURS", 12, 1..=720, "hours")?;
        let postback_rate =
            number("POSTBACK_RATE", 50, 1..=100_000, "postbacks per second")? as u32;
        let sandbox_clock_seconds =
            number("SANDBOX_CLOCK_SECONDS", 60, 1..=3600, "seconds")? as u64;
        let metrics_token = match var("METRICS_TOKEN") {
            None => None,
            Some(t) if t.len() >= 16 => Some(Secret::new(t)),
            Some(_) => {
                return Err(err(
                    "METRICS_TOKEN",
                    "must be at least 16 characters (it guards /metrics)",
                ))
            }
        };
        let metrics_addr = match var("METRICS_ADDR") {
            None => None,
            Some(raw) => match raw.parse::<SocketAddr>() {
                Ok(a) if a.ip().is_loopback() => Some(a),
                _ => {
                    return Err(err(
                        "METRICS_ADDR",
                        format!("must be a loopback address and port such as 127.0.0.1:9464 (got '{raw}'); elsewhere use METRICS_TOKEN"),
                    ))
                }
            },
        };
        let trusted_proxies = match var("TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(raw) => crate::client_ip::parse_list(&raw)
                .map_err(|m| err("TRUSTED_PROXIES", format!("{m} (got '{raw}')")))?,
        };
        // By default as many as PDF checks run at once: more would only
        // hold more bodies in memory while they wait for a check.
        let checks_at_once = crate::documents::work::permits() as i64;
        let uploads_at_once =
            number("UPLOADS_AT_ONCE", checks_at_once, 1..=64, "uploads")? as usize;
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
        // Reachable only from this machine: both the address users are given
        // and the one the server listens on.
        let loopback = is_loopback(&public_url) && bind_addr.ip().is_loopback();
        let (signhost, sandbox) = signhost::read(&var, &public_url, loopback)?;
        let token_seconds = number(
            "SANDBOX_SIGNICAT_TOKEN_SECONDS",
            3600,
            5..=86_400,
            "seconds",
        )?;
        let signicat = signicat::read(&var, &public_url, sandbox, token_seconds)?;
        let certeurope_sandbox_addr = match var("SANDBOX_CERTEUROPE_ADDR") {
            _ if !sandbox => None,
            Some(raw) if raw.eq_ignore_ascii_case("off") => None,
            raw => {
                let raw = raw.unwrap_or_else(|| DEFAULT_CERTEUROPE_SANDBOX_ADDR.to_string());
                Some(raw.parse().map_err(|_| {
                    err(
                        "SANDBOX_CERTEUROPE_ADDR",
                        format!("must be an address and port such as 127.0.0.1:3443, or off (got '{raw}')"),
                    )
                })?)
            }
        };
        let certeurope = certeurope::read(&var, certeurope_sandbox_addr.is_some())?;
        let hotsign = hotsign::read(&var, &public_url, sandbox, &database_url)?;
        let mut configured = vec![ProviderKind::Signhost];
        configured.extend(signicat.as_ref().map(|_| ProviderKind::Signicat));
        configured.extend(certeurope.as_ref().map(|_| ProviderKind::CertEurope));
        let default_provider =
            match var("DEFAULT_PROVIDER") {
                None => ProviderKind::Signhost,
                Some(raw) => {
                    match ProviderKind::parse(&raw) {
                        Some(kind) if configured.contains(&kind) => kind,
                        Some(other) => {
                            return Err(err(
                                "DEFAULT_PROVIDER",
                                format!(
                            "names {}, which is not configured on this portal (configured: {})",
                            other.label(),
                            configured.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                            ))
                        }
                        None => {
                            return Err(err(
                                "DEFAULT_PROVIDER",
                                format!(
                            "must be one of signhost, signicat, certeurope, hotsign (got '{raw}')"
                        ),
                            ))
                        }
                    }
                }
            };

        let organisation_name = match var("ORGANISATION_NAME") {
            None => "Signing portal".to_string(),
            Some(raw) if (1..=100).contains(&raw.trim().chars().count()) => raw.trim().to_string(),
            Some(_) => return Err(err("ORGANISATION_NAME", "must be 1 to 100 characters")),
        };
        let organisation_logo = match var("ORGANISATION_LOGO") {
            None => None,
            Some(raw) if logo_type(&raw).is_some() => Some(std::path::PathBuf::from(raw)),
            Some(raw) => {
                return Err(err(
                    "ORGANISATION_LOGO",
                    format!("must be a .png, .jpg, .webp or .svg file (got '{raw}')"),
                ))
            }
        };

        Ok(Config {
            sandbox,
            sandbox_exposed: sandbox && !loopback,
            database_url,
            public_url,
            bind_addr,
            signhost,
            certeurope_sandbox_addr,
            signicat,
            certeurope,
            hotsign,
            default_provider,
            max_upload_bytes,
            uploads_at_once,
            workers,
            quiet_hours,
            trusted_proxies,
            session_idle_minutes,
            session_max_hours,
            postback_rate,
            sandbox_clock_seconds,
            metrics_token,
            metrics_addr,
            organisation_name,
            organisation_logo,
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

/// Whether only this machine can reach `url` (a loopback address or `localhost`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
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
        let c = config(&[
            ("PUBLIC_URL", "https://sign.example.nl/portal"),
            ("SANDBOX", "on"),
        ])
        .unwrap();
        assert_eq!(c.public_url.as_str(), "https://sign.example.nl/portal/");
        assert_eq!(
            c.signhost.api_url.as_str(),
            "https://sign.example.nl/portal/sandbox/api/"
        );
        assert!(c.secure_cookies());
    }

    #[test]
    fn the_organisation_is_named_and_its_logo_must_be_an_image() {
        let c = config(&[]).unwrap();
        assert_eq!(c.organisation_name, "Signing portal");
        assert_eq!(c.organisation_logo, None);
        let c = config(&[
            ("ORGANISATION_NAME", " Makelaardij De Vries "),
            ("ORGANISATION_LOGO", "/etc/portal/logo.SVG"),
        ])
        .unwrap();
        assert_eq!(c.organisation_name, "Makelaardij De Vries");
        assert_eq!(logo_type("/etc/portal/logo.SVG"), Some("image/svg+xml"));
        assert_eq!(
            config(&[("ORGANISATION_LOGO", "logo.exe")])
                .unwrap_err()
                .var,
            "ORGANISATION_LOGO"
        );
        let long = "x".repeat(101);
        assert_eq!(
            config(&[("ORGANISATION_NAME", &long)]).unwrap_err().var,
            "ORGANISATION_NAME"
        );
        // Empty counts as unset, like every other variable.
        assert_eq!(
            config(&[("ORGANISATION_NAME", "  ")])
                .unwrap()
                .organisation_name,
            "Signing portal"
        );
    }

    #[test]
    fn metrics_are_closed_unless_a_token_or_a_loopback_listener() {
        let c = config(&[]).unwrap();
        assert!(c.metrics_token.is_none() && c.metrics_addr.is_none());
        assert_eq!(
            config(&[("METRICS_TOKEN", "short")]).unwrap_err().var,
            "METRICS_TOKEN"
        );
        let e = config(&[("METRICS_ADDR", "0.0.0.0:9464")]).unwrap_err();
        assert_eq!(e.var, "METRICS_ADDR");
        assert!(e.message.contains("loopback"), "{}", e.message);
        let c = config(&[
            ("METRICS_ADDR", "127.0.0.1:9464"),
            ("METRICS_TOKEN", "a-long-enough-metrics-token"),
        ])
        .unwrap();
        assert_eq!(c.metrics_addr, Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(
            c.metrics_token.unwrap().expose(),
            "a-long-enough-metrics-token"
        );
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
    fn session_lifetimes_are_configurable_and_checked() {
        let c = config(&[]).unwrap();
        assert_eq!((c.session_idle_minutes, c.session_max_hours), (120, 12));
        let c = config(&[("SESSION_IDLE_MINUTES", "30"), ("SESSION_MAX_HOURS", "8")]).unwrap();
        assert_eq!((c.session_idle_minutes, c.session_max_hours), (30, 8));
        for (var, bad) in [("SESSION_IDLE_MINUTES", "0"), ("SESSION_MAX_HOURS", "x")] {
            assert_eq!(config(&[(var, bad)]).unwrap_err().var, var);
        }
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

    const REAL: [(&str, &str); 4] = [
        ("SIGNHOST_API_URL", "https://api.signhost.com/api"),
        ("SIGNHOST_APP_KEY", "k"),
        ("SIGNHOST_USER_TOKEN", "t"),
        ("SIGNHOST_SHARED_SECRET", "s"),
    ];

    #[test]
    fn the_sandbox_makes_its_own_keys_and_real_signhost_needs_them() {
        let c = config(&[]).unwrap();
        assert!(c.sandbox && !c.sandbox_exposed);
        assert!(c.signhost.installation_keys);
        assert_eq!(c.signhost.app_key.expose(), "", "no fixed key");
        let real = config(&REAL).unwrap();
        assert_eq!(
            real.signhost.api_url.as_str(),
            "https://api.signhost.com/api/"
        );
        assert!(!real.sandbox, "off by default next to a real Signhost");
        assert!(!real.signhost.installation_keys);
        // Some keys but not all: say which one is missing.
        let e = config(&[("SIGNHOST_APP_KEY", "k")]).unwrap_err();
        assert_eq!(e.var, "SIGNHOST_USER_TOKEN");
    }

    #[test]
    fn the_sandbox_is_refused_next_to_a_real_service() {
        let mut vars = REAL.to_vec();
        vars.push(("SANDBOX", "on"));
        let e = config(&vars).unwrap_err();
        assert_eq!(e.var, "SANDBOX");
        assert!(e.message.contains("real Signhost"), "{}", e.message);
        // A stand-in on this machine is not a real service.
        let mut local = REAL.to_vec();
        local[0] = ("SIGNHOST_API_URL", "http://127.0.0.1:4000/api/");
        local.push(("SANDBOX", "on"));
        assert!(config(&local).unwrap().sandbox);
    }

    #[test]
    fn the_sandbox_is_on_by_default_only_on_loopback() {
        for local in [
            "http://127.0.0.1:3000",
            "http://localhost:8080/",
            "http://[::1]:3000",
        ] {
            let c = config(&[("PUBLIC_URL", local)]).unwrap();
            assert!(c.sandbox && !c.sandbox_exposed, "{local}");
        }
        let e = config(&[("PUBLIC_URL", "https://sign.example.nl")]).unwrap_err();
        assert_eq!(e.var, "SANDBOX");
        let e = config(&[
            ("BIND_ADDR", "0.0.0.0:3000"),
            ("PUBLIC_URL", "http://10.1.2.3:3000"),
        ])
        .unwrap_err();
        assert_eq!(e.var, "SANDBOX");
        // Listening on every interface is not loopback, whatever PUBLIC_URL says.
        let e = config(&[("BIND_ADDR", "0.0.0.0:3000")]).unwrap_err();
        assert_eq!(e.var, "SANDBOX");
        let c = config(&[("PUBLIC_URL", "https://sign.example.nl"), ("SANDBOX", "on")]).unwrap();
        assert!(
            c.sandbox && c.sandbox_exposed,
            "on when asked, with a warning"
        );
    }

    #[test]
    fn the_default_service_must_be_one_configured_here() {
        assert_eq!(
            config(&[]).unwrap().default_provider,
            ProviderKind::Signhost
        );
        let c = config(&[("DEFAULT_PROVIDER", "signhost")]).unwrap();
        assert_eq!(c.default_provider, ProviderKind::Signhost);
        // With the sandbox, Signicat's simulator is configured too.
        let c = config(&[("DEFAULT_PROVIDER", "signicat")]).unwrap();
        assert_eq!(c.default_provider, ProviderKind::Signicat);
        let real_signhost = [
            ("SIGNHOST_API_URL", "https://api.signhost.com/api/"),
            ("SIGNHOST_APP_KEY", "k"),
            ("SIGNHOST_USER_TOKEN", "t"),
            ("SIGNHOST_SHARED_SECRET", "s"),
            ("SANDBOX", "off"),
        ];
        let mut vars = real_signhost.to_vec();
        vars.push(("DEFAULT_PROVIDER", "signicat"));
        let e = config(&vars).unwrap_err();
        assert_eq!(e.var, "DEFAULT_PROVIDER");
        assert!(e.message.contains("not configured"), "{}", e.message);
        assert!(
            e.message.contains("(configured: signhost)"),
            "{}",
            e.message
        );
        let e = config(&[("DEFAULT_PROVIDER", "hotsign")]).unwrap_err();
        assert!(
            e.message.contains("configured: signhost, signicat"),
            "{}",
            e.message
        );
        let e = config(&[("DEFAULT_PROVIDER", "docusign")]).unwrap_err();
        assert!(e.message.contains("must be one of"), "{}", e.message);
    }

    #[test]
    fn a_real_hotsign_needs_https_its_app_and_consent_to_the_inferred_contract() {
        let c = config(&[]).unwrap();
        let h = c.hotsign.expect("the simulator with the sandbox");
        assert!(h.simulator);
        assert_eq!(h.api_url.as_str(), "http://127.0.0.1:3000/sandbox/hotsign/");
        assert!(h.key_file.ends_with("hotsign-token.key"));
        let real = [("HOTSIGN_API_URL", "https://api.hotsign.com")];
        let e = config(&real).unwrap_err();
        assert_eq!(e.var, "HOTSIGN_ALLOW_INFERRED_CONTRACT");
        assert!(e.message.contains("inferred"), "{}", e.message);
        let e = config(&[
            ("HOTSIGN_API_URL", "http://api.hotsign.com"),
            ("HOTSIGN_ALLOW_INFERRED_CONTRACT", "yes"),
        ])
        .unwrap_err();
        assert_eq!(e.var, "HOTSIGN_API_URL");
        let mut allowed = real.to_vec();
        allowed.push(("HOTSIGN_ALLOW_INFERRED_CONTRACT", "yes"));
        assert_eq!(config(&allowed).unwrap_err().var, "HOTSIGN_CLIENT_ID");
        allowed.extend([
            ("HOTSIGN_CLIENT_ID", "app"),
            ("HOTSIGN_CLIENT_SECRET", "hush-hush"),
        ]);
        let c = config(&allowed).unwrap();
        let h = c.hotsign.clone().unwrap();
        assert!(!h.simulator && h.api_url.as_str() == "https://api.hotsign.com/");
        assert!(!format!("{c:?}").contains("hush-hush"));
        let e = config(&[("HOTSIGN_TOKEN_KEY", "c2hvcnQ=")]).unwrap_err();
        assert_eq!(e.var, "HOTSIGN_TOKEN_KEY");
    }

    #[test]
    fn signicat_is_the_simulator_with_the_sandbox_or_a_real_one_with_its_credentials() {
        let c = config(&[]).unwrap();
        let s = c.signicat.expect("offered with the sandbox");
        assert_eq!(
            s.api_url.as_str(),
            "http://127.0.0.1:3000/sandbox/signicat/signature/"
        );
        assert_eq!(
            s.token_url.as_str(),
            "http://127.0.0.1:3000/sandbox/signicat/oauth/connect/token"
        );
        assert!(s.installation_keys);
        let off = [
            ("SIGNHOST_API_URL", "https://api.signhost.com/api/"),
            ("SIGNHOST_APP_KEY", "k"),
            ("SIGNHOST_USER_TOKEN", "t"),
            ("SIGNHOST_SHARED_SECRET", "s"),
            ("SANDBOX", "off"),
        ];
        assert!(
            config(&off).unwrap().signicat.is_none(),
            "not offered without the sandbox"
        );
        let mut real = off.to_vec();
        real.push(("SIGNICAT_API_URL", "https://api.signicat.io/signature"));
        let e = config(&real).unwrap_err();
        assert_eq!(e.var, "SIGNICAT_CLIENT_ID");
        real.extend([
            ("SIGNICAT_CLIENT_ID", "client"),
            ("SIGNICAT_CLIENT_SECRET", "very-secret"),
            ("SIGNICAT_WEBHOOK_SECRET", "hook-secret"),
        ]);
        let c = config(&real).unwrap();
        let s = c.signicat.clone().unwrap();
        assert_eq!(s.api_url.as_str(), "https://api.signicat.io/signature/");
        assert_eq!(
            s.token_url.as_str(),
            "https://api.signicat.io/oauth/connect/token"
        );
        assert!(!s.installation_keys);
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("very-secret") && !shown.contains("hook-secret"),
            "{shown}"
        );
        let e = config(&[("SIGNICAT_CLIENT_ID", "x")]).unwrap_err();
        assert_eq!(e.var, "SIGNICAT_API_URL");
        let e = config(&[("SANDBOX_SIGNICAT_TOKEN_SECONDS", "1")]).unwrap_err();
        assert_eq!(e.var, "SANDBOX_SIGNICAT_TOKEN_SECONDS");
    }

    #[test]
    fn secrets_never_print() {
        let c = config(&[
            ("SIGNHOST_APP_KEY", "app-key-123"),
            ("SIGNHOST_USER_TOKEN", "token-456"),
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
