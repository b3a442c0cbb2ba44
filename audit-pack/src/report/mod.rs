//! Reports for auditors, made only from a [`VerifiedPack`]: JSON (the index and the
//! verification results), CSV (the control map with a verification status per line) and PDF
//! (cover, controls table, evidence index).
//!
//! **Fail closed.** A report takes a [`VerifiedPack`], which only a verification where every
//! check passed produces, so there is no "NOT VERIFIED" report: a pack that does not verify
//! gets no report at all (the CLI prints the failed verification and exits 1).
//!
//! **Deterministic.** The output depends only on the pack's bytes, its file name and the
//! verifying key: no clock (the only date is the pack's), no random identifiers, sorted JSON
//! members. The verification time is therefore not part of a report.

mod csv_report;
mod json_report;
mod oscal_report;
pub mod pdf;
mod pdf_report;
mod ttf;

use crate::verify::VerifiedPack;
use plugin_api::{CheckStatus, Report};
use sha2::{Digest, Sha256};
use std::io::Read;

pub use csv_report::{is_blank, spreadsheet_safe, to_csv, CSV_EXTRA_COLUMNS, FORMULA_TRIGGERS};
pub use json_report::{to_json, REPORT_FORMAT};
pub use oscal_report::{to_oscal, OSCAL_VERSION};
pub use pdf_report::to_pdf;

/// Everything a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The verified pack.
    pub pack: &'a VerifiedPack,
    /// The verification report (every check passed).
    pub verification: &'a Report,
    /// The pack's file name, as shown to the reader (no directories).
    pub file_name: &'a str,
    /// SHA-256 of the pack file's bytes, hex.
    pub pack_sha256: &'a str,
}

/// Why a report could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Writing the CSV or JSON failed.
    #[error("cannot write the {format} report: {reason}")]
    Write {
        /// `json`, `csv`, `pdf` or `oscal`.
        format: &'static str,
        /// What went wrong.
        reason: String,
    },
}

pub(crate) fn status_name(status: &CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "pass",
        CheckStatus::Fail => "fail",
        CheckStatus::Skipped { .. } => "skipped",
    }
}

/// Whether a control line's manifest signature is fine: verified (`true`), or there is no
/// manifest (`n/a`). Every other value counts against the line.
pub(crate) fn signature_ok(signature_verified: &str) -> bool {
    matches!(signature_verified, "true" | "n/a")
}

/// Whether a control line holds: its state is `effective` and its manifest signature is fine
/// ([`signature_ok`]). An OSCAL finding is `satisfied` exactly then; otherwise the PDF lists
/// the line among the exceptions.
pub(crate) fn line_effective(l: &crate::controls::ControlLine) -> bool {
    l.state.trim().eq_ignore_ascii_case("effective") && signature_ok(&l.signature_verified)
}

/// The verification status of one control line of a verified pack: its evidence is in the
/// pack with the listed SHA-256 and covered by the signed Merkle root; a manifest whose
/// signature was recorded as not verified is called out, and in a pack built with an insecure
/// mode every line says so.
pub(crate) fn line_status(index: &crate::Index, signature_verified: &str) -> String {
    // An allow-list: `true` (a manifest pair that verified) and `n/a` (no manifest); anything
    // else (verification refuses it, see check_controls) is not called verified.
    let mut status = match signature_verified {
        "true" | "n/a" => "verified".to_owned(),
        "false" => "verified; manifest signature NOT verified".to_owned(),
        other => format!("verified; manifest signature status {other:?} unknown"),
    };
    if let Some(note) = insecure_note(index) {
        status.push_str(&format!(" [{note}]"));
    }
    status
}

/// The verified signers of the index, each with its key ID: `NAME (key ID 0123abcd)` for an
/// Ed25519 signer (read from its verified signature line), `SUBJECT (certificate SHA-256 …)`
/// for an X.509 signer (the leaf of `index.json.certs.pem`).
pub(crate) fn signer_labels(pack: &VerifiedPack) -> Vec<String> {
    if let Some(pem) = pack.certs_bytes() {
        let leaf = crate::signer::parse_certificates(pem)
            .ok()
            .and_then(|c| c.into_iter().next());
        return pack
            .signers()
            .iter()
            .map(|s| match &leaf {
                Some(leaf) => format!(
                    "{s} (certificate SHA-256 {})",
                    hex::encode(Sha256::digest(leaf.der()))
                ),
                None => s.clone(),
            })
            .collect();
    }
    let claimed = crate::keys::claimed_signers(pack.signature_bytes());
    pack.signers()
        .iter()
        .map(|s| {
            claimed
                .iter()
                .find(|c| {
                    c.strip_prefix(s.as_str())
                        .is_some_and(|r| r.starts_with(" (key ID "))
                })
                .cloned()
                .unwrap_or_else(|| s.clone())
        })
        .collect()
}

/// "INSECURE: built with --flag …" for a pack built with insecure modes, else `None`.
pub(crate) fn insecure_note(index: &crate::Index) -> Option<String> {
    if index.insecure_modes.is_empty() {
        return None;
    }
    let flags: Vec<&str> = index.insecure_modes.iter().map(|m| m.flag()).collect();
    Some(format!("INSECURE: built with {}", flags.join(" ")))
}

/// A reader that computes the SHA-256 of everything read through it, so a pack is hashed
/// and verified from the same single pass over its bytes.
#[derive(Debug)]
pub struct DigestReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> DigestReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        DigestReader {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// Reads whatever is left (so the digest covers the whole input) and returns the
    /// SHA-256, hex.
    pub fn finish(mut self) -> std::io::Result<String> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(hex::encode(self.hasher.finalize()))
    }
}

impl<R: Read> Read for DigestReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// The formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// [`to_json`].
    Json,
    /// [`to_csv`].
    Csv,
    /// [`to_pdf`].
    Pdf,
    /// [`to_oscal`]: OSCAL assessment results (JSON).
    Oscal,
}

impl ReportFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Oscal => "oscal.json",
        }
    }
}

/// The report in `format`, as bytes.
pub fn render(input: &ReportInput<'_>, format: ReportFormat) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        ReportFormat::Json => to_json(input)?.into_bytes(),
        ReportFormat::Csv => to_csv(input)?.into_bytes(),
        ReportFormat::Pdf => to_pdf(input),
        ReportFormat::Oscal => to_oscal(input)?.into_bytes(),
    })
}

/// Verifies the pack read from `input` (see [`crate::verify_detailed`]) and computes the
/// SHA-256 of its bytes in the same pass. The digest is `Some` exactly when the pack verified
/// (then `input` has been read to its end); once the verdict is a failure nothing more of
/// `input` is read.
pub fn verify_and_digest<R: Read>(
    builder: plugin_api::ReportBuilder,
    input: R,
    keys: &[merkle::note::VerifierKey],
    limits: &crate::Limits,
    spot: Option<crate::SpotCheckRequest>,
) -> std::io::Result<(crate::Verification, Option<String>)> {
    verify_and_digest_trusted(builder, input, &crate::Trust::keys(keys), limits, spot)
}

/// As [`verify_and_digest`], with the trust given as a [`crate::Trust`] (Ed25519 keys or
/// pinned X.509 roots, manifest trust, log key; see [`crate::verify_trusted`]).
pub fn verify_and_digest_trusted<R: Read>(
    builder: plugin_api::ReportBuilder,
    input: R,
    trust: &crate::Trust<'_>,
    limits: &crate::Limits,
    spot: Option<crate::SpotCheckRequest>,
) -> std::io::Result<(crate::Verification, Option<String>)> {
    let mut reader = std::io::BufReader::new(DigestReader::new(input));
    let verification = crate::verify_trusted(builder, &mut reader, trust, limits, spot);
    if verification.verified().is_none() {
        return Ok((verification, None));
    }
    // Bytes the BufReader buffered were hashed as they were read: hash the rest.
    let digest = reader.into_inner().finish()?;
    Ok((verification.with_pack_sha256(&digest), Some(digest)))
}
