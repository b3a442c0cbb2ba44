//! Reading an evidence folder: walking it, recognising each file's kind and validating it.

use crate::error::{io_error, BuildError};
use crate::kind::Kind;
use crate::layout;
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
    /// How the kind was decided, for messages (`--kinds line 3`, `section audit/drift/`, …).
    pub decided_by: String,
    /// Contents, for kinds that are parsed (JSON kinds, manifests and their signatures,
    /// budget dashboards, provenance documents).
    pub data: Option<Vec<u8>>,
    /// The pack path.
    pub pack_path: String,
}

fn evidence_err(file: &str, field: &str, reason: impl Into<String>) -> BuildError {
    BuildError::Evidence {
        file: file.to_owned(),
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// An explicit kind for an evidence path, and where it was given.
pub(crate) type Explicit<'a> = &'a dyn Fn(&str) -> Result<Option<(Kind, String)>, BuildError>;

/// The kind a file's name and place give, before its content is read: an explicit mapping,
/// then (for manifests and their signatures, which are paired by name) the suffix rules, then
/// the section it sits in, then the other suffix rules. `None`: nothing decides; the content
/// may.
fn kind_by_name(
    name: &str,
    explicit: Explicit<'_>,
) -> Result<Option<(Kind, String, bool)>, BuildError> {
    let file_name = name.rsplit('/').next().unwrap_or_default();
    let by_suffix = Kind::of_evidence_file(file_name);
    let mapped = explicit(name)?;
    if matches!(by_suffix, Kind::Manifest | Kind::ManifestSignature) {
        if let Some((kind, source)) = mapped {
            return Err(evidence_err(
                name,
                "kind",
                format!(
                    "{source} makes it {kind}, but a {by_suffix} is decided by its name (manifests and their signatures are paired by name)"
                ),
            ));
        }
        return Ok(Some((by_suffix, format!("its name ({file_name})"), false)));
    }
    if let Some((kind, source)) = mapped {
        let placed = layout::kind_by_section(name)
            .map(|(k, s)| (k, format!("its section {} ({})", s.dir, s.name)))
            .or_else(|| {
                (by_suffix != Kind::Other).then(|| (by_suffix, format!("its name ({file_name})")))
            });
        if kind == Kind::Other {
            if let Some((placed, by)) = placed {
                return Err(evidence_err(
                    name,
                    "kind",
                    format!(
                        "{source} makes it other, but {by} makes it {placed}: a mapping may choose another checked kind, not switch the checks off"
                    ),
                ));
            }
        }
        return Ok(Some((kind, source, true)));
    }
    if let Some((kind, section)) = layout::kind_by_section(name) {
        return Ok(Some((
            kind,
            format!("its section {} ({})", section.dir, section.name),
            false,
        )));
    }
    Ok((by_suffix != Kind::Other).then(|| (by_suffix, format!("its name ({file_name})"), false)))
}

/// How many bytes of a file of `kind` named `name` are read and kept to check it, if any.
pub(crate) fn content_budget(kind: Kind, name: &str, limits: &Limits) -> Option<usize> {
    let json_like = name.ends_with(".json") || name.ends_with(".jsonl");
    match kind {
        Kind::SloBreach
        | Kind::DrApproval
        | Kind::ChaosRun
        | Kind::DriftIncident
        | Kind::SimulationReport
        | Kind::Manifest => Some(limits.max_json_size),
        Kind::ManifestSignature => Some(limits.max_json_size.max(limits.max_signature_size)),
        Kind::Provenance if json_like => Some(limits.max_json_size),
        Kind::BudgetDashboard => Some(limits.max_json_size),
        _ => None,
    }
}

/// Walks `dir` (sorted, not following links), hashes every file, decides each file's kind
/// (explicitly, by place or name, then by content) and its pack path, and keeps the contents
/// of the kinds that are parsed. Refuses links, special files, unsafe names, two files at
/// one pack path, content whose kind disagrees with its place, and anything over the budgets.
pub(crate) fn collect(
    dir: &Path,
    limits: &Limits,
    progress: &dyn crate::progress::Progress,
    explicit: Explicit<'_>,
    skip: &dyn Fn(&str, &Path) -> bool,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, EvidenceFile>, BuildError> {
    // Walk first (sorted, checking names and types), then hash the files in parallel; the
    // first error in walk order is reported, so errors do not depend on scheduling.
    struct Found {
        name: String,
        path: PathBuf,
        named: Option<(Kind, String, bool)>,
        keep: Option<(usize, bool)>,
    }
    let mut found: Vec<Found> = Vec::new();
    let mut kind_problems: Vec<BuildError> = Vec::new();
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
        if skip(&name, path) {
            continue;
        }
        // The name must make a safe path wherever it is placed (the pack path is checked
        // again once the kind is known).
        if let Some(problem) = pack_path_problem(&format!("{}{name}", layout::CATCH_ALL_DIR)) {
            return Err(folder_err(problem));
        }
        // index.json, its signature and the control map sit beside the evidence: the three
        // extra entries always fit the entry budget.
        if found.len().saturating_add(4) > limits.max_entries {
            return Err(folder_err(&format!(
                "more than {} files in the evidence folder",
                limits.max_entries.saturating_sub(3)
            )));
        }
        let named = match kind_by_name(&name, explicit) {
            Ok(n) => n,
            Err(e) => {
                kind_problems.push(e);
                continue;
            }
        };
        // (budget, whether the file must fit it): a file of a parsed kind must; a `.json`
        // file that nothing decided, or that a mapping made `other`, is read to see whether
        // its content is a kind's document (one over the budget is not).
        let keep = match &named {
            Some((kind, _, _)) if content_budget(*kind, &name, limits).is_some() => {
                content_budget(*kind, &name, limits).map(|b| (b, true))
            }
            _ if name.ends_with(".json") => Some((limits.max_json_size, false)),
            _ => None,
        };
        found.push(Found {
            name,
            path: path.to_path_buf(),
            named,
            keep,
        });
    }
    // Every file's kind problem is reported, together, before anything is read.
    if let Some(e) = BuildError::from_problems(std::mem::take(&mut kind_problems)) {
        return Err(e);
    }
    let sizes: Vec<u64> = found
        .iter()
        .map(|f| std::fs::symlink_metadata(&f.path).map_or(0, |m| m.len()))
        .collect();
    let total: u64 = sizes.iter().sum();
    // What a verifier holds at once bounds what is read to be parsed: checked before
    // anything is read, so a folder of many large documents costs no memory.
    let parsed: u64 = found
        .iter()
        .zip(&sizes)
        .filter(|(f, _)| f.keep.is_some_and(|(_, must_fit)| must_fit))
        .map(|(_, s)| *s)
        .sum();
    if parsed > limits.max_retained {
        return Err(BuildError::EvidenceFolder {
            path: dir.display().to_string(),
            reason: format!(
                "the documents that are checked (JSON evidence, manifests and their signatures, budget dashboards, provenance) total {parsed} bytes, more than the {} a verifier holds at once (Limits::max_retained): split the evidence over several packs",
                limits.max_retained
            ),
        });
    }
    for (f, size) in found.iter().zip(&sizes) {
        if f.named.is_none() && f.name.ends_with(".json") && *size > limits.max_json_size as u64 {
            warnings.push(format!(
                "{}: a JSON file of {size} bytes, over the {}-byte budget of a checked document: packed as other without looking at its content (give its kind with --kinds if it is evidence, and it must then fit)",
                f.name, limits.max_json_size
            ));
        }
    }
    progress.start(crate::progress::Phase::Hashing, total);
    use rayon::prelude::*;
    // Each file's kind is decided as soon as it is hashed, and contents read only to decide
    // it are dropped then: what stays in memory is what the build parses.
    type Decided = (u64, String, Option<Vec<u8>>, Kind, String);
    let hashed: Vec<Result<Decided, BuildError>> = found
        .par_iter()
        .map(|f| {
            // A file whose kind is not yet decided is kept only if it fits the budget; a
            // file of a parsed kind must fit.
            let (size, sha256, data) = hash_file(&f.path, limits, f.keep)?;
            progress.advance(size);
            let (kind, decided_by) = decide_kind(&f.name, f.named.clone(), data.as_deref())?;
            let data = data.filter(|_| content_budget(kind, &f.name, limits).is_some());
            Ok((size, sha256, data, kind, decided_by))
        })
        .collect();
    progress.finish();
    // The same directory bookkeeping, with the same budget, as a reader of the pack: what is
    // built can be read back.
    let mut tree = PathTree::new(limits.max_dir_bookkeeping);
    let mut files = BTreeMap::new();
    let mut by_pack_path: BTreeMap<String, String> = BTreeMap::new();
    for (f, result) in found.into_iter().zip(hashed) {
        let (size, sha256, data, kind, decided_by) = match result {
            // A file whose content contradicts its place: listed with the others.
            Err(e @ BuildError::Evidence { .. }) => {
                kind_problems.push(e);
                continue;
            }
            other => other?,
        };
        let pack_path = layout::pack_path(&f.name, kind);
        let folder_err = |reason: String| BuildError::EvidenceFolder {
            path: f.path.display().to_string(),
            reason,
        };
        if let Some(problem) = pack_path_problem(&pack_path) {
            return Err(folder_err(format!("pack path {pack_path}: {problem}")));
        }
        tree.insert(&pack_path).map_err(|e| match e {
            PathTreeError::OverBudget { max } => folder_err(format!(
                "the evidence folder's directories need more than {max} bytes of bookkeeping \
                 (Limits::max_dir_bookkeeping): too many distinct or too deep directories for a pack"
            )),
            PathTreeError::Duplicate => folder_err(format!(
                "it would be packed at {pack_path}, where {} is packed already: rename one, or move it into a section folder",
                by_pack_path.get(&pack_path).map_or("another file", String::as_str)
            )),
            PathTreeError::Conflict { other } => folder_err(format!(
                "its pack path {pack_path} conflicts with {other} (one would be the other's directory)"
            )),
        })?;
        by_pack_path.insert(pack_path.clone(), f.name.clone());
        files.insert(
            f.name.clone(),
            EvidenceFile {
                name: f.name,
                fs_path: f.path,
                size,
                sha256,
                kind,
                decided_by,
                data,
                pack_path,
            },
        );
    }
    if let Some(e) = BuildError::from_problems(kind_problems) {
        return Err(e);
    }
    Ok(files)
}

/// The kind of the file `name`: what its name and place decided (`named`), checked against
/// its content, or, when nothing decided, its content's kind. A JSON document whose content
/// matches one kind's schema and whose place says another kind is refused, naming both; so is
/// one that matches two kinds' schemas with nothing else to decide.
fn decide_kind(
    name: &str,
    named: Option<(Kind, String, bool)>,
    data: Option<&[u8]>,
) -> Result<(Kind, String), BuildError> {
    let doc = data
        .filter(|_| name.ends_with(".json"))
        .and_then(|d| plugin_api::json::from_slice::<serde_json::Value>(d).ok());
    let by_content: Vec<Kind> = doc.as_ref().map_or_else(Vec::new, |doc| {
        Kind::BY_CONTENT
            .iter()
            .copied()
            .filter(|k| schema::matches(*k, doc))
            .collect()
    });
    match named {
        Some((kind, by, explicit)) => {
            if explicit && kind == Kind::Other {
                if let Some(other) = by_content.first() {
                    return Err(evidence_err(
                        name,
                        "kind",
                        format!(
                            "{by} makes it other, but its content matches the {other} schema ({}): a mapping may choose another checked kind, not switch the checks off",
                            schema::schema_file(*other).unwrap_or_default()
                        ),
                    ));
                }
            }
            if !explicit && !by_content.is_empty() && !by_content.contains(&kind) {
                let other = by_content.first().copied().unwrap_or(Kind::Other);
                return Err(evidence_err(
                    name,
                    "/",
                    format!(
                        "its content matches the {other} schema ({}) but {by} makes it {kind}: \
                         move it to {}, or give its kind in the control map's evidence_kind or with --kinds",
                        schema::schema_file(other).unwrap_or_default(),
                        layout::home_dir(other)
                    ),
                ));
            }
            Ok((kind, by))
        }
        None => match by_content.as_slice() {
            [] => Ok((Kind::Other, "nothing (no rule, place or content)".to_owned())),
            [one] => Ok((*one, format!("its content ({})", schema::schema_file(*one).unwrap_or_default()))),
            several => Err(evidence_err(
                name,
                "/",
                format!(
                    "its content matches the schemas of {}: give its kind in the control map's evidence_kind or with --kinds",
                    several.iter().map(|k| k.name()).collect::<Vec<_>>().join(" and ")
                ),
            )),
        },
    }
}

/// Size, SHA-256 (hex) and the kept contents of a file.
type Hashed = (u64, String, Option<Vec<u8>>);

/// Size, SHA-256 (hex) and, if `keep` is a budget, the contents of a file. `keep` is the
/// budget and whether the file must fit it (else it is hashed and not kept).
fn hash_file(
    path: &Path,
    limits: &Limits,
    keep: Option<(usize, bool)>,
) -> Result<Hashed, BuildError> {
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
    let keep = match keep {
        Some((max, true)) if len > max as u64 => {
            return Err(BuildError::EvidenceFolder {
                path: path.display().to_string(),
                reason: format!("{len} bytes, more than the limit of {max} for a parsed document"),
            });
        }
        Some((max, _)) if len <= max as u64 => Some(max),
        _ => None,
    };
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
    parse_json_for(name, kind, data, false)
}

/// As [`parse_json`]; `legacy`: against the schemas of index version 1 packs.
pub(crate) fn parse_json_for(
    name: &str,
    kind: Kind,
    data: &[u8],
    legacy: bool,
) -> Result<serde_json::Value, BuildError> {
    let doc: serde_json::Value = plugin_api::json::from_slice(data)
        .map_err(|e| evidence_err(name, "/", format!("not valid JSON: {e}")))?;
    schema::validate_for(kind, &doc, legacy).map_err(|problems| {
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
            format!(
                "does not match the {kind} schema ({}): {reason}",
                schema::schema_file(kind).unwrap_or_default()
            ),
        )
    })?;
    Ok(doc)
}

/// Checks a DR dual-approval document `name` beyond its schema: two distinct approvers, and,
/// when it names the approved file (`artifact`, a path in the evidence folder), an
/// `artifact_hash` equal to that file's SHA-256 (hex), which `sha256_of` looks up. Without
/// `artifact` the approval is of whatever has that hash; the build says whether the pack
/// holds it ([`approved_artifact`]).
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
    if doc.get("artifact").is_none() {
        return Ok(());
    }
    let artifact = text("artifact");
    let Some(actual) = sha256_of(artifact) else {
        return Err(evidence_err(
            name,
            "/artifact",
            format!("{artifact:?} is not a file of the evidence folder"),
        ));
    };
    let stated = approved_hash(doc);
    if stated != actual {
        return Err(evidence_err(
            name,
            "/artifact_hash",
            format!("{stated} is not the SHA-256 of {artifact}, which is {actual}"),
        ));
    }
    Ok(())
}

/// The SHA-256 (hex) a DR approval approves.
pub(crate) fn approved_hash(doc: &serde_json::Value) -> &str {
    let stated = doc
        .get("artifact_hash")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    stated.strip_prefix("sha256:").unwrap_or(stated)
}

/// The links of a drift incident that point into the pack: `(JSON pointer, path in the
/// evidence folder)` for `patch` and each approval's `signature` that is not an `https://` or
/// `http://` URL, resolved against the incident's folder. A link that leaves the evidence
/// folder is an error.
pub(crate) fn drift_links(
    name: &str,
    doc: &serde_json::Value,
) -> Result<Vec<(String, String)>, BuildError> {
    let mut links = Vec::new();
    if let Some(patch) = doc.get("patch").and_then(|v| v.as_str()) {
        links.push(("/patch".to_owned(), patch));
    }
    if let Some(approvals) = doc.get("approvals").and_then(|v| v.as_array()) {
        for (i, a) in approvals.iter().enumerate() {
            if let Some(sig) = a.get("signature").and_then(|v| v.as_str()) {
                links.push((format!("/approvals/{i}/signature"), sig));
            }
        }
    }
    let folder: Vec<&str> = name.split('/').collect();
    let folder = folder.split_last().map_or(&[][..], |(_, dir)| dir);
    let mut out = Vec::new();
    for (field, link) in links {
        if link.starts_with("https://") || link.starts_with("http://") {
            continue;
        }
        let mut parts: Vec<&str> = folder.to_vec();
        for c in link.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(evidence_err(
                            name,
                            &field,
                            format!("{link:?} leads out of the evidence folder"),
                        ));
                    }
                }
                c => parts.push(c),
            }
        }
        out.push((field, parts.join("/")));
    }
    Ok(out)
}

/// Checks a drift incident's links into the pack: each must be a file of the evidence folder
/// (`exists` looks a path up).
pub(crate) fn check_drift_incident(
    name: &str,
    doc: &serde_json::Value,
    exists: &dyn Fn(&str) -> bool,
) -> Result<(), BuildError> {
    for (field, path) in drift_links(name, doc)? {
        if !exists(&path) {
            return Err(evidence_err(
                name,
                &field,
                format!("links {path}, which is not a file of the evidence folder (an https:// URL is not checked)"),
            ));
        }
    }
    Ok(())
}

/// Checks a provenance document under `prov/`: a `.json` file is one Sigstore bundle, DSSE
/// envelope or in-toto statement; a `.jsonl` file is one per non-empty line. Other files are
/// not parsed.
pub(crate) fn check_provenance(name: &str, data: &[u8]) -> Result<(), BuildError> {
    let check = |field: &str, bytes: &[u8]| -> Result<(), BuildError> {
        let doc: serde_json::Value = plugin_api::json::from_slice(bytes)
            .map_err(|e| evidence_err(name, field, format!("not valid JSON: {e}")))?;
        schema::validate(Kind::Provenance, &doc).map_err(|_| {
            evidence_err(
                name,
                field,
                format!(
                    "does not match the provenance schema ({}): not a Sigstore bundle, DSSE envelope or in-toto statement",
                    schema::schema_file(Kind::Provenance).unwrap_or_default()
                ),
            )
        })
    };
    if name.ends_with(".jsonl") {
        for (i, line) in data.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            check(&format!("line {}", i.saturating_add(1)), line)?;
        }
        Ok(())
    } else if name.ends_with(".json") {
        check("/", data)
    } else {
        Ok(())
    }
}

/// The period of a budget dashboard: from its content when it is held (`data`) and has one
/// (JSON: `ResultsByTime[].TimePeriod`, `TimePeriod` or `period`; CSV: the dates of its first
/// column), else the one period its control lines give (`from_controls`: each citing line's
/// non-empty `period_start`/`period_end`). Errors say what is missing.
pub(crate) fn budget_period(
    name: &str,
    data: Option<&[u8]>,
    from_controls: &[(String, String)],
) -> Result<crate::index::Period, BuildError> {
    let mut periods: Vec<&(String, String)> = from_controls
        .iter()
        .filter(|(s, e)| !s.is_empty() && !e.is_empty())
        .collect();
    periods.sort();
    periods.dedup();
    let Some(data) = data else {
        return Err(evidence_err(
            name,
            "period",
            "the file is missing or over the parsed-document budget: its period cannot be read",
        ));
    };
    if let Some(p) = period_in_content(name, data)? {
        // A control line that gives a period for this export must give the export's.
        if let Some((s, e)) = periods.iter().find(|(s, e)| *s != p.start || *e != p.end) {
            return Err(evidence_err(
                name,
                "period",
                format!(
                    "the file covers {}..{}, but a control line citing it gives {s}..{e}",
                    p.start, p.end
                ),
            ));
        }
        return Ok(p);
    }
    match periods.as_slice() {
        [(start, end)] => {
            let day = |d: &str| crate::names::PackDate::parse(d).is_ok();
            if day(start) && day(end) && start <= end {
                Ok(crate::index::Period {
                    start: start.clone(),
                    end: end.clone(),
                })
            } else {
                Err(evidence_err(
                    name,
                    "period",
                    format!("its control lines give the period {start}..{end}, not two YYYY-MM-DD dates in order"),
                ))
            }
        }
        [] => Err(evidence_err(
            name,
            "period",
            "a budget dashboard is recorded with its period, and none was found: the file has no ResultsByTime[].TimePeriod, TimePeriod or period (JSON) or first-column dates (CSV), and no control line citing it gives period_start and period_end",
        )),
        several => Err(evidence_err(
            name,
            "period",
            format!(
                "its control lines give {} different periods: {}",
                several.len(),
                several
                    .iter()
                    .map(|(s, e)| format!("{s}..{e}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The first `YYYY-MM-DD` of a string (which may go on with a time), if it is a date.
fn day_of(s: &str) -> Option<String> {
    let day = s.trim().trim_matches('"').get(..10)?;
    crate::names::PackDate::parse(day).ok()?;
    Some(day.to_owned())
}

fn period_in_content(name: &str, data: &[u8]) -> Result<Option<crate::index::Period>, BuildError> {
    let mut days: Vec<String> = Vec::new();
    if name.ends_with(".json") {
        let doc: serde_json::Value = plugin_api::json::from_slice(data)
            .map_err(|e| evidence_err(name, "/", format!("not valid JSON: {e}")))?;
        schema::validate(Kind::BudgetDashboard, &doc).map_err(|p| {
            evidence_err(
                name,
                "/",
                format!(
                    "does not match the budget-dashboard schema ({}): {}",
                    schema::schema_file(Kind::BudgetDashboard).unwrap_or_default(),
                    p.join("; ")
                ),
            )
        })?;
        let pairs: Vec<(Option<&serde_json::Value>, Option<&serde_json::Value>)> =
            if let Some(results) = doc.get("ResultsByTime").and_then(|v| v.as_array()) {
                results
                    .iter()
                    .map(|r| {
                        let tp = r.get("TimePeriod");
                        (
                            tp.and_then(|t| t.get("Start")),
                            tp.and_then(|t| t.get("End")),
                        )
                    })
                    .collect()
            } else if let Some(tp) = doc.get("TimePeriod") {
                vec![(tp.get("Start"), tp.get("End"))]
            } else if let Some(p) = doc.get("period") {
                vec![(p.get("start"), p.get("end"))]
            } else {
                Vec::new()
            };
        for (start, end) in pairs {
            for v in [start, end].into_iter().flatten() {
                if let Some(d) = v.as_str().and_then(day_of) {
                    days.push(d);
                }
            }
        }
    } else if name.ends_with(".csv") {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        for record in reader.records() {
            let record =
                record.map_err(|e| evidence_err(name, "csv", format!("not valid CSV: {e}")))?;
            if let Some(d) = record.get(0).and_then(day_of) {
                days.push(d);
            }
        }
    }
    let (Some(start), Some(end)) = (days.iter().min(), days.iter().max()) else {
        return Ok(None);
    };
    Ok(Some(crate::index::Period {
        start: start.clone(),
        end: end.clone(),
    }))
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
