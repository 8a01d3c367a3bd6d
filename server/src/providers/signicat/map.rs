//! From a prepared request to Signicat's JSON (Express documents API): the
//! first PDF is the document to sign (`dataToSign`), each further PDF a
//! `sign` attachment (S3 `sign-multiple-documents.md`); signers keep the
//! portal's key as `externalSignerId` and come back to the portal's landing
//! page; Signicat emails them only in the invite flow. Signicat places the
//! signatures itself, so fields are not sent.

use app::model::request::{Flow, Settings, Signer, Verification};
use base64::Engine;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use signicat::model::{
    Advanced, AttachmentOptions, AttachmentType, Authentication, AuthenticationMechanism,
    ContactDetails, DataToSign, DocumentCreateOptions, Email, FileFormat, Mechanism, Mobile,
    Notification, NotificationSetup, Notify, Packaging, RedirectMode, RedirectSettings,
    SignRequest, SignatureType, SignerInfo, SignerNotifications, SignerOptions, TimeToLive, Ui,
};

/// A PDF to send: its name and bytes.
pub struct Pdf<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// What the mapping needs besides the request itself.
pub struct Context<'a> {
    /// Who the signers may contact (the request's owner).
    pub contact_email: &'a str,
    /// Today (the deadline counts from it).
    pub today: NaiveDate,
    /// The portal's landing page for each signer, by signer key (it carries
    /// the signer's own token: the redirect alone is never trusted).
    pub return_url: &'a (dyn Fn(&str) -> String + Sync),
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Signicat's `ui.language` for the portal's locale (S2 `Language.cs`:
/// EN NO DA SV FI NL DE); the preflight refuses locales it lacks.
pub fn language(locale: &str) -> Option<&'static str> {
    match locale.split('-').next().unwrap_or_default() {
        "en" => Some("en"),
        "nl" => Some("nl"),
        "de" => Some("de"),
        _ => None,
    }
}

/// `+31612345678` → country code `+31` and the rest. INFERRED: the SDKs
/// name the two parts but not how a number splits; two digits after the
/// `+` covers the Netherlands, Belgium, Germany and the Nordics.
pub fn mobile(number: &str) -> Option<Mobile> {
    let digits: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let rest = digits.strip_prefix('+')?;
    (rest.len() > 4).then(|| Mobile {
        country_code: format!("+{}", &rest[..2]),
        number: rest[2..].to_string(),
    })
}

/// First name and the rest, as Signicat's `signerInfo` wants them.
fn names(full: &str) -> (Option<String>, Option<String>) {
    let full = full.trim();
    match full.split_once(' ') {
        Some((first, last)) => (non_empty(first), non_empty(last)),
        None => (non_empty(full), None),
    }
}

fn signer(i: usize, s: &Signer, settings: &Settings, cx: &Context) -> SignerOptions {
    let back = (cx.return_url)(&s.key);
    let by_sms = s.verifications.iter().find_map(|v| match v {
        Verification::PhoneNumber { number } => Some(number.clone()),
        _ => None,
    });
    let mobile_number = by_sms
        .as_deref()
        .or_else(|| non_empty(&s.mobile).is_some().then_some(s.mobile.as_str()))
        .and_then(mobile);
    let (first_name, last_name) = names(&s.name);
    let email = if settings.flow == Flow::Invite {
        Notify::SendEmail
    } else {
        Notify::Off
    };
    let reminders = if settings.flow == Flow::Invite && settings.remind_days > 0 {
        Notify::SendEmail
    } else {
        Notify::Off
    };
    SignerOptions {
        external_signer_id: s.key.clone(),
        redirect_settings: RedirectSettings {
            redirect_mode: RedirectMode::Redirect,
            success: Some(back.clone()),
            cancel: Some(back.clone()),
            error: Some(back),
        },
        signature_type: SignatureType {
            mechanism: Mechanism::Handwritten,
            signature_methods: Vec::new(),
        },
        signer_info: Some(SignerInfo {
            first_name,
            last_name,
            email: non_empty(&s.email).map(|e| e.to_lowercase()),
            mobile: mobile_number,
        }),
        authentication: by_sms.is_some().then_some(Authentication {
            mechanism: AuthenticationMechanism::SmsOtp,
        }),
        notifications: Some(SignerNotifications {
            setup: NotificationSetup {
                request: email,
                reminder: reminders,
                signature_receipt: email,
                final_receipt: email,
                canceled: email,
                expired: email,
            },
        }),
        ui: language(
            non_empty(&s.language)
                .as_deref()
                .unwrap_or(&settings.language),
        )
        .map(|l| Ui {
            language: l.to_string(),
        }),
        order: settings.sequential.then_some(i as u32 + 1),
        required: None,
    }
}

/// The document to create: the first PDF, with the others announced as attachments.
pub fn document(
    request_id: i64,
    settings: &Settings,
    signers: &[Signer],
    first: &Pdf,
    more: usize,
    cx: &Context,
) -> DocumentCreateOptions {
    let deadline = cx
        .today
        .and_hms_opt(23, 59, 59)
        .map(|t| Utc.from_utc_datetime(&t) + Duration::days(settings.days_to_expire))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    DocumentCreateOptions {
        title: non_empty(&settings.title).unwrap_or_else(|| format!("Request {request_id}")),
        description: non_empty(&settings.reference),
        external_id: request_id.to_string(),
        data_to_sign: DataToSign {
            file_name: first.name.to_string(),
            base64_content: base64(first.bytes),
            packaging: Packaging {
                signature_package_formats: vec![FileFormat::Pades],
            },
        },
        contact_details: ContactDetails {
            email: cx.contact_email.to_string(),
            name: None,
        },
        signers: signers
            .iter()
            .enumerate()
            .map(|(i, s)| signer(i, s, settings, cx))
            .collect(),
        notification: invitation(settings, signers),
        advanced: Advanced {
            tags: Vec::new(),
            attachments: (more > 0).then_some(more as u32),
            required_signatures: None,
            time_to_live: Some(TimeToLive {
                deadline,
                delete_after_hours: None,
            }),
        },
    }
}

/// The invitation's text, in the invite flow. Signicat takes one text per
/// document and language (INFERRED from `SignRequest.email[]`: no
/// per-signer text), so the first signer's message is the email's text.
fn invitation(settings: &Settings, signers: &[Signer]) -> Option<Notification> {
    let text = signers
        .iter()
        .map(|s| s.message.trim())
        .find(|m| !m.is_empty())?;
    (settings.flow == Flow::Invite).then(|| Notification {
        sign_request: Some(SignRequest {
            email: vec![Email {
                language: language(&settings.language).unwrap_or("en").to_string(),
                subject: non_empty(&settings.title),
                text: text.to_string(),
                sender_name: None,
            }],
        }),
    })
}

/// A further PDF, signed by every signer.
pub fn attachment(pdf: &Pdf) -> AttachmentOptions {
    AttachmentOptions {
        file_name: pdf.name.to_string(),
        title: pdf
            .name
            .strip_suffix(".pdf")
            .unwrap_or(pdf.name)
            .to_string(),
        data: base64(pdf.bytes),
        kind: AttachmentType::Sign,
        signers: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signers() -> Vec<Signer> {
        serde_json::from_value(json!([
            {"key": "s1", "email": "Ann@Example.nl", "name": "Ann de Vries", "verifications": [{"type": "Scribble"}]},
            {"key": "s2", "email": "bob@example.nl", "name": "Bob", "language": "de-DE",
             "verifications": [{"type": "PhoneNumber", "number": "+31 6 1234 5678"}]},
        ]))
        .unwrap()
    }

    fn cx(back: &(dyn Fn(&str) -> String + Sync)) -> Context<'_> {
        Context {
            contact_email: "office@example.nl",
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            return_url: back,
        }
    }

    #[test]
    fn an_invite_with_two_signers_in_order_is_this_json() {
        let settings = Settings {
            title: "Lease".into(),
            reference: "L-1".into(),
            flow: Flow::Invite,
            language: "nl-NL".into(),
            days_to_expire: 30,
            remind_days: 7,
            sequential: true,
            notify_sender: true,
        };
        let back = |key: &str| format!("https://portal.example/return?t=tok-{key}");
        let pdf = Pdf {
            name: "Lease.pdf",
            bytes: b"%PDF-1.7",
        };
        let mut people = signers();
        people[0].message = "Please sign the lease.".into();
        let doc = document(42, &settings, &people, &pdf, 1, &cx(&back));
        let emails = json!({"request": "sendEmail", "reminder": "sendEmail", "signatureReceipt": "sendEmail",
            "finalReceipt": "sendEmail", "canceled": "sendEmail", "expired": "sendEmail"});
        let redirect = |key: &str| {
            let url = format!("https://portal.example/return?t=tok-{key}");
            json!({"redirectMode": "redirect", "success": url, "cancel": url, "error": url})
        };
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            json!({
                "title": "Lease",
                "description": "L-1",
                "externalId": "42",
                "dataToSign": {"fileName": "Lease.pdf", "base64Content": "JVBERi0xLjc=",
                    "packaging": {"signaturePackageFormats": ["pades"]}},
                "contactDetails": {"email": "office@example.nl"},
                "signers": [
                    {"externalSignerId": "s1", "redirectSettings": redirect("s1"),
                     "signatureType": {"mechanism": "handwritten"},
                     "signerInfo": {"firstName": "Ann", "lastName": "de Vries", "email": "ann@example.nl"},
                     "notifications": {"setup": emails}, "ui": {"language": "nl"}, "order": 1},
                    {"externalSignerId": "s2", "redirectSettings": redirect("s2"),
                     "signatureType": {"mechanism": "handwritten"},
                     "signerInfo": {"firstName": "Bob", "email": "bob@example.nl",
                        "mobile": {"countryCode": "+31", "number": "612345678"}},
                     "authentication": {"mechanism": "smsOtp"},
                     "notifications": {"setup": emails}, "ui": {"language": "de"}, "order": 2}
                ],
                "notification": {"signRequest": {"email": [
                    {"language": "nl", "subject": "Lease", "text": "Please sign the lease."}]}},
                "advanced": {"attachments": 1, "timeToLive": {"deadline": "2026-12-31T23:59:59Z"}}
            })
        );
    }

    #[test]
    fn the_direct_flow_sends_no_email_and_names_a_nameless_request() {
        let settings = Settings {
            flow: Flow::Direct,
            language: "en-US".into(),
            ..Settings::default()
        };
        let back = |_: &str| "https://portal.example/return".to_string();
        let pdf = Pdf {
            name: "a.pdf",
            bytes: b"%PDF",
        };
        let doc = document(7, &settings, &signers()[..1], &pdf, 0, &cx(&back));
        assert_eq!(doc.title, "Request 7");
        assert_eq!(doc.advanced.attachments, None);
        let setup = &doc.signers[0].notifications.as_ref().unwrap().setup;
        assert_eq!(setup.request, Notify::Off);
        assert_eq!(setup.reminder, Notify::Off);
        assert_eq!(doc.signers[0].order, None);
        assert_eq!(doc.signers[0].ui.as_ref().unwrap().language, "en");
    }

    #[test]
    fn further_pdfs_are_sign_attachments() {
        let a = attachment(&Pdf {
            name: "Annex.pdf",
            bytes: b"%PDF",
        });
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            json!({"fileName": "Annex.pdf", "title": "Annex", "data": "JVBERg==", "type": "sign"})
        );
    }

    #[test]
    fn languages_and_numbers_map_or_say_they_cannot() {
        assert_eq!(language("nl-NL"), Some("nl"));
        assert_eq!(language("fr-FR"), None);
        assert_eq!(mobile("0612345678"), None, "a number without its country");
        assert_eq!(
            mobile("+32 470 12 34 56"),
            Some(Mobile {
                country_code: "+32".into(),
                number: "470123456".into()
            })
        );
    }
}
