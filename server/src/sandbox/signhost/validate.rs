//! The checks Signhost makes, with its own messages.

use signhost::model::{CreateTransaction, FileMeta};

/// A refusal: HTTP status and Signhost's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
    /// A body other than `{"Message": …}` (410 answers the partial transaction).
    pub body: Option<serde_json::Value>,
}

impl Refusal {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
            body: None,
        }
    }
}

pub fn bad(message: impl Into<String>) -> Refusal {
    Refusal::new(400, message)
}

pub const INVALID_JSON: &str = "Invalid json structure provided.";
pub const WRONG_CONTENT_TYPE: &str =
    "Unexpected or missing Content-Type header, did you specify 'application/pdf'?";
pub const TOO_LARGE: &str = "Request entity too large.";
pub const ALREADY_STARTED: &str =
    "The transaction has already been started and can no longer be changed.";

/// The effective DaysToExpire of a request (0 or absent means the default, 30).
pub fn days_to_expire(req: &CreateTransaction) -> i32 {
    match req.days_to_expire {
        Some(d) if d > 0 => d,
        _ => 30,
    }
}

/// The sandbox calls and sends browsers only to the portal that serves it:
/// a `PostbackUrl` or `ReturnUrl` elsewhere would let anyone with the keys
/// make this server post to an address of their choice. (Signhost itself
/// accepts any https address; this is the sandbox's own rule.)
pub fn own_addresses(req: &CreateTransaction, portal: &url::Url) -> Result<(), Refusal> {
    let own = |raw: &str| {
        url::Url::parse(raw).is_ok_and(|u| {
            u.scheme() == portal.scheme()
                && u.host() == portal.host()
                && u.port_or_known_default() == portal.port_or_known_default()
                && u.path().starts_with(portal.path())
                && u.username().is_empty()
        })
    };
    if let Some(p) = req.postback_url.as_deref().filter(|p| !p.is_empty()) {
        if !own(p) {
            return Err(bad(format!(
                "The sandbox sends postbacks only to this portal: PostbackUrl must start with {portal}."
            )));
        }
    }
    for signer in &req.signers {
        // Signhost's own default page (what it uses when none is given, and
        // what some clients send) is allowed too.
        let default = |r: &str| r.trim_end_matches('/') == "https://signhost.com";
        if let Some(r) = signer.return_url.as_deref().filter(|r| !r.is_empty()) {
            if !own(r) && !default(r) {
                return Err(bad(format!(
                    "The sandbox returns signers only to this portal: ReturnUrl must start with {portal}."
                )));
            }
        }
    }
    Ok(())
}

pub fn create(req: &CreateTransaction) -> Result<(), Refusal> {
    if !req.seal && req.signers.is_empty() {
        return Err(bad("Nor seal nor signers has been provided."));
    }
    if let Some(d) = req.days_to_expire {
        if !(0..=90).contains(&d) {
            return Err(bad("DaysToExpire must be between 0 and 90."));
        }
    }
    if let Some(ctx) = &req.context {
        let _ = ctx; // typed as an object already: anything else failed to parse
    }
    let expire = days_to_expire(req);
    let mut ids = std::collections::HashSet::new();
    for signer in &req.signers {
        if signer.email.trim().is_empty() {
            return Err(bad("The signer email is required."));
        }
        if !signer.email.contains('@') {
            return Err(bad(format!(
                "'{}' is not a valid email address.",
                signer.email
            )));
        }
        if let Some(id) = signer.id.as_deref() {
            if !ids.insert(id.to_string()) {
                return Err(bad("The signer id is already used by another signer."));
            }
        }
        let invites = signer.send_sign_request.unwrap_or(true);
        if invites
            && signer
                .sign_request_message
                .as_deref()
                .is_none_or(|m| m.trim().is_empty())
        {
            return Err(bad("The sign request message is null or empty."));
        }
        if let Some(remind) = signer.days_to_remind {
            if remind > 0 && remind >= expire {
                return Err(bad(
                    "The days to remind must be lower than the days to expire.",
                ));
            }
        }
        if let Some(subject) = &signer.sign_request_subject {
            if subject.chars().count() > 64 || subject.chars().any(char::is_control) {
                return Err(bad(
                    "Signer Subject: Input contains one or more invalid characters.",
                ));
            }
        }
        if signer.allow_delegation == Some(true) && !signer.authentications.is_empty() {
            return Err(bad(
                "Signer cannot have AllowDelegation enabled when authentications are present.",
            ));
        }
        if let Some(last) = signer.verifications.last() {
            if !last.may_be_last() {
                return Err(bad("The last verification must be Consent, PhoneNumber, Scribble or CSC Qualified."));
            }
        }
    }
    for receiver in &req.receivers {
        if receiver.email.trim().is_empty() || receiver.message.trim().is_empty() {
            return Err(bad("A receiver needs an Email and a Message."));
        }
    }
    Ok(())
}

/// File ids: at most 255 characters, no control characters nor `: * ? \ / " < > |`.
pub fn file_id(id: &str) -> Result<(), Refusal> {
    let forbidden = |c: char| {
        c.is_control() || matches!(c, ':' | '*' | '?' | '\\' | '/' | '"' | '<' | '>' | '|')
    };
    if id.is_empty() || id.chars().count() > 255 || id.chars().any(forbidden) {
        return Err(bad(format!("{id} is not a valid file name.")));
    }
    Ok(())
}

/// Metadata may only name signers of the transaction.
pub fn meta(meta: &FileMeta, signer_ids: &[String]) -> Result<(), Refusal> {
    if let Some(signers) = &meta.signers {
        for id in signers.keys() {
            if !signer_ids.contains(id) {
                return Err(bad(format!("Signer '{id}' not found.")));
            }
        }
    }
    if let Some(sets) = &meta.form_sets {
        for fields in sets.values() {
            for (name, field) in fields {
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(bad(format!(
                        "Field name '{name}' may only contain a-z, A-Z, 0-9 and _."
                    )));
                }
                if field.r#type.is_empty() {
                    return Err(bad(format!("Field '{name}' has no Type.")));
                }
            }
        }
    }
    Ok(())
}

/// Checks an optional `Digest` header against the body.
pub fn digest(header: Option<&str>, body: &[u8]) -> Result<(), Refusal> {
    use base64::Engine;
    use sha2::Digest;
    let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let (alg, value) = header
        .split_once('=')
        .ok_or_else(|| bad("The Digest header is malformed."))?;
    // Some clients in the wild write SHA256/SHA512 without the hyphen.
    let computed = match alg.trim().to_ascii_uppercase().as_str() {
        "SHA-256" | "SHA256" => sha2::Sha256::digest(body).to_vec(),
        "SHA-512" | "SHA512" => sha2::Sha512::digest(body).to_vec(),
        other => return Err(bad(format!("Hash algorithm [{other}] is not supported."))),
    };
    let expected = base64::engine::general_purpose::STANDARD.encode(computed);
    if expected != value.trim() {
        return Err(bad(format!(
            "{} digest mismatch",
            alg.trim().to_ascii_uppercase()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use signhost::model::CreateSigner;

    fn signer(email: &str) -> CreateSigner {
        CreateSigner {
            email: email.into(),
            send_sign_request: Some(false),
            ..Default::default()
        }
    }

    #[test]
    fn create_rules() {
        let mut req = CreateTransaction::default();
        assert_eq!(
            create(&req).unwrap_err().message,
            "Nor seal nor signers has been provided."
        );
        req.signers = vec![signer("")];
        assert_eq!(
            create(&req).unwrap_err().message,
            "The signer email is required."
        );
        req.signers = vec![
            CreateSigner {
                id: Some("a".into()),
                ..signer("a@x.nl")
            },
            CreateSigner {
                id: Some("a".into()),
                ..signer("b@x.nl")
            },
        ];
        assert_eq!(
            create(&req).unwrap_err().message,
            "The signer id is already used by another signer."
        );
        req.signers = vec![CreateSigner {
            send_sign_request: None,
            ..signer("a@x.nl")
        }];
        assert_eq!(
            create(&req).unwrap_err().message,
            "The sign request message is null or empty."
        );
        req.signers = vec![CreateSigner {
            days_to_remind: Some(30),
            ..signer("a@x.nl")
        }];
        assert_eq!(
            create(&req).unwrap_err().message,
            "The days to remind must be lower than the days to expire."
        );
        req.signers = vec![CreateSigner {
            days_to_remind: Some(29),
            ..signer("a@x.nl")
        }];
        assert!(create(&req).is_ok());
    }

    #[test]
    fn file_ids() {
        assert!(file_id("contract.pdf").is_ok());
        assert_eq!(
            file_id("invalid|filename.pdf").unwrap_err().message,
            "invalid|filename.pdf is not a valid file name."
        );
        assert!(file_id(&"x".repeat(256)).is_err());
    }

    #[test]
    fn digests() {
        assert!(digest(None, b"abc").is_ok());
        assert!(digest(Some(&signhost::client::digest_header(b"abc")), b"abc").is_ok());
        assert_eq!(
            digest(Some(&signhost::client::digest_header(b"abc")), b"abd")
                .unwrap_err()
                .message,
            "SHA-256 digest mismatch"
        );
        assert_eq!(
            digest(Some("MD5=abc"), b"abc").unwrap_err().message,
            "Hash algorithm [MD5] is not supported."
        );
        assert_eq!(
            digest(Some("SHA-1=abc"), b"abc").unwrap_err().message,
            "Hash algorithm [SHA-1] is not supported."
        );
    }
}
