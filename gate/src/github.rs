//! GitHub Actions workflow commands: `::error title=…::…` per denial, `::warning` per
//! warning, at most [`MAX_PER_LEVEL`] of each and a summary line beyond that.
//!
//! Escaping as the Actions runner reads it: in the message, `%` → `%25`, CR → `%0D`, LF →
//! `%0A`; in a property value (the title) also `:` → `%3A` and `,` → `%2C`. A message that
//! contains `::` cannot start a second command: commands are only recognised at the start of
//! a line, and line breaks are escaped.

use crate::decision::{Decision, Reason};

/// Most annotations per level (GitHub shows 10 per step and level).
pub const MAX_PER_LEVEL: usize = 10;

/// Escapes a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn lines(out: &mut String, level: &str, reasons: &[&Reason], what: &str) {
    for r in reasons.iter().take(MAX_PER_LEVEL) {
        out.push_str(&format!(
            "::{level} title={}::{}\n",
            escape_property(&r.rule_id()),
            escape_data(&r.explain())
        ));
    }
    if reasons.len() > MAX_PER_LEVEL {
        out.push_str(&format!(
            "::{level} title=prov-verify gate::{} more {what} not shown (see the JSON or SARIF output)\n",
            reasons.len() - MAX_PER_LEVEL
        ));
    }
}

/// The annotations of a decision, then a `::notice` with the outcome.
pub fn render(decision: &Decision) -> String {
    let mut out = String::new();
    let blocking: Vec<&Reason> = decision.blocking().collect();
    let warnings: Vec<&Reason> = decision.warnings.iter().collect();
    lines(&mut out, "error", &blocking, "denials");
    lines(&mut out, "warning", &warnings, "warnings");
    out.push_str(&format!(
        "::notice title=prov-verify gate::{} ({} denials, {} warnings; policy {})\n",
        decision.outcome.name(),
        blocking.len(),
        warnings.len(),
        escape_data(&decision.policy_digest)
    ));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::decision::codes;

    #[test]
    fn escaping_and_the_cap() {
        assert_eq!(escape_data("50%\r\nx::y"), "50%25%0D%0Ax::y");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        let mut d = Decision::new("sha256:00", vec!["main".into()]);
        for i in 0..12 {
            d.denials.push(
                Reason::new(codes::POLICY_DENY, format!("line {i}\n::error::forged"))
                    .with_rule("main.deny_x"),
            );
        }
        d.settle();
        let out = render(&d);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 12);
        assert!(lines[0]
            .starts_with("::error title=main.deny_x::main.deny_x: line 0%0A::error::forged"));
        assert!(lines[10].contains("2 more denials not shown"));
        assert!(lines[11].starts_with("::notice"));
        assert!(out.lines().all(|l| l.starts_with("::")));
    }
}
