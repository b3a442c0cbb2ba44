//! Errors by stage: parsing metadata, updating the trusted set, fetching, storing, and the
//! updater workflow around them. Each message names the role, version or file concerned.

use std::path::PathBuf;

/// Metadata bytes could not be parsed into a typed role (before any signature is checked).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// Not valid (strict) JSON.
    #[error("{file}: not valid JSON: {reason}")]
    Json {
        /// The file (e.g. `2.root.json`).
        file: String,
        /// What the parser said.
        reason: String,
    },
    /// Valid JSON, but not valid TUF metadata.
    #[error("{file}: {reason}")]
    Format {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// The `_type` field names another role type.
    #[error("{file}: expected _type {expected:?}, found {found:?}")]
    WrongType {
        /// The file.
        file: String,
        /// The type the file was loaded as.
        expected: &'static str,
        /// The type it claims.
        found: String,
    },
    /// The file exceeds its size budget.
    #[error("{file}: {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: u64,
        /// The budget.
        limit: u64,
    },
}

impl MetadataError {
    pub(crate) fn format(file: &str, reason: impl Into<String>) -> Self {
        MetadataError::Format {
            file: file.to_owned(),
            reason: reason.into(),
        }
    }
}

/// New metadata was refused by the trusted set (the TUF client workflow's checks).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The bytes are not valid metadata.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// Fewer than threshold valid signatures from the delegating role's keys.
    #[error("{file}: {role} v{version} has {valid} valid signature(s) from keys trusted by {delegator}, threshold is {threshold}")]
    Threshold {
        /// The file.
        file: String,
        /// The signed role.
        role: String,
        /// Its version.
        version: u64,
        /// The role whose keys were used (`root`, or the delegating targets role).
        delegator: String,
        /// Valid signatures counted (each key once).
        valid: u64,
        /// Required.
        threshold: u64,
    },
    /// The next root has the wrong version.
    #[error("{file}: expected root v{expected}, found v{found}")]
    RootVersion {
        /// The file.
        file: String,
        /// Trusted version + 1.
        expected: u64,
        /// The version in the file.
        found: u64,
    },
    /// A version went backwards (rollback attack).
    #[error("{file}: {role} version rolled back from v{trusted} to v{found}")]
    Rollback {
        /// The file.
        file: String,
        /// The role whose version decreased.
        role: String,
        /// The trusted version.
        trusted: u64,
        /// The new, lower, version.
        found: u64,
    },
    /// The metadata has expired at the verification time.
    #[error("{file}: {role} v{version} expired at {expires} (verification time {})", crate::expiry::format_unix(*.now))]
    Expired {
        /// The file.
        file: String,
        /// The role.
        role: String,
        /// Its version.
        version: u64,
        /// Its expiry, as written in the metadata.
        expires: String,
        /// The verification time, in Unix seconds.
        now: u64,
    },
    /// The version differs from the one the referring metadata names.
    #[error("{file}: {role} is v{found}, but {referrer} names v{expected}")]
    VersionMismatch {
        /// The file.
        file: String,
        /// The role.
        role: String,
        /// The referring role (`timestamp` or `snapshot`).
        referrer: String,
        /// The version named by the referrer.
        expected: u64,
        /// The version in the file.
        found: u64,
    },
    /// The length differs from the one the referring metadata names.
    #[error("{file}: length {found} differs from the expected {expected}")]
    LengthMismatch {
        /// The file.
        file: String,
        /// Expected length.
        expected: u64,
        /// Actual length.
        found: u64,
    },
    /// A hash differs from the one the referring metadata names.
    #[error("{file}: {algorithm} hash mismatch")]
    HashMismatch {
        /// The file.
        file: String,
        /// The hash algorithm.
        algorithm: String,
    },
    /// A hash algorithm that cannot be checked (all listed hashes must be checked).
    #[error("{file}: unsupported hash algorithm {algorithm:?}")]
    UnsupportedHash {
        /// The file.
        file: String,
        /// The algorithm name.
        algorithm: String,
    },
    /// The snapshot lists no entry for a role that is needed.
    #[error("{role}: not listed in snapshot v{snapshot_version}")]
    NotInSnapshot {
        /// The role.
        role: String,
        /// The trusted snapshot version.
        snapshot_version: u64,
    },
    /// A new snapshot drops an entry the trusted one has.
    #[error("{file}: snapshot v{version} removes {removed}, listed in trusted snapshot")]
    RemovedFromSnapshot {
        /// The file.
        file: String,
        /// The new snapshot's version.
        version: u64,
        /// The missing entry.
        removed: String,
    },
    /// The delegator does not delegate to this role.
    #[error("{role}: not delegated by {delegator}")]
    NotDelegated {
        /// The role.
        role: String,
        /// The supposed delegator.
        delegator: String,
    },
    /// A workflow step was taken out of order (a caller bug, never accepted).
    #[error("out of order: {0}")]
    Order(&'static str),
}

/// A fetch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The server says the file does not exist (HTTP 403 or 404).
    #[error("{url}: not found (HTTP {status})")]
    NotFound {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// Any other non-success status.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The body is larger than the budget for this file.
    #[error("{url}: response exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The budget.
        limit: u64,
    },
    /// The URL is refused before any connection: plain `http://` to a host that is not
    /// loopback, or a URL that is not `http(s)://host...`.
    #[error("{url}: refused: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The TLS connection failed: the server certificate does not chain to a trust anchor,
    /// does not name the host, has expired, or the handshake failed.
    #[error("{url}: TLS: {reason}")]
    Tls {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The CA file given to replace the trust anchors is unusable.
    #[error("CA file: {0}")]
    CaFile(String),
    /// The transfer failed.
    #[error("{url}: {reason}")]
    Transport {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
}

/// Local storage (metadata or target directory) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An I/O operation failed.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done (`read`, `write`, `rename`, ...).
        action: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A local file exceeds its size budget.
    #[error("{}: {size} bytes exceeds the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The budget.
        limit: u64,
    },
}

/// The client workflow failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The locally trusted root (`root.json` in the metadata directory) is missing or invalid.
    #[error("trusted root: {0}")]
    TrustedRoot(#[source] Box<Error>),
    /// Metadata was refused.
    #[error(transparent)]
    Update(#[from] UpdateError),
    /// A download failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// Local storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The target is not listed by any role the delegation search reached.
    #[error("target {target:?}: not found in trusted targets metadata")]
    TargetNotFound {
        /// The target path.
        target: String,
    },
    /// The delegation search was cut off by its budget.
    #[error("target {target:?}: delegation search exceeded {limit} roles")]
    DelegationBudget {
        /// The target path.
        target: String,
        /// The budget (roles visited per lookup).
        limit: usize,
    },
    /// A delegation uses a path pattern this client does not evaluate (refused, not guessed).
    #[error("{role}: path pattern {pattern:?} uses unsupported syntax")]
    UnsupportedPattern {
        /// The delegating role.
        role: String,
        /// The pattern.
        pattern: String,
    },
    /// The target path or its parameters are unusable.
    #[error("target {target:?}: {reason}")]
    InvalidTarget {
        /// The target path.
        target: String,
        /// Why.
        reason: String,
    },
    /// An offline lookup reached a delegated role whose metadata is not in the local copy
    /// (it cannot be fetched; the lookup fails rather than skip the role).
    #[error("delegated role {role:?} (delegated by {delegator:?}): its metadata is not in the local copy")]
    RoleNotCached {
        /// The delegated role.
        role: String,
        /// The role that delegates to it.
        delegator: String,
    },
    /// An operation needs configuration the updater was not given.
    #[error("{0}")]
    Config(&'static str),
    /// A previous refresh failed; this updater can no longer be used.
    #[error("a previous refresh failed; start a new updater")]
    Poisoned,
}
