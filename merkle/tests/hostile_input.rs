//! Arbitrary input to every parser and verifier: no panic, bounded work, and nothing accepted
//! that was not signed or computed. (The fuzz targets in fuzz/ explore the same properties with
//! coverage guidance; these run in every CI.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::checkpoint::{self, Checkpoint};
use merkle::note::{self, Signer, VerifierKey};
use merkle::tiles::parse_tile_path;
use merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash};
use proptest::prelude::*;

fn signer() -> Signer {
    Signer::from_seed("hostile.example/log", [9u8; 32]).unwrap()
}

/// Text made of the characters notes and checkpoints are built from, so that parsers get deep.
fn note_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\n".to_string()),
            Just("— ".to_string()),
            Just("hostile.example/log ".to_string()),
            Just("+".to_string()),
            "[A-Za-z0-9+/=]{1,60}",
            "[0-9]{1,21}",
            any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn note_open_never_accepts_unsigned_text(text in note_like()) {
        let key = signer().to_verifier_key();
        if let Ok(v) = note::open(text.as_bytes(), std::slice::from_ref(&key)) {
            // Only possible if the text carries our real signature line.
            let line = signer().sign(v.text()).unwrap();
            prop_assert!(text.contains(&line));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let key = signer().to_verifier_key();
        let _ = note::open(&bytes, std::slice::from_ref(&key));
        let _ = checkpoint::open(&bytes, std::slice::from_ref(&key), Some("hostile.example/log"));
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = VerifierKey::parse(s);
            let _ = parse_tile_path(s);
            if let Ok(cp) = Checkpoint::parse_body(s) {
                prop_assert_eq!(cp.to_body().unwrap(), s);
            }
        }
    }

    #[test]
    fn checkpoint_text_round_trips(text in note_like()) {
        if let Ok(cp) = Checkpoint::parse_body(&text) {
            prop_assert_eq!(cp.to_body().unwrap(), text.clone());
        }
        let _ = parse_tile_path(&text);
        let _ = VerifierKey::parse(&text);
    }

    /// A root that no proof can reach (without a SHA-256 preimage) is never accepted, for any
    /// sizes, indices and nodes, including the extremes of u64.
    #[test]
    fn proofs_to_an_unrelated_root_always_fail(
        a in prop_oneof![any::<u64>(), Just(0u64), Just(u64::MAX), Just(1u64 << 63)],
        b in prop_oneof![any::<u64>(), Just(0u64), Just(u64::MAX), Just((1u64 << 63) + 3)],
        nodes in proptest::collection::vec(any::<[u8; 32]>().prop_map(Hash), 0..70),
    ) {
        let leaf = leaf_hash(b"hostile");
        let unrelated = Hash([0xAB; 32]);
        prop_assert!(verify_inclusion(a, b, &leaf, &nodes, &unrelated).is_err());
        prop_assert!(verify_consistency(a, b, &nodes, &leaf, &unrelated).is_err());
    }
}
