//! `--batch FILE.jsonl`: many verification requests against one trusted root.
//!
//! One JSON object per line (fields below; unknown fields are refused; paths are relative to
//! the file's directory). Requests are verified in parallel (rayon), in chunks, and reported
//! in input order: with `--json` one record per line, `{"line":N,"artifact":...,"report":{...}}`
//! or `{"line":N,"artifact":...,"error":"..."}` for a line that is malformed or names
//! unreadable inputs (a failure, never skipped), then the summary report; without it, one
//! human line per request, then the summary. Exit 0 only if every request verified, 1
//! otherwise, 2 if the file itself cannot be read or is over budget.

use super::{signer_spec, verify_request, Context, Request};
use crate::commands::Outcome;
use crate::error::CliError;
use plugin_api::Report;
use plugin_cosign::predicate_type_uri;
use plugin_cosign::BatchLine;
use rayon::prelude::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest batch file, in bytes.
pub const MAX_BATCH_FILE: u64 = 64 * 1024 * 1024;
/// Most requests in one file.
pub const MAX_BATCH_LINES: usize = 100_000;
/// Requests verified in parallel before their records are written.
const CHUNK: usize = 256;
/// Failed line numbers named in the summary.
const MAX_NAMED_FAILURES: usize = 20;

/// Which command the batch is for.
pub(crate) enum Mode {
    /// `verify-blob`: a `type` field is refused.
    Blob,
    /// `verify-blob-attestation`: each line's `type`, else this default, is required.
    Attestation { default_type: Option<String> },
}

/// The lines of the file: (1-based line number, bytes). Only a trailing newline at the end
/// is dropped; every other line, blank or not, is a request.
pub(crate) fn read(file: &Path) -> Result<Vec<(usize, Vec<u8>)>, CliError> {
    let bytes = crate::input::read_limited(file, MAX_BATCH_FILE)?;
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if body.is_empty() {
        return Err(CliError::malformed(
            file.display().to_string(),
            "no requests",
        ));
    }
    let mut out = Vec::new();
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        if out.len() >= MAX_BATCH_LINES {
            return Err(CliError::malformed(
                file.display().to_string(),
                format!("more than {MAX_BATCH_LINES} requests"),
            ));
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        out.push((i + 1, line.to_vec()));
    }
    Ok(out)
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    base.join(p)
}

/// The request a line stands for, and its artifact as written; `Err` says why the line is
/// malformed (with the artifact as written once it is known). A line obeys the same rules as
/// the flags it stands for ([`SignerFields::parse`]); a refused line is a failed request.
fn parse_line(
    raw: &[u8],
    base: &Path,
    mode: &Mode,
) -> Result<(String, Request), (Option<String>, String)> {
    let l = BatchLine::parse(raw).map_err(|e| (None, e.to_string()))?;
    let artifact = l.artifact.clone();
    let bad = |m: String| (Some(artifact.clone()), m);
    let predicate_type = match (mode, &l.predicate_type) {
        (Mode::Blob, Some(_)) => {
            return Err(bad("`type` is only for verify-blob-attestation".into()))
        }
        (Mode::Blob, None) => None,
        (Mode::Attestation { .. }, Some(t)) => {
            Some(predicate_type_uri(t).map_err(|e| bad(format!("type: {e}")))?)
        }
        (Mode::Attestation { default_type }, None) => Some(
            default_type
                .clone()
                .ok_or_else(|| bad("no `type` on the line and no --type given".into()))?,
        ),
    };
    let signer = signer_spec(l.signer(|k| resolve(base, k))).map_err(|e| bad(e.to_string()))?;
    let artifact_path = if super::artifact_digest(&l.artifact).is_some() {
        l.artifact.clone()
    } else {
        resolve(base, &l.artifact).display().to_string()
    };
    let request = Request {
        artifact: artifact_path,
        bundle: super::BundleSource::File(resolve(base, &l.bundle)),
        signer,
        github_workflow: Vec::new(),
        slsa: Vec::new(),
        predicate_type,
        log_receipt: None,
    };
    Ok((l.artifact, request))
}

/// The outcome of one line.
enum Done {
    Report(Report),
    Error(String),
}

struct Record {
    line: usize,
    artifact: Option<String>,
    done: Done,
}

impl Record {
    fn ok(&self) -> bool {
        matches!(&self.done, Done::Report(r) if r.ok())
    }

    /// One JSON line; the report keeps the field order of [`Report::to_json`].
    fn json(&self) -> String {
        let artifact = self
            .artifact
            .as_ref()
            .map_or(Value::Null, |a| Value::String(a.clone()));
        match &self.done {
            Done::Report(r) => format!(
                "{{\"line\":{},\"artifact\":{artifact},\"report\":{}}}",
                self.line,
                r.to_json()
            ),
            Done::Error(e) => format!(
                "{{\"line\":{},\"artifact\":{artifact},\"error\":{}}}",
                self.line,
                Value::String(e.clone())
            ),
        }
    }

    fn human(&self) -> String {
        let what = self.artifact.as_deref().unwrap_or("(request not read)");
        match &self.done {
            Done::Report(r) if r.ok() => {
                format!(
                    "line {}: verified {what} ({} checks passed)",
                    self.line,
                    r.checks().len()
                )
            }
            Done::Report(r) => {
                let why = match r.first_failure() {
                    Some(c) => format!("{}: {}", c.id, c.explanation()),
                    None => r
                        .errors()
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "not verified".into()),
                };
                format!("line {}: FAILED {what}: {why}", self.line)
            }
            Done::Error(e) => format!("line {}: ERROR {what}: {e}", self.line),
        }
    }
}

fn one(line: usize, raw: &[u8], base: &Path, mode: &Mode, ctx: &Context) -> Record {
    match parse_line(raw, base, mode) {
        Err((artifact, e)) => Record {
            line,
            artifact,
            done: Done::Error(e),
        },
        Ok((artifact, req)) => {
            let done = match verify_request(&req, ctx) {
                Ok(r) => Done::Report(r),
                Err(e) => Done::Error(e.to_string()),
            };
            Record {
                line,
                artifact: Some(artifact),
                done,
            }
        }
    }
}

pub(crate) fn run(
    file: &Path,
    lines: &[(usize, Vec<u8>)],
    mode: &Mode,
    ctx: &Context,
    g: &crate::cli::GlobalArgs,
) -> Result<Outcome, CliError> {
    let base = file.parent().unwrap_or(Path::new(""));
    let mut out = std::io::stdout().lock();
    let mut failed: Vec<usize> = Vec::new();
    // Once the reader closed the pipe, the requests are still verified (the summary's verdict
    // sets the exit status) but nothing more is written.
    let mut reader_gone = false;
    for chunk in lines.chunks(CHUNK) {
        let records: Vec<Record> = chunk
            .par_iter()
            .map(|(n, raw)| one(*n, raw, base, mode, ctx))
            .collect();
        for r in &records {
            if !r.ok() {
                failed.push(r.line);
            }
            let text = if g.json {
                Some(r.json())
            } else if g.quiet && r.ok() {
                None
            } else {
                Some(r.human())
            };
            if let (Some(t), false) = (text, reader_gone) {
                reader_gone = written(writeln!(out, "{t}"))?;
            }
        }
    }
    if !reader_gone {
        written(out.flush())?;
    }
    Ok(Outcome::Report(summary(file, lines.len(), &failed, ctx)))
}

/// `Ok(true)` when the reader closed the pipe, `Ok(false)` when written; any other write
/// error ends the batch without a verdict.
fn written(r: std::io::Result<()>) -> Result<bool, CliError> {
    match r {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(CliError::Internal(format!("cannot write output: {e}"))),
    }
}

/// The batch's own report: one check, passed only if every request verified.
fn summary(file: &Path, total: usize, failed: &[usize], ctx: &Context) -> Report {
    let b = Report::builder(plugin_cosign::PLUGIN)
        .subject(format!("batch {} ({total} requests)", file.display()))
        .verified_at(ctx.time)
        .insecure_modes(&ctx.insecure);
    let b = if failed.is_empty() {
        b.pass(
            plugin_cosign::checks::BATCH_REQUESTS,
            format!("{total} of {total} requests verified"),
        )
    } else {
        let mut named: Vec<String> = failed
            .iter()
            .take(MAX_NAMED_FAILURES)
            .map(usize::to_string)
            .collect();
        if failed.len() > MAX_NAMED_FAILURES {
            named.push("...".into());
        }
        b.fail(
            plugin_cosign::checks::BATCH_REQUESTS,
            format!(
                "{} of {total} requests not verified (line {})",
                failed.len(),
                named.join(", ")
            ),
        )
    };
    let b = match ctx.source {
        super::RootSource::Embedded => b.warning(format!(
            "trusted root: {}",
            plugin_cosign::embedded::description(
                i64::try_from(ctx.time.unix_seconds()).unwrap_or(i64::MAX)
            )
        )),
        _ => b,
    };
    b.finish()
}
