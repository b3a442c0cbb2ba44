//! `cache export` / `cache import`: one repository as a deterministic `.tgz`
//! (`tuf/NAME/...`, see `repo` for the layout), with the cached CRLs (`crls/sha256-HEX.crl`,
//! see `crls`).
//!
//! Import never unpacks with the tar library: entries are read into memory under budgets
//! (compressed size, decompressed size, entry count, per-file sizes), every path is checked
//! against the expected layout, only regular files and directories are accepted (no links,
//! devices, FIFOs or global headers), duplicates are refused, and then the whole repository
//! is re-verified from a trust anchor the user holds (the cached anchor, or `--root`) before
//! a new generation is committed. Nothing is written unless it verified. CRLs are re-checked
//! (name, size, content hash, one DER CRL) and stored as `cache add-crl` stores them; they
//! carry no trust (their signatures are verified when `x509 verify` uses them).

use crate::crls::{crl_problem, read_cached_crls, store_crls, CRL_DIR, MAX_CACHED_CRLS};
use crate::error::Error;
use crate::layout::CacheDir;
use crate::repo::{check_name, CachedRepo, MAX_TARGET_FILE_LEN};
use crate::verify::{verify_repo_against, Previous};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use plugin_api::{Insecure, Report, VerificationTime};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Largest archive accepted, compressed and decompressed (256 MiB).
pub const MAX_ARCHIVE_BYTES: u64 = 256 << 20;
/// Most entries accepted in an archive (a repository's files, and up to 1 000 CRLs).
pub const MAX_ARCHIVE_ENTRIES: usize = 4096;
const MAX_PATH_LEN: usize = 1024;

/// Budgets for reading an export archive (documented defaults in [`ArchiveLimits::DEFAULT`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Largest archive, compressed and decompressed.
    pub bytes: u64,
    /// Most tar entries.
    pub entries: usize,
    /// Largest target file.
    pub target_bytes: u64,
    /// Largest CRL.
    pub crl_bytes: u64,
    /// Most CRLs.
    pub crls: usize,
}

impl ArchiveLimits {
    /// 256 MiB, 4 096 entries, 64 MiB per target, 1 MiB per CRL, 1 000 CRLs.
    pub const DEFAULT: ArchiveLimits = ArchiveLimits {
        bytes: MAX_ARCHIVE_BYTES,
        entries: MAX_ARCHIVE_ENTRIES,
        target_bytes: MAX_TARGET_FILE_LEN,
        crl_bytes: crate::crls::MAX_CRL_LEN,
        crls: MAX_CACHED_CRLS,
    };
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits::DEFAULT
    }
}

/// Writes repository `name` of `cache`, and every cached CRL, to `out` (atomically: temp
/// file, sync, rename). Deterministic: sorted entries, fixed modes, owners and times. A
/// damaged cached CRL is an error (nothing is written).
pub fn export(cache: &CacheDir, name: &str, out: &Path) -> Result<(), Error> {
    check_name(name)?;
    let repo = cache.load(name)?;
    let mut files: Vec<(String, Vec<u8>)> = repo
        .to_files()?
        .into_iter()
        .map(|(rel, data)| (format!("tuf/{name}/{rel}"), data))
        .collect();
    for (crl, der) in read_cached_crls(cache.path())? {
        files.push((format!("{CRL_DIR}/{crl}"), der));
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = out
        .file_name()
        .ok_or_else(|| Error::corrupt(out, "not a file name"))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = write_archive(&tmp, &files).and_then(|()| {
        std::fs::rename(&tmp, out).map_err(Error::io(out, "rename temporary archive to"))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    crate::fsutil::sync_dir(&dir);
    Ok(())
}

/// Repository `name` of `cache` as an export archive in memory, without CRLs: what the
/// `tuf` plugin reads through the offline cache (key `tuf/NAME/repository.tgz`).
pub fn export_repository(cache: &CacheDir, name: &str) -> Result<Vec<u8>, Error> {
    check_name(name)?;
    let repo = cache.load(name)?;
    let files: Vec<(String, Vec<u8>)> = repo
        .to_files()?
        .into_iter()
        .map(|(rel, data)| (format!("tuf/{name}/{rel}"), data))
        .collect();
    let out = cache.path().join(format!("tuf/{name}"));
    let gz = GzEncoder::new(Vec::new(), Compression::fast());
    let gz = append_sorted(gz, &files, &out)?;
    gz.finish().map_err(Error::io(&out, "compress"))
}

fn append_sorted<W: std::io::Write>(
    w: W,
    files: &[(String, Vec<u8>)],
    at: &Path,
) -> Result<W, Error> {
    let mut builder = tar::Builder::new(w);
    builder.mode(tar::HeaderMode::Deterministic);
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (rel, data) in sorted {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(u64::try_from(data.len()).unwrap_or(u64::MAX));
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        builder
            .append_data(&mut header, rel, data.as_slice())
            .map_err(Error::io(at, "write"))?;
    }
    builder.into_inner().map_err(Error::io(at, "write"))
}

fn write_archive(tmp: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
    let file = File::create_new(tmp).map_err(Error::io(tmp, "create"))?;
    let gz = GzEncoder::new(file, Compression::default());
    let gz = append_sorted(gz, files, tmp)?;
    let file = gz.finish().map_err(Error::io(tmp, "write"))?;
    file.sync_all().map_err(Error::io(tmp, "sync"))
}

/// A reader that fails once more than `remaining` bytes are read (a decompression budget).
struct Budget<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = u64::try_from(n).unwrap_or(u64::MAX);
        if n64 > self.remaining {
            return Err(std::io::Error::other(format!(
                "decompressed size exceeds {MAX_ARCHIVE_BYTES} bytes"
            )));
        }
        self.remaining -= n64;
        Ok(n)
    }
}

/// Why `path` is not a safe relative archive path, or `None`.
fn path_problem(path: &str) -> Option<&'static str> {
    if path.len() > MAX_PATH_LEN {
        return Some("path longer than 1024 bytes");
    }
    if path.starts_with('/') {
        return Some("absolute path");
    }
    if path.contains('\\') || path.contains('\0') {
        return Some("backslash or NUL in path");
    }
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    for seg in trimmed.split('/') {
        if seg.is_empty() {
            return Some("empty path segment");
        }
        if seg == "." || seg == ".." {
            return Some("`.` or `..` path segment");
        }
    }
    None
}

/// Parses an export archive (gzip-compressed tar) from `reader` into an unverified
/// [`CachedRepo`], with every budget and path rule of [`import`]; `archive` names it in
/// errors. Nothing is written and nothing is verified (that is [`import`]'s next step).
pub fn parse_archive(reader: impl Read, archive: &Path) -> Result<CachedRepo, Error> {
    parse_archive_limited(reader, archive, &ArchiveLimits::DEFAULT)
}

/// [`parse_archive`] under `limits` (which must not exceed the defaults to be importable).
pub fn parse_archive_limited(
    reader: impl Read,
    archive: &Path,
    limits: &ArchiveLimits,
) -> Result<CachedRepo, Error> {
    parse_with_crls(reader, archive, limits).map(|(repo, _)| repo)
}

/// [`parse_archive`], also returning the archive's CRLs (name, DER), each already checked
/// (name form, size, content hash, one DER CRL).
pub fn parse_archive_with_crls(
    reader: impl Read,
    archive: &Path,
) -> Result<(CachedRepo, ArchiveCrls), Error> {
    parse_with_crls(reader, archive, &ArchiveLimits::DEFAULT)
}

fn parse_with_crls(
    reader: impl Read,
    archive: &Path,
    limits: &ArchiveLimits,
) -> Result<(CachedRepo, ArchiveCrls), Error> {
    let (name, files, crls) = read_archive_from(reader, archive, limits)?;
    let repo = CachedRepo::from_files(files, &archive.display().to_string())?;
    if repo.state.name != name {
        return Err(Error::Archive {
            archive: archive.to_path_buf(),
            entry: format!("tuf/{name}/state.json"),
            reason: format!("names repository `{}`", repo.state.name),
        });
    }
    Ok((repo, crls))
}

/// The CRLs of an archive: file name (`sha256-HEX.crl`) and DER, each checked.
pub type ArchiveCrls = Vec<(String, Vec<u8>)>;

/// The archive's files: repository name, repository files, CRLs.
type ArchiveFiles = (String, BTreeMap<String, Vec<u8>>, ArchiveCrls);

fn read_archive_from(
    file: impl Read,
    archive: &Path,
    limits: &ArchiveLimits,
) -> Result<ArchiveFiles, Error> {
    let bad = |entry: &str, reason: String| Error::Archive {
        archive: archive.to_path_buf(),
        entry: entry.to_owned(),
        reason,
    };
    let reader = Budget {
        inner: GzDecoder::new(file.take(limits.bytes)),
        remaining: limits.bytes,
    };
    let mut tar = tar::Archive::new(reader);
    let mut name: Option<String> = None;
    let mut files = BTreeMap::new();
    let mut crls: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let entries = tar
        .entries()
        .map_err(|e| bad("-", format!("not a tar.gz archive: {e}")))?;
    for (count, entry) in entries.enumerate() {
        if count >= limits.entries {
            return Err(bad("-", format!("more than {} entries", limits.entries)));
        }
        let mut entry = entry.map_err(|e| bad("-", format!("unreadable entry: {e}")))?;
        let path = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| bad("-", "path is not UTF-8".to_owned()))?;
        if let Some(problem) = path_problem(&path) {
            return Err(bad(&path, problem.to_owned()));
        }
        let kind = entry.header().entry_type();
        let is_dir = match kind {
            tar::EntryType::Regular => false,
            tar::EntryType::Directory => true,
            other => {
                return Err(bad(
                    &path,
                    format!(
                        "entry type {other:?} is not allowed (only regular files and directories)"
                    ),
                ))
            }
        };
        let trimmed = path.strip_suffix('/').unwrap_or(&path);
        let mut parts = trimmed.splitn(3, '/');
        let (top, repo, rel) = (parts.next(), parts.next(), parts.next());
        if top == Some(CRL_DIR) {
            match (repo, rel, is_dir) {
                (None, None, true) => continue, // the `crls/` directory itself
                (Some(crl), None, false) => {
                    if crls.len() >= limits.crls {
                        return Err(bad(&path, format!("more than {} CRLs", limits.crls)));
                    }
                    let len = entry
                        .header()
                        .size()
                        .map_err(|e| bad(&path, e.to_string()))?;
                    if len > limits.crl_bytes {
                        return Err(bad(
                            &path,
                            format!("{len} bytes is larger than a CRL may be"),
                        ));
                    }
                    let data = plugin_api::bounded::read_to_end(&mut entry, limits.crl_bytes)
                        .map_err(|e| bad(&path, format!("unreadable: {}", e.into_io_error())))?;
                    if let Some(problem) = crl_problem(crl, &data) {
                        return Err(bad(&path, problem));
                    }
                    if crls.insert(crl.to_owned(), data).is_some() {
                        return Err(bad(&path, "duplicate entry".to_owned()));
                    }
                    continue;
                }
                _ => return Err(bad(&path, "not a CRL file directly under crls/".to_owned())),
            }
        }
        if top != Some("tuf") {
            return Err(bad(&path, "outside tuf/ and crls/".to_owned()));
        }
        let Some(repo) = repo else {
            continue; // the `tuf/` directory itself
        };
        check_name(repo).map_err(|e| bad(&path, e.to_string()))?;
        match &name {
            Some(n) if n != repo => {
                return Err(bad(
                    &path,
                    format!("a second repository (`{n}` and `{repo}`)"),
                ))
            }
            Some(_) => {}
            None => name = Some(repo.to_owned()),
        }
        if is_dir {
            continue;
        }
        let Some(rel) = rel else {
            return Err(bad(
                &path,
                "a file where the repository directory belongs".to_owned(),
            ));
        };
        let len = entry
            .header()
            .size()
            .map_err(|e| bad(&path, e.to_string()))?;
        if len > limits.target_bytes {
            return Err(bad(
                &path,
                format!(
                    "{len} bytes exceeds the limit of {} bytes",
                    limits.target_bytes
                ),
            ));
        }
        let data = plugin_api::bounded::read_to_end(&mut entry, limits.target_bytes)
            .map_err(|e| bad(&path, format!("unreadable: {}", e.into_io_error())))?;
        if files.insert(rel.to_owned(), data).is_some() {
            return Err(bad(&path, "duplicate entry".to_owned()));
        }
    }
    let name = name.ok_or_else(|| bad("-", "no repository in the archive".to_owned()))?;
    Ok((name, files, crls.into_iter().collect()))
}

/// The result of an import.
#[derive(Debug)]
pub struct ImportOutcome {
    /// The repository name found in the archive.
    pub name: String,
    /// The verification report of the imported state (with rollback checks against the
    /// cached state, if any).
    pub report: Report,
    /// Whether a new generation was committed (only if the report is ok).
    pub committed: bool,
    /// The archive's CRLs added to the cache (file names; only if the report is ok).
    pub crls_added: Vec<String>,
    /// The archive's CRLs the cache already held.
    pub crls_present: Vec<String>,
}

/// Imports an archive made by [`export`] into `cache` (see the module documentation).
/// `root` is the trust anchor for a repository not cached yet; for a cached one it must be
/// absent or equal to the cached anchor.
pub fn import(
    cache: &CacheDir,
    archive: &Path,
    root: Option<&[u8]>,
    now: VerificationTime,
    insecure: &[Insecure],
) -> Result<ImportOutcome, Error> {
    let file = File::open(archive).map_err(Error::io(archive, "open"))?;
    let size = file.metadata().map_err(Error::io(archive, "stat"))?.len();
    if size > MAX_ARCHIVE_BYTES {
        return Err(Error::TooLarge {
            path: archive.to_path_buf(),
            size,
            limit: MAX_ARCHIVE_BYTES,
        });
    }
    let (mut repo, crls) = parse_archive_with_crls(file, archive)?;
    let name = repo.state.name.clone();
    // Refuse before creating anything when there is nothing to anchor the import to.
    if root.is_none() && cache.current_generation(&name)?.is_none() {
        return Err(Error::NoAnchor { name });
    }
    let lock = cache.lock(&name)?;
    let existing = match cache.current_generation(&name)? {
        Some(gen) => Some(crate::layout::load_generation(&gen)?),
        None => None,
    };
    let anchor = match (&existing, root) {
        (Some(e), Some(r)) if e.anchor != r => {
            return Err(Error::AnchorMismatch {
                name,
                anchor: cache.repo_dir(&repo.state.name).join("current"),
            })
        }
        (Some(e), _) => e.anchor.clone(),
        (None, Some(r)) => r.to_vec(),
        (None, None) => return Err(Error::NoAnchor { name }),
    };
    // Re-anchor: the archive's own anchor is not trusted; roots up to ours are dropped.
    let anchor_version = plugin_api::json::from_slice::<serde_json::Value>(&anchor)
        .ok()
        .and_then(|v| v.get("signed")?.get("version")?.as_u64())
        .unwrap_or(0);
    repo.roots.retain(|v, _| *v > anchor_version);
    repo.anchor = anchor;
    // Against the cached state, if any: no rollback, and no target it holds dropped.
    let previous = existing.as_ref().map(|e| Previous {
        roles: &e.state.roles,
        targets: &e.state.targets,
    });
    let v = verify_repo_against(
        crate::verify::PLUGIN,
        &repo,
        now,
        insecure,
        previous.as_ref(),
    );
    if !v.report.ok() {
        return Ok(ImportOutcome {
            name,
            report: v.report,
            committed: false,
            crls_added: Vec::new(),
            crls_present: Vec::new(),
        });
    }
    // CRLs need no trust (each is verified against its issuer when used); they are stored
    // only with a repository that verified, so a refused archive writes nothing.
    let (crls_added, crls_present) = store_crls(cache.path(), &crls)?;
    repo.state.source = "import".to_owned();
    repo.state.roles = v.roles;
    let staging = cache.staging(&name, &lock)?;
    for (rel, data) in repo.to_files()? {
        staging.write(&rel, &data)?;
    }
    cache.commit(&name, staging, &lock)?;
    let report = if crls.is_empty() {
        v.report
    } else {
        v.report.amend(
            Report::builder(crate::verify::PLUGIN)
                .output("crls_added", crls_added.clone())
                .output("crls_already_cached", crls_present.clone()),
        )
    };
    Ok(ImportOutcome {
        name,
        report,
        committed: true,
        crls_added,
        crls_present,
    })
}

#[cfg(test)]
mod tests {
    use super::path_problem;

    #[test]
    fn unsafe_paths() {
        assert_eq!(path_problem("tuf/sigstore/state.json"), None);
        assert_eq!(path_problem("tuf/sigstore/"), None);
        for bad in ["/etc/passwd", "tuf/../x", "tuf/./x", "tuf//x", "tuf\\x", ""] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
    }
}
