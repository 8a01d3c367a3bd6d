//! `GET /return`: where a signing service sends a signer's browser after
//! signing or rejecting. It says what happened only once the portal's own
//! state (or a fresh look at the service) confirms it, never from the
//! service's parameters (Signhost's `sh_signerstatus`), shows nothing of
//! other signers or documents, and is rate-limited.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use app::model::tracking::SignerState;
use app::ssr::db::{requests, signer_links, tracking};
use app::ssr::state::AppState;
use app::ssr::web::ClientIp;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::brand::signer_page;
use crate::panic::escape;
use app::ssr::state::Brand;

#[derive(Clone)]
pub struct Landing {
    pub state: AppState,
    pub limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl Landing {
    pub fn new(state: AppState) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(30).expect("non-zero"));
        Landing {
            state,
            limiter: Arc::new(RateLimiter::keyed(quota)),
        }
    }
}

fn plausible(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The texts of the page in the signer's language (Dutch or English).
struct Words {
    lang: &'static str,
    signed: (&'static str, &'static str),
    rejected: (&'static str, &'static str),
    waiting: (&'static str, &'static str),
    /// The request ended (expired, cancelled) before this signer signed.
    ended: (&'static str, &'static str),
    neutral: (&'static str, &'static str),
    close: &'static str,
}

const ENGLISH: Words = Words {
    lang: "en",
    signed: ("Thank you for signing", "Your signature is confirmed. You will receive the signed documents by email when everyone has signed."),
    rejected: ("You declined to sign", "Your answer is confirmed and has been passed on to the sender."),
    waiting: ("We are confirming your signature…", "The signing service is still processing it. This page updates itself in a few seconds."),
    ended: ("This request is closed", "It was cancelled or it expired before your signature was recorded, so nothing more is needed from you. Ask the sender if you still want to sign."),
    neutral: ("Thank you", "There is nothing to show here. If you were signing a document, the sender will let you know the outcome."),
    close: "You can close this window.",
};

const DUTCH: Words = Words {
    lang: "nl",
    signed: ("Bedankt voor uw handtekening", "Uw handtekening is bevestigd. U ontvangt de ondertekende documenten per e-mail zodra iedereen heeft getekend."),
    rejected: ("U heeft afgezien van ondertekenen", "Uw antwoord is bevestigd en doorgegeven aan de afzender."),
    waiting: ("We bevestigen uw handtekening…", "De ondertekendienst verwerkt hem nog. Deze pagina ververst zichzelf over enkele seconden."),
    ended: ("Deze aanvraag is gesloten", "Hij is ingetrokken of verlopen voordat uw handtekening was vastgelegd; er is niets meer nodig van u. Vraag de afzender als u toch wilt tekenen."),
    neutral: ("Bedankt", "Hier valt niets te tonen. Als u een document ondertekende, laat de afzender u de uitkomst weten."),
    close: "U kunt dit venster sluiten.",
};

fn render(brand: &Brand, words: &Words, (title, text): (&str, &str), refresh: bool) -> Response {
    let body = format!(
        "<h1>{}</h1><p>{}</p><p class=\"muted\">{}</p>",
        escape(title),
        escape(text),
        escape(words.close)
    );
    let mut html = signer_page(brand, words.lang, title, &body);
    if refresh {
        html = html.replacen(
            "<head>",
            "<head><meta http-equiv=\"refresh\" content=\"3\">",
            1,
        );
    }
    let mut res = Html(html).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

pub async fn page_for(
    State(landing): State<Landing>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let brand = landing.state.brand.clone();
    if landing.limiter.check_key(&client).is_err() {
        let mut res = render(
            &brand,
            &ENGLISH,
            (
                "Please wait a moment",
                "Too many requests from your address. Try again in a minute.",
            ),
            false,
        );
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return res;
    }
    let neutral = || render(&brand, &ENGLISH, ENGLISH.neutral, false);
    let db = &landing.state.db;
    // The portal's own signer token (any service), else the service's own
    // parameters (Signhost's `sh_*`).
    let (provider, request_id, tid, signer_id) = match params.get("t") {
        Some(token) => {
            let Ok(Some(link)) = signer_links::find(db, token).await else {
                return neutral();
            };
            let Ok(Some(row)) = requests::find(db, link.request_id).await else {
                return neutral();
            };
            let (Some(provider), Some(tid)) =
                (landing.state.providers.of(&row.provider), row.external_id)
            else {
                return neutral();
            };
            (provider, link.request_id, tid, link.signer_id)
        }
        None => {
            let Some((provider, back)) = landing
                .state
                .providers
                .all()
                .find_map(|p| p.return_lookup(&params).map(|back| (p.clone(), back)))
            else {
                return neutral();
            };
            let (tid, signer_id) = (back.external_id, back.signer_id);
            if !plausible(&tid) || !plausible(&signer_id) {
                return neutral();
            }
            let Ok(Some(request_id)) =
                tracking::request_of(db, provider.kind().as_str(), &tid).await
            else {
                return neutral();
            };
            (provider, request_id, tid, signer_id)
        }
    };
    let Ok(Some(row)) = requests::find(db, request_id).await else {
        return neutral();
    };
    let signers = app::ssr::requests::signers_of(&row);
    let Some(signer) = signer_of(db, &row, &signers, &signer_id).await else {
        return neutral();
    };
    let words = if app::ssr::requests::language_of(&row, signer).starts_with("nl") {
        &DUTCH
    } else {
        &ENGLISH
    };

    let mut state = signer_state(db, request_id, &signer_id).await;
    let mut status = row.status();
    if state.as_deref() != Some("signed") && state.as_deref() != Some("rejected") {
        // Not confirmed yet: take a fresh look at the service (briefly).
        let look = app::ssr::tracking::refresh(db, provider.as_ref(), request_id, &tid);
        if let Ok(Ok(applied)) = tokio::time::timeout(Duration::from_secs(5), look).await {
            status = applied.status;
            state = signer_state(db, request_id, &signer_id).await;
        }
    }
    let ended = status.is_final();
    match state.as_deref() {
        Some("signed") => render(&brand, words, words.signed, false),
        Some("rejected") => render(&brand, words, words.rejected, false),
        // Not signed, and nothing more will come: say so, do not wait forever.
        _ if ended => render(&brand, words, words.ended, false),
        _ => render(&brand, words, words.waiting, true),
    }
}

/// The signer the service knows as `signer_id`: by the link saved when the
/// request was created, else by position (Signhost's `Signer{n}`).
async fn signer_of<'a>(
    db: &app::ssr::db::Db,
    row: &app::ssr::db::requests::RequestRow,
    signers: &'a [app::model::request::Signer],
    signer_id: &str,
) -> Option<&'a app::model::request::Signer> {
    let links = app::ssr::db::signer_links::list(db, row.id).await.ok()?;
    if let Some(link) = links.iter().find(|l| l.signer_id == signer_id) {
        return signers.iter().find(|s| s.key == link.signer_key);
    }
    let n: usize = signer_id.trim_start_matches("Signer").parse().ok()?;
    signers.get(n.wrapping_sub(1))
}

async fn signer_state(db: &app::ssr::db::Db, request_id: i64, signer_id: &str) -> Option<String> {
    let row = tracking::find(db, request_id).await.ok()??;
    let states: Vec<SignerState> = serde_json::from_str(&row.signer_states).ok()?;
    states
        .into_iter()
        .find(|s| s.id == signer_id)
        .map(|s| s.status)
}
