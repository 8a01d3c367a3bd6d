//! The client against a scripted HTTP server on 127.0.0.1:0: headers, bodies,
//! retries of 5xx and timeouts, no retries of 4xx, realistic responses.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use signhost::model::{
    ActivityCode, CreateSigner, CreateTransaction, TransactionStatus, Verification,
};
use signhost::{Client, Error, RetryPolicy};

#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

type Reply = (u16, Vec<(&'static str, String)>, String, Duration);

#[derive(Clone, Default)]
struct Script {
    replies: Arc<Mutex<Vec<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn handle(
    State(s): State<Script>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_string(),
        headers,
        body,
    });
    let (status, extra, body, delay) = {
        let mut r = s.replies.lock().unwrap();
        if r.is_empty() {
            (500, vec![], "script exhausted".to_string(), Duration::ZERO)
        } else {
            r.remove(0)
        }
    };
    tokio::time::sleep(delay).await;
    let mut res = (StatusCode::from_u16(status).unwrap(), body).into_response();
    for (k, v) in extra {
        res.headers_mut().insert(k, v.parse().unwrap());
    }
    res
}

async fn server(replies: Vec<Reply>) -> (Client, Script) {
    let script = Script {
        replies: Arc::new(Mutex::new(replies)),
        ..Default::default()
    };
    let app = Router::new().fallback(handle).with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::new(
        format!("http://{addr}/api/").parse().unwrap(),
        "app-key",
        "user-token",
    )
    .with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    })
    .with_timeout(Duration::from_millis(500));
    (client, script)
}

fn ok(body: &str) -> Reply {
    (200, vec![], body.to_string(), Duration::ZERO)
}

const LIVE_TRANSACTION: &str = r#"{
  "Id": "c487be92-0255-40c7-bd7d-20805a65e7d9", "Status": 5, "Files": {}, "Seal": false,
  "Signers": [{
    "Id": "Signer1", "Expires": null, "Email": "ann@example.nl", "Mobile": null, "Iban": null, "BSN": null,
    "RequireScribbleName": false, "RequireScribble": true, "RequireEmailVerification": false,
    "RequireSmsVerification": false, "RequireIdealVerification": false, "RequireDigidVerification": false,
    "RequireKennisnetVerification": false, "RequireSurfnetVerification": false, "SendSignRequest": false,
    "SendSignConfirmation": null, "SignRequestMessage": null, "DaysToRemind": 7, "Language": "nl-NL",
    "ScribbleName": null, "ScribbleNameFixed": false, "Reference": null, "ReturnUrl": "https://signhost.com",
    "Verifications": [{"Type": "Scribble", "RequireHandsignature": false, "ScribbleNameFixed": false, "ScribbleName": null},
                      {"Type": "SomethingNew", "Level": 3}],
    "Activities": [{"Id": "a1", "Code": 103, "Activity": "Opened", "CreatedDateTime": "2023-02-13T12:31:06+01:00"},
                   {"Id": "a2", "Code": 105, "Activity": "DocumentOpened", "Info": "file.pdf", "CreatedDateTime": "2023-02-13T12:31:07.1965465+01:00"},
                   {"Id": "a3", "Code": 1234, "Activity": "Future", "CreatedDateTime": "2023-02-13T12:31:08.123456+01:00"}],
    "RejectReason": null, "SignUrl": "https://view.signhost.com/sign/abc", "SignedDateTime": null,
    "RejectDateTime": null, "CreatedDateTime": "2023-02-13T12:31:05+01:00", "ModifiedDateTime": null, "Context": null
  }],
  "Receivers": [{"Id": "r1", "Name": "Bob", "Email": "bob@example.nl", "Language": "nl-NL", "Message": "Copy", "Activities": null}],
  "Reference": "REQ-1", "PostbackUrl": null, "SignRequestMode": 2, "DaysToExpire": 30,
  "SendEmailNotifications": false, "CreatedDateTime": "2023-02-13T12:31:05.2+01:00", "ModifiedDateTime": null,
  "CanceledDateTime": null, "CancelationReason": null, "Context": null, "Language": "nl-NL"
}"#;

#[tokio::test]
async fn create_sends_signhost_headers_and_pascal_case_without_nulls() {
    let (client, script) = server(vec![ok(LIVE_TRANSACTION)]).await;
    let request = CreateTransaction {
        reference: Some("REQ-1".into()),
        signers: vec![CreateSigner {
            email: "ann@example.nl".into(),
            send_sign_request: Some(false),
            ..Default::default()
        }],
        ..Default::default()
    };
    let tx = client.create_transaction(&request).await.unwrap();
    assert_eq!(tx.status, Some(TransactionStatus::WaitingForDocument));
    let signer = &tx.signers[0];
    assert_eq!(signer.id.as_deref(), Some("Signer1"));
    assert_eq!(signer.require_scribble, Some(true));
    assert_eq!(signer.verifications[1].type_name(), "SomethingNew");
    assert!(matches!(signer.verifications[0], Verification::Scribble(_)));
    let codes: Vec<ActivityCode> = signer.activities.iter().map(|a| a.code).collect();
    assert_eq!(
        codes,
        [
            ActivityCode::Opened,
            ActivityCode::DocumentOpened,
            ActivityCode::Unknown(1234)
        ]
    );
    assert_eq!(signer.activities[1].info.as_deref(), Some("file.pdf"));
    assert_eq!(tx.receivers[0].activities, None);

    let seen = script.seen.lock().unwrap()[0].clone();
    assert_eq!(
        (seen.method, seen.path.as_str()),
        (Method::POST, "/api/transaction")
    );
    assert_eq!(seen.headers["application"], "APPKey app-key");
    assert_eq!(seen.headers["authorization"], "APIKey user-token");
    assert_eq!(seen.headers["accept"], "application/vnd.signhost.v1+json");
    assert_eq!(seen.headers["content-type"], "application/json");
    assert_eq!(
        std::str::from_utf8(&seen.body).unwrap(),
        r#"{"Seal":false,"Reference":"REQ-1","Signers":[{"Email":"ann@example.nl","SendSignRequest":false}]}"#
    );
}

#[tokio::test]
async fn every_endpoint_uses_signhost_paths() {
    let replies = vec![
        (
            202,
            vec![],
            r#"{"Message":"Meta data for file f.pdf accepted, waiting for actual file"}"#.into(),
            Duration::ZERO,
        ),
        (
            201,
            vec![],
            r#""Stored file f.pdf to transaction t1""#.into(),
            Duration::ZERO,
        ),
        (204, vec![], String::new(), Duration::ZERO),
        ok(LIVE_TRANSACTION),
        (
            200,
            vec![("content-type", "application/pdf".into())],
            "%PDF-1.7 signed".into(),
            Duration::ZERO,
        ),
        (
            200,
            vec![("content-type", "application/pdf".into())],
            "%PDF-1.7 receipt".into(),
            Duration::ZERO,
        ),
        ok(LIVE_TRANSACTION),
    ];
    let (client, script) = server(replies).await;
    client
        .put_file_meta("t1", "f.pdf", &Default::default())
        .await
        .unwrap();
    client
        .put_file("t1", "f.pdf", Bytes::from_static(b"%PDF-1.7 original"))
        .await
        .unwrap();
    client.start("t1").await.unwrap();
    client.get_transaction("t1").await.unwrap();
    assert_eq!(
        &client.get_file("t1", "f.pdf").await.unwrap()[..],
        b"%PDF-1.7 signed"
    );
    assert_eq!(
        &client.get_receipt("t1").await.unwrap()[..],
        b"%PDF-1.7 receipt"
    );
    let options = signhost::model::DeleteTransaction {
        send_notifications: true,
        reason: Some("Wrong contract".into()),
    };
    client
        .delete_transaction("t1", Some(&options))
        .await
        .unwrap();

    let seen = script.seen.lock().unwrap().clone();
    let calls: Vec<(String, String)> = seen
        .iter()
        .map(|s| (s.method.to_string(), s.path.clone()))
        .collect();
    let expected = [
        ("PUT", "/api/transaction/t1/file/f.pdf"),
        ("PUT", "/api/transaction/t1/file/f.pdf"),
        ("PUT", "/api/transaction/t1/start"),
        ("GET", "/api/transaction/t1"),
        ("GET", "/api/transaction/t1/file/f.pdf"),
        ("GET", "/api/file/receipt/t1"),
        ("DELETE", "/api/transaction/t1"),
    ];
    assert_eq!(calls, expected.map(|(m, p)| (m.to_string(), p.to_string())));
    assert_eq!(seen[0].headers["content-type"], "application/json");
    assert_eq!(seen[1].headers["content-type"], "application/pdf");
    assert_eq!(
        seen[1].headers["digest"],
        signhost::client::digest_header(b"%PDF-1.7 original").as_str()
    );
    assert_eq!(&seen[1].body[..], b"%PDF-1.7 original");
    assert_eq!(seen[2].headers["content-length"], "0");
    assert_eq!(
        std::str::from_utf8(&seen[6].body).unwrap(),
        r#"{"SendNotifications":true,"Reason":"Wrong contract"}"#
    );
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let busy = (
        503,
        vec![("retry-after", "0".to_string())],
        "busy".to_string(),
        Duration::ZERO,
    );
    let (client, script) = server(vec![
        busy.clone(),
        (500, vec![], "{}".into(), Duration::ZERO),
        ok(LIVE_TRANSACTION),
    ])
    .await;
    client.get_transaction("t1").await.unwrap();
    assert_eq!(script.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn timeouts_are_retried() {
    let slow = (
        200,
        vec![],
        LIVE_TRANSACTION.to_string(),
        Duration::from_secs(2),
    );
    let (client, script) = server(vec![slow, ok(LIVE_TRANSACTION)]).await;
    client.get_transaction("t1").await.unwrap();
    assert_eq!(script.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn retries_stop_at_the_limit() {
    let busy = (
        503,
        vec![],
        r#"{"Message":"down"}"#.to_string(),
        Duration::ZERO,
    );
    let (client, script) = server(vec![
        busy.clone(),
        busy.clone(),
        busy.clone(),
        ok(LIVE_TRANSACTION),
    ])
    .await;
    let err = client.get_transaction("t1").await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 503, .. }), "{err:?}");
    assert_eq!(script.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for (status, body) in [
        (
            400,
            r#"{"Message":"The signer id is already used by another signer."}"#,
        ),
        (
            401,
            r#"{"Message":"Authorization has been denied for this request."}"#,
        ),
        (
            402,
            r#"{"type":"https://api.signhost.com/problem/subscription/out-of-credits","title":"Out of credits"}"#,
        ),
    ] {
        let (client, script) = server(vec![
            (status, vec![], body.into(), Duration::ZERO),
            ok(LIVE_TRANSACTION),
        ])
        .await;
        let err = client
            .create_transaction(&CreateTransaction::default())
            .await
            .unwrap_err();
        assert_eq!(
            script.seen.lock().unwrap().len(),
            1,
            "{status} must not be retried"
        );
        match status {
            400 => assert_eq!(
                err.message(),
                "The signer id is already used by another signer."
            ),
            401 => assert!(matches!(err, Error::Unauthorized { .. })),
            _ => assert!(matches!(err, Error::OutOfCredits { .. })),
        }
    }
}

#[tokio::test]
async fn gone_keeps_the_partial_transaction() {
    let (client, _) = server(vec![(
        410,
        vec![],
        r#"{"Id":"t1","Status":50,"Signers":null,"Files":null}"#.into(),
        Duration::ZERO,
    )])
    .await;
    let Err(Error::Gone { transaction }) = client.get_transaction("t1").await else {
        panic!("expected Gone")
    };
    assert_eq!(transaction.status, Some(TransactionStatus::Expired));
}

#[tokio::test]
async fn oversized_pdfs_are_refused_before_any_request() {
    let (client, script) = server(vec![]).await;
    let big = Bytes::from(vec![0u8; signhost::MAX_FILE_BYTES + 1]);
    let err = client.put_file("t1", "big.pdf", big).await.unwrap_err();
    assert!(matches!(err, Error::FileTooLarge { .. }));
    assert!(script.seen.lock().unwrap().is_empty());
}
