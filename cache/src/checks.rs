//! The check ids of the TUF reports (`cache verify`, `cache warm`, the `tuf` plugin), in one
//! place.

/// A threshold of root keys signed the root chain.
pub const ROOT_SIGNATURES: &str = "tuf.root.signatures";
/// The timestamp role's signatures.
pub const TIMESTAMP_SIGNATURES: &str = "tuf.timestamp.signatures";
/// The snapshot matches the timestamp's hashes, length and version.
pub const SNAPSHOT_CONSISTENCY: &str = "tuf.snapshot.consistency";
/// The snapshot role's signatures.
pub const SNAPSHOT_SIGNATURES: &str = "tuf.snapshot.signatures";
/// The targets metadata matches the snapshot's version.
pub const TARGETS_CONSISTENCY: &str = "tuf.targets.consistency";
/// The targets role's signatures.
pub const TARGETS_SIGNATURES: &str = "tuf.targets.signatures";
/// The root has not expired at the verification time.
pub const ROOT_EXPIRY: &str = "tuf.root.expiry";
/// The timestamp has not expired.
pub const TIMESTAMP_EXPIRY: &str = "tuf.timestamp.expiry";
/// The snapshot has not expired.
pub const SNAPSHOT_EXPIRY: &str = "tuf.snapshot.expiry";
/// The targets metadata has not expired.
pub const TARGETS_EXPIRY: &str = "tuf.targets.expiry";
/// The delegated roles used have not expired.
pub const DELEGATIONS_EXPIRY: &str = "tuf.delegations.expiry";
/// The prefix of a per-target check (`tuf.target.<slug>`).
pub const TARGET_PREFIX: &str = "tuf.target.";
/// The cached anchor is the pinned `tuf-root` (plugin).
pub const ANCHOR_PINNED: &str = "tuf.anchor.pinned";
/// The subject is the named target (plugin).
pub const SUBJECT_TARGET: &str = "tuf.subject.target";

/// The top-level checks of a repository verification, in report order.
pub const REPOSITORY: [&str; 10] = [
    ROOT_SIGNATURES,
    TIMESTAMP_SIGNATURES,
    SNAPSHOT_CONSISTENCY,
    SNAPSHOT_SIGNATURES,
    TARGETS_CONSISTENCY,
    TARGETS_SIGNATURES,
    ROOT_EXPIRY,
    TIMESTAMP_EXPIRY,
    SNAPSHOT_EXPIRY,
    TARGETS_EXPIRY,
];

/// The id of check `aspect` (`signatures`, `consistency`, `expiry`, `rollback`) of role `role`
/// (`root`, `timestamp`, `snapshot`, `targets`, or a delegated role): `tuf.ROLE.ASPECT`.
pub fn role_check(role: &str, aspect: &str) -> String {
    format!("tuf.{role}.{aspect}")
}
