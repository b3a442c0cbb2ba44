//! The plugin's budgets on its inputs, in one value.

/// Budgets on what one verification may read: the bundle, the trusted root and the public
/// key. An input over a budget is refused as malformed (for a bundle: the `cosign.bundle.parse`
/// check fails), never truncated.
///
/// The defaults ([`Limits::DEFAULT`]) are generous for real Sigstore bundles and trusted roots
/// (production bundles are a few KiB with one log entry and a chain of one to three
/// certificates). Budgets of parts read inside a verified structure (checkpoint notes and their
/// signature lines, canonicalized log-entry bodies, RFC 3161 tokens, embedded SCTs, Fulcio
/// extension values, identity regexps, in-toto subjects, predicate types, batch lines) are
/// fixed and documented where they are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest bundle document, in bytes. Default 16 MiB.
    pub bundle_bytes: usize,
    /// Most transparency-log entries in one bundle. Default 8.
    pub tlog_entries: usize,
    /// Most certificates in a bundle's `x509CertificateChain`, and most RFC 3161 timestamps in
    /// one bundle. Default 10.
    pub chain_certificates: usize,
    /// Most DSSE signatures in one envelope. Default 8.
    pub dsse_signatures: usize,
    /// Most hashes in one inclusion proof (as the merkle crate). Default 64.
    pub proof_hashes: usize,
    /// Largest trusted-root document, in bytes. Default 4 MiB.
    pub trusted_root_bytes: usize,
    /// Most entries in each list of a trusted root (transparency logs, CT logs, certificate
    /// authorities, timestamping authorities), and most certificates in one authority's chain.
    /// Default 64.
    pub authorities: usize,
    /// Largest DER public key, in bytes (its PEM form may be twice as large). Default 16 KiB.
    pub key_bytes: usize,
}

impl Limits {
    /// The defaults: a 16 MiB bundle with at most 8 log entries, 10 chain certificates (and 10
    /// timestamps), 8 DSSE signatures and 64 proof hashes; a 4 MiB trusted root with at most 64
    /// entries per list; a 16 KiB key.
    pub const DEFAULT: Limits = Limits {
        bundle_bytes: 16 * 1024 * 1024,
        tlog_entries: 8,
        chain_certificates: 10,
        dsse_signatures: 8,
        proof_hashes: 64,
        trusted_root_bytes: 4 * 1024 * 1024,
        authorities: 64,
        key_bytes: 16 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
