//! Prometheus metrics: HTTP requests by route and status with latency,
//! webhook intake by outcome, jobs by kind and outcome, the job queue's
//! depth and age (read from the database at each scrape, so every
//! instance reports the shared queue), signing-service calls by provider,
//! call and outcome with latency, and archived bytes.
//!
//! Served at `/metrics` on the portal's own listener only with
//! `Authorization: Bearer <METRICS_TOKEN>`, and openly on `METRICS_ADDR`, a
//! separate listener that must be a loopback address.

use std::sync::OnceLock;
use std::time::Instant;

use app::ssr::db::{jobs, Db};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds, 1 ms to 30 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder (one per process, however many routers).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .expect("valid buckets")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was installed already");
            }
            handle
        })
        .clone()
}

/// Counts and times every routed request (by its route's pattern, not
/// its path, so ids do not make new series).
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", res.status().as_u16().to_string()),
    ];
    metrics::counter!("portal_http_requests_total", &labels).increment(1);
    metrics::histogram!("portal_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    res
}

/// A webhook or postback answered: `stored`, `not_stored`, `rate_limited`.
pub fn intake(provider: &str, outcome: &'static str) {
    metrics::counter!(
        "portal_webhooks_total",
        "provider" => provider.to_string(),
        "outcome" => outcome
    )
    .increment(1);
}

/// A job step ended: `next`, `done`, `retry`, `paused`, `refused`.
pub fn job(kind: &str, outcome: &'static str, seconds: f64) {
    let kind = kind.to_string();
    metrics::counter!("portal_jobs_total", "kind" => kind.clone(), "outcome" => outcome)
        .increment(1);
    if matches!(outcome, "retry" | "refused") {
        metrics::counter!("portal_job_failures_total", "kind" => kind.clone()).increment(1);
    }
    metrics::histogram!("portal_job_step_duration_seconds", "kind" => kind).record(seconds);
}

/// A call to a signing service ended (`ok`, or the kind of error).
pub fn service_call(provider: &str, call: &str, outcome: &'static str, seconds: f64) {
    let labels = [
        ("provider", provider.to_string()),
        ("call", call.to_string()),
        ("outcome", outcome.to_string()),
    ];
    metrics::counter!("portal_service_calls_total", &labels).increment(1);
    metrics::histogram!("portal_service_call_duration_seconds", &labels).record(seconds);
}

/// A signed document or receipt stored in the archive.
pub fn archived(provider: &str, bytes: usize) {
    metrics::counter!("portal_archive_bytes_total", "provider" => provider.to_string())
        .increment(bytes as u64);
    metrics::counter!("portal_archive_files_total", "provider" => provider.to_string())
        .increment(1);
}

/// The shared queue as the database holds it now.
async fn read_queue(db: &Db) {
    match jobs::queue_by_kind(db, chrono::Utc::now()).await {
        Ok(kinds) => {
            for q in kinds {
                metrics::gauge!("portal_jobs_queued", "kind" => q.kind.clone())
                    .set(q.waiting as f64);
                metrics::gauge!("portal_jobs_paused", "kind" => q.kind.clone())
                    .set(q.paused as f64);
                metrics::gauge!("portal_job_oldest_age_seconds", "kind" => q.kind)
                    .set(q.oldest_age_seconds.max(0.0));
            }
        }
        Err(e) => tracing::warn!(error = %e, "job queue not read for metrics"),
    }
    match app::ssr::db::postbacks::waiting(db).await {
        Ok(n) => metrics::gauge!("portal_webhooks_waiting").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "webhook queue not read for metrics"),
    }
}

/// Who may read the metrics on the portal's own listener.
#[derive(Clone)]
struct Access {
    db: Db,
    token: Option<String>,
}

async fn scrape(State(access): State<Access>, headers: HeaderMap) -> Response {
    if let Some(token) = &access.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let same: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), token.as_bytes()).into();
        if !same {
            return (StatusCode::UNAUTHORIZED, "metrics need METRICS_TOKEN").into_response();
        }
    }
    read_queue(&access.db).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// `/metrics` for the portal's listener: present only when `token` is set.
pub fn routes(db: Db, token: Option<String>) -> Router {
    match token {
        Some(token) => Router::new()
            .route("/metrics", get(scrape))
            .with_state(Access {
                db,
                token: Some(token),
            }),
        None => Router::new(),
    }
}

/// `/metrics` without a token, for the loopback listener at `METRICS_ADDR`.
pub fn loopback_routes(db: Db) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Access { db, token: None })
}
