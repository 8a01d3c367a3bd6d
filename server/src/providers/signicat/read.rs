//! Signicat's answer read in the portal's words: the document's status
//! (S1 `DocumentStatus.cs`; `providers.md` §1.3) and each signer's progress
//! (a signer has signed when `documentSignature` is present, S1 `Signer.cs`).
//! Express has no "rejected" status: a signer who aborts stays waiting until
//! staff cancel or the deadline passes.

use app::model::request::RequestStatus;
use app::model::service::{EventKind, SignerPhase};
use app::model::tracking::SignerState;
use app::ssr::db::activities::ActivityRow;
use app::ssr::provider::Snapshot;
use signicat::model::{Document, DocumentStatus, FileFormat};

/// The portal status for a Signicat document status.
pub fn status_of(s: &DocumentStatus) -> RequestStatus {
    match s {
        DocumentStatus::Signed => RequestStatus::Signed,
        DocumentStatus::Canceled => RequestStatus::Cancelled,
        DocumentStatus::Expired => RequestStatus::Expired,
        _ => RequestStatus::Waiting,
    }
}

/// The document as Signicat returned it. A signed document counts as signed
/// only once its PAdES package is ready, so the archive never asks too early.
pub fn snapshot_of(doc: &Document) -> Snapshot {
    let summary = doc.status.clone().unwrap_or_default();
    let mut status = status_of(&summary.document_status);
    if status == RequestStatus::Signed && !summary.completed_packages.contains(&FileFormat::Pades) {
        status = RequestStatus::Waiting;
    }
    let signers = doc
        .signers
        .iter()
        .map(|s| {
            let signed = s.document_signature.as_ref();
            SignerState {
                id: s.id.clone(),
                email: String::new(),
                status: if signed.is_some() {
                    SignerPhase::Signed
                } else {
                    SignerPhase::Waiting
                }
                .as_str()
                .into(),
                at: signed.and_then(|d| d.signed_time.clone()),
                reason: None,
            }
        })
        .collect();
    let events = doc
        .signers
        .iter()
        .filter_map(|s| {
            let d = s.document_signature.as_ref()?;
            Some(ActivityRow {
                activity_id: format!("signed-{}", s.id),
                signer_id: s.id.clone(),
                kind: EventKind::Signed.as_str().into(),
                code: 0,
                info: d.signature_method.clone(),
                happened_at: d.signed_time.clone().unwrap_or_default(),
            })
        })
        .collect();
    Snapshot {
        status,
        raw_status: summary.document_status.as_str().to_string(),
        signers,
        events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> Document {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_partly_signed_document_waits_and_names_who_signed() {
        let s = snapshot_of(&doc(json!({
            "documentId": "d1",
            "signers": [
                {"id": "a", "externalSignerId": "s1",
                 "documentSignature": {"signedTime": "2026-12-01T10:00:00Z", "signatureMethod": "sms_otp"}},
                {"id": "b", "externalSignerId": "s2"}
            ],
            "status": {"documentStatus": "partialsigned", "completedPackages": []}
        })));
        assert_eq!(s.status, RequestStatus::Waiting);
        assert_eq!(s.raw_status, "partialsigned");
        assert_eq!(s.signers[0].status, "signed");
        assert_eq!(s.signers[0].at.as_deref(), Some("2026-12-01T10:00:00Z"));
        assert_eq!(s.signers[1].status, "waiting");
        assert_eq!(s.events.len(), 1);
        assert_eq!(
            (s.events[0].kind.as_str(), s.events[0].info.as_deref()),
            ("signed", Some("sms_otp"))
        );
    }

    #[test]
    fn signed_counts_once_the_pades_package_is_ready() {
        let signed = |packages: serde_json::Value| {
            snapshot_of(&doc(json!({"documentId": "d", "signers": [],
                "status": {"documentStatus": "signed", "completedPackages": packages}})))
            .status
        };
        assert_eq!(signed(json!([])), RequestStatus::Waiting);
        assert_eq!(signed(json!(["native"])), RequestStatus::Waiting);
        assert_eq!(signed(json!(["native", "pades"])), RequestStatus::Signed);
    }

    #[test]
    fn every_status_has_a_meaning() {
        assert_eq!(
            status_of(&DocumentStatus::Canceled),
            RequestStatus::Cancelled
        );
        assert_eq!(status_of(&DocumentStatus::Expired), RequestStatus::Expired);
        assert_eq!(
            status_of(&DocumentStatus::WaitingForAttachments),
            RequestStatus::Waiting
        );
        assert_eq!(
            status_of(&DocumentStatus::Other("new".into())),
            RequestStatus::Waiting
        );
    }
}
