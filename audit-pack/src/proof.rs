//! `prove` / `verify-proof`: the inclusion proof of one artifact of a pack, verifiable later
//! without the pack.
//!
//! A proof file (`audit-pack-proof/1`) is one JSON object:
//!
//! ```json
//! {"format":"audit-pack-proof/1",
//!  "artifact":{"kind":"manifest","name":"releases/payments-api-1.4.0.manifest.json","path":"evidence/…","sha256":"…","size":123},
//!  "leafIndex":6,"treeSize":9,"proof":["<hex>", …],"merkleRoot":"<hex>",
//!  "index":"<the exact bytes of index.json>","indexSignature":"<base64 of the exact bytes of index.json.sig>",
//!  "indexCertificates":"<index.json.certs.pem, X.509-signed packs only>"}
//! ```
//!
//! It is made only from a pack whose every check passed ([`make_proof`] takes a
//! [`VerifiedPack`]). [`verify_proof`] needs only the proof file and the index signer's public
//! key; its checks, in order (a later one is skipped, "not reached", once one of the first
//! three fails):
//!
//! | id | passes when |
//! |---|---|
//! | `audit-pack.proof.format` | the file is a JSON object of exactly this shape, within budgets, format `audit-pack-proof/1`, hashes 64 lowercase hex |
//! | `audit-pack.index.signature` | `indexSignature` verifies over `index` with the given key, or (X.509) with `indexCertificates` to the given pinned roots, exactly as in a pack |
//! | `audit-pack.index.canonical` | `index` is a well-formed canonical index |
//! | `audit-pack.proof.root` | `merkleRoot` and `treeSize` are the signed index's, and that root recomputes over the index's artifacts |
//! | `audit-pack.proof.inclusion` | the artifact entry's leaf hash, with `proof` at `leafIndex`, gives the signed root (RFC 6962) |
//! | `audit-pack.proof.artifact` | the signed index lists exactly this entry at `leafIndex` |

use crate::index::{Artifact, Index};
use crate::limits::Limits;
use crate::signer::IndexTrust;
use crate::verify::VerifiedPack;
use base64::Engine;
use merkle::note::VerifierKey;
use merkle::Hash;
use plugin_api::{Failure, Report, ReportBuilder};
use serde::{Deserialize, Serialize};

/// The `format` of a proof file.
pub const PROOF_FORMAT: &str = "audit-pack-proof/1";

/// The proof file is well-formed and within budgets.
const PROOF_FORMAT_CHECK: &str = "audit-pack.proof.format";
/// The proof's root is the signed index's Merkle root.
const PROOF_ROOT: &str = "audit-pack.proof.root";
/// The inclusion proof verifies.
const PROOF_INCLUSION: &str = "audit-pack.proof.inclusion";
/// The artifact entry is the index's.
const PROOF_ARTIFACT: &str = "audit-pack.proof.artifact";

/// Check ids of [`verify_proof`], in report order.
pub const PROOF_CHECK_IDS: [&str; 6] = [
    PROOF_FORMAT_CHECK,
    crate::verify::checks::INDEX_SIGNATURE,
    crate::verify::checks::INDEX_CANONICAL,
    PROOF_ROOT,
    PROOF_INCLUSION,
    PROOF_ARTIFACT,
];

/// A proof file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PackProof {
    /// Always [`PROOF_FORMAT`].
    pub format: String,
    /// The artifact entry, as listed in the index.
    pub artifact: Artifact,
    /// Its position in the index (the Merkle leaf index).
    pub leaf_index: u64,
    /// The number of artifacts (the Merkle tree size).
    pub tree_size: u64,
    /// The RFC 6962 audit path, hex.
    pub proof: Vec<String>,
    /// The signed Merkle root, hex.
    pub merkle_root: String,
    /// The exact bytes of `index.json`.
    pub index: String,
    /// Base64 of the exact bytes of `index.json.sig`.
    pub index_signature: String,
    /// `index.json.certs.pem` of an X.509-signed pack (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_certificates: Option<String>,
}

impl PackProof {
    /// A human summary (the text a command prints when it does not write the file):
    /// `artifact`, `sha256`, `leaf`, `merkle_root` lines and where the file goes.
    pub fn summary(&self) -> String {
        format!(
            "proof of {} (not written: give --out FILE, or --json to print it)\n\
             artifact: {}\nsha256: {}\nleaf: {} of {}\nproof hashes: {}\nmerkle_root: {}\n",
            self.artifact.path,
            self.artifact.path,
            self.artifact.sha256,
            self.leaf_index,
            self.tree_size,
            self.proof.len(),
            self.merkle_root,
        )
    }
}

/// Why no proof could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The pack lists no such artifact.
    #[error("the pack lists no artifact {0:?} (give its name in the evidence folder, or control-map.csv)")]
    NoSuchArtifact(String),
    /// The index or signature bytes are not text, or the proof cannot be serialized.
    #[error("cannot write the proof: {0}")]
    Encoding(String),
}

/// The proof of the artifact `name` (its name in the evidence folder, `control-map.csv`, or
/// its pack path) in a verified pack.
pub fn make_proof(pack: &VerifiedPack, name: &str) -> Result<PackProof, ProofError> {
    let index = pack.index();
    // `control-map.csv` is the pack's control map; any other name is an evidence file's name
    // in the evidence folder, else a pack path.
    let path = (name == crate::index::CONTROL_MAP_NAME)
        .then(|| index.control_map_path().to_owned())
        .or_else(|| index.artifact_named(name).map(|a| a.path.clone()))
        .or_else(|| index.artifact(name).map(|a| a.path.clone()))
        .ok_or_else(|| ProofError::NoSuchArtifact(name.to_owned()))?;
    let artifact = index
        .artifact(&path)
        .cloned()
        .ok_or_else(|| ProofError::NoSuchArtifact(name.to_owned()))?;
    let proof = index
        .inclusion_proof(&path)
        .ok_or_else(|| ProofError::NoSuchArtifact(name.to_owned()))?;
    let text = |bytes: &[u8], what: &str| {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| ProofError::Encoding(format!("{what} is not UTF-8")))
    };
    Ok(PackProof {
        format: PROOF_FORMAT.to_owned(),
        artifact,
        leaf_index: proof.index,
        tree_size: proof.size,
        proof: proof.proof.iter().map(Hash::to_hex).collect(),
        merkle_root: pack.merkle_root().to_hex(),
        index: text(pack.index_bytes(), "index.json")?,
        index_signature: base64::engine::general_purpose::STANDARD.encode(pack.signature_bytes()),
        index_certificates: pack
            .certs_bytes()
            .map(|c| text(c, crate::signer::CERTS_NAME))
            .transpose()?,
    })
}

impl PackProof {
    /// The proof file: pretty-printed JSON (members in declaration order) and a newline.
    pub fn to_file_text(&self) -> Result<String, ProofError> {
        let mut text =
            serde_json::to_string_pretty(self).map_err(|e| ProofError::Encoding(e.to_string()))?;
        text.push('\n');
        Ok(text)
    }
}

/// Largest proof file accepted: the index and signature budgets plus room for the rest.
pub fn max_proof_size(limits: &Limits) -> usize {
    limits
        .max_index_size
        .saturating_mul(2)
        .saturating_add(limits.max_signature_size.saturating_mul(2))
        .saturating_add(64 << 10)
}

type Outcome = Result<String, Failure>;

fn record(b: ReportBuilder, id: &str, outcome: Outcome) -> ReportBuilder {
    match outcome {
        Ok(detail) => b.pass(id, detail),
        Err(detail) => b.fail(id, detail),
    }
}

/// Records every check after `last` (the last one recorded) as skipped with `reason`.
fn skip_after(mut b: ReportBuilder, last: &str, reason: &str) -> ReportBuilder {
    for id in PROOF_CHECK_IDS.iter().skip_while(|id| **id != last).skip(1) {
        b = b.skip(id, reason);
    }
    b
}

/// A parsed proof: the file, its proof hashes, its claimed root and its signature bytes.
type Parsed = (PackProof, Vec<Hash>, Hash, Vec<u8>);

fn parse_proof(bytes: &[u8], limits: &Limits) -> Result<Parsed, Failure> {
    let max = max_proof_size(limits);
    if bytes.len() > max {
        return Err(Failure::new(format!(
            "the proof file is {} bytes, more than the limit of {max}",
            bytes.len()
        )));
    }
    let proof: PackProof =
        plugin_api::json::from_slice(bytes).map_err(|e| format!("not a proof file: {e}"))?;
    if proof.format != PROOF_FORMAT {
        return Err(Failure::new(format!(
            "format {:?} is not {PROOF_FORMAT:?}",
            proof.format
        )));
    }
    if proof.proof.len() > limits.max_proof_hashes {
        return Err(Failure::new(format!(
            "{} proof hashes, more than the limit of {}",
            proof.proof.len(),
            limits.max_proof_hashes
        )));
    }
    let hash = |s: &str, field: &str| {
        if crate::index::is_sha256_hex(s) {
            Hash::from_hex(s).map_err(|e| Failure::new(format!("{field}: {e}")))
        } else {
            Err(Failure::new(format!(
                "{field}: expected 64 lowercase hex digits"
            )))
        }
    };
    let hashes = proof
        .proof
        .iter()
        .enumerate()
        .map(|(i, h)| hash(h, &format!("proof/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    let root = hash(&proof.merkle_root, "merkleRoot")?;
    if proof.index.len() > limits.max_index_size {
        return Err(Failure::new(format!(
            "index is {} bytes, more than the limit of {}",
            proof.index.len(),
            limits.max_index_size
        )));
    }
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&proof.index_signature)
        .map_err(|e| format!("indexSignature: not base64: {e}"))?;
    if sig.len() > limits.max_signature_size {
        return Err(Failure::new(format!(
            "indexSignature is {} bytes, more than the limit of {}",
            sig.len(),
            limits.max_signature_size
        )));
    }
    if let Some(certs) = &proof.index_certificates {
        if certs.len() > limits.max_certs_size {
            return Err(Failure::new(format!(
                "indexCertificates is {} bytes, more than the limit of {}",
                certs.len(),
                limits.max_certs_size
            )));
        }
    }
    Ok((proof, hashes, root, sig))
}

/// Verifies a proof file with the index signer's `keys` (one suffices). Pure: the bytes, the
/// keys and the budgets are passed in; the time, if any, is the builder's.
pub fn verify_proof(
    builder: ReportBuilder,
    bytes: &[u8],
    keys: &[VerifierKey],
    limits: &Limits,
) -> Report {
    verify_proof_trusted(builder, bytes, IndexTrust::Keys(keys), limits)
}

/// Why `bytes` is not a well-formed proof file (JSON syntax, format, field shapes, budgets),
/// or `None` if it is one. The first check of [`verify_proof`] fails for the same reason;
/// command-line tools ask first so that such a file reaches no verdict (exit 2), as any
/// malformed input.
pub fn proof_file_malformed(bytes: &[u8], limits: &Limits) -> Option<String> {
    parse_proof(bytes, limits).err().map(String::from)
}

/// As [`verify_proof`], with the index trust given as an [`IndexTrust`] (Ed25519 keys or
/// pinned X.509 roots, as for a pack).
pub fn verify_proof_trusted(
    builder: ReportBuilder,
    bytes: &[u8],
    trust: IndexTrust<'_>,
    limits: &Limits,
) -> Report {
    let mut b = builder.subject("audit pack artifact proof");
    let (proof, hashes, claimed_root, sig) = match parse_proof(bytes, limits) {
        Ok(parsed) => parsed,
        Err(reason) => {
            b = b.fail(PROOF_FORMAT_CHECK, reason);
            return skip_after(
                b,
                PROOF_FORMAT_CHECK,
                "not reached: the proof file is malformed",
            )
            .finish();
        }
    };
    b = b.pass(
        PROOF_FORMAT_CHECK,
        format!(
            "{PROOF_FORMAT} for {} ({} proof hashes)",
            proof.artifact.path,
            hashes.len()
        ),
    );
    let (outcome, signers, warnings) = crate::verify::verify_index_signature(
        proof.index.as_bytes(),
        &sig,
        proof.index_certificates.as_ref().map(String::as_bytes),
        trust,
        limits,
    );
    for w in warnings {
        b = b.warning(format!("index signature: {w}"));
    }
    match outcome {
        Ok(detail) => {
            b = b
                .pass(crate::verify::checks::INDEX_SIGNATURE, detail)
                .output("signed_by", signers.join(", "));
        }
        Err(why) => {
            b = b.fail(crate::verify::checks::INDEX_SIGNATURE, why);
            return skip_after(
                b,
                crate::verify::checks::INDEX_SIGNATURE,
                "not reached: the index signature did not verify",
            )
            .finish();
        }
    }
    let index = match Index::parse(proof.index.as_bytes(), limits.max_index_size) {
        Ok(index) => index,
        Err(e) => {
            b = b.fail(crate::verify::checks::INDEX_CANONICAL, e.to_string());
            return skip_after(
                b,
                crate::verify::checks::INDEX_CANONICAL,
                "not reached: index is not a well-formed index",
            )
            .finish();
        }
    };
    b = b
        .pass(
            crate::verify::checks::INDEX_CANONICAL,
            "canonical JSON (RFC 8785) with well-formed fields",
        )
        .subject(format!(
            "{} in the audit pack of {} generated {}{}",
            proof.artifact.path,
            index.org,
            index.generated_at,
            crate::report::insecure_note(&index)
                .map(|note| format!(" [{note}]"))
                .unwrap_or_default()
        ))
        .output("org", index.org.clone())
        .output("generated_at", index.generated_at.clone())
        .output("merkle_root", index.merkle_root.clone())
        .output("artifact", proof.artifact.path.clone())
        .output("sha256", proof.artifact.sha256.clone());

    for mode in &index.insecure_modes {
        b = b.warning(format!(
            "INSECURE: the pack was built with {mode}: {}",
            mode.description()
        ));
    }

    // The root the proof is checked against comes only from the signed index.
    let signed_root = Hash::from_hex(&index.merkle_root);
    let count = index.artifacts.len() as u64;
    let root_outcome = match (&signed_root, index.compute_merkle_root()) {
        (Ok(signed), Ok(computed)) => {
            if claimed_root != *signed {
                Err(Failure::new(format!(
                    "merkleRoot {} is not the signed index's {}",
                    claimed_root.to_hex(),
                    index.merkle_root
                )))
            } else if proof.tree_size != count {
                Err(Failure::new(format!(
                    "treeSize {} is not the signed index's {count} artifacts",
                    proof.tree_size
                )))
            } else if computed != *signed {
                Err(Failure::new(format!(
                    "the signed merkleRoot {} does not recompute over the index's artifacts ({})",
                    index.merkle_root,
                    computed.to_hex()
                )))
            } else {
                Ok(format!(
                    "merkleRoot {} over {count} artifacts is the signed index's",
                    index.merkle_root
                ))
            }
        }
        (Err(e), _) => Err(Failure::new(format!("merkleRoot: {e}"))),
        (_, Err(e)) => Err(Failure::new(e.to_string())),
    };
    b = record(b, PROOF_ROOT, root_outcome);

    let inclusion = match (&signed_root, proof.artifact.leaf_hash()) {
        (Ok(root), Ok(leaf)) => {
            match merkle::verify_inclusion(proof.leaf_index, proof.tree_size, &leaf, &hashes, root)
            {
                Ok(()) => Ok(format!(
                    "leaf {} of {} with {} proof hashes gives the signed root {}",
                    proof.leaf_index,
                    proof.tree_size,
                    hashes.len(),
                    index.merkle_root
                )),
                Err(e) => Err(Failure::new(format!(
                    "the entry of {} at leaf {} of {} does not give the signed root: {e}",
                    proof.artifact.path, proof.leaf_index, proof.tree_size
                ))),
            }
        }
        (Err(e), _) => Err(Failure::new(format!("merkleRoot: {e}"))),
        (_, Err(e)) => Err(Failure::new(e.to_string())),
    };
    b = record(b, PROOF_INCLUSION, inclusion);

    let listed = usize::try_from(proof.leaf_index)
        .ok()
        .and_then(|i| index.artifacts.get(i));
    let artifact = match listed {
        Some(a) if *a == proof.artifact => Ok(format!(
            "the signed index lists {} (sha256 {}, {} bytes) at {}",
            a.path, a.sha256, a.size, proof.leaf_index
        )),
        Some(a) => Err(Failure::new(format!(
            "the signed index lists {} (sha256 {}) at {}, not {} (sha256 {})",
            a.path, a.sha256, proof.leaf_index, proof.artifact.path, proof.artifact.sha256
        ))),
        None => Err(Failure::new(format!(
            "the signed index has no artifact at {}",
            proof.leaf_index
        ))),
    };
    b = record(b, PROOF_ARTIFACT, artifact);
    b.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn malformed_proofs_fail_on_format_and_skip_the_rest() {
        let key = crate::keys::SigningKey::from_seed("k", [1u8; 32]).unwrap();
        let vkey = key.verifier_key();
        for bytes in [
            &b"not json"[..],
            br#"{"format":"audit-pack-proof/2"}"#,
            br#"{"format":"audit-pack-proof/1","extra":1}"#,
        ] {
            let report = verify_proof(
                Report::builder(crate::PLUGIN),
                bytes,
                std::slice::from_ref(&vkey),
                &Limits::DEFAULT,
            );
            assert!(!report.ok());
            let first = report.first_failure().unwrap();
            assert_eq!(first.id, PROOF_CHECK_IDS[0]);
            assert_eq!(report.checks().len(), PROOF_CHECK_IDS.len());
        }
    }
}
