//! The db room on both backends: SQLite always, PostgreSQL when
//! `TEST_POSTGRES_URL` is set.

use app::error::AppError;
use app::model::Role;
use app::ssr::db::{is_unique_violation, sign_in_failures as failures, users, Db};
use app::ssr::sessions::Store;
use app::ssr::staff::{self, NewStaff};
use app::ssr::testing::on_each_backend;
use app::ssr::throttle::{self, ThrottleRules};
use chrono::{Duration, Utc};

async fn add_user(db: &Db, email: &str, role: Role) -> i64 {
    let user = users::NewUser {
        email,
        display_name: "Test Person",
        password_hash: "hash",
        role,
    };
    users::insert(db, &user, Utc::now()).await.unwrap()
}

#[tokio::test]
async fn migrations_are_idempotent_and_ping_works() {
    on_each_backend(|db| async move {
        db.migrate()
            .await
            .expect("second run of migrations is a no-op");
        db.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn users_insert_find_and_refuse_duplicates() {
    on_each_backend(|db| async move {
        let id = add_user(&db, "ann@example.nl", Role::Admin).await;
        let by_email = users::find_by_email(&db, "ann@example.nl")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_email.id, id);
        assert_eq!(by_email.role(), Role::Admin);
        assert!(!by_email.disabled);
        assert_eq!(by_email.session_epoch, 0);
        let by_id = users::find_by_id(&db, id).await.unwrap().unwrap();
        assert_eq!(by_id.email, "ann@example.nl");
        assert!(users::find_by_email(&db, "nobody@example.nl")
            .await
            .unwrap()
            .is_none());
        assert!(users::find_by_id(&db, id + 1000).await.unwrap().is_none());

        let dup = users::NewUser {
            email: "ann@example.nl",
            display_name: "Other",
            password_hash: "h",
            role: Role::Staff,
        };
        let err = users::insert(&db, &dup, Utc::now()).await.unwrap_err();
        assert!(is_unique_violation(&err), "{err}");
    })
    .await;
}

#[tokio::test]
async fn users_list_puts_admins_first_then_names() {
    on_each_backend(|db| async move {
        for (email, name, role) in [
            ("zed@example.nl", "Zed", Role::Staff),
            ("bob@example.nl", "bob", Role::Staff),
            ("amy@example.nl", "Yara", Role::Admin),
        ] {
            let u = users::NewUser {
                email,
                display_name: name,
                password_hash: "h",
                role,
            };
            users::insert(&db, &u, Utc::now()).await.unwrap();
        }
        let names: Vec<String> = users::list(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.display_name)
            .collect();
        assert_eq!(names, ["Yara", "bob", "Zed"]);
    })
    .await;
}

#[tokio::test]
async fn disabling_and_password_changes_bump_the_session_epoch() {
    on_each_backend(|db| async move {
        let id = add_user(&db, "ann@example.nl", Role::Staff).await;
        assert!(users::set_disabled(&db, id, true, Utc::now())
            .await
            .unwrap());
        let u = users::find_by_id(&db, id).await.unwrap().unwrap();
        assert!(u.disabled);
        assert_eq!(u.session_epoch, 1);
        assert!(users::set_password_hash(&db, id, "new-hash", Utc::now())
            .await
            .unwrap());
        let u = users::find_by_id(&db, id).await.unwrap().unwrap();
        assert_eq!((u.password_hash.as_str(), u.session_epoch), ("new-hash", 2));
        assert!(!users::set_disabled(&db, id + 99, true, Utc::now())
            .await
            .unwrap());
        assert!(!users::set_password_hash(&db, id + 99, "x", Utc::now())
            .await
            .unwrap());
    })
    .await;
}

#[tokio::test]
async fn active_admins_are_counted() {
    on_each_backend(|db| async move {
        assert_eq!(users::count_active_admins(&db).await.unwrap(), 0);
        let a = add_user(&db, "a@example.nl", Role::Admin).await;
        add_user(&db, "b@example.nl", Role::Admin).await;
        add_user(&db, "c@example.nl", Role::Staff).await;
        assert_eq!(users::count_active_admins(&db).await.unwrap(), 2);
        users::set_disabled(&db, a, true, Utc::now()).await.unwrap();
        assert_eq!(users::count_active_admins(&db).await.unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn sign_in_failures_count_within_window_clear_and_prune() {
    on_each_backend(|db| async move {
        let now = Utc::now();
        let old = now - Duration::minutes(30);
        failures::record(&db, failures::Scope::Account, "ann@example.nl", old)
            .await
            .unwrap();
        for i in 0..3 {
            failures::record(
                &db,
                failures::Scope::Account,
                "ann@example.nl",
                now - Duration::seconds(i),
            )
            .await
            .unwrap();
        }
        failures::record(&db, failures::Scope::Address, "10.0.0.1", now)
            .await
            .unwrap();

        let since = now - Duration::minutes(15);
        let (count, oldest) =
            failures::recent(&db, failures::Scope::Account, "ann@example.nl", since)
                .await
                .unwrap();
        assert_eq!(count, 3);
        let oldest = oldest.expect("oldest failure");
        assert!(
            (oldest - (now - Duration::seconds(2)))
                .num_milliseconds()
                .abs()
                < 5,
            "{oldest}"
        );
        let (none, no_oldest) =
            failures::recent(&db, failures::Scope::Account, "bob@example.nl", since)
                .await
                .unwrap();
        assert_eq!((none, no_oldest), (0, None));

        assert_eq!(failures::prune(&db, since).await.unwrap(), 1);
        failures::clear(&db, failures::Scope::Account, "ann@example.nl")
            .await
            .unwrap();
        let (count, _) = failures::recent(&db, failures::Scope::Account, "ann@example.nl", old)
            .await
            .unwrap();
        assert_eq!(count, 0);
        let (address, _) = failures::recent(&db, failures::Scope::Address, "10.0.0.1", since)
            .await
            .unwrap();
        assert_eq!(address, 1, "clearing an account leaves address failures");
    })
    .await;
}

#[tokio::test]
async fn throttle_refuses_after_the_account_limit() {
    on_each_backend(|db| async move {
        let rules = ThrottleRules::default();
        let now = Utc::now();
        for _ in 0..rules.per_account {
            throttle::take(&db, &rules, "ann@example.nl", "10.0.0.1", now)
                .await
                .unwrap();
            throttle::failed(&db, &rules, now).await.unwrap();
        }
        match throttle::take(&db, &rules, "ann@example.nl", "10.0.0.2", now).await {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!(retry_after_secs > 800 && retry_after_secs <= 900)
            }
            other => panic!("expected throttling, got {other:?}"),
        }
        throttle::take(&db, &rules, "bob@example.nl", "10.0.0.2", now)
            .await
            .expect("other accounts are free");
        let later = now + rules.window + Duration::seconds(1);
        throttle::take(&db, &rules, "ann@example.nl", "10.0.0.2", later)
            .await
            .expect("the window passes");
    })
    .await;
}

#[tokio::test]
async fn concurrent_attempts_get_exactly_the_allowed_number_through() {
    on_each_backend(|db| async move {
        let rules = ThrottleRules::default();
        let now = Utc::now();
        // One account, 40 attempts at once (from 40 addresses).
        let passed = at_once(40, |i| {
            let (db, rules) = (db.clone(), rules.clone());
            async move {
                throttle::take(&db, &rules, "eve@example.nl", &format!("10.1.0.{i}"), now)
                    .await
                    .is_ok()
            }
        })
        .await;
        assert_eq!(passed as i64, rules.per_account, "one account, 40 at once");
        // One address, 100 attempts at once (for 100 accounts).
        let passed = at_once(100, |i| {
            let (db, rules) = (db.clone(), rules.clone());
            async move {
                throttle::take(&db, &rules, &format!("u{i}@example.nl"), "10.9.9.9", now)
                    .await
                    .is_ok()
            }
        })
        .await;
        assert_eq!(passed as i64, rules.per_address, "one address, 100 at once");
        // A success gives its attempt back and forgets the account's failures.
        let a = throttle::take(&db, &rules, "kim@example.nl", "10.2.0.1", now)
            .await
            .unwrap();
        throttle::succeeded(&db, a, "kim@example.nl").await.unwrap();
        let since = now - rules.window;
        let (count, _) = failures::recent(&db, failures::Scope::Address, "10.2.0.1", since)
            .await
            .unwrap();
        assert_eq!(count, 0);
    })
    .await;
}

/// Runs `n` attempts at once and counts those that passed.
async fn at_once<F, Fut>(n: usize, attempt: F) -> usize
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(attempt(i))).collect();
    let mut passed = 0;
    for h in handles {
        passed += usize::from(h.await.unwrap());
    }
    passed
}

#[tokio::test]
async fn session_store_saves_and_loads_on_both_backends() {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store::SessionStore;
    on_each_backend(|db| async move {
        let store = Store::new(&db).await.unwrap();
        let mut record = Record {
            id: Id::default(),
            data: [("user".to_string(), serde_json::json!({"id": 1, "epoch": 0}))]
                .into_iter()
                .collect(),
            expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
                + tower_sessions::cookie::time::Duration::hours(1),
        };
        store.create(&mut record).await.unwrap();
        let loaded = store
            .load(&record.id)
            .await
            .unwrap()
            .expect("stored session");
        assert_eq!(loaded.data, record.data);
        store.delete(&record.id).await.unwrap();
        assert!(store.load(&record.id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn staff_service_validates_and_protects_the_last_admin() {
    on_each_backend(|db| async move {
        let bad = staff::create(
            &db,
            NewStaff {
                email: "nope",
                display_name: " ",
                role: "boss",
                password: "short",
            },
        )
        .await;
        let Err(AppError::Validation(fields)) = bad else {
            panic!("expected field errors")
        };
        for field in ["email", "display_name", "role", "password"] {
            assert!(fields.get(field).is_some(), "no message for {field}");
        }
        assert_eq!(fields.value("email"), Some("nope"));
        assert!(
            fields.value("password").is_none(),
            "passwords are never kept"
        );

        let admin = staff::create(
            &db,
            NewStaff {
                email: "Ann@Example.nl",
                display_name: "Ann",
                role: "admin",
                password: "correct horse battery",
            },
        )
        .await
        .unwrap();
        assert_eq!(admin.email, "ann@example.nl");
        let again = staff::create(
            &db,
            NewStaff {
                email: "ann@example.nl",
                display_name: "Ann 2",
                role: "staff",
                password: "correct horse battery",
            },
        )
        .await;
        let Err(AppError::Validation(fields)) = again else {
            panic!("expected a duplicate error")
        };
        assert!(fields.get("email").unwrap().contains("already exists"));

        let err = staff::set_disabled(&db, admin.id, admin.id, true)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)));
        let other = staff::create(
            &db,
            NewStaff {
                email: "bob@example.nl",
                display_name: "Bob",
                role: "staff",
                password: "correct horse battery",
            },
        )
        .await
        .unwrap();
        let err = staff::set_disabled(&db, other.id, admin.id, true)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict(m) if m.contains("last enabled admin")));
        staff::set_disabled(&db, admin.id, other.id, true)
            .await
            .unwrap();
        assert!(
            users::find_by_id(&db, other.id)
                .await
                .unwrap()
                .unwrap()
                .disabled
        );
        assert!(matches!(
            staff::reset_password(&db, other.id, "short").await,
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            staff::reset_password(&db, 9999, "a long enough password").await,
            Err(AppError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn sandbox_transactions_files_and_links() {
    use app::ssr::db::sandbox as sb;
    on_each_backend(|db| async move {
        let now = Utc::now();
        sb::insert_transaction(&db, "t1", r#"{"Id":"t1"}"#, now)
            .await
            .unwrap();
        sb::insert_transaction(&db, "t2", r#"{"Id":"t2"}"#, now + Duration::seconds(1))
            .await
            .unwrap();
        let row = sb::find_transaction(&db, "t1").await.unwrap().unwrap();
        assert_eq!(
            (row.document.as_str(), row.purged),
            (r#"{"Id":"t1"}"#, false)
        );
        assert!(sb::find_transaction(&db, "nope").await.unwrap().is_none());
        sb::update_transaction(&db, "t1", r#"{"Id":"t1","Status":60}"#, true, now)
            .await
            .unwrap();
        assert!(
            sb::find_transaction(&db, "t1")
                .await
                .unwrap()
                .unwrap()
                .purged
        );
        assert_eq!(sb::running_transaction_ids(&db).await.unwrap(), ["t2"]);
        let recent: Vec<String> = sb::recent_transactions(&db, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(recent, ["t2", "t1"]);

        sb::insert_sign_link(&db, "tok", "t2", "Signer1")
            .await
            .unwrap();
        assert_eq!(
            sb::find_sign_link(&db, "tok").await.unwrap(),
            Some(("t2".into(), "Signer1".into()))
        );

        sb::put_meta(&db, "t2", "a.pdf", "{}", now).await.unwrap();
        assert!(
            sb::put_content(&db, "t2", "a.pdf", b"%PDF-1", now)
                .await
                .unwrap(),
            "first content"
        );
        assert!(
            !sb::put_content(&db, "t2", "a.pdf", b"%PDF-2", now)
                .await
                .unwrap(),
            "replaced"
        );
        sb::put_content(&db, "t2", "b.pdf", b"%PDF-b", now + Duration::seconds(1))
            .await
            .unwrap();
        sb::put_signed(&db, "t2", "a.pdf", b"%PDF-signed")
            .await
            .unwrap();
        let a = sb::find_file(&db, "t2", "a.pdf").await.unwrap().unwrap();
        assert_eq!(
            (a.meta.as_deref(), a.content.as_deref(), a.signed.as_deref()),
            (Some("{}"), Some(&b"%PDF-2"[..]), Some(&b"%PDF-signed"[..]))
        );
        let names: Vec<String> = sb::files(&db, "t2")
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.file_id)
            .collect();
        assert_eq!(names, ["a.pdf", "b.pdf"]);
        sb::purge_files(&db, "t2").await.unwrap();
        assert!(sb::files(&db, "t2").await.unwrap().is_empty());

        assert_eq!(sb::get_setting(&db, "k").await.unwrap(), None);
        sb::set_setting(&db, "k", "1").await.unwrap();
        sb::set_setting(&db, "k", "2").await.unwrap();
        assert_eq!(
            sb::get_setting(&db, "k").await.unwrap().as_deref(),
            Some("2")
        );
    })
    .await;
}

#[tokio::test]
async fn signicat_simulator_documents_refuse_a_stale_version_and_events_are_handled_once() {
    use app::ssr::db::sandbox_signicat as sc;
    on_each_backend(|db| async move {
        let now = Utc::now();
        sc::insert_document(&db, "d1", "42", "{\"v\":0}", Some(now), now)
            .await
            .unwrap();
        let row = sc::find_document(&db, "d1").await.unwrap().unwrap();
        assert_eq!(row.version, 0);
        // Two changes from the same read: the second is refused and must read again.
        assert!(sc::update_document(&db, "d1", 0, "{\"v\":1}", None, now)
            .await
            .unwrap());
        assert!(!sc::update_document(&db, "d1", 0, "{\"v\":2}", None, now)
            .await
            .unwrap());
        let row = sc::find_document(&db, "d1").await.unwrap().unwrap();
        assert_eq!((row.version, row.document.as_str()), (1, "{\"v\":1}"));
        assert_eq!(sc::by_external_id(&db, "42").await.unwrap().len(), 1);
        assert!(
            sc::due(&db, now).await.unwrap().is_empty(),
            "nothing due once cleared"
        );

        sc::put_file(&db, "d1", "data", b"%PDF-1").await.unwrap();
        sc::put_signed(&db, "d1", "data", b"%PDF-2").await.unwrap();
        let (original, signed) = sc::file(&db, "d1", "data").await.unwrap().unwrap();
        assert_eq!(
            (original.as_slice(), signed.as_deref()),
            (&b"%PDF-1"[..], Some(&b"%PDF-2"[..]))
        );

        sc::insert_event(&db, "e1", "d1", "document_created", "{}", now)
            .await
            .unwrap();
        sc::insert_event(&db, "e2", "d1", "document_signed", "{}", now)
            .await
            .unwrap();
        let all = sc::unhandled_events(&db, None, 10).await.unwrap();
        assert_eq!(
            all.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["e1", "e2"]
        );
        let signed = sc::unhandled_events(&db, Some("document_signed"), 10)
            .await
            .unwrap();
        assert_eq!(signed.len(), 1);
        assert!(sc::handle_event(&db, "e1").await.unwrap());
        assert!(!sc::handle_event(&db, "nope").await.unwrap());
        assert_eq!(sc::unhandled_events(&db, None, 10).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn sandbox_postback_queue_keeps_one_in_flight_per_url_in_order() {
    use app::ssr::db::sandbox_postbacks as q;
    on_each_backend(|db| async move {
        let now = Utc::now();
        q::enqueue(
            &db,
            &q::Outbound {
                url: "http://a/pb",
                transaction_id: "t1",
                body: "first",
                header: "Checksum",
                signature: "c1",
            },
            now,
        )
        .await
        .unwrap();
        q::enqueue(
            &db,
            &q::Outbound {
                url: "http://a/pb",
                transaction_id: "t1",
                body: "second",
                header: "Checksum",
                signature: "c2",
            },
            now,
        )
        .await
        .unwrap();
        q::enqueue(
            &db,
            &q::Outbound {
                url: "http://b/pb",
                transaction_id: "t2",
                body: "other",
                header: "Checksum",
                signature: "c3",
            },
            now,
        )
        .await
        .unwrap();
        let heads: Vec<String> = q::due_heads(&db, now)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.body)
            .collect();
        assert_eq!(heads, ["first", "other"], "only the oldest of each URL");

        let first = q::due_heads(&db, now).await.unwrap().remove(0);
        assert!(q::claim(&db, first.id, now, now + Duration::seconds(60))
            .await
            .unwrap());
        assert!(
            !q::claim(&db, first.id, now, now + Duration::seconds(60))
                .await
                .unwrap(),
            "claimed once"
        );
        let heads: Vec<String> = q::due_heads(&db, now)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.body)
            .collect();
        assert_eq!(heads, ["other"], "a claimed head blocks its URL");

        q::failed_attempt(
            &db,
            first.id,
            "answered 500",
            now + Duration::seconds(5),
            false,
        )
        .await
        .unwrap();
        assert_eq!(
            q::due_heads(&db, now).await.unwrap().len(),
            1,
            "not due before its retry time"
        );
        let retry = q::due_heads(&db, now + Duration::seconds(6)).await.unwrap();
        assert_eq!((retry[0].body.as_str(), retry[0].attempts), ("first", 1));

        q::delivered(&db, first.id, now).await.unwrap();
        // Another instance read the head before it was delivered and tries
        // to claim it afterwards: it must not go out twice.
        assert!(
            !q::claim(
                &db,
                first.id,
                now + Duration::seconds(120),
                now + Duration::seconds(180)
            )
            .await
            .unwrap(),
            "a delivered postback is never claimed again"
        );
        let heads: Vec<String> = q::due_heads(&db, now + Duration::seconds(6))
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.body)
            .collect();
        assert_eq!(
            heads,
            ["second", "other"],
            "the next one moves up once delivered"
        );
        let second = q::due_heads(&db, now).await.unwrap().remove(0);
        q::failed_attempt(&db, second.id, "gone", now, true)
            .await
            .unwrap();
        let heads: Vec<String> = q::due_heads(&db, now + Duration::seconds(6))
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.body)
            .collect();
        assert_eq!(heads, ["other"], "given-up postbacks leave the queue");
        assert!(
            !q::claim(&db, second.id, now, now + Duration::seconds(60))
                .await
                .unwrap(),
            "a given-up postback is not claimed"
        );
    })
    .await;
}

#[tokio::test]
async fn password_links_replace_expire_and_are_used_once() {
    use app::ssr::db::invitations;
    on_each_backend(|db| async move {
        let ann = add_user(&db, "ann@example.nl", Role::Staff).await;
        let now = Utc::now();
        let week = now + Duration::days(7);
        invitations::replace(&db, ann, "hash-1", week, now)
            .await
            .unwrap();
        assert_eq!(
            invitations::find(&db, "hash-1", now).await.unwrap(),
            Some(ann)
        );
        // A new link replaces the old one.
        invitations::replace(&db, ann, "hash-2", week, now)
            .await
            .unwrap();
        assert_eq!(invitations::find(&db, "hash-1", now).await.unwrap(), None);
        // Not after it expires.
        assert_eq!(
            invitations::find(&db, "hash-2", week + Duration::seconds(1))
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            invitations::take(&db, "hash-2", week + Duration::seconds(1))
                .await
                .unwrap(),
            None
        );
        // Used once.
        assert_eq!(
            invitations::take(&db, "hash-2", now).await.unwrap(),
            Some(ann)
        );
        assert_eq!(invitations::take(&db, "hash-2", now).await.unwrap(), None);

        // Roles change in the table.
        assert!(users::set_role(&db, ann, Role::Admin, now).await.unwrap());
        let row = users::find_by_id(&db, ann).await.unwrap().unwrap();
        assert_eq!(row.role(), Role::Admin);
        assert!(!users::set_role(&db, ann + 999, Role::Admin, now)
            .await
            .unwrap());
    })
    .await;
}

#[tokio::test]
async fn a_periodic_round_is_claimed_by_one_of_several_instances() {
    use app::ssr::db::periodic;
    on_each_backend(|db| async move {
        let now = Utc::now();
        let next = now + Duration::seconds(60);
        let tries: Vec<_> = (0..6)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    periodic::claim(&db, "clock", &format!("instance-{n}"), now, next)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut won = 0;
        for t in tries {
            won += usize::from(t.await.unwrap());
        }
        assert_eq!(won, 1, "one instance does the round");
        assert!(
            !periodic::claim(
                &db,
                "clock",
                "instance-1",
                now + Duration::seconds(30),
                next
            )
            .await
            .unwrap(),
            "not due again before its next time"
        );
        assert!(
            periodic::claim(&db, "other", "instance-1", now, next)
                .await
                .unwrap(),
            "each duty on its own"
        );
        assert!(
            periodic::claim(
                &db,
                "clock",
                "instance-2",
                next,
                next + Duration::seconds(60)
            )
            .await
            .unwrap(),
            "due again at its next time"
        );
    })
    .await;
}
