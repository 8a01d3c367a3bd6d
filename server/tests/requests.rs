//! Preparing requests over HTTP: drafts, who may change them, uploads and
//! their checks, the preflight gate on start.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{expect_status, fixture, location, sample_pdf, TestApp};

#[tokio::test]
async fn only_the_owner_or_an_admin_changes_a_draft() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let other = app.signed_in("other@example.nl", "staff").await;
    let admin = app.signed_in("admin@example.nl", "admin").await;
    let id = app.ready_draft(&owner).await;
    let ids = id.to_string();

    // Anyone on the staff may look, but not change.
    let view = app.request_view(&other, id).await;
    assert_eq!(view["can_edit"], json!(false));
    assert_eq!(app.request_view(&owner, id).await["can_edit"], json!(true));
    let form = [
        ("id", ids.as_str()),
        ("title", "Mine now"),
        ("reference", ""),
        ("flow", "direct"),
        ("language", "en-US"),
        ("days_to_expire", "30"),
    ];
    assert_eq!(
        app.call(&other, "requests/settings", &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .call_json(&other, "requests/signers", json!({"id": id, "signers": []}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.upload(&other, id, "x.pdf", sample_pdf()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.call(&other, "requests/start", &[("id", &ids)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.call(&other, "requests/delete", &[("id", &ids)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["settings"]["title"], json!("Lease"), "nothing changed");
    assert_eq!(view["signers"].as_array().unwrap().len(), 2);
    assert_eq!(view["status"], json!("draft"));

    // An admin may.
    let form = [
        ("id", ids.as_str()),
        ("title", "Checked by admin"),
        ("reference", "L-1"),
        ("flow", "direct"),
        ("language", "en-US"),
        ("days_to_expire", "30"),
    ];
    assert_eq!(
        app.call(&admin, "requests/settings", &form).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.request_view(&owner, id).await["settings"]["title"],
        json!("Checked by admin")
    );

    // A copy belongs to whoever made it, with the documents and fields.
    let res = app
        .call(&other, "requests/duplicate", &[("id", &ids)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: serde_json::Value = app
        .call_json(&other, "requests/list", json!({"filter": {}}))
        .await
        .json()
        .await
        .unwrap();
    let copy = list["rows"][0]["id"].as_i64().unwrap();
    assert_ne!(copy, id);
    let view = app.request_view(&other, copy).await;
    assert_eq!(view["can_edit"], json!(true));
    assert_eq!(view["settings"]["title"], json!("Copy of Checked by admin"));
    assert_eq!(view["documents"][0]["fields"].as_array().unwrap().len(), 2);

    // Signed-out visitors get nothing.
    let anonymous = app.client();
    assert_eq!(
        app.call(&anonymous, "requests/get", &[("id", &ids)])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.upload(&anonymous, id, "x.pdf", sample_pdf())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.get(&anonymous, &format!("/requests/{id}")).await;
    assert!(location(&res).starts_with("/sign-in"), "{res:?}");
    app.stop().await;
}

#[tokio::test]
async fn uploads_are_checked_and_a_bad_file_leaves_the_draft_as_it_was() {
    let app = TestApp::spawn_with(&[("WORKERS", "off"), ("MAX_UPLOAD_MB", "1")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = app.new_draft(&owner).await;

    let res = app
        .upload(&owner, id, "Contract%20v2.pdf", sample_pdf())
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["name"], json!("Contract v2.pdf"));
    assert_eq!(
        doc["pages"],
        json!([{"width": 595.0, "height": 842.0, "rotate": 0}])
    );
    assert_eq!(doc["tags"], json!([{"signer": 1, "page": 1}]));
    assert_eq!(doc["size"], json!(sample_pdf().len()));
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
    let res = app
        .upload(&owner, id, "Turned.pdf", fixture("rotated.pdf"))
        .await;
    let turned: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        turned["pages"][0],
        json!({"width": 842.0, "height": 595.0, "rotate": 90})
    );

    let mut damaged = sample_pdf();
    damaged.truncate(300);
    let big = {
        let mut b = sample_pdf();
        b.resize(1024 * 1024 + 10, b' ');
        b
    };
    let cases: [(&str, Vec<u8>, StatusCode, &str); 6] = [
        (
            "empty.pdf",
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
        ),
        (
            "photo.pdf",
            b"\x89PNG\r\n\x1a\n not a pdf".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not a PDF",
        ),
        (
            "locked.pdf",
            fixture("encrypted.pdf"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
        ),
        (
            "restricted.pdf",
            fixture("restricted.pdf"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
        ),
        (
            "damaged.pdf",
            damaged,
            StatusCode::UNPROCESSABLE_ENTITY,
            "damaged",
        ),
        ("huge.pdf", big, StatusCode::PAYLOAD_TOO_LARGE, "1.0 MB"),
    ];
    for (name, body, status, says) in cases {
        let res = app.upload(&owner, id, name, body).await;
        assert_eq!(res.status(), status, "{name}");
        let answer: serde_json::Value = res.json().await.unwrap();
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{name}: {message}");
    }
    let view = app.request_view(&owner, id).await;
    let names: Vec<_> = view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].clone())
        .collect();
    assert_eq!(names, [json!("Contract v2.pdf"), json!("Turned.pdf")]);

    // The stored PDF comes back as it went in.
    let doc_id = doc["id"].as_i64().unwrap();
    let res = app
        .get(&owner, &format!("/requests/{id}/documents/{doc_id}/pdf"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("Contract v2.pdf"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), sample_pdf());

    // Rename, reorder, remove.
    let ids = id.to_string();
    let docs = doc_id.to_string();
    let res = app
        .call(
            &owner,
            "requests/document",
            &[
                ("id", &ids),
                ("document_id", &docs),
                ("action", "rename"),
                ("name", "  Lease.pdf "),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &owner,
            "requests/document",
            &[("id", &ids), ("document_id", &docs), ("action", "down")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &owner,
            "requests/document",
            &[
                ("id", &ids),
                ("document_id", &docs),
                ("action", "rename"),
                ("name", " "),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let view = app.request_view(&owner, id).await;
    let names: Vec<_> = view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].clone())
        .collect();
    assert_eq!(names, [json!("Turned.pdf"), json!("Lease.pdf")]);
    let res = app
        .call(
            &owner,
            "requests/document",
            &[("id", &ids), ("document_id", &docs), ("action", "remove")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.request_view(&owner, id).await["documents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn uploads_beyond_the_limit_take_their_turn() {
    let app = TestApp::spawn_with(&[("WORKERS", "off"), ("UPLOADS_AT_ONCE", "1")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let id = app.new_draft(&owner).await;
    let uploads = (0..4).map(|n| {
        let (app, owner) = (&app, &owner);
        async move {
            app.upload(owner, id, &format!("Part {n}.pdf"), sample_pdf())
                .await
                .status()
        }
    });
    let answers = futures::future::join_all(uploads).await;
    assert_eq!(answers, [StatusCode::CREATED; 4]);
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["documents"].as_array().unwrap().len(), 4);
    app.stop().await;
}

#[tokio::test]
async fn start_waits_for_a_clean_preflight_and_happens_once() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let empty = app.new_draft(&owner).await;
    let res = app
        .call(&owner, "requests/start", &[("id", &empty.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("Before you send"));

    let id = app.ready_draft(&owner).await;
    let ids = id.to_string();
    // Bob loses his signature field: a warning that must be accepted.
    let view = app.request_view(&owner, id).await;
    let doc = &view["documents"][0];
    let only_ann = json!([doc["fields"][0]]);
    let res = app
        .call_json(
            &owner,
            "requests/fields",
            json!({"id": id, "document_id": doc["id"], "fields": only_ann}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call(&owner, "requests/start", &[("id", &ids)]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("warnings"));
    let res = app
        .call(
            &owner,
            "requests/start",
            &[("id", &ids), ("accept_warnings", "on")],
        )
        .await;
    expect_status(res, StatusCode::OK).await;
    let view = app.request_view(&owner, id).await;
    assert_eq!(view["status"], json!("starting"));
    assert_eq!(view["can_edit"], json!(false));
    assert_eq!(view["progress"]["step"], json!("create"));

    let res = app
        .call(
            &owner,
            "requests/start",
            &[("id", &ids), ("accept_warnings", "on")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .call_json(&owner, "requests/signers", json!({"id": id, "signers": []}))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "sent requests are locked"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_list_says_when_a_search_matches_nothing_or_more_than_it_counts() {
    use app::ssr::db::{users, Db};
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let staff = app.signed_in("staff@example.nl", "staff").await;
    let page = |path: &'static str| {
        let (app, staff) = (&app, &staff);
        async move { app.get(staff, path).await.text().await.unwrap() }
    };
    let empty = page("/").await;
    assert!(empty.contains("No signing requests yet"), "{empty}");
    // A search that finds nothing is not an empty portal.
    let none = page("/?q=nothing%20like%20this").await;
    assert!(!none.contains("No signing requests yet"), "{none}");
    assert!(none.contains("No requests match"), "{none}");
    assert!(none.contains("show every request"), "{none}");

    let owner = users::find_by_email(&app.db, "staff@example.nl")
        .await
        .unwrap()
        .unwrap()
        .id;
    let Db::Sqlite(pool) = &app.db else {
        unreachable!("the test portal runs on SQLite")
    };
    sqlx::query(
        "INSERT INTO requests (owner_id, title, reference, flow, signers, status, created_at, updated_at) \
         WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1100) \
         SELECT $1, 'Lease ' || n, 'REF-' || n, 'direct', '[]', \
         CASE n % 2 WHEN 0 THEN 'draft' ELSE 'signed' END, \
         strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-' || n || ' minutes'), \
         strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-' || n || ' minutes') FROM s",
    )
    .bind(owner)
    .execute(pool)
    .await
    .unwrap();
    let broad = page("/?q=lease").await;
    assert!(
        broad.contains("More than 1000 requests match · showing 25 on this page"),
        "{broad}"
    );
    assert!(broad.contains("1000+"), "{broad}");
    // The newest first, as without the search.
    assert!(
        broad.contains("Lease 1<") && !broad.contains("Lease 1100<"),
        "{broad}"
    );
    let narrow = page("/?q=lease%2010").await;
    // "Lease 10", "Lease 100" to "Lease 109", "Lease 1000" to "Lease 1099".
    assert!(
        narrow.contains("111 requests · showing 25 on this page"),
        "{narrow}"
    );
    app.stop().await;
}
