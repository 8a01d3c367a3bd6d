//! The upgrade to neutral provider columns (migration 0008): a database
//! built with the migrations before it, holding requests in every state
//! the earlier release could leave them in (written as that release wrote
//! them), is upgraded; nothing is lost, and the worker then finishes each
//! request normally, resuming at Signhost rather than starting over. The
//! built-in sandbox of a second portal plays Signhost. On SQLite and on
//! PostgreSQL.

mod support;

use app::model::request::{RequestStatus, Settings, Signer};
use app::ssr::db::documents;
use app::ssr::db::signer_links::{self, LinkRow};
use app::ssr::db::{activities, archive, jobs, postbacks, requests, tracking, Db};
use app::ssr::testing::TestDb;
use chrono::Utc;
use server::providers::signhost::{event_kind, map};
use server::worker::Worker;
use support::flow::{sign_as, until_idle};
use support::{sample_pdf, TestApp};

/// Runs one statement with its bound values on either backend.
macro_rules! run {
    ($db:expr, $sql:expr $(, $b:expr)* $(,)?) => {
        match $db {
            Db::Sqlite(p) => { sqlx::query($sql)$(.bind($b))*.execute(p).await.unwrap(); }
            Db::Postgres(p) => { sqlx::query($sql)$(.bind($b))*.execute(p).await.unwrap(); }
        }
    };
}

async fn scalar(db: &Db, sql: &str, id: i64) -> Option<String> {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap(),
    }
}

/// How far the earlier release had got with a request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Draft,
    /// Asked to send; the job has not run yet.
    BeforeCreate,
    /// The transaction exists at Signhost; no document is there yet.
    Created,
    /// Documents uploaded; not started.
    Uploaded,
    /// Waiting for both signers.
    Waiting,
    /// Both signed; the archive job had not finished.
    SignedNotArchived,
    /// Refused by Signhost; staff were told why.
    Failed,
}

/// Every Signhost activity code, and one it does not have.
const CODES: [i64; 27] = [
    101, 102, 103, 104, 105, 110, 111, 201, 202, 203, 204, 301, 302, 303, 401, 402, 403, 500, 600,
    700, 901, 902, 903, 904, 999, 12345, 0,
];

struct Old {
    id: i64,
    stage: Stage,
    tid: Option<String>,
}

fn settings() -> Settings {
    Settings {
        title: "Lease".into(),
        flow: app::model::request::Flow::Direct,
        language: "en-US".into(),
        ..Settings::default()
    }
}

fn signers() -> Vec<Signer> {
    serde_json::from_value(serde_json::json!([
        {"key": "s1", "email": "ann@example.nl", "name": "Ann", "verifications": [{"type": "Scribble"}]},
        {"key": "s2", "email": "bob@example.nl", "name": "Bob", "verifications": [{"type": "Scribble"}]},
    ]))
    .unwrap()
}

/// A request as the earlier release stored it at `stage`, with the
/// Signhost side (on `sh`'s sandbox) to match.
async fn old_request(db: &Db, sh: &TestApp, owner: i64, stage: Stage) -> Old {
    let s = settings();
    let people = signers();
    let status = match stage {
        Stage::Draft => "draft",
        Stage::Failed => "failed",
        Stage::Waiting => "waiting",
        Stage::SignedNotArchived => "signed",
        _ => "starting",
    };
    let now = Utc::now();
    run!(
        db,
        "INSERT INTO requests (owner_id, title, flow, language, signers, status, failure, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        owner,
        format!("{} ({stage:?})", s.title),
        s.flow.as_str(),
        &s.language,
        serde_json::to_string(&people).unwrap(),
        status,
        (stage == Stage::Failed).then_some("Signhost refused the request: the e-mail address is invalid"),
        now,
    );
    let id: i64 = match db {
        Db::Sqlite(p) => sqlx::query_scalar("SELECT MAX(id) FROM requests")
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar("SELECT MAX(id) FROM requests")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    let pdf = sample_pdf();
    // As the earlier release stored it: the bytes in the documents row.
    run!(
        db,
        "INSERT INTO documents (request_id, position, name, size, sha256, pages, tags, content, created_at) \
         VALUES ($1, 1, 'Lease.pdf', $2, '0', '[{\"width\":595.0,\"height\":842.0,\"rotate\":0}]', '[]', $3, $4)",
        id,
        pdf.len() as i64,
        pdf.clone(),
        now,
    );
    let doc_id: i64 = match db {
        Db::Sqlite(p) => sqlx::query_scalar("SELECT MAX(id) FROM documents")
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar("SELECT MAX(id) FROM documents")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    let step = match stage {
        Stage::BeforeCreate => Some("create"),
        Stage::Created => Some("upload"),
        Stage::Uploaded => Some("start"),
        _ => None,
    };
    if let Some(step) = step {
        jobs::enqueue(db, "start", id, step, now).await.unwrap();
    }
    if matches!(stage, Stage::Draft | Stage::BeforeCreate | Stage::Failed) {
        return Old {
            id,
            stage,
            tid: None,
        };
    }
    // What the earlier release sent, and what Signhost answered.
    let client = sh.signhost();
    let (postback, back) = (sh.url("/test-nowhere"), sh.url("/return"));
    let addresses = map::Addresses {
        postback_url: &postback,
        return_url: &back,
    };
    let wanted = map::transaction(id, &s, &people, &[], &addresses);
    let created = client.create_transaction(&wanted).await.unwrap();
    let tid = created.id.clone().unwrap();
    run!(
        db,
        "UPDATE requests SET signhost_id = $1, sent_transaction = $2 WHERE id = $3",
        &tid,
        serde_json::to_string(&wanted).unwrap(),
        id,
    );
    for (i, p) in people.iter().enumerate() {
        let signer_id = map::signer_id(i + 1);
        let sign_url = created
            .signers
            .iter()
            .find(|c| c.id.as_deref() == Some(signer_id.as_str()))
            .and_then(|c| c.sign_url.clone())
            .unwrap();
        let link = LinkRow {
            token: format!("{id}-{}", p.key).repeat(8),
            request_id: id,
            signer_key: p.key.clone(),
            signer_id,
            sign_url,
        };
        signer_links::upsert(db, &link, now).await.unwrap();
    }
    if stage == Stage::Created {
        return Old {
            id,
            stage,
            tid: Some(tid),
        };
    }
    // As the earlier release read it (its documents had no later columns).
    let doc = app::model::request::DocumentView {
        id: doc_id,
        name: "Lease.pdf".into(),
        position: 1,
        size: pdf.len() as i64,
        sha256: "0".into(),
        pages: vec![app::model::request::PageInfo {
            width: 595.0,
            height: 842.0,
            rotate: 0,
        }],
        tags: vec![],
        fields: vec![],
        markup: None,
    };
    let file = map::file_id(doc_id);
    client
        .put_file_meta(&tid, &file, &map::file_meta(&doc, &people))
        .await
        .unwrap();
    client.put_file(&tid, &file, pdf.into()).await.unwrap();
    documents::mark_uploaded(db, doc_id, now).await.unwrap();
    if stage == Stage::Uploaded {
        return Old {
            id,
            stage,
            tid: Some(tid),
        };
    }
    client.start(&tid).await.unwrap();
    run!(
        db,
        "UPDATE requests SET signhost_status = 10, started_at = $1 WHERE id = $2",
        now,
        id,
    );
    if stage == Stage::SignedNotArchived {
        let tx = client.get_transaction(&tid).await.unwrap();
        sign_as(sh, &tx, 0, None).await;
        sign_as(sh, &tx, 1, None).await;
        run!(
            db,
            "UPDATE requests SET signhost_status = 30, signers_signed = 2 WHERE id = $1",
            id
        );
        jobs::enqueue(db, "archive", id, "download", now)
            .await
            .unwrap();
        for code in CODES {
            run!(
                db,
                "INSERT INTO activities (request_id, activity_id, signer_id, code, info, happened_at) \
                 VALUES ($1, $2, 'Signer1', $3, NULL, '2026-12-01T10:00:00+00:00')",
                id,
                format!("a-{code}"),
                code,
            );
        }
    }
    Old {
        id,
        stage,
        tid: Some(tid),
    }
}

#[tokio::test]
async fn requests_in_every_state_finish_normally_after_the_upgrade() {
    let sh = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let mut dbs = vec![TestDb::sqlite_before(8).await];
    dbs.extend(TestDb::postgres_before(8).await);
    for old_db in dbs {
        let db = old_db.db.clone();
        let backend = db.backend();
        run!(
            &db,
            "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) \
             VALUES ('owner@example.nl', 'Olga', 'x', 'staff', $1, $1)",
            Utc::now(),
        );
        let owner = 1;
        let mut old = Vec::new();
        for stage in [
            Stage::Draft,
            Stage::BeforeCreate,
            Stage::Created,
            Stage::Uploaded,
            Stage::Waiting,
            Stage::SignedNotArchived,
            Stage::Failed,
        ] {
            old.push(old_request(&db, &sh, owner, stage).await);
        }
        let waiting = old.iter().find(|o| o.stage == Stage::Waiting).unwrap();
        let waiting_tid = waiting.tid.clone().unwrap();
        // A postback stored but not yet processed when the old release stopped.
        run!(
            &db,
            "INSERT INTO postbacks (received_at, headers, body, size, transaction_id, status, checksum, state, run_at) \
             VALUES ($1, '{}', '{}', 2, $2, 10, 'old-checksum', 'received', $1)",
            Utc::now(),
            &waiting_tid,
        );

        db.migrate().await.unwrap();
        // Every document's bytes moved to their own table, whole.
        for o in &old {
            let docs = documents::list(&db, o.id).await.unwrap();
            assert_eq!(docs.len(), 1);
            let bytes = documents::content(&db, o.id, docs[0].id).await.unwrap();
            assert_eq!(bytes.as_deref(), Some(&sample_pdf()[..]), "{:?}", o.stage);
        }

        // Nothing lost: the Signhost columns are now the neutral ones.
        for o in &old {
            let row = requests::find(&db, o.id).await.unwrap().unwrap();
            assert_eq!(row.provider, "signhost", "{backend} {:?}", o.stage);
            assert_eq!(row.external_id, o.tid, "{backend} {:?}", o.stage);
            assert_eq!(row.sent_payload.is_some(), o.tid.is_some());
            assert_eq!(row.provider_state, "{}");
        }
        let signed = old
            .iter()
            .find(|o| o.stage == Stage::SignedNotArchived)
            .unwrap();
        let raw = scalar(
            &db,
            "SELECT provider_status FROM requests WHERE id = $1",
            signed.id,
        )
        .await;
        assert_eq!(raw.as_deref(), Some("30"), "{backend}");
        let inbox = postbacks::recent(&db, 10).await.unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].provider, "signhost");
        assert_eq!(inbox[0].external_id.as_deref(), Some(waiting_tid.as_str()));
        assert_eq!(inbox[0].hint.as_deref(), Some("10"));
        assert_eq!(inbox[0].signature.as_deref(), Some("old-checksum"));
        // The migration names old activities as the adapter names new ones.
        let acts = activities::list(&db, signed.id).await.unwrap();
        assert_eq!(acts.len(), CODES.len());
        for a in &acts {
            assert_eq!(
                a.kind,
                event_kind(a.code).as_str(),
                "{backend}: code {}",
                a.code
            );
        }

        // The new release's worker finishes every request.
        let w = Worker::new(
            db.clone(),
            sh.signhost(),
            sh.url("/test-nowhere"),
            sh.url("/return"),
        );
        until_idle(&w).await;
        let tx = sh.signhost().get_transaction(&waiting_tid).await.unwrap();
        sign_as(&sh, &tx, 0, None).await;
        sign_as(&sh, &tx, 1, None).await;
        tracking::schedule_check(&db, waiting.id, Utc::now(), 0)
            .await
            .unwrap();
        until_idle(&w).await;

        for o in &old {
            let row = requests::find(&db, o.id).await.unwrap().unwrap();
            let want = match o.stage {
                Stage::Draft => RequestStatus::Draft,
                Stage::Failed => RequestStatus::Failed,
                Stage::Waiting | Stage::SignedNotArchived => RequestStatus::Signed,
                _ => RequestStatus::Waiting,
            };
            assert_eq!(row.status(), want, "{backend} {:?}", o.stage);
            if matches!(o.stage, Stage::Created | Stage::Uploaded) {
                assert_eq!(
                    row.external_id, o.tid,
                    "{:?} resumed, not sent twice",
                    o.stage
                );
            }
            if want == RequestStatus::Waiting {
                assert!(row.external_id.is_some());
                assert_eq!(signer_links::list(&db, o.id).await.unwrap().len(), 2);
            }
            if want == RequestStatus::Signed {
                let files = archive::list(&db, o.id).await.unwrap();
                let kinds: Vec<&str> = files.iter().map(|f| f.kind.as_str()).collect();
                assert_eq!(kinds, ["signed", "receipt"], "{backend} {:?}", o.stage);
            }
        }
        let failed = old.iter().find(|o| o.stage == Stage::Failed).unwrap();
        let row = requests::find(&db, failed.id).await.unwrap().unwrap();
        assert!(row.failure.unwrap().contains("e-mail address is invalid"));
        assert!(postbacks::recent(&db, 10)
            .await
            .unwrap()
            .iter()
            .all(|p| p.state != "received"));
        old_db.remove().await;
    }
    sh.stop().await;
}
