//! The JSON report: the pack's identity, every check of the verification, and the signed
//! index (artifacts, controls with a status each, manifest verdicts, Merkle root).
//! `insecureModes` (always present, empty for a normal pack) lists the insecure modes the pack
//! was built with, each with its flag and meaning, next to `verified`.

use super::{line_status, status_name, ReportError, ReportInput};
use serde_json::{json, Value};

/// The `format` member of a JSON report.
pub const REPORT_FORMAT: &str = "audit-pack-report/1";

/// The JSON report, pretty-printed with sorted members and a final newline.
pub fn to_json(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let err = |e: serde_json::Error| ReportError::Write {
        format: "json",
        reason: e.to_string(),
    };
    let index = input.pack.index();
    let checks: Vec<Value> = input
        .verification
        .checks()
        .iter()
        .map(|c| json!({"id": c.id, "status": status_name(&c.status), "detail": c.detail}))
        .collect();
    let controls: Vec<Value> = index
        .controls
        .iter()
        .map(|line| {
            let mut v = serde_json::to_value(line).map_err(err)?;
            if let Value::Object(map) = &mut v {
                map.insert(
                    "verification_status".to_owned(),
                    Value::from(line_status(index, &line.signature_verified)),
                );
                // Always present in the report (empty without a narrative column).
                map.insert("narrative".to_owned(), Value::from(line.narrative.clone()));
            }
            Ok(v)
        })
        .collect::<Result<_, ReportError>>()?;
    let insecure: Vec<Value> = index
        .insecure_modes
        .iter()
        .map(|m| json!({"mode": m.name(), "flag": m.flag(), "meaning": m.description()}))
        .collect();
    let doc = json!({
        "format": REPORT_FORMAT,
        "verified": input.verification.ok(),
        "insecureModes": insecure,
        "pack": {
            "file": input.file_name,
            "sha256": input.pack_sha256,
            "org": index.org,
            "generatedAt": index.generated_at,
            "merkleRoot": index.merkle_root,
            "signedBy": input.pack.signers(),
            // The same signers with their key IDs (Ed25519) or certificate digests (X.509).
            "signedByKeys": super::signer_labels(input.pack),
        },
        "checks": checks,
        "warnings": input.verification.warnings(),
        "artifacts": serde_json::to_value(&index.artifacts).map_err(err)?,
        // Version 2 packs: the Audit Pack Index v1.0 sections (empty for a version 1 pack).
        "sections": serde_json::to_value(&index.sections).map_err(err)?,
        "controls": controls,
        "manifestSignatures": serde_json::to_value(&index.manifest_signatures).map_err(err)?,
        // The keys the builder gave: shown, never trusted (the verifier gives its own).
        "trustedKeys": index.trusted_keys,
    });
    let mut text = serde_json::to_string_pretty(&doc).map_err(err)?;
    text.push('\n');
    Ok(text)
}
