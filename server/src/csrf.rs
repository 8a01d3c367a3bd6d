//! Cross-site request forgery: every state-changing request from a browser
//! must come from the portal's own pages. Browsers say where a request comes
//! from (`Sec-Fetch-Site`, else `Origin`); a request carrying neither (an old
//! browser, a script) must instead echo the `portal_csrf` cookie in an
//! `X-CSRF-Token` header or a `csrf_token` form field, which another site
//! cannot read. Webhooks and the sandbox's API are exempt by design: they
//! are authenticated by their own checks (checksums, API keys).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

pub const COOKIE: &str = "portal_csrf";
pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "csrf_token";

#[derive(Debug, Clone)]
pub struct Csrf {
    /// `scheme://host[:port]` of `PUBLIC_URL`.
    pub origin: String,
    pub secure: bool,
}

impl Csrf {
    pub fn new(public_url: &url::Url) -> Self {
        Self {
            origin: public_url.origin().ascii_serialization(),
            secure: public_url.scheme() == "https",
        }
    }
}

/// Paths that other systems call, each authenticated on its own.
pub fn is_exempt(path: &str) -> bool {
    const MACHINE_APIS: [&str; 8] = [
        "/hooks/",
        "/sandbox/api/",
        "/sandbox/signicat/oauth/",
        "/sandbox/signicat/signature/",
        "/sandbox/signicat/notification/",
        // The Hotsign simulator's token endpoints and API (its authorize
        // page is a browser form and stays protected).
        "/sandbox/hotsign/oauth/token",
        "/sandbox/hotsign/oauth/revoke",
        "/sandbox/hotsign/v1/",
    ];
    path == "/signhost/postback" || MACHINE_APIS.iter().any(|p| path.starts_with(p))
}

/// What the browser's own headers say about a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused,
    /// Neither header: a token is needed.
    NeedsToken,
}

pub fn judge(sec_fetch_site: Option<&str>, origin: Option<&str>, own: &str) -> Verdict {
    match (sec_fetch_site, origin) {
        (Some("same-origin" | "none"), _) => Verdict::Allowed,
        (Some(_), _) => Verdict::Refused,
        (None, Some(o)) if o == own => Verdict::Allowed,
        (None, Some(_)) => Verdict::Refused,
        (None, None) => Verdict::NeedsToken,
    }
}

fn cookie_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() >= 32)
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        "This request did not come from the portal's own pages, so it was refused. Reload the page and try again.",
    )
        .into_response()
}

const FORM_LIMIT: usize = 1024 * 1024;

pub async fn layer(State(csrf): State<Csrf>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path().to_string();
    let had_cookie = cookie_token(&req).is_some();
    let req = if safe || is_exempt(&path) {
        req
    } else {
        let verdict = {
            let get = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
            judge(get("sec-fetch-site"), get("origin"), &csrf.origin)
        };
        match verdict {
            Verdict::Allowed => req,
            Verdict::Refused => return refused(),
            Verdict::NeedsToken => match with_token(req).await {
                Some(req) => req,
                None => return refused(),
            },
        }
    };
    let mut res = next.run(req).await;
    if safe && !had_cookie && !path.starts_with("/pkg/") {
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let secure = if csrf.secure { "; Secure" } else { "" };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{COOKIE}={token}; Path=/; SameSite=Strict{secure}"
        )) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// The request back if it carries the cookie's token in the header or in
/// its form body.
async fn with_token(req: Request) -> Option<Request> {
    let expected = cookie_token(&req)?;
    if let Some(sent) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return same(sent, &expected).then_some(req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT).await.ok()?;
    let ok = url::form_urlencoded::parse(&bytes).any(|(k, v)| k == FIELD && same(&v, &expected));
    ok.then(|| Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://127.0.0.1:3000";

    #[test]
    fn the_browser_headers_decide_when_present() {
        assert_eq!(judge(Some("same-origin"), None, OWN), Verdict::Allowed);
        assert_eq!(judge(Some("none"), None, OWN), Verdict::Allowed);
        assert_eq!(judge(Some("same-site"), Some(OWN), OWN), Verdict::Refused);
        assert_eq!(judge(Some("cross-site"), Some(OWN), OWN), Verdict::Refused);
        assert_eq!(judge(None, Some(OWN), OWN), Verdict::Allowed);
        assert_eq!(
            judge(None, Some("http://127.0.0.1:3001"), OWN),
            Verdict::Refused
        );
        assert_eq!(judge(None, Some("null"), OWN), Verdict::Refused);
        assert_eq!(judge(None, None, OWN), Verdict::NeedsToken);
    }

    #[test]
    fn only_webhooks_and_the_sandbox_api_are_exempt() {
        assert!(is_exempt("/signhost/postback"));
        assert!(is_exempt("/hooks/signicat"));
        assert!(is_exempt("/sandbox/api/transaction"));
        assert!(!is_exempt("/sandbox/clock"));
        assert!(is_exempt("/sandbox/hotsign/oauth/token"));
        assert!(!is_exempt("/sandbox/hotsign/oauth/authorize"));
        assert!(!is_exempt("/api/sign_in"));
        assert!(!is_exempt("/sandbox/sign/abc/sign"));
        assert!(is_exempt("/sandbox/signicat/oauth/connect/token"));
        assert!(is_exempt("/sandbox/signicat/signature/documents"));
        assert!(!is_exempt("/sandbox/signicat/sign/d/s/sign"));
    }
}
