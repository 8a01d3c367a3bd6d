//! What the simulator does where the sources are silent, in one place.

/// Wrong codes allowed before the order is locked. S10's message says
/// "encore N essai(s)" but not how many there are to start with.
pub const OTP_TRIES: u32 = 3;

/// Digits of a one-time code (not in the sources).
pub const OTP_DIGITS: usize = 6;

/// The error label of a body that fails validation (not in the sources;
/// only the OTP labels are).
pub const VALIDATION_LABEL: &str = "ERROR_VALIDATION";

/// The error label of an unknown id (not in the sources).
pub const NOT_FOUND_LABEL: &str = "ERROR_NOT_FOUND";

/// The message of a wrong code, in S10's words.
pub fn wrong_code(tries_left: u32) -> String {
    format!("Code OTP incorrect, encore {tries_left} essai(s)")
}

pub const TOO_MANY_TRIES: &str = "Nombre d'essais maximum atteint";
pub const NO_CODE: &str = "Aucun code OTP valide pour cette commande";

/// How long an ASYNC sign takes before its statuses are posted.
pub const ASYNC_DELAY_MS: u64 = 300;

/// The visible signature's box, in PDF points (SignAPI's size is set by its
/// image, which the portal does not send).
pub const MARK_WIDTH: f64 = 180.0;
pub const MARK_HEIGHT: f64 = 48.0;

/// `signaturePosX`/`signaturePosY`: read as PDF points from the page's
/// lower-left corner (PDF user space), to the box's lower-left corner. The
/// sources give neither the unit nor the origin.
pub fn mark_top_left(pos_x: f64, pos_y: f64, page_height: f64) -> (f64, f64) {
    (pos_x, page_height - pos_y - MARK_HEIGHT)
}
