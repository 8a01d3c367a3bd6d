//! The client: each call asks only for the scopes it needs, reuses the one
//! cached token for them, refreshes it once on a 401 and tries again once,
//! reports a 403 as a missing scope (never retried), and retries 5xx,
//! timeouts and connection errors with exponential backoff and jitter.
//! Paths are relative to the documents API's base (S1
//! `Services/Signing/Express/ExpressSignatureService.cs`, S2
//! `Services/Signature/SignatureService.cs`: the same relative paths on
//! `https://api.signicat.io/signature/` and `https://api.signicat.com/express/sign/`).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::auth::{good_until, scope_value, Credentials, Scope, Token, TokenAnswer, TokenCache};
use crate::error::{from_status, read_body, Error};
use crate::model::{
    Attachment, AttachmentOptions, CollectionWithCount, Document, DocumentCreateOptions,
    DocumentStatusSummary, DocumentSummary, FileFormat,
};

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        exp.mul_f64(1.0 + rand::rng().random_range(0.0..=0.5))
            .min(self.max_delay)
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// The documents API, e.g. `https://api.signicat.io/signature/`.
    base: Url,
    /// The token endpoint, e.g. `https://api.signicat.io/oauth/connect/token`.
    token_url: Url,
    credentials: Credentials,
    retry: RetryPolicy,
    tokens: TokenCache,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("token_url", &self.token_url.as_str())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

enum Body {
    None,
    Json(Vec<u8>),
}

fn scopes(list: &[Scope]) -> BTreeSet<Scope> {
    list.iter().copied().collect()
}

fn transport(e: reqwest::Error) -> Error {
    Error::Unavailable(if e.is_timeout() {
        "timed out".into()
    } else {
        e.to_string()
    })
}

impl Client {
    /// A client for the documents API at `base`, with tokens from `token_url`.
    pub fn new(base: Url, token_url: Url, credentials: Credentials) -> Client {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let mut base = base;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Client {
            http,
            base,
            token_url,
            credentials,
            retry: RetryPolicy::default(),
            tokens: TokenCache::default(),
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Client {
        self.retry = retry;
        self
    }

    /// A valid token for `scopes`: the cached one, or one fresh request
    /// that concurrent callers wait for. `stale` is a token that was just
    /// refused (401): it is replaced unless another caller already did.
    async fn token(&self, scopes: &BTreeSet<Scope>, stale: Option<&str>) -> Result<String, Error> {
        let slot = self.tokens.slot(scopes).await;
        let mut held = slot.lock().await;
        if let Some(t) = held.as_ref() {
            if t.good_until > Instant::now() && Some(t.value.as_str()) != stale {
                return Ok(t.value.clone());
            }
        }
        let fresh = self.fetch_token(scopes).await?;
        *held = Some(fresh.clone());
        Ok(fresh.value)
    }

    async fn fetch_token(&self, scopes: &BTreeSet<Scope>) -> Result<Token, Error> {
        let scope = scope_value(scopes);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let asked = Instant::now();
            let sent = self
                .http
                .post(self.token_url.clone())
                .basic_auth(
                    &self.credentials.client_id,
                    Some(&self.credentials.client_secret),
                )
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", scope.as_str()),
                ])
                .send()
                .await;
            let failure = match sent {
                Ok(res) if res.status().is_success() => {
                    let answer: TokenAnswer = res
                        .json()
                        .await
                        .map_err(|e| Error::Unreadable(format!("token: {e}")))?;
                    tracing::debug!(scope = %scope, expires_in = answer.expires_in, "Signicat token fetched");
                    return Ok(Token {
                        value: answer.access_token,
                        good_until: good_until(asked, answer.expires_in),
                    });
                }
                Ok(res) => {
                    let status = res.status();
                    let text = res.text().await.unwrap_or_default();
                    if status.is_server_error() {
                        Error::Unavailable(format!("token: {status}"))
                    } else if status == StatusCode::FORBIDDEN || text.contains("invalid_scope") {
                        return Err(Error::Scope {
                            scope,
                            message: read_body(&text).0,
                        });
                    } else {
                        return Err(Error::Credentials(read_body(&text).0));
                    }
                }
                Err(e) => transport(e),
            };
            if attempt >= self.retry.max_attempts {
                return Err(failure);
            }
            tokio::time::sleep(self.retry.delay(attempt)).await;
        }
    }

    /// One call: a 401 refreshes the token and tries once more; 5xx and
    /// transport failures are retried with backoff.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        needs: &[Scope],
        body: Body,
    ) -> Result<reqwest::Response, Error> {
        let scopes = scopes(needs);
        let scope_names = scope_value(&scopes);
        let mut url = self.base.join(path).map_err(|e| Error::Refused {
            status: 0,
            message: format!("bad path {path}: {e}"),
            fields: vec![],
        })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut token = self.token(&scopes, None).await?;
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&token)
                .header(reqwest::header::ACCEPT, "application/json");
            if let Body::Json(bytes) = &body {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            let failure = match req.send().await {
                Ok(res) if res.status().is_success() => return Ok(res),
                Ok(res) if res.status() == StatusCode::UNAUTHORIZED && !refreshed => {
                    refreshed = true;
                    token = self.token(&scopes, Some(&token)).await?;
                    continue;
                }
                Ok(res) => {
                    let status = res.status();
                    let text = res.text().await.unwrap_or_default();
                    if status == StatusCode::UNAUTHORIZED {
                        return Err(Error::Credentials(read_body(&text).0));
                    }
                    let e = from_status(status, &text, &scope_names);
                    if !e.is_retryable() {
                        return Err(e);
                    }
                    e
                }
                Err(e) => transport(e),
            };
            if attempt >= self.retry.max_attempts {
                return Err(failure);
            }
            tracing::info!(path, attempt, error = %failure, "Signicat call failed; trying again");
            tokio::time::sleep(self.retry.delay(attempt)).await;
        }
    }

    async fn json<T: DeserializeOwned>(res: reqwest::Response) -> Result<T, Error> {
        let text = res.text().await.map_err(transport)?;
        serde_json::from_str(&text).map_err(|e| Error::Unreadable(e.to_string()))
    }

    fn body(value: &impl Serialize) -> Result<Body, Error> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(|e| Error::Unreadable(e.to_string()))
    }

    /// `POST /documents`.
    pub async fn create_document(&self, doc: &DocumentCreateOptions) -> Result<Document, Error> {
        let res = self
            .send(
                Method::POST,
                "documents",
                &[],
                &[Scope::DocumentWrite],
                Self::body(doc)?,
            )
            .await?;
        Self::json(res).await
    }

    /// `GET /documents/{id}`.
    pub async fn get_document(&self, id: &str) -> Result<Document, Error> {
        let res = self
            .send(
                Method::GET,
                &format!("documents/{id}"),
                &[],
                &[Scope::DocumentRead],
                Body::None,
            )
            .await?;
        Self::json(res).await
    }

    /// `GET /documents/{id}/status`.
    pub async fn status(&self, id: &str) -> Result<DocumentStatusSummary, Error> {
        let res = self
            .send(
                Method::GET,
                &format!("documents/{id}/status"),
                &[],
                &[Scope::DocumentRead],
                Body::None,
            )
            .await?;
        Self::json(res).await
    }

    /// `GET /documents/summary?externalId=…`: what was made for our request
    /// (a create that crashed before its answer was saved is found here).
    pub async fn find_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Vec<DocumentSummary>, Error> {
        let res = self
            .send(
                Method::GET,
                "documents/summary",
                &[("externalId", external_id)],
                &[Scope::DocumentRead],
                Body::None,
            )
            .await?;
        Ok(Self::json::<CollectionWithCount>(res).await?.data)
    }

    /// `POST /documents/{id}/cancel?reason=…`.
    pub async fn cancel(&self, id: &str, reason: &str) -> Result<(), Error> {
        self.send(
            Method::POST,
            &format!("documents/{id}/cancel"),
            &[("reason", reason)],
            &[Scope::DocumentWrite],
            Body::None,
        )
        .await?;
        Ok(())
    }

    /// `POST /documents/{id}/attachments`.
    pub async fn add_attachment(
        &self,
        id: &str,
        a: &AttachmentOptions,
    ) -> Result<Attachment, Error> {
        let res = self
            .send(
                Method::POST,
                &format!("documents/{id}/attachments"),
                &[],
                &[Scope::DocumentWrite],
                Self::body(a)?,
            )
            .await?;
        Self::json(res).await
    }

    /// `GET /documents/{id}/attachments`: those added so far, in order.
    pub async fn attachments(&self, id: &str) -> Result<Vec<Attachment>, Error> {
        let res = self
            .send(
                Method::GET,
                &format!("documents/{id}/attachments"),
                &[],
                &[Scope::DocumentRead],
                Body::None,
            )
            .await?;
        Self::json(res).await
    }

    /// `PATCH /documents/{id}/signers/{signerId}` with the fields to change.
    pub async fn update_signer(
        &self,
        id: &str,
        signer_id: &str,
        change: &serde_json::Value,
    ) -> Result<(), Error> {
        self.send(
            Method::PATCH,
            &format!("documents/{id}/signers/{signer_id}"),
            &[],
            &[Scope::DocumentWrite],
            Self::body(change)?,
        )
        .await?;
        Ok(())
    }

    /// `GET /documents/{id}/files?fileFormat=…`.
    pub async fn file(&self, id: &str, format: FileFormat) -> Result<Bytes, Error> {
        let res = self
            .send(
                Method::GET,
                &format!("documents/{id}/files"),
                &[("fileFormat", format.as_str())],
                &[Scope::DocumentFile],
                Body::None,
            )
            .await?;
        res.bytes().await.map_err(transport)
    }

    /// `GET /documents/{id}/files/attachments/{attachmentId}?fileFormat=…`.
    pub async fn attachment_file(
        &self,
        id: &str,
        attachment_id: &str,
        format: FileFormat,
    ) -> Result<Bytes, Error> {
        let res = self
            .send(
                Method::GET,
                &format!("documents/{id}/files/attachments/{attachment_id}"),
                &[("fileFormat", format.as_str())],
                &[Scope::DocumentFile],
                Body::None,
            )
            .await?;
        res.bytes().await.map_err(transport)
    }
}
