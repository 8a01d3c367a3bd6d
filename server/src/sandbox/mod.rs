//! The built-in simulators of the signing services, with their state in
//! the portal's database, so the whole journey runs on a machine without an
//! account. `common` holds what every simulator reuses (clock, outbound
//! webhook queue, PDF marks, signing page shell); `signhost` is Signhost's
//! REST API at `/sandbox/api/`, a signing page at each `SignUrl`, signed PDFs
//! and receipts; `signicat` is Signicat's Express API at `/sandbox/signicat/`;
//! `certeurope` SignAPI on its own TLS port; `hotsign` Hotsign at `/sandbox/hotsign/`.

pub mod certeurope;
pub mod common;
pub mod hotsign;
pub mod signhost;
pub mod signicat;

pub use common::pdf;
use signhost::{api, sign, time};

use crate::routes::At;
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
    /// The Signicat simulator's credentials.
    pub signicat: self::signicat::Keys,
    /// Lifetime of the Signicat simulator's access tokens.
    pub signicat_token_seconds: i64,
    /// The Hotsign simulator's registered app.
    pub hotsign: self::hotsign::Keys,
    /// The SignAPI simulator's state (its one-time codes show in the mailbox).
    pub certeurope: self::certeurope::Sim,
    /// Seconds the sandbox clock runs ahead of real time (moved by tests).
    pub clock_offset: std::sync::atomic::AtomicI64,
    /// How often the clock makes its round (`SANDBOX_CLOCK_SECONDS`).
    pub clock_every: std::time::Duration,
}

pub type Shared = Arc<Sandbox>;

/// Who is looking at the sandbox's tools (set by the portal's sign-in guard).
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub admin: bool,
}

/// The sandbox's routes: its API and signing pages (open to anyone with the
/// keys or a signing link, as at Signhost), and its test tools (mailbox and
/// clock), which the portal serves to signed-in staff only.
pub struct Routes {
    pub api: Router,
    pub tools: Router,
}

/// Random values made on first start and kept in the database, so every
/// instance and restart uses the same ones.
async fn installation_values<const N: usize>(
    db: &Db,
    names: [&str; N],
) -> Result<[String; N], sqlx::Error> {
    let mut values = Vec::new();
    for name in names {
        let fresh = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        // Several instances may start at once: the first key stored wins.
        app::ssr::db::sandbox::insert_setting_if_absent(db, name, &fresh).await?;
        let stored = app::ssr::db::sandbox::get_setting(db, name).await?;
        values.push(stored.unwrap_or(fresh));
    }
    Ok(values.try_into().expect("one value per name"))
}

/// The installation's Signicat simulator credentials.
pub async fn signicat_keys(db: &Db) -> Result<self::signicat::Keys, sqlx::Error> {
    let [client_id, client_secret, webhook_secret, signing_key] = installation_values(
        db,
        [
            "signicat.client_id",
            "signicat.client_secret",
            "signicat.webhook_secret",
            "signicat.signing_key",
        ],
    )
    .await?;
    Ok(self::signicat::Keys {
        client_id: format!("sandbox-{}", &client_id[..16]),
        client_secret,
        webhook_secret,
        signing_key,
    })
}

/// The installation's Hotsign simulator app.
pub async fn hotsign_keys(db: &Db) -> Result<self::hotsign::Keys, sqlx::Error> {
    let [client_id, client_secret] =
        installation_values(db, ["hotsign.client_id", "hotsign.client_secret"]).await?;
    Ok(self::hotsign::Keys {
        client_id: format!("sandbox-{}", &client_id[..16]),
        client_secret,
    })
}

/// The installation's sandbox keys for Signhost.
pub async fn installation_keys(db: &Db) -> Result<crate::config::SandboxKeys, sqlx::Error> {
    let [app_key, user_token, shared_secret] = installation_values(
        db,
        ["keys.app_key", "keys.user_token", "keys.shared_secret"],
    )
    .await?;
    Ok(crate::config::SandboxKeys {
        app_key,
        user_token,
        shared_secret,
    })
}

/// Restores the sandbox clock, starts its background work and returns its routes.
pub async fn start(sandbox: Sandbox) -> Result<Routes, sqlx::Error> {
    common::clock::restore(&sandbox).await?;
    self::signicat::notify::install(&sandbox).await?;
    let shared = Arc::new(sandbox);
    // Each round of the clocks is claimed in the database: with several
    // instances on one database, one of them does it.
    let instance = uuid::Uuid::new_v4().to_string();
    let packaging = shared.clone();
    let me = instance.clone();
    tokio::spawn(async move {
        // Packaging follows a signature within seconds; deadlines by the clock.
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            every.tick().await;
            // Another instance may have moved the clock.
            if let Err(e) = common::clock::restore(&packaging).await {
                tracing::warn!(error = %e, "sandbox clock not read");
            }
            if !claim_round(&packaging, "signicat-sandbox-clock", &me, 900).await {
                continue;
            }
            if let Err(e) = self::signicat::sign::tick(&packaging).await {
                tracing::warn!(status = e.status, "signicat sandbox tick failed");
            }
        }
    });
    let ticking = shared.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(ticking.clock_every);
        // The next round is due a little before this instance's next tick,
        // so the instance that did one usually does the next.
        let next_ms = (ticking.clock_every.as_millis() as i64) * 9 / 10;
        loop {
            every.tick().await;
            if !claim_round(&ticking, CLOCK_ROUND, &instance, next_ms).await {
                continue;
            }
            if let Err(e) = time::tick(&ticking).await {
                tracing::warn!(error = %e.message, "sandbox clock tick failed");
            }
        }
    });
    let delivering = shared.clone();
    tokio::spawn(async move {
        // Postbacks go only to the portal itself (checked at create); no
        // redirects are followed elsewhere.
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        loop {
            match common::outbound::deliver_due(&delivering, &http).await {
                Ok(0) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox postback delivery failed");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(Routes {
        tools: Router::new()
            .at("/sandbox/mail", get(time::mailbox))
            .at("/sandbox/clock", post(time::advance))
            .with_state(shared.clone())
            .merge(self::hotsign::tools(shared.clone())),
        api: routes(shared.clone())
            .merge(self::signicat::routes(shared.clone()))
            .merge(self::hotsign::routes(shared)),
    })
}

/// The periodic duty of the Signhost sandbox's clock (reminders, expiry).
pub const CLOCK_ROUND: &str = "signhost-sandbox-clock";

/// Whether this instance does the round of `duty` that is due now (the
/// next one `next_ms` later); false when another instance has it.
pub async fn claim_round(s: &Sandbox, duty: &str, instance: &str, next_ms: i64) -> bool {
    let now = chrono::Utc::now();
    let next = now + chrono::Duration::milliseconds(next_ms);
    match app::ssr::db::periodic::claim(&s.db, duty, instance, now, next).await {
        Ok(mine) => mine,
        Err(e) => {
            tracing::warn!(error = %e, duty, "periodic duty not claimed");
            false
        }
    }
}

fn routes(sandbox: Shared) -> Router {
    Router::new()
        .at("/sandbox/api/transaction", post(api::create))
        .at(
            "/sandbox/api/transaction/{id}",
            get(api::get).delete(api::delete),
        )
        .at(
            "/sandbox/api/transaction/{id}/file/{file_id}",
            put(api::put_file).get(api::get_file),
        )
        .at("/sandbox/api/transaction/{id}/start", put(api::start))
        .at("/sandbox/api/file/receipt/{id}", get(api::receipt))
        .at("/sandbox/sign/{token}", get(sign::page))
        .at("/sandbox/sign/{token}/sign", post(sign::sign))
        .at("/sandbox/sign/{token}/reject", post(sign::reject))
        .at("/sandbox/sign/{token}/file/{file_id}", get(sign::file))
        .layer(DefaultBodyLimit::max(
            ::signhost::MAX_FILE_BYTES + 1024 * 1024,
        ))
        .with_state(sandbox)
}
