//! The OSCAL report: a NIST OSCAL **assessment-results** document (JSON, OSCAL 1.2.1) of a
//! verified pack, for compliance tools that ingest OSCAL.
//!
//! * `metadata`: the pack's file, SHA-256, Merkle root, organisation and signer as properties;
//! * one `result`: the verification (every check, as properties; warnings as remarks), the
//!   controls reviewed (one control selection per framework);
//! * one `observation` per artifact, linking its back-matter resource;
//! * one `finding` per control line: its control, the state (`effective` and a verified
//!   manifest signature give `satisfied`, anything else `not-satisfied`), and the observation
//!   of its evidence;
//! * `back-matter`: one resource per artifact, with its path in the pack and its SHA-256.
//!
//! Deterministic like every report: the UUIDs are version 5 (name-based, SHA-1) UUIDs of the
//! pack's SHA-256 and each element's role, the only time is the pack's. OSCAL tokens cannot
//! start with a digit, so a control id such as PCI DSS `7.2.4` becomes `pci-dss_7.2.4` (the
//! framework's slug, `_`, the id); the original is kept in a `control-id` property. Validated
//! against the pinned schema (`fixtures/oscal/`) by `tests/oscal.rs`.

use super::{line_status, ReportError, ReportInput};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The OSCAL version the document declares (and the schema it is validated against).
pub const OSCAL_VERSION: &str = "1.2.1";
/// The namespace of this tool's properties.
const NS: &str = "urn:audit-pack:oscal";
/// RFC 4122's URL namespace.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// A version 5 UUID (RFC 9562 §5.5) of `name` in `namespace`.
fn uuid_v5(namespace: &[u8; 16], name: &str) -> [u8; 16] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(namespace);
    ctx.update(name.as_bytes());
    let digest = ctx.finish();
    let mut u = [0u8; 16];
    for (d, s) in u.iter_mut().zip(digest.as_ref()) {
        *d = *s;
    }
    u[6] = (u[6] & 0x0f) | 0x50;
    u[8] = (u[8] & 0x3f) | 0x80;
    u
}

fn uuid_text(u: &[u8; 16]) -> String {
    let h = hex::encode(u);
    format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

/// An OSCAL `String`: no leading or trailing whitespace, not empty (`None` then).
fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// An OSCAL `MarkupLine`: one line, not empty.
fn line(s: &str, fallback: &str) -> String {
    let one: String = s
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if one.is_empty() {
        fallback.to_owned()
    } else {
        one
    }
}

/// Whether `s` is an OSCAL token: `(\p{L}|_)(\p{L}|\p{N}|[.\-_])*`.
fn is_token(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphabetic() || c.is_numeric() || matches!(c, '.' | '-' | '_'))
}

/// The OSCAL token of a control id: itself when it is one, else the framework's slug, `_` and
/// the id with every other character replaced by `_`.
fn control_token(framework: &str, id: &str) -> String {
    if is_token(id) {
        return id.to_owned();
    }
    let slug: String = framework
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let body: String = id
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let token = format!("{slug}_{body}");
    if is_token(&token) {
        token
    } else {
        format!("_{token}")
    }
}

/// A pack path as a relative URI reference: unreserved characters and `/` as they are, every
/// other byte percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A control-map date (`YYYY-MM-DD` or RFC 3339) as an OSCAL date-time (UTC, `Z`).
fn date_time(value: &str) -> Option<String> {
    crate::controls::field_seconds(value.trim())
        .map(|s| plugin_api::VerificationTime::from_unix_seconds(s).to_rfc3339())
}

fn prop(name: &str, value: &str) -> Option<Value> {
    text(value).map(|v| json!({"name": name, "ns": NS, "value": v}))
}

fn props(list: impl IntoIterator<Item = Option<Value>>) -> Option<Value> {
    let v: Vec<Value> = list.into_iter().flatten().collect();
    (!v.is_empty()).then_some(Value::Array(v))
}

/// Inserts `value` under `key` when there is one (OSCAL arrays and strings are never empty).
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

/// The OSCAL assessment-results document, pretty-printed with a final newline.
pub fn to_oscal(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let index = input.pack.index();
    let base = uuid_v5(&NAMESPACE_URL, NS);
    let id = |role: &str| uuid_text(&uuid_v5(&base, &format!("{}:{role}", input.pack_sha256)));
    let generated =
        date_time(&index.generated_at).unwrap_or_else(|| index.generated_at.trim().to_owned());

    // Back-matter resources and observations, one per artifact, in index (leaf) order.
    let mut resources = Vec::new();
    let mut observations = Vec::new();
    let mut observation_of: BTreeMap<&str, String> = BTreeMap::new();
    for (leaf, a) in index.artifacts.iter().enumerate() {
        let resource = id(&format!("resource:{}", a.path));
        let observation = id(&format!("observation:{}", a.path));
        observation_of.insert(a.name.as_str(), observation.clone());
        let mut r = Map::new();
        r.insert("uuid".into(), Value::from(resource.clone()));
        r.insert("title".into(), Value::from(line(&a.path, "artifact")));
        put(
            &mut r,
            "props",
            props([
                prop("kind", &a.kind),
                prop("size", &a.size.to_string()),
                prop("merkle-leaf-index", &leaf.to_string()),
                a.period
                    .as_ref()
                    .and_then(|p| prop("period", &format!("{}/{}", p.start, p.end))),
            ]),
        );
        r.insert(
            "rlinks".into(),
            json!([{
                "href": uri_path(&a.path),
                "hashes": [{"algorithm": "SHA-256", "value": a.sha256}],
            }]),
        );
        resources.push(Value::Object(r));

        // Collected: the earliest collected_at of the control lines citing it, else the pack's
        // date.
        let collected = index
            .controls
            .iter()
            .filter(|l| l.evidence_path == a.name)
            .filter_map(|l| date_time(&l.collected_at))
            .min()
            .unwrap_or_else(|| generated.clone());
        observations.push(json!({
            "uuid": observation,
            "title": line(&a.path, "artifact"),
            "description": format!(
                "{} ({}, {} bytes) is in the verified pack with SHA-256 {}: leaf {} of {} under the signed Merkle root {}.",
                a.path, a.kind, a.size, a.sha256, leaf, index.artifacts.len(), index.merkle_root
            ),
            "methods": ["EXAMINE"],
            "subjects": [{"subject-uuid": resource, "type": "resource"}],
            "relevant-evidence": [{
                "href": format!("#{resource}"),
                "description": format!("{} in {}", a.path, input.file_name),
            }],
            "collected": collected,
        }));
    }

    // Findings, one per control line; control selections, one per framework.
    let mut findings = Vec::new();
    let mut selections: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (n, l) in index.controls.iter().enumerate() {
        let token = control_token(&l.framework, &l.control_id);
        let ids = selections
            .entry((
                l.framework.trim().to_owned(),
                l.framework_version.trim().to_owned(),
            ))
            .or_default();
        if !ids.contains(&token) {
            ids.push(token.clone());
        }
        let ok = super::line_effective(l);
        let mut target = Map::new();
        target.insert("type".into(), Value::from("objective-id"));
        target.insert("target-id".into(), Value::from(token.clone()));
        let mut status = Map::new();
        status.insert(
            "state".into(),
            Value::from(if ok { "satisfied" } else { "not-satisfied" }),
        );
        status.insert(
            "reason".into(),
            Value::from(if ok { "pass" } else { "fail" }),
        );
        put(
            &mut status,
            "remarks",
            text(&format!(
                "control-map state: {}; {}",
                line(&l.state, "(none)"),
                line_status(index, &l.signature_verified)
            ))
            .map(Value::from),
        );
        target.insert("status".into(), Value::Object(status));
        let mut f = Map::new();
        f.insert("uuid".into(), Value::from(id(&format!("finding:{n}"))));
        f.insert(
            "title".into(),
            Value::from(line(
                &format!("{} {}", l.control_id.trim(), l.control_title.trim()),
                "control",
            )),
        );
        let mut description = format!(
            "Control line {} of the control map: {} {} {}, evidence {} ({}).",
            n.saturating_add(1),
            l.framework.trim(),
            l.framework_version.trim(),
            l.control_id.trim(),
            l.evidence_path.trim(),
            l.evidence_id.trim()
        );
        for (label, value) in [("Narrative", &l.narrative), ("Notes", &l.notes)] {
            if let Some(v) = text(value) {
                description.push_str(&format!(" {label}: {v}"));
            }
        }
        f.insert("description".into(), Value::from(description));
        put(
            &mut f,
            "props",
            props([
                prop("framework", &l.framework),
                prop("framework-version", &l.framework_version),
                (token != l.control_id.trim())
                    .then(|| prop("control-id", &l.control_id))
                    .flatten(),
                prop("evidence-id", &l.evidence_id),
                prop("evidence-sha256", &l.evidence_sha256),
                prop("collected-at", &l.collected_at),
                prop("period-start", &l.period_start),
                prop("period-end", &l.period_end),
                prop("owner", &l.owner),
                prop("signer-identity", &l.signer_identity),
            ]),
        );
        f.insert("target".into(), Value::Object(target));
        if let Some(obs) = observation_of.get(l.evidence_path.as_str()) {
            f.insert(
                "related-observations".into(),
                json!([{"observation-uuid": obs}]),
            );
        }
        findings.push(Value::Object(f));
    }
    let control_selections: Vec<Value> = selections
        .into_iter()
        .map(|((framework, version), ids)| {
            let mut s = Map::new();
            put(
                &mut s,
                "description",
                text(&format!("{framework} {version}")).map(Value::from),
            );
            s.insert(
                "include-controls".into(),
                Value::Array(ids.into_iter().map(|c| json!({"control-id": c})).collect()),
            );
            Value::Object(s)
        })
        .collect();
    let control_selections = if control_selections.is_empty() {
        vec![json!({"include-all": {}})]
    } else {
        control_selections
    };

    // The verification: every check as a property, warnings as remarks.
    let checks: Vec<Option<Value>> = input
        .verification
        .checks()
        .iter()
        .map(|c| {
            prop(
                "verification-check",
                &format!("{}: {}", c.id, super::status_name(&c.status)),
            )
        })
        .collect();
    let mut result = Map::new();
    result.insert("uuid".into(), Value::from(id("result")));
    result.insert(
        "title".into(),
        Value::from(line(
            &format!("Evidence pack verification for {}", index.org),
            "Evidence pack verification",
        )),
    );
    result.insert(
        "description".into(),
        Value::from(format!(
            "{} (SHA-256 {}) verified: {} checks passed (index signature by {}, every file's SHA-256, the Merkle root {}, the control map, manifest signatures, evidence schemas). One finding per control-map line; one observation per artifact.",
            input.file_name,
            input.pack_sha256,
            input.verification.checks().len(),
            input.pack.signers().join(", "),
            index.merkle_root
        )),
    );
    result.insert("start".into(), Value::from(generated.clone()));
    result.insert("end".into(), Value::from(generated.clone()));
    put(
        &mut result,
        "props",
        props(std::iter::once(prop("verified", "true")).chain(checks)),
    );
    result.insert(
        "reviewed-controls".into(),
        json!({"control-selections": control_selections}),
    );
    if !observations.is_empty() {
        result.insert("observations".into(), Value::Array(observations));
    }
    if !findings.is_empty() {
        result.insert("findings".into(), Value::Array(findings));
    }
    let mut remarks: Vec<String> = input.verification.warnings().to_vec();
    if let Some(note) = super::insecure_note(index) {
        remarks.insert(0, note);
    }
    put(
        &mut result,
        "remarks",
        text(&remarks.join(" | ")).map(Value::from),
    );

    let control_map = index
        .artifacts
        .iter()
        .find(|a| a.kind == crate::kind::Kind::ControlMap.name())
        .map(|a| id(&format!("resource:{}", a.path)));
    let doc = json!({
        "assessment-results": {
            "uuid": id("assessment-results"),
            "metadata": {
                "title": line(&format!("Audit pack report: {}", input.file_name), "Audit pack report"),
                "last-modified": generated,
                "version": line(input.file_name.strip_suffix(".tgz").unwrap_or(input.file_name), "1"),
                "oscal-version": OSCAL_VERSION,
                "props": props([
                    prop("pack-file", input.file_name),
                    prop("pack-sha256", input.pack_sha256),
                    prop("merkle-root", &index.merkle_root),
                    prop("org", &index.org),
                    prop("signed-by", &input.pack.signers().join(", ")),
                ]),
            },
            "import-ap": {
                "href": control_map.map_or_else(|| "#".to_owned(), |u| format!("#{u}")),
                "remarks": "There is no OSCAL assessment plan: the pack's control map, a back-matter resource, stands in for it.",
            },
            "results": [Value::Object(result)],
            "back-matter": {"resources": resources},
        }
    });
    let mut out = serde_json::to_string_pretty(&doc).map_err(|e| ReportError::Write {
        format: "oscal",
        reason: e.to_string(),
    })?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn uuid_v5_matches_rfc_9562_appendix_a4() {
        // RFC 9562 A.4: UUIDv5 of "www.example.com" in the DNS namespace.
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(
            uuid_text(&uuid_v5(&dns, "www.example.com")),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2"
        );
    }

    #[test]
    fn control_ids_become_tokens() {
        assert_eq!(control_token("SOC 2", "CC6.1"), "CC6.1");
        assert_eq!(control_token("PCI DSS", "7.2.4"), "pci-dss_7.2.4");
        assert_eq!(control_token("ISO 27001", "A 5.15"), "iso-27001_A_5.15");
        assert_eq!(control_token("27001", "5.1"), "_27001_5.1");
        assert!(is_token("ä.1") && !is_token("1a") && !is_token(""));
        assert_eq!(uri_path("a b/c:d.json"), "a%20b/c%3Ad.json");
        assert_eq!(date_time("2026-10-02").unwrap(), "2026-10-02T00:00:00Z");
        assert_eq!(
            date_time("2026-10-02T10:00:00+02:00").unwrap(),
            "2026-10-02T08:00:00Z"
        );
        assert!(date_time("last week").is_none() && date_time("2026-10-02x").is_none());
    }
}
