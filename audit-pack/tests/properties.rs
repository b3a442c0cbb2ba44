//! Property tests: no false accepts under mutation, canonical JSON round trips.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use audit_pack::{jcs, parse_public_key, verify_pack, Limits};
use proptest::prelude::*;
use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

fn sample() -> &'static (Vec<u8>, Vec<u8>, merkle::note::VerifierKey) {
    static SAMPLE: OnceLock<(Vec<u8>, Vec<u8>, merkle::note::VerifierKey)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let f = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/evidence");
        let pack = std::fs::read(f.join("audit-pack-acme-2026-11-23.tgz")).unwrap();
        let tar = gunzip(&pack).unwrap();
        let key =
            parse_public_key(&std::fs::read_to_string(f.join("keys/acme-audit-pack.pub")).unwrap())
                .unwrap();
        (pack, tar, key)
    })
}

fn gunzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .take(64 << 20)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Changing any byte of the pack either makes verification fail or leaves the tar stream
    /// exactly as it was (gzip header fields such as MTIME, XFL and OS carry no content).
    #[test]
    fn one_changed_byte_is_rejected_or_changes_nothing(pos in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let (pack, tar, key) = sample();
        let mut mutated = pack.clone();
        let i = pos.index(mutated.len());
        mutated[i] ^= xor;
        let report = verify_pack(mutated.as_slice(), key, &Limits::DEFAULT, None);
        if report.ok() {
            let unpacked = gunzip(&mutated);
            prop_assert_eq!(unpacked.as_deref(), Some(tar.as_slice()), "accepted a change at byte {}", i);
        }
    }

    /// The same for the uncompressed tar stream (re-compressed): a change is accepted only
    /// inside a header's checksum field (`"%06o\0 "` and `"%06o  "` read alike; the field is
    /// not part of its own sum), never in a name, a size, a mode or file data.
    #[test]
    fn one_changed_tar_byte_never_changes_what_is_verified(pos in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let (_, tar, key) = sample();
        let mut mutated = tar.clone();
        let i = pos.index(mutated.len());
        mutated[i] ^= xor;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &mutated).unwrap();
        let pack = gz.finish().unwrap();
        let report = verify_pack(pack.as_slice(), key, &Limits::DEFAULT, None);
        if report.ok() {
            // A single changed byte elsewhere in a header breaks its checksum; in data, the
            // SHA-256 or the signature; in padding or after the end, the zero-byte rules.
            let in_checksum = (148..156).contains(&(i % 512)) && is_header_block(tar, i / 512);
            prop_assert!(in_checksum, "accepted a change at tar byte {}", i);
        }
    }

    /// Canonical JSON is stable: canonicalising, parsing and canonicalising again gives the
    /// same bytes, and the output parses to the same value.
    #[test]
    fn canonical_json_round_trips(value in json_value()) {
        let text = jcs::to_canonical(&value).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &value);
        prop_assert_eq!(jcs::to_canonical(&back).unwrap(), text);
    }
}

/// Whether block `n` of the tar stream is a header (walks the headers from the start).
fn is_header_block(tar: &[u8], n: usize) -> bool {
    let mut block = 0usize;
    while block * 512 + 512 <= tar.len() {
        let h = &tar[block * 512..block * 512 + 512];
        if h.iter().all(|b| *b == 0) {
            return false;
        }
        if block == n {
            return true;
        }
        let size = std::str::from_utf8(&h[124..135])
            .ok()
            .and_then(|s| u64::from_str_radix(s, 8).ok())
            .unwrap();
        block += 1 + usize::try_from(size.div_ceil(512)).unwrap();
        if block > n {
            return false;
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Arbitrary tar streams (gzipped) and arbitrary bytes never panic the verifier and are
    /// never accepted.
    #[test]
    fn arbitrary_input_is_refused_without_panicking(tar in prop::collection::vec(any::<u8>(), 0..3000), raw in any::<bool>()) {
        let (_, _, key) = sample();
        let input = if raw {
            tar
        } else {
            let mut gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, &tar).unwrap();
            gz.finish().unwrap()
        };
        let report = verify_pack(input.as_slice(), key, &Limits::DEFAULT, None);
        prop_assert!(!report.ok());
    }

    /// Headers that look like ours but carry random fields never panic the reader.
    #[test]
    fn random_header_fields_never_panic(fields in prop::collection::vec((0usize..512, any::<u8>()), 1..40)) {
        let (_, tar, key) = sample();
        let mut mutated = tar.clone();
        for (at, byte) in fields {
            mutated[at] = byte;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &mutated).unwrap();
        let _ = verify_pack(gz.finish().unwrap().as_slice(), key, &Limits::DEFAULT, None);
    }

    /// The index and control-map parsers never panic on arbitrary text.
    #[test]
    fn parsers_never_panic(text in ".{0,400}") {
        let _ = audit_pack::Index::parse(text.as_bytes(), 1 << 20);
        let _ = audit_pack::controls::parse("x.csv", text.as_bytes(), 1 << 20, 100);
        let with_header = format!("{}\n{text}", audit_pack::controls::COLUMNS.join(","));
        let _ = audit_pack::controls::parse("x.csv", with_header.as_bytes(), 1 << 20, 100);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        (-(1i64 << 53) + 1..(1i64 << 53)).prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
