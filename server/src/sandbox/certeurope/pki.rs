//! The simulator's test PKI: a CA made on the installation's first start
//! (kept in the database, so every instance and restart uses the same one),
//! one client certificate signed by it for the portal, and a server
//! certificate for the TLS port, made at each start. The CA and the client
//! certificate and key are also written as PEM files next to the database,
//! so any other TLS client can talk to the simulator.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use serde::{Deserialize, Serialize};

/// The test CA and the portal's client certificate (PEM).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pki {
    pub ca_cert: String,
    pub ca_key: String,
    pub client_cert: String,
    pub client_key: String,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pki { .. }")
    }
}

/// A server certificate for the simulator's TLS port.
pub struct ServerCert {
    pub cert: String,
    pub key: String,
}

fn named(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Signing portal sandbox");
    dn.push(DnType::CommonName, cn);
    dn
}

/// The test CA's name and settings (its certificate is made from them once;
/// issuing again needs only the same name and the stored key).
fn ca_params() -> CertificateParams {
    let mut ca = CertificateParams::default();
    ca.distinguished_name = named("SignAPI sandbox test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = rcgen::date_time_ymd(2024, 1, 1);
    ca.not_after = rcgen::date_time_ymd(2036, 1, 1);
    ca
}

impl Pki {
    /// A new CA (ten years) with a client certificate for the portal.
    pub fn generate() -> Result<Pki, rcgen::Error> {
        let ca_key = KeyPair::generate()?;
        let ca = ca_params();
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);

        let client_key = KeyPair::generate()?;
        let mut client = CertificateParams::default();
        client.distinguished_name = named("portal client");
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        client.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        client.not_before = rcgen::date_time_ymd(2024, 1, 1);
        client.not_after = rcgen::date_time_ymd(2036, 1, 1);
        let client_cert = client.signed_by(&client_key, &issuer)?;
        Ok(Pki {
            ca_cert: ca_cert.pem(),
            ca_key: issuer.key().serialize_pem(),
            client_cert: client_cert.pem(),
            client_key: client_key.serialize_pem(),
        })
    }

    /// A server certificate for `127.0.0.1` and `localhost`, signed by the CA.
    pub fn server_cert(&self, hosts: &[&str]) -> Result<ServerCert, rcgen::Error> {
        let ca_key = KeyPair::from_pem(&self.ca_key)?;
        // The issuer is named as in the CA certificate and signs with its key.
        let issuer = Issuer::new(ca_params(), ca_key);
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<String>>())?;
        params.distinguished_name = named("SignAPI simulator");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &issuer)?;
        Ok(ServerCert {
            cert: cert.pem(),
            key: key.serialize_pem(),
        })
    }

    /// Writes the CA and the client certificate and key into `dir`; the
    /// key readable by its owner only.
    /// The portal's TLS settings for the simulator: the client certificate
    /// and key, and the test CA as the trust root.
    pub fn client_tls(&self) -> certeurope::Tls {
        certeurope::Tls {
            client_cert_pem: self.client_cert.clone().into_bytes(),
            client_key_pem: self.client_key.clone().into_bytes(),
            ca_pem: Some(self.ca_cert.clone().into_bytes()),
        }
    }

    pub fn write_files(&self, dir: &Path) -> std::io::Result<Files> {
        std::fs::create_dir_all(dir)?;
        let files = Files {
            ca: dir.join("certeurope-sandbox-ca.pem"),
            cert: dir.join("certeurope-sandbox-client.pem"),
            key: dir.join("certeurope-sandbox-client.key"),
        };
        std::fs::write(&files.ca, &self.ca_cert)?;
        std::fs::write(&files.cert, &self.client_cert)?;
        crate::private_file::write(&files.key, self.client_key.as_bytes(), true)?;
        Ok(files)
    }
}

/// Where the PEM files went.
#[derive(Debug, Clone)]
pub struct Files {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The installation's PKI: made once, kept in the database (one value, so
/// the CA and its key never come from two different first starts).
pub async fn installation(db: &app::ssr::db::Db) -> anyhow::Result<Pki> {
    use app::ssr::db::sandbox::{get_setting, insert_setting_if_absent};
    const KEY: &str = "certeurope.pki";
    if get_setting(db, KEY).await?.is_none() {
        let fresh = Pki::generate()?;
        insert_setting_if_absent(db, KEY, &serde_json::to_string(&fresh)?).await?;
    }
    let stored = get_setting(db, KEY)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the CertEurope sandbox CA was not stored"))?;
    Ok(serde_json::from_str(&stored)?)
}

/// The folder next to a SQLite database file, else `data/` under the
/// working directory.
pub fn files_dir(database_url: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p).to_string());
    match path {
        Some(p) if !p.is_empty() && p != ":memory:" => Path::new(&p)
            .parent()
            .map(|d| d.to_path_buf())
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from(".")),
        _ => PathBuf::from("data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_go_next_to_the_sqlite_database() {
        assert_eq!(
            files_dir("sqlite:///var/lib/portal/portal.db?mode=rwc"),
            PathBuf::from("/var/lib/portal")
        );
        assert_eq!(files_dir("sqlite:portal.db"), PathBuf::from("."));
        assert_eq!(
            files_dir("postgres://postgres@127.0.0.1/test"),
            PathBuf::from("data")
        );
    }
}
