//! Session storage in the portal's own database, on either backend.

use async_trait::async_trait;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::ssr::db::Db;

pub const COOKIE_NAME: &str = "portal_session";

/// A tower-sessions store on whichever backend the portal runs on.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    /// Creates the store and its table.
    pub async fn new(db: &Db) -> Result<Self, sqlx::Error> {
        Ok(match db {
            Db::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await?;
                Store::Sqlite(store)
            }
            Db::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone());
                store.migrate().await?;
                Store::Postgres(store)
            }
        })
    }

    /// The session layer: HttpOnly, SameSite=Lax, Secure when served over https.
    /// The stored record lives as long as a session may (`max_hours`); the
    /// idle timeout and the absolute lifetime are checked on every request
    /// (`auth::session_user`).
    pub fn layer(self, secure: bool, max_hours: i64) -> SessionManagerLayer<Store> {
        SessionManagerLayer::new(self)
            .with_name(COOKIE_NAME)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_expiry(Expiry::OnInactivity(
                tower_sessions::cookie::time::Duration::hours(max_hours),
            ))
    }

    /// Removes expired sessions every `period`, until the process ends.
    pub fn spawn_cleanup(&self, period: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                if let Err(err) = store.delete_expired().await {
                    tracing::warn!(error = %err, "could not delete expired sessions");
                }
            }
        })
    }
}

macro_rules! on_store {
    ($s:expr, $inner:ident => $body:expr) => {
        match $s {
            Store::Sqlite($inner) => $body,
            Store::Postgres($inner) => $body,
        }
    };
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, s => s.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, s => s.save(record).await)
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, s => s.load(session_id).await)
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        on_store!(self, s => s.delete(session_id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_store!(self, s => s.delete_expired().await)
    }
}
