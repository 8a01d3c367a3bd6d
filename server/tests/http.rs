//! The portal over HTTP: pages, server functions, sessions, throttling.

mod support;

use reqwest::StatusCode;
use support::{location, session_cookie, TestApp, PASSWORD};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let res = app.get(&client, "/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.get(&client, "/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "sqlite");
    assert!(res_has_request_id(&app.get(&client, "/healthz").await));
    app.stop().await;
}

fn res_has_request_id(res: &reqwest::Response) -> bool {
    res.headers()
        .get("x-request-id")
        .is_some_and(|v| !v.is_empty())
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for (path, next) in [
        ("/", "%2F"),
        ("/staff", "%2Fstaff"),
        ("/requests/new", "%2Frequests%2Fnew"),
        ("/no/such/page", "%2Fno%2Fsuch%2Fpage"),
    ] {
        let res = app.get(&client, path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), format!("/sign-in?next={next}"), "{path}");
    }
    let res = app.get(&client, "/sign-in").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    assert!(
        html.contains(r#"<label for="email">Email address"#),
        "{html}"
    );
    app.stop().await;
}

#[tokio::test]
async fn server_functions_answer_401_without_a_session() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for (endpoint, form) in [
        ("staff/list", vec![]),
        (
            "staff/add",
            vec![
                ("email", "x@example.nl"),
                ("display_name", "X"),
                ("role", "admin"),
                ("password", PASSWORD),
            ],
        ),
        (
            "staff/set_disabled",
            vec![("id", "1"), ("disabled", "true")],
        ),
        (
            "staff/reset_password",
            vec![("id", "1"), ("password", PASSWORD)],
        ),
    ] {
        let res = app.call(&client, endpoint, &form).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
        assert_eq!(
            res.json::<serde_json::Value>().await.unwrap(),
            serde_json::json!("Unauthorized")
        );
    }
    let res = app.call(&client, "current_user", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        serde_json::Value::Null
    );
    let users: i64 = sqlx_count_users(&app).await;
    assert_eq!(users, 0, "nothing was created");
    app.stop().await;
}

async fn sqlx_count_users(app: &TestApp) -> i64 {
    app::ssr::db::users::list(&app.db).await.unwrap().len() as i64
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.add_user("ann@example.nl", "staff").await;
    let wrong = app
        .sign_in(&app.client(), "ann@example.nl", "not the password")
        .await;
    let wrong_status = wrong.status();
    let wrong_body = wrong
        .text()
        .await
        .unwrap()
        .replace("ann@example.nl", "EMAIL");
    let unknown = app
        .sign_in(&app.client(), "bob@example.nl", "not the password")
        .await;
    let unknown_status = unknown.status();
    let unknown_body = unknown
        .text()
        .await
        .unwrap()
        .replace("bob@example.nl", "EMAIL");
    assert_eq!(wrong_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_status, unknown_status);
    assert_eq!(wrong_body, unknown_body);
    assert!(
        wrong_body.contains("The email address or password is not right."),
        "{wrong_body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn sign_in_cycles_the_session_id_and_sets_safe_cookies() {
    let app = TestApp::spawn().await;
    app.add_user("ann@example.nl", "staff").await;
    let client = app.client();
    let first = app.sign_in(&client, "ann@example.nl", PASSWORD).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first_cookie = session_cookie(&first).expect("a session cookie");
    assert!(first_cookie.contains("HttpOnly"), "{first_cookie}");
    assert!(first_cookie.contains("SameSite=Lax"), "{first_cookie}");
    assert!(
        !first_cookie.contains("Secure"),
        "plain http has no Secure flag: {first_cookie}"
    );
    let old_id = first_cookie.split(';').next().unwrap().to_string();

    let second = app.sign_in(&client, "ann@example.nl", PASSWORD).await;
    let new_id = session_cookie(&second)
        .expect("a new cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(
        old_id, new_id,
        "signing in again must issue a new session id"
    );

    let stale = app.client();
    let res = stale
        .get(app.url("/"))
        .header("cookie", &old_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the old session id no longer works"
    );
    let res = app.get(&client, "/").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("No signing requests yet"));
    app.stop().await;
}

#[tokio::test]
async fn staff_get_403_on_admin_pages_and_functions() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("sam@example.nl", "staff").await;
    let res = app.get(&staff, "/staff").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("No access"));
    let res = app.call(&staff, "staff/list", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(
            &staff,
            "staff/add",
            &[
                ("email", "x@example.nl"),
                ("display_name", "X"),
                ("role", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app::ssr::db::users::find_by_email(&app.db, "x@example.nl")
        .await
        .unwrap()
        .is_none());
    let html = app.get(&staff, "/").await.text().await.unwrap();
    assert!(
        !html.contains(r#"href="/staff""#),
        "staff see no Staff link"
    );
    app.stop().await;
}

#[tokio::test]
async fn admin_adds_staff_who_can_then_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("ann@example.nl", "admin").await;
    let html = app.get(&admin, "/staff").await.text().await.unwrap();
    assert!(html.contains("Add a staff member"));

    let bad = app
        .call(
            &admin,
            "staff/add",
            &[
                ("email", "not-an-email"),
                ("display_name", "Sam"),
                ("role", "staff"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = bad.json().await.unwrap();
    let errors = body["Validation"]["errors"].as_array().unwrap();
    let fields: Vec<&str> = errors.iter().map(|e| e[0].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password"]);

    let ok = app
        .call(
            &admin,
            "staff/add",
            &[
                ("email", "sam@example.nl"),
                ("display_name", "Sam"),
                ("role", "staff"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let member: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(member["email"], "sam@example.nl");

    let list: serde_json::Value = app
        .call(&admin, "staff/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);

    let sam = app.client();
    assert_eq!(
        app.sign_in(&sam, "sam@example.nl", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.get(&sam, "/").await.status(), StatusCode::OK);

    // Disabling ends Sam's session at once; the password reset ends the rest.
    let id = member["id"].to_string();
    let res = app
        .call(
            &admin,
            "staff/set_disabled",
            &[("id", &id), ("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.get(&sam, "/").await.status(), StatusCode::SEE_OTHER);
    // A disabled account is answered exactly like a wrong password.
    let disabled = app.sign_in(&app.client(), "sam@example.nl", PASSWORD).await;
    let wrong = app
        .sign_in(&app.client(), "sam@example.nl", "not the password")
        .await;
    assert_eq!(disabled.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(disabled.status(), wrong.status());
    assert_eq!(disabled.text().await.unwrap(), wrong.text().await.unwrap());

    app.call(
        &admin,
        "staff/set_disabled",
        &[("id", &id), ("disabled", "false")],
    )
    .await;
    let res = app
        .call(
            &admin,
            "staff/reset_password",
            &[("id", &id), ("password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.sign_in(&app.client(), "sam@example.nl", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.sign_in(&app.client(), "sam@example.nl", "a brand new passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    app.stop().await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_account() {
    let app = TestApp::spawn().await;
    app.add_user("ann@example.nl", "staff").await;
    for _ in 0..5 {
        let res = app
            .sign_in(&app.client(), "ann@example.nl", "wrong password")
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app.sign_in(&app.client(), "ann@example.nl", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(res.text().await.unwrap().contains("TooManyRequests"));
    app.stop().await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_address() {
    let app = TestApp::spawn().await;
    app.add_user("zoe@example.nl", "staff").await;
    for i in 0..20 {
        let res = app
            .sign_in(
                &app.client(),
                &format!("guess{i}@example.nl"),
                "wrong password",
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
    }
    let res = app.sign_in(&app.client(), "zoe@example.nl", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// Twenty failed sign-ins "from" `address`.
async fn fail_from(app: &TestApp, address: &str) {
    for i in 0..20 {
        let res = app
            .sign_in(
                &app.client_behind_proxy(address),
                &format!("guess{i}@example.nl"),
                "wrong password",
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.add_user("zoe@example.nl", "staff").await;
    fail_from(&app, "198.51.100.1").await;
    let status = |address: &'static str| {
        let app = &app;
        async move {
            app.sign_in(
                &app.client_behind_proxy(address),
                "zoe@example.nl",
                PASSWORD,
            )
            .await
            .status()
        }
    };
    assert_eq!(status("198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(status("198.51.100.2").await, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_landing_page_limits_each_client_behind_a_trusted_proxy() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.0/8")]).await;
    let busy = app.client_behind_proxy("198.51.100.1");
    let limited = app.landing_limits(&busy).await;
    assert!(limited, "the busy client is limited");
    let other = app.client_behind_proxy("198.51.100.2");
    let res = other.get(app.url("/return")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "another client is not");
    app.stop().await;
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_for_header_changes_nothing() {
    let app = TestApp::spawn().await;
    app.add_user("zoe@example.nl", "staff").await;
    fail_from(&app, "198.51.100.1").await;
    let res = app
        .sign_in(
            &app.client_behind_proxy("198.51.100.2"),
            "zoe@example.nl",
            PASSWORD,
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn forms_work_without_javascript() {
    let app = TestApp::spawn().await;
    app.add_user("ann@example.nl", "admin").await;
    let client = app.client();

    let res = app
        .submit(
            &client,
            "sign_in",
            "/sign-in",
            &[
                ("email", "ann@example.nl"),
                ("password", "wrong password"),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = location(&res);
    assert!(
        back.starts_with(&app.url("/sign-in?")) && back.contains("__err="),
        "{back}"
    );
    let page = client
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("The email address or password is not right."),
        "error shown on the page"
    );
    assert!(
        page.contains(r#"value="ann@example.nl""#),
        "the email is kept"
    );

    let res = app
        .submit(
            &client,
            "sign_in",
            "/sign-in?next=%2Fstaff",
            &[
                ("email", "ann@example.nl"),
                ("password", PASSWORD),
                ("next", "/staff"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/staff");
    let staff_page = app.get(&client, "/staff").await;
    assert_eq!(staff_page.status(), StatusCode::OK);
    let html = staff_page.text().await.unwrap();
    assert!(
        html.contains("ann@example.nl"),
        "the staff list is in the HTML itself"
    );
    assert!(
        html.contains(r#"href="/staff""#),
        "so is the admin's Staff link"
    );

    let res = app.submit(&client, "sign_out", "/", &[]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/sign-in");
    assert_eq!(app.get(&client, "/").await.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn signed_in_users_see_a_404_page_for_unknown_paths() {
    let app = TestApp::spawn().await;
    let client = app.signed_in("ann@example.nl", "staff").await;
    let res = app.get(&client, "/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Page not found"));
    let res = app.get(&client, "/sign-in").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "signed-in users skip the sign-in page"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_same_binary_serves_postgres() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let res = app.get(&app.client(), "/readyz").await;
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["database"],
        "postgres"
    );
    let client = app.signed_in("ann@example.nl", "admin").await;
    assert_eq!(app.get(&client, "/staff").await.status(), StatusCode::OK);
    let list: serde_json::Value = app
        .call(&client, "staff/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["email"], "ann@example.nl");
    app.stop().await;
}

#[tokio::test]
async fn the_sandbox_can_be_switched_off() {
    let app = TestApp::spawn_with(&[
        ("SANDBOX", "off"),
        ("SIGNHOST_API_URL", "https://api.signhost.com/api/"),
        ("SIGNHOST_APP_KEY", "k"),
        ("SIGNHOST_USER_TOKEN", "t"),
        ("SIGNHOST_SHARED_SECRET", "s"),
    ])
    .await;
    let res = app
        .client()
        .post(app.url("/sandbox/api/transaction"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);
    assert!(!res
        .text()
        .await
        .unwrap()
        .contains("Authorization has been denied"));
    let on = TestApp::spawn().await;
    let res = on
        .client()
        .post(on.url("/sandbox/api/transaction"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "on by default, and keys are checked"
    );
    app.stop().await;
    on.stop().await;
}

/// The token of a `/welcome/<token>` link.
fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn an_invited_member_chooses_a_password_with_a_link_that_works_once() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("ann@example.nl", "admin").await;
    let res = app
        .call(
            &admin,
            "staff/invite",
            &[
                ("email", "tess@example.nl"),
                ("display_name", "Tess"),
                ("role", "staff"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let invited: serde_json::Value = res.json().await.unwrap();
    assert_eq!(invited["member"]["email"], "tess@example.nl");
    let link = invited["link"].as_str().unwrap().to_string();
    assert!(
        link.starts_with("/welcome/") && token_of(&link).len() == 64,
        "{link}"
    );
    // Only the link's hash is stored.
    let stored: Vec<String> = match &app.db {
        app::ssr::db::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT token_hash FROM staff_invitations")
                .fetch_all(p)
                .await
                .unwrap()
        }
        app::ssr::db::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT token_hash FROM staff_invitations")
                .fetch_all(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token_of(&link));

    // The page greets them without a sign-in.
    let tess = app.client();
    let page = app.get(&tess, &link).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Welcome, Tess."));

    let token = token_of(&link);
    let accept = |password: &'static str, repeat: &'static str| {
        let token = token.clone();
        let tess = tess.clone();
        let app = &app;
        async move {
            app.call(
                &tess,
                "welcome/accept",
                &[
                    ("token", &token),
                    ("password", password),
                    ("repeat", repeat),
                ],
            )
            .await
        }
    };
    // Mistakes keep the link usable.
    assert_eq!(
        accept("short", "short").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        accept("tess her passphrase", "tess her passphrasf")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        accept("tess her passphrase", "tess her passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.sign_in(&app.client(), "tess@example.nl", "tess her passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    // Used up.
    assert_eq!(
        accept("another passphrase!", "another passphrase!")
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert!(app
        .get(&tess, &link)
        .await
        .text()
        .await
        .unwrap()
        .contains("This link is not valid"));

    // A new link replaces the old one; an expired one does not work.
    let id = invited["member"]["id"].as_i64().unwrap().to_string();
    let first: String = app
        .call(&admin, "staff/password_link", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let second: String = app
        .call(&admin, "staff/password_link", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let owner = |link: String| {
        let app = &app;
        let tess = tess.clone();
        async move {
            app.call(&tess, "welcome/owner", &[("token", &token_of(&link))])
                .await
                .json::<Option<String>>()
                .await
                .unwrap()
        }
    };
    assert_eq!(owner(first).await, None);
    assert_eq!(owner(second.clone()).await, Some("Tess".into()));
    let later = chrono::Utc::now() + chrono::Duration::days(8);
    let hash = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(token_of(&second).as_bytes()))
    };
    assert_eq!(
        app::ssr::db::invitations::find(&app.db, &hash, later)
            .await
            .unwrap(),
        None
    );
    app.stop().await;
}

#[tokio::test]
async fn roles_change_but_not_ones_own() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("ann@example.nl", "admin").await;
    let ann = app::ssr::db::users::find_by_email(&app.db, "ann@example.nl")
        .await
        .unwrap()
        .unwrap();
    let sam = app.add_user("sam@example.nl", "staff").await.to_string();
    let set = |id: String, role: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.call(&admin, "staff/set_role", &[("id", &id), ("role", role)])
                .await
                .status()
        }
    };
    assert_eq!(
        set(ann.id.to_string(), "staff").await,
        StatusCode::CONFLICT,
        "not one's own"
    );
    assert_eq!(set(sam.clone(), "admin").await, StatusCode::OK);
    let list: serde_json::Value = app
        .call(&admin, "staff/list", &[])
        .await
        .json()
        .await
        .unwrap();
    let rows = list.as_array().unwrap();
    assert!(rows
        .iter()
        .any(|m| m["email"] == "sam@example.nl" && m["role"] == "Admin"));
    assert!(rows
        .iter()
        .any(|m| m["email"] == "ann@example.nl" && m["is_you"] == true));
    assert_eq!(
        set(sam.clone(), "boss").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(set(sam, "staff").await, StatusCode::OK);
    app.stop().await;
}
