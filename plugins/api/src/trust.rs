//! Trust roots: the anchors the user pins (certificates, keys, trusted-root documents).
//!
//! They are kept as named, undecoded blobs; each plugin parses the kinds it understands, once,
//! and reports a [`TrustRootError`](crate::TrustRootError) naming the root it could not use.

use std::fmt;

/// What a trust root is. Each kind documents the encodings a plugin should accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TrustRootKind {
    /// A pinned X.509 certificate (a CA root or a self-signed anchor), DER or PEM.
    X509Certificate,
    /// A pinned public key (SubjectPublicKeyInfo), DER or PEM; e.g. a cosign signing key.
    PublicKey,
    /// A Sigstore `trusted_root.json` (Fulcio CAs, Rekor and CT log keys, TSAs), JSON.
    SigstoreTrustedRoot,
    /// A TUF `root.json` to start a TUF client from, JSON.
    TufRoot,
    /// A C2SP signed-note verifier key (`name+hash+base64`), text.
    NoteVerifierKey,
    /// A C2SP signed-note verifier key trusted only to sign manifests carried inside the
    /// evidence (audit-pack `--manifest-key`), never an index or log key; text.
    ManifestSignerKey,
    /// A Merkle tree head the caller trusts (RFC 9162 root hash, 64 hex digits), against which
    /// an inclusion or consistency proof is checked; text.
    MerkleRoot,
    /// The C2SP verifier key of the transparency log whose receipt the evidence carries (an
    /// audit pack's `index.receipt.json`; audit-pack `--log-key`), never an index or manifest
    /// key; text.
    LogKey,
}

impl TrustRootKind {
    /// Every kind, in a stable order.
    pub const ALL: &'static [TrustRootKind] = &[
        TrustRootKind::X509Certificate,
        TrustRootKind::PublicKey,
        TrustRootKind::SigstoreTrustedRoot,
        TrustRootKind::TufRoot,
        TrustRootKind::NoteVerifierKey,
        TrustRootKind::ManifestSignerKey,
        TrustRootKind::MerkleRoot,
        TrustRootKind::LogKey,
    ];

    /// The kind called `name` (see [`TrustRootKind::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// A stable kebab-case name (`"x509-certificate"`), for messages and flags.
    pub fn name(self) -> &'static str {
        match self {
            TrustRootKind::X509Certificate => "x509-certificate",
            TrustRootKind::PublicKey => "public-key",
            TrustRootKind::SigstoreTrustedRoot => "sigstore-trusted-root",
            TrustRootKind::TufRoot => "tuf-root",
            TrustRootKind::NoteVerifierKey => "note-verifier-key",
            TrustRootKind::ManifestSignerKey => "manifest-signer-key",
            TrustRootKind::MerkleRoot => "merkle-root",
            TrustRootKind::LogKey => "log-key",
        }
    }
}

impl fmt::Display for TrustRootKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One trust root: its kind, a name for messages (usually the file it came from) and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustRoot {
    kind: TrustRootKind,
    name: String,
    bytes: Vec<u8>,
}

impl TrustRoot {
    /// A trust root of `kind` named `name` holding `bytes` (not decoded here).
    pub fn new(kind: TrustRootKind, name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        TrustRoot {
            kind,
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// What the root is.
    pub fn kind(&self) -> TrustRootKind {
        self.kind
    }

    /// Its name, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its undecoded bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for TrustRoot {
    /// Shows kind, name and length, not the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustRoot")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The set of trust roots for one verification, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustRoots {
    roots: Vec<TrustRoot>,
}

impl TrustRoots {
    /// No trust roots (a plugin that needs one must then fail, never fall back to a default).
    pub fn new() -> Self {
        TrustRoots::default()
    }

    /// Adds a root.
    pub fn push(&mut self, root: TrustRoot) {
        self.roots.push(root);
    }

    /// Adds a root, builder style.
    #[must_use]
    pub fn with(mut self, root: TrustRoot) -> Self {
        self.roots.push(root);
        self
    }

    /// Every root, in the order given.
    pub fn iter(&self) -> std::slice::Iter<'_, TrustRoot> {
        self.roots.iter()
    }

    /// The roots of one kind, in the order given.
    pub fn of_kind(&self, kind: TrustRootKind) -> impl Iterator<Item = &TrustRoot> + '_ {
        self.roots.iter().filter(move |r| r.kind == kind)
    }

    /// How many roots there are.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

impl FromIterator<TrustRoot> for TrustRoots {
    fn from_iter<I: IntoIterator<Item = TrustRoot>>(iter: I) -> Self {
        TrustRoots {
            roots: iter.into_iter().collect(),
        }
    }
}

impl<'a> IntoIterator for &'a TrustRoots {
    type Item = &'a TrustRoot;
    type IntoIter = std::slice::Iter<'a, TrustRoot>;

    fn into_iter(self) -> Self::IntoIter {
        self.roots.iter()
    }
}
