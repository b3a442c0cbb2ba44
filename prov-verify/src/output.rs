//! Rendering outcomes: short human text naming the failed check, or JSON; and exit codes.

use crate::cli::GlobalArgs;
use crate::commands::Outcome;
use crate::error::CliError;
use plugin_api::{CheckStatus, Report};
use std::io::Write;

/// Exit status for a verified report.
pub const EXIT_VERIFIED: u8 = 0;
/// Exit status for a report that failed verification.
pub const EXIT_FAILED: u8 = 1;
/// Exit status for usage, input and internal errors.
pub const EXIT_ERROR: u8 = 2;

pub fn render(out: &mut impl Write, outcome: &Outcome, g: &GlobalArgs) -> u8 {
    let written = match outcome {
        Outcome::Report(r) => render_report(out, r, g),
        Outcome::Data(v) => {
            let text = if g.json {
                serde_json::to_string(v)
            } else {
                serde_json::to_string_pretty(v)
            };
            match text {
                Ok(t) => writeln!(out, "{t}"),
                Err(e) => return render_error(out, &CliError::Internal(e.to_string()), g),
            }
        }
        Outcome::Text(t) => write!(out, "{t}"),
        Outcome::Set { items, summary } => render_set(out, items, summary, g),
    };
    let verdict = match outcome {
        Outcome::Report(r) if !r.ok() => EXIT_FAILED,
        Outcome::Set { summary, .. } if !summary.ok() => EXIT_FAILED,
        _ => EXIT_VERIFIED,
    };
    match written {
        Ok(()) => verdict,
        Err(e) => write_failed(verdict, &e),
    }
}

/// The exit status when the output could not be written. A reader that closed the pipe
/// early (`| head`, `| true`) keeps the verdict: a failed verification stays 1 and is never
/// turned into success, a verified one stays 0, as `grep -q` would have it. Any other write
/// error (disk full, ...) means the verdict was not delivered: 2. Never panics, even when
/// stderr is closed too.
pub fn write_failed(verdict: u8, e: &std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return verdict;
    }
    eprint_line(&format!("error: cannot write output: {e}"));
    EXIT_ERROR
}

/// Writes one line to stderr, ignoring a closed or failing stderr (`eprintln!` would panic).
pub fn eprint_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn render_report(out: &mut impl Write, r: &Report, g: &GlobalArgs) -> std::io::Result<()> {
    if g.json {
        return write!(out, "{}", r.to_json_line());
    }
    let subject = r.subject().unwrap_or(r.plugin());
    if r.ok() {
        if g.quiet {
            return Ok(());
        }
        let passed = r.checks().len();
        writeln!(
            out,
            "verified: {subject} ({passed} check{} passed)",
            plural(passed)
        )?;
    } else {
        let first = r.first_failure();
        if g.quiet {
            return match first {
                Some(c) => writeln!(out, "FAILED {}: {}", c.id, status_text(c)),
                None => writeln!(
                    out,
                    "FAILED: {}",
                    r.errors().first().map_or("not verified", |e| e.as_str())
                ),
            };
        }
        writeln!(out, "FAILED: {subject}")?;
        for c in r.checks() {
            if !matches!(c.status, CheckStatus::Pass) {
                writeln!(out, "  {}: {}", c.id, status_text(c))?;
            }
        }
        for e in r.errors() {
            writeln!(out, "  error: {e}")?;
        }
    }
    for w in r.warnings() {
        writeln!(out, "warning: {w}")?;
    }
    if g.verbose > 0 {
        for c in r.checks() {
            let tag = match c.status {
                CheckStatus::Pass => "pass",
                CheckStatus::Fail => "FAIL",
                CheckStatus::Skipped { .. } => "skip",
            };
            writeln!(out, "  [{tag}] {}: {}", c.id, status_text(c))?;
        }
    }
    // Outputs are results only when verified; on failure they would read as facts.
    if !r.ok() {
        return Ok(());
    }
    for (k, v) in r.outputs() {
        match v.as_str() {
            Some(s) => writeln!(out, "{k}: {s}")?,
            None => writeln!(out, "{k}: {v}")?,
        }
    }
    Ok(())
}

/// An evidence set: each item's report under its name, then the summary. JSON: one document
/// `{"items": [{"name", "plugin", "report" | "error"}], "summary": report}`.
fn render_set(
    out: &mut impl Write,
    items: &[crate::commands::verify::SetItem],
    summary: &Report,
    g: &GlobalArgs,
) -> std::io::Result<()> {
    if g.json {
        let items: Vec<serde_json::Value> = items
            .iter()
            .map(|i| match &i.result {
                Ok(r) => serde_json::json!({
                    "name": i.name,
                    "plugin": i.plugin,
                    "report": serde_json::from_str::<serde_json::Value>(&r.to_json())
                        .unwrap_or(serde_json::Value::Null),
                }),
                Err(e) => serde_json::json!({
                    "name": i.name,
                    "plugin": i.plugin,
                    "error": { "message": e.to_string() },
                }),
            })
            .collect();
        let summary: serde_json::Value =
            serde_json::from_str(&summary.to_json()).unwrap_or(serde_json::Value::Null);
        let doc = serde_json::json!({ "items": items, "summary": summary });
        return writeln!(out, "{doc}");
    }
    for i in items {
        writeln!(out, "== {} ({})", i.name, i.plugin)?;
        match &i.result {
            Ok(r) => render_report(out, r, g)?,
            Err(e) => writeln!(out, "NO VERDICT: {e}")?,
        }
    }
    writeln!(out, "== summary")?;
    render_report(out, summary, g)
}

fn status_text(c: &plugin_api::Check) -> &str {
    match &c.status {
        CheckStatus::Skipped { reason, .. } => reason,
        _ => &c.detail,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn render_error(out: &mut impl Write, e: &CliError, g: &GlobalArgs) -> u8 {
    eprint_line(&format!("error: {e}"));
    if g.json {
        let kind = match e {
            CliError::Io { .. } => "io",
            CliError::Malformed { .. } => "malformed-input",
            CliError::Usage(_) => "usage",
            CliError::Plugin(p) => match p.kind() {
                "input" | "trust-root" | "report" => "malformed-input",
                "cache" => "io",
                _ => "internal",
            },
            _ => "internal",
        };
        let doc = serde_json::json!({ "error": { "kind": kind, "message": e.to_string() } });
        let _ = writeln!(out, "{doc}");
    }
    EXIT_ERROR
}
