use super::*;
use crate::model::request::{FieldKind, PageInfo, PlacedField, Tag};

fn signer(key: &str, email: &str) -> Signer {
    Signer {
        key: key.into(),
        email: email.into(),
        name: format!("Person {key}"),
        message: "Please sign".into(),
        verifications: vec![Verification::new("Scribble").unwrap()],
        ..Signer::default()
    }
}

fn field(id: &str, signer: &str, kind: FieldKind, left: f64) -> PlacedField {
    PlacedField {
        id: id.into(),
        signer: signer.into(),
        kind,
        name: format!("Field_{id}"),
        value: String::new(),
        place: Place::Page {
            page: 1,
            left,
            top: 100.0,
            width: 140.0,
            height: 70.0,
        },
    }
}

fn document(fields: Vec<PlacedField>, tags: Vec<Tag>) -> DocumentView {
    DocumentView {
        id: 7,
        name: "Contract.pdf".into(),
        position: 1,
        size: 1000,
        sha256: String::new(),
        pages: vec![PageInfo {
            width: 595.0,
            height: 842.0,
            rotate: 0,
        }],
        tags,
        fields,
        markup: None,
    }
}

fn run(settings: &Settings, signers: &[Signer], docs: &[DocumentView]) -> Vec<Problem> {
    check(&Draft {
        settings,
        signers,
        receivers: &[],
        documents: docs,
        today: "2026-11-23",
    })
}

fn targets(problems: &[Problem], error: bool) -> Vec<String> {
    problems
        .iter()
        .filter(|p| p.error == error)
        .map(|p| p.target.clone())
        .collect()
}

fn titled() -> Settings {
    Settings {
        title: "Lease".into(),
        ..Settings::default()
    }
}

#[test]
fn a_complete_request_has_no_problems() {
    let docs = [document(
        vec![
            field("f1", "s1", FieldKind::Signature, 50.0),
            field("f2", "s2", FieldKind::Signature, 300.0),
        ],
        vec![],
    )];
    let problems = run(
        &titled(),
        &[signer("s1", "a@x.nl"), signer("s2", "b@x.nl")],
        &docs,
    );
    assert_eq!(problems, vec![]);
}

#[test]
fn missing_documents_and_signers_are_errors() {
    let problems = run(&titled(), &[], &[]);
    assert_eq!(targets(&problems, true), vec!["documents", "signers"]);
    assert!(has_errors(&problems));
}

#[test]
fn a_signer_without_a_signature_field_while_others_have_one_is_a_warning() {
    let docs = [document(
        vec![field("f1", "s1", FieldKind::Signature, 50.0)],
        vec![],
    )];
    let problems = run(
        &titled(),
        &[signer("s1", "a@x.nl"), signer("s2", "b@x.nl")],
        &docs,
    );
    assert_eq!(targets(&problems, false), vec!["signer.s2.fields"]);
    assert!(!has_errors(&problems));
}

#[test]
fn a_tag_counts_as_a_signature_place_and_must_name_a_real_signer() {
    let tags = vec![Tag { signer: 1, page: 1 }, Tag { signer: 3, page: 2 }];
    let docs = [document(vec![], tags)];
    let problems = run(
        &titled(),
        &[signer("s1", "a@x.nl"), signer("s2", "b@x.nl")],
        &docs,
    );
    assert_eq!(targets(&problems, true), vec!["tag.7"]);
    assert!(problems[0].message.contains("{{Signer3}}"), "{problems:?}");
    assert_eq!(targets(&problems, false), vec!["signer.s2.fields"]);
}

#[test]
fn fields_outside_the_page_duplicate_names_and_orphans_are_errors() {
    let mut twin = field("f2", "s1", FieldKind::Check, 10.0);
    twin.name = "Field_f1".into();
    let docs = [document(
        vec![
            field("f1", "s1", FieldKind::Signature, 500.0),
            twin,
            field("f3", "gone", FieldKind::Date, 10.0),
        ],
        vec![],
    )];
    let problems = run(&titled(), &[signer("s1", "a@x.nl")], &docs);
    assert_eq!(
        targets(&problems, true),
        vec!["field.7.f1", "field.7.f2", "field.7.f3"]
    );
}

#[test]
fn invite_flow_needs_a_message_and_an_address() {
    let mut s = signer("s1", "not-an-email");
    s.message.clear();
    let problems = run(&titled(), &[s.clone()], &[document(vec![], vec![])]);
    assert_eq!(
        targets(&problems, true),
        vec!["signer.s1.email", "signer.s1.message"]
    );
    let direct = Settings {
        flow: Flow::Direct,
        ..titled()
    };
    s.email = "a@x.nl".into();
    assert_eq!(run(&direct, &[s], &[document(vec![], vec![])]), vec![]);
}

#[test]
fn reminders_must_come_before_expiry() {
    let s = Settings {
        days_to_expire: 7,
        remind_days: 7,
        ..titled()
    };
    let problems = run(&s, &[signer("s1", "a@x.nl")], &[document(vec![], vec![])]);
    assert_eq!(targets(&problems, true), vec!["settings.remind_days"]);
}

#[test]
fn verification_order_follows_signhost() {
    let idin = Verification::IDin;
    let consent = Verification::Consent;
    assert!(verification_problems(&[idin.clone(), consent.clone()], "").is_empty());
    let wrong = verification_problems(&[consent.clone(), idin.clone()], "");
    assert_eq!(wrong.len(), 1);
    assert!(wrong[0].contains("last check"), "{wrong:?}");
    assert_eq!(
        verification_problems(&[consent.clone(), consent.clone()], "").len(),
        1
    );

    let mut list = vec![Verification::new("Scribble").unwrap()];
    insert_verification(&mut list, Verification::new("DigiD").unwrap());
    insert_verification(&mut list, Verification::Consent);
    insert_verification(&mut list, Verification::Consent);
    let names: Vec<_> = list.iter().map(Verification::type_name).collect();
    assert_eq!(names, ["DigiD", "Scribble", "Consent"]);
}

#[test]
fn verification_details_are_checked() {
    let phone = Verification::PhoneNumber {
        number: String::new(),
    };
    assert_eq!(
        verification_problems(std::slice::from_ref(&phone), "").len(),
        1
    );
    assert!(verification_problems(&[phone], "+31612345678").is_empty());
    let bsn = |b: &str| Verification::DigiD { bsn: b.into() };
    assert!(verification_problems(&[bsn("111222333"), Verification::Consent], "").is_empty());
    assert_eq!(
        verification_problems(&[bsn("123456789"), Verification::Consent], "").len(),
        1
    );
    let iban = |i: &str| Verification::IDeal { iban: i.into() };
    assert!(
        verification_problems(&[iban("NL91 ABNA 0417 1643 00"), Verification::Consent], "")
            .is_empty()
    );
    assert_eq!(
        verification_problems(&[iban("NL91ABNA0417164301"), Verification::Consent], "").len(),
        1
    );
    let fixed = Verification::Scribble {
        require_handsignature: false,
        name_fixed: true,
        name: " ".into(),
    };
    assert_eq!(verification_problems(&[fixed], "").len(), 1);
}

#[test]
fn phone_numbers_bsn_and_iban() {
    assert!(is_phone_number("+31612345678"));
    assert!(!is_phone_number("0612345678"));
    assert!(!is_phone_number("+3161234567890123"));
    assert!(is_bsn("111222333"));
    assert!(!is_bsn("000000000"));
    assert!(is_iban("GB82WEST12345698765432"));
    assert!(!is_iban("GB82WEST12345698765433"));
}
