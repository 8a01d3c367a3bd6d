//! The start job against the built-in sandbox: the whole send, Signhost
//! failing with 503, a restart half-way, a refusal shown to staff, and the
//! signer links.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::ssr::db::{jobs, Db};
use reqwest::StatusCode;
use serde_json::json;
use server::worker::Worker;
use signhost::RetryPolicy;
use support::scripted::scripted_signhost;
use support::{expect_status, location, TestApp};

fn worker(app: &TestApp, api: &str, retry: RetryPolicy) -> Worker {
    let client = signhost::Client::new(
        api.parse().unwrap(),
        "sandbox-app-key",
        "sandbox-user-token",
    )
    .with_retry(retry);
    Worker::new(
        app.db.clone(),
        client,
        app.url("/signhost/postback"),
        app.url("/return"),
    )
}

fn no_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
    }
}

/// Runs the worker until no job is due, waiting up to `patience` for retries.
async fn drain(worker: &Worker, db: &Db, request_id: i64, patience: Duration) {
    let until = tokio::time::Instant::now() + patience;
    loop {
        worker.run_next().await.unwrap();
        let job = jobs::latest(db, "start", request_id)
            .await
            .unwrap()
            .unwrap();
        if job.done_at.is_some() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "the job did not finish: {job:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn transactions(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM sandbox_transactions").await
}

async fn started(app: &TestApp, client: &reqwest::Client) -> i64 {
    let id = app.ready_draft(client).await;
    let res = app
        .call(client, "requests/start", &[("id", &id.to_string())])
        .await;
    expect_status(res, StatusCode::OK).await;
    id
}

#[tokio::test]
async fn a_direct_flow_request_is_sent_and_signers_get_their_links() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = started(&app, &owner).await;
    let w = worker(&app, &app.url("/sandbox/api/"), RetryPolicy::default());
    drain(&w, &app.db, id, Duration::from_secs(10)).await;

    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("waiting"));
    assert_eq!(view["progress"]["step"], json!("done"));
    assert_eq!(transactions(&app.db).await, 1);

    // Signhost has the documents, fields and signers as prepared.
    let row = app::ssr::db::requests::find(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    let tid = row.external_id.unwrap();
    let sh = app.signhost();
    let tx = sh.get_transaction(&tid).await.unwrap();
    assert_eq!(
        tx.status,
        Some(signhost::model::TransactionStatus::WaitingForSigner)
    );
    assert_eq!(tx.reference.as_deref(), Some(id.to_string().as_str()));
    assert_eq!(tx.postback_url, Some(app.url("/signhost/postback")));
    assert_eq!(tx.files.as_ref().map(|f| f.len()), Some(1));
    let emails: Vec<_> = tx
        .signers
        .iter()
        .map(|s| s.email.clone().unwrap())
        .collect();
    assert_eq!(emails, ["ann@example.nl", "bob@example.nl"]);
    assert!(tx
        .signers
        .iter()
        .all(|s| s.send_sign_request == Some(false)));
    assert!(tx
        .signers
        .iter()
        .all(|s| s.return_url == Some(app.url("/return"))));

    // Each signer's portal link leads to their own Signhost signing page.
    let links = view["links"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    let anonymous = app.client();
    for (link, signer) in links.iter().zip(&tx.signers) {
        let res = app.get(&anonymous, link["path"].as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), signer.sign_url.clone().unwrap());
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    }
    let res = app.get(&anonymous, "/s/not-a-real-token").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

/// A Signhost in front of the sandbox that answers 503 to the first `fail` calls.
async fn flaky_signhost(target: String, fail: usize) -> (String, Arc<AtomicUsize>) {
    scripted_signhost(target, move |n, _| {
        (n < fail).then_some((
            StatusCode::SERVICE_UNAVAILABLE,
            "{\"Message\":\"Service unavailable\"}",
        ))
    })
    .await
}

#[tokio::test]
async fn signhost_failing_with_503_twice_is_retried_with_backoff() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = started(&app, &owner).await;
    let (api, calls) = flaky_signhost(app.url("/sandbox/api/"), 2).await;
    let w = worker(&app, &api, no_retries());

    // The first attempt meets a 503: the job waits and says why.
    w.run_next().await.unwrap();
    let job = jobs::latest(&app.db, "start", id).await.unwrap().unwrap();
    assert_eq!(job.attempts, 1);
    assert!(
        job.last_error.as_deref().unwrap().contains("503"),
        "{job:?}"
    );
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("starting"));
    assert_eq!(view["progress"]["attempts"], json!(1));

    drain(&w, &app.db, id, Duration::from_secs(15)).await;
    assert_eq!(
        app.request_view(&owner, id).await["status"],
        json!("waiting")
    );
    assert!(calls.load(Ordering::SeqCst) > 2);
    assert_eq!(transactions(&app.db).await, 1, "exactly one transaction");
    app.stop().await;
}

#[tokio::test]
async fn a_restart_between_upload_and_start_resumes_without_a_second_transaction() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = started(&app, &owner).await;
    let api = app.url("/sandbox/api/");
    let first = worker(&app, &api, RetryPolicy::default());
    for _ in 0..10 {
        first.run_next().await.unwrap();
        let job = jobs::latest(&app.db, "start", id).await.unwrap().unwrap();
        if job.step == "start" {
            break;
        }
    }
    assert_eq!(
        jobs::latest(&app.db, "start", id)
            .await
            .unwrap()
            .unwrap()
            .step,
        "start"
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM documents WHERE uploaded_at IS NOT NULL"
        )
        .await,
        1
    );
    drop(first);

    // The portal restarts; a new worker claimed the job and died at once, so
    // the next one waits for its lease to run out and then carries on.
    let now = chrono::Utc::now();
    let dead = jobs::claim(
        &app.db,
        "dead-worker",
        now,
        now - chrono::Duration::seconds(1),
    )
    .await
    .unwrap();
    assert!(dead.is_some());
    let second = worker(&app, &api, RetryPolicy::default());
    drain(&second, &app.db, id, Duration::from_secs(10)).await;
    assert_eq!(
        app.request_view(&owner, id).await["status"],
        json!("waiting")
    );
    assert_eq!(transactions(&app.db).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_refusal_is_shown_to_staff_who_fix_the_draft_and_send_again() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = started(&app, &owner).await;
    // Wrong keys: Signhost answers 401, which no retry fixes.
    let client = signhost::Client::new(app.url("/sandbox/api/").parse().unwrap(), "wrong", "keys");
    let refused = Worker::new(
        app.db.clone(),
        client,
        app.url("/signhost/postback"),
        app.url("/return"),
    );
    refused.run_next().await.unwrap();
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("failed"));
    assert!(
        view["failure"]
            .as_str()
            .unwrap()
            .contains("Authorization has been denied"),
        "{view}"
    );
    assert_eq!(view["can_edit"], json!(true));
    assert_eq!(transactions(&app.db).await, 0);

    let res = app
        .call(&owner, "requests/start", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let w = worker(&app, &app.url("/sandbox/api/"), RetryPolicy::default());
    drain(&w, &app.db, id, Duration::from_secs(10)).await;
    assert_eq!(
        app.request_view(&owner, id).await["status"],
        json!("waiting")
    );
    assert_eq!(transactions(&app.db).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_worker_started_by_the_portal_sends_on_postgres_too() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = started(&app, &owner).await;
    for _ in 0..100 {
        if app.request_view(&owner, id).await["status"] == json!("waiting") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.request_view(&owner, id).await["status"],
        json!("waiting")
    );
    assert_eq!(transactions(&app.db).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_invite_flow_request_is_sent_and_signhost_emails_the_signers() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = app.ready_draft(&owner).await;
    let ids = id.to_string();
    let form = [
        ("id", ids.as_str()),
        ("title", "Lease"),
        ("reference", ""),
        ("flow", "invite"),
        ("language", "nl-NL"),
        ("days_to_expire", "14"),
        ("remind_days", "3"),
        ("sequential", "on"),
    ];
    assert_eq!(
        app.call(&owner, "requests/settings", &form).await.status(),
        StatusCode::OK
    );
    // The invite flow needs a message per signer.
    let res = app.call(&owner, "requests/start", &[("id", &ids)]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let mut view = app.request_view(&owner, id).await;
    for s in view["signers"].as_array_mut().unwrap() {
        s["message"] = json!("Please sign the lease.");
    }
    let res = app
        .call_json(
            &owner,
            "requests/signers",
            json!({"id": id, "signers": view["signers"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call(&owner, "requests/start", &[("id", &ids)]).await;
    expect_status(res, StatusCode::OK).await;
    let w = worker(&app, &app.url("/sandbox/api/"), RetryPolicy::default());
    drain(&w, &app.db, id, Duration::from_secs(10)).await;

    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("waiting"));
    let row = app::ssr::db::requests::find(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    let sh = app.signhost();
    let tx = sh.get_transaction(&row.external_id.unwrap()).await.unwrap();
    assert_eq!(tx.sign_request_mode, Some(2), "sequential");
    assert!(tx
        .signers
        .iter()
        .all(|s| s.days_to_remind == Some(3) && s.send_sign_request == Some(true)));
    // Sequential: only the first signer is invited now.
    let staff = app.signed_in("mail-reader@example.nl", "staff").await;
    let mail = app.get(&staff, "/sandbox/mail").await.text().await.unwrap();
    assert!(mail.contains("ann@example.nl"), "{mail}");
    assert!(!mail.contains("bob@example.nl"), "Bob waits for his turn");
    app.stop().await;
}

#[tokio::test]
async fn a_draft_changed_after_a_refusal_replaces_the_unstarted_transaction() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = started(&app, &owner).await;
    // The transaction is created; its first file metadata is refused.
    let (api, _) = scripted_signhost(app.url("/sandbox/api/"), |n, req| {
        (n == 1 && req.method() == axum::http::Method::PUT).then_some((
            StatusCode::BAD_REQUEST,
            "{\"Message\":\"Invalid file metadata\"}",
        ))
    })
    .await;
    let w = worker(&app, &api, no_retries());
    drain(&w, &app.db, id, Duration::from_secs(10)).await;
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("failed"));
    assert_eq!(view["failure"], json!("Invalid file metadata"));
    let first = app::ssr::db::requests::find(&app.db, id)
        .await
        .unwrap()
        .unwrap()
        .external_id
        .unwrap();

    // Staff correct a signer and send again: the old transaction is cancelled, a new one made.
    let mut signers = view["signers"].clone();
    signers[1]["email"] = json!("bob.jansen@example.nl");
    let res = app
        .call_json(
            &owner,
            "requests/signers",
            json!({"id": id, "signers": signers}),
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let res = app
        .call(&owner, "requests/start", &[("id", &id.to_string())])
        .await;
    expect_status(res, StatusCode::OK).await;
    drain(&w, &app.db, id, Duration::from_secs(10)).await;

    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("waiting"));
    let second = app::ssr::db::requests::find(&app.db, id)
        .await
        .unwrap()
        .unwrap()
        .external_id
        .unwrap();
    assert_ne!(first, second);
    let sh = app.signhost();
    assert_eq!(
        sh.get_transaction(&first).await.unwrap().status,
        Some(signhost::model::TransactionStatus::Cancelled)
    );
    let now = sh.get_transaction(&second).await.unwrap();
    assert_eq!(
        now.status,
        Some(signhost::model::TransactionStatus::WaitingForSigner)
    );
    assert_eq!(
        now.signers[1].email.as_deref(),
        Some("bob.jansen@example.nl")
    );
    // The links lead to the new transaction.
    let link = view["links"][1]["path"].as_str().unwrap().to_string();
    let res = app.get(&app.client(), &link).await;
    assert_eq!(location(&res), now.signers[1].sign_url.clone().unwrap());
    app.stop().await;
}
