//! CertEurope SignAPI's settings: `CERTEUROPE_API_URL` (e.g.
//! `https://sign-sandbox.certeurope.fr/`), the client certificate and key
//! CertEurope issued as PEM files (`CERTEUROPE_CLIENT_CERT`,
//! `CERTEUROPE_CLIENT_KEY`), an optional CA bundle (`CERTEUROPE_CA_CERT`),
//! the optional `CERTEUROPE_CLIENT_IDENTIFIER` and the PAdES level
//! (`CERTEUROPE_SIGNATURE_LEVEL`: B, T, LT or LTA). Without an API URL the
//! built-in simulator stands in whenever the sandbox and its TLS port are
//! on; its address and certificates are known once it listens.

use std::path::PathBuf;

use certeurope::model::SignatureLevel;
use certeurope::Tls;
use url::Url;

use super::{err, parse_http_url, with_trailing_slash, ConfigError};

#[derive(Clone, Debug)]
pub struct CertEuropeSettings {
    /// `None`: the built-in simulator (filled in when it listens).
    pub api_url: Option<Url>,
    pub tls: Tls,
    pub client_identifier: Option<String>,
    pub level: SignatureLevel,
}

const FILES: [&str; 3] = [
    "CERTEUROPE_CLIENT_CERT",
    "CERTEUROPE_CLIENT_KEY",
    "CERTEUROPE_CA_CERT",
];

fn pem_file(var: &'static str, path: &str) -> Result<Vec<u8>, ConfigError> {
    let bytes = std::fs::read(PathBuf::from(path))
        .map_err(|e| err(var, format!("cannot be read ({path}): {e}")))?;
    if !String::from_utf8_lossy(&bytes).contains("-----BEGIN ") {
        return Err(err(
            var,
            format!("is not a PEM file ({path}); the README shows how to turn CertEurope's .p12 into PEM files"),
        ));
    }
    Ok(bytes)
}

/// CertEurope's settings, or `None` when it is not offered.
pub(super) fn read(
    var: &impl Fn(&str) -> Option<String>,
    simulator: bool,
) -> Result<Option<CertEuropeSettings>, ConfigError> {
    let level = match var("CERTEUROPE_SIGNATURE_LEVEL") {
        None => SignatureLevel::default(),
        Some(raw) => SignatureLevel::parse(&raw).ok_or_else(|| {
            err(
                "CERTEUROPE_SIGNATURE_LEVEL",
                format!("must be B, T, LT or LTA (got '{raw}')"),
            )
        })?,
    };
    let client_identifier = var("CERTEUROPE_CLIENT_IDENTIFIER").filter(|s| !s.trim().is_empty());
    let Some(raw) = var("CERTEUROPE_API_URL") else {
        if let Some(name) = FILES.iter().find(|n| var(n).is_some()) {
            return Err(err(
                "CERTEUROPE_API_URL",
                format!("is missing: {name} is set, so name the real SignAPI too (e.g. https://sign-sandbox.certeurope.fr/)"),
            ));
        }
        return Ok(simulator.then(|| CertEuropeSettings {
            api_url: None,
            tls: Tls::default(),
            client_identifier,
            level,
        }));
    };
    let api_url = with_trailing_slash(parse_http_url("CERTEUROPE_API_URL", &raw)?);
    if api_url.scheme() != "https" {
        return Err(err(
            "CERTEUROPE_API_URL",
            "must be https: SignAPI authenticates the portal by its client certificate",
        ));
    }
    let required = |name: &'static str| {
        let path = var(name).ok_or_else(|| {
            err(
                name,
                "is required when CERTEUROPE_API_URL is set (a PEM file)",
            )
        })?;
        pem_file(name, &path)
    };
    let tls = Tls {
        client_cert_pem: required("CERTEUROPE_CLIENT_CERT")?,
        client_key_pem: required("CERTEUROPE_CLIENT_KEY")?,
        ca_pem: match var("CERTEUROPE_CA_CERT") {
            Some(p) => Some(pem_file("CERTEUROPE_CA_CERT", &p)?),
            None => None,
        },
    };
    Ok(Some(CertEuropeSettings {
        api_url: Some(api_url),
        tls,
        client_identifier,
        level,
    }))
}
