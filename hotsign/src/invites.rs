//! Invites: sending one, reading it back, cancelling it and fetching the
//! completed document and its audit trail, with a bearer access token
//! (seed: OAuth v2). Paths and bodies are the inferred contract's
//! ([`crate::contract`]); the answers' codes are the seed's ([`crate::error`]).

use reqwest::Method;

use crate::contract::{self, Invite, InviteCreate};
use crate::error::{from_status, Error};
use crate::oauth::{read, Client};

impl Client {
    fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
    ) -> Result<reqwest::RequestBuilder, Error> {
        Ok(self
            .http
            .request(method, self.url(path)?)
            .bearer_auth(token))
    }

    async fn send(b: reqwest::RequestBuilder) -> Result<reqwest::Response, Error> {
        b.send()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))
    }

    /// Sends an invite; 402 when the account has no invite credits left.
    pub async fn create_invite(&self, token: &str, invite: &InviteCreate) -> Result<Invite, Error> {
        let b = self
            .call(Method::POST, contract::INVITES_PATH, token)?
            .json(invite);
        read(Self::send(b).await?).await
    }

    pub async fn invite(&self, token: &str, id: &str) -> Result<Invite, Error> {
        let b = self.call(Method::GET, &contract::invite_path(id), token)?;
        read(Self::send(b).await?).await
    }

    /// Cancels an invite still waiting for its signers.
    pub async fn cancel_invite(&self, token: &str, id: &str) -> Result<(), Error> {
        let b = self.call(Method::POST, &contract::cancel_path(id), token)?;
        let res = Self::send(b).await?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        Err(from_status(status, &res.text().await.unwrap_or_default()))
    }

    /// The completed document (a PDF).
    pub async fn document(&self, token: &str, id: &str) -> Result<Vec<u8>, Error> {
        self.bytes(token, &contract::document_path(id)).await
    }

    /// The audit trail (a PDF).
    pub async fn audit_trail(&self, token: &str, id: &str) -> Result<Vec<u8>, Error> {
        self.bytes(token, &contract::audit_path(id)).await
    }

    async fn bytes(&self, token: &str, path: &str) -> Result<Vec<u8>, Error> {
        let res = Self::send(self.call(Method::GET, path, token)?).await?;
        let status = res.status();
        if !status.is_success() {
            return Err(from_status(status, &res.text().await.unwrap_or_default()));
        }
        res.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| Error::Unavailable(e.to_string()))
    }
}
