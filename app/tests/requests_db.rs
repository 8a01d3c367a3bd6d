//! The requests part of the db room on both backends: drafts, documents,
//! jobs and signer links.

use app::model::request::{RequestStatus, Settings};
use app::model::Role;
use app::ssr::db::documents::{self, NewDocument};
use app::ssr::db::requests::{self, People};
use app::ssr::db::signer_links::{self, LinkRow};
use app::ssr::db::{jobs, users, Db};
use app::ssr::testing::on_each_backend;
use chrono::{Duration, Utc};

async fn owner(db: &Db) -> i64 {
    let user = users::NewUser {
        email: "owner@example.nl",
        display_name: "Olga Owner",
        password_hash: "hash",
        role: Role::Staff,
    };
    users::insert(db, &user, Utc::now()).await.unwrap()
}

async fn add_document(db: &Db, request_id: i64, name: &str, content: &[u8]) -> i64 {
    let doc = NewDocument {
        request_id,
        name,
        sha256: "abc",
        pages_json: r#"[{"width":595.0,"height":842.0,"rotate":0}]"#,
        tags_json: r#"[{"signer":1,"page":1}]"#,
        content: content.to_vec(),
    };
    documents::insert(db, doc, Utc::now()).await.unwrap().0
}

#[tokio::test]
async fn drafts_are_saved_listed_and_locked_once_sent() {
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let id = requests::insert(&db, owner, Utc::now()).await.unwrap();
        let row = requests::find(&db, id).await.unwrap().unwrap();
        assert_eq!(row.status(), RequestStatus::Draft);
        assert_eq!(row.owner_name, "Olga Owner");
        assert_eq!(row.settings(), Settings::default());

        let settings = Settings {
            title: "Lease".into(),
            days_to_expire: 14,
            sequential: true,
            ..Settings::default()
        };
        assert!(requests::save_settings(&db, id, &settings, Utc::now())
            .await
            .unwrap());
        assert!(
            requests::save_people(&db, id, People::Signers, r#"[{"key":"s1"}]"#, Utc::now())
                .await
                .unwrap()
        );
        let row = requests::find(&db, id).await.unwrap().unwrap();
        assert_eq!(row.settings(), settings);
        assert_eq!(row.signers, r#"[{"key":"s1"}]"#);
        assert_eq!(requests::list(&db, 10).await.unwrap().len(), 1);

        assert!(requests::mark_starting(&db, id, Utc::now()).await.unwrap());
        assert!(
            !requests::mark_starting(&db, id, Utc::now()).await.unwrap(),
            "only once"
        );
        assert!(
            !requests::save_settings(&db, id, &Settings::default(), Utc::now())
                .await
                .unwrap()
        );
        assert!(
            !requests::delete(&db, id).await.unwrap(),
            "sent requests stay"
        );

        requests::set_status(
            &db,
            id,
            RequestStatus::Failed,
            Some("Signhost said no"),
            Utc::now(),
        )
        .await
        .unwrap();
        let row = requests::find(&db, id).await.unwrap().unwrap();
        assert_eq!(row.status(), RequestStatus::Failed);
        assert_eq!(row.failure.as_deref(), Some("Signhost said no"));
        assert!(
            requests::save_settings(&db, id, &settings, Utc::now())
                .await
                .unwrap(),
            "fixable again"
        );
        assert!(requests::delete(&db, id).await.unwrap());
        assert!(requests::find(&db, id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn documents_keep_order_bytes_and_fields() {
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let id = requests::insert(&db, owner, Utc::now()).await.unwrap();
        let a = add_document(&db, id, "A.pdf", b"%PDF-a").await;
        let b = add_document(&db, id, "B.pdf", b"%PDF-bb").await;
        let names = |list: Vec<documents::DocumentRow>| {
            list.into_iter().map(|d| d.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(documents::list(&db, id).await.unwrap()),
            ["A.pdf", "B.pdf"]
        );
        let listed = documents::list(&db, id).await.unwrap();
        assert_eq!(listed[1].size, 7);
        assert_eq!(listed[0].to_view().tags.len(), 1);
        assert_eq!(
            documents::content(&db, id, b).await.unwrap().unwrap(),
            b"%PDF-bb"
        );
        assert!(
            documents::content(&db, id + 1, b).await.unwrap().is_none(),
            "scoped to the request"
        );

        assert!(documents::move_by_one(&db, id, b, true).await.unwrap());
        assert_eq!(
            names(documents::list(&db, id).await.unwrap()),
            ["B.pdf", "A.pdf"]
        );
        assert!(documents::rename(&db, id, a, "Terms.pdf").await.unwrap());
        assert!(documents::save_fields(&db, id, a, "[]").await.unwrap());
        assert!(!documents::rename(&db, id + 1, a, "x").await.unwrap());

        let copy = requests::duplicate(&db, id, owner, Utc::now())
            .await
            .unwrap();
        assert_eq!(
            names(documents::list(&db, copy).await.unwrap()),
            ["B.pdf", "Terms.pdf"]
        );
        assert_eq!(
            documents::content(&db, copy, documents::list(&db, copy).await.unwrap()[0].id)
                .await
                .unwrap()
                .unwrap(),
            b"%PDF-bb"
        );

        // A written document stays written in a copy, with its text.
        let markup = app::model::request::MarkupInfo::default();
        let written = documents::Written {
            request_id: id,
            name: "Lease.md",
            sha256: "def",
            markup: &markup,
            text: "# Lease",
        };
        let w = documents::insert_written(&db, &written, Utc::now())
            .await
            .unwrap();
        let changed = documents::Written {
            text: "# Lease, second draft",
            ..written
        };
        assert!(documents::update_written(&db, w, &changed).await.unwrap());
        let copy = requests::duplicate(&db, id, owner, Utc::now())
            .await
            .unwrap();
        let copied = documents::list(&db, copy).await.unwrap();
        let last = copied.last().unwrap();
        assert!(last.markup.is_some(), "{last:?}");
        assert_eq!(
            documents::content(&db, copy, last.id)
                .await
                .unwrap()
                .unwrap(),
            b"# Lease, second draft"
        );
        assert!(documents::remove(&db, id, w).await.unwrap());

        documents::mark_uploaded(&db, a, Utc::now()).await.unwrap();
        assert!(documents::list(&db, id)
            .await
            .unwrap()
            .iter()
            .any(|d| d.uploaded_at.is_some()));
        documents::clear_uploaded(&db, id).await.unwrap();
        assert!(documents::list(&db, id)
            .await
            .unwrap()
            .iter()
            .all(|d| d.uploaded_at.is_none()));
        assert!(documents::remove(&db, id, a).await.unwrap());
        assert_eq!(names(documents::list(&db, id).await.unwrap()), ["B.pdf"]);
    })
    .await;
}

#[tokio::test]
async fn large_documents_are_stored_whole_and_archive_files_once() {
    use app::ssr::db::archive::{self, NewArchiveFile};
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let id = requests::insert(&db, owner, Utc::now()).await.unwrap();
        // More than two of the pieces SQLite is handed, and not a multiple of one.
        let big: Vec<u8> = (0..2_500_003u32).map(|i| (i * 7 % 251) as u8).collect();
        let doc = add_document(&db, id, "Scan.pdf", &big).await;
        assert_eq!(
            documents::content(&db, id, doc).await.unwrap().unwrap(),
            big
        );
        assert_eq!(
            documents::list(&db, id).await.unwrap()[0].size,
            big.len() as i64
        );
        let empty = add_document(&db, id, "Empty.pdf", b"").await;
        assert!(documents::content(&db, id, empty)
            .await
            .unwrap()
            .unwrap()
            .is_empty());

        for content in [&big[..], b"a different file"] {
            let file = NewArchiveFile {
                request_id: id,
                kind: "signed",
                file_id: "doc-1",
                name: "Scan (signed).pdf",
                sha256: "abc",
                content,
            };
            archive::insert(&db, &file, Utc::now()).await.unwrap();
        }
        let stored = archive::list(&db, id).await.unwrap();
        assert_eq!(stored.len(), 1, "stored once");
        assert_eq!(stored[0].size, big.len() as i64);
        let content = archive::content(&db, id, stored[0].id)
            .await
            .unwrap()
            .unwrap();
        assert!(content == big, "the first file, whole");
    })
    .await;
}

#[tokio::test]
async fn jobs_are_claimed_by_one_worker_and_survive_a_dead_one() {
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let id = requests::insert(&db, owner, Utc::now()).await.unwrap();
        let now = Utc::now();
        assert!(jobs::enqueue(&db, "start", id, "create", now)
            .await
            .unwrap());
        assert!(
            !jobs::enqueue(&db, "start", id, "create", now)
                .await
                .unwrap(),
            "one open job per request"
        );

        let lease = now + Duration::minutes(10);
        let job = jobs::claim(&db, "worker-a", now, lease)
            .await
            .unwrap()
            .expect("due");
        assert_eq!(job.step, "create");
        assert!(
            jobs::claim(&db, "worker-b", now, lease)
                .await
                .unwrap()
                .is_none(),
            "taken"
        );

        // Worker A dies; after its lease, worker B takes over and A can no longer write.
        let later = lease + Duration::seconds(1);
        let job = jobs::claim(&db, "worker-b", later, later + Duration::minutes(10))
            .await
            .unwrap()
            .expect("lease expired");
        assert!(!jobs::advance(&db, job.id, "worker-a", "upload", later)
            .await
            .unwrap());
        assert!(jobs::advance(&db, job.id, "worker-b", "upload", later)
            .await
            .unwrap());

        let job = jobs::claim(&db, "worker-b", later, later + Duration::minutes(10))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.step, "upload");
        let retry_at = later + Duration::seconds(30);
        jobs::retry_later(&db, job.id, "worker-b", "503", retry_at, later)
            .await
            .unwrap();
        assert!(
            jobs::claim(&db, "worker-b", later, later)
                .await
                .unwrap()
                .is_none(),
            "not due yet"
        );
        let job = jobs::claim(&db, "worker-b", retry_at, retry_at + Duration::minutes(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((job.attempts, job.last_error.as_deref()), (1, Some("503")));
        jobs::finish(&db, job.id, "worker-b", None, retry_at)
            .await
            .unwrap();
        assert!(jobs::claim(&db, "worker-b", retry_at, retry_at)
            .await
            .unwrap()
            .is_none());
        let latest = jobs::latest(&db, "start", id).await.unwrap().unwrap();
        assert!(latest.done_at.is_some());
        assert!(
            jobs::enqueue(&db, "start", id, "create", now)
                .await
                .unwrap(),
            "a new one after the end"
        );
    })
    .await;
}

#[tokio::test]
async fn signer_links_keep_their_token_when_the_url_changes() {
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let id = requests::insert(&db, owner, Utc::now()).await.unwrap();
        let link = |token: &str, url: &str| LinkRow {
            token: token.into(),
            request_id: id,
            signer_key: "s1".into(),
            signer_id: "Signer1".into(),
            sign_url: url.into(),
        };
        signer_links::upsert(&db, &link("tok1", "https://a"), Utc::now())
            .await
            .unwrap();
        signer_links::upsert(&db, &link("tok2", "https://b"), Utc::now())
            .await
            .unwrap();
        let found = signer_links::find(&db, "tok1").await.unwrap().unwrap();
        assert_eq!(found.sign_url, "https://b");
        assert!(signer_links::find(&db, "tok2").await.unwrap().is_none());
        assert_eq!(signer_links::list(&db, id).await.unwrap().len(), 1);
        signer_links::delete_for(&db, id).await.unwrap();
        assert!(signer_links::list(&db, id).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_list_searches_filters_and_pages_by_keyset() {
    use app::model::dashboard::{Filter, Sort};
    use app::ssr::db::dashboard;
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let other = users::insert(
            &db,
            &users::NewUser {
                email: "x@example.nl",
                display_name: "Xavier",
                password_hash: "h",
                role: Role::Staff,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let start = Utc::now() - Duration::days(10);
        let mut ids = Vec::new();
        for i in 0..7 {
            let who = if i % 2 == 0 { owner } else { other };
            let id = requests::insert(&db, who, start + Duration::days(i))
                .await
                .unwrap();
            let s = Settings {
                title: format!("Contract {i}"),
                reference: format!("REF-{i}"),
                ..Settings::default()
            };
            requests::save_settings(&db, id, &s, start + Duration::days(i))
                .await
                .unwrap();
            let signers =
                format!(r#"[{{"key":"s1","name":"Signer {i}","email":"person{i}@example.nl"}}]"#);
            requests::save_people(
                &db,
                id,
                People::Signers,
                &signers,
                start + Duration::days(i),
            )
            .await
            .unwrap();
            ids.push(id);
        }
        requests::mark_starting(&db, ids[6], Utc::now())
            .await
            .unwrap();

        // Newest change first, three per page, following the cursor to the end.
        let mut seen = Vec::new();
        let mut f = Filter::default();
        loop {
            let rows = dashboard::list(&db, &f, owner, 4, false).await.unwrap();
            let more = rows.len() > 3;
            let page: Vec<_> = rows.into_iter().take(3).collect();
            seen.extend(page.iter().map(|r| r.id));
            if !more {
                break;
            }
            f.after = dashboard::cursor(f.sort, page.last().unwrap());
        }
        let newest_first: Vec<i64> = {
            let mut rest: Vec<i64> = ids[..6].to_vec();
            rest.reverse();
            std::iter::once(ids[6]).chain(rest).collect()
        };
        assert_eq!(seen, newest_first);

        let find = |f: Filter| {
            let db = db.clone();
            async move {
                let ids = |rows: Vec<dashboard::ListRow>| {
                    rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
                };
                let few = ids(dashboard::list(&db, &f, owner, 50, false).await.unwrap());
                // A broad search finds the same page another way.
                let many = ids(dashboard::list(&db, &f, owner, 50, true).await.unwrap());
                assert_eq!(few, many, "{f:?}");
                few
            }
        };
        assert_eq!(
            find(Filter {
                q: "person3@EXAMPLE".into(),
                ..Filter::default()
            })
            .await,
            vec![ids[3]]
        );
        assert_eq!(
            find(Filter {
                q: "ref-5".into(),
                ..Filter::default()
            })
            .await,
            vec![ids[5]]
        );
        assert_eq!(
            find(Filter {
                status: "starting".into(),
                ..Filter::default()
            })
            .await,
            vec![ids[6]]
        );
        assert_eq!(
            find(Filter {
                mine: true,
                ..Filter::default()
            })
            .await
            .len(),
            4
        );
        let day = |d: i64| (start + Duration::days(d)).date_naive().to_string();
        let ranged = find(Filter {
            from: day(2),
            to: day(3),
            ..Filter::default()
        })
        .await;
        assert_eq!(ranged, vec![ids[3], ids[2]]);
        let by_title = find(Filter {
            sort: Sort::Title,
            ..Filter::default()
        })
        .await;
        assert_eq!(by_title, ids);
        let second = find(Filter {
            sort: Sort::Title,
            after: format!("contract 1~{}", ids[1]),
            ..Filter::default()
        })
        .await;
        assert_eq!(second, ids[2..].to_vec());

        let counts = dashboard::counts(&db, &Filter::default(), owner)
            .await
            .unwrap();
        assert!(!counts.capped);
        let counts = counts.per_status;
        assert!(counts.contains(&("draft".to_string(), 6)));
        assert!(counts.contains(&("starting".to_string(), 1)));
        // The status tabs count what the other filters leave, whatever the status filter.
        let searched = dashboard::counts(
            &db,
            &Filter {
                q: "person3@EXAMPLE".into(),
                status: "starting".into(),
                ..Filter::default()
            },
            owner,
        )
        .await
        .unwrap();
        assert_eq!(searched.per_status, vec![("draft".to_string(), 1)]);
        assert!(!searched.capped);

        // A search's counts stop past the cap; below it they are exact.
        let broad = Filter {
            q: "contract".into(),
            ..Filter::default()
        };
        let capped = dashboard::counts_up_to(&db, &broad, owner, 3)
            .await
            .unwrap();
        assert!(capped.capped, "{capped:?}");
        assert_eq!(capped.per_status.iter().map(|(_, n)| n).sum::<i64>(), 4);
        let exact = dashboard::counts_up_to(&db, &broad, owner, 7)
            .await
            .unwrap();
        assert!(!exact.capped, "{exact:?}");
        let mut exact = exact.per_status;
        exact.sort();
        assert_eq!(
            exact,
            vec![("draft".to_string(), 6), ("starting".to_string(), 1)]
        );
        let short = Filter {
            q: "co".into(),
            ..Filter::default()
        };
        assert!(
            dashboard::counts_up_to(&db, &short, owner, 3)
                .await
                .unwrap()
                .capped
        );

        // Only mine: counted per owner (ids 0, 2, 4 and 6 are the owner's).
        let mut mine = dashboard::counts(
            &db,
            &Filter {
                mine: true,
                ..Filter::default()
            },
            owner,
        )
        .await
        .unwrap()
        .per_status;
        mine.sort();
        assert_eq!(
            mine,
            vec![("draft".to_string(), 3), ("starting".to_string(), 1)]
        );

        // A changed title is found by its new words only; short searches
        // and the LIKE wildcards work as before.
        let s = Settings {
            title: "Tenancy agreement".into(),
            reference: "REF-0".into(),
            ..Settings::default()
        };
        requests::save_settings(&db, ids[0], &s, Utc::now())
            .await
            .unwrap();
        let q = |q: &str| Filter {
            q: q.into(),
            ..Filter::default()
        };
        assert_eq!(find(q("TENANCY")).await, vec![ids[0]]);
        assert_eq!(find(q("nancy agr")).await, vec![ids[0]]);
        assert!(find(q("Contract 0")).await.is_empty());
        assert_eq!(find(q("-4")).await, vec![ids[4]]);
        assert!(find(q("100%")).await.is_empty());
        assert!(find(q("ref_1")).await.is_empty());
        assert_eq!(find(q("\"ref-2")).await, Vec::<i64>::new());
        // Beyond ASCII the broad search keeps the index.
        let s = Settings {
            title: "Overeenkomst één".into(),
            ..Settings::default()
        };
        requests::save_settings(&db, ids[2], &s, Utc::now())
            .await
            .unwrap();
        assert_eq!(find(q("één")).await, vec![ids[2]]);

        // A deleted draft leaves the counts.
        assert!(requests::delete(&db, ids[1]).await.unwrap());
        let counts = dashboard::counts(&db, &Filter::default(), owner)
            .await
            .unwrap()
            .per_status;
        assert!(counts.contains(&("draft".to_string(), 5)), "{counts:?}");
    })
    .await;
}

#[tokio::test]
async fn tracking_moves_forward_only_and_records_postbacks_and_activities() {
    use app::ssr::db::activities::{self, ActivityRow};
    use app::ssr::db::postbacks::{self, NewPostback};
    use app::ssr::db::tracking::{self, Observed};
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let id = requests::insert(&db, owner, Utc::now()).await.unwrap();
        requests::set_status(&db, id, RequestStatus::Waiting, None, Utc::now())
            .await
            .unwrap();
        let codes = ["10", "30", "40"];
        let seen = |status, code: i64| Observed {
            status,
            provider_status: codes
                .iter()
                .find(|c| **c == code.to_string())
                .unwrap_or(&"10"),
            signers_signed: 1,
            signer_states_json: "[]",
            fetched_at: Utc::now(),
        };
        assert!(
            tracking::observe(&db, id, &seen(RequestStatus::Waiting, 10), Utc::now())
                .await
                .unwrap()
        );
        assert!(
            tracking::observe(&db, id, &seen(RequestStatus::Signed, 30), Utc::now())
                .await
                .unwrap()
        );
        assert!(
            !tracking::observe(&db, id, &seen(RequestStatus::Waiting, 10), Utc::now())
                .await
                .unwrap()
        );
        assert!(
            !tracking::observe(&db, id, &seen(RequestStatus::Rejected, 40), Utc::now())
                .await
                .unwrap()
        );
        assert_eq!(
            requests::find(&db, id).await.unwrap().unwrap().status(),
            RequestStatus::Signed
        );

        let a = ActivityRow {
            activity_id: "a1".into(),
            signer_id: "Signer1".into(),
            kind: "signed".into(),
            code: 203,
            info: None,
            happened_at: "2026-11-23T10:00:00+00:00".into(),
        };
        assert_eq!(
            activities::merge(&db, id, &[a.clone(), a.clone()])
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            activities::merge(&db, id, std::slice::from_ref(&a))
                .await
                .unwrap(),
            0
        );
        assert_eq!(activities::list(&db, id).await.unwrap(), vec![a]);

        let p = NewPostback {
            headers: "{}",
            body: "{}",
            size: 2,
            provider: "signhost",
            external_id: Some("t1"),
            hint: Some("30"),
            signature: Some("c"),
            state: "received",
            reason: None,
        };
        let first = postbacks::insert(&db, &p, Utc::now()).await.unwrap();
        let second = postbacks::insert(&db, &p, Utc::now()).await.unwrap();
        let now = Utc::now();
        let claimed = postbacks::claim(&db, now, now + Duration::minutes(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.id, first);
        assert_eq!(claimed.hint.as_deref(), Some("30"));
        // Not covered: the service was last asked before it arrived.
        let asked_before = Utc::now() - Duration::minutes(5);
        let asked = |at| Observed {
            status: RequestStatus::Signed,
            provider_status: "30",
            signers_signed: 1,
            signer_states_json: "[]",
            fetched_at: at,
        };
        tracking::observe(&db, id, &asked(asked_before), now)
            .await
            .unwrap();
        assert!(!postbacks::covered(&db, &claimed, id).await.unwrap());
        // Asked now (after both arrived): the first's fetch covers the second.
        tracking::observe(&db, id, &asked(Utc::now()), now)
            .await
            .unwrap();
        postbacks::settle(&db, first, "applied", None, Some(id), now)
            .await
            .unwrap();
        let next = postbacks::claim(&db, now, now + Duration::minutes(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(next.id, second);
        assert!(
            postbacks::covered(&db, &next, id).await.unwrap(),
            "received before the service was asked"
        );
        assert!(
            postbacks::claim(&db, now, now).await.unwrap().is_none(),
            "taken"
        );
        assert!(postbacks::replay(&db, first, now).await.unwrap());
        assert_eq!(
            postbacks::find(&db, first).await.unwrap().unwrap().state,
            "received"
        );
        assert_eq!(postbacks::for_request(&db, id).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn last_change_moves_only_when_the_news_is_new() {
    use app::ssr::db::tracking::{self, Observed};
    on_each_backend(|db| async move {
        let owner = owner(&db).await;
        let sent_at = Utc::now() - Duration::hours(2);
        let id = requests::insert(&db, owner, sent_at).await.unwrap();
        requests::set_status(&db, id, RequestStatus::Waiting, None, sent_at)
            .await
            .unwrap();
        let waiting = r#"[{"id":"Signer1","email":"a@example.nl","status":"waiting"}]"#;
        let signed = r#"[{"id":"Signer1","email":"a@example.nl","status":"signed"}]"#;
        let seen = |code: &'static str, signed_count, states| Observed {
            status: RequestStatus::Waiting,
            provider_status: code,
            signers_signed: signed_count,
            signer_states_json: states,
            fetched_at: Utc::now(),
        };
        let changed_at =
            |db: Db| async move { requests::find(&db, id).await.unwrap().unwrap().updated_at };
        let first = changed_at(db.clone()).await;
        // The first reading of the signers, and Signhost's own 10 → 20: no news.
        for code in ["10", "20", "20"] {
            tracking::observe(&db, id, &seen(code, 0, waiting), Utc::now())
                .await
                .unwrap();
        }
        assert_eq!(changed_at(db.clone()).await, first);
        // A signature is.
        let now = Utc::now();
        tracking::observe(&db, id, &seen("20", 1, signed), now)
            .await
            .unwrap();
        let moved = changed_at(db.clone()).await;
        assert!(moved > first, "{moved} > {first}");
        // And an activity, recorded as such.
        let later = now + Duration::minutes(1);
        tracking::touch(&db, id, later).await.unwrap();
        assert!(changed_at(db.clone()).await > moved);
    })
    .await;
}

#[tokio::test]
async fn postbacks_stored_together_keep_each_its_own_id() {
    use app::ssr::db::postbacks::{self, NewPostback};
    on_each_backend(|db| async move {
        // One stored alone first, so the batch's ids do not start at 1.
        let alone = NewPostback {
            headers: "{}",
            body: "alone",
            size: 5,
            provider: "signhost",
            external_id: None,
            hint: None,
            signature: None,
            state: "received",
            reason: None,
        };
        postbacks::insert(&db, &alone, Utc::now()).await.unwrap();
        let bodies: Vec<String> = (0..300).map(|i| format!("{{\"n\":{i}}}")).collect();
        let rows: Vec<_> = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let p = NewPostback {
                    body,
                    size: body.len() as i64,
                    external_id: Some("tx-1"),
                    state: if i % 2 == 0 {
                        "received"
                    } else {
                        "quarantined"
                    },
                    reason: (i % 2 == 1).then_some("not authentic"),
                    ..alone
                };
                (p, Utc::now())
            })
            .collect();
        let ids = postbacks::insert_many(&db, &rows).await.unwrap();
        assert_eq!(ids.len(), 300);
        for (i, (id, body)) in ids.iter().zip(&bodies).enumerate() {
            let row = postbacks::find(&db, *id).await.unwrap().unwrap();
            assert_eq!(&row.body, body);
            assert_eq!(
                row.state,
                if i % 2 == 0 {
                    "received"
                } else {
                    "quarantined"
                }
            );
            assert_eq!(row.external_id.as_deref(), Some("tx-1"));
        }
        assert!(postbacks::insert_many(&db, &[]).await.unwrap().is_empty());
    })
    .await;
}
