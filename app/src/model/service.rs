//! The signing services the portal speaks, and what each can do, as data.
//! Shared with the browser: the editor, the preflight and the send panel
//! ask these capabilities instead of naming a service.

use serde::{Deserialize, Serialize};

/// A signing service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    #[default]
    Signhost,
    Signicat,
    CertEurope,
    Hotsign,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::Signhost,
        ProviderKind::Signicat,
        ProviderKind::CertEurope,
        ProviderKind::Hotsign,
    ];

    /// The name in the database, the configuration and the webhook path.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Signhost => "signhost",
            ProviderKind::Signicat => "signicat",
            ProviderKind::CertEurope => "certeurope",
            ProviderKind::Hotsign => "hotsign",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The name staff see.
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::Signhost => "Signhost",
            ProviderKind::Signicat => "Signicat",
            ProviderKind::CertEurope => "CertEurope SignAPI",
            ProviderKind::Hotsign => "Hotsign",
        }
    }

    /// The steps of sending a request there, with what staff see of each
    /// (the first is where the start job begins).
    pub fn send_steps(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ProviderKind::Signhost => &[
                ("create", "Create the transaction at Signhost"),
                ("upload", "Upload the documents and fields"),
                ("start", "Start signing"),
            ],
            ProviderKind::Signicat => &[
                ("create", "Create the document at Signicat"),
                ("attachments", "Add the other documents"),
            ],
            ProviderKind::CertEurope => &[
                ("orders", "Order a certificate for each signer"),
                ("requests", "Prepare the signature requests"),
            ],
            ProviderKind::Hotsign => &[("invite", "Send the invite at Hotsign")],
        }
    }

    pub fn capabilities(self) -> &'static Capabilities {
        match self {
            ProviderKind::Signhost => &SIGNHOST,
            ProviderKind::Signicat => &SIGNICAT,
            ProviderKind::CertEurope => &CERTEUROPE,
            ProviderKind::Hotsign => &HOTSIGN,
        }
    }
}

/// How well the portal knows a service's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Contract {
    /// From the service's own specification or SDKs.
    Documented,
    /// Partly documented, partly inferred (marked where).
    Partly,
    /// Inferred: the service is shown as experimental.
    Inferred,
}

/// Who gets the signer to the signing page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// The service emails each signer.
    Invite,
    /// The portal hands out a signing link.
    Link,
}

/// In which order signers may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// Everyone at once, or one after the other, as staff choose.
    Either,
    /// Everyone at once only.
    Parallel,
    /// One after the other, each on the previous signer's output (the portal chains them).
    ChainedByPortal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocKind {
    Pdf,
    /// HTML or markdown with the service's field markup.
    Markup,
}

/// Whether and how fields are placed on documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fields {
    /// The service places the signature itself: no field palette.
    None,
    /// Fields at a place on a page, or next to a text.
    Placed { anchors: bool, signature_only: bool },
    /// Fields written in the document's markup.
    InMarkup,
}

/// What the portal keeps when a request is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Artifact {
    Signed,
    Receipt,
    AuditTrail,
    Consent,
}

/// What a service can do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capabilities {
    pub contract: Contract,
    pub delivery: &'static [Delivery],
    /// The portal shows the documents and takes the signer's consent itself.
    pub hosted_signing: bool,
    /// The service issues a certificate in the signer's name, so it needs
    /// their given and family name and country (CertEurope's holder).
    pub holder: bool,
    pub order: Order,
    pub max_signers: usize,
    pub max_documents: usize,
    pub max_document_bytes: u64,
    pub document_kinds: &'static [DocKind],
    pub fields: Fields,
    /// `{{Signer1}}` text tags become fields.
    pub signer_tags: bool,
    /// Signer checks, by the portal's names (see `request::VERIFICATION_TYPES`).
    pub checks: &'static [&'static str],
    /// Languages of the service's pages and emails (codes as in `request::LANGUAGES`).
    pub languages: &'static [&'static str],
    pub expiry_days: (i64, i64),
    pub reminders: bool,
    pub receivers: bool,
    pub cancel: bool,
    /// Whether the request can be deleted at the service once archived.
    pub purge: bool,
    pub artifacts: &'static [Artifact],
    /// Days after sending when the service deletes a request itself (Hotsign: 45).
    pub deleted_after_days: Option<i64>,
    pub seal: bool,
    /// Why fields cannot be placed, when they cannot (shown in the editor).
    pub no_fields_because: &'static str,
    /// What the editor calls the signer's checks at this service.
    pub checks_title: &'static str,
    /// The service's own words for a check (type, label), where they differ.
    pub check_labels: &'static [(&'static str, &'static str)],
}

const MB: u64 = 1024 * 1024;

pub static SIGNHOST: Capabilities = Capabilities {
    contract: Contract::Documented,
    delivery: &[Delivery::Invite, Delivery::Link],
    hosted_signing: false,
    holder: false,
    order: Order::Either,
    max_signers: 50,
    max_documents: 50,
    max_document_bytes: 50 * MB,
    document_kinds: &[DocKind::Pdf],
    fields: Fields::Placed {
        anchors: true,
        signature_only: false,
    },
    signer_tags: true,
    // Every check the editor offers.
    checks: &crate::model::request::VERIFICATION_TYPES,
    languages: &[
        "nl-NL", "en-US", "de-DE", "fr-FR", "it-IT", "es-ES", "pl-PL",
    ],
    expiry_days: (1, 90),
    reminders: true,
    receivers: true,
    cancel: true,
    purge: true,
    artifacts: &[Artifact::Signed, Artifact::Receipt],
    deleted_after_days: None,
    seal: false,
    no_fields_because: "",
    checks_title: "Checks before signing (in this order)",
    check_labels: &[],
};

/// Signicat Express (`providers.md` §1): no field placement, 20 signers and
/// documents, deadline at most 45 days, the languages of its signing page.
pub static SIGNICAT: Capabilities = Capabilities {
    contract: Contract::Documented,
    delivery: &[Delivery::Invite, Delivery::Link],
    hosted_signing: false,
    holder: false,
    order: Order::Either,
    max_signers: 20,
    max_documents: 21,
    max_document_bytes: 50 * MB,
    document_kinds: &[DocKind::Pdf],
    fields: Fields::None,
    signer_tags: false,
    checks: &["Scribble", "PhoneNumber"],
    languages: &["en-US", "nl-NL", "de-DE"],
    expiry_days: (1, 45),
    reminders: true,
    receivers: false,
    cancel: true,
    purge: false,
    artifacts: &[Artifact::Signed],
    deleted_after_days: None,
    seal: false,
    no_fields_because: "Signicat places the signatures itself, on a page it adds to each document.",
    checks_title: "Signature method and authentication",
    check_labels: &[
        (
            "Scribble",
            "Handwritten signature, drawn on Signicat's page",
        ),
        ("PhoneNumber", "SMS one-time code before signing"),
    ],
};

/// CertEurope SignAPI (`providers.md` §3): no signer page of its own, so the
/// portal hosts it; one holder per order, chained by the portal.
pub static CERTEUROPE: Capabilities = Capabilities {
    contract: Contract::Partly,
    delivery: &[Delivery::Link],
    hosted_signing: true,
    holder: true,
    order: Order::ChainedByPortal,
    max_signers: 10,
    max_documents: 10,
    max_document_bytes: 20 * MB,
    document_kinds: &[DocKind::Pdf],
    fields: Fields::Placed {
        anchors: false,
        signature_only: true,
    },
    signer_tags: false,
    checks: &["Consent", "PhoneNumber"],
    languages: &["nl-NL", "en-US"],
    expiry_days: (1, 90),
    reminders: false,
    receivers: false,
    cancel: true,
    purge: true,
    artifacts: &[Artifact::Signed, Artifact::Consent, Artifact::Receipt],
    deleted_after_days: None,
    seal: false,
    no_fields_because: "",
    checks_title: "How the signer confirms on the portal's signing page",
    check_labels: &[
        (
            "Consent",
            "Simple: the signer ticks their consent and signs",
        ),
        (
            "PhoneNumber",
            "With an SMS code: consent, then a one-time code to their mobile",
        ),
    ],
};

/// Hotsign (`providers.md` §2): markup documents, five signers, 5 MB.
pub static HOTSIGN: Capabilities = Capabilities {
    contract: Contract::Inferred,
    delivery: &[Delivery::Invite],
    hosted_signing: false,
    holder: false,
    order: Order::Parallel,
    max_signers: 5,
    max_documents: 1,
    max_document_bytes: 5 * MB,
    document_kinds: &[DocKind::Markup],
    fields: Fields::InMarkup,
    signer_tags: false,
    checks: &[],
    languages: &["en-US"],
    expiry_days: (1, 45),
    reminders: false,
    receivers: false,
    cancel: true,
    purge: false,
    artifacts: &[Artifact::Signed, Artifact::AuditTrail],
    deleted_after_days: Some(45),
    seal: false,
    no_fields_because: "Hotsign takes its fields from the document's markup.",
    checks_title: "Checks before signing",
    check_labels: &[],
};

impl Capabilities {
    pub fn delivers(&self, d: Delivery) -> bool {
        self.delivery.contains(&d)
    }

    pub fn places_fields(&self) -> bool {
        matches!(self.fields, Fields::Placed { .. })
    }

    /// The field types staff may place (CertEurope: signatures only).
    pub fn field_kinds(&self) -> Vec<crate::model::request::FieldKind> {
        use crate::model::request::FieldKind;
        match self.fields {
            Fields::Placed {
                signature_only: true,
                ..
            } => vec![FieldKind::Signature],
            Fields::Placed { .. } => FieldKind::ALL.to_vec(),
            _ => Vec::new(),
        }
    }

    pub fn speaks(&self, language: &str) -> bool {
        self.languages.contains(&language)
    }

    pub fn checks_with(&self, check: &str) -> bool {
        self.checks.contains(&check)
    }

    /// A check in the service's words, when it has its own.
    pub fn check_label(&self, check: &str) -> Option<&'static str> {
        self.check_labels
            .iter()
            .find(|(t, _)| *t == check)
            .map(|(_, l)| *l)
    }
}

/// What happened at a service, in the portal's words (stored as the
/// string in `activities.kind`). Each adapter maps its own events here and
/// keeps its own code beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Invited,
    InvitationReceived,
    Opened,
    Reminded,
    Viewed,
    Identified,
    IdentityFailed,
    Cancelled,
    Declined,
    Signed,
    Delegated,
    DocumentSent,
    DocumentOpened,
    DocumentDownloaded,
    ReceiptSent,
    ReceiptOpened,
    ReceiptDownloaded,
    Finished,
    Deleted,
    Expired,
    EmailBounced,
    Failed,
    Other,
}

impl EventKind {
    pub const ALL: [EventKind; 23] = [
        EventKind::Invited,
        EventKind::InvitationReceived,
        EventKind::Opened,
        EventKind::Reminded,
        EventKind::Viewed,
        EventKind::Identified,
        EventKind::IdentityFailed,
        EventKind::Cancelled,
        EventKind::Declined,
        EventKind::Signed,
        EventKind::Delegated,
        EventKind::DocumentSent,
        EventKind::DocumentOpened,
        EventKind::DocumentDownloaded,
        EventKind::ReceiptSent,
        EventKind::ReceiptOpened,
        EventKind::ReceiptDownloaded,
        EventKind::Finished,
        EventKind::Deleted,
        EventKind::Expired,
        EventKind::EmailBounced,
        EventKind::Failed,
        EventKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Invited => "invited",
            EventKind::InvitationReceived => "invitation_received",
            EventKind::Opened => "opened",
            EventKind::Reminded => "reminded",
            EventKind::Viewed => "viewed",
            EventKind::Identified => "identified",
            EventKind::IdentityFailed => "identity_failed",
            EventKind::Cancelled => "cancelled",
            EventKind::Declined => "declined",
            EventKind::Signed => "signed",
            EventKind::Delegated => "delegated",
            EventKind::DocumentSent => "document_sent",
            EventKind::DocumentOpened => "document_opened",
            EventKind::DocumentDownloaded => "document_downloaded",
            EventKind::ReceiptSent => "receipt_sent",
            EventKind::ReceiptOpened => "receipt_opened",
            EventKind::ReceiptDownloaded => "receipt_downloaded",
            EventKind::Finished => "finished",
            EventKind::Deleted => "deleted",
            EventKind::Expired => "expired",
            EventKind::EmailBounced => "email_bounced",
            EventKind::Failed => "failed",
            EventKind::Other => "other",
        }
    }

    /// An unknown name reads as `Other`.
    pub fn parse(s: &str) -> EventKind {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(EventKind::Other)
    }

    /// Told by the request itself on the timeline, not per signer (services
    /// report a cancel or an expiry on every signer).
    pub fn is_request_wide(self) -> bool {
        matches!(
            self,
            EventKind::Cancelled | EventKind::Finished | EventKind::Deleted | EventKind::Expired
        )
    }
}

/// Where one signer is, in the portal's words (stored as the string in
/// `SignerState.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignerPhase {
    Waiting,
    Signed,
    Rejected,
}

impl SignerPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            SignerPhase::Waiting => "waiting",
            SignerPhase::Signed => "signed",
            SignerPhase::Rejected => "rejected",
        }
    }
}

/// A service that staff may choose for a draft (configured on this portal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offered {
    pub kind: ProviderKind,
    pub label: String,
    pub experimental: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::request::{LANGUAGES, VERIFICATION_TYPES};

    #[test]
    fn names_go_there_and_back() {
        for k in ProviderKind::ALL {
            assert_eq!(ProviderKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ProviderKind::parse("docusign"), None);
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), k);
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(EventKind::parse("something new"), EventKind::Other);
    }

    #[test]
    fn signhost_can_do_everything_the_editor_offers_today() {
        let c = ProviderKind::Signhost.capabilities();
        for (code, _) in LANGUAGES {
            assert!(c.speaks(code), "{code}");
        }
        for check in VERIFICATION_TYPES {
            assert!(c.checks_with(check), "{check}");
        }
        assert!(c.places_fields() && c.signer_tags);
        assert!(c.delivers(Delivery::Invite) && c.delivers(Delivery::Link));
        assert_eq!(c.expiry_days, (1, 90));
    }

    #[test]
    fn every_service_names_only_languages_and_checks_the_portal_knows() {
        for k in ProviderKind::ALL {
            let c = k.capabilities();
            for l in c.languages {
                assert!(LANGUAGES.iter().any(|(code, _)| code == l), "{k:?} {l}");
            }
            for check in c.checks {
                assert!(VERIFICATION_TYPES.contains(check), "{k:?} {check}");
            }
            assert!(!c.delivery.is_empty());
            assert_eq!(c.places_fields(), c.no_fields_because.is_empty(), "{k:?}");
        }
    }
}
