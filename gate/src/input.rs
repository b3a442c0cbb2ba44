//! What a policy sees: `input = {reports, items, attestations, subjects, context}`.
//!
//! ```json
//! {"reports":   {"<item>": {"name", "plugin", "ok", "verdict", "report": <the plugin's report>}},
//!  "items":     [{"name", "plugin", "ok", "verdict"}],
//!  "attestations": [{"item", "predicateType", "subject": [...], "predicate": {...}, "statement": {...}}],
//!  "subjects":  [{"item", "name", "digest": {"sha256": "<hex>"}}],
//!  "context":   {"now": "<RFC 3339>", "now_ns": <int>, "policy_digest": "sha256:…", "set": "<name>"}}
//! ```
//!
//! Only evidence that verified contributes attestations: a statement is read out of an
//! envelope only after the plugin verified it, by the caller.

use plugin_api::{Report, VerificationTime};
use serde_json::{json, Map, Value};

/// One evidence item, verified.
#[derive(Debug, Clone)]
pub struct ItemEvidence {
    /// Its name in the set.
    pub name: String,
    /// The plugin that verified it.
    pub plugin: String,
    /// The report, or why no verdict could be reached.
    pub report: Result<Report, String>,
    /// The SHA-256 (hex) of its subject file, if it had one.
    pub subject_sha256: Option<String>,
    /// The subject's name (its file name), if it had one.
    pub subject_name: Option<String>,
    /// The in-toto statements its verified envelope carried (empty unless the report is ok).
    pub statements: Vec<Value>,
}

impl ItemEvidence {
    /// Whether the item verified.
    pub fn ok(&self) -> bool {
        self.report.as_ref().is_ok_and(Report::ok)
    }

    /// `verified`, `failed` or `no-verdict`.
    pub fn verdict(&self) -> &'static str {
        match &self.report {
            Ok(r) if r.ok() => "verified",
            Ok(_) => "failed",
            Err(_) => "no-verdict",
        }
    }
}

/// Everything the gate decides over.
#[derive(Debug, Clone)]
pub struct GateInput {
    /// The evidence items, in set order.
    pub items: Vec<ItemEvidence>,
    /// The verification time (also the policy's `input.context.now`).
    pub now: VerificationTime,
    /// A name for the set (its file name), shown to the policy.
    pub set_name: String,
}

impl GateInput {
    /// The `input` document, with the policy's digest in its context.
    pub fn to_json(&self, policy_digest: &str) -> Value {
        let mut reports = Map::new();
        let mut items = Vec::new();
        let mut attestations = Vec::new();
        let mut subjects = Vec::new();
        for item in &self.items {
            let report = match &item.report {
                Ok(r) => serde_json::from_str::<Value>(&r.to_json()).unwrap_or(Value::Null),
                Err(e) => json!({"error": e}),
            };
            reports.insert(
                item.name.clone(),
                json!({
                    "name": item.name,
                    "plugin": item.plugin,
                    "ok": item.ok(),
                    "verdict": item.verdict(),
                    "report": report,
                }),
            );
            items.push(json!({
                "name": item.name,
                "plugin": item.plugin,
                "ok": item.ok(),
                "verdict": item.verdict(),
            }));
            if let Some(sha) = &item.subject_sha256 {
                subjects.push(json!({
                    "item": item.name,
                    "name": item.subject_name,
                    "digest": {"sha256": sha},
                }));
            }
            if item.ok() {
                for statement in &item.statements {
                    attestations.push(json!({
                        "item": item.name,
                        "predicateType": statement.get("predicateType").cloned().unwrap_or(Value::Null),
                        "subject": statement.get("subject").cloned().unwrap_or(Value::Null),
                        "predicate": statement.get("predicate").cloned().unwrap_or(Value::Null),
                        "statement": statement,
                    }));
                }
            }
        }
        let now_ns = i128::from(self.now.unix_seconds()).saturating_mul(1_000_000_000);
        json!({
            "reports": reports,
            "items": items,
            "attestations": attestations,
            "subjects": subjects,
            "context": {
                "now": self.now.to_rfc3339(),
                "now_ns": i64::try_from(now_ns).unwrap_or(i64::MAX),
                "policy_digest": policy_digest,
                "set": self.set_name,
            },
        })
    }
}
