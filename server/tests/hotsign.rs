//! The `hotsign` client's OAuth against the built-in Hotsign simulator:
//! the authorize page, a code used once and only within its 15 seconds,
//! tokens for an hour, refresh tokens for 24 hours (replaced on use),
//! revocation. On SQLite and on PostgreSQL.

mod support;

use hotsign::oauth::{App, Client};
use hotsign::Error;
use reqwest::StatusCode;
use support::{location, TestApp};

async fn client(app: &TestApp) -> Client {
    let keys = server::sandbox::hotsign_keys(&app.db).await.unwrap();
    Client::new(
        app.url("/sandbox/hotsign/").parse().unwrap(),
        App {
            client_id: keys.client_id,
            client_secret: keys.client_secret,
            redirect_uri: app.url("/hotsign/callback"),
        },
    )
}

/// The admin allows access on the simulator's page; the code and state it sends back.
async fn allow(app: &TestApp, c: &Client, state: &str) -> (String, String) {
    let browser = app.client();
    let page = browser
        .get(c.authorize_url(state).unwrap().as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Allow the signing portal to use your Hotsign account?"),
        "{html}"
    );
    let q: std::collections::HashMap<String, String> = c
        .authorize_url(state)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let res = browser
        .post(app.url("/sandbox/hotsign/oauth/authorize"))
        .header("origin", app.address.clone())
        .form(&[
            ("client_id", q["client_id"].as_str()),
            ("redirect_uri", q["redirect_uri"].as_str()),
            ("state", state),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = url::Url::parse(&location(&res)).unwrap();
    assert!(
        to.as_str().starts_with(&app.url("/hotsign/callback")),
        "{to}"
    );
    let q: std::collections::HashMap<String, String> = to.query_pairs().into_owned().collect();
    (q["code"].clone(), q["state"].clone())
}

async fn move_clock(app: &TestApp, days: &str) {
    let staff = app.signed_in("clock@example.nl", "staff").await;
    let res = staff
        .post(app.url("/sandbox/clock"))
        .header("origin", app.address.clone())
        .form(&[("days", days)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_code_works_once_and_tokens_refresh_and_revoke_on_each_backend() {
    for app in TestApp::spawn_each(&[]).await {
        let c = client(&app).await;
        let (code, state) = allow(&app, &c, "st4te-1").await;
        assert_eq!(state, "st4te-1", "the state comes back as sent");
        let tokens = c.exchange(&code).await.unwrap();
        assert_eq!(tokens.expires_in, 3600);
        assert_eq!(tokens.refresh_expires_in, Some(86_400));
        // A code works once.
        let again = c.exchange(&code).await.unwrap_err();
        assert!(
            matches!(&again, Error::Unauthorized(m) if m.contains("already used")),
            "{again:?}"
        );
        let me = c.me(&tokens.access_token).await.unwrap();
        assert_eq!(me.email, server::sandbox::hotsign::ACCOUNT);
        // A refresh gives new tokens and uses the old refresh token up.
        let next = c.refresh(&tokens.refresh_token).await.unwrap();
        assert_ne!(next.access_token, tokens.access_token);
        assert!(matches!(
            c.refresh(&tokens.refresh_token).await,
            Err(Error::Unauthorized(_))
        ));
        c.me(&next.access_token).await.unwrap();
        // Revoked: the token no longer works.
        c.revoke(&next.access_token, "access_token").await.unwrap();
        assert!(matches!(
            c.me(&next.access_token).await,
            Err(Error::Unauthorized(_))
        ));
        // Another app's secret is refused.
        let keys = server::sandbox::hotsign_keys(&app.db).await.unwrap();
        let stranger = Client::new(
            app.url("/sandbox/hotsign/").parse().unwrap(),
            App {
                client_id: keys.client_id,
                client_secret: "not the secret".into(),
                redirect_uri: app.url("/hotsign/callback"),
            },
        );
        let (code, _) = allow(&app, &stranger, "st4te-2").await;
        assert!(matches!(
            stranger.exchange(&code).await,
            Err(Error::Unauthorized(m)) if m.contains("client_secret")
        ));
        app.stop().await;
    }
}

#[tokio::test]
async fn codes_tokens_and_refresh_tokens_expire_as_the_seed_says() {
    let app = TestApp::spawn().await;
    let c = client(&app).await;
    let (late_code, _) = allow(&app, &c, "s1").await;
    let (code, _) = allow(&app, &c, "s2").await;
    let tokens = c.exchange(&code).await.unwrap();
    // A day later: past the code's 15 seconds, the token's hour and the refresh token's 24 hours.
    move_clock(&app, "1").await;
    let e = c.exchange(&late_code).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unauthorized(m) if m.contains("expired (it lives 15 seconds)")),
        "{e:?}"
    );
    let e = c.me(&tokens.access_token).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unauthorized(m) if m.contains("1 hour")),
        "{e:?}"
    );
    let e = c.refresh(&tokens.refresh_token).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unauthorized(m) if m.contains("24 hours")),
        "{e:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_authorize_page_refuses_an_unknown_app_or_a_foreign_callback() {
    let app = TestApp::spawn().await;
    let browser = app.client();
    let keys = server::sandbox::hotsign_keys(&app.db).await.unwrap();
    for (client_id, redirect) in [
        ("someone-else", app.url("/hotsign/callback")),
        (
            keys.client_id.as_str(),
            "https://evil.example/steal".to_string(),
        ),
    ] {
        let res = browser
            .get(app.url("/sandbox/hotsign/oauth/authorize"))
            .query(&[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", redirect.as_str()),
                ("state", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "{client_id} {redirect}"
        );
    }
    // Denied: back to the portal with the state and no code.
    let res = browser
        .post(app.url("/sandbox/hotsign/oauth/authorize"))
        .header("origin", app.address.clone())
        .form(&[
            ("client_id", keys.client_id.as_str()),
            ("redirect_uri", app.url("/hotsign/callback").as_str()),
            ("state", "x"),
            ("decision", "deny"),
        ])
        .send()
        .await
        .unwrap();
    let to = location(&res);
    assert!(
        to.contains("error=access_denied") && to.contains("state=x") && !to.contains("code="),
        "{to}"
    );
    app.stop().await;
}

async fn connect_until_callback(app: &TestApp, admin: &reqwest::Client) -> String {
    app.hotsign_allowed(admin).await
}

#[tokio::test]
async fn an_admin_connects_hotsign_and_the_tokens_are_kept_sealed_on_each_backend() {
    for app in TestApp::spawn_each(&[]).await {
        let admin = app.signed_in("admin@example.nl", "admin").await;
        let callback = connect_until_callback(&app, &admin).await;
        let res = admin.get(&callback).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Hotsign connected")
                && html.contains(&format!(
                    "Connected as {}",
                    server::sandbox::hotsign::ACCOUNT
                ))
                && html.contains("refresh is valid until"),
            "{html}"
        );
        let row = app::ssr::db::hotsign::find(&app.db)
            .await
            .unwrap()
            .expect("kept");
        assert_eq!(row.account, server::sandbox::hotsign::ACCOUNT);
        let left = row.refresh_expires_at - row.connected_at;
        assert!((23..=24).contains(&left.num_hours()), "{left}");
        // Sealed: the database holds no token in the clear; the key opens it, another does not.
        assert!(row.access_sealed.starts_with("v1:") && !row.access_sealed.contains("at_"));
        let config = app.config().await;
        let key_file = config.hotsign.as_ref().unwrap().key_file.clone();
        let key = server::providers::hotsign::seal::TokenKey::load_or_create(&key_file).unwrap();
        let access = key.open("access", &row.access_sealed).unwrap();
        assert!(access.starts_with("at_"));
        client(&app)
            .await
            .me(&access)
            .await
            .expect("the kept token works");
        assert!(server::providers::hotsign::seal::TokenKey::generate()
            .open("access", &row.access_sealed)
            .is_err());

        // The same answer again (a replay) is refused: its state was used.
        let res = admin.get(&callback).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("already used"));
        // A state this session never asked for is refused.
        let other = connect_until_callback(&app, &admin).await;
        let forged = other.replace("state=", "state=forged");
        let res = admin.get(&forged).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        // Another admin's session cannot use this admin's answer.
        let second = app.signed_in("admin2@example.nl", "admin").await;
        let third = connect_until_callback(&app, &admin).await;
        let res = second.get(&third).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        // Staff who are not admins cannot start it.
        let clerk = app.signed_in("clerk@example.nl", "staff").await;
        let res = clerk.get(app.url("/hotsign/connect")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let _ = std::fs::remove_file(&key_file);
        app.stop().await;
    }
}

/// Where the Staff page says the connection stands.
async fn standing(app: &TestApp, admin: &reqwest::Client) -> serde_json::Value {
    let res = app.call(admin, "staff/hotsign", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn tokens_refresh_before_they_end_a_lapse_asks_for_a_reconnect_and_disconnect_revokes() {
    use server::providers::hotsign::tokens::{TokenError, Tokens};
    for app in TestApp::spawn_each(&[]).await {
        let admin = app.signed_in("admin@example.nl", "admin").await;
        assert_eq!(
            standing(&app, &admin).await,
            serde_json::json!("NotConnected")
        );
        let callback = connect_until_callback(&app, &admin).await;
        assert_eq!(
            admin.get(&callback).send().await.unwrap().status(),
            StatusCode::OK
        );
        let shown = standing(&app, &admin).await;
        assert_eq!(
            shown["Connected"]["account"],
            serde_json::json!(server::sandbox::hotsign::ACCOUNT),
            "{shown}"
        );
        assert!(shown["Connected"]["refresh_until"]
            .as_str()
            .unwrap()
            .ends_with("UTC"));

        let config = app.config().await;
        let key_file = config.hotsign.as_ref().unwrap().key_file.clone();
        let key = server::providers::hotsign::seal::TokenKey::load_or_create(&key_file).unwrap();
        let tokens = Tokens {
            db: app.db.clone(),
            client: client(&app).await,
            key: key.clone(),
        };
        // A fresh token is used as it is.
        let kept = app::ssr::db::hotsign::find(&app.db).await.unwrap().unwrap();
        let first = tokens.access().await.unwrap();
        assert_eq!(first, key.open("access", &kept.access_sealed).unwrap());
        // Four minutes before it ends, it is refreshed first; the new pair is kept.
        let soon = app::ssr::db::hotsign::ConnectionRow {
            access_expires_at: chrono::Utc::now() + chrono::Duration::minutes(4),
            ..kept.clone()
        };
        app::ssr::db::hotsign::save(&app.db, &soon).await.unwrap();
        let second = tokens.access().await.unwrap();
        assert_ne!(second, first);
        let now = app::ssr::db::hotsign::find(&app.db).await.unwrap().unwrap();
        assert_ne!(
            now.refresh_sealed, kept.refresh_sealed,
            "refresh token replaced"
        );
        assert!(now.access_expires_at > chrono::Utc::now() + chrono::Duration::minutes(50));
        client(&app)
            .await
            .me(&second)
            .await
            .expect("the new token works");
        assert_eq!(
            tokens.access().await.unwrap(),
            second,
            "not refreshed again"
        );

        // The refresh token lapsed (24 hours unused): an admin must reconnect.
        let lapsed = app::ssr::db::hotsign::ConnectionRow {
            access_expires_at: chrono::Utc::now() - chrono::Duration::hours(2),
            refresh_expires_at: chrono::Utc::now() - chrono::Duration::minutes(1),
            ..now.clone()
        };
        app::ssr::db::hotsign::save(&app.db, &lapsed).await.unwrap();
        let err = tokens.access().await.unwrap_err();
        assert!(matches!(err, TokenError::Lapsed(_)), "{err:?}");
        assert!(err.to_string().contains("an admin must reconnect"), "{err}");
        assert!(err.is_retryable(), "work waits for the reconnect");
        let shown = standing(&app, &admin).await;
        assert!(shown["Lapsed"]["since"].is_string(), "{shown}");

        // A refresh token Hotsign no longer takes counts as lapsed too.
        let refused = app::ssr::db::hotsign::ConnectionRow {
            access_expires_at: chrono::Utc::now(),
            refresh_expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
            refresh_sealed: key.seal("refresh", "rt_not_known"),
            ..now.clone()
        };
        app::ssr::db::hotsign::save(&app.db, &refused)
            .await
            .unwrap();
        assert!(matches!(
            tokens.access().await.unwrap_err(),
            TokenError::Lapsed(_)
        ));
        assert!(standing(&app, &admin).await["Lapsed"].is_object());

        // Reconnect, then disconnect: the tokens are revoked and deleted.
        let callback = connect_until_callback(&app, &admin).await;
        admin.get(&callback).send().await.unwrap();
        let access = tokens.access().await.unwrap();
        let res = admin
            .post(app.url("/hotsign/disconnect"))
            .header("origin", app.address.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("access was revoked"), "{html}");
        assert!(app::ssr::db::hotsign::find(&app.db)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            client(&app).await.me(&access).await,
            Err(Error::Unauthorized(_))
        ));
        assert_eq!(tokens.access().await.unwrap_err(), TokenError::NotConnected);
        assert_eq!(
            standing(&app, &admin).await,
            serde_json::json!("NotConnected")
        );
        // Only admins may disconnect.
        let clerk = app.signed_in("clerk@example.nl", "staff").await;
        let res = clerk
            .post(app.url("/hotsign/disconnect"))
            .header("origin", app.address.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let _ = std::fs::remove_file(&key_file);
        app.stop().await;
    }
}
