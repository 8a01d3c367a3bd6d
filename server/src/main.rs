// The pages' view types nest deeply; release builds need the room.
#![recursion_limit = "256"]

use clap::Parser;
use server::cli::{self, Cli, Command};
use server::config::Config;
use tracing_subscriber::EnvFilter;

/// mimalloc: rendering a page allocates many small strings, and it returns
/// freed upload buffers to the system sooner than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,lopdf=error")),
        )
        .init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => run(config).await,
        Command::CreateAdmin { email, name } => match cli::read_password() {
            Ok(password) => cli::create_admin(&config, &email, &name, &password).await,
            Err(e) => Err(e),
        },
        Command::SandboxKeys => cli::print_sandbox_keys(&config).await,
        Command::Backup { to } => cli::backup(&config, &to).await,
        Command::Restore { from } => cli::restore(&config, &from).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    // While it runs, `server restore` refuses to replace its database.
    let _running = match server::backup::sqlite_file(&config.database_url)? {
        Some(file) => Some(server::backup::Running::mark(&file)?),
        None => None,
    };
    let db = server::open_database(&config).await?;
    let options = server::leptos_options(&config)?;
    let router = server::build_router(&config, db.clone(), options).await?;
    let listener = tokio::net::TcpListener::bind(config.bind_addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {} (BIND_ADDR): {e}", config.bind_addr))?;
    tracing::info!(
        address = %config.bind_addr,
        public_url = %config.public_url,
        database = db.backend(),
        signhost = %config.signhost.api_url,
        "portal listening"
    );
    if let Some(addr) = config.metrics_addr {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr} (METRICS_ADDR): {e}"))?;
        tracing::info!(address = %addr, "metrics listening");
        let routes = server::metrics::loopback_routes(db.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, routes).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    server::serve(listener, router, server::shutdown_signal()).await?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}
