//! Postbacks as Signhost sends them: the full transaction plus `Checksum`
//! (in the body and the `Checksum` header), on every change, through the
//! simulators' outbound queue.

use app::ssr::db::sandbox_postbacks as queue;
use chrono::Utc;
use signhost::model::Transaction;

use crate::sandbox::Sandbox;

/// Queues the current state of `tx` for its `PostbackUrl`, if it has one.
pub async fn enqueue(s: &Sandbox, tx: &Transaction) -> Result<(), sqlx::Error> {
    let (Some(url), Some(id)) = (
        tx.postback_url.as_deref().filter(|u| !u.is_empty()),
        tx.id.as_deref(),
    ) else {
        return Ok(());
    };
    let status = tx.status.map(|s| s.code()).unwrap_or_default();
    let checksum = signhost::checksum::compute(id, status, &s.shared_secret);
    let mut with_checksum = tx.clone();
    with_checksum.checksum = Some(checksum.clone());
    let body = serde_json::to_string(&with_checksum).unwrap_or_default();
    let message = queue::Outbound {
        url,
        transaction_id: id,
        body: &body,
        header: "Checksum",
        signature: &checksum,
    };
    queue::enqueue(&s.db, &message, Utc::now()).await
}
