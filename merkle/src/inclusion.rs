//! Inclusion proofs (RFC 6962 §2.1.1 PATH, RFC 9162 §2.1.3): generation and verification.

use crate::hash::{node_hash, Hash};
use crate::tree::{root_from_leaf_hashes, split_point};
use crate::{ProofError, MAX_INCLUSION_PROOF_LEN};

/// The audit path for leaf `index` in the tree made of the first `size` of `leaf_hashes`,
/// ordered from the leaf's sibling up to the root's child.
pub fn inclusion_proof(
    leaf_hashes: &[Hash],
    size: u64,
    index: u64,
) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let available = leaf_hashes.len() as u64;
    let tree = usize::try_from(size)
        .ok()
        .and_then(|n| leaf_hashes.get(..n))
        .ok_or(ProofError::NotEnoughLeaves {
            requested: size,
            available,
        })?;
    let mut m = usize::try_from(index).map_err(|_| ProofError::IndexOutOfRange { index, size })?;
    // Walk from the root down to the leaf, collecting the sibling subtree at each level.
    let mut path = Vec::new();
    let mut sub = tree;
    while sub.len() > 1 {
        let k = split_point(sub.len());
        let (left, right) = sub.split_at_checked(k).ok_or(ProofError::NotEnoughLeaves {
            requested: size,
            available,
        })?;
        if m < k {
            path.push(root_from_leaf_hashes(right));
            sub = left;
        } else {
            path.push(root_from_leaf_hashes(left));
            sub = right;
            m -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The number of proof nodes below the point where the leaf's path and the tree's right
/// border meet (`inner`), and along that border (`border`).
pub(crate) fn decompose(index: u64, size: u64) -> (usize, usize) {
    // size >= 1 here: callers check index < size.
    let last = size.saturating_sub(1);
    let inner = (u64::BITS - (index ^ last).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    (inner, border)
}

/// Hashes `seed` up through inner proof nodes: bit `i` of `index` says whether node `i` is a
/// left (bit set) or right (bit clear) sibling.
pub(crate) fn chain_inner(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |acc, (i, h)| {
        if (index >> i) & 1 == 0 {
            node_hash(&acc, h)
        } else {
            node_hash(h, &acc)
        }
    })
}

/// Like [`chain_inner`] but only the left siblings: the hash of the subtree that ends at
/// the leaf, as needed for a consistency proof's old root.
pub(crate) fn chain_inner_right(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |acc, (i, h)| {
        if (index >> i) & 1 == 1 {
            node_hash(h, &acc)
        } else {
            acc
        }
    })
}

/// Hashes `seed` up the right border: every node is a left sibling.
pub(crate) fn chain_border_right(seed: Hash, proof: &[Hash]) -> Hash {
    proof.iter().fold(seed, |acc, h| node_hash(h, &acc))
}

/// Recomputes the root implied by an inclusion proof, after checking the index against the
/// size and the proof's length against the one `(index, size)` requires.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    if proof.len() > MAX_INCLUSION_PROOF_LEN {
        return Err(ProofError::ProofTooLong {
            len: proof.len(),
            max: MAX_INCLUSION_PROOF_LEN,
        });
    }
    let (inner, border) = decompose(index, size);
    if proof.len() != inner + border {
        return Err(ProofError::WrongProofLength {
            expected: inner + border,
            actual: proof.len(),
        });
    }
    let (inner_nodes, border_nodes) =
        proof
            .split_at_checked(inner)
            .ok_or(ProofError::WrongProofLength {
                expected: inner + border,
                actual: proof.len(),
            })?;
    let at_border = chain_inner(*leaf_hash, inner_nodes, index);
    Ok(chain_border_right(at_border, border_nodes))
}

/// Verifies that `leaf_hash` is leaf `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(index, size, leaf_hash, proof)?;
    if computed == *root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch {
            computed,
            expected: *root,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::hash::leaf_hash;

    fn hashes(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn every_generated_proof_verifies_and_no_other_index_does() {
        let l = hashes(70);
        for size in 1..=70u64 {
            let root = root_from_leaf_hashes(&l[..size as usize]);
            for index in 0..size {
                let proof = inclusion_proof(&l, size, index).unwrap();
                let (inner, border) = decompose(index, size);
                assert_eq!(proof.len(), inner + border);
                verify_inclusion(index, size, &l[index as usize], &proof, &root).unwrap();
                if size > 1 {
                    let other = (index + 1) % size;
                    assert!(
                        verify_inclusion(other, size, &l[index as usize], &proof, &root).is_err()
                    );
                }
            }
        }
    }

    #[test]
    fn rejects_out_of_range_and_overlong() {
        let h = leaf_hash(b"x");
        assert_eq!(
            verify_inclusion(5, 5, &h, &[], &h),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert!(matches!(
            verify_inclusion(0, u64::MAX, &h, &[h; 65], &h),
            Err(ProofError::ProofTooLong { .. })
        ));
        assert!(matches!(
            inclusion_proof(&[h], 2, 0),
            Err(ProofError::NotEnoughLeaves { .. })
        ));
    }

    #[test]
    fn decompose_at_the_extremes() {
        assert_eq!(decompose(0, 1), (0, 0));
        assert_eq!(decompose(u64::MAX - 1, u64::MAX), (0, 63));
        assert_eq!(decompose(0, u64::MAX), (64, 0));
    }
}
