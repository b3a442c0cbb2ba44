//! JUnit XML as GitLab reads it: one `<testsuite>` for the policy's rules (one `<testcase>`
//! per rule evaluated; a failure per rule with findings) and one for the evidence (one
//! `<testcase>` per item; a failure when it did not verify), plus one test case per gate
//! finding of its own (no policy, no namespace, an engine error…).

use crate::decision::{codes, Decision, Reason};
use crate::input::ItemEvidence;

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

struct Case {
    classname: String,
    name: String,
    failure: Option<(String, String)>,
    error: Option<(String, String)>,
    skipped: Option<String>,
}

fn suite(out: &mut String, name: &str, cases: &[Case]) {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let errors = cases.iter().filter(|c| c.error.is_some()).count();
    let skipped = cases.iter().filter(|c| c.skipped.is_some()).count();
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n",
        escape(name),
        cases.len()
    ));
    for c in cases {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(&c.classname),
            escape(&c.name)
        ));
        match (&c.failure, &c.skipped) {
            _ if c.error.is_some() => {
                let (message, body) = c.error.clone().unwrap_or_default();
                out.push_str(&format!(
                    ">\n      <error message=\"{}\" type=\"no-decision\">{}</error>\n    </testcase>\n",
                    escape(&message),
                    escape(&body)
                ))
            }
            (Some((message, body)), _) => out.push_str(&format!(
                ">\n      <failure message=\"{}\" type=\"deny\">{}</failure>\n    </testcase>\n",
                escape(message),
                escape(body)
            )),
            (None, Some(why)) => out.push_str(&format!(
                ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                escape(why)
            )),
            (None, None) => out.push_str("/>\n"),
        }
    }
    out.push_str("  </testsuite>\n");
}

/// The JUnit document for a decision over `items`.
pub fn render(decision: &Decision, items: &[ItemEvidence]) -> String {
    let mut rules: Vec<Case> = Vec::new();
    for rule in &decision.rules_evaluated {
        let findings: Vec<&Reason> = decision
            .denials
            .iter()
            .chain(decision.warnings.iter())
            .filter(|r| r.rule.as_deref() == Some(rule.as_str()))
            .collect();
        let denied = findings.iter().any(|r| decision.denials.contains(r));
        let failure = (!findings.is_empty() && denied).then(|| {
            (
                findings.first().map(|r| r.msg.clone()).unwrap_or_default(),
                findings
                    .iter()
                    .map(|r| r.explain())
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        });
        let skipped = (!denied && !findings.is_empty()).then(|| {
            findings
                .iter()
                .map(|r| format!("warning: {}", r.msg))
                .collect::<Vec<_>>()
                .join("; ")
        });
        // An engine error or a time-out in the rule: no decision, shown as an error.
        let error = decision
            .errors
            .iter()
            .find(|r| r.rule.as_deref() == Some(rule.as_str()))
            .map(|r| (r.msg.clone(), r.explain()));
        rules.push(Case {
            classname: "policy".into(),
            name: rule.clone(),
            failure,
            error,
            skipped,
        });
    }
    // The gate's own findings (and rule-shape findings of rules not listed above).
    for r in decision.blocking().filter(|r| {
        !r.code.starts_with("policy.")
            && r.code != codes::EVIDENCE_FAILED
            && r.code != codes::EVIDENCE_NO_VERDICT
            && r.rule
                .as_ref()
                .map_or(true, |rule| !decision.rules_evaluated.contains(rule))
    }) {
        let finding = Some((r.msg.clone(), r.explain()));
        let is_error = decision.errors.contains(r);
        rules.push(Case {
            classname: "gate".into(),
            name: r.rule_id(),
            failure: if is_error { None } else { finding.clone() },
            error: if is_error { finding } else { None },
            skipped: None,
        });
    }
    let evidence: Vec<Case> = items
        .iter()
        .map(|item| {
            let failure = match &item.report {
                Ok(r) if r.ok() => None,
                Ok(r) => Some((
                    format!("{} did not verify", item.name),
                    r.checks()
                        .iter()
                        .filter(|c| !c.is_pass())
                        .map(|c| format!("{}: {}", c.id, c.detail))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )),
                Err(e) => Some((format!("{}: no verdict", item.name), e.clone())),
            };
            Case {
                classname: format!("evidence.{}", item.plugin),
                name: item.name.clone(),
                failure,
                error: None,
                skipped: None,
            }
        })
        .collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"prov-verify gate\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        rules.len() + evidence.len(),
        rules
            .iter()
            .chain(evidence.iter())
            .filter(|c| c.failure.is_some())
            .count(),
        rules.iter().filter(|c| c.error.is_some()).count()
    ));
    suite(&mut out, "policy", &rules);
    suite(&mut out, "evidence", &evidence);
    out.push_str("</testsuites>\n");
    out
}
