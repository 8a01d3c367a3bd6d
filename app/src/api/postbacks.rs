//! The admins' postback inbox: every postback as received, and replay.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::tracking::InboxEntry;

#[server(endpoint = "postbacks/list")]
pub async fn list_postbacks() -> Result<Vec<InboxEntry>, AppError> {
    use crate::ssr::db::postbacks;
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (state, _) = auth::require_admin().await?;
            let rows = postbacks::recent(&state.db, 200)
                .await
                .map_err(web::internal)?;
            Ok(rows
                .into_iter()
                .map(|p| InboxEntry {
                    id: p.id,
                    received_at: p.received_at,
                    transaction_id: p.transaction_id,
                    status: p.status,
                    state: p.state,
                    reason: p.reason,
                    request_id: p.request_id,
                    size: p.size,
                    headers: p.headers,
                    body: p.body.chars().take(4096).collect(),
                })
                .collect())
        }
        .await,
    )
}

/// Puts a stored postback back in the queue; it is processed again like a new one.
#[server(endpoint = "postbacks/replay")]
pub async fn replay_postback(id: i64) -> Result<(), AppError> {
    use crate::ssr::db::postbacks;
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            if !postbacks::replay(&state.db, id, chrono::Utc::now())
                .await
                .map_err(web::internal)?
            {
                return Err(AppError::NotFound);
            }
            tracing::info!(postback_id = id, admin = admin.id, "postback replayed");
            state.wake_workers();
            Ok(())
        }
        .await,
    )
}
