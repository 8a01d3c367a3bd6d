//! The portal as an operating-system process, killed with SIGKILL at the
//! two worst moments: after a postback was received but before it was
//! applied, and after the request was signed but before its archive was
//! complete. Each time the next process carries on from the database and
//! nothing is lost.

mod support;

use app::model::request::RequestStatus;
use app::ssr::db::{jobs, postbacks, requests, Db};
use app::ssr::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;
use support::process::{free_port, until, Portal};
use support::scripted::scripted_signhost;
use support::TestApp;

async fn status(db: &Db, id: i64) -> RequestStatus {
    requests::find(db, id).await.unwrap().unwrap().status()
}

#[tokio::test]
async fn a_killed_portal_loses_nothing_after_a_restart() {
    let test_db = TestDb::sqlite().await;
    let url = test_db.url.clone();
    let port = free_port();
    let app = TestApp::attach(format!("http://127.0.0.1:{port}"), test_db);

    // 1. A portal with its workers sends a request to the sandbox.
    let portal = Portal::start(&url, port, &[]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = app.ready_draft(&owner).await;
    let res = app
        .call(&owner, "requests/start", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    until("the request waits for signers", 30, || async {
        status(&app.db, id).await == RequestStatus::Waiting
    })
    .await;
    portal.kill();

    // 2. A portal without workers: both signers sign on the sandbox, the
    // postbacks arrive and are stored, and then the process is killed
    // before anything applied them.
    let portal = Portal::start(&url, port, &[("WORKERS", "off")]).await;
    let row = requests::find(&app.db, id).await.unwrap().unwrap();
    let tx = app
        .signhost()
        .get_transaction(row.external_id.as_deref().unwrap())
        .await
        .unwrap();
    for signer in &tx.signers {
        let sign_url = signer.sign_url.clone().unwrap();
        let token = sign_url.rsplit('/').next().unwrap();
        let browser = app.client();
        browser.get(&sign_url).send().await.unwrap();
        let res = browser
            .post(app.url(&format!("/sandbox/sign/{token}/sign")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // A postback whose delivery was cut off by a kill is sent again once
    // the sandbox's claim on it runs out (a minute), as Signhost retries.
    until("the signed postback is stored", 150, || async {
        postbacks::recent(&app.db, 100)
            .await
            .unwrap()
            .iter()
            .any(|p| p.hint.as_deref() == Some("30") && p.state == "received")
    })
    .await;
    portal.kill();
    assert_eq!(status(&app.db, id).await, RequestStatus::Waiting);

    // 3. A portal whose Signhost refuses the downloads: it applies the
    // postbacks (the request is signed) but cannot finish the archive, and
    // is killed with the archive half-way.
    let target = format!("http://127.0.0.1:{port}/sandbox/api/");
    let (refusing, _) = scripted_signhost(target, |_, req| {
        let path = req.uri().path();
        (path.contains("/file/")).then_some((
            StatusCode::SERVICE_UNAVAILABLE,
            "{\"Message\":\"Service unavailable\"}",
        ))
    })
    .await;
    let portal = Portal::start(
        &url,
        port,
        &[
            ("SIGNHOST_API_URL", refusing.as_str()),
            // Its sandbox stays, behind the refusing stand-in.
            ("SANDBOX", "on"),
        ],
    )
    .await;
    until("the archive has failed once", 30, || async {
        jobs::latest(&app.db, "archive", id)
            .await
            .unwrap()
            .is_some_and(|j| j.last_error.is_some_and(|e| e.contains("503")))
    })
    .await;
    portal.kill();
    assert_eq!(status(&app.db, id).await, RequestStatus::Signed);
    let job = jobs::latest(&app.db, "archive", id).await.unwrap().unwrap();
    assert!(job.done_at.is_none(), "the archive is not complete");

    // 4. A plain portal again: the archive resumes and completes.
    let portal = Portal::start(&url, port, &[]).await;
    until("the request is archived", 30, || async {
        app.request_view(&owner, id).await["tracking"]["archived"] == json!(true)
    })
    .await;
    let view = app.request_view(&owner, id).await;
    let files = view["tracking"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "the signed document and the receipt");
    // Postbacks the sandbox could not deliver while no portal ran arrive
    // late; each is dealt with, none stays waiting.
    until("every stored postback is dealt with", 150, || async {
        postbacks::recent(&app.db, 100)
            .await
            .unwrap()
            .iter()
            .all(|p| p.state != "received")
    })
    .await;
    let applied = postbacks::recent(&app.db, 100).await.unwrap();
    assert!(applied
        .iter()
        .any(|p| p.hint.as_deref() == Some("30") && p.state == "applied"));
    drop(portal);
    app.stop().await;
}

/// Postbacks from 20 senders at once, and the process killed in the middle
/// of it: every postback that was answered 200 is in the database (each is
/// answered only once the transaction holding it is committed).
#[tokio::test]
async fn every_acknowledged_postback_survives_a_kill_under_load() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    for test_db in dbs {
        let port = free_port();
        let portal = Portal::start(
            &test_db.url,
            port,
            &[("WORKERS", "off"), ("POSTBACK_RATE", "100000")],
        )
        .await;
        let url = format!("http://127.0.0.1:{port}/signhost/postback");
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let answered = Arc::new(AtomicUsize::new(0));
        let senders: Vec<_> = (0..20)
            .map(|sender| {
                let (url, acknowledged, answered) =
                    (url.clone(), acknowledged.clone(), answered.clone());
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    for n in 0.. {
                        let marker = format!("load-{sender}-{n}");
                        let body = json!({"Id": marker, "Status": 10, "Checksum": "0"});
                        match client.post(&url).json(&body).send().await {
                            Ok(res) if res.status() == StatusCode::OK => {
                                acknowledged.lock().unwrap().push(marker);
                                answered.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(_) => {}
                            Err(_) => return, // the portal is gone
                        }
                    }
                })
            })
            .collect();
        until("a few hundred postbacks are acknowledged", 60, || async {
            answered.load(Ordering::Relaxed) >= 300
        })
        .await;
        portal.kill();
        for sender in senders {
            sender.await.unwrap();
        }

        let acknowledged = acknowledged.lock().unwrap().clone();
        let stored: std::collections::HashSet<String> = postbacks::recent(&test_db.db, 1_000_000)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|p| {
                serde_json::from_str::<serde_json::Value>(&p.body)
                    .ok()
                    .and_then(|b| b["Id"].as_str().map(str::to_string))
            })
            .collect();
        let lost: Vec<_> = acknowledged
            .iter()
            .filter(|m| !stored.contains(*m))
            .collect();
        assert!(
            lost.is_empty(),
            "{} of {} acknowledged postbacks lost on {}: {:?}",
            lost.len(),
            acknowledged.len(),
            test_db.db.backend(),
            &lost[..lost.len().min(5)]
        );
        test_db.remove().await;
    }
}
