//! Throttling of repeated failed sign-ins, per account and per client address.

use chrono::{DateTime, Duration, Utc};

use crate::error::AppError;
use crate::ssr::db::sign_in_failures::{self as failures, Scope};
use crate::ssr::db::Db;

#[derive(Clone, Debug)]
pub struct ThrottleRules {
    /// How far back failures count.
    pub window: Duration,
    /// Failures allowed for one email address within the window.
    pub per_account: i64,
    /// Failures allowed from one client address within the window.
    pub per_address: i64,
}

impl Default for ThrottleRules {
    fn default() -> Self {
        Self {
            window: Duration::minutes(15),
            per_account: 5,
            per_address: 20,
        }
    }
}

/// Refuses with `TooManyRequests` when either limit is reached.
pub async fn check(
    db: &Db,
    rules: &ThrottleRules,
    account: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let since = now - rules.window;
    for (scope, subject, limit) in [
        (Scope::Account, account, rules.per_account),
        (Scope::Address, address, rules.per_address),
    ] {
        let (count, oldest) = failures::recent(db, scope, subject, since)
            .await
            .map_err(crate::ssr::web::internal)?;
        if count >= limit {
            let retry_at = oldest.unwrap_or(now) + rules.window;
            let retry_after_secs = (retry_at - now).num_seconds().max(1) as u64;
            return Err(AppError::TooManyRequests { retry_after_secs });
        }
    }
    Ok(())
}

/// Counts a failed attempt against both the account and the address.
pub async fn record_failure(
    db: &Db,
    rules: &ThrottleRules,
    account: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    failures::record(db, Scope::Account, account, now).await?;
    failures::record(db, Scope::Address, address, now).await?;
    failures::prune(db, now - rules.window).await?;
    Ok(())
}

/// A successful sign-in forgets the account's failures.
pub async fn record_success(db: &Db, account: &str) -> Result<(), sqlx::Error> {
    failures::clear(db, Scope::Account, account).await
}
