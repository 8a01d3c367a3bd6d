//! Every adapter's calls to its service, counted and timed for the
//! metrics (by provider, call and outcome); the adapter itself is unchanged.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use app::model::request::RequestStatus;
use app::model::service::{Capabilities, ProviderKind};
use app::ssr::db::activities::ActivityRow;
use app::ssr::db::documents::DocumentRow;
use app::ssr::provider::{
    ArtifactRef, Hosted, Inbound, Provider, ProviderError, ReturnTo, Sending, Snapshot, Step,
};

pub struct Metered(pub Arc<dyn Provider>);

fn outcome<T>(result: &Result<T, ProviderError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(ProviderError::Retry(_)) => "retry",
        Err(ProviderError::Refused(_)) => "refused",
        Err(ProviderError::Gone(_)) => "gone",
        Err(ProviderError::NotFound) => "not_found",
        Err(ProviderError::Paused(_)) => "paused",
    }
}

impl Metered {
    async fn timed<T>(
        &self,
        call: &str,
        work: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        let started = Instant::now();
        let result = work.await;
        crate::metrics::service_call(
            self.0.kind().as_str(),
            call,
            outcome(&result),
            started.elapsed().as_secs_f64(),
        );
        result
    }
}

#[async_trait::async_trait]
impl Provider for Metered {
    fn kind(&self) -> ProviderKind {
        self.0.kind()
    }
    fn capabilities(&self) -> &'static Capabilities {
        self.0.capabilities()
    }
    fn first_step(&self) -> &'static str {
        self.0.first_step()
    }
    async fn step(&self, step: &str, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        self.timed(&format!("step:{step}"), self.0.step(step, cx))
            .await
    }
    async fn snapshot(&self, external_id: &str) -> Result<Snapshot, ProviderError> {
        self.timed("snapshot", self.0.snapshot(external_id)).await
    }
    async fn cancel(
        &self,
        external_id: &str,
        reason: &str,
        notify: bool,
    ) -> Result<Snapshot, ProviderError> {
        self.timed("cancel", self.0.cancel(external_id, reason, notify))
            .await
    }
    async fn purge(&self, external_id: &str) -> Result<(), ProviderError> {
        self.timed("purge", self.0.purge(external_id)).await
    }
    fn artifacts(&self, documents: &[DocumentRow], state: &str) -> Vec<ArtifactRef> {
        self.0.artifacts(documents, state)
    }
    async fn download(
        &self,
        external_id: &str,
        state: &str,
        a: &ArtifactRef,
    ) -> Result<Vec<u8>, ProviderError> {
        self.timed("download", self.0.download(external_id, state, a))
            .await
    }
    fn inbound(&self, headers: &http::HeaderMap, body: &[u8]) -> Inbound {
        self.0.inbound(headers, body)
    }
    fn events_of(&self, body: &[u8]) -> Vec<ActivityRow> {
        self.0.events_of(body)
    }
    fn file_ref(&self, document_id: i64) -> String {
        self.0.file_ref(document_id)
    }
    fn status_of_hint(&self, hint: &str) -> Option<RequestStatus> {
        self.0.status_of_hint(hint)
    }
    fn return_lookup(&self, query: &HashMap<String, String>) -> Option<ReturnTo> {
        self.0.return_lookup(query)
    }
    fn hosted(&self) -> Option<&dyn Hosted> {
        self.0.hosted()
    }
}
