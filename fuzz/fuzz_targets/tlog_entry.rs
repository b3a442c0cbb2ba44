//! Log entry parsing: never panics, and only the canonical form parses (it writes back to the
//! same bytes).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = tlog::Entry::parse(data) {
        assert_eq!(entry.to_bytes(), data);
    }
});
