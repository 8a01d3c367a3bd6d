//! The SignAPI simulator: CertEurope's one-time certificate API on its own
//! TLS port, which requires a client certificate from the installation's
//! test CA ([`pki`]); a connection without one, or with one from another
//! CA, is refused in the TLS handshake.
//!
//! What it follows (`providers.md` §3, sources S8 and S10): the paths and
//! bodies of orders and signature requests (arrays in and out), simple and
//! triggered (OTP) orders, validate → a one-time code, sign in SYNC and
//! ASYNC mode (the statuses posted to `asyncPostUrl`), the status with
//! `signedContent`, search, refuse, delete, and the error body
//! `{errorMsg, errorLabel}` with S10's OTP labels and messages. Where the
//! sources are silent it guesses, all in [`guess`].
//!
//! Its orders, signature requests and the codes it sent are kept in the
//! database after every change (a restart carries on with them), as is the CA.

pub mod api;
pub mod guess;
pub mod pki;

use std::net::SocketAddr;
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use api::Sim;
pub use pki::Pki;

/// The TLS settings: the server certificate, and client certificates
/// required and checked against the test CA only.
pub fn tls_config(pki: &Pki) -> anyhow::Result<ServerConfig> {
    let server = pki.server_cert(&["127.0.0.1", "localhost"])?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(pki.ca_cert.as_bytes())?)?;
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build()?;
    let chain = vec![CertificateDer::from_pem_slice(server.cert.as_bytes())?];
    let key = PrivateKeyDer::from_pem_slice(server.key.as_bytes())?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves the simulator on `listener` (in the background) and returns its
/// address.
pub fn serve(listener: TcpListener, pki: &Pki, sim: Sim) -> anyhow::Result<SocketAddr> {
    let addr = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(Arc::new(tls_config(pki)?));
    let router = api::routes(sim);
    tokio::spawn(async move {
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "certeurope sandbox accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let acceptor = acceptor.clone();
            let router = router.clone();
            tokio::spawn(async move {
                let tls = match acceptor.accept(tcp).await {
                    Ok(t) => t,
                    Err(e) => {
                        // No client certificate, or one from another CA.
                        tracing::info!(%peer, error = %e, "certeurope sandbox refused a TLS connection");
                        return;
                    }
                };
                let service = TowerToHyperService::new(router);
                if let Err(e) = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await
                {
                    tracing::debug!(%peer, error = %e, "certeurope sandbox connection ended");
                }
            });
        }
    });
    Ok(addr)
}
