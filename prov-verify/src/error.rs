//! Errors that end a command before any verdict: usage, unreadable or malformed input, and
//! internal faults. All of them exit with status 2.

use std::path::{Path, PathBuf};

/// A failure to run the command at all (as opposed to a verification that failed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An input is malformed; `field` names the flag, file field or line.
    #[error("{field}: {message}")]
    Malformed { field: String, message: String },
    /// The arguments do not make a complete request.
    #[error("{0}")]
    Usage(String),
    /// A fault in this program.
    #[error("internal error: {0}")]
    Internal(String),
    /// A plugin could not judge its inputs (no verdict).
    #[error(transparent)]
    Plugin(plugin_api::Error),
}

impl From<plugin_api::Error> for CliError {
    fn from(e: plugin_api::Error) -> Self {
        match e {
            plugin_api::Error::Input(plugin_api::InputError::Malformed { field, reason }) => {
                CliError::Malformed {
                    field,
                    message: reason,
                }
            }
            other => CliError::Plugin(other),
        }
    }
}

impl CliError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn malformed(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        CliError::Malformed {
            field: field.into(),
            message: message.to_string(),
        }
    }
}
