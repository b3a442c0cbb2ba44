//! Errors of the log, by stage.

use std::path::PathBuf;

/// Why a log operation failed. Each variant names the stage and, where there is one, the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlogError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An entry's fields or bytes are not a canonical entry.
    #[error("entry: {0}")]
    Entry(String),
    /// Another process holds the writer lock.
    #[error("{}: the log is locked by another writer", path.display())]
    Locked { path: PathBuf },
    /// A file of the log (or mirror) is not what the log writes.
    #[error("{}: corrupt: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    /// The input is unusable (batch line, key, origin, size budget).
    #[error("{0}")]
    Input(String),
    /// A signed checkpoint did not verify.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] merkle::checkpoint::CheckpointError),
    /// Signing failed.
    #[error("signing: {0}")]
    Signing(#[from] merkle::note::NoteError),
    /// A proof could not be built or did not verify.
    #[error("proof: {0}")]
    Proof(#[from] merkle::ProofError),
    /// The network is refused (offline mode) or failed.
    #[error("network: {0}")]
    Network(String),
    /// A request did not finish within its time limit (the request's or the whole run's); the
    /// message names the URL.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The remote log served something that fails verification; the mirror is unchanged.
    #[error("remote log rejected: {0}")]
    Remote(String),
    /// The entry is not in the (verified) tree.
    #[error("not in the log: {0}")]
    NotInLog(String),
    /// The remote checkpoint is older than the mirrored one.
    #[error("rollback: remote tree size {remote} is smaller than the mirrored size {local}")]
    Rollback { local: u64, remote: u64 },
    /// The remote checkpoint is for the same size with a different root, or does not extend the
    /// mirrored tree.
    #[error("split view: {0}")]
    SplitView(String),
}

impl TlogError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TlogError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl ToString) -> Self {
        TlogError::Corrupt {
            path: path.into(),
            reason: reason.to_string(),
        }
    }

    /// True when the error is a verification failure of remote or receipt data (exit 1), as
    /// opposed to usage, input or I/O (exit 2).
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            TlogError::Remote(_)
                | TlogError::Rollback { .. }
                | TlogError::SplitView(_)
                | TlogError::Checkpoint(_)
                | TlogError::Proof(_)
                | TlogError::NotInLog(_)
        )
    }
}
