//! Work that several portal instances share on one database, done once:
//! two signers signing at the same moment on two instances, the same news
//! applied by two instances at once, a job's lease renewed while it works
//! and taken over after a crash, the sandbox clock's round with three
//! instances, and news that repeats a status but carries new activity.
//! On SQLite and on PostgreSQL.

mod support;

use std::time::Duration;

use app::ssr::db::{jobs, postbacks};
use bytes::Bytes;
use reqwest::StatusCode;
use serde_json::json;
use server::providers::signhost::snapshot_of;
use signhost::model::{ActivityCode, CreateSigner, CreateTransaction, TransactionStatus};
use support::flow::{
    fetch, post_postback, postback_body, quiet_worker, sent, times_signed, until_idle, SECRET,
};
use support::TestApp;

fn api(app: &TestApp) -> signhost::Client {
    signhost::Client::new(
        app.url("/sandbox/api/").parse().unwrap(),
        "sandbox-app-key",
        "sandbox-user-token",
    )
}

fn signer(email: &str, invite: bool) -> CreateSigner {
    CreateSigner {
        email: email.into(),
        send_sign_request: Some(invite),
        sign_request_message: invite.then(|| "Please sign the contract.".to_string()),
        days_to_remind: Some(7),
        ..Default::default()
    }
}

/// A started sandbox transaction with two signers who may sign in any order.
async fn started(app: &TestApp, invite: bool) -> signhost::model::Transaction {
    let api = api(app);
    let req = CreateTransaction {
        signers: vec![
            signer("ann@example.nl", invite),
            signer("bob@example.nl", invite),
        ],
        // Both at once (not one after the other).
        sign_request_mode: Some(1),
        ..Default::default()
    };
    let tx = api.create_transaction(&req).await.unwrap();
    let id = tx.id.clone().unwrap();
    api.put_file(&id, "contract.pdf", Bytes::from(support::sample_pdf()))
        .await
        .unwrap();
    api.start(&id).await.unwrap();
    tx
}

/// Signs at `app` through the signing link's path (any instance serves it).
async fn sign_at(app: &TestApp, sign_url: &str) -> StatusCode {
    let token = sign_url.rsplit('/').next().unwrap();
    app.client()
        .post(app.url(&format!("/sandbox/sign/{token}/sign")))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn two_signers_signing_at_the_same_moment_on_two_instances_both_keep_their_signature() {
    for a in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let b = a.beside(&[("WORKERS", "off")]).await;
        let mut txs = Vec::new();
        for _ in 0..8 {
            txs.push(started(&a, false).await);
        }
        let signing = txs.iter().map(|tx| {
            let (first, second) = (
                tx.signers[0].sign_url.clone().unwrap(),
                tx.signers[1].sign_url.clone().unwrap(),
            );
            let (a, b) = (&a, &b);
            async move { tokio::join!(sign_at(a, &first), sign_at(b, &second)) }
        });
        for (one, two) in futures::future::join_all(signing).await {
            assert_eq!((one, two), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
        }
        for tx in &txs {
            let now = api(&a)
                .get_transaction(tx.id.as_deref().unwrap())
                .await
                .unwrap();
            let signed = now
                .signers
                .iter()
                .filter(|s| s.signed_date_time.is_some())
                .count();
            assert_eq!(signed, 2, "both signatures kept ({:?})", a.db.backend());
            assert_eq!(now.status, Some(TransactionStatus::Signed));
        }
        b.stop().await;
        a.stop().await;
    }
}

#[tokio::test]
async fn the_same_news_applied_by_two_instances_at_once_is_recorded_once() {
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let other = app.beside(&[("WORKERS", "off")]).await;
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = quiet_worker(&app);
        for _ in 0..5 {
            let (id, tid) = sent(&app, &owner, &w).await;
            let tx = fetch(&app, &tid).await;
            for signer in &tx.signers {
                sign_at(&app, signer.sign_url.as_deref().unwrap()).await;
            }
            let done = snapshot_of(&fetch(&app, &tid).await);
            let now = chrono::Utc::now();
            let (x, y) = tokio::join!(
                app::ssr::tracking::apply(&app.db, id, &done, now),
                app::ssr::tracking::apply(&other.db, id, &done, now)
            );
            let changed = [x.unwrap(), y.unwrap()]
                .iter()
                .filter(|a| a.changed)
                .count();
            assert_eq!(changed, 1, "one of the two moved the status");
            assert_eq!(times_signed(&app.db, id).await, 1, "signed once");
            let archive = jobs::latest(&app.db, "archive", id).await.unwrap();
            assert!(archive.is_some(), "the archive job was queued");
        }
        other.stop().await;
        app.stop().await;
    }
}

#[tokio::test]
async fn a_working_job_keeps_its_lease_and_a_dead_workers_job_is_taken_over() {
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let id = app.ready_draft(&owner).await;
        let res = app
            .call(&owner, "requests/start", &[("id", &id.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let lease = Duration::from_millis(900);
        let now = chrono::Utc::now();
        let job = jobs::claim(
            &app.db,
            "worker-a",
            now,
            now + chrono::Duration::from_std(lease).unwrap(),
        )
        .await
        .unwrap()
        .expect("the start job is due");
        assert_eq!(job.request_id, id);

        // A step that works three leases long: the lease is renewed, so
        // another instance looking meanwhile does not take the job.
        let db = app.db.clone();
        let looking = async {
            for _ in 0..5 {
                tokio::time::sleep(lease / 2).await;
                let now = chrono::Utc::now();
                let taken = jobs::claim(&db, "worker-b", now, now + chrono::Duration::seconds(5))
                    .await
                    .unwrap();
                assert!(taken.is_none(), "a job being worked on is not taken");
            }
        };
        let working = server::worker::under_lease(
            &app.db,
            job.id,
            "worker-a",
            lease,
            tokio::time::sleep(lease * 3),
        );
        tokio::join!(working, looking);

        // Worker A dies here (no renewal, never finishes): another worker
        // takes the job once its last lease has run out.
        tokio::time::sleep(lease + Duration::from_millis(300)).await;
        let now = chrono::Utc::now();
        let taken = jobs::claim(
            &app.db,
            "worker-b",
            now,
            now + chrono::Duration::seconds(60),
        )
        .await
        .unwrap()
        .expect("taken over after the lease");
        assert_eq!(taken.id, job.id);
        let later = chrono::Utc::now() + chrono::Duration::seconds(60);
        assert!(
            !jobs::renew(&app.db, job.id, "worker-a", later)
                .await
                .unwrap(),
            "the dead worker's lease is gone"
        );
        assert!(server::worker::LEASE <= Duration::from_secs(60));
        app.stop().await;
    }
}

#[tokio::test]
async fn three_instances_send_one_reminder_per_signer_per_interval() {
    let clock = [("WORKERS", "off"), ("SANDBOX_CLOCK_SECONDS", "1")];
    for a in TestApp::spawn_each(&clock).await {
        let b = a.beside(&clock).await;
        let c = a.beside(&clock).await;
        let tx = started(&a, true).await;
        let id = tx.id.clone().unwrap();
        // A week passes (every instance reads the moved clock within a second).
        app::ssr::db::sandbox::set_setting(&a.db, "clock_offset_seconds", "604800")
            .await
            .unwrap();
        let reminders = |tx: &signhost::model::Transaction| -> Vec<usize> {
            tx.signers
                .iter()
                .map(|s| {
                    s.activities
                        .iter()
                        .filter(|a| a.code == ActivityCode::InvitationReminderResent)
                        .count()
                })
                .collect()
        };
        let mut seen = Vec::new();
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            seen = reminders(&api(&a).get_transaction(&id).await.unwrap());
            if seen.iter().all(|n| *n > 0) {
                break;
            }
        }
        assert_eq!(seen, [1, 1], "one reminder per signer");
        // More rounds of the three clocks within the week: no second reminder.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            reminders(&api(&a).get_transaction(&id).await.unwrap()),
            [1, 1]
        );
        c.stop().await;
        b.stop().await;
        a.stop().await;
    }
}

#[tokio::test]
async fn news_that_repeats_a_status_with_new_activity_is_fetched_not_read_off_the_body() {
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = quiet_worker(&app);
        let (id, tid) = sent(&app, &owner, &w).await;
        let before = fetch(&app, &tid).await;
        let (body, checksum) = postback_body(&before, SECRET);
        assert_eq!(
            post_postback(&app, body.clone(), Some(&checksum))
                .await
                .status(),
            StatusCode::OK
        );
        until_idle(&w).await;

        // The first signer signs; the service's next message has the same
        // id, status and checksum. Its body here is the old one (it says
        // nothing about the signature): the portal asks the service.
        sign_at(&app, before.signers[0].sign_url.as_deref().unwrap()).await;
        assert_eq!(
            post_postback(&app, body, Some(&checksum)).await.status(),
            StatusCode::OK
        );
        until_idle(&w).await;
        let states: Vec<String> = postbacks::for_request(&app.db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.state)
            .collect();
        assert_eq!(states, ["applied", "applied"]);
        let view = app.request_view(&owner, id).await;
        assert_eq!(view["tracking"]["signers"][0]["status"], json!("signed"));
        assert_eq!(view["tracking"]["signers"][1]["status"], json!("waiting"));
        app.stop().await;
    }
}
