//! The simulators' clock: real time plus however far it was moved (tests
//! and staff move it to see reminders and expiry); the offset survives
//! restarts.

use std::sync::atomic::Ordering;

use app::ssr::db::sandbox as db;
use chrono::{DateTime, FixedOffset, Utc};

use crate::sandbox::Sandbox;

const OFFSET_KEY: &str = "clock_offset_seconds";

/// Loads how far the clock was moved (it survives restarts).
pub async fn restore(s: &Sandbox) -> Result<(), sqlx::Error> {
    let offset = db::get_setting(&s.db, OFFSET_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    s.clock_offset.store(offset, Ordering::Relaxed);
    Ok(())
}

/// Moves the clock `days` ahead and keeps the new offset.
pub async fn move_ahead(s: &Sandbox, days: i64) -> Result<(), sqlx::Error> {
    let step = days * 86_400;
    let offset = s.clock_offset.fetch_add(step, Ordering::Relaxed) + step;
    db::set_setting(&s.db, OFFSET_KEY, &offset.to_string()).await
}

impl Sandbox {
    /// The sandbox's clock: real time plus however far tests moved it.
    pub fn now(&self) -> DateTime<FixedOffset> {
        let offset = self.clock_offset.load(std::sync::atomic::Ordering::Relaxed);
        (Utc::now() + chrono::Duration::seconds(offset)).fixed_offset()
    }
}
