//! OAuth v2, three-legged, web-server apps only (seed: "Authentication").
//! The browser goes to Hotsign's authorize page with a random `state`;
//! Hotsign sends it back with a code that "will expire within 15 seconds",
//! exchanged at once for a token ("expire within 1 hour") and a refresh
//! token ("expire within 24 hours"). The endpoint paths and parameters are
//! inferred ([`crate::contract`]).

use std::time::Duration;

use reqwest::Method;
use url::Url;

use crate::contract::{self, Account, TokenResponse};
use crate::error::{from_status, Error};

/// Seed: authorization codes expire within 15 seconds.
pub const CODE_SECONDS: i64 = 15;
/// Seed: tokens expire in 1 hour.
pub const TOKEN_SECONDS: i64 = 3600;
/// Seed: refresh tokens expire in 24 hours.
pub const REFRESH_SECONDS: i64 = 86_400;

/// The registered app (seed: `client_id`, `client_secret`,
/// `client_redirect_uri`).
#[derive(Clone)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    /// Seed: `https://api.hotsign.com` (the simulator's address in the sandbox).
    host: Url,
    app: App,
}

impl Client {
    pub fn new(host: Url, app: App) -> Client {
        let mut host = host;
        if !host.path().ends_with('/') {
            host.set_path(&format!("{}/", host.path()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a plain HTTP client builds");
        Client { http, host, app }
    }

    pub fn host(&self) -> &Url {
        &self.host
    }

    pub(crate) fn url(&self, path: &str) -> Result<Url, Error> {
        self.host
            .join(path)
            .map_err(|e| Error::Unreadable(format!("{path}: {e}")))
    }

    /// Where to send the admin's browser; `state` must be random per attempt.
    pub fn authorize_url(&self, state: &str) -> Result<Url, Error> {
        let mut url = self.url(contract::AUTHORIZE_PATH)?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.app.client_id)
            .append_pair("redirect_uri", &self.app.redirect_uri)
            .append_pair("state", state);
        Ok(url)
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<TokenResponse, Error> {
        let url = self.url(contract::TOKEN_PATH)?;
        let mut all = form.to_vec();
        all.push(("client_id", &self.app.client_id));
        all.push(("client_secret", &self.app.client_secret));
        let res = self
            .http
            .post(url)
            .form(&all)
            .send()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        read(res).await
    }

    /// Exchanges the code from the callback (at once: it lives 15 seconds).
    pub async fn exchange(&self, code: &str) -> Result<TokenResponse, Error> {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.app.redirect_uri),
        ])
        .await
    }

    /// A new token (and refresh token) before the old one expires.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, Error> {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }

    /// Revokes a token (access or refresh); one already gone is fine.
    pub async fn revoke(&self, token: &str, hint: &str) -> Result<(), Error> {
        let url = self.url(contract::REVOKE_PATH)?;
        let form = [
            ("token", token),
            ("token_type_hint", hint),
            ("client_id", &self.app.client_id),
            ("client_secret", &self.app.client_secret),
        ];
        let res = self
            .http
            .post(url)
            .form(&form)
            .send()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        match res.status().as_u16() {
            200 | 204 | 404 => Ok(()),
            _ => {
                let status = res.status();
                Err(from_status(status, &res.text().await.unwrap_or_default()))
            }
        }
    }

    /// The account the token belongs to.
    pub async fn me(&self, access_token: &str) -> Result<Account, Error> {
        let url = self.url(contract::ME_PATH)?;
        let res = self
            .http
            .request(Method::GET, url)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        read(res).await
    }
}

pub(crate) async fn read<T: serde::de::DeserializeOwned>(
    res: reqwest::Response,
) -> Result<T, Error> {
    let status = res.status();
    let text = res
        .text()
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    if !status.is_success() {
        return Err(from_status(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| {
        Error::Unreadable(format!(
            "{e}: {}",
            text.chars().take(200).collect::<String>()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_carries_the_app_and_the_state() {
        let c = Client::new(
            "https://api.hotsign.com".parse().unwrap(),
            App {
                client_id: "app 1".into(),
                client_secret: "s".into(),
                redirect_uri: "https://portal.example/hotsign/callback".into(),
            },
        );
        let url = c.authorize_url("r4nd0m").unwrap();
        assert_eq!(url.path(), "/oauth/authorize");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "app 1");
        assert_eq!(q["redirect_uri"], "https://portal.example/hotsign/callback");
        assert_eq!(q["state"], "r4nd0m");
        assert!(
            !format!("{c:?}").contains("\"s\""),
            "the secret is not printed"
        );
    }
}
