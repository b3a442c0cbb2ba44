//! The `prov-verify` plugin contract: what a plugin is given ([`VerifyRequest`]), what it
//! answers ([`Report`]), and the error kinds of the stages around it.
//!
//! The Prov-Ledger v1.2 contract
//! `verify({manifest, root, signature, certs?, offlineCacheDir?}) -> {ok, errors?, warnings?}`
//! becomes [`Plugin::verify`]: a synchronous, pure function of a borrowed [`VerifyRequest`]
//! (subject, signature material, [`TrustRoots`], certificates, [`Policy`], an optional
//! read-only [`OfflineCache`], the [`VerificationTime`], and explicit [`Insecure`] modes) that
//! returns a [`Report`] of named [`Check`]s, or an [`Error`] when the inputs cannot be judged
//! at all. Each plugin describes itself with a [`PluginInfo`]. Callers run plugins through [`run_plugin`], which
//! also refuses insecure modes a plugin turned on by itself.
//!
//! **No false accepts.** A report's `ok` cannot be set: [`ReportBuilder::finish`] computes it
//! (at least one check, none failed, no errors, every skip waived by an insecure mode the
//! caller turned on) and [`Report::from_json`] recomputes it, rejecting a document that
//! disagrees.
//!
//! **Exit codes**: 0 verified, 1 verification failed ([`Report::exit_code`], [`Verdict`]),
//! 2 no verdict: usage, input, I/O or internal error ([`Error::exit_code`]).
//!
//! The JSON form of a report is described by `docs/report.schema.json`.
#![forbid(unsafe_code)]

pub mod bounded;
mod builder;
mod cache;
mod check;
mod error;
mod insecure;
pub mod json;
mod plugin;
mod report;
mod request;
pub mod time;
mod trust;
mod verdict;

pub use builder::{Failure, ReportBuilder, NOT_REACHED};
pub use cache::{CacheKey, OfflineCache, MAX_CACHE_KEY_LEN, MAX_CACHE_KEY_SEGMENT_LEN};
pub use check::{is_valid_check_id, Check, CheckStatus, MAX_CHECK_ID_LEN};
pub use error::{CacheError, Error, InputError, ReportError, TrustRootError};
pub use insecure::Insecure;
pub use plugin::{
    check_declared, find_undeclared, run_plugin, InputShape, Plugin, PluginInfo, SubjectKind,
    Undeclared,
};
pub use report::{Report, MAX_OUTPUT_KEY_LEN, MAX_REPORT_JSON_BYTES};
pub use request::{
    Certificate, Digest, DigestAlgorithm, LogReceipt, Policy, RevocationList, Signature, Subject,
    VerifyRequest,
};
pub use time::VerificationTime;
pub use trust::{TrustRoot, TrustRootKind, TrustRoots};
pub use verdict::{Verdict, EXIT_ERROR, EXIT_FAILED, EXIT_VERIFIED};
