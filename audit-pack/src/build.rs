//! Building a pack: evidence folder + control map + key → `audit-pack-<org>-<date>.tgz`.

use crate::archive::TgzWriter;
use crate::controls::{self, ControlLine};
use crate::error::{io_error, BuildError};
use crate::evidence::{self, EvidenceFile};
use crate::index::{
    Artifact, BuildInsecure, Index, IndexError, ManifestSignature, CONTROL_MAP_NAME, INDEX_NAME,
    INDEX_VERSION, PLUGIN_COSIGN, PLUGIN_X509, SIGNATURE_NAME,
};
use crate::keys::verify_detached;
use crate::kind::Kind;
use crate::kinds_file::{mappable, KindsFile};
use crate::layout::{self, CONTROL_MAP_PATH};
use crate::limits::Limits;
use crate::names::{pack_file_name, OrgSlug, PackDate};
use crate::signer::{verify_cms_manifest, IndexSigner, CERTS_NAME, MAX_CERTS_SIZE};
use crate::sigstore::{verify_sigstore_manifest, SigstoreTrust, BUNDLE_SUFFIX};
use merkle::note::VerifierKey;
use plugin_api::Failure;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Everything a build needs. The date is passed in: the library reads no clock.
#[derive(Debug)]
pub struct BuildInput<'a> {
    /// The organisation.
    pub org: OrgSlug,
    /// The pack date (names the pack, sets `generatedAt` and every entry's mtime).
    pub date: PackDate,
    /// The evidence folder.
    pub evidence_dir: &'a Path,
    /// The control map (CSV).
    pub control_map: &'a Path,
    /// Explicit kinds by glob (`--kinds FILE`), if any.
    pub kinds: Option<&'a KindsFile>,
    /// Who signs the index: an Ed25519 key or an X.509 certificate's key.
    pub key: IndexSigner<'a>,
    /// Keys trusted to sign manifests (`*.manifest.json.sig`). Listed in the index for
    /// display (`trustedKeys`); a verifier gives its own again.
    pub manifest_keys: &'a [VerifierKey],
    /// Roots trusted for CMS manifest signatures (`*.manifest.json.p7s`), checked by
    /// plugin-x509 at the pack date. Not recorded: a verifier gives its own roots again.
    pub manifest_roots: &'a [plugin_x509::Certificate],
    /// Trusted root and expected signer for Sigstore manifest bundles
    /// (`*.manifest.json.sigstore.json`), checked by plugin-cosign at the pack date. Not
    /// recorded: a verifier gives its own again.
    pub manifest_sigstore: Option<&'a SigstoreTrust>,
    /// Explicit insecure modes, recorded in the index. Without
    /// [`BuildInsecure::AllowUnverifiedManifests`] a manifest whose signature does not verify
    /// with the trust given fails the build ([`BuildError::ManifestNotVerified`]); with it,
    /// the pair is recorded as not verified.
    pub insecure: &'a [BuildInsecure],
    /// Fail the build (instead of warning) on control-map dates that lie after the pack date,
    /// that are not dates, or on a period that ended more than [`STALE_PERIOD_DAYS`] days
    /// before it (`--strict`).
    pub strict_dates: bool,
    /// Budgets (the same as verification uses, so a built pack is always readable).
    pub limits: Limits,
    /// A transparency log to record the pack in (its receipt goes in the pack), if any.
    pub log: Option<LogTarget<'a>>,
}

/// A local `tlog` log a build records its pack in.
#[derive(Debug, Clone, Copy)]
pub struct LogTarget<'a> {
    /// The log directory (made by `prov-verify log init`).
    pub dir: &'a Path,
    /// The log's signing key (its checkpoints are signed with it).
    pub signer: &'a merkle::note::Signer,
}

/// Name in the pack of the log receipt.
pub const RECEIPT_NAME: &str = "index.receipt.json";

/// Appends the pack's entry to the log (manifest_root = the index's Merkle root, sig_digest =
/// SHA-256 of `index.json.sig`, name = the pack file name), publishes a checkpoint and returns
/// the receipt file (pretty JSON and a newline).
fn log_receipt(
    log: &LogTarget<'_>,
    merkle_root: &str,
    signature: &[u8],
    name: &str,
) -> Result<Vec<u8>, BuildError> {
    let err = |e: String| BuildError::Io {
        path: log.dir.display().to_string(),
        reason: format!("log: {e}"),
    };
    let root = merkle::Hash::from_hex(merkle_root).map_err(|e| err(e.to_string()))?;
    let mut digest = [0u8; 32];
    digest.copy_from_slice(&Sha256::digest(signature));
    let entry = tlog::Entry::new(root, merkle::Hash(digest), name, BTreeMap::new())
        .map_err(|e| err(e.to_string()))?;
    let mut log_writer = tlog::Log::open(log.dir).map_err(|e| err(e.to_string()))?;
    let (index, _, _) = log_writer
        .append_checkpoint(std::slice::from_ref(&entry), log.signer)
        .map_err(|e| err(e.to_string()))?;
    drop(log_writer);
    let receipt = tlog::make_receipt(log.dir, index).map_err(|e| err(e.to_string()))?;
    let mut bytes =
        serde_json::to_vec_pretty(&receipt.to_json()).map_err(|e| err(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// `audit-pack-<org>-<date>.tgz`.
    pub file_name: String,
    /// The signed index.
    pub index: Index,
    /// Notes for the operator (for example, under `--allow-unverified-manifests`, each
    /// manifest whose signature was not verified), `INSECURE:` first.
    pub warnings: Vec<String>,
    /// The pack file's size and SHA-256 (hex), when it was written by
    /// [`build_pack_to_dir_with_progress`] (hashed as it was written).
    pub pack_digest: Option<(u64, String)>,
}

/// A writer that hashes (SHA-256) and counts what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
    len: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let written = buf.get(..n).unwrap_or_default();
        sha2::Digest::update(&mut self.hasher, written);
        self.len = self.len.saturating_add(n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct Prepared {
    index: Index,
    index_text: String,
    signature: Vec<u8>,
    certs: Option<String>,
    control_map: Vec<u8>,
    files: BTreeMap<String, EvidenceFile>,
    warnings: Vec<String>,
}

/// A period that ended more than this many days before the pack date is stale evidence for
/// it (a SOC 2 type II period is at most a year).
pub const STALE_PERIOD_DAYS: u64 = 366;

/// The date of a control-map date field: `YYYY-MM-DD`, or an RFC 3339 time's date part.
fn field_date(value: &str) -> Option<PackDate> {
    // A time counts at its UTC date (2026-11-23T23:00:00-05:00 is 2026-11-24).
    PackDate::from_unix_seconds(controls::field_seconds(value)?)
}

/// Dates of the control map that an auditor would question, as (line, control id, field,
/// reason): a date after the pack date, a value that is not a date, a period that ends before
/// it starts or ended more than [`STALE_PERIOD_DAYS`] days before the pack date.
fn date_problems(
    lines: &[ControlLine],
    line_numbers: &[u64],
    pack: PackDate,
) -> Vec<(u64, String, &'static str, String)> {
    let mut out = Vec::new();
    for (line, &n) in lines.iter().zip(line_numbers) {
        let mut push = |field: &'static str, reason: String| {
            out.push((n, line.control_id.clone(), field, reason));
        };
        let mut dates = Vec::new();
        for (field, value) in [
            ("collected_at", &line.collected_at),
            ("period_start", &line.period_start),
            ("period_end", &line.period_end),
        ] {
            let value = value.trim();
            if value.is_empty() {
                dates.push(None);
                continue;
            }
            match field_date(value) {
                Some(d) => {
                    if d.unix_seconds() > pack.unix_seconds() {
                        let what = if field == "period_end" {
                            " (the period is not over)"
                        } else {
                            ""
                        };
                        push(
                            field,
                            format!("{value} is after the pack date {pack}{what}"),
                        );
                    }
                    dates.push(Some(d));
                }
                None => {
                    push(
                        field,
                        format!("{value:?} is not a date (YYYY-MM-DD or RFC 3339)"),
                    );
                    dates.push(None);
                }
            }
        }
        if let Some(Some(end)) = dates.get(2) {
            let start = dates.get(1).copied().flatten();
            if let Some(start) = start.filter(|s| s.unix_seconds() > end.unix_seconds()) {
                push(
                    "period_end",
                    format!("the period ends ({}) before it starts ({})", end, start),
                );
            } else {
                let age_days = pack.unix_seconds().saturating_sub(end.unix_seconds()) / 86_400;
                if age_days > STALE_PERIOD_DAYS {
                    push(
                        "period_end",
                        format!(
                            "the period ended {} days before the pack date {} (stale after {STALE_PERIOD_DAYS})",
                            age_days,
                            pack
                        ),
                    );
                }
            }
        }
    }
    out
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn prepare(
    input: &BuildInput<'_>,
    progress: &dyn crate::progress::Progress,
) -> Result<Prepared, BuildError> {
    let limits = &input.limits;
    // The control map first: its evidence_kind column maps kinds, and its periods date
    // budget dashboards that carry none.
    let map_bytes = read_bounded(input.control_map, limits.max_csv_size)?;
    let map_name = input.control_map.display().to_string();
    // Every problem of the control map and the evidence is gathered, then the build fails
    // listing them all (a map or folder that cannot be read at all still stops at once).
    let mut problems: Vec<BuildError> = Vec::new();
    let (numbered, line_errors) = controls::parse_numbered_all(
        &map_name,
        &map_bytes,
        limits.max_csv_size,
        limits.max_csv_rows,
    )?;
    problems.extend(line_errors.into_iter().map(BuildError::from));
    // A problem that stops the build here still lists the control lines' problems found so
    // far.
    let stop = |problems: &mut Vec<BuildError>, e: BuildError| {
        problems.push(e);
        BuildError::from_problems(std::mem::take(problems)).unwrap_or_else(|| BuildError::Io {
            path: map_name.clone(),
            reason: "the build stopped".to_owned(),
        })
    };
    let explicit = match explicit_kinds(&numbered) {
        Ok(e) => e,
        Err(e) => return Err(stop(&mut problems, e)),
    };
    // The evidence folder may hold the control map at its pack path (the pipelines keep it
    // there): it is the one given with --controls, or the build would hold two.
    let inside = input.evidence_dir.join(CONTROL_MAP_PATH);
    let skip_map = match std::fs::symlink_metadata(&inside) {
        Ok(m) if m.is_file() => {
            let held = read_bounded(&inside, limits.max_csv_size)?;
            if held != map_bytes {
                return Err(BuildError::EvidenceFolder {
                    path: inside.display().to_string(),
                    reason: format!(
                        "{CONTROL_MAP_PATH} is where the pack's control map goes, and this one differs from --controls {map_name}: give it with --controls, or remove it"
                    ),
                });
            }
            true
        }
        _ => false,
    };
    let lookup = |name: &str| -> Result<Option<(Kind, String)>, BuildError> {
        let mut found = explicit.get(name).cloned();
        if let Some(kinds) = input.kinds {
            for rule in kinds.matching(name) {
                let source = format!("{} line {} ({})", kinds.source, rule.line, rule.glob);
                match &found {
                    Some((kind, by)) if *kind != rule.kind => {
                        return Err(BuildError::Evidence {
                            file: name.to_owned(),
                            field: "kind".to_owned(),
                            reason: format!(
                                "{source} makes it {}, but {by} makes it {kind}",
                                rule.kind
                            ),
                        })
                    }
                    Some(_) => {}
                    None => found = Some((rule.kind, source)),
                }
            }
        }
        Ok(found)
    };
    let mut warnings = Vec::new();
    let files = match evidence::collect(
        input.evidence_dir,
        limits,
        progress,
        &lookup,
        &|name, _| skip_map && name == CONTROL_MAP_PATH,
        &mut warnings,
    ) {
        Ok(f) => f,
        Err(e) => return Err(stop(&mut problems, e)),
    };
    if let Some(kinds) = input.kinds {
        for rule in &kinds.rules {
            if !files.keys().any(|name| rule.is_match(name)) {
                problems.push(BuildError::Io {
                    path: kinds.source.clone(),
                    reason: format!(
                        "line {}: {} matches no file of the evidence folder",
                        rule.line, rule.glob
                    ),
                });
            }
        }
    }
    let mut insecure_modes = input.insecure.to_vec();
    insecure_modes.sort();
    insecure_modes.dedup();
    let allow_unverified = insecure_modes.contains(&BuildInsecure::AllowUnverifiedManifests);

    // Validate every file of a known kind.
    let sha256_of = |name: &str| files.get(name).map(|f| f.sha256.clone());
    let exists = |name: &str| files.contains_key(name);
    let mut periods = BTreeMap::new();
    for file in files.values() {
        let data = file.data.as_deref().unwrap_or_default();
        let checked: Result<(), BuildError> = (|| {
            match file.kind {
                Kind::SloBreach | Kind::ChaosRun | Kind::Manifest | Kind::SimulationReport => {
                    evidence::parse_json(&file.name, file.kind, data)?;
                }
                Kind::DrApproval => {
                    let doc = evidence::parse_json(&file.name, file.kind, data)?;
                    evidence::check_dr_approval(&file.name, &doc, &sha256_of)?;
                    let approved = evidence::approved_hash(&doc);
                    if doc.get("artifact").is_none()
                        && !files.values().any(|f| f.sha256 == approved)
                    {
                        warnings.push(format!(
                            "DR approval {}: the approved artifact (sha256:{approved}) is not in the pack",
                            file.name
                        ));
                    }
                }
                Kind::DriftIncident => {
                    let doc = evidence::parse_json(&file.name, file.kind, data)?;
                    evidence::check_drift_incident(&file.name, &doc, &exists)?;
                }
                Kind::Provenance => {
                    if let Some(data) = &file.data {
                        evidence::check_provenance(&file.name, data)?;
                    }
                }
                Kind::BudgetDashboard => {
                    let cited: Vec<(String, String)> = numbered
                        .iter()
                        .filter(|(_, l)| l.evidence_path == file.name)
                        .map(|(_, l)| (l.period_start.clone(), l.period_end.clone()))
                        .collect();
                    let period = evidence::budget_period(&file.name, file.data.as_deref(), &cited)?;
                    periods.insert(file.name.clone(), period);
                }
                Kind::PolicyBundle => evidence::check_policy_bundle(file, limits)?,
                _ => {}
            }
            Ok(())
        })();
        if let Err(e) = checked {
            problems.push(e);
        }
    }

    // Manifest/signature pairs.
    let mut trusted: Vec<String> = input
        .manifest_keys
        .iter()
        .map(VerifierKey::to_vkey)
        .collect();
    trusted.sort();
    trusted.dedup();
    let mut pairs = Vec::new();
    let mut signers_of: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
    for file in files.values() {
        match file.kind {
            Kind::Manifest => {
                let note_name = format!("{}.sig", file.name);
                let cms_name = format!("{}.p7s", file.name);
                let bundle_name = format!("{}{BUNDLE_SUFFIX}", file.name);
                let found: Vec<(&EvidenceFile, Option<&str>)> = [
                    (files.get(&note_name), None),
                    (files.get(&cms_name), Some(PLUGIN_X509)),
                    (files.get(&bundle_name), Some(PLUGIN_COSIGN)),
                ]
                .into_iter()
                .filter_map(|(f, plugin)| f.map(|f| (f, plugin)))
                .collect();
                let (sig, plugin) = match found.as_slice() {
                    [(sig, plugin)] => (*sig, plugin.map(str::to_owned)),
                    [] => {
                        problems.push(BuildError::Evidence {
                            file: file.name.clone(),
                            field: "signature".to_owned(),
                            reason: format!(
                                "no detached signature {note_name}, {cms_name} or {bundle_name}"
                            ),
                        });
                        continue;
                    }
                    several => {
                        let names: Vec<&str> =
                            several.iter().map(|(f, _)| f.name.as_str()).collect();
                        problems.push(BuildError::Evidence {
                            file: file.name.clone(),
                            field: "signature".to_owned(),
                            reason: format!(
                                "{} detached signatures, {}: keep one",
                                names.len(),
                                names.join(", ")
                            ),
                        });
                        continue;
                    }
                };
                // A Sigstore bundle is JSON (certificate, log entry, proofs): the JSON budget;
                // other signatures: the signature budget.
                let max_sig = if plugin.as_deref() == Some(PLUGIN_COSIGN) {
                    limits.max_json_size
                } else {
                    limits.max_signature_size
                };
                if sig.size > max_sig as u64 {
                    problems.push(BuildError::Evidence {
                        file: sig.name.clone(),
                        field: "/".to_owned(),
                        reason: format!("more than {max_sig} bytes"),
                    });
                    continue;
                }
                let manifest = file.data.as_deref().unwrap_or_default();
                let sig_bytes = sig.data.as_deref().unwrap_or_default();
                let at = plugin_api::VerificationTime::from_unix_seconds(input.date.unix_seconds());
                let result = match plugin.as_deref() {
                    None if input.manifest_keys.is_empty() => {
                        Err(Failure::new("no --manifest-key was given"))
                    }
                    None => verify_detached(manifest, sig_bytes, input.manifest_keys)
                        .map_err(|e| Failure::new(e.to_string())),
                    Some(PLUGIN_COSIGN) => match input.manifest_sigstore {
                        Some(trust) => verify_sigstore_manifest(manifest, sig_bytes, trust, at)
                            .map(|identity| vec![identity]),
                        None => Err(Failure::new(
                            "no Sigstore trusted root and signer were given",
                        )),
                    },
                    Some(_) if input.manifest_roots.is_empty() => {
                        Err(Failure::new("no --manifest-trust-root was given"))
                    }
                    Some(_) => verify_cms_manifest(
                        &file.name,
                        manifest,
                        sig_bytes,
                        input.manifest_roots,
                        at,
                    )
                    .0
                    .map(|subject| vec![subject]),
                };
                let (verified, signers) = match result {
                    Ok(signers) => (true, signers),
                    Err(e) if allow_unverified => {
                        warnings.push(format!(
                            "INSECURE: manifest {}: signature not verified ({e}); recorded as not verified ({})",
                            file.name,
                            BuildInsecure::AllowUnverifiedManifests.flag()
                        ));
                        (false, Vec::new())
                    }
                    Err(e) => {
                        problems.push(BuildError::ManifestNotVerified {
                            file: file.name.clone(),
                            flag: match plugin.as_deref() {
                                None => "--manifest-key",
                                Some(PLUGIN_COSIGN) => "--manifest-sigstore-trusted-root and the signer's identity and issuer (or --manifest-sigstore-key)",
                                Some(_) => "--manifest-trust-root",
                            },
                            reason: e.into(),
                        });
                        continue;
                    }
                };
                signers_of.insert(file.name.clone(), (verified, signers.clone()));
                pairs.push(ManifestSignature {
                    manifest: file.pack_path.clone(),
                    signature: sig.pack_path.clone(),
                    verified,
                    signers,
                    plugin,
                });
            }
            Kind::ManifestSignature => {
                let manifest = file
                    .name
                    .strip_suffix(".sig")
                    .or_else(|| file.name.strip_suffix(".p7s"))
                    .or_else(|| file.name.strip_suffix(BUNDLE_SUFFIX))
                    .unwrap_or_default();
                if !files.contains_key(manifest) {
                    problems.push(BuildError::Evidence {
                        file: file.name.clone(),
                        field: "manifest".to_owned(),
                        reason: format!("signature without its manifest {manifest}"),
                    });
                }
            }
            _ => {}
        }
    }

    for mode in &insecure_modes {
        warnings.insert(
            0,
            format!(
                "INSECURE: {mode} is on and recorded in the pack: {}",
                mode.description()
            ),
        );
    }

    // The control map, filled in.
    let mut lines = Vec::with_capacity(numbered.len());
    let mut line_numbers = Vec::with_capacity(numbered.len());
    for (line_no, mut line) in numbered {
        match fill_line(line_no, &mut line, &files, &signers_of) {
            Ok(()) => {
                lines.push(line);
                line_numbers.push(line_no);
            }
            Err(e) => problems.push(e),
        }
    }
    for problem in date_problems(&lines, &line_numbers, input.date) {
        if input.strict_dates {
            problems.push(BuildError::Control {
                line: problem.0,
                control_id: problem.1,
                field: problem.2.to_owned(),
                reason: format!("{} (--strict)", problem.3),
            });
        } else {
            warnings.push(format!(
                "control map line {} ({}), field {}: {}",
                problem.0, problem.1, problem.2, problem.3
            ));
        }
    }
    if let Some(e) = BuildError::from_problems(problems) {
        return Err(e);
    }
    let control_map = controls::write(&lines).map_err(|e| BuildError::Io {
        path: CONTROL_MAP_NAME.to_owned(),
        reason: e.to_string(),
    })?;
    // A verifier holds the control map and every parsed document at once, within
    // `max_retained`: a pack whose documents exceed it could not be checked, so it is not built.
    let held: u64 = files
        .values()
        .filter_map(|f| f.data.as_ref())
        .map(|d| d.len() as u64)
        .sum::<u64>()
        .saturating_add(control_map.len() as u64);
    if held > limits.max_retained {
        return Err(BuildError::EvidenceFolder {
            path: input.evidence_dir.display().to_string(),
            reason: format!(
                "the control map and the documents that are checked (JSON evidence, manifests and their signatures, budget dashboards, provenance) total {held} bytes, more than the {} a verifier holds at once (Limits::max_retained): split the evidence over several packs",
                limits.max_retained
            ),
        });
    }

    let mut artifacts = vec![Artifact {
        name: CONTROL_MAP_NAME.to_owned(),
        path: CONTROL_MAP_PATH.to_owned(),
        sha256: sha256_hex(&control_map),
        size: control_map.len() as u64,
        kind: Kind::ControlMap.name().to_owned(),
        period: None,
    }];
    artifacts.extend(files.values().map(|f| Artifact {
        name: f.name.clone(),
        path: f.pack_path.clone(),
        sha256: f.sha256.clone(),
        size: f.size,
        kind: f.kind.name().to_owned(),
        period: periods.get(&f.name).cloned(),
    }));
    artifacts.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let sections = layout::sections_for(&artifacts);
    let mut index = Index {
        version: INDEX_VERSION,
        generated_at: input.date.to_rfc3339(),
        org: input.org.as_str().to_owned(),
        artifacts,
        sections,
        controls: lines,
        manifest_signatures: pairs,
        trusted_keys: trusted,
        merkle_root: String::new(),
        insecure_modes,
    };
    index.merkle_root = index
        .compute_merkle_root()
        .map_err(IndexError::from)?
        .to_hex();
    let index_text = index.to_file_text()?;
    if index_text.len() > limits.max_index_size {
        return Err(IndexError::TooLarge {
            size: index_text.len(),
            max: limits.max_index_size,
        }
        .into());
    }
    // What we write, we must be able to read back.
    let reparsed = Index::parse(index_text.as_bytes(), limits.max_index_size)?;
    if reparsed != index {
        return Err(IndexError::Malformed {
            reason: "internal: the index does not read back as written".to_owned(),
        }
        .into());
    }
    let (signature, certs) = match input.key {
        IndexSigner::Ed25519(key) => (key.sign_index(&index_text)?.into_bytes(), None),
        IndexSigner::X509(signer) => {
            let certs = signer.certs_pem().to_owned();
            if certs.len() > MAX_CERTS_SIZE {
                return Err(BuildError::Io {
                    path: CERTS_NAME.to_owned(),
                    reason: format!("more than {MAX_CERTS_SIZE} bytes of certificates"),
                });
            }
            (signer.sign(index_text.as_bytes())?, Some(certs))
        }
    };
    if signature.len() > limits.max_signature_size {
        return Err(BuildError::Io {
            path: SIGNATURE_NAME.to_owned(),
            reason: format!("more than {} bytes", limits.max_signature_size),
        });
    }
    Ok(Prepared {
        index,
        index_text,
        signature,
        certs,
        control_map,
        files,
        warnings,
    })
}

/// The explicit kinds of evidence paths: the control map's non-empty `evidence_kind` of a
/// kind that can be mapped (manifests, their signatures and the control map are decided by
/// name, and a control line naming them is compared after). Two lines that disagree about one
/// path are an error naming both; `--kinds` rules are applied per file.
fn explicit_kinds(
    numbered: &[(u64, ControlLine)],
) -> Result<BTreeMap<String, (Kind, String)>, BuildError> {
    let mut out: BTreeMap<String, (Kind, String)> = BTreeMap::new();
    for (line_no, line) in numbered {
        if line.evidence_kind.is_empty() {
            continue;
        }
        let err = |reason: String| BuildError::Control {
            line: *line_no,
            control_id: line.control_id.clone(),
            field: "evidence_kind".to_owned(),
            reason,
        };
        let Some(kind) = Kind::from_name(&line.evidence_kind) else {
            return Err(err(format!(
                "{:?} is not a kind ({})",
                line.evidence_kind,
                Kind::ALL
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if !mappable(kind) {
            continue;
        }
        let source = format!("the control map's evidence_kind (line {line_no})");
        if let Some((other, by)) = out.get(&line.evidence_path) {
            if *other != kind {
                return Err(err(format!(
                    "{kind} for {}, but {by} says {other}",
                    line.evidence_path
                )));
            }
            continue;
        }
        out.insert(line.evidence_path.clone(), (kind, source));
    }
    Ok(out)
}

fn fill_line(
    line_no: u64,
    line: &mut ControlLine,
    files: &BTreeMap<String, EvidenceFile>,
    signers_of: &BTreeMap<String, (bool, Vec<String>)>,
) -> Result<(), BuildError> {
    let err = |field: &str, reason: String| BuildError::Control {
        line: line_no,
        control_id: line.control_id.clone(),
        field: field.to_owned(),
        reason,
    };
    let Some(file) = files.get(&line.evidence_path) else {
        return Err(err(
            "evidence_path",
            format!(
                "{:?} is not a file of the evidence folder",
                line.evidence_path
            ),
        ));
    };
    if !line.evidence_sha256.is_empty() && line.evidence_sha256.to_lowercase() != file.sha256 {
        return Err(err(
            "evidence_sha256",
            format!(
                "{} differs from the file's SHA-256 {}",
                line.evidence_sha256, file.sha256
            ),
        ));
    }
    if !line.evidence_kind.is_empty() && line.evidence_kind != file.kind.name() {
        return Err(err(
            "evidence_kind",
            format!(
                "{:?} differs from the kind decided by {}, {}",
                line.evidence_kind, file.decided_by, file.kind
            ),
        ));
    }
    line.evidence_sha256 = file.sha256.clone();
    line.evidence_kind = file.kind.name().to_owned();
    match signers_of.get(&file.name) {
        Some((verified, signers)) => {
            line.signature_verified = verified.to_string();
            line.signer_identity = signers.join(";");
        }
        None => line.signature_verified = "n/a".to_owned(),
    }
    Ok(())
}

fn read_bounded(path: &Path, max: usize) -> Result<Vec<u8>, BuildError> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    plugin_api::bounded::read_file(path, limit).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { .. } => BuildError::Io {
            path: path.display().to_string(),
            reason: format!("more than {max} bytes"),
        },
        other => io_error(path, &other.into_io_error()),
    })
}

/// A reader that hashes and counts what passes through.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        self.count = self.count.saturating_add(n as u64);
        Ok(n)
    }
}

/// Builds a pack and writes the `.tgz` to `out`. Entry order: `index.json`,
/// `index.json.sig`, `index.json.certs.pem` (X.509 signer only), `index.receipt.json` (with a
/// log only), then the artifacts in index order.
pub fn build_pack<W: Write>(input: &BuildInput<'_>, out: W) -> Result<BuildSummary, BuildError> {
    build_pack_with_progress(input, out, &crate::progress::NoProgress)
}

/// As [`build_pack`], reporting progress (bytes hashed, then bytes packed) to `progress`.
/// The output does not depend on `progress`.
pub fn build_pack_with_progress<W: Write>(
    input: &BuildInput<'_>,
    out: W,
    progress: &dyn crate::progress::Progress,
) -> Result<BuildSummary, BuildError> {
    let prepared = prepare(input, progress)?;
    let name = pack_file_name(&input.org, input.date);
    // The index is signed first; the log then records the signed root and signature, and
    // its receipt goes beside them (it cannot be inside what it records).
    let receipt = match &input.log {
        Some(log) => Some(log_receipt(
            log,
            &prepared.index.merkle_root,
            &prepared.signature,
            &name,
        )?),
        None => None,
    };
    let io = |e: std::io::Error| BuildError::Io {
        path: name.clone(),
        reason: e.to_string(),
    };
    let mut tgz = TgzWriter::new(out, input.date.unix_seconds()).map_err(io)?;
    tgz.append(
        INDEX_NAME,
        prepared.index_text.len() as u64,
        prepared.index_text.as_bytes(),
    )
    .map_err(io)?;
    tgz.append(
        SIGNATURE_NAME,
        prepared.signature.len() as u64,
        prepared.signature.as_slice(),
    )
    .map_err(io)?;
    if let Some(certs) = &prepared.certs {
        tgz.append(CERTS_NAME, certs.len() as u64, certs.as_bytes())
            .map_err(io)?;
    }
    if let Some(receipt) = &receipt {
        tgz.append(RECEIPT_NAME, receipt.len() as u64, receipt.as_slice())
            .map_err(io)?;
    }
    let total: u64 = prepared.index.artifacts.iter().map(|a| a.size).sum();
    progress.start(crate::progress::Phase::Packing, total);
    for artifact in &prepared.index.artifacts {
        progress.advance(artifact.size);
        if artifact.kind == Kind::ControlMap.name() {
            tgz.append(
                &artifact.path,
                artifact.size,
                prepared.control_map.as_slice(),
            )
            .map_err(io)?;
            continue;
        }
        let Some(file) = prepared.files.get(&artifact.name) else {
            return Err(BuildError::Changed {
                path: artifact.name.clone(),
            });
        };
        let f = File::open(&file.fs_path).map_err(|e| io_error(&file.fs_path, &e))?;
        let mut reader = Hashing {
            inner: f.take(artifact.size),
            hasher: Sha256::new(),
            count: 0,
        };
        tgz.append(&artifact.path, artifact.size, &mut reader)
            .map_err(io)?;
        if reader.count != artifact.size || hex::encode(reader.hasher.finalize()) != artifact.sha256
        {
            return Err(BuildError::Changed {
                path: file.fs_path.display().to_string(),
            });
        }
    }
    tgz.finish().map_err(io)?;
    progress.finish();
    Ok(BuildSummary {
        file_name: name,
        index: prepared.index,
        warnings: prepared.warnings,
        pack_digest: None,
    })
}

/// Builds a pack into `out_dir`: writes `.<name>.partial` there, then renames it to
/// `audit-pack-<org>-<date>.tgz`. Returns the final path and the summary.
pub fn build_pack_to_dir(
    input: &BuildInput<'_>,
    out_dir: &Path,
) -> Result<(PathBuf, BuildSummary), BuildError> {
    build_pack_to_dir_with_progress(input, out_dir, &crate::progress::NoProgress)
}

/// As [`build_pack_to_dir`], reporting progress to `progress`.
pub fn build_pack_to_dir_with_progress(
    input: &BuildInput<'_>,
    out_dir: &Path,
    progress: &dyn crate::progress::Progress,
) -> Result<(PathBuf, BuildSummary), BuildError> {
    let name = pack_file_name(&input.org, input.date);
    let final_path = out_dir.join(&name);
    let temp_path = out_dir.join(format!(".{name}.partial"));
    let file = File::create(&temp_path).map_err(|e| io_error(&temp_path, &e))?;
    let mut out = HashingWriter {
        inner: std::io::BufWriter::new(file),
        hasher: <sha2::Sha256 as sha2::Digest>::new(),
        len: 0,
    };
    let result = build_pack_with_progress(input, &mut out, progress).and_then(|mut summary| {
        let HashingWriter { inner, hasher, len } = out;
        let file = inner
            .into_inner()
            .map_err(|e| io_error(&temp_path, e.error()))?;
        file.sync_all().map_err(|e| io_error(&temp_path, &e))?;
        summary.pack_digest = Some((len, hex::encode(sha2::Digest::finalize(hasher))));
        Ok(summary)
    });
    match result {
        Ok(summary) => {
            std::fs::rename(&temp_path, &final_path).map_err(|e| io_error(&final_path, &e))?;
            Ok((final_path, summary))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temp_path);
            Err(e)
        }
    }
}

#[cfg(test)]
mod date_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn line(collected: &str, start: &str, end: &str) -> ControlLine {
        let text = format!(
            "{}\nSOC 2,2017,CC1.1,t,EV-1,a.json,,,{collected},{start},{end},effective,,,,\n",
            controls::COLUMNS.join(",")
        );
        controls::parse("cm.csv", text.as_bytes(), 1 << 20, 10)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn questionable_dates_are_named() {
        let pack = PackDate::parse("2026-11-23").unwrap();
        let problems = |l: ControlLine| {
            date_problems(&[l], &[2], pack)
                .into_iter()
                .map(|(n, id, field, reason)| format!("{n} {id} {field}: {reason}"))
                .collect::<Vec<_>>()
        };
        // Fine: dates on or before the pack date, a period that ended within a year.
        assert!(problems(line("2026-11-23", "2026-07-01", "2026-09-30")).is_empty());
        assert!(problems(line("2026-10-01T10:00:00Z", "", "")).is_empty());
        assert!(problems(line("", "2025-12-01", "2025-11-23")).len() == 1); // ends before it starts
                                                                            // After the pack date.
        let p = problems(line("2026-11-24", "2026-07-01", "2026-12-31"));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("collected_at: 2026-11-24 is after the pack date 2026-11-23"));
        assert!(p[1].contains(
            "period_end: 2026-12-31 is after the pack date 2026-11-23 (the period is not over)"
        ));
        // Not dates.
        let p = problems(line("last week", "2026-13-01", "2026-07-01T25:00:00Z"));
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p.iter().all(|x| x.contains("is not a date")), "{p:?}");
        // Stale: ended 367 days before the pack date; 366 days is not yet stale.
        let p = problems(line("", "2025-01-01", "2025-11-21"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("ended 367 days before the pack date"),
            "{p:?}"
        );
        assert!(problems(line("", "2025-01-01", "2025-11-22")).is_empty());
        // A stale period without a start is still stale.
        let p = problems(line("", "", "2020-01-31"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("days before the pack date"), "{p:?}");
        // A time is taken at its UTC date: 23:00 at -05:00 on the pack date is the next day.
        let p = problems(line("2026-11-23T23:00:00-05:00", "", ""));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("is after the pack date"), "{p:?}");
        assert!(problems(line("2026-11-23T23:00:00Z", "", "")).is_empty());
    }
}
