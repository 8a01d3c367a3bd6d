//! The twelve envelope statuses, as the seed lists them ("Envelope Status").

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvelopeStatus {
    /// The sender changed the signer by updating the recipient's email address.
    Changedsigner,
    /// Scheduled to be sent at a specific date and time.
    Scheduled,
    Sent,
    /// The invite email bounced.
    Bounced,
    /// Flagged as spam by the recipient.
    Spam,
    Delivered,
    /// The recipient opened the invite email.
    Opened,
    /// The recipient viewed the document.
    Viewed,
    Declined,
    Signed,
    Canceled,
    /// Neither completed nor declined in time.
    Expired,
    /// A status the seed does not list.
    #[serde(untagged)]
    Other(String),
}

impl EnvelopeStatus {
    pub const ALL: [EnvelopeStatus; 12] = [
        EnvelopeStatus::Changedsigner,
        EnvelopeStatus::Scheduled,
        EnvelopeStatus::Sent,
        EnvelopeStatus::Bounced,
        EnvelopeStatus::Spam,
        EnvelopeStatus::Delivered,
        EnvelopeStatus::Opened,
        EnvelopeStatus::Viewed,
        EnvelopeStatus::Declined,
        EnvelopeStatus::Signed,
        EnvelopeStatus::Canceled,
        EnvelopeStatus::Expired,
    ];

    /// The invite email did not reach the signer (a signer-level problem).
    pub fn is_delivery_problem(&self) -> bool {
        matches!(self, EnvelopeStatus::Bounced | EnvelopeStatus::Spam)
    }

    /// Nothing more will happen to the invite.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            EnvelopeStatus::Declined
                | EnvelopeStatus::Signed
                | EnvelopeStatus::Canceled
                | EnvelopeStatus::Expired
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_twelve_statuses_read_and_write_as_the_seed_spells_them() {
        let names = [
            "changedsigner",
            "scheduled",
            "sent",
            "bounced",
            "spam",
            "delivered",
            "opened",
            "viewed",
            "declined",
            "signed",
            "canceled",
            "expired",
        ];
        for (status, name) in EnvelopeStatus::ALL.iter().zip(names) {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(name)
            );
            let back: EnvelopeStatus = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(&back, status);
        }
        let odd: EnvelopeStatus = serde_json::from_str("\"archived\"").unwrap();
        assert_eq!(odd, EnvelopeStatus::Other("archived".into()));
        assert!(
            EnvelopeStatus::Bounced.is_delivery_problem()
                && EnvelopeStatus::Spam.is_delivery_problem()
        );
        assert!(!EnvelopeStatus::Viewed.is_final() && EnvelopeStatus::Expired.is_final());
    }
}
