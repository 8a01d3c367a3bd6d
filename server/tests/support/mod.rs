//! A running portal on 127.0.0.1:0 with a fresh database, and a cookie-aware
//! client with typed helpers.

#![allow(dead_code)]

pub mod flow;
pub mod process;
pub mod scripted;

use std::collections::HashMap;

use app::ssr::db::Db;
use app::ssr::staff::{self, NewStaff};
use app::ssr::testing::TestDb;
use reqwest::header::{ACCEPT, CONTENT_TYPE, REFERER};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use server::config::Config;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub db: Db,
    test_db: Option<TestDb>,
    server: tokio::task::JoinHandle<()>,
}

pub enum Backend {
    Sqlite,
    Postgres,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_on(TestDb::sqlite().await, &[]).await
    }

    /// On SQLite, with extra configuration variables.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        Self::spawn_on(TestDb::sqlite().await, extra).await
    }

    /// On SQLite, with `extra` routes served by the portal as well.
    pub async fn spawn_with_router(extra: axum::Router) -> TestApp {
        Self::spawn_full(TestDb::sqlite().await, &[], Some(extra), vec![]).await
    }

    /// On `test_db`, speaking `providers` besides the configured ones.
    pub async fn spawn_with_providers(
        test_db: TestDb,
        extra: &[(&str, &str)],
        providers: Vec<std::sync::Arc<dyn app::ssr::provider::Provider>>,
    ) -> TestApp {
        Self::spawn_full(test_db, extra, None, providers).await
    }

    /// On PostgreSQL when `TEST_POSTGRES_URL` is set (else `None`, loudly).
    pub async fn spawn_postgres() -> Option<TestApp> {
        Some(Self::spawn_on(TestDb::postgres().await?, &[]).await)
    }

    /// On each backend (PostgreSQL only when `TEST_POSTGRES_URL` is set),
    /// with extra configuration variables.
    pub async fn spawn_each(extra: &[(&str, &str)]) -> Vec<TestApp> {
        let mut apps = vec![Self::spawn_on(TestDb::sqlite().await, extra).await];
        if let Some(db) = TestDb::postgres().await {
            apps.push(Self::spawn_on(db, extra).await);
        }
        apps
    }

    /// Another portal instance on this one's database (its own address,
    /// workers and sandbox loops), as a second process would be.
    pub async fn beside(&self, extra: &[(&str, &str)]) -> TestApp {
        let shared = self
            .test_db
            .as_ref()
            .expect("a portal with its own test database")
            .share()
            .await;
        Self::spawn_on(shared, extra).await
    }

    async fn spawn_on(test_db: TestDb, extra: &[(&str, &str)]) -> TestApp {
        Self::spawn_full(test_db, extra, None, vec![]).await
    }

    async fn spawn_full(
        test_db: TestDb,
        extra: &[(&str, &str)],
        routes: Option<axum::Router>,
        providers: Vec<std::sync::Arc<dyn app::ssr::provider::Provider>>,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let vars: HashMap<&str, String> = [
            ("DATABASE_URL", test_db.url.clone()),
            ("BIND_ADDR", addr.to_string()),
            ("PUBLIC_URL", format!("http://{addr}")),
            ("SANDBOX_CERTEUROPE_ADDR", "127.0.0.1:0".to_string()),
            // Keys as an operator would configure them (without them the
            // sandbox makes random ones; tests for that spawn their own).
            ("SIGNHOST_APP_KEY", "sandbox-app-key".to_string()),
            ("SIGNHOST_USER_TOKEN", "sandbox-user-token".to_string()),
            (
                "SIGNHOST_SHARED_SECRET",
                "sandbox-shared-secret".to_string(),
            ),
        ]
        .into_iter()
        .chain(extra.iter().map(|(k, v)| (*k, v.to_string())))
        .collect();
        let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        let db = test_db.db.clone();
        let options = server::leptos_options(&config).unwrap();
        let mut router = server::build_router_with(&config, db.clone(), options, providers)
            .await
            .unwrap();
        if let Some(routes) = routes {
            router = routes.merge(router);
        }
        let server = tokio::spawn(async move {
            server::serve(listener, router, std::future::pending())
                .await
                .unwrap();
        });
        TestApp {
            address: format!("http://{addr}"),
            db,
            test_db: Some(test_db),
            server,
        }
    }

    /// Helpers for a portal served by another process on `test_db`.
    pub fn attach(address: String, test_db: TestDb) -> TestApp {
        TestApp {
            address,
            db: test_db.db.clone(),
            test_db: Some(test_db),
            server: tokio::spawn(async {}),
        }
    }

    pub async fn stop(mut self) {
        self.server.abort();
        if let Some(db) = self.test_db.take() {
            db.remove().await;
        }
    }

    /// A new browser-like client: own cookie jar, redirects not followed,
    /// and like every browser it says which site its requests come from.
    pub fn client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("origin", self.address.parse().unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// A client whose requests say, through a proxy, that they come from `address`.
    pub fn client_behind_proxy(&self, address: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().unwrap());
        headers.insert("origin", self.address.parse().unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
    }

    /// A client that sends no `Origin` (a script, or a very old browser).
    pub fn bare_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// Whether `client` is refused with 429 within 40 visits to the landing page.
    pub async fn landing_limits(&self, client: &reqwest::Client) -> bool {
        for _ in 0..40 {
            let res = client.get(self.url("/return")).send().await.unwrap();
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                return true;
            }
        }
        false
    }

    /// The portal's own Signhost client, pointed at the built-in sandbox.
    pub fn signhost(&self) -> signhost::Client {
        signhost::Client::new(
            self.url("/sandbox/api/").parse().unwrap(),
            "sandbox-app-key",
            "sandbox-user-token",
        )
    }

    /// The configuration this portal runs with, with the Signicat
    /// simulator's installation credentials filled in as at start.
    pub async fn config(&self) -> Config {
        let addr = self.address.trim_start_matches("http://").to_string();
        let vars: HashMap<&str, String> = [
            (
                "DATABASE_URL",
                self.test_db
                    .as_ref()
                    .map(|d| d.url.clone())
                    .unwrap_or_default(),
            ),
            ("BIND_ADDR", addr),
            ("PUBLIC_URL", self.address.clone()),
            ("SANDBOX_CERTEUROPE_ADDR", "127.0.0.1:0".to_string()),
            ("SIGNHOST_APP_KEY", "sandbox-app-key".to_string()),
            ("SIGNHOST_USER_TOKEN", "sandbox-user-token".to_string()),
            (
                "SIGNHOST_SHARED_SECRET",
                "sandbox-shared-secret".to_string(),
            ),
        ]
        .into_iter()
        .collect();
        let mut config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        let keys = server::sandbox::signicat_keys(&self.db).await.unwrap();
        if let Some(s) = config.signicat.as_mut() {
            s.use_installation_keys(&keys);
        }
        config
    }

    /// A Signicat client pointed at the built-in simulator, with its credentials.
    pub async fn signicat(&self) -> signicat::Client {
        let keys = server::sandbox::signicat_keys(&self.db).await.unwrap();
        signicat::Client::new(
            self.url("/sandbox/signicat/signature/").parse().unwrap(),
            self.url("/sandbox/signicat/oauth/connect/token")
                .parse()
                .unwrap(),
            signicat::Credentials {
                client_id: keys.client_id,
                client_secret: keys.client_secret,
            },
        )
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn add_user(&self, email: &str, role: &str) -> i64 {
        let input = NewStaff {
            email,
            display_name: "Test Person",
            role,
            password: PASSWORD,
        };
        staff::create(&self.db, input).await.unwrap().id
    }

    /// Calls a server function the way the hydrated app does (form body,
    /// JSON answer).
    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Submits a form the way a browser without JavaScript does.
    pub async fn submit(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        from: &str,
        form: &[(&str, &str)],
    ) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header(REFERER, self.url(from))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, client: &reqwest::Client, email: &str, password: &str) -> Response {
        self.call(
            client,
            "sign_in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// A client signed in as a new user with `role`.
    pub async fn signed_in(&self, email: &str, role: &str) -> reqwest::Client {
        self.add_user(email, role).await;
        let client = self.client();
        let res = self.sign_in(&client, email, PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "sign-in failed: {}",
            res.text().await.unwrap()
        );
        client
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> Response {
        client
            .get(self.url(path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap()
    }
}

/// The value of the session cookie set by `res`, if any.
pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portal_session="))
        .map(str::to_string)
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Preparing requests over HTTP, the way the editor does it.
impl TestApp {
    /// A new draft of the client's user; returns its id.
    pub async fn new_draft(&self, client: &reqwest::Client) -> i64 {
        // The id comes from the answer, not from the list: a request sent
        // earlier can be updated by a background job after this one is made
        // and come first in the list.
        let res = self.call(client, "requests/new_draft", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<i64>().await.expect("the new draft's id")
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        body: serde_json::Value,
    ) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn upload(
        &self,
        client: &reqwest::Client,
        request_id: i64,
        name: &str,
        body: Vec<u8>,
    ) -> Response {
        client
            .post(self.url(&format!("/api/requests/{request_id}/documents")))
            .header("x-file-name", name)
            .header(CONTENT_TYPE, "application/pdf")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn request_view(&self, client: &reqwest::Client, id: i64) -> serde_json::Value {
        let res = self
            .call(client, "requests/get", &[("id", &id.to_string())])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// A draft that passes the preflight: direct flow, the sample PDF, two
    /// signers with a signature field each.
    pub async fn ready_draft(&self, client: &reqwest::Client) -> i64 {
        let id = self.new_draft(client).await;
        let ids = id.to_string();
        let res = self
            .call(
                client,
                "requests/settings",
                &[
                    ("id", &ids),
                    ("title", "Lease"),
                    ("reference", "L-1"),
                    ("flow", "direct"),
                    ("language", "en-US"),
                    ("days_to_expire", "30"),
                    ("remind_days", "7"),
                ],
            )
            .await;
        expect_status(res, StatusCode::OK).await;
        let signer = |key: &str, email: &str, name: &str| {
            serde_json::json!({"key": key, "email": email, "name": name,
                "verifications": [{"type": "Scribble"}]})
        };
        let res = self
            .call_json(
                client,
                "requests/signers",
                serde_json::json!({"id": id, "signers": [
                    signer("s1", "ann@example.nl", "Ann"),
                    signer("s2", "bob@example.nl", "Bob"),
                ]}),
            )
            .await;
        expect_status(res, StatusCode::OK).await;
        let res = self.upload(client, id, "Lease.pdf", sample_pdf()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let doc: serde_json::Value = res.json().await.unwrap();
        let field = |id: &str, signer: &str, left: f64| {
            serde_json::json!({"id": id, "signer": signer, "kind": "Signature", "name": format!("Signature_{id}"),
                "place": {"at": "page", "page": 1, "left": left, "top": 600.0, "width": 140.0, "height": 70.0}})
        };
        let res = self
            .call_json(
                client,
                "requests/fields",
                serde_json::json!({"id": id, "document_id": doc["id"],
                    "fields": [field("f1", "s1", 50.0), field("f2", "s2", 300.0)]}),
            )
            .await;
        expect_status(res, StatusCode::OK).await;
        id
    }
}

impl TestApp {
    /// What the preflight finds in a draft for `service`, as the editor shows it.
    pub async fn preflight(
        &self,
        client: &reqwest::Client,
        id: i64,
        service: app::model::service::ProviderKind,
    ) -> Vec<app::model::preflight::Problem> {
        let view = self.request_view(client, id).await;
        let settings: app::model::request::Settings =
            serde_json::from_value(view["settings"].clone()).unwrap();
        let signers: Vec<app::model::request::Signer> =
            serde_json::from_value(view["signers"].clone()).unwrap();
        let documents: Vec<app::model::request::DocumentView> =
            serde_json::from_value(view["documents"].clone()).unwrap();
        let today = chrono::Utc::now().date_naive().to_string();
        let draft = app::model::preflight::Draft {
            settings: &settings,
            signers: &signers,
            receivers: &[],
            documents: &documents,
            today: &today,
        };
        app::model::fit::preflight(&draft, service)
    }

    /// Follows "Connect Hotsign" as `admin` up to Hotsign's answer (the
    /// simulator's page allowed): the callback URL the browser is sent to.
    pub async fn hotsign_allowed(&self, admin: &reqwest::Client) -> String {
        let res = admin
            .get(self.url("/hotsign/connect"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let authorize = url::Url::parse(&location(&res)).unwrap();
        assert!(
            authorize
                .path()
                .ends_with("/sandbox/hotsign/oauth/authorize"),
            "{authorize}"
        );
        let q: HashMap<String, String> = authorize.query_pairs().into_owned().collect();
        assert!(q["state"].len() >= 32, "a random state");
        let res = admin
            .post(self.url("/sandbox/hotsign/oauth/authorize"))
            .header("origin", self.address.clone())
            .form(&[
                ("client_id", q["client_id"].as_str()),
                ("redirect_uri", q["redirect_uri"].as_str()),
                ("state", q["state"].as_str()),
                ("decision", "allow"),
            ])
            .send()
            .await
            .unwrap();
        location(&res)
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn sample_pdf() -> Vec<u8> {
    fixture("sample.pdf")
}

/// Asserts the status of an answer, showing its body when it differs.
pub async fn expect_status(res: Response, status: StatusCode) {
    let got = res.status();
    if got != status {
        panic!(
            "expected {status}, got {got}: {}",
            res.text().await.unwrap_or_default()
        );
    }
}
