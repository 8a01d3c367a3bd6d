//! The typed client: every endpoint, Signhost's headers, retries with
//! exponential backoff and jitter for 5xx, timeouts and connection errors.

use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{from_response, Error};
use crate::model::{CreateTransaction, DeleteTransaction, FileMeta, Transaction};

/// Signhost's limit for one PDF (50 MiB).
pub const MAX_FILE_BYTES: usize = 52_428_800;
const VERSIONED_JSON: &str = "application/vnd.signhost.v1+json";

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Exponential delay with jitter, at least what `Retry-After` asked for.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let capped = exp.min(self.max_delay);
        let jitter = rand::rng().random_range(0.0..=0.5);
        let with_jitter = capped.mul_f64(1.0 + jitter).min(self.max_delay);
        retry_after.map_or(with_jitter, |ra| ra.max(with_jitter))
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    app_key: String,
    user_token: String,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

enum Body {
    None,
    Json(Vec<u8>),
    Pdf(Bytes, String),
}

impl Client {
    /// A client for the API at `base` (e.g. `https://api.signhost.com/api/`).
    pub fn new(base: Url, app_key: &str, user_token: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("signing-portal/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client");
        let mut base = base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Self {
            http,
            base,
            app_key: app_key.into(),
            user_token: user_token.into(),
            retry: RetryPolicy::default(),
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .expect("an HTTP client");
        self
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("http base URL")
            .pop_if_empty()
            .extend(segments);
        url
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&format!("APPKey {}", self.app_key)) {
            h.insert("Application", v);
        }
        if !self.user_token.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&format!("APIKey {}", self.user_token)) {
                h.insert(AUTHORIZATION, v);
            }
        }
        h.insert(ACCEPT, HeaderValue::from_static(VERSIONED_JSON));
        h
    }

    /// Sends with retries; returns status and body of a success.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Body,
        accept: Option<&str>,
    ) -> Result<(StatusCode, Bytes), Error> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .headers(self.headers());
            if let Some(a) = accept {
                req = req.header(ACCEPT, a);
            }
            req = match &body {
                Body::None => req.header(reqwest::header::CONTENT_LENGTH, "0"),
                Body::Json(b) => req.header(CONTENT_TYPE, "application/json").body(b.clone()),
                Body::Pdf(bytes, digest) => req
                    .header(CONTENT_TYPE, "application/pdf")
                    .header("Digest", digest.as_str())
                    .body(bytes.clone()),
            };
            let err = match req.send().await {
                Ok(res) => {
                    let status = res.status();
                    let retry_after = res
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let bytes = res
                        .bytes()
                        .await
                        .map_err(|e| Error::Transport(e.to_string()))?;
                    if status.is_success() {
                        return Ok((status, bytes));
                    }
                    from_response(
                        status.as_u16(),
                        &String::from_utf8_lossy(&bytes),
                        retry_after,
                    )
                }
                Err(e) => Error::Transport(e.to_string()),
            };
            if !err.is_retryable() || attempt >= self.retry.max_attempts {
                return Err(err);
            }
            let retry_after = match &err {
                Error::Server { retry_after, .. } => *retry_after,
                _ => None,
            };
            let delay = self.retry.delay(attempt, retry_after);
            tracing::warn!(%url, attempt, ?delay, error = %err, "Signhost call failed; retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Body,
    ) -> Result<T, Error> {
        let (_, bytes) = self.send(method, url, body, None).await?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Decode(e.to_string()))
    }

    fn to_json<T: serde::Serialize>(value: &T) -> Result<Body, Error> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(|e| Error::Decode(e.to_string()))
    }

    /// `POST /api/transaction` (200, status 5).
    pub async fn create_transaction(
        &self,
        request: &CreateTransaction,
    ) -> Result<Transaction, Error> {
        self.json(
            Method::POST,
            self.url(&["transaction"]),
            Self::to_json(request)?,
        )
        .await
    }

    /// `GET /api/transaction/{id}`; a cleaned-up transaction is `Error::Gone`
    /// with what Signhost still returned.
    pub async fn get_transaction(&self, id: &str) -> Result<Transaction, Error> {
        self.json(Method::GET, self.url(&["transaction", id]), Body::None)
            .await
    }

    /// `DELETE /api/transaction/{id}`: cancels a running transaction (60) or
    /// purges a finished one.
    pub async fn delete_transaction(
        &self,
        id: &str,
        options: Option<&DeleteTransaction>,
    ) -> Result<Transaction, Error> {
        let body = match options {
            Some(o) => Self::to_json(o)?,
            None => Body::None,
        };
        self.json(Method::DELETE, self.url(&["transaction", id]), body)
            .await
    }

    /// `PUT …/file/{fileId}` with the file's metadata (202).
    pub async fn put_file_meta(
        &self,
        transaction_id: &str,
        file_id: &str,
        meta: &FileMeta,
    ) -> Result<(), Error> {
        let url = self.url(&["transaction", transaction_id, "file", file_id]);
        self.send(Method::PUT, url, Self::to_json(meta)?, None)
            .await
            .map(|_| ())
    }

    /// `PUT …/file/{fileId}` with the PDF and its SHA-256 `Digest` (201 or 200).
    /// Files over Signhost's limit are refused before any request.
    pub async fn put_file(
        &self,
        transaction_id: &str,
        file_id: &str,
        pdf: Bytes,
    ) -> Result<(), Error> {
        if pdf.len() > MAX_FILE_BYTES {
            return Err(Error::FileTooLarge {
                size: pdf.len(),
                limit: MAX_FILE_BYTES,
            });
        }
        let digest = digest_header(&pdf);
        let url = self.url(&["transaction", transaction_id, "file", file_id]);
        self.send(Method::PUT, url, Body::Pdf(pdf, digest), None)
            .await
            .map(|_| ())
    }

    /// `PUT …/start` (204).
    pub async fn start(&self, transaction_id: &str) -> Result<(), Error> {
        self.send(
            Method::PUT,
            self.url(&["transaction", transaction_id, "start"]),
            Body::None,
            None,
        )
        .await
        .map(|_| ())
    }

    /// `GET …/file/{fileId}`: the uploaded PDF, or the signed one once status is 30.
    pub async fn get_file(&self, transaction_id: &str, file_id: &str) -> Result<Bytes, Error> {
        let url = self.url(&["transaction", transaction_id, "file", file_id]);
        Ok(self
            .send(Method::GET, url, Body::None, Some(PDF_ACCEPT))
            .await?
            .1)
    }

    /// `GET /api/file/receipt/{id}` (status 30 only).
    pub async fn get_receipt(&self, transaction_id: &str) -> Result<Bytes, Error> {
        let url = self.url(&["file", "receipt", transaction_id]);
        Ok(self
            .send(Method::GET, url, Body::None, Some(PDF_ACCEPT))
            .await?
            .1)
    }
}

const PDF_ACCEPT: &str = "application/pdf, application/vnd.signhost.v1+json";

/// `SHA-256=<base64 of the raw digest>`, as RFC 3230 / 5843 define it.
pub fn digest_header(body: &[u8]) -> String {
    let hash = Sha256::digest(body);
    format!(
        "SHA-256={}",
        base64::engine::general_purpose::STANDARD.encode(hash)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_the_published_vector() {
        assert_eq!(
            digest_header(b""),
            "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn urls_escape_each_segment() {
        let c = Client::new(Url::parse("http://h/sandbox/api").unwrap(), "a", "u");
        assert_eq!(
            c.url(&["transaction", "t 1", "file", "a/b.pdf"]).as_str(),
            "http://h/sandbox/api/transaction/t%201/file/a%2Fb.pdf"
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let d1 = p.delay(1, None);
        assert!(
            d1 >= Duration::from_millis(100) && d1 <= Duration::from_millis(150),
            "{d1:?}"
        );
        let d3 = p.delay(3, None);
        assert!(
            d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(600),
            "{d3:?}"
        );
        assert!(p.delay(10, None) <= Duration::from_secs(1));
        assert!(p.delay(1, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
    }
}
