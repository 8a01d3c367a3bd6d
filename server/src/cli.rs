//! Command-line tasks.

use std::io::{BufRead, IsTerminal};

use app::error::AppError;
use app::ssr::staff::{self, NewStaff};
use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    about = "The signing portal: prepare and track electronic signing requests."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal (the default).
    Serve,
    /// Create an admin account. The password is asked for at a terminal,
    /// or read as one line from standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Print the built-in sandbox's keys for this installation (made on
    /// first use), as environment variables for a Signhost client.
    SandboxKeys,
    /// Copy the SQLite database to a new file, consistently, while the
    /// portal runs (PostgreSQL: use pg_dump).
    Backup {
        /// The new file to write.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Put a backup in place of the SQLite database (every portal on it
    /// must be stopped; the replaced database is kept beside it).
    Restore {
        /// The backup to put back.
        #[arg(long)]
        from: std::path::PathBuf,
    },
}

/// `server backup --to FILE`.
pub async fn backup(config: &Config, to: &std::path::Path) -> anyhow::Result<()> {
    let db = crate::open_database(config).await?;
    let result = crate::backup::backup(&db, to).await;
    db.close().await;
    let bytes = result?;
    println!(
        "Backed up to {} ({:.1} MB).",
        to.display(),
        bytes as f64 / 1_048_576.0
    );
    Ok(())
}

/// `server restore --from FILE`.
pub async fn restore(config: &Config, from: &std::path::Path) -> anyhow::Result<()> {
    let Some(database) = crate::backup::sqlite_file(&config.database_url)? else {
        anyhow::bail!(
            "the portal runs on PostgreSQL: restore with pg_restore (see the README, \"Backups\")"
        );
    };
    match crate::backup::restore(from, &database).await? {
        Some(kept) => println!(
            "Restored {} from {}; the database it replaced is kept at {}.",
            database.display(),
            from.display(),
            kept.display()
        ),
        None => println!("Restored {} from {}.", database.display(), from.display()),
    }
    Ok(())
}

/// Prints the sandbox keys of the database in `config`.
pub async fn print_sandbox_keys(config: &Config) -> anyhow::Result<()> {
    let db = crate::open_database(config).await?;
    let keys = crate::sandbox::installation_keys(&db).await?;
    println!("SIGNHOST_APP_KEY={}", keys.app_key);
    println!("SIGNHOST_USER_TOKEN={}", keys.user_token);
    println!("SIGNHOST_SHARED_SECRET={}", keys.shared_secret);
    db.close().await;
    Ok(())
}

/// Reads the new password: twice at a terminal, else one line of stdin.
pub fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password for the new admin: ")?;
        let again = rpassword::prompt_password("Type it again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub async fn create_admin(
    config: &Config,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<()> {
    let db = crate::open_database(config).await?;
    let input = NewStaff {
        email,
        display_name: name,
        role: "admin",
        password,
    };
    let result = staff::create(&db, input).await;
    db.close().await;
    match result {
        Ok(member) => {
            println!(
                "Created admin {} <{}> (id {}).",
                member.display_name, member.email, member.id
            );
            Ok(())
        }
        Err(AppError::Validation(fields)) => {
            let lines: Vec<String> = fields
                .errors
                .iter()
                .map(|(f, m)| format!("  {f}: {m}"))
                .collect();
            anyhow::bail!("the admin was not created:\n{}", lines.join("\n"))
        }
        Err(other) => anyhow::bail!("the admin was not created: {other}"),
    }
}
