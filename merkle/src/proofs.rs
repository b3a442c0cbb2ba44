//! Inclusion and consistency proofs (RFC 9162 §2.1.3–2.1.4) behind the plugin contract.
//!
//! The request's subject is a proof document (JSON, duplicate members refused, unknown members
//! refused); the trust root is the tree head the caller trusts
//! ([`TrustRootKind::MerkleRoot`], 64 hex digits):
//!
//! - **inclusion**: `{"index", "size", "leaf_hash", "proof": [hex...]}` — the leaf hash is at
//!   `index` of the tree of `size` leaves whose root is the trusted root. Checks
//!   `merkle.inclusion.index`, `merkle.inclusion.proof-length`, `merkle.inclusion.root`.
//! - **consistency**: `{"size1", "size2", "root2", "proof": [hex...]}` — the tree of `size2`
//!   leaves with root `root2` extends the trusted tree of `size1` leaves. Checks
//!   `merkle.consistency.sizes`, `.proof-length`, `.old-root`, `.new-root`.
//!
//! A `root` (inclusion) or `root1` (consistency) member, as `merkle prove-*` writes, is
//! accepted only if it equals the trusted root: the document cannot choose what it is checked
//! against.

use crate::{verify_consistency, verify_inclusion, Hash, ProofError};
use plugin_api::{Error, Report, ReportBuilder, Subject, TrustRootKind, VerifyRequest};
use serde::{Deserialize, Serialize};

use crate::checks;
use crate::plugin::PLUGIN;

/// Largest proof document accepted (a proof has at most 128 nodes of 64 hex digits).
pub const MAX_PROOF_DOCUMENT: usize = 64 * 1024;

/// An inclusion proof document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionDocument {
    /// The leaf's index (0-based).
    pub index: u64,
    /// The tree size.
    pub size: u64,
    /// The RFC 6962 leaf hash, hex.
    pub leaf_hash: String,
    /// The audit path, hex, leaf to root.
    pub proof: Vec<String>,
    /// The root the proof was made for (must equal the trusted root if present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

/// A consistency proof document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyDocument {
    /// The trusted (old) tree size.
    pub size1: u64,
    /// The new tree size.
    pub size2: u64,
    /// The new tree's root, hex.
    pub root2: String,
    /// The consistency proof, hex.
    pub proof: Vec<String>,
    /// The old root the proof was made for (must equal the trusted root if present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root1: Option<String>,
}

/// The two documents, told apart by their members.
#[derive(Deserialize)]
#[serde(untagged)]
enum Document {
    Inclusion(InclusionDocument),
    Consistency(ConsistencyDocument),
}

/// The steps of a proof check in the order they run, and which step each error belongs to.
struct Steps {
    ids: &'static [&'static str],
    step_of: fn(&ProofError) -> usize,
}

const INCLUSION: Steps = Steps {
    ids: &[
        checks::INCLUSION_INDEX,
        checks::INCLUSION_PROOF_LENGTH,
        checks::INCLUSION_ROOT,
    ],
    step_of: |e| match e {
        ProofError::IndexOutOfRange { .. } => 0,
        ProofError::ProofTooLong { .. } | ProofError::WrongProofLength { .. } => 1,
        _ => 2,
    },
};

const CONSISTENCY: Steps = Steps {
    ids: &[
        checks::CONSISTENCY_SIZES,
        checks::CONSISTENCY_PROOF_LENGTH,
        checks::CONSISTENCY_OLD_ROOT,
        checks::CONSISTENCY_NEW_ROOT,
    ],
    step_of: |e| match e {
        ProofError::OldSizeZero | ProofError::SizesOutOfOrder { .. } => 0,
        ProofError::ProofTooLong { .. } | ProofError::WrongProofLength { .. } => 1,
        ProofError::OldRootMismatch { .. } => 2,
        _ => 3,
    },
};

/// Records every step before the failed one as passed (with its detail), the failed one as
/// failed, and the rest as not reached.
fn record_steps(
    mut b: ReportBuilder,
    steps: &Steps,
    result: Result<(), ProofError>,
    passed: &[String],
) -> ReportBuilder {
    let failed_at = result.as_ref().err().map(|e| (steps.step_of)(e));
    for (i, id) in steps.ids.iter().enumerate() {
        let detail = passed.get(i).cloned().unwrap_or_default();
        let outcome = match (&result, failed_at) {
            (Err(e), Some(at)) if i == at => Err(plugin_api::Failure::new(e.to_string())),
            _ => Ok(detail),
        };
        b = b.step(id, outcome);
    }
    b
}

fn hash(field: &str, text: &str) -> Result<Hash, Error> {
    Hash::from_hex(text.trim()).map_err(|e| Error::malformed(field, e))
}

fn hashes(field: &str, list: &[String]) -> Result<Vec<Hash>, Error> {
    list.iter()
        .enumerate()
        .map(|(i, h)| hash(&format!("{field}[{i}]"), h))
        .collect()
}

/// The one trusted root of the request.
fn trusted_root(req: &VerifyRequest<'_>) -> Result<Hash, Error> {
    let mut roots = req.trust_roots().of_kind(TrustRootKind::MerkleRoot);
    let (Some(root), None) = (roots.next(), roots.next()) else {
        return Err(Error::malformed(
            "trust roots",
            "exactly one merkle-root (the tree head the proof is checked against) is required",
        ));
    };
    let text = std::str::from_utf8(root.bytes())
        .map_err(|_| Error::malformed(root.name(), "not UTF-8 hex"))?;
    hash(root.name(), text)
}

/// Verifies a proof request (see the module documentation).
pub(crate) fn verify(
    req: &VerifyRequest<'_>,
    limits: &crate::plugin::Limits,
) -> Result<Report, Error> {
    let Subject::Bytes(bytes) = req.subject() else {
        return Err(Error::malformed(
            "subject",
            "the subject must be the proof document's bytes",
        ));
    };
    let name = req.subject_name().unwrap_or("proof");
    if bytes.len() > limits.proof_document_bytes {
        return Err(Error::malformed(
            name,
            format!(
                "larger than the {}-byte limit for a proof document",
                limits.proof_document_bytes
            ),
        ));
    }
    let trusted = trusted_root(req)?;
    let doc: Document = plugin_api::json::from_slice(bytes).map_err(|e| {
        Error::malformed(
            name,
            format!("neither an inclusion nor a consistency proof document: {e}"),
        )
    })?;
    match doc {
        Document::Inclusion(d) => Ok(inclusion(&d, trusted, name)?),
        Document::Consistency(d) => Ok(consistency(&d, trusted, name)?),
    }
}

fn same_root(claimed: Option<&str>, field: &str, name: &str, trusted: Hash) -> Result<(), Error> {
    match claimed {
        Some(text) if hash(&format!("{name}: {field}"), text)? != trusted => Err(Error::malformed(
            format!("{name}: {field}"),
            format!("is not the trusted root {trusted}"),
        )),
        _ => Ok(()),
    }
}

fn inclusion(d: &InclusionDocument, root: Hash, name: &str) -> Result<Report, Error> {
    same_root(d.root.as_deref(), "root", name, root)?;
    let leaf = hash(&format!("{name}: leaf_hash"), &d.leaf_hash)?;
    let proof = hashes(&format!("{name}: proof"), &d.proof)?;
    let (index, size) = (d.index, d.size);
    Ok(inclusion_report(index, size, &leaf, &proof, &root))
}

/// The report of an inclusion proof check (also used by `merkle verify-inclusion`).
pub fn inclusion_report(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Report {
    let result = verify_inclusion(index, size, leaf, proof, root);
    let passed = [
        format!("leaf index {index} is below tree size {size}"),
        format!(
            "{} proof nodes, as index {index} in size {size} requires",
            proof.len()
        ),
        format!("leaf {leaf} hashes up to root {root}"),
    ];
    let b = Report::builder(PLUGIN)
        .subject(format!("leaf {index} of tree size {size}"))
        .output("index", index)
        .output("size", size)
        .output("leaf_hash", leaf.to_hex())
        .output("root", root.to_hex());
    record_steps(b, &INCLUSION, result, &passed).finish()
}

fn consistency(d: &ConsistencyDocument, root1: Hash, name: &str) -> Result<Report, Error> {
    same_root(d.root1.as_deref(), "root1", name, root1)?;
    let root2 = hash(&format!("{name}: root2"), &d.root2)?;
    let proof = hashes(&format!("{name}: proof"), &d.proof)?;
    Ok(consistency_report(d.size1, d.size2, &proof, &root1, &root2))
}

/// The report of a consistency proof check (also used by `merkle verify-consistency`).
pub fn consistency_report(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Report {
    let result = verify_consistency(size1, size2, proof, root1, root2);
    let passed = [
        format!("old size {size1} is between 1 and new size {size2}"),
        format!(
            "{} proof nodes, as sizes {size1} -> {size2} require",
            proof.len()
        ),
        format!("proof reproduces old root {root1}"),
        format!("proof reproduces new root {root2}"),
    ];
    let b = Report::builder(PLUGIN)
        .subject(format!("tree size {size1} -> {size2}"))
        .output("size1", size1)
        .output("size2", size2)
        .output("root1", root1.to_hex())
        .output("root2", root2.to_hex());
    record_steps(b, &CONSISTENCY, result, &passed).finish()
}

/// The report of `merkle root --expect`: the computed root of `size` leaves equals `want`.
pub fn root_match_report(size: u64, root: &Hash, want: &Hash) -> Report {
    let b = Report::builder(PLUGIN)
        .subject(format!("tree of {size} leaves"))
        .output("size", size)
        .output("root", root.to_hex());
    let outcome = if want == root {
        Ok(format!("root {root} equals the expected root"))
    } else {
        Err(plugin_api::Failure::new(format!(
            "computed root {root} does not match expected root {want}"
        )))
    };
    b.step(checks::ROOT_MATCH, outcome).finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::MerklePlugin;
    use plugin_api::{run_plugin, Policy, Signature, TrustRoot, TrustRoots, VerificationTime};

    const DOC: &[u8] = include_bytes!("../../fixtures/merkle/inclusion-3-of-8.json");

    fn roots(root: &str) -> TrustRoots {
        let mut roots = TrustRoots::new();
        roots.push(TrustRoot::new(
            TrustRootKind::MerkleRoot,
            "root",
            root.as_bytes().to_vec(),
        ));
        roots
    }

    fn doc_root() -> String {
        let v: serde_json::Value = serde_json::from_slice(DOC).unwrap();
        v["root"].as_str().unwrap().to_owned()
    }

    fn run(doc: &[u8], roots: &TrustRoots, policy: &Policy) -> Result<Report, Error> {
        let t = VerificationTime::from_unix_seconds(0);
        let req = VerifyRequest::new(Subject::Bytes(doc), Signature::new(b""), roots, t)
            .with_policy(policy);
        run_plugin(&MerklePlugin::default(), &req)
    }

    #[test]
    fn an_inclusion_proof_verifies_against_the_trusted_root_only() {
        let ok = run(DOC, &roots(&doc_root()), &Policy::new()).unwrap();
        assert!(ok.ok(), "{}", ok.to_json());
        assert_eq!(ok.checks().len(), 3);
        // The document names its root; another trusted root is refused, not silently used.
        let other = "00".repeat(32);
        assert!(run(DOC, &roots(&other), &Policy::new()).is_err());
        // Without the document's root, the proof fails against another trusted root.
        let mut v: serde_json::Value = serde_json::from_slice(DOC).unwrap();
        v.as_object_mut().unwrap().remove("root");
        let bare = serde_json::to_vec(&v).unwrap();
        let r = run(&bare, &roots(&other), &Policy::new()).unwrap();
        assert!(!r.ok());
        assert!(r.checks()[2].is_fail(), "{}", r.to_json());
    }

    #[test]
    fn what_cannot_apply_is_refused() {
        let root = doc_root();
        // An expected origin applies to checkpoints only.
        assert!(run(DOC, &roots(&root), &Policy::new().with_identity("log")).is_err());
        // Two trusted roots, or a note key beside a root.
        let mut two = roots(&root);
        two.push(TrustRoot::new(
            TrustRootKind::MerkleRoot,
            "b",
            root.clone().into_bytes(),
        ));
        assert!(run(DOC, &two, &Policy::new()).is_err());
        let mut mixed = roots(&root);
        mixed.push(TrustRoot::new(
            TrustRootKind::NoteVerifierKey,
            "k",
            b"example.com/log+abcdef01+AQ".to_vec(),
        ));
        assert!(run(DOC, &mixed, &Policy::new()).is_err());
        // Unknown members, duplicate members, oversize documents.
        let unknown = br#"{"index":0,"size":1,"leaf_hash":"00","proof":[],"extra":1}"#;
        assert!(run(unknown, &roots(&root), &Policy::new()).is_err());
        let dup = br#"{"index":0,"index":1,"size":1,"leaf_hash":"00","proof":[]}"#;
        assert!(run(dup, &roots(&root), &Policy::new()).is_err());
        let big = vec![b' '; MAX_PROOF_DOCUMENT + 1];
        assert!(run(&big, &roots(&root), &Policy::new()).is_err());
    }
}
