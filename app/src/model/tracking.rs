//! What the portal shows of a sent request: each signer's state, the
//! timeline in words, the postbacks, the archive and the audit log.

use serde::{Deserialize, Serialize};

use super::service::EventKind;

/// A signer's state as last confirmed by Signhost.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SignerState {
    /// Signhost's signer id (`Signer1`, …).
    pub id: String,
    pub email: String,
    /// `waiting`, `signed` or `rejected`.
    pub status: String,
    /// When they signed or rejected (RFC 3339).
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: String,
    pub who: String,
    pub what: String,
    /// The colour of its mark: `ok`, `error`, `warn` or `info`.
    #[serde(default)]
    pub tone: String,
}

/// A signer activity as recorded, with the signer's display name.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedActivity {
    pub at: String,
    pub who: String,
    /// What happened, in the portal's words (`signed`, `viewed`, …).
    pub kind: String,
    /// The service's own code for it (0 when it has none).
    pub code: i64,
    pub info: Option<String>,
}

/// The timeline of a request in words: who sent it, what each signer did,
/// who cancelled it and why, that it expired, was completed, was archived.
/// Request-wide events are told once, by the request, not as if a signer
/// did them (Signhost reports a cancel or an expiry on every signer).
pub fn compose_timeline(
    service: &str,
    audit: &[AuditEntry],
    activities: &[NamedActivity],
) -> Vec<TimelineEntry> {
    let mut out: Vec<(i64, TimelineEntry)> = Vec::new();
    let staff_cancelled = audit.iter().any(|a| a.action == "cancelled");
    for a in audit {
        let entry = |who: &str, what: String, tone: &str| TimelineEntry {
            at: a.at.to_rfc3339(),
            who: who.to_string(),
            what,
            tone: tone.into(),
        };
        use crate::model::request::RequestStatus as R;
        let status = (a.action == "status")
            .then(|| R::from_label(&a.detail))
            .flatten();
        let e = match (a.action.as_str(), a.detail.as_str()) {
            ("sent", _) => entry(&a.who, "sent the request for signing".into(), "info"),
            ("cancelled", detail) => {
                let (reason, notified) = match detail.strip_suffix(" (signers notified)") {
                    Some(r) => (r, true),
                    None => (detail, false),
                };
                let mut what = format!("cancelled the request: “{reason}”");
                if notified {
                    what.push_str(" (the signers were told)");
                }
                entry(&a.who, what, "error")
            }
            ("status", _) => match status {
                Some(R::Signed) => entry(
                    "",
                    "Everyone has signed: the request is completed".into(),
                    "ok",
                ),
                Some(R::Rejected) => entry("", "The request was rejected".into(), "error"),
                Some(R::Expired) => entry(
                    "",
                    "The request expired before everyone had signed".into(),
                    "warn",
                ),
                Some(R::Cancelled) if staff_cancelled => continue,
                Some(R::Cancelled) => entry(
                    "",
                    format!("The request was cancelled at {service}"),
                    "error",
                ),
                Some(R::Broken) => entry(
                    "",
                    format!("{service} stopped the request with an error"),
                    "error",
                ),
                _ => continue,
            },
            ("archived", detail) => entry(
                "",
                if detail.contains("and receipt") {
                    "The signed documents and the receipt were archived in the portal".into()
                } else {
                    "The signed documents were archived in the portal".into()
                },
                "ok",
            ),
            ("corrected", detail) => entry(
                &a.who,
                format!(
                    "made a corrected copy ({})",
                    detail.trim_start_matches("a corrected copy is ")
                ),
                "info",
            ),
            (action, _) if action == format!("deleted at {service}") => entry(
                &a.who,
                format!("deleted the request at {service} (the portal keeps its archive)"),
                "info",
            ),
            _ => continue,
        };
        out.push((instant(&e.at), e));
    }
    for a in activities {
        // Told by the request itself (above), not per signer.
        let kind = EventKind::parse(&a.kind);
        if kind.is_request_wide() {
            continue;
        }
        let tone = match kind {
            EventKind::Signed => "ok",
            EventKind::Declined
            | EventKind::IdentityFailed
            | EventKind::EmailBounced
            | EventKind::Failed => "error",
            _ => "info",
        };
        let e = TimelineEntry {
            at: a.at.clone(),
            who: a.who.clone(),
            what: activity_words(kind, a.code, a.info.as_deref()),
            tone: tone.into(),
        };
        out.push((instant(&e.at), e));
    }
    // Stable: entries at the same instant keep request-then-signer order.
    out.sort_by_key(|(at, _)| *at);
    out.into_iter().map(|(_, e)| e).collect()
}

fn instant(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.timestamp_millis())
        .unwrap_or(i64::MAX)
}

/// A signer's badge: their own state while the request runs; once it has
/// ended, what became of a signer who had not signed.
pub fn signer_badge(
    signer_status: &str,
    request: crate::model::request::RequestStatus,
) -> (&'static str, &'static str) {
    use crate::model::request::RequestStatus as R;
    match (signer_status, request) {
        ("signed", _) => ("badge badge-ok", "Signed"),
        ("rejected", _) => ("badge badge-error", "Rejected"),
        (_, R::Cancelled) => ("badge badge-muted", "Not signed: cancelled"),
        (_, R::Expired) => ("badge badge-muted", "Not signed: expired"),
        (_, R::Rejected) => (
            "badge badge-muted",
            "Not needed: rejected by another signer",
        ),
        (_, R::Broken) => ("badge badge-muted", "Not signed"),
        _ => ("badge badge-warn", "Waiting"),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostbackEntry {
    pub id: i64,
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// The service that sent it, as staff know it.
    pub service: String,
    /// The status it claimed, in the service's words.
    pub hint: Option<String>,
    /// That status in the portal's words.
    pub claimed: Option<crate::model::request::RequestStatus>,
    pub state: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedFile {
    pub id: i64,
    /// `signed` or `receipt`.
    pub kind: String,
    pub name: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub who: String,
    pub action: String,
    pub detail: String,
}

/// Everything about a sent request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Tracking {
    pub signers: Vec<SignerState>,
    pub timeline: Vec<TimelineEntry>,
    pub postbacks: Vec<PostbackEntry>,
    pub files: Vec<ArchivedFile>,
    pub audit: Vec<AuditEntry>,
    pub archived: bool,
    /// Set when no postback has come for longer than expected.
    pub quiet_warning: Option<String>,
    /// Set when the service will soon delete the request (or has).
    #[serde(default)]
    pub retention_warning: Option<String>,
}

/// What a signer did, in words, by the portal's kind of event (`code`,
/// the service's own, names an event of a kind the portal does not know).
pub fn activity_words(kind: EventKind, code: i64, info: Option<&str>) -> String {
    use EventKind as K;
    let text = match kind {
        K::Invited => "was invited by email",
        K::InvitationReceived => "received the invitation",
        K::Opened => "opened the signing page",
        K::Reminded => "was sent a reminder",
        K::Viewed => "opened a document",
        K::Identified => "had their identity approved",
        K::IdentityFailed => "failed the identity check",
        K::Cancelled => "cancelled",
        K::Declined => "rejected",
        K::Signed => "signed",
        K::Delegated => "delegated signing to someone else",
        K::DocumentSent => "was sent the signed documents",
        K::DocumentOpened => "opened the signed documents",
        K::DocumentDownloaded => "downloaded the signed documents",
        K::ReceiptSent => "was sent the receipt",
        K::ReceiptOpened => "opened the receipt",
        K::ReceiptDownloaded => "downloaded the receipt",
        K::Finished => "finished",
        K::Deleted => "deleted",
        K::Expired => "expired",
        K::EmailBounced => "could not be emailed (the message bounced)",
        K::Failed => "could not be reached (failure)",
        K::Other => {
            return match info.filter(|i| !i.is_empty()) {
                Some(said) => said.to_string(),
                None => format!("activity {code}"),
            }
        }
    };
    match (kind, info) {
        (K::Viewed, Some(file)) if !file.is_empty() => format!("{text} ({file})"),
        (K::Declined, Some(reason)) if !reason.is_empty() => format!("{text}: “{reason}”"),
        _ => text.to_string(),
    }
}

/// A Signhost message with its signer ids (`'Signer2'`, `Signer2`) told as
/// the people staff entered: "Signer 2 (Bob Jansen)".
pub fn name_signers(message: &str, names: &[String]) -> String {
    let mut out = message.to_string();
    // Highest numbers first, so that "Signer1" does not eat "Signer12".
    for (i, name) in names.iter().enumerate().rev() {
        let n = i + 1;
        let who = format!("{name} (signer {n})");
        for pattern in [
            format!("Signer 'Signer{n}'"),
            format!("signer 'Signer{n}'"),
            format!("'Signer{n}'"),
            format!("Signer{n}"),
        ] {
            out = out.replace(&pattern, &who);
        }
    }
    out
}

/// One part of the admins' postback inbox, with the size of each part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    pub entries: Vec<InboxEntry>,
    /// Postbacks that passed the checks (received, applied, duplicate).
    pub authentic: i64,
    pub quarantined: i64,
    /// Which part is shown: `authentic`, `quarantined` or `all`.
    pub view: String,
}

/// A postback as the admins' inbox shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxEntry {
    pub id: i64,
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// The service that sent it, as staff know it.
    pub service: String,
    /// The service's id of the request it is about.
    pub external_id: Option<String>,
    /// The status it claimed, in the service's words.
    pub hint: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    pub size: i64,
    pub headers: String,
    /// The body as received (cut at 4 kB for display).
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::request::RequestStatus;

    fn audit(at: &str, who: &str, action: &str, detail: &str) -> AuditEntry {
        AuditEntry {
            at: chrono::DateTime::parse_from_rfc3339(at).unwrap().into(),
            who: who.into(),
            action: action.into(),
            detail: detail.into(),
        }
    }

    /// An activity as the Signhost adapter records it (its code and kind).
    fn act(at: &str, who: &str, code: i64, info: Option<&str>) -> NamedActivity {
        let kind = match code {
            103 => "opened",
            201 => "cancelled",
            202 => "declined",
            203 => "signed",
            700 => "expired",
            other => panic!("no kind for {other} in these tests"),
        };
        NamedActivity {
            at: at.into(),
            who: who.into(),
            kind: kind.into(),
            code,
            info: info.map(str::to_string),
        }
    }

    fn lines(t: &[TimelineEntry]) -> Vec<String> {
        t.iter()
            .map(|e| format!("{} {}", e.who, e.what).trim().to_string())
            .collect()
    }

    #[test]
    fn a_cancel_is_told_once_by_whoever_cancelled_with_the_reason() {
        let t = compose_timeline(
            "Signhost",
            &[
                audit(
                    "2026-12-01T09:00:00Z",
                    "Ann de Vries",
                    "sent",
                    "asked to send to Signhost",
                ),
                audit(
                    "2026-12-01T11:00:00Z",
                    "Ann de Vries",
                    "cancelled",
                    "Wrong tenant (signers notified)",
                ),
                audit("2026-12-01T11:00:01Z", "The portal", "status", "Cancelled"),
            ],
            &[
                act("2026-12-01T10:00:00+01:00", "Bob", 103, None),
                act("2026-12-01T11:00:00Z", "Bob", 201, None),
                act("2026-12-01T11:00:00Z", "Carol", 201, None),
            ],
        );
        assert_eq!(
            lines(&t),
            [
                "Ann de Vries sent the request for signing",
                "Bob opened the signing page",
                "Ann de Vries cancelled the request: “Wrong tenant” (the signers were told)",
            ]
        );
        assert_eq!(t[2].tone, "error");
    }

    #[test]
    fn expiry_completion_and_archiving_are_events_of_the_request() {
        let t = compose_timeline(
            "Signhost",
            &[
                audit("2026-12-01T09:00:00Z", "Ann", "sent", ""),
                audit("2026-12-02T09:00:00Z", "The portal", "status", "Signed"),
                audit(
                    "2026-12-02T09:01:00Z",
                    "The portal",
                    "archived",
                    "signed documents and receipt stored",
                ),
                audit(
                    "2026-12-01T09:30:00Z",
                    "Ann",
                    "document removed",
                    "document 3",
                ),
            ],
            &[act("2026-12-02T08:59:00Z", "Bob", 203, None)],
        );
        assert_eq!(
            lines(&t),
            [
                "Ann sent the request for signing",
                "Bob signed",
                "Everyone has signed: the request is completed",
                "The signed documents and the receipt were archived in the portal",
            ]
        );
        let expired = compose_timeline(
            "Signhost",
            &[audit(
                "2026-12-31T00:00:00Z",
                "The portal",
                "status",
                "Expired",
            )],
            &[act("2026-12-31T00:00:00Z", "Bob", 700, None)],
        );
        assert_eq!(
            lines(&expired),
            ["The request expired before everyone had signed"]
        );
    }

    #[test]
    fn signhost_messages_name_the_signers_as_staff_entered_them() {
        let names = vec!["Ann de Vries".to_string(), "Bob Jansen".to_string()];
        assert_eq!(
            name_signers("Signer 'Signer2' has an invalid e-mail address", &names),
            "Bob Jansen (signer 2) has an invalid e-mail address"
        );
        assert_eq!(
            name_signers("Signer1 not found; Signer9 neither", &names),
            "Ann de Vries (signer 1) not found; Signer9 neither"
        );
        assert_eq!(name_signers("No signers", &names), "No signers");
    }

    #[test]
    fn signers_who_had_not_signed_end_with_the_request() {
        assert_eq!(signer_badge("waiting", RequestStatus::Waiting).1, "Waiting");
        assert_eq!(signer_badge("signed", RequestStatus::Cancelled).1, "Signed");
        assert_eq!(
            signer_badge("waiting", RequestStatus::Cancelled).1,
            "Not signed: cancelled"
        );
        assert_eq!(
            signer_badge("waiting", RequestStatus::Expired).1,
            "Not signed: expired"
        );
        assert_eq!(
            signer_badge("rejected", RequestStatus::Rejected).1,
            "Rejected"
        );
        assert!(signer_badge("waiting", RequestStatus::Rejected)
            .1
            .starts_with("Not needed"));
    }
}
