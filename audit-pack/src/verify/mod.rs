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
//! | `audit-pack.index.sections` | version 2: every section path exists in the pack, every artifact lies under a declared section, and the sections are the ones the layout gives (version 1 packs have none) |
//! | `audit-pack.controls.evidence` | `control-map.csv` matches the index's controls, and every control line resolves to a listed artifact of the same SHA-256 and kind |
//! | `audit-pack.manifests.signatures` | every manifest has a recorded verdict, and re-verifying each pair with the verifier's trust, never the pack's (Ed25519: the verifier's manifest keys; CMS: plugin-x509 with the verifier's manifest roots at the pack date; Sigstore bundles: plugin-cosign with the verifier's trusted root and expected signer at the pack date) gives that verdict; a pair recorded as not verified only in a pack built with `--allow-unverified-manifests` |
//! | `audit-pack.evidence.schemas` | every JSON evidence document (SLO breach, DR approval, chaos run, drift incident, simulation report, manifest, provenance) matches its schema again; every DR approval names two distinct approvers (and, if it names one, a listed artifact with its SHA-256); every drift incident's links into the pack resolve; every budget dashboard's recorded period is the one its content (or its control lines) give |
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

pub(crate) mod checks;
mod contents;
mod head;
mod manifests;
mod signature;

pub use checks::{CHECK_IDS, RECEIPT_CHECK_ID, SPOT_CHECK_ID};
pub(crate) use signature::verify_index_signature;

use crate::archive::{ArchiveError, PackEntry, PackReader};
use crate::build::RECEIPT_NAME;
use crate::controls;
use crate::evidence;
use crate::index::{BuildInsecure, Index, INDEX_NAME, PLUGIN_COSIGN, PLUGIN_X509, SIGNATURE_NAME};
use crate::keys::verify_detached;
use crate::kind::Kind;
use crate::limits::Limits;
use crate::signer::{verify_cms_manifest, IndexTrust, X509Trust, CERTS_NAME};
use crate::sigstore::{verify_sigstore_manifest, SigstoreTrust};
use checks::*;
use contents::{
    check_controls, check_evidence, check_present, check_root, check_sections, check_sha256,
    check_size, check_unlisted, list,
};
use head::{read_head, Entry, Head, HeadError};
use manifests::{check_manifests, ManifestOutcome};
use merkle::note::VerifierKey;
use plugin_api::{Failure, Report, ReportBuilder, VerificationTime};
use plugin_x509::{DetachedSignature, ManifestRequest};
use sha2::Digest;
use signature::check_receipt;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

/// The plugin name in reports.
pub const PLUGIN: &str = "audit-pack";

/// A check's outcome: its detail when it passed, or why it failed.
type Outcome = Result<String, plugin_api::Failure>;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpotCheckRequest {
    /// Control lines picked at random, reproducibly.
    Sample {
        /// How many control lines to follow (all of them if there are fewer).
        count: usize,
        /// The seed of the SplitMix64 generator that picks them.
        seed: u64,
    },
    /// Every control line of these control ids (each must have at least one line).
    Controls(Vec<String>),
}

/// The result of verifying a pack: the report, and the index only if the report is ok.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The report of every check.
    pub report: Report,
    verified: Option<VerifiedPack>,
    not_a_pack: Option<String>,
}

impl Verification {
    /// The verified pack's SHA-256 (hex) recorded as the report's `pack_sha256` output, the
    /// digest an auditor matches against a report's cover. Only for a pack that verified:
    /// the digest is of the bytes that verification read to their end.
    pub(crate) fn with_pack_sha256(mut self, digest: &str) -> Self {
        if self.verified.is_some() {
            self.report = self
                .report
                .amend(Report::builder(PLUGIN).output("pack_sha256", digest));
        }
        self
    }

    /// Why the input is not an audit pack at all (not gzip, a corrupt or truncated stream,
    /// or no tar header where the pack starts), when that is why it failed. Such an input
    /// reaches no verdict: command-line tools exit 2 for it rather than 1. The report is
    /// failed either way.
    pub fn not_a_pack(&self) -> Option<&str> {
        self.not_a_pack.as_deref()
    }

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
            b.not_reached([RECEIPT_CHECK_ID])
        } else {
            b
        };
        Verification {
            report: match &spot {
                Some(_) => b.not_reached([SPOT_CHECK_ID]).finish(),
                None => b.finish(),
            },
            verified: None,
            not_a_pack: None,
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
        Err(error) => {
            let not_a_pack = match &error {
                HeadError::NotAPack(reason) => Some(format!("not an audit pack: {reason}")),
                HeadError::Failed(_) => None,
            };
            let reason = match error {
                HeadError::NotAPack(reason) => Failure::new(reason),
                HeadError::Failed(f) => f,
            };
            b = b.fail(ARCHIVE_SAFE, reason);
            let mut v = unverified(skip_after(
                b,
                ARCHIVE_SAFE,
                "not reached: the archive could not be read safely",
            ));
            v.not_a_pack = not_a_pack;
            return v;
        }
    };

    // 2. The signature, then the index's form. Once either fails the verdict is decided:
    //    nothing more is read (a pack that does not verify costs no more than its head).
    let (signature, signers, warnings) = verify_index_signature(
        &index_bytes,
        &sig_bytes,
        certs.as_deref(),
        trust.index,
        limits,
    );
    for w in warnings {
        b = b.warning(format!("index signature: {w}"));
    }
    let signature = match signature {
        Ok(detail) => detail,
        Err(reason) => {
            b = b
                .skip(
                    ARCHIVE_SAFE,
                    "the rest of the pack was not read: the index signature did not verify",
                )
                .fail(INDEX_SIGNATURE, reason);
            return unverified(skip_after(
                b,
                INDEX_SIGNATURE,
                "not reached: the index signature did not verify",
            ));
        }
    };
    let index = match Index::parse(&index_bytes, limits.max_index_size) {
        Ok(index) => index,
        Err(e) => {
            b = b
                .skip(
                    ARCHIVE_SAFE,
                    "the rest of the pack was not read: index.json is not a well-formed index",
                )
                .pass(INDEX_SIGNATURE, signature)
                .fail(INDEX_CANONICAL, e.to_string());
            return unverified(skip_after(
                b,
                INDEX_CANONICAL,
                "not reached: index.json is not a well-formed index",
            ));
        }
    };

    // 3. Stream the rest, keeping the files that are parsed.
    // What is held in memory, and each file's budget: the control map (CSV budget),
    // manifests (JSON budget) and their signatures (signature budget; a Sigstore bundle:
    // JSON), and the evidence documents that are checked again (`content_budget`, as the
    // build read them); at most `max_retained` bytes in all. Anything over a budget is not
    // kept, and the check that needs it fails.
    let keep: BTreeMap<String, usize> = {
        let mut k = BTreeMap::from([(index.control_map_path().to_owned(), limits.max_csv_size)]);
        for pair in &index.manifest_signatures {
            k.insert(pair.manifest.clone(), limits.max_json_size);
            let max = if pair.plugin.as_deref() == Some(PLUGIN_COSIGN) {
                limits.max_json_size
            } else {
                limits.max_signature_size
            };
            k.insert(pair.signature.clone(), max);
        }
        for a in &index.artifacts {
            if let Some(max) = Kind::from_name(&a.kind)
                .and_then(|kind| evidence::content_budget(kind, &a.name, limits))
            {
                k.entry(a.path.clone()).or_insert(max);
            }
        }
        k
    };
    let retained = Cell::new(0u64);
    let wanted = |path: &str, size: u64| {
        keep.get(path).is_some_and(|max| size <= *max as u64)
            && retained.get().saturating_add(size) <= limits.max_retained
    };
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let mut archive: Result<(), ArchiveError> = Ok(());
    if let Some(mut entry) = first {
        // The head kept it before the index was known: keep it only if it is wanted.
        if !wanted(&entry.path, entry.size) {
            entry.data = None;
        }
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
                ARCHIVE_SAFE,
                format!(
                    "{} entries, regular files with safe unique paths, within budgets",
                    entries.len() + head_entries
                ),
            );
        }
        Err(e) => {
            b = b.fail(ARCHIVE_SAFE, e.to_string());
            b = b.pass(INDEX_SIGNATURE, signature);
            return unverified(skip_after(
                b,
                INDEX_SIGNATURE,
                "not reached: the archive could not be read safely",
            ));
        }
    }
    b = b.pass(INDEX_SIGNATURE, signature);
    b = b
        .pass(
            INDEX_CANONICAL,
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

    b = record(b, FILES_PRESENT, check_present(&index, &entries));
    b = record(b, FILES_SHA256, check_sha256(&index, &entries));
    b = record(b, FILES_SIZE, check_size(&index, &entries));
    b = record(b, FILES_UNLISTED, check_unlisted(&index, &entries));
    b = record(b, MERKLE_ROOT, check_root(&index));
    b = record(b, INDEX_SECTIONS, check_sections(&index));
    b = record(
        b,
        CONTROLS_EVIDENCE,
        check_controls(&index, &entries, limits),
    );
    let (outcome, warnings) = check_manifests(&index, &entries, trust);
    b = match outcome {
        ManifestOutcome::Checked(outcome) => record(b, MANIFEST_SIGNATURES, outcome),
        ManifestOutcome::NoRoots(reason) => b.skip(MANIFEST_SIGNATURES, reason),
    };
    for w in warnings {
        b = b.warning(w);
    }
    b = record(b, EVIDENCE_SCHEMAS, check_evidence(&index, &entries));
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
                let chosen = match &req {
                    SpotCheckRequest::Sample { count, seed } => Ok((
                        crate::spot_check::sample(index.controls.len(), *count, *seed),
                        format!("(seed {seed})"),
                    )),
                    SpotCheckRequest::Controls(ids) => crate::spot_check::lines_of(&index, ids)
                        .map(|p| (p, format!("(controls {})", ids.join(", ")))),
                };
                match chosen.and_then(|(positions, how)| {
                    crate::spot_check::spot_check(&index, &digests, &signers, root, &positions)
                        .map(|c| (c, how))
                }) {
                    Ok((chains, how)) => {
                        let width = chains.len().to_string().len();
                        let b = b.pass(
                            SPOT_CHECK_ID,
                            format!(
                                "{} of {} control lines {how} followed to their evidence, its SHA-256, a verified inclusion proof and the index signature",
                                chains.len(),
                                index.controls.len(),
                            ),
                        );
                        let mut b = match &req {
                            SpotCheckRequest::Sample { seed, .. } => {
                                b.output("spot_check_seed", *seed)
                            }
                            SpotCheckRequest::Controls(ids) => {
                                b.output("spot_check_controls", ids.clone())
                            }
                        };
                        for (i, c) in chains.iter().enumerate() {
                            b = b.output(format!("spot_check_{:0width$}", i + 1), c.chain());
                        }
                        b
                    }
                    Err(reason) => b.fail(SPOT_CHECK_ID, reason),
                }
            }
            _ => b.not_reached([SPOT_CHECK_ID]),
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
    Verification {
        report,
        verified,
        not_a_pack: None,
    }
}

/// Records every check after `last` (the last one recorded) as skipped with `reason`.
fn skip_after(mut b: ReportBuilder, last: &str, reason: &str) -> ReportBuilder {
    for id in CHECK_IDS.iter().skip_while(|id| **id != last).skip(1) {
        b = b.skip(id, reason);
    }
    b
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
