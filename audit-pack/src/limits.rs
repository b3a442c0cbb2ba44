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
}

impl Limits {
    /// The defaults: 10 000 entries, 1 GiB per file, 4 GiB decompressed, 960 KiB index,
    /// 16 KiB signature, 512 KiB JSON, 16 MiB / 100 000 lines of control map, 64 MiB unpacked
    /// policy bundle.
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
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
