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
        Outcome::Data(v) if g.json => match serde_json::to_string(v) {
            Ok(t) => writeln!(out, "{t}"),
            Err(e) => return render_error(out, &CliError::Internal(e.to_string()), g),
        },
        Outcome::Data(v) => write!(out, "{}", data_text(v)),
        Outcome::Text(t) => write!(out, "{t}"),
        Outcome::Set { items, summary } => render_set(out, items, summary, g),
        Outcome::Decided { text, .. } => write!(out, "{text}"),
    };
    let verdict = match outcome {
        Outcome::Report(r) if !r.ok() => EXIT_FAILED,
        Outcome::Set { summary, .. } if !summary.ok() => EXIT_FAILED,
        Outcome::Decided { code, .. } => *code,
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
    // Scalar outputs always; lists and objects (certificate claims, PCRs) with -v, indented.
    let mut nested = serde_json::Map::new();
    for (k, v) in r.outputs() {
        match v {
            serde_json::Value::Object(_) | serde_json::Value::Array(_) => {
                if g.verbose > 0 {
                    nested.insert(k.clone(), v.clone());
                }
            }
            serde_json::Value::String(s) => writeln!(out, "{k}: {s}")?,
            other => writeln!(out, "{k}: {other}")?,
        }
    }
    if !nested.is_empty() {
        write!(out, "{}", data_text(&serde_json::Value::Object(nested)))?;
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
    let kind = error_kind(e);
    match g.log_format {
        crate::cli::LogFormat::Text => eprint_line(&format!("error: {e}")),
        crate::cli::LogFormat::Json => json_error_line(kind, "", &e.to_string()),
    }
    if g.json {
        let doc = serde_json::json!({ "error": { "kind": kind, "message": e.to_string() } });
        let _ = writeln!(out, "{doc}");
    }
    EXIT_ERROR
}

/// The final error as one JSON log line on stderr, in the shape of the other `--log-format
/// json` lines: `{"timestamp", "level": "ERROR", "fields": {"message", "kind"[, "detail"]}}`.
pub fn json_error_line(kind: &str, detail: &str, message: &str) {
    let mut fields = serde_json::Map::new();
    fields.insert("message".into(), format!("error: {message}").into());
    fields.insert("kind".into(), kind.into());
    if !detail.is_empty() {
        fields.insert("detail".into(), detail.into());
    }
    let fields = serde_json::Value::Object(fields);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let timestamp = serde_json::Value::String(plugin_api::time::format_rfc3339(
        i64::try_from(now).unwrap_or(i64::MAX),
    ));
    // The key order of the log lines: timestamp, level, fields.
    eprint_line(&format!(
        r#"{{"timestamp":{timestamp},"level":"ERROR","fields":{fields}}}"#
    ));
}

/// The machine-readable kind of an error: `io`, `malformed-input`, `usage` or `internal`.
fn error_kind(e: &CliError) -> &'static str {
    {
        match e {
            CliError::Io { .. } => "io",
            CliError::Malformed { .. } => "malformed-input",
            CliError::Usage(_) => "usage",
            CliError::Plugin(p) => match p.kind() {
                "input" | "trust-root" | "report" => "malformed-input",
                "cache" => "io",
                _ => "internal",
            },
            _ => "internal",
        }
    }
}

/// Data as text (the default; `--json` prints the JSON): one `key: value` line per field (keys
/// sorted), nested objects and lists indented below their key (a YAML-like
/// layout that `grep` and humans read). Strings are printed as they are, `null` as `-`, an
/// empty list as `(none)`.
pub fn data_text(v: &serde_json::Value) -> String {
    let mut out = String::new();
    match v {
        serde_json::Value::Object(map) => object_text(&mut out, map, 0),
        other => {
            out.push_str(&scalar_text(other));
            out.push('\n');
        }
    }
    out
}

fn object_text(out: &mut String, map: &serde_json::Map<String, serde_json::Value>, indent: usize) {
    for (i, (k, v)) in map.iter().enumerate() {
        // The first field of a list item follows its `- ` marker on the same line.
        let pad = if i == 0 && indent > 0 && out.ends_with("- ") {
            String::new()
        } else {
            " ".repeat(indent)
        };
        field_text(out, &pad, k, v, indent);
    }
}

fn field_text(out: &mut String, pad: &str, key: &str, v: &serde_json::Value, indent: usize) {
    use serde_json::Value;
    match v {
        Value::Object(m) if m.is_empty() => out.push_str(&format!("{pad}{key}: (none)\n")),
        Value::Object(m) => {
            out.push_str(&format!("{pad}{key}:\n"));
            object_text(out, m, indent + 2);
        }
        Value::Array(a) if a.is_empty() => out.push_str(&format!("{pad}{key}: (none)\n")),
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let items: Vec<String> = a.iter().map(scalar_text).collect();
            out.push_str(&format!("{pad}{key}: {}\n", items.join(", ")));
        }
        Value::Array(a) => {
            out.push_str(&format!("{pad}{key}:\n"));
            for item in a {
                out.push_str(&format!("{}- ", " ".repeat(indent + 2)));
                match item {
                    Value::Object(m) if !m.is_empty() => object_text(out, m, indent + 4),
                    other => {
                        out.push_str(&scalar_text(other));
                        out.push('\n');
                    }
                }
            }
        }
        Value::String(text) if text.contains('\n') => {
            // A multi-line value (a signed note): its lines indented below the key.
            out.push_str(&format!("{pad}{key}: |\n"));
            for line in text.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{}{line}\n", " ".repeat(indent + 2)));
                }
            }
        }
        scalar => out.push_str(&format!("{pad}{key}: {}\n", scalar_text(scalar))),
    }
}

fn scalar_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod data_text_tests {
    use super::data_text;
    use serde_json::json;

    #[test]
    fn nested_documents_are_indented_key_value_lines() {
        let v = json!({
            "size": 8,
            "root": "5dc9",
            "proof": ["aa", "bb"],
            "none": [],
            "missing": null,
            "repos": [{"name": "sigstore", "roles": [{"role": "root", "version": 2}]}],
            "inner": {"a": true},
            "note": "origin\n8\n\n— sig"
        });
        assert_eq!(
            data_text(&v),
            "inner:\n  a: true\nmissing: -\nnone: (none)\nnote: |\n  origin\n  8\n\n  — sig\nproof: aa, bb\nrepos:\n  - name: sigstore\n    roles:\n      - role: root\n        version: 2\nroot: 5dc9\nsize: 8\n"
        );
    }
}
