//! Verifying a pack end to end, from a byte stream, without extracting anything.
//!
//! The report's checks, in order (ids are stable):
//!
//! | id | passes when |
//! |---|---|
//! | `audit-pack.archive.safe` | one gzip member holding a strict GNU tar of regular files with safe, unique paths, within budgets, starting with `index.json` and `index.json.sig`, with nothing after its end |
//! | `audit-pack.index.signature` | `index.json.sig` holds a valid Ed25519 signature over `index.json` by the given key |
//! | `audit-pack.index.canonical` | `index.json` is canonical JSON + newline, of the index's shape, with well-formed fields |
//! | `audit-pack.files.present` | every artifact the index lists is in the pack |
//! | `audit-pack.files.sha256` | every listed file's SHA-256 is the one listed |
//! | `audit-pack.files.size` | every listed file's size is the one listed |
//! | `audit-pack.files.unlisted` | the pack holds no file the index does not list |
//! | `audit-pack.index.merkle-root` | `merkleRoot` is the RFC 6962 root over the artifact entries |
//! | `audit-pack.controls.evidence` | `control-map.csv` matches the index's controls, and every control line resolves to a listed artifact of the same SHA-256 and kind |
//! | `audit-pack.manifests.signatures` | every manifest has a recorded verdict, and re-verifying each pair with the index's trusted keys gives that verdict |
//! | `audit-pack.evidence.schemas` | every JSON evidence document (SLO breach, DR approval, chaos run, manifest) matches its schema again, and every DR approval names two distinct approvers and a listed artifact with its SHA-256 |
//!
//! When the archive cannot be read safely, or the signature or the index's form fails, the
//! later checks are recorded as skipped ("not reached"), which makes the report not ok.

use crate::archive::{ArchiveError, PackEntry, PackReader};
use crate::controls;
use crate::evidence;
use crate::index::{Index, CONTROL_MAP_NAME, EVIDENCE_PREFIX, INDEX_NAME, SIGNATURE_NAME};
use crate::keys::verify_detached;
use crate::kind::Kind;
use crate::limits::Limits;
use merkle::note::VerifierKey;
use plugin_api::{Report, ReportBuilder, VerificationTime};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

/// Most bytes of pack files held in memory at once while verifying (the control map,
/// manifests and their signatures).
pub const MAX_RETAINED: u64 = 64 << 20;

/// The plugin name in reports.
pub const PLUGIN: &str = "audit-pack";

/// Every check id, in report order.
pub const CHECK_IDS: [&str; 11] = [
    "audit-pack.archive.safe",
    "audit-pack.index.signature",
    "audit-pack.index.canonical",
    "audit-pack.files.present",
    "audit-pack.files.sha256",
    "audit-pack.files.size",
    "audit-pack.files.unlisted",
    "audit-pack.index.merkle-root",
    "audit-pack.controls.evidence",
    "audit-pack.manifests.signatures",
    "audit-pack.evidence.schemas",
];

type Outcome = Result<String, String>;

fn record(b: ReportBuilder, id: &str, outcome: Outcome) -> ReportBuilder {
    match outcome {
        Ok(detail) => b.pass(id, detail),
        Err(detail) => b.fail(id, detail),
    }
}

/// Verifies the `.tgz` pack read from `input` with the index-signing `key`. Pure: the bytes,
/// the key, the budgets and the time (recorded in the report) are passed in.
pub fn verify_pack<R: BufRead>(
    input: R,
    key: &VerifierKey,
    limits: &Limits,
    at: Option<VerificationTime>,
) -> Report {
    let mut b = Report::builder(PLUGIN);
    if let Some(at) = at {
        b = b.verified_at(at);
    }
    verify_with(b, input, std::slice::from_ref(key), limits)
}

/// As [`verify_pack`], recording the checks in `builder` (for example one made by
/// [`Report::builder_for`]), with one or more trusted keys: every signature in
/// `index.json.sig` by one of `keys` must verify, and at least one must be present.
pub fn verify_with<R: BufRead>(
    builder: ReportBuilder,
    input: R,
    keys: &[VerifierKey],
    limits: &Limits,
) -> Report {
    verify_detailed(builder, input, keys, limits, None).report
}

/// Optional spot check run by [`verify_detailed`] when every other check passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpotCheckRequest {
    /// How many control lines to follow (all of them if there are fewer).
    pub count: usize,
    /// The seed of the SplitMix64 generator that picks them.
    pub seed: u64,
}

/// Check id of the optional spot check (not in [`CHECK_IDS`]: recorded only when asked for).
pub const SPOT_CHECK_ID: &str = "audit-pack.spot-check";

/// The result of verifying a pack: the report, and the index only if the report is ok.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The report of every check.
    pub report: Report,
    verified: Option<VerifiedPack>,
}

impl Verification {
    /// The verified pack, present exactly when [`Report::ok`] holds: every check passed.
    pub fn verified(&self) -> Option<&VerifiedPack> {
        self.verified.as_ref()
    }
}

/// A pack whose every check passed: its index and the names of the keys that signed it.
/// Only [`verify_detailed`] makes one, so code taking a `VerifiedPack` cannot see an
/// unverified index.
#[derive(Debug, Clone)]
pub struct VerifiedPack {
    index: Index,
    signers: Vec<String>,
    root: merkle::Hash,
}

impl VerifiedPack {
    /// The signed, verified index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Names of the keys whose signatures over `index.json` verified.
    pub fn signers(&self) -> &[String] {
        &self.signers
    }

    /// The signed Merkle root over the artifact entries.
    pub fn merkle_root(&self) -> &merkle::Hash {
        &self.root
    }
}

/// As [`verify_with`], also returning the index when (and only when) every check passed.
/// With `spot`, a spot check ([`crate::spot_check`]) is recorded as check
/// [`SPOT_CHECK_ID`] (skipped, "not reached", if an earlier check failed) and its chains as
/// outputs `spot_check_seed` and `spot_check_<n>`.
pub fn verify_detailed<R: BufRead>(
    builder: ReportBuilder,
    input: R,
    keys: &[VerifierKey],
    limits: &Limits,
    spot: Option<SpotCheckRequest>,
) -> Verification {
    let unverified = |b: ReportBuilder| Verification {
        report: match spot {
            Some(_) => b
                .skip(SPOT_CHECK_ID, "not reached: an earlier check failed")
                .finish(),
            None => b.finish(),
        },
        verified: None,
    };
    let mut b = builder.subject("audit pack");
    let mut reader = PackReader::new(input, *limits);

    // 1. index.json and index.json.sig, first.
    let head = read_head(&mut reader, limits);
    let (index_bytes, sig_bytes) = match head {
        Ok(pair) => pair,
        Err(reason) => {
            b = b.fail(CHECK_IDS[0], reason);
            return unverified(skip_rest(
                b,
                1,
                "not reached: the archive could not be read safely",
            ));
        }
    };

    // 2. The signature, then the index's form.
    let key_names = keys
        .iter()
        .map(VerifierKey::name)
        .collect::<Vec<_>>()
        .join(", ");
    let mut signers = Vec::new();
    let signature = match verify_detached(&index_bytes, &sig_bytes, keys) {
        Ok(names) => {
            let detail = format!("Ed25519 signature over index.json by {}", names.join(", "));
            signers = names;
            Ok(detail)
        }
        Err(e) => Err(format!(
            "index.json.sig does not verify with key {}: {e}",
            key_names
        )),
    };
    let index = match &signature {
        Ok(_) => Index::parse(&index_bytes, limits.max_index_size).map_err(|e| e.to_string()),
        Err(_) => Err(String::new()),
    };

    // 3. Stream the rest, keeping the files that are parsed.
    let keep: BTreeSet<String> = match &index {
        Ok(index) => {
            let mut k = BTreeSet::from([CONTROL_MAP_NAME.to_owned()]);
            for pair in &index.manifest_signatures {
                k.insert(pair.manifest.clone());
                k.insert(pair.signature.clone());
            }
            for a in &index.artifacts {
                if is_json_kind(&a.kind) {
                    k.insert(a.path.clone());
                }
            }
            k
        }
        Err(_) => BTreeSet::new(),
    };
    // Held in memory: the control map (CSV budget), manifests (JSON budget) and their
    // signatures (signature budget), at most MAX_RETAINED bytes in all; anything over a
    // budget is not kept, and the check that needs it fails.
    let retained = Cell::new(0u64);
    let wanted = |path: &str, size: u64| {
        let max = if path == CONTROL_MAP_NAME {
            limits.max_csv_size
        } else if path.ends_with(".sig") {
            limits.max_signature_size
        } else {
            limits.max_json_size
        };
        keep.contains(path)
            && size <= max as u64
            && retained.get().saturating_add(size) <= MAX_RETAINED
    };
    let mut entries: BTreeMap<String, PackEntry> = BTreeMap::new();
    let mut archive: Result<(), ArchiveError> = Ok(());
    loop {
        match reader.next_entry(&wanted) {
            Ok(Some(entry)) => {
                let held = entry.data.as_ref().map_or(0, |d| d.len() as u64);
                retained.set(retained.get().saturating_add(held));
                entries.insert(entry.path.clone(), entry);
            }
            Ok(None) => break,
            Err(e) => {
                archive = Err(e);
                break;
            }
        }
    }
    match archive {
        Ok(()) => {
            b = b.pass(
                CHECK_IDS[0],
                format!(
                    "{} entries, regular files with safe unique paths, within budgets",
                    entries.len() + 2
                ),
            );
        }
        Err(e) => {
            b = b.fail(CHECK_IDS[0], e.to_string());
            b = record(b, CHECK_IDS[1], signature);
            return unverified(skip_rest(
                b,
                2,
                "not reached: the archive could not be read safely",
            ));
        }
    }
    let sig_ok = signature.is_ok();
    b = record(b, CHECK_IDS[1], signature);
    if !sig_ok {
        return unverified(skip_rest(
            b,
            2,
            "not reached: the index signature did not verify",
        ));
    }
    let index = match index {
        Ok(index) => index,
        Err(reason) => {
            b = b.fail(CHECK_IDS[2], reason);
            return unverified(skip_rest(
                b,
                3,
                "not reached: index.json is not a well-formed index",
            ));
        }
    };
    b = b
        .pass(
            CHECK_IDS[2],
            "canonical JSON (RFC 8785) with well-formed fields",
        )
        .subject(format!(
            "audit pack of {} generated {}",
            index.org, index.generated_at
        ))
        .output("org", index.org.clone())
        .output("generated_at", index.generated_at.clone())
        .output("merkle_root", index.merkle_root.clone())
        .output("artifacts", index.artifacts.len())
        .output("controls", index.controls.len());

    b = record(b, CHECK_IDS[3], check_present(&index, &entries));
    b = record(b, CHECK_IDS[4], check_sha256(&index, &entries));
    b = record(b, CHECK_IDS[5], check_size(&index, &entries));
    b = record(b, CHECK_IDS[6], check_unlisted(&index, &entries));
    b = record(b, CHECK_IDS[7], check_root(&index));
    b = record(b, CHECK_IDS[8], check_controls(&index, &entries, limits));
    let (outcome, warnings) = check_manifests(&index, &entries);
    b = record(b, CHECK_IDS[9], outcome);
    for w in warnings {
        b = b.warning(w);
    }
    b = record(b, CHECK_IDS[10], check_evidence(&index, &entries));
    let root = merkle::Hash::from_hex(&index.merkle_root);
    if let Some(req) = spot {
        b = match &root {
            Ok(root) if !b.has_failed() => {
                let digests: BTreeMap<String, String> = entries
                    .iter()
                    .map(|(path, e)| (path.clone(), hex::encode(e.sha256)))
                    .collect();
                match crate::spot_check::spot_check(
                    &index, &digests, &signers, root, req.count, req.seed,
                ) {
                    Ok(chains) => {
                        let width = chains.len().to_string().len();
                        let mut b = b
                            .pass(
                                SPOT_CHECK_ID,
                                format!(
                                    "{} of {} control lines (seed {}) followed to their evidence, its SHA-256, a verified inclusion proof and the index signature",
                                    chains.len(),
                                    index.controls.len(),
                                    req.seed
                                ),
                            )
                            .output("spot_check_seed", req.seed);
                        for (i, c) in chains.iter().enumerate() {
                            b = b.output(format!("spot_check_{:0width$}", i + 1), c.chain());
                        }
                        b
                    }
                    Err(reason) => b.fail(SPOT_CHECK_ID, reason),
                }
            }
            _ => b.skip(SPOT_CHECK_ID, "not reached: an earlier check failed"),
        };
    }
    let report = b.finish();
    let verified = match root {
        Ok(root) if report.ok() => Some(VerifiedPack {
            index,
            signers,
            root,
        }),
        _ => None,
    };
    Verification { report, verified }
}

const JSON_KINDS: [Kind; 4] = [
    Kind::SloBreach,
    Kind::DrApproval,
    Kind::ChaosRun,
    Kind::Manifest,
];

fn is_json_kind(kind: &str) -> bool {
    JSON_KINDS.iter().any(|k| k.name() == kind)
}

fn check_evidence(index: &Index, entries: &BTreeMap<String, PackEntry>) -> Outcome {
    let sha256_of = |name: &str| {
        index
            .artifact(&format!("{EVIDENCE_PREFIX}{name}"))
            .map(|a| a.sha256.clone())
    };
    let mut bad = Vec::new();
    let mut count = 0usize;
    for a in &index.artifacts {
        let Some(kind) = Kind::from_name(&a.kind).filter(|k| JSON_KINDS.contains(k)) else {
            continue;
        };
        count += 1;
        let Some(data) = entries.get(&a.path).and_then(|e| e.data.as_deref()) else {
            bad.push(format!("{}: missing or over its size budget", a.path));
            continue;
        };
        let result = evidence::parse_json(&a.name, kind, data).and_then(|doc| {
            if kind == Kind::DrApproval {
                evidence::check_dr_approval(&a.name, &doc, &sha256_of)
            } else {
                Ok(())
            }
        });
        if let Err(e) = result {
            bad.push(e.to_string());
        }
    }
    if bad.is_empty() {
        Ok(format!(
            "{count} JSON evidence documents match their schemas"
        ))
    } else {
        Err(list(&bad))
    }
}

fn read_head<R: BufRead>(
    reader: &mut PackReader<R>,
    limits: &Limits,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut head = Vec::new();
    for (name, max) in [
        (INDEX_NAME, limits.max_index_size),
        (SIGNATURE_NAME, limits.max_signature_size),
    ] {
        let entry = reader
            .next_entry(&|_, size| size <= max as u64)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the pack ends before {name}"))?;
        if entry.path != name {
            return Err(format!(
                "entry {} must be {name}, found {:?}",
                head.len() + 1,
                entry.path
            ));
        }
        let data = entry.data.ok_or_else(|| {
            format!(
                "{name} is {} bytes, more than the limit of {max}",
                entry.size
            )
        })?;
        head.push(data);
    }
    let sig = head.pop().unwrap_or_default();
    let index = head.pop().unwrap_or_default();
    Ok((index, sig))
}

fn skip_rest(mut b: ReportBuilder, from: usize, reason: &str) -> ReportBuilder {
    for id in CHECK_IDS.iter().skip(from) {
        b = b.skip(id, reason);
    }
    b
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > SHOWN {
        s.push_str(&format!("; and {} more", items.len() - SHOWN));
    }
    s
}

fn check_present(index: &Index, entries: &BTreeMap<String, PackEntry>) -> Outcome {
    let missing: Vec<String> = index
        .artifacts
        .iter()
        .filter(|a| !entries.contains_key(&a.path))
        .map(|a| a.path.clone())
        .collect();
    if missing.is_empty() {
        Ok(format!(
            "all {} listed files are in the pack",
            index.artifacts.len()
        ))
    } else {
        Err(format!("listed but not in the pack: {}", list(&missing)))
    }
}

fn check_sha256(index: &Index, entries: &BTreeMap<String, PackEntry>) -> Outcome {
    let mut bad = Vec::new();
    for a in &index.artifacts {
        if let Some(e) = entries.get(&a.path) {
            let actual = hex::encode(e.sha256);
            if actual != a.sha256 {
                bad.push(format!("{}: listed {}, actual {actual}", a.path, a.sha256));
            }
        }
    }
    if bad.is_empty() {
        Ok("every present listed file has its listed SHA-256".to_owned())
    } else {
        Err(list(&bad))
    }
}

fn check_size(index: &Index, entries: &BTreeMap<String, PackEntry>) -> Outcome {
    let mut bad = Vec::new();
    for a in &index.artifacts {
        if let Some(e) = entries.get(&a.path) {
            if e.size != a.size {
                bad.push(format!(
                    "{}: listed {} bytes, actual {}",
                    a.path, a.size, e.size
                ));
            }
        }
    }
    if bad.is_empty() {
        Ok("every present listed file has its listed size".to_owned())
    } else {
        Err(list(&bad))
    }
}

fn check_unlisted(index: &Index, entries: &BTreeMap<String, PackEntry>) -> Outcome {
    let extra: Vec<String> = entries
        .keys()
        .filter(|p| index.artifact(p).is_none())
        .cloned()
        .collect();
    if extra.is_empty() {
        Ok("no file besides index.json and index.json.sig is unlisted".to_owned())
    } else {
        Err(format!("in the pack but not listed: {}", list(&extra)))
    }
}

fn check_root(index: &Index) -> Outcome {
    match index.compute_merkle_root() {
        Ok(root) if root.to_hex() == index.merkle_root => Ok(format!(
            "RFC 6962 root over {} artifact entries is {}",
            index.artifacts.len(),
            index.merkle_root
        )),
        Ok(root) => Err(format!(
            "computed {}, index says {}",
            root.to_hex(),
            index.merkle_root
        )),
        Err(e) => Err(e.to_string()),
    }
}

fn check_controls(
    index: &Index,
    entries: &BTreeMap<String, PackEntry>,
    limits: &Limits,
) -> Outcome {
    let data = entries
        .get(CONTROL_MAP_NAME)
        .and_then(|e| e.data.as_deref())
        .ok_or_else(|| "control-map.csv is missing or over its size budget".to_owned())?;
    let lines = controls::parse(
        CONTROL_MAP_NAME,
        data,
        limits.max_csv_size,
        limits.max_csv_rows,
    )
    .map_err(|e| e.to_string())?;
    if lines != index.controls {
        return Err("control-map.csv differs from the controls in index.json".to_owned());
    }
    let mut bad = Vec::new();
    for (i, c) in index.controls.iter().enumerate() {
        let path = format!("{EVIDENCE_PREFIX}{}", c.evidence_path);
        let at = format!("line {} ({} {})", i + 2, c.framework, c.control_id);
        match index.artifact(&path) {
            None => bad.push(format!("{at}: evidence {path} is not listed")),
            Some(a) if a.sha256 != c.evidence_sha256 => bad.push(format!(
                "{at}: evidence_sha256 {} differs from {path}'s {}",
                c.evidence_sha256, a.sha256
            )),
            Some(a) if a.kind != c.evidence_kind => bad.push(format!(
                "{at}: evidence_kind {} differs from {path}'s {}",
                c.evidence_kind, a.kind
            )),
            Some(a) => {
                if entries.get(&path).map(|e| hex::encode(e.sha256)) != Some(a.sha256.clone()) {
                    bad.push(format!(
                        "{at}: the pack's {path} does not have that SHA-256"
                    ));
                }
            }
        }
    }
    if bad.is_empty() {
        Ok(format!(
            "{} control lines resolve to listed evidence with the same SHA-256",
            index.controls.len()
        ))
    } else {
        Err(list(&bad))
    }
}

fn check_manifests(index: &Index, entries: &BTreeMap<String, PackEntry>) -> (Outcome, Vec<String>) {
    let mut warnings = Vec::new();
    let keys: Vec<VerifierKey> = index
        .trusted_keys
        .iter()
        .filter_map(|k| VerifierKey::parse(k).ok())
        .collect();
    let mut bad = Vec::new();
    let recorded: BTreeSet<&str> = index
        .manifest_signatures
        .iter()
        .map(|p| p.manifest.as_str())
        .collect();
    for a in &index.artifacts {
        if a.kind == Kind::Manifest.name() && !recorded.contains(a.path.as_str()) {
            bad.push(format!("{}: no recorded signature verdict", a.path));
        }
    }
    for pair in &index.manifest_signatures {
        let data = |p: &str| entries.get(p).and_then(|e| e.data.as_deref());
        let (Some(manifest), Some(sig)) = (data(&pair.manifest), data(&pair.signature)) else {
            bad.push(format!(
                "{}: manifest or signature missing or over its size budget",
                pair.manifest
            ));
            continue;
        };
        let (verified, signers) = match verify_detached(manifest, sig, &keys) {
            Ok(names) => (true, names),
            Err(_) => (false, Vec::new()),
        };
        if verified != pair.verified || signers != pair.signers {
            bad.push(format!(
                "{}: recorded verified={} by [{}], re-verification gives verified={verified} by [{}]",
                pair.manifest,
                pair.verified,
                pair.signers.join(", "),
                signers.join(", ")
            ));
        } else if !verified {
            warnings.push(format!(
                "manifest {} is recorded, and re-verifies, as NOT signed by a trusted key",
                pair.manifest
            ));
        }
    }
    let outcome = if bad.is_empty() {
        Ok(format!(
            "{} manifest/signature pairs re-verify to their recorded verdicts ({} verified)",
            index.manifest_signatures.len(),
            index
                .manifest_signatures
                .iter()
                .filter(|p| p.verified)
                .count()
        ))
    } else {
        Err(list(&bad))
    };
    (outcome, warnings)
}
