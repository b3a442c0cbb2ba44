//! TUF metadata files parsed into typed roles, once, at the edge.
//!
//! [`Parsed`] holds a file's signatures, the canonical bytes of its `signed` object (what the
//! signatures cover) and the typed payload. Nothing here is trusted yet: that takes
//! [`Parsed::verify_threshold`] with the delegating role's keys, done by the trusted set.

use crate::canonical::Json;
use crate::error::{MetadataError, UpdateError};
use crate::expiry;
use crate::keys::{Key, KeyIdentity};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Budget: signatures on one file.
pub const MAX_SIGNATURES: usize = 1024;
/// Budget: keys listed in one file (root keys or one delegations block).
pub const MAX_KEYS: usize = 1024;
/// Budget: key ids of one role.
pub const MAX_ROLE_KEYIDS: usize = 1024;
/// Budget: explicitly listed delegated roles in one targets file.
pub const MAX_DELEGATED_ROLES: usize = 16 * 1024;

/// The top-level role names (delegated roles may not use them).
pub const TOP_LEVEL_ROLES: [&str; 4] = ["root", "timestamp", "snapshot", "targets"];

/// The kind of a role file (its `_type`).
pub(crate) trait RoleType: DeserializeOwned {
    const TYPE: &'static str;
    fn common(&self) -> &Common;
    fn common_mut(&mut self) -> &mut Common;
    fn validate(&self, file: &str) -> Result<(), MetadataError>;
}

/// Fields every role has.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Common {
    pub(crate) spec_version: String,
    pub(crate) version: u64,
    pub(crate) expires: String,
    #[serde(skip)]
    pub(crate) expires_unix: i64,
}

/// One entry of `signatures`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Signature {
    pub(crate) keyid: String,
    pub(crate) sig: String,
}

/// Key ids and threshold of a role.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RoleKeys {
    pub(crate) keyids: Vec<String>,
    pub(crate) threshold: u64,
}

/// `root.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Root {
    #[serde(flatten)]
    pub(crate) common: Common,
    #[serde(default)]
    pub(crate) consistent_snapshot: bool,
    pub(crate) keys: BTreeMap<String, Key>,
    pub(crate) roles: BTreeMap<String, RoleKeys>,
}

/// Version, length and hashes of a metadata file, as timestamp and snapshot list them.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct MetaFile {
    pub(crate) version: u64,
    #[serde(default)]
    pub(crate) length: Option<u64>,
    #[serde(default)]
    pub(crate) hashes: Option<BTreeMap<String, String>>,
}

/// `timestamp.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Timestamp {
    #[serde(flatten)]
    pub(crate) common: Common,
    pub(crate) meta: BTreeMap<String, MetaFile>,
}

impl Timestamp {
    /// The `snapshot.json` entry (its presence is checked when parsing).
    pub(crate) fn snapshot_meta(&self) -> Option<&MetaFile> {
        self.meta.get("snapshot.json")
    }
}

/// `snapshot.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Snapshot {
    #[serde(flatten)]
    pub(crate) common: Common,
    pub(crate) meta: BTreeMap<String, MetaFile>,
}

/// A target file entry.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TargetFile {
    pub(crate) length: u64,
    pub(crate) hashes: BTreeMap<String, String>,
}

/// A delegated role (explicit form).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DelegatedRole {
    pub(crate) name: String,
    pub(crate) keyids: Vec<String>,
    pub(crate) threshold: u64,
    #[serde(default)]
    pub(crate) terminating: bool,
    #[serde(default)]
    pub(crate) paths: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) path_hash_prefixes: Option<Vec<String>>,
}

/// Hashed bins in succinct form (TAP 15).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SuccinctRoles {
    pub(crate) keyids: Vec<String>,
    pub(crate) threshold: u64,
    pub(crate) bit_length: u32,
    pub(crate) name_prefix: String,
}

/// The `delegations` block of a targets file.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Delegations {
    pub(crate) keys: BTreeMap<String, Key>,
    #[serde(default)]
    pub(crate) roles: Option<Vec<DelegatedRole>>,
    #[serde(default)]
    pub(crate) succinct_roles: Option<SuccinctRoles>,
}

/// `targets.json` or a delegated targets role.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Targets {
    #[serde(flatten)]
    pub(crate) common: Common,
    pub(crate) targets: BTreeMap<String, TargetFile>,
    #[serde(default)]
    pub(crate) delegations: Option<Delegations>,
}

fn check_role_keys(
    file: &str,
    what: &str,
    keyids: &[String],
    threshold: u64,
) -> Result<(), MetadataError> {
    if threshold < 1 {
        return Err(MetadataError::format(
            file,
            format!("{what}: threshold must be at least 1"),
        ));
    }
    if keyids.len() > MAX_ROLE_KEYIDS {
        return Err(MetadataError::format(
            file,
            format!("{what}: more than {MAX_ROLE_KEYIDS} key ids"),
        ));
    }
    if let Some(dup) = duplicate_key_id(keyids.iter().map(String::as_str)) {
        return Err(MetadataError::format(
            file,
            format!("{what}: duplicate key id {dup} (key ids are compared ignoring letter case)"),
        ));
    }
    Ok(())
}

/// The first key id of `ids` equal to an earlier one ignoring ASCII letter case, if any. Key
/// ids are hex digests in the specification; two ids that differ only in letter case name
/// the same digest, so they are ambiguous wherever ids must be unique.
fn duplicate_key_id<'a>(mut ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = BTreeSet::new();
    ids.find(|id| !seen.insert(id.to_ascii_lowercase()))
}

fn check_keys(file: &str, keys: &BTreeMap<String, Key>) -> Result<(), MetadataError> {
    if keys.len() > MAX_KEYS {
        return Err(MetadataError::format(
            file,
            format!("more than {MAX_KEYS} keys"),
        ));
    }
    if let Some(dup) = duplicate_key_id(keys.keys().map(String::as_str)) {
        return Err(MetadataError::format(
            file,
            format!("keys: duplicate key id {dup} (key ids are compared ignoring letter case)"),
        ));
    }
    Ok(())
}

fn check_hashes(
    file: &str,
    what: &str,
    hashes: &BTreeMap<String, String>,
) -> Result<(), MetadataError> {
    if hashes.is_empty() {
        return Err(MetadataError::format(file, format!("{what}: empty hashes")));
    }
    Ok(())
}

fn check_meta(file: &str, name: &str, meta: &MetaFile) -> Result<(), MetadataError> {
    if meta.version < 1 {
        return Err(MetadataError::format(
            file,
            format!("{name}: version must be at least 1"),
        ));
    }
    if let Some(hashes) = &meta.hashes {
        check_hashes(file, name, hashes)?;
    }
    Ok(())
}

impl RoleType for Root {
    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }
    const TYPE: &'static str = "root";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, file: &str) -> Result<(), MetadataError> {
        check_keys(file, &self.keys)?;
        let names: BTreeSet<&str> = self.roles.keys().map(String::as_str).collect();
        if names != TOP_LEVEL_ROLES.into_iter().collect::<BTreeSet<_>>() {
            return Err(MetadataError::format(
                file,
                "roles must be exactly root, timestamp, snapshot and targets",
            ));
        }
        for (name, role) in &self.roles {
            check_role_keys(file, name, &role.keyids, role.threshold)?;
        }
        Ok(())
    }
}

impl RoleType for Timestamp {
    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }
    const TYPE: &'static str = "timestamp";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, file: &str) -> Result<(), MetadataError> {
        let meta = self
            .snapshot_meta()
            .ok_or_else(|| MetadataError::format(file, "meta has no snapshot.json entry"))?;
        check_meta(file, "snapshot.json", meta)
    }
}

impl RoleType for Snapshot {
    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }
    const TYPE: &'static str = "snapshot";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, file: &str) -> Result<(), MetadataError> {
        self.meta
            .iter()
            .try_for_each(|(name, meta)| check_meta(file, name, meta))
    }
}

impl RoleType for Targets {
    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }
    const TYPE: &'static str = "targets";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, file: &str) -> Result<(), MetadataError> {
        for (path, target) in &self.targets {
            check_hashes(file, path, &target.hashes)?;
        }
        let Some(delegations) = &self.delegations else {
            return Ok(());
        };
        check_keys(file, &delegations.keys)?;
        match (&delegations.roles, &delegations.succinct_roles) {
            (Some(roles), None) => {
                if roles.len() > MAX_DELEGATED_ROLES {
                    return Err(MetadataError::format(
                        file,
                        format!("more than {MAX_DELEGATED_ROLES} delegated roles"),
                    ));
                }
                let mut names = BTreeSet::new();
                for role in roles {
                    if TOP_LEVEL_ROLES.contains(&role.name.as_str()) {
                        return Err(MetadataError::format(
                            file,
                            format!("delegated role uses top-level name {:?}", role.name),
                        ));
                    }
                    if !names.insert(role.name.as_str()) {
                        return Err(MetadataError::format(
                            file,
                            format!("duplicate delegated role {:?}", role.name),
                        ));
                    }
                    check_role_keys(file, &role.name, &role.keyids, role.threshold)?;
                    if role.paths.is_some() == role.path_hash_prefixes.is_some() {
                        return Err(MetadataError::format(
                            file,
                            format!(
                                "delegated role {:?}: exactly one of paths and path_hash_prefixes is required",
                                role.name
                            ),
                        ));
                    }
                }
                Ok(())
            }
            (None, Some(succinct)) => {
                check_role_keys(file, "succinct_roles", &succinct.keyids, succinct.threshold)?;
                if !(1..=32).contains(&succinct.bit_length) {
                    return Err(MetadataError::format(
                        file,
                        "succinct_roles: bit_length must be 1 to 32",
                    ));
                }
                Ok(())
            }
            _ => Err(MetadataError::format(
                file,
                "delegations: exactly one of roles and succinct_roles is required",
            )),
        }
    }
}

/// A metadata file parsed (not verified): signatures, canonical signed bytes, payload.
#[derive(Debug, Clone)]
pub(crate) struct Parsed<T> {
    pub(crate) signatures: Vec<Signature>,
    pub(crate) canonical_signed: Vec<u8>,
    pub(crate) signed: T,
}

impl<T: RoleType> Parsed<T> {
    /// Parses `bytes` (named `file` in errors) as a role of type `T`.
    pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Self, MetadataError> {
        let json = Json::parse(bytes).map_err(|e| MetadataError::Json {
            file: file.to_owned(),
            reason: e.to_string(),
        })?;
        let Json::Obj(top) = &json else {
            return Err(MetadataError::format(file, "not a JSON object"));
        };
        let signed_json = top
            .get("signed")
            .ok_or_else(|| MetadataError::format(file, "missing \"signed\""))?;
        let signatures_json = top
            .get("signatures")
            .ok_or_else(|| MetadataError::format(file, "missing \"signatures\""))?;
        let found_type = match signed_json.get("_type") {
            Some(Json::Str(t)) => t.clone(),
            _ => return Err(MetadataError::format(file, "missing or invalid \"_type\"")),
        };
        if found_type != T::TYPE {
            return Err(MetadataError::WrongType {
                file: file.to_owned(),
                expected: T::TYPE,
                found: found_type,
            });
        }
        let typed = |j: &Json, what: &str| -> Result<serde_json::Value, MetadataError> {
            j.to_value()
                .map_err(|e| MetadataError::format(file, format!("{what}: {e}")))
        };
        let signatures: Vec<Signature> =
            serde_json::from_value(typed(signatures_json, "signatures")?)
                .map_err(|e| MetadataError::format(file, format!("signatures: {e}")))?;
        if signatures.len() > MAX_SIGNATURES {
            return Err(MetadataError::format(
                file,
                format!("more than {MAX_SIGNATURES} signatures"),
            ));
        }
        if let Some(dup) = duplicate_key_id(signatures.iter().map(|s| s.keyid.as_str())) {
            return Err(MetadataError::format(
                file,
                format!(
                    "multiple signatures with key id {dup} (key ids are compared ignoring letter case)"
                ),
            ));
        }
        let mut signed: T = serde_json::from_value(typed(signed_json, "signed")?)
            .map_err(|e| MetadataError::format(file, format!("signed: {e}")))?;
        {
            let common = signed.common_mut();
            check_spec_version(file, &common.spec_version)?;
            if common.version < 1 {
                return Err(MetadataError::format(file, "version must be at least 1"));
            }
            common.expires_unix = expiry::parse_expires(&common.expires).ok_or_else(|| {
                MetadataError::format(file, format!("invalid expires {:?}", common.expires))
            })?;
        }
        signed.validate(file)?;
        Ok(Parsed {
            signatures,
            canonical_signed: signed_json.canonical(),
            signed,
        })
    }

    /// The version in the payload.
    pub(crate) fn version(&self) -> u64 {
        self.signed.common().version
    }

    /// Checks that at least `role.threshold` distinct keys among `role.keyids` (looked up in
    /// `keys`, key ids as given) signed the canonical payload. Distinct means distinct key
    /// material ([`KeyIdentity`]): one key listed under several key ids, in whatever
    /// encoding, counts once.
    pub(crate) fn verify_threshold(
        &self,
        keys: &BTreeMap<String, Key>,
        keyids: &[String],
        threshold: u64,
        file: &str,
        role: &str,
        delegator: &str,
    ) -> Result<(), UpdateError> {
        let mut valid: u64 = 0;
        // Key ids are unique per role and signatures unique per key id, letter case ignored
        // (checked when parsing); the keys themselves are compared decoded, so one key
        // holder never meets a threshold of two.
        let mut counted: Vec<KeyIdentity> = Vec::new();
        for keyid in keyids {
            let Some(verifier) = keys.get(keyid).and_then(Key::verifier) else {
                continue;
            };
            if counted.contains(verifier.identity()) {
                continue;
            }
            let Some(sig) = self.signatures.iter().find(|s| &s.keyid == keyid) else {
                continue;
            };
            if verifier.verify(&self.canonical_signed, &sig.sig) {
                counted.push(verifier.identity().clone());
                valid = valid.saturating_add(1);
                if valid >= threshold {
                    return Ok(());
                }
            }
        }
        Err(UpdateError::Threshold {
            file: file.to_owned(),
            role: role.to_owned(),
            version: self.version(),
            delegator: delegator.to_owned(),
            valid,
            threshold,
        })
    }
}

/// `spec_version` must be `MAJOR.MINOR[.PATCH]` (digits) with major version 1.
fn check_spec_version(file: &str, spec_version: &str) -> Result<(), MetadataError> {
    let parts: Vec<&str> = spec_version.split('.').collect();
    let well_formed = (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(MetadataError::format(
            file,
            format!("invalid spec_version {spec_version:?}"),
        ));
    }
    if parts.first() != Some(&"1") {
        return Err(MetadataError::format(
            file,
            format!("unsupported spec_version {spec_version:?}"),
        ));
    }
    Ok(())
}
