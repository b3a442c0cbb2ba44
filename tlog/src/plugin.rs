//! The transparency-log receipt verifier behind the `plugin_api::Plugin` contract.
//!
//! The request's subject is the receipt (`log receipt` output, JSON bytes); its trust root is
//! the log's C2SP note verifier key ([`TrustRootKind::NoteVerifierKey`], exactly one); the
//! signature must be empty (the checkpoint signature travels in the receipt), and no policy,
//! certificate or revocation list applies. Checks: `tlog.receipt.checkpoint` (the checkpoint
//! is signed by the key) and `tlog.receipt.inclusion` (the entry is the receipt's leaf of the
//! signed tree).

use crate::receipt::Receipt;
use merkle::note::VerifierKey;
use plugin_api::{
    Error, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind, VerifyRequest,
};

/// The plugin's name and check-id prefix.
pub const PLUGIN: &str = "tlog";

/// The receipt verifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct TlogReceiptPlugin;

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
        plugin_api::check_declared(&self.info(), req)?;
        if !req.signature().bytes().is_empty() {
            return Err(Error::malformed(
                req.signature().name(),
                "a receipt carries its own checkpoint signature: pass no signature",
            ));
        }
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
        let r = Receipt::parse(bytes).map_err(|e| Error::malformed(name, e))?;
        let leaf = r.entry.leaf_hash();
        // The verdict does not depend on the time (the receipt is judged by its own signed
        // checkpoint), so none is recorded.
        let b = Report::builder(PLUGIN)
            .subject(format!("{} (entry {})", r.entry.name(), r.index))
            .output("index", r.index)
            .output("leaf_hash", leaf.to_hex())
            .output("name", r.entry.name().to_owned());
        let cp_id = "tlog.receipt.checkpoint";
        let inc_id = "tlog.receipt.inclusion";
        Ok(match r.open_checkpoint(&key) {
            Err(e) if e.is_malformed() => {
                return Err(Error::malformed(format!("{name}: checkpoint"), e));
            }
            Err(e) => b
                .fail(cp_id, e.to_string())
                .skip(inc_id, "not reached: an earlier check failed")
                .finish(),
            Ok(cp) => {
                let c = cp.checkpoint();
                let b = b
                    .pass(
                        cp_id,
                        format!(
                            "signed by {}; origin {}, size {}, root {}",
                            key.name(),
                            c.origin,
                            c.size,
                            c.root
                        ),
                    )
                    .output("size", c.size)
                    .output("root", c.root.to_hex());
                match r.verify_inclusion(&cp) {
                    Ok(()) => b.pass(
                        inc_id,
                        format!(
                            "entry {} ({leaf}) is leaf {} of the signed tree",
                            r.entry.name(),
                            r.index
                        ),
                    ),
                    Err(e) => b.fail(inc_id, e.to_string()),
                }
                .finish()
            }
        })
    }
}
