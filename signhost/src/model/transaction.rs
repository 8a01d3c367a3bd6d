use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::{ActivityCode, FileEntry, TransactionStatus, Verification};

type Time = Option<DateTime<FixedOffset>>;
type Object = Option<Map<String, Value>>;

/// A transaction as Signhost returns it (GET, create, delete, postback).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Transaction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TransactionStatus>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub files: Option<BTreeMap<String, FileEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal: Option<bool>,
    #[serde(deserialize_with = "null_as_default")]
    pub signers: Vec<Signer>,
    #[serde(deserialize_with = "null_as_default")]
    pub receivers: Vec<Receiver>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postback_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_request_mode: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_expire: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_email_notifications: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Object,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date_time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date_time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canceled_date_time: Time,
    /// One "l", as Signhost spells it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelation_reason: Option<String>,
    /// Legacy API only: `{"Id":…, "Name":…}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Object,
    /// Postbacks only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// A signer as returned, with the output-only and legacy fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Signer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Time,
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub authentications: Vec<Verification>,
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub verifications: Vec<Verification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_sign_request: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_sign_confirmation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_request_subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_request_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_remind: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_delegation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Object,
    // Output only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate_sign_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate_signer_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate_signer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_delegation_date_time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_date_time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_date_time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date_time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date_time: Time,
    #[serde(deserialize_with = "null_as_default")]
    pub activities: Vec<Activity>,
    // Legacy fields the live API still echoes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(rename = "BSN", skip_serializing_if = "Option::is_none")]
    pub bsn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_scribble_name: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_scribble: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_email_verification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_sms_verification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_ideal_verification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_digid_verification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_surfnet_verification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_kennisnet_verification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scribble_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scribble_name_fixed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Receiver {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Object,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date_time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date_time: Time,
    /// `null` on the live API rather than `[]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activities: Option<Vec<Activity>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Activity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub code: ActivityCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Time,
}

/// `POST /api/transaction`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateTransaction {
    #[serde(deserialize_with = "null_as_default")]
    pub seal: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postback_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_expire: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_email_notifications: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_request_mode: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Object,
    #[serde(deserialize_with = "null_as_default")]
    pub signers: Vec<CreateSigner>,
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub receivers: Vec<CreateReceiver>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateSigner {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Time,
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub authentications: Vec<Verification>,
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub verifications: Vec<Verification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_sign_request: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_sign_confirmation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_request_subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_request_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_remind: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_delegation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Object,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateReceiver {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub email: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Object,
}

/// The optional body of `DELETE /api/transaction/{id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteTransaction {
    pub send_notifications: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Reads `null` as the type's default (Signhost sends `null` for empty lists).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
