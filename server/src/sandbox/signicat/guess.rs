//! Everything the simulator does that no source states, in one place.
//! Each item says what is known and what is guessed.

use std::time::Duration;

/// The largest request body: a 50 MB PDF as base64 (4/3) with room for
/// the JSON around it. Known: Signicat names no size limit for Express.
pub const MAX_REQUEST_BYTES: usize = 72 * 1024 * 1024;

/// How long after the last signature the packages are ready. Known: files
/// come "a little later", once `completedPackages` lists them (S3
/// `files.md`); the delay itself is a guess.
pub const PACKAGING_DELAY: Duration = Duration::from_secs(2);

/// The account id in every event envelope. Known: the field exists (S3
/// `notification/events/README.md`); its value is the account's own.
pub const ACCOUNT_ID: &str = "sandbox-account";

/// Lifetime of an access token unless configured. Known: 3600 (S3
/// `api-authentication.md`).
pub const TOKEN_SECONDS: i64 = 3600;

/// Limits. Known: 20 signers and 20 attachments by default (S3
/// `other-information/limits.md`); the deadline at most 45 days ahead (S3
/// `advanced-settings.md`).
pub const MAX_SIGNERS: usize = 20;
pub const MAX_ATTACHMENTS: u32 = 20;
pub const MAX_DEADLINE_DAYS: i64 = 45;

/// The `signatureMethod` a sandbox signature records. Known: the field and
/// values such as `sms_otp`, `no_bankid` (S1 `SignatureMethod`); which one
/// a handwritten signature reports is a guess.
pub fn signature_method(sms: bool) -> &'static str {
    if sms {
        "sms_otp"
    } else {
        "handwritten"
    }
}

/// The error body for bad input. Known: the problem-document shape
/// `{title, code, detail, type, traceId, invalidParams[{name, reason}]}`
/// (S1 `Entities/SignicatError.cs`); which title and code the legacy
/// Express API puts in it is a guess.
pub fn validation_body(problems: &[(String, String)], trace: &str) -> serde_json::Value {
    serde_json::json!({
        "title": "One or more validation errors occurred.",
        "status": 400,
        "code": "VALIDATION_ERROR",
        "type": "https://developer.signicat.com/docs/errors/validation",
        "detail": problems.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "),
        "traceId": trace,
        "invalidParams": problems.iter().map(|(name, reason)| serde_json::json!({"name": name, "reason": reason})).collect::<Vec<_>>(),
    })
}

/// Other errors (404, 409, 401, 403), in the same problem-document shape.
pub fn problem_body(status: u16, title: &str, detail: &str, trace: &str) -> serde_json::Value {
    serde_json::json!({
        "title": title, "status": status, "detail": detail, "traceId": trace,
    })
}
