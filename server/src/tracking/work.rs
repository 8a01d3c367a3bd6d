//! The worker's tracking duties: processing stored postbacks, the periodic
//! check of requests still waiting (reconciliation), and the archive job.

use app::ssr::db::archive::{self, NewArchiveFile};
use app::ssr::db::requests::RequestRow;
use app::ssr::db::{audit, documents, postbacks, tracking};
use app::ssr::tracking::apply;
use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};

use crate::start::map::file_id;
use crate::start::{Outcome, StepError, Worker};

/// Longest wait between two checks of a request that Signhost did not answer for.
const MAX_CHECK_BACKOFF_MINUTES: i64 = 60;

impl Worker {
    /// Processes one stored postback: recognises duplicates and unknown
    /// transactions, then fetches the transaction from Signhost (only Id and
    /// Status are covered by the checksum) and applies that. False when none was due.
    pub async fn process_postback(&self) -> sqlx::Result<bool> {
        let now = Utc::now();
        // Held for a minute: if this process dies meanwhile, another takes the
        // postback over then (applying one twice changes nothing).
        let Some(p) = postbacks::claim(&self.db, now, now + Duration::minutes(1)).await? else {
            return Ok(false);
        };
        let Some(tid) = p.transaction_id.clone() else {
            postbacks::settle(
                &self.db,
                p.id,
                "quarantined",
                Some("no transaction id"),
                None,
                now,
            )
            .await?;
            return Ok(true);
        };
        let Some(request_id) = tracking::request_of(&self.db, &tid).await? else {
            postbacks::settle(
                &self.db,
                p.id,
                "quarantined",
                Some("unknown transaction"),
                None,
                now,
            )
            .await?;
            return Ok(true);
        };
        tracking::postback_seen(&self.db, request_id, now).await?;
        if postbacks::applied_before(&self.db, &p).await? {
            postbacks::settle(&self.db, p.id, "duplicate", None, Some(request_id), now).await?;
            return Ok(true);
        }
        match self.signhost.get_transaction(&tid).await {
            Ok(tx) => {
                apply(&self.db, request_id, &tx, now).await?;
                postbacks::settle(&self.db, p.id, "applied", None, Some(request_id), now).await?;
            }
            Err(signhost::Error::Gone { transaction }) => {
                apply(&self.db, request_id, &transaction, now).await?;
                postbacks::settle(
                    &self.db,
                    p.id,
                    "applied",
                    Some("transaction already cleaned up at Signhost"),
                    Some(request_id),
                    now,
                )
                .await?;
            }
            Err(e) if e.is_retryable() => {
                let wait = 2i64.saturating_pow(p.attempts.clamp(0, 10) as u32).min(600);
                postbacks::retry_later(
                    &self.db,
                    p.id,
                    &e.to_string(),
                    now + Duration::seconds(wait),
                )
                .await?;
            }
            Err(e) => {
                postbacks::settle(
                    &self.db,
                    p.id,
                    "quarantined",
                    Some(&e.message()),
                    Some(request_id),
                    now,
                )
                .await?;
            }
        }
        self.wake.notify_one();
        Ok(true)
    }

    /// Checks the requests whose check is due, so that a lost or blocked
    /// postback cannot leave a request waiting forever. Returns how many were checked.
    pub async fn reconcile_due(&self) -> sqlx::Result<usize> {
        let now = Utc::now();
        let mut checked = 0;
        for (id, tid, failures) in tracking::due_checks(&self.db, now, 20).await? {
            if !tracking::claim_check(&self.db, id, now, now + Duration::minutes(5)).await? {
                continue;
            }
            checked += 1;
            let result = match self.signhost.get_transaction(&tid).await {
                Ok(tx) => Ok(tx),
                Err(signhost::Error::Gone { transaction }) => Ok(*transaction),
                Err(e) => Err(e),
            };
            match result {
                Ok(tx) => {
                    let applied = apply(&self.db, id, &tx, now).await?;
                    if applied.changed {
                        tracing::info!(
                            request_id = id,
                            status = applied.status.as_str(),
                            "check found news"
                        );
                    }
                    let next =
                        now + Duration::from_std(self.check_every).unwrap_or(Duration::minutes(5));
                    tracking::schedule_check(&self.db, id, next, 0).await?;
                }
                Err(e) => {
                    let minutes = 2i64
                        .saturating_pow(failures.clamp(0, 6) as u32)
                        .min(MAX_CHECK_BACKOFF_MINUTES);
                    tracing::warn!(request_id = id, error = %e, minutes, "check failed; trying later");
                    tracking::schedule_check(
                        &self.db,
                        id,
                        now + Duration::minutes(minutes),
                        failures + 1,
                    )
                    .await?;
                }
            }
        }
        Ok(checked)
    }

    /// The archive job: every signed document and the receipt, stored with
    /// SHA-256 and size. Files already stored are skipped, so a retry or a
    /// restart resumes. The request counts as archived only when all are in.
    pub(crate) async fn archive(&self, row: &RequestRow) -> Result<Outcome, StepError> {
        let Some(tid) = &row.signhost_id else {
            return Err(StepError::Refused(
                "the request has no Signhost transaction".into(),
            ));
        };
        let stored = archive::list(&self.db, row.id).await?;
        let has =
            |kind: &str, file: &str| stored.iter().any(|f| f.kind == kind && f.file_id == file);
        let now = Utc::now();
        for doc in documents::list(&self.db, row.id).await? {
            let file = file_id(doc.id);
            if has("signed", &file) {
                continue;
            }
            let pdf = self.signhost.get_file(tid, &file).await?;
            let name = signed_name(&doc.name);
            self.store(row.id, "signed", &file, &name, &pdf).await?;
        }
        if !has("receipt", "receipt") {
            let pdf = self.signhost.get_receipt(tid).await?;
            self.store(row.id, "receipt", "receipt", "Receipt.pdf", &pdf)
                .await?;
        }
        tracking::mark_archived(&self.db, row.id, now).await?;
        audit::record(
            &self.db,
            row.id,
            None,
            "archived",
            "signed documents and receipt stored",
            now,
        )
        .await?;
        Ok(Outcome::Done)
    }

    async fn store(
        &self,
        request_id: i64,
        kind: &str,
        file_id: &str,
        name: &str,
        pdf: &[u8],
    ) -> Result<(), StepError> {
        if !pdf.starts_with(b"%PDF") {
            return Err(StepError::Retry(format!(
                "Signhost sent something that is not a PDF for {name}"
            )));
        }
        let sha256 = hex::encode(Sha256::digest(pdf));
        let f = NewArchiveFile {
            request_id,
            kind,
            file_id,
            name,
            sha256: &sha256,
            content: pdf,
        };
        archive::insert(&self.db, &f, Utc::now()).await?;
        Ok(())
    }
}

/// "Lease.pdf" → "Lease (signed).pdf".
pub fn signed_name(name: &str) -> String {
    match name
        .strip_suffix(".pdf")
        .or_else(|| name.strip_suffix(".PDF"))
    {
        Some(stem) => format!("{stem} (signed).pdf"),
        None => format!("{name} (signed).pdf"),
    }
}
