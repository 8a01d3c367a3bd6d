//! The attacks of the security review, each replayed over HTTP against a
//! portal in its default configuration: cross-site requests, open
//! redirects, framing and caching, the sandbox's keys and tools, and
//! sessions that outlive their welcome.

mod support;

use reqwest::StatusCode;
use support::{location, session_cookie, TestApp, PASSWORD};

const EVIL: &str = "http://evil.example";

#[tokio::test]
async fn cross_site_requests_are_refused_and_same_site_ones_pass() {
    for app in TestApp::spawn_each(&[]).await {
        cross_site(app).await;
    }
}

async fn cross_site(app: TestApp) {
    let admin = app.signed_in("admin@example.nl", "admin").await;
    let add = |origin: Option<&str>, site: Option<&str>| {
        let mut req = app
            .bare_client()
            .post(app.url("/api/staff/add"))
            .header("accept", "application/json")
            .form(&[
                ("email", "mallory@example.nl"),
                ("display_name", "Mallory"),
                ("role", "admin"),
                ("password", "a long enough password"),
            ]);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        req
    };
    // The admin's cookie travels with a request made by another site.
    let cookie = admin_cookie(&app).await;
    for (origin, site) in [
        (Some(EVIL), None),
        (Some(EVIL), Some("cross-site")),
        (Some(&*app.address), Some("same-site")),
        (Some("null"), None),
        (None, Some("cross-site")),
    ] {
        let res = add(origin, site)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin:?} {site:?}");
    }
    // A plain-text body from another site (no preflight) is refused too.
    let res = app
        .bare_client()
        .post(app.url("/api/requests/create"))
        .header("cookie", &cookie)
        .header("origin", EVIL)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        app::ssr::db::users::find_by_email(&app.db, "mallory@example.nl")
            .await
            .unwrap()
            .is_none()
    );
    // The portal's own pages pass.
    let res = add(Some(&*app.address), Some("same-origin"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    drop(admin);
    app.stop().await;
}

/// The session cookie of a freshly signed-in admin.
async fn admin_cookie(app: &TestApp) -> String {
    app.add_user("root@example.nl", "admin").await;
    let res = app
        .sign_in(&app.client(), "root@example.nl", PASSWORD)
        .await;
    session_cookie(&res)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn requests_without_origin_need_the_csrf_token_and_login_csrf_is_closed() {
    let app = TestApp::spawn().await;
    app.add_user("ann@example.nl", "staff").await;
    let script = app.bare_client();
    // Neither Origin nor Sec-Fetch-Site, and no token: refused (this is
    // also a forged sign-in into the attacker's account).
    let res = app.sign_in(&script, "ann@example.nl", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A page visit hands out the token cookie; echoing it passes.
    let res = script.get(app.url("/sign-in")).send().await.unwrap();
    let token = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("portal_csrf="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("a token cookie");
    let signed = |form_token: Option<&str>, header_token: Option<&str>| {
        let mut form = vec![("email", "ann@example.nl"), ("password", PASSWORD)];
        if let Some(t) = form_token {
            form.push(("csrf_token", t));
        }
        let mut req = script
            .post(app.url("/api/sign_in"))
            .header("accept", "application/json")
            .form(&form);
        if let Some(t) = header_token {
            req = req.header("x-csrf-token", t);
        }
        req.send()
    };
    assert_eq!(
        signed(None, Some("wrong")).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        signed(Some("wrong"), None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        signed(None, Some(&token)).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        signed(Some(&token), None).await.unwrap().status(),
        StatusCode::OK
    );
    // A sign-in posted by another site is refused even with the right password.
    let res = app
        .bare_client()
        .post(app.url("/api/sign_in"))
        .header("origin", EVIL)
        .form(&[("email", "ann@example.nl"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Webhooks stay open: they are authenticated by their checksum.
    let res = app
        .bare_client()
        .post(app.url("/signhost/postback"))
        .header("origin", EVIL)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn next_after_sign_in_never_leaves_the_site() {
    let app = TestApp::spawn().await;
    app.add_user("ann@example.nl", "staff").await;
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\n/evil.example",
        "/\u{7f}x",
    ] {
        let res = app
            .submit(
                &app.client(),
                "sign_in",
                "/sign-in",
                &[
                    ("email", "ann@example.nl"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert!(
            res.status().is_redirection() && !res.status().is_server_error(),
            "{next:?}: {}",
            res.status()
        );
        assert_eq!(location(&res), "/", "{next:?}");
    }
    let res = app
        .submit(
            &app.client(),
            "sign_in",
            "/sign-in",
            &[
                ("email", "ann@example.nl"),
                ("password", PASSWORD),
                ("next", "/requests/new"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/requests/new");
    app.stop().await;
}

#[tokio::test]
async fn pages_carry_the_hardening_headers() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("staff@example.nl", "staff").await;
    for (client, path) in [
        (&app.client(), "/sign-in"),
        (&staff, "/"),
        (&app.client(), "/return"),
    ] {
        let res = app.get(client, path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy") && h.contains_key("permissions-policy"));
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(h["x-robots-tag"].to_str().unwrap().contains("noindex"));
        assert!(
            !h.contains_key("strict-transport-security"),
            "not over plain http"
        );
        // The hydration scripts carry this response's nonce.
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap()
            .to_string();
        let html = res.text().await.unwrap();
        if path != "/return" {
            assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{path}");
        }
    }
    let res = app.get(&app.client(), "/return").await;
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    app.stop().await;
}

#[tokio::test]
async fn hsts_is_sent_behind_https() {
    let app =
        TestApp::spawn_with(&[("PUBLIC_URL", "https://sign.example.nl"), ("SANDBOX", "on")]).await;
    let res = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    app.stop().await;
}

const NO_KEYS: [(&str, &str); 3] = [
    ("SIGNHOST_APP_KEY", ""),
    ("SIGNHOST_USER_TOKEN", ""),
    ("SIGNHOST_SHARED_SECRET", ""),
];

#[tokio::test]
async fn the_sandbox_keys_are_random_per_installation_and_shown_to_admins_only() {
    for one in TestApp::spawn_each(&NO_KEYS).await {
        installation_keys(one).await;
    }
}

async fn installation_keys(one: TestApp) {
    let two = TestApp::spawn_with(&NO_KEYS).await;
    let keys_one = server::sandbox::installation_keys(&one.db).await.unwrap();
    let keys_two = server::sandbox::installation_keys(&two.db).await.unwrap();
    assert_ne!(keys_one, keys_two, "each installation has its own");
    assert!(keys_one.app_key.len() >= 32 && keys_one.shared_secret.len() >= 32);
    assert_eq!(
        keys_one,
        server::sandbox::installation_keys(&one.db).await.unwrap(),
        "kept: the same after a restart"
    );
    // The README's old fixed keys open nothing.
    let fixed = signhost::Client::new(
        one.url("/sandbox/api/").parse().unwrap(),
        "sandbox-app-key",
        "sandbox-user-token",
    );
    let refused = fixed
        .create_transaction(&Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, signhost::Error::Unauthorized { .. }),
        "{refused:?}"
    );
    // The portal itself sends with them: a request goes all the way out.
    let staff = one.signed_in("staff@example.nl", "staff").await;
    let admin = one.signed_in("admin@example.nl", "admin").await;
    let mail = one.get(&admin, "/sandbox/mail").await.text().await.unwrap();
    assert!(mail.contains(&keys_one.app_key) && mail.contains(&keys_one.shared_secret));
    let mail = one.get(&staff, "/sandbox/mail").await.text().await.unwrap();
    assert!(
        !mail.contains(&keys_one.app_key),
        "staff do not see the keys"
    );
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout() {
    use app::ssr::auth::{session_alive, SessionRules};
    let rules = SessionRules {
        idle: chrono::Duration::minutes(30),
        absolute: chrono::Duration::hours(8),
    };
    let signed_in = 1_000_000;
    assert!(session_alive(&rules, signed_in, signed_in, signed_in + 60));
    assert!(
        !session_alive(&rules, signed_in, signed_in, signed_in + 31 * 60),
        "idle"
    );
    // Active all day, but not past the absolute lifetime.
    let late = signed_in + 8 * 3600 + 1;
    assert!(
        !session_alive(&rules, signed_in, late - 60, late),
        "absolute"
    );
    assert!(session_alive(
        &rules,
        signed_in,
        late - 8 * 60 - 3600,
        late - 3600
    ));

    // Over HTTP: a session whose last request was too long ago is ended.
    let app = TestApp::spawn_with(&[("SESSION_IDLE_MINUTES", "5")]).await;
    let staff = app.signed_in("staff@example.nl", "staff").await;
    assert_eq!(app.get(&staff, "/").await.status(), StatusCode::OK);
    age_sessions(&app, 6 * 60).await;
    let res = app.get(&staff, "/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "idle for six minutes");
    app.stop().await;
}

/// Moves every stored session's clocks `seconds` into the past.
async fn age_sessions(app: &TestApp, seconds: i64) {
    use tower_sessions::session_store::SessionStore;
    let app::ssr::db::Db::Sqlite(pool) = &app.db else {
        panic!("SQLite only")
    };
    let store = tower_sessions_sqlx_store::SqliteStore::new(pool.clone());
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM tower_sessions")
        .fetch_all(pool)
        .await
        .unwrap();
    for id in ids {
        let id: tower_sessions::session::Id = id.parse().unwrap();
        let Some(mut record) = store.load(&id).await.unwrap() else {
            continue;
        };
        if let Some(user) = record.data.get_mut("user") {
            for key in ["signed_in_at", "seen_at"] {
                let v = user[key].as_i64().unwrap();
                user[key] = serde_json::json!(v - seconds);
            }
        }
        store.save(&record).await.unwrap();
    }
}

#[tokio::test]
async fn lock_outs_say_when_to_come_back() {
    let app = TestApp::spawn().await;
    app.add_user("ann@example.nl", "staff").await;
    for _ in 0..5 {
        app.sign_in(&app.client(), "ann@example.nl", "wrong").await;
    }
    let res = app.sign_in(&app.client(), "ann@example.nl", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 800 && wait <= 900, "{wait}");
    app.stop().await;
}

#[tokio::test]
async fn search_takes_wildcards_literally_on_both_backends() {
    for app in TestApp::spawn_each(&[]).await {
        let staff = app.signed_in("staff@example.nl", "staff").await;
        for title in ["axb report", "a_b report", "100% done"] {
            let id = app.new_draft(&staff).await;
            let res = app
                .call(
                    &staff,
                    "requests/settings",
                    &[
                        ("id", &id.to_string()),
                        ("title", title),
                        ("reference", ""),
                        ("flow", "direct"),
                        ("language", "en-US"),
                        ("days_to_expire", "30"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        let titles = |q: &'static str| {
            let (app, staff) = (&app, &staff);
            async move {
                let page: serde_json::Value = app
                    .call_json(
                        staff,
                        "requests/list",
                        serde_json::json!({"filter": {"q": q}}),
                    )
                    .await
                    .json()
                    .await
                    .unwrap();
                let mut t: Vec<String> = page["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["title"].as_str().unwrap().to_string())
                    .collect();
                t.sort();
                t
            }
        };
        assert_eq!(titles("a_b").await, ["a_b report"]);
        assert_eq!(titles("%").await, ["100% done"]);
        assert_eq!(titles("report").await, ["a_b report", "axb report"]);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_requests_list_never_carries_signing_links() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let other = app.signed_in("other@example.nl", "staff").await;
    let id = app.ready_draft(&owner).await;
    let res = app
        .call(&owner, "requests/start", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for _ in 0..150 {
        let row = app::ssr::db::requests::find(&app.db, id)
            .await
            .unwrap()
            .unwrap();
        if row.status() == app::model::request::RequestStatus::Waiting {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let links = app::ssr::db::signer_links::list(&app.db, id).await.unwrap();
    assert!(!links.is_empty(), "the direct flow handed out links");
    for client in [&owner, &other] {
        let list = app
            .call_json(client, "requests/list", serde_json::json!({"filter": {}}))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !list.contains("/s/") && !list.contains("sandbox/sign"),
            "{list}"
        );
        for link in &links {
            assert!(!list.contains(&link.token), "a token in the list");
        }
    }
    app.stop().await;
}
