//! Errors by stage. Each says what failed and where (which field, file, trust root or cache
//! key). None of them is a verdict: they end a run before a report exists, with exit status 2
//! ([`Error::exit_code`]). A failed *verification* is a [`Report`](crate::Report) that is not ok.

use crate::trust::TrustRootKind;
use crate::verdict::EXIT_ERROR;
use std::path::PathBuf;

/// An input could not be read or is malformed (before any verification).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A file could not be read.
    #[error("{field}: cannot read {}: {source}", path.display())]
    Unreadable {
        /// The flag or request field the file was given for (e.g. `--signature`).
        field: String,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An input is present but malformed.
    #[error("{field}: {reason}")]
    Malformed {
        /// The flag, file or field that is malformed (e.g. `bundle.json: verificationMaterial`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A required input is missing.
    #[error("{field}: required")]
    Missing {
        /// The flag or field that must be given.
        field: String,
    },
    /// An input exceeds its size budget.
    #[error("{field}: {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The flag, file or field.
        field: String,
        /// Its size in bytes.
        size: u64,
        /// The budget in bytes.
        limit: u64,
    },
}

impl InputError {
    /// A [`InputError::Malformed`] for `field`.
    pub fn malformed(field: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError::Malformed {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A [`InputError::Unreadable`] for the file at `path`, given for `field`.
    pub fn unreadable(
        field: impl Into<String>,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        InputError::Unreadable {
            field: field.into(),
            path: path.into(),
            source,
        }
    }
}

/// A trust root could not be loaded or is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustRootError {
    /// A trust-root file could not be read.
    #[error("trust root {}: cannot read: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A trust root is malformed (not DER/PEM/JSON of its kind).
    #[error("trust root `{name}` ({kind}): {reason}")]
    Malformed {
        /// The trust root's name (usually its file name).
        name: String,
        /// Its kind.
        kind: TrustRootKind,
        /// What is wrong with it.
        reason: String,
    },
    /// No trust root of a kind the verification needs was given.
    #[error("no trust root of kind {kind} was given")]
    Missing {
        /// The kind that is needed.
        kind: TrustRootKind,
    },
    /// A trust root has a kind this plugin cannot use.
    #[error("trust root `{name}`: kind {kind} is not supported here")]
    Unsupported {
        /// The trust root's name.
        name: String,
        /// Its kind.
        kind: TrustRootKind,
    },
}

/// The offline cache could not answer a lookup.
///
/// A missing entry is not an error (`Ok(None)` from
/// [`OfflineCache::get`](crate::OfflineCache::get)); these are faults of the cache itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// A cache key is not a safe relative path.
    #[error("invalid cache key `{key}`: {reason}")]
    InvalidKey {
        /// The rejected key (as given).
        key: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An entry exists but could not be read.
    #[error("cache entry `{key}`: cannot read: {source}")]
    Io {
        /// The entry's key.
        key: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An entry exists but is damaged (e.g. truncated, failed its recorded digest).
    #[error("cache entry `{key}` is corrupt: {reason}")]
    Corrupt {
        /// The entry's key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An entry exceeds its size budget.
    #[error("cache entry `{key}`: {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The entry's key.
        key: String,
        /// Its size in bytes.
        size: u64,
        /// The budget in bytes.
        limit: u64,
    },
}

/// A serialized report was rejected by [`Report::from_json`](crate::Report::from_json).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The document is larger than [`MAX_REPORT_JSON_BYTES`](crate::MAX_REPORT_JSON_BYTES).
    #[error("report is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The budget in bytes.
        limit: usize,
    },
    /// The document is not JSON of the report's shape (a field missing, unknown or of the
    /// wrong type, a bad check id, a skipped check without a reason, ...).
    #[error("malformed report: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The document's `ok` disagrees with its checks, errors and insecure modes: it was
    /// tampered with or made by something other than [`ReportBuilder`](crate::ReportBuilder).
    #[error(
        "report claims ok = {claimed}, but its checks, errors and insecure modes say otherwise"
    )]
    OkMismatch {
        /// The value of `ok` in the document.
        claimed: bool,
    },
    /// The document is well-formed but contradicts itself (a duplicate check id, an insecure
    /// mode listed twice, an empty plugin name, a bad output key).
    #[error("inconsistent report: {0}")]
    Inconsistent(String),
}

/// Any error that ends a run without a verdict. Exit status 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Unreadable or malformed input.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Unusable trust roots.
    #[error(transparent)]
    TrustRoot(#[from] TrustRootError),
    /// A faulty offline cache.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A rejected serialized report.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A fault in this program (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// An [`InputError::Malformed`] for `field`, as an [`Error`] (what a plugin returns when
    /// an input cannot be judged).
    pub fn malformed(field: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::Input(InputError::malformed(field, reason.to_string()))
    }

    /// Always [`EXIT_ERROR`] (2): an error is never a verdict.
    pub fn exit_code(&self) -> u8 {
        EXIT_ERROR
    }

    /// A stable, machine-readable kind for JSON output: `input`, `trust-root`, `cache`,
    /// `report` or `internal`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input(_) => "input",
            Error::TrustRoot(_) => "trust-root",
            Error::Cache(_) => "cache",
            Error::Report(_) => "report",
            Error::Internal(_) => "internal",
        }
    }
}
