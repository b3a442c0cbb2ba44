//! Inclusion receipts: a self-contained JSON file verified with only the log's public key.
//!
//! ```json
//! {
//!   "format": "prov-verify/tlog-receipt/v1",
//!   "entry": {"manifest_root": "<hex>", "sig_digest": "<hex>", "name": "...", "metadata": {...}},
//!   "index": 7,
//!   "inclusion_proof": ["<hex>", ...],
//!   "checkpoint": "<the signed checkpoint note>"
//! }
//! ```
//!
//! The tree size and root come only from the signed checkpoint; the leaf hash only from the
//! entry's canonical bytes.

use crate::entry::{Entry, EntryJson};
use crate::fsio::read_limited;
use crate::proof::{DirTiles, TileProver};
use crate::tiles::{parse_bundle, MAX_BUNDLE};
use crate::writer::{read_checkpoint, read_config, CHECKPOINT_FILE};
use crate::TlogError;
use merkle::checkpoint::{CheckpointError, VerifiedCheckpoint};
use merkle::note::VerifierKey;
use merkle::tiles::{TileLevel, TilePath, TILE_WIDTH};
use merkle::{verify_inclusion, Hash, ProofError, MAX_INCLUSION_PROOF_LEN};
use plugin_api::{Failure, ReportBuilder};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The `format` value.
pub const RECEIPT_FORMAT: &str = "prov-verify/tlog-receipt/v1";
/// The largest receipt file, in bytes.
pub const MAX_RECEIPT: usize = 256 * 1024;

/// The JSON file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptJson {
    pub format: String,
    pub entry: EntryJson,
    pub index: u64,
    pub inclusion_proof: Vec<String>,
    pub checkpoint: String,
}

/// A parsed (not yet verified) receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub entry: Entry,
    pub index: u64,
    pub proof: Vec<Hash>,
    pub checkpoint: String,
}

impl Receipt {
    /// Parses receipt bytes (size, format, entry fields, proof length and hashes checked).
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogError> {
        if bytes.len() > MAX_RECEIPT {
            return Err(TlogError::Input(format!(
                "receipt is {} bytes, more than {MAX_RECEIPT}",
                bytes.len()
            )));
        }
        let j: ReceiptJson =
            plugin_api::json::from_slice(bytes).map_err(|e| TlogError::Input(e.to_string()))?;
        if j.format != RECEIPT_FORMAT {
            return Err(TlogError::Input(format!(
                "format {:?} is not {RECEIPT_FORMAT:?}",
                j.format.chars().take(64).collect::<String>()
            )));
        }
        if j.inclusion_proof.len() > MAX_INCLUSION_PROOF_LEN {
            return Err(TlogError::Input(format!(
                "inclusion_proof has more than {MAX_INCLUSION_PROOF_LEN} nodes"
            )));
        }
        let proof = j
            .inclusion_proof
            .iter()
            .enumerate()
            .map(|(i, h)| {
                Hash::from_hex(h)
                    .map_err(|e| TlogError::Input(format!("inclusion_proof[{i}]: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Receipt {
            entry: Entry::from_json(&j.entry)?,
            index: j.index,
            proof,
            checkpoint: j.checkpoint,
        })
    }

    /// The JSON form.
    pub fn to_json(&self) -> ReceiptJson {
        ReceiptJson {
            format: RECEIPT_FORMAT.to_owned(),
            entry: self.entry.to_json(),
            index: self.index,
            inclusion_proof: self.proof.iter().map(Hash::to_hex).collect(),
            checkpoint: self.checkpoint.clone(),
        }
    }

    /// Step 1: the checkpoint is signed by `key` and its origin is the key's name.
    pub fn open_checkpoint(
        &self,
        key: &VerifierKey,
    ) -> Result<VerifiedCheckpoint, CheckpointError> {
        merkle::checkpoint::open(
            self.checkpoint.as_bytes(),
            std::slice::from_ref(key),
            Some(key.name()),
        )
    }

    /// Step 2: the entry's leaf hash is at `index` in the checkpointed tree.
    pub fn verify_inclusion(&self, cp: &VerifiedCheckpoint) -> Result<(), ProofError> {
        let c = cp.checkpoint();
        verify_inclusion(
            self.index,
            c.size,
            &self.entry.leaf_hash(),
            &self.proof,
            &c.root,
        )
    }
}

/// Reads the entry at `index` from the bundles of a tree of `size` leaves in `dir`.
pub fn read_entry(dir: &Path, size: u64, index: u64) -> Result<Entry, TlogError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size }.into());
    }
    let tile_index = index >> 8;
    let width = if tile_index < size >> 8 {
        TILE_WIDTH
    } else {
        (size % u64::from(TILE_WIDTH)) as u16
    };
    let p = TilePath::new(TileLevel::Entries, tile_index, width)
        .map_err(|e| TlogError::Input(e.to_string()))?;
    let path = dir.join(p.to_string());
    let bytes = read_limited(&path, MAX_BUNDLE)?
        .ok_or_else(|| TlogError::corrupt(&path, "entry bundle is missing"))?;
    let entries = parse_bundle(&bytes, width).map_err(|r| TlogError::corrupt(&path, r))?;
    let raw = entries
        .get((index % 256) as usize)
        .ok_or_else(|| TlogError::corrupt(&path, "entry missing from bundle"))?;
    Entry::parse(raw)
}

/// Builds the receipt of entry `index` against the log's published checkpoint.
pub fn make_receipt(dir: &Path, index: u64) -> Result<Receipt, TlogError> {
    let (_, vkey) = read_config(dir)?;
    let (cp, note) = read_checkpoint(dir, &vkey)?
        .ok_or_else(|| TlogError::corrupt(dir.join(CHECKPOINT_FILE), "missing"))?;
    if index >= cp.size {
        return Err(TlogError::Input(format!(
            "entry {index} is not in the published checkpoint (size {}); run `log checkpoint`",
            cp.size
        )));
    }
    let entry = read_entry(dir, cp.size, index)?;
    let mut prover = TileProver::new(cp.size, DirTiles::new(dir));
    let leaf = prover.leaf_hash(index)?;
    if leaf != entry.leaf_hash() {
        return Err(TlogError::corrupt(
            dir,
            format!("entry {index} does not match its leaf hash"),
        ));
    }
    let proof = prover.inclusion_proof(index)?;
    let note =
        String::from_utf8(note).map_err(|_| TlogError::corrupt(dir, "checkpoint is not UTF-8"))?;
    let r = Receipt {
        entry,
        index,
        proof,
        checkpoint: note,
    };
    // Never hand out a receipt that does not verify.
    let cp = r.open_checkpoint(&vkey)?;
    r.verify_inclusion(&cp)?;
    Ok(r)
}

/// The entry fields that record a detached manifest and its signature file in the log:
/// `manifest_root` = SHA-256 of the exact manifest bytes, `sig_digest` = SHA-256 of the exact
/// signature file bytes. Hashing the bytes (not a parsed form) makes the record independent of
/// the manifest's format and of the signature kind (raw, CMS DER or PEM, a cosign bundle), and
/// lets anyone recompute it with `sha256sum`.
pub fn manifest_digests(manifest: &[u8], signature: &[u8]) -> (Hash, Hash) {
    let sha = |b: &[u8]| {
        let d = ring::digest::digest(&ring::digest::SHA256, b);
        let mut h = [0u8; 32];
        h.copy_from_slice(d.as_ref());
        Hash(h)
    };
    (sha(manifest), sha(signature))
}

/// What [`check_manifest_receipt`] found. Each field is a check outcome: `Ok(detail)` or the
/// [`Failure`] that says what differed.
#[derive(Debug, Clone)]
pub struct ManifestReceiptCheck {
    /// The receipt itself: its checkpoint is signed by the key (origin = key name) and its
    /// inclusion proof places its entry at its index in that checkpoint's tree.
    pub receipt: Result<String, Failure>,
    /// The receipt's entry records this manifest and signature: its `manifest_root` and
    /// `sig_digest` equal [`manifest_digests`] of the bytes being verified (a mismatch names
    /// both values).
    pub entry: Result<String, Failure>,
}

impl ManifestReceiptCheck {
    /// Both parts passed.
    pub fn ok(&self) -> bool {
        self.receipt.is_ok() && self.entry.is_ok()
    }
}

/// Checks a parsed receipt for a detached manifest and signature, offline and purely (no
/// clock, no I/O): (1) the receipt verifies with `key` ([`Receipt::open_checkpoint`], then
/// [`Receipt::verify_inclusion`]); (2) its entry's `manifest_root` and `sig_digest` are the
/// SHA-256 of `manifest` and of `signature` ([`manifest_digests`]). The entry's name and
/// metadata are not compared (the name is a label chosen when recording). Callers (the X.509
/// command; the cosign and audit-pack commands can do the same) turn the two results into
/// checks; a receipt only counts when both are `Ok`.
pub fn check_manifest_receipt(
    receipt: &Receipt,
    key: &VerifierKey,
    manifest: &[u8],
    signature: &[u8],
) -> ManifestReceiptCheck {
    let leaf = receipt.entry.leaf_hash();
    let name = receipt.entry.name();
    let signed = match receipt.open_checkpoint(key) {
        Err(e) => Err(Failure::new(format!("checkpoint: {e}"))),
        Ok(cp) => match receipt.verify_inclusion(&cp) {
            Err(e) => Err(Failure::new(format!("inclusion proof: {e}"))),
            Ok(()) => {
                let c = cp.checkpoint();
                Ok(format!(
                    "entry {name:?} ({leaf}) is leaf {} of the tree of size {} with root {} signed by {}",
                    receipt.index,
                    c.size,
                    c.root,
                    key.name()
                ))
            }
        },
    };
    let (want_root, want_sig) = manifest_digests(manifest, signature);
    let (got_root, got_sig) = (receipt.entry.manifest_root(), receipt.entry.sig_digest());
    let mut diffs = Vec::new();
    if got_root != want_root {
        diffs.push(format!(
            "manifest_root {got_root} is not SHA-256 of the manifest {want_root}"
        ));
    }
    if got_sig != want_sig {
        diffs.push(format!(
            "sig_digest {got_sig} is not SHA-256 of the signature {want_sig}"
        ));
    }
    let entry = if diffs.is_empty() {
        Ok(format!(
            "the entry records this manifest (SHA-256 {want_root}) and signature (SHA-256 {want_sig})"
        ))
    } else {
        Err(Failure::new(format!(
            "the receipt is for another manifest or signature: {}",
            diffs.join("; ")
        )))
    };
    ManifestReceiptCheck {
        receipt: signed,
        entry,
    }
}

/// The receipt checks for a plugin's report, in one place for every plugin and command:
/// `PLUGIN.log.receipt` (the receipt's checkpoint is signed by `key` and includes its entry)
/// and `PLUGIN.log.entry` (the entry records this subject and signature: `manifest_root` is
/// the SHA-256 of the subject's bytes, or the subject's SHA-256 digest; `sig_digest` the
/// SHA-256 of the signature bytes), with the outputs `log_index` and `log_leaf_hash`.
pub fn receipt_checks(
    plugin: &str,
    receipt: &Receipt,
    key: &VerifierKey,
    subject: plugin_api::Subject<'_>,
    signature: &[u8],
) -> ReportBuilder {
    let manifest: &[u8] = match subject {
        plugin_api::Subject::Bytes(b) => b,
        plugin_api::Subject::Digest(_) => &[],
    };
    let c = check_manifest_receipt(receipt, key, manifest, signature);
    let entry = match subject {
        plugin_api::Subject::Bytes(_) => c.entry,
        plugin_api::Subject::Digest(d) => match <[u8; 32]>::try_from(d.value()) {
            Ok(v) if d.algorithm() == plugin_api::DigestAlgorithm::Sha256 => {
                digest_entry_check(receipt, &Hash(v), signature)
            }
            _ => Err(Failure::new(format!(
                "a {} digest cannot be compared with the entry's SHA-256 manifest_root",
                d.algorithm()
            ))),
        },
    };
    let b = ReportBuilder::new(plugin)
        .output("log_index", receipt.index)
        .output("log_leaf_hash", receipt.entry.leaf_hash().to_hex());
    let receipt_id = crate::checks::log_receipt(plugin);
    let entry_id = crate::checks::log_entry(plugin);
    // Two independent checks: the entry is compared with the subject whether or not the
    // receipt verifies (so not `ReportBuilder::step`, which would record it as not reached).
    record(record(b, receipt_id, c.receipt), entry_id, entry)
}

/// Records an independent check: passed with its detail, or failed with its [`Failure`].
fn record(b: ReportBuilder, id: String, outcome: Result<String, Failure>) -> ReportBuilder {
    match outcome {
        Ok(detail) => b.pass(id, detail),
        Err(failure) => b.fail(id, failure),
    }
}

/// The entry check for a subject given only as its SHA-256 digest: the entry's
/// `manifest_root` must be that digest (the SHA-256 of the artifact bytes, as `log append
/// --manifest` records it), and its `sig_digest` the SHA-256 of the signature.
fn digest_entry_check(r: &Receipt, want_root: &Hash, signature: &[u8]) -> Result<String, Failure> {
    let (_, want_sig) = manifest_digests(&[], signature);
    let (got_root, got_sig) = (r.entry.manifest_root(), r.entry.sig_digest());
    let mut diffs = Vec::new();
    if got_root != *want_root {
        diffs.push(format!(
            "manifest_root {got_root} is not the artifact digest {want_root}"
        ));
    }
    if got_sig != want_sig {
        diffs.push(format!(
            "sig_digest {got_sig} is not SHA-256 of the bundle {want_sig}"
        ));
    }
    if diffs.is_empty() {
        Ok(format!(
            "the entry records this artifact (SHA-256 {want_root}) and bundle (SHA-256 {want_sig})"
        ))
    } else {
        Err(Failure::new(format!(
            "the receipt is for another artifact or bundle: {}",
            diffs.join("; ")
        )))
    }
}

/// Runs `plugin` on `req` through [`plugin_api::run_plugin`] and, if the request offers a log
/// receipt, checks it ([`receipt_checks`], over the request's subject and signature bytes) and
/// adds the checks to the report. A receipt or key that does not parse is an input error (no
/// verdict).
pub fn run_plugin_with_receipt<P: plugin_api::Plugin + ?Sized>(
    plugin: &P,
    req: &plugin_api::VerifyRequest<'_>,
) -> Result<plugin_api::Report, plugin_api::Error> {
    let Some(lr) = req.log_receipt() else {
        return plugin_api::run_plugin(plugin, req);
    };
    let key = std::str::from_utf8(lr.key)
        .map_err(|_| plugin_api::InputError::malformed(lr.key_name, "not UTF-8"))
        .and_then(|t| {
            VerifierKey::parse(t.trim()).map_err(|e| {
                plugin_api::InputError::malformed(lr.key_name, format!("verifier key: {e}"))
            })
        })?;
    let receipt = Receipt::parse(lr.receipt)
        .map_err(|e| plugin_api::InputError::malformed(lr.receipt_name, e.to_string()))?;
    let report = plugin_api::run_plugin(plugin, &req.without_log_receipt())?;
    Ok(report.amend(receipt_checks(
        plugin.name(),
        &receipt,
        &key,
        req.subject(),
        req.signature().bytes(),
    )))
}
