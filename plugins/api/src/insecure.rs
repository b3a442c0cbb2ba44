//! Insecure modes: explicit, named weakenings of verification that a caller opts into.
//!
//! An insecure mode is never a quiet boolean. It is an [`Insecure`] value the caller passes in
//! [`VerifyRequest::insecure`](crate::VerifyRequest::insecure); a plugin may waive a check with
//! it only if the caller passed it ([`ReportBuilder::skip_waived`](crate::ReportBuilder::skip_waived)),
//! and every mode in effect is recorded in [`Report::insecure`](crate::Report::insecure) and
//! announced with an `INSECURE:` warning.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One explicit insecure mode. Serialized in kebab case (`"skip-tlog"`).
///
/// New modes may be added; each one must say, in [`Insecure::description`], what it stops
/// verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Insecure {
    /// Do not require transparency-log (e.g. Rekor) inclusion of the signature.
    SkipTlog,
    /// Do not require signed certificate timestamps (CT log SCTs) on the signing certificate.
    SkipSct,
    /// Accept offline-cache entries (TUF metadata, CRLs, checkpoints) past their expiry.
    AllowExpiredCache,
    /// Do not require a signed timestamp (RFC 3161 TSA or log integrated time) for the signature.
    SkipTimestamp,
    /// Accept an enclave attestation made in debug mode (its measurements are all zero, so it
    /// attests no particular image, and the enclave's memory is open to its host).
    AllowDebugEnclave,
}

impl Insecure {
    /// Every mode, in a stable order (for help texts and tests).
    pub const ALL: &'static [Insecure] = &[
        Insecure::SkipTlog,
        Insecure::SkipSct,
        Insecure::AllowExpiredCache,
        Insecure::SkipTimestamp,
        Insecure::AllowDebugEnclave,
    ];

    /// The serialized name, as in the report (`"skip-tlog"`).
    pub fn name(self) -> &'static str {
        match self {
            Insecure::SkipTlog => "skip-tlog",
            Insecure::SkipSct => "skip-sct",
            Insecure::AllowExpiredCache => "allow-expired-cache",
            Insecure::SkipTimestamp => "skip-timestamp",
            Insecure::AllowDebugEnclave => "allow-debug-enclave",
        }
    }

    /// The command-line flag that turns the mode on (`"--insecure-ignore-tlog"`, as cosign names it).
    pub fn flag(self) -> &'static str {
        match self {
            Insecure::SkipTlog => "--insecure-ignore-tlog",
            Insecure::SkipSct => "--insecure-ignore-sct",
            Insecure::AllowExpiredCache => "--allow-expired-cache",
            Insecure::SkipTimestamp => "--insecure-skip-timestamp",
            Insecure::AllowDebugEnclave => "--allow-debug",
        }
    }

    /// What the mode stops verifying, in one sentence for humans.
    pub fn description(self) -> &'static str {
        match self {
            Insecure::SkipTlog => "transparency-log inclusion of the signature is not verified",
            Insecure::SkipSct => {
                "signed certificate timestamps (certificate transparency) are not verified"
            }
            Insecure::AllowExpiredCache => {
                "expired offline-cache entries (TUF metadata, CRLs, checkpoints) are accepted"
            }
            Insecure::SkipTimestamp => "no signed timestamp is required for the signature",
            Insecure::AllowDebugEnclave => {
                "a debug-mode enclave attestation (all-zero measurements) is accepted"
            }
        }
    }

    /// The mode named `name` (`"skip-tlog"`), if there is one.
    pub fn from_name(name: &str) -> Option<Insecure> {
        Insecure::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// The mode turned on by `flag` (`"--insecure-ignore-tlog"`, as cosign names it), if there is one.
    pub fn from_flag(flag: &str) -> Option<Insecure> {
        Insecure::ALL.iter().copied().find(|m| m.flag() == flag)
    }
}

impl fmt::Display for Insecure {
    /// Writes the flag, the name a user typed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag())
    }
}
