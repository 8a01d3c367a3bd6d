//! Verifications and authentications: polymorphic on `Type` (written first),
//! unknown types kept as they came.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PhoneNumber {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secure_download: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Scribble {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_handsignature: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scribble_name_fixed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scribble_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DigiD {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bsn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secure_download: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub betrouwbaarheidsniveau: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IDeal {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_holder_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_holder_city: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IDin {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_holder_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_holder_address1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_holder_address2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_holder_date_of_birth: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IpAddress {
    #[serde(rename = "IPAddress", skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verification {
    Consent,
    PhoneNumber(PhoneNumber),
    Scribble(Scribble),
    DigiD(DigiD),
    IDeal(IDeal),
    IDin(IDin),
    IpAddress(IpAddress),
    /// Any other type (eHerkenning, itsme, CSC Qualified, …), kept whole.
    Other(Map<String, Value>),
}

impl Verification {
    pub fn type_name(&self) -> &str {
        match self {
            Verification::Consent => "Consent",
            Verification::PhoneNumber(_) => "PhoneNumber",
            Verification::Scribble(_) => "Scribble",
            Verification::DigiD(_) => "DigiD",
            Verification::IDeal(_) => "iDeal",
            Verification::IDin(_) => "iDIN",
            Verification::IpAddress(_) => "IPAddress",
            Verification::Other(map) => map.get("Type").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// Whether Signhost accepts this type as the last verification of a signer.
    pub fn may_be_last(&self) -> bool {
        matches!(
            self.type_name(),
            "Consent" | "PhoneNumber" | "Scribble" | "CSC Qualified"
        )
    }
}

fn fields<T: Serialize>(value: &T) -> Result<Map<String, Value>, serde_json::Error> {
    match serde_json::to_value(value)? {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

impl Serialize for Verification {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let rest = match self {
            Verification::Consent => Map::new(),
            Verification::PhoneNumber(v) => fields(v).map_err(S::Error::custom)?,
            Verification::Scribble(v) => fields(v).map_err(S::Error::custom)?,
            Verification::DigiD(v) => fields(v).map_err(S::Error::custom)?,
            Verification::IDeal(v) => fields(v).map_err(S::Error::custom)?,
            Verification::IDin(v) => fields(v).map_err(S::Error::custom)?,
            Verification::IpAddress(v) => fields(v).map_err(S::Error::custom)?,
            Verification::Other(map) => return map.serialize(s),
        };
        let mut map = Map::new();
        map.insert("Type".into(), Value::String(self.type_name().into()));
        map.extend(rest);
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Verification {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        let kind = map
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let value = Value::Object(map.clone());
        let parse = |v: Value| -> Result<Verification, D::Error> {
            Ok(match kind.as_str() {
                "Consent" => Verification::Consent,
                "PhoneNumber" => {
                    Verification::PhoneNumber(serde_json::from_value(v).map_err(D::Error::custom)?)
                }
                "Scribble" => {
                    Verification::Scribble(serde_json::from_value(v).map_err(D::Error::custom)?)
                }
                "DigiD" => {
                    Verification::DigiD(serde_json::from_value(v).map_err(D::Error::custom)?)
                }
                "iDeal" => {
                    Verification::IDeal(serde_json::from_value(v).map_err(D::Error::custom)?)
                }
                "iDIN" => Verification::IDin(serde_json::from_value(v).map_err(D::Error::custom)?),
                "IPAddress" => {
                    Verification::IpAddress(serde_json::from_value(v).map_err(D::Error::custom)?)
                }
                _ => Verification::Other(map.clone()),
            })
        };
        parse(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_is_written_first_and_nulls_left_out() {
        let v = Verification::Scribble(Scribble {
            scribble_name_fixed: Some(true),
            scribble_name: Some("Ann".into()),
            ..Default::default()
        });
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"Type":"Scribble","ScribbleNameFixed":true,"ScribbleName":"Ann"}"#
        );
        assert_eq!(
            serde_json::to_string(&Verification::Consent).unwrap(),
            r#"{"Type":"Consent"}"#
        );
    }

    #[test]
    fn known_types_parse_and_unknown_types_are_kept() {
        let v: Verification = serde_json::from_str(
            r#"{"Type":"PhoneNumber","Number":"+31612345678","SecureDownload":null}"#,
        )
        .unwrap();
        assert_eq!(
            v,
            Verification::PhoneNumber(PhoneNumber {
                number: Some("+31612345678".into()),
                secure_download: None
            })
        );
        let raw = r#"{"Type":"eHerkenning","EntityConcernIdKvkNr":"123","Uid":"x"}"#;
        let v: Verification = serde_json::from_str(raw).unwrap();
        assert_eq!(v.type_name(), "eHerkenning");
        assert_eq!(serde_json::to_string(&v).unwrap(), raw);
        let ip: Verification =
            serde_json::from_str(r#"{"Type":"IPAddress","IPAddress":"127.0.0.1"}"#).unwrap();
        assert_eq!(
            ip,
            Verification::IpAddress(IpAddress {
                ip_address: Some("127.0.0.1".into())
            })
        );
    }

    #[test]
    fn last_verification_rule() {
        assert!(Verification::Consent.may_be_last());
        assert!(!Verification::IDin(IDin::default()).may_be_last());
    }
}
