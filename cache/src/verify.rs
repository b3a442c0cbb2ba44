//! Offline verification of a cached repository: pure (bytes and the time in, a report out;
//! no clock, no network, no files).
//!
//! The TUF client workflow is replayed over the cached bytes, starting from the anchor the
//! user trusted: every root of the rotation chain, then timestamp, snapshot and top-level
//! targets (signatures by threshold, versions, lengths and hashes named by the referrer),
//! then each cached target against the trusted targets metadata, looked up through the
//! delegation graph with the online client's own search over the cached delegated roles (a
//! role the search reaches that is not cached fails the target's check). Expiry is judged
//! separately, per role, at the verification time, so that an expired cache fails on a
//! check of its own (`tuf.ROLE.expiry`) and `--allow-expired-cache` can waive exactly that.
//!
//! To judge expiry separately, the workflow runs at the *structural time*: the verification
//! time, or one second before the earliest `expires` among the files if that is earlier.
//! The workflow reads the clock only to test expiry, so this changes nothing else; the
//! expiry checks then use the verified versions and expiry dates, at the verification time.

use crate::checks;
use crate::repo::{CachedRepo, RoleRecord, SIGSTORE_TRUSTED_ROOT};
use plugin_api::{Insecure, Report, ReportBuilder, VerificationTime};
use plugin_tuf::{RoleFacts, TrustedSet, UpdateError};
use std::collections::{BTreeMap, BTreeSet};

/// The plugin name in reports.
pub const PLUGIN: &str = "offline-cache";

/// The result of verifying a cached repository.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The report (ok or not).
    pub report: Report,
    /// Versions and expiry of the trusted top-level roles (empty unless the metadata
    /// verified).
    pub roles: Vec<RoleRecord>,
    /// Target files that matched the trusted targets metadata, by target path.
    pub targets: BTreeMap<String, Vec<u8>>,
}

/// A failed structural step: the check id and what happened.
struct Failure {
    id: String,
    detail: String,
}

/// The top-level role a metadata file name stands for (`3.root.json` → `root`); delegated
/// roles count as `targets`.
pub(crate) fn role_of_file(file: &str) -> &'static str {
    let base = file.rsplit('/').next().unwrap_or(file);
    let stem = base.strip_suffix(".json").unwrap_or(base);
    let stem = match stem.split_once('.') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => stem,
    };
    match stem {
        "root" => "root",
        "timestamp" => "timestamp",
        "snapshot" => "snapshot",
        _ => "targets",
    }
}

fn top_level(role: &str) -> &'static str {
    match role {
        "root" => "root",
        "timestamp" => "timestamp",
        "snapshot" => "snapshot",
        _ => "targets",
    }
}

/// The check an update error fails, given the role whose file was being verified.
pub(crate) fn check_for(err: &UpdateError, stage: &str) -> String {
    let stage = top_level(stage);
    match err {
        UpdateError::Expired { role, .. } => checks::role_check(top_level(role), "expiry"),
        UpdateError::Rollback { .. } | UpdateError::RemovedFromSnapshot { .. } => {
            checks::role_check(stage, "rollback")
        }
        UpdateError::VersionMismatch { .. }
        | UpdateError::LengthMismatch { .. }
        | UpdateError::HashMismatch { .. }
        | UpdateError::UnsupportedHash { .. }
        | UpdateError::NotInSnapshot { .. } => checks::role_check(stage, "consistency"),
        _ => checks::role_check(stage, "signatures"),
    }
}

/// A check-id segment for a target path (`trusted_root.json` → `trusted-root-json`).
pub fn target_check_id(target: &str) -> String {
    let mut slug = String::new();
    for c in target.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(100).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{}unnamed", checks::TARGET_PREFIX)
    } else {
        format!("{}{slug}", checks::TARGET_PREFIX)
    }
}

/// The `expires` of a metadata file, read without verification (only to pick the
/// structural time; see the module documentation).
fn unverified_expiry(data: &[u8]) -> Option<i64> {
    let v: serde_json::Value = plugin_api::json::from_slice(data).ok()?;
    plugin_api::time::parse_rfc3339_utc(v.get("signed")?.get("expires")?.as_str()?)
}

/// Verifies `repo` at `now`. `insecure` may hold [`Insecure::AllowExpiredCache`], which
/// waives (loudly) the expiry checks that fail; nothing else is waived.
pub fn verify_repo(
    repo: &CachedRepo,
    now: VerificationTime,
    insecure: &[Insecure],
) -> Verification {
    verify_repo_against(PLUGIN, repo, now, insecure, None)
}

/// The state a new one replaces (import into an existing cache): what must not go back.
pub(crate) struct Previous<'a> {
    /// Versions of the top-level roles the cache trusts now (no rollback below them).
    pub(crate) roles: &'a [RoleRecord],
    /// Targets the cache holds now (the new state must hold each of them too).
    pub(crate) targets: &'a [String],
}

/// Why a target is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Required {
    /// `state.json` records it.
    Recorded,
    /// The state being replaced holds it (import): a new state must not drop it.
    HeldBefore,
    /// The repository's trust-root target (`trusted_root.json`), listed by the trusted
    /// metadata: a cache of a repository that serves it must hold it, whatever `state.json`
    /// says (that file is not signed).
    TrustRoot,
}

impl Required {
    fn missing(self, target: &str) -> String {
        match self {
            Required::Recorded => format!("{target}: not in the cache"),
            Required::HeldBefore => format!(
                "{target}: held by the cache now but missing from the new state (a stripped or damaged archive); a cache never drops a target it holds"
            ),
            Required::TrustRoot => format!(
                "{target}: listed by the trusted targets metadata but not in the cache, and state.json does not record it (a stripped or damaged cache); warm or import again"
            ),
        }
    }
}

/// [`verify_repo`], plus, against a previously trusted state when there is one (import into
/// an existing cache): rollback checks (`tuf.ROLE.rollback`) and a check of every target
/// that state holds (`tuf.target.NAME`: a new state must not drop one).
pub(crate) fn verify_repo_against(
    plugin: &str,
    repo: &CachedRepo,
    now: VerificationTime,
    insecure: &[Insecure],
    previous: Option<&Previous<'_>>,
) -> Verification {
    let allow_expired = insecure.contains(&Insecure::AllowExpiredCache);
    let modes: Vec<Insecure> = if allow_expired {
        vec![Insecure::AllowExpiredCache]
    } else {
        Vec::new()
    };
    let newest_root = repo.roots.values().next_back().unwrap_or(&repo.anchor);
    let earliest = [newest_root, &repo.timestamp, &repo.snapshot, &repo.targets]
        .into_iter()
        .chain(repo.delegated.values())
        .filter_map(|d| unverified_expiry(d))
        .min();
    let structural_time = match (earliest, i64::try_from(now.unix_seconds())) {
        (Some(e), Ok(n)) if e <= n => {
            VerificationTime::from_unix_seconds(u64::try_from(e.saturating_sub(1)).unwrap_or(0))
        }
        _ => now,
    };

    let mut b = Report::builder(plugin)
        .subject(format!(
            "TUF repository `{}` ({})",
            repo.state.name, repo.state.metadata_url
        ))
        .verified_at(now)
        .insecure_modes(&modes);
    let mut planned: Vec<String> = checks::REPOSITORY.iter().map(|s| (*s).to_owned()).collect();
    let mut target_ids: Vec<(String, String, Required)> = Vec::new();
    let mut used = BTreeSet::new();
    let mut check_id = |t: &str| {
        let base = target_check_id(t);
        let mut id = base.clone();
        let mut n = 1usize;
        while !used.insert(id.clone()) {
            n = n.saturating_add(1);
            id = format!("{base}-{n}");
        }
        id
    };
    let held_before = previous
        .map(|p| p.targets)
        .unwrap_or_default()
        .iter()
        .filter(|t| !repo.state.targets.contains(t))
        .map(|t| (t, Required::HeldBefore));
    for (t, why) in repo
        .state
        .targets
        .iter()
        .map(|t| (t, Required::Recorded))
        .chain(held_before)
    {
        let id = check_id(t);
        target_ids.push((t.clone(), id.clone(), why));
        planned.push(id);
    }

    let mut passes: Vec<(String, String)> = Vec::new();
    let structural = replay(repo, structural_time, &mut passes);
    let mut done: BTreeSet<String> = BTreeSet::new();
    for (id, detail) in passes {
        done.insert(id.clone());
        b = b.pass(id, detail);
    }
    let mut roles = Vec::new();
    let mut verified_targets = BTreeMap::new();
    match structural {
        Err(f) => {
            done.insert(f.id.clone());
            let failed = f.id.clone();
            b = b.fail(f.id, f.detail);
            for id in planned.iter().filter(|id| !done.contains(*id)) {
                b = b.skip(id, format!("not reached: {failed} failed"));
            }
        }
        Ok(mut set) => {
            let facts = set.role_facts();
            for f in facts.iter().filter(|f| {
                matches!(
                    f.role.as_str(),
                    "root" | "timestamp" | "snapshot" | "targets"
                )
            }) {
                b = expiry_check(b, f, now, allow_expired);
                b = b.output(format!("{}_version", f.role), f.version);
                b = b.output(format!("{}_expires", f.role), f.expires.clone());
                roles.push(RoleRecord {
                    role: f.role.clone(),
                    version: f.version,
                    expires: f.expires.clone(),
                    expires_unix: f.expires_unix,
                });
            }
            if let Some(previous) = previous {
                for old in previous.roles {
                    let Some(new) = facts.iter().find(|f| f.role == old.role) else {
                        continue;
                    };
                    let id = checks::role_check(top_level(&old.role), "rollback");
                    b = if new.version >= old.version {
                        b.pass(
                            id,
                            format!(
                                "{} v{} is not older than the cached v{}",
                                old.role, new.version, old.version
                            ),
                        )
                    } else {
                        b.fail(
                            id,
                            format!(
                                "{} version rolled back from the cached v{} to v{}",
                                old.role, old.version, new.version
                            ),
                        )
                    };
                }
            }
            let max_delegations = plugin_tuf::UpdaterConfig::default().max_delegations;
            let local = |role: &str| repo.delegated.get(&plugin_tuf::urls::quote(role)).cloned();
            // The trust-root target is required whenever the trusted metadata lists it (a
            // lookup that fails counts as listed: its check then fails on the lookup).
            if !target_ids.iter().any(|(t, ..)| t == SIGSTORE_TRUSTED_ROOT)
                && !matches!(
                    set.find_target_offline(SIGSTORE_TRUSTED_ROOT, max_delegations, local),
                    Ok(None)
                )
            {
                let id = check_id(SIGSTORE_TRUSTED_ROOT);
                target_ids.push((SIGSTORE_TRUSTED_ROOT.to_owned(), id, Required::TrustRoot));
            }
            for (target, id, why) in &target_ids {
                let data = repo.target_files.get(target);
                // The same delegation search as the online client, over cached metadata only.
                let found = set.find_target_offline(target, max_delegations, local);
                match (found, data) {
                    (Err(e), _) => b = b.fail(id, format!("{target}: lookup failed: {e}")),
                    (Ok(None), _) => {
                        b = b.fail(
                            id,
                            format!(
                                "{target}: not listed by any trusted targets role the delegation search reached"
                            ),
                        )
                    }
                    (Ok(Some(_)), None) => b = b.fail(id, why.missing(target)),
                    (Ok(Some(info)), Some(data)) => match info.verify(data) {
                        Ok(()) => {
                            let sha = info.hashes().get("sha256").cloned().unwrap_or_default();
                            b = b.pass(
                                id,
                                format!(
                                    "{target}: {} bytes, length and every listed hash match (sha256 {sha})",
                                    info.length()
                                ),
                            );
                            verified_targets.insert(target.clone(), data.clone());
                        }
                        Err(e) => b = b.fail(id, format!("{target}: {e}")),
                    },
                }
            }
            let delegated: Vec<RoleFacts> = set
                .role_facts()
                .into_iter()
                .filter(|f| {
                    !matches!(
                        f.role.as_str(),
                        "root" | "timestamp" | "snapshot" | "targets"
                    )
                })
                .collect();
            if !delegated.is_empty() {
                b = delegations_expiry_check(b, &delegated, now, allow_expired);
            }
        }
    }
    let report = b.finish();
    if !report.ok() {
        verified_targets.clear();
    }
    Verification {
        report,
        roles,
        targets: verified_targets,
    }
}

/// `tuf.delegations.expiry`: the delegated roles the lookups used, at the verification time
/// (waivable like the top-level expiry checks).
fn delegations_expiry_check(
    b: ReportBuilder,
    roles: &[RoleFacts],
    now: VerificationTime,
    allow_expired: bool,
) -> ReportBuilder {
    let id = checks::DELEGATIONS_EXPIRY;
    let now_s = i64::try_from(now.unix_seconds()).unwrap_or(i64::MAX);
    let expired: Vec<String> = roles
        .iter()
        .filter(|f| now_s >= f.expires_unix)
        .map(|f| format!("{} v{} expired at {}", f.role, f.version, f.expires))
        .collect();
    if expired.is_empty() {
        let list: Vec<String> = roles
            .iter()
            .map(|f| format!("{} v{} expires {}", f.role, f.version, f.expires))
            .collect();
        return b.pass(id, format!("delegated roles used: {}", list.join(", ")));
    }
    let what = format!(
        "{} (verification time {})",
        expired.join(", "),
        now.to_rfc3339()
    );
    if allow_expired {
        b.skip_waived(
            id,
            format!("{what}; accepted because --allow-expired-cache was given"),
            Insecure::AllowExpiredCache,
        )
    } else {
        b.fail(
            id,
            format!("{what}; warm the cache again, or pass --allow-expired-cache to accept it"),
        )
    }
}

fn expiry_check(
    b: ReportBuilder,
    f: &RoleFacts,
    now: VerificationTime,
    allow_expired: bool,
) -> ReportBuilder {
    let id = checks::role_check(&f.role, "expiry");
    let now_s = i64::try_from(now.unix_seconds()).unwrap_or(i64::MAX);
    if now_s < f.expires_unix {
        let days = (f.expires_unix - now_s) / 86_400;
        return b.pass(
            id,
            format!(
                "{} v{} expires {} (in {days} days)",
                f.role, f.version, f.expires
            ),
        );
    }
    let what = format!(
        "{} v{} expired at {} (verification time {})",
        f.role,
        f.version,
        f.expires,
        now.to_rfc3339()
    );
    if allow_expired {
        b.skip_waived(
            id,
            format!("{what}; accepted because --allow-expired-cache was given"),
            Insecure::AllowExpiredCache,
        )
    } else {
        b.fail(
            id,
            format!("{what}; warm the cache again, or pass --allow-expired-cache to accept it"),
        )
    }
}

/// The TUF workflow over the cached bytes at `time`, recording passed checks.
fn replay(
    repo: &CachedRepo,
    time: VerificationTime,
    passes: &mut Vec<(String, String)>,
) -> Result<TrustedSet, Failure> {
    let fail = |stage: &str| {
        let stage = stage.to_owned();
        move |e: UpdateError| Failure {
            id: check_for(&e, &stage),
            detail: e.to_string(),
        }
    };
    let mut set = TrustedSet::new(&repo.anchor, time).map_err(|e| Failure {
        id: checks::ROOT_SIGNATURES.to_owned(),
        detail: format!("anchor root: {e}"),
    })?;
    let anchor_version = set.root_version();
    for data in repo.roots.values() {
        set.update_root(data).map_err(fail("root"))?;
    }
    passes.push((
        checks::ROOT_SIGNATURES.to_owned(),
        format!(
            "root v{anchor_version} (anchor) to v{}: each version signed by a threshold of the previous and of its own root keys",
            set.root_version()
        ),
    ));
    set.update_timestamp(&repo.timestamp)
        .map_err(fail("timestamp"))?;
    passes.push((
        checks::TIMESTAMP_SIGNATURES.to_owned(),
        "timestamp signed by a threshold of the root's timestamp keys".to_owned(),
    ));
    set.update_snapshot(&repo.snapshot, false)
        .map_err(fail("snapshot"))?;
    passes.push((
        checks::SNAPSHOT_CONSISTENCY.to_owned(),
        "snapshot length, hashes and version are those the timestamp names".to_owned(),
    ));
    passes.push((
        checks::SNAPSHOT_SIGNATURES.to_owned(),
        "snapshot signed by a threshold of the root's snapshot keys".to_owned(),
    ));
    set.update_targets(&repo.targets, "targets", "root")
        .map_err(fail("targets"))?;
    passes.push((
        checks::TARGETS_CONSISTENCY.to_owned(),
        "targets length, hashes and version are those the snapshot names".to_owned(),
    ));
    passes.push((
        checks::TARGETS_SIGNATURES.to_owned(),
        "targets signed by a threshold of the root's targets keys".to_owned(),
    ));
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_roles_and_target_ids() {
        assert_eq!(role_of_file("3.root.json"), "root");
        assert_eq!(role_of_file("timestamp.json"), "timestamp");
        assert_eq!(role_of_file("7.snapshot.json"), "snapshot");
        assert_eq!(role_of_file("7.targets.json"), "targets");
        assert_eq!(role_of_file("2.team.json"), "targets");
        assert_eq!(
            target_check_id("trusted_root.json"),
            "tuf.target.trusted-root-json"
        );
        assert_eq!(target_check_id("__"), "tuf.target.unnamed");
        assert!(plugin_api::is_valid_check_id(&target_check_id("A/b..c_")));
    }
}
