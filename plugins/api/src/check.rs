//! One named step of a verification and its outcome.
//!
//! Serialized shape (the status is flattened into the check):
//!
//! ```json
//! {"id": "merkle.inclusion.root", "status": "pass", "detail": "leaf hashes up to the root"}
//! {"id": "merkle.inclusion.root", "status": "fail", "detail": "computed root 5dc9... differs"}
//! {"id": "merkle.inclusion.root", "status": "skipped", "detail": "", "reason": "not reached: an earlier check failed"}
//! {"id": "cosign.tlog.inclusion", "status": "skipped", "detail": "", "reason": "no log entry", "waived_by": "skip-tlog"}
//! ```
//!
//! `reason` is present exactly when the status is `skipped`; `waived_by` only on a skipped
//! check, naming the insecure mode that waives it.

use crate::insecure::Insecure;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Longest check id accepted, in bytes.
pub const MAX_CHECK_ID_LEN: usize = 128;

/// The outcome of one check.
///
/// Deliberately not `#[non_exhaustive]`: whoever matches on it must decide for every status
/// whether it can be accepted, and a new status must break their build, not slip through.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CheckStatus {
    /// The check ran and passed.
    Pass,
    /// The check ran and failed.
    Fail,
    /// The check did not run. Accepted only if `waived_by` names an insecure mode that the
    /// caller explicitly turned on (and that the report records).
    Skipped {
        /// Why it did not run (never empty).
        reason: String,
        /// The insecure mode that waives the skip, if any.
        waived_by: Option<Insecure>,
    },
}

impl CheckStatus {
    /// `"pass"`, `"fail"` or `"skipped"`, as serialized.
    pub fn name(&self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Skipped { .. } => "skipped",
        }
    }
}

/// One named step of a verification: an id such as `merkle.inclusion.root`, its status, and a
/// detail for humans (what was compared, what differed; may be empty).
///
/// Checks exist only inside a [`Report`](crate::Report), made by
/// [`ReportBuilder`](crate::ReportBuilder) or [`Report::from_json`](crate::Report::from_json);
/// their fields are public to read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "RawCheck")]
#[non_exhaustive]
pub struct Check {
    /// Dotted id, at least two lowercase kebab-case segments (see [`is_valid_check_id`]).
    pub id: String,
    /// The outcome.
    pub status: CheckStatus,
    /// Detail for humans; empty for skipped checks made by the builder.
    pub detail: String,
}

impl Check {
    pub(crate) fn new(id: String, status: CheckStatus, detail: String) -> Self {
        Check { id, status, detail }
    }

    /// Whether the check passed.
    pub fn is_pass(&self) -> bool {
        matches!(self.status, CheckStatus::Pass)
    }

    /// Whether the check failed.
    pub fn is_fail(&self) -> bool {
        matches!(self.status, CheckStatus::Fail)
    }

    /// Whether the check was skipped (waived or not).
    pub fn is_skipped(&self) -> bool {
        matches!(self.status, CheckStatus::Skipped { .. })
    }

    /// Whether this check allows the report to be ok, given the insecure modes in effect:
    /// passed, or skipped and waived by one of `insecure`.
    pub fn is_acceptable(&self, insecure: &[Insecure]) -> bool {
        match &self.status {
            CheckStatus::Pass => true,
            CheckStatus::Fail => false,
            CheckStatus::Skipped { waived_by, .. } => {
                waived_by.is_some_and(|m| insecure.contains(&m))
            }
        }
    }

    /// The reason of a skipped check, or the detail of any other: the text to show a human.
    pub fn explanation(&self) -> &str {
        match &self.status {
            CheckStatus::Skipped { reason, .. } => reason,
            _ => &self.detail,
        }
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = match &self.status {
            CheckStatus::Skipped {
                waived_by: Some(_), ..
            } => 5,
            CheckStatus::Skipped { .. } => 4,
            _ => 3,
        };
        let mut s = serializer.serialize_struct("Check", fields)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("status", self.status.name())?;
        s.serialize_field("detail", &self.detail)?;
        if let CheckStatus::Skipped { reason, waived_by } = &self.status {
            s.serialize_field("reason", reason)?;
            if let Some(mode) = waived_by {
                s.serialize_field("waived_by", mode)?;
            }
        }
        s.end()
    }
}

/// Whether `id` is a valid check id: at most 128 bytes, at least two `.`-separated segments,
/// each lowercase kebab case (`[a-z0-9]+(-[a-z0-9]+)*`). Examples: `merkle.inclusion.root`,
/// `x509.chain.cert-2`, `cosign.tlog.set`.
pub fn is_valid_check_id(id: &str) -> bool {
    check_id_problem(id).is_none()
}

/// Why `id` is not a valid check id, or `None` if it is.
pub(crate) fn check_id_problem(id: &str) -> Option<&'static str> {
    if id.len() > MAX_CHECK_ID_LEN {
        return Some("longer than 128 bytes");
    }
    let mut segments = 0usize;
    for segment in id.split('.') {
        segments += 1;
        if segment.is_empty() {
            return Some("empty segment");
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Some("segments may hold only a-z, 0-9 and `-`");
        }
        if segment.starts_with('-') || segment.ends_with('-') || segment.contains("--") {
            return Some("`-` must sit between letters or digits");
        }
    }
    if segments < 2 {
        return Some("needs at least two segments, e.g. `plugin.step`");
    }
    None
}

/// The wire form of a check, parsed strictly, then turned into a [`Check`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: String,
    status: RawStatus,
    detail: String,
    #[serde(default, deserialize_with = "present")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "present")]
    waived_by: Option<Insecure>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawStatus {
    Pass,
    Fail,
    Skipped,
}

/// An optional field that, when present, must not be `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Why a serialized check was rejected.
#[derive(Debug)]
pub(crate) struct CheckShapeError(String);

impl fmt::Display for CheckShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<RawCheck> for Check {
    type Error = CheckShapeError;

    fn try_from(raw: RawCheck) -> Result<Self, Self::Error> {
        let err = |what: &str| Err(CheckShapeError(format!("check `{}`: {what}", raw.id)));
        if let Some(problem) = check_id_problem(&raw.id) {
            return err(&format!("invalid id: {problem}"));
        }
        let status = match (raw.status, &raw.reason, raw.waived_by) {
            (RawStatus::Pass, None, None) => CheckStatus::Pass,
            (RawStatus::Fail, None, None) => CheckStatus::Fail,
            (RawStatus::Pass | RawStatus::Fail, _, _) => {
                return err("`reason` and `waived_by` belong only to skipped checks")
            }
            (RawStatus::Skipped, Some(reason), waived_by) if !reason.is_empty() => {
                CheckStatus::Skipped {
                    reason: reason.clone(),
                    waived_by,
                }
            }
            (RawStatus::Skipped, _, _) => return err("a skipped check needs a non-empty `reason`"),
        };
        Ok(Check::new(raw.id, status, raw.detail))
    }
}
