//! Progress of a build, for a progress bar: the library only reports numbers; the binary
//! decides whether and how to draw them (never in `--json` mode, never when stderr is not a
//! terminal).

/// The two passes of a build over the evidence bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Walking, hashing and validating the evidence folder (files hashed in parallel).
    Hashing,
    /// Writing the compressed archive (every file read and hashed again).
    Packing,
}

impl Phase {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Hashing => "hashing",
            Phase::Packing => "packing",
        }
    }
}

/// Receives progress. Called from several threads while hashing.
pub trait Progress: Sync {
    /// A phase starts with `total` bytes to process.
    fn start(&self, phase: Phase, total: u64);
    /// `bytes` more are done.
    fn advance(&self, bytes: u64);
    /// The phase is done.
    fn finish(&self);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: Phase, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
