//! The report: named checks, errors and warnings, and a verdict that is computed, never set.

use crate::builder::ReportBuilder;
use crate::check::{Check, CheckStatus};
use crate::error::ReportError;
use crate::insecure::Insecure;
use crate::request::VerifyRequest;
use crate::time::VerificationTime;
use crate::verdict::Verdict;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Largest serialized report [`Report::from_json`] reads, in bytes (16 MiB).
pub const MAX_REPORT_JSON_BYTES: usize = 16 << 20;
/// Longest output key accepted, in bytes.
pub const MAX_OUTPUT_KEY_LEN: usize = 64;

/// The result of one verification.
///
/// `ok` is true exactly when: there is at least one check, no check failed, no error was
/// recorded, and every skipped check is waived by an insecure mode listed in `insecure`.
/// It is computed by [`ReportBuilder::finish`] and recomputed by [`Report::from_json`] (and by
/// every `Deserialize` of a `Report`), which rejects a document whose `ok` disagrees; there is
/// no other way to make a `Report`, and no setter.
///
/// JSON shape (every field always present; see `docs/report.schema.json`):
///
/// ```json
/// {"ok":false,"plugin":"merkle","subject":"leaf 3 of tree size 8","verified_at":"2023-11-14T22:13:20Z",
///  "checks":[{"id":"merkle.inclusion.index","status":"pass","detail":"3 < 8"},
///            {"id":"merkle.inclusion.root","status":"fail","detail":"root differs"},
///            {"id":"merkle.inclusion.done","status":"skipped","detail":"","reason":"not reached"}],
///  "errors":[],"warnings":[],"insecure":[],"outputs":{"size":8}}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawReport")]
pub struct Report {
    ok: bool,
    plugin: String,
    subject: Option<String>,
    #[serde(serialize_with = "time_rfc3339")]
    verified_at: Option<VerificationTime>,
    checks: Vec<Check>,
    errors: Vec<String>,
    warnings: Vec<String>,
    insecure: Vec<Insecure>,
    outputs: BTreeMap<String, serde_json::Value>,
}

/// `verified_at` on the wire: RFC 3339 in UTC (`2026-06-01T00:00:00Z`), as every time the
/// tools print.
fn time_rfc3339<S: serde::Serializer>(
    t: &Option<VerificationTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// `verified_at` as read: RFC 3339 (any offset, truncated to the second), or the integer
/// seconds that reports written before RFC 3339 carried; `null` for none.
fn time_read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<VerificationTime>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Seconds(u64),
        Text(String),
    }
    match Option::<Wire>::deserialize(d)? {
        None => Ok(None),
        Some(Wire::Seconds(s)) => Ok(Some(VerificationTime::from_unix_seconds(s))),
        Some(Wire::Text(t)) if t.len() <= crate::time::MAX_RFC3339_LEN => {
            match crate::time::parse_rfc3339(&t).and_then(|s| u64::try_from(s).ok()) {
                Some(s) => Ok(Some(VerificationTime::from_unix_seconds(s))),
                None => Err(serde::de::Error::custom(format!(
                    "verified_at: {t:?} is not an RFC 3339 time after 1970"
                ))),
            }
        }
        Some(Wire::Text(_)) => Err(serde::de::Error::custom("verified_at: too long")),
    }
}

/// The parts a report is made of; the verdict is derived from them.
pub(crate) struct Parts {
    pub(crate) plugin: String,
    pub(crate) subject: Option<String>,
    pub(crate) verified_at: Option<VerificationTime>,
    pub(crate) checks: Vec<Check>,
    pub(crate) errors: Vec<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) insecure: Vec<Insecure>,
    pub(crate) outputs: BTreeMap<String, serde_json::Value>,
}

/// The one rule for `ok`.
fn compute_ok(checks: &[Check], errors: &[String], insecure: &[Insecure]) -> bool {
    !checks.is_empty() && errors.is_empty() && checks.iter().all(|c| c.is_acceptable(insecure))
}

impl Report {
    /// Starts a report for the plugin called `plugin`.
    pub fn builder(plugin: impl Into<String>) -> ReportBuilder {
        ReportBuilder::new(plugin)
    }

    /// Starts a report for `plugin` answering `req`: the verification time and the caller's
    /// insecure modes are taken from the request.
    pub fn builder_for(plugin: impl Into<String>, req: &VerifyRequest<'_>) -> ReportBuilder {
        ReportBuilder::for_request(plugin, req)
    }

    pub(crate) fn from_parts(p: Parts) -> Self {
        let ok = compute_ok(&p.checks, &p.errors, &p.insecure);
        Report {
            ok,
            plugin: p.plugin,
            subject: p.subject,
            verified_at: p.verified_at,
            checks: p.checks,
            errors: p.errors,
            warnings: p.warnings,
            insecure: p.insecure,
            outputs: p.outputs,
        }
    }

    /// This report with one more error (so not ok), the verdict recomputed.
    pub(crate) fn with_error(mut self, message: String) -> Report {
        self.errors.push(message);
        self.ok = compute_ok(&self.checks, &self.errors, &self.insecure);
        self
    }

    /// This report with the checks, errors, warnings and outputs recorded in `extra` appended
    /// (for a caller that checks more after the plugin, such as a policy on what the plugin
    /// verified), the verdict recomputed by the same rule as [`ReportBuilder::finish`].
    ///
    /// Only `extra`'s checks, errors, warnings and outputs are used; its plugin name, subject,
    /// time and insecure modes are ignored. Amending cannot make a report ok that was not: a
    /// report that is not ok has a failed check, an unwaived skip or an error, and all of them
    /// are kept. Mistakes become `internal:` errors (so the report is not ok): a check id or
    /// output key already in the report (the repeat is dropped), and a skipped check in
    /// `extra` carrying a waiver (an amendment cannot waive; the waiver is dropped).
    pub fn amend(mut self, extra: ReportBuilder) -> Report {
        let a = extra.into_amendment();
        for mut check in a.checks {
            if self.checks.iter().any(|c| c.id == check.id) {
                self.errors.push(format!(
                    "internal: amended check id `{}` is already in the report; the repeat is dropped (its result was {}: {})",
                    check.id,
                    check.status.name(),
                    check.explanation()
                ));
                continue;
            }
            if let CheckStatus::Skipped { waived_by, .. } = &mut check.status {
                if let Some(mode) = waived_by.take() {
                    self.errors.push(format!(
                        "internal: amended check `{}` cannot be waived (by {})",
                        check.id,
                        mode.flag()
                    ));
                }
            }
            self.checks.push(check);
        }
        self.errors.extend(a.errors);
        self.warnings.extend(a.warnings);
        for (key, value) in a.outputs {
            match self.outputs.entry(key) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                std::collections::btree_map::Entry::Occupied(slot) => {
                    let msg = format!(
                        "internal: amended output `{}` is already in the report",
                        slot.key()
                    );
                    self.errors.push(msg);
                }
            }
        }
        self.ok = compute_ok(&self.checks, &self.errors, &self.insecure);
        self
    }

    /// Whether the evidence verified.
    pub fn ok(&self) -> bool {
        self.ok
    }

    /// [`Verdict::Verified`] if ok, else [`Verdict::Failed`].
    pub fn verdict(&self) -> Verdict {
        if self.ok {
            Verdict::Verified
        } else {
            Verdict::Failed
        }
    }

    /// The process exit status for this report: 0 if ok, 1 if not. (2, no verdict, is for
    /// errors that prevent a report: [`Error::exit_code`](crate::Error::exit_code).)
    pub fn exit_code(&self) -> u8 {
        self.verdict().exit_code()
    }

    /// The plugin that made the report.
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// What was verified, for humans (a file name, `leaf 3 of tree size 8`, a digest).
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The verification time the checks were judged at, if the plugin used one.
    pub fn verified_at(&self) -> Option<VerificationTime> {
        self.verified_at
    }

    /// Every check, in the order run.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Errors that prevented or spoiled verification (any error makes the report not ok).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Warnings, starting with one `INSECURE:` line per waived check or unused insecure mode.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The insecure modes that were in effect.
    pub fn insecure(&self) -> &[Insecure] {
        &self.insecure
    }

    /// Named values the verification established or used (e.g. `root`, `size`), for display
    /// and scripts. They carry no verdict: read them only if [`Report::ok`] is true.
    pub fn outputs(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.outputs
    }

    /// The check to show a human first when the report is not ok: the first failed check,
    /// else the first skipped check that no insecure mode waives. `None` if every check is
    /// acceptable (the report is then ok, or not ok because of errors or having no checks).
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.is_fail()).or_else(|| {
            self.checks
                .iter()
                .find(|c| !c.is_acceptable(&self.insecure))
        })
    }

    /// The report as one line of JSON, with no trailing newline.
    pub fn to_json(&self) -> String {
        // Serializing strings, integers and JSON values cannot fail; if it ever did, say so in
        // a document that is not ok rather than panic.
        serde_json::to_string(self).unwrap_or_else(|e| {
            let msg = serde_json::Value::String(format!("internal: cannot serialize report: {e}"));
            format!(
                "{{\"ok\":false,\"plugin\":\"plugin-api\",\"subject\":null,\"verified_at\":null,\
                 \"checks\":[],\"errors\":[{msg}],\"warnings\":[],\"insecure\":[],\"outputs\":{{}}}}"
            )
        })
    }

    /// The report as a JSON Lines record: one line of JSON followed by `\n`, for batches.
    pub fn to_json_line(&self) -> String {
        let mut line = self.to_json();
        line.push('\n');
        line
    }

    /// Reads a serialized report, strictly: every field present, no unknown field, valid and
    /// unique check ids, and `ok` equal to what the checks, errors and insecure modes give.
    /// A document claiming `ok: true` for a failed verification is rejected.
    pub fn from_json(json: &str) -> Result<Report, ReportError> {
        if json.len() > MAX_REPORT_JSON_BYTES {
            return Err(ReportError::TooLarge {
                size: json.len(),
                limit: MAX_REPORT_JSON_BYTES,
            });
        }
        let raw: RawReport = crate::json::from_str(json)?;
        Report::try_from(raw).map_err(|e| match e {
            ReportShapeError::OkMismatch { claimed } => ReportError::OkMismatch { claimed },
            ReportShapeError::Inconsistent(why) => ReportError::Inconsistent(why),
        })
    }
}

/// Why `key` is not a valid output key (`[a-z][a-z0-9_]*`, at most 64 bytes), or `None`.
pub(crate) fn output_key_problem(key: &str) -> Option<&'static str> {
    let mut bytes = key.bytes();
    match bytes.next() {
        None => Some("empty"),
        Some(_) if key.len() > MAX_OUTPUT_KEY_LEN => Some("longer than 64 bytes"),
        Some(first) if !first.is_ascii_lowercase() => Some("must start with a-z"),
        Some(_) if !bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') => {
            Some("may hold only a-z, 0-9 and `_`")
        }
        Some(_) => None,
    }
}

/// The wire form of a report, parsed strictly (every field required; `subject` and
/// `verified_at` may be `null`), then checked and turned into a [`Report`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    ok: bool,
    plugin: String,
    #[serde(deserialize_with = "nullable")]
    subject: Option<String>,
    #[serde(deserialize_with = "time_read")]
    verified_at: Option<VerificationTime>,
    checks: Vec<Check>,
    errors: Vec<String>,
    warnings: Vec<String>,
    insecure: Vec<Insecure>,
    outputs: BTreeMap<String, serde_json::Value>,
}

/// A required field that may be `null` (without `deserialize_with`, serde would accept the
/// field being absent).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

/// Why a well-formed report document was rejected.
#[derive(Debug)]
pub(crate) enum ReportShapeError {
    OkMismatch { claimed: bool },
    Inconsistent(String),
}

impl fmt::Display for ReportShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportShapeError::OkMismatch { claimed } => write!(
                f,
                "`ok` is {claimed}, but the checks, errors and insecure modes make it {}",
                !claimed
            ),
            ReportShapeError::Inconsistent(why) => f.write_str(why),
        }
    }
}

impl TryFrom<RawReport> for Report {
    type Error = ReportShapeError;

    fn try_from(raw: RawReport) -> Result<Self, Self::Error> {
        let bad = |why: String| Err(ReportShapeError::Inconsistent(why));
        if raw.plugin.is_empty() {
            return bad("`plugin` is empty".into());
        }
        let mut ids = BTreeSet::new();
        for c in &raw.checks {
            if !ids.insert(c.id.as_str()) {
                return bad(format!("duplicate check id `{}`", c.id));
            }
        }
        let mut modes = BTreeSet::new();
        for m in &raw.insecure {
            if !modes.insert(*m) {
                return bad(format!("insecure mode `{}` listed twice", m.name()));
            }
        }
        for key in raw.outputs.keys() {
            if let Some(problem) = output_key_problem(key) {
                return bad(format!("output key `{key}`: {problem}"));
            }
        }
        let report = Report::from_parts(Parts {
            plugin: raw.plugin,
            subject: raw.subject,
            verified_at: raw.verified_at,
            checks: raw.checks,
            errors: raw.errors,
            warnings: raw.warnings,
            insecure: raw.insecure,
            outputs: raw.outputs,
        });
        if report.ok != raw.ok {
            return Err(ReportShapeError::OkMismatch { claimed: raw.ok });
        }
        Ok(report)
    }
}
