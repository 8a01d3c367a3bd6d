//! argon2id hashing, off the async threads, a few at a time: each takes
//! about 19 MiB and a core for a moment, so a burst of sign-ins must queue
//! instead of exhausting the machine.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::AppError;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// A valid hash of a random string, verified against when the email is
/// unknown so that both paths take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZYY3dwk0/Ur55lmyQpmJ2SrvbjUnyYvtIuzaCNcV5u0";

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// argon2 computations allowed at once, process-wide.
fn permits() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(2, 16)
}

static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(permits())));

/// How long a sign-in waits for its turn before it is told to come back.
const QUEUE_WAIT: Duration = Duration::from_secs(3);

/// Runs `work` on a blocking thread once one of `permits` is free, waiting
/// at most `wait` (then "busy, try again"). The permit moves with the work,
/// so it is held until the work really ends, even if the caller has gone.
async fn in_turn<T: Send + 'static>(
    permits: &Arc<Semaphore>,
    wait: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let busy = AppError::Busy {
        retry_after_secs: 2,
    };
    let permit = match tokio::time::timeout(wait, permits.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(busy),
    };
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(crate::ssr::web::internal)
}

/// Hashes `password` with argon2id and a fresh salt.
pub async fn hash(password: String) -> Result<String, HashError> {
    in_turn(&PERMITS, QUEUE_WAIT, move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Checks `password` against `hash`; with `None` it checks against a dummy
/// hash (and fails) so an unknown account costs as much as a known one.
/// `Err(Busy)` when too many are being checked already.
pub async fn verify(password: String, hash: Option<String>) -> Result<bool, AppError> {
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
    let ok = in_turn(&PERMITS, QUEUE_WAIT, move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await?;
    Ok(ok && known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "dummy hash must parse"
        );
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_runs_a_few_at_a_time_and_the_excess_is_told_to_retry() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let permits = Arc::new(Semaphore::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let burst = |n: usize, wait: Duration| {
            (0..n)
                .map(|_| {
                    let (permits, running, most) = (permits.clone(), running.clone(), most.clone());
                    tokio::spawn(async move {
                        in_turn(&permits, wait, move || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(30));
                            running.fetch_sub(1, Ordering::SeqCst);
                        })
                        .await
                    })
                })
                .collect::<Vec<_>>()
        };
        for h in burst(12, Duration::from_secs(10)) {
            h.await.unwrap().unwrap();
        }
        assert_eq!(
            most.load(Ordering::SeqCst),
            2,
            "never more than the permits"
        );
        let mut busy = 0;
        for h in burst(40, Duration::from_millis(50)) {
            match h.await.unwrap() {
                Ok(()) => {}
                Err(AppError::Busy { retry_after_secs }) => {
                    assert!(retry_after_secs > 0);
                    busy += 1;
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(busy > 0 && busy < 40, "the excess was refused: {busy}");
        assert_eq!(permits.available_permits(), 2, "every turn given back");
    }
}
