//! The outbound webhook queue every simulator uses: messages to the
//! portal, one in flight per URL and in order; failures are retried with
//! growing delays while later messages for that URL wait.

use std::time::Duration;

use app::ssr::db::sandbox_postbacks as queue;
use chrono::Utc;

use crate::sandbox::Sandbox;

/// Attempts before a postback is given up (Signhost gives up after 48–72 hours;
/// the sandbox compresses its schedule into minutes).
pub const MAX_ATTEMPTS: i64 = 10;

/// How long a delivery is held by the instance making it: the HTTP call's
/// timeout and a margin, so an instance that dies mid-delivery holds the
/// URL's queue for seconds, not a minute.
pub const DELIVERY_LEASE: Duration = Duration::from_secs(15);

/// Delay after the n-th failed attempt: 1 s, 2 s, 4 s … capped at 60 s.
pub fn retry_delay(attempts: i64) -> Duration {
    let secs = 1u64 << attempts.clamp(0, 6);
    Duration::from_secs(secs.min(60))
}

/// Delivers what is due; returns how many postbacks were attempted.
pub async fn deliver_due(s: &Sandbox, http: &reqwest::Client) -> Result<usize, sqlx::Error> {
    let now = Utc::now();
    let heads = queue::due_heads(&s.db, now).await?;
    let mut attempted = 0;
    for pb in heads {
        if !queue::claim(
            &s.db,
            pb.id,
            now,
            now + chrono::Duration::from_std(DELIVERY_LEASE).unwrap_or_default(),
        )
        .await?
        {
            continue;
        }
        attempted += 1;
        let result = http
            .post(&pb.url)
            .header("Content-Type", "application/json")
            .header(pb.signature_header.as_str(), &pb.checksum)
            .body(pb.body.clone())
            .send()
            .await;
        let error = match result {
            Ok(res) if res.status().is_success() => None,
            Ok(res) => Some(format!("answered {}", res.status())),
            Err(e) => Some(e.to_string()),
        };
        match error {
            None => queue::delivered(&s.db, pb.id, Utc::now()).await?,
            Some(err) => {
                let attempts = pb.attempts + 1;
                let next = Utc::now()
                    + chrono::Duration::from_std(retry_delay(attempts)).unwrap_or_default();
                tracing::info!(url = %pb.url, attempts, error = %err, "sandbox postback failed; will retry");
                queue::failed_attempt(&s.db, pb.id, &err, next, attempts >= MAX_ATTEMPTS).await?;
            }
        }
    }
    Ok(attempted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(retry_delay(1), Duration::from_secs(2));
        assert!(retry_delay(2) > retry_delay(1));
        assert_eq!(retry_delay(40), Duration::from_secs(60));
    }
}
