//! Whether a draft fits the signing service chosen for it: what the
//! service cannot do is found before sending, with a clear message, from
//! its capabilities (never from its name). Runs in the browser and on the
//! server, next to the preflight.

use super::preflight::{Draft, Problem};
use super::request::{Flow, Place, LANGUAGES};
use super::service::{Delivery, DocKind, Fields, ProviderKind};

fn error(target: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        error: true,
        target: target.into(),
        message: message.into(),
    }
}

fn language_name(code: &str) -> &str {
    LANGUAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
        .unwrap_or(code)
}

fn names(codes: &[&str]) -> String {
    codes
        .iter()
        .map(|c| language_name(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole preflight for `service`: the portal's own checks, without the
/// advice about fields when the service places none, and what the service
/// cannot take.
pub fn preflight(draft: &Draft, service: ProviderKind) -> Vec<Problem> {
    let c = service.capabilities();
    let places = c.places_fields();
    // A service that places no fields, or reads no `{{SignerN}}` tags,
    // is not held to the rules about them.
    let mut found: Vec<Problem> = super::preflight::check(draft)
        .into_iter()
        .filter(|p| places || !p.target.ends_with(".fields"))
        .filter(|p| c.signer_tags || !p.target.starts_with("tag."))
        .collect();
    found.extend(problems(draft, service));
    found
}

/// A certificate holder's details: a family name, a two-letter country,
/// one confirmation (simple or with an SMS code) and, for the code, a
/// mobile number in international form.
fn holder_problems(
    found: &mut Vec<Problem>,
    service: &str,
    n: usize,
    signer: &super::request::Signer,
) {
    let at = |field: &str| format!("signer.{}.{field}", signer.key);
    let (_, last) = signer.name_parts();
    if last.is_empty() {
        found.push(error(
            at("last_name"),
            format!("Signer {n}: {service} issues a certificate in the signer's name; enter their last name."),
        ));
    }
    let country = signer.country_code();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
        found.push(error(
            at("country"),
            format!("Signer {n}: write the country as two letters, like NL or BE."),
        ));
    }
    if signer.verifications.len() > 1 {
        found.push(error(
            at("verifications"),
            format!("Signer {n}: choose one way to confirm: simple, or with an SMS code."),
        ));
    }
    let sms = signer
        .verifications
        .iter()
        .any(|v| matches!(v, super::request::Verification::PhoneNumber { .. }));
    let number = signer
        .verifications
        .iter()
        .find_map(|v| match v {
            super::request::Verification::PhoneNumber { number } if !number.trim().is_empty() => {
                Some(number.trim().to_string())
            }
            _ => None,
        })
        .unwrap_or_else(|| signer.mobile.trim().to_string());
    if sms && !(number.starts_with('+') && number.len() >= 9) {
        found.push(error(
            at("mobile"),
            format!("Signer {n}: the SMS code needs a mobile number in international form, like +31612345678."),
        ));
    }
}

/// What the chosen service cannot take in this draft.
pub fn problems(draft: &Draft, service: ProviderKind) -> Vec<Problem> {
    let c = service.capabilities();
    let name = service.label();
    let mut found = Vec::new();
    if draft.signers.len() > c.max_signers {
        found.push(error(
            "signers",
            format!(
                "{name} takes at most {} signers; this request has {}.",
                c.max_signers,
                draft.signers.len()
            ),
        ));
    }
    if draft.documents.len() > c.max_documents {
        found.push(error(
            "documents",
            format!(
                "{name} takes at most {} document(s); this request has {}.",
                c.max_documents,
                draft.documents.len()
            ),
        ));
    }
    for d in draft.documents {
        if d.size as u64 > c.max_document_bytes {
            found.push(error(
                format!("document.{}", d.id),
                format!(
                    "{} is larger than the {} MB {name} takes for one document.",
                    d.name,
                    c.max_document_bytes / (1024 * 1024)
                ),
            ));
        }
    }
    let s = draft.settings;
    if !c.speaks(&s.language) {
        found.push(error(
            "settings.language",
            format!(
                "{name} does not offer {}; choose one of: {}.",
                language_name(&s.language),
                names(c.languages)
            ),
        ));
    }
    for signer in draft.signers {
        if !signer.language.is_empty() && !c.speaks(&signer.language) {
            found.push(error(
                format!("signer.{}.language", signer.key),
                format!(
                    "{name} does not offer {}; choose one of: {}.",
                    language_name(&signer.language),
                    names(c.languages)
                ),
            ));
        }
        for v in &signer.verifications {
            if !c.checks_with(v.type_name()) {
                found.push(error(
                    format!("signer.{}.verifications", signer.key),
                    format!("{name} cannot check signers with {}.", v.type_name()),
                ));
            }
        }
    }
    if c.holder {
        for (n, signer) in draft.signers.iter().enumerate() {
            holder_problems(&mut found, name, n + 1, signer);
        }
    }
    let wanted = match s.flow {
        Flow::Invite => Delivery::Invite,
        Flow::Direct => Delivery::Link,
    };
    if !c.delivers(wanted) {
        let how = match wanted {
            Delivery::Invite => "email the signers itself: choose handing out the signing links",
            Delivery::Link => "give out signing links: choose the invitation by email",
        };
        found.push(error("settings.flow", format!("{name} does not {how}.")));
    }
    let (low, high) = c.expiry_days;
    if !(low..=high).contains(&s.days_to_expire) {
        found.push(error(
            "settings.days_to_expire",
            format!("{name} accepts {low} to {high} days before a request expires."),
        ));
    }
    if !draft.receivers.is_empty() && !c.receivers {
        found.push(error(
            "receivers",
            format!("{name} sends no copies to receivers; remove them or choose another service."),
        ));
    }
    let takes_pdf = c.document_kinds.contains(&DocKind::Pdf);
    let takes_markup = c.document_kinds.contains(&DocKind::Markup);
    for d in draft.documents {
        match &d.markup {
            None if !takes_pdf => found.push(error(
                format!("document.{}", d.id),
                format!(
                    "{name} takes no PDFs: remove {} and write the document in the portal instead.",
                    d.name
                ),
            )),
            Some(_) if !takes_markup => found.push(error(
                format!("document.{}", d.id),
                format!(
                    "{} is written in the portal; {name} takes PDFs only.",
                    d.name
                ),
            )),
            Some(m) => {
                let n = draft.signers.len();
                if let Some(missing) = m.signers.iter().find(|s| **s as usize > n) {
                    found.push(error(
                        format!("document.{}", d.id),
                        format!(
                            "{} has fields for signer {missing}, but the request has {n} signer(s): add the signer or change the field.",
                            d.name
                        ),
                    ));
                }
                for k in 1..=n as u32 {
                    if !m.signers.contains(&k) {
                        found.push(error(
                            format!("document.{}", d.id),
                            format!(
                                "Signer {k} has no field in {}: give them at least a signature field, {{{k}/Signature*/Signature}}.",
                                d.name
                            ),
                        ));
                    }
                }
            }
            None => {}
        }
    }
    if takes_markup && !takes_pdf && draft.documents.is_empty() {
        found.push(error(
            "documents",
            format!(
                "Write the document to sign: {name} takes HTML or markdown written in the portal."
            ),
        ));
    }
    for d in draft.documents {
        let placed = !d.fields.is_empty();
        match c.fields {
            Fields::Placed {
                anchors,
                signature_only,
            } => {
                for f in &d.fields {
                    if !anchors && matches!(f.place, Place::Text { .. }) {
                        found.push(error(
                            format!("field.{}.{}", d.id, f.id),
                            format!("{name} places fields only at a spot on a page, not next to a text."),
                        ));
                    }
                    if signature_only && f.kind != super::request::FieldKind::Signature {
                        found.push(error(
                            format!("field.{}.{}", d.id, f.id),
                            format!("{name} takes signature fields only."),
                        ));
                    }
                }
            }
            Fields::None | Fields::InMarkup if placed => found.push(error(
                format!("document.{}", d.id),
                format!(
                    "{} has fields placed, but {}",
                    d.name,
                    c.no_fields_because.to_lowercase()
                ),
            )),
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::request::{DocumentView, PageInfo, Settings, Signer};

    fn signer(key: &str) -> Signer {
        Signer {
            key: key.into(),
            email: format!("{key}@example.nl"),
            ..Default::default()
        }
    }

    fn doc() -> DocumentView {
        DocumentView {
            id: 1,
            name: "Lease.pdf".into(),
            size: 1000,
            position: 0,
            sha256: String::new(),
            pages: vec![PageInfo {
                width: 595.0,
                height: 842.0,
                rotate: 0,
            }],
            tags: vec![],
            fields: vec![],
            markup: None,
        }
    }

    fn found(settings: &Settings, signers: &[Signer], service: ProviderKind) -> Vec<Problem> {
        let docs = [doc()];
        problems(
            &Draft {
                settings,
                signers,
                receivers: &[],
                documents: &docs,
                today: "2026-12-01",
            },
            service,
        )
    }

    #[test]
    fn a_draft_that_fits_signhost_has_no_problems() {
        let s = Settings::default();
        assert_eq!(found(&s, &[signer("s1")], ProviderKind::Signhost), vec![]);
    }

    #[test]
    fn too_many_signers_or_an_unknown_language_are_caught_with_the_service_named() {
        let s = Settings {
            language: "pl-PL".into(),
            ..Settings::default()
        };
        let six: Vec<Signer> = (1..=6).map(|i| signer(&format!("s{i}"))).collect();
        let p = found(&s, &six, ProviderKind::Hotsign);
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages.contains(&"Hotsign takes at most 5 signers; this request has 6."),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"Hotsign does not offer Polish; choose one of: English."),
            "{messages:?}"
        );
        assert!(p.iter().all(|p| p.error));
    }

    #[test]
    fn a_service_without_invitations_or_with_a_shorter_expiry_says_so() {
        let s = Settings {
            flow: Flow::Invite,
            days_to_expire: 60,
            ..Settings::default()
        };
        let p = found(&s, &[signer("s1")], ProviderKind::CertEurope);
        assert!(p.iter().any(|p| p.target == "settings.flow"
            && p.message == "CertEurope SignAPI does not email the signers itself: choose handing out the signing links."));
        let p = found(&s, &[signer("s1")], ProviderKind::Signicat);
        assert!(p.iter().any(|p| p.target == "settings.days_to_expire"
            && p.message == "Signicat accepts 1 to 45 days before a request expires."));
    }

    #[test]
    fn a_certificate_holder_needs_a_last_name_a_country_and_a_mobile_for_the_sms_code() {
        use crate::model::request::Verification;
        let s = Settings {
            flow: Flow::Direct,
            ..Settings::default()
        };
        let targets = |signer: Signer| {
            let mut t: Vec<String> = found(&s, &[signer], ProviderKind::CertEurope)
                .into_iter()
                .map(|p| p.target)
                .collect();
            t.sort();
            t
        };
        let mut ann = signer("s1");
        ann.name = "Ann Smit".into();
        ann.verifications = vec![Verification::Consent];
        assert!(
            targets(ann.clone()).is_empty(),
            "{:?}",
            targets(ann.clone())
        );
        let mut mononym = ann.clone();
        mononym.name = String::new();
        mononym.first_name = "Ann".into();
        mononym.country = "Nederland".into();
        assert_eq!(
            targets(mononym),
            ["signer.s1.country", "signer.s1.last_name"]
        );
        let mut sms = ann.clone();
        sms.verifications = vec![Verification::PhoneNumber {
            number: String::new(),
        }];
        sms.mobile = "0612345678".into();
        assert_eq!(targets(sms.clone()), ["signer.s1.mobile"]);
        sms.mobile = "+31612345678".into();
        assert!(targets(sms.clone()).is_empty());
        sms.verifications.push(Verification::Consent);
        assert_eq!(targets(sms), ["signer.s1.verifications"]);
        // Other services do not ask.
        let mut bare = signer("s1");
        bare.name = "Ann".into();
        assert!(found(&s, &[bare], ProviderKind::Signicat)
            .iter()
            .all(|p| !p.target.ends_with("last_name")));
    }

    #[test]
    fn a_tag_for_a_missing_signer_matters_only_where_tags_are_read() {
        let s = Settings {
            flow: Flow::Direct,
            ..Settings::default()
        };
        let mut d = doc();
        d.tags = vec![crate::model::request::Tag { signer: 2, page: 2 }];
        let docs = [d];
        let mut ann = signer("s1");
        ann.name = "Ann Smit".into();
        let signers = [ann];
        let draft = Draft {
            settings: &s,
            signers: &signers,
            receivers: &[],
            documents: &docs,
            today: "2026-12-01",
        };
        let tag_errors = |kind| {
            preflight(&draft, kind)
                .into_iter()
                .filter(|p| p.target.starts_with("tag."))
                .count()
        };
        assert_eq!(tag_errors(ProviderKind::Signhost), 1);
        assert_eq!(tag_errors(ProviderKind::CertEurope), 0);
        assert_eq!(tag_errors(ProviderKind::Signicat), 0);
    }

    #[test]
    fn a_markup_service_takes_written_documents_whose_fields_match_the_signers() {
        use crate::model::request::MarkupInfo;
        let s = Settings::default();
        let messages = |docs: &[DocumentView], signers: &[Signer], kind| {
            problems(
                &Draft {
                    settings: &s,
                    signers,
                    receivers: &[],
                    documents: docs,
                    today: "2026-12-01",
                },
                kind,
            )
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
        };
        let two = [signer("s1"), signer("s2")];
        assert!(messages(&[doc()], &two, ProviderKind::Hotsign)
            .contains(&"Hotsign takes no PDFs: remove Lease.pdf and write the document in the portal instead.".to_string()));
        assert!(messages(&[], &two, ProviderKind::Hotsign)
            .iter()
            .any(|m| m.starts_with("Write the document to sign")));
        let mut written = doc();
        written.name = "Lease.md".into();
        written.markup = Some(MarkupInfo {
            format: "markdown".into(),
            signers: vec![1, 3],
            fields: 2,
        });
        let m = messages(std::slice::from_ref(&written), &two, ProviderKind::Hotsign);
        assert!(m.contains(&"Lease.md has fields for signer 3, but the request has 2 signer(s): add the signer or change the field.".to_string()), "{m:?}");
        assert!(m.contains(&"Signer 2 has no field in Lease.md: give them at least a signature field, {2/Signature*/Signature}.".to_string()), "{m:?}");
        written.markup = Some(MarkupInfo {
            format: "markdown".into(),
            signers: vec![1, 2],
            fields: 2,
        });
        assert!(
            messages(std::slice::from_ref(&written), &two, ProviderKind::Hotsign)
                .iter()
                .all(|m| !m.contains("Lease"))
        );
        assert!(messages(&[written], &two, ProviderKind::Signhost)
            .contains(&"Lease.md is written in the portal; Signhost takes PDFs only.".to_string()));
    }

    #[test]
    fn each_service_offers_the_field_types_it_takes() {
        use crate::model::request::FieldKind;
        assert_eq!(
            ProviderKind::Signhost.capabilities().field_kinds(),
            FieldKind::ALL.to_vec()
        );
        assert_eq!(
            ProviderKind::CertEurope.capabilities().field_kinds(),
            vec![FieldKind::Signature]
        );
        assert!(ProviderKind::Signicat
            .capabilities()
            .field_kinds()
            .is_empty());
    }

    #[test]
    fn signicat_limits_and_checks_are_its_own() {
        let s = Settings {
            language: "fr-FR".into(),
            ..Settings::default()
        };
        let mut many: Vec<Signer> = (1..=21).map(|i| signer(&format!("s{i}"))).collect();
        many[0].verifications = vec![crate::model::request::Verification::new("iDIN").unwrap()];
        let docs: Vec<DocumentView> = (0..22).map(|_| doc()).collect();
        let p = problems(
            &Draft {
                settings: &s,
                signers: &many,
                receivers: &[],
                documents: &docs,
                today: "2026-12-01",
            },
            ProviderKind::Signicat,
        );
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages.contains(&"Signicat takes at most 20 signers; this request has 21."),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Signicat takes at most 21 document")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("Signicat does not offer French")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("iDIN")), "{messages:?}");
    }
}
