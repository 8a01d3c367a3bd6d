//! From a prepared request to Signhost's JSON: the transaction (signers,
//! receivers, settings) and each file's metadata (signers → form sets →
//! fields with their location).

use std::collections::BTreeMap;

use app::model::request::{
    DocumentView, Flow, Place, PlacedField, Receiver, Settings, Signer, Verification,
};
use chrono::{NaiveDate, TimeZone, Utc};
use signhost::model::{
    CreateReceiver, CreateSigner, CreateTransaction, Field, FileMeta, FileSignerMeta, Location,
};

/// The Signhost signer id of the n-th signer (1-based), as in `{{SignerN}}` tags.
pub fn signer_id(n: usize) -> String {
    format!("Signer{n}")
}

/// The Signhost file id of a document.
pub fn file_id(document_id: i64) -> String {
    format!("document-{document_id}.pdf")
}

/// What the transaction needs besides the draft.
pub struct Addresses<'a> {
    pub postback_url: &'a str,
    /// The portal's landing page, for signers without their own return URL.
    pub return_url: &'a str,
}

pub fn transaction(
    request_id: i64,
    settings: &Settings,
    signers: &[Signer],
    receivers: &[Receiver],
    at: &Addresses,
) -> CreateTransaction {
    let invite = settings.flow == Flow::Invite;
    CreateTransaction {
        seal: false,
        reference: Some(request_id.to_string()),
        postback_url: Some(at.postback_url.to_string()),
        days_to_expire: Some(settings.days_to_expire as i32),
        send_email_notifications: Some(settings.notify_sender),
        sign_request_mode: invite.then_some(if settings.sequential { 2 } else { 1 }),
        language: Some(settings.language.clone()),
        context: None,
        signers: signers
            .iter()
            .enumerate()
            .map(|(i, s)| signer(i + 1, s, settings, at))
            .collect(),
        receivers: receivers.iter().map(|r| receiver(r, settings)).collect(),
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn signer(n: usize, s: &Signer, settings: &Settings, at: &Addresses) -> CreateSigner {
    let invite = settings.flow == Flow::Invite;
    let expires = NaiveDate::parse_from_str(&s.expires, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| Utc.from_utc_datetime(&t).fixed_offset());
    CreateSigner {
        id: Some(signer_id(n)),
        email: s.email.trim().to_lowercase(),
        expires,
        authentications: Vec::new(),
        verifications: s.verifications.iter().map(|v| verification(v, s)).collect(),
        send_sign_request: Some(invite),
        send_sign_confirmation: None,
        sign_request_subject: None,
        sign_request_message: non_empty(&s.message),
        days_to_remind: invite.then_some(if settings.remind_days > 0 {
            settings.remind_days as i32
        } else {
            -1
        }),
        language: Some(non_empty(&s.language).unwrap_or_else(|| settings.language.clone())),
        reference: non_empty(&s.reference),
        intro_text: None,
        return_url: Some(non_empty(&s.return_url).unwrap_or_else(|| at.return_url.to_string())),
        allow_delegation: None,
        context: None,
    }
}

fn verification(v: &Verification, s: &Signer) -> signhost::model::Verification {
    use signhost::model::{self as sh, Verification as V};
    match v {
        Verification::Scribble {
            require_handsignature,
            name_fixed,
            name,
        } => V::Scribble(sh::Scribble {
            require_handsignature: Some(*require_handsignature),
            scribble_name_fixed: Some(*name_fixed),
            scribble_name: non_empty(name).or_else(|| non_empty(&s.name)),
        }),
        Verification::PhoneNumber { number } => V::PhoneNumber(sh::PhoneNumber {
            number: non_empty(number).or_else(|| non_empty(&s.mobile)),
            secure_download: None,
        }),
        Verification::IDin => V::IDin(sh::IDin::default()),
        Verification::IDeal { iban } => V::IDeal(sh::IDeal {
            iban: Some(iban.chars().filter(|c| !c.is_whitespace()).collect()),
            ..Default::default()
        }),
        Verification::DigiD { bsn } => V::DigiD(sh::DigiD {
            bsn: non_empty(bsn),
            ..Default::default()
        }),
        Verification::Consent => V::Consent,
    }
}

fn receiver(r: &Receiver, settings: &Settings) -> CreateReceiver {
    CreateReceiver {
        name: non_empty(&r.name),
        email: r.email.trim().to_lowercase(),
        message: r.message.trim().to_string(),
        language: Some(non_empty(&r.language).unwrap_or_else(|| settings.language.clone())),
        subject: None,
        reference: None,
        context: None,
    }
}

/// The form set of one signer in one document (names are unique in the transaction).
fn form_set(document_id: i64, n: usize) -> String {
    format!("document{document_id}_signer{n}")
}

/// The metadata of one document: display name and order, and per signer
/// the fields placed for them.
pub fn file_meta(doc: &DocumentView, signers: &[Signer]) -> FileMeta {
    let mut signer_meta = BTreeMap::new();
    let mut form_sets = BTreeMap::new();
    for (i, s) in signers.iter().enumerate() {
        let fields: BTreeMap<String, Field> = doc
            .fields
            .iter()
            .filter(|f| f.signer == s.key)
            .map(|f| (f.name.clone(), field(f)))
            .collect();
        if fields.is_empty() {
            continue;
        }
        let name = form_set(doc.id, i + 1);
        signer_meta.insert(
            signer_id(i + 1),
            FileSignerMeta {
                form_sets: vec![name.clone()],
            },
        );
        form_sets.insert(name, fields);
    }
    FileMeta {
        display_order: Some(doc.position as i32),
        display_name: Some(doc.name.clone()),
        description: None,
        set_paraph: None,
        signers: (!signer_meta.is_empty()).then_some(signer_meta),
        form_sets: (!form_sets.is_empty()).then_some(form_sets),
    }
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn field(f: &PlacedField) -> Field {
    let location = match &f.place {
        Place::Page {
            page,
            left,
            top,
            width,
            height,
        } => Location {
            page_number: Some(*page as i32),
            left: Some(round(*left)),
            top: Some(round(*top)),
            width: Some(round(*width)),
            height: Some(round(*height)),
            ..Location::default()
        },
        Place::Text {
            search,
            occurrence,
            left,
            top,
            width,
            height,
        } => Location {
            search: Some(search.clone()),
            occurence: Some((*occurrence).max(1) as i32),
            left: Some(round(*left)),
            top: Some(round(*top)),
            width: Some(round(*width)),
            height: Some(round(*height)),
            ..Location::default()
        },
    };
    Field {
        r#type: f.kind.as_str().to_string(),
        value: non_empty(&f.value).map(serde_json::Value::String),
        location: Some(location),
    }
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
