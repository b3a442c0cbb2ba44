//! One cached TUF repository as bytes (not yet verified) and its bookkeeping file.
//!
//! The same relative layout is used on disk (inside a generation directory) and inside an
//! export archive (under `tuf/NAME/`):
//!
//! ```text
//! state.json                 bookkeeping (URLs, targets, last refresh, facts recorded then)
//! anchor.json                the initial root the user trusted (warm --root / import --root)
//! roots/N.root.json          every root after the anchor, as served (the rotation chain)
//! metadata/root.json         the newest root (the TUF client's working copy)
//! metadata/timestamp.json    \
//! metadata/snapshot.json      > the newest verified metadata, as served
//! metadata/targets.json      /
//! metadata/QUOTED-ROLE.json  each delegated targets role the lookups of the targets used
//! targets/QUOTED-NAME        each requested target, verified against targets metadata
//! ```

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest root file accepted (as plugin-tuf's updater).
pub const MAX_ROOT_LEN: u64 = 512_000;
/// Largest timestamp file accepted.
pub const MAX_TIMESTAMP_LEN: u64 = 16_384;
/// Largest snapshot file accepted.
pub const MAX_SNAPSHOT_LEN: u64 = 2_000_000;
/// Largest top-level targets file accepted.
pub const MAX_TARGETS_LEN: u64 = 5_000_000;
/// Largest `state.json` accepted.
pub const MAX_STATE_LEN: u64 = 1 << 20;
/// Largest cached target file accepted (trust roots are kilobytes).
pub const MAX_TARGET_FILE_LEN: u64 = 64 << 20;
/// Most root versions kept in a chain.
pub const MAX_ROOTS: usize = 1024;
/// Most targets cached per repository.
pub const MAX_TARGETS: usize = 64;
/// Most delegated targets roles kept (the TUF client visits at most 32 per lookup).
pub const MAX_DELEGATED_ROLES: usize = 256;
/// The format number written in `state.json`.
pub const STATE_FORMAT: u32 = 1;

/// The target a Sigstore TUF repository serves its trusted root under.
pub const SIGSTORE_TRUSTED_ROOT: &str = "trusted_root.json";

/// Version and expiry of one role, as recorded when the cache was last written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRecord {
    /// `root`, `timestamp`, `snapshot` or `targets`.
    pub role: String,
    /// Its version.
    pub version: u64,
    /// Its expiry as written in the metadata.
    pub expires: String,
    /// Its expiry in Unix seconds.
    pub expires_unix: i64,
}

/// `state.json`: what was cached, from where, and when. Informational: verification never
/// trusts it (URLs and facts are re-derived from verified metadata).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// [`STATE_FORMAT`].
    pub format: u32,
    /// The repository name (`sigstore`).
    pub name: String,
    /// Where metadata was fetched from.
    pub metadata_url: String,
    /// Where targets were fetched from.
    pub targets_url: String,
    /// When the cache was last written (Unix seconds): the warm or import time.
    pub last_refresh: u64,
    /// How it was last written: `warm` or `import`.
    pub source: String,
    /// The targets cached, by TUF target path.
    pub targets: Vec<String>,
    /// Versions and expiry of the top-level roles at `last_refresh`, after verification.
    pub roles: Vec<RoleRecord>,
}

/// One repository's cached files, read with size budgets but not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedRepo {
    /// The bookkeeping file.
    pub state: State,
    /// The initial trusted root.
    pub anchor: Vec<u8>,
    /// Roots after the anchor, by version.
    pub roots: BTreeMap<u64, Vec<u8>>,
    /// `timestamp.json`.
    pub timestamp: Vec<u8>,
    /// The snapshot.
    pub snapshot: Vec<u8>,
    /// The top-level targets metadata.
    pub targets: Vec<u8>,
    /// Delegated targets roles' metadata as served, by file stem (the percent-encoded role
    /// name, as plugin-tuf stores it: `metadata/STEM.json`). Not trusted by being here: an
    /// offline lookup verifies each role it reaches against the snapshot and its delegator.
    pub delegated: BTreeMap<String, Vec<u8>>,
    /// Target files by target path.
    pub target_files: BTreeMap<String, Vec<u8>>,
}

/// Whether `name` is a valid repository name.
pub fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidName {
            name: name.to_owned(),
        })
    }
}

/// The file name a target is stored under (percent-encoded, as plugin-tuf stores it).
pub fn target_file_name(target: &str) -> Result<String, Error> {
    let bad = |reason| Error::InvalidTarget {
        target: target.to_owned(),
        reason,
    };
    if target.is_empty() {
        return Err(bad("empty"));
    }
    let quoted = plugin_tuf::urls::quote(target);
    if quoted.len() > 255 {
        return Err(bad("longer than 255 bytes once percent-encoded"));
    }
    if quoted == "." || quoted == ".." {
        return Err(bad("not a file name"));
    }
    Ok(quoted)
}

/// What is wrong with a list of targets to cache (`Ok(None)`: nothing): a cache holds at
/// least one target (a repository cached without its targets vouches for nothing, and a
/// state that lists none is a damaged or stripped one), at most [`MAX_TARGETS`], each once,
/// each with a valid name ([`target_file_name`], whose error is returned as is).
pub(crate) fn target_list_problem(targets: &[String]) -> Result<Option<String>, Error> {
    if targets.is_empty() {
        return Ok(Some(
            "lists no targets (a cache holds at least one)".to_owned(),
        ));
    }
    if targets.len() > MAX_TARGETS {
        return Ok(Some(format!("more than {MAX_TARGETS} targets")));
    }
    let mut files = std::collections::BTreeSet::new();
    for t in targets {
        if !files.insert(target_file_name(t)?) {
            return Ok(Some(format!("target `{t}` listed twice")));
        }
    }
    Ok(None)
}

/// The stem of a delegated role's metadata file name `metadata/STEM.json`, if `name` is one
/// (not a top-level role's, not hidden).
pub(crate) fn delegated_stem(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".json")?;
    let ok = !stem.is_empty()
        && !stem.starts_with('.')
        && !matches!(stem, "root" | "timestamp" | "snapshot" | "targets")
        && !stem.contains(['/', '\\'])
        && stem.len() <= 255;
    ok.then_some(stem)
}

/// The root file name for `version` in `roots/`.
pub(crate) fn root_file_name(version: u64) -> String {
    format!("{version}.root.json")
}

/// The version a `roots/` file name stands for (`N.root.json`, N without leading zeros).
pub(crate) fn parse_root_file_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".root.json")?;
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok()
}

impl State {
    /// Parses `state.json` strictly.
    pub fn from_json(data: &[u8], origin: &str) -> Result<State, Error> {
        let state: State = plugin_api::json::from_slice(data)
            .map_err(|e| Error::corrupt(origin, format!("state.json: {e}")))?;
        if state.format != STATE_FORMAT {
            return Err(Error::corrupt(
                origin,
                format!("state.json: unsupported format {}", state.format),
            ));
        }
        check_name(&state.name)?;
        if let Some(problem) = target_list_problem(&state.targets)? {
            return Err(Error::corrupt(origin, format!("state.json: {problem}")));
        }
        Ok(state)
    }

    /// The JSON form (pretty, with a final newline).
    pub fn to_json(&self) -> Result<Vec<u8>, Error> {
        let mut out = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Internal(format!("cannot serialize state.json: {e}")))?;
        out.push(b'\n');
        Ok(out)
    }
}

impl CachedRepo {
    /// Every file of the repository, by relative path, in a stable order.
    pub fn to_files(&self) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let mut files = vec![
            ("state.json".to_owned(), self.state.to_json()?),
            ("anchor.json".to_owned(), self.anchor.clone()),
        ];
        for (version, data) in &self.roots {
            files.push((format!("roots/{}", root_file_name(*version)), data.clone()));
        }
        let newest_root = self
            .roots
            .values()
            .next_back()
            .unwrap_or(&self.anchor)
            .clone();
        files.push(("metadata/root.json".to_owned(), newest_root));
        files.push(("metadata/timestamp.json".to_owned(), self.timestamp.clone()));
        files.push(("metadata/snapshot.json".to_owned(), self.snapshot.clone()));
        files.push(("metadata/targets.json".to_owned(), self.targets.clone()));
        for (stem, data) in &self.delegated {
            files.push((format!("metadata/{stem}.json"), data.clone()));
        }
        for (target, data) in &self.target_files {
            files.push((
                format!("targets/{}", target_file_name(target)?),
                data.clone(),
            ));
        }
        Ok(files)
    }

    /// Assembles a repository from files by relative path (as read from an archive),
    /// refusing unknown paths, missing files and files over budget. `origin` names the
    /// source in errors.
    pub fn from_files(
        mut files: BTreeMap<String, Vec<u8>>,
        origin: &str,
    ) -> Result<CachedRepo, Error> {
        // The working copy of the newest root is derived, not trusted: it is rewritten.
        files.remove("metadata/root.json");
        let (state, anchor, timestamp, snapshot, targets, target_files) = {
            let mut take = |path: &str, limit: u64| -> Result<Vec<u8>, Error> {
                let data = files
                    .remove(path)
                    .ok_or_else(|| Error::corrupt(origin, format!("{path}: missing")))?;
                check_len(origin, path, &data, limit)?;
                Ok(data)
            };
            let state = State::from_json(&take("state.json", MAX_STATE_LEN)?, origin)?;
            let anchor = take("anchor.json", MAX_ROOT_LEN)?;
            let timestamp = take("metadata/timestamp.json", MAX_TIMESTAMP_LEN)?;
            let snapshot = take("metadata/snapshot.json", MAX_SNAPSHOT_LEN)?;
            let targets = take("metadata/targets.json", MAX_TARGETS_LEN)?;
            let mut target_files = BTreeMap::new();
            for target in &state.targets {
                let path = format!("targets/{}", target_file_name(target)?);
                target_files.insert(target.clone(), take(&path, MAX_TARGET_FILE_LEN)?);
            }
            (state, anchor, timestamp, snapshot, targets, target_files)
        };
        let mut roots = BTreeMap::new();
        let mut delegated = BTreeMap::new();
        for (path, data) in files {
            if let Some(stem) = path.strip_prefix("metadata/").and_then(delegated_stem) {
                check_len(origin, &path, &data, MAX_TARGETS_LEN)?;
                if delegated.len() >= MAX_DELEGATED_ROLES {
                    return Err(Error::corrupt(
                        origin,
                        format!("more than {MAX_DELEGATED_ROLES} delegated roles"),
                    ));
                }
                delegated.insert(stem.to_owned(), data);
                continue;
            }
            let version = path
                .strip_prefix("roots/")
                .and_then(parse_root_file_name)
                .ok_or_else(|| Error::corrupt(origin, format!("{path}: unexpected file")))?;
            check_len(origin, &path, &data, MAX_ROOT_LEN)?;
            if roots.len() >= MAX_ROOTS {
                return Err(Error::corrupt(
                    origin,
                    format!("more than {MAX_ROOTS} root versions"),
                ));
            }
            roots.insert(version, data);
        }
        Ok(CachedRepo {
            state,
            anchor,
            roots,
            timestamp,
            snapshot,
            targets,
            delegated,
            target_files,
        })
    }
}

fn check_len(origin: &str, path: &str, data: &[u8], limit: u64) -> Result<(), Error> {
    let size = u64::try_from(data.len()).unwrap_or(u64::MAX);
    if size > limit {
        return Err(Error::TooLarge {
            path: std::path::Path::new(origin).join(path),
            size,
            limit,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("sigstore").is_ok());
        assert!(check_name("a-1").is_ok());
        for bad in ["", "-a", "A", "a/b", "..", "a.b", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_root_file_name("12.root.json"), Some(12));
        for bad in [
            "012.root.json",
            ".root.json",
            "1.root.json.tmp",
            "x.root.json",
        ] {
            assert_eq!(parse_root_file_name(bad), None, "{bad}");
        }
        assert_eq!(target_file_name("a/b").unwrap(), "a%2Fb");
        assert!(target_file_name("..").is_err());
        assert!(target_file_name("").is_err());
    }
}
