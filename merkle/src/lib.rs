//! RFC 6962 / RFC 9162 Merkle trees for transparency logs.
//!
//! * [`hash`]: the 32-byte [`Hash`](struct@Hash) type, leaf and interior-node hashing.
//! * [`tree`]: the root of `n` leaves, streaming ([`StreamingRoot`], O(log n) memory) and parallel
//!   ([`root_parallel`]), plus subtree hashing over leaf hashes held in memory.
//! * [`inclusion`] and [`consistency`]: proof generation and verification, with every size and
//!   index checked and the proof length required to be exactly the one the sizes imply.
//! * [`note`], [`checkpoint`], [`tiles`]: C2SP signed notes (Ed25519), tlog-checkpoint bodies and
//!   tlog-tiles paths.
//!
//! Every function is synchronous and pure: no clock, no network, no environment.
#![forbid(unsafe_code)]

pub mod checkpoint;
pub mod checks;
pub mod consistency;
pub mod hash;
pub mod inclusion;
pub mod note;
mod plugin;
mod proofs;
pub mod tiles;
pub mod tree;

pub use plugin::{Limits, MerklePlugin};
pub use proofs::{
    consistency_report, inclusion_report, root_match_report, ConsistencyDocument,
    InclusionDocument, MAX_PROOF_DOCUMENT,
};

pub use consistency::{consistency_proof, verify_consistency};
pub use hash::{
    empty_root, leaf_hash, leaf_hash_reader, node_hash, sha256_blocks, Hash, HashParseError,
    HASH_LEN,
};
pub use inclusion::{inclusion_proof, root_from_inclusion_proof, verify_inclusion};
pub use tree::{
    root_from_leaf_hashes, root_from_leaf_hashes_parallel, root_parallel, root_sequential,
    StreamingRoot, TreeFull,
};

/// The longest inclusion proof any tree of at most 2^64 - 1 leaves can need.
pub const MAX_INCLUSION_PROOF_LEN: usize = 64;
/// The longest consistency proof any pair of sizes below 2^64 can need (for example
/// size1 = 2^63 + 3, size2 = 2^64 - 1 needs 65 nodes).
pub const MAX_CONSISTENCY_PROOF_LEN: usize = 65;

/// Why a proof was rejected. Each variant names the step that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof from the empty tree proves nothing and is refused.
    #[error("consistency from tree size 0 is not checkable")]
    OldSizeZero,
    /// The old tree is larger than the new one.
    #[error("old tree size {size1} is larger than new tree size {size2}")]
    SizesOutOfOrder { size1: u64, size2: u64 },
    /// The proof has more nodes than any valid proof can have.
    #[error("proof has {len} nodes, more than the maximum of {max}")]
    ProofTooLong { len: usize, max: usize },
    /// The proof does not have the number of nodes the sizes and index imply.
    #[error("proof has {actual} nodes, but the tree sizes and index require {expected}")]
    WrongProofLength { expected: usize, actual: usize },
    /// The root recomputed from the proof differs from the expected root.
    #[error("computed root {computed} does not match expected root {expected}")]
    RootMismatch { computed: Hash, expected: Hash },
    /// For a consistency proof: the recomputed old root differs from the given old root.
    #[error("computed old root {computed} does not match old root {expected}")]
    OldRootMismatch { computed: Hash, expected: Hash },
    /// For a consistency proof: the recomputed new root differs from the given new root.
    #[error("computed new root {computed} does not match new root {expected}")]
    NewRootMismatch { computed: Hash, expected: Hash },
    /// Asked to generate a proof over leaves that the tree does not have.
    #[error("tree has {available} leaves, fewer than the {requested} asked for")]
    NotEnoughLeaves { requested: u64, available: u64 },
}

impl ProofError {
    /// A stable, machine-readable name for the failed step, used as a check id suffix.
    pub fn kind(&self) -> &'static str {
        match self {
            ProofError::IndexOutOfRange { .. } => "index-out-of-range",
            ProofError::OldSizeZero => "old-size-zero",
            ProofError::SizesOutOfOrder { .. } => "sizes-out-of-order",
            ProofError::ProofTooLong { .. } => "proof-too-long",
            ProofError::WrongProofLength { .. } => "proof-length",
            ProofError::RootMismatch { .. } => "root-mismatch",
            ProofError::OldRootMismatch { .. } => "old-root-mismatch",
            ProofError::NewRootMismatch { .. } => "new-root-mismatch",
            ProofError::NotEnoughLeaves { .. } => "not-enough-leaves",
        }
    }
}
