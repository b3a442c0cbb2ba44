//! Errors of the build, by stage. Verification does not return errors: it returns a
//! [`plugin_api::Report`] whose failed check says what went wrong.

use crate::controls::ControlMapError;
use crate::index::IndexError;
use crate::keys::KeyError;
use crate::names::NameError;

/// Why a pack could not be built. Each variant names the file (and field or line) at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// An invalid organisation slug or date.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    /// The evidence folder holds something that cannot go into a pack (a symbolic link, a
    /// device, a name that is not UTF-8 or not a safe path, too many files).
    #[error("evidence folder, {path}: {reason}")]
    EvidenceFolder { path: String, reason: String },
    /// An evidence file is invalid for its kind: `field` is a JSON pointer (`/` for the whole
    /// document) or the name of the part at fault.
    #[error("evidence {file}, field {field}: {reason}")]
    Evidence {
        file: String,
        field: String,
        reason: String,
    },
    /// The control map cannot be read.
    #[error(transparent)]
    ControlMap(#[from] ControlMapError),
    /// A control line is inconsistent with the evidence (missing file, different sha256 or kind).
    #[error("control map line {line} ({control_id}), field {field}: {reason}")]
    Control {
        line: u64,
        control_id: String,
        field: String,
        reason: String,
    },
    /// The signing key is unusable.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The index cannot be made (for example, it is over its size budget).
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A file changed while the pack was being written.
    #[error("{path}: changed while the pack was being written")]
    Changed { path: String },
    /// A manifest's signature could not be verified with the trust given (none given, or a
    /// signature that does not verify with it), and the build was not told
    /// `--allow-unverified-manifests`. `flag` names the trust flag of the pair's kind.
    #[error("manifest {file}: signature not verified ({reason}); give the signer's trust with {flag}, or build with --allow-unverified-manifests (INSECURE: recorded in the pack and shown by every report)")]
    ManifestNotVerified {
        file: String,
        flag: &'static str,
        reason: String,
    },
    /// Several problems of the evidence and the control map, all found in one run (each
    /// would fail the build alone), in the order found.
    #[error("{} problems:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Several(Vec<BuildError>),
}

impl BuildError {
    /// One error for a list of problems: the problem itself when there is one.
    pub fn from_problems(mut problems: Vec<BuildError>) -> Option<BuildError> {
        // A list within a list is flattened (a kind problem of the evidence folder is itself
        // a list).
        if problems.iter().any(|p| matches!(p, BuildError::Several(_))) {
            problems = problems
                .into_iter()
                .flat_map(|p| match p {
                    BuildError::Several(inner) => inner,
                    other => vec![other],
                })
                .collect();
        }
        match problems.len() {
            0 => None,
            1 => problems.pop(),
            _ => Some(BuildError::Several(problems)),
        }
    }

    /// The exit status of a build that failed this way: 1 for a manifest signature that did
    /// not verify (a verification failure), 2 for everything else (usage, input, I/O).
    pub fn exit_code(&self) -> u8 {
        match self {
            BuildError::ManifestNotVerified { .. } => 1,
            // A verdict only when every problem is one.
            BuildError::Several(all) => all.iter().map(BuildError::exit_code).max().unwrap_or(2),
            _ => 2,
        }
    }
}

pub(crate) fn io_error(path: &std::path::Path, e: &std::io::Error) -> BuildError {
    BuildError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}
