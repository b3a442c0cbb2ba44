//! `prov-verify plugins`.

use super::*;

/// `prov-verify plugins`: name, version, what each takes, its conformance figures.
pub fn plugins(json: bool) -> Outcome {
    let all = registry::all();
    if json {
        let list: Vec<serde_json::Value> = all
            .iter()
            .map(|p| {
                let i = p.info();
                serde_json::json!({
                    "name": i.name,
                    "version": i.version,
                    "summary": i.summary,
                    "subjects": i.subjects.iter().map(|s| s.name()).collect::<Vec<_>>(),
                    "signature": i.signature,
                    "trustRoots": i.trust_roots.iter().map(|k| k.name()).collect::<Vec<_>>(),
                    "mediaTypes": i.media_types,
                    "policy": i.policy,
                    "certificates": i.certificates,
                    "revocation": i.revocation,
                    "insecure": i.insecure.iter().map(|m| m.name()).collect::<Vec<_>>(),
                    "usesSignature": i.uses_signature,
                    "usesCache": i.uses_cache,
                    "conformance": registry::conformance(i.name)
                        .iter()
                        .map(|(suite, figure)| serde_json::json!({"suite": suite, "result": figure}))
                        .collect::<Vec<_>>(),
                    "checks": crate::checks::of_plugin(i.name)
                        .iter()
                        .map(|(id, meaning)| serde_json::json!({"id": id, "passes": meaning}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        return Outcome::Data(serde_json::json!({ "plugins": list }));
    }
    let mut out = String::new();
    for p in &all {
        let i = p.info();
        out.push_str(&format!("{} {}\n  {}\n", i.name, i.version, i.summary));
        let subjects: Vec<&str> = i.subjects.iter().map(|s| s.name()).collect();
        out.push_str(&format!("  subject: {}\n", subjects.join(", ")));
        out.push_str(&format!("  signature: {}\n", i.signature));
        let kinds: Vec<&str> = i.trust_roots.iter().map(|k| k.name()).collect();
        out.push_str(&format!(
            "  trust roots: {}\n",
            if kinds.is_empty() {
                "none".into()
            } else {
                kinds.join(", ")
            }
        ));
        let list = |v: Vec<&str>| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        if !i.media_types.is_empty() {
            out.push_str(&format!("  media types: {}\n", i.media_types.join(", ")));
        }
        out.push_str(&format!("  policy: {}\n", list(i.policy.to_vec())));
        let mut also = Vec::new();
        if i.certificates {
            also.push("certificates");
        }
        if i.revocation {
            also.push("CRLs");
        }
        if i.uses_cache {
            also.push("the offline cache");
        }
        out.push_str(&format!("  also reads: {}\n", list(also)));
        out.push_str(&format!(
            "  insecure modes: {}\n",
            list(i.insecure.iter().map(|m| m.name()).collect())
        ));
        for (suite, figure) in registry::conformance(i.name) {
            out.push_str(&format!("  conformance: {suite}: {figure}\n"));
        }
        let ids: Vec<&str> = crate::checks::of_plugin(i.name)
            .iter()
            .map(|(id, _)| *id)
            .collect();
        out.push_str(&format!("  checks: {} (see docs/checks.md)\n", list(ids)));
    }
    Outcome::Text(out)
}
