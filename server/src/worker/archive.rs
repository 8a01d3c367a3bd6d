//! The archive job: every file the service offers for a signed request
//! (signed documents, receipt), stored with SHA-256 and size. Files already
//! stored are skipped, so a retry or a restart resumes. The request counts
//! as archived only when all are in.

use app::ssr::db::archive::{self, NewArchiveFile};
use app::ssr::db::requests::RequestRow;
use app::ssr::db::{audit, documents, tracking};
use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{Outcome, StepError, Worker};

impl Worker {
    pub(super) async fn archive(&self, row: &RequestRow) -> Result<Outcome, StepError> {
        let label = app::ssr::requests::label_of(row);
        let (Some(provider), Some(external_id)) =
            (self.providers.of(&row.provider), row.external_id.as_deref())
        else {
            return Err(StepError::Refused(format!(
                "the request has no {label} transaction"
            )));
        };
        let stored = archive::list(&self.db, row.id).await?;
        let docs = documents::list(&self.db, row.id).await?;
        let files = provider.artifacts(&docs, &row.provider_state);
        let detail = if files.iter().any(|f| f.kind == "receipt") {
            "signed documents and receipt stored"
        } else {
            "signed documents stored (the service issues no receipt)"
        };
        for file in files {
            if stored
                .iter()
                .any(|f| f.kind == file.kind && f.file_id == file.file_id)
            {
                continue;
            }
            let pdf = provider
                .download(external_id, &row.provider_state, &file)
                .await
                .map_err(StepError::of(provider.kind()))?;
            if !pdf.starts_with(b"%PDF") {
                return Err(StepError::Retry(format!(
                    "{label} sent something that is not a PDF for {}",
                    file.name
                )));
            }
            let sha256 = hex::encode(Sha256::digest(&pdf));
            let f = NewArchiveFile {
                request_id: row.id,
                kind: file.kind,
                file_id: &file.file_id,
                name: &file.name,
                sha256: &sha256,
                content: &pdf,
            };
            archive::insert(&self.db, &f, Utc::now()).await?;
            crate::metrics::archived(provider.kind().as_str(), pdf.len());
        }
        let now = Utc::now();
        let mut t = self.db.begin().await?;
        tracking::mark_archived(&mut t, row.id, now).await?;
        audit::record(&mut t, row.id, None, "archived", detail, now).await?;
        t.commit().await?;
        Ok(Outcome::Done)
    }
}
