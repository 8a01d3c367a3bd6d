//! The client against a scripted Signicat on 127.0.0.1:0: one token for
//! 100 concurrent calls, a fresh one after expiry, one retry after a 401,
//! no retry after a 403, 5xx retried, and the exact JSON of a create.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use signicat::model::*;
use signicat::{Client, Credentials, Error, RetryPolicy};

#[derive(Default)]
struct Script {
    tokens: AtomicUsize,
    /// Seconds each token lives.
    expires_in: AtomicUsize,
    /// Tokens the API refuses (as if revoked).
    revoked: Mutex<Vec<String>>,
    last_scope: Mutex<String>,
    created: Mutex<Option<Value>>,
    forbidden_calls: AtomicUsize,
    flaky_left: AtomicUsize,
}

type S = Arc<Script>;

async fn token(State(s): State<S>, headers: HeaderMap, body: String) -> Response {
    // HTTP Basic client_id:client_secret, as the guide says.
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if basic != "Basic aWQ6c2VjcmV0" {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client", "error_description": "bad client"})),
        )
            .into_response();
    }
    assert!(body.contains("grant_type=client_credentials"), "{body}");
    *s.last_scope.lock().unwrap() = body;
    // Slow enough that concurrent callers overlap.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let n = s.tokens.fetch_add(1, Ordering::SeqCst) + 1;
    Json(json!({
        "access_token": format!("t{n}"),
        "expires_in": s.expires_in.load(Ordering::SeqCst),
        "token_type": "Bearer"
    }))
    .into_response()
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string()
}

fn refused_token(s: &Script, headers: &HeaderMap) -> bool {
    s.revoked.lock().unwrap().contains(&bearer(headers))
}

async fn create(State(s): State<S>, headers: HeaderMap, body: Bytes) -> Response {
    if refused_token(&s, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let v: Value = serde_json::from_slice(&body).unwrap();
    *s.created.lock().unwrap() = Some(v.clone());
    Json(json!({
        "documentId": "d-1",
        "externalId": v["externalId"],
        "signers": [{"id": "sg-1", "externalSignerId": "s1", "url": "https://sign.example/sg-1"}],
        "status": {"documentStatus": "unsigned", "completedPackages": []}
    }))
    .into_response()
}

async fn status(State(s): State<S>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if refused_token(&s, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if id == "flaky" && s.flaky_left.load(Ordering::SeqCst) > 0 {
        s.flaky_left.fetch_sub(1, Ordering::SeqCst);
        return (StatusCode::BAD_GATEWAY, "upstream hiccup").into_response();
    }
    Json(json!({"documentStatus": "signed", "completedPackages": ["pades"]})).into_response()
}

async fn cancel(State(s): State<S>) -> Response {
    s.forbidden_calls.fetch_add(1, Ordering::SeqCst);
    (
        StatusCode::FORBIDDEN,
        Json(json!({"title": "Forbidden", "detail": "The client is not allowed to do this."})),
    )
        .into_response()
}

async fn scripted() -> (String, S) {
    let s: S = Arc::new(Script::default());
    s.expires_in.store(3600, Ordering::SeqCst);
    let app = Router::new()
        .route("/oauth/connect/token", post(token))
        .route("/signature/documents", post(create))
        .route("/signature/documents/{id}/status", get(status))
        .route("/signature/documents/{id}/cancel", post(cancel))
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), s)
}

fn client(base: &str) -> Client {
    Client::new(
        format!("{base}/signature").parse().unwrap(),
        format!("{base}/oauth/connect/token").parse().unwrap(),
        Credentials {
            client_id: "id".into(),
            client_secret: "secret".into(),
        },
    )
    .with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    })
}

#[tokio::test]
async fn one_token_serves_a_hundred_concurrent_calls() {
    let (base, s) = scripted().await;
    let c = client(&base);
    let calls = (0..100).map(|i| {
        let c = c.clone();
        async move { c.status(&format!("d-{i}")).await }
    });
    for r in futures_join(calls).await {
        assert_eq!(r.unwrap().document_status, DocumentStatus::Signed);
    }
    assert_eq!(s.tokens.load(Ordering::SeqCst), 1, "one token request");
    // Only the scope the call needs.
    assert!(s
        .last_scope
        .lock()
        .unwrap()
        .ends_with("scope=document_read"));
}

#[tokio::test]
async fn a_token_is_fetched_again_after_it_expires() {
    let (base, s) = scripted().await;
    s.expires_in.store(1, Ordering::SeqCst);
    let c = client(&base);
    c.status("a").await.unwrap();
    c.status("a").await.unwrap();
    assert_eq!(s.tokens.load(Ordering::SeqCst), 1);
    // A one-second token is given up at half time.
    tokio::time::sleep(Duration::from_millis(600)).await;
    c.status("a").await.unwrap();
    assert_eq!(s.tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries_once() {
    let (base, s) = scripted().await;
    let c = client(&base);
    c.status("a").await.unwrap();
    s.revoked.lock().unwrap().push("t1".into());
    c.status("a").await.unwrap();
    assert_eq!(s.tokens.load(Ordering::SeqCst), 2, "one refresh");
    // A token refused again is not refreshed in a loop.
    s.revoked.lock().unwrap().push("t2".into());
    s.revoked.lock().unwrap().push("t3".into());
    let e = c.status("a").await.unwrap_err();
    assert!(matches!(e, Error::Credentials(_)), "{e}");
    assert_eq!(s.tokens.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_403_says_which_scope_is_missing_and_is_not_retried() {
    let (base, s) = scripted().await;
    let c = client(&base);
    let e = c.cancel("d-1", "no longer needed").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the API client lacks scope document_write: The client is not allowed to do this."
    );
    assert_eq!(s.forbidden_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_5xx_is_retried_with_backoff() {
    let (base, s) = scripted().await;
    let c = client(&base);
    s.flaky_left.store(2, Ordering::SeqCst);
    assert_eq!(
        c.status("flaky").await.unwrap().document_status,
        DocumentStatus::Signed
    );
    s.flaky_left.store(5, Ordering::SeqCst);
    assert!(c.status("flaky").await.unwrap_err().is_retryable());
}

#[tokio::test]
async fn wrong_credentials_are_reported_and_never_printed() {
    let (base, _s) = scripted().await;
    let c = Client::new(
        format!("{base}/signature").parse().unwrap(),
        format!("{base}/oauth/connect/token").parse().unwrap(),
        Credentials {
            client_id: "id".into(),
            client_secret: "wrong-secret".into(),
        },
    );
    let e = c.status("a").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "Signicat refused the API client's credentials: bad client"
    );
    assert!(!format!("{c:?}").contains("wrong-secret"));
}

#[tokio::test]
async fn a_create_sends_exactly_this_json() {
    let (base, s) = scripted().await;
    let c = client(&base);
    let doc = DocumentCreateOptions {
        title: "Lease".into(),
        description: None,
        external_id: "42".into(),
        data_to_sign: DataToSign {
            file_name: "Lease.pdf".into(),
            base64_content: "JVBERi0=".into(),
            packaging: Packaging {
                signature_package_formats: vec![FileFormat::Pades],
            },
        },
        contact_details: ContactDetails {
            email: "office@example.nl".into(),
            name: None,
        },
        signers: vec![SignerOptions {
            external_signer_id: "s1".into(),
            redirect_settings: RedirectSettings {
                redirect_mode: RedirectMode::Redirect,
                success: Some("https://portal.example/return?t=abc".into()),
                cancel: Some("https://portal.example/return?t=abc".into()),
                error: Some("https://portal.example/return?t=abc".into()),
            },
            signature_type: SignatureType {
                mechanism: Mechanism::Handwritten,
                signature_methods: vec![],
            },
            signer_info: Some(SignerInfo {
                first_name: Some("Ann".into()),
                last_name: Some("de Vries".into()),
                email: Some("ann@example.nl".into()),
                mobile: None,
            }),
            authentication: None,
            notifications: None,
            ui: Some(Ui {
                language: "nl".into(),
            }),
            order: Some(1),
            required: None,
        }],
        notification: None,
        advanced: Advanced {
            tags: Vec::new(),
            attachments: Some(1),
            required_signatures: None,
            time_to_live: Some(TimeToLive {
                deadline: Some("2026-12-31T00:00:00Z".into()),
                delete_after_hours: None,
            }),
        },
    };
    let made = c.create_document(&doc).await.unwrap();
    assert_eq!(made.document_id, "d-1");
    assert_eq!(
        made.signers[0].url.as_deref(),
        Some("https://sign.example/sg-1")
    );
    let sent = s.created.lock().unwrap().clone().unwrap();
    assert_eq!(
        sent,
        json!({
            "title": "Lease",
            "externalId": "42",
            "dataToSign": {
                "fileName": "Lease.pdf",
                "base64Content": "JVBERi0=",
                "packaging": {"signaturePackageFormats": ["pades"]}
            },
            "contactDetails": {"email": "office@example.nl"},
            "signers": [{
                "externalSignerId": "s1",
                "redirectSettings": {
                    "redirectMode": "redirect",
                    "success": "https://portal.example/return?t=abc",
                    "cancel": "https://portal.example/return?t=abc",
                    "error": "https://portal.example/return?t=abc"
                },
                "signatureType": {"mechanism": "handwritten"},
                "signerInfo": {"firstName": "Ann", "lastName": "de Vries", "email": "ann@example.nl"},
                "ui": {"language": "nl"},
                "order": 1
            }],
            "advanced": {"attachments": 1, "timeToLive": {"deadline": "2026-12-31T00:00:00Z"}}
        })
    );
    assert!(s
        .last_scope
        .lock()
        .unwrap()
        .ends_with("scope=document_write"));
}

/// Runs the futures at once and collects their results in order.
async fn futures_join<F>(fs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
