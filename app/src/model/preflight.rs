//! What would fail or surprise if a request were sent now. Runs in the
//! browser as staff type and on the server before start; start is refused
//! while there are errors, warnings can be accepted.

use serde::{Deserialize, Serialize};

use super::request::{
    is_language, DocumentView, Flow, Place, Receiver, Settings, Signer, Verification,
};
use super::Email;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Errors block the start; warnings can be accepted.
    pub error: bool,
    /// What it is about, e.g. `signer.s1.email`, `field.4.f2`, `documents`.
    pub target: String,
    pub message: String,
}

/// The parts of a request the preflight looks at.
pub struct Draft<'a> {
    pub settings: &'a Settings,
    pub signers: &'a [Signer],
    pub receivers: &'a [Receiver],
    pub documents: &'a [DocumentView],
    /// Today as YYYY-MM-DD (signer expiry dates must not be in the past).
    pub today: &'a str,
}

#[derive(Default)]
struct Found(Vec<Problem>);

impl Found {
    fn error(&mut self, target: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            error: true,
            target: target.into(),
            message: message.into(),
        });
    }
    fn warn(&mut self, target: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            error: false,
            target: target.into(),
            message: message.into(),
        });
    }
}

pub fn check(draft: &Draft) -> Vec<Problem> {
    let mut found = Found::default();
    settings(draft.settings, &mut found);
    if draft.documents.is_empty() {
        found.error("documents", "Add at least one PDF document.");
    }
    if draft.signers.is_empty() {
        found.error("signers", "Add at least one signer.");
    }
    for (i, s) in draft.signers.iter().enumerate() {
        signer(i + 1, s, draft, &mut found);
    }
    let mut seen = Vec::new();
    for s in draft.signers {
        let email = s.email.trim().to_lowercase();
        if !email.is_empty() && seen.contains(&email) {
            found.warn(
                format!("signer.{}.email", s.key),
                format!("{email} is listed as a signer more than once."),
            );
        }
        seen.push(email);
    }
    for r in draft.receivers {
        receiver(r, &mut found);
    }
    for d in draft.documents {
        document(d, draft, &mut found);
    }
    signature_coverage(draft, &mut found);
    found.0
}

pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.error)
}

/// The messages about one target (for showing next to a field).
pub fn message_for(problems: &[Problem], target: &str) -> Option<String> {
    problems
        .iter()
        .find(|p| p.target == target)
        .map(|p| p.message.clone())
}

fn settings(s: &Settings, found: &mut Found) {
    if s.title.trim().is_empty() {
        found.warn(
            "settings.title",
            "Give the request a title so you can find it later.",
        );
    }
    // How many days a service accepts is its own (model::fit).
    if s.flow == Flow::Invite && s.remind_days > 0 && s.remind_days >= s.days_to_expire {
        found.error(
            "settings.remind_days",
            "Reminders must come more often than the expiry: choose fewer days than the days to expire.",
        );
    }
    if s.remind_days < 0 {
        found.error("settings.remind_days", "Use 0 for no reminders.");
    }
    if !is_language(&s.language) {
        found.error("settings.language", "Choose one of the listed languages.");
    }
}

fn signer(n: usize, s: &Signer, draft: &Draft, found: &mut Found) {
    let at = |field: &str| format!("signer.{}.{field}", s.key);
    if let Err(e) = Email::parse(&s.email) {
        let how = if draft.settings.flow == Flow::Invite {
            " Signhost emails the invitation there."
        } else {
            ""
        };
        found.error(at("email"), format!("Signer {n}: {e}{how}"));
    }
    if s.name.trim().is_empty() {
        found.error(at("name"), format!("Signer {n}: enter the signer's name."));
    }
    if draft.settings.flow == Flow::Invite && s.message.trim().is_empty() {
        found.error(
            at("message"),
            format!("Signer {n}: the invite flow needs a message for the invitation email."),
        );
    }
    if !s.mobile.trim().is_empty() && !is_phone_number(&s.mobile) {
        found.error(
            at("mobile"),
            format!(
                "Signer {n}: write the mobile number in international form, like +31612345678."
            ),
        );
    }
    if !s.language.is_empty() && !is_language(&s.language) {
        found.error(
            at("language"),
            format!("Signer {n}: choose one of the listed languages."),
        );
    }
    if !s.expires.is_empty() {
        if !is_date(&s.expires) {
            found.error(
                at("expires"),
                format!("Signer {n}: write the date as YYYY-MM-DD."),
            );
        } else if s.expires.as_str() < draft.today {
            found.error(
                at("expires"),
                format!("Signer {n}: the last day to sign is in the past."),
            );
        }
    }
    let url = s.return_url.trim();
    let web_address = url.starts_with("https://") || url.starts_with("http://");
    if !url.is_empty() && !web_address {
        found.error(
            at("return_url"),
            format!("Signer {n}: the return address must start with https://."),
        );
    }
    for message in verification_problems(&s.verifications, &s.mobile) {
        found.error(at("verifications"), format!("Signer {n}: {message}"));
    }
}

/// Signhost's rules for a signer's verifications, as messages.
pub fn verification_problems(list: &[Verification], mobile: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        if list[..i].iter().any(|w| w.type_name() == v.type_name()) {
            out.push(format!("“{}” is listed twice.", v.label()));
        }
        match v {
            Verification::Scribble {
                name_fixed: true,
                name,
                ..
            } if name.trim().is_empty() => {
                out.push("a fixed scribble name needs the name to show.".into())
            }
            Verification::PhoneNumber { number } => {
                let number = if number.trim().is_empty() {
                    mobile
                } else {
                    number
                };
                if !is_phone_number(number) {
                    out.push(
                        "the SMS check needs a phone number like +31612345678 (here or as mobile)."
                            .into(),
                    );
                }
            }
            Verification::IDeal { iban } if !is_iban(iban) => {
                out.push("the iDEAL check needs a valid IBAN.".into())
            }
            Verification::DigiD { bsn } if !is_bsn(bsn) => {
                out.push("the DigiD check needs a BSN that passes the 11-check.".into())
            }
            _ => {}
        }
    }
    if let Some(last) = list.last() {
        if !last.may_be_last() {
            out.push(format!(
                "Signhost needs the last check to be a scribble, consent or SMS code, not “{}”. Add one after it.",
                last.label()
            ));
        }
    }
    out
}

/// Where a new verification goes so Signhost's order rule holds:
/// identification first, the final act (scribble, consent, SMS) last.
pub fn insert_verification(list: &mut Vec<Verification>, v: Verification) {
    if list.iter().any(|w| w.type_name() == v.type_name()) {
        return;
    }
    if v.may_be_last() {
        list.push(v);
    } else {
        let at = list
            .iter()
            .position(Verification::may_be_last)
            .unwrap_or(list.len());
        list.insert(at, v);
    }
}

fn receiver(r: &Receiver, found: &mut Found) {
    let at = |field: &str| format!("receiver.{}.{field}", r.key);
    if let Err(e) = Email::parse(&r.email) {
        found.error(at("email"), format!("Receiver: {e}"));
    }
    if r.name.trim().is_empty() {
        found.error(at("name"), "Receiver: enter their name.");
    }
    if r.message.trim().is_empty() {
        found.error(
            at("message"),
            "Receiver: Signhost needs a message to send with the copy.",
        );
    }
}

fn document(d: &DocumentView, draft: &Draft, found: &mut Found) {
    for tag in &d.tags {
        if tag.signer as usize > draft.signers.len() || tag.signer == 0 {
            found.error(
                format!("tag.{}", d.id),
                format!(
                    "“{}” has a {{{{Signer{}}}}} tag on page {}, but the request has {} signer(s).",
                    d.name,
                    tag.signer,
                    tag.page,
                    draft.signers.len()
                ),
            );
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for f in &d.fields {
        let at = format!("field.{}.{}", d.id, f.id);
        let label = if f.name.is_empty() {
            f.kind.label().to_string()
        } else {
            f.name.clone()
        };
        if !draft.signers.iter().any(|s| s.key == f.signer) {
            found.error(
                &at,
                format!(
                    "Field “{label}” in “{}” belongs to a signer who was removed.",
                    d.name
                ),
            );
        }
        if f.name.is_empty()
            || !f
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            found.error(
                &at,
                format!(
                    "Field “{label}” in “{}”: names may use only letters, digits and _.",
                    d.name
                ),
            );
        } else if names.contains(&f.name.as_str()) {
            found.error(
                &at,
                format!("“{}” has two fields named “{}”.", d.name, f.name),
            );
        }
        names.push(&f.name);
        match &f.place {
            Place::Page {
                page,
                left,
                top,
                width,
                height,
            } => match d.pages.get((*page as usize).wrapping_sub(1)) {
                None => found.error(
                    &at,
                    format!(
                        "Field “{label}” is on page {page}, which “{}” does not have.",
                        d.name
                    ),
                ),
                Some(p) => {
                    let inside = *left >= 0.0
                        && *top >= 0.0
                        && *width > 0.0
                        && *height > 0.0
                        && left + width <= p.width + 0.5
                        && top + height <= p.height + 0.5;
                    if !inside {
                        found.error(
                            &at,
                            format!(
                                "Field “{label}” on page {page} of “{}” is (partly) outside the page.",
                                d.name
                            ),
                        );
                    }
                }
            },
            Place::Text { search, .. } => {
                if search.trim().is_empty() {
                    found.error(
                        &at,
                        format!("Field “{label}” is anchored to text, but the text is empty."),
                    );
                }
            }
        }
    }
}

/// Signhost's advice: if one signer gets signature places, give them to all.
fn signature_coverage(draft: &Draft, found: &mut Found) {
    let placed = |n: usize, key: &str| {
        draft.documents.iter().any(|d| {
            d.tags.iter().any(|t| t.signer as usize == n)
                || d.fields
                    .iter()
                    .any(|f| f.signer == key && f.kind == super::request::FieldKind::Signature)
        })
    };
    let with: Vec<bool> = draft
        .signers
        .iter()
        .enumerate()
        .map(|(i, s)| placed(i + 1, &s.key))
        .collect();
    if with.iter().any(|b| *b) {
        for (i, s) in draft.signers.iter().enumerate() {
            if !with[i] {
                let who = if s.name.trim().is_empty() {
                    format!("Signer {}", i + 1)
                } else {
                    s.name.clone()
                };
                found.warn(
                    format!("signer.{}.fields", s.key),
                    format!(
                        "{who} has no signature field while others do; Signhost will put their signature at the top right of page 1."
                    ),
                );
            }
        }
    }
}

pub fn is_phone_number(s: &str) -> bool {
    let s = s.trim();
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// The Dutch BSN "11-proef".
pub fn is_bsn(s: &str) -> bool {
    let s = s.trim();
    if s.len() != 9 || !s.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let d: Vec<i64> = s.bytes().map(|b| (b - b'0') as i64).collect();
    let sum: i64 = (0..8).map(|i| d[i] * (9 - i as i64)).sum::<i64>() - d[8];
    sum != 0 && sum % 11 == 0
}

/// An IBAN with a valid mod-97 check.
pub fn is_iban(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let rearranged = format!("{}{}", &s[4..], &s[..4]).to_ascii_uppercase();
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        let step = if v >= 10 { 100 } else { 10 };
        rem = (rem * step + v) % 97;
    }
    rem == 1
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
#[path = "preflight_tests.rs"]
mod tests;
