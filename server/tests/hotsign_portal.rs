//! Hotsign through the portal and its built-in simulator: an admin
//! connects the account; staff write a markdown document with fields for
//! two signers and send it as an invite; every one of the seed's statuses
//! reaches the portal (webhooks as hints, the invite read again); signed
//! requests end archived with the completed PDF and the audit trail;
//! declines, expiry and cancels end as such; spent credits (402) fail the
//! request at once, without retries; the limits hold; without a connection
//! the job pauses, keeping its attempts, and a reconnect resumes it. On
//! SQLite and on PostgreSQL.

mod support;

use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::{activities, archive, jobs, requests, sandbox_hotsign, tracking};
use reqwest::StatusCode;
use serde_json::json;
use support::{expect_status, TestApp};

const LEASE: &str = "#Lease agreement#\n\nThe tenant rents the flat at **Main Street 1**.\n\nTenant: {1/Tenant name*/Text/Ann Smit}\n\n{1/Tenant signature*/Signature}\n{2/Landlord signature*/Signature}\n";

fn backend(app: &TestApp) -> &'static str {
    match app.db {
        app::ssr::db::Db::Sqlite(_) => "sqlite",
        app::ssr::db::Db::Postgres(_) => "postgres",
    }
}

/// The admin connects the simulator's account through the portal.
async fn connect(app: &TestApp, admin: &reqwest::Client) -> String {
    let callback = app.hotsign_allowed(admin).await;
    let res = admin.get(callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// A Hotsign draft: invite flow, English, Ann and Bob, the lease written in markdown.
async fn draft(app: &TestApp, client: &reqwest::Client, title: &str) -> i64 {
    let id = app.new_draft(client).await;
    let ids = id.to_string();
    let res = app
        .call(
            client,
            "requests/service",
            &[("id", &ids), ("service", "hotsign")],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let res = app
        .call(
            client,
            "requests/settings",
            &[
                ("id", &ids),
                ("title", title),
                ("reference", "L-1"),
                ("flow", "invite"),
                ("language", "en-US"),
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
                {"key": "s1", "email": "ann@example.nl", "name": "Ann Smit", "message": "Please sign the lease."},
                {"key": "s2", "email": "bob@example.nl", "name": "Bob de Wit", "message": "Please sign the lease."},
            ]}),
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let res = app
        .call(
            client,
            "requests/written/save",
            &[
                ("id", &ids),
                ("name", "Lease"),
                ("format", "markdown"),
                ("text", LEASE),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    id
}

/// What the preflight finds in the draft, as the editor shows it.
async fn problems(app: &TestApp, client: &reqwest::Client, id: i64) -> Vec<String> {
    let found = app
        .preflight(client, id, app::model::service::ProviderKind::Hotsign)
        .await;
    found.into_iter().map(|p| p.message).collect()
}

async fn start(app: &TestApp, client: &reqwest::Client, id: i64) {
    let res = app
        .call(client, "requests/start", &[("id", &id.to_string())])
        .await;
    if res.status() != StatusCode::OK {
        let text = res.text().await.unwrap();
        panic!("not sent: {text}: {:?}", problems(app, client, id).await);
    }
}

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

async fn invite_of(app: &TestApp, id: i64) -> String {
    until("sent", || async {
        status_of(app, id).await == RequestStatus::Waiting
    })
    .await;
    requests::find(&app.db, id)
        .await
        .unwrap()
        .unwrap()
        .external_id
        .unwrap()
}

/// Moves a signer to `status` on the simulator's control page.
async fn set(
    app: &TestApp,
    staff: &reqwest::Client,
    invite: &str,
    number: u32,
    status: &str,
    email: &str,
) {
    let res = staff
        .post(app.url(&format!("/sandbox/hotsign/invites/{invite}/status")))
        .header("origin", app.address.clone())
        .form(&[
            ("number", number.to_string().as_str()),
            ("status", status),
            ("email", email),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{status}");
}

/// The simulator's invite, as its control page keeps it.
async fn sim_invite(app: &TestApp, invite: &str) -> server::sandbox::hotsign::invites::SimInvite {
    let row = sandbox_hotsign::find_invite(&app.db, invite)
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str(&row.invite).unwrap()
}

async fn kinds(app: &TestApp, id: i64, signer: &str) -> Vec<String> {
    activities::list(&app.db, id)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.signer_id == signer)
        .map(|a| a.kind)
        .collect()
}

/// Signs on the simulator's signing page as signer `number`.
async fn sign(app: &TestApp, invite: &str, number: u32, fields: &[(&str, &str)]) -> String {
    let token = sim_invite(app, invite).await.signers[number as usize - 1]
        .token
        .clone();
    let browser = app.client();
    let page = browser
        .get(app.url(&format!("/sandbox/hotsign/sign/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Lease agreement"), "{page}");
    let res = browser
        .post(app.url(&format!("/sandbox/hotsign/sign/{token}/sign")))
        .header("origin", app.address.clone())
        .form(fields)
        .send()
        .await
        .unwrap();
    res.text().await.unwrap()
}

#[tokio::test]
async fn an_invite_goes_through_every_status_and_ends_signed_and_archived_on_each_backend() {
    for app in TestApp::spawn_each(&[]).await {
        let b = backend(&app);
        let admin = app.signed_in("admin@example.nl", "admin").await;
        connect(&app, &admin).await;
        let owner = app.signed_in("clerk@example.nl", "staff").await;
        let id = draft(&app, &owner, "Lease Main Street").await;
        start(&app, &owner, id).await;
        let invite = invite_of(&app, id).await;
        let sent = sim_invite(&app, &invite).await;
        assert_eq!(sent.title, "Lease Main Street", "{b}");
        assert_eq!(
            sent.external_id.as_deref(),
            Some(format!("portal-{id}").as_str())
        );
        let emails: Vec<&str> = sent.signers.iter().map(|s| s.email.as_str()).collect();
        assert_eq!(emails, ["ann@example.nl", "bob@example.nl"]);
        assert!(
            sent.html.contains("data-label=\"Tenant name\""),
            "{}",
            sent.html
        );

        // Bob's invite goes through every status before he views it.
        for (status, kind) in [
            ("scheduled", "other"),
            ("sent", "invited"),
            ("bounced", "email_bounced"),
            ("spam", "email_bounced"),
            ("changedsigner", "other"),
            ("delivered", "invitation_received"),
            ("opened", "opened"),
        ] {
            let before = kinds(&app, id, "2")
                .await
                .iter()
                .filter(|k| *k == kind)
                .count();
            set(&app, &owner, &invite, 2, status, "bob.dewit@example.nl").await;
            until(&format!("{b}: {status} seen"), || async {
                kinds(&app, id, "2")
                    .await
                    .iter()
                    .filter(|k| *k == kind)
                    .count()
                    > before
            })
            .await;
        }
        let acts = activities::list(&app.db, id).await.unwrap();
        assert!(
            acts.iter().any(|a| a.kind == "email_bounced"
                && a.info.as_deref().is_some_and(|i| i.contains("spam"))),
            "{b}: {acts:?}"
        );
        assert!(acts.iter().any(|a| a
            .info
            .as_deref()
            .is_some_and(|i| i.contains("bob.dewit@example.nl"))));
        until(&format!("{b}: Hotsign's status kept"), || async {
            tracking::find(&app.db, id)
                .await
                .unwrap()
                .unwrap()
                .provider_status
                .as_deref()
                == Some("sent")
        })
        .await;

        // A required field must be filled; then Ann signs, then Bob.
        let refused = sign(&app, &invite, 1, &[("field0", "")]).await;
        assert!(refused.contains("is required"), "{refused}");
        let done = sign(
            &app,
            &invite,
            1,
            &[("field0", "Ann Smit"), ("field1", "Ann Smit")],
        )
        .await;
        assert!(done.contains("Thank you"), "{done}");
        until(&format!("{b}: Ann's signature"), || async {
            kinds(&app, id, "1").await.contains(&"signed".to_string())
        })
        .await;
        assert_eq!(status_of(&app, id).await, RequestStatus::Waiting);
        sign(&app, &invite, 2, &[("field2", "Bob de Wit")]).await;
        until(&format!("{b}: signed"), || async {
            status_of(&app, id).await == RequestStatus::Signed
        })
        .await;
        until(&format!("{b}: archived"), || async {
            tracking::find(&app.db, id)
                .await
                .unwrap()
                .and_then(|t| t.archived_at)
                .is_some()
        })
        .await;
        let files = archive::list(&app.db, id).await.unwrap();
        let kinds: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.kind.as_str(), f.name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("signed", "Lease (signed).pdf"),
                ("receipt", "audit-trail.pdf")
            ],
            "{b}"
        );
        assert!(files.iter().all(|f| f.size > 200 && f.sha256.len() == 64));
        // The webhooks came in as hints, for this invite.
        let posts = app::ssr::db::postbacks::for_request(&app.db, id)
            .await
            .unwrap();
        assert!(
            posts.iter().any(|p| p.provider == "hotsign"),
            "{b}: {posts:?}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_decline_an_expiry_and_a_cancel_end_the_request_as_such_on_each_backend() {
    for app in TestApp::spawn_each(&[]).await {
        let b = backend(&app);
        let admin = app.signed_in("admin@example.nl", "admin").await;
        connect(&app, &admin).await;
        let owner = app.signed_in("clerk@example.nl", "staff").await;

        let declined = draft(&app, &owner, "Declined lease").await;
        start(&app, &owner, declined).await;
        let invite = invite_of(&app, declined).await;
        set(&app, &owner, &invite, 1, "declined", "").await;
        until(&format!("{b}: rejected"), || async {
            status_of(&app, declined).await == RequestStatus::Rejected
        })
        .await;

        let expired = draft(&app, &owner, "Expired lease").await;
        start(&app, &owner, expired).await;
        let invite = invite_of(&app, expired).await;
        let res = owner
            .post(app.url(&format!("/sandbox/hotsign/invites/{invite}/expire")))
            .header("origin", app.address.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        until(&format!("{b}: expired"), || async {
            status_of(&app, expired).await == RequestStatus::Expired
        })
        .await;

        let cancelled = draft(&app, &owner, "Cancelled lease").await;
        start(&app, &owner, cancelled).await;
        let invite = invite_of(&app, cancelled).await;
        let res = app
            .call(
                &owner,
                "requests/cancel",
                &[("id", &cancelled.to_string()), ("reason", "wrong flat")],
            )
            .await;
        expect_status(res, StatusCode::OK).await;
        assert_eq!(
            status_of(&app, cancelled).await,
            RequestStatus::Cancelled,
            "{b}"
        );
        assert_eq!(
            sim_invite(&app, &invite).await.closed,
            Some(hotsign::status::EnvelopeStatus::Canceled)
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn spent_credits_fail_at_once_and_the_limits_hold_on_each_backend() {
    for app in TestApp::spawn_each(&[]).await {
        let b = backend(&app);
        let admin = app.signed_in("admin@example.nl", "admin").await;
        connect(&app, &admin).await;
        let owner = app.signed_in("clerk@example.nl", "staff").await;
        // No credits left.
        let account = server::sandbox::hotsign::ACCOUNT;
        sandbox_hotsign::add_credits(&app.db, account, 10, -10)
            .await
            .unwrap();
        assert_eq!(
            sandbox_hotsign::credits(&app.db, account, 10)
                .await
                .unwrap(),
            0
        );
        let id = draft(&app, &owner, "Lease").await;
        start(&app, &owner, id).await;
        until(&format!("{b}: failed"), || async {
            status_of(&app, id).await == RequestStatus::Failed
        })
        .await;
        let row = requests::find(&app.db, id).await.unwrap().unwrap();
        assert!(
            row.failure
                .as_deref()
                .unwrap()
                .contains("out of invite credits"),
            "{b}: {:?}",
            row.failure
        );
        let job = jobs::latest(&app.db, "start", id).await.unwrap().unwrap();
        assert_eq!(job.attempts, 0, "{b}: a 402 is not retried");
        assert!(job.done_at.is_some());

        // Six signers: the preflight refuses before anything is sent.
        let six = draft(&app, &owner, "Six").await;
        let signers: Vec<_> = (1..=6)
            .map(|i| json!({"key": format!("s{i}"), "email": format!("p{i}@example.nl"), "name": format!("P {i}"), "message": "Please sign."}))
            .collect();
        let res = app
            .call_json(
                &owner,
                "requests/signers",
                json!({"id": six, "signers": signers}),
            )
            .await;
        expect_status(res, StatusCode::OK).await;
        let res = app
            .call(&owner, "requests/start", &[("id", &six.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{b}");
        let found = problems(&app, &owner, six).await;
        assert!(
            found.contains(&"Hotsign takes at most 5 signers; this request has 6.".to_string()),
            "{b}: {found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("Signer 3 has no field in Lease.md")),
            "{found:?}"
        );

        // A document Hotsign would not take is not saved; the saved one stays.
        let res = app
            .call(
                &owner,
                "requests/written/save",
                &[
                    ("id", &six.to_string()),
                    ("name", "Lease"),
                    ("format", "markdown"),
                    ("text", "Hello\n{9/Name/Text}"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(res.text().await.unwrap().contains("line 2"));
        let view = app.request_view(&owner, six).await;
        assert_eq!(view["documents"].as_array().unwrap().len(), 1);
        let res = app
            .call(
                &owner,
                "requests/written/text",
                &[
                    ("id", &six.to_string()),
                    ("document_id", &view["documents"][0]["id"].to_string()),
                ],
            )
            .await;
        let kept: serde_json::Value = res.json().await.unwrap();
        assert_eq!(kept["text"], json!(LEASE));

        // The simulator holds the seed's limits itself: 5 MB of content.
        sandbox_hotsign::add_credits(&app.db, account, 10, 5)
            .await
            .unwrap();
        let config = app.config().await;
        let key_file = config.hotsign.as_ref().unwrap().key_file.clone();
        let key = server::providers::hotsign::seal::TokenKey::load_or_create(&key_file).unwrap();
        let row = app::ssr::db::hotsign::find(&app.db).await.unwrap().unwrap();
        let token = key.open("access", &row.access_sealed).unwrap();
        let big = format!("{{1/S*/Signature}}\n{}", "x".repeat(5 * 1024 * 1024));
        let res = app
            .client()
            .post(app.url("/sandbox/hotsign/v1/invites"))
            .bearer_auth(&token)
            .json(
                &json!({"title": "Big", "format": "markdown", "content": big,
                "signers": [{"number": 1, "name": "Ann", "email": "ann@example.nl"}]}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{b}");
        assert!(res.text().await.unwrap().contains("5 MB"));
        let _ = std::fs::remove_file(&key_file);
        app.stop().await;
    }
}

#[tokio::test]
async fn without_a_connection_the_job_pauses_and_a_reconnect_resumes_it_on_each_backend() {
    for app in TestApp::spawn_each(&[]).await {
        let b = backend(&app);
        let admin = app.signed_in("admin@example.nl", "admin").await;
        let owner = app.signed_in("clerk@example.nl", "staff").await;
        let id = draft(&app, &owner, "Lease").await;
        start(&app, &owner, id).await;
        until(&format!("{b}: paused"), || async {
            jobs::latest(&app.db, "start", id)
                .await
                .unwrap()
                .is_some_and(|j| j.paused_for.as_deref() == Some("hotsign"))
        })
        .await;
        let job = jobs::latest(&app.db, "start", id).await.unwrap().unwrap();
        assert_eq!(job.attempts, 0, "{b}: waiting is not an attempt");
        assert!(
            job.last_error
                .as_deref()
                .unwrap()
                .contains("an admin must connect it"),
            "{b}: {job:?}"
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            status_of(&app, id).await,
            RequestStatus::Starting,
            "{b}: it waits"
        );
        assert_eq!(
            jobs::latest(&app.db, "start", id)
                .await
                .unwrap()
                .unwrap()
                .attempts,
            0
        );

        let page = connect(&app, &admin).await;
        assert!(
            page.contains("One request that waited for the connection goes on now."),
            "{page}"
        );
        until(&format!("{b}: resumed"), || async {
            status_of(&app, id).await == RequestStatus::Waiting
        })
        .await;
        let config = app.config().await;
        let _ = std::fs::remove_file(config.hotsign.as_ref().unwrap().key_file.clone());
        app.stop().await;
    }
}
