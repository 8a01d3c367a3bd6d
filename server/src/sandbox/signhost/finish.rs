//! Everyone has signed: the signed PDFs (the original with a visible mark
//! per signature) and the activities Signhost records when it sends them.

use app::ssr::db::sandbox as db;
use signhost::model::{ActivityCode, FileMeta, Transaction};

use super::store::{add_activity, internal};
use super::validate::Refusal;
use crate::sandbox::common::pdf::{self, Mark};
use crate::sandbox::Sandbox;

/// A file's metadata as the API stored it (empty when there is none).
pub fn meta_of(f: &db::FileRow) -> FileMeta {
    f.meta
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default()
}

/// Everyone signed: produce the signed PDFs and record what Signhost sends.
pub async fn finish(s: &Sandbox, tx: &mut Transaction) -> Result<(), Refusal> {
    let tid = tx.id.clone().unwrap_or_default();
    let files = db::files(&s.db, &tid).await.map_err(internal)?;
    let snapshot = tx.clone();
    // Drawing the marks is CPU work: off the async threads.
    let signed = crate::documents::work::run_checked(move || {
        files
            .into_iter()
            .filter_map(|f| {
                let meta = meta_of(&f);
                let original = f.content?;
                let marks = marks_for(&snapshot, &meta, &original);
                Some(pdf::mark(&original, &marks).map(|bytes| (f.file_id, bytes)))
            })
            .collect::<lopdf::Result<Vec<_>>>()
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    for (file_id, bytes) in &signed {
        db::put_signed(&s.db, &tid, file_id, bytes)
            .await
            .map_err(internal)?;
    }
    for signer in tx.signers.iter_mut() {
        add_activity(signer, ActivityCode::SignedDocumentSent, None, s.now());
        add_activity(signer, ActivityCode::ReceiptSent, None, s.now());
    }
    Ok(())
}

/// Where each signer's mark goes: their signature fields, else their
/// `{{SignerN}}` tag's page, else the top-right of page 1.
fn marks_for(tx: &Transaction, meta: &FileMeta, original: &[u8]) -> Vec<Mark> {
    let mut marks = Vec::new();
    for (index, signer) in tx.signers.iter().enumerate() {
        let id = signer.id.clone().unwrap_or_default();
        let lines = vec![
            format!("Signed by {}", signer.email.as_deref().unwrap_or(&id)),
            signer
                .signed_date_time
                .map(|t| t.format("%Y-%m-%d %H:%M:%S %:z").to_string())
                .unwrap_or_default(),
            "Signhost sandbox".to_string(),
        ];
        let placed = placed_fields(meta, &id, original);
        if !placed.is_empty() {
            for (page, left, top, width, height) in placed {
                marks.push(Mark {
                    page,
                    left,
                    top,
                    width,
                    height,
                    lines: lines.clone(),
                });
            }
            continue;
        }
        let tag = format!("{{{{Signer{}}}}}", index + 1);
        let page = pdf::pages_containing(original, &tag)
            .first()
            .copied()
            .unwrap_or(1);
        let (width, _) = pdf::page_size(original, page);
        let top = 30.0 + 80.0 * index as f64;
        marks.push(Mark {
            page,
            left: width - 180.0,
            top,
            width: 150.0,
            height: 60.0,
            lines,
        });
    }
    marks
}

/// A signer's signature boxes: page, left, top, width, height in points.
/// A location with `Search` is placed at that text, offset by Left/Top.
fn placed_fields(
    meta: &FileMeta,
    signer_id: &str,
    original: &[u8],
) -> Vec<(u32, f64, f64, f64, f64)> {
    signer_fields(meta, signer_id)
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| matches!(f.r#type.as_str(), "Signature" | "Seal"))
        .filter_map(|f| f.location.as_ref())
        .filter_map(|l| {
            let (page, left, top) = match &l.search {
                Some(search) => {
                    let (page, x, baseline) = pdf::find_text(original, search)?;
                    (
                        page,
                        x + l.left.unwrap_or(0.0),
                        baseline - 12.0 + l.top.unwrap_or(0.0),
                    )
                }
                None => (
                    l.page_number.unwrap_or(1).max(1) as u32,
                    l.left.unwrap_or(0.0),
                    l.top.unwrap_or(0.0),
                ),
            };
            Some((
                page,
                left,
                top,
                l.width.unwrap_or(140.0),
                l.height.unwrap_or(70.0),
            ))
        })
        .collect()
}

/// The fields of `signer_id` in a file's metadata, with their names.
pub fn signer_fields<'a>(
    meta: &'a FileMeta,
    signer_id: &str,
) -> Vec<(&'a String, &'a signhost::model::Field)> {
    let (Some(signers), Some(sets)) = (&meta.signers, &meta.form_sets) else {
        return Vec::new();
    };
    let Some(mine) = signers.get(signer_id) else {
        return Vec::new();
    };
    mine.form_sets
        .iter()
        .filter_map(|set| sets.get(set))
        .flat_map(|fields| fields.iter())
        .collect()
}
