//! Documents written in the portal for a service that takes markup
//! (Hotsign): checked the way the service will read them (its sanitising
//! and field syntax, `hotsign::document`), saved only when the service
//! would take them, so a mistake never replaces what was saved before.

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::model::request::{DocumentView, MarkupInfo};
use crate::model::written::{named, WrittenCheck, WrittenProblem, WrittenText};
use crate::ssr::db::audit;
use crate::ssr::db::documents::{self, Written};
use crate::ssr::db::users::UserRow;
use crate::ssr::requests::editable;
use crate::ssr::state::AppState;
use crate::ssr::web::internal;

fn format_of(format: &str) -> Result<hotsign::contract::Format, AppError> {
    match format {
        "markdown" => Ok(hotsign::contract::Format::Markdown),
        "html" => Ok(hotsign::contract::Format::Html),
        _ => Err(AppError::field("format", "Choose Markdown or HTML.")),
    }
}

/// What the service will make of `text`.
pub fn check(format: &str, text: &str) -> Result<WrittenCheck, AppError> {
    let checked = hotsign::document::check(format_of(format)?, text);
    Ok(WrittenCheck {
        signers: checked.signers(),
        fields: checked.fields.len(),
        preview: hotsign::markup::for_display(&checked.preview),
        problems: checked
            .problems
            .into_iter()
            .map(|p| WrittenProblem {
                line: p.line,
                message: p.message,
            })
            .collect(),
    })
}

/// Saves a written document (a new one when `document_id` is None);
/// refuses one the service would not take, keeping what was saved.
pub async fn save(
    state: &AppState,
    user: &UserRow,
    id: i64,
    document_id: Option<i64>,
    name: &str,
    format: &str,
    text: &str,
) -> Result<DocumentView, AppError> {
    editable(state, user, id).await?;
    let name = named(name, format);
    if name.len() > 255 || name.starts_with('.') {
        return Err(AppError::field(
            "name",
            "A document name has 1 to 250 characters.",
        ));
    }
    if text.trim().is_empty() {
        return Err(AppError::field("text", "Write the document first."));
    }
    let checked = check(format, text)?;
    if let Some(first) = checked.problems.first() {
        let more = match checked.problems.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more problem)".into(),
            n => format!(" (and {n} more problems)"),
        };
        return Err(AppError::field(
            "text",
            format!(
                "Not saved: line {}: {}{more}. What was saved before is kept.",
                first.line, first.message
            ),
        ));
    }
    let markup = MarkupInfo {
        format: format.to_string(),
        signers: checked.signers,
        fields: checked.fields,
    };
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    let written = Written {
        request_id: id,
        name: &name,
        sha256: &sha256,
        markup: &markup,
        text,
    };
    let now = Utc::now();
    let db = &state.db;
    let (doc_id, action) = match document_id {
        Some(doc) => {
            if !documents::update_written(db, doc, &written)
                .await
                .map_err(internal)?
            {
                return Err(AppError::NotFound);
            }
            (doc, "document rewritten")
        }
        None => (
            documents::insert_written(db, &written, now)
                .await
                .map_err(internal)?,
            "document written",
        ),
    };
    audit::record(
        db,
        id,
        Some(user.id),
        action,
        &format!("document {doc_id}: {name}"),
        now,
    )
    .await
    .map_err(internal)?;
    documents::list(db, id)
        .await
        .map_err(internal)?
        .into_iter()
        .find(|d| d.id == doc_id)
        .map(|d| d.to_view())
        .ok_or(AppError::NotFound)
}

/// A written document's text, to edit it again.
pub async fn text(state: &AppState, id: i64, document_id: i64) -> Result<WrittenText, AppError> {
    crate::ssr::requests::find(state, id).await?;
    let db = &state.db;
    let doc = documents::list(db, id)
        .await
        .map_err(internal)?
        .into_iter()
        .find(|d| d.id == document_id)
        .ok_or(AppError::NotFound)?;
    let info = doc.markup_info().ok_or(AppError::NotFound)?;
    let content = documents::content(db, id, document_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    Ok(WrittenText {
        name: doc.name,
        format: info.format,
        text: String::from_utf8_lossy(&content).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_check_reads_fields_and_problems_by_line() {
        let ok = super::check(
            "markdown",
            "# Lease\n\n{1/Signature*/Signature}\n{2/Name*/Text}",
        )
        .unwrap();
        assert!(ok.problems.is_empty(), "{:?}", ok.problems);
        assert_eq!((ok.fields, ok.signers.clone()), (2, vec![1, 2]));
        assert!(ok.preview.contains("class=\"field-slot\"") && !ok.preview.contains("<input"));
        let bad = super::check("markdown", "Hello\n{7/Name/Text}").unwrap();
        assert_eq!(bad.problems.first().map(|p| p.line), Some(2));
        assert!(super::check("pdf", "x").is_err());
    }
}
