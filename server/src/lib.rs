//! The portal's axum server: configuration, router wiring, non-Leptos
//! endpoints and command-line tasks.

// The pages' view types nest deeply; release builds need the room.
#![recursion_limit = "256"]

pub mod assets;
pub mod backup;
pub mod brand;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod csrf;
pub mod documents;
pub mod fn_errors;
pub mod guard;
pub mod headers;
pub mod health;
pub mod hosted;
pub mod links;
pub mod metrics;
pub mod panic;
pub mod private_file;
pub mod providers;
pub mod routes;
pub mod sandbox;
pub mod tracking;
pub mod worker;

use std::net::SocketAddr;

use app::ssr::db::Db;
use app::ssr::sessions::Store;
use app::ssr::state::AppState;
use app::{shell, App};
use axum::Router;
use http::{HeaderName, Request};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::Config;

/// Connects to the database and applies its migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot open the database {}: {e}",
            config::redact_url(&config.database_url)
        )
    })?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot apply database migrations: {e}"))?;
    Ok(db)
}

/// Leptos settings: from cargo-leptos's environment when it built us,
/// with the portal's own name and bind address.
pub fn leptos_options(config: &Config) -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)?.leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "portal".into();
    }
    options.site_addr = config.bind_addr;
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        let exe_dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
            .unwrap_or_default();
        let pkg_dir =
            std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
        options.hash_files = assets::hashed_build_present(
            &exe_dir,
            &options.hash_file,
            &pkg_dir,
            &options.output_name,
        );
    }
    Ok(options)
}

/// The whole application: pages, server functions, health checks and the
/// layers around them.
pub async fn build_router(
    config: &Config,
    db: Db,
    options: LeptosOptions,
) -> anyhow::Result<Router> {
    build_router_with(config, db, options, Vec::new()).await
}

/// [`build_router`] with more signing services than the configuration
/// names (adapters not configured through variables, such as a test's).
pub async fn build_router_with(
    config: &Config,
    db: Db,
    options: LeptosOptions,
    more_providers: Vec<std::sync::Arc<dyn app::ssr::provider::Provider>>,
) -> anyhow::Result<Router> {
    let mut config = config.clone();
    if config.signhost.installation_keys {
        let keys = sandbox::installation_keys(&db).await?;
        config.signhost.use_installation_keys(&keys);
    }
    // The Signicat simulator's own credentials (also when a real Signicat is used).
    let signicat_keys = if config.sandbox {
        sandbox::signicat_keys(&db).await?
    } else {
        Default::default()
    };
    if let Some(s) = config.signicat.as_mut() {
        s.use_installation_keys(&signicat_keys);
    }
    if config.sandbox_exposed {
        tracing::warn!(
            public_url = %config.public_url,
            "SANDBOX=on at an address other machines can reach: anyone with a signing link can sign in the sandbox; use a real Signhost for real documents"
        );
    }
    // The SignAPI simulator listens before the adapters are made: they need its address.
    let certeurope = if config.sandbox {
        sandbox::certeurope::Sim::restored(&db).await?
    } else {
        sandbox::certeurope::Sim::new()
    };
    if let (true, Some(addr)) = (config.sandbox, config.certeurope_sandbox_addr) {
        let started = start_certeurope_sandbox(&db, &config, addr, certeurope.clone()).await?;
        if let Some(c) = config.certeurope.as_mut().filter(|c| c.api_url.is_none()) {
            if let Some((at, tls)) = started {
                c.api_url = Some(format!("https://{at}/").parse()?);
                c.tls = tls;
            }
        }
    }
    if let Some(h) = config.hotsign.as_mut().filter(|h| h.simulator) {
        let keys = sandbox::hotsign_keys(&db).await?;
        h.client_id = keys.client_id;
        h.client_secret = config::Secret::new(keys.client_secret);
    }
    let config = &config;
    let mut state = AppState::new(db.clone());
    state.max_upload_bytes = config.max_upload_bytes;
    state.quiet_hours = config.quiet_hours;
    state.hotsign_connectable = config.hotsign.is_some();
    state.brand = std::sync::Arc::new(brand::load(config)?);
    state.sessions = app::ssr::auth::SessionRules {
        idle: chrono::Duration::minutes(config.session_idle_minutes),
        absolute: chrono::Duration::hours(config.session_max_hours),
    };
    state.providers = configured_providers(config, &db).with(more_providers);
    let worker = start_worker(&state);
    if config.workers {
        worker.spawn();
    }
    let store = Store::new(&db).await?;
    store.spawn_cleanup(std::time::Duration::from_secs(3600));
    let routes = generate_route_list(App);

    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let request_id = HeaderName::from_static(app::ssr::web::REQUEST_ID_HEADER);

    let options_hash_files = options.hash_files;
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        .with_state(options)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::require_sign_in,
        ));

    let mut router = Router::new()
        .merge(metrics::routes(
            db.clone(),
            config
                .metrics_token
                .as_ref()
                .map(|t| t.expose().to_string()),
        ))
        .merge(health::routes(state.clone()))
        .merge(documents::routes(state.clone(), config.uploads_at_once))
        .merge(links::routes(state.clone()))
        .merge(hosted::routes(state.clone()))
        .merge(hotsign_routes(config, &state)?)
        .merge(brand::routes(state.clone()))
        .merge(tracking::routes(
            state.clone(),
            tracking::flood::FloodRules {
                per_second: config.postback_rate,
                ..Default::default()
            },
        ));
    if config.sandbox {
        let routes = sandbox::start(sandbox::Sandbox {
            db: db.clone(),
            app_key: config.signhost.app_key.expose().to_string(),
            user_token: config.signhost.user_token.expose().to_string(),
            shared_secret: config.signhost.shared_secret.expose().to_string(),
            public_url: config.public_url.clone(),
            signicat: signicat_keys,
            signicat_token_seconds: config
                .signicat
                .as_ref()
                .map_or(3600, |s| s.sandbox_token_seconds),
            hotsign: sandbox::hotsign_keys(&db).await?,
            certeurope: certeurope.clone(),
            clock_offset: Default::default(),
            clock_every: std::time::Duration::from_secs(config.sandbox_clock_seconds),
        })
        .await?;
        router = router.merge(routes.api).merge(routes.tools.layer(
            axum::middleware::from_fn_with_state(state.clone(), guard::require_staff),
        ));
    }
    metrics::handle();
    let router = router
        .merge(pages)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(store.layer(config.secure_cookies(), config.session_max_hours))
        .layer(axum::middleware::from_fn_with_state(
            csrf::Csrf::new(&config.public_url),
            csrf::layer,
        ))
        .layer(axum::middleware::from_fn(fn_errors::layer))
        .layer(axum::middleware::from_fn(panic::catch_panic))
        .layer(axum::middleware::from_fn_with_state(
            headers::Hardening {
                hsts: config.secure_cookies(),
                hashed_assets: options_hash_files,
            },
            headers::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(config.trusted_proxies.clone()),
            client_ip::layer,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get(app::ssr::web::REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid));
    Ok(router)
}

/// Starts the SignAPI simulator on its TLS port, with the installation's
/// test CA, and writes the CA and a client certificate and key as PEM
/// files. Returns where it listens and the portal's TLS settings for it;
/// a port already taken is reported and the portal runs on without it.
async fn start_certeurope_sandbox(
    db: &Db,
    config: &Config,
    addr: SocketAddr,
    sim: sandbox::certeurope::Sim,
) -> anyhow::Result<Option<(SocketAddr, ::certeurope::Tls)>> {
    let pki = sandbox::certeurope::pki::installation(db).await?;
    let dir = sandbox::certeurope::pki::files_dir(&config.database_url);
    match pki.write_files(&dir) {
        Ok(f) => tracing::info!(
            ca = %f.ca.display(),
            client_cert = %f.cert.display(),
            client_key = %f.key.display(),
            "CertEurope SignAPI simulator: test CA and client certificate written"
        ),
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot write the CertEurope simulator's PEM files")
        }
    }
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => {
            let at = sandbox::certeurope::serve(listener, &pki, sim)?;
            tracing::info!(address = %format!("https://{at}/"), "CertEurope SignAPI simulator listening (client certificate required)");
            Ok(Some((at, pki.client_tls())))
        }
        Err(e) => {
            tracing::warn!(%addr, error = %e, "the CertEurope SignAPI simulator cannot listen (set SANDBOX_CERTEUROPE_ADDR); CertEurope is not offered");
            Ok(None)
        }
    }
}

/// Hotsign's client and the key its tokens are sealed with, when Hotsign
/// is configured.
fn hotsign_parts(
    config: &Config,
) -> anyhow::Result<Option<(::hotsign::oauth::Client, providers::hotsign::seal::TokenKey)>> {
    use providers::hotsign::seal::TokenKey;
    let Some(h) = &config.hotsign else {
        return Ok(None);
    };
    let key = match &h.token_key {
        Some(k) => TokenKey::from_base64(k.expose())?,
        None => TokenKey::load_or_create(&h.key_file)?,
    };
    let client = ::hotsign::oauth::Client::new(
        h.api_url.clone(),
        ::hotsign::oauth::App {
            client_id: h.client_id.clone(),
            client_secret: h.client_secret.expose().to_string(),
            redirect_uri: format!("{}hotsign/callback", config.public_url),
        },
    );
    Ok(Some((client, key)))
}

/// Connecting a Hotsign account, when Hotsign is configured.
fn hotsign_routes(config: &Config, state: &AppState) -> anyhow::Result<Router> {
    let Some((client, key)) = hotsign_parts(config)? else {
        return Ok(Router::new());
    };
    Ok(providers::hotsign::connect::routes(
        providers::hotsign::connect::Connect {
            app: state.clone(),
            client,
            key,
        },
    ))
}

/// The signing services this portal is configured for.
pub fn configured_providers(config: &Config, db: &Db) -> app::ssr::provider::Providers {
    let s = &config.signhost;
    let client =
        signhost::Client::new(s.api_url.clone(), s.app_key.expose(), s.user_token.expose());
    let signhost = providers::signhost(
        client,
        config.postback_url(),
        config.landing_url(),
        s.shared_secret.expose().to_string(),
    );
    let mut list = vec![signhost];
    if let Some(s) = &config.signicat {
        let client = ::signicat::Client::new(
            s.api_url.clone(),
            s.token_url.clone(),
            ::signicat::Credentials {
                client_id: s.client_id.clone(),
                client_secret: s.client_secret.expose().to_string(),
            },
        );
        list.push(providers::signicat(
            client,
            config.landing_url(),
            s.webhook_secret.expose().to_string(),
        ));
    }
    if let Some(c) = &config.certeurope {
        let made = c
            .api_url
            .clone()
            .ok_or_else(|| "the simulator is not listening".to_string())
            .and_then(|url| ::certeurope::Client::new(url, &c.tls).map_err(|e| e.to_string()));
        match made {
            Ok(client) => list.push(providers::certeurope(
                client,
                db.clone(),
                c,
                format!("{}hooks/certeurope", config.public_url),
            )),
            Err(e) => tracing::warn!(error = %e, "CertEurope SignAPI is not offered"),
        }
    }
    match hotsign_parts(config) {
        Ok(Some((client, key))) => {
            list.push(providers::hotsign(providers::hotsign::tokens::Tokens {
                db: db.clone(),
                client,
                key,
            }))
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "Hotsign is not offered: its token key cannot be read")
        }
    }
    providers::registry(list, config.default_provider)
}

/// The worker that sends started requests and follows them.
pub fn start_worker(state: &AppState) -> worker::Worker {
    let mut worker = worker::Worker::with_providers(state.db.clone(), state.providers.clone());
    worker.wake = state.work.clone();
    worker
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes
/// the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Pages stream in several writes: without TCP_NODELAY the last one
    // waits for the browser's delayed ACK (about 40 ms per page).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    // PDF checks in progress stop at their next step instead of running on.
    documents::guard::stop_all();
    tracing::info!("shutting down: finishing requests in flight");
}
