//! A failure injected between each pair of writes that belong together: the
//! request must still end sent, signed and archived, and nothing may be
//! recorded twice. On SQLite and on PostgreSQL.

mod support;

use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::{audit, jobs, requests, signer_links};
use app::ssr::faults;
use reqwest::StatusCode;
use serde_json::json;
use support::flow::{
    fetch, post_postback, postback_body, quiet_worker, sent, sign_as, until_idle, SECRET,
};
use support::TestApp;

/// Faults are armed per request id, and every test's database counts from
/// 1: the tests of this file take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn status_of(row: &Option<requests::RequestRow>) -> RequestStatus {
    row.as_ref().expect("the request exists").status()
}

#[tokio::test]
async fn asking_to_send_marks_the_request_and_queues_its_job_together() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = quiet_worker(&app);
        let id = app.ready_draft(&owner).await;
        faults::arm(id, "start: marked starting");
        let res = app
            .call(&owner, "requests/start", &[("id", &id.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        // Rolled back: still a draft, no job, so staff can simply send again.
        let row = requests::find(&app.db, id).await.unwrap();
        assert_eq!(
            status_of(&row),
            RequestStatus::Draft,
            "{}",
            app.db.backend()
        );
        assert!(jobs::latest(&app.db, "start", id).await.unwrap().is_none());
        let res = app
            .call(&owner, "requests/start", &[("id", &id.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        until_idle(&w).await;
        let row = requests::find(&app.db, id).await.unwrap();
        assert_eq!(status_of(&row), RequestStatus::Waiting);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_failure_while_saving_the_transaction_or_going_live_is_resumed() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = quiet_worker(&app);
        for point in ["create: transaction saved", "start: waiting"] {
            let id = app.ready_draft(&owner).await;
            faults::arm(id, point);
            let res = app
                .call(&owner, "requests/start", &[("id", &id.to_string())])
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            until_idle(&w).await;
            assert!(!faults::is_armed(id, point), "{point} was passed");
            let row = requests::find(&app.db, id).await.unwrap();
            assert_eq!(status_of(&row), RequestStatus::Starting, "{point}");
            // The step is retried after its backoff and the request goes live,
            // with a link for each of its two signers.
            tokio::time::sleep(Duration::from_millis(1100)).await;
            until_idle(&w).await;
            let row = requests::find(&app.db, id).await.unwrap();
            assert_eq!(status_of(&row), RequestStatus::Waiting, "{point}");
            let links = signer_links::list(&app.db, id).await.unwrap();
            assert_eq!(links.len(), 2, "{point}: {links:?}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn a_failure_while_applying_the_signed_status_still_ends_archived() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = quiet_worker(&app);
        for point in [
            "apply: status recorded",
            "apply: activities merged",
            "apply: status audited",
        ] {
            let (id, tid) = sent(&app, &owner, &w).await;
            let tx = fetch(&app, &tid).await;
            sign_as(&app, &tx, 0, None).await;
            sign_as(&app, &tx, 1, None).await;
            let (body, checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
            faults::arm(id, point);
            assert_eq!(
                post_postback(&app, body, Some(&checksum)).await.status(),
                StatusCode::OK
            );
            until_idle(&w).await;
            assert!(!faults::is_armed(id, point), "{point} was passed");
            // Nothing of the failed apply was kept ...
            let row = requests::find(&app.db, id).await.unwrap();
            assert_eq!(status_of(&row), RequestStatus::Waiting, "{point}");
            assert!(jobs::latest(&app.db, "archive", id)
                .await
                .unwrap()
                .is_none());
            // ... and the postback is tried again: signed, archived, said once.
            tokio::time::sleep(Duration::from_millis(1100)).await;
            until_idle(&w).await;
            let view = app.request_view(&owner, id).await;
            assert_eq!(view["status"], json!("signed"), "{point}");
            assert_eq!(view["tracking"]["archived"], json!(true), "{point}");
            let said = audit::list(&app.db, id)
                .await
                .unwrap()
                .into_iter()
                .filter(|a| a.action == "status")
                .count();
            assert_eq!(said, 1, "{point}: one status line");
        }
        app.stop().await;
    }
}
