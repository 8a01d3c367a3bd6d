//! Access control for pages, checked on the server for every request:
//! anonymous visitors go to sign-in, staff get 403 on admin pages.
//! (Server functions check the session themselves.)

use app::model::Role;
use app::ssr::auth;
use app::ssr::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

const SIGN_IN: &str = "/sign-in";

/// Paths anyone may fetch: static files, server functions and the upload
/// (which check the session themselves and answer 401), and the pages for
/// signers and Signhost, the organisation's logo, and the one-time links
/// with which staff choose a password.
fn is_public(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/assets/")
        || path.starts_with("/js/")
        || path.starts_with("/pdfjs/")
        || path.starts_with("/api/")
        || path.starts_with("/s/")
        || path.starts_with("/signhost/")
        || path.starts_with("/welcome/")
        || path == "/brand/logo"
        || path == "/return"
        || matches!(path, "/favicon.ico" | "/robots.txt")
}

fn is_admin_only(path: &str) -> bool {
    ["/staff", "/postbacks"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

pub async fn require_sign_in(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if is_public(&path) {
        return next.run(req).await;
    }
    let user = match auth::session_user(&session, &state).await {
        Ok(user) => user,
        Err(err) => {
            return crate::panic::error_page(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string())
        }
    };
    match (user, path.as_str()) {
        (None, SIGN_IN) => next.run(req).await,
        (None, _) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next_param: String =
                url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            Redirect::to(&format!("{SIGN_IN}?next={next_param}")).into_response()
        }
        (Some(_), SIGN_IN) => Redirect::to("/").into_response(),
        (Some(user), p) if is_admin_only(p) && user.role() != Role::Admin => forbidden(),
        (Some(user), _) => {
            req.extensions_mut().insert(auth::SeenUser(user));
            next.run(req).await
        }
    }
}

/// For tools that only staff may use (the sandbox's mailbox and clock):
/// anonymous visitors are sent to sign in (or refused, for a form post).
pub async fn require_staff(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let user = match auth::session_user(&session, &state).await {
        Ok(user) => user,
        Err(err) => {
            return crate::panic::error_page(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string())
        }
    };
    match user {
        Some(user) => {
            req.extensions_mut().insert(crate::sandbox::Viewer {
                admin: user.role() == Role::Admin,
            });
            next.run(req).await
        }
        None if req.method() == axum::http::Method::GET => {
            let target = req.uri().path().to_string();
            let next_param: String =
                url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            Redirect::to(&format!("{SIGN_IN}?next={next_param}")).into_response()
        }
        None => (StatusCode::UNAUTHORIZED, "Please sign in to continue.").into_response(),
    }
}

fn forbidden() -> Response {
    let body = crate::panic::page(
        "No access",
        "<h1>No access</h1><p>This page is for admins of the portal. \
         Ask an admin if you need something changed.</p><a class=\"button\" href=\"/\">Go to requests</a>",
    );
    (StatusCode::FORBIDDEN, Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_files_and_server_functions_are_public() {
        assert!(is_public("/pkg/portal.wasm"));
        assert!(is_public("/api/sign_in"));
        assert!(is_public("/favicon.ico"));
        assert!(!is_public("/"));
        assert!(!is_public("/staff"));
        assert!(!is_public("/apix"));
    }

    #[test]
    fn staff_pages_are_admin_only() {
        assert!(is_admin_only("/staff"));
        assert!(is_admin_only("/staff/12"));
        assert!(!is_admin_only("/staffing"));
        assert!(is_admin_only("/postbacks"));
        assert!(!is_admin_only("/"));
    }
}
