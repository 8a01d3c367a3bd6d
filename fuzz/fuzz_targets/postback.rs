//! Postback bodies and checksum headers from anyone: verification never
//! panics, accepts only the checksum computed from the shared secret, and
//! the transaction model reads (or refuses) any JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhost::checksum::{compute, verify_postback};

const SECRET: &str = "fuzz-shared-secret";

fuzz_target!(|input: (&[u8], Option<&str>)| {
    let (body, header) = input;
    if let Ok(tx) = verify_postback(body, header, SECRET) {
        let id = tx.id.clone().unwrap_or_default();
        let status = tx.status.map(|s| s.code()).unwrap_or_default();
        let given = header
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or(tx.checksum.clone())
            .unwrap_or_default();
        assert_eq!(given.to_ascii_lowercase(), compute(&id, status, SECRET));
    }
    let _ = serde_json::from_slice::<signhost::model::Transaction>(body);
});
