//! The admins' postback inbox: every postback as received, and replay.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::tracking::Inbox;

/// One part of the inbox: `authentic` (the default, so a flood of forged
/// postbacks cannot push real ones out of sight), `quarantined` or `all`.
#[server(endpoint = "postbacks/list")]
pub async fn list_postbacks(view: Option<String>) -> Result<Inbox, AppError> {
    use crate::ssr::db::postbacks;
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (state, _) = auth::require_admin().await?;
            let view = match view.as_deref() {
                Some("quarantined") => "quarantined",
                Some("all") => "all",
                _ => "authentic",
            };
            let filter = match view {
                "quarantined" => Some(true),
                "all" => None,
                _ => Some(false),
            };
            let rows = postbacks::recent_in(&state.db, filter, 200)
                .await
                .map_err(web::internal)?;
            let (authentic, quarantined) =
                postbacks::counts(&state.db).await.map_err(web::internal)?;
            let entries = rows
                .into_iter()
                .map(|p| crate::model::tracking::InboxEntry {
                    id: p.id,
                    received_at: p.received_at,
                    service: crate::model::service::ProviderKind::parse(&p.provider)
                        .map(|k| k.label().to_string())
                        .unwrap_or(p.provider),
                    external_id: p.external_id,
                    hint: p.hint,
                    state: p.state,
                    reason: p.reason,
                    request_id: p.request_id,
                    size: p.size,
                    headers: p.headers,
                    body: p.body.chars().take(4096).collect(),
                })
                .collect::<Vec<_>>();
            Ok(Inbox {
                entries,
                authentic,
                quarantined,
                view: view.to_string(),
            })
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
