//! A working Hotsign access token, whenever the portal calls Hotsign: the
//! kept one while it has more than [`MARGIN_SECONDS`] left, else a fresh
//! one from the refresh token (Hotsign replaces the refresh token on use,
//! so the new pair is kept at once). A refresh token unused for 24 hours
//! has lapsed: then only an admin can reconnect, and what needs Hotsign
//! waits (its jobs are retried, never dropped).

use app::ssr::db::hotsign::{self as connection, ConnectionRow};
use app::ssr::db::Db;
use chrono::{DateTime, Duration, Utc};

use super::seal::TokenKey;

/// Refreshed this long before the access token ends.
pub const MARGIN_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TokenError {
    #[error("Hotsign is not connected: an admin must connect it on the Staff page")]
    NotConnected,
    #[error("the Hotsign connection lapsed on {} (UTC), 24 hours without use: an admin must reconnect it on the Staff page; Hotsign requests wait until then", .0.format("%Y-%m-%d %H:%M"))]
    Lapsed(DateTime<Utc>),
    #[error("{0}")]
    Service(hotsign::Error),
    #[error("the kept Hotsign tokens cannot be opened with this key: an admin must reconnect")]
    Sealed,
    #[error("database: {0}")]
    Database(String),
}

impl TokenError {
    /// Waiting helps (Hotsign or the database is back later); a lapsed or
    /// missing connection waits for an admin, and is retried too.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, TokenError::Service(e) if !e.is_retryable())
    }
}

impl From<sqlx::Error> for TokenError {
    fn from(e: sqlx::Error) -> Self {
        TokenError::Database(e.to_string())
    }
}

/// Where a connection stands, at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The access token still has time.
    Fresh,
    /// It must be refreshed first.
    Refresh,
    /// The refresh token is gone too.
    Lapsed,
}

pub fn standing(row: &ConnectionRow, now: DateTime<Utc>) -> Standing {
    if row.access_expires_at - Duration::seconds(MARGIN_SECONDS) > now {
        Standing::Fresh
    } else if row.refresh_expires_at > now {
        Standing::Refresh
    } else {
        Standing::Lapsed
    }
}

#[derive(Clone)]
pub struct Tokens {
    pub db: Db,
    pub client: hotsign::oauth::Client,
    pub key: TokenKey,
}

impl Tokens {
    /// An access token good for at least a few minutes.
    pub async fn access(&self) -> Result<String, TokenError> {
        let row = connection::find(&self.db)
            .await?
            .ok_or(TokenError::NotConnected)?;
        match standing(&row, Utc::now()) {
            Standing::Fresh => self.open("access", &row.access_sealed),
            Standing::Lapsed => Err(TokenError::Lapsed(row.refresh_expires_at)),
            Standing::Refresh => self.refresh(row).await,
        }
    }

    fn open(&self, purpose: &str, sealed: &str) -> Result<String, TokenError> {
        self.key
            .open(purpose, sealed)
            .map_err(|_| TokenError::Sealed)
    }

    async fn refresh(&self, row: ConnectionRow) -> Result<String, TokenError> {
        let refresh = self.open("refresh", &row.refresh_sealed)?;
        let asked = Utc::now();
        match self.client.refresh(&refresh).await {
            Ok(t) => {
                let kept = ConnectionRow {
                    access_sealed: self.key.seal("access", &t.access_token),
                    refresh_sealed: self.key.seal("refresh", &t.refresh_token),
                    access_expires_at: asked + Duration::seconds(t.expires_in),
                    refresh_expires_at: asked
                        + Duration::seconds(
                            t.refresh_expires_in
                                .unwrap_or(hotsign::oauth::REFRESH_SECONDS),
                        ),
                    ..row
                };
                connection::save(&self.db, &kept).await?;
                tracing::info!(account = %kept.account, "hotsign tokens refreshed");
                Ok(t.access_token)
            }
            Err(hotsign::Error::Unauthorized(why)) => {
                // Another instance may have used the refresh token first:
                // what it kept is then fresh.
                if let Some(now) = connection::find(&self.db).await? {
                    if now.refresh_sealed != row.refresh_sealed
                        && standing(&now, Utc::now()) == Standing::Fresh
                    {
                        return self.open("access", &now.access_sealed);
                    }
                }
                tracing::warn!(%why, "hotsign refresh refused: the connection lapsed");
                let since = asked.min(row.refresh_expires_at);
                connection::save(
                    &self.db,
                    &ConnectionRow {
                        refresh_expires_at: since,
                        ..row
                    },
                )
                .await?;
                Err(TokenError::Lapsed(since))
            }
            Err(e) => Err(TokenError::Service(e)),
        }
    }

    /// Revokes what can be revoked and forgets the tokens; what Hotsign
    /// said, when it did not take a revocation.
    pub async fn disconnect(&self) -> Result<Vec<String>, TokenError> {
        let Some(row) = connection::find(&self.db).await? else {
            return Ok(Vec::new());
        };
        let mut unrevoked = Vec::new();
        for (purpose, sealed, hint) in [
            ("refresh", &row.refresh_sealed, "refresh_token"),
            ("access", &row.access_sealed, "access_token"),
        ] {
            let alive = match purpose {
                "refresh" => row.refresh_expires_at > Utc::now(),
                _ => row.access_expires_at > Utc::now(),
            };
            if !alive {
                continue;
            }
            match self.open(purpose, sealed) {
                Ok(token) => {
                    if let Err(e) = self.client.revoke(&token, hint).await {
                        unrevoked.push(format!("the {purpose} token: {e}"));
                    }
                }
                Err(e) => unrevoked.push(format!("the {purpose} token: {e}")),
            }
        }
        connection::delete(&self.db).await?;
        tracing::info!(account = %row.account, "hotsign disconnected");
        Ok(unrevoked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(access_in: i64, refresh_in: i64) -> ConnectionRow {
        let now = Utc::now();
        ConnectionRow {
            account: "a@example.com".into(),
            access_sealed: String::new(),
            refresh_sealed: String::new(),
            access_expires_at: now + Duration::seconds(access_in),
            refresh_expires_at: now + Duration::seconds(refresh_in),
            connected_by: None,
            connected_at: now,
        }
    }

    #[test]
    fn a_token_is_refreshed_before_it_ends_and_lapses_with_its_refresh_token() {
        let now = Utc::now();
        assert_eq!(standing(&row(3600, 86_400), now), Standing::Fresh);
        assert_eq!(
            standing(&row(MARGIN_SECONDS - 1, 86_400), now),
            Standing::Refresh
        );
        assert_eq!(standing(&row(-10, 60), now), Standing::Refresh);
        assert_eq!(standing(&row(-10, -1), now), Standing::Lapsed);
    }
}
