//! The verification time, passed in: nothing in a plugin reads the clock.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The instant at which evidence is judged, in whole seconds since the Unix epoch (UTC).
///
/// Plugins compare certificate validity, metadata expiry and timestamps against this value
/// only; they never call `SystemTime::now()`. The CLI takes it from the clock (or a
/// `--at`-style flag); tests pin it. Serialized as a plain integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VerificationTime(u64);

impl VerificationTime {
    /// The time `seconds` after 1970-01-01T00:00:00Z.
    pub const fn from_unix_seconds(seconds: u64) -> Self {
        VerificationTime(seconds)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> u64 {
        self.0
    }
}

impl fmt::Display for VerificationTime {
    /// Writes the seconds since the epoch (no calendar formatting here).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
