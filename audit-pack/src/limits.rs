//! Budgets on attacker-controlled sizes, for reading packs and evidence.

/// Budgets applied while reading a pack (verify) and while building one (so a built pack is
/// always readable with the same budgets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries in a pack (tar entries, counting GNU long-name entries once with their file).
    pub max_entries: usize,
    /// Largest single file, in bytes.
    pub max_file_size: u64,
    /// Most decompressed bytes read from the gzip stream (tar headers, data, padding).
    pub max_total_size: u64,
    /// Largest `index.json`. With the signature it must fit a 1 MiB C2SP note.
    pub max_index_size: usize,
    /// Largest `index.json.sig`.
    pub max_signature_size: usize,
    /// Largest JSON evidence document or manifest (parsed, or held in memory to verify).
    pub max_json_size: usize,
    /// Largest control map.
    pub max_csv_size: usize,
    /// Most control-map lines.
    pub max_csv_rows: usize,
    /// Most decompressed bytes read when inspecting a policy bundle.
    pub max_bundle_unpacked: u64,
    /// Most bytes of directory bookkeeping while reading (or building) a pack. Every distinct
    /// directory of the entries' paths is remembered, so that a file that is also another
    /// entry's directory is refused; each costs its length plus
    /// [`DIR_ENTRY_OVERHEAD`](crate::path::DIR_ENTRY_OVERHEAD) bytes. Without this budget,
    /// 10 000 entries with 1 KiB paths 500 directories deep would make a reader remember
    /// 5 million directories (about 3 GB).
    pub max_dir_bookkeeping: usize,
    /// Most bytes of pack files held in memory at once while verifying (the control map,
    /// manifests and their signatures).
    pub max_retained: u64,
    /// Largest certificates file (`index.json.certs.pem`, a signer's chain).
    pub max_certs_size: usize,
    /// Most certificates in it.
    pub max_certs: usize,
    /// Most hashes in an inclusion proof file (a tree of 2^64 leaves needs 64).
    pub max_proof_hashes: usize,
}

impl Limits {
    /// The defaults: 10 000 entries, 1 GiB per file, 4 GiB decompressed, 960 KiB index,
    /// 16 KiB signature, 512 KiB JSON, 16 MiB / 100 000 lines of control map, 64 MiB unpacked
    /// policy bundle, 8 MiB of directory bookkeeping, 64 MiB of retained files, a 64 KiB
    /// certificates file of at most 16 certificates, 64 proof hashes.
    pub const DEFAULT: Limits = Limits {
        max_entries: 10_000,
        max_file_size: 1 << 30,
        max_total_size: 4 << 30,
        max_index_size: 960 << 10,
        max_signature_size: 16 << 10,
        max_json_size: 512 << 10,
        max_csv_size: 16 << 20,
        max_csv_rows: 100_000,
        max_bundle_unpacked: 64 << 20,
        max_dir_bookkeeping: 8 << 20,
        max_retained: 64 << 20,
        max_certs_size: 64 << 10,
        max_certs: 16,
        max_proof_hashes: 64,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
