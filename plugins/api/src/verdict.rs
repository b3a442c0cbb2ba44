//! The verdict of a report and the process exit-code convention.
//!
//! | exit | meaning |
//! |---|---|
//! | 0 | [`Verdict::Verified`]: every check passed (or was skipped under an explicit insecure mode) |
//! | 1 | [`Verdict::Failed`]: a check failed, a check was skipped without a waiver, an error was recorded, or nothing was checked |
//! | 2 | no verdict: usage, unreadable or malformed input, internal error ([`Error::exit_code`](crate::Error::exit_code)) |
//!
//! Exit 2 is never produced by a [`Report`](crate::Report): a report always carries a verdict.

/// Exit status of a verified report.
pub const EXIT_VERIFIED: u8 = 0;
/// Exit status of a report that failed verification.
pub const EXIT_FAILED: u8 = 1;
/// Exit status when no verdict could be reached (usage, input, I/O or internal error).
pub const EXIT_ERROR: u8 = 2;

/// The outcome of a verification, as a process would report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The evidence verified: exit 0.
    Verified,
    /// The evidence did not verify: exit 1.
    Failed,
}

impl Verdict {
    /// 0 for [`Verdict::Verified`], 1 for [`Verdict::Failed`].
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Verified => EXIT_VERIFIED,
            Verdict::Failed => EXIT_FAILED,
        }
    }

    /// Whether this is [`Verdict::Verified`].
    pub fn is_verified(self) -> bool {
        matches!(self, Verdict::Verified)
    }
}

impl From<Verdict> for std::process::ExitCode {
    fn from(v: Verdict) -> Self {
        std::process::ExitCode::from(v.exit_code())
    }
}
