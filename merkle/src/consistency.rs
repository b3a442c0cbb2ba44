//! Consistency proofs (RFC 6962 §2.1.2 SUBPROOF, RFC 9162 §2.1.4): generation and
//! verification. A proof from the empty tree is refused, as transparency-dev/merkle does: it
//! has nothing to check.

use crate::hash::Hash;
use crate::inclusion::{chain_border_right, chain_inner, chain_inner_right, decompose};
use crate::tree::{root_from_leaf_hashes, split_point};
use crate::{ProofError, MAX_CONSISTENCY_PROOF_LEN};

/// The proof that the tree of the first `size1` leaf hashes is a prefix of the tree of the
/// first `size2`.
pub fn consistency_proof(
    leaf_hashes: &[Hash],
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, ProofError> {
    check_sizes(size1, size2)?;
    let available = leaf_hashes.len() as u64;
    let not_enough = ProofError::NotEnoughLeaves {
        requested: size2,
        available,
    };
    let tree = usize::try_from(size2)
        .ok()
        .and_then(|n| leaf_hashes.get(..n))
        .ok_or(not_enough.clone())?;
    let mut m = usize::try_from(size1).map_err(|_| not_enough.clone())?;
    let mut path = Vec::new();
    let mut sub = tree;
    // `complete`: the old tree's part of `sub` is a whole subtree the verifier already knows
    // (it is the old root itself), so it need not be sent.
    let mut complete = true;
    loop {
        if m == sub.len() {
            if !complete {
                path.push(root_from_leaf_hashes(sub));
            }
            break;
        }
        let k = split_point(sub.len());
        let (left, right) = sub.split_at_checked(k).ok_or(not_enough.clone())?;
        if m <= k {
            path.push(root_from_leaf_hashes(right));
            sub = left;
        } else {
            path.push(root_from_leaf_hashes(left));
            sub = right;
            m -= k;
            complete = false;
        }
    }
    path.reverse();
    Ok(path)
}

fn check_sizes(size1: u64, size2: u64) -> Result<(), ProofError> {
    if size1 == 0 {
        return Err(ProofError::OldSizeZero);
    }
    if size1 > size2 {
        return Err(ProofError::SizesOutOfOrder { size1, size2 });
    }
    Ok(())
}

/// Verifies that the tree of `size1` leaves with root `root1` is a prefix of the tree of
/// `size2` leaves with root `root2`.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ProofError> {
    check_sizes(size1, size2)?;
    if proof.len() > MAX_CONSISTENCY_PROOF_LEN {
        return Err(ProofError::ProofTooLong {
            len: proof.len(),
            max: MAX_CONSISTENCY_PROOF_LEN,
        });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                expected: 0,
                actual: proof.len(),
            });
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(ProofError::NewRootMismatch {
                computed: *root1,
                expected: *root2,
            })
        };
    }
    // size1 < size2 from here. The proof is, in effect, the inclusion proof of leaf size1 - 1
    // in the new tree, minus the levels below the old tree's rightmost perfect subtree.
    let (inner, border) = decompose(size1 - 1, size2);
    let shift = size1.trailing_zeros() as usize;
    let inner = inner.saturating_sub(shift);
    // When size1 is itself a power of two, the old root is that subtree and is not sent.
    let (seed, rest) = if size1 == 1u64 << shift {
        (Some(*root1), proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (Some(*first), rest),
            None => (None, proof),
        }
    };
    let expected = inner + border + usize::from(size1 != 1u64 << shift);
    let seed = match seed {
        Some(s) if proof.len() == expected => s,
        _ => {
            return Err(ProofError::WrongProofLength {
                expected,
                actual: proof.len(),
            })
        }
    };
    let (inner_nodes, border_nodes) =
        rest.split_at_checked(inner)
            .ok_or(ProofError::WrongProofLength {
                expected,
                actual: proof.len(),
            })?;
    let mask = (size1 - 1) >> shift;
    let old = chain_border_right(chain_inner_right(seed, inner_nodes, mask), border_nodes);
    if old != *root1 {
        return Err(ProofError::OldRootMismatch {
            computed: old,
            expected: *root1,
        });
    }
    let new = chain_border_right(chain_inner(seed, inner_nodes, mask), border_nodes);
    if new != *root2 {
        return Err(ProofError::NewRootMismatch {
            computed: new,
            expected: *root2,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::hash::leaf_hash;

    fn hashes(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn every_generated_proof_verifies() {
        let l = hashes(70);
        for size2 in 1..=70u64 {
            let root2 = root_from_leaf_hashes(&l[..size2 as usize]);
            for size1 in 1..=size2 {
                let root1 = root_from_leaf_hashes(&l[..size1 as usize]);
                let proof = consistency_proof(&l, size1, size2).unwrap();
                verify_consistency(size1, size2, &proof, &root1, &root2)
                    .unwrap_or_else(|e| panic!("{size1}->{size2}: {e}"));
                if size1 < size2 {
                    assert!(verify_consistency(size1, size2, &proof, &root2, &root2).is_err());
                }
            }
        }
    }

    #[test]
    fn refuses_size_zero_and_reversed_sizes() {
        let h = leaf_hash(b"");
        assert_eq!(
            verify_consistency(0, 0, &[], &h, &h),
            Err(ProofError::OldSizeZero)
        );
        assert_eq!(
            verify_consistency(0, 5, &[h], &h, &h),
            Err(ProofError::OldSizeZero)
        );
        assert_eq!(
            verify_consistency(3, 2, &[h], &h, &h),
            Err(ProofError::SizesOutOfOrder { size1: 3, size2: 2 })
        );
        assert!(consistency_proof(&[h], 0, 1).is_err());
    }
}
