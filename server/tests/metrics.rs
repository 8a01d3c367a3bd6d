//! `/metrics`: closed without METRICS_TOKEN, open with it (and on the
//! loopback listener), and counting what the portal did: requests by route
//! and status, webhooks by outcome, jobs and service calls, the queue.

mod support;

use reqwest::StatusCode;
use support::flow::{post_current, quiet_worker, sent, until_idle};
use support::TestApp;

const TOKEN: &str = "metrics-token-for-the-test";

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = app.bare_client().get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The value of the first series named `name` whose labels include all of `labels`.
fn value(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter(|l| l[name.len()..].starts_with('{') || l[name.len()..].starts_with(' '))
        .find(|l| labels.iter().all(|want| l.contains(want)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_are_closed_without_the_token_and_count_requests_webhooks_and_jobs() {
    let closed = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let (status, body) = scrape(&closed, None).await;
    assert!(
        !body.contains("portal_http_requests_total"),
        "no metrics without METRICS_TOKEN ({status})"
    );
    closed.stop().await;

    let app = TestApp::spawn_with(&[("WORKERS", "off"), ("METRICS_TOKEN", TOKEN)]).await;
    assert_eq!(scrape(&app, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&app, Some("wrong-token-of-some-length")).await.0,
        StatusCode::UNAUTHORIZED
    );

    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (_, tid) = sent(&app, &owner, &w).await;
    post_current(&app, &tid).await;
    let (status, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    // Counters are per process (several test portals share one): at least ours.
    assert!(
        value(
            &text,
            "portal_webhooks_total",
            &["provider=\"signhost\"", "outcome=\"stored\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(value(
        &text,
        "portal_http_request_duration_seconds_count",
        &["route=\"/signhost/postback\"", "status=\"200\""]
    )
    .is_some_and(|n| n >= 1.0));
    assert!(
        value(&text, "portal_webhooks_waiting", &[]).is_some_and(|n| n >= 1.0),
        "the stored postback waits: {text}"
    );
    assert!(value(
        &text,
        "portal_jobs_total",
        &["kind=\"start\"", "outcome=\"next\""]
    )
    .is_some());
    assert!(
        value(
            &text,
            "portal_service_calls_total",
            &[
                "provider=\"signhost\"",
                "call=\"step:create\"",
                "outcome=\"ok\""
            ]
        )
        .is_some(),
        "{text}"
    );
    until_idle(&w).await;
    app.stop().await;
}

#[tokio::test]
async fn the_loopback_listener_serves_metrics_without_a_token() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let routes = server::metrics::loopback_routes(app.db.clone());
    tokio::spawn(async move { axum::serve(listener, routes).await.unwrap() });
    app.bare_client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    let res = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(text.contains("portal_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""), "{text}");
    app.stop().await;
}
