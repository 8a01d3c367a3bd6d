//! SQLite's incremental blob I/O: a large file is written into a row that
//! was inserted with `zeroblob(size)`, a piece at a time. A bound parameter
//! would be copied whole into SQLite's memory first (a 50 MB PDF held twice).

use std::ffi::{c_int, CStr};

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;

/// How much is handed to SQLite per call.
const PIECE: usize = 1 << 20;

/// Writes `bytes` into `table.column` of the row `rowid`, which must hold a
/// blob of exactly that length (inserted as `zeroblob(len)`), on `conn`
/// (inside the caller's transaction).
pub(super) async fn write(
    conn: &mut SqliteConnection,
    table: &CStr,
    column: &CStr,
    rowid: i64,
    bytes: &[u8],
) -> sqlx::Result<()> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    let mut blob: *mut ffi::sqlite3_blob = std::ptr::null_mut();
    // SAFETY: `db` is the open connection, locked out of sqlx's worker for as
    // long as `handle` lives; the names are NUL-terminated; `blob` is closed
    // on every path below.
    unsafe {
        let rc = ffi::sqlite3_blob_open(
            db,
            c"main".as_ptr(),
            table.as_ptr(),
            column.as_ptr(),
            rowid,
            1,
            &mut blob,
        );
        if rc != ffi::SQLITE_OK {
            let err = failure(db, rc, "opening the blob");
            ffi::sqlite3_blob_close(blob);
            return Err(err);
        }
        if ffi::sqlite3_blob_bytes(blob) as usize != bytes.len() {
            ffi::sqlite3_blob_close(blob);
            return Err(sqlx::Error::Protocol(
                "the stored blob is not as long as the file".into(),
            ));
        }
        for (n, piece) in bytes.chunks(PIECE).enumerate() {
            let rc = ffi::sqlite3_blob_write(
                blob,
                piece.as_ptr().cast(),
                piece.len() as c_int,
                (n * PIECE) as c_int,
            );
            if rc != ffi::SQLITE_OK {
                let err = failure(db, rc, "writing the blob");
                ffi::sqlite3_blob_close(blob);
                return Err(err);
            }
        }
        let rc = ffi::sqlite3_blob_close(blob);
        if rc != ffi::SQLITE_OK {
            return Err(failure(db, rc, "closing the blob"));
        }
    }
    Ok(())
}

/// SQLite's message for a failed call.
///
/// # Safety
/// `db` must be an open connection.
unsafe fn failure(db: *mut ffi::sqlite3, rc: c_int, what: &str) -> sqlx::Error {
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }.to_string_lossy();
    sqlx::Error::Io(std::io::Error::other(format!(
        "{what}: {message} (code {rc})"
    )))
}
