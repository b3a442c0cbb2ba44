//! The report's check ids, in report order (stable; see the module documentation of
//! [`crate::verify`]).

/// The archive is one gzip member holding a strict, safe tar within budgets.
pub const ARCHIVE_SAFE: &str = "audit-pack.archive.safe";
/// `index.json.sig` verifies with the verifier's trust.
pub const INDEX_SIGNATURE: &str = "audit-pack.index.signature";
/// `index.json` is canonical and well-formed.
pub const INDEX_CANONICAL: &str = "audit-pack.index.canonical";
/// Every listed artifact is present.
pub const FILES_PRESENT: &str = "audit-pack.files.present";
/// Every listed artifact has its listed SHA-256.
pub const FILES_SHA256: &str = "audit-pack.files.sha256";
/// Every listed artifact has its listed size.
pub const FILES_SIZE: &str = "audit-pack.files.size";
/// No file is unlisted.
pub const FILES_UNLISTED: &str = "audit-pack.files.unlisted";
/// `merkleRoot` is the root over the artifact entries.
pub const MERKLE_ROOT: &str = "audit-pack.index.merkle-root";
/// The sections of a version 2 index match its artifacts.
pub const INDEX_SECTIONS: &str = "audit-pack.index.sections";
/// The control map resolves to listed evidence.
pub const CONTROLS_EVIDENCE: &str = "audit-pack.controls.evidence";
/// Every manifest pair re-verifies to its recorded verdict.
pub const MANIFEST_SIGNATURES: &str = "audit-pack.manifests.signatures";
/// Every JSON evidence document matches its schema.
pub const EVIDENCE_SCHEMAS: &str = "audit-pack.evidence.schemas";

/// Every check id, in report order.
pub const CHECK_IDS: [&str; 12] = [
    ARCHIVE_SAFE,
    INDEX_SIGNATURE,
    INDEX_CANONICAL,
    FILES_PRESENT,
    FILES_SHA256,
    FILES_SIZE,
    FILES_UNLISTED,
    MERKLE_ROOT,
    INDEX_SECTIONS,
    CONTROLS_EVIDENCE,
    MANIFEST_SIGNATURES,
    EVIDENCE_SCHEMAS,
];

/// Check id of the optional spot check (not in [`CHECK_IDS`]: recorded only when asked for).
pub const SPOT_CHECK_ID: &str = "audit-pack.spot-check";

/// Check id of the log receipt check (not in [`CHECK_IDS`]: recorded only when the pack
/// carries `index.receipt.json` or a log key is given).
pub const RECEIPT_CHECK_ID: &str = "audit-pack.index.receipt";
