//! A local transparency log on C2SP formats: tiles, checkpoints, receipts, mirroring.
//!
//! * [`entry`]: the canonical bytes of a log entry (manifest root, signature digest, name,
//!   metadata), derived only from its inputs.
//! * [`writer`]: the single writer ([`writer::Log`]): an append-only journal of entries and
//!   signed checkpoints (one fdatasync per call; `append_checkpoint` batches both), C2SP
//!   tlog-tiles hash tiles and entry bundles derived from it, rebuilt from it on open.
//! * [`receipt`]: self-contained inclusion receipts and their pure verification, and
//!   [`receipt::check_manifest_receipt`] for a receipt recording a detached manifest.
//! * [`proof`]: inclusion proofs read from tiles (O(log n) tiles per proof).
//! * [`http`] and [`mirror`]: a read-only static server, a small HTTP/1.1 client, and a verifying
//!   mirror that refuses rollbacks and split views.
//!
//! Verification functions are pure: keys and bytes are passed in.
#![forbid(unsafe_code)]

pub mod entry;
pub mod error;
pub mod fsio;
pub mod http;
pub mod keys;
pub mod mirror;
mod plugin;
pub mod proof;
pub mod receipt;
pub mod tiles;
pub mod writer;

pub use entry::Entry;
pub use error::TlogError;
pub use plugin::{TlogReceiptPlugin, PLUGIN};
