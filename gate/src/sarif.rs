//! SARIF 2.1.0: one result per denial, error and warning, with a stable `ruleId` (the rule,
//! `main.deny_unsigned`, or the gate's code, `gate.evidence-failed`), located at the evidence
//! set file and, logically, at the evidence item.

use crate::decision::{Decision, Reason};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The SARIF log of a decision. `tool_version` names the build; `set_uri` is the evidence
/// set's path (relative, `/`-separated) for the results' location.
pub fn render(decision: &Decision, tool_version: &str, set_uri: &str) -> Value {
    let blocking: Vec<(&Reason, &str)> = decision
        .blocking()
        .map(|r| (r, "error"))
        .chain(decision.warnings.iter().map(|r| (r, "warning")))
        .collect();
    let mut rules: BTreeMap<String, &str> = BTreeMap::new();
    for (r, level) in &blocking {
        rules.entry(r.rule_id()).or_insert(level);
    }
    let index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|(id, level)| {
            json!({
                "id": id,
                "shortDescription": {"text": if id.starts_with("gate.") {
                    format!("prov-verify gate finding {id}")
                } else {
                    format!("policy rule {id}")
                }},
                "defaultConfiguration": {"level": level},
            })
        })
        .collect();
    let results: Vec<Value> = blocking
        .iter()
        .map(|(r, level)| {
            let id = r.rule_id();
            let mut location = serde_json::Map::new();
            location.insert(
                "physicalLocation".into(),
                json!({"artifactLocation": {"uri": set_uri}}),
            );
            if let Some(item) = &r.item {
                location.insert(
                    "logicalLocations".into(),
                    json!([{"name": item, "kind": "evidence"}]),
                );
            }
            let mut properties = serde_json::Map::new();
            properties.insert("code".into(), json!(r.code));
            if let Some(check) = &r.check {
                properties.insert("check".into(), json!(check));
            }
            if let Some(m) = &r.metadata {
                properties.insert("metadata".into(), m.clone());
            }
            json!({
                "ruleId": id,
                "ruleIndex": index.get(id.as_str()).copied().unwrap_or(0),
                "level": level,
                "message": {"text": r.explain()},
                "locations": [location],
                "properties": properties,
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "prov-verify gate",
                "version": tool_version,
                "rules": descriptors,
            }},
            "invocations": [{
                "executionSuccessful": decision.errors.is_empty(),
            }],
            "results": results,
            "properties": {
                "outcome": decision.outcome.name(),
                "policyDigest": decision.policy_digest,
                "namespaces": decision.namespaces,
            },
        }],
    })
}
