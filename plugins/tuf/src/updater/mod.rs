//! The client workflow over a [`Fetcher`] and a local metadata directory: refresh the
//! top-level metadata, look targets up through the delegation graph (lazily, in order), and
//! download targets with length and hash checks.
//!
//! Verification itself happens in [`TrustedSet`](crate::TrustedSet) (pure, time passed
//! in); this module only moves bytes: locally stored metadata is tried first where the
//! specification allows (and silently replaced when it no longer verifies), remote metadata
//! is fetched with a size budget, and only metadata that verified is written back.

use crate::delegation;
use crate::error::{Error, FetchError, StoreError, UpdateError};
use crate::fetch::Fetcher;
use crate::hashes;
use crate::store::{MetadataStore, TargetStore};
use crate::trusted_set::{TimestampUpdate, TrustedSet};
use crate::urls;
use plugin_api::VerificationTime;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the delegation search gets its roles: [`Updater`] (stored or fetched, then
/// verified) or a local copy only ([`TrustedSet::find_target_offline`]).
pub(crate) trait RoleSource {
    /// Makes `role`, delegated by `delegator`, trusted in [`RoleSource::trusted`].
    fn load(&mut self, role: &str, delegator: &str) -> Result<(), Error>;
    /// The trusted set the loaded roles are in.
    fn trusted(&self) -> &TrustedSet;
}

impl<F: Fetcher> RoleSource for Updater<F> {
    fn load(&mut self, role: &str, delegator: &str) -> Result<(), Error> {
        self.load_targets(role, delegator)
    }
    fn trusted(&self) -> &TrustedSet {
        &self.trusted
    }
}

/// The pre-order depth-first search of the delegation graph (§5.6.7) for `target_path`,
/// loading roles only as the search reaches them, in delegation order; a terminating
/// delegation that matches ends the search of everything not yet visited; path patterns
/// and hashed bins select the candidates; at most `max_delegations` roles are visited.
/// `Ok(None)`: no role the search reached lists it. Used online and offline alike.
pub(crate) fn search_delegations(
    source: &mut impl RoleSource,
    target_path: &str,
    max_delegations: usize,
) -> Result<Option<TargetInfo>, Error> {
    let mut to_visit: Vec<(String, String)> = vec![("targets".to_owned(), "root".to_owned())];
    let mut visited: BTreeSet<String> = BTreeSet::new();
    while let Some((role, delegator)) = to_visit.pop() {
        if visited.contains(&role) {
            continue;
        }
        if visited.len() >= max_delegations {
            return Err(Error::DelegationBudget {
                target: target_path.to_owned(),
                limit: max_delegations,
            });
        }
        source.load(&role, &delegator)?;
        let targets = &source
            .trusted()
            .targets(&role)
            .ok_or(UpdateError::Order("targets role not loaded"))?
            .meta
            .signed;
        if let Some(found) = targets.targets.get(target_path) {
            return Ok(Some(TargetInfo {
                path: target_path.to_owned(),
                length: found.length,
                hashes: found.hashes.clone(),
            }));
        }
        visited.insert(role.clone());
        if let Some(delegations) = &targets.delegations {
            let candidates =
                delegation::roles_for_target(delegations, target_path).map_err(|p| {
                    Error::UnsupportedPattern {
                        role: role.clone(),
                        pattern: p.0,
                    }
                })?;
            let mut children = Vec::new();
            for c in candidates {
                let terminating = c.terminating;
                children.push((c.name, role.clone()));
                if terminating {
                    to_visit.clear();
                    break;
                }
            }
            to_visit.extend(children.into_iter().rev());
        }
    }
    Ok(None)
}

/// Budgets and options of an [`Updater`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdaterConfig {
    /// Most root versions accepted in one refresh.
    pub max_root_rotations: u64,
    /// Most roles visited in one target lookup.
    pub max_delegations: usize,
    /// Largest accepted `root.json`.
    pub root_max_length: u64,
    /// Largest accepted `timestamp.json`.
    pub timestamp_max_length: u64,
    /// Largest accepted snapshot when the timestamp gives no length.
    pub snapshot_max_length: u64,
    /// Largest accepted targets file when the snapshot gives no length.
    pub targets_max_length: u64,
    /// Largest accepted target file (targets always list their length; this caps it).
    pub target_max_length: u64,
    /// Longest accepted target path, in bytes.
    pub max_target_path_len: usize,
    /// With consistent snapshots, fetch targets as `HASH.NAME`.
    pub prefix_targets_with_hash: bool,
}

impl Default for UpdaterConfig {
    fn default() -> Self {
        UpdaterConfig {
            max_root_rotations: 256,
            max_delegations: 32,
            root_max_length: 512_000,
            timestamp_max_length: 16_384,
            snapshot_max_length: 2_000_000,
            targets_max_length: 5_000_000,
            target_max_length: 1 << 30,
            max_target_path_len: 4096,
            prefix_targets_with_hash: true,
        }
    }
}

/// A target as trusted targets metadata describes it. Only [`Updater::get_targetinfo`]
/// makes one, so holding one means the metadata chain naming it verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    pub(crate) path: String,
    pub(crate) length: u64,
    pub(crate) hashes: BTreeMap<String, String>,
}

impl TargetInfo {
    /// The target path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The length in bytes.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Hashes by algorithm name.
    pub fn hashes(&self) -> &BTreeMap<String, String> {
        &self.hashes
    }

    /// Checks `data` against the length and every hash (all must be supported and match).
    pub fn verify(&self, data: &[u8]) -> Result<(), UpdateError> {
        hashes::verify_length_and_hashes(data, Some(self.length), Some(&self.hashes), &self.path)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    Refreshed,
    Failed,
}

/// A TUF client session (see the module documentation).
#[derive(Debug)]
pub struct Updater<F: Fetcher> {
    config: UpdaterConfig,
    metadata_url: String,
    target_base_url: Option<String>,
    store: MetadataStore,
    fetcher: F,
    trusted: TrustedSet,
    state: State,
}

impl<F: Fetcher> Updater<F> {
    /// Starts from `root.json` in `metadata_dir`, which must verify (signed by a threshold
    /// of its own keys). Nothing is fetched yet.
    pub fn new(
        metadata_dir: &Path,
        metadata_url: &str,
        target_base_url: Option<&str>,
        fetcher: F,
        now: VerificationTime,
        config: UpdaterConfig,
    ) -> Result<Self, Error> {
        let store = MetadataStore::new(metadata_dir);
        let root = store
            .load("root", config.root_max_length)
            .map_err(|e| Error::TrustedRoot(Box::new(e.into())))?
            .ok_or_else(|| {
                Error::TrustedRoot(Box::new(Error::Config(
                    "no root.json in the metadata directory",
                )))
            })?;
        let trusted =
            TrustedSet::new(&root, now).map_err(|e| Error::TrustedRoot(Box::new(e.into())))?;
        Ok(Updater {
            config,
            metadata_url: urls::with_trailing_slash(metadata_url),
            target_base_url: target_base_url.map(urls::with_trailing_slash),
            store,
            fetcher,
            trusted,
            state: State::New,
        })
    }

    /// The trusted metadata set (read-only).
    pub fn trusted(&self) -> &TrustedSet {
        &self.trusted
    }

    /// Updates root, timestamp, snapshot and top-level targets (§5.3 – §5.6). After an
    /// error the updater refuses further use.
    pub fn refresh(&mut self) -> Result<(), Error> {
        match self.state {
            State::Failed => return Err(Error::Poisoned),
            State::Refreshed => return Ok(()),
            State::New => {}
        }
        self.state = State::Failed;
        self.load_root()?;
        self.load_timestamp()?;
        self.load_snapshot()?;
        self.load_targets("targets", "root")?;
        self.state = State::Refreshed;
        Ok(())
    }

    fn fetch_metadata(
        &mut self,
        role: &str,
        version: Option<u64>,
        max_len: u64,
    ) -> Result<Vec<u8>, FetchError> {
        let url = format!(
            "{}{}",
            self.metadata_url,
            urls::metadata_file_name(role, version)
        );
        self.fetcher.fetch(&url, max_len)
    }

    fn load_root(&mut self) -> Result<(), Error> {
        let first = self.trusted.root_version().saturating_add(1);
        let last = first.saturating_add(self.config.max_root_rotations);
        for version in first..last {
            let data = match self.fetch_metadata("root", Some(version), self.config.root_max_length)
            {
                Ok(data) => data,
                Err(FetchError::NotFound { .. }) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            self.trusted.update_root(&data)?;
            self.store.persist("root", &data)?;
        }
        Ok(())
    }

    /// Stored metadata of `role`: `None` if absent or over budget (then it is fetched
    /// again); an unreadable file is an error, since it may hold rollback protection.
    fn load_local(&self, role: &str, limit: u64) -> Result<Option<Vec<u8>>, Error> {
        match self.store.load(role, limit) {
            Ok(data) => Ok(data),
            Err(StoreError::TooLarge { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn load_timestamp(&mut self) -> Result<(), Error> {
        // A stored timestamp that still verifies serves rollback protection, even if expired.
        if let Some(local) = self.load_local("timestamp", self.config.timestamp_max_length)? {
            let _ = self.trusted.update_timestamp(&local);
        }
        let data = self.fetch_metadata("timestamp", None, self.config.timestamp_max_length)?;
        if self.trusted.update_timestamp(&data)? == TimestampUpdate::Accepted {
            self.store.persist("timestamp", &data)?;
        }
        Ok(())
    }

    fn load_snapshot(&mut self) -> Result<(), Error> {
        if let Some(local) = self.load_local("snapshot", self.config.snapshot_max_length)? {
            if self.trusted.update_snapshot(&local, true).is_ok() {
                return Ok(());
            }
        }
        let meta = self
            .trusted
            .timestamp()
            .and_then(|t| t.signed.snapshot_meta())
            .ok_or(UpdateError::Order("no trusted timestamp"))?;
        let max_len = meta.length.unwrap_or(self.config.snapshot_max_length);
        let version = self.trusted.consistent_snapshot().then_some(meta.version);
        let data = self.fetch_metadata("snapshot", version, max_len)?;
        self.trusted.update_snapshot(&data, false)?;
        self.store.persist("snapshot", &data)?;
        Ok(())
    }

    /// Makes `role` trusted as delegated by `delegator`: already trusted through the same
    /// delegator, verified again if trusted through another, else from the stored file if it
    /// still verifies, else fetched.
    fn load_targets(&mut self, role: &str, delegator: &str) -> Result<(), Error> {
        if let Some(t) = self.trusted.targets(role) {
            if t.delegator == delegator {
                return Ok(());
            }
            let raw = t.meta.raw.clone();
            self.trusted.update_targets(&raw, role, delegator)?;
            return Ok(());
        }
        if let Some(local) = self.load_local(role, self.config.targets_max_length)? {
            if self.trusted.update_targets(&local, role, delegator).is_ok() {
                return Ok(());
            }
        }
        let snapshot = self
            .trusted
            .snapshot()
            .ok_or(UpdateError::Order("no trusted snapshot"))?;
        let meta = snapshot
            .signed
            .meta
            .get(&format!("{role}.json"))
            .ok_or_else(|| UpdateError::NotInSnapshot {
                role: role.to_owned(),
                snapshot_version: snapshot.signed.common.version,
            })?;
        let max_len = meta.length.unwrap_or(self.config.targets_max_length);
        let version = self.trusted.consistent_snapshot().then_some(meta.version);
        let data = self.fetch_metadata(role, version, max_len)?;
        self.trusted.update_targets(&data, role, delegator)?;
        self.store.persist(role, &data)?;
        Ok(())
    }

    /// Finds `target_path` by a pre-order depth-first search of the delegation graph
    /// (§5.6.7), loading roles only as the search reaches them. `Ok(None)`: no role the
    /// search reached lists it. Refreshes first if needed.
    pub fn get_targetinfo(&mut self, target_path: &str) -> Result<Option<TargetInfo>, Error> {
        self.refresh()?;
        if target_path.len() > self.config.max_target_path_len {
            return Err(Error::InvalidTarget {
                target: target_path.to_owned(),
                reason: format!("path longer than {} bytes", self.config.max_target_path_len),
            });
        }
        let max = self.config.max_delegations;
        search_delegations(self, target_path, max)
    }

    fn checked_target_path(&self, info: &TargetInfo) -> Result<(), Error> {
        let encoded = urls::quote(info.path());
        if encoded.is_empty() || encoded == "." || encoded == ".." {
            return Err(Error::InvalidTarget {
                target: info.path().to_owned(),
                reason: "cannot be stored as a file name".to_owned(),
            });
        }
        if info.length > self.config.target_max_length {
            return Err(Error::InvalidTarget {
                target: info.path().to_owned(),
                reason: format!(
                    "length {} exceeds the limit of {} bytes",
                    info.length, self.config.target_max_length
                ),
            });
        }
        Ok(())
    }

    /// The stored copy of a target in `target_dir`, if one exists and matches `info`.
    pub fn find_cached_target(
        &self,
        info: &TargetInfo,
        target_dir: &Path,
    ) -> Result<Option<PathBuf>, Error> {
        self.checked_target_path(info)?;
        let store = TargetStore::new(target_dir);
        match store.load(info.path(), info.length) {
            Ok(Some(data)) if info.verify(&data).is_ok() => Ok(Some(store.path(info.path()))),
            Ok(_) | Err(StoreError::TooLarge { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Downloads a target, checks its length and every hash, and stores it in `target_dir`
    /// (nothing is written unless it verifies). Returns the stored file's path.
    pub fn download_target(
        &mut self,
        info: &TargetInfo,
        target_dir: &Path,
    ) -> Result<PathBuf, Error> {
        self.checked_target_path(info)?;
        let base = self
            .target_base_url
            .clone()
            .ok_or(Error::Config("no target base URL configured"))?;
        let prefix = if self.trusted.consistent_snapshot() && self.config.prefix_targets_with_hash {
            // Any listed hash names the file; prefer sha256 (all are verified regardless).
            let hash = info
                .hashes
                .get("sha256")
                .or_else(|| info.hashes.values().next())
                .ok_or_else(|| Error::InvalidTarget {
                    target: info.path().to_owned(),
                    reason: "no hashes".to_owned(),
                })?;
            Some(hash.clone())
        } else {
            None
        };
        // Fail before fetching if a listed hash cannot be checked.
        if let Some(alg) = info
            .hashes
            .keys()
            .find(|a| !hashes::SUPPORTED_HASHES.contains(&a.as_str()))
        {
            return Err(UpdateError::UnsupportedHash {
                file: info.path().to_owned(),
                algorithm: alg.clone(),
            }
            .into());
        }
        let url = urls::target_url(&base, info.path(), prefix.as_deref());
        let data = self.fetcher.fetch(&url, info.length)?;
        info.verify(&data)?;
        Ok(TargetStore::new(target_dir).persist(info.path(), &data)?)
    }
}

#[cfg(test)]
mod tests;
