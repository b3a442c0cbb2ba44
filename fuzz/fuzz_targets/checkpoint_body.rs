//! Checkpoint body parsing: never panics, and what parses writes back to the same text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use merkle::checkpoint::Checkpoint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cp) = Checkpoint::parse_body(text) {
        assert_eq!(cp.to_body().ok().as_deref(), Some(text));
    }
});
