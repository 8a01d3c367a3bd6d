//! Signicat through the portal and its built-in simulator: a request sent
//! (direct and invite flows), signed on the simulator's pages, its webhooks
//! taken in, archived; a crash between create and attachments; a forged
//! webhook; a lost webhook repaired by the periodic check; the simulator's
//! token endpoint and error bodies. On SQLite and on PostgreSQL.

mod support;

use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::{activities, archive, postbacks, requests, sandbox, signer_links, tracking};
use app::ssr::faults;
use reqwest::StatusCode;
use serde_json::json;
use server::worker::Worker;
use support::flow::until_idle;
use support::{expect_status, location, sample_pdf, TestApp};

/// Faults are armed per request id, and every test's database counts from
/// 1: the tests of this file take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A worker with the portal's configured services (the simulator's
/// credentials), driven by the test.
async fn worker(app: &TestApp) -> Worker {
    let config = app.config().await;
    let mut w = Worker::with_providers(
        app.db.clone(),
        server::configured_providers(&config, &app.db),
    );
    w.check_every = Duration::from_secs(3600);
    w
}

/// A Signicat draft with two signers and two PDFs (the second becomes an attachment).
async fn draft(app: &TestApp, client: &reqwest::Client, flow: &str) -> i64 {
    let id = app.new_draft(client).await;
    let ids = id.to_string();
    let res = app
        .call(
            client,
            "requests/service",
            &[("id", &ids), ("service", "signicat")],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let res = app
        .call(
            client,
            "requests/settings",
            &[
                ("id", &ids),
                ("title", "Lease"),
                ("reference", "L-1"),
                ("flow", flow),
                ("language", "en-US"),
                ("days_to_expire", "30"),
                ("remind_days", "0"),
            ],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let signer = |key: &str, email: &str, name: &str| {
        json!({"key": key, "email": email, "name": name, "message": "Please sign the lease.",
            "verifications": [{"type": "Scribble"}]})
    };
    let res = app
        .call_json(
            client,
            "requests/signers",
            json!({"id": id, "signers": [signer("s1", "ann@example.nl", "Ann Smit"), signer("s2", "bob@example.nl", "Bob")]}),
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    for name in ["Lease.pdf", "Annex.pdf"] {
        let res = app.upload(client, id, name, sample_pdf()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    id
}

async fn start(app: &TestApp, client: &reqwest::Client, id: i64) {
    let res = app
        .call(client, "requests/start", &[("id", &id.to_string())])
        .await;
    expect_status(res, StatusCode::OK).await;
}

/// Signs on the simulator's page at `url`; returns where the browser goes next.
async fn sign_at(app: &TestApp, url: &str) -> String {
    let browser = app.client();
    let page = browser.get(url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Signicat sandbox"), "{html}");
    let no_fields: [(&str, &str); 0] = [];
    let res = browser
        .post(format!("{url}/sign"))
        .form(&no_fields)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    location(&res)
}

/// Runs the worker until `done` holds (webhooks arrive over HTTP, packaging takes a moment).
async fn until(w: &Worker, what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        until_idle(w).await;
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what} did not happen");
}

async fn archived(app: &TestApp, id: i64) -> bool {
    tracking::find(&app.db, id)
        .await
        .unwrap()
        .is_some_and(|t| t.archived_at.is_some())
}

#[tokio::test]
async fn direct_and_invite_flows_end_signed_and_archived() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let backend = app.db.backend();
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = worker(&app).await;
        let sim = app.signicat().await;
        for flow in ["direct", "invite"] {
            let id = draft(&app, &owner, flow).await;
            start(&app, &owner, id).await;
            until_idle(&w).await;
            let row = requests::find(&app.db, id).await.unwrap().unwrap();
            assert_eq!(row.status(), RequestStatus::Waiting, "{backend} {flow}");
            assert_eq!(row.provider, "signicat");
            let doc_id = row.external_id.clone().unwrap();
            let doc = sim.get_document(&doc_id).await.unwrap();
            assert_eq!(doc.external_id.as_deref(), Some(id.to_string().as_str()));
            let status = sim.status(&doc_id).await.unwrap();
            assert_eq!(
                status.document_status.as_str(),
                "unsigned",
                "the attachment is in"
            );
            assert_eq!(sim.attachments(&doc_id).await.unwrap().len(), 1);
            // What was sent is kept, without the PDF itself.
            let sent: serde_json::Value =
                serde_json::from_str(row.sent_payload.as_deref().unwrap()).unwrap();
            assert!(sent["dataToSign"]["base64Content"]
                .as_str()
                .unwrap()
                .contains("sha256"));

            let mut links = signer_links::list(&app.db, id).await.unwrap();
            links.sort_by(|a, b| a.signer_key.cmp(&b.signer_key));
            assert_eq!(links.len(), 2);
            let mut urls = Vec::new();
            for link in &links {
                if flow == "direct" {
                    // The portal's link hands out Signicat's page for that signer.
                    let res = app
                        .bare_client()
                        .get(app.url(&format!("/s/{}", link.token)))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(location(&res), link.sign_url);
                }
                urls.push(link.sign_url.clone());
            }
            if flow == "invite" {
                // Signicat emails them: the sandbox mailbox shows it.
                let mail = app.get(&owner, "/sandbox/mail").await.text().await.unwrap();
                assert!(mail.contains("Signicat invitation"), "{mail}");
                assert!(mail.contains("ann@example.nl"));
            }
            // Each signer comes back to the portal with its own token.
            let back = sign_at(&app, &urls[0]).await;
            assert!(
                back.starts_with(&app.url(&format!("/return?t={}", links[0].token))),
                "{back}"
            );
            assert!(back.contains("idfy-jwt="));
            until(&w, "the first signature", async || {
                let v = app.request_view(&owner, id).await;
                v["tracking"]["signers"][0]["status"] == json!("signed")
            })
            .await;
            let landing = app
                .bare_client()
                .get(&back)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(landing.contains("Thank you for signing"), "{landing}");
            sign_at(&app, &urls[1]).await;
            until(&w, "the archive", async || archived(&app, id).await).await;

            let view = app.request_view(&owner, id).await;
            assert_eq!(view["status"], json!("signed"), "{backend} {flow}");
            let files = archive::list(&app.db, id).await.unwrap();
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(
                names,
                ["Lease (signed).pdf", "Annex (signed).pdf"],
                "{backend}"
            );
            assert!(
                files.iter().all(|f| f.kind == "signed"),
                "no receipt at Signicat"
            );
            for f in &files {
                let bytes = archive::content(&app.db, id, f.id).await.unwrap().unwrap();
                assert!(bytes.starts_with(b"%PDF"));
                assert_ne!(
                    bytes,
                    sample_pdf(),
                    "the signed copy differs from the original"
                );
            }
            // The timeline has the webhooks' events besides the signatures.
            let kinds: Vec<String> = activities::list(&app.db, id)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.kind)
                .collect();
            for k in ["opened", "signed", "finished"] {
                assert!(
                    kinds.iter().any(|x| x == k),
                    "{backend} {flow}: {k} in {kinds:?}"
                );
            }
            // The evidence bundle says there is no receipt instead of faking one.
            let res = app
                .get(&owner, &format!("/requests/{id}/evidence.zip"))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            let zip = res.bytes().await.unwrap();
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
            let mut manifest = String::new();
            std::io::Read::read_to_string(
                &mut archive.by_name("MANIFEST.sha256").unwrap(),
                &mut manifest,
            )
            .unwrap();
            assert!(
                manifest.starts_with("# Signicat issues no receipt PDF"),
                "{manifest}"
            );
            assert!(archive.by_name("Receipt.pdf").is_err());
            // The event pull API lists what happened until it is handled.
            let events = pulled_events(&app).await;
            let mine: Vec<&serde_json::Value> = events
                .iter()
                .filter(|e| e["payload"]["documentId"] == json!(doc_id))
                .collect();
            let types: Vec<&str> = mine.iter().map(|e| e["type"].as_str().unwrap()).collect();
            assert_eq!(types.first(), Some(&"document_created"), "{types:?}");
            assert!(types.contains(&"document_packaged"), "{types:?}");
            // The signed file downloads from the request page.
            let res = app
                .get(&owner, &format!("/requests/{id}/archive/{}", files[0].id))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn a_crash_between_create_and_attachments_makes_no_second_document() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = worker(&app).await;
        let id = draft(&app, &owner, "direct").await;
        // The document is made at Signicat, then the portal fails before it saves the id.
        faults::arm(id, "create: transaction saved");
        start(&app, &owner, id).await;
        until_idle(&w).await;
        assert!(!faults::is_armed(id, "create: transaction saved"));
        let row = requests::find(&app.db, id).await.unwrap().unwrap();
        assert_eq!(row.status(), RequestStatus::Starting);
        assert!(row.external_id.is_none(), "nothing of it was kept");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        until_idle(&w).await;
        let row = requests::find(&app.db, id).await.unwrap().unwrap();
        assert_eq!(row.status(), RequestStatus::Waiting, "{}", app.db.backend());
        let made = sandbox_documents(&app, id).await;
        assert_eq!(made, 1, "one document at Signicat for the request");
        let doc_id = row.external_id.unwrap();
        assert_eq!(
            app.signicat()
                .await
                .attachments(&doc_id)
                .await
                .unwrap()
                .len(),
            1
        );
        app.stop().await;
    }
}

/// The simulator's unhandled events, through its pull API.
async fn pulled_events(app: &TestApp) -> Vec<serde_json::Value> {
    let keys = server::sandbox::signicat_keys(&app.db).await.unwrap();
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(app.url("/sandbox/signicat/oauth/connect/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "event"),
            ("client_id", keys.client_id.as_str()),
            ("client_secret", keys.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = http
        .get(app.url("/sandbox/signicat/notification/events"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn sandbox_documents(app: &TestApp, id: i64) -> usize {
    let sim = app.signicat().await;
    let found = sim.find_by_external_id(&id.to_string()).await.unwrap();
    found.len()
}

#[tokio::test]
async fn a_forged_webhook_is_quarantined_and_a_lost_one_is_repaired_by_the_check() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for app in TestApp::spawn_each(&[("WORKERS", "off")]).await {
        let backend = app.db.backend();
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let w = worker(&app).await;
        let id = draft(&app, &owner, "direct").await;
        start(&app, &owner, id).await;
        until_idle(&w).await;
        let row = requests::find(&app.db, id).await.unwrap().unwrap();
        let doc_id = row.external_id.clone().unwrap();

        // A webhook with a made-up signature claims the document is signed.
        let body = json!({"id": "forged-1", "timestamp": "2026-12-01T10:00:00Z", "accountId": "x",
            "type": "document_signed", "payload": {"documentId": doc_id}, "tags": []})
        .to_string();
        let res = app
            .bare_client()
            .post(app.url("/hooks/signicat"))
            .header("content-type", "application/json")
            .header("X-Idfy-Signature", "00".repeat(32))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        until_idle(&w).await;
        let inbox = postbacks::recent(&app.db, 20).await.unwrap();
        let forged = inbox
            .iter()
            .find(|p| p.signature.as_deref() == Some(&"00".repeat(32)))
            .unwrap();
        assert_eq!(forged.state, "quarantined", "{backend}");
        assert_eq!(
            requests::find(&app.db, id).await.unwrap().unwrap().status(),
            RequestStatus::Waiting
        );

        // The simulator's webhooks are lost from here on.
        sandbox::set_setting(&app.db, "signicat.webhooks", "[]")
            .await
            .unwrap();
        let links = signer_links::list(&app.db, id).await.unwrap();
        for link in &links {
            sign_at(&app, &link.sign_url).await;
        }
        tokio::time::sleep(Duration::from_millis(2500)).await;
        // The periodic check asks Signicat and finds it signed.
        until(&w, "the check", async || {
            tracking::schedule_check(&app.db, id, chrono::Utc::now(), 0)
                .await
                .unwrap();
            w.reconcile_due().await.unwrap();
            archived(&app, id).await
        })
        .await;
        let view = app.request_view(&owner, id).await;
        assert_eq!(view["status"], json!("signed"), "{backend}");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_simulator_answers_tokens_and_bad_input_as_signicat_does() {
    let app =
        TestApp::spawn_with(&[("WORKERS", "off"), ("SANDBOX_SIGNICAT_TOKEN_SECONDS", "5")]).await;
    let http = reqwest::Client::new();
    let token_url = app.url("/sandbox/signicat/oauth/connect/token");
    // Wrong credentials: OAuth's own error body.
    let res = http
        .post(&token_url)
        .basic_auth("nobody", Some("wrong"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "document_read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], json!("invalid_client"));
    // The right ones, by HTTP Basic: a token for the scopes asked, with its lifetime.
    let keys = server::sandbox::signicat_keys(&app.db).await.unwrap();
    let res = http
        .post(&token_url)
        .basic_auth(&keys.client_id, Some(&keys.client_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "document_read"),
        ])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["expires_in"], json!(5));
    assert_eq!(body["token_type"], json!("Bearer"));
    let token = body["access_token"].as_str().unwrap().to_string();
    let docs = app.url("/sandbox/signicat/signature/documents");
    // No token: 401. A token without document_write: 403.
    let res = http.post(&docs).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http
        .post(&docs)
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Bad input through the wire client: every field named.
    let sim = app.signicat().await;
    let bad = signicat::model::DocumentCreateOptions {
        title: String::new(),
        external_id: "1".into(),
        signers: vec![Default::default()],
        ..Default::default()
    };
    match sim.create_document(&bad).await {
        Err(signicat::Error::Refused {
            status: 400,
            fields,
            ..
        }) => {
            let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
            for f in [
                "title",
                "dataToSign.fileName",
                "signers[0].externalSignerId",
                "dataToSign.base64Content",
            ] {
                assert!(names.contains(&f), "{f} in {names:?}");
            }
        }
        other => panic!("refused as bad input, not {other:?}"),
    }
    // After the token's lifetime the API refuses it; the wire client gets a new one.
    tokio::time::sleep(Duration::from_millis(6200)).await;
    let res = http
        .get(app.url("/sandbox/signicat/signature/documents/x"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    match sim.get_document("no-such-document").await {
        Err(signicat::Error::NotFound(_)) => {}
        other => panic!("not found, not {other:?}"),
    }
    // A webhook may only point at this portal; a new one is pinged, and the
    // portal answers the ping and keeps it as ignored.
    let events: serde_json::Value = http
        .post(&token_url)
        .basic_auth(&keys.client_id, Some(&keys.client_secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "event")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event_token = events["access_token"].as_str().unwrap();
    let hooks = app.url("/sandbox/signicat/notification/webhooks");
    let webhook = |url: String| {
        json!({"name": "more", "events": ["document_signed"],
        "config": {"url": url, "secret": keys.webhook_secret}})
    };
    let res = http
        .post(&hooks)
        .bearer_auth(event_token)
        .json(&webhook("https://elsewhere.example/hook".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = http
        .post(&hooks)
        .bearer_auth(event_token)
        .json(&webhook(app.url("/hooks/signicat")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let made: serde_json::Value = res.json().await.unwrap();
    assert!(
        made["config"].get("secret").is_none(),
        "the secret is not shown"
    );
    let listed: serde_json::Value = http
        .get(&hooks)
        .bearer_auth(event_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "the portal's own and the new one"
    );
    let mut ping = None;
    for _ in 0..50 {
        ping = postbacks::recent(&app.db, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.state == "ignored");
        if ping.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ping = ping.expect("the ping arrived");
    assert!(ping.reason.unwrap().contains("ping"));
    app.stop().await;
}
