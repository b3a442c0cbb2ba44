//! Property tests: no false accepts under mutation, canonical JSON round trips.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use audit_pack::report::{is_blank, spreadsheet_safe, FORMULA_TRIGGERS};
use audit_pack::{parse_public_key, verify_trusted, Limits, Trust, PLUGIN};
use plugin_api::Report;
use proptest::prelude::*;
use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The sample pack, its tar stream, and the verifier's keys: the index key and the release
/// key for the manifest.
type Sample = (Vec<u8>, Vec<u8>, [merkle::note::VerifierKey; 2]);

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let f = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/evidence");
        let pack = std::fs::read(f.join("audit-pack-acme-2026-11-23.tgz")).unwrap();
        let tar = gunzip(&pack).unwrap();
        let key =
            |name: &str| parse_public_key(&std::fs::read_to_string(f.join(name)).unwrap()).unwrap();
        (
            pack,
            tar,
            [
                key("keys/acme-audit-pack.pub"),
                key("keys/acme-release.pub"),
            ],
        )
    })
}

/// Verifies with the index key and the manifest key, as an auditor would.
fn verify_pack(input: &[u8], keys: &[merkle::note::VerifierKey; 2]) -> Report {
    let [index, manifest] = keys;
    let trust =
        Trust::keys(std::slice::from_ref(index)).with_manifest_keys(std::slice::from_ref(manifest));
    verify_trusted(
        Report::builder(PLUGIN),
        input,
        &trust,
        &Limits::DEFAULT,
        None,
    )
    .report
}

#[test]
fn the_unmutated_sample_verifies() {
    let (pack, _, keys) = sample();
    let report = verify_pack(pack, keys);
    assert!(report.ok(), "{}", report.to_json());
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
        let report = verify_pack(&mutated, key);
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
        let report = verify_pack(&pack, key);
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
        let text = audit_pack::to_canonical(&value).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &value);
        prop_assert_eq!(audit_pack::to_canonical(&back).unwrap(), text);
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
        let report = verify_pack(&input, key);
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
        let _ = verify_pack(&gz.finish().unwrap(), key);
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

/// A character a spreadsheet may skip before a formula.
fn blank_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just(' '),
        Just('\t'),
        Just('\r'),
        Just('\n'),
        Just('\0'),
        Just('\u{0B}'),
        Just('\u{0C}'),
        Just('\u{A0}'),
        Just('\u{3000}'),
        Just('\u{200B}'),
        Just('\u{FEFF}'),
        Just('\u{2060}'),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

fn trigger() -> impl Strategy<Value = char> {
    prop::sample::select(FORMULA_TRIGGERS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// OWASP CSV injection: blanks (spaces, tabs, CR/LF, NUL, other controls, no-break and
    /// ideographic spaces, zero-width characters) and then a trigger (`=`, `+`, `-`, `@` or a
    /// full-width or small form) always get the leading `'`.
    #[test]
    fn a_trigger_after_any_blanks_is_neutralised(
        blanks in prop::collection::vec(blank_char(), 0..6),
        t in trigger(),
        rest in ".{0,20}",
    ) {
        let value: String = blanks.into_iter().chain(std::iter::once(t)).collect::<String>() + &rest;
        let cell = spreadsheet_safe(&value);
        prop_assert_eq!(cell.as_ref(), format!("'{value}"));
    }

    /// For any text: the cell is the text, or `'` and the text (nothing else changes); and a
    /// cell left unchanged neither starts with a control character nor has a trigger as its
    /// first non-blank character.
    #[test]
    fn any_cell_is_safe_and_only_prefixed(value in any::<String>()) {
        let cell = spreadsheet_safe(&value);
        if cell.as_ref() == value {
            prop_assert!(!value.chars().next().is_some_and(char::is_control), "{:?}", value);
            let first = value.chars().find(|c| !is_blank(*c));
            prop_assert!(!first.is_some_and(|c| FORMULA_TRIGGERS.contains(&c)), "{:?}", value);
        } else {
            prop_assert_eq!(cell.as_ref(), format!("'{value}"));
        }
    }
}

#[test]
fn csv_cells_owasp_cases() {
    for bad in [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\n=1",
        "\0=1",
        " =cmd|' /C calc'!A0",
        "  \t @x",
        "\u{FF1D}1+1",
        "\u{FF0B}1",
        "\u{FF0D}1",
        "\u{FF20}x",
        " \u{FF1D}1",
        "\u{3000}=1",
        "\u{200B}=1",
        "\u{FEFF}=1",
        "\u{2212}1",
        "\t",
        "\rtext",
    ] {
        assert_eq!(spreadsheet_safe(bad), format!("'{bad}"), "{bad:?}");
    }
    for good in [
        "",
        "text",
        " text",
        "1+1",
        "a=b",
        "'=1",
        "sec@acme.example",
        "2026-10-02",
    ] {
        assert_eq!(spreadsheet_safe(good), good, "{good:?}");
    }
}
