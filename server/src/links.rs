//! The portal's link per signer (no sign-in), which sends the browser on to
//! the signer's current signing page at the service, or shows the page
//! the portal hosts ([`crate::hosted`]) for a service without one.

use crate::routes::At;
use app::model::request::RequestStatus;
use app::ssr::db::{requests, signer_links};
use app::ssr::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::brand::signer_page;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .at("/s/{token}", get(follow))
        .with_state(state)
}

fn no_referrer(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

async fn follow(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<crate::hosted::PageQuery>,
) -> Response {
    let link = match signer_links::find(&state.db, &token).await {
        Ok(link) => link,
        Err(e) => {
            tracing::error!(error = %e, "signer link lookup failed");
            return crate::panic::error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The signing page cannot be opened right now. Please try again in a minute.",
            );
        }
    };
    let row = match &link {
        Some(l) => requests::find(&state.db, l.request_id).await.ok().flatten(),
        None => None,
    };
    let status = row.as_ref().map(|r| r.status());
    // The signer's language, for the page that says the link is not active.
    let dutch = match (&link, &row) {
        (Some(l), Some(row)) => app::ssr::requests::signers_of(row)
            .iter()
            .find(|s| s.key == l.signer_key)
            .is_some_and(|s| app::ssr::requests::language_of(row, s).starts_with("nl")),
        _ => false,
    };
    match (link, status) {
        (Some(link), Some(RequestStatus::Waiting)) if !link.sign_url.is_empty() => {
            no_referrer(Redirect::to(&link.sign_url).into_response())
        }
        // The portal hosts the page (a service without one of its own).
        (Some(link), Some(_)) if link.sign_url.is_empty() => {
            match crate::hosted::show(&state, &token, &query).await {
                Some(page) => page,
                None => not_active(&state, dutch),
            }
        }
        _ => not_active(&state, dutch),
    }
}

/// The page that says a signing link is not active.
fn not_active(state: &AppState, dutch: bool) -> Response {
    let (lang, title, body) = if dutch {
        (
            "nl",
            "Link niet actief",
            "<h1>Deze ondertekenlink is niet actief</h1><p>De aanvraag is misschien al afgerond, \
             ingetrokken of vervangen. Moet u nog tekenen, vraag de afzender dan om een nieuwe link.</p>",
        )
    } else {
        (
            "en",
            "Link not active",
            "<h1>This signing link is not active</h1><p>The request may have been completed, \
             cancelled or replaced. If you still need to sign, ask the sender for a new link.</p>",
        )
    };
    no_referrer(
        (
            StatusCode::NOT_FOUND,
            Html(signer_page(&state.brand, lang, title, body)),
        )
            .into_response(),
    )
}
