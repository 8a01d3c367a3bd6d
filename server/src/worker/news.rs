//! The worker's news duties: stored postbacks and webhooks (each only a
//! hint to ask the service), and the periodic check of requests still
//! waiting (reconciliation). Both end in `tracking::refresh`.

use app::ssr::db::{activities, postbacks, requests, tracking};
use app::ssr::provider::ProviderError;
use app::ssr::tracking::refresh;
use chrono::{Duration, Utc};

use super::Worker;

/// Longest wait between two checks of a request that its service did not answer for.
const MAX_CHECK_BACKOFF_MINUTES: i64 = 60;

impl Worker {
    /// Processes one stored message: recognises unknown requests and those
    /// already covered by a later fetch (a burst gives one fetch), then
    /// asks the service for the truth and applies that. False when none was due.
    pub async fn process_postback(&self) -> sqlx::Result<bool> {
        let now = Utc::now();
        // Held for a minute: if this process dies meanwhile, another takes the
        // postback over then (applying one twice changes nothing).
        let Some(p) = postbacks::claim(&self.db, now, now + Duration::minutes(1)).await? else {
            return Ok(false);
        };
        let quarantine = |reason: &'static str| {
            postbacks::settle(&self.db, p.id, "quarantined", Some(reason), None, now)
        };
        let Some(external_id) = p.external_id.clone() else {
            quarantine("no transaction id").await?;
            return Ok(true);
        };
        let Some(provider) = self.providers.of(&p.provider) else {
            quarantine("for a service this portal does not use").await?;
            return Ok(true);
        };
        let Some(request_id) = tracking::request_of(&self.db, &p.provider, &external_id).await?
        else {
            quarantine("unknown transaction").await?;
            return Ok(true);
        };
        tracking::postback_seen(&self.db, request_id, now).await?;
        if postbacks::covered(&self.db, &p, request_id).await? {
            let events = provider.events_of(p.body.as_bytes());
            if !events.is_empty() {
                activities::merge(&self.db, request_id, &events).await?;
            }
            // What it hinted at is known: the service was asked after it came.
            let (state, note) = if postbacks::repeats(&self.db, &p).await? {
                ("duplicate", None)
            } else {
                (
                    "applied",
                    Some("known from the service, asked after this arrived"),
                )
            };
            postbacks::settle(&self.db, p.id, state, note, Some(request_id), now).await?;
            return Ok(true);
        }
        match refresh(&self.db, provider.as_ref(), request_id, &external_id).await {
            Ok(_) => {
                let events = provider.events_of(p.body.as_bytes());
                if !events.is_empty() {
                    activities::merge(&self.db, request_id, &events).await?;
                }
                postbacks::settle(&self.db, p.id, "applied", None, Some(request_id), now).await?;
            }
            Err(ProviderError::Retry(e) | ProviderError::Paused(e)) => {
                // The service or the database failed; nothing of it was kept
                // (one transaction): try again soon.
                let wait = 2i64.saturating_pow(p.attempts.clamp(0, 10) as u32).min(600);
                tracing::warn!(postback_id = p.id, error = %e, wait, "postback not applied; will retry");
                postbacks::retry_later(&self.db, p.id, &e, now + Duration::seconds(wait)).await?;
            }
            Err(e) => {
                postbacks::settle(
                    &self.db,
                    p.id,
                    "quarantined",
                    Some(&e.message()),
                    Some(request_id),
                    now,
                )
                .await?;
            }
        }
        self.wake.notify_one();
        Ok(true)
    }

    /// Checks the requests whose check is due, so that a lost or blocked
    /// message cannot leave a request waiting forever. Returns how many were checked.
    pub async fn reconcile_due(&self) -> sqlx::Result<usize> {
        let now = Utc::now();
        let mut checked = 0;
        for (id, failures) in tracking::due_checks(&self.db, now, 20).await? {
            if !tracking::claim_check(&self.db, id, now, now + Duration::minutes(5)).await? {
                continue;
            }
            checked += 1;
            let result = match requests::find(&self.db, id).await? {
                Some(row) => match (self.providers.of(&row.provider), row.external_id) {
                    (Some(provider), Some(external_id)) => {
                        refresh(&self.db, provider.as_ref(), id, &external_id).await
                    }
                    _ => Err(ProviderError::Refused(format!(
                        "{} is not configured on this portal",
                        row.provider
                    ))),
                },
                None => continue,
            };
            match result {
                Ok(applied) => {
                    if applied.changed {
                        tracing::info!(
                            request_id = id,
                            status = applied.status.as_str(),
                            "check found news"
                        );
                    }
                    let next =
                        now + Duration::from_std(self.check_every).unwrap_or(Duration::minutes(5));
                    tracking::schedule_check(&self.db, id, next, 0).await?;
                }
                Err(e) => {
                    let minutes = 2i64
                        .saturating_pow(failures.clamp(0, 6) as u32)
                        .min(MAX_CHECK_BACKOFF_MINUTES);
                    tracing::warn!(request_id = id, error = %e, minutes, "check failed; trying later");
                    tracking::schedule_check(
                        &self.db,
                        id,
                        now + Duration::minutes(minutes),
                        failures + 1,
                    )
                    .await?;
                }
            }
        }
        Ok(checked)
    }
}
