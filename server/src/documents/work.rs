//! PDF work runs here: on the blocking threads, never on the async ones,
//! at most a few documents at a time, and abandoned when whoever asked for
//! it goes away (the future is dropped) or its time runs out.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::guard::Budget;

/// Documents worked on at once, across the whole process.
pub fn permits() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
}

static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(permits())));

/// Why PDF work did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Busy {
    #[error("The portal is busy checking other documents. Please try again in a moment.")]
    Busy,
    #[error("The document check stopped unexpectedly.")]
    Failed,
}

/// Cancels the budget when the asking future is dropped.
struct CancelOnDrop(Budget);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs `work` on a blocking thread once a permit is free (waiting at most
/// `wait`), with a budget of `max_time` that is cancelled if this future is
/// dropped. The permit is held until `work` really ends.
pub async fn run<T, F>(wait: Duration, max_time: Duration, work: F) -> Result<T, Busy>
where
    T: Send + 'static,
    F: FnOnce(&Budget) -> T + Send + 'static,
{
    let budget = Budget::new(max_time);
    let guard = CancelOnDrop(budget.clone());
    let permit = tokio::time::timeout(wait, PERMITS.clone().acquire_owned())
        .await
        .map_err(|_| Busy::Busy)?
        .map_err(|_| Busy::Failed)?;
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&budget)
    })
    .await
    .map_err(|_| Busy::Failed);
    drop(guard);
    result
}

/// Permits free right now (for tests and health).
pub fn available() -> usize {
    PERMITS.available_permits()
}

/// `run` for work on documents already accepted (the sandbox's signing page,
/// signed copies, receipts): a generous wait and time, an internal error if
/// even that is not enough.
pub async fn run_checked<T, F>(work: F) -> Result<T, Busy>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let minute = Duration::from_secs(60);
    run(minute, minute, move |_| work()).await
}
