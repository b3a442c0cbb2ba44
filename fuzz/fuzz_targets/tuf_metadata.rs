//! TUF metadata parsing and verification (plugin-tuf's `TrustedSet`), fed arbitrary bytes as
//! each role: as an initial root, as the next root, as a timestamp, and as a stored
//! snapshot (whose hash check is skipped, so the parser is reached), each after a valid
//! chain from the generated fixture repository (fixtures/tuf, fixed clock).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_api::VerificationTime;
use plugin_tuf::TrustedSet;

const ROOT_V1: &[u8] = include_bytes!("../../fixtures/tuf/repo/1.root.json");
const ROOT_V2: &[u8] = include_bytes!("../../fixtures/tuf/repo/2.root.json");
const TIMESTAMP: &[u8] = include_bytes!("../../fixtures/tuf/repo/timestamp.json");

fn trusted(now: VerificationTime) -> Option<TrustedSet> {
    let mut set = TrustedSet::new(ROOT_V1, now).ok()?;
    set.update_root(ROOT_V2).ok()?;
    Some(set)
}

fuzz_target!(|data: &[u8]| {
    let now = VerificationTime::from_unix_seconds(1_893_456_000);
    if let Ok(set) = TrustedSet::new(data, now) {
        let _ = set.role_facts();
    }
    if let Some(mut set) = trusted(now) {
        let _ = set.update_root(data);
    }
    if let Some(mut set) = trusted(now) {
        let _ = set.update_timestamp(data);
    }
    if let Some(mut set) = trusted(now) {
        if set.update_timestamp(TIMESTAMP).is_ok() {
            let _ = set.update_snapshot(data, true);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = plugin_api::time::parse_rfc3339_utc(text);
    }
});
