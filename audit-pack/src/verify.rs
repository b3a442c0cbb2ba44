//! Verifying a pack end to end, from a byte stream, without extracting anything.
//!
//! The report's checks, in order (ids are stable):
//!
//! | id | passes when |
//! |---|---|
//! | `audit-pack.archive.safe` | one gzip member holding a strict GNU tar of regular files with safe, unique paths, within budgets (including the directory bookkeeping), starting with `index.json` and `index.json.sig`, with nothing after its end |
//! | `audit-pack.index.signature` | `index.json.sig` holds a valid Ed25519 signature over `index.json` by the given key, or (X.509 trust) a raw signature by the leaf of `index.json.certs.pem`, which plugin-x509 validates to a pinned root |
//! | `audit-pack.index.canonical` | `index.json` is canonical JSON + newline, of the index's shape, with well-formed fields |
//! | `audit-pack.files.present` | every artifact the index lists is in the pack |
//! | `audit-pack.files.sha256` | every listed file's SHA-256 is the one listed |
//! | `audit-pack.files.size` | every listed file's size is the one listed |
//! | `audit-pack.files.unlisted` | the pack holds no file the index does not list |
//! | `audit-pack.index.merkle-root` | `merkleRoot` is the RFC 6962 root over the artifact entries |
//! | `audit-pack.controls.evidence` | `control-map.csv` matches the index's controls, and every control line resolves to a listed artifact of the same SHA-256 and kind |
//! | `audit-pack.manifests.signatures` | every manifest has a recorded verdict, and re-verifying each pair with the verifier's trust, never the pack's (Ed25519: the verifier's manifest keys; CMS: plugin-x509 with the verifier's manifest roots at the pack date; Sigstore bundles: plugin-cosign with the verifier's trusted root and expected signer at the pack date) gives that verdict; a pair recorded as not verified only in a pack built with `--allow-unverified-manifests` |
//! | `audit-pack.evidence.schemas` | every JSON evidence document (SLO breach, DR approval, chaos run, manifest) matches its schema again, and every DR approval names two distinct approvers and a listed artifact with its SHA-256 |
//!
//! Then, only when the pack carries `index.receipt.json` or a log key is given,
//! [`RECEIPT_CHECK_ID`] (`audit-pack.index.receipt`): the receipt verifies with the log key and
//! records this pack's Merkle root and signature digest; skipped (failing the report) when
//! the pack has a receipt and no log key was given.
//!
//! When the archive cannot be read safely, or the signature or the index's form fails, the
//! later checks are recorded as skipped ("not reached"), which makes the report not ok. Once
//! the signature or the index's form has failed, nothing more of the pack is read: the
//! archive check is then skipped ("the rest of the pack was not read").
//!
//! A pack built with an insecure mode (`insecureModes` in the index) says so in the report's
//! subject, in an `INSECURE:` warning per mode and in the output `insecure_build_modes`.

use crate::archive::{ArchiveError, PackEntry, PackReader};
use crate::build::RECEIPT_NAME;
use crate::controls;
use crate::evidence;
use crate::index::{
    BuildInsecure, Index, CONTROL_MAP_NAME, EVIDENCE_PREFIX, INDEX_NAME, PLUGIN_COSIGN,
    PLUGIN_X509, SIGNATURE_NAME,
};
use crate::keys::verify_detached;
use crate::kind::Kind;
use crate::limits::Limits;
use crate::signer::{
    parse_certificates, verify_cms_manifest, IndexTrust, X509Trust, CERTS_NAME, MAX_CERTS_SIZE,
};
use crate::sigstore::{verify_sigstore_manifest, SigstoreTrust};
use merkle::note::VerifierKey;
use plugin_api::{Report, ReportBuilder, VerificationTime};
use plugin_x509::{DetachedSignature, ManifestRequest};
use sha2::Digest;
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
    index_bytes: Vec<u8>,
    signature_bytes: Vec<u8>,
    certs_bytes: Option<Vec<u8>>,
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

    /// The exact bytes of `index.json` (what the signature covers).
    pub fn index_bytes(&self) -> &[u8] {
        &self.index_bytes
    }

    /// The exact bytes of `index.json.sig`.
    pub fn signature_bytes(&self) -> &[u8] {
        &self.signature_bytes
    }

    /// The exact bytes of `index.json.certs.pem` (X.509-signed packs only).
    pub fn certs_bytes(&self) -> Option<&[u8]> {
        self.certs_bytes.as_deref()
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
    verify_trusted(builder, input, &Trust::keys(keys), limits, spot)
}

/// What a verifier trusts, given at verification time (never taken from the pack).
#[derive(Debug, Clone, Copy)]
pub struct Trust<'a> {
    /// Who may have signed the index.
    pub index: IndexTrust<'a>,
    /// Keys for re-verifying Ed25519 manifest pairs (`*.manifest.json.sig`). Never taken
    /// from the pack (its `trustedKeys` are shown, not trusted); without them a pack holding
    /// a pair recorded as verified does not verify (the manifest check is skipped).
    pub manifest_keys: &'a [VerifierKey],
    /// The verifier key of the transparency log whose receipt the pack may carry. With it, a
    /// pack must carry a receipt that verifies; without it, a receipt in the pack is a skipped
    /// check (which fails the report).
    pub log_key: Option<&'a VerifierKey>,
    /// Roots for re-verifying CMS manifest pairs (`*.manifest.json.p7s`). Never taken from
    /// the pack; without them a pack holding such a pair does not verify (the manifest check
    /// is skipped).
    pub manifest_roots: Option<&'a [plugin_x509::Certificate]>,
    /// Trusted root and expected signer for re-verifying Sigstore manifest pairs
    /// (`*.manifest.json.sigstore.json`). Never taken from the pack; without it a pack
    /// holding such a pair does not verify (the manifest check is skipped).
    pub manifest_sigstore: Option<&'a SigstoreTrust>,
}

impl<'a> Trust<'a> {
    /// Ed25519 index keys only: no manifest keys, no log key.
    pub fn keys(keys: &'a [VerifierKey]) -> Self {
        Trust {
            index: IndexTrust::Keys(keys),
            manifest_keys: &[],
            log_key: None,
            manifest_roots: None,
            manifest_sigstore: None,
        }
    }

    /// The same trust, with `keys` for Ed25519 manifest pairs.
    pub fn with_manifest_keys(self, keys: &'a [VerifierKey]) -> Self {
        Trust {
            manifest_keys: keys,
            ..self
        }
    }
}

/// Check id of the log receipt check (not in [`CHECK_IDS`]: recorded only when the pack
/// carries `index.receipt.json` or a log key is given).
pub const RECEIPT_CHECK_ID: &str = "audit-pack.index.receipt";

/// As [`verify_detailed`], with the trust given as a [`Trust`]: Ed25519 keys or pinned X.509
/// roots for the index signature.
pub fn verify_trusted<R: BufRead>(
    builder: ReportBuilder,
    input: R,
    trust: &Trust<'_>,
    limits: &Limits,
    spot: Option<SpotCheckRequest>,
) -> Verification {
    let receipt_present = Cell::new(false);
    let unverified = |b: ReportBuilder| {
        let b = if trust.log_key.is_some() || receipt_present.get() {
            b.skip(RECEIPT_CHECK_ID, "not reached: an earlier check failed")
        } else {
            b
        };
        Verification {
            report: match spot {
                Some(_) => b
                    .skip(SPOT_CHECK_ID, "not reached: an earlier check failed")
                    .finish(),
                None => b.finish(),
            },
            verified: None,
        }
    };
    let mut b = builder.subject("audit pack");
    let mut reader = PackReader::new(input, *limits);

    // 1. index.json and index.json.sig, first (then index.json.certs.pem for an X.509 signer).
    let head = read_head(&mut reader, limits);
    let Head {
        index: index_bytes,
        signature: sig_bytes,
        certs,
        receipt,
        first,
    } = match head {
        Ok(head) => {
            receipt_present.set(head.receipt.is_some());
            head
        }
        Err(reason) => {
            b = b.fail(CHECK_IDS[0], reason);
            return unverified(skip_rest(
                b,
                1,
                "not reached: the archive could not be read safely",
            ));
        }
    };

    // 2. The signature, then the index's form. Once either fails the verdict is decided:
    //    nothing more is read (a pack that does not verify costs no more than its head).
    let (signature, signers, warnings) =
        verify_index_signature(&index_bytes, &sig_bytes, certs.as_deref(), trust.index);
    for w in warnings {
        b = b.warning(format!("index signature: {w}"));
    }
    let signature = match signature {
        Ok(detail) => detail,
        Err(reason) => {
            b = b
                .skip(
                    CHECK_IDS[0],
                    "the rest of the pack was not read: the index signature did not verify",
                )
                .fail(CHECK_IDS[1], reason);
            return unverified(skip_rest(
                b,
                2,
                "not reached: the index signature did not verify",
            ));
        }
    };
    let index = match Index::parse(&index_bytes, limits.max_index_size) {
        Ok(index) => index,
        Err(e) => {
            b = b
                .skip(
                    CHECK_IDS[0],
                    "the rest of the pack was not read: index.json is not a well-formed index",
                )
                .pass(CHECK_IDS[1], signature)
                .fail(CHECK_IDS[2], e.to_string());
            return unverified(skip_rest(
                b,
                3,
                "not reached: index.json is not a well-formed index",
            ));
        }
    };

    // 3. Stream the rest, keeping the files that are parsed.
    let keep: BTreeSet<String> = {
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
    };
    // Held in memory: the control map (CSV budget), manifests (JSON budget) and their
    // signatures (signature budget), at most MAX_RETAINED bytes in all; anything over a
    // budget is not kept, and the check that needs it fails.
    let retained = Cell::new(0u64);
    let wanted = |path: &str, size: u64| {
        let max = if path == CONTROL_MAP_NAME {
            limits.max_csv_size
        } else if path.ends_with(".sig") || path.ends_with(".p7s") {
            limits.max_signature_size
        } else {
            limits.max_json_size
        };
        keep.contains(path)
            && size <= max as u64
            && retained.get().saturating_add(size) <= MAX_RETAINED
    };
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let mut archive: Result<(), ArchiveError> = Ok(());
    if let Some(entry) = first {
        let held = entry.data.as_ref().map_or(0, |d| d.len() as u64);
        retained.set(retained.get().saturating_add(held));
        let (path, entry) = Entry::from_pack(entry);
        entries.insert(path, entry);
    }
    let head_entries = 2 + usize::from(certs.is_some()) + usize::from(receipt.is_some());
    loop {
        match reader.next_entry(&wanted) {
            Ok(Some(entry)) => {
                let held = entry.data.as_ref().map_or(0, |d| d.len() as u64);
                retained.set(retained.get().saturating_add(held));
                let (path, entry) = Entry::from_pack(entry);
                entries.insert(path, entry);
            }
            Ok(None) => break,
            Err(e) => {
                archive = Err(e);
                break;
            }
        }
    }
    // The reader's path bookkeeping is no longer needed: free it before the checks.
    drop(reader);
    match archive {
        Ok(()) => {
            b = b.pass(
                CHECK_IDS[0],
                format!(
                    "{} entries, regular files with safe unique paths, within budgets",
                    entries.len() + head_entries
                ),
            );
        }
        Err(e) => {
            b = b.fail(CHECK_IDS[0], e.to_string());
            b = b.pass(CHECK_IDS[1], signature);
            return unverified(skip_rest(
                b,
                2,
                "not reached: the archive could not be read safely",
            ));
        }
    }
    b = b.pass(CHECK_IDS[1], signature);
    b = b
        .pass(
            CHECK_IDS[2],
            "canonical JSON (RFC 8785) with well-formed fields",
        )
        .subject(pack_subject(&index))
        .output("org", index.org.clone())
        .output("generated_at", index.generated_at.clone())
        .output("merkle_root", index.merkle_root.clone())
        .output("artifacts", index.artifacts.len())
        .output("controls", index.controls.len());
    // Insecure modes of the build: in the subject (so no "verified" line omits them), first
    // among the warnings, and as an output.
    if !index.insecure_modes.is_empty() {
        let names: Vec<&str> = index.insecure_modes.iter().map(|m| m.name()).collect();
        b = b.output("insecure_build_modes", names.join(", "));
        for mode in &index.insecure_modes {
            b = b.warning(format!(
                "INSECURE: the pack was built with {mode}: {}",
                mode.description()
            ));
        }
    }

    b = record(b, CHECK_IDS[3], check_present(&index, &entries));
    b = record(b, CHECK_IDS[4], check_sha256(&index, &entries));
    b = record(b, CHECK_IDS[5], check_size(&index, &entries));
    b = record(b, CHECK_IDS[6], check_unlisted(&index, &entries));
    b = record(b, CHECK_IDS[7], check_root(&index));
    b = record(b, CHECK_IDS[8], check_controls(&index, &entries, limits));
    let (outcome, warnings) = check_manifests(&index, &entries, trust);
    b = match outcome {
        ManifestOutcome::Checked(outcome) => record(b, CHECK_IDS[9], outcome),
        ManifestOutcome::NoRoots(reason) => b.skip(CHECK_IDS[9], reason),
    };
    for w in warnings {
        b = b.warning(w);
    }
    b = record(b, CHECK_IDS[10], check_evidence(&index, &entries));
    b = match (&receipt, trust.log_key) {
        (Some(receipt), Some(key)) => record(
            b,
            RECEIPT_CHECK_ID,
            check_receipt(receipt, key, &index.merkle_root, &sig_bytes),
        ),
        (Some(_), None) => b.skip(
            RECEIPT_CHECK_ID,
            format!("the pack carries a log receipt ({RECEIPT_NAME}) but no log key was given to check it"),
        ),
        (None, Some(_)) => b.fail(
            RECEIPT_CHECK_ID,
            format!("a log key was given but the pack carries no log receipt ({RECEIPT_NAME})"),
        ),
        (None, None) => b,
    };
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
            index_bytes,
            signature_bytes: sig_bytes,
            certs_bytes: certs,
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

fn check_evidence(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
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

/// A file read from the pack, kept by path (the path is the map's key, held once).
struct Entry {
    size: u64,
    sha256: [u8; 32],
    data: Option<Vec<u8>>,
}

impl Entry {
    fn from_pack(e: PackEntry) -> (String, Entry) {
        (
            e.path,
            Entry {
                size: e.size,
                sha256: e.sha256,
                data: e.data,
            },
        )
    }
}

/// The entries before the artifacts.
struct Head {
    /// `index.json`.
    index: Vec<u8>,
    /// `index.json.sig`.
    signature: Vec<u8>,
    /// `index.json.certs.pem`, if it comes next.
    certs: Option<Vec<u8>>,
    /// `index.receipt.json`, if it comes next.
    receipt: Option<Vec<u8>>,
    /// The entry read after them (kept if it is `control-map.csv`).
    first: Option<PackEntry>,
}

fn read_head<R: BufRead>(reader: &mut PackReader<R>, limits: &Limits) -> Result<Head, String> {
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
    let wanted = |path: &str, size: u64| {
        (path == CERTS_NAME && size <= MAX_CERTS_SIZE as u64)
            || (path == RECEIPT_NAME && size <= tlog::MAX_RECEIPT as u64)
            || (path == CONTROL_MAP_NAME && size <= limits.max_csv_size as u64)
    };
    let mut out = Head {
        index,
        signature: sig,
        certs: None,
        receipt: None,
        first: None,
    };
    // In this order, each at most once: index.json.certs.pem, index.receipt.json.
    loop {
        let Some(entry) = reader.next_entry(&wanted).map_err(|e| e.to_string())? else {
            return Ok(out);
        };
        let (slot, max) =
            if entry.path == CERTS_NAME && out.certs.is_none() && out.receipt.is_none() {
                (&mut out.certs, MAX_CERTS_SIZE)
            } else if entry.path == RECEIPT_NAME && out.receipt.is_none() {
                (&mut out.receipt, tlog::MAX_RECEIPT)
            } else {
                out.first = Some(entry);
                return Ok(out);
            };
        let data = entry.data.ok_or_else(|| {
            format!(
                "{} is {} bytes, more than the limit of {max}",
                entry.path, entry.size
            )
        })?;
        *slot = Some(data);
    }
}

/// The log receipt: it verifies with the log key (signed checkpoint, inclusion proof) and its
/// entry records this pack (manifest_root = the signed Merkle root, sig_digest = SHA-256 of
/// `index.json.sig`).
fn check_receipt(receipt: &[u8], key: &VerifierKey, root: &str, signature: &[u8]) -> Outcome {
    let receipt = tlog::Receipt::parse(receipt)
        .map_err(|e| format!("{RECEIPT_NAME} is not a log receipt: {e}"))?;
    let cp = receipt.open_checkpoint(key).map_err(|e| {
        format!(
            "the receipt's checkpoint does not verify with log key {}: {e}",
            key.name()
        )
    })?;
    receipt
        .verify_inclusion(&cp)
        .map_err(|e| format!("the receipt's inclusion proof does not verify: {e}"))?;
    let want_sig = hex::encode(sha2::Sha256::digest(signature));
    let got_root = receipt.entry.manifest_root().to_hex();
    let got_sig = receipt.entry.sig_digest().to_hex();
    let mut diffs = Vec::new();
    if got_root != root {
        diffs.push(format!(
            "manifest_root {got_root} is not the pack's merkleRoot {root}"
        ));
    }
    if got_sig != want_sig {
        diffs.push(format!(
            "sig_digest {got_sig} is not the SHA-256 of index.json.sig {want_sig}"
        ));
    }
    if !diffs.is_empty() {
        return Err(format!(
            "the receipt records another pack: {}",
            diffs.join("; ")
        ));
    }
    let c = cp.checkpoint();
    Ok(format!(
        "entry {:?} (merkleRoot, SHA-256 of index.json.sig) is leaf {} of the log tree of size {} with root {} signed by {}",
        receipt.entry.name(),
        receipt.index,
        c.size,
        c.root,
        key.name()
    ))
}

/// Checks the index signature (`index.json.sig`, and `index.json.certs.pem` if the pack has
/// one) with the verifier's trust. Returns the outcome, the signers' names and warnings.
pub(crate) fn verify_index_signature(
    index_bytes: &[u8],
    sig_bytes: &[u8],
    certs: Option<&[u8]>,
    trust: IndexTrust<'_>,
) -> (Outcome, Vec<String>, Vec<String>) {
    match trust {
        IndexTrust::Keys(keys) => {
            let key_names = keys
                .iter()
                .map(VerifierKey::name)
                .collect::<Vec<_>>()
                .join(", ");
            if certs.is_some() {
                return (
                    Err(format!(
                        "the index is signed with an X.509 certificate ({CERTS_NAME}), not an Ed25519 key: verify it with trusted roots"
                    )),
                    Vec::new(),
                    Vec::new(),
                );
            }
            match verify_detached(index_bytes, sig_bytes, keys) {
                Ok(names) => (
                    Ok(format!(
                        "Ed25519 signature over index.json by {}",
                        names.join(", ")
                    )),
                    names,
                    Vec::new(),
                ),
                Err(e) => (
                    Err(format!(
                        "index.json.sig does not verify with key {key_names}: {e}"
                    )),
                    Vec::new(),
                    Vec::new(),
                ),
            }
        }
        IndexTrust::X509(x509) => match certs {
            None => (
                Err(format!(
                    "the pack has no {CERTS_NAME}: its index is not signed with an X.509 certificate"
                )),
                Vec::new(),
                Vec::new(),
            ),
            Some(certs) => verify_x509_index(index_bytes, sig_bytes, certs, x509),
        },
    }
}

/// The index signature by an X.509 certificate: the raw signature in `index.json.sig` over
/// `index.json`, the leaf and intermediates from `index.json.certs.pem`, validated by
/// plugin-x509 to the pinned roots at the trust's time or else the pack date. Returns the
/// outcome, the signer (the leaf's subject) and the plugin's warnings.
fn verify_x509_index(
    index_bytes: &[u8],
    sig: &[u8],
    certs: &[u8],
    trust: &X509Trust,
) -> (Outcome, Vec<String>, Vec<String>) {
    let fail = |why: String| (Err(why), Vec::new(), Vec::new());
    let certs = match parse_certificates(certs) {
        Ok(c) => c,
        Err(e) => return fail(format!("{CERTS_NAME}: {e}")),
    };
    let Some((leaf, intermediates)) = certs.split_first() else {
        return fail(format!("{CERTS_NAME} holds no certificate"));
    };
    let time = match trust.at {
        Some(at) => at,
        None => match pack_date_of(index_bytes) {
            Some(t) => t,
            None => return fail(
                "no verification time: index.json has no valid generatedAt (give one explicitly)"
                    .to_owned(),
            ),
        },
    };
    let report = plugin_x509::verify_manifest(&ManifestRequest {
        subject: INDEX_NAME,
        manifest: index_bytes,
        signature: &DetachedSignature::Raw(sig.to_vec()),
        leaf,
        intermediates,
        anchors: &trust.roots,
        crls: &trust.crls,
        require_crl: trust.require_crl,
        time,
    });
    let details: Vec<String> = report
        .checks()
        .iter()
        .map(|c| format!("{}: {}", c.id, c.explanation()))
        .collect();
    let when = time.to_rfc3339();
    if report.ok() {
        (
            Ok(format!(
                "X.509 signature over index.json by {} at {when}; {}",
                leaf.subject(),
                details.join("; ")
            )),
            vec![leaf.subject().to_owned()],
            report.warnings().to_vec(),
        )
    } else {
        let failed = report
            .first_failure()
            .map(|c| format!("{}: {}", c.id, c.explanation()))
            .unwrap_or_else(|| details.join("; "));
        fail(format!(
            "the X.509 signature over index.json by {} does not verify at {when}: {failed}",
            leaf.subject()
        ))
    }
}

/// Midnight UTC of the pack date in `index.json` (not yet verified: used only as the time at
/// which the signature over these very bytes is checked).
fn pack_date_of(index_bytes: &[u8]) -> Option<VerificationTime> {
    let value: serde_json::Value = plugin_api::json::from_slice(index_bytes).ok()?;
    let at = value.get("generatedAt")?.as_str()?;
    if at.len() != 20 || !at.ends_with("T00:00:00Z") {
        return None;
    }
    let date = crate::names::PackDate::parse(at.get(..10)?).ok()?;
    Some(VerificationTime::from_unix_seconds(date.unix_seconds()))
}

fn skip_rest(mut b: ReportBuilder, from: usize, reason: &str) -> ReportBuilder {
    for id in CHECK_IDS.iter().skip(from) {
        b = b.skip(id, reason);
    }
    b
}

/// How many items a failed check lists (then "and N more").
const LISTED: usize = 5;

fn list(items: &[String]) -> String {
    let mut s = items
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > LISTED {
        s.push_str(&format!("; and {} more", items.len() - LISTED));
    }
    s
}

fn check_present(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
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

fn check_sha256(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
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

fn check_size(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
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

fn check_unlisted(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
    // Up to 10 000 unlisted paths of 1 KiB: count them, copy only the few that are shown.
    let mut unlisted = entries.keys().filter(|p| index.artifact(p).is_none());
    let shown: Vec<String> = unlisted.by_ref().take(LISTED).cloned().collect();
    let more = unlisted.count();
    if shown.is_empty() {
        Ok("no file besides index.json and index.json.sig is unlisted".to_owned())
    } else {
        let mut s = format!("in the pack but not listed: {}", shown.join("; "));
        if more > 0 {
            s.push_str(&format!("; and {more} more"));
        }
        Err(s)
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

fn check_controls(index: &Index, entries: &BTreeMap<String, Entry>, limits: &Limits) -> Outcome {
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

/// The manifest check's outcome: checked, or not checkable without the trust material
/// (manifest keys, manifest roots, Sigstore trusted root and signer) the verifier must give.
enum ManifestOutcome {
    Checked(Outcome),
    NoRoots(String),
}

/// The subject of a verified pack's report; an insecure build says so in it.
fn pack_subject(index: &Index) -> String {
    let mut subject = format!(
        "audit pack of {} generated {}",
        index.org, index.generated_at
    );
    if !index.insecure_modes.is_empty() {
        let flags: Vec<&str> = index.insecure_modes.iter().map(|m| m.flag()).collect();
        subject.push_str(&format!(" [INSECURE: built with {}]", flags.join(" ")));
    }
    subject
}

/// Re-verifies every manifest pair with the verifier's trust (never with anything the pack
/// names) and compares with the recorded verdicts. A pair recorded as verified needs the
/// trust of its kind (else it is "not re-verified" and the check is skipped, failing the
/// report); a pair recorded as not verified is accepted only in a pack built with
/// `--allow-unverified-manifests`, and is re-verified too when the trust is given.
fn check_manifests(
    index: &Index,
    entries: &BTreeMap<String, Entry>,
    trust: &Trust<'_>,
) -> (ManifestOutcome, Vec<String>) {
    let time = crate::names::PackDate::parse(index.generated_at.get(..10).unwrap_or_default())
        .map(|d| VerificationTime::from_unix_seconds(d.unix_seconds()));
    let allow_unverified = index.has_insecure(BuildInsecure::AllowUnverifiedManifests);
    let mut warnings = Vec::new();
    let mut bad = Vec::new();
    // Pairs recorded as verified that the verifier gave no trust to re-verify, by kind.
    let (mut no_keys, mut no_roots, mut no_sigstore) = (0usize, 0usize, 0usize);
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
        if !pair.verified && !allow_unverified {
            bad.push(format!(
                "{}: recorded as not verified, but the pack was not built with {} (a build without it fails on such a manifest)",
                pair.manifest,
                BuildInsecure::AllowUnverifiedManifests.flag()
            ));
            continue;
        }
        let data = |p: &str| entries.get(p).and_then(|e| e.data.as_deref());
        let (Some(manifest), Some(sig)) = (data(&pair.manifest), data(&pair.signature)) else {
            bad.push(format!(
                "{}: manifest or signature missing or over its size budget",
                pair.manifest
            ));
            continue;
        };
        // `None`: the verifier gave no trust for this kind of pair.
        let result: Option<Result<Vec<String>, String>> = match (pair.plugin.as_deref(), &time) {
            (None, _) => (!trust.manifest_keys.is_empty()).then(|| {
                verify_detached(manifest, sig, trust.manifest_keys).map_err(|e| e.to_string())
            }),
            (Some(PLUGIN_X509), Ok(time)) => trust.manifest_roots.map(|roots| {
                verify_cms_manifest(&pair.manifest, manifest, sig, roots, *time)
                    .0
                    .map(|subject| vec![subject])
            }),
            (Some(PLUGIN_COSIGN), Ok(time)) => trust.manifest_sigstore.map(|sigstore| {
                verify_sigstore_manifest(manifest, sig, sigstore, *time)
                    .map(|identity| vec![identity])
            }),
            // No readable pack date: not checkable (Index::parse insists on one).
            (Some(PLUGIN_X509 | PLUGIN_COSIGN), Err(_)) => None,
            (Some(other), _) => {
                bad.push(format!("{}: unknown plugin {other:?}", pair.manifest));
                continue;
            }
        };
        let Some(result) = result else {
            if pair.verified {
                match pair.plugin.as_deref() {
                    None => no_keys += 1,
                    Some(PLUGIN_X509) => no_roots += 1,
                    _ => no_sigstore += 1,
                }
            } else {
                // Recorded as not verified, allowed by the build's insecure mode, and nothing
                // to re-verify it with: it stays not verified.
                warnings.push(format!(
                    "INSECURE: manifest {} is recorded as NOT verified ({}); not re-verified: no trust for it was given",
                    pair.manifest,
                    BuildInsecure::AllowUnverifiedManifests.flag()
                ));
            }
            continue;
        };
        let (verified, signers, why) = match result {
            Ok(signers) => (true, signers, String::new()),
            Err(why) => (false, Vec::new(), why),
        };
        if verified != pair.verified || signers != pair.signers {
            let mut msg = format!(
                "{}: recorded verified={} by [{}], re-verification gives verified={verified} by [{}]",
                pair.manifest,
                pair.verified,
                pair.signers.join(", "),
                signers.join(", ")
            );
            if !why.is_empty() {
                msg.push_str(&format!(" ({why})"));
            }
            bad.push(msg);
        } else if !verified {
            warnings.push(format!(
                "INSECURE: manifest {} is recorded, and re-verifies, as NOT signed by a trusted signer ({})",
                pair.manifest,
                BuildInsecure::AllowUnverifiedManifests.flag()
            ));
        }
    }
    let mut unchecked = Vec::new();
    if no_keys > 0 {
        unchecked.push(format!(
            "{no_keys} Ed25519 manifest pairs not re-verified: no --manifest-key was given (keys listed in the pack are never trusted)"
        ));
    }
    if no_roots > 0 {
        unchecked.push(format!(
            "{no_roots} X.509 (CMS) manifest pairs not re-verified: no --manifest-trust-root was given"
        ));
    }
    if no_sigstore > 0 {
        unchecked.push(format!(
            "{no_sigstore} Sigstore manifest pairs not re-verified: no Sigstore trusted root and signer were given"
        ));
    }
    if !unchecked.is_empty() {
        if !bad.is_empty() {
            // A failure found among the other pairs stays a failure.
            bad.extend(unchecked);
            return (ManifestOutcome::Checked(Err(list(&bad))), warnings);
        }
        return (ManifestOutcome::NoRoots(unchecked.join("; ")), warnings);
    }
    let outcome = if bad.is_empty() {
        let total = index.manifest_signatures.len();
        let verified = index
            .manifest_signatures
            .iter()
            .filter(|p| p.verified)
            .count();
        let mut detail = format!(
            "{total} manifest/signature pairs: {verified} re-verified with the verifier's trust to their recorded signers"
        );
        if verified < total {
            detail.push_str(&format!(
                "; {} recorded as NOT verified (INSECURE: the pack was built with {})",
                total - verified,
                BuildInsecure::AllowUnverifiedManifests.flag()
            ));
        }
        Ok(detail)
    } else {
        Err(list(&bad))
    };
    (ManifestOutcome::Checked(outcome), warnings)
}
