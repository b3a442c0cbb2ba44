//! Properties: for random tree sizes and indices, generated proofs verify, and flipping any
//! one byte of any proof node, the leaf hash or a root makes verification fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root_from_leaf_hashes, verify_consistency,
    verify_inclusion, Hash,
};
use proptest::prelude::*;

const MAX_LEAVES: u64 = 3000;

fn leaf_hashes(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn flip(h: &Hash, byte: usize, bit: u8) -> Hash {
    let mut m = *h;
    m.0[byte % 32] ^= 1 << (bit % 8);
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn inclusion_proofs_verify_and_any_one_byte_mutation_fails(
        size in 1..MAX_LEAVES,
        index_seed in any::<u64>(),
        target in any::<usize>(),
        byte in 0usize..32,
        bit in 0u8..8,
    ) {
        let index = index_seed % size;
        let leaves = leaf_hashes(size);
        let root = root_from_leaf_hashes(&leaves);
        let leaf = leaves[index as usize];
        let proof = inclusion_proof(&leaves, size, index).unwrap();
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, &root).is_ok());

        // Mutate one byte of: a proof node, the leaf hash, or the root.
        let slots = proof.len() + 2;
        let which = target % slots;
        let (mut p, mut l, mut r) = (proof.clone(), leaf, root);
        if which < proof.len() {
            p[which] = flip(&p[which], byte, bit);
        } else if which == proof.len() {
            l = flip(&l, byte, bit);
        } else {
            r = flip(&r, byte, bit);
        }
        prop_assert!(verify_inclusion(index, size, &l, &p, &r).is_err());
    }

    #[test]
    fn consistency_proofs_verify_and_any_one_byte_mutation_fails(
        size2 in 1..MAX_LEAVES,
        size1_seed in any::<u64>(),
        target in any::<usize>(),
        byte in 0usize..32,
        bit in 0u8..8,
    ) {
        let size1 = 1 + size1_seed % size2;
        let leaves = leaf_hashes(size2);
        let root1 = root_from_leaf_hashes(&leaves[..size1 as usize]);
        let root2 = root_from_leaf_hashes(&leaves);
        let proof = consistency_proof(&leaves, size1, size2).unwrap();
        prop_assert!(verify_consistency(size1, size2, &proof, &root1, &root2).is_ok());

        let slots = proof.len() + 2;
        let which = target % slots;
        let (mut p, mut r1, mut r2) = (proof.clone(), root1, root2);
        if which < proof.len() {
            p[which] = flip(&p[which], byte, bit);
        } else if which == proof.len() {
            r1 = flip(&r1, byte, bit);
        } else {
            r2 = flip(&r2, byte, bit);
        }
        prop_assert!(verify_consistency(size1, size2, &p, &r1, &r2).is_err());
    }

    #[test]
    fn extra_or_missing_nodes_fail(size in 2..MAX_LEAVES, index_seed in any::<u64>()) {
        let index = index_seed % size;
        let leaves = leaf_hashes(size);
        let root = root_from_leaf_hashes(&leaves);
        let leaf = leaves[index as usize];
        let proof = inclusion_proof(&leaves, size, index).unwrap();
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
        if !proof.is_empty() {
            prop_assert!(verify_inclusion(index, size, &leaf, &proof[1..], &root).is_err());
        }
    }
}
