//! One module per command family. Each returns an [`Outcome`]: a report (verdict) or data.

pub mod audit_pack;
pub mod cache;
pub mod cosign;
pub mod gate;
pub mod log;
pub mod merkle;
pub mod nitro;
pub mod npm;
pub mod verify;
pub mod x509;

use plugin_api::Report;

/// What a command produced.
#[derive(Debug)]
pub enum Outcome {
    /// A verification: rendered as a report; exit 0 if it is ok, 1 if not.
    Report(Report),
    /// Generated data (a proof): printed as JSON; exit 0.
    Data(serde_json::Value),
    /// Generated text (completions, man page): printed as is; exit 0.
    Text(String),
    /// An evidence set: one report (or no-verdict error) per item and a summary report; exit
    /// 0 if the summary is ok, 1 if not.
    Set {
        /// The items, in set order.
        items: Vec<verify::SetItem>,
        /// One check per item.
        summary: Report,
    },
    /// A decision already rendered (the gate): printed as is; exit with its code.
    Decided {
        /// The rendered output.
        text: String,
        /// The exit status.
        code: u8,
    },
}

/// The clock, read once per command (verification code never reads it).
pub(crate) fn now() -> Result<plugin_api::VerificationTime, crate::error::CliError> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| plugin_api::VerificationTime::from_unix_seconds(d.as_secs()))
        .map_err(|e| crate::error::CliError::Internal(format!("system clock before 1970: {e}")))
}
