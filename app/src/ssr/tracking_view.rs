//! The tracking part of the request page, read from the database.

use chrono::{DateTime, Duration, Utc};

use crate::model::request::{RequestStatus, Signer};
use crate::model::service::ProviderKind;
use crate::model::tracking::{
    compose_timeline, ArchivedFile, AuditEntry, NamedActivity, PostbackEntry, SignerState, Tracking,
};
use crate::ssr::db::{activities, archive, audit, documents, postbacks, tracking, Db};
use crate::ssr::provider::Providers;

pub async fn load(
    db: &Db,
    request_id: i64,
    status: RequestStatus,
    signers: &[Signer],
    quiet_hours: i64,
    providers: &Providers,
    now: DateTime<Utc>,
) -> sqlx::Result<Tracking> {
    let row = tracking::find(db, request_id).await?;
    let states: Vec<SignerState> = row
        .as_ref()
        .and_then(|r| serde_json::from_str(&r.signer_states).ok())
        .unwrap_or_default();
    let name_of = |signer_id: &str| {
        let n: usize = signer_id.trim_start_matches("Signer").parse().unwrap_or(0);
        signers
            .get(n.wrapping_sub(1))
            .map(|s| {
                if s.name.trim().is_empty() {
                    s.email.clone()
                } else {
                    s.name.clone()
                }
            })
            .unwrap_or_else(|| signer_id.to_string())
    };
    // Activities name documents by Signhost file id; staff know them by name.
    let names: Vec<(String, String)> = documents::list(db, request_id)
        .await?
        .into_iter()
        .map(|d| (format!("document-{}.pdf", d.id), d.name))
        .collect();
    let named: Vec<NamedActivity> = activities::list(db, request_id)
        .await?
        .into_iter()
        .map(|a| {
            let info = a.info.as_deref().map(|i| {
                names
                    .iter()
                    .find(|(id, _)| id == i)
                    .map(|(_, name)| name.clone())
                    .unwrap_or_else(|| i.to_string())
            });
            NamedActivity {
                at: a.happened_at.clone(),
                who: name_of(&a.signer_id),
                code: a.code,
                info,
            }
        })
        .collect();
    let postbacks = postbacks::for_request(db, request_id)
        .await?
        .into_iter()
        .map(|p| PostbackEntry {
            id: p.id,
            received_at: p.received_at,
            service: ProviderKind::parse(&p.provider)
                .map(|k| k.label().to_string())
                .unwrap_or_else(|| p.provider.clone()),
            claimed: p.hint.as_deref().and_then(|h| {
                providers
                    .of(&p.provider)
                    .and_then(|adapter| adapter.status_of_hint(h))
            }),
            hint: p.hint,
            state: p.state,
            reason: p.reason,
        })
        .collect();
    let files = archive::list(db, request_id)
        .await?
        .into_iter()
        .map(|f| ArchivedFile {
            id: f.id,
            kind: f.kind,
            name: f.name,
            size: f.size,
            sha256: f.sha256,
        })
        .collect();
    let audit: Vec<AuditEntry> = audit::list(db, request_id)
        .await?
        .into_iter()
        .map(|a| AuditEntry {
            at: a.created_at,
            who: a.who.unwrap_or_else(|| "The portal".into()),
            action: a.action,
            detail: a.detail,
        })
        .collect();
    let quiet_warning = row.as_ref().and_then(|r| {
        let since = r.last_postback_at.or(r.started_at)?;
        (status == RequestStatus::Waiting && now - since > Duration::hours(quiet_hours)).then(|| {
            format!(
                "No news from Signhost for more than {quiet_hours} hours. The portal keeps checking; \
                 if this lasts, check the postback address in Signhost's portal."
            )
        })
    });
    let timeline = compose_timeline(&audit, &named);
    Ok(Tracking {
        signers: states,
        timeline,
        postbacks,
        files,
        audit,
        archived: row.as_ref().is_some_and(|r| r.archived_at.is_some()),
        quiet_warning,
    })
}
