//! SignAPI's bodies, camelCase as on the wire (S8 `doc/onetime_sign_api.html`,
//! `doc/onetime_triggered_sign_api.html`; S10 `Signator.php`). Statuses keep
//! values this client does not know. Ids are strings here; SignAPI's docs
//! show them as strings, and a number is read as its digits.

use serde::{Deserialize, Deserializer, Serialize};

/// Reads an id that may arrive as a string or a number.
fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// An identity document (S8: `idType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum IdType {
    Idcard,
    Passport,
    Driving,
    Residence,
}

/// The certificate's holder: the signer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    pub firstname: String,
    pub lastname: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_type: Option<IdType>,
}

/// The proof folder of an advanced signature (a base64 zip).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofFolder {
    pub zip_files: String,
}

/// `POST /ephemeral/orders`. The triggered order (OTP) adds `enableOtp`
/// (required there), `otpContact`, `enableEmail` and `enableSharing`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCreate {
    pub external_order_request_id: String,
    pub holder: Holder,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_folder: Option<ProofFolder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_otp: Option<bool>,
    /// The phone number or email address the code goes to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_email: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_sharing: Option<bool>,
}

impl OrderCreate {
    /// Whether this is a triggered (OTP) order.
    pub fn triggered(&self) -> bool {
        self.enable_otp.is_some()
    }
}

/// An order as SignAPI answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    #[serde(deserialize_with = "id")]
    pub order_request_id: String,
    #[serde(default, deserialize_with = "id")]
    pub external_order_request_id: String,
    pub status: OrderStatus,
}

macro_rules! status_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($v,)*
            /// A value this client does not know, kept as sent.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$v => $s,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($s => $name::$v,)*
                    _ => $name::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum!(
    /// An order's status (S8 docs).
    OrderStatus {
        Created = "CREATED",
        CreationFailed = "CREATION_FAILED",
        ValidationWaiting = "VALIDATION_WAITING",
        Validated = "VALIDATED",
        ValidationFailed = "VALIDATION_FAILED",
        GenerationWaiting = "GENERATION_WAITING",
        Generated = "GENERATED",
        GenerationFailed = "GENERATION_FAILED",
        SignWaiting = "SIGN_WAITING",
        SignInProgress = "SIGN_IN_PROGRESS",
        Closed = "CLOSED",
        Discarded = "DISCARDED",
    }
);

status_enum!(
    /// A signature request's status (S8 docs).
    SignatureStatus {
        SignCreated = "SIGN_CREATED",
        SignAwaitingValidation = "SIGN_AWAITING_VALIDATION",
        SignAwaiting = "SIGN_AWAITING",
        SignInProgress = "SIGN_IN_PROGRESS",
        Signed = "SIGNED",
        SignFailed = "SIGN_FAILED",
        ArchiveInProgress = "ARCHIVE_IN_PROGRESS",
        Archived = "ARCHIVED",
        ArchiveFailed = "ARCHIVE_FAILED",
        ArchiveMigrated = "ARCHIVE_MIGRATED",
        Refused = "REFUSED",
        Discarded = "DISCARDED",
    }
);

impl SignatureStatus {
    /// Signed, whatever became of the archiving.
    pub fn is_signed(&self) -> bool {
        matches!(
            self,
            SignatureStatus::Signed
                | SignatureStatus::ArchiveInProgress
                | SignatureStatus::Archived
                | SignatureStatus::ArchiveFailed
                | SignatureStatus::ArchiveMigrated
        )
    }
}

/// The PAdES level (S8: `signatureType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SignatureLevel {
    #[serde(rename = "PAdES_BASELINE_B")]
    B,
    #[serde(rename = "PAdES_BASELINE_T")]
    T,
    #[serde(rename = "PAdES_BASELINE_LT")]
    Lt,
    #[default]
    #[serde(rename = "PAdES_BASELINE_LTA")]
    Lta,
}

impl SignatureLevel {
    /// `LTA`, `LT`, `T`, `B` or the full name.
    pub fn parse(s: &str) -> Option<SignatureLevel> {
        let short = s
            .trim()
            .trim_start_matches("PAdES_BASELINE_")
            .to_uppercase();
        Some(match short.as_str() {
            "B" => SignatureLevel::B,
            "T" => SignatureLevel::T,
            "LT" => SignatureLevel::Lt,
            "LTA" => SignatureLevel::Lta,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureOptions {
    pub signature_type: SignatureLevel,
    /// `SHA256` or `SHA224`.
    pub digest_algorithm_name: String,
    /// `ENVELOPED`.
    pub signature_packaging_type: String,
    /// `INLINE`.
    pub document_type: String,
}

impl SignatureOptions {
    pub fn pades(level: SignatureLevel) -> SignatureOptions {
        SignatureOptions {
            signature_type: level,
            digest_algorithm_name: "SHA256".into(),
            signature_packaging_type: "ENVELOPED".into(),
            document_type: "INLINE".into(),
        }
    }
}

/// A line of text in the visible signature (S8 `linesOptions[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineOptions {
    pub line_content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_font: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_font_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_pos_x_in_image: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_pos_y_in_image: Option<i64>,
}

impl LineOptions {
    /// A line of text at SignAPI's default place, in a font size.
    pub fn text(content: impl Into<String>, font_size: u32) -> LineOptions {
        LineOptions {
            line_content: content.into(),
            line_font: None,
            line_font_size: Some(font_size),
            line_color: None,
            line_pos_x_in_image: None,
            line_pos_y_in_image: None,
        }
    }
}

/// Where and how the signature shows on the page. S8's 2018 keys, and
/// S10's older text keys, all optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfSignatureOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_image_content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_pos_x: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_pos_y: Option<i64>,
    /// 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_page: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines_options: Option<Vec<LineOptions>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_text_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_text_font_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font_family: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font_style: Option<String>,
}

/// One document to sign (`POST /ephemeral/signatures`, an array of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureRequest {
    pub external_signature_request_id: String,
    pub signature_options: SignatureOptions,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf_signature_options: Option<PdfSignatureOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_archive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archiver_names: Option<Vec<String>>,
    /// The PDF, base64.
    pub to_sign_content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,
}

/// A signature request's status ("Signature Request Status"): the answer of
/// create, sign and get, and what an ASYNC sign posts to `asyncPostUrl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureRequestStatus {
    #[serde(deserialize_with = "id")]
    pub signature_request_id: String,
    #[serde(default, deserialize_with = "id")]
    pub external_signature_request_id: String,
    #[serde(default, deserialize_with = "id")]
    pub order_request_id: String,
    #[serde(default, deserialize_with = "id")]
    pub external_order_request_id: String,
    pub status: SignatureStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The signed PDF, base64, once `SIGNED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_date: Option<String>,
}

/// `PATCH /ephemeral/signatures/?id=` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: SignatureStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_triggered_order_is_exactly_this_json() {
        let order = OrderCreate {
            external_order_request_id: "portal-7-s1".into(),
            holder: Holder {
                firstname: "Anna".into(),
                lastname: "de Vries".into(),
                email: Some("anna@example.com".into()),
                mobile: Some("+31612345678".into()),
                country: "NL".into(),
                ..Default::default()
            },
            client_identifier: Some("portal".into()),
            enable_otp: Some(true),
            otp_contact: Some("+31612345678".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&order).unwrap(),
            json!({
                "externalOrderRequestId": "portal-7-s1",
                "holder": {"firstname": "Anna", "lastname": "de Vries", "email": "anna@example.com",
                           "mobile": "+31612345678", "country": "NL"},
                "clientIdentifier": "portal",
                "enableOtp": true,
                "otpContact": "+31612345678"
            })
        );
        assert!(order.triggered());
    }

    #[test]
    fn a_signature_request_is_exactly_this_json() {
        let r = SignatureRequest {
            external_signature_request_id: "portal-7-s1-d3".into(),
            signature_options: SignatureOptions::pades(SignatureLevel::Lta),
            pdf_signature_options: Some(PdfSignatureOptions {
                signature_pos_x: Some(100),
                signature_pos_y: Some(200),
                signature_page: Some(1),
                lines_options: Some(vec![LineOptions::text("Anna de Vries", 9)]),
                ..Default::default()
            }),
            enable_archive: None,
            archiver_names: None,
            to_sign_content: "JVBERi0=".into(),
            hash: None,
            keywords: None,
        };
        assert_eq!(
            serde_json::to_value(vec![r]).unwrap(),
            json!([{
                "externalSignatureRequestId": "portal-7-s1-d3",
                "signatureOptions": {"signatureType": "PAdES_BASELINE_LTA", "digestAlgorithmName": "SHA256",
                                     "signaturePackagingType": "ENVELOPED", "documentType": "INLINE"},
                "pdfSignatureOptions": {"signaturePosX": 100, "signaturePosY": 200, "signaturePage": 1,
                                        "linesOptions": [{"lineContent": "Anna de Vries", "lineFontSize": 9}]},
                "toSignContent": "JVBERi0="
            }])
        );
    }

    #[test]
    fn answers_are_read_with_numeric_ids_and_unknown_statuses() {
        // S10's mock answers (`SignTestClient.php`), with a numeric id.
        let o: Order = serde_json::from_value(
            json!({"orderRequestId": 42, "externalOrderRequestId": "x", "status": "VALIDATED"}),
        )
        .unwrap();
        assert_eq!(o.order_request_id, "42");
        assert_eq!(o.status, OrderStatus::Validated);
        let s: Vec<SignatureRequestStatus> = serde_json::from_value(json!([
            {"signatureRequestId": "9", "externalSignatureRequestId": "e", "orderRequestId": "42",
             "externalOrderRequestId": "x", "status": "SIGN_SOMETHING_NEW"}
        ]))
        .unwrap();
        assert_eq!(
            s[0].status,
            SignatureStatus::Other("SIGN_SOMETHING_NEW".into())
        );
        assert_eq!(
            serde_json::to_value(&s[0].status).unwrap(),
            json!("SIGN_SOMETHING_NEW")
        );
        assert!(SignatureStatus::ArchiveFailed.is_signed());
        assert!(!SignatureStatus::SignFailed.is_signed());
        assert_eq!(SignatureLevel::parse("lt"), Some(SignatureLevel::Lt));
        assert_eq!(
            SignatureLevel::parse("PAdES_BASELINE_B"),
            Some(SignatureLevel::B)
        );
        assert_eq!(SignatureLevel::parse("X"), None);
    }
}
