//! The built-in sandbox over real HTTP, driven by the portal's own Signhost
//! client: lifecycles, signing pages, signed PDFs, receipts, and Signhost's
//! error answers.

mod support;

use bytes::Bytes;
use reqwest::StatusCode;
use signhost::model::{
    ActivityCode, CreateSigner, CreateTransaction, DeleteTransaction, Field, FileMeta,
    FileSignerMeta, Location, TransactionStatus,
};
use signhost::{Client, Error};
use support::{location, TestApp};

fn client(app: &TestApp) -> Client {
    Client::new(
        app.url("/sandbox/api/").parse().unwrap(),
        "sandbox-app-key",
        "sandbox-user-token",
    )
}

fn direct_signer(email: &str) -> CreateSigner {
    CreateSigner {
        email: email.into(),
        send_sign_request: Some(false),
        return_url: None,
        ..Default::default()
    }
}

fn two_signers() -> CreateTransaction {
    CreateTransaction {
        reference: Some("REQ-42".into()),
        signers: vec![
            direct_signer("ann@example.nl"),
            direct_signer("bob@example.nl"),
        ],
        ..Default::default()
    }
}

fn signature_meta(signer: &str) -> FileMeta {
    let field = Field {
        r#type: "Signature".into(),
        value: None,
        location: Some(Location {
            page_number: Some(1),
            left: Some(60.0),
            top: Some(600.0),
            width: Some(140.0),
            height: Some(70.0),
            ..Default::default()
        }),
    };
    FileMeta {
        display_name: Some("Contract".into()),
        signers: Some(
            [(
                signer.to_string(),
                FileSignerMeta {
                    form_sets: vec!["SetA".into()],
                },
            )]
            .into(),
        ),
        form_sets: Some([("SetA".to_string(), [("Sig1".to_string(), field)].into())].into()),
        ..Default::default()
    }
}

fn sample_pdf() -> Bytes {
    Bytes::from(server::sandbox::pdf::sample(&[
        "Employment contract",
        "{{Signer2}}",
    ]))
}

fn token_of(sign_url: &str) -> String {
    sign_url.rsplit('/').next().unwrap().to_string()
}

async fn sign(app: &TestApp, sign_url: &str) -> reqwest::Response {
    let browser = app.client();
    let page = browser.get(sign_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Please review and sign"));
    // Every page is drawn in the browser by pdf.js; no embedded viewer.
    assert!(html.contains("<canvas data-pdf=\"/sandbox/sign/"), "{html}");
    assert!(html.contains("data-page=\"1\""));
    assert!(!html.contains("<object"));
    browser
        .post(app.url(&format!("/sandbox/sign/{}/sign", token_of(sign_url))))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn direct_flow_from_create_to_signed_pdfs_and_receipt() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let mut req = two_signers();
    for signer in &mut req.signers {
        signer.return_url = Some(app.url("/landing"));
    }
    let tx = api.create_transaction(&req).await.unwrap();
    let id = tx.id.clone().unwrap();
    assert_eq!(tx.status, Some(TransactionStatus::WaitingForDocument));
    let ids: Vec<_> = tx.signers.iter().map(|s| s.id.clone().unwrap()).collect();
    assert_eq!(ids, ["Signer1", "Signer2"]);
    assert!(tx.signers.iter().all(|s| s
        .sign_url
        .as_deref()
        .is_some_and(|u| u.starts_with(&app.url("/sandbox/sign/")))));

    api.put_file_meta(&id, "contract.pdf", &signature_meta("Signer1"))
        .await
        .unwrap();
    let original = sample_pdf();
    api.put_file(&id, "contract.pdf", original.clone())
        .await
        .unwrap();
    api.start(&id).await.unwrap();
    let started = api.get_transaction(&id).await.unwrap();
    assert_eq!(started.status, Some(TransactionStatus::WaitingForSigner));
    assert_eq!(
        started.files.unwrap()["contract.pdf"]
            .display_name
            .as_deref(),
        Some("Contract")
    );

    let res = sign(&app, tx.signers[0].sign_url.as_deref().unwrap()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        format!(
            "{}?sh_transactionid={id}&sh_signerid=Signer1&sh_signerstatus=signed",
            app.url("/landing")
        )
    );
    let halfway = api.get_transaction(&id).await.unwrap();
    assert_eq!(halfway.status, Some(TransactionStatus::WaitingForSigner));
    let codes: Vec<_> = halfway.signers[0]
        .activities
        .iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(
        codes,
        [
            ActivityCode::Opened,
            ActivityCode::DocumentOpened,
            ActivityCode::Signed
        ]
    );
    assert_eq!(
        halfway.signers[0].activities[1].info.as_deref(),
        Some("contract.pdf")
    );
    assert!(
        matches!(api.get_receipt(&id).await, Err(Error::NotFound { .. })),
        "no receipt before the end"
    );

    sign(&app, tx.signers[1].sign_url.as_deref().unwrap()).await;
    let done = api.get_transaction(&id).await.unwrap();
    assert_eq!(done.status, Some(TransactionStatus::Signed));
    assert!(done.signers.iter().all(|s| s.signed_date_time.is_some()));

    let signed = api.get_file(&id, "contract.pdf").await.unwrap();
    assert!(
        server::sandbox::pdf::is_pdf(&signed),
        "the signed file is a valid PDF"
    );
    assert_ne!(signed, original, "the signed file carries the marks");
    let text = lopdf::Document::load_mem(&signed)
        .unwrap()
        .extract_text(&[1])
        .unwrap();
    assert!(
        text.contains("Signed by ann@example.nl") && text.contains("Signed by bob@example.nl"),
        "{text}"
    );
    let receipt = api.get_receipt(&id).await.unwrap();
    let receipt_text = lopdf::Document::load_mem(&receipt)
        .unwrap()
        .extract_text(&[1])
        .unwrap();
    assert!(
        receipt_text.contains(&server::sandbox::pdf::hex_sha256(&signed)),
        "{receipt_text}"
    );
    assert!(receipt_text.contains(&id));
    app.stop().await;
}

#[tokio::test]
async fn rejection_records_the_reason_and_ends_the_transaction() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let tx = api.create_transaction(&two_signers()).await.unwrap();
    let id = tx.id.clone().unwrap();
    api.put_file(&id, "c.pdf", sample_pdf()).await.unwrap();
    api.start(&id).await.unwrap();
    let token = token_of(tx.signers[1].sign_url.as_deref().unwrap());
    let res = app
        .client()
        .post(app.url(&format!("/sandbox/sign/{token}/reject")))
        .form(&[("reason", "Wrong salary")])
        .send()
        .await
        .unwrap();
    assert!(location(&res).ends_with("sh_signerid=Signer2&sh_signerstatus=rejected"));
    let after = api.get_transaction(&id).await.unwrap();
    assert_eq!(after.status, Some(TransactionStatus::Rejected));
    assert_eq!(
        after.signers[1].reject_reason.as_deref(),
        Some("Wrong salary")
    );
    assert_eq!(
        after.signers[1].activities.last().unwrap().code,
        ActivityCode::Rejected
    );
    let again = app
        .client()
        .post(app.url(&format!("/sandbox/sign/{token}/sign")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "a closed request cannot be signed"
    );
    app.stop().await;
}

#[tokio::test]
async fn delete_cancels_a_running_transaction_and_purges_a_finished_one() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let tx = api.create_transaction(&two_signers()).await.unwrap();
    let id = tx.id.clone().unwrap();
    let options = DeleteTransaction {
        send_notifications: false,
        reason: Some("Sent by mistake".into()),
    };
    let cancelled = api.delete_transaction(&id, Some(&options)).await.unwrap();
    assert_eq!(cancelled.status, Some(TransactionStatus::Cancelled));
    assert_eq!(
        cancelled.cancelation_reason.as_deref(),
        Some("Sent by mistake")
    );
    assert!(cancelled.canceled_date_time.is_some());

    let purged = api.delete_transaction(&id, None).await.unwrap();
    assert_eq!(
        purged.status,
        Some(TransactionStatus::Cancelled),
        "deleting after the end keeps the status"
    );
    match api.get_transaction(&id).await {
        Err(Error::Gone { transaction }) => {
            assert_eq!(transaction.id.as_deref(), Some(id.as_str()))
        }
        other => panic!("expected 410 Gone, got {other:?}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn sequential_invites_keep_their_order() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let invite = |email: &str| CreateSigner {
        email: email.into(),
        sign_request_message: Some("Please sign".into()),
        ..Default::default()
    };
    let req = CreateTransaction {
        sign_request_mode: Some(2),
        signers: vec![invite("a@example.nl"), invite("b@example.nl")],
        ..Default::default()
    };
    let tx = api.create_transaction(&req).await.unwrap();
    let id = tx.id.clone().unwrap();
    api.put_file(&id, "c.pdf", sample_pdf()).await.unwrap();
    api.start(&id).await.unwrap();
    let started = api.get_transaction(&id).await.unwrap();
    let invited: Vec<bool> = started
        .signers
        .iter()
        .map(|s| {
            s.activities
                .iter()
                .any(|a| a.code == ActivityCode::InvitationSent)
        })
        .collect();
    assert_eq!(invited, [true, false], "only the first signer is invited");
    let second = token_of(tx.signers[1].sign_url.as_deref().unwrap());
    let early = app
        .client()
        .post(app.url(&format!("/sandbox/sign/{second}/sign")))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), StatusCode::CONFLICT);
    sign(&app, tx.signers[0].sign_url.as_deref().unwrap()).await;
    let next = api.get_transaction(&id).await.unwrap();
    assert!(
        next.signers[1]
            .activities
            .iter()
            .any(|a| a.code == ActivityCode::InvitationSent),
        "then the second"
    );
    app.stop().await;
}

async fn refused(result: Result<impl std::fmt::Debug, Error>, status: u16, message: &str) {
    match result {
        Err(Error::BadRequest {
            status: s,
            message: m,
            ..
        }) => {
            assert_eq!((s, m.as_str()), (status, message));
        }
        other => panic!("expected {status} '{message}', got {other:?}"),
    }
}

#[tokio::test]
async fn create_errors_are_answered_as_signhost_does() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let wrong_keys = Client::new(app.url("/sandbox/api/").parse().unwrap(), "nope", "nope");
    assert!(matches!(
        wrong_keys.create_transaction(&two_signers()).await,
        Err(Error::Unauthorized { .. })
    ));

    let mut req = two_signers();
    req.signers[0].email = String::new();
    refused(
        api.create_transaction(&req).await,
        400,
        "The signer email is required.",
    )
    .await;
    let mut req = two_signers();
    req.signers[0].id = Some("same".into());
    req.signers[1].id = Some("same".into());
    refused(
        api.create_transaction(&req).await,
        400,
        "The signer id is already used by another signer.",
    )
    .await;
    let mut req = two_signers();
    req.signers[0].send_sign_request = Some(true);
    refused(
        api.create_transaction(&req).await,
        400,
        "The sign request message is null or empty.",
    )
    .await;
    let mut req = two_signers();
    req.days_to_expire = Some(10);
    req.signers[0].days_to_remind = Some(10);
    refused(
        api.create_transaction(&req).await,
        400,
        "The days to remind must be lower than the days to expire.",
    )
    .await;
    refused(
        api.create_transaction(&CreateTransaction::default()).await,
        400,
        "Nor seal nor signers has been provided.",
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn file_and_start_errors_are_answered_as_signhost_does() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let tx = api.create_transaction(&two_signers()).await.unwrap();
    let id = tx.id.clone().unwrap();

    refused(
        api.put_file_meta(&id, "c.pdf", &signature_meta("Nobody"))
            .await,
        400,
        "Signer 'Nobody' not found.",
    )
    .await;
    refused(
        api.put_file(&id, "invalid|filename.pdf", sample_pdf())
            .await,
        400,
        "invalid|filename.pdf is not a valid file name.",
    )
    .await;
    refused(
        api.start(&id).await,
        400,
        "The transaction has no files. Upload at least one before starting.",
    )
    .await;

    let http = reqwest::Client::new();
    let put = |content_type: &'static str, digest: Option<String>, body: Vec<u8>| {
        let mut req = http
            .put(app.url(&format!("/sandbox/api/transaction/{id}/file/c.pdf")))
            .header("Application", "APPKey sandbox-app-key")
            .header("Authorization", "APIKey sandbox-user-token")
            .header("Content-Type", content_type)
            .body(body);
        if let Some(d) = digest {
            req = req.header("Digest", d);
        }
        req.send()
    };
    let pdf = sample_pdf().to_vec();
    let message = |res: reqwest::Response| async move {
        (
            res.status().as_u16(),
            res.json::<serde_json::Value>().await.unwrap()["Message"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    assert_eq!(
        message(put("text/plain", None, pdf.clone()).await.unwrap()).await,
        (
            400,
            "Unexpected or missing Content-Type header, did you specify 'application/pdf'?"
                .to_string()
        )
    );
    assert_eq!(
        message(
            put(
                "application/pdf",
                Some(signhost::client::digest_header(b"other")),
                pdf.clone()
            )
            .await
            .unwrap()
        )
        .await,
        (400, "SHA-256 digest mismatch".to_string())
    );
    assert_eq!(
        message(
            put(
                "application/pdf",
                Some("MD5=XrY7u+Ae7tCTyyK7j1rNww==".into()),
                pdf.clone()
            )
            .await
            .unwrap()
        )
        .await,
        (400, "Hash algorithm [MD5] is not supported.".to_string())
    );
    assert_eq!(
        message(
            put(
                "application/pdf",
                Some("SHA=qZk+NkcGgWq6PiVxeFDCbJzQ2J0=".into()),
                pdf.clone()
            )
            .await
            .unwrap()
        )
        .await,
        (400, "Hash algorithm [SHA] is not supported.".to_string())
    );
    let big = vec![b' '; signhost::MAX_FILE_BYTES + 1];
    assert_eq!(
        message(put("application/pdf", None, big).await.unwrap()).await,
        (413, "Request entity too large.".to_string())
    );

    let first = put(
        "application/pdf",
        Some(signhost::client::digest_header(&pdf)),
        pdf.clone(),
    )
    .await
    .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = put("application/pdf", None, pdf.clone()).await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "replacing a file answers 200"
    );

    api.start(&id).await.unwrap();
    refused(
        api.start(&id).await,
        400,
        "The transaction has already been started.",
    )
    .await;
    refused(
        api.put_file(&id, "late.pdf", sample_pdf()).await,
        400,
        "The transaction has already been started and can no longer be changed.",
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn invite_flow_mailbox_reminders_and_expiry_follow_the_clock() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let req = CreateTransaction {
        days_to_expire: Some(20),
        signers: vec![CreateSigner {
            email: "carol@example.nl".into(),
            sign_request_subject: Some("Your lease".into()),
            sign_request_message: Some("Dear Carol,\nplease sign your lease.".into()),
            days_to_remind: Some(7),
            ..Default::default()
        }],
        ..Default::default()
    };
    let tx = api.create_transaction(&req).await.unwrap();
    let id = tx.id.clone().unwrap();
    api.put_file(&id, "lease.pdf", sample_pdf()).await.unwrap();
    api.start(&id).await.unwrap();

    // The mailbox and the clock are for signed-in staff only.
    let anonymous = app.client();
    let res = anonymous
        .get(app.url("/sandbox/mail"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&res).starts_with("/sign-in?next="),
        "{}",
        location(&res)
    );
    let res = anonymous
        .post(app.url("/sandbox/clock"))
        .form(&[("days", "30")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.get_transaction(&id).await.unwrap().status,
        Some(TransactionStatus::WaitingForSigner),
        "an anonymous clock move changed nothing"
    );

    let browser = app.signed_in("clerk@example.nl", "staff").await;
    let mail = browser
        .get(app.url("/sandbox/mail"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        mail.contains("Invitation")
            && mail.contains("carol@example.nl")
            && mail.contains("Your lease"),
        "{mail}"
    );
    assert!(
        mail.contains(tx.signers[0].sign_url.as_deref().unwrap()),
        "the mail carries the sign link"
    );
    assert!(!mail.contains("Reminder"));

    let res = browser
        .post(app.url("/sandbox/clock"))
        .form(&[("days", "7")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after_week = api.get_transaction(&id).await.unwrap();
    let codes: Vec<_> = after_week.signers[0]
        .activities
        .iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(
        codes,
        [
            ActivityCode::InvitationSent,
            ActivityCode::InvitationReminderResent
        ]
    );
    assert!(browser
        .get(app.url("/sandbox/mail"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("Reminder"));

    browser
        .post(app.url("/sandbox/clock"))
        .form(&[("days", "14")])
        .send()
        .await
        .unwrap();
    let expired = api.get_transaction(&id).await.unwrap();
    assert_eq!(expired.status, Some(TransactionStatus::Expired));
    let token = token_of(tx.signers[0].sign_url.as_deref().unwrap());
    let late = app
        .client()
        .post(app.url(&format!("/sandbox/sign/{token}/sign")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        late.status(),
        StatusCode::CONFLICT,
        "an expired request cannot be signed"
    );
    app.stop().await;
}

/// What a postback receiver saw: the checksum header and the body of each.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(Option<String>, String)>>>;

/// A postback receiver that answers 500 to its first `failures` calls,
/// served by the portal itself at `/test-receiver/postback` (the sandbox
/// posts only to its own portal).
fn receiver(failures: usize) -> (axum::Router, Seen) {
    use axum::extract::State;
    use axum::http::HeaderMap;
    let seen: Seen = std::sync::Arc::default();
    let app = axum::Router::new()
        .route(
            "/test-receiver/postback",
            axum::routing::post(
                |State((seen, failures)): State<(Seen, usize)>,
                 headers: HeaderMap,
                 body: String| async move {
                    let mut seen = seen.lock().unwrap();
                    seen.push((
                        headers
                            .get("checksum")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string),
                        body,
                    ));
                    if seen.len() <= failures {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                },
            ),
        )
        .with_state((seen.clone(), failures));
    (app, seen)
}

#[tokio::test]
async fn postbacks_arrive_in_order_with_checksums_after_retries() {
    let (extra, seen) = receiver(2);
    let app = TestApp::spawn_with_router(extra).await;
    let api = client(&app);
    let mut req = two_signers();
    req.signers.truncate(1);
    req.postback_url = Some(app.url("/test-receiver/postback"));
    let tx = api.create_transaction(&req).await.unwrap();
    let id = tx.id.clone().unwrap();
    api.put_file(&id, "c.pdf", sample_pdf()).await.unwrap();
    api.start(&id).await.unwrap();
    sign(&app, tx.signers[0].sign_url.as_deref().unwrap()).await;

    // Retries wait 2 s, then 4 s; everything after them waits in the queue.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let done = seen
            .lock()
            .unwrap()
            .iter()
            .any(|(_, b)| b.contains("\"Status\":30"));
        if done || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 5, "got {} postbacks", seen.len());
    assert_eq!(
        seen[0].1, seen[1].1,
        "the failed postback is retried as it was"
    );
    assert_eq!(
        seen[1].1, seen[2].1,
        "and retried again before anything later"
    );
    let mut statuses = Vec::new();
    for (header, body) in &seen {
        let verified = signhost::checksum::verify_postback(
            body.as_bytes(),
            header.as_deref(),
            "sandbox-shared-secret",
        )
        .expect("every postback carries a valid checksum");
        assert_eq!(
            verified.checksum.as_deref(),
            header.as_deref(),
            "checksum in body and header"
        );
        statuses.push(verified.status.unwrap().code());
    }
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(
        statuses, sorted,
        "postbacks arrive in the order of the changes: {statuses:?}"
    );
    assert_eq!(*statuses.last().unwrap(), 30);
    app.stop().await;
}

#[tokio::test]
async fn the_sandbox_runs_on_postgres_too() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let api = client(&app);
    let tx = api.create_transaction(&two_signers()).await.unwrap();
    let id = tx.id.clone().unwrap();
    api.put_file_meta(&id, "contract.pdf", &signature_meta("Signer1"))
        .await
        .unwrap();
    api.put_file(&id, "contract.pdf", sample_pdf())
        .await
        .unwrap();
    api.start(&id).await.unwrap();
    for signer in &tx.signers {
        sign(&app, signer.sign_url.as_deref().unwrap()).await;
    }
    assert_eq!(
        api.get_transaction(&id).await.unwrap().status,
        Some(TransactionStatus::Signed)
    );
    assert!(server::sandbox::pdf::is_pdf(
        &api.get_receipt(&id).await.unwrap()
    ));
    app.stop().await;
}

#[tokio::test]
async fn postbacks_and_return_pages_elsewhere_are_refused() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let port = app.address.rsplit(':').next().unwrap().to_string();
    let other_port: u16 = port.parse::<u16>().unwrap().wrapping_add(1);
    for target in [
        "http://169.254.169.254/latest/meta-data".to_string(),
        "http://127.0.0.1:5432/".to_string(),
        format!("http://127.0.0.1:{other_port}/signhost/postback"),
        format!(
            "http://user@{}/signhost/postback",
            app.address.trim_start_matches("http://")
        ),
        "https://evil.example/".to_string(),
    ] {
        let mut req = two_signers();
        req.postback_url = Some(target.clone());
        let err = api.create_transaction(&req).await.unwrap_err();
        assert!(
            matches!(&err, Error::BadRequest { status: 400, message, .. } if message.contains("PostbackUrl")),
            "{target}: {err:?}"
        );
        let mut req = two_signers();
        req.signers[0].return_url = Some(target.clone());
        let err = api.create_transaction(&req).await.unwrap_err();
        assert!(
            matches!(&err, Error::BadRequest { status: 400, message, .. } if message.contains("ReturnUrl")),
            "{target}: {err:?}"
        );
    }
    let mut req = two_signers();
    req.postback_url = Some(app.url("/signhost/postback"));
    req.signers[0].return_url = Some(app.url("/return"));
    api.create_transaction(&req).await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn hostile_pdfs_sent_to_the_sandbox_api_are_refused_and_the_server_stays_up() {
    let app = TestApp::spawn().await;
    let api = client(&app);
    let tx = api.create_transaction(&two_signers()).await.unwrap();
    let id = tx.id.clone().unwrap();
    for case in server::documents::corpus::all().into_iter().filter(|c| {
        [
            "arrays-1000",
            "dicts-10000",
            "double-flate",
            "bomb-80mb-content",
            "objstm-flate-10000",
        ]
        .contains(&c.name.as_str())
    }) {
        refused(
            api.put_file(&id, "c.pdf", Bytes::from(case.bytes)).await,
            400,
            "c.pdf is not a valid PDF document.",
        )
        .await;
    }
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert!(health.status().is_success());
    api.put_file(&id, "c.pdf", sample_pdf()).await.unwrap();
    app.stop().await;
}
