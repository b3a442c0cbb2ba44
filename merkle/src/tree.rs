//! Tree hashes (RFC 6962 §2.1 MTH): the root of `n` leaves, computed streaming in O(log n)
//! memory, in parallel over leaves already in memory, or from leaf hashes.

use crate::hash::{empty_root, leaf_hash, node_hash, Hash};
use rayon::join;

/// Below this many leaves the parallel root hashes sequentially: a task must be large enough
/// that scheduling costs nothing measurable next to hashing.
const PARALLEL_GRAIN: usize = 1 << 14;

/// A tree cannot hold more than 2^64 - 1 leaves (sizes are unsigned 64-bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("tree already holds 2^64 - 1 leaves; no more can be appended")]
pub struct TreeFull;

/// The root of a tree whose leaves arrive one at a time, kept in O(log n) memory.
///
/// This is the compact range `[0, size)`: one hash per set bit of `size`, the perfect subtrees
/// of decreasing height that make up the tree, leftmost (largest) first.
#[derive(Clone, Debug, Default)]
pub struct StreamingRoot {
    size: u64,
    /// Perfect-subtree roots; `stack.len() == size.count_ones()` always holds.
    stack: Vec<Hash>,
}

impl StreamingRoot {
    /// An empty tree.
    pub fn new() -> Self {
        StreamingRoot {
            size: 0,
            stack: Vec::with_capacity(64),
        }
    }

    /// Appends a leaf's data (it is hashed as SHA-256(0x00 ‖ data)).
    pub fn push_leaf(&mut self, data: &[u8]) -> Result<(), TreeFull> {
        self.push_leaf_hash(leaf_hash(data))
    }

    /// Appends a leaf already hashed with [`leaf_hash`].
    pub fn push_leaf_hash(&mut self, leaf: Hash) -> Result<(), TreeFull> {
        let new_size = self.size.checked_add(1).ok_or(TreeFull)?;
        let mut node = leaf;
        // Each trailing one bit of the old size is a perfect subtree of the same height as
        // `node` that now has a right sibling: merge them.
        let mut bits = self.size;
        while bits & 1 == 1 {
            match self.stack.pop() {
                Some(left) => node = node_hash(&left, &node),
                // Unreachable while the invariant holds; refuse rather than guess.
                None => return Err(TreeFull),
            }
            bits >>= 1;
        }
        self.stack.push(node);
        self.size = new_size;
        Ok(())
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the leaves appended so far (SHA-256("") for none).
    pub fn root(&self) -> Hash {
        let mut subtrees = self.stack.iter().rev();
        match subtrees.next() {
            None => empty_root(),
            Some(smallest) => subtrees.fold(*smallest, |right, left| node_hash(left, &right)),
        }
    }
}

/// The root of `leaves`, hashed one after the other on this thread.
pub fn root_sequential<L: AsRef<[u8]>>(leaves: &[L]) -> Hash {
    fold_root(leaves.iter().map(|l| leaf_hash(l.as_ref())))
}

/// The root of leaves already hashed with [`leaf_hash`].
pub fn root_from_leaf_hashes(leaf_hashes: &[Hash]) -> Hash {
    fold_root(leaf_hashes.iter().copied())
}

/// Streams leaf hashes into a compact range. A slice cannot hold 2^64 leaves, so
/// [`TreeFull`] cannot occur here.
fn fold_root(leaf_hashes: impl Iterator<Item = Hash>) -> Hash {
    let mut acc = StreamingRoot::new();
    for h in leaf_hashes {
        if acc.push_leaf_hash(h).is_err() {
            break;
        }
    }
    acc.root()
}

/// The root of `leaves` hashed on the current rayon thread pool.
///
/// The tree is split as RFC 6962 defines it (left subtree = the largest power of two below
/// `n`), so the result is identical to [`root_sequential`].
pub fn root_parallel<L: AsRef<[u8]> + Sync>(leaves: &[L]) -> Hash {
    if leaves.is_empty() {
        return empty_root();
    }
    subtree_parallel(leaves, &|l: &L| leaf_hash(l.as_ref()))
}

/// The root of leaf hashes on the rayon thread pool.
pub fn root_from_leaf_hashes_parallel(leaf_hashes: &[Hash]) -> Hash {
    if leaf_hashes.is_empty() {
        return empty_root();
    }
    subtree_parallel(leaf_hashes, &|h: &Hash| *h)
}

fn subtree_parallel<T: Sync, F: Fn(&T) -> Hash + Sync>(items: &[T], hash_leaf: &F) -> Hash {
    if items.len() <= PARALLEL_GRAIN {
        return fold_root(items.iter().map(hash_leaf));
    }
    let k = split_point(items.len());
    match items.split_at_checked(k) {
        Some((left, right)) => {
            let (l, r) = join(
                || subtree_parallel(left, hash_leaf),
                || subtree_parallel(right, hash_leaf),
            );
            node_hash(&l, &r)
        }
        None => fold_root(items.iter().map(hash_leaf)),
    }
}

/// The largest power of two strictly below `n` (for `n >= 2`): the size of the left subtree
/// in RFC 6962's recursive definition.
pub(crate) fn split_point(n: usize) -> usize {
    if n < 2 {
        return 0;
    }
    1usize << (usize::BITS - 1 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// The recursive definition of RFC 6962 §2.1, written out plainly as the reference.
    fn mth(leaves: &[Vec<u8>]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaf_hash(&leaves[0]),
            n => {
                let k = split_point(n);
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn leaves(n: u64) -> Vec<Vec<u8>> {
        (0..n).map(|i| i.to_be_bytes().to_vec()).collect()
    }

    #[test]
    fn split_points() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
    }

    #[test]
    fn all_roots_agree_with_the_recursive_definition() {
        for n in 0..300u64 {
            let l = leaves(n);
            let want = mth(&l);
            assert_eq!(root_sequential(&l), want, "sequential n={n}");
            assert_eq!(root_parallel(&l), want, "parallel n={n}");
            let hashes: Vec<Hash> = l.iter().map(|d| leaf_hash(d)).collect();
            assert_eq!(root_from_leaf_hashes(&hashes), want);
            assert_eq!(root_from_leaf_hashes_parallel(&hashes), want);
        }
    }

    #[test]
    fn parallel_matches_sequential_above_the_grain() {
        let l = leaves((PARALLEL_GRAIN as u64) * 3 + 17);
        assert_eq!(root_parallel(&l), root_sequential(&l));
    }

    #[test]
    fn streaming_root_keeps_one_hash_per_set_bit() {
        let mut s = StreamingRoot::new();
        for i in 0..1000u64 {
            s.push_leaf(&i.to_be_bytes()).unwrap();
            assert_eq!(s.stack.len() as u32, s.size().count_ones());
        }
    }
}
