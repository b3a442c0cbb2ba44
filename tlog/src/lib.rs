//! A local transparency log on C2SP formats: tiles, checkpoints, receipts, mirroring.
//!
//! * [`entry`]: the canonical bytes of a log entry (manifest root, signature digest, name,
//!   metadata), derived only from its inputs.
//! * [`writer`]: the single writer ([`writer::Log`]): durable pending appends, integration into
//!   C2SP tlog-tiles hash tiles and entry bundles, signed C2SP checkpoints published last.
//! * [`proof`]: inclusion proofs read from tiles (O(log n) tiles per proof).
//! * [`receipt`]: self-contained inclusion receipts and their pure verification.
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
pub mod proof;
pub mod receipt;
pub mod tiles;
pub mod writer;

pub use entry::Entry;
pub use error::TlogError;
