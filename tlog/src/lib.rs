//! A local transparency log on C2SP formats: tiles, checkpoints, receipts, mirroring.
//!
//! * [`Entry`]: the canonical bytes of a log entry (manifest root, signature digest, name,
//!   metadata), derived only from its inputs.
//! * [`Log`]: the single writer: an append-only journal of entries and signed checkpoints (one
//!   fdatasync per call; [`Log::append_checkpoint`] batches both), C2SP tlog-tiles hash tiles
//!   and entry bundles derived from it, rebuilt from it on open. [`init_log`] creates a log.
//! * [`Receipt`]: self-contained inclusion receipts and their pure verification, and
//!   [`check_manifest_receipt`] for a receipt recording a detached manifest;
//!   [`TlogReceiptPlugin`] verifies a receipt behind the `plugin_api::Plugin` contract.
//! * [`TileProver`]: inclusion proofs read from tiles (O(log n) tiles per proof).
//! * [`sync_mirror`]: a verifying mirror that refuses rollbacks and split views, fetching from
//!   a [`Remote`] (in practice an [`http::BaseUrl`]).
//! * [`checks`]: every check id the plugin and the `log` commands report.
//! * [`http`]: a read-only static server for a log directory and a small HTTP/1.1 client. It
//!   stays a module: it is a transport API of its own, with its own limits and timeouts.
//!
//! `checks` stays a module too (its constants are named for the plugin's checks, not the
//! crate's). Everything else is re-exported here; names that would be ambiguous at the root are renamed
//! at the re-export (`init_log`, `generate_key`, `sync_mirror`, `verify_mirror_inclusion`,
//! `DEFAULT_MIRROR_MAX_SIZE`, `DEFAULT_MIRROR_TIMEOUT`).
//!
//! Verification functions are pure: keys and bytes are passed in.
#![forbid(unsafe_code)]

pub mod checks;
mod entry;
mod error;
mod fsio;
pub mod http;
mod keys;
mod mirror;
mod plugin;
mod proof;
mod receipt;
mod tiles;
mod writer;

pub use entry::{
    Entry, EntryJson, ENTRY_HEADER, MAX_ENTRY_LEN, MAX_METADATA, MAX_META_KEY_LEN,
    MAX_META_VALUE_LEN, MAX_NAME_LEN,
};
pub use error::TlogError;
pub use fsio::read_limited;
pub use keys::{
    generate as generate_key, load_signer, parse_verifier_key, public_key_path, verifier_key_text,
};
pub use mirror::{
    sync as sync_mirror, verify_inclusion as verify_mirror_inclusion, MirrorInclusion, Remote,
    SyncOutcome, DEFAULT_MAX_SIZE as DEFAULT_MIRROR_MAX_SIZE,
    DEFAULT_TIMEOUT as DEFAULT_MIRROR_TIMEOUT,
};
pub use plugin::{Limits, TlogReceiptPlugin, PLUGIN};
pub use proof::{DirTiles, TileProver, TileSource};
pub use receipt::{
    check_manifest_receipt, make_receipt, manifest_digests, read_entry, receipt_checks,
    run_plugin_with_receipt, ManifestReceiptCheck, Receipt, ReceiptJson, MAX_RECEIPT,
    RECEIPT_FORMAT,
};
pub use tiles::{encode_bundle, encode_hash_tile};
pub use writer::{
    init as init_log, read_checkpoint, read_config, Config, Log, CHECKPOINT_FILE, CONFIG_FILE,
    LOCK_FILE, MAX_CHECKPOINT, MAX_PENDING, PENDING_FILE,
};
