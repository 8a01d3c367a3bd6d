//! Hotsign's invite read in the portal's words: the twelve envelope
//! statuses (seed) as request states, each signer's own status, and a
//! timeline entry for every status a signer was seen in (bounced and spam
//! as delivery problems of that signer, changedsigner as a note).

use app::model::request::RequestStatus;
use app::model::service::{EventKind, SignerPhase};
use app::model::tracking::SignerState;
use app::ssr::db::activities::ActivityRow;
use app::ssr::provider::Snapshot;
use hotsign::contract::{Invite, SignerStatus};
use hotsign::status::EnvelopeStatus;

/// The seed's spelling of a status.
pub fn name_of(s: &EnvelopeStatus) -> String {
    match s {
        EnvelopeStatus::Other(o) => o.clone(),
        s => serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

/// The portal's state for the invite's status: only the four final
/// statuses end a request; the others (sent, bounced, opened, …) wait.
pub fn status_of(s: &EnvelopeStatus) -> RequestStatus {
    match s {
        EnvelopeStatus::Signed => RequestStatus::Signed,
        EnvelopeStatus::Declined => RequestStatus::Rejected,
        EnvelopeStatus::Canceled => RequestStatus::Cancelled,
        EnvelopeStatus::Expired => RequestStatus::Expired,
        _ => RequestStatus::Waiting,
    }
}

/// What a signer's status means on the timeline, with a note.
fn event_of(s: &SignerStatus) -> (EventKind, Option<String>) {
    match &s.status {
        EnvelopeStatus::Scheduled => (
            EventKind::Other,
            Some("the invite is scheduled to be sent later".into()),
        ),
        EnvelopeStatus::Sent => (EventKind::Invited, None),
        EnvelopeStatus::Delivered => (EventKind::InvitationReceived, None),
        EnvelopeStatus::Opened => (EventKind::Opened, None),
        EnvelopeStatus::Viewed => (EventKind::Viewed, None),
        EnvelopeStatus::Declined => (EventKind::Declined, None),
        EnvelopeStatus::Signed => (EventKind::Signed, None),
        EnvelopeStatus::Bounced => (
            EventKind::EmailBounced,
            Some(format!("the invite email to {} bounced", s.email)),
        ),
        EnvelopeStatus::Spam => (
            EventKind::EmailBounced,
            Some(format!("{} marked the invite email as spam", s.email)),
        ),
        EnvelopeStatus::Changedsigner => (
            EventKind::Other,
            Some(format!("the signer was changed at Hotsign to {}", s.email)),
        ),
        EnvelopeStatus::Canceled => (EventKind::Cancelled, None),
        EnvelopeStatus::Expired => (EventKind::Expired, None),
        EnvelopeStatus::Other(o) => (EventKind::Other, Some(format!("Hotsign status {o}"))),
    }
}

/// The invite as Hotsign returned it.
pub fn snapshot_of(invite: &Invite) -> Snapshot {
    let signers = invite
        .signers
        .iter()
        .map(|s| {
            let phase = match s.status {
                EnvelopeStatus::Signed => SignerPhase::Signed,
                EnvelopeStatus::Declined => SignerPhase::Rejected,
                _ => SignerPhase::Waiting,
            };
            SignerState {
                id: s.number.to_string(),
                email: s.email.clone(),
                status: phase.as_str().into(),
                at: (phase != SignerPhase::Waiting)
                    .then(|| s.updated_at.clone())
                    .flatten(),
                reason: None,
            }
        })
        .collect();
    let mut events: Vec<ActivityRow> = invite
        .signers
        .iter()
        .map(|s| {
            let (kind, info) = event_of(s);
            let at = s.updated_at.clone().unwrap_or_default();
            ActivityRow {
                // One entry per status a signer was seen in, at the moment it changed.
                activity_id: format!("{}-{}-{}", s.number, name_of(&s.status), at),
                signer_id: s.number.to_string(),
                kind: kind.as_str().into(),
                code: 0,
                info,
                happened_at: at,
            }
        })
        .collect();
    if matches!(
        invite.status,
        EnvelopeStatus::Canceled | EnvelopeStatus::Expired
    ) {
        let (kind, _) = event_of(&SignerStatus {
            number: 0,
            email: String::new(),
            status: invite.status.clone(),
            updated_at: None,
        });
        let at = invite
            .signers
            .iter()
            .filter_map(|s| s.updated_at.clone())
            .max()
            .unwrap_or_else(|| invite.created_at.clone());
        events.push(ActivityRow {
            activity_id: format!("invite-{}", name_of(&invite.status)),
            signer_id: String::new(),
            kind: kind.as_str().into(),
            code: 0,
            info: None,
            happened_at: at,
        });
    }
    Snapshot {
        status: status_of(&invite.status),
        raw_status: name_of(&invite.status),
        signers,
        events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(status: EnvelopeStatus, signers: &[EnvelopeStatus]) -> Invite {
        Invite {
            id: "inv_1".into(),
            status,
            external_id: Some("portal-7".into()),
            signers: signers
                .iter()
                .enumerate()
                .map(|(i, s)| SignerStatus {
                    number: i as u32 + 1,
                    email: format!("s{i}@example.com"),
                    status: s.clone(),
                    updated_at: Some(format!("2026-12-0{}T10:00:00+00:00", i + 1)),
                })
                .collect(),
            created_at: "2026-12-01T09:00:00+00:00".into(),
        }
    }

    #[test]
    fn every_status_has_a_request_state_and_only_the_final_four_end_it() {
        for s in EnvelopeStatus::ALL {
            let state = status_of(&s);
            assert_eq!(state != RequestStatus::Waiting, s.is_final(), "{s:?}");
        }
        assert_eq!(status_of(&EnvelopeStatus::Signed), RequestStatus::Signed);
        assert_eq!(
            status_of(&EnvelopeStatus::Declined),
            RequestStatus::Rejected
        );
        assert_eq!(
            status_of(&EnvelopeStatus::Canceled),
            RequestStatus::Cancelled
        );
        assert_eq!(status_of(&EnvelopeStatus::Expired), RequestStatus::Expired);
        assert_eq!(
            status_of(&EnvelopeStatus::Other("archived".into())),
            RequestStatus::Waiting
        );
    }

    #[test]
    fn a_bounce_or_spam_is_that_signers_delivery_problem_and_a_changed_signer_a_note() {
        use EnvelopeStatus::*;
        let s = snapshot_of(&invite(Bounced, &[Signed, Bounced, Spam, Changedsigner]));
        assert_eq!(s.status, RequestStatus::Waiting);
        assert_eq!(s.raw_status, "bounced");
        let phases: Vec<&str> = s.signers.iter().map(|x| x.status.as_str()).collect();
        assert_eq!(phases, ["signed", "waiting", "waiting", "waiting"]);
        assert_eq!(
            s.signers[0].at.as_deref(),
            Some("2026-12-01T10:00:00+00:00")
        );
        let kinds: Vec<(&str, &str)> = s
            .events
            .iter()
            .map(|e| (e.signer_id.as_str(), e.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("1", "signed"),
                ("2", "email_bounced"),
                ("3", "email_bounced"),
                ("4", "other")
            ]
        );
        assert!(s.events[2].info.as_deref().unwrap().contains("spam"));
        assert!(s.events[3].info.as_deref().unwrap().contains("changed"));
    }

    #[test]
    fn a_cancel_or_expiry_is_told_once_for_the_request() {
        let s = snapshot_of(&invite(EnvelopeStatus::Expired, &[EnvelopeStatus::Opened]));
        assert_eq!(s.status, RequestStatus::Expired);
        let last = s.events.last().unwrap();
        assert_eq!(
            (last.kind.as_str(), last.signer_id.as_str()),
            ("expired", "")
        );
        let again = snapshot_of(&invite(EnvelopeStatus::Expired, &[EnvelopeStatus::Opened]));
        assert_eq!(
            s.events, again.events,
            "the same invite reads as the same events"
        );
    }
}
