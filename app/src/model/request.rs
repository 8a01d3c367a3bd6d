//! A signing request as staff prepare it: settings, signers, receivers,
//! documents and the fields placed on them. Shared by the server and the
//! browser (the preflight runs in both).

use serde::{Deserialize, Serialize};

/// How signers learn about the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Signhost emails the signers.
    #[default]
    Invite,
    /// The portal hands out the signing links.
    Direct,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Invite => "invite",
            Flow::Direct => "direct",
        }
    }

    pub fn parse(s: &str) -> Flow {
        if s == "direct" {
            Flow::Direct
        } else {
            Flow::Invite
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Flow::Invite => "Invite: Signhost emails each signer",
            Flow::Direct => "Direct: the portal gives you the signing links",
        }
    }

    /// The choice as staff see it for a request sent with `service`.
    pub fn label_for(self, service: &str) -> String {
        match self {
            Flow::Invite => format!("Invite: {service} emails each signer"),
            Flow::Direct => self.label().to_string(),
        }
    }
}

/// Signhost's languages (code, name).
pub const LANGUAGES: [(&str, &str); 7] = [
    ("nl-NL", "Dutch"),
    ("en-US", "English"),
    ("de-DE", "German"),
    ("fr-FR", "French"),
    ("es-ES", "Spanish"),
    ("it-IT", "Italian"),
    ("pl-PL", "Polish"),
];

pub fn is_language(code: &str) -> bool {
    LANGUAGES.iter().any(|(c, _)| *c == code)
}

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Draft,
    /// Start was asked; the portal is sending it to Signhost.
    Starting,
    /// Signhost refused it; staff can fix the draft and try again.
    Failed,
    /// Sent; waiting for the signers.
    Waiting,
    /// Everyone signed (Signhost 30).
    Signed,
    /// A signer declined (40).
    Rejected,
    /// Nobody finished in time (50).
    Expired,
    /// Cancelled by staff (60).
    Cancelled,
    /// Signhost could not complete it (70).
    Broken,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Draft => "draft",
            RequestStatus::Starting => "starting",
            RequestStatus::Failed => "failed",
            RequestStatus::Waiting => "waiting",
            RequestStatus::Signed => "signed",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Expired => "expired",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::Broken => "broken",
        }
    }

    pub const ALL: [RequestStatus; 9] = [
        RequestStatus::Draft,
        RequestStatus::Starting,
        RequestStatus::Failed,
        RequestStatus::Waiting,
        RequestStatus::Signed,
        RequestStatus::Rejected,
        RequestStatus::Expired,
        RequestStatus::Cancelled,
        RequestStatus::Broken,
    ];

    pub fn parse(s: &str) -> RequestStatus {
        RequestStatus::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .unwrap_or(RequestStatus::Draft)
    }

    /// Whether the service is done with it (nothing changes any more).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestStatus::Signed
                | RequestStatus::Rejected
                | RequestStatus::Expired
                | RequestStatus::Cancelled
                | RequestStatus::Broken
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Draft => "Draft",
            RequestStatus::Starting => "Sending",
            RequestStatus::Failed => "Not sent: needs changes",
            RequestStatus::Waiting => "Waiting for signers",
            RequestStatus::Signed => "Signed",
            RequestStatus::Rejected => "Rejected",
            RequestStatus::Expired => "Expired",
            RequestStatus::Cancelled => "Cancelled",
            RequestStatus::Broken => "Stopped by Signhost",
        }
    }

    /// What the status means, in a sentence (tooltips, the status tabs).
    pub fn description(self) -> &'static str {
        match self {
            RequestStatus::Draft => "Being prepared; not sent yet.",
            RequestStatus::Starting => "The portal is sending it to Signhost.",
            RequestStatus::Failed => {
                "Signhost refused it; change what its message says and send it again."
            }
            RequestStatus::Waiting => "Sent; not every signer has signed yet.",
            RequestStatus::Signed => "Everyone signed.",
            RequestStatus::Rejected => "A signer declined to sign.",
            RequestStatus::Expired => "The time to sign ran out.",
            RequestStatus::Cancelled => "Cancelled by staff.",
            RequestStatus::Broken => "Signhost stopped it with an error after it was sent.",
        }
    }

    /// The status whose label (as written in the audit log) is `label`,
    /// also under the labels older versions wrote.
    pub fn from_label(label: &str) -> Option<RequestStatus> {
        match label {
            "Not sent" => Some(RequestStatus::Failed),
            "Failed at Signhost" => Some(RequestStatus::Broken),
            _ => RequestStatus::ALL.into_iter().find(|s| s.label() == label),
        }
    }

    /// The badge class that colours this status.
    pub fn badge(self) -> &'static str {
        match self {
            RequestStatus::Draft => "badge",
            RequestStatus::Starting => "badge badge-info",
            RequestStatus::Failed => "badge badge-error",
            RequestStatus::Waiting => "badge badge-warn",
            RequestStatus::Signed => "badge badge-ok",
            RequestStatus::Rejected | RequestStatus::Broken => "badge badge-error",
            RequestStatus::Expired | RequestStatus::Cancelled => "badge badge-muted",
        }
    }

    /// Whether the draft may still be changed.
    pub fn is_editable(self) -> bool {
        matches!(self, RequestStatus::Draft | RequestStatus::Failed)
    }
}

/// The request-wide settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub title: String,
    pub reference: String,
    pub flow: Flow,
    pub language: String,
    pub days_to_expire: i64,
    /// Days between reminders in the invite flow; 0 = no reminders.
    pub remind_days: i64,
    pub sequential: bool,
    pub notify_sender: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            title: String::new(),
            reference: String::new(),
            flow: Flow::Invite,
            language: "nl-NL".into(),
            days_to_expire: 30,
            remind_days: 7,
            sequential: false,
            notify_sender: true,
        }
    }
}

/// A check the signer passes before signing, in Signhost's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Verification {
    Scribble {
        #[serde(default)]
        require_handsignature: bool,
        #[serde(default)]
        name_fixed: bool,
        #[serde(default)]
        name: String,
    },
    PhoneNumber {
        #[serde(default)]
        number: String,
    },
    #[serde(rename = "iDIN")]
    IDin,
    #[serde(rename = "iDeal")]
    IDeal {
        #[serde(default)]
        iban: String,
    },
    DigiD {
        #[serde(default)]
        bsn: String,
    },
    Consent,
}

impl Verification {
    /// Signhost's type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Verification::Scribble { .. } => "Scribble",
            Verification::PhoneNumber { .. } => "PhoneNumber",
            Verification::IDin => "iDIN",
            Verification::IDeal { .. } => "iDeal",
            Verification::DigiD { .. } => "DigiD",
            Verification::Consent => "Consent",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Verification::Scribble { .. } => "Handwritten signature (scribble)",
            Verification::PhoneNumber { .. } => "SMS code to a phone number",
            Verification::IDin => "iDIN (bank identification)",
            Verification::IDeal { .. } => "iDEAL payment check",
            Verification::DigiD { .. } => "DigiD with BSN check",
            Verification::Consent => "Click to consent",
        }
    }

    /// A fresh verification of the named type.
    pub fn new(type_name: &str) -> Option<Verification> {
        Some(match type_name {
            "Scribble" => Verification::Scribble {
                require_handsignature: false,
                name_fixed: false,
                name: String::new(),
            },
            "PhoneNumber" => Verification::PhoneNumber {
                number: String::new(),
            },
            "iDIN" => Verification::IDin,
            "iDeal" => Verification::IDeal {
                iban: String::new(),
            },
            "DigiD" => Verification::DigiD { bsn: String::new() },
            "Consent" => Verification::Consent,
            _ => return None,
        })
    }

    /// Whether Signhost accepts this type as the last verification.
    pub fn may_be_last(&self) -> bool {
        matches!(
            self,
            Verification::Consent
                | Verification::PhoneNumber { .. }
                | Verification::Scribble { .. }
        )
    }
}

/// Every type offered in the form, in the order shown.
pub const VERIFICATION_TYPES: [&str; 6] = [
    "Scribble",
    "Consent",
    "PhoneNumber",
    "iDIN",
    "iDeal",
    "DigiD",
];

/// A signer as staff entered them. `key` is stable across reordering.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Signer {
    pub key: String,
    pub email: String,
    pub name: String,
    pub mobile: String,
    pub language: String,
    pub message: String,
    /// Last day the signer may sign (YYYY-MM-DD), empty for the request's expiry.
    pub expires: String,
    /// Where the browser goes after signing; empty for the portal's landing page.
    pub return_url: String,
    pub reference: String,
    pub verifications: Vec<Verification>,
    /// Given and family name apart, for services that ask (CertEurope's
    /// certificate holder); empty: taken from `name`.
    pub first_name: String,
    pub last_name: String,
    /// ISO 3166 two-letter country (CertEurope's holder); empty: `NL`.
    pub country: String,
}

impl Signer {
    /// Given and family name: as entered, or `name` split at its first space.
    pub fn name_parts(&self) -> (String, String) {
        if !self.first_name.trim().is_empty() || !self.last_name.trim().is_empty() {
            return (
                self.first_name.trim().to_string(),
                self.last_name.trim().to_string(),
            );
        }
        match self.name.trim().split_once(' ') {
            Some((first, last)) => (first.to_string(), last.trim().to_string()),
            None => (String::new(), self.name.trim().to_string()),
        }
    }

    /// The country, upper case, `NL` when none was entered.
    pub fn country_code(&self) -> String {
        let c = self.country.trim().to_uppercase();
        if c.is_empty() {
            "NL".into()
        } else {
            c
        }
    }
}

/// Someone who gets a copy of the signed documents.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Receiver {
    pub key: String,
    pub name: String,
    pub email: String,
    pub message: String,
    pub language: String,
}

/// Signhost's field types offered for placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    Signature,
    Check,
    Radio,
    SingleLine,
    Number,
    Date,
}

impl FieldKind {
    pub const ALL: [FieldKind; 6] = [
        FieldKind::Signature,
        FieldKind::Check,
        FieldKind::Radio,
        FieldKind::SingleLine,
        FieldKind::Number,
        FieldKind::Date,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Signature => "Signature",
            FieldKind::Check => "Check",
            FieldKind::Radio => "Radio",
            FieldKind::SingleLine => "SingleLine",
            FieldKind::Number => "Number",
            FieldKind::Date => "Date",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Signature => "Signature",
            FieldKind::Check => "Checkbox",
            FieldKind::Radio => "Radio button",
            FieldKind::SingleLine => "Text line",
            FieldKind::Number => "Number",
            FieldKind::Date => "Date",
        }
    }

    /// A sensible first size in points (Signhost suggests 140×70 for signatures).
    pub fn default_size(self) -> (f64, f64) {
        match self {
            FieldKind::Signature => (140.0, 70.0),
            FieldKind::Check | FieldKind::Radio => (16.0, 16.0),
            FieldKind::SingleLine => (160.0, 20.0),
            FieldKind::Number | FieldKind::Date => (90.0, 20.0),
        }
    }
}

/// Where a field goes: a rectangle on a page (points from the top-left of
/// the page as displayed), or relative to a text in the PDF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "lowercase")]
pub enum Place {
    Page {
        page: u32,
        left: f64,
        top: f64,
        width: f64,
        height: f64,
    },
    Text {
        search: String,
        occurrence: u32,
        left: f64,
        top: f64,
        width: f64,
        height: f64,
    },
}

impl Place {
    /// Whether it is a rectangle on page `n`.
    pub fn is_on_page(&self, n: u32) -> bool {
        matches!(self, Place::Page { page, .. } if *page == n)
    }

    pub fn size(&self) -> (f64, f64) {
        match self {
            Place::Page { width, height, .. } | Place::Text { width, height, .. } => {
                (*width, *height)
            }
        }
    }
}

/// A field staff placed for one signer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedField {
    pub id: String,
    /// The `key` of the signer who fills it in.
    pub signer: String,
    pub kind: FieldKind,
    pub name: String,
    #[serde(default)]
    pub value: String,
    pub place: Place,
}

/// A page as displayed (rotation applied), in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    pub width: f64,
    pub height: f64,
    pub rotate: i64,
}

/// A `{{SignerN}}` tag found in a document's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub signer: u32,
    pub page: u32,
}

/// An uploaded document, without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub size: i64,
    pub sha256: String,
    pub pages: Vec<PageInfo>,
    pub tags: Vec<Tag>,
    pub fields: Vec<PlacedField>,
    /// A document written in the portal (HTML or markdown with the service's
    /// field markup) rather than an uploaded PDF.
    #[serde(default)]
    pub markup: Option<MarkupInfo>,
}

/// What the portal read from a written document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarkupInfo {
    /// `markdown` or `html`.
    pub format: String,
    /// The signer numbers its fields are for (1-based), once each.
    pub signers: Vec<u32>,
    /// How many fields it has.
    pub fields: usize,
}

/// The progress of sending a request to Signhost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartProgress {
    /// create, upload, start or done.
    pub step: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// A portal link for one signer in the direct flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignerLink {
    pub signer_key: String,
    pub path: String,
}

/// Everything the request page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub owner_name: String,
    pub can_edit: bool,
    pub status: RequestStatus,
    pub failure: Option<String>,
    pub settings: Settings,
    pub signers: Vec<Signer>,
    pub receivers: Vec<Receiver>,
    pub documents: Vec<DocumentView>,
    pub progress: Option<StartProgress>,
    pub links: Vec<SignerLink>,
    pub max_upload_bytes: u64,
    /// Once sent: what Signhost reported and what the portal archived.
    pub tracking: Option<super::tracking::Tracking>,
    /// Whether this user may cancel it or delete it at its service.
    pub can_manage: bool,
    /// The signing service it is (or will be) sent with.
    #[serde(default)]
    pub service: super::service::ProviderKind,
    /// The services a draft may be moved to (those configured here).
    #[serde(default)]
    pub services: Vec<super::service::Offered>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// One line of the requests list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: i64,
    pub title: String,
    pub reference: String,
    pub flow: Flow,
    pub status: RequestStatus,
    pub owner_name: String,
    pub signers: usize,
    pub signed: i64,
    /// While waiting: who has not signed yet.
    #[serde(default)]
    pub waiting_for: Vec<String>,
    pub archived: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A new key for a signer, receiver or field: one more than the highest in use.
pub fn next_key<'a>(prefix: &str, used: impl Iterator<Item = &'a str>) -> String {
    let n = used
        .filter_map(|k| k.strip_prefix(prefix)?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", n + 1)
}

/// A human file size.
pub fn format_size(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{:.0} kB", b / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_names_the_service_that_emails() {
        assert_eq!(Flow::Invite.label_for("Signhost"), Flow::Invite.label());
        assert_eq!(
            Flow::Invite.label_for("Signicat"),
            "Invite: Signicat emails each signer"
        );
        assert_eq!(Flow::Direct.label_for("Signicat"), Flow::Direct.label());
    }

    #[test]
    fn keys_grow_past_the_highest() {
        let used = ["s1", "s4", "x9"];
        assert_eq!(next_key("s", used.iter().copied()), "s5");
        assert_eq!(next_key("s", std::iter::empty()), "s1");
    }

    #[test]
    fn fields_round_trip_through_json() {
        let f = PlacedField {
            id: "f1".into(),
            signer: "s1".into(),
            kind: FieldKind::Signature,
            name: "Signature1".into(),
            value: String::new(),
            place: Place::Page {
                page: 2,
                left: 10.0,
                top: 20.0,
                width: 140.0,
                height: 70.0,
            },
        };
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains(r#""at":"page""#), "{json}");
        assert_eq!(serde_json::from_str::<PlacedField>(&json).unwrap(), f);
    }

    #[test]
    fn verifications_are_tagged_with_signhost_names() {
        let v = Verification::new("iDIN").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"type":"iDIN"}"#);
        assert_eq!(v.type_name(), "iDIN");
        for t in VERIFICATION_TYPES {
            assert_eq!(Verification::new(t).unwrap().type_name(), t);
        }
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(format_size(512), "512 bytes");
        assert_eq!(format_size(2048), "2 kB");
        assert_eq!(format_size(52_428_800), "50.0 MB");
    }
}
