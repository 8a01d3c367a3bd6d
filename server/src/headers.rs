//! Browser hardening on every response: a Content-Security-Policy with a
//! per-request nonce for scripts, no framing, no sniffing, a referrer and
//! permissions policy, HSTS behind https, and pages that hold signing links
//! or a signer's state kept out of caches and search engines.

use app::ssr::web::CspNonce;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy)]
pub struct Hardening {
    /// Send `Strict-Transport-Security` (the portal is served over https).
    pub hsts: bool,
    /// The build names its wasm, JavaScript and CSS after their content
    /// (`LEPTOS_HASH_FILES`), so a browser may keep them for good.
    pub hashed_assets: bool,
}

/// How long a browser may keep a static file. Files named after their
/// content (`/pkg/portal.<hash>.wasm`) never change: a year, immutable.
/// Any other static file may change with the next release: kept, but
/// checked against `Last-Modified` before each use. Pages are not static.
pub fn static_cache_control(path: &str, hashed_assets: bool) -> Option<&'static str> {
    if !is_static(path) {
        return None;
    }
    let named_by_content = hashed_assets
        && path.starts_with("/pkg/")
        && path
            .rsplit('/')
            .next()
            .is_some_and(|file| file.matches('.').count() >= 2);
    Some(if named_by_content {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    })
}

/// The policy for one response. Scripts: our own files, the nonce'd
/// hydration scripts and WebAssembly; inline style attributes are allowed
/// (field positions), inline scripts are not.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
         connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Pages a signer sees or that lead to a signing page.
fn is_signer_page(path: &str) -> bool {
    path.starts_with("/s/") || path == "/return" || path.starts_with("/sandbox/sign/")
}

fn is_static(path: &str) -> bool {
    ["/pkg/", "/js/", "/pdfjs/", "/assets/"]
        .iter()
        .any(|p| path.starts_with(p))
        || path == "/favicon.ico"
}

fn set_default(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if !headers.contains_key(&name) {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
}

pub async fn layer(State(h): State<Hardening>, mut req: Request, next: Next) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let path = req.uri().path().to_string();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let res_is_ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&content_security_policy(&nonce)).expect("ascii policy"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), interest-cohort=()",
        ),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if h.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // A private portal: nothing of it belongs in a search engine.
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    if is_signer_page(&path) {
        // Transaction ids and tokens are in these URLs.
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        set_default(headers, header::REFERRER_POLICY, "same-origin");
        match static_cache_control(&path, h.hashed_assets) {
            Some(policy) if res_is_ok => {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            }
            // Staff pages show signing links and personal data; a missing
            // file's answer is not kept either.
            _ => set_default(headers, header::CACHE_CONTROL, "no-store"),
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_nonced_inline_scripts() {
        let p = content_security_policy("abc123");
        let script = p
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert_eq!(
            script.trim(),
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"
        );
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(p.contains("object-src 'none'"));
    }

    #[test]
    fn signer_pages_are_recognised() {
        assert!(is_signer_page("/s/abc"));
        assert!(is_signer_page("/return"));
        assert!(is_signer_page("/sandbox/sign/t"));
        assert!(!is_signer_page("/requests/1"));
        assert!(is_static("/pkg/portal.wasm"));
        assert!(!is_static("/"));
    }

    #[test]
    fn content_named_files_are_kept_for_good_and_the_rest_revalidated() {
        let hashed = |p| static_cache_control(p, true);
        assert_eq!(
            hashed("/pkg/portal.3f2a9c81d0.wasm"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(
            hashed("/pkg/portal.3f2a9c81d0.js"),
            Some("public, max-age=31536000, immutable")
        );
        // Not named after its content, or a build without hashed names.
        assert_eq!(hashed("/pkg/portal.wasm"), Some("no-cache"));
        assert_eq!(hashed("/pdfjs/pdf.min.mjs"), Some("no-cache"));
        assert_eq!(hashed("/js/pdf-pages.js"), Some("no-cache"));
        assert_eq!(
            static_cache_control("/pkg/portal.3f2a9c81d0.wasm", false),
            Some("no-cache")
        );
        // Pages are never static.
        assert_eq!(hashed("/"), None);
        assert_eq!(hashed("/requests/1"), None);
    }
}
