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
        retention_warning: row.as_ref().and_then(|r| {
            let days = provider?.capabilities().deleted_after_days?;
            retention_warning(service, days, r.started_at?, r.archived_at.is_some(), now)
        }),
    })
}

/// Days before the service deletes a request when staff are warned.
pub const RETENTION_WARNING_DAYS: i64 = 10;

/// A warning as the service's deletion of an unarchived request nears.
pub fn retention_warning(
    service: &str,
    days: i64,
    sent_at: chrono::DateTime<chrono::Utc>,
    archived: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    if archived {
        return None;
    }
    let deleted_at = sent_at + Duration::days(days);
    let left = (deleted_at - now).num_days();
    let on = deleted_at.format("%Y-%m-%d");
    if now >= deleted_at {
        Some(format!(
            "{service} deleted this request on {on} ({days} days after it was sent); nothing more can be fetched from it."
        ))
    } else if left < RETENTION_WARNING_DAYS {
        Some(format!(
            "{service} deletes this request on {on} ({days} days after it was sent): {left} day(s) left. \
             The signed document is archived the moment everyone has signed; after that date it can no longer be fetched."
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod retention_tests {
    use super::*;

    #[test]
    fn staff_are_warned_in_the_last_days_before_the_service_deletes_a_request() {
        let sent = chrono::Utc::now() - Duration::days(40);
        let now = chrono::Utc::now();
        let w = retention_warning("Hotsign", 45, sent, false, now).unwrap();
        assert!(
            w.contains("Hotsign deletes this request on") && w.contains("4 day(s) left"),
            "{w}"
        );
        assert_eq!(
            retention_warning("Hotsign", 45, sent, true, now),
            None,
            "archived: nothing to lose"
        );
        assert_eq!(
            retention_warning("Hotsign", 45, now - Duration::days(20), false, now),
            None
        );
        let gone = retention_warning("Hotsign", 45, now - Duration::days(46), false, now).unwrap();
        assert!(
            gone.starts_with("Hotsign deleted this request on"),
            "{gone}"
        );
    }
}
