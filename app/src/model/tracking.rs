//! What the portal shows of a sent request: each signer's state, the
//! timeline in words, the postbacks, the archive and the audit log.

use serde::{Deserialize, Serialize};

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostbackEntry {
    pub id: i64,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub status: Option<i64>,
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
}

/// An activity code in words (Signhost's activity list).
pub fn activity_words(code: i64, info: Option<&str>) -> String {
    let text = match code {
        101 => "was invited by email",
        102 => "received the invitation",
        103 => "opened the signing page",
        104 => "was sent a reminder",
        105 => "opened a document",
        110 => "had their identity approved",
        111 => "failed the identity check",
        201 => "cancelled",
        202 => "rejected",
        203 => "signed",
        204 => "delegated signing to someone else",
        301 => "was sent the signed documents",
        302 => "opened the signed documents",
        303 => "downloaded the signed documents",
        401 => "was sent the receipt",
        402 => "opened the receipt",
        403 => "downloaded the receipt",
        500 => "finished",
        600 => "deleted",
        700 => "expired",
        901..=904 => "could not be emailed (the message bounced)",
        999 => "could not be reached (failure)",
        _ => return format!("activity {code}"),
    };
    match (code, info) {
        (105, Some(file)) if !file.is_empty() => format!("{text} ({file})"),
        (202, Some(reason)) if !reason.is_empty() => format!("{text}: “{reason}”"),
        _ => text.to_string(),
    }
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
    pub transaction_id: Option<String>,
    pub status: Option<i64>,
    pub state: String,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    pub size: i64,
    pub headers: String,
    /// The body as received (cut at 4 kB for display).
    pub body: String,
}
