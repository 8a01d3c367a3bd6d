//! A Signhost in front of the sandbox that answers some calls itself
//! (failures on cue) and forwards the rest.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use reqwest::StatusCode;

/// What the scripted Signhost answers instead of the sandbox, given the
/// number of the call (from 0) and the request.
type Script = Arc<dyn Fn(usize, &Request) -> Option<(StatusCode, &'static str)> + Send + Sync>;

/// A Signhost in front of the sandbox that answers some calls itself.
pub async fn scripted_signhost(
    target: String,
    script: impl Fn(usize, &Request) -> Option<(StatusCode, &'static str)> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let script: Script = Arc::new(script);
    let state = (target, calls.clone(), script, reqwest::Client::new());
    async fn forward(
        State((target, calls, script, http)): State<(
            String,
            Arc<AtomicUsize>,
            Script,
            reqwest::Client,
        )>,
        req: Request,
    ) -> Response {
        if let Some(answer) = script(calls.fetch_add(1, Ordering::SeqCst), &req) {
            return answer.into_response();
        }
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let url = format!(
            "{target}{}",
            parts
                .uri
                .path_and_query()
                .unwrap()
                .as_str()
                .trim_start_matches('/')
        );
        let mut out = http.request(parts.method, url).body(body);
        for (k, v) in &parts.headers {
            if k != "host" && k != "content-length" {
                out = out.header(k, v);
            }
        }
        // The sandbox behind may be gone (a killed portal): a gateway error.
        let Ok(res) = out.send().await else {
            return StatusCode::BAD_GATEWAY.into_response();
        };
        let status = res.status();
        let headers = res.headers().clone();
        let mut answer = Response::new(Body::from(res.bytes().await.unwrap()));
        *answer.status_mut() = status;
        for (k, v) in &headers {
            if k != "content-length" && k != "transfer-encoding" {
                answer.headers_mut().insert(k, v.clone());
            }
        }
        answer
    }
    let router = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/"), calls)
}
