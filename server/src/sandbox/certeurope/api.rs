//! SignAPI's endpoints, over the simulator's in-process store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use certeurope::model::{
    Order, OrderCreate, OrderStatus, SignatureRequest, SignatureRequestStatus, SignatureStatus,
    StatusChange,
};
use rand::Rng;

use super::guess;
use crate::sandbox::pdf;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(serde::Serialize, serde::Deserialize)]
struct OrderRec {
    order: Order,
    create: OrderCreate,
    /// The code last sent, while valid.
    otp: Option<String>,
    tries_left: u32,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SigRec {
    status: SignatureRequestStatus,
    request: SignatureRequest,
}

/// What the simulator knows. Orders, signature requests and the codes sent
/// are kept in the database (one JSON value) after every change, so a
/// restart of the portal carries on with them; the bodies received and the
/// injected failures are for tests and stay in the process.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Inner {
    next: u64,
    orders: HashMap<String, OrderRec>,
    sigs: HashMap<String, SigRec>,
    /// Signature request ids in creation order.
    sig_order: Vec<String>,
    /// Every body received, with its path (tests read them back).
    #[serde(skip)]
    received: Vec<(String, serde_json::Value)>,
    /// One-time codes "sent".
    sent_codes: Vec<SentCode>,
    /// The next sign of these orders fails with this reason.
    #[serde(skip)]
    fail_sign: HashMap<String, String>,
}

/// The settings key of the simulator's state.
const STATE_KEY: &str = "certeurope.state";

/// A one-time code the simulator "sent" (SMS or email to `contact`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SentCode {
    pub at: chrono::DateTime<chrono::Utc>,
    pub contact: String,
    pub code: String,
    /// The order's `externalOrderRequestId`.
    pub order: String,
}

/// The simulator's state.
#[derive(Clone, Default)]
pub struct Sim {
    inner: Arc<Mutex<Inner>>,
    http: reqwest::Client,
    /// Where the state is kept (none: in the process only).
    store: Option<app::ssr::db::Db>,
    /// One save at a time, so a later state is never overwritten by an earlier one.
    saving: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sim { .. }")
    }
}

impl Sim {
    /// A simulator that forgets everything when the process ends.
    pub fn new() -> Sim {
        Sim::default()
    }

    /// The simulator of this installation: its state as last kept in `db`,
    /// and kept there after every change.
    pub async fn restored(db: &app::ssr::db::Db) -> anyhow::Result<Sim> {
        let inner = match app::ssr::db::sandbox::get_setting(db, STATE_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the CertEurope simulator's kept state is unreadable; starting empty");
                Inner::default()
            }),
            None => Inner::default(),
        };
        Ok(Sim {
            inner: Arc::new(Mutex::new(inner)),
            store: Some(db.clone()),
            ..Sim::default()
        })
    }

    /// Keeps the state (after a change; before the answer goes out).
    async fn save(&self) {
        let Some(db) = &self.store else { return };
        let _one = self.saving.lock().await;
        let json = {
            let inner = self.inner.lock().expect("sim lock");
            serde_json::to_string(&*inner)
        };
        let result = match json {
            Ok(json) => app::ssr::db::sandbox::set_setting(db, STATE_KEY, &json)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "the CertEurope simulator could not keep its state");
        }
    }

    /// The bodies received at `path`, oldest first.
    pub fn received(&self, path: &str) -> Vec<serde_json::Value> {
        let inner = self.inner.lock().expect("sim lock");
        inner
            .received
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The codes sent, newest last, with when and for which order.
    pub fn codes(&self) -> Vec<SentCode> {
        self.inner.lock().expect("sim lock").sent_codes.clone()
    }

    /// Makes the next sign of an order fail with `reason` (`SIGN_FAILED`).
    pub fn fail_next_sign(&self, external_order_id: &str, reason: &str) {
        self.inner
            .lock()
            .expect("sim lock")
            .fail_sign
            .insert(external_order_id.into(), reason.into());
    }

    pub fn order_count(&self) -> usize {
        self.inner.lock().expect("sim lock").orders.len()
    }
}

/// SignAPI's error body.
fn error(status: StatusCode, label: &str, msg: impl Into<String>) -> Response {
    (
        status,
        Json(serde_json::json!({"errorMsg": msg.into(), "errorLabel": label})),
    )
        .into_response()
}

fn invalid(msg: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, guess::VALIDATION_LABEL, msg)
}

fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        guess::NOT_FOUND_LABEL,
        format!("{what} not found"),
    )
}

/// An order locked after too many wrong codes.
fn locked() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        certeurope::error::TOO_MANY_TRIES,
        guess::TOO_MANY_TRIES,
    )
}

/// A status as listed (the signed PDF only comes with a single get).
fn without_content(mut s: SignatureRequestStatus) -> SignatureRequestStatus {
    s.signed_content = None;
    s
}

type Q = Query<HashMap<String, String>>;

fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(|s| s.as_str()).filter(|s| !s.is_empty())
}

pub fn routes(sim: Sim) -> Router {
    Router::new()
        .route("/ephemeral/orders", post(create_order))
        .route("/ephemeral/orders/", get(get_order).delete(delete_order))
        .route("/ephemeral/orders/search", get(search_orders))
        .route("/ephemeral/signatures", post(create_simple))
        .route("/ephemeral/trigger/signatures", post(create_triggered))
        .route("/ephemeral/trigger/signatures/validate", post(validate))
        .route("/ephemeral/signatures/sign", post(sign_simple))
        .route("/ephemeral/trigger/signatures/sign", post(sign_triggered))
        .route("/ephemeral/signatures/", get(get_signature).patch(refuse))
        .route("/ephemeral/signatures/search/", get(search_signatures))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(sim.clone(), keep))
        .with_state(sim)
}

/// Every call that may change something is kept before it is answered.
async fn keep(
    State(sim): State<Sim>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let changes = req.method() != axum::http::Method::GET;
    let res = next.run(req).await;
    if changes {
        sim.save().await;
    }
    res
}

fn record(inner: &mut Inner, path: &str, body: &serde_json::Value) {
    inner.received.push((path.to_string(), body.clone()));
}

fn parse<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<T, String> {
    serde_json::from_value(body.clone()).map_err(|e| format!("Invalid body: {e}"))
}

async fn create_order(State(sim): State<Sim>, Json(body): Json<serde_json::Value>) -> Response {
    let mut inner = sim.inner.lock().expect("sim lock");
    record(&mut inner, "/ephemeral/orders", &body);
    let create: OrderCreate = match parse(&body) {
        Ok(c) => c,
        Err(m) => return invalid(m),
    };
    let h = &create.holder;
    for (name, value) in [
        ("holder.firstname", &h.firstname),
        ("holder.lastname", &h.lastname),
        ("holder.country", &h.country),
        ("externalOrderRequestId", &create.external_order_request_id),
    ] {
        if value.trim().is_empty() {
            return invalid(format!("{name} is required"));
        }
    }
    if h.country.len() != 2 {
        return invalid("holder.country must be an ISO 3166-1 alpha-2 code");
    }
    if create.enable_otp == Some(true) && create.otp_contact.as_deref().unwrap_or("").is_empty() {
        return invalid("otpContact is required when enableOtp is true");
    }
    if inner
        .orders
        .values()
        .any(|o| o.order.external_order_request_id == create.external_order_request_id)
    {
        return invalid(format!(
            "externalOrderRequestId {} already exists",
            create.external_order_request_id
        ));
    }
    inner.next += 1;
    let order = Order {
        order_request_id: format!("{}", 10_000 + inner.next),
        external_order_request_id: create.external_order_request_id.clone(),
        // S10's mock answers VALIDATED.
        status: OrderStatus::Validated,
    };
    inner.orders.insert(
        order.order_request_id.clone(),
        OrderRec {
            order: order.clone(),
            create,
            otp: None,
            tries_left: guess::OTP_TRIES,
        },
    );
    (StatusCode::OK, Json(order)).into_response()
}

fn find_order<'a>(inner: &'a Inner, q: &HashMap<String, String>) -> Option<&'a OrderRec> {
    if let Some(id) = param(q, "id").or(param(q, "orderRequestId")) {
        return inner.orders.get(id);
    }
    let ext = param(q, "externalId").or(param(q, "externalOrderRequestId"))?;
    inner
        .orders
        .values()
        .find(|o| o.order.external_order_request_id == ext)
}

async fn get_order(State(sim): State<Sim>, Query(q): Q) -> Response {
    let inner = sim.inner.lock().expect("sim lock");
    match find_order(&inner, &q) {
        Some(o) => Json(o.order.clone()).into_response(),
        None => not_found("Order"),
    }
}

async fn search_orders(State(sim): State<Sim>, Query(q): Q) -> Response {
    let inner = sim.inner.lock().expect("sim lock");
    let email = param(&q, "email");
    let mobile = param(&q, "mobile");
    let found: Vec<Order> = inner
        .orders
        .values()
        .filter(|o| {
            email.is_none_or(|e| o.create.holder.email.as_deref() == Some(e))
                && mobile.is_none_or(|m| o.create.holder.mobile.as_deref() == Some(m))
        })
        .map(|o| o.order.clone())
        .collect();
    Json(found).into_response()
}

async fn delete_order(State(sim): State<Sim>, Query(q): Q) -> Response {
    let mut inner = sim.inner.lock().expect("sim lock");
    let Some(id) = find_order(&inner, &q).map(|o| o.order.order_request_id.clone()) else {
        return not_found("Order");
    };
    inner.orders.remove(&id);
    for s in inner.sigs.values_mut() {
        if s.status.order_request_id == id && !s.status.status.is_signed() {
            s.status.status = SignatureStatus::Discarded;
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn create_simple(sim: State<Sim>, q: Q, body: Json<serde_json::Value>) -> Response {
    create_requests(sim, q, body, false).await
}

async fn create_triggered(sim: State<Sim>, q: Q, body: Json<serde_json::Value>) -> Response {
    create_requests(sim, q, body, true).await
}

async fn create_requests(
    State(sim): State<Sim>,
    Query(q): Q,
    Json(body): Json<serde_json::Value>,
    triggered: bool,
) -> Response {
    let mut inner = sim.inner.lock().expect("sim lock");
    let path = if triggered {
        "/ephemeral/trigger/signatures"
    } else {
        "/ephemeral/signatures"
    };
    record(&mut inner, path, &body);
    let Some(order) = find_order(&inner, &q) else {
        return not_found("Order");
    };
    if order.create.triggered() != triggered {
        return invalid(if triggered {
            "This order was not created with enableOtp: use /ephemeral/signatures"
        } else {
            "This order was created with enableOtp: use /ephemeral/trigger/signatures"
        });
    }
    let order = order.order.clone();
    let requests: Vec<SignatureRequest> = match parse(&body) {
        Ok(r) => r,
        Err(m) => return invalid(m),
    };
    if requests.is_empty() {
        return invalid("At least one signature request is required");
    }
    for r in &requests {
        match B64.decode(&r.to_sign_content) {
            Ok(bytes) if pdf::is_pdf(&bytes) => {}
            _ => {
                return invalid(format!(
                    "toSignContent of {} is not a base64 PDF",
                    r.external_signature_request_id
                ))
            }
        }
    }
    let mut out = Vec::new();
    for r in requests {
        inner.next += 1;
        let status = SignatureRequestStatus {
            signature_request_id: format!("{}", 50_000 + inner.next),
            external_signature_request_id: r.external_signature_request_id.clone(),
            order_request_id: order.order_request_id.clone(),
            external_order_request_id: order.external_order_request_id.clone(),
            status: if triggered {
                SignatureStatus::SignAwaitingValidation
            } else {
                SignatureStatus::SignCreated
            },
            reason: None,
            signed_content: None,
            signing_date: None,
        };
        inner.sig_order.push(status.signature_request_id.clone());
        inner.sigs.insert(
            status.signature_request_id.clone(),
            SigRec {
                status: status.clone(),
                request: r,
            },
        );
        out.push(status);
    }
    Json(out).into_response()
}

fn order_sigs(inner: &Inner, order_id: &str) -> Vec<String> {
    inner
        .sig_order
        .iter()
        .filter(|id| inner.sigs[*id].status.order_request_id == order_id)
        .cloned()
        .collect()
}

async fn validate(State(sim): State<Sim>, Query(q): Q) -> Response {
    let mut inner = sim.inner.lock().expect("sim lock");
    let Some(id) = find_order(&inner, &q).map(|o| o.order.order_request_id.clone()) else {
        return not_found("Order");
    };
    let sigs = order_sigs(&inner, &id);
    if sigs.is_empty() {
        return invalid("No signature request for this order");
    }
    let order = inner.orders.get_mut(&id).expect("found above");
    if !order.create.triggered() {
        return invalid("This order was not created with enableOtp");
    }
    if order.tries_left == 0 {
        return locked();
    }
    let code: String = (0..guess::OTP_DIGITS)
        .map(|_| char::from(b'0' + rand::rng().random_range(0..10u8)))
        .collect();
    order.otp = Some(code.clone());
    let contact = order.create.otp_contact.clone().unwrap_or_default();
    let external = order.order.external_order_request_id.clone();
    for s in &sigs {
        let rec = inner.sigs.get_mut(s).expect("listed");
        if rec.status.status == SignatureStatus::SignAwaitingValidation {
            rec.status.status = SignatureStatus::SignAwaiting;
        }
    }
    inner.sent_codes.push(SentCode {
        at: chrono::Utc::now(),
        contact,
        code,
        order: external,
    });
    StatusCode::OK.into_response()
}

async fn sign_simple(sim: State<Sim>, q: Q, body: Json<serde_json::Value>) -> Response {
    sign(sim, q, body, false).await
}

async fn sign_triggered(sim: State<Sim>, q: Q, body: Json<serde_json::Value>) -> Response {
    sign(sim, q, body, true).await
}

async fn sign(
    State(sim): State<Sim>,
    Query(q): Q,
    Json(body): Json<serde_json::Value>,
    triggered: bool,
) -> Response {
    let asynchronous = match param(&q, "mode") {
        Some("SYNC") => false,
        Some("ASYNC") => true,
        _ => return invalid("mode must be SYNC or ASYNC"),
    };
    let post_url = param(&q, "asyncPostUrl").map(str::to_string);
    if asynchronous && post_url.is_none() {
        return invalid("asyncPostUrl is required in ASYNC mode");
    }
    let mut inner = sim.inner.lock().expect("sim lock");
    record(
        &mut inner,
        if triggered {
            "/ephemeral/trigger/signatures/sign"
        } else {
            "/ephemeral/signatures/sign"
        },
        &body,
    );
    let Some(order_id) = find_order(&inner, &q).map(|o| o.order.order_request_id.clone()) else {
        return not_found("Order");
    };
    let order = inner.orders.get_mut(&order_id).expect("found above");
    if order.create.triggered() != triggered {
        return invalid("Use the sign path of the order's kind (simple or trigger)");
    }
    if triggered {
        if order.tries_left == 0 {
            return locked();
        }
        let Some(expected) = order.otp.clone() else {
            return error(
                StatusCode::BAD_REQUEST,
                certeurope::error::CODE_KO,
                guess::NO_CODE,
            );
        };
        if param(&q, "otp") != Some(expected.as_str()) {
            order.tries_left -= 1;
            if order.tries_left == 0 {
                order.otp = None;
                return locked();
            }
            let left = order.tries_left;
            return error(
                StatusCode::BAD_REQUEST,
                certeurope::error::WRONG_CODE,
                guess::wrong_code(left),
            );
        }
        order.otp = None;
    }
    let holder = format!(
        "{} {}",
        order.create.holder.firstname, order.create.holder.lastname
    );
    let external_order = order.order.external_order_request_id.clone();
    let failure = inner.fail_sign.remove(&external_order);
    let ids = order_sigs(&inner, &order_id);
    let mut out = Vec::new();
    for id in &ids {
        let rec = inner.sigs.get_mut(id).expect("listed");
        if rec.status.status.is_signed() || rec.status.status == SignatureStatus::Discarded {
            out.push(rec.status.clone());
            continue;
        }
        if asynchronous {
            rec.status.status = SignatureStatus::SignInProgress;
        } else {
            finish(rec, &holder, failure.as_deref());
        }
        out.push(rec.status.clone());
    }
    drop(inner);
    if let (true, Some(url)) = (asynchronous, post_url) {
        let sim = sim.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(guess::ASYNC_DELAY_MS)).await;
            let statuses: Vec<SignatureRequestStatus> = {
                let mut inner = sim.inner.lock().expect("sim lock");
                ids.iter()
                    .map(|id| {
                        let rec = inner.sigs.get_mut(id).expect("listed");
                        if rec.status.status == SignatureStatus::SignInProgress {
                            finish(rec, &holder, failure.as_deref());
                        }
                        without_content(rec.status.clone())
                    })
                    .collect()
            };
            sim.save().await;
            if let Err(e) = sim.http.post(&url).json(&statuses).send().await {
                tracing::warn!(error = %e, "certeurope sandbox could not post to asyncPostUrl");
            }
        });
    }
    Json(out.into_iter().map(without_content).collect::<Vec<_>>()).into_response()
}

/// Signs one request: the PDF with a visible mark where it was asked for.
fn finish(rec: &mut SigRec, holder: &str, failure: Option<&str>) {
    if let Some(reason) = failure {
        rec.status.status = SignatureStatus::SignFailed;
        rec.status.reason = Some(reason.to_string());
        return;
    }
    let original = B64.decode(&rec.request.to_sign_content).unwrap_or_default();
    let now = chrono::Utc::now();
    let opts = rec
        .request
        .pdf_signature_options
        .clone()
        .unwrap_or_default();
    let page = opts.signature_page.unwrap_or(1).max(1) as u32;
    let (_, height) = pdf::page_size(&original, page);
    let (left, top) = guess::mark_top_left(
        opts.signature_pos_x.unwrap_or(36) as f64,
        opts.signature_pos_y.unwrap_or(36) as f64,
        height,
    );
    let mut lines = vec![format!("Signed by {holder}")];
    lines.extend(
        opts.lines_options
            .unwrap_or_default()
            .into_iter()
            .map(|l| l.line_content),
    );
    lines.push(format!(
        "{} (SignAPI sandbox)",
        now.format("%Y-%m-%d %H:%M UTC")
    ));
    let mark = pdf::Mark {
        page,
        left,
        top,
        width: guess::MARK_WIDTH,
        height: guess::MARK_HEIGHT,
        lines,
    };
    match pdf::mark(&original, &[mark]) {
        Ok(signed) => {
            rec.status.status = SignatureStatus::Signed;
            rec.status.signed_content = Some(B64.encode(signed));
            rec.status.signing_date = Some(now.to_rfc3339());
        }
        Err(e) => {
            rec.status.status = SignatureStatus::SignFailed;
            rec.status.reason = Some(format!("The document could not be signed: {e}"));
        }
    }
}

async fn get_signature(State(sim): State<Sim>, Query(q): Q) -> Response {
    let inner = sim.inner.lock().expect("sim lock");
    let found = match (param(&q, "id"), param(&q, "externalId")) {
        (Some(id), _) => inner.sigs.get(id),
        (None, Some(ext)) => inner
            .sigs
            .values()
            .find(|s| s.status.external_signature_request_id == ext),
        _ => None,
    };
    match found {
        Some(s) => Json(s.status.clone()).into_response(),
        None => not_found("Signature request"),
    }
}

async fn search_signatures(State(sim): State<Sim>, Query(q): Q) -> Response {
    let inner = sim.inner.lock().expect("sim lock");
    let Some(order) = param(&q, "orderRequestId") else {
        return invalid("orderRequestId is required");
    };
    let status = param(&q, "status");
    let found: Vec<SignatureRequestStatus> = order_sigs(&inner, order)
        .iter()
        .map(|id| inner.sigs[id].status.clone())
        .filter(|s| status.is_none_or(|w| s.status.as_str() == w))
        .map(without_content)
        .collect();
    Json(found).into_response()
}

async fn refuse(
    State(sim): State<Sim>,
    Query(q): Q,
    Json(body): Json<serde_json::Value>,
) -> Response {
    let mut inner = sim.inner.lock().expect("sim lock");
    record(&mut inner, "/ephemeral/signatures/ PATCH", &body);
    let change: StatusChange = match parse(&body) {
        Ok(c) => c,
        Err(m) => return invalid(m),
    };
    if change.status != SignatureStatus::Refused {
        return invalid("Only status REFUSED can be set");
    }
    let Some(rec) = param(&q, "id").and_then(|id| inner.sigs.get_mut(id)) else {
        return not_found("Signature request");
    };
    if rec.status.status.is_signed() {
        return invalid("A signed request cannot be refused");
    }
    rec.status.status = SignatureStatus::Refused;
    StatusCode::NO_CONTENT.into_response()
}
