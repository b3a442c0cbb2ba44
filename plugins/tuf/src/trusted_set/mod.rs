//! The trusted metadata set: the TUF 1.0 client workflow's checks, pure (bytes and the
//! verification time in, verified metadata out; no clock, network or files).
//!
//! Metadata enters only through the `update_*` methods, in workflow order: root (one version
//! at a time, signed by a threshold of the trusted root's and of its own keys), timestamp,
//! snapshot, then targets and delegated targets. Each method mirrors the specification's
//! steps (§5.3 – §5.6). Some metadata is kept as trusted even when it fails the *final*
//! checks (expired, or version different from the one named by its referrer), because it
//! still serves rollback protection for the next file; such a failure is returned as an
//! error and the workflow stops.

use crate::delegation;
use crate::error::{MetadataError, UpdateError};
use crate::expiry;
use crate::hashes;
use crate::metadata::{Parsed, RoleType, Root, Snapshot, Targets, Timestamp};
use plugin_api::VerificationTime;
use std::collections::BTreeMap;

/// Verified metadata with the exact bytes it was verified from.
#[derive(Debug, Clone)]
pub(crate) struct Trusted<T> {
    pub(crate) signed: T,
    pub(crate) raw: Vec<u8>,
}

/// A verified targets role and the delegator whose keys verified it.
#[derive(Debug, Clone)]
pub(crate) struct TrustedTargets {
    pub(crate) delegator: String,
    pub(crate) meta: Trusted<Targets>,
}

/// What happened to a timestamp offered to [`TrustedSet::update_timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampUpdate {
    /// The new timestamp is trusted (and should be persisted).
    Accepted,
    /// Same version as the trusted one: the trusted one is kept, the new one ignored.
    Unchanged,
}

/// The version and expiry of one trusted role, for reports and status displays. Read it
/// only from a [`TrustedSet`] whose workflow succeeded; it is not a verdict by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleFacts {
    /// The role name (`root`, `timestamp`, `snapshot`, `targets`, or a delegated role).
    pub role: String,
    /// Its version.
    pub version: u64,
    /// Its expiry as written in the metadata.
    pub expires: String,
    /// Its expiry in Unix seconds (fractional seconds dropped).
    pub expires_unix: i64,
}

impl RoleFacts {
    fn of(role: &str, common: &crate::metadata::Common) -> Self {
        RoleFacts {
            role: role.to_owned(),
            version: common.version,
            expires: common.expires.clone(),
            expires_unix: common.expires_unix,
        }
    }
}

/// The trusted metadata set (see the module documentation).
#[derive(Debug)]
pub struct TrustedSet {
    now: u64,
    root: Trusted<Root>,
    timestamp: Option<Trusted<crate::metadata::Timestamp>>,
    snapshot: Option<Trusted<Snapshot>>,
    targets: BTreeMap<String, TrustedTargets>,
}

fn expired_error(
    file: &str,
    role: &str,
    common: &crate::metadata::Common,
    now: u64,
) -> UpdateError {
    UpdateError::Expired {
        file: file.to_owned(),
        role: role.to_owned(),
        version: common.version,
        expires: common.expires.clone(),
        now,
    }
}

impl TrustedSet {
    /// Starts from a locally trusted root: it must parse and be signed by a threshold of its
    /// own root keys. Its expiry is not checked here (a newer root may replace it).
    pub fn new(root_bytes: &[u8], now: VerificationTime) -> Result<Self, UpdateError> {
        let file = "root.json";
        let parsed = Parsed::<Root>::parse(root_bytes, file)?;
        verify_by_root(&parsed, &parsed.signed, file, "root", "root")?;
        Ok(TrustedSet {
            now: now.unix_seconds(),
            root: Trusted {
                signed: parsed.signed,
                raw: root_bytes.to_vec(),
            },
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
        })
    }

    /// The trusted root's version.
    pub fn root_version(&self) -> u64 {
        self.root.signed.common.version
    }

    /// Whether the trusted root asks for consistent snapshots.
    pub fn consistent_snapshot(&self) -> bool {
        self.root.signed.consistent_snapshot
    }

    /// Version and expiry of every trusted role: root, then timestamp, snapshot and targets
    /// roles (top-level first, then delegated roles by name) as far as they are trusted.
    pub fn role_facts(&self) -> Vec<RoleFacts> {
        let mut facts = vec![RoleFacts::of("root", &self.root.signed.common)];
        if let Some(t) = &self.timestamp {
            facts.push(RoleFacts::of("timestamp", &t.signed.common));
        }
        if let Some(s) = &self.snapshot {
            facts.push(RoleFacts::of("snapshot", &s.signed.common));
        }
        if let Some(t) = self.targets.get("targets") {
            facts.push(RoleFacts::of("targets", &t.meta.signed.common));
        }
        for (name, t) in &self.targets {
            if name != "targets" {
                facts.push(RoleFacts::of(name, &t.meta.signed.common));
            }
        }
        facts
    }

    /// The entry for `target_path` in the trusted top-level `targets` role, if it lists one
    /// (delegations are not searched; use [`Updater::get_targetinfo`](crate::Updater) for
    /// that).
    pub fn top_level_target(&self, target_path: &str) -> Option<crate::TargetInfo> {
        let found = self
            .targets
            .get("targets")?
            .meta
            .signed
            .targets
            .get(target_path)?;
        Some(crate::TargetInfo {
            path: target_path.to_owned(),
            length: found.length,
            hashes: found.hashes.clone(),
        })
    }

    /// Finds `target_path` through the delegation graph exactly as
    /// [`Updater::get_targetinfo`](crate::Updater) does (same search, same order, same
    /// budget `max_delegations`), but from a local copy only: `local(role)` gives the stored
    /// metadata of a delegated role (the bytes as served), each verified here against the
    /// snapshot and its delegator before use. A role the search reaches that `local` does not
    /// have is [`Error::RoleNotCached`](crate::Error::RoleNotCached), never skipped. The
    /// top-level `targets` must already be trusted.
    pub fn find_target_offline(
        &mut self,
        target_path: &str,
        max_delegations: usize,
        local: impl FnMut(&str) -> Option<Vec<u8>>,
    ) -> Result<Option<crate::TargetInfo>, crate::Error> {
        struct Local<'a, L> {
            set: &'a mut TrustedSet,
            local: L,
        }
        impl<L: FnMut(&str) -> Option<Vec<u8>>> crate::updater::RoleSource for Local<'_, L> {
            fn load(&mut self, role: &str, delegator: &str) -> Result<(), crate::Error> {
                if let Some(t) = self.set.targets(role) {
                    if t.delegator == delegator {
                        return Ok(());
                    }
                    let raw = t.meta.raw.clone();
                    return Ok(self.set.update_targets(&raw, role, delegator)?);
                }
                if role == "targets" {
                    return Err(UpdateError::Order("top-level targets not trusted").into());
                }
                let data = (self.local)(role).ok_or_else(|| crate::Error::RoleNotCached {
                    role: role.to_owned(),
                    delegator: delegator.to_owned(),
                })?;
                Ok(self.set.update_targets(&data, role, delegator)?)
            }
            fn trusted(&self) -> &TrustedSet {
                self.set
            }
        }
        let mut source = Local { set: self, local };
        crate::updater::search_delegations(&mut source, target_path, max_delegations)
    }

    pub(crate) fn timestamp(&self) -> Option<&Trusted<Timestamp>> {
        self.timestamp.as_ref()
    }

    pub(crate) fn snapshot(&self) -> Option<&Trusted<Snapshot>> {
        self.snapshot.as_ref()
    }

    pub(crate) fn targets(&self, role: &str) -> Option<&TrustedTargets> {
        self.targets.get(role)
    }

    /// §5.3: the next root version, signed by a threshold of the trusted root's keys and of
    /// its own; its version must be exactly one more. Expiry is checked later, on the final
    /// root (before the timestamp).
    pub fn update_root(&mut self, data: &[u8]) -> Result<(), UpdateError> {
        if self.timestamp.is_some() {
            return Err(UpdateError::Order("cannot update root after timestamp"));
        }
        let expected = self.root_version().saturating_add(1);
        let file = format!("{expected}.root.json");
        let parsed = Parsed::<Root>::parse(data, &file)?;
        verify_by_root(&parsed, &self.root.signed, &file, "root", "trusted root")?;
        if parsed.version() != expected {
            return Err(UpdateError::RootVersion {
                file,
                expected,
                found: parsed.version(),
            });
        }
        verify_by_root(&parsed, &parsed.signed, &file, "root", "new root")?;
        self.root = Trusted {
            signed: parsed.signed,
            raw: data.to_vec(),
        };
        Ok(())
    }

    /// §5.4: a timestamp signed by the root's timestamp keys, no rollback of its version or
    /// of the snapshot version it names. An equal version keeps the trusted timestamp.
    /// A timestamp that passes all but the expiry check stays trusted (for rollback checks)
    /// and the expiry error is returned.
    pub fn update_timestamp(&mut self, data: &[u8]) -> Result<TimestampUpdate, UpdateError> {
        if self.snapshot.is_some() {
            return Err(UpdateError::Order("cannot update timestamp after snapshot"));
        }
        let file = "timestamp.json";
        // §5.3.10: the final root must not be expired.
        let root = &self.root.signed.common;
        if expiry::is_expired(root.expires_unix, self.now) {
            return Err(expired_error(
                &format!("{}.root.json", root.version),
                "root",
                root,
                self.now,
            ));
        }
        let parsed = Parsed::<Timestamp>::parse(data, file)?;
        verify_by_root(&parsed, &self.root.signed, file, "timestamp", "root")?;
        let new_snapshot_version = snapshot_meta(&parsed.signed, file)?.version;
        if let Some(trusted) = &self.timestamp {
            let old = trusted.signed.common.version;
            if parsed.version() < old {
                return Err(UpdateError::Rollback {
                    file: file.to_owned(),
                    role: "timestamp".to_owned(),
                    trusted: old,
                    found: parsed.version(),
                });
            }
            if parsed.version() == old {
                return Ok(TimestampUpdate::Unchanged);
            }
            let old_snapshot_version = snapshot_meta(&trusted.signed, file)?.version;
            if new_snapshot_version < old_snapshot_version {
                return Err(UpdateError::Rollback {
                    file: file.to_owned(),
                    role: "snapshot".to_owned(),
                    trusted: old_snapshot_version,
                    found: new_snapshot_version,
                });
            }
        }
        self.timestamp = Some(Trusted {
            signed: parsed.signed,
            raw: data.to_vec(),
        });
        self.check_final_timestamp()?;
        Ok(TimestampUpdate::Accepted)
    }

    fn check_final_timestamp(&self) -> Result<(), UpdateError> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or(UpdateError::Order("no trusted timestamp"))?;
        let common = &ts.signed.common;
        if expiry::is_expired(common.expires_unix, self.now) {
            return Err(expired_error(
                "timestamp.json",
                "timestamp",
                common,
                self.now,
            ));
        }
        Ok(())
    }

    /// §5.5: a snapshot matching the timestamp's length and hashes (skipped for `local` bytes
    /// that were verified when stored), signed by the root's snapshot keys, removing no entry
    /// of the trusted snapshot and rolling back no version. A snapshot that passes all but
    /// the final checks (expiry, version named by the timestamp) stays trusted for rollback
    /// checks, and the error is returned.
    pub fn update_snapshot(&mut self, data: &[u8], local: bool) -> Result<(), UpdateError> {
        if !self.targets.is_empty() {
            return Err(UpdateError::Order("cannot update snapshot after targets"));
        }
        self.check_final_timestamp()?;
        let ts = self.timestamp.as_ref().ok_or(UpdateError::Order(
            "cannot update snapshot before timestamp",
        ))?;
        let meta = snapshot_meta(&ts.signed, "timestamp.json")?;
        let file = if self.consistent_snapshot() {
            format!("{}.snapshot.json", meta.version)
        } else {
            "snapshot.json".to_owned()
        };
        if !local {
            hashes::verify_length_and_hashes(data, meta.length, meta.hashes.as_ref(), &file)?;
        }
        let parsed = Parsed::<Snapshot>::parse(data, &file)?;
        verify_by_root(&parsed, &self.root.signed, &file, "snapshot", "root")?;
        if let Some(trusted) = &self.snapshot {
            // §5.5.5: the snapshot version itself does not go back either.
            let old_version = trusted.signed.common.version;
            if parsed.version() < old_version {
                return Err(UpdateError::Rollback {
                    file,
                    role: "snapshot".to_owned(),
                    trusted: old_version,
                    found: parsed.version(),
                });
            }
            for (name, old) in &trusted.signed.meta {
                let Some(new) = parsed.signed.meta.get(name) else {
                    return Err(UpdateError::RemovedFromSnapshot {
                        file,
                        version: parsed.version(),
                        removed: name.clone(),
                    });
                };
                if new.version < old.version {
                    return Err(UpdateError::Rollback {
                        file,
                        role: name.clone(),
                        trusted: old.version,
                        found: new.version,
                    });
                }
            }
        }
        self.snapshot = Some(Trusted {
            signed: parsed.signed,
            raw: data.to_vec(),
        });
        self.check_final_snapshot()
    }

    fn check_final_snapshot(&self) -> Result<(), UpdateError> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or(UpdateError::Order("no trusted timestamp"))?;
        let snapshot = self
            .snapshot
            .as_ref()
            .ok_or(UpdateError::Order("no trusted snapshot"))?;
        let common = &snapshot.signed.common;
        let file = "snapshot.json";
        if expiry::is_expired(common.expires_unix, self.now) {
            return Err(expired_error(file, "snapshot", common, self.now));
        }
        let expected = snapshot_meta(&ts.signed, "timestamp.json")?.version;
        if common.version != expected {
            return Err(UpdateError::VersionMismatch {
                file: file.to_owned(),
                role: "snapshot".to_owned(),
                referrer: "timestamp".to_owned(),
                expected,
                found: common.version,
            });
        }
        Ok(())
    }

    /// §5.6 / §5.7: targets (delegator `root`) or a delegated targets role, matching the
    /// snapshot's length, hashes and version, signed by a threshold of the keys the
    /// delegator gives the role, and not expired. A role already trusted through another
    /// delegator is verified again against this one.
    pub fn update_targets(
        &mut self,
        data: &[u8],
        role: &str,
        delegator: &str,
    ) -> Result<(), UpdateError> {
        self.check_final_snapshot()?;
        let snapshot = self
            .snapshot
            .as_ref()
            .ok_or(UpdateError::Order("cannot update targets before snapshot"))?;
        // The snapshot lists roles by their plain name; only URLs and file names encode it.
        let meta = snapshot
            .signed
            .meta
            .get(&format!("{role}.json"))
            .ok_or_else(|| UpdateError::NotInSnapshot {
                role: role.to_owned(),
                snapshot_version: snapshot.signed.common.version,
            })?;
        let quoted = crate::urls::quote(role);
        let file = if self.consistent_snapshot() {
            format!("{}.{quoted}.json", meta.version)
        } else {
            format!("{quoted}.json")
        };
        hashes::verify_length_and_hashes(data, meta.length, meta.hashes.as_ref(), &file)?;
        let parsed = Parsed::<Targets>::parse(data, &file)?;
        if delegator == "root" {
            if role != "targets" {
                return Err(UpdateError::NotDelegated {
                    role: role.to_owned(),
                    delegator: delegator.to_owned(),
                });
            }
            verify_by_root(&parsed, &self.root.signed, &file, role, "root")?;
        } else {
            let parent = self.targets.get(delegator).ok_or(UpdateError::Order(
                "cannot load a role before its delegator",
            ))?;
            let (keys, keyids, threshold) = parent
                .meta
                .signed
                .delegations
                .as_ref()
                .and_then(|d| delegation::role_keys(d, role))
                .ok_or_else(|| UpdateError::NotDelegated {
                    role: role.to_owned(),
                    delegator: delegator.to_owned(),
                })?;
            parsed.verify_threshold(keys, keyids, threshold, &file, role, delegator)?;
        }
        if parsed.version() != meta.version {
            return Err(UpdateError::VersionMismatch {
                file,
                role: role.to_owned(),
                referrer: "snapshot".to_owned(),
                expected: meta.version,
                found: parsed.version(),
            });
        }
        let common = &parsed.signed.common;
        if expiry::is_expired(common.expires_unix, self.now) {
            return Err(expired_error(&file, role, common, self.now));
        }
        self.targets.insert(
            role.to_owned(),
            TrustedTargets {
                delegator: delegator.to_owned(),
                meta: Trusted {
                    signed: parsed.signed,
                    raw: data.to_vec(),
                },
            },
        );
        Ok(())
    }
}

fn snapshot_meta<'a>(
    ts: &'a Timestamp,
    file: &str,
) -> Result<&'a crate::metadata::MetaFile, UpdateError> {
    ts.snapshot_meta().ok_or_else(|| {
        UpdateError::Metadata(MetadataError::format(
            file,
            "meta has no snapshot.json entry",
        ))
    })
}

/// Verifies `parsed` against the keys `root` gives `role`.
fn verify_by_root<T: RoleType>(
    parsed: &Parsed<T>,
    root: &Root,
    file: &str,
    role: &str,
    delegator: &str,
) -> Result<(), UpdateError> {
    let role_keys = root
        .roles
        .get(role)
        .ok_or_else(|| UpdateError::NotDelegated {
            role: role.to_owned(),
            delegator: delegator.to_owned(),
        })?;
    parsed.verify_threshold(
        &root.keys,
        &role_keys.keyids,
        role_keys.threshold,
        file,
        role,
        delegator,
    )
}

#[cfg(test)]
mod tests;
