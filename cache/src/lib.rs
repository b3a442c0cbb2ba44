//! The offline cache: TUF-verified trust roots (first user: the Sigstore TUF repository and
//! its `trusted_root.json`), for verification on machines without a network.
//!
//! - [`warm`] (the only function that takes a [`Fetcher`](plugin_tuf::Fetcher)): refresh a
//!   repository with the TUF client and commit a new generation only if it verified.
//! - [`verify_repo`] (pure) and [`verify_cached`]: replay the TUF workflow over cached bytes
//!   from the anchor root at a given time; expiry is a check of its own per role
//!   (`tuf.ROLE.expiry`), waivable only by [`Insecure::AllowExpiredCache`](plugin_api::Insecure).
//! - [`trusted_root`]: the verified Sigstore `trusted_root.json` and its TUF expiry facts,
//!   and [`VerifiedTargets`], an [`OfflineCache`](plugin_api::OfflineCache) serving only
//!   verified targets.
//! - [`export`] / [`import`]: one deterministic `.tgz`; import re-verifies everything from a
//!   trust anchor the user holds and refuses unsafe entries, budgets and rollbacks.
//! - [`status`]: what is cached, as recorded at the last refresh.
//!
//! Writes are atomic (generation directories, a `current` pointer replaced by rename) and
//! serialized per repository by a lock file; see [`CacheDir`].
#![forbid(unsafe_code)]

mod archive;
pub mod checks;
mod crls;
mod error;
mod fsutil;
mod layout;
mod plugin;
mod repo;
mod status;
mod verify;
mod warm;

pub use archive::{
    export, export_repository, import, parse_archive, parse_archive_limited,
    parse_archive_with_crls, ArchiveCrls, ArchiveLimits, ImportOutcome, MAX_ARCHIVE_BYTES,
    MAX_ARCHIVE_ENTRIES,
};
pub use crls::{crl_file_name, is_crl_file_name, CRL_DIR, MAX_CACHED_CRLS, MAX_CRL_LEN};
pub use error::Error;
pub use layout::{CacheDir, RepoLock, Staging};
pub use plugin::{Limits, TufTargetPlugin, REPOSITORY_ARCHIVE};
pub use plugin_tuf::{check_url, FetchError};
pub use repo::{
    check_name, CachedRepo, RoleRecord, State, MAX_ROOT_LEN, MAX_SNAPSHOT_LEN, MAX_TARGETS_LEN,
    MAX_TARGET_FILE_LEN, MAX_TIMESTAMP_LEN, SIGSTORE_TRUSTED_ROOT,
};
pub use status::{status, RepoStatus};
pub use verify::{target_check_id, verify_repo, Verification, PLUGIN};
pub use warm::{warm, WarmOutcome, WarmRequest};

#[cfg(feature = "http")]
pub use plugin_tuf::HttpFetcher;

use plugin_api::{CacheError, CacheKey, Insecure, OfflineCache, VerificationTime};
use std::collections::BTreeMap;

/// The default repository name (the Sigstore public-good TUF repository).
pub const DEFAULT_REPOSITORY: &str = "sigstore";

/// The Sigstore public-good TUF repository (metadata; targets are under `targets/`).
pub const SIGSTORE_URL: &str = "https://tuf-repo-cdn.sigstore.dev/";

/// The initial root of the Sigstore public-good TUF repository, as shipped in the `sigstore`
/// Python package 4.5.1 (root version 15; see `data/README.md` for its provenance and
/// digest). Only the starting point of the root rotation chain: `warm` updates from it and
/// the embedded bytes must verify under their own threshold of root keys (tested).
pub const SIGSTORE_ROOT: &[u8] = include_bytes!("../data/sigstore-root.json");

/// The SHA-256 of [`SIGSTORE_ROOT`] (hex), as recorded in `data/README.md`.
pub const SIGSTORE_ROOT_SHA256: &str =
    "73747011d0857ada15479a16c4cae0f3ed03aac698b523b97e1de314ac9d9ca8";

/// Parses an RFC 3339 UTC time (`2026-06-01T00:00:00Z`, as TUF writes `expires`).
pub fn parse_time(text: &str) -> Option<VerificationTime> {
    let secs = plugin_api::time::parse_rfc3339_utc(text)?;
    u64::try_from(secs)
        .ok()
        .map(VerificationTime::from_unix_seconds)
}

#[cfg(test)]
mod sigstore_root_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn embedded_sigstore_root_is_the_recorded_file_and_verifies_under_its_own_keys() {
        assert_eq!(
            hex::encode(Sha256::digest(SIGSTORE_ROOT)),
            SIGSTORE_ROOT_SHA256
        );
        // Loading as a trusted root checks a threshold of its own root keys' signatures.
        let set =
            plugin_tuf::TrustedSet::new(SIGSTORE_ROOT, VerificationTime::from_unix_seconds(0))
                .unwrap();
        assert_eq!(set.root_version(), 15);
        assert!(set.consistent_snapshot());
        let v: serde_json::Value = serde_json::from_slice(SIGSTORE_ROOT).unwrap();
        assert_eq!(v["signed"]["roles"]["root"]["threshold"], 3);
        // Below the threshold it is refused: keep only two of the signatures.
        let mut two = v.clone();
        let sigs = two["signatures"].as_array_mut().unwrap();
        assert_eq!(sigs.len(), 5);
        sigs.truncate(2);
        let bytes = serde_json::to_vec(&two).unwrap();
        assert!(
            plugin_tuf::TrustedSet::new(&bytes, VerificationTime::from_unix_seconds(0)).is_err()
        );
        // One altered byte of the signed part is refused too.
        let mut altered = v;
        altered["signed"]["version"] = serde_json::json!(16);
        let bytes = serde_json::to_vec(&altered).unwrap();
        assert!(
            plugin_tuf::TrustedSet::new(&bytes, VerificationTime::from_unix_seconds(0)).is_err()
        );
    }
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(t: VerificationTime) -> String {
    t.to_rfc3339()
}

/// Loads repository `name` from `cache` and verifies it at `now`.
pub fn verify_cached(
    cache: &CacheDir,
    name: &str,
    now: VerificationTime,
    insecure: &[Insecure],
) -> Result<Verification, Error> {
    let repo = cache.load(name)?;
    Ok(verify_repo(&repo, now, insecure))
}

/// A verified `trusted_root.json` with the facts a consumer must show or record.
#[derive(Debug, Clone)]
pub struct TrustedRootFile {
    /// The bytes, matching the trusted targets metadata.
    pub bytes: Vec<u8>,
    /// Versions and expiry of the TUF roles that vouched for it.
    pub roles: Vec<RoleRecord>,
    /// The verification report (ok; with an `INSECURE:` warning if an expired cache was
    /// accepted). A consumer should merge its checks and warnings into its own report.
    pub report: plugin_api::Report,
}

/// The Sigstore trusted root from repository `name`, verified at `now`: `Ok(Err(report))`
/// when verification failed (the report says which check), `Err` when the cache could not
/// be read. No network, no refresh.
///
/// Only [`Error::NotCached`] means that no repository `name` is cached at all; every other
/// error is a cache that exists but cannot be read (damaged, incomplete, unreadable) or that
/// does not serve the target. A caller with a fallback trust root may use it for the first
/// case only: a cache that fails is never a reason to trust something else.
pub fn trusted_root(
    cache: &CacheDir,
    name: &str,
    now: VerificationTime,
    insecure: &[Insecure],
) -> Result<Result<TrustedRootFile, plugin_api::Report>, Error> {
    let v = verify_cached(cache, name, now, insecure)?;
    if !v.report.ok() {
        return Ok(Err(v.report));
    }
    match v.targets.get(SIGSTORE_TRUSTED_ROOT) {
        Some(bytes) => Ok(Ok(TrustedRootFile {
            bytes: bytes.clone(),
            roles: v.roles,
            report: v.report,
        })),
        // A verified cache holds this target whenever its metadata lists it (verify).
        None => Err(Error::TargetNotListed {
            name: name.to_owned(),
            target: SIGSTORE_TRUSTED_ROOT.to_owned(),
            dir: cache.path().to_path_buf(),
        }),
    }
}

/// An [`OfflineCache`] over the targets of one verified repository: key
/// `tuf/NAME/targets/TARGET`. Only built from a verification that was ok, so every entry it
/// serves matched trusted TUF metadata at the verification time.
#[derive(Debug, Clone)]
pub struct VerifiedTargets {
    name: String,
    targets: BTreeMap<String, Vec<u8>>,
}

impl VerifiedTargets {
    /// The targets of `v` if its report is ok; `None` otherwise.
    pub fn new(name: &str, v: &Verification) -> Option<Self> {
        v.report.ok().then(|| VerifiedTargets {
            name: name.to_owned(),
            targets: v.targets.clone(),
        })
    }
}

impl OfflineCache for VerifiedTargets {
    fn get(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, CacheError> {
        let prefix = format!("tuf/{}/targets/", self.name);
        Ok(key
            .as_str()
            .strip_prefix(prefix.as_str())
            .and_then(|t| self.targets.get(t))
            .cloned())
    }

    fn describe(&self) -> String {
        format!("verified targets of TUF repository `{}`", self.name)
    }
}

/// The offline cache directory as the plugins see it: key `tuf/NAME/repository.tgz` is
/// repository `NAME`'s current generation as an export archive ([`export_repository`]), for
/// the `tuf` plugin, which verifies it; no other key is served. A repository that is not
/// cached is `None`; a damaged one is an error (never replaced by anything else).
impl OfflineCache for CacheDir {
    fn get(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, CacheError> {
        let segments: Vec<&str> = key.segments().collect();
        let ["tuf", name, REPOSITORY_ARCHIVE] = segments.as_slice() else {
            return Ok(None);
        };
        match export_repository(self, name) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(Error::NotCached { .. }) => Ok(None),
            Err(e) => Err(CacheError::Corrupt {
                key: key.as_str().to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    fn describe(&self) -> String {
        format!("offline cache {}", self.path().display())
    }
}
