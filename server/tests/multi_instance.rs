//! Three real portal processes on one fresh PostgreSQL database behind a
//! round-robin balancer on loopback: a staff session made through one is
//! used through the others, sign-in throttling counts across them, and
//! requests sent and signed through the balancer all end signed and
//! archived once, while one instance is killed with SIGKILL and another is
//! restarted mid-run. (`TEST_POSTGRES_URL` must be set; the short version
//! of `scripts/multi-instance`.)

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::{archive, jobs, postbacks, requests, Db};
use app::ssr::testing::TestDb;
use futures::StreamExt;
use reqwest::StatusCode;
use support::flow::{fetch, postback_body, times_signed, SECRET};
use support::process::{free_port, until, Portal};
use support::TestApp;

/// A round-robin TCP balancer: each connection goes to the next backend
/// that accepts it (a killed one is skipped).
async fn balancer(backends: Vec<u16>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            let backends = backends.clone();
            let next = next.clone();
            tokio::spawn(async move {
                for _ in 0..backends.len() {
                    let port = backends[next.fetch_add(1, Ordering::Relaxed) % backends.len()];
                    if let Ok(mut out) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                        return;
                    }
                }
            });
        }
    });
    port
}

/// A TCP gate in front of PostgreSQL: closing it cuts every open
/// connection and refuses new ones, as a database restart or a network
/// outage would.
struct Gate {
    port: u16,
    open: tokio::sync::watch::Sender<bool>,
}

async fn gate(to: u16) -> Gate {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (open, watch) = tokio::sync::watch::channel(true);
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            if !*watch.borrow() {
                continue; // dropped: refused
            }
            let mut closed = watch.clone();
            tokio::spawn(async move {
                let Ok(mut out) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut out) => {}
                    _ = closed.wait_for(|open| !*open) => {}
                }
            });
        }
    });
    Gate { port, open }
}

/// A client that opens a new connection per request, so the balancer
/// spreads its requests over the instances.
fn spread(app: &TestApp) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("origin", app.address.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

async fn count(db: &Db, sql: &str, id: i64) -> i64 {
    let Db::Postgres(pool) = db else {
        unreachable!()
    };
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_sessions_throttling_and_jobs_through_a_kill_and_a_restart() {
    let Some(test_db) = TestDb::postgres().await else {
        return;
    };
    let requests_wanted: usize = std::env::var("MULTI_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    // The portals reach the database through the gate; the test directly.
    let direct: url::Url = test_db.url.parse().unwrap();
    let db_gate = gate(direct.port().unwrap_or(5432)).await;
    let mut gated = direct.clone();
    gated.set_port(Some(db_gate.port)).unwrap();
    let url = gated.to_string();
    let ports = [free_port(), free_port(), free_port()];
    let front = balancer(ports.to_vec()).await;
    let public = format!("http://127.0.0.1:{front}");
    let env = [
        ("PUBLIC_URL", public.as_str()),
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("SANDBOX_CERTEUROPE_ADDR", "off"),
        // Every postback comes from this one machine.
        ("POSTBACK_RATE", "100000"),
    ];
    let mut portals = Vec::new();
    for port in ports {
        portals.push(Some(Portal::start(&url, port, &env).await));
    }
    let app = TestApp::attach(public.clone(), test_db);

    // Sign-in throttling counts across instances: five wrong passwords,
    // spread over the three, lock the account on all of them.
    app.add_user("target@example.nl", "staff").await;
    for _ in 0..5 {
        let res = app
            .sign_in(&spread(&app), "target@example.nl", "wrong password")
            .await;
        assert_ne!(res.status(), StatusCode::OK);
    }
    let res = app
        .sign_in(&spread(&app), "target@example.nl", support::PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    // One sign-in, used through every instance.
    app.add_user("owner@example.nl", "staff").await;
    let owner = spread(&app);
    assert_eq!(
        app.sign_in(&owner, "owner@example.nl", support::PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    for _ in 0..6 {
        let res = owner.get(app.url("/")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "signed in on every instance");
    }

    // Requests sent; one instance killed and another restarted meanwhile.
    let mut ids = Vec::new();
    for n in 0..requests_wanted {
        let id = app.ready_draft(&owner).await;
        let res = app
            .call(&owner, "requests/start", &[("id", &id.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        ids.push(id);
        if n == requests_wanted / 2 - 1 {
            portals[0].take().unwrap().kill();
        }
        if n == requests_wanted * 3 / 4 - 1 {
            portals[1].take().unwrap().kill();
            portals[1] = Some(Portal::start(&url, ports[1], &env).await);
        }
    }
    // Time allowed grows with the run (the short version needs a minute).
    let allowed = 120 + requests_wanted as u64;
    let deadline = std::time::Instant::now() + Duration::from_secs(allowed);
    loop {
        let mut behind = Vec::new();
        for &id in &ids {
            let row = requests::find(&app.db, id).await.unwrap().unwrap();
            if row.status() != RequestStatus::Waiting {
                behind.push((
                    id,
                    row.status(),
                    jobs::latest(&app.db, "start", id).await.unwrap(),
                ));
            }
        }
        if behind.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not every request waits for its signers after {allowed} s: {behind:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let mut early = Vec::new();
    for &id in &ids {
        let row = requests::find(&app.db, id).await.unwrap().unwrap();
        early.push(fetch(&app, row.external_id.as_deref().unwrap()).await);
    }

    // The database goes away for 12 seconds: intake answers 503 (nothing
    // acknowledged that is not stored), readiness says so, and every
    // instance comes back by itself.
    let (body, checksum) = postback_body(&early[0], SECRET);
    let instance = format!("http://127.0.0.1:{}", ports[2]);
    let _ = db_gate.open.send(false);
    let cut = std::time::Instant::now();
    let raw = reqwest::Client::new();
    let res = raw
        .post(format!("{instance}/signhost/postback"))
        .header("content-type", "application/json")
        .header("Checksum", &checksum)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let ready = raw.get(format!("{instance}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    tokio::time::sleep(Duration::from_secs(12).saturating_sub(cut.elapsed())).await;
    let _ = db_gate.open.send(true);
    for port in [ports[1], ports[2]] {
        until("the instance is ready again", 30, || {
            let raw = raw.clone();
            async move {
                raw.get(format!("http://127.0.0.1:{port}/readyz"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == StatusCode::OK)
            }
        })
        .await;
    }
    let stored_before = postbacks::recent(&app.db, 1_000_000).await.unwrap().len();

    // Both signers of each request sign at the same moment, through the balancer.
    for tx in &early {
        let signing = tx.signers.iter().map(|s| {
            let token = s.sign_url.clone().unwrap();
            let token = token.rsplit('/').next().unwrap().to_string();
            let browser = spread(&app);
            let url = app.url(&format!("/sandbox/sign/{token}/sign"));
            async move { browser.post(url).send().await.unwrap().status() }
        });
        for status in futures::future::join_all(signing).await {
            assert_eq!(status, StatusCode::SEE_OTHER);
        }
    }
    until(
        "every request is signed and archived",
        allowed + 60,
        || async {
            let mut all = true;
            for &id in &ids {
                let row = requests::find(&app.db, id).await.unwrap().unwrap();
                all &= row.status() == RequestStatus::Signed
                    && archive::list(&app.db, id).await.unwrap().len() >= 2;
            }
            all
        },
    )
    .await;

    for &id in &ids {
        let job = jobs::latest(&app.db, "archive", id).await.unwrap().unwrap();
        assert!(job.done_at.is_some());
        assert_eq!(
            count(
                &app.db,
                "SELECT COUNT(*) FROM jobs WHERE kind = 'archive' AND request_id = $1",
                id
            )
            .await,
            1,
            "archived by one job"
        );
        let files = archive::list(&app.db, id).await.unwrap();
        let kinds: Vec<&str> = files.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["signed", "receipt"], "each file stored once");
    }
    // Ten postbacks for every request through the balancer: the final
    // news nine times (Signhost's repeats are identical), then older news
    // arriving after it.
    let mut storm = Vec::new();
    for tx in &early {
        let done = fetch(&app, tx.id.as_deref().unwrap()).await;
        for k in 0..10 {
            storm.push(postback_body(if k == 9 { tx } else { &done }, SECRET));
        }
    }
    // Sent as Signhost does: an answer other than 200 (503 when an instance
    // is too busy to store it in time) means "send it again later".
    let sender = spread(&app);
    let total = storm.len();
    let storm_started = std::time::Instant::now();
    let mut pending = storm;
    let mut refused = std::collections::BTreeMap::<String, usize>::new();
    for _round in 0..5 {
        if pending.is_empty() {
            break;
        }
        let answers = futures::stream::iter(pending.into_iter().map(|(body, checksum)| {
            let sender = sender.clone();
            let url = app.url("/signhost/postback");
            async move {
                let answer = sender
                    .post(url)
                    .header("content-type", "application/json")
                    .header("Checksum", &checksum)
                    .body(body.clone())
                    .send()
                    .await
                    .map(|r| r.status());
                (answer, (body, checksum))
            }
        }))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
        pending = Vec::new();
        for (answer, postback) in answers {
            match answer {
                Ok(StatusCode::OK) => {}
                other => {
                    *refused.entry(format!("{other:?}")).or_default() += 1;
                    pending.push(postback);
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert!(
        pending.is_empty(),
        "every postback acknowledged in the end: {refused:?}"
    );
    // Before that only "try again": 503, or a connection lost on the way
    // (the sender cannot know and sends again); never a refusal.
    assert!(
        refused
            .keys()
            .all(|k| k.contains("503") || k.starts_with("Err(")),
        "only 503 or a lost connection before that: {refused:?}"
    );
    let acknowledged = total;
    eprintln!(
        "{total} postbacks for {} requests acknowledged in {:.1} s through three instances (retried: {refused:?})",
        ids.len(),
        storm_started.elapsed().as_secs_f64()
    );
    until("every stored postback is processed", allowed, || async {
        let left = postbacks::recent(&app.db, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.state == "received")
            .count();
        left == 0
    })
    .await;
    let stored = postbacks::recent(&app.db, 1_000_000).await.unwrap();
    let from_storm = stored.len() - stored_before;
    assert!(
        from_storm >= acknowledged,
        "every acknowledged postback stored ({from_storm} of {acknowledged})"
    );
    assert!(
        stored
            .iter()
            .all(|p| p.state == "applied" || p.state == "duplicate"),
        "none quarantined or left over"
    );
    for &id in &ids {
        assert_eq!(
            requests::find(&app.db, id).await.unwrap().unwrap().status(),
            RequestStatus::Signed,
            "older news moved nothing back"
        );
        assert_eq!(times_signed(&app.db, id).await, 1, "applied once");
    }
    drop(portals);
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.stop().await;
}
