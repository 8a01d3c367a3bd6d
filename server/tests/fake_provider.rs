//! A second signing service, faked in this test (never shipped), driven
//! through the same core as Signhost: chosen for a draft, checked against
//! its capabilities, sent by the worker, signed, hinted at through
//! `/hooks/{provider}`, fetched, archived. On SQLite and on PostgreSQL.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::model::request::RequestStatus;
use app::model::service::ProviderKind;
use app::model::tracking::SignerState;
use app::ssr::db::activities::ActivityRow;
use app::ssr::db::documents::DocumentRow;
use app::ssr::db::{archive, postbacks, requests, signer_links};
use app::ssr::provider::{
    ArtifactRef, Inbound, NewLink, Provider, ProviderError, Providers, Sending, Snapshot, Step,
};
use app::ssr::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;
use server::worker::Worker;
use support::flow::until_idle;
use support::{location, TestApp};

/// What the fake service holds of one request.
#[derive(Clone, Default)]
struct Held {
    signers: Vec<(String, String)>,
    signed: Vec<String>,
    sent: bool,
    cancelled: bool,
}

/// Stands in for a second service (it answers as "signicat": no field
/// placement, up to 20 signers). Keeps its requests in memory.
#[derive(Default)]
struct Fake {
    held: Mutex<HashMap<String, Held>>,
    calls: Mutex<Vec<String>>,
}

impl Fake {
    fn note(&self, call: impl Into<String>) {
        self.calls.lock().unwrap().push(call.into());
    }

    fn sign(&self, external_id: &str, signer_id: &str) {
        let mut held = self.held.lock().unwrap();
        let h = held.get_mut(external_id).expect("a request the fake knows");
        h.signed.push(signer_id.to_string());
    }
}

#[async_trait::async_trait]
impl Provider for Fake {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Signicat
    }

    fn first_step(&self) -> &'static str {
        "create"
    }

    async fn step(&self, step: &str, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let external_id = format!("fake-{}", cx.row.id);
        self.note(format!("{step} {external_id}"));
        match step {
            "create" => {
                let signers: Vec<(String, String)> = cx
                    .signers()
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("fs{}", i + 1), s.key.clone()))
                    .collect();
                // The signers' tokens go into the redirect URLs, so they are
                // chosen (and kept) before the service is called.
                let tokens: HashMap<String, String> = signers
                    .iter()
                    .map(|(_, key)| (key.clone(), format!("tok-{}-{key}", cx.row.id).repeat(4)))
                    .collect();
                let docs = cx.documents().await?;
                let packages: HashMap<String, String> = docs
                    .iter()
                    .map(|d| (d.id.to_string(), format!("package-{}", d.id)))
                    .collect();
                cx.save_state(&serde_json::json!({"tokens": tokens, "packages": packages}))
                    .await?;
                let links = signers
                    .iter()
                    .map(|(id, key)| NewLink {
                        token: Some(tokens[key].clone()),
                        signer_key: key.clone(),
                        signer_id: id.clone(),
                        sign_url: format!("https://fake.example/sign/{external_id}/{id}"),
                    })
                    .collect();
                self.held.lock().unwrap().insert(
                    external_id.clone(),
                    Held {
                        signers,
                        ..Default::default()
                    },
                );
                cx.created(&external_id, "{\"fake\":true}", links).await?;
                Ok(Step::Next("send"))
            }
            _ => {
                let mut held = self.held.lock().unwrap();
                let h = held.get_mut(&external_id).ok_or(ProviderError::NotFound)?;
                h.sent = true;
                Ok(Step::Live)
            }
        }
    }

    async fn snapshot(&self, external_id: &str) -> Result<Snapshot, ProviderError> {
        self.note(format!("snapshot {external_id}"));
        let held = self.held.lock().unwrap();
        let h = held.get(external_id).ok_or(ProviderError::NotFound)?;
        let done = h.signed.len() == h.signers.len();
        let (status, raw) = match (h.cancelled, done) {
            (true, _) => (RequestStatus::Cancelled, "cancelled"),
            (false, true) => (RequestStatus::Signed, "completed"),
            (false, false) => (RequestStatus::Waiting, "pending"),
        };
        Ok(Snapshot {
            status,
            raw_status: raw.into(),
            signers: h
                .signers
                .iter()
                .map(|(id, key)| SignerState {
                    id: id.clone(),
                    email: format!("{key}@example.nl"),
                    status: if h.signed.contains(id) {
                        "signed"
                    } else {
                        "waiting"
                    }
                    .into(),
                    at: None,
                    reason: None,
                })
                .collect(),
            events: h
                .signed
                .iter()
                .map(|id| ActivityRow {
                    activity_id: format!("signed-{id}"),
                    signer_id: id.clone(),
                    kind: "signed".into(),
                    code: 0,
                    info: None,
                    happened_at: "2026-12-01T10:00:00+00:00".into(),
                })
                .collect(),
        })
    }

    async fn cancel(
        &self,
        external_id: &str,
        _reason: &str,
        _notify: bool,
    ) -> Result<Snapshot, ProviderError> {
        if let Some(h) = self.held.lock().unwrap().get_mut(external_id) {
            h.cancelled = true;
        }
        self.snapshot(external_id).await
    }

    async fn purge(&self, external_id: &str) -> Result<(), ProviderError> {
        self.held.lock().unwrap().remove(external_id);
        Ok(())
    }

    fn artifacts(&self, documents: &[DocumentRow], state: &str) -> Vec<ArtifactRef> {
        let state: serde_json::Value = serde_json::from_str(state).unwrap_or_default();
        documents
            .iter()
            .map(|d| ArtifactRef {
                kind: "signed",
                file_id: state["packages"][d.id.to_string()]
                    .as_str()
                    .unwrap_or("not kept")
                    .to_string(),
                name: format!("{} (signed)", d.name),
            })
            .collect()
    }

    async fn download(
        &self,
        external_id: &str,
        _state: &str,
        a: &ArtifactRef,
    ) -> Result<Vec<u8>, ProviderError> {
        self.note(format!("download {external_id} {}", a.file_id));
        Ok(format!("%PDF-1.7\n% signed by the fake service: {}\n", a.file_id).into_bytes())
    }

    fn inbound(&self, headers: &http::HeaderMap, body: &[u8]) -> Inbound {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let signature = headers
            .get("x-fake-signature")
            .and_then(|h| h.to_str().ok())
            .map(str::to_string);
        Inbound {
            external_id: v["documentId"].as_str().map(str::to_string),
            hint: v["event"].as_str().map(str::to_string),
            refused: (signature.as_deref() != Some("good")).then(|| "bad signature".to_string()),
            signature,
            ignore: None,
        }
    }
}

async fn hook(app: &TestApp, external_id: &str, signature: &str) -> StatusCode {
    app.bare_client()
        .post(app.url("/hooks/signicat"))
        .header("x-fake-signature", signature)
        .json(&json!({"documentId": external_id, "event": "document_signed"}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_second_service_takes_a_request_from_draft_to_archive_through_the_same_core() {
    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    for db in dbs {
        let fake = Arc::new(Fake::default());
        let app =
            TestApp::spawn_with_providers(db, &[("WORKERS", "off")], vec![fake.clone()]).await;
        let backend = app.db.backend();
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let id = app.ready_draft(&owner).await;
        let ids = id.to_string();

        // The configured services are offered; the draft moves to the fake one.
        let view = app.request_view(&owner, id).await;
        assert_eq!(view["service"], json!("signhost"));
        let offered: Vec<&str> = view["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            offered,
            ["signhost", "certeurope", "hotsign", "signicat"],
            "{backend}"
        );
        let res = app
            .call(
                &owner,
                "requests/service",
                &[("id", &ids), ("service", "docusign")],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not configured here"
        );
        let res = app
            .call(
                &owner,
                "requests/service",
                &[("id", &ids), ("service", "signicat")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);

        // Its capabilities are checked before sending: it places no fields.
        let res = app.call(&owner, "requests/start", &[("id", &ids)]).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{backend}");
        let view = app.request_view(&owner, id).await;
        let doc = view["documents"][0]["id"].clone();
        let res = app
            .call_json(
                &owner,
                "requests/fields",
                json!({"id": id, "document_id": doc, "fields": []}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.call(&owner, "requests/start", &[("id", &ids)]).await;
        let status = res.status();
        assert_eq!(
            status,
            StatusCode::OK,
            "{backend}: {}",
            res.text().await.unwrap()
        );

        // The worker sends it with the fake's own steps.
        let w = Worker::with_providers(
            app.db.clone(),
            Providers::new(vec![fake.clone()], ProviderKind::Signhost),
        );
        until_idle(&w).await;
        let row = requests::find(&app.db, id).await.unwrap().unwrap();
        assert_eq!(row.status(), RequestStatus::Waiting, "{backend}");
        assert_eq!(row.provider, "signicat");
        let external_id = row.external_id.clone().unwrap();
        assert_eq!(external_id, format!("fake-{id}"));
        let calls = fake.calls.lock().unwrap().clone();
        assert_eq!(
            calls,
            [
                format!("create {external_id}"),
                format!("send {external_id}")
            ]
        );

        // The portal's link hands out the fake's signing page.
        let links = signer_links::list(&app.db, id).await.unwrap();
        assert_eq!(links.len(), 2);
        let res = app
            .bare_client()
            .get(app.url(&format!("/s/{}", links[0].token)))
            .send()
            .await
            .unwrap();
        assert_eq!(
            location(&res),
            format!("https://fake.example/sign/{external_id}/fs1")
        );

        // The tokens chosen before the create are the signers' links.
        assert_eq!(links[0].token, format!("tok-{id}-s1").repeat(4));

        // A forged hint is kept aside and changes nothing.
        assert_eq!(hook(&app, &external_id, "forged").await, StatusCode::OK);
        fake.sign(&external_id, "fs1");
        assert_eq!(hook(&app, &external_id, "good").await, StatusCode::OK);
        until_idle(&w).await;
        let view = app.request_view(&owner, id).await;
        assert_eq!(view["status"], json!("waiting"));
        assert_eq!(view["tracking"]["signers"][0]["status"], json!("signed"));
        // Back on the portal's landing page with their own token, the first
        // signer is thanked; the second, not yet signed, waits.
        let landing = |token: String| {
            let app = &app;
            async move {
                app.bare_client()
                    .get(app.url(&format!("/return?t={token}")))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        assert!(landing(links[0].token.clone())
            .await
            .contains("Thank you for signing"));
        assert!(landing(links[1].token.clone())
            .await
            .contains("confirming your signature"));
        assert!(landing("nobody".repeat(8))
            .await
            .contains("There is nothing to show here"));
        assert_eq!(view["tracking"]["signers"][1]["status"], json!("waiting"));
        let inbox = postbacks::recent(&app.db, 10).await.unwrap();
        let states: Vec<(&str, &str)> = inbox
            .iter()
            .rev()
            .map(|p| (p.provider.as_str(), p.state.as_str()))
            .collect();
        assert_eq!(
            states,
            [("signicat", "quarantined"), ("signicat", "applied")],
            "{backend}"
        );

        // The second signature, the same hint again: a fetch, then the archive.
        fake.sign(&external_id, "fs2");
        assert_eq!(hook(&app, &external_id, "good").await, StatusCode::OK);
        until_idle(&w).await;
        let view = app.request_view(&owner, id).await;
        assert_eq!(view["status"], json!("signed"), "{backend}");
        assert_eq!(view["tracking"]["archived"], json!(true), "{backend}");
        let files = archive::list(&app.db, id).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].kind, "signed");
        assert_eq!(files[0].file_id, format!("package-{}", doc));
        let postbacks = postbacks::recent(&app.db, 10).await.unwrap();
        assert_eq!(
            postbacks[0].state, "applied",
            "a new fetch, not a duplicate"
        );
        assert_eq!(
            view["tracking"]["postbacks"][0]["service"],
            json!("Signicat")
        );
        app.stop().await;
    }
}
