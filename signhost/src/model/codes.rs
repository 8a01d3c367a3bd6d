//! Integer-coded enums that keep codes they do not know.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:expr),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A code this client does not know (kept, not dropped).
            Unknown(i32),
        }

        impl $name {
            pub fn code(self) -> i32 {
                match self {
                    $($name::$variant => $code,)*
                    $name::Unknown(c) => c,
                }
            }

            pub fn from_code(code: i32) -> Self {
                match code {
                    $($code => $name::$variant,)*
                    other => $name::Unknown(other),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i32(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                i32::deserialize(d).map($name::from_code)
            }
        }
    };
}

coded_enum!(
    /// Transaction status.
    TransactionStatus {
        WaitingForDocument = 5,
        WaitingForSigner = 10,
        InProgress = 20,
        Signed = 30,
        Rejected = 40,
        Expired = 50,
        Cancelled = 60,
        Failed = 70,
    }
);

impl TransactionStatus {
    /// Signed, rejected, expired, cancelled or failed: nothing more happens.
    pub fn is_final(self) -> bool {
        self.code() >= 30
    }
}

coded_enum!(
    /// Signer and receiver activity codes.
    ActivityCode {
        InvitationSent = 101,
        InvitationReceived = 102,
        Opened = 103,
        InvitationReminderResent = 104,
        DocumentOpened = 105,
        IdentityApproved = 110,
        IdentityFailed = 111,
        Cancelled = 201,
        Rejected = 202,
        Signed = 203,
        SignerDelegated = 204,
        SignedDocumentSent = 301,
        SignedDocumentOpened = 302,
        SignedDocumentDownloaded = 303,
        ReceiptSent = 401,
        ReceiptOpened = 402,
        ReceiptDownloaded = 403,
        Finished = 500,
        Deleted = 600,
        Expired = 700,
        EmailBounceHard = 901,
        EmailBounceSoft = 902,
        EmailBounceBlocked = 903,
        EmailBounceUndetermined = 904,
        Failed = 999,
    }
);

impl ActivityCode {
    /// The name Signhost puts in `Activity`.
    pub fn name(self) -> String {
        match self {
            ActivityCode::Unknown(c) => format!("Unknown{c}"),
            other => format!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_codes_round_trip() {
        let s: TransactionStatus = serde_json::from_str("30").unwrap();
        assert_eq!(s, TransactionStatus::Signed);
        assert!(s.is_final());
        let u: TransactionStatus = serde_json::from_str("45").unwrap();
        assert_eq!(u, TransactionStatus::Unknown(45));
        assert_eq!(serde_json::to_string(&u).unwrap(), "45");
        let a: ActivityCode = serde_json::from_str("105").unwrap();
        assert_eq!(
            (a, a.name().as_str()),
            (ActivityCode::DocumentOpened, "DocumentOpened")
        );
        assert_eq!(
            serde_json::from_str::<ActivityCode>("777").unwrap(),
            ActivityCode::Unknown(777)
        );
        assert!(!TransactionStatus::InProgress.is_final());
    }
}
