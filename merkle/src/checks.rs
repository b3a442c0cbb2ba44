//! The check ids of the `merkle` plugin's reports, in one place.

/// A trusted key signed the checkpoint.
pub const CHECKPOINT_SIGNATURE: &str = "merkle.checkpoint.signature";
/// The checkpoint names the expected origin.
pub const CHECKPOINT_ORIGIN: &str = "merkle.checkpoint.origin";
/// The leaf index is below the tree size.
pub const INCLUSION_INDEX: &str = "merkle.inclusion.index";
/// The proof has the length the index and size require.
pub const INCLUSION_PROOF_LENGTH: &str = "merkle.inclusion.proof-length";
/// The proof hashes the leaf up to the trusted root.
pub const INCLUSION_ROOT: &str = "merkle.inclusion.root";
/// 0 < old size <= new size.
pub const CONSISTENCY_SIZES: &str = "merkle.consistency.sizes";
/// The proof has the length the sizes require.
pub const CONSISTENCY_PROOF_LENGTH: &str = "merkle.consistency.proof-length";
/// The proof reproduces the trusted old root.
pub const CONSISTENCY_OLD_ROOT: &str = "merkle.consistency.old-root";
/// The proof reproduces the new root.
pub const CONSISTENCY_NEW_ROOT: &str = "merkle.consistency.new-root";
/// The computed root equals the expected one (`merkle root --expect`).
pub const ROOT_MATCH: &str = "merkle.root.match";
