//! Whatever the bytes, inspecting them as an upload answers (accepted or
//! refused) without crashing, and never accepts what the pre-scan refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use server::documents::guard::{self, Budget, Limits};
use server::documents::inspect;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_time: std::time::Duration::from_secs(5),
        ..Limits::default()
    };
    let found = inspect::inspect_within(data, &limits, &Budget::new(limits.max_time));
    if found.is_ok() {
        assert!(guard::prescan(data, &limits, &Budget::unlimited()).is_ok());
    }
});
