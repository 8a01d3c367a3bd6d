//! The receipt Signhost's sandbox issues for a signed transaction.

use app::ssr::db::sandbox::FileRow;
use signhost::model::Transaction;

use crate::sandbox::common::pdf::{hex_sha256, text_document};

/// A receipt: the transaction, its signers and times, and the SHA-256 of
/// every signed document.
pub fn receipt(tx: &Transaction, files: &[FileRow]) -> lopdf::Result<Vec<u8>> {
    let mut lines = vec![
        ("Signing receipt".to_string(), 18),
        (String::new(), 10),
        (
            format!("Transaction: {}", tx.id.as_deref().unwrap_or("")),
            10,
        ),
        (
            format!("Reference: {}", tx.reference.as_deref().unwrap_or("-")),
            10,
        ),
        (
            format!(
                "Status: {} (signed)",
                tx.status.map(|s| s.code()).unwrap_or_default()
            ),
            10,
        ),
        (
            format!(
                "Created: {}",
                tx.created_date_time
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
            ),
            10,
        ),
        (String::new(), 10),
        ("Signers".to_string(), 13),
    ];
    for s in &tx.signers {
        lines.push((
            format!(
                "{} <{}>",
                s.id.as_deref().unwrap_or(""),
                s.email.as_deref().unwrap_or("")
            ),
            10,
        ));
        let signed = s
            .signed_date_time
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| "-".into());
        lines.push((format!("    signed at {signed}"), 10));
    }
    lines.push((String::new(), 10));
    lines.push(("Documents (SHA-256 of the signed file)".to_string(), 13));
    for f in files {
        let bytes = f
            .signed
            .as_ref()
            .or(f.content.as_ref())
            .map(Vec::as_slice)
            .unwrap_or_default();
        lines.push((f.file_id.clone(), 10));
        lines.push((format!("    {}", hex_sha256(bytes)), 9));
    }
    lines.push((String::new(), 10));
    lines.push((
        "Issued by the signing portal's Signhost sandbox; not a legal signature.".to_string(),
        8,
    ));
    text_document(&lines)
}
