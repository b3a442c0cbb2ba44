//! Errors of the cache itself (I/O, budgets, layout, archives). None is a verdict: a
//! verification that fails is a [`plugin_api::Report`] that is not ok.

use std::path::PathBuf;

/// A fault that prevents the cache from answering (exit status 2 at the CLI).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was attempted (`read`, `create`, `rename`, `lock`, ...).
        action: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A cached file exceeds its size budget.
    #[error("{}: {size} bytes exceeds the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (or the bytes read before giving up).
        size: u64,
        /// The budget.
        limit: u64,
    },
    /// A cache file is missing or malformed (the layout, not the TUF metadata, is wrong).
    #[error("{}: {reason}", path.display())]
    Corrupt {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No repository of this name has been warmed or imported.
    #[error("no cached TUF repository `{name}` in {} (run `prov-verify cache warm` or `cache import`)", dir.display())]
    NotCached {
        /// The repository name.
        name: String,
        /// The cache directory.
        dir: PathBuf,
    },
    /// A repository name outside `[a-z0-9][a-z0-9-]*` (at most 64 bytes).
    #[error("invalid repository name `{name}`: use a-z, 0-9 and `-`, at most 64 bytes, starting with a letter or digit")]
    InvalidName {
        /// The rejected name.
        name: String,
    },
    /// A target name that cannot be cached (empty, over 255 bytes, or not a safe file name).
    #[error("invalid target name `{target}`: {reason}")]
    InvalidTarget {
        /// The rejected name.
        target: String,
        /// Why.
        reason: &'static str,
    },
    /// The cached repository's trusted targets metadata does not list the target asked for
    /// (the repository verified; it just does not serve that target).
    #[error("cached TUF repository `{name}` in {}: its trusted targets metadata lists no target `{target}`", dir.display())]
    TargetNotListed {
        /// The repository name.
        name: String,
        /// The target path.
        target: String,
        /// The cache directory.
        dir: PathBuf,
    },
    /// The root rotation chain outgrew what a cache keeps ([`MAX_ROOTS`](crate::repo::MAX_ROOTS)
    /// versions after the anchor); nothing was written.
    #[error("repository `{name}`: the root rotation chain from the trust anchor has grown to {count} root versions, more than the {limit} a cache keeps; nothing was written (warm a new cache, with another --cache-dir or --name, from a recent root given with --root)")]
    TooManyRoots {
        /// The repository name.
        name: String,
        /// Root versions after the anchor the new generation would hold.
        count: usize,
        /// The budget.
        limit: usize,
    },
    /// Nothing to start trusting from: no cached anchor and no `--root` given.
    #[error("repository `{name}`: no trust anchor; pass the initial root with --root")]
    NoAnchor {
        /// The repository name.
        name: String,
    },
    /// `--root` differs from the anchor the cached repository was warmed from.
    #[error("repository `{name}`: --root differs from the root this cache was first warmed from ({}); use another --cache-dir or --name", anchor.display())]
    AnchorMismatch {
        /// The repository name.
        name: String,
        /// The cached anchor file.
        anchor: PathBuf,
    },
    /// `cache warm` could not reach the repository (not a verdict on its contents).
    #[error("repository `{name}`: {source}")]
    Fetch {
        /// The repository name.
        name: String,
        /// The fetch error (URL, status or transport failure).
        #[source]
        source: plugin_tuf::FetchError,
    },
    /// An export archive is unsafe or malformed; nothing was imported.
    #[error("archive {}: {entry}: {reason}", archive.display())]
    Archive {
        /// The archive file.
        archive: PathBuf,
        /// The entry (path inside the archive), or `-` for the archive as a whole.
        entry: String,
        /// What is wrong.
        reason: String,
    },
    /// A request that cannot be served as given (e.g. no target to cache).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A fault in this program (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            path,
            action,
            source,
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
        Error::Corrupt {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
