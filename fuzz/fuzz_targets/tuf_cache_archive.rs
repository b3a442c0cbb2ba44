//! The offline cache's import path: arbitrary bytes as an (uncompressed) tar, gzipped here
//! so that mutations reach the tar structure, parsed with every budget and path rule of
//! `cache import`, then, when it parses, verified offline (pure) at a fixed time. Seed:
//! `gunzip < fixtures/tuf/sigstore-cache.tgz`.
#![no_main]

use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;
use plugin_api::VerificationTime;
use std::io::Write;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    if gz.write_all(data).is_err() {
        return;
    }
    let Ok(tgz) = gz.finish() else { return };
    if let Ok(repo) = offline_cache::parse_archive(tgz.as_slice(), Path::new("fuzz.tgz")) {
        let now = VerificationTime::from_unix_seconds(1_893_456_000);
        let v = offline_cache::verify_repo(&repo, now, &[]);
        // A verified result must come with every requested target.
        if v.report.ok() {
            assert_eq!(v.targets.len(), repo.state.targets.len());
        }
    }
});
