//! JSON Schemas (draft 2020-12) of the JSON evidence kinds, checked with `jsonschema`.
//!
//! The schemas are the files in `docs/schemas/` (one source: this module includes them), each
//! with an example in `fixtures/schemas/` that the tests validate. Timestamps are RFC 3339
//! with a `T`, seconds, optional fraction and a `Z` or numeric offset (checked by pattern:
//! `format` is only an annotation in draft 2020-12).

use crate::kind::Kind;
use serde_json::Value;
use std::sync::OnceLock;

/// The schema file (in `docs/schemas/`) and text of each kind that has one.
const SCHEMAS: &[(Kind, &str, &str)] = &[
    (
        Kind::SloBreach,
        "slo-breach.schema.json",
        include_str!("../../docs/schemas/slo-breach.schema.json"),
    ),
    (
        Kind::DrApproval,
        "dr-approval.schema.json",
        include_str!("../../docs/schemas/dr-approval.schema.json"),
    ),
    (
        Kind::ChaosRun,
        "chaos-run.schema.json",
        include_str!("../../docs/schemas/chaos-run.schema.json"),
    ),
    (
        Kind::DriftIncident,
        "drift-incident.schema.json",
        include_str!("../../docs/schemas/drift-incident.schema.json"),
    ),
    (
        Kind::SimulationReport,
        "simulation-report.schema.json",
        include_str!("../../docs/schemas/simulation-report.schema.json"),
    ),
    (
        Kind::Manifest,
        "manifest.schema.json",
        include_str!("../../docs/schemas/manifest.schema.json"),
    ),
    (
        Kind::PolicyBundle,
        "policy-bundle-manifest.schema.json",
        include_str!("../../docs/schemas/policy-bundle-manifest.schema.json"),
    ),
    (
        Kind::BudgetDashboard,
        "budget-dashboard.schema.json",
        include_str!("../../docs/schemas/budget-dashboard.schema.json"),
    ),
    (
        Kind::Provenance,
        "provenance.schema.json",
        include_str!("../../docs/schemas/provenance.schema.json"),
    ),
];

/// The file name in `docs/schemas/` of a kind's schema (for a policy bundle: of its
/// `.manifest`).
pub fn schema_file(kind: Kind) -> Option<&'static str> {
    SCHEMAS.iter().find(|(k, _, _)| *k == kind).map(|s| s.1)
}

/// The schema of a kind, or `None` for kinds without one.
pub fn schema_for(kind: Kind) -> Option<Value> {
    let (_, _, text) = SCHEMAS.iter().find(|(k, _, _)| *k == kind)?;
    serde_json::from_str(text).ok()
}

/// The SLO-breach schema version 1 packs were built against (`breach` a boolean, `git_sha`
/// 40 or 64 hex): such packs are checked with it, so they still verify.
const SLO_BREACH_V1: &str = include_str!("../../docs/schemas/legacy/slo-breach-v1.schema.json");

type Compiled = Vec<(Kind, Result<jsonschema::Validator, String>)>;

fn legacy_slo() -> &'static Result<jsonschema::Validator, String> {
    static V1: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    V1.get_or_init(|| {
        serde_json::from_str::<Value>(SLO_BREACH_V1)
            .map_err(|e| format!("slo-breach-v1.schema.json is not JSON: {e}"))
            .and_then(|s| {
                jsonschema::validator_for(&s)
                    .map_err(|e| format!("slo-breach-v1.schema.json does not compile: {e}"))
            })
    })
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(kind, file, text)| {
                let validator = serde_json::from_str::<Value>(text)
                    .map_err(|e| format!("{file} is not JSON: {e}"))
                    .and_then(|s| {
                        jsonschema::validator_for(&s)
                            .map_err(|e| format!("{file} does not compile: {e}"))
                    });
                (*kind, validator)
            })
            .collect()
    })
}

/// Validates `doc` against the schema of `kind`; each problem is `<JSON pointer>: <message>`
/// (the pointer is `/` for the whole document). No schema: no problems.
pub fn validate(kind: Kind, doc: &Value) -> Result<(), Vec<String>> {
    validate_for(kind, doc, false)
}

/// As [`validate`]; `legacy`: with the schemas of index version 1 packs.
pub fn validate_for(kind: Kind, doc: &Value, legacy: bool) -> Result<(), Vec<String>> {
    let validator = if legacy && kind == Kind::SloBreach {
        legacy_slo()
    } else {
        let Some((_, validator)) = compiled().iter().find(|(k, _)| *k == kind) else {
            return Ok(());
        };
        validator
    };
    let validator = validator
        .as_ref()
        .map_err(|e| vec![format!("/: internal: schema of kind {kind}: {e}")])?;
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

/// Whether `doc` matches the schema of `kind`.
pub fn matches(kind: Kind, doc: &Value) -> bool {
    compiled()
        .iter()
        .find(|(k, _)| *k == kind)
        .and_then(|(_, v)| v.as_ref().ok())
        .is_some_and(|v| v.is_valid(doc))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_are_valid_and_name_fields() {
        for (kind, file, _) in SCHEMAS {
            let s = schema_for(*kind).expect(file);
            jsonschema::meta::validate(&s).expect("valid draft 2020-12 schema");
            assert_eq!(schema_file(*kind), Some(*file));
        }
        let good = json!({"ts": "2026-09-01T10:00:00Z", "breach": "sync_slo",
            "last_sync_time": "2026-09-01T09:58:12.5+02:00", "git_sha": "0123456789abcdef0123456789abcdef01234567"});
        assert!(validate(Kind::SloBreach, &good).is_ok());
        let mut legacy = good.clone();
        legacy["breach"] = json!(true);
        assert!(validate(Kind::SloBreach, &legacy).is_ok());
        for breach in [json!(false), json!(""), json!("   "), json!(1)] {
            let mut bad = good.clone();
            bad["breach"] = breach.clone();
            assert!(validate(Kind::SloBreach, &bad).is_err(), "{breach}");
        }
        let bad = json!({"ts": "yesterday", "breach": 7, "git_sha": "abc"});
        let problems = validate(Kind::SloBreach, &bad).unwrap_err();
        let all = problems.join("\n");
        for field in ["/ts", "/breach", "/git_sha", "last_sync_time"] {
            assert!(all.contains(field), "{field} not named in {all}");
        }
        assert!(matches(Kind::SloBreach, &good));
        // Version 1 packs: the old SLO schema (breach false, 64-hex git_sha).
        let mut old = good.clone();
        old["breach"] = json!(false);
        old["git_sha"] = json!("ab".repeat(32));
        assert!(validate(Kind::SloBreach, &old).is_err());
        assert!(validate_for(Kind::SloBreach, &old, true).is_ok());
        assert!(validate_for(Kind::SloBreach, &good, true).is_err());
        assert!(!matches(Kind::ChaosRun, &good));
    }
}
