//! The plugin's budgets: every attacker-controlled size has one, with a documented default.

/// Budgets of the `nitro` plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document (COSE_Sign1 CBOR), in bytes; real documents are about 4.5 KiB.
    /// A base64 or hex form may be up to twice this plus 1 KiB of whitespace before decoding.
    pub document_bytes: usize,
    /// Largest `public_key`, `user_data` or `nonce`, in bytes (the Nitro Secure Module's own
    /// limit is 1024).
    pub optional_field_bytes: usize,
    /// Largest `module_id` or `digest` text, in bytes.
    pub text_bytes: usize,
    /// Most certificates in `cabundle` (AWS sends 4: root, regional, zonal, instance).
    pub cabundle_certificates: usize,
    /// How far the document's timestamp may lie after the verification time, in seconds
    /// (clock skew between the enclave's host and the verifier).
    pub future_skew_seconds: u64,
}

impl Limits {
    /// 16 KiB documents, 1024-byte optional fields, 256-byte texts, 8 CA certificates, 5
    /// minutes of clock skew.
    pub const DEFAULT: Limits = Limits {
        document_bytes: 16 * 1024,
        optional_field_bytes: 1024,
        text_bytes: 256,
        cabundle_certificates: 8,
        future_skew_seconds: 300,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
