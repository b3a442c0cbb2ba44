//! `index.json` and `control-map.csv` parsing: never panics; an index that parses is
//! canonical, so it writes back to exactly the bytes read.
#![no_main]
use audit_pack::{controls, Index};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = Index::parse(data, 960 << 10) {
        assert_eq!(index.to_file_text().ok().as_deref().map(str::as_bytes), Some(data));
    }
    let _ = controls::parse("control-map.csv", data, 1 << 20, 1000);
});
