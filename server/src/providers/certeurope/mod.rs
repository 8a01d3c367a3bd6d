//! CertEurope SignAPI behind the provider seam. SignAPI has no object for
//! a whole request and no signer page: each signer gets an order (their
//! one-time certificate), found again by `externalOrderRequestId` after a
//! crash; signer 1's signature requests are made when the request is sent,
//! each later signer's from the previous signer's signed output when their
//! turn comes. The page the portal hosts (`crate::hosted`) drives consent,
//! the one-time code and the signing through [`Hosted`]. SignAPI has no
//! expiry: the portal deletes the orders when the request's days are up.
//! The ASYNC callback is only a hint: the status is always read again.

pub mod map;

use std::collections::BTreeMap;

use app::model::request::{RequestStatus, Signer};
use app::model::service::{EventKind, ProviderKind};
use app::model::tracking::SignerState;
use app::ssr::db::activities::ActivityRow;
use app::ssr::db::documents::DocumentRow;
use app::ssr::db::requests::RequestRow;
use app::ssr::db::{documents, evidence, requests, Db};
use app::ssr::faults;
use app::ssr::provider::{
    ArtifactRef, CodeError, Hosted, Inbound, NewLink, Provider, ProviderError, Sending, Snapshot,
    Step, Turn,
};
use base64::Engine;
use certeurope::model::{SignatureLevel, SignatureRequestStatus, SignatureStatus};
use certeurope::{Mode, OtpError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub struct CertEurope {
    pub client: certeurope::Client,
    /// The adapter reads and keeps its orders in the request's state.
    pub db: Db,
    pub level: SignatureLevel,
    pub client_identifier: Option<String>,
    /// `<PUBLIC_URL>hooks/certeurope`, SignAPI's `asyncPostUrl`.
    pub callback_url: String,
    /// One signer's signature requests are made once (within this instance).
    pub making: tokio::sync::Mutex<()>,
}

/// What the adapter keeps in the request's `provider_state`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Kept {
    /// SignAPI's order id per signer key.
    orders: BTreeMap<String, String>,
    /// When the portal closes the request (SignAPI has no expiry).
    expires_at: Option<DateTime<Utc>>,
    /// `cancelled` or `expired`, once the orders were deleted.
    closed: Option<String>,
    /// The reason each signer gave for declining.
    declined: BTreeMap<String, String>,
    /// When a signer's outcome that SignAPI gives no date for (a decline,
    /// an undated signature) was first known: kept, so every later read
    /// reports the same moment and the timeline shows it once.
    outcome_at: BTreeMap<String, String>,
}

impl Kept {
    fn of(json: &str) -> Kept {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// A SignAPI error in the portal's terms.
pub fn lift(e: certeurope::Error) -> ProviderError {
    match e {
        certeurope::Error::NotFound(_) => ProviderError::NotFound,
        e if e.is_retryable() => ProviderError::Retry(e.to_string()),
        certeurope::Error::Tls(m) => ProviderError::Retry(format!(
            "CertEurope's TLS connection failed (check CERTEUROPE_CLIENT_CERT, CERTEUROPE_CLIENT_KEY and CERTEUROPE_CA_CERT): {m}"
        )),
        e => ProviderError::Refused(e.to_string()),
    }
}

fn decode(sig: &SignatureRequestStatus) -> Result<Vec<u8>, ProviderError> {
    let b64 = sig.signed_content.as_deref().unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| ProviderError::Retry(format!("CertEurope's signed PDF is not base64: {e}")))
}

fn signed_all(sigs: &[SignatureRequestStatus]) -> bool {
    !sigs.is_empty() && sigs.iter().all(|s| s.status.is_signed())
}

impl CertEurope {
    async fn row(&self, request_id: i64) -> Result<RequestRow, ProviderError> {
        requests::find(&self.db, request_id)
            .await?
            .ok_or(ProviderError::NotFound)
    }

    async fn keep(&self, request_id: i64, kept: &Kept) -> Result<(), ProviderError> {
        let json = serde_json::to_string(kept).unwrap_or_else(|_| "{}".into());
        requests::set_provider_state(&self.db, request_id, &json, Utc::now()).await?;
        Ok(())
    }

    /// A signer's signature requests (none for an order already deleted).
    async fn signatures(&self, order: &str) -> Result<Vec<SignatureRequestStatus>, ProviderError> {
        match self.client.search_signatures(order, None).await {
            Ok(list) => Ok(list),
            Err(certeurope::Error::NotFound(_)) => Ok(Vec::new()),
            Err(e) => Err(lift(e)),
        }
    }

    fn order_of<'a>(kept: &'a Kept, signer: &Signer) -> Result<&'a str, ProviderError> {
        kept.orders
            .get(&signer.key)
            .map(String::as_str)
            .ok_or_else(|| ProviderError::Retry(format!("no order yet for {}", signer.name)))
    }

    /// A document as signer `index` signs it: the upload for the first,
    /// the previous signer's signed output for the others (`index` = the
    /// number of signers: the finished document).
    async fn content_for(
        &self,
        row: &RequestRow,
        kept: &Kept,
        index: usize,
        document_id: i64,
    ) -> Result<Vec<u8>, ProviderError> {
        if index == 0 {
            return documents::content(&self.db, row.id, document_id)
                .await?
                .ok_or(ProviderError::NotFound);
        }
        let signers = row.signer_list();
        let previous = signers.get(index - 1).ok_or(ProviderError::NotFound)?;
        let order = Self::order_of(kept, previous)?;
        let wanted = map::request_ref(row.id, &previous.key, document_id);
        let listed = self.signatures(order).await?;
        let Some(sig) = listed
            .iter()
            .find(|s| s.external_signature_request_id == wanted)
        else {
            return Err(ProviderError::NotFound);
        };
        let full = self
            .client
            .signature(&sig.signature_request_id)
            .await
            .map_err(lift)?;
        if !full.status.is_signed() {
            return Err(ProviderError::Retry(format!(
                "{} has not signed yet",
                previous.name
            )));
        }
        decode(&full)
    }

    /// Signer `index`'s signature requests, made from the documents as they
    /// stand for them when there are none yet.
    async fn ensure_requests(
        &self,
        row: &RequestRow,
        kept: &Kept,
        index: usize,
    ) -> Result<Vec<SignatureRequestStatus>, ProviderError> {
        let signers = row.signer_list();
        let signer = signers.get(index).ok_or(ProviderError::NotFound)?;
        let order = Self::order_of(kept, signer)?;
        let _one_at_a_time = self.making.lock().await;
        let present = self.signatures(order).await?;
        if !present.is_empty() {
            return Ok(present);
        }
        let docs = documents::list(&self.db, row.id).await?;
        let mut wanted = Vec::with_capacity(docs.len());
        for d in &docs {
            let content = self.content_for(row, kept, index, d.id).await?;
            wanted.push(map::signature_request(
                row.id, signer, d, &content, self.level,
            ));
        }
        self.client
            .create_signature_requests(order, map::uses_otp(signer), &wanted)
            .await
            .map_err(lift)
    }

    async fn orders(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let mut kept = Kept::of(&cx.row.provider_state);
        for s in cx.signers() {
            if kept.orders.contains_key(&s.key) {
                continue;
            }
            let reference = map::order_ref(cx.row.id, &s.key);
            // An order whose answer was lost is found again by our reference.
            let found = self.client.find_order(&reference).await.map_err(lift)?;
            let order = match found {
                Some(o)
                    if !matches!(
                        o.status,
                        certeurope::model::OrderStatus::Discarded
                            | certeurope::model::OrderStatus::CreationFailed
                    ) =>
                {
                    o
                }
                _ => {
                    let wanted = map::order(cx.row.id, &s, self.client_identifier.as_deref());
                    let made = self.client.create_order(&wanted).await.map_err(lift)?;
                    faults::check(cx.row.id, "certeurope: order made")?;
                    made
                }
            };
            kept.orders.insert(s.key.clone(), order.order_request_id);
            cx.save_state(&serde_json::to_value(&kept).unwrap_or_default())
                .await?;
        }
        Ok(Step::Next("requests"))
    }

    async fn first_requests(&self, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        let mut kept = Kept::of(&cx.row.provider_state);
        if cx
            .signers()
            .iter()
            .any(|s| !kept.orders.contains_key(&s.key))
        {
            return Ok(Step::Next("orders"));
        }
        if kept.expires_at.is_none() {
            kept.expires_at =
                Some(Utc::now() + chrono::Duration::days(cx.row.days_to_expire.max(1)));
            cx.save_state(&serde_json::to_value(&kept).unwrap_or_default())
                .await?;
        }
        let made = self.ensure_requests(&cx.row, &kept, 0).await?;
        let signers = cx.signers();
        let payload = serde_json::json!({
            "orders": signers.iter().map(|s| {
                serde_json::to_value(map::order(cx.row.id, s, self.client_identifier.as_deref())).unwrap_or_default()
            }).collect::<Vec<_>>(),
            "signatureRequests": made.iter().map(|r| &r.external_signature_request_id).collect::<Vec<_>>(),
        });
        let links = signers
            .iter()
            .map(|s| NewLink {
                token: None,
                signer_key: s.key.clone(),
                signer_id: kept.orders[&s.key].clone(),
                sign_url: String::new(),
            })
            .collect();
        cx.created(&map::external_id(cx.row.id), &payload.to_string(), links)
            .await?;
        for d in cx.documents().await? {
            if d.uploaded_at.is_none() {
                cx.uploaded(d.id).await?;
            }
        }
        Ok(Step::Live)
    }

    /// Deletes every order of the request (cancel, expiry, purge).
    async fn delete_orders(&self, kept: &Kept) -> Result<(), ProviderError> {
        for order in kept.orders.values() {
            self.client.delete_order(order).await.map_err(lift)?;
        }
        Ok(())
    }

    async fn close(&self, row: &RequestRow, why: &str) -> Result<(), ProviderError> {
        let mut kept = Kept::of(&row.provider_state);
        kept.closed = Some(why.into());
        self.keep(row.id, &kept).await?;
        self.delete_orders(&kept).await
    }

    async fn index_of(
        row: &RequestRow,
        signer_key: &str,
    ) -> Result<(usize, Signer), ProviderError> {
        row.signer_list()
            .into_iter()
            .enumerate()
            .find(|(_, s)| s.key == signer_key)
            .ok_or(ProviderError::NotFound)
    }
}

#[async_trait::async_trait]
impl Provider for CertEurope {
    fn kind(&self) -> ProviderKind {
        ProviderKind::CertEurope
    }

    fn first_step(&self) -> &'static str {
        "orders"
    }

    async fn step(&self, step: &str, cx: &mut Sending<'_>) -> Result<Step, ProviderError> {
        match step {
            "orders" => self.orders(cx).await,
            _ => self.first_requests(cx).await,
        }
    }

    async fn snapshot(&self, external_id: &str) -> Result<Snapshot, ProviderError> {
        let id = map::request_of(external_id).ok_or(ProviderError::NotFound)?;
        let mut row = self.row(id).await?;
        let mut kept = Kept::of(&row.provider_state);
        let mut first_seen = false;
        let mut signers = Vec::new();
        let mut events = Vec::new();
        let mut raw = Vec::new();
        let (mut all_signed, mut declined) = (true, false);
        for s in row.signer_list() {
            let order = kept.orders.get(&s.key).cloned().unwrap_or_default();
            let sigs = if order.is_empty() || kept.closed.is_some() {
                Vec::new()
            } else {
                self.signatures(&order).await?
            };
            let signed = signed_all(&sigs);
            let refused = kept.declined.contains_key(&s.key)
                || sigs.iter().any(|x| x.status == SignatureStatus::Refused);
            all_signed &= signed;
            declined |= refused;
            let at = sigs.iter().filter_map(|x| x.signing_date.clone()).max();
            raw.push(match sigs.first() {
                Some(x) => format!("{}: {}", s.key, x.status),
                None => format!("{}: -", s.key),
            });
            let status = if signed {
                "signed"
            } else if refused {
                "rejected"
            } else {
                "waiting"
            };
            if signed || refused {
                let happened_at = match at.clone() {
                    Some(at) => at,
                    None => kept
                        .outcome_at
                        .entry(s.key.clone())
                        .or_insert_with(|| {
                            first_seen = true;
                            Utc::now().to_rfc3339()
                        })
                        .clone(),
                };
                events.push(ActivityRow {
                    activity_id: format!("{status}-{order}"),
                    signer_id: order.clone(),
                    kind: if signed {
                        EventKind::Signed
                    } else {
                        EventKind::Declined
                    }
                    .as_str()
                    .into(),
                    code: 0,
                    info: kept.declined.get(&s.key).cloned(),
                    happened_at,
                });
            }
            signers.push(SignerState {
                id: order,
                email: s.email.clone(),
                status: status.into(),
                at,
                reason: kept.declined.get(&s.key).cloned(),
            });
        }
        if first_seen {
            self.keep(row.id, &kept).await?;
            row.provider_state = serde_json::to_string(&kept).unwrap_or_default();
        }
        let mut status = match kept.closed.as_deref() {
            Some("cancelled") => RequestStatus::Cancelled,
            Some(_) => RequestStatus::Expired,
            None if declined => RequestStatus::Rejected,
            None if all_signed => RequestStatus::Signed,
            None => RequestStatus::Waiting,
        };
        // SignAPI has no expiry: the portal enforces the request's days.
        if status == RequestStatus::Waiting && kept.expires_at.is_some_and(|at| at <= Utc::now()) {
            self.close(&row, "expired").await?;
            status = RequestStatus::Expired;
        }
        let raw_status = match kept.closed.as_deref() {
            Some(why) => format!("orders deleted ({why})"),
            None if status == RequestStatus::Expired => "orders deleted (expired)".into(),
            None => raw.join(", "),
        };
        Ok(Snapshot {
            status,
            raw_status,
            signers,
            events,
        })
    }

    async fn cancel(
        &self,
        external_id: &str,
        _reason: &str,
        _notify: bool,
    ) -> Result<Snapshot, ProviderError> {
        let id = map::request_of(external_id).ok_or(ProviderError::NotFound)?;
        let row = self.row(id).await?;
        self.close(&row, "cancelled").await?;
        self.snapshot(external_id).await
    }

    async fn purge(&self, external_id: &str) -> Result<(), ProviderError> {
        let id = map::request_of(external_id).ok_or(ProviderError::NotFound)?;
        let row = self.row(id).await?;
        self.delete_orders(&Kept::of(&row.provider_state)).await
    }

    fn artifacts(&self, documents: &[DocumentRow], _state: &str) -> Vec<ArtifactRef> {
        let mut files: Vec<ArtifactRef> = documents
            .iter()
            .map(|d| ArtifactRef {
                kind: "signed",
                file_id: format!("d{}", d.id),
                name: crate::providers::signhost::signed_name(&d.name),
            })
            .collect();
        files.push(ArtifactRef {
            kind: "receipt",
            file_id: CONSENT_RECEIPT.into(),
            name: "consent-receipt.pdf".into(),
        });
        files
    }

    async fn download(
        &self,
        external_id: &str,
        state: &str,
        a: &ArtifactRef,
    ) -> Result<Vec<u8>, ProviderError> {
        let id = map::request_of(external_id).ok_or(ProviderError::NotFound)?;
        let row = self.row(id).await?;
        if a.file_id == CONSENT_RECEIPT {
            return consent_receipt(&self.db, &row).await;
        }
        let document_id: i64 = a
            .file_id
            .strip_prefix('d')
            .and_then(|n| n.parse().ok())
            .ok_or(ProviderError::NotFound)?;
        let kept = Kept::of(state);
        self.content_for(&row, &kept, row.signer_list().len(), document_id)
            .await
    }

    /// SignAPI's ASYNC post: the signature requests' statuses (unsigned;
    /// only a hint to read the status again).
    fn inbound(&self, _headers: &http::HeaderMap, body: &[u8]) -> Inbound {
        let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let first = match &value {
            serde_json::Value::Array(list) => list.first().cloned().unwrap_or_default(),
            other => other.clone(),
        };
        let reference = first["externalOrderRequestId"]
            .as_str()
            .or_else(|| first["externalSignatureRequestId"].as_str());
        match reference.and_then(map::request_of) {
            Some(id) => Inbound {
                external_id: Some(map::external_id(id)),
                hint: first["status"].as_str().map(str::to_string),
                ..Default::default()
            },
            None => Inbound {
                refused: Some("not a SignAPI status of a portal request".into()),
                ..Default::default()
            },
        }
    }

    fn hosted(&self) -> Option<&dyn Hosted> {
        Some(self)
    }
}

/// The file id of the portal's consent receipt in the archive.
const CONSENT_RECEIPT: &str = "consent";

/// The portal's receipt of what each signer did on its signing page.
async fn consent_receipt(db: &Db, row: &RequestRow) -> Result<Vec<u8>, ProviderError> {
    let records = evidence::list(db, row.id).await?;
    let names: BTreeMap<String, String> = row
        .signer_list()
        .into_iter()
        .map(|s| (s.key.clone(), format!("{} <{}>", s.name, s.email)))
        .collect();
    let mut lines = vec![
        ("Consent and signing receipt".to_string(), 18),
        (String::new(), 10),
        (format!("Request {}: {}", row.id, row.title), 10),
        (format!("Reference: {}", row.reference), 10),
        (
            "Signed with CertEurope SignAPI one-time certificates".to_string(),
            10,
        ),
        (String::new(), 10),
    ];
    for r in &records {
        let who = names.get(&r.signer_key).cloned().unwrap_or_default();
        lines.push((
            format!("{}  {}  {}", r.created_at.to_rfc3339(), r.event, who),
            10,
        ));
        if !r.outcome.is_empty() {
            lines.push((format!("    {}", r.outcome), 9));
        }
        lines.push((format!("    from {} · {}", r.ip, r.user_agent), 8));
        let shown: Vec<evidence::Shown> = serde_json::from_str(&r.documents).unwrap_or_default();
        for d in shown {
            lines.push((format!("    {}  sha256 {}", d.name, d.sha256), 8));
        }
    }
    lines.push((String::new(), 10));
    lines.push((
        "Kept by the signing portal; one-time codes are never stored, only whether they were accepted."
            .to_string(),
        8,
    ));
    crate::sandbox::pdf::text_document(&lines)
        .map_err(|e| ProviderError::Retry(format!("the consent receipt: {e}")))
}

#[async_trait::async_trait]
impl Hosted for CertEurope {
    async fn turn(&self, row: &RequestRow, signer_key: &str) -> Result<Turn, ProviderError> {
        let kept = Kept::of(&row.provider_state);
        let (index, signer) = Self::index_of(row, signer_key).await?;
        if kept.closed.is_some() || row.status() != RequestStatus::Waiting {
            return Ok(Turn::Closed);
        }
        if kept.declined.contains_key(signer_key) {
            return Ok(Turn::Declined);
        }
        if !kept.declined.is_empty() {
            return Ok(Turn::Closed);
        }
        let signers = row.signer_list();
        for earlier in &signers[..index] {
            let order = Self::order_of(&kept, earlier)?;
            if !signed_all(&self.signatures(order).await?) {
                return Ok(Turn::After(earlier.name.clone()));
            }
        }
        let sigs = self.ensure_requests(row, &kept, index).await?;
        Ok(if signed_all(&sigs) {
            Turn::Signed
        } else if sigs.iter().any(|s| s.status == SignatureStatus::Refused) {
            Turn::Declined
        } else if sigs
            .iter()
            .any(|s| s.status == SignatureStatus::SignInProgress)
        {
            Turn::Signing
        } else {
            Turn::Open {
                otp: map::uses_otp(&signer),
            }
        })
    }

    async fn document(
        &self,
        row: &RequestRow,
        signer_key: &str,
        document_id: i64,
    ) -> Result<Vec<u8>, ProviderError> {
        let (index, _) = Self::index_of(row, signer_key).await?;
        self.content_for(row, &Kept::of(&row.provider_state), index, document_id)
            .await
    }

    async fn send_code(&self, row: &RequestRow, signer_key: &str) -> Result<(), ProviderError> {
        let (_, signer) = Self::index_of(row, signer_key).await?;
        let kept = Kept::of(&row.provider_state);
        let order = Self::order_of(&kept, &signer)?;
        self.client.validate(order).await.map_err(lift)
    }

    async fn sign(
        &self,
        row: &RequestRow,
        signer_key: &str,
        code: Option<&str>,
    ) -> Result<(), CodeError> {
        let (_, signer) = Self::index_of(row, signer_key).await?;
        let kept = Kept::of(&row.provider_state);
        let order = Self::order_of(&kept, &signer)?;
        let sigs = self.signatures(order).await?;
        let code = if map::uses_otp(&signer) { code } else { None };
        let mode = Mode::Async {
            post_url: self.callback_url.clone(),
        };
        match self.client.sign(order, code, &mode, &sigs).await {
            Ok(_) => Ok(()),
            Err(certeurope::Error::Otp(OtpError::WrongCode { tries_left, .. })) => {
                Err(CodeError::Wrong { tries_left })
            }
            Err(certeurope::Error::Otp(OtpError::TooManyTries { .. })) => Err(CodeError::Locked),
            Err(certeurope::Error::Otp(OtpError::Expired { .. })) => Err(CodeError::Stale),
            Err(e) => Err(CodeError::Service(lift(e))),
        }
    }

    async fn decline(
        &self,
        row: &RequestRow,
        signer_key: &str,
        reason: &str,
    ) -> Result<(), ProviderError> {
        let (_, signer) = Self::index_of(row, signer_key).await?;
        let mut kept = Kept::of(&row.provider_state);
        kept.declined.insert(signer.key.clone(), reason.to_string());
        kept.outcome_at
            .entry(signer.key.clone())
            .or_insert_with(|| Utc::now().to_rfc3339());
        self.keep(row.id, &kept).await?;
        let order = Self::order_of(&kept, &signer)?;
        for sig in self.signatures(order).await? {
            if !sig.status.is_signed() && sig.status != SignatureStatus::Refused {
                self.client
                    .refuse(&sig.signature_request_id)
                    .await
                    .map_err(lift)?;
            }
        }
        Ok(())
    }
}
