//! Reading an evidence folder: walking it, recognising each file's kind and validating it.

use crate::error::{io_error, BuildError};
use crate::index::EVIDENCE_PREFIX;
use crate::kind::Kind;
use crate::limits::Limits;
use crate::path::{pack_path_problem, PathTree, PathTreeError, MAX_PATH_LEN};
use crate::schema;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One evidence file found in the folder.
#[derive(Debug, Clone)]
pub(crate) struct EvidenceFile {
    /// Path relative to the evidence folder, `/`-separated.
    pub name: String,
    pub fs_path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub kind: Kind,
    /// Contents, for kinds that are parsed (JSON kinds, manifests and their signatures).
    pub data: Option<Vec<u8>>,
}

fn evidence_err(file: &str, field: &str, reason: impl Into<String>) -> BuildError {
    BuildError::Evidence {
        file: file.to_owned(),
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// Walks `dir` (sorted, not following links) and returns every file by name, hashed, with
/// the contents of the kinds that are parsed. Refuses links, special files, unsafe names and
/// anything over the budgets.
pub(crate) fn collect(
    dir: &Path,
    limits: &Limits,
    progress: &dyn crate::progress::Progress,
) -> Result<BTreeMap<String, EvidenceFile>, BuildError> {
    // Walk first (sorted, checking names and types), then hash the files in parallel; the
    // first error in walk order is reported, so errors do not depend on scheduling.
    let mut found: Vec<(String, PathBuf, Kind, bool)> = Vec::new();
    // The same directory bookkeeping, with the same budget, as a reader of the pack: what is
    // built can be read back.
    let mut tree = PathTree::new(limits.max_dir_bookkeeping);
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1);
    for entry in walker {
        let entry = entry.map_err(|e| BuildError::EvidenceFolder {
            path: e
                .path()
                .map_or_else(|| dir.display().to_string(), |p| p.display().to_string()),
            reason: e.to_string(),
        })?;
        let path = entry.path();
        let folder_err = |reason: &str| BuildError::EvidenceFolder {
            path: path.display().to_string(),
            reason: reason.to_owned(),
        };
        // No pack path (at most MAX_PATH_LEN bytes) is deeper than this: stop walking a
        // deeper tree rather than list it.
        if entry.depth() > MAX_PATH_LEN / 2 {
            return Err(folder_err(&format!(
                "deeper than {} directories: no pack path (at most {MAX_PATH_LEN} bytes) can hold it",
                MAX_PATH_LEN / 2
            )));
        }
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if ft.is_symlink() {
            return Err(folder_err("symbolic links are not followed into a pack"));
        }
        if !ft.is_file() {
            return Err(folder_err("not a regular file"));
        }
        let rel = path
            .strip_prefix(dir)
            .map_err(|_| folder_err("outside the folder"))?;
        let mut parts = Vec::new();
        for c in rel.components() {
            let s = c
                .as_os_str()
                .to_str()
                .ok_or_else(|| folder_err("file name is not UTF-8"))?;
            parts.push(s.to_owned());
        }
        let name = parts.join("/");
        let pack_path = format!("{EVIDENCE_PREFIX}{name}");
        if let Some(problem) = pack_path_problem(&pack_path) {
            return Err(folder_err(problem));
        }
        tree.insert(&pack_path).map_err(|e| match e {
            PathTreeError::OverBudget { max } => folder_err(&format!(
                "the evidence folder's directories need more than {max} bytes of bookkeeping \
                 (Limits::max_dir_bookkeeping): too many distinct or too deep directories for a pack"
            )),
            PathTreeError::Duplicate => folder_err("the same path twice"),
            PathTreeError::Conflict { other } => {
                folder_err(&format!("conflicts with {other} (one would be the other's directory)"))
            }
        })?;
        // index.json, its signature and the control map sit at the pack root, evidence under
        // evidence/: the three extra entries always fit the entry budget.
        if found.len().saturating_add(4) > limits.max_entries {
            return Err(folder_err(&format!(
                "more than {} files in the evidence folder",
                limits.max_entries.saturating_sub(3)
            )));
        }
        let file_name = parts.last().map(String::as_str).unwrap_or_default();
        let kind = Kind::of_evidence_file(file_name);
        let parsed = matches!(
            kind,
            Kind::SloBreach
                | Kind::DrApproval
                | Kind::ChaosRun
                | Kind::Manifest
                | Kind::ManifestSignature
        );
        found.push((name, path.to_path_buf(), kind, parsed));
    }
    let total: u64 = found
        .iter()
        .filter_map(|(_, p, _, _)| std::fs::symlink_metadata(p).ok())
        .map(|m| m.len())
        .sum();
    progress.start(crate::progress::Phase::Hashing, total);
    use rayon::prelude::*;
    let hashed: Vec<Result<Hashed, BuildError>> = found
        .par_iter()
        .map(|(_, path, _, parsed)| {
            let r = hash_file(path, limits, parsed.then_some(limits.max_json_size));
            if let Ok((size, _, _)) = &r {
                progress.advance(*size);
            }
            r
        })
        .collect();
    progress.finish();
    let mut files = BTreeMap::new();
    for ((name, fs_path, kind, _), result) in found.into_iter().zip(hashed) {
        let (size, sha256, data) = result?;
        files.insert(
            name.clone(),
            EvidenceFile {
                name,
                fs_path,
                size,
                sha256,
                kind,
                data,
            },
        );
    }
    Ok(files)
}

/// Size, SHA-256 (hex) and the kept contents of a file.
type Hashed = (u64, String, Option<Vec<u8>>);

/// Size, SHA-256 (hex) and, if `keep` is a budget, the contents of a file.
fn hash_file(path: &Path, limits: &Limits, keep: Option<usize>) -> Result<Hashed, BuildError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let len = file.metadata().map_err(|e| io_error(path, &e))?.len();
    if len > limits.max_file_size {
        return Err(BuildError::EvidenceFolder {
            path: path.display().to_string(),
            reason: format!(
                "{len} bytes, more than the limit of {}",
                limits.max_file_size
            ),
        });
    }
    if let Some(max) = keep {
        if len > max as u64 {
            return Err(BuildError::EvidenceFolder {
                path: path.display().to_string(),
                reason: format!("{len} bytes, more than the limit of {max} for a parsed document"),
            });
        }
    }
    let mut hasher = Sha256::new();
    let mut kept = keep.map(|_| Vec::new());
    let mut size = 0u64;
    let mut reader = file.take(limits.max_file_size.saturating_add(1));
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = reader.read(&mut buf).map_err(|e| io_error(path, &e))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        if let Some(k) = kept.as_mut() {
            k.extend_from_slice(chunk);
        }
        size = size.saturating_add(n as u64);
    }
    if size != len || keep.is_some_and(|max| size > max as u64) {
        return Err(BuildError::Changed {
            path: path.display().to_string(),
        });
    }
    Ok((size, hex::encode(hasher.finalize()), kept))
}

/// Parses and schema-checks a JSON evidence document `name` of `kind`.
pub(crate) fn parse_json(
    name: &str,
    kind: Kind,
    data: &[u8],
) -> Result<serde_json::Value, BuildError> {
    let doc: serde_json::Value = plugin_api::json::from_slice(data)
        .map_err(|e| evidence_err(name, "/", format!("not valid JSON: {e}")))?;
    schema::validate(kind, &doc).map_err(|problems| {
        let (field, reason) = problems
            .first()
            .and_then(|p| p.split_once(": "))
            .map_or(("/", "invalid"), |(f, r)| (f, r));
        let more = problems.len().saturating_sub(1);
        let reason = if more > 0 {
            format!("{reason} (and {more} more: {})", problems.join("; "))
        } else {
            reason.to_owned()
        };
        evidence_err(
            name,
            field,
            format!("does not match the {kind} schema: {reason}"),
        )
    })?;
    Ok(doc)
}

/// Checks a DR dual-approval document `name` beyond its schema: two distinct approvers, and
/// an `artifact_hash` equal to the SHA-256 (hex) of the evidence file named by `artifact`,
/// which `sha256_of` looks up by its path in the evidence folder.
pub(crate) fn check_dr_approval(
    name: &str,
    doc: &serde_json::Value,
    sha256_of: &dyn Fn(&str) -> Option<String>,
) -> Result<(), BuildError> {
    let text = |field: &str| doc.get(field).and_then(|v| v.as_str()).unwrap_or_default();
    let norm = |s: &str| s.trim().to_lowercase();
    if norm(text("approver_1")) == norm(text("approver_2")) {
        return Err(evidence_err(
            name,
            "/approver_2",
            format!(
                "must differ from approver_1 ({:?}): dual approval needs two people",
                text("approver_1")
            ),
        ));
    }
    let artifact = text("artifact");
    let Some(actual) = sha256_of(artifact) else {
        return Err(evidence_err(
            name,
            "/artifact",
            format!("{artifact:?} is not a file of the evidence folder"),
        ));
    };
    let stated = text("artifact_hash");
    let stated = stated.strip_prefix("sha256:").unwrap_or(stated);
    if stated != actual {
        return Err(evidence_err(
            name,
            "/artifact_hash",
            format!("{stated} is not the SHA-256 of {artifact}, which is {actual}"),
        ));
    }
    Ok(())
}

/// Checks that a policy bundle is a gzip tar holding at least one `.rego` file, and that its
/// `.manifest`, if any, matches the OPA bundle manifest schema. Nothing is extracted.
pub(crate) fn check_policy_bundle(file: &EvidenceFile, limits: &Limits) -> Result<(), BuildError> {
    let bad = |field: &str, reason: String| evidence_err(&file.name, field, reason);
    let input = File::open(&file.fs_path).map_err(|e| io_error(&file.fs_path, &e))?;
    let gz = flate2::read::GzDecoder::new(std::io::BufReader::new(input));
    let mut archive = tar::Archive::new(gz.take(limits.max_bundle_unpacked));
    let entries = archive
        .entries()
        .map_err(|e| bad("tar", format!("not a gzip tar: {e}")))?;
    let mut rego = 0usize;
    for (count, entry) in entries.enumerate() {
        if count >= limits.max_entries {
            return Err(bad(
                "tar",
                format!("more than {} entries", limits.max_entries),
            ));
        }
        let mut entry = entry.map_err(|e| {
            bad(
                "tar",
                format!(
                    "not a readable gzip tar (or over {} bytes unpacked): {e}",
                    limits.max_bundle_unpacked
                ),
            )
        })?;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        if path.ends_with(".rego") {
            rego += 1;
        }
        if path == ".manifest" || path.ends_with("/.manifest") {
            let limit = u64::try_from(limits.max_json_size).unwrap_or(u64::MAX);
            let text =
                plugin_api::bounded::read_to_end(&mut entry, limit).map_err(|e| match e {
                    plugin_api::bounded::ReadError::TooLarge { .. } => {
                        bad(&path, "bundle manifest is too large".to_owned())
                    }
                    other => bad(&path, other.into_io_error().to_string()),
                })?;
            let doc: serde_json::Value = plugin_api::json::from_slice(&text)
                .map_err(|e| bad(&path, format!("bundle manifest is not JSON: {e}")))?;
            schema::validate(Kind::PolicyBundle, &doc).map_err(|p| {
                bad(
                    &path,
                    format!(
                        "bundle manifest does not match its schema: {}",
                        p.join("; ")
                    ),
                )
            })?;
        }
    }
    if rego == 0 {
        return Err(bad("tar", "policy bundle holds no .rego file".to_owned()));
    }
    Ok(())
}
