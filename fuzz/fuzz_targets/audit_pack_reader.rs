//! The pack reader and the whole verifier on arbitrary bytes (as a .tgz), with small budgets:
//! never panics, never allocates past the budgets, and a report that says ok has a verified
//! index whose Merkle root recomputes to the signed one. Seed the corpus with
//! fixtures/evidence/*.tgz and fixtures/evidence/hostile/*.tgz.
#![no_main]
use audit_pack::PackReader;
use audit_pack::{verify_trusted, Limits, SpotCheckRequest, Trust, PLUGIN};
use libfuzzer_sys::fuzz_target;
use plugin_api::Report;

/// The sample pack's TEST-ONLY key (fixtures/evidence/keys/acme-audit-pack.pub).
const KEY: &str = "acme-audit-pack+a84eb7e5+AduZX+JRadFByrm7upK6oB+fLh7OffTLKsBRkPN/zB+d";
/// The sample pack's TEST-ONLY manifest signer (fixtures/evidence/keys/acme-release.pub), so
/// that the seed pack verifies and mutations of it reach every check.
const MANIFEST_KEY: &str = "acme-release+532082ec+ASASy5DKYOjl2Nr2biJy0iM+BIbVV+jGYUHtiSAXfX63";

fn limits() -> Limits {
    let mut l = Limits::DEFAULT;
    l.max_entries = 64;
    l.max_file_size = 1 << 20;
    l.max_total_size = 4 << 20;
    l
}

fuzz_target!(|data: &[u8]| {
    // The bare reader: every entry until the end or the first error.
    let mut reader = PackReader::new(data, limits());
    for _ in 0..128 {
        match reader.next_entry(&|_, size| size <= 4096) {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    // The verifier, with a spot check.
    let key = merkle::note::VerifierKey::parse(KEY).expect("test key parses");
    let manifest_key = merkle::note::VerifierKey::parse(MANIFEST_KEY).expect("test key parses");
    let keys = [key];
    let manifest_keys = [manifest_key];
    let trust = Trust::keys(&keys).with_manifest_keys(&manifest_keys);
    let v = verify_trusted(
        Report::builder(PLUGIN),
        data,
        &trust,
        &limits(),
        Some(SpotCheckRequest::Sample { count: 3, seed: 1 }),
    );
    assert_eq!(v.report.ok(), v.verified().is_some());
    if let Some(pack) = v.verified() {
        let root = pack.index().compute_merkle_root().expect("verified index hashes");
        assert_eq!(&root, pack.merkle_root());
    }
});
