//! `prov-verify audit-pack ...`: audit packs built by `audit-pack`: verify (optionally with a
//! reproducible spot check of control lines), and reports for auditors (JSON, CSV, PDF) made
//! only from a pack that verifies.

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_limited;
use audit_pack::proof::max_proof_size;
use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::trust_args::{ProofTrustArgs, LoadedTrust, TrustArgs, TrustArgsError};
use audit_pack::{make_proof, verify_proof_trusted, Limits, SpotCheckRequest, PLUGIN};
use clap::{Subcommand, ValueEnum};
use plugin_api::{Report, VerificationTime};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum AuditPackCommand {
    /// Verify a pack (.tgz) with the public key of its index signer, or the pinned roots of
    /// its X.509 signer
    Verify {
        /// The pack (audit-pack-<org>-<date>.tgz)
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// Also follow N control lines, picked from --seed, to their evidence, its SHA-256,
        /// its Merkle inclusion proof against the signed root and the index signature
        #[arg(long, value_name = "N", requires = "seed")]
        spot_check: Option<usize>,
        /// Seed of the SplitMix64 generator that picks the spot-checked lines
        #[arg(long, value_name = "S", requires = "spot_check")]
        seed: Option<u64>,
    },
    /// Write the inclusion proof (JSON) of one artifact of a pack that verifies, checkable
    /// later without the pack by `verify-proof`; a pack that does not verify gets no proof
    Prove {
        /// The pack (audit-pack-<org>-<date>.tgz)
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// The artifact: its name in the evidence folder (or control-map.csv)
        #[arg(long, value_name = "NAME")]
        artifact: String,
        /// Output file (default: stdout)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Verify a proof file written by `prove`, without the pack, with the index signer's
    /// public key (or pinned roots); a proof holds no log receipt and no manifest, so the log
    /// and manifest trust flags of `verify` are refused here
    VerifyProof {
        /// The proof file (audit-pack-proof/1 JSON)
        proof: PathBuf,
        #[command(flatten)]
        trust: ProofTrustArgs,
    },
    /// Write a report (JSON, CSV or PDF) of a pack that verifies; a pack that does not
    /// verify gets no report (the failed verification is printed, exit 1)
    Report {
        /// The pack (audit-pack-<org>-<date>.tgz)
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// Report format
        #[arg(long, value_enum)]
        format: Format,
        /// Output file (default: stdout; required for pdf)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// The trust flags' errors as this tool's: usage errors stay usage errors, unreadable files
/// are I/O errors and malformed files (or a malformed --log-key) are malformed input.
fn trust_error(e: TrustArgsError) -> CliError {
    match e {
        TrustArgsError::Usage(message) => CliError::Usage(message),
        TrustArgsError::Flag { flag, message } => CliError::malformed(flag, message),
        TrustArgsError::Io { path, source, .. } => CliError::io(&path, source),
        TrustArgsError::TooLarge { path, max, .. } => CliError::malformed(
            path.display().to_string(),
            format!("larger than the {max}-byte limit"),
        ),
        TrustArgsError::NotUtf8 { path, .. } => {
            CliError::malformed(path.display().to_string(), "not UTF-8 text")
        }
        TrustArgsError::Malformed { path, message, .. } => {
            CliError::malformed(path.display().to_string(), message)
        }
        other => CliError::Usage(other.to_string()),
    }
}

fn load_trust(args: &TrustArgs) -> Result<LoadedTrust, CliError> {
    args.load().map_err(trust_error)
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The index and every check's result
    Json,
    /// The control map with a verification status per line
    Csv,
    /// For auditors: cover, controls table, evidence index
    Pdf,
}

impl Format {
    fn library(self) -> ReportFormat {
        match self {
            Format::Json => ReportFormat::Json,
            Format::Csv => ReportFormat::Csv,
            Format::Pdf => ReportFormat::Pdf,
        }
    }
}

pub fn run(cmd: &AuditPackCommand, _g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        AuditPackCommand::Verify {
            pack,
            trust,
            spot_check,
            seed,
        } => {
            let spot = match (spot_check, seed) {
                (Some(count), Some(seed)) => Some(SpotCheckRequest {
                    count: *count,
                    seed: *seed,
                }),
                _ => None,
            };
            // The one read of the clock: recorded in the report as the verification time.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| CliError::Internal(format!("system clock before 1970: {e}")))?
                .as_secs();
            let builder =
                Report::builder(PLUGIN).verified_at(VerificationTime::from_unix_seconds(now));
            let (verification, _digest) = verify(pack, trust, builder, spot)?;
            Ok(Outcome::Report(verification.report))
        }
        AuditPackCommand::Prove {
            pack,
            trust,
            artifact,
            out,
        } => {
            let (verification, _digest) = verify(pack, trust, Report::builder(PLUGIN), None)?;
            let Some(verified) = verification.verified() else {
                // Fail closed: no proof from a pack that does not verify.
                return Ok(Outcome::Report(verification.report));
            };
            let proof =
                make_proof(verified, artifact).map_err(|e| CliError::Usage(e.to_string()))?;
            let text = proof
                .to_file_text()
                .map_err(|e| CliError::Internal(e.to_string()))?;
            match out {
                None => Ok(Outcome::Text(text)),
                Some(path) => {
                    write_atomically(path, text.as_bytes())?;
                    Ok(Outcome::Report(verification.report))
                }
            }
        }
        AuditPackCommand::VerifyProof { proof, trust } => {
            let trust = trust.load().map_err(trust_error)?;
            let bytes = read_limited(proof, max_proof_size(&Limits::DEFAULT) as u64)?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| CliError::Internal(format!("system clock before 1970: {e}")))?
                .as_secs();
            let builder =
                Report::builder(PLUGIN).verified_at(VerificationTime::from_unix_seconds(now));
            Ok(Outcome::Report(verify_proof_trusted(
                builder,
                &bytes,
                trust.trust(),
                &Limits::DEFAULT,
            )))
        }
        AuditPackCommand::Report {
            pack,
            trust,
            format,
            out,
        } => {
            if *format == Format::Pdf && out.is_none() {
                return Err(CliError::Usage(
                    "--format pdf needs --out FILE (a PDF is not written to a terminal)".into(),
                ));
            }
            // No verification time: a report depends only on the pack and the key, so the
            // same pack always gives the same report (pack checks do not depend on time).
            let (verification, digest) = verify(pack, trust, Report::builder(PLUGIN), None)?;
            let (Some(verified), Some(digest)) = (verification.verified(), digest) else {
                // Fail closed: no report of a pack that does not verify.
                return Ok(Outcome::Report(verification.report));
            };
            let file_name = pack
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let input = ReportInput {
                pack: verified,
                verification: &verification.report,
                file_name: &file_name,
                pack_sha256: &digest,
            };
            let bytes = report::render(&input, format.library())
                .map_err(|e| CliError::Internal(e.to_string()))?;
            match out {
                None => Ok(Outcome::Text(String::from_utf8(bytes).map_err(|e| {
                    CliError::Internal(format!("report is not UTF-8: {e}"))
                })?)),
                Some(path) => {
                    write_atomically(path, &bytes)?;
                    Ok(Outcome::Report(verification.report))
                }
            }
        }
    }
}

fn verify(
    pack: &Path,
    trust: &TrustArgs,
    builder: plugin_api::ReportBuilder,
    spot: Option<SpotCheckRequest>,
) -> Result<(audit_pack::Verification, Option<String>), CliError> {
    let trust = load_trust(trust)?;
    let file = std::fs::File::open(pack).map_err(|e| CliError::io(pack, e))?;
    report::verify_and_digest_trusted(builder, file, &trust.trust(), &Limits::DEFAULT, spot)
        .map_err(|e| CliError::io(pack, e))
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so a reader
/// never sees half a report.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Usage(format!("--out {}: not a file name", path.display())))?;
    let temp = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let result = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CliError::io(path, e)
    })
}
