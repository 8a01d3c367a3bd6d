use super::*;
use app::model::request::{FieldKind, PageInfo, Tag};
use serde_json::json;

fn signers() -> Vec<Signer> {
    vec![
        Signer {
            key: "s1".into(),
            email: " Ann@Example.NL ".into(),
            name: "Ann de Vries".into(),
            message: "Please sign the lease.".into(),
            verifications: vec![
                Verification::DigiD {
                    bsn: "111222333".into(),
                },
                Verification::Scribble {
                    require_handsignature: true,
                    name_fixed: false,
                    name: String::new(),
                },
            ],
            ..Signer::default()
        },
        Signer {
            key: "s7".into(),
            email: "bob@example.com".into(),
            name: "Bob".into(),
            mobile: "+31612345678".into(),
            language: "en-US".into(),
            expires: "2026-12-31".into(),
            return_url: "https://example.com/thanks".into(),
            reference: "B-1".into(),
            verifications: vec![Verification::PhoneNumber {
                number: String::new(),
            }],
            ..Signer::default()
        },
    ]
}

fn at() -> Addresses<'static> {
    Addresses {
        postback_url: "https://portal.example/signhost/postback",
        return_url: "https://portal.example/return",
    }
}

#[test]
fn invite_flow_transaction_is_exact() {
    let settings = Settings {
        title: "Lease".into(),
        sequential: true,
        remind_days: 5,
        ..Settings::default()
    };
    let receivers = vec![Receiver {
        key: "r1".into(),
        name: "Archive".into(),
        email: "archive@example.nl".into(),
        message: "For the file.".into(),
        language: String::new(),
    }];
    let tx = transaction(42, &settings, &signers(), &receivers, &at());
    assert_eq!(
        serde_json::to_value(&tx).unwrap(),
        json!({
            "Seal": false,
            "Reference": "42",
            "PostbackUrl": "https://portal.example/signhost/postback",
            "DaysToExpire": 30,
            "SendEmailNotifications": true,
            "SignRequestMode": 2,
            "Language": "nl-NL",
            "Signers": [
                {
                    "Id": "Signer1",
                    "Email": "ann@example.nl",
                    "Verifications": [
                        {"Type": "DigiD", "Bsn": "111222333"},
                        {"Type": "Scribble", "RequireHandsignature": true, "ScribbleNameFixed": false, "ScribbleName": "Ann de Vries"}
                    ],
                    "SendSignRequest": true,
                    "SignRequestMessage": "Please sign the lease.",
                    "DaysToRemind": 5,
                    "Language": "nl-NL",
                    "ReturnUrl": "https://portal.example/return"
                },
                {
                    "Id": "Signer2",
                    "Email": "bob@example.com",
                    "Expires": "2026-12-31T23:59:59Z",
                    "Verifications": [{"Type": "PhoneNumber", "Number": "+31612345678"}],
                    "SendSignRequest": true,
                    "DaysToRemind": 5,
                    "Language": "en-US",
                    "Reference": "B-1",
                    "ReturnUrl": "https://example.com/thanks"
                }
            ],
            "Receivers": [
                {"Name": "Archive", "Email": "archive@example.nl", "Message": "For the file.", "Language": "nl-NL"}
            ]
        })
    );
}

#[test]
fn direct_flow_sends_no_invitations_or_reminders() {
    let settings = Settings {
        flow: Flow::Direct,
        ..Settings::default()
    };
    let tx = transaction(1, &settings, &signers()[..1], &[], &at());
    let json = serde_json::to_value(&tx).unwrap();
    assert_eq!(json.get("SignRequestMode"), None);
    assert_eq!(json.get("Receivers"), None);
    let signer = &json["Signers"][0];
    assert_eq!(signer["SendSignRequest"], json!(false));
    assert_eq!(signer.get("DaysToRemind"), None);
}

fn placed(id: &str, signer: &str, kind: FieldKind, place: Place) -> PlacedField {
    PlacedField {
        id: id.into(),
        signer: signer.into(),
        kind,
        name: format!("{}_{id}", kind.as_str()),
        value: if kind == FieldKind::Check {
            "yes".into()
        } else {
            String::new()
        },
        place,
    }
}

#[test]
fn file_meta_is_exact() {
    let doc = DocumentView {
        id: 9,
        name: "Lease.pdf".into(),
        position: 2,
        size: 100,
        sha256: String::new(),
        pages: vec![PageInfo {
            width: 595.0,
            height: 842.0,
            rotate: 0,
        }],
        tags: vec![Tag { signer: 1, page: 1 }],
        fields: vec![
            placed(
                "f1",
                "s1",
                FieldKind::Signature,
                Place::Page {
                    page: 1,
                    left: 56.123,
                    top: 700.0,
                    width: 140.0,
                    height: 70.0,
                },
            ),
            placed(
                "f2",
                "s7",
                FieldKind::Check,
                Place::Page {
                    page: 1,
                    left: 56.0,
                    top: 100.0,
                    width: 16.0,
                    height: 16.0,
                },
            ),
            placed(
                "f3",
                "s7",
                FieldKind::Signature,
                Place::Text {
                    search: "{{Signer2}}".into(),
                    occurrence: 1,
                    left: 0.0,
                    top: 20.0,
                    width: 140.0,
                    height: 70.0,
                },
            ),
        ],
        markup: None,
    };
    let meta = file_meta(&doc, &signers());
    assert_eq!(
        serde_json::to_value(&meta).unwrap(),
        json!({
            "DisplayOrder": 2,
            "DisplayName": "Lease.pdf",
            "Signers": {
                "Signer1": {"FormSets": ["document9_signer1"]},
                "Signer2": {"FormSets": ["document9_signer2"]}
            },
            "FormSets": {
                "document9_signer1": {
                    "Signature_f1": {"Type": "Signature", "Location": {"Top": 700.0, "Left": 56.12, "Width": 140.0, "Height": 70.0, "PageNumber": 1}}
                },
                "document9_signer2": {
                    "Check_f2": {"Type": "Check", "Value": "yes", "Location": {"Top": 100.0, "Left": 56.0, "Width": 16.0, "Height": 16.0, "PageNumber": 1}},
                    "Signature_f3": {"Type": "Signature", "Location": {"Search": "{{Signer2}}", "Occurence": 1, "Top": 20.0, "Left": 0.0, "Width": 140.0, "Height": 70.0}}
                }
            }
        })
    );
}

#[test]
fn a_document_without_fields_has_only_its_name_and_order() {
    let doc = DocumentView {
        id: 3,
        name: "Terms.pdf".into(),
        position: 1,
        size: 1,
        sha256: String::new(),
        pages: vec![],
        tags: vec![],
        fields: vec![],
        markup: None,
    };
    assert_eq!(
        serde_json::to_string(&file_meta(&doc, &signers())).unwrap(),
        r#"{"DisplayOrder":1,"DisplayName":"Terms.pdf"}"#
    );
}
