//! Following a sent request: postback intake (stored, verified, applied
//! once, quarantined), the landing page, reconciliation, the archive and
//! its downloads, cancelling, and recovery after a crash.

mod support;

use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::{jobs, postbacks, requests, tracking, Db};
use reqwest::StatusCode;
use serde_json::json;
use server::providers::signhost::snapshot_of;
use sha2::{Digest, Sha256};
use support::flow::{
    fetch, post_postback, postback_body, quiet_worker, sent, sign_as, until_idle, SECRET,
};
use support::{expect_status, TestApp};

async fn states(db: &Db) -> Vec<(String, Option<String>)> {
    let mut rows = postbacks::recent(db, 100).await.unwrap();
    rows.reverse();
    rows.into_iter().map(|p| (p.state, p.reason)).collect()
}

#[tokio::test]
async fn a_valid_postback_sent_three_times_is_applied_once() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 0, None).await;
    let tx = fetch(&app, &tid).await;
    let (body, checksum) = postback_body(&tx, SECRET);
    for _ in 0..3 {
        let res = post_postback(&app, body.clone(), Some(&checksum)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    until_idle(&w).await;
    let seen: Vec<String> = states(&app.db).await.into_iter().map(|s| s.0).collect();
    assert_eq!(seen, ["applied", "duplicate", "duplicate"]);
    let view = app.request_view(&owner, id).await;
    let t = &view["tracking"];
    assert_eq!(t["signers"][0]["status"], json!("signed"));
    assert_eq!(t["signers"][1]["status"], json!("waiting"));
    let signed_lines = t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == json!("signed"))
        .count();
    assert_eq!(signed_lines, 1, "activities are recorded once: {t}");
    assert_eq!(t["postbacks"].as_array().unwrap().len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn bad_unknown_malformed_and_oversized_postbacks_are_quarantined() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let tx = fetch(&app, &tid).await;

    let (body, _) = postback_body(&tx, "not the secret");
    assert_eq!(
        post_postback(&app, body, None).await.status(),
        StatusCode::OK
    );
    let mut stranger = tx.clone();
    stranger.id = Some("00000000-0000-0000-0000-000000000000".into());
    let (body, checksum) = postback_body(&stranger, SECRET);
    assert_eq!(
        post_postback(&app, body, Some(&checksum)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        post_postback(&app, "{not json".into(), None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        post_postback(&app, "[1,2,3]".into(), None).await.status(),
        StatusCode::OK
    );
    let huge = format!(
        "{{\"Id\":\"{tid}\",\"Pad\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    assert_eq!(
        post_postback(&app, huge, None).await.status(),
        StatusCode::OK
    );
    until_idle(&w).await;

    let seen = states(&app.db).await;
    assert_eq!(seen.len(), 5);
    assert!(seen.iter().all(|(s, _)| s == "quarantined"), "{seen:?}");
    let reasons: Vec<String> = seen
        .into_iter()
        .map(|(_, r)| r.unwrap_or_default())
        .collect();
    assert!(reasons[0].contains("checksum"), "{reasons:?}");
    assert_eq!(reasons[1], "unknown transaction");
    assert_eq!(reasons[2], "not a transaction");
    assert_eq!(reasons[3], "not a transaction");
    assert!(reasons[4].contains("too large"));
    assert_eq!(
        app.request_view(&owner, id).await["status"],
        json!("waiting")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_status_never_goes_back_when_news_arrives_out_of_order() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let early = fetch(&app, &tid).await;
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 0, None).await;
    sign_as(&app, &tx, 1, None).await;
    let done = fetch(&app, &tid).await;
    let now = chrono::Utc::now();
    let applied = app::ssr::tracking::apply(&app.db, id, &snapshot_of(&done), now)
        .await
        .unwrap();
    assert_eq!(applied.status, RequestStatus::Signed);
    assert!(applied.changed);
    // The older news (status 10) comes late: nothing moves back.
    let late = app::ssr::tracking::apply(&app.db, id, &snapshot_of(&early), now)
        .await
        .unwrap();
    assert_eq!(late.status, RequestStatus::Signed);
    assert!(!late.changed);
    assert_eq!(
        requests::find(&app.db, id).await.unwrap().unwrap().status(),
        RequestStatus::Signed
    );
    app.stop().await;
}

#[tokio::test]
async fn the_landing_page_confirms_only_what_signhost_confirms() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (_, tid) = sent(&app, &owner, &w).await;
    let browser = app.client();
    let land = |q: String| {
        let browser = browser.clone();
        let url = app.url(&format!("/return?{q}"));
        async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // A forged "signed" before anyone signed.
    let page = land(format!(
        "sh_transactionid={tid}&sh_signerid=Signer1&sh_signerstatus=signed"
    ))
    .await;
    assert!(page.contains("We are confirming your signature"), "{page}");
    assert!(!page.contains("Thank you for signing"));
    assert!(page.contains("http-equiv=\"refresh\""));

    let tx = fetch(&app, &tid).await;
    let back = sign_as(&app, &tx, 0, None).await;
    assert!(back.starts_with(&app.url("/return?")), "{back}");
    let page = browser
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Thank you for signing"), "{page}");
    assert!(
        !page.contains("bob@example.nl") && !page.contains("Lease.pdf"),
        "nothing about others"
    );

    for q in [
        "",
        "sh_transactionid=nope&sh_signerid=Signer1",
        "sh_transactionid=%3Cscript%3E&sh_signerid=x",
        &format!("sh_transactionid={tid}&sh_signerid=Signer9"),
    ] {
        let page = land(q.to_string()).await;
        assert!(
            page.contains("There is nothing to show here"),
            "{q}: {page}"
        );
    }
    let limited = app.landing_limits(&browser).await;
    assert!(limited, "the landing page is rate-limited");
    app.stop().await;
}

#[tokio::test]
async fn reconciliation_repairs_a_request_whose_postbacks_were_lost_and_archives_it() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 0, None).await;
    sign_as(&app, &tx, 1, None).await;
    until_idle(&w).await;
    assert_eq!(
        app.request_view(&owner, id).await["status"],
        json!("waiting"),
        "no postback arrived"
    );

    // The check comes due.
    tracking::schedule_check(&app.db, id, chrono::Utc::now(), 0)
        .await
        .unwrap();
    until_idle(&w).await;
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("signed"));
    let t = &view["tracking"];
    assert_eq!(t["archived"], json!(true));
    let files = t["files"].as_array().unwrap();
    assert_eq!(
        files
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["signed", "receipt"]
    );

    // Downloads match the recorded hashes, and Signhost's copies.
    let sh = app.signhost();
    for f in files {
        let res = app
            .get(&owner, &format!("/requests/{id}/archive/{}", f["id"]))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let bytes = res.bytes().await.unwrap();
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            f["sha256"].as_str().unwrap()
        );
        assert_eq!(bytes.len() as i64, f["size"].as_i64().unwrap());
    }
    let doc_id = view["documents"][0]["id"].as_i64().unwrap();
    let signed = sh
        .get_file(&tid, &format!("document-{doc_id}.pdf"))
        .await
        .unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&signed)),
        files[0]["sha256"].as_str().unwrap()
    );

    let res = app
        .get(&owner, &format!("/requests/{id}/evidence.zip"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let length: usize = res.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let zip = res.bytes().await.unwrap();
    assert_eq!(
        zip.len(),
        length,
        "the streamed zip is as long as announced"
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    for wanted in [
        "signed/Lease (signed).pdf",
        "Receipt.pdf",
        "postbacks.json",
        "audit-log.json",
        "MANIFEST.sha256",
    ] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} in {names:?}");
    }
    let mut manifest = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("MANIFEST.sha256").unwrap(),
        &mut manifest,
    )
    .unwrap();
    assert!(
        manifest.contains(files[0]["sha256"].as_str().unwrap()),
        "{manifest}"
    );
    // Every line names an entry of the zip with its hash and size.
    let listed: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(listed.len(), names.len() - 1, "{manifest}");
    for line in listed {
        let parts: Vec<&str> = line.splitn(3, "  ").collect();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(parts[1]).unwrap(), &mut bytes).unwrap();
        assert_eq!(parts[0], hex::encode(Sha256::digest(&bytes)), "{line}");
        assert_eq!(parts[2], format!("{} bytes", bytes.len()), "{line}");
    }

    let anonymous = app.client();
    let res = app
        .get(&anonymous, &format!("/requests/{id}/evidence.zip"))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = anonymous
        .get(app.url(&format!("/requests/{id}/archive/{}", files[0]["id"])))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn nothing_is_lost_when_the_portal_stops_between_steps() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    drop(w);
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 0, None).await;
    sign_as(&app, &tx, 1, None).await;
    // Postback stored while no worker runs (the process "died" after intake).
    let (body, checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
    assert_eq!(
        post_postback(&app, body, Some(&checksum)).await.status(),
        StatusCode::OK
    );
    assert_eq!(states(&app.db).await[0].0, "received");

    // A new process: it applies the postback; then it "dies" holding the
    // archive job, and the next one takes over after the lease.
    let second = quiet_worker(&app);
    assert!(second.process_postback().await.unwrap());
    assert_eq!(
        requests::find(&app.db, id).await.unwrap().unwrap().status(),
        RequestStatus::Signed
    );
    let job = jobs::latest(&app.db, "archive", id)
        .await
        .unwrap()
        .expect("archive job recorded");
    assert!(job.done_at.is_none());
    let now = chrono::Utc::now();
    assert!(
        jobs::claim(&app.db, "dead", now, now - chrono::Duration::seconds(1))
            .await
            .unwrap()
            .is_some()
    );
    drop(second);
    let third = quiet_worker(&app);
    until_idle(&third).await;
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["tracking"]["archived"], json!(true));
    assert_eq!(view["tracking"]["files"].as_array().unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn staff_cancel_a_waiting_request_with_a_reason() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let other = app.signed_in("other@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let ids = id.to_string();
    let res = app
        .call(
            &other,
            "requests/cancel",
            &[("id", &ids), ("reason", "Mine now")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(&owner, "requests/cancel", &[("id", &ids), ("reason", " ")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &owner,
            "requests/cancel",
            &[("id", &ids), ("reason", "Wrong tenant"), ("notify", "on")],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("cancelled"));
    let audit = view["tracking"]["audit"].as_array().unwrap();
    assert!(audit.iter().any(|a| a["action"] == json!("cancelled")
        && a["detail"].as_str().unwrap().contains("Wrong tenant")));
    // The timeline says who cancelled, and why; no signer "cancelled".
    let timeline = view["tracking"]["timeline"].as_array().unwrap();
    let cancels: Vec<_> = timeline
        .iter()
        .filter(|e| e["what"].as_str().unwrap().contains("cancelled"))
        .collect();
    assert_eq!(cancels.len(), 1, "{timeline:?}");
    assert_eq!(
        cancels[0]["what"],
        json!("cancelled the request: “Wrong tenant” (the signers were told)")
    );
    assert_eq!(cancels[0]["who"], json!("Test Person"));
    assert!(timeline
        .iter()
        .any(|e| e["what"] == json!("sent the request for signing")));
    assert_eq!(
        fetch(&app, &tid).await.status,
        Some(signhost::model::TransactionStatus::Cancelled)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_rejection_shows_the_reason_on_the_timeline() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 1, Some("The rent is wrong")).await;
    let (body, checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
    post_postback(&app, body, Some(&checksum)).await;
    until_idle(&w).await;
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("rejected"));
    let timeline = view["tracking"]["timeline"].as_array().unwrap();
    assert!(
        timeline.iter().any(
            |e| e["who"] == json!("Bob") && e["what"] == json!("rejected: “The rent is wrong”")
        ),
        "{timeline:?}"
    );
    tokio::time::sleep(Duration::from_millis(10)).await;
    app.stop().await;
}

#[tokio::test]
async fn admins_see_the_postback_inbox_and_replay_a_postback() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let admin = app.signed_in("admin@example.nl", "admin").await;
    let w = quiet_worker(&app);
    let (_, tid) = sent(&app, &owner, &w).await;
    let (body, checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
    post_postback(&app, body, Some(&checksum)).await;
    until_idle(&w).await;

    assert_eq!(
        app.call(&owner, "postbacks/list", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let inbox: serde_json::Value = app
        .call(&admin, "postbacks/list", &[])
        .await
        .json()
        .await
        .unwrap();
    let inbox = &inbox["entries"];
    assert_eq!(inbox[0]["state"], json!("applied"));
    assert!(inbox[0]["body"].as_str().unwrap().contains(&tid));
    let pid = inbox[0]["id"].to_string();
    assert_eq!(
        app.call(&owner, "postbacks/replay", &[("id", &pid)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(&admin, "postbacks/replay", &[("id", &pid)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(states(&app.db).await[0].0, "received");
    until_idle(&w).await;
    // Processed again (only earlier postbacks count as duplicates), changing nothing new.
    assert_eq!(states(&app.db).await[0].0, "applied");
    let res = app.get(&owner, "/postbacks").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_finished_request_is_deleted_at_signhost_only_once_archived() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let ids = id.to_string();
    let res = app.call(&owner, "requests/purge", &[("id", &ids)]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "still waiting");
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 0, None).await;
    sign_as(&app, &tx, 1, None).await;
    let (body, checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
    post_postback(&app, body, Some(&checksum)).await;
    until_idle(&w).await;
    assert_eq!(
        app.request_view(&owner, id).await["tracking"]["archived"],
        json!(true)
    );

    let res = app.call(&owner, "requests/purge", &[("id", &ids)]).await;
    expect_status(res, StatusCode::OK).await;
    let sh = app.signhost();
    assert!(matches!(
        sh.get_transaction(&tid).await,
        Err(signhost::Error::Gone { .. })
    ));
    // The portal keeps its archive and history.
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("signed"));
    assert_eq!(view["tracking"]["files"].as_array().unwrap().len(), 2);
    assert!(view["tracking"]["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == json!("deleted at Signhost")));
    app.stop().await;
}

#[tokio::test]
async fn a_flood_of_forged_postbacks_is_bounded_and_cannot_hide_real_ones() {
    let app = TestApp::spawn_with(&[
        ("WORKERS", "off"),
        ("POSTBACK_RATE", "20"),
        ("TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let admin = app.signed_in("admin@example.nl", "admin").await;
    let w = quiet_worker(&app);
    let (_, tid) = sent(&app, &owner, &w).await;
    let (body, checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
    assert_eq!(
        post_postback(&app, body, Some(&checksum)).await.status(),
        StatusCode::OK
    );

    // 300 forged postbacks of 64 kB from one sender, as fast as it can.
    let forged = format!(
        "{{\"Id\":\"{tid}\",\"Status\":30,\"Junk\":\"{}\"}}",
        "x".repeat(64 * 1024)
    );
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..300 {
        let status = post_postback(&app, forged.clone(), Some("forged"))
            .await
            .status();
        *statuses.entry(status.as_u16()).or_insert(0) += 1;
    }
    assert!(
        statuses.get(&429).copied().unwrap_or(0) > 0,
        "rate limited: {statuses:?}"
    );
    let rows = postbacks::recent(&app.db, 1000).await.unwrap();
    let stored_bytes: usize = rows.iter().map(|p| p.body.len()).sum();
    assert!(
        stored_bytes <= 5 * 1024 * 1024 + 70 * 1024,
        "an hour's allowance of unauthenticated bodies at most: {stored_bytes}"
    );
    assert!(rows
        .iter()
        .any(|p| p.reason.as_deref().is_some_and(|r| r.contains("not kept"))));
    assert!(rows
        .iter()
        .all(|p| p.state != "received" || p.signature.as_deref() == Some(&checksum)));

    // The admins' inbox shows the real one first by default.
    let inbox: serde_json::Value = app
        .call(&admin, "postbacks/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["view"], json!("authentic"));
    assert_eq!(inbox["authentic"], json!(1));
    assert_eq!(inbox["entries"].as_array().unwrap().len(), 1);
    assert!(inbox["quarantined"].as_i64().unwrap() >= 80);
    let quarantined: serde_json::Value = app
        .call(&admin, "postbacks/list", &[("view", "quarantined")])
        .await
        .json()
        .await
        .unwrap();
    assert!(quarantined["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["state"] == json!("quarantined")));
    // Other senders are not affected by this one's limit.
    let res = app
        .client_behind_proxy("198.51.100.7")
        .post(app.url("/signhost/postback"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.stop().await;
}

/// The list as staff see it: (id, last change), in the default order.
async fn listed(app: &TestApp, client: &reqwest::Client) -> Vec<(i64, String)> {
    let res = app
        .call_json(client, "requests/list", json!({"filter": {}}))
        .await;
    let page: serde_json::Value = res.json().await.unwrap();
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["updated_at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_check_that_finds_nothing_new_does_not_reorder_the_list() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (first, tid) = sent(&app, &owner, &w).await;
    let (second, _) = sent(&app, &owner, &w).await;
    let before = listed(&app, &owner).await;
    assert_eq!(
        before.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [second, first]
    );

    // Both checks come due and find each request as it was.
    tokio::time::sleep(Duration::from_millis(20)).await;
    for id in [first, second] {
        tracking::schedule_check(&app.db, id, chrono::Utc::now(), 0)
            .await
            .unwrap();
    }
    until_idle(&w).await;
    let due_again = requests::find(&app.db, first).await.unwrap().unwrap();
    assert_eq!(due_again.status(), RequestStatus::Waiting);
    assert_eq!(listed(&app, &owner).await, before, "nothing changed");

    // A real change (a signature, found by the next check) does move it up.
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 0, None).await;
    tracking::schedule_check(&app.db, first, chrono::Utc::now(), 0)
        .await
        .unwrap();
    until_idle(&w).await;
    let after = listed(&app, &owner).await;
    assert_eq!(
        after.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_ne!(after[0].1, before[1].1);
    app.stop().await;
}

#[tokio::test]
async fn signer_pages_name_the_organisation_and_say_when_a_request_has_ended() {
    let logo = std::env::temp_dir().join(format!("portal-logo-{}.svg", std::process::id()));
    std::fs::write(&logo, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let logo_path = logo.to_string_lossy().to_string();
    let app = TestApp::spawn_with(&[
        ("WORKERS", "off"),
        ("ORGANISATION_NAME", "Makelaardij De Vries"),
        ("ORGANISATION_LOGO", &logo_path),
    ])
    .await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    let view = app.request_view(&owner, id).await;
    let link = view["links"][0]["path"].as_str().unwrap().to_string();
    // The staff page of a waiting direct-flow request renders on the server
    // (its links are completed in the browser).
    let page = app.get(&owner, &format!("/requests/{id}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Email the link"));
    let browser = app.client();
    let get = |path: String| {
        let browser = browser.clone();
        let url = app.url(&path);
        async move { browser.get(url).send().await.unwrap() }
    };
    let page = get(format!(
        "/return?sh_transactionid={tid}&sh_signerid=Signer1"
    ))
    .await
    .text()
    .await
    .unwrap();
    assert!(page.contains("Makelaardij De Vries"), "{page}");
    assert!(page.contains("src=\"/brand/logo\""));
    assert!(page.contains("still processing"));
    assert!(
        !page.contains("Signhost"),
        "signers are not told service internals"
    );
    let logo = get("/brand/logo".into()).await;
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");

    // Cancelled: the landing page says it is closed (and stops refreshing),
    // the link says it is no longer active; both under the organisation.
    let res = app
        .call(
            &owner,
            "requests/cancel",
            &[("id", &id.to_string()), ("reason", "Wrong tenant")],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let page = get(format!(
        "/return?sh_transactionid={tid}&sh_signerid=Signer1"
    ))
    .await
    .text()
    .await
    .unwrap();
    assert!(page.contains("This request is closed"), "{page}");
    assert!(!page.contains("http-equiv=\"refresh\""));
    let res = get(link).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = res.text().await.unwrap();
    assert!(page.contains("This signing link is not active"));
    assert!(page.contains("Makelaardij De Vries"));
    app.stop().await;
}

#[tokio::test]
async fn a_postback_like_an_earlier_one_still_brings_the_news_it_hints_at() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let (id, tid) = sent(&app, &owner, &w).await;
    // Signhost posts back on every change with Id, Status and Checksum; the
    // first signer's signature leaves the status where it was, so its
    // postback looks exactly like the one before it.
    let (body, checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
    assert_eq!(
        post_postback(&app, body, Some(&checksum)).await.status(),
        StatusCode::OK
    );
    until_idle(&w).await;
    let tx = fetch(&app, &tid).await;
    sign_as(&app, &tx, 0, None).await;
    let (body, same_checksum) = postback_body(&fetch(&app, &tid).await, SECRET);
    assert_eq!(same_checksum, checksum, "the same Id, Status and Checksum");
    assert_eq!(
        post_postback(&app, body, Some(&same_checksum))
            .await
            .status(),
        StatusCode::OK
    );
    until_idle(&w).await;
    let seen: Vec<String> = states(&app.db).await.into_iter().map(|s| s.0).collect();
    assert_eq!(seen, ["applied", "applied"], "each one led to a fetch");
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["tracking"]["signers"][0]["status"], json!("signed"));
    assert_eq!(view["tracking"]["signers"][1]["status"], json!("waiting"));
    app.stop().await;
}
