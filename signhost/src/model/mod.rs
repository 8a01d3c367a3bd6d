//! Signhost's JSON, field for field (PascalCase; nulls left out on the way
//! out and tolerated on the way in).

mod codes;
mod file;
mod transaction;
mod verification;

pub use codes::{ActivityCode, TransactionStatus};
pub use file::{Field, FileEntry, FileMeta, FileSignerMeta, Link, Location};
pub use transaction::{
    Activity, CreateReceiver, CreateSigner, CreateTransaction, DeleteTransaction, Receiver, Signer,
    Transaction,
};
pub use verification::{DigiD, IDeal, IDin, IpAddress, PhoneNumber, Scribble, Verification};
