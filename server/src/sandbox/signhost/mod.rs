//! The Signhost simulator: its REST API (`api`), its signing pages
//! (`sign`), completing a transaction with marked PDFs (`finish`) and a
//! receipt, its postbacks, and time (reminders, expiry, the mailbox).

pub mod api;
mod finish;
pub mod postbacks;
mod receipt;
pub mod sign;
pub mod store;
pub mod time;
pub mod validate;
