//! The pre-scan alone, on any bytes: it never panics and its nesting
//! figure never exceeds the limit it accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use server::documents::guard::{self, Budget, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(scan) = guard::prescan(data, &limits, &Budget::unlimited()) {
        assert!(scan.max_depth <= limits.max_depth);
        assert!(scan.objects <= limits.max_objects);
    }
    let _ = guard::check_depth(data, limits.max_depth);
});
