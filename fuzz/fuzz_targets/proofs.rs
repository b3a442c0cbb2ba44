//! Inclusion and consistency verification on arbitrary sizes, indices and nodes: never panics,
//! and never accepts a proof for a root it was not computed from.
#![no_main]
use libfuzzer_sys::fuzz_target;
use merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash};

fuzz_target!(|data: &[u8]| {
    let (Some(head), rest) = (data.get(..16), data.get(16..).unwrap_or_default()) else { return };
    let a = u64::from_le_bytes(head[..8].try_into().unwrap_or_default());
    let b = u64::from_le_bytes(head[8..].try_into().unwrap_or_default());
    let nodes: Vec<Hash> = rest.chunks_exact(32).filter_map(|c| Hash::from_slice(c).ok()).collect();
    let leaf = leaf_hash(b"fuzz");
    // A root no proof can reach without a SHA-256 preimage: must always be rejected.
    let unreachable = Hash([0xAB; 32]);
    assert!(verify_inclusion(a, b, &leaf, &nodes, &unreachable).is_err());
    assert!(verify_consistency(a, b, &nodes, &leaf, &unreachable).is_err());
});
