//! The organisation on the pages signers see (the landing page after
//! signing, the signing link that is no longer active): its name, and its
//! logo served at `/brand/logo`.

use std::sync::Arc;

use app::ssr::state::{AppState, Brand};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::config::{logo_type, Config};
use crate::panic::escape;
use crate::routes::At;

/// The largest logo accepted.
const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The brand from the configuration; a logo that cannot be read stops the
/// start with a message that says why.
pub fn load(config: &Config) -> anyhow::Result<Brand> {
    let logo = match &config.organisation_logo {
        None => None,
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                anyhow::anyhow!("ORGANISATION_LOGO {} cannot be read: {e}", path.display())
            })?;
            if bytes.len() > MAX_LOGO_BYTES {
                anyhow::bail!(
                    "ORGANISATION_LOGO {} is {} kB; a logo may be at most 512 kB",
                    path.display(),
                    bytes.len() / 1024
                );
            }
            let kind = logo_type(&path.to_string_lossy()).unwrap_or("application/octet-stream");
            Some((bytes, kind))
        }
    };
    Ok(Brand {
        name: config.organisation_name.clone(),
        logo,
    })
}

pub fn routes(state: AppState) -> Router {
    Router::new()
        .at("/brand/logo", get(logo))
        .with_state(state.brand.clone())
}

async fn logo(State(brand): State<Arc<Brand>>) -> Response {
    let Some((bytes, kind)) = brand.logo.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    // The portal's Content-Security-Policy covers it too: an SVG opened on
    // its own runs no inline script.
    res
}

/// A page for signers: the organisation above the message, in `lang`.
pub fn signer_page(brand: &Brand, lang: &str, title: &str, body: &str) -> String {
    let logo = if brand.logo.is_some() {
        format!(
            "<img class=\"brand-logo\" src=\"/brand/logo\" alt=\"{}\">",
            escape(&brand.name)
        )
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {name}</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head>\
         <body><main class=\"center-page\"><div class=\"card narrow\">\
         <p class=\"signer-brand\">{logo}<span>{name}</span></p>{body}</div></main></body></html>",
        lang = escape(lang),
        title = escape(title),
        name = escape(&brand.name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_the_organisation_escaped_and_shows_the_logo_when_there_is_one() {
        let plain = Brand {
            name: "De Vries & Zn <makelaars>".into(),
            logo: None,
        };
        let html = signer_page(&plain, "nl", "Bedankt", "<h1>Bedankt</h1>");
        assert!(html.contains("<html lang=\"nl\">"));
        assert!(html.contains("<span>De Vries &amp; Zn &lt;makelaars&gt;</span>"));
        assert!(!html.contains("<img"));
        let with_logo = Brand {
            logo: Some((b"<svg/>".to_vec(), "image/svg+xml")),
            ..plain
        };
        assert!(signer_page(&with_logo, "en", "Thanks", "").contains("src=\"/brand/logo\""));
    }
}
