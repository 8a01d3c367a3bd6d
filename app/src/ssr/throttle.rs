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

/// Attempts taken with [`take`], given back on success.
#[derive(Debug)]
pub struct Attempt {
    ids: Vec<i64>,
}

/// Takes an attempt against both the account and the address before the
/// password is checked, or refuses with `TooManyRequests` (and the time to
/// wait) when either limit is reached. Atomic per subject, so a burst of
/// concurrent attempts gets exactly the allowed number through.
pub async fn take(
    db: &Db,
    rules: &ThrottleRules,
    account: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Attempt, AppError> {
    let since = now - rules.window;
    let mut taken = Vec::new();
    for (scope, subject, limit) in [
        (Scope::Account, account, rules.per_account),
        (Scope::Address, address, rules.per_address),
    ] {
        let slot = failures::reserve(db, scope, subject, since, limit, now)
            .await
            .map_err(crate::ssr::web::internal)?;
        match slot {
            Some(id) => taken.push(id),
            None => {
                for id in taken {
                    let _ = failures::release(db, id).await;
                }
                let (_, oldest) = failures::recent(db, scope, subject, since)
                    .await
                    .map_err(crate::ssr::web::internal)?;
                let retry_at = oldest.unwrap_or(now) + rules.window;
                let retry_after_secs = (retry_at - now).num_seconds().max(1) as u64;
                return Err(AppError::TooManyRequests { retry_after_secs });
            }
        }
    }
    Ok(Attempt { ids: taken })
}

/// The attempt succeeded: it is given back, and the account's earlier
/// failures are forgotten.
pub async fn succeeded(db: &Db, attempt: Attempt, account: &str) -> Result<(), sqlx::Error> {
    for id in attempt.ids {
        failures::release(db, id).await?;
    }
    failures::clear(db, Scope::Account, account).await
}

/// The attempt was never made (the server was too busy): given back, and
/// nothing else changes.
pub async fn give_back(db: &Db, attempt: Attempt) -> Result<(), sqlx::Error> {
    for id in attempt.ids {
        failures::release(db, id).await?;
    }
    Ok(())
}

/// The attempt failed: it stays counted; old failures are pruned.
pub async fn failed(db: &Db, rules: &ThrottleRules, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    failures::prune(db, now - rules.window).await.map(|_| ())
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
