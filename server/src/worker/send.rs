//! The start job: a prepared request sent to its service, one durable step
//! at a time (the adapter's steps), so a restart resumes where it was and
//! one request never gets a second request at the service.

use app::model::request::RequestStatus;
use app::ssr::db::{requests, tracking};
use app::ssr::faults;
use app::ssr::provider::{Sending, Step};
use chrono::Utc;

use super::{Outcome, StepError, Worker};

impl Worker {
    pub(super) async fn send_step(
        &self,
        request_id: i64,
        step: &str,
    ) -> Result<Outcome, StepError> {
        let Some(row) = requests::find(&self.db, request_id).await? else {
            return Ok(Outcome::Done);
        };
        if row.status() != RequestStatus::Starting {
            return Ok(Outcome::Done);
        }
        let Some(provider) = self.providers.of(&row.provider) else {
            return Err(StepError::Refused(format!(
                "{} is not configured on this portal",
                app::ssr::requests::label_of(&row)
            )));
        };
        let mut cx = Sending { db: &self.db, row };
        let stepped = provider.step(step, &mut cx).await;
        match stepped.map_err(StepError::of(provider.kind()))? {
            Step::Next(next) => Ok(Outcome::Next(next)),
            Step::Live => {
                self.went_live(request_id).await?;
                Ok(Outcome::Done)
            }
        }
    }

    /// Sent: the request waits for its signers, and its first check is planned.
    async fn went_live(&self, request_id: i64) -> sqlx::Result<()> {
        let now = Utc::now();
        let first_check = now + chrono::Duration::from_std(self.check_every).unwrap_or_default();
        let mut t = self.db.begin().await?;
        requests::set_status(&mut t, request_id, RequestStatus::Waiting, None, now).await?;
        faults::check(request_id, "start: waiting")?;
        tracking::schedule_check(&mut t, request_id, first_check, 0).await?;
        t.commit().await
    }
}
