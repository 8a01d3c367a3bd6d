// The pages' view types nest deeply; release builds need the room.
#![recursion_limit = "256"]

use clap::Parser;
use server::cli::{self, Cli, Command};
use server::config::Config;
use tracing_subscriber::EnvFilter;

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
    server::serve(listener, router, server::shutdown_signal()).await?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}
