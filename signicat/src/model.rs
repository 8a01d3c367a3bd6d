//! The documents API's JSON (camelCase; enums are the literal strings of
//! the SDKs). Sources: S1 `Entities/DocumentCreateOptions.cs`, `Document.cs`,
//! `DataToSign.cs`, `Advanced.cs`, `SignerOptions.cs`, `Signer.cs`,
//! `DocumentStatusSummary.cs`, `DocumentSummary.cs`, `FileFormat.cs`,
//! `DocumentStatus.cs`, `RedirectMode.cs`; S2 `Entities/AttachmentOptions.cs`,
//! `AttachmentType.cs`, `Language.cs`, `SignRequest.cs`. Absent values are
//! left out of what is sent, and unknown fields in answers are ignored.

use serde::{Deserialize, Serialize};

/// `POST /documents`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentCreateOptions {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The portal's own reference (its request id), to find the document again.
    pub external_id: String,
    pub data_to_sign: DataToSign,
    pub contact_details: ContactDetails,
    pub signers: Vec<SignerOptions>,
    /// The texts of Signicat's own emails (the invite flow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
    pub advanced: Advanced,
}

/// `notification` of a document (S2 `Entities/Notification.cs`, `SignRequest.cs`, `Email.cs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_request: Option<SignRequest>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    pub email: Vec<Email>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Email {
    pub language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Plain text or markdown.
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataToSign {
    pub file_name: String,
    pub base64_content: String,
    pub packaging: Packaging,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Packaging {
    pub signature_package_formats: Vec<FileFormat>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetails {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advanced {
    /// Labels the document's events carry too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// How many attachments follow (the document waits for them, S3
    /// `sign-multiple-documents.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_signatures: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_live: Option<TimeToLive>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeToLive {
    /// RFC 3339; at most 45 days ahead (S3 `advanced-settings.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_after_hours: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerOptions {
    pub external_signer_id: String,
    pub redirect_settings: RedirectSettings,
    pub signature_type: SignatureType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_info: Option<SignerInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications: Option<SignerNotifications>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ui: Option<Ui>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectSettings {
    pub redirect_mode: RedirectMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectMode {
    DonotRedirect,
    #[default]
    Redirect,
    IframeWithWebmessaging,
    IframeWithRedirect,
    IframeWithRedirectAndWebmessaging,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureType {
    pub mechanism: Mechanism,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signature_methods: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    Pkisignature,
    Identification,
    #[default]
    Handwritten,
    HandwrittenWithIdentification,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<Mobile>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mobile {
    pub country_code: String,
    pub number: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authentication {
    pub mechanism: AuthenticationMechanism,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthenticationMechanism {
    #[default]
    Off,
    Eid,
    SmsOtp,
    EidAndSmsOtp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerNotifications {
    pub setup: NotificationSetup,
}

/// Which messages Signicat sends the signer itself (the invite flow).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSetup {
    pub request: Notify,
    pub reminder: Notify,
    pub signature_receipt: Notify,
    pub final_receipt: Notify,
    pub canceled: Notify,
    pub expired: Notify,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Notify {
    #[default]
    Off,
    SendSms,
    SendEmail,
    SendBoth,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ui {
    /// `EN NO DA SV FI NL DE` (S2 `Language.cs`), sent lower case.
    pub language: String,
}

/// A document as Signicat returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Document {
    pub document_id: String,
    pub external_id: Option<String>,
    pub signers: Vec<Signer>,
    pub status: Option<DocumentStatusSummary>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Signer {
    pub id: String,
    pub external_signer_id: Option<String>,
    /// The signer's signing page.
    pub url: Option<String>,
    /// Present once the signer signed.
    pub document_signature: Option<DocumentSignature>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DocumentSignature {
    pub signature_method: Option<String>,
    pub full_name: Option<String>,
    pub signed_time: Option<String>,
    pub mechanism: Option<String>,
    pub client_ip: Option<String>,
}

/// `GET /documents/{id}/status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DocumentStatusSummary {
    pub document_status: DocumentStatus,
    /// The signed files that can be downloaded now.
    pub completed_packages: Vec<FileFormat>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    #[default]
    Unsigned,
    WaitingForAttachments,
    Partialsigned,
    Signed,
    Canceled,
    Expired,
    /// A value this client does not know, kept as sent.
    #[serde(untagged)]
    Other(String),
}

impl DocumentStatus {
    pub fn as_str(&self) -> &str {
        match self {
            DocumentStatus::Unsigned => "unsigned",
            DocumentStatus::WaitingForAttachments => "waiting_for_attachments",
            DocumentStatus::Partialsigned => "partialsigned",
            DocumentStatus::Signed => "signed",
            DocumentStatus::Canceled => "canceled",
            DocumentStatus::Expired => "expired",
            DocumentStatus::Other(s) => s,
        }
    }
}

/// `fileFormat` of a download (S1 `FileFormat.cs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Unsigned,
    Native,
    StandardPackaging,
    Pades,
    Xades,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Unsigned => "unsigned",
            FileFormat::Native => "native",
            FileFormat::StandardPackaging => "standard_packaging",
            FileFormat::Pades => "pades",
            FileFormat::Xades => "xades",
        }
    }
}

/// `POST /documents/{id}/attachments` (S2 `AttachmentOptions.cs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentOptions {
    pub file_name: String,
    pub title: String,
    /// The PDF, base64.
    pub data: String,
    #[serde(rename = "type")]
    pub kind: AttachmentType,
    /// Who signs it (`None`: every signer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentType {
    ShowAccept,
    ReadAccept,
    #[default]
    Sign,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attachment {
    pub id: String,
    pub file_name: Option<String>,
    pub title: Option<String>,
}

/// One line of `GET /documents/summary?externalId=…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DocumentSummary {
    pub document_id: String,
    pub external_id: Option<String>,
    pub status: Option<DocumentStatus>,
}

/// The list answer of the summary search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CollectionWithCount {
    pub count: u64,
    pub data: Vec<DocumentSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_read_as_sent_and_unknown_ones_are_kept() {
        let s: DocumentStatusSummary = serde_json::from_value(json!({
            "documentStatus": "partialsigned", "completedPackages": ["pades", "native"]
        }))
        .unwrap();
        assert_eq!(s.document_status, DocumentStatus::Partialsigned);
        assert_eq!(
            s.completed_packages,
            [FileFormat::Pades, FileFormat::Native]
        );
        let odd: DocumentStatus = serde_json::from_value(json!("archived_somewhere")).unwrap();
        assert_eq!(odd.as_str(), "archived_somewhere");
        assert_eq!(
            serde_json::to_value(DocumentStatus::WaitingForAttachments).unwrap(),
            json!("waiting_for_attachments")
        );
    }

    #[test]
    fn enums_are_the_sdks_literal_strings() {
        assert_eq!(
            serde_json::to_value(RedirectMode::IframeWithRedirectAndWebmessaging).unwrap(),
            json!("iframe_with_redirect_and_webmessaging")
        );
        assert_eq!(
            serde_json::to_value(AuthenticationMechanism::EidAndSmsOtp).unwrap(),
            json!("eidAndSmsOtp")
        );
        assert_eq!(
            serde_json::to_value(Notify::SendEmail).unwrap(),
            json!("sendEmail")
        );
        assert_eq!(
            serde_json::to_value(Mechanism::HandwrittenWithIdentification).unwrap(),
            json!("handwritten_with_identification")
        );
        assert_eq!(
            serde_json::to_value(AttachmentType::ReadAccept).unwrap(),
            json!("read_accept")
        );
        assert_eq!(
            serde_json::to_value(FileFormat::StandardPackaging).unwrap(),
            json!("standard_packaging")
        );
    }
}
