//! The tracking part of the request page, read from the database.

use chrono::{DateTime, Duration, Utc};

use crate::model::request::{RequestStatus, Signer};
use crate::model::service::ProviderKind;
use crate::model::tracking::{
    compose_timeline, ArchivedFile, AuditEntry, NamedActivity, PostbackEntry, SignerState, Tracking,
};
use crate::ssr::db::{
    activities, archive, audit, documents, postbacks, signer_links, tracking, Db,
};
use crate::ssr::provider::Provider;

pub async fn load(
    db: &Db,
    request_id: i64,
    status: RequestStatus,
    signers: &[Signer],
    quiet_hours: i64,
    provider: Option<&dyn Provider>,
    now: DateTime<Utc>,
) -> sqlx::Result<Tracking> {
    let row = tracking::find(db, request_id).await?;
    let states: Vec<SignerState> = row
        .as_ref()
        .and_then(|r| serde_json::from_str(&r.signer_states).ok())
        .unwrap_or_default();
    // The service's signer ids, by the links saved when it was created
    // (else by position, as Signhost's `Signer{n}`).
    let links = signer_links::list(db, request_id).await?;
    let name_of = |signer_id: &str| {
        let linked = links
            .iter()
            .find(|l| l.signer_id == signer_id)
            .and_then(|l| signers.iter().find(|s| s.key == l.signer_key));
        let n: usize = signer_id.trim_start_matches("Signer").parse().unwrap_or(0);
        linked
            .or_else(|| signers.get(n.wrapping_sub(1)))
            .map(|s| {
                if s.name.trim().is_empty() {
                    s.email.clone()
                } else {
                    s.name.clone()
                }
            })
            .unwrap_or_else(|| signer_id.to_string())
    };
    // Activities name documents as the service does; staff know them by name.
    let names: Vec<(String, String)> = documents::list(db, request_id)
        .await?
        .into_iter()
        .filter_map(|d| Some((provider?.file_ref(d.id), d.name)))
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
                kind: a.kind.clone(),
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
            claimed: p
                .hint
                .as_deref()
                .and_then(|h| provider.and_then(|adapter| adapter.status_of_hint(h))),
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
    let service = provider
        .map(|p| p.kind().label())
        .unwrap_or("the signing service");
    let quiet_warning = row.as_ref().and_then(|r| {
        let since = r.last_postback_at.or(r.started_at)?;
        (status == RequestStatus::Waiting && now - since > Duration::hours(quiet_hours)).then(|| {
            format!(
                "No news from {service} for more than {quiet_hours} hours. The portal keeps checking; \
                 if this lasts, check the postback address in {service}'s portal."
            )
        })
    });
    let timeline = compose_timeline(service, &audit, &named);
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
