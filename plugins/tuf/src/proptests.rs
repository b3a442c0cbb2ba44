//! Property tests: canonical JSON round trips, the path matcher against a naive reference,
//! and one-byte mutations of signed metadata never verifying as different content.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::canonical::Json;
use crate::metadata::{Parsed, Timestamp};
use crate::testutil::{meta, Repo, FUTURE, NOW};
use crate::trusted_set::TrustedSet;
use plugin_api::VerificationTime;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn json_strategy() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(|n| Json::Int(i128::from(n))),
        any::<u64>().prop_map(|n| Json::Int(i128::from(n))),
        "[^\\x00-\\x1f]{0,8}".prop_map(Json::Str),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Arr),
            prop::collection::btree_map("[^\\x00-\\x1f]{0,6}", inner, 0..6)
                .prop_map(|m: BTreeMap<String, Json>| Json::Obj(m)),
        ]
    })
}

// Canonical JSON writes control characters raw (as securesystemslib does), which strict
// JSON refuses; the round trip is a property of strings without them.

/// Reference matcher: plain recursion over the pattern (exponential, fine for tiny inputs).
fn naive_glob(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| naive_glob(rest, &t[i..])),
        Some(('?', rest)) => !t.is_empty() && naive_glob(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && naive_glob(rest, &t[1..]),
    }
}

proptest! {
    #[test]
    fn canonical_round_trips(v in json_strategy()) {
        let canonical = v.canonical();
        let back = Json::parse(&canonical).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(back.canonical(), canonical);
    }

    #[test]
    fn glob_matches_reference(p in "[ab*?/]{0,8}", t in "[ab/]{0,8}") {
        let expected = {
            let pp: Vec<&str> = p.split('/').collect();
            let tp: Vec<&str> = t.split('/').collect();
            pp.len() == tp.len()
                && pp.iter().zip(tp.iter()).all(|(a, b)| {
                    naive_glob(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>())
                })
        };
        prop_assert_eq!(crate::delegation::path_matches(&p, &t).unwrap(), expected);
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Parsed::<Timestamp>::parse(&bytes, "timestamp.json");
    }

    #[test]
    fn one_byte_mutations_never_verify_as_other_content(
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let repo = Repo::new();
        let original = repo.timestamp(2, meta(2), FUTURE);
        let mut mutated = original.clone();
        let i = index.index(mutated.len());
        mutated[i] = byte;
        let now = VerificationTime::from_unix_seconds(NOW);
        let mut set = TrustedSet::new(&repo.root(1), now).unwrap();
        if set.update_timestamp(&mutated).is_ok() {
            let a = Parsed::<Timestamp>::parse(&original, "t").unwrap();
            let b = Parsed::<Timestamp>::parse(&mutated, "t").unwrap();
            prop_assert_eq!(a.canonical_signed, b.canonical_signed);
        }
    }
}
