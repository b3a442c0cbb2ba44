//! Building a report: record checks, errors and warnings; `finish` computes the verdict.

use crate::check::{check_id_problem, Check, CheckStatus};
use crate::insecure::Insecure;
use crate::report::{output_key_problem, Parts, Report};
use crate::request::VerifyRequest;
use crate::time::VerificationTime;
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// The reason recorded for a step after a failed one ([`ReportBuilder::step`]).
pub const NOT_REACHED: &str = "not reached: an earlier check failed";

/// Why a check failed: the detail the report shows for it (typed, so a check's failure is never
/// confused with its passing detail).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Failure(String);

impl Failure {
    /// A failure with this detail.
    pub fn new(detail: impl Into<String>) -> Self {
        Failure(detail.into())
    }

    /// The detail.
    pub fn detail(&self) -> &str {
        &self.0
    }
}

impl From<String> for Failure {
    fn from(detail: String) -> Self {
        Failure(detail)
    }
}

impl From<Failure> for String {
    fn from(failure: Failure) -> Self {
        failure.0
    }
}

impl From<&str> for Failure {
    fn from(detail: &str) -> Self {
        Failure(detail.to_owned())
    }
}

/// What a builder adds to an existing report ([`Report::amend`]).
pub(crate) struct Amendment {
    pub(crate) checks: Vec<Check>,
    pub(crate) errors: Vec<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) outputs: BTreeMap<String, serde_json::Value>,
}

/// Records the checks of one verification and makes the [`Report`].
///
/// Mistakes in using the builder (an invalid or duplicate check id, a skip without a reason,
/// a waiver by an insecure mode the caller did not turn on, a bad output key) never panic:
/// each becomes an `internal:` error in the report, which makes it not ok.
///
/// ```
/// use plugin_api::{Insecure, Report};
///
/// let report = Report::builder("cosign")
///     .insecure_modes(&[Insecure::SkipTlog])
///     .pass("cosign.signature.verify", "ECDSA P-256 signature over the artifact digest")
///     .skip_waived("cosign.tlog.inclusion", "no Rekor entry in the bundle", Insecure::SkipTlog)
///     .finish();
/// assert!(report.ok());
/// assert!(report.warnings()[0].starts_with("INSECURE: --insecure-ignore-tlog"));
///
/// let report = Report::builder("cosign")
///     .pass("cosign.signature.verify", "ok")
///     .skip("cosign.tlog.inclusion", "no Rekor entry in the bundle")
///     .finish();
/// assert!(!report.ok());
/// assert_eq!(report.exit_code(), 1);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a report builder does nothing until `finish` is called"]
pub struct ReportBuilder {
    plugin: String,
    subject: Option<String>,
    verified_at: Option<VerificationTime>,
    checks: Vec<Check>,
    errors: Vec<String>,
    warnings: Vec<String>,
    insecure: Vec<Insecure>,
    outputs: BTreeMap<String, serde_json::Value>,
}

impl ReportBuilder {
    /// Starts a report for the plugin called `plugin`, with no insecure mode in effect.
    pub fn new(plugin: impl Into<String>) -> Self {
        ReportBuilder {
            plugin: plugin.into(),
            subject: None,
            verified_at: None,
            checks: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            insecure: Vec::new(),
            outputs: BTreeMap::new(),
        }
    }

    /// Starts a report for `plugin` answering `req`: records the request's verification time
    /// and its insecure modes.
    pub fn for_request(plugin: impl Into<String>, req: &VerifyRequest<'_>) -> Self {
        ReportBuilder::new(plugin)
            .verified_at(req.time())
            .insecure_modes(req.insecure())
    }

    /// Says what is verified, for humans.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Records the verification time the checks are judged at.
    pub fn verified_at(mut self, time: VerificationTime) -> Self {
        self.verified_at = Some(time);
        self
    }

    /// Records insecure modes the *caller* explicitly turned on (normally
    /// [`VerifyRequest::insecure`]). Only these can waive a skipped check; each is listed in
    /// the report and announced with an `INSECURE:` warning. Repeats are ignored.
    ///
    /// A plugin must not call this with modes of its own choosing: it should start from
    /// [`Report::builder_for`], and [`run_plugin`](crate::run_plugin) adds an error to a
    /// report listing modes the request did not carry.
    pub fn insecure_modes(mut self, modes: &[Insecure]) -> Self {
        for m in modes {
            if !self.insecure.contains(m) {
                self.insecure.push(*m);
            }
        }
        self
    }

    /// Records a check that ran and passed.
    pub fn pass(self, id: impl AsRef<str>, detail: impl Into<String>) -> Self {
        self.check(id.as_ref(), CheckStatus::Pass, detail.into())
    }

    /// Records a check that ran and failed; `detail` says what differed.
    pub fn fail(self, id: impl AsRef<str>, detail: impl Into<String>) -> Self {
        self.check(id.as_ref(), CheckStatus::Fail, detail.into())
    }

    /// Records one step of a verification in order: once a check has failed or an error has
    /// been recorded, the step is recorded as skipped ([`NOT_REACHED`]) whatever its outcome;
    /// otherwise it passes with its detail or fails with its [`Failure`]. This is how every
    /// plugin records steps that were not reached.
    ///
    /// ```
    /// use plugin_api::{Failure, Report};
    ///
    /// let report = Report::builder("example")
    ///     .step("example.parse", Ok("well-formed".to_owned()))
    ///     .step("example.signature", Err(Failure::new("signature does not verify")))
    ///     .step("example.digest", Ok("matches".to_owned()))
    ///     .finish();
    /// assert!(report.checks()[2].is_skipped());
    /// assert_eq!(report.checks()[2].explanation(), "not reached: an earlier check failed");
    /// ```
    pub fn step(self, id: impl AsRef<str>, outcome: Result<String, Failure>) -> Self {
        if self.has_failed() {
            return self.skip(id, NOT_REACHED);
        }
        match outcome {
            Ok(detail) => self.pass(id, detail),
            Err(failure) => self.fail(id, failure.0),
        }
    }

    /// Records each of `ids` as skipped, [`NOT_REACHED`] (the steps after a failure that ended
    /// the verification early).
    pub fn not_reached<I: AsRef<str>>(self, ids: impl IntoIterator<Item = I>) -> Self {
        ids.into_iter()
            .fold(self, |b, id| b.skip(id.as_ref(), NOT_REACHED))
    }

    /// Records a check that did not run, and why. An unwaived skip makes the report not ok.
    pub fn skip(self, id: impl AsRef<str>, reason: impl Into<String>) -> Self {
        self.skipped(id.as_ref(), reason.into(), None)
    }

    /// Records a check that did not run because the caller turned on the insecure mode
    /// `mode`. It is accepted only if `mode` is among [`ReportBuilder::insecure_modes`] when
    /// the report is finished; otherwise it counts as an unwaived skip and an error is
    /// recorded.
    pub fn skip_waived(
        self,
        id: impl AsRef<str>,
        reason: impl Into<String>,
        mode: Insecure,
    ) -> Self {
        self.skipped(id.as_ref(), reason.into(), Some(mode))
    }

    /// Records an error: something that prevented or spoiled verification. Any error makes
    /// the report not ok.
    pub fn error(mut self, message: impl Into<String>) -> Self {
        self.errors.push(message.into());
        self
    }

    /// Records a warning (it does not change the verdict).
    pub fn warning(mut self, message: impl Into<String>) -> Self {
        self.warnings.push(message.into());
        self
    }

    /// Records a named value the verification established or used (`root`, `size`), for
    /// display. `key` must be snake case (`[a-z][a-z0-9_]*`, at most 64 bytes) and unique.
    pub fn output(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        let key = key.into();
        if let Some(problem) = output_key_problem(&key) {
            self.errors
                .push(format!("internal: invalid output key `{key}`: {problem}"));
            return self;
        }
        match self.outputs.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(value.into());
            }
            Entry::Occupied(slot) => {
                let msg = format!("internal: output `{}` recorded twice", slot.key());
                self.errors.push(msg);
            }
        }
        self
    }

    /// Whether a check has failed or an error has been recorded so far (a plugin may use this
    /// to record later steps as skipped, "not reached").
    pub fn has_failed(&self) -> bool {
        !self.errors.is_empty() || self.checks.iter().any(Check::is_fail)
    }

    fn skipped(mut self, id: &str, reason: String, waived_by: Option<Insecure>) -> Self {
        let reason = if reason.trim().is_empty() {
            self.errors
                .push(format!("internal: check `{id}` skipped without a reason"));
            "no reason given".to_string()
        } else {
            reason
        };
        self.check(
            id,
            CheckStatus::Skipped { reason, waived_by },
            String::new(),
        )
    }

    fn check(mut self, id: &str, status: CheckStatus, detail: String) -> Self {
        let problem = check_id_problem(id).or_else(|| {
            self.checks
                .iter()
                .any(|c| c.id == id)
                .then_some("recorded twice; the repeat is dropped")
        });
        match problem {
            Some(problem) => {
                let check = Check::new(id.to_string(), status, detail);
                self.errors.push(format!(
                    "internal: check id `{id}`: {problem} (its result was {}: {})",
                    check.status.name(),
                    check.explanation()
                ));
            }
            None => self.checks.push(Check::new(id.to_string(), status, detail)),
        }
        self
    }

    /// The recorded checks, errors, warnings and outputs, for [`Report::amend`].
    pub(crate) fn into_amendment(self) -> Amendment {
        Amendment {
            checks: self.checks,
            errors: self.errors,
            warnings: self.warnings,
            outputs: self.outputs,
        }
    }

    /// Makes the report and computes its verdict: ok exactly when there is at least one check,
    /// no check failed, no error was recorded, and every skipped check is waived by an
    /// insecure mode the caller turned on.
    ///
    /// Also: a report without checks gets an error saying nothing was verified; a waiver by a
    /// mode not turned on is dropped (the skip then fails the report) with an error; and one
    /// `INSECURE:` warning per waived check, or per mode that waived nothing, is put first
    /// among the warnings.
    pub fn finish(mut self) -> Report {
        if self.plugin.is_empty() {
            self.errors.push("internal: the plugin has no name".into());
            self.plugin = "unnamed".into();
        }
        for check in &mut self.checks {
            if let CheckStatus::Skipped { waived_by, .. } = &mut check.status {
                if let Some(mode) = *waived_by {
                    if !self.insecure.contains(&mode) {
                        *waived_by = None;
                        self.errors.push(format!(
                            "check `{}` was to be waived by {}, but the caller did not turn that mode on",
                            check.id,
                            mode.flag()
                        ));
                    }
                }
            }
        }
        if self.checks.is_empty() {
            self.errors
                .push("no checks were recorded: nothing was verified".into());
        }
        let mut warnings = Vec::new();
        for mode in &self.insecure {
            let before = warnings.len();
            for check in &self.checks {
                if let CheckStatus::Skipped {
                    reason,
                    waived_by: Some(m),
                } = &check.status
                {
                    if m == mode {
                        warnings.push(format!(
                            "INSECURE: {} ({}): check `{}` skipped: {reason}",
                            mode.flag(),
                            mode.description(),
                            check.id
                        ));
                    }
                }
            }
            if warnings.len() == before {
                warnings.push(format!(
                    "INSECURE: {} is on: {}",
                    mode.flag(),
                    mode.description()
                ));
            }
        }
        warnings.append(&mut self.warnings);
        Report::from_parts(Parts {
            plugin: self.plugin,
            subject: self.subject,
            verified_at: self.verified_at,
            checks: self.checks,
            errors: self.errors,
            warnings,
            insecure: self.insecure,
            outputs: self.outputs,
        })
    }
}
