//! The HTTP client: mutual TLS, the endpoints, retries for reads.
//!
//! Paths and query keys are S8's (`lib/certeurope_sign_api/ephemeral/**`,
//! the HTML docs) and S10's (`src/Client/Sign/SignClient.php`), which agree.
//! Creating calls (orders, signature requests, sign) are sent once: a lost
//! answer is found again by the caller through the external id, never by a
//! second create. Reads, deletes and the refusal are retried on 5xx and
//! timeouts.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::error::{from_status, Error};
use crate::model::{
    Order, OrderCreate, SignatureRequest, SignatureRequestStatus, SignatureStatus, StatusChange,
};

/// The client certificate and key CertEurope issued (PEM; from the `.p12`
/// with `openssl pkcs12 -nodes`), and an extra trust root when the server
/// is not signed by a public CA (a simulator, a proxy).
#[derive(Clone, Default)]
pub struct Tls {
    pub client_cert_pem: Vec<u8>,
    pub client_key_pem: Vec<u8>,
    pub ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field(
                "client_cert_pem",
                &format!("{} bytes", self.client_cert_pem.len()),
            )
            .field("client_key_pem", &"<redacted>")
            .field("ca_pem", &self.ca_pem.as_ref().map(|c| c.len()))
            .finish()
    }
}

/// How `sign` answers: at once, or later by a POST to `asyncPostUrl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Sync,
    Async { post_url: String },
}

#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    /// e.g. `https://sign-sandbox.certeurope.fr/`.
    base: Url,
    /// Attempts in all for a retried call, the first included.
    attempts: u32,
    delay: Duration,
}

impl Client {
    pub fn new(base: Url, tls: &Tls) -> Result<Client, Error> {
        let mut pem = tls.client_cert_pem.clone();
        pem.push(b'\n');
        pem.extend_from_slice(&tls.client_key_pem);
        let identity = reqwest::Identity::from_pem(&pem)
            .map_err(|e| Error::Unreadable(format!("the client certificate or key: {e}")))?;
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .identity(identity)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(ca) = &tls.ca_pem {
            for cert in reqwest::Certificate::from_pem_bundle(ca)
                .map_err(|e| Error::Unreadable(format!("the CA bundle: {e}")))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| Error::Unreadable(format!("the TLS settings: {e}")))?;
        let mut base = base;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(Client {
            http,
            base,
            attempts: 3,
            delay: Duration::from_millis(400),
        })
    }

    /// Fewer or more attempts for retried calls (tests use 1).
    pub fn with_attempts(mut self, attempts: u32, delay: Duration) -> Client {
        self.attempts = attempts.max(1);
        self.delay = delay;
        self
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, Error> {
        let mut url = self
            .base
            .join(path)
            .map_err(|e| Error::Unreadable(format!("the address {path}: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().copied());
        }
        Ok(url)
    }

    async fn send_once(
        &self,
        method: Method,
        url: &Url,
        body: Option<&serde_json::Value>,
    ) -> Result<(StatusCode, String), Error> {
        let mut req = self
            .http
            .request(method.clone(), url.clone())
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.map_err(transport)?;
        let status = res.status();
        let text = res.text().await.map_err(transport)?;
        tracing::debug!(%method, path = url.path(), status = status.as_u16(), "certeurope call");
        if status.is_success() {
            Ok((status, text))
        } else {
            Err(from_status(status, &text))
        }
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<serde_json::Value>,
        retried: bool,
    ) -> Result<(StatusCode, String), Error> {
        let mut attempt = 1;
        loop {
            match self.send_once(method.clone(), &url, body.as_ref()).await {
                Err(e) if retried && e.is_retryable() && attempt < self.attempts => {
                    tokio::time::sleep(self.delay * 2u32.pow(attempt - 1)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<serde_json::Value>,
        retried: bool,
    ) -> Result<T, Error> {
        let (_, text) = self.call(method, url, body, retried).await?;
        serde_json::from_str(&text).map_err(|e| Error::Unreadable(format!("{e}: {}", clip(&text))))
    }

    /// `POST /ephemeral/orders` (simple, or triggered when `enableOtp` is set).
    pub async fn create_order(&self, order: &OrderCreate) -> Result<Order, Error> {
        let url = self.url("ephemeral/orders", &[])?;
        self.json(Method::POST, url, Some(to_value(order)?), false)
            .await
    }

    /// `GET /ephemeral/orders/?externalId=`: the order made for our reference,
    /// or `None`.
    pub async fn find_order(&self, external_id: &str) -> Result<Option<Order>, Error> {
        let url = self.url("ephemeral/orders/", &[("externalId", external_id)])?;
        match self.json(Method::GET, url, None, true).await {
            Ok(o) => Ok(Some(o)),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /ephemeral/orders/?id=`.
    pub async fn order(&self, id: &str) -> Result<Order, Error> {
        let url = self.url("ephemeral/orders/", &[("id", id)])?;
        self.json(Method::GET, url, None, true).await
    }

    /// `GET /ephemeral/orders/search?email=&mobile=`.
    pub async fn search_orders(
        &self,
        email: Option<&str>,
        mobile: Option<&str>,
    ) -> Result<Vec<Order>, Error> {
        let mut q = Vec::new();
        if let Some(e) = email {
            q.push(("email", e));
        }
        if let Some(m) = mobile {
            q.push(("mobile", m));
        }
        let url = self.url("ephemeral/orders/search", &q)?;
        self.json(Method::GET, url, None, true).await
    }

    /// `DELETE /ephemeral/orders/?id=` (204). An order already gone is fine.
    pub async fn delete_order(&self, id: &str) -> Result<(), Error> {
        let url = self.url("ephemeral/orders/", &[("id", id)])?;
        match self.call(Method::DELETE, url, None, true).await {
            Ok(_) | Err(Error::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `POST /ephemeral/signatures?orderRequestId=` (triggered orders:
    /// `/ephemeral/trigger/signatures`): the documents, an array in and out.
    pub async fn create_signature_requests(
        &self,
        order_id: &str,
        triggered: bool,
        requests: &[SignatureRequest],
    ) -> Result<Vec<SignatureRequestStatus>, Error> {
        let path = if triggered {
            "ephemeral/trigger/signatures"
        } else {
            "ephemeral/signatures"
        };
        let url = self.url(path, &[("orderRequestId", order_id)])?;
        self.json(Method::POST, url, Some(to_value(requests)?), false)
            .await
    }

    /// `POST /ephemeral/trigger/signatures/validate?orderRequestId=`: the
    /// signer accepted; SignAPI sends the one-time code.
    pub async fn validate(&self, order_id: &str) -> Result<(), Error> {
        let url = self.url(
            "ephemeral/trigger/signatures/validate",
            &[("orderRequestId", order_id)],
        )?;
        self.call(Method::POST, url, None, false).await.map(|_| ())
    }

    /// `POST /ephemeral/signatures/sign` (with `otp`:
    /// `/ephemeral/trigger/signatures/sign`). The body re-posts the
    /// signature requests as created (S8's client does so).
    pub async fn sign(
        &self,
        order_id: &str,
        otp: Option<&str>,
        mode: &Mode,
        requests: &[SignatureRequestStatus],
    ) -> Result<Vec<SignatureRequestStatus>, Error> {
        let mut q = vec![("orderRequestId", order_id)];
        match mode {
            Mode::Sync => q.push(("mode", "SYNC")),
            Mode::Async { post_url } => {
                q.push(("mode", "ASYNC"));
                q.push(("asyncPostUrl", post_url));
            }
        }
        let path = match otp {
            Some(code) => {
                q.push(("otp", code));
                "ephemeral/trigger/signatures/sign"
            }
            None => "ephemeral/signatures/sign",
        };
        let url = self.url(path, &q)?;
        self.json(Method::POST, url, Some(to_value(requests)?), false)
            .await
    }

    /// `GET /ephemeral/signatures/?id=`: with `signedContent` once signed.
    pub async fn signature(&self, id: &str) -> Result<SignatureRequestStatus, Error> {
        let url = self.url("ephemeral/signatures/", &[("id", id)])?;
        self.json(Method::GET, url, None, true).await
    }

    /// `GET /ephemeral/signatures/search/?orderRequestId=&status=`.
    pub async fn search_signatures(
        &self,
        order_id: &str,
        status: Option<&SignatureStatus>,
    ) -> Result<Vec<SignatureRequestStatus>, Error> {
        let mut q = vec![("orderRequestId", order_id)];
        if let Some(s) = status {
            q.push(("status", s.as_str()));
        }
        let url = self.url("ephemeral/signatures/search/", &q)?;
        self.json(Method::GET, url, None, true).await
    }

    /// `PATCH /ephemeral/signatures/?id=` `{status: "REFUSED"}` (204).
    pub async fn refuse(&self, id: &str) -> Result<(), Error> {
        let url = self.url("ephemeral/signatures/", &[("id", id)])?;
        let body = to_value(&StatusChange {
            status: SignatureStatus::Refused,
        })?;
        self.call(Method::PATCH, url, Some(body), true)
            .await
            .map(|_| ())
    }
}

fn to_value<T: Serialize + ?Sized>(v: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(v).map_err(|e| Error::Unreadable(e.to_string()))
}

fn clip(text: &str) -> String {
    text.chars().take(200).collect()
}

/// A transport failure: TLS problems named as such, the rest retryable.
fn transport(e: reqwest::Error) -> Error {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    let lower = chain.to_lowercase();
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("alert")
    {
        Error::Tls(chain)
    } else {
        Error::Unavailable(chain)
    }
}
