//! Failure injection for the tests of crash windows. A test arms a point
//! for one request; the next time the code passes that point for that
//! request it fails there, as if the process had died between two writes.
//! Without the `test-support` feature every check is a no-op.

/// Fails once at `point` for `request_id` when a test armed it.
#[cfg(feature = "test-support")]
pub fn check(request_id: i64, point: &'static str) -> sqlx::Result<()> {
    let mut armed = armed().lock().unwrap_or_else(|e| e.into_inner());
    match armed.iter().position(|a| *a == (request_id, point)) {
        Some(i) => {
            armed.remove(i);
            Err(sqlx::Error::Protocol(format!("injected failure: {point}")))
        }
        None => Ok(()),
    }
}

#[cfg(not(feature = "test-support"))]
#[inline(always)]
pub fn check(_request_id: i64, _point: &'static str) -> sqlx::Result<()> {
    Ok(())
}

#[cfg(feature = "test-support")]
fn armed() -> &'static std::sync::Mutex<Vec<(i64, &'static str)>> {
    static ARMED: std::sync::OnceLock<std::sync::Mutex<Vec<(i64, &'static str)>>> =
        std::sync::OnceLock::new();
    ARMED.get_or_init(Default::default)
}

/// Makes the next pass through `point` for `request_id` fail.
#[cfg(feature = "test-support")]
pub fn arm(request_id: i64, point: &'static str) {
    armed()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((request_id, point));
}

/// Whether an armed point is still waiting to be hit.
#[cfg(feature = "test-support")]
pub fn is_armed(request_id: i64, point: &'static str) -> bool {
    armed()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&(request_id, point))
}
