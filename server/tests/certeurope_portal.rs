//! CertEurope SignAPI through the portal and its built-in simulator over
//! mutual TLS: two signers chained on the page the portal hosts (consent,
//! one-time code, the previous signer's output), the signed PDFs archived
//! with their SHA-256, the consent evidence in the bundle; a crash between
//! an order and its signature requests makes no second order; the page's
//! rules (consent before a code, wrong codes counted, the lock, the resend
//! cooldown, decline). On SQLite and on PostgreSQL.

mod support;

use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::{archive, requests, signer_links, tracking};
use app::ssr::faults;
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use support::{expect_status, location, sample_pdf, TestApp};

/// Faults are armed per request id, and every test's database counts from
/// 1: the tests of this file take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn free_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("127.0.0.1:{}", l.local_addr().unwrap().port())
}

/// A portal on each backend, each with its SignAPI simulator on a known port.
async fn portals() -> Vec<(TestApp, String)> {
    let mut out = Vec::new();
    let addr = free_port();
    out.push((
        TestApp::spawn_with(&[("SANDBOX_CERTEUROPE_ADDR", addr.as_str())]).await,
        addr,
    ));
    let addr = free_port();
    if let Some(db) = app::ssr::testing::TestDb::postgres().await {
        let app = TestApp::spawn_with_providers(
            db,
            &[("SANDBOX_CERTEUROPE_ADDR", addr.as_str())],
            vec![],
        )
        .await;
        out.push((app, addr));
    }
    out
}

/// A client of the portal's simulator, as the portal itself talks to it.
async fn signapi(app: &TestApp, addr: &str) -> certeurope::Client {
    let pki = server::sandbox::certeurope::pki::installation(&app.db)
        .await
        .unwrap();
    certeurope::Client::new(
        format!("https://{addr}/").parse().unwrap(),
        &pki.client_tls(),
    )
    .unwrap()
    .with_attempts(1, Duration::from_millis(10))
}

/// A CertEurope draft: Ann gets an SMS code, Bob signs with consent alone;
/// a signature field each on the one PDF.
async fn draft(app: &TestApp, client: &reqwest::Client, language: &str) -> i64 {
    let id = app.new_draft(client).await;
    let ids = id.to_string();
    let res = app
        .call(
            client,
            "requests/service",
            &[("id", &ids), ("service", "certeurope")],
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
                ("flow", "direct"),
                ("language", language),
                ("days_to_expire", "30"),
                ("remind_days", "0"),
            ],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let res = app
        .call_json(
            client,
            "requests/signers",
            json!({"id": id, "signers": [
                {"key": "s1", "email": "ann@example.nl", "name": "Ann Smit", "first_name": "Ann",
                 "last_name": "Smit", "mobile": "+31612345678", "country": "NL",
                 "verifications": [{"type": "PhoneNumber", "number": ""}]},
                {"key": "s2", "email": "bob@example.nl", "name": "Bob de Wit", "country": "BE",
                 "verifications": [{"type": "Consent"}]},
            ]}),
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let res = app.upload(client, id, "Lease.pdf", sample_pdf()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let view = app.request_view(client, id).await;
    let doc = view["documents"][0]["id"].clone();
    let field = |fid: &str, signer: &str, top: f64| {
        json!({"id": fid, "signer": signer, "kind": "Signature", "name": format!("Signature_{signer}"), "value": "",
               "place": {"at": "page", "page": 1, "left": 60.0, "top": top, "width": 140.0, "height": 70.0}})
    };
    let res = app
        .call_json(
            client,
            "requests/fields",
            json!({"id": id, "document_id": doc, "fields": [field("f1", "s1", 500.0), field("f2", "s2", 600.0)]}),
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    id
}

async fn start(app: &TestApp, client: &reqwest::Client, id: i64) {
    let res = app
        .call(client, "requests/start", &[("id", &id.to_string())])
        .await;
    if res.status() != StatusCode::OK {
        let found = app
            .preflight(client, id, app::model::service::ProviderKind::CertEurope)
            .await;
        panic!("not sent: {found:?}");
    }
}

/// Waits (the portal's own worker runs) until `done` holds.
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    for _ in 0..150 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen");
}

async fn status_of(app: &TestApp, id: i64) -> RequestStatus {
    requests::find(&app.db, id).await.unwrap().unwrap().status()
}

async fn token_of(app: &TestApp, id: i64, key: &str) -> String {
    signer_links::list(&app.db, id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.signer_key == key)
        .expect("a link per signer")
        .token
}

/// The page at `/s/<token>` as a signer's browser sees it.
async fn page(app: &TestApp, browser: &reqwest::Client, token: &str) -> String {
    let res = browser
        .get(app.url(&format!("/s/{token}")))
        .send()
        .await
        .unwrap();
    res.text().await.unwrap()
}

/// Posts a step's form; returns where the page sends the browser.
async fn step(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    action: &str,
    form: &[(&str, &str)],
) -> String {
    let res = browser
        .post(app.url(&format!("/s/{token}/{action}")))
        .header("origin", app.address.clone())
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
    location(&res)
}

/// The newest one-time code the simulator sent for an order, from the sandbox mailbox.
async fn last_code(app: &TestApp, staff: &reqwest::Client, order_ref: &str) -> Option<String> {
    let mail = app.get(staff, "/sandbox/mail").await.text().await.unwrap();
    let marker = "Your signing code: <code>";
    let at = mail.find(order_ref)?;
    // Newest first: the code shown before this order's reference.
    let before = &mail[..at];
    let start = before.rfind(marker)? + marker.len();
    Some(before[start..start + 6].to_string())
}

#[tokio::test]
async fn two_signers_sign_in_turn_and_the_archive_keeps_their_pdfs_and_consent() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for (app, addr) in portals().await {
        let backend = match app.db {
            app::ssr::db::Db::Sqlite(_) => "sqlite",
            app::ssr::db::Db::Postgres(_) => "postgres",
        };
        let owner = app.signed_in("clerk@example.nl", "staff").await;
        let id = draft(&app, &owner, "en-US").await;
        // The first order is made, then the process "dies" before keeping its id.
        faults::arm(id, "certeurope: order made");
        start(&app, &owner, id).await;
        until("sent", || async {
            status_of(&app, id).await == RequestStatus::Waiting
        })
        .await;
        assert!(!faults::is_armed(id, "certeurope: order made"), "{backend}");
        // Found again by its externalOrderRequestId: one order for Ann, not two.
        let api = signapi(&app, &addr).await;
        let anns = api
            .search_orders(Some("ann@example.nl"), None)
            .await
            .unwrap();
        assert_eq!(anns.len(), 1, "{backend}: {anns:?}");
        assert_eq!(anns[0].external_order_request_id, format!("portal-{id}-s1"));
        let row = requests::find(&app.db, id).await.unwrap().unwrap();
        assert_eq!(
            row.external_id.as_deref(),
            Some(format!("portal-{id}").as_str())
        );

        let ann = token_of(&app, id, "s1").await;
        let bob = token_of(&app, id, "s2").await;
        let browser = app.client();
        // Bob waits for Ann.
        let html = page(&app, &browser, &bob).await;
        assert!(html.contains("Ann Smit signs first"), "{backend}: {html}");
        // Ann sees the document, drawn by pdf.js, and the consent box.
        let html = page(&app, &browser, &ann).await;
        assert!(
            html.contains("You are asked to sign") && html.contains("Lease.pdf"),
            "{html}"
        );
        assert!(
            html.contains(&format!("data-pdf=\"/s/{ann}/documents/")),
            "{html}"
        );
        assert!(html.contains("name=\"consent\""), "{html}");
        let pdf = browser
            .get(app.url(&format!(
                "/s/{ann}/documents/{}",
                app.request_view(&owner, id).await["documents"][0]["id"]
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.bytes().await.unwrap().to_vec(), sample_pdf());

        // No code before consent.
        let to = step(&app, &browser, &ann, "code", &[]).await;
        assert!(to.contains("e=consent"), "{to}");
        assert_eq!(
            last_code(&app, &owner, &format!("portal-{id}-s1")).await,
            None
        );
        let to = step(&app, &browser, &ann, "code", &[("consent", "yes")]).await;
        assert_eq!(to, format!("/s/{ann}"));
        let code = last_code(&app, &owner, &format!("portal-{id}-s1"))
            .await
            .expect("a code sent");
        let html = page(&app, &browser, &ann).await;
        assert!(
            html.contains("+31••••••678") && html.contains("autocomplete=\"one-time-code\""),
            "{html}"
        );
        // A second code only after the cooldown.
        let to = step(&app, &browser, &ann, "code", &[]).await;
        assert!(to.contains("e=wait"), "{to}");
        // A wrong code is counted; the right one signs.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let to = step(&app, &browser, &ann, "sign", &[("code", wrong)]).await;
        assert!(to.contains("e=wrong&n=2"), "{to}");
        let html = page(&app, &browser, &format!("{ann}?e=wrong&n=2")).await;
        assert!(
            html.contains("That code is not right: 2 tries left."),
            "{html}"
        );
        let to = step(&app, &browser, &ann, "sign", &[("code", code.as_str())]).await;
        assert_eq!(to, format!("/s/{ann}"));
        until("Ann's signature", || async {
            page(&app, &browser, &ann).await.contains("you have signed")
        })
        .await;

        // Bob signs on Ann's signed output, with consent alone.
        let html = page(&app, &browser, &bob).await;
        assert!(html.contains("Agree and sign"), "{backend}: {html}");
        let to = step(&app, &browser, &bob, "sign", &[]).await;
        assert!(to.contains("e=consent"), "{to}");
        step(&app, &browser, &bob, "sign", &[("consent", "yes")]).await;
        until("signed", || async {
            page(&app, &browser, &bob).await;
            status_of(&app, id).await == RequestStatus::Signed
        })
        .await;
        until("archived", || async {
            tracking::find(&app.db, id)
                .await
                .unwrap()
                .and_then(|t| t.archived_at)
                .is_some()
        })
        .await;

        // SignAPI's ASYNC posts came in as hints, for this request.
        let posts = app::ssr::db::postbacks::for_request(&app.db, id)
            .await
            .unwrap();
        assert!(
            posts.iter().any(|p| p.provider == "certeurope"
                && p.external_id.as_deref() == Some(format!("portal-{id}").as_str())),
            "{backend}: {posts:?}"
        );
        // The signed PDF (both signatures) and the portal's consent receipt, with their hashes.
        let files = archive::list(&app.db, id).await.unwrap();
        let kinds: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.kind.as_str(), f.name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("signed", "Lease (signed).pdf"),
                ("receipt", "consent-receipt.pdf")
            ],
            "{backend}"
        );
        for f in &files {
            let content = archive::content(&app.db, id, f.id).await.unwrap().unwrap();
            assert_eq!(hex::encode(Sha256::digest(&content)), f.sha256, "{backend}");
            assert!(content.starts_with(b"%PDF"));
        }
        let signed = archive::content(&app.db, id, files[0].id)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(signed, sample_pdf());
        let text = String::from_utf8_lossy(&signed);
        assert!(
            text.contains("Ann Smit") && text.contains("Bob de Wit"),
            "{backend}: both marks"
        );

        // The evidence bundle holds the consent records, never a code.
        let res = app
            .get(&owner, &format!("/requests/{id}/evidence.zip"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let zip = res.bytes().await.unwrap();
        let mut bundle = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
        let mut consents = String::new();
        std::io::Read::read_to_string(
            &mut bundle.by_name("consent-evidence.json").unwrap(),
            &mut consents,
        )
        .unwrap();
        let records: serde_json::Value = serde_json::from_str(&consents).unwrap();
        let events: Vec<(String, String)> = records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["signer_key"].as_str().unwrap().into(),
                    r["event"].as_str().unwrap().into(),
                )
            })
            .collect();
        let of = |k: &str| {
            events
                .iter()
                .filter(|e| e.0 == k)
                .map(|e| e.1.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of("s1"),
            [
                "consented",
                "code_sent",
                "code_checked",
                "code_checked",
                "signed"
            ],
            "{backend}"
        );
        assert_eq!(of("s2"), ["consented", "signed"], "{backend}");
        assert!(consents.contains("wrong code, 2 tries left") && consents.contains("accepted"));
        assert!(
            !consents.contains(&code),
            "{backend}: the code is never kept"
        );
        let first = &records[0];
        assert!(first["documents"]
            .as_str()
            .unwrap()
            .contains(&hex::encode(Sha256::digest(sample_pdf()))));
        assert!(!first["ip"].as_str().unwrap().is_empty());
        // The link now thanks a signer instead of failing.
        assert!(page(&app, &browser, &ann).await.contains("you have signed"));
        app.stop().await;
    }
}

#[tokio::test]
async fn three_wrong_codes_lock_the_signature_and_a_decline_ends_the_request() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (app, addr) = portals().await.remove(0);
    let owner = app.signed_in("clerk@example.nl", "staff").await;
    let id = draft(&app, &owner, "nl-NL").await;
    start(&app, &owner, id).await;
    until("sent", || async {
        status_of(&app, id).await == RequestStatus::Waiting
    })
    .await;
    let ann = token_of(&app, id, "s1").await;
    let browser = app.client();
    // Dutch, as the request's language says.
    let html = page(&app, &browser, &ann).await;
    assert!(
        html.contains("<html lang=\"nl\">") && html.contains("Akkoord, stuur mij een code"),
        "{html}"
    );
    step(&app, &browser, &ann, "code", &[("consent", "yes")]).await;
    let code = last_code(&app, &owner, &format!("portal-{id}-s1"))
        .await
        .unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // An empty code is asked again without counting.
    let to = step(&app, &browser, &ann, "sign", &[("code", "")]).await;
    assert!(to.contains("e=code"), "{to}");
    assert!(step(&app, &browser, &ann, "sign", &[("code", wrong)])
        .await
        .contains("n=2"));
    assert!(step(&app, &browser, &ann, "sign", &[("code", wrong)])
        .await
        .contains("n=1"));
    assert_eq!(
        step(&app, &browser, &ann, "sign", &[("code", wrong)]).await,
        format!("/s/{ann}")
    );
    let html = page(&app, &browser, &ann).await;
    assert!(html.contains("Te vaak een verkeerde code"), "{html}");
    assert!(!html.contains("name=\"code\""), "no more code form: {html}");
    // Even the right code no longer signs.
    step(&app, &browser, &ann, "sign", &[("code", code.as_str())]).await;
    assert_eq!(status_of(&app, id).await, RequestStatus::Waiting);

    // A second request: Ann declines, with a reason.
    let id2 = draft(&app, &owner, "en-US").await;
    start(&app, &owner, id2).await;
    until("sent", || async {
        status_of(&app, id2).await == RequestStatus::Waiting
    })
    .await;
    let ann2 = token_of(&app, id2, "s1").await;
    let to = step(&app, &browser, &ann2, "decline", &[("reason", "  ")]).await;
    assert!(to.contains("e=reason"), "{to}");
    assert_eq!(status_of(&app, id2).await, RequestStatus::Waiting);
    step(
        &app,
        &browser,
        &ann2,
        "decline",
        &[("reason", "The rent is wrong")],
    )
    .await;
    until("rejected", || async {
        status_of(&app, id2).await == RequestStatus::Rejected
    })
    .await;
    let seen = tracking::find(&app.db, id2).await.unwrap().unwrap();
    assert!(
        seen.signer_states.contains("The rent is wrong"),
        "{}",
        seen.signer_states
    );
    // Read again later, the decline keeps its moment: one entry on the timeline.
    let provider = adapter(&app, &addr).await;
    let external = app::ssr::db::requests::find(&app.db, id2)
        .await
        .unwrap()
        .unwrap()
        .external_id
        .unwrap();
    let first = provider.snapshot(&external).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let again = provider.snapshot(&external).await.unwrap();
    assert_eq!(first.events, again.events);
    let declines = app::ssr::db::activities::list(&app.db, id2)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == "declined")
        .count();
    assert_eq!(declines, 1, "the decline is on the timeline once");
    // Bob's link is no longer active.
    let bob = token_of(&app, id2, "s2").await;
    let res = browser
        .get(app.url(&format!("/s/{bob}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

/// The portal's CertEurope adapter, pointed at the test's simulator.
async fn adapter(app: &TestApp, addr: &str) -> std::sync::Arc<dyn app::ssr::provider::Provider> {
    let mut config = app.config().await;
    let pki = server::sandbox::certeurope::pki::installation(&app.db)
        .await
        .unwrap();
    let c = config
        .certeurope
        .as_mut()
        .expect("offered with the sandbox");
    c.api_url = Some(format!("https://{addr}/").parse().unwrap());
    c.tls = pki.client_tls();
    server::configured_providers(&config, &app.db)
        .of("certeurope")
        .unwrap()
}

#[tokio::test]
async fn cancel_and_the_portals_expiry_delete_the_orders_at_signapi() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (app, addr) = portals().await.remove(0);
    let owner = app.signed_in("clerk@example.nl", "staff").await;
    let api = signapi(&app, &addr).await;

    // Cancelled by staff: the orders are deleted, the links stop working.
    let id = draft(&app, &owner, "en-US").await;
    start(&app, &owner, id).await;
    until("sent", || async {
        status_of(&app, id).await == RequestStatus::Waiting
    })
    .await;
    let res = app
        .call(
            &owner,
            "requests/cancel",
            &[("id", &id.to_string()), ("reason", "Wrong tenant")],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    assert_eq!(status_of(&app, id).await, RequestStatus::Cancelled);
    for key in ["s1", "s2"] {
        let order = api.find_order(&format!("portal-{id}-{key}")).await.unwrap();
        assert!(order.is_none(), "{key}: {order:?}");
    }
    let ann = token_of(&app, id, "s1").await;
    let res = app
        .client()
        .get(app.url(&format!("/s/{ann}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // SignAPI has no expiry: once the request's days are up, the portal's
    // check deletes the orders and the request expires.
    let id = draft(&app, &owner, "en-US").await;
    start(&app, &owner, id).await;
    until("sent", || async {
        status_of(&app, id).await == RequestStatus::Waiting
    })
    .await;
    assert!(api
        .find_order(&format!("portal-{id}-s1"))
        .await
        .unwrap()
        .is_some());
    let row = requests::find(&app.db, id).await.unwrap().unwrap();
    let mut state: serde_json::Value = serde_json::from_str(&row.provider_state).unwrap();
    assert!(state["expires_at"].is_string(), "{state}");
    state["expires_at"] = json!("2020-01-01T00:00:00Z");
    requests::set_provider_state(&app.db, id, &state.to_string(), chrono::Utc::now())
        .await
        .unwrap();
    let provider = adapter(&app, &addr).await;
    let external = row.external_id.unwrap();
    let applied = app::ssr::tracking::refresh(&app.db, provider.as_ref(), id, &external)
        .await
        .unwrap();
    assert_eq!(applied.status, RequestStatus::Expired);
    assert_eq!(status_of(&app, id).await, RequestStatus::Expired);
    assert!(api
        .find_order(&format!("portal-{id}-s1"))
        .await
        .unwrap()
        .is_none());
    let seen = tracking::find(&app.db, id).await.unwrap().unwrap();
    assert_eq!(
        seen.provider_status.as_deref(),
        Some("orders deleted (expired)")
    );
    app.stop().await;
}
