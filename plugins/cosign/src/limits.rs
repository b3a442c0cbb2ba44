//! The plugin's budgets on its inputs, in one value.

/// Budgets on what one verification may read: the bundle, the trusted root and the public
/// key. An input over a budget is refused as malformed (for a bundle: the `cosign.bundle.parse`
/// check fails), never truncated.
///
/// The defaults ([`Limits::DEFAULT`]) are generous for real Sigstore bundles and trusted roots
/// (production bundles are a few KiB with one log entry and a chain of one to three
/// certificates). Every budget of the crate is defined here; the `MAX_*` constants elsewhere
/// are the defaults under their old names. The pipeline reads the budgets of the value it is
/// given; the parts read outside a verification (identity regexps and predicate types when a
/// policy is built, Fulcio extension values of a verified leaf, batch lines) use the defaults.
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
    /// Largest canonicalized log-entry body, in bytes. Default 4 MiB.
    pub entry_body_bytes: usize,
    /// Largest checkpoint note of an inclusion proof, in bytes. Default 1 MiB.
    pub checkpoint_bytes: usize,
    /// Most signature lines in that note. Default 100.
    pub checkpoint_signatures: usize,
    /// Largest RFC 3161 timestamp token, in bytes. Default 64 KiB.
    pub timestamp_bytes: usize,
    /// Most certificates a timestamp token embeds. Default 10.
    pub timestamp_certificates: usize,
    /// Most SCTs in a Fulcio leaf. Default 16.
    pub scts: usize,
    /// Most subjects in an in-toto statement. Default 1024.
    pub statement_subjects: usize,
    /// Longest identity or issuer regexp, in bytes. Default 1 KiB.
    pub regex_bytes: usize,
    /// Longest predicate type, in bytes. Default 2 KiB.
    pub predicate_type_bytes: usize,
    /// Largest Fulcio leaf whose extensions are read, in bytes. Default 64 KiB.
    pub leaf_bytes: usize,
    /// Largest Fulcio extension value, in bytes. Default 4 KiB.
    pub extension_value_bytes: usize,
    /// Most extensions of a Fulcio leaf. Default 64.
    pub leaf_extensions: usize,
    /// Longest line of a batch file, in bytes. Default 64 KiB.
    pub batch_line_bytes: usize,
}

impl Limits {
    /// The defaults: a 16 MiB bundle with at most 8 log entries, 10 chain certificates (and 10
    /// timestamps), 8 DSSE signatures and 64 proof hashes; a 4 MiB trusted root with at most 64
    /// entries per list; a 16 KiB key; the per-part budgets as documented on each field.
    pub const DEFAULT: Limits = Limits {
        bundle_bytes: 16 * 1024 * 1024,
        tlog_entries: 8,
        chain_certificates: 10,
        dsse_signatures: 8,
        proof_hashes: 64,
        trusted_root_bytes: 4 * 1024 * 1024,
        authorities: 64,
        key_bytes: 16 * 1024,
        entry_body_bytes: 4 * 1024 * 1024,
        checkpoint_bytes: 1024 * 1024,
        checkpoint_signatures: 100,
        timestamp_bytes: 64 * 1024,
        timestamp_certificates: 10,
        scts: 16,
        statement_subjects: 1024,
        regex_bytes: 1024,
        predicate_type_bytes: 2048,
        leaf_bytes: 64 * 1024,
        extension_value_bytes: 4096,
        leaf_extensions: 64,
        batch_line_bytes: 64 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
