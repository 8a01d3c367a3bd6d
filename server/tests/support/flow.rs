//! A request through the whole journey, step by step, with the worker
//! driven by the test: sent, signed on the sandbox's page, posted back.

use std::time::Duration;

use app::model::request::RequestStatus;
use app::ssr::db::requests;
use reqwest::StatusCode;
use serde_json::json;
use server::worker::Worker;
use signhost::model::Transaction;

use super::{location, TestApp};

pub const SECRET: &str = "sandbox-shared-secret";

/// A worker whose transactions post back nowhere: these tests send the
/// postbacks themselves (or leave them out, to test the reconciliation).
pub fn quiet_worker(app: &TestApp) -> Worker {
    let client = app.signhost();
    let mut w = Worker::new(
        app.db.clone(),
        client,
        // Postbacks go to a portal address that does not take them, so
        // each test posts them itself.
        app.url("/test-nowhere"),
        app.url("/return"),
    );
    w.check_every = Duration::from_secs(3600);
    w
}

pub async fn until_idle(w: &Worker) {
    for _ in 0..200 {
        if !w.tick().await.unwrap() {
            return;
        }
    }
    panic!("the worker did not settle");
}

/// A started direct-flow request: (request id, Signhost transaction id).
pub async fn sent(app: &TestApp, client: &reqwest::Client, w: &Worker) -> (i64, String) {
    let id = app.ready_draft(client).await;
    let res = app
        .call(client, "requests/start", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    until_idle(w).await;
    let row = requests::find(&app.db, id).await.unwrap().unwrap();
    assert_eq!(row.status(), RequestStatus::Waiting);
    (id, row.external_id.unwrap())
}

pub async fn fetch(app: &TestApp, tid: &str) -> Transaction {
    let sh = app.signhost();
    sh.get_transaction(tid).await.unwrap()
}

/// Signs as the n-th signer on the sandbox's signing page; returns where the browser goes next.
pub async fn sign_as(app: &TestApp, tx: &Transaction, n: usize, reject: Option<&str>) -> String {
    let url = tx.signers[n].sign_url.clone().unwrap();
    let token = url.rsplit('/').next().unwrap().to_string();
    let browser = app.client();
    assert_eq!(
        browser.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    let res = match reject {
        None => browser
            .post(app.url(&format!("/sandbox/sign/{token}/sign")))
            .send()
            .await
            .unwrap(),
        Some(reason) => browser
            .post(app.url(&format!("/sandbox/sign/{token}/reject")))
            .form(&[("reason", reason)])
            .send()
            .await
            .unwrap(),
    };
    location(&res)
}

/// A postback as Signhost sends it: the transaction plus its checksum.
pub fn postback_body(tx: &Transaction, secret: &str) -> (String, String) {
    let status = tx.status.map(|s| s.code()).unwrap_or_default();
    let checksum = signhost::checksum::compute(tx.id.as_deref().unwrap(), status, secret);
    let mut value = serde_json::to_value(tx).unwrap();
    value["Checksum"] = json!(checksum);
    (value.to_string(), checksum)
}

pub async fn post_postback(
    app: &TestApp,
    body: String,
    checksum: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client()
        .post(app.url("/signhost/postback"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(c) = checksum {
        req = req.header("Checksum", c);
    }
    req.send().await.unwrap()
}

/// Posts Signhost's current postback for `tid` and expects it stored.
pub async fn post_current(app: &TestApp, tid: &str) {
    let (body, checksum) = postback_body(&fetch(app, tid).await, SECRET);
    assert_eq!(
        post_postback(app, body, Some(&checksum)).await.status(),
        StatusCode::OK
    );
}

/// A request sent, signed by both signers, posted back and archived by `w`.
pub async fn archived_request(app: &TestApp, client: &reqwest::Client, w: &Worker) -> i64 {
    let (id, tid) = sent(app, client, w).await;
    let tx = fetch(app, &tid).await;
    sign_as(app, &tx, 0, None).await;
    sign_as(app, &tx, 1, None).await;
    post_current(app, &tid).await;
    until_idle(w).await;
    id
}

/// How often the request's audit log says it became signed.
pub async fn times_signed(db: &app::ssr::db::Db, id: i64) -> usize {
    let signed = RequestStatus::Signed.label();
    app::ssr::db::audit::list(db, id)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.action == "status" && a.detail == signed)
        .count()
}
