//! The db room: free functions over [`Db`], one file per table.
//!
//! One binary serves SQLite and PostgreSQL; the backend is chosen at run time
//! from `DATABASE_URL`. SQL is shared where it can be (`$1` placeholders work
//! on both) and [`on_pool!`] compiles each query once per backend.

pub mod activities;
pub mod archive;
pub mod audit;
mod blob;
pub mod dashboard;
pub mod documents;
pub mod evidence;
pub mod hotsign;
pub mod invitations;
pub mod jobs;
pub mod periodic;
pub mod postbacks;
pub mod requests;
pub mod sandbox;
pub mod sandbox_hotsign;
pub mod sandbox_postbacks;
pub mod sandbox_signicat;
pub mod sign_in_failures;
pub mod signer_links;
pub mod tracking;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("../migrations/postgres");

/// A pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of `$db`.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::ssr::db::Db::Sqlite($pool) => $body,
            $crate::ssr::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A transaction on one of the two backends, owned by the caller: the
/// writes made through it land together or not at all.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// Where a query runs: straight on the pool, or inside the caller's
/// transaction. Functions of the db room that take `impl Into<Ex>` accept
/// `&Db` and `&mut Tx` alike.
pub enum Ex<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Ex<'a> {
    fn from(db: &'a Db) -> Self {
        Ex::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Ex::Tx(tx)
    }
}

impl Ex<'_> {
    /// The same place, for one more query.
    pub fn again(&mut self) -> Ex<'_> {
        match self {
            Ex::Db(db) => Ex::Db(db),
            Ex::Tx(tx) => Ex::Tx(tx),
        }
    }
}

/// Runs `$body` with `$e` bound to an executor for `$ex` (an [`Ex`]): the
/// pool, or the connection of the caller's transaction.
macro_rules! on_ex {
    ($ex:expr, $e:ident => $body:expr) => {
        match $ex {
            $crate::ssr::db::Ex::Db($crate::ssr::db::Db::Sqlite($e)) => $body,
            $crate::ssr::db::Ex::Db($crate::ssr::db::Db::Postgres($e)) => $body,
            $crate::ssr::db::Ex::Tx($crate::ssr::db::Tx::Sqlite(t)) => {
                let $e = &mut **t;
                $body
            }
            $crate::ssr::db::Ex::Tx($crate::ssr::db::Tx::Postgres(t)) => {
                let $e = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_ex;

impl Db {
    /// Connects to `url`: `postgres://…` / `postgresql://…` for PostgreSQL,
    /// `sqlite:…` for SQLite (file and its folder created if missing, WAL,
    /// foreign keys on).
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        if is_postgres_url(url) {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
            }
        }
        // A local file cannot drop a connection the way a server can, so the
        // ping before each use (a round trip to the connection's thread) is skipped.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await,
        }
    }

    /// Opens a transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes
    /// waits for other writers instead of failing half-way.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// True when `err` is a violation of a unique constraint or index.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}
