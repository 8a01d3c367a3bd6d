//! What every request handler and server function can reach.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::ssr::db::Db;
use crate::ssr::throttle::ThrottleRules;

/// Signhost's limit on one PDF.
pub const SIGNHOST_MAX_FILE_BYTES: u64 = 52_428_800;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub throttle: ThrottleRules,
    /// The largest PDF staff may upload.
    pub max_upload_bytes: u64,
    /// Wakes the background workers when new work was recorded.
    pub work: Arc<Notify>,
    /// The signing services configured on this portal, for the few things
    /// done while a person waits (cancel, a fresh look for the landing page).
    pub providers: crate::ssr::provider::Providers,
    /// Hours a waiting request may go without a postback before staff are warned.
    pub quiet_hours: i64,
    /// Idle timeout and absolute lifetime of staff sessions.
    pub sessions: crate::ssr::auth::SessionRules,
    /// The organisation's name and logo, on every page signers see.
    pub brand: Arc<Brand>,
    /// Whether an admin can connect a Hotsign account here (Hotsign is configured).
    pub hotsign_connectable: bool,
}

/// Who sends the requests, as signers see it.
#[derive(Clone, Debug)]
pub struct Brand {
    pub name: String,
    /// The logo's bytes and content type.
    pub logo: Option<(Vec<u8>, &'static str)>,
}

impl Default for Brand {
    fn default() -> Self {
        Brand {
            name: "Signing portal".into(),
            logo: None,
        }
    }
}

impl AppState {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            throttle: ThrottleRules::default(),
            max_upload_bytes: SIGNHOST_MAX_FILE_BYTES,
            work: Arc::new(Notify::new()),
            providers: Default::default(),
            quiet_hours: 24,
            sessions: Default::default(),
            brand: Arc::new(Brand::default()),
            hotsign_connectable: false,
        }
    }

    pub fn wake_workers(&self) {
        self.work.notify_one();
    }
}
