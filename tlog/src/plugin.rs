//! The transparency-log receipt verifier behind the `plugin_api::Plugin` contract.
//!
//! The request's subject is the receipt (`log receipt` output, JSON bytes); its trust root is
//! the log's C2SP note verifier key ([`TrustRootKind::NoteVerifierKey`], exactly one); the
//! signature must be empty (the checkpoint signature travels in the receipt; `check_declared`
//! refuses one), and no policy, certificate or revocation list applies. Checks:
//! `tlog.receipt.checkpoint` (the checkpoint is signed by the key) and `tlog.receipt.inclusion`
//! (the entry is the receipt's leaf of the signed tree).

use crate::checks::{RECEIPT_CHECKPOINT, RECEIPT_INCLUSION};
use crate::receipt::{Receipt, MAX_RECEIPT};
use crate::writer::MAX_CHECKPOINT;
use merkle::note::VerifierKey;
use merkle::MAX_INCLUSION_PROOF_LEN;
use plugin_api::{
    Error, Failure, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind, VerifyRequest,
};

/// The plugin's name and check-id prefix.
pub const PLUGIN: &str = "tlog";

/// Budgets of the `tlog` plugin. A receipt over any of them is an input error (no verdict).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest receipt, in bytes. [`Receipt::parse`] never reads more than [`MAX_RECEIPT`],
    /// whatever this says.
    pub receipt_bytes: usize,
    /// Most hashes in the receipt's inclusion proof. [`Receipt::parse`] never accepts more than
    /// [`MAX_INCLUSION_PROOF_LEN`] (enough for any tree), whatever this says.
    pub proof_hashes: usize,
    /// Largest signed checkpoint (note) in the receipt, in bytes.
    pub note_bytes: usize,
}

impl Limits {
    /// A 256 KiB receipt ([`MAX_RECEIPT`]), 64 proof hashes ([`MAX_INCLUSION_PROOF_LEN`]), a
    /// 64 KiB checkpoint ([`MAX_CHECKPOINT`], the largest checkpoint file the log reads, so
    /// every receipt the log makes fits).
    pub const DEFAULT: Limits = Limits {
        receipt_bytes: MAX_RECEIPT,
        proof_hashes: MAX_INCLUSION_PROOF_LEN,
        note_bytes: MAX_CHECKPOINT,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The receipt verifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct TlogReceiptPlugin {
    /// Budgets.
    pub limits: Limits,
}

impl TlogReceiptPlugin {
    /// Parses the receipt within the budgets; `name` names it in errors.
    fn receipt(&self, name: &str, bytes: &[u8]) -> Result<Receipt, Error> {
        let limits = &self.limits;
        if bytes.len() > limits.receipt_bytes {
            return Err(Error::malformed(
                name,
                format!(
                    "receipt is {} bytes, more than {}",
                    bytes.len(),
                    limits.receipt_bytes
                ),
            ));
        }
        let r = Receipt::parse(bytes).map_err(|e| Error::malformed(name, e))?;
        if r.proof.len() > limits.proof_hashes {
            return Err(Error::malformed(
                name,
                format!(
                    "inclusion_proof has more than {} nodes",
                    limits.proof_hashes
                ),
            ));
        }
        if r.checkpoint.len() > limits.note_bytes {
            return Err(Error::malformed(
                format!("{name}: checkpoint"),
                format!(
                    "{} bytes, more than the {}-byte limit for a checkpoint",
                    r.checkpoint.len(),
                    limits.note_bytes
                ),
            ));
        }
        Ok(r)
    }
}

impl Plugin for TlogReceiptPlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "a transparency-log inclusion receipt: signed checkpoint and the entry's inclusion proof",
            subjects: &[SubjectKind::Bytes],
            signature: "none (the checkpoint signature travels in the receipt)",
            trust_roots: &[TrustRootKind::NoteVerifierKey],
            media_types: &[],
            policy: &[],
            certificates: false,
            revocation: false,
            insecure: &[],
            uses_signature: false,
            uses_cache: false,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        // Also refuses signature material: the plugin declares `uses_signature: false`.
        plugin_api::check_declared(&self.info(), req)?;
        let mut keys = req.trust_roots().of_kind(TrustRootKind::NoteVerifierKey);
        let (Some(key_root), None) = (keys.next(), keys.next()) else {
            return Err(Error::malformed(
                "trust roots",
                "exactly one log verifier key (note-verifier-key) is required",
            ));
        };
        let key = std::str::from_utf8(key_root.bytes())
            .map_err(|_| Error::malformed(key_root.name(), "verifier key: not UTF-8"))
            .and_then(|t| {
                VerifierKey::parse(t.trim())
                    .map_err(|e| Error::malformed(key_root.name(), format!("verifier key: {e}")))
            })?;
        let Subject::Bytes(bytes) = req.subject() else {
            return Err(Error::malformed(
                "subject",
                "the subject must be the receipt's bytes",
            ));
        };
        let name = req.subject_name().unwrap_or("receipt");
        let r = self.receipt(name, bytes)?;
        let leaf = r.entry.leaf_hash();
        // The verdict does not depend on the time (the receipt is judged by its own signed
        // checkpoint), so none is recorded.
        let b = Report::builder(PLUGIN)
            .subject(format!("{} (entry {})", r.entry.name(), r.index))
            .output("index", r.index)
            .output("leaf_hash", leaf.to_hex())
            .output("name", r.entry.name().to_owned());
        let cp = match r.open_checkpoint(&key) {
            Err(e) if e.is_malformed() => {
                return Err(Error::malformed(format!("{name}: checkpoint"), e));
            }
            Err(e) => {
                let b = b.step(RECEIPT_CHECKPOINT, Err(Failure::new(e.to_string())));
                return Ok(b.not_reached([RECEIPT_INCLUSION]).finish());
            }
            Ok(cp) => cp,
        };
        let c = cp.checkpoint();
        let signed = format!(
            "signed by {}; origin {}, size {}, root {}",
            key.name(),
            c.origin,
            c.size,
            c.root
        );
        let included = r
            .verify_inclusion(&cp)
            .map(|()| {
                format!(
                    "entry {} ({leaf}) is leaf {} of the signed tree",
                    r.entry.name(),
                    r.index
                )
            })
            .map_err(|e| Failure::new(e.to_string()));
        Ok(b.output("size", c.size)
            .output("root", c.root.to_hex())
            .step(RECEIPT_CHECKPOINT, Ok(signed))
            .step(RECEIPT_INCLUSION, included)
            .finish())
    }
}
