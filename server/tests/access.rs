//! The access matrix: every route the router serves (plain axum routes as
//! registered, Leptos pages from the route list, every server function) is
//! called as an anonymous visitor, the owner of a draft, another staff
//! member, an admin and a user whose account was disabled after signing in.
//! Each route belongs to a class with the expected answer per role; a route
//! that no class names fails the test.

mod support;

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{TestApp, PASSWORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    Owner,
    OtherStaff,
    Admin,
    Disabled,
}

/// The owner and the admin last: their calls may end the draft.
const ROLES: [Role; 5] = [
    Role::Anonymous,
    Role::Disabled,
    Role::OtherStaff,
    Role::Owner,
    Role::Admin,
];

const DESTRUCTIVE: [&str; 4] = [
    "requests/delete",
    "requests/start",
    "requests/cancel",
    "requests/purge",
];

/// Who may do what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Anyone; the session makes no difference to the answer.
    Public,
    /// Staff pages: anonymous and disabled users are sent to sign in.
    StaffPage,
    /// Admin pages: other staff get 403.
    AdminPage,
    /// Plain endpoints and server functions for any signed-in staff member.
    Staff,
    /// Changes only the owner (and admins) may make.
    OwnerOnly,
    /// Admins only.
    AdminOnly,
    /// An admin's browser flow (connecting Hotsign): signed-out users are
    /// sent to sign in, other staff get 403, admins are sent on or told why not.
    AdminFlow,
    /// The sign-in page: signed-in staff are sent on to the requests page.
    SignInPage,
    /// Signing in: wrong credentials answer 422 (429 once throttled), whoever asks.
    SignInFn,
    /// Authenticated by their own keys or tokens, never by a session:
    /// the same answer for every role.
    OwnKeys,
}

/// One call: method, path with its parameters filled in, body.
struct Call {
    method: Method,
    path: String,
    form: Option<Vec<(&'static str, String)>>,
    json: Option<serde_json::Value>,
}

fn get(path: impl Into<String>) -> Call {
    Call {
        method: Method::GET,
        path: path.into(),
        form: None,
        json: None,
    }
}

fn post_form(path: impl Into<String>, form: Vec<(&'static str, String)>) -> Call {
    Call {
        method: Method::POST,
        path: path.into(),
        form: Some(form),
        json: None,
    }
}

fn post_json(path: impl Into<String>, body: serde_json::Value) -> Call {
    Call {
        method: Method::POST,
        path: path.into(),
        form: None,
        json: Some(body),
    }
}

struct World {
    app: TestApp,
    clients: BTreeMap<&'static str, reqwest::Client>,
    draft: i64,
    document: i64,
    staff_id: i64,
}

fn key(role: Role) -> &'static str {
    match role {
        Role::Anonymous => "anonymous",
        Role::Owner => "owner",
        Role::OtherStaff => "other",
        Role::Admin => "admin",
        Role::Disabled => "disabled",
    }
}

impl World {
    async fn new(app: TestApp) -> World {
        let owner = app.signed_in("owner@example.nl", "staff").await;
        let other = app.signed_in("other@example.nl", "staff").await;
        let admin = app.signed_in("admin@example.nl", "admin").await;
        let gone = app.signed_in("gone@example.nl", "staff").await;
        let gone_id = app_user_id(&app, "gone@example.nl").await;
        let res = app
            .call(
                &admin,
                "staff/set_disabled",
                &[("id", &gone_id.to_string()), ("disabled", "true")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let draft = app.ready_draft(&owner).await;
        let view = app.request_view(&owner, draft).await;
        let document = view["documents"][0]["id"].as_i64().unwrap();
        // The target of the admins' changes: nobody whose session is used here.
        let staff_id = app.add_user("spare@example.nl", "staff").await;
        let mut clients = BTreeMap::new();
        clients.insert("anonymous", app.client());
        clients.insert("owner", owner);
        clients.insert("other", other);
        clients.insert("admin", admin);
        clients.insert("disabled", gone);
        World {
            app,
            clients,
            draft,
            document,
            staff_id,
        }
    }

    /// The calls that exercise `route` (a path pattern as routed).
    fn calls(&self, route: &str) -> Vec<Call> {
        let d = self.draft.to_string();
        let doc = self.document.to_string();
        let fill = |p: &str| {
            p.replace("{id}", &d)
                .replace(":id", &d)
                .replace("{document_id}", &doc)
                .replace("{file}", "1")
                .replace("{token}", &"ab".repeat(32))
                .replace(":token", &"ab".repeat(32))
                .replace("{file_id}", "c.pdf")
        };
        match route {
            "/sandbox/clock" => vec![post_form(route, vec![("days", "0".into())])],
            "/sandbox/hotsign/credits" => vec![post_form(route, vec![])],
            "/sandbox/hotsign/invites/{id}/status" => vec![post_form(
                fill(route),
                vec![("number", "1".into()), ("status", "opened".into())],
            )],
            "/sandbox/hotsign/invites/{id}/{how}" => {
                vec![post_form(fill(route).replace("{how}", "expire"), vec![])]
            }
            "/signhost/postback" | "/hotsign/disconnect" => vec![post_form(route, vec![])],
            "/hooks/{provider}" => vec![post_form("/hooks/signhost", vec![])],
            "/api/requests/{id}/documents" => vec![Call {
                method: Method::POST,
                path: fill(route),
                form: None,
                json: None,
            }],
            p if p.starts_with("/sandbox/sign/")
                && (p.ends_with("/sign") || p.ends_with("/reject")) =>
            {
                vec![post_form(fill(p), vec![("reason", "no".into())])]
            }
            p if p.starts_with("/sandbox/api/") || p.starts_with("/sandbox/signicat/") => {
                vec![get(fill(p)), post_form(fill(p), vec![])]
            }
            p => vec![get(fill(p))],
        }
    }

    fn server_fn(&self, endpoint: &str, draft: i64) -> Call {
        let d = draft.to_string();
        let path = format!("/api/{endpoint}");
        let id = || vec![("id", d.clone())];
        match endpoint {
            "requests/list" => post_json(path, json!({"filter": {}})),
            "requests/signers" => post_json(path, json!({"id": draft, "signers": []})),
            "requests/receivers" => post_json(path, json!({"id": draft, "receivers": []})),
            "requests/fields" => post_json(
                path,
                json!({"id": draft, "document_id": self.document, "fields": []}),
            ),
            "requests/settings" => post_form(
                path,
                vec![
                    ("id", d.clone()),
                    ("title", "Lease".into()),
                    ("reference", "L-1".into()),
                    ("flow", "direct".into()),
                    ("language", "en-US".into()),
                    ("days_to_expire", "30".into()),
                ],
            ),
            "requests/document" => post_form(
                path,
                vec![
                    ("id", d.clone()),
                    ("document_id", self.document.to_string()),
                    ("action", "rename".into()),
                    ("name", "Renamed.pdf".into()),
                ],
            ),
            "requests/service" => post_form(
                path,
                vec![("id", d.clone()), ("service", "signhost".into())],
            ),
            "requests/written/check" => post_form(
                path,
                vec![
                    ("format", "markdown".into()),
                    ("text", "Sign: {1/Tenant*/Signature}".into()),
                ],
            ),
            "requests/written/save" => post_form(
                path,
                vec![
                    ("id", d.clone()),
                    ("name", "Lease".into()),
                    ("format", "markdown".into()),
                    ("text", "Sign: {1/Tenant*/Signature}".into()),
                ],
            ),
            "requests/written/text" => post_form(
                path,
                vec![
                    ("id", d.clone()),
                    ("document_id", self.document.to_string()),
                ],
            ),
            "requests/cancel" | "requests/correct" => {
                post_form(path, vec![("id", d.clone()), ("reason", "test".into())])
            }
            "requests/get" | "requests/changed" | "requests/start" | "requests/duplicate"
            | "requests/delete" | "requests/purge" => post_form(path, id()),
            "sign_in" => post_form(
                path,
                vec![
                    ("email", "nobody@example.nl".into()),
                    ("password", "wrong".into()),
                ],
            ),
            "staff/add" => post_form(
                path,
                vec![
                    ("email", "".into()),
                    ("display_name", "".into()),
                    ("role", "staff".into()),
                    ("password", "".into()),
                ],
            ),
            "staff/set_disabled" => post_form(
                path,
                vec![
                    ("id", self.staff_id.to_string()),
                    ("disabled", "false".into()),
                ],
            ),
            "staff/reset_password" => post_form(
                path,
                vec![
                    ("id", "999999".into()),
                    ("password", "a brand new passphrase".into()),
                ],
            ),
            "postbacks/replay" => post_form(path, vec![("id", "999999".into())]),
            "staff/password_link" => post_form(path, vec![("id", self.staff_id.to_string())]),
            "staff/set_role" => post_form(
                path,
                vec![("id", self.staff_id.to_string()), ("role", "staff".into())],
            ),
            "staff/invite" => post_form(
                path,
                vec![
                    ("email", "".into()),
                    ("display_name", "".into()),
                    ("role", "staff".into()),
                ],
            ),
            "welcome/owner" => post_form(path, vec![("token", "ab".repeat(32))]),
            "welcome/accept" => post_form(
                path,
                vec![
                    ("token", "ab".repeat(32)),
                    ("password", "a brand new passphrase".into()),
                    ("repeat", "a brand new passphrase".into()),
                ],
            ),
            "postbacks/list" => post_form(path, vec![]),
            _ => post_form(path, vec![]),
        }
    }

    /// A server function without arguments, as the app calls it.
    async fn post(&self, client: &reqwest::Client, path: &str) -> StatusCode {
        self.send(client, &post_form(path, vec![])).await
    }

    async fn send(&self, client: &reqwest::Client, call: &Call) -> StatusCode {
        let mut req = client
            .request(call.method.clone(), self.app.url(&call.path))
            .header("accept", "application/json");
        if let Some(form) = &call.form {
            req = req.form(form);
        }
        if let Some(body) = &call.json {
            req = req.json(body);
        }
        if call.path.ends_with("/documents") {
            req = req
                .header("content-type", "application/pdf")
                .body(support::sample_pdf());
        }
        req.send().await.unwrap().status()
    }
}

async fn app_user_id(app: &TestApp, email: &str) -> i64 {
    app::ssr::db::users::find_by_email(&app.db, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Every plain route, by path pattern, and its class. A route missing here fails.
fn plain_class(route: &str) -> Option<Class> {
    Some(match route {
        "/healthz" | "/readyz" | "/return" | "/s/{token}" | "/signhost/postback"
        | "/hooks/{provider}" | "/brand/logo" => Class::Public,
        // The signing page the portal hosts: the signer's unguessable link.
        "/s/{token}/code"
        | "/s/{token}/sign"
        | "/s/{token}/decline"
        | "/s/{token}/documents/{id}" => Class::OwnKeys,
        "/sandbox/sign/{token}"
        | "/sandbox/sign/{token}/sign"
        | "/sandbox/sign/{token}/reject"
        | "/sandbox/sign/{token}/file/{file_id}" => Class::OwnKeys,
        // The Hotsign simulator's control page: signed-in staff, as the mailbox.
        "/sandbox/hotsign/invites"
        | "/sandbox/hotsign/invites/{id}/status"
        | "/sandbox/hotsign/invites/{id}/{how}"
        | "/sandbox/hotsign/credits" => Class::Staff,
        // The Signicat simulator: its own tokens and unguessable signing links.
        r if r.starts_with("/sandbox/api/")
            || r.starts_with("/sandbox/signicat/")
            || r.starts_with("/sandbox/hotsign/") =>
        {
            Class::OwnKeys
        }
        "/sandbox/mail" | "/sandbox/clock" => Class::Staff,
        "/requests/{id}/documents/{document_id}/pdf"
        | "/requests/{id}/archive/{file}"
        | "/requests/{id}/evidence.zip" => Class::Staff,
        "/api/requests/{id}/documents" => Class::OwnerOnly,
        "/hotsign/connect" | "/hotsign/callback" | "/hotsign/disconnect" => Class::AdminFlow,
        _ => return None,
    })
}

fn page_class(path: &str) -> Option<Class> {
    Some(match path {
        "/sign-in" => Class::SignInPage,
        "/welcome/:token" | "/welcome/{token}" => Class::Public,
        "/" | "/requests/new" | "/requests/:id" | "/requests/{id}" => Class::StaffPage,
        "/staff" | "/postbacks" => Class::AdminPage,
        _ => return None,
    })
}

fn server_fn_class(endpoint: &str) -> Option<Class> {
    Some(match endpoint {
        "sign_in" => Class::SignInFn,
        "current_user" | "welcome/owner" | "welcome/accept" => Class::Public,
        // End the caller's own session(s): checked separately below.
        "sign_out" => Class::Public,
        "requests/create"
        | "requests/new_draft"
        | "requests/list"
        | "requests/get"
        | "requests/changed"
        | "requests/duplicate"
        | "requests/written/check"
        | "requests/written/text" => Class::Staff,
        "requests/settings"
        | "requests/signers"
        | "requests/receivers"
        | "requests/fields"
        | "requests/service"
        | "requests/document"
        | "requests/start"
        | "requests/delete"
        | "requests/cancel"
        | "requests/correct"
        | "requests/purge"
        | "requests/written/save" => Class::OwnerOnly,
        "staff/list"
        | "staff/add"
        | "staff/invite"
        | "staff/password_link"
        | "staff/set_role"
        | "staff/set_disabled"
        | "staff/reset_password"
        | "postbacks/list"
        | "postbacks/replay"
        | "staff/hotsign" => Class::AdminOnly,
        "sign_out_everywhere" => Class::Staff,
        _ => return None,
    })
}

/// Whether `got` (for `role`) is what `class` allows. `public` is the
/// anonymous answer, which every role must get for public routes.
fn allowed(class: Class, role: Role, got: StatusCode, public: StatusCode, method: &Method) -> bool {
    let refused = |s: StatusCode| s == StatusCode::UNAUTHORIZED || s == StatusCode::FORBIDDEN;
    let to_sign_in = got == StatusCode::SEE_OTHER;
    let signed_out = matches!(role, Role::Anonymous | Role::Disabled);
    match class {
        Class::Public | Class::OwnKeys => got == public,
        Class::SignInPage => {
            got == if signed_out {
                StatusCode::OK
            } else {
                StatusCode::SEE_OTHER
            }
        }
        Class::SignInFn => {
            got == StatusCode::UNPROCESSABLE_ENTITY || got == StatusCode::TOO_MANY_REQUESTS
        }
        Class::StaffPage => {
            if signed_out {
                to_sign_in
            } else {
                got == StatusCode::OK
            }
        }
        Class::AdminPage => match role {
            Role::Anonymous | Role::Disabled => to_sign_in,
            Role::Owner | Role::OtherStaff => got == StatusCode::FORBIDDEN,
            Role::Admin => got == StatusCode::OK,
        },
        Class::Staff => {
            if signed_out {
                // A page-like GET of a staff tool redirects to sign in.
                got == StatusCode::UNAUTHORIZED || (*method == Method::GET && to_sign_in)
            } else {
                !refused(got) && !got.is_server_error()
            }
        }
        Class::OwnerOnly => match role {
            Role::Anonymous | Role::Disabled => got == StatusCode::UNAUTHORIZED,
            Role::OtherStaff => got == StatusCode::FORBIDDEN,
            Role::Owner | Role::Admin => !refused(got) && !got.is_server_error(),
        },
        Class::AdminFlow => match role {
            Role::Anonymous | Role::Disabled => to_sign_in,
            Role::Owner | Role::OtherStaff => got == StatusCode::FORBIDDEN,
            Role::Admin => !refused(got) && !got.is_server_error(),
        },
        Class::AdminOnly => match role {
            Role::Anonymous | Role::Disabled => got == StatusCode::UNAUTHORIZED,
            Role::Owner | Role::OtherStaff => got == StatusCode::FORBIDDEN,
            Role::Admin => !refused(got) && !got.is_server_error(),
        },
    }
}

async fn matrix(app: TestApp) {
    let world = World::new(app).await;
    let mut unclassified = Vec::new();
    let mut cells = 0;
    let mut wrong = Vec::new();

    let plain = server::routes::registered();
    assert!(
        plain.len() >= 15,
        "the registry holds the router's routes: {plain:?}"
    );
    let pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    let fns: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.trim_start_matches("/api/").to_string())
        .collect();
    assert!(fns.len() >= 20, "{fns:?}");

    let mut checks: Vec<(String, Class, Call)> = Vec::new();
    for route in &plain {
        match plain_class(route) {
            Some(class) => {
                for call in world.calls(route) {
                    checks.push((route.to_string(), class, call));
                }
            }
            None => unclassified.push(route.to_string()),
        }
    }
    for page in &pages {
        match page_class(page) {
            Some(class) => checks.push((page.clone(), class, world.calls(page).remove(0))),
            None => unclassified.push(page.clone()),
        }
    }
    for endpoint in &fns {
        match server_fn_class(endpoint) {
            Some(_) if endpoint == "sign_out_everywhere" || endpoint == "sign_out" => {}
            Some(class) => checks.push((
                endpoint.clone(),
                class,
                world.server_fn(endpoint, world.draft),
            )),
            None => unclassified.push(format!("server function {endpoint}")),
        }
    }
    assert!(
        unclassified.is_empty(),
        "routes nobody classified: {unclassified:?}"
    );

    for (name, class, call) in &checks {
        // Calls that end a draft each get a fresh one of the owner's.
        let fresh;
        let call = if DESTRUCTIVE.contains(&name.as_str()) {
            let draft = world.app.ready_draft(&world.clients["owner"]).await;
            fresh = world.server_fn(name, draft);
            &fresh
        } else {
            call
        };
        let public = world.send(&world.clients["anonymous"], call).await;
        for role in ROLES {
            let got = world.send(&world.clients[key(role)], call).await;
            cells += 1;
            if !allowed(*class, role, got, public, &call.method) {
                wrong.push(format!(
                    "{} {} ({name}, {class:?}) as {role:?}: {got}",
                    call.method, call.path
                ));
            }
        }
    }

    // Signing out works for anyone and ends only the caller's session.
    let leaving = world.app.client();
    assert_eq!(
        world
            .app
            .sign_in(&leaving, "other@example.nl", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    for client in [&world.clients["anonymous"], &leaving] {
        cells += 1;
        assert_eq!(world.post(client, "/api/sign_out").await, StatusCode::OK);
    }
    assert_eq!(
        world.app.get(&leaving, "/").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        world.app.get(&world.clients["other"], "/").await.status(),
        StatusCode::OK
    );

    // Ending every session: anonymous and disabled users are refused; a
    // staff member's call ends their sessions on every device.
    let path = "/api/sign_out_everywhere";
    for role in [Role::Anonymous, Role::Disabled] {
        cells += 1;
        let got = world.post(&world.clients[key(role)], path).await;
        assert_eq!(got, StatusCode::UNAUTHORIZED, "{role:?}");
    }
    let laptop = world.app.client();
    let phone = world.app.client();
    for c in [&laptop, &phone] {
        assert_eq!(
            world
                .app
                .sign_in(c, "other@example.nl", PASSWORD)
                .await
                .status(),
            StatusCode::OK
        );
    }
    cells += 1;
    assert_eq!(world.post(&laptop, path).await, StatusCode::OK);
    assert_eq!(
        world.app.get(&phone, "/").await.status(),
        StatusCode::SEE_OTHER,
        "the phone is signed out too"
    );

    assert!(
        wrong.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    println!(
        "access matrix: {} routes × {} roles = {cells} cells",
        checks.len(),
        ROLES.len()
    );
    world.app.stop().await;
}

#[tokio::test]
async fn every_route_answers_each_role_as_classified_on_sqlite() {
    matrix(TestApp::spawn().await).await;
}

#[tokio::test]
async fn every_route_answers_each_role_as_classified_on_postgres() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    matrix(app).await;
}

#[tokio::test]
async fn unknown_pages_and_requests_are_proper_404s() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("staff@example.nl", "staff").await;
    for path in ["/no-such-page", "/requests/999999", "/requests/abc"] {
        let res = app.get(&staff, path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = app.get(&app.client(), "/s/not-a-token").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn malformed_server_function_input_is_a_400_not_a_500() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("staff@example.nl", "staff").await;
    for (endpoint, body, kind) in [
        (
            "requests/get",
            "id=not-a-number",
            "application/x-www-form-urlencoded",
        ),
        ("requests/get", "", "application/x-www-form-urlencoded"),
        ("requests/list", "{not json", "application/json"),
        (
            "requests/signers",
            "{\"id\": 1, \"signers\": 7}",
            "application/json",
        ),
        (
            "sign_in",
            "email=%FF%FE&password",
            "application/x-www-form-urlencoded",
        ),
    ] {
        let res = staff
            .post(app.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .header("content-type", kind)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint} {body:?}: {status} {}",
            res.text().await.unwrap_or_default()
        );
    }
    let huge = format!("id=1&x={}", "a".repeat(3 * 1024 * 1024));
    let res = staff
        .post(app.url("/api/requests/get"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert!(
        res.status() == StatusCode::PAYLOAD_TOO_LARGE || res.status() == StatusCode::BAD_REQUEST,
        "{}",
        res.status()
    );
    app.stop().await;
}
