//! JSON Schemas (draft 2020-12) of the JSON evidence kinds, checked with `jsonschema`.
//!
//! Timestamps are RFC 3339 with a `T`, seconds, optional fraction and a `Z` or numeric
//! offset (checked by pattern: `format` is only an annotation in draft 2020-12). Git SHAs are
//! 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.

use crate::kind::Kind;
use serde_json::{json, Value};

const TIMESTAMP: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";
const GIT_SHA: &str = r"^([0-9a-f]{40}|[0-9a-f]{64})$";
/// `artifact_hash`: SHA-256 as 64 lowercase hex digits, optionally prefixed `sha256:`.
pub(crate) const ARTIFACT_HASH: &str = r"^(sha256:)?[0-9a-f]{64}$";

/// The schema of a JSON evidence kind, or `None` for kinds that are not JSON documents.
pub fn schema_for(kind: Kind) -> Option<Value> {
    let ts = json!({"type": "string", "pattern": TIMESTAMP});
    let sha = json!({"type": "string", "pattern": GIT_SHA});
    let text = json!({"type": "string", "minLength": 1, "maxLength": 1024});
    let schema = match kind {
        Kind::SloBreach => json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "SLO-breach evidence",
            "type": "object",
            "required": ["ts", "breach", "last_sync_time", "git_sha"],
            "properties": {
                "ts": ts, "breach": {"type": "boolean"}, "last_sync_time": ts, "git_sha": sha
            }
        }),
        Kind::DrApproval => json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "DR dual-approval evidence",
            "type": "object",
            "required": ["approver_1", "approver_2", "git_sha", "timestamp", "artifact", "artifact_hash"],
            "properties": {
                "approver_1": text, "approver_2": text, "git_sha": sha, "timestamp": ts,
                "artifact": text,
                "artifact_hash": {"type": "string", "pattern": ARTIFACT_HASH}
            }
        }),
        Kind::ChaosRun => json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Chaos-run result",
            "type": "object",
            "required": ["experiment", "started_at", "finished_at", "result"],
            "properties": {
                "experiment": text, "started_at": ts, "finished_at": ts,
                "result": {"enum": ["passed", "failed", "aborted"]},
                "git_sha": sha
            }
        }),
        Kind::Manifest => json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Signed manifest (any non-empty JSON object)",
            "type": "object",
            "minProperties": 1
        }),
        Kind::PolicyBundle => json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "OPA bundle .manifest",
            "type": "object",
            "properties": {
                "revision": {"type": "string"},
                "roots": {"type": "array", "items": {"type": "string"}},
                "rego_version": {"type": "integer"},
                "metadata": {"type": "object"},
                "wasm": {"type": "array"}
            }
        }),
        _ => return None,
    };
    Some(schema)
}

/// Validates `doc` against the schema of `kind`; each problem is `<JSON pointer>: <message>`
/// (the pointer is `/` for the whole document). No schema: no problems.
pub fn validate(kind: Kind, doc: &Value) -> Result<(), Vec<String>> {
    let Some(schema) = schema_for(kind) else {
        return Ok(());
    };
    let validator = jsonschema::validator_for(&schema).map_err(|e| {
        vec![format!(
            "/: internal: schema of kind {kind} does not compile: {e}"
        )]
    })?;
    let problems: Vec<String> = validator
        .iter_errors(doc)
        .take(20)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_owned() } else { at };
            format!("{at}: {e}")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn schemas_are_valid_and_name_fields() {
        for k in Kind::ALL {
            if let Some(s) = schema_for(*k) {
                jsonschema::meta::validate(&s).expect("valid draft 2020-12 schema");
            }
        }
        let good = json!({"ts": "2026-09-01T10:00:00Z", "breach": true,
            "last_sync_time": "2026-09-01T09:58:12.5+02:00", "git_sha": "0123456789abcdef0123456789abcdef01234567"});
        assert!(validate(Kind::SloBreach, &good).is_ok());
        let bad = json!({"ts": "yesterday", "breach": "yes", "git_sha": "abc"});
        let problems = validate(Kind::SloBreach, &bad).unwrap_err();
        let all = problems.join("\n");
        for field in ["/ts", "/breach", "/git_sha", "last_sync_time"] {
            assert!(all.contains(field), "{field} not named in {all}");
        }
    }
}
