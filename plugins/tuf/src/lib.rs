//! TUF 1.0 client: trusted metadata that updates safely, for trust roots.
//!
//! - [`TrustedSet`]: the specification's client-workflow checks (§5.3 – §5.7), pure: bytes
//!   and the verification time in, verified metadata out. Root rotation one version at a
//!   time (thresholds of the old and the new root), expiry, rollback protection for every
//!   role, fast-forward recovery (stored metadata that no longer verifies under a new root is
//!   replaced), lengths and hashes from timestamp and snapshot, key ids as given.
//! - [`Updater`]: the workflow over a [`Fetcher`] and a metadata directory holding exactly
//!   the verified bytes as served (atomic writes): consistent snapshots, lazy pre-order
//!   delegation search with terminating delegations, path patterns, hash-prefix and succinct
//!   hashed bins, target downloads checked for length and every hash.
//! - Budgets on attacker-controlled sizes: every metadata file, keys, signatures, key ids,
//!   delegated roles, roles visited per lookup, root versions per refresh, target length.
#![forbid(unsafe_code)]

mod canonical;
mod delegation;
mod error;
mod expiry;
mod fetch;
mod hashes;
mod keys;
mod metadata;
mod store;
mod trusted_set;
mod updater;
pub mod urls;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testutil;

pub use error::{Error, FetchError, MetadataError, StoreError, UpdateError};
pub use fetch::{check_url, is_loopback_host, DirFetcher, Fetcher};
#[cfg(feature = "http")]
pub use fetch::{HttpFetcher, MAX_CA_CERTS, MAX_CA_FILE_LEN};
pub use hashes::SUPPORTED_HASHES;
pub use metadata::{
    MAX_DELEGATED_ROLES, MAX_KEYS, MAX_ROLE_KEYIDS, MAX_SIGNATURES, TOP_LEVEL_ROLES,
};
pub use store::{atomic_write, MetadataStore, TargetStore};
pub use trusted_set::{RoleFacts, TimestampUpdate, TrustedSet};
pub use updater::{TargetInfo, Updater, UpdaterConfig};
