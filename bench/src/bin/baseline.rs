//! The bare baselines of the benchmarks: what the same machine does with
//! none of the portal's work, measured in the same run as the portal.
//!
//!   baseline page ADDR BYTES      GET / answers a fixed HTML page of BYTES
//!   baseline insert ADDR DB_URL   POST / stores the body as one row, in its
//!                                 own transaction (SQLite in WAL mode with
//!                                 synchronous=FULL, as the portal; or
//!                                 PostgreSQL), then answers 200

use std::str::FromStr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

const TABLE: &str =
    "CREATE TABLE IF NOT EXISTS bare_postbacks (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)";
const TABLE_SQLITE: &str =
    "CREATE TABLE IF NOT EXISTS bare_postbacks (id INTEGER PRIMARY KEY, body TEXT NOT NULL)";
const INSERT: &str = "INSERT INTO bare_postbacks (body) VALUES ($1)";

async fn insert(State(pool): State<Pool>, body: Bytes) -> StatusCode {
    let body = String::from_utf8_lossy(&body).into_owned();
    let done = match &pool {
        Pool::Sqlite(p) => sqlx::query(INSERT).bind(body).execute(p).await.map(|_| ()),
        Pool::Postgres(p) => sqlx::query(INSERT).bind(body).execute(p).await.map(|_| ()),
    };
    match done {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: baseline page ADDR BYTES | baseline insert ADDR DB_URL";
    let (mode, addr, what) = match &args[..] {
        [_, mode, addr, what] => (mode.as_str(), addr.as_str(), what.as_str()),
        _ => return Err(usage.into()),
    };
    let app = match mode {
        "page" => {
            let bytes: usize = what.parse()?;
            let mut page =
                String::from("<!DOCTYPE html><html><head><title>Baseline</title></head><body>");
            while page.len() + 14 < bytes {
                page.push_str("<p>baseline</p>");
            }
            page.push_str("</body></html>");
            let page = Arc::new(page);
            Router::new().route(
                "/",
                get(move || {
                    let page = page.clone();
                    async move { axum::response::Html(page.as_str().to_owned()) }
                }),
            )
        }
        "insert" => {
            let pool = if what.starts_with("postgres") {
                let pool = PgPoolOptions::new()
                    .max_connections(10)
                    .connect(what)
                    .await?;
                sqlx::query(TABLE).execute(&pool).await?;
                Pool::Postgres(pool)
            } else {
                let options = SqliteConnectOptions::from_str(what)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(std::time::Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await?;
                sqlx::query(TABLE_SQLITE).execute(&pool).await?;
                Pool::Sqlite(pool)
            };
            Router::new().route("/", post(insert)).with_state(pool)
        }
        _ => return Err(usage.into()),
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
