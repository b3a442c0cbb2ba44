//! Tile path parsing: never panics, and a parsed path prints back to the same string.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = merkle::tiles::parse_tile_path(text) {
        assert_eq!(p.to_string(), text);
    }
});
