//! `control-map.csv` parsing on its own (the `audit_pack_index` target shares its input with
//! index.json): never panics; within the row budget; a map that parses writes back to a map
//! that parses to exactly the same lines.
#![no_main]
use audit_pack::controls;
use libfuzzer_sys::fuzz_target;

const MAX_ROWS: usize = 1000;

fuzz_target!(|data: &[u8]| {
    let Ok(lines) = controls::parse("control-map.csv", data, 1 << 20, MAX_ROWS) else {
        return;
    };
    assert!(lines.len() <= MAX_ROWS);
    let written = controls::write(&lines).expect("a parsed map writes");
    let again = controls::parse("control-map.csv", &written, 1 << 21, MAX_ROWS)
        .expect("a written map parses");
    assert_eq!(again, lines);
});
