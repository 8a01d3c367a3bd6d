//! The `certeurope` wire crate over real mutual TLS against the SignAPI
//! simulator: refused without a client certificate and with a foreign
//! one; the exact JSON of orders and signature requests; OTP errors; SYNC
//! and ASYNC signing; refuse and delete.

mod support;

use std::time::Duration;

use base64::Engine;
use certeurope::model::{
    Holder, LineOptions, OrderCreate, PdfSignatureOptions, SignatureLevel, SignatureOptions,
    SignatureRequest, SignatureStatus,
};
use certeurope::{Client, Error, Mode, OtpError, Tls};
use server::sandbox::certeurope::{serve, Pki, Sim};
use server::sandbox::pdf;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

struct Running {
    url: url::Url,
    pki: Pki,
    sim: Sim,
}

async fn simulator() -> Running {
    let pki = Pki::generate().unwrap();
    let sim = Sim::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = serve(listener, &pki, sim.clone()).unwrap();
    Running {
        url: format!("https://{addr}/").parse().unwrap(),
        pki,
        sim,
    }
}

fn tls_of(pki: &Pki, trust: &Pki) -> Tls {
    Tls {
        client_cert_pem: pki.client_cert.clone().into_bytes(),
        client_key_pem: pki.client_key.clone().into_bytes(),
        ca_pem: Some(trust.ca_cert.clone().into_bytes()),
    }
}

fn client(s: &Running) -> Client {
    Client::new(s.url.clone(), &tls_of(&s.pki, &s.pki))
        .unwrap()
        .with_attempts(1, Duration::from_millis(10))
}

fn order(external: &str, otp: bool) -> OrderCreate {
    OrderCreate {
        external_order_request_id: external.into(),
        holder: Holder {
            firstname: "Anna".into(),
            lastname: "de Vries".into(),
            email: Some("anna@example.com".into()),
            mobile: Some("+31612345678".into()),
            country: "NL".into(),
            ..Default::default()
        },
        enable_otp: otp.then_some(true),
        otp_contact: otp.then(|| "+31612345678".into()),
        ..Default::default()
    }
}

fn document(external: &str) -> SignatureRequest {
    SignatureRequest {
        external_signature_request_id: external.into(),
        signature_options: SignatureOptions::pades(SignatureLevel::Lta),
        pdf_signature_options: Some(PdfSignatureOptions {
            signature_pos_x: Some(72),
            signature_pos_y: Some(100),
            signature_page: Some(1),
            lines_options: Some(vec![LineOptions::text("Contract 2026-17", 9)]),
            ..Default::default()
        }),
        enable_archive: None,
        archiver_names: None,
        to_sign_content: B64.encode(pdf::sample(&["Agreement"])),
        hash: None,
        keywords: None,
    }
}

#[tokio::test]
async fn without_a_client_certificate_or_with_a_foreign_one_the_handshake_fails() {
    let s = simulator().await;
    // No client certificate at all, the simulator's CA trusted.
    let bare = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(s.pki.ca_cert.as_bytes()).unwrap())
        .build()
        .unwrap();
    let res = bare
        .get(s.url.join("ephemeral/orders/?id=1").unwrap())
        .send()
        .await;
    assert!(
        res.is_err(),
        "a request without a client certificate got {res:?}"
    );

    // A client certificate from another CA.
    let foreign = Pki::generate().unwrap();
    let c = Client::new(s.url.clone(), &tls_of(&foreign, &s.pki))
        .unwrap()
        .with_attempts(1, Duration::from_millis(10));
    let e = c
        .create_order(&order("portal-1-s1", false))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Tls(_)), "{e:?}");
    assert_eq!(s.sim.order_count(), 0, "nothing reached the API");

    // The right certificate is let in.
    client(&s)
        .create_order(&order("portal-1-s1", false))
        .await
        .unwrap();
    assert_eq!(s.sim.order_count(), 1);
}

#[tokio::test]
async fn a_simple_order_is_sent_as_this_json_and_signs_in_sync_mode() {
    let s = simulator().await;
    let c = client(&s);
    let o = c.create_order(&order("portal-2-s1", false)).await.unwrap();
    assert_eq!(o.external_order_request_id, "portal-2-s1");
    assert_eq!(
        s.sim.received("/ephemeral/orders")[0],
        serde_json::json!({
            "externalOrderRequestId": "portal-2-s1",
            "holder": {"firstname": "Anna", "lastname": "de Vries", "email": "anna@example.com",
                       "mobile": "+31612345678", "country": "NL"}
        })
    );
    let created = c
        .create_signature_requests(&o.order_request_id, false, &[document("portal-2-s1-d1")])
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].status, SignatureStatus::SignCreated);
    let sent = &s.sim.received("/ephemeral/signatures")[0];
    assert_eq!(
        sent[0]["signatureOptions"]["signatureType"],
        "PAdES_BASELINE_LTA"
    );
    assert_eq!(sent[0]["pdfSignatureOptions"]["signaturePosX"], 72);
    assert_eq!(
        sent[0]["pdfSignatureOptions"]["linesOptions"][0]["lineContent"],
        "Contract 2026-17"
    );

    // Found again by our reference (how a resumed send avoids a second order).
    let again = c.find_order("portal-2-s1").await.unwrap().unwrap();
    assert_eq!(again.order_request_id, o.order_request_id);
    assert!(c.find_order("portal-2-s9").await.unwrap().is_none());

    let signed = c
        .sign(&o.order_request_id, None, &Mode::Sync, &created)
        .await
        .unwrap();
    assert_eq!(signed[0].status, SignatureStatus::Signed);
    let status = c.signature(&created[0].signature_request_id).await.unwrap();
    let pdf_bytes = B64.decode(status.signed_content.unwrap()).unwrap();
    assert!(pdf::is_pdf(&pdf_bytes));
    assert_eq!(
        pdf::pages_containing(&pdf_bytes, "SignedbyAnnadeVries"),
        vec![1]
    );
    assert!(status.signing_date.is_some());
}

#[tokio::test]
async fn a_wrong_code_says_the_tries_left_and_the_last_one_locks_the_order() {
    let s = simulator().await;
    let c = client(&s);
    let o = c.create_order(&order("portal-3-s1", true)).await.unwrap();
    let created = c
        .create_signature_requests(&o.order_request_id, true, &[document("portal-3-s1-d1")])
        .await
        .unwrap();
    assert_eq!(created[0].status, SignatureStatus::SignAwaitingValidation);
    // Signing before a code was sent.
    let e = c
        .sign(&o.order_request_id, Some("123456"), &Mode::Sync, &created)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Otp(OtpError::Expired { .. })), "{e:?}");

    c.validate(&o.order_request_id).await.unwrap();
    let sent = s.sim.codes().pop().unwrap();
    let (contact, code) = (sent.contact, sent.code);
    assert_eq!(contact, "+31612345678");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let e = c
        .sign(&o.order_request_id, Some(wrong), &Mode::Sync, &created)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        Error::Otp(OtpError::WrongCode {
            tries_left: Some(2),
            message: "Code OTP incorrect, encore 2 essai(s)".into()
        })
    );
    // The right code still works after one wrong one.
    let signed = c
        .sign(&o.order_request_id, Some(&code), &Mode::Sync, &created)
        .await
        .unwrap();
    assert_eq!(signed[0].status, SignatureStatus::Signed);

    // A second order: three wrong codes lock it.
    let o2 = c.create_order(&order("portal-3-s2", true)).await.unwrap();
    let created2 = c
        .create_signature_requests(&o2.order_request_id, true, &[document("portal-3-s2-d1")])
        .await
        .unwrap();
    c.validate(&o2.order_request_id).await.unwrap();
    let code2 = s.sim.codes().pop().unwrap().code;
    let wrong2 = if code2 == "000000" {
        "111111"
    } else {
        "000000"
    };
    let mut last = None;
    for _ in 0..3 {
        last = Some(
            c.sign(&o2.order_request_id, Some(wrong2), &Mode::Sync, &created2)
                .await
                .unwrap_err(),
        );
    }
    assert!(
        matches!(last, Some(Error::Otp(OtpError::TooManyTries { .. }))),
        "{last:?}"
    );
    let e = c
        .sign(&o2.order_request_id, Some(&code2), &Mode::Sync, &created2)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Otp(OtpError::TooManyTries { .. })),
        "locked: {e:?}"
    );
}

#[tokio::test]
async fn async_signing_posts_the_statuses_and_refuse_and_delete_end_requests() {
    let s = simulator().await;
    let c = client(&s);
    // A plain HTTP receiver for the ASYNC callback.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let hook = axum::Router::new().route(
        "/hooks/certeurope",
        axum::routing::post(move |axum::Json(v): axum::Json<serde_json::Value>| {
            let tx = tx.clone();
            async move {
                tx.send(v).unwrap();
                "ok"
            }
        }),
    );
    let hl = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let haddr = hl.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(hl, hook).await.unwrap() });

    let o = c.create_order(&order("portal-4-s1", false)).await.unwrap();
    let created = c
        .create_signature_requests(
            &o.order_request_id,
            false,
            &[document("portal-4-s1-d1"), document("portal-4-s1-d2")],
        )
        .await
        .unwrap();
    let mode = Mode::Async {
        post_url: format!("http://{haddr}/hooks/certeurope"),
    };
    let answer = c
        .sign(&o.order_request_id, None, &mode, &created)
        .await
        .unwrap();
    assert!(answer
        .iter()
        .all(|a| a.status == SignatureStatus::SignInProgress));
    let posted = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(posted.as_array().unwrap().len(), 2);
    assert_eq!(posted[0]["status"], "SIGNED");
    assert_eq!(posted[0]["externalOrderRequestId"], "portal-4-s1");
    let all = c
        .search_signatures(&o.order_request_id, Some(&SignatureStatus::Signed))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);

    // A second order: one document refused, then the order deleted.
    let o2 = c.create_order(&order("portal-4-s2", false)).await.unwrap();
    let created2 = c
        .create_signature_requests(&o2.order_request_id, false, &[document("portal-4-s2-d1")])
        .await
        .unwrap();
    c.refuse(&created2[0].signature_request_id).await.unwrap();
    assert_eq!(
        c.signature(&created2[0].signature_request_id)
            .await
            .unwrap()
            .status,
        SignatureStatus::Refused
    );
    assert_eq!(
        s.sim.received("/ephemeral/signatures/ PATCH")[0],
        serde_json::json!({"status": "REFUSED"})
    );
    c.delete_order(&o2.order_request_id).await.unwrap();
    assert!(matches!(
        c.order(&o2.order_request_id).await.unwrap_err(),
        Error::NotFound(_)
    ));
    // Deleting again is fine.
    c.delete_order(&o2.order_request_id).await.unwrap();

    // A failure injected for an order comes back as SIGN_FAILED with its reason.
    let o3 = c.create_order(&order("portal-4-s3", false)).await.unwrap();
    let created3 = c
        .create_signature_requests(&o3.order_request_id, false, &[document("portal-4-s3-d1")])
        .await
        .unwrap();
    s.sim.fail_next_sign("portal-4-s3", "HSM unavailable");
    let failed = c
        .sign(&o3.order_request_id, None, &Mode::Sync, &created3)
        .await
        .unwrap();
    assert_eq!(failed[0].status, SignatureStatus::SignFailed);
    assert_eq!(failed[0].reason.as_deref(), Some("HSM unavailable"));
}

#[tokio::test]
async fn bad_bodies_get_signapis_error_body() {
    let s = simulator().await;
    let c = client(&s);
    let mut bad = order("portal-5-s1", false);
    bad.holder.country = String::new();
    let e = c.create_order(&bad).await.unwrap_err();
    assert_eq!(
        e,
        Error::Refused {
            status: 400,
            label: "ERROR_VALIDATION".into(),
            message: "holder.country is required".into()
        }
    );
    let mut no_contact = order("portal-5-s2", true);
    no_contact.otp_contact = None;
    assert!(matches!(
        c.create_order(&no_contact).await.unwrap_err(),
        Error::Refused { .. }
    ));
    let o = c.create_order(&order("portal-5-s3", false)).await.unwrap();
    let mut not_pdf = document("portal-5-s3-d1");
    not_pdf.to_sign_content = B64.encode(b"hello");
    let e = c
        .create_signature_requests(&o.order_request_id, false, &[not_pdf])
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Refused { message, .. } if message.contains("not a base64 PDF")),
        "{e:?}"
    );
    // A triggered path for a simple order.
    let e = c
        .create_signature_requests(&o.order_request_id, true, &[document("x")])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Refused { .. }));
}

#[tokio::test]
async fn the_portal_starts_the_simulator_with_its_stored_ca_and_shows_codes_in_the_mailbox() {
    // A free port for the simulator's TLS listener.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let app = support::TestApp::spawn_with(&[("SANDBOX_CERTEUROPE_ADDR", addr.as_str())]).await;
    // The CA the portal made and stored; the same one on a second read.
    let pki = server::sandbox::certeurope::pki::installation(&app.db)
        .await
        .unwrap();
    assert_eq!(
        server::sandbox::certeurope::pki::installation(&app.db)
            .await
            .unwrap(),
        pki
    );
    let c = Client::new(
        format!("https://{addr}/").parse().unwrap(),
        &tls_of(&pki, &pki),
    )
    .unwrap()
    .with_attempts(1, Duration::from_millis(10));
    let o = c.create_order(&order("portal-6-s1", true)).await.unwrap();
    c.create_signature_requests(&o.order_request_id, true, &[document("portal-6-s1-d1")])
        .await
        .unwrap();
    c.validate(&o.order_request_id).await.unwrap();

    let browser = app.signed_in("clerk@example.nl", "staff").await;
    let mail = browser
        .get(app.url("/sandbox/mail"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mail.contains("One-time code"), "{mail}");
    assert!(mail.contains("+31612345678") && mail.contains("portal-6-s1"));
    // The code shown is one the simulator accepts.
    let at = mail.find("Your signing code: <code>").unwrap() + "Your signing code: <code>".len();
    let code = &mail[at..at + 6];
    let signed = c
        .sign(
            &o.order_request_id,
            Some(code),
            &Mode::Sync,
            &c.search_signatures(&o.order_request_id, None)
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(signed[0].status, SignatureStatus::Signed);
}

#[tokio::test]
async fn the_simulators_orders_and_codes_outlive_a_restart_on_each_backend() {
    let mut dbs = vec![app::ssr::testing::TestDb::sqlite().await];
    if let Some(pg) = app::ssr::testing::TestDb::postgres().await {
        dbs.push(pg);
    }
    for test_db in dbs {
        let pki = Pki::generate().unwrap();
        let start = |sim: Sim| {
            let pki = pki.clone();
            async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = serve(listener, &pki, sim).unwrap();
                Client::new(
                    format!("https://{addr}/").parse().unwrap(),
                    &tls_of(&pki, &pki),
                )
                .unwrap()
                .with_attempts(1, Duration::from_millis(10))
            }
        };
        let first = Sim::restored(&test_db.db).await.unwrap();
        let c = start(first.clone()).await;
        let o = c.create_order(&order("portal-9-s1", true)).await.unwrap();
        c.create_signature_requests(&o.order_request_id, true, &[document("portal-9-s1-d1")])
            .await
            .unwrap();
        c.validate(&o.order_request_id).await.unwrap();
        let code = first.codes().last().unwrap().code.clone();

        // The portal restarts: a new simulator on the same database.
        let again = Sim::restored(&test_db.db).await.unwrap();
        assert_eq!(again.order_count(), 1);
        assert_eq!(again.codes().last().unwrap().code, code);
        let c = start(again).await;
        let found = c.find_order("portal-9-s1").await.unwrap().unwrap();
        assert_eq!(found.order_request_id, o.order_request_id);
        let sigs = c
            .search_signatures(&o.order_request_id, None)
            .await
            .unwrap();
        let signed = c
            .sign(&o.order_request_id, Some(&code), &Mode::Sync, &sigs)
            .await
            .unwrap();
        assert_eq!(signed[0].status, SignatureStatus::Signed);
        // A simulator without a database keeps nothing.
        assert_eq!(Sim::new().order_count(), 0);
        test_db.remove().await;
    }
}
