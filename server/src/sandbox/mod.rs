//! The built-in Signhost sandbox: Signhost's REST API at `/sandbox/api/`,
//! a signing page at each `SignUrl`, and signed PDFs and receipts, with its
//! state in the portal's database. Lets the whole journey run on a machine
//! without a Signhost account.

mod api;
pub mod clock;
mod finish;
pub mod pdf;
pub mod postbacks;
mod preview;
mod sign;
mod store;
pub mod validate;

use std::sync::Arc;

use app::ssr::db::Db;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use url::Url;

/// What the sandbox needs to know.
#[derive(Debug)]
pub struct Sandbox {
    pub db: Db,
    pub app_key: String,
    pub user_token: String,
    pub shared_secret: String,
    /// The portal's public address (`SignUrl`s and file links point here).
    pub public_url: Url,
    /// Seconds the sandbox clock runs ahead of real time (moved by tests).
    pub clock_offset: std::sync::atomic::AtomicI64,
}

pub type Shared = Arc<Sandbox>;

/// Restores the sandbox clock, starts its background work and returns its routes.
pub async fn start(sandbox: Sandbox) -> Result<Router, sqlx::Error> {
    clock::restore(&sandbox).await?;
    let shared = Arc::new(sandbox);
    let ticking = shared.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = clock::tick(&ticking).await {
                tracing::warn!(error = %e.message, "sandbox clock tick failed");
            }
        }
    });
    let delivering = shared.clone();
    tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        loop {
            match postbacks::deliver_due(&delivering, &http).await {
                Ok(0) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox postback delivery failed");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(routes(shared))
}

fn routes(sandbox: Shared) -> Router {
    Router::new()
        .route("/sandbox/api/transaction", post(api::create))
        .route(
            "/sandbox/api/transaction/{id}",
            get(api::get).delete(api::delete),
        )
        .route(
            "/sandbox/api/transaction/{id}/file/{file_id}",
            put(api::put_file).get(api::get_file),
        )
        .route("/sandbox/api/transaction/{id}/start", put(api::start))
        .route("/sandbox/api/file/receipt/{id}", get(api::receipt))
        .route("/sandbox/mail", get(clock::mailbox))
        .route("/sandbox/clock", post(clock::advance))
        .route("/sandbox/sign/{token}", get(sign::page))
        .route("/sandbox/sign/{token}/sign", post(sign::sign))
        .route("/sandbox/sign/{token}/reject", post(sign::reject))
        .route("/sandbox/sign/{token}/file/{file_id}", get(sign::file))
        .layer(DefaultBodyLimit::max(
            signhost::MAX_FILE_BYTES + 1024 * 1024,
        ))
        .with_state(sandbox)
}
