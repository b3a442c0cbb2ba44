//! "This file is a verified target of a TUF repository", behind the `plugin_api::Plugin`
//! contract, from the offline cache.
//!
//! The request maps as follows:
//! - subject: the file's bytes;
//! - signature: a target reference, JSON `{"repository": "sigstore", "target":
//!   "trusted_root.json"}` (strict: unknown or duplicate members refused);
//! - offline cache: required; the plugin reads the repository as one export archive under the
//!   key `tuf/NAME/repository.tgz` ([`CacheDir`](crate::CacheDir) serves it from its current
//!   generation) and verifies it from the anchor the cache holds, at the request's time: the
//!   whole TUF client workflow of [`verify_repo`](crate::verify_repo), whose checks the report
//!   carries (`tuf.*`);
//! - trust roots: optionally one [`TrustRootKind::TufRoot`]: the cached anchor must be
//!   byte-for-byte that root (`tuf.anchor.pinned`);
//! - insecure modes: only `allow-expired-cache`.
//!
//! Then `tuf.subject.target`: the subject equals the verified target.

use crate::archive::{parse_archive_limited, ArchiveLimits};
use crate::verify::verify_repo_against;
use plugin_api::{
    CacheKey, Error, Insecure, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind,
    VerifyRequest,
};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// The plugin's name and check-id prefix.
pub const PLUGIN: &str = "tuf";
/// The cache key suffix of a repository's export archive.
pub const REPOSITORY_ARCHIVE: &str = "repository.tgz";
/// Budgets of the TUF target plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest target reference (the request's signature), in bytes.
    pub reference_bytes: usize,
    /// Budgets for the repository archive read from the cache.
    pub archive: ArchiveLimits,
}

impl Limits {
    /// A 4 KiB target reference; the archive budgets of [`ArchiveLimits::DEFAULT`].
    pub const DEFAULT: Limits = Limits {
        reference_bytes: 4096,
        archive: ArchiveLimits::DEFAULT,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// A target of a repository.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetRef {
    repository: String,
    target: String,
}

/// The TUF target verifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct TufTargetPlugin {
    /// Budgets.
    pub limits: Limits,
}

impl Plugin for TufTargetPlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "a file is a verified target of a TUF repository held in the offline cache (the whole TUF client workflow, offline)",
            subjects: &[SubjectKind::Bytes],
            signature: "a target reference, JSON {\"repository\": NAME, \"target\": PATH}",
            trust_roots: &[TrustRootKind::TufRoot],
            media_types: &[],
            policy: &[],
            certificates: false,
            revocation: false,
            insecure: &[Insecure::AllowExpiredCache],
            uses_signature: true,
            uses_cache: true,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        plugin_api::check_declared(&self.info(), req)?;
        let Subject::Bytes(subject) = req.subject() else {
            return Err(Error::malformed(
                "subject",
                "the subject must be the file's bytes",
            ));
        };
        let sig = req.signature();
        if sig.bytes().len() > self.limits.reference_bytes {
            return Err(Error::malformed(
                sig.name(),
                format!(
                    "target reference over {} bytes",
                    self.limits.reference_bytes
                ),
            ));
        }
        let reference: TargetRef = plugin_api::json::from_slice(sig.bytes())
            .map_err(|e| Error::malformed(sig.name(), e))?;
        crate::repo::check_name(&reference.repository)
            .map_err(|e| Error::malformed(sig.name(), e))?;
        let cache = req.cache().ok_or_else(|| {
            Error::malformed(
                "cache",
                "the tuf plugin reads the repository from the offline cache: none was given",
            )
        })?;
        let key = CacheKey::new(format!("tuf/{}/{REPOSITORY_ARCHIVE}", reference.repository))?;
        let archive = cache.get(&key)?.ok_or_else(|| {
            Error::malformed(
                "cache",
                format!(
                    "repository `{}` is not in {} (prov-verify cache warm or cache import)",
                    reference.repository,
                    cache.describe()
                ),
            )
        })?;
        let repo = parse_archive_limited(
            archive.as_slice(),
            Path::new(key.as_str()),
            &self.limits.archive,
        )
        .map_err(|e| Error::malformed(cache.describe(), e))?;
        let mut pinned = req.trust_roots().of_kind(TrustRootKind::TufRoot);
        let pinned_root = pinned.next();
        if let Some(extra) = pinned.next() {
            return Err(Error::malformed(
                extra.name(),
                "at most one tuf-root may be pinned",
            ));
        }
        let v = verify_repo_against(PLUGIN, &repo, req.time(), req.insecure(), None);
        let mut b = Report::builder(PLUGIN);
        if let Some(root) = pinned_root {
            b = if root.bytes() == repo.anchor.as_slice() {
                b.pass(
                    crate::checks::ANCHOR_PINNED,
                    format!("the cached anchor is {}", root.name()),
                )
            } else {
                b.fail(
                    crate::checks::ANCHOR_PINNED,
                    format!("the cached anchor is not {}", root.name()),
                )
            };
        }
        let id = crate::checks::SUBJECT_TARGET;
        let name = req.subject_name().unwrap_or("the subject");
        b = if !v.report.ok() {
            b.skip(id, "not reached: the repository did not verify")
        } else {
            match v.targets.get(&reference.target) {
                Some(t) if t.as_slice() == subject => b.pass(
                    id,
                    format!(
                        "{name} is target {} of repository `{}` (sha256 {})",
                        reference.target,
                        reference.repository,
                        hex::encode(Sha256::digest(subject))
                    ),
                ),
                Some(_) => b.fail(
                    id,
                    format!(
                        "{name} differs from target {} of repository `{}`",
                        reference.target, reference.repository
                    ),
                ),
                None => b.fail(
                    id,
                    format!(
                        "{} is not a cached target of repository `{}`",
                        reference.target, reference.repository
                    ),
                ),
            }
        };
        Ok(v.report.amend(b))
    }
}
