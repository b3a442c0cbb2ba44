//! `prov-verify audit-pack ...`: audit packs built by `audit-pack`: verify (optionally with a
//! reproducible spot check of control lines), and reports for auditors (JSON, CSV, PDF) made
//! only from a pack that verifies.

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_small_file;
use audit_pack::proof::max_proof_size;
use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::{
    make_proof, parse_public_key, verify_proof_trusted, IndexTrust, Limits, SignerFlags,
    SigstoreTrust, SpotCheckRequest, Trust, X509Trust, PLUGIN,
};
use clap::{Subcommand, ValueEnum};
use merkle::note::VerifierKey;
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
    /// public key
    VerifyProof {
        /// The proof file (audit-pack-proof/1 JSON)
        proof: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
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

/// Who may have signed the index: an Ed25519 public key, or pinned X.509 roots.
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    /// The index signer's public key file (NAME.pub, Ed25519)
    #[arg(
        long,
        value_name = "PUB",
        required_unless_present = "trust_root",
        conflicts_with = "trust_root"
    )]
    key: Option<PathBuf>,
    /// A pinned root certificate file (PEM or DER) for an X.509-signed index; repeatable.
    /// Roots are never taken from the pack
    #[arg(long = "trust-root", value_name = "ROOTS.pem")]
    trust_root: Vec<PathBuf>,
    /// A CRL (PEM or DER) to check the signer's path against; repeatable
    #[arg(long, value_name = "CRL", requires = "trust_root")]
    crl: Vec<PathBuf>,
    /// Require a current CRL for every certificate of the signer's path but the root
    #[arg(long, requires = "trust_root")]
    require_crl: bool,
    /// Verification time of the X.509 signer's path, RFC 3339 (default: the pack date)
    #[arg(long, value_name = "TIME", requires = "trust_root")]
    at: Option<String>,
    /// The verifier key (string or file) of the log whose receipt the pack carries; without
    /// it, a pack with a receipt does not verify (the receipt check is skipped)
    #[arg(long, value_name = "VKEY")]
    log_key: Option<String>,
    /// A root certificate file (PEM or DER) for re-verifying CMS manifest signatures
    /// (`*.manifest.json.p7s`) at the pack date; repeatable. Never taken from the pack: a
    /// pack holding such a pair does not verify without it
    #[arg(long = "manifest-trust-root", value_name = "ROOTS.pem")]
    manifest_trust_root: Vec<PathBuf>,
    /// The Sigstore trusted root (trusted_root.json) for re-verifying Sigstore manifest
    /// bundles (`*.manifest.json.sigstore.json`) at the pack date; needs
    /// --manifest-sigstore-key, or an identity and an issuer. Never taken from the pack: a
    /// pack holding such a pair does not verify without it
    #[arg(
        long = "manifest-sigstore-trusted-root",
        value_name = "trusted_root.json"
    )]
    sigstore_trusted_root: Option<PathBuf>,
    /// The public key (PEM) of key-signed Sigstore manifest bundles
    #[arg(
        long = "manifest-sigstore-key",
        value_name = "PEM",
        requires = "sigstore_trusted_root",
        conflicts_with_all = ["manifest_identity", "manifest_identity_regexp", "manifest_issuer", "manifest_issuer_regexp"]
    )]
    sigstore_key: Option<PathBuf>,
    /// The exact certificate identity (SAN) of keyless Sigstore manifest bundles
    #[arg(
        long = "manifest-identity",
        value_name = "ID",
        requires = "sigstore_trusted_root",
        conflicts_with = "manifest_identity_regexp"
    )]
    manifest_identity: Option<String>,
    /// A regexp the whole SAN must match (anchored at both ends)
    #[arg(
        long = "manifest-identity-regexp",
        value_name = "RE",
        requires = "sigstore_trusted_root"
    )]
    manifest_identity_regexp: Option<String>,
    /// The exact OIDC issuer of keyless Sigstore manifest bundles
    #[arg(
        long = "manifest-issuer",
        value_name = "URL",
        requires = "sigstore_trusted_root",
        conflicts_with = "manifest_issuer_regexp"
    )]
    manifest_issuer: Option<String>,
    /// A regexp the whole OIDC issuer must match (anchored at both ends)
    #[arg(
        long = "manifest-issuer-regexp",
        value_name = "RE",
        requires = "sigstore_trusted_root"
    )]
    manifest_issuer_regexp: Option<String>,
}

/// Reads the Sigstore manifest trust, if a trusted root was given (then the signer flags
/// must name a signer).
fn load_sigstore(args: &TrustArgs) -> Result<Option<SigstoreTrust>, CliError> {
    let Some(root_path) = &args.sigstore_trusted_root else {
        return Ok(None);
    };
    let root = read_limited(
        root_path,
        plugin_cosign::trusted_root::MAX_TRUSTED_ROOT_BYTES as u64,
    )?;
    let key = match &args.sigstore_key {
        Some(path) => Some(read_limited(
            path,
            plugin_cosign::keys::MAX_KEY_BYTES as u64,
        )?),
        None => None,
    };
    let flags = SignerFlags {
        key_pem: key.as_deref(),
        identity: args.manifest_identity.as_deref(),
        identity_regexp: args.manifest_identity_regexp.as_deref(),
        issuer: args.manifest_issuer.as_deref(),
        issuer_regexp: args.manifest_issuer_regexp.as_deref(),
    };
    SigstoreTrust::from_flags(&root, &flags)
        .map(Some)
        .map_err(CliError::Usage)
}

/// Reads root certificate files (PEM or DER).
fn load_roots(paths: &[PathBuf]) -> Result<Vec<plugin_x509::Certificate>, CliError> {
    let mut roots = Vec::new();
    for path in paths {
        let bytes = read_small_file(path)?;
        roots.extend(
            audit_pack::signer::parse_certificates(&bytes)
                .map_err(|e| CliError::malformed(path.display().to_string(), e))?,
        );
    }
    Ok(roots)
}

/// Trust material read from the files named by [`TrustArgs`].
struct LoadedTrust {
    index: LoadedIndexTrust,
    log_key: Option<merkle::note::VerifierKey>,
    manifest_roots: Option<Vec<plugin_x509::Certificate>>,
    manifest_sigstore: Option<SigstoreTrust>,
}

enum LoadedIndexTrust {
    Keys(Vec<VerifierKey>),
    X509(X509Trust),
}

impl LoadedTrust {
    fn load(args: &TrustArgs) -> Result<Self, CliError> {
        let log_key = match &args.log_key {
            Some(k) => Some(
                tlog::keys::parse_verifier_key(k)
                    .map_err(|e| CliError::malformed("--log-key", e.to_string()))?,
            ),
            None => None,
        };
        let manifest_roots = if args.manifest_trust_root.is_empty() {
            None
        } else {
            Some(load_roots(&args.manifest_trust_root)?)
        };
        Ok(LoadedTrust {
            index: LoadedIndexTrust::load(args)?,
            log_key,
            manifest_roots,
            manifest_sigstore: load_sigstore(args)?,
        })
    }

    fn trust(&self) -> Trust<'_> {
        Trust {
            index: match &self.index {
                LoadedIndexTrust::Keys(keys) => IndexTrust::Keys(keys),
                LoadedIndexTrust::X509(x509) => IndexTrust::X509(x509),
            },
            log_key: self.log_key.as_ref(),
            manifest_roots: self.manifest_roots.as_deref(),
            manifest_sigstore: self.manifest_sigstore.as_ref(),
        }
    }
}

impl LoadedIndexTrust {
    fn load(args: &TrustArgs) -> Result<Self, CliError> {
        if let Some(key) = &args.key {
            return Ok(LoadedIndexTrust::Keys(vec![read_key(key)?]));
        }
        let mut trust = X509Trust::default();
        for path in &args.trust_root {
            let bytes = read_small_file(path)?;
            let roots = audit_pack::signer::parse_certificates(&bytes)
                .map_err(|e| CliError::malformed(path.display().to_string(), e))?;
            trust.roots.extend(roots);
        }
        for path in &args.crl {
            let bytes = read_small_file(path)?;
            let crls = plugin_x509::crls_from_pem_or_der(&bytes, 16)
                .map_err(|e| CliError::malformed(path.display().to_string(), e))?;
            trust.crls.extend(crls);
        }
        trust.require_crl = args.require_crl;
        if let Some(at) = &args.at {
            let secs = plugin_x509::parse_rfc3339(at)
                .ok_or_else(|| CliError::Usage(format!("--at {at:?}: not an RFC 3339 time")))?;
            trust.at = Some(VerificationTime::from_unix_seconds(secs));
        }
        Ok(LoadedIndexTrust::X509(trust))
    }
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
            let trust = LoadedTrust::load(trust)?;
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
                trust.trust().index,
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
            let Some(verified) = verification.verified() else {
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

/// Reads a whole file of at most `max` bytes.
fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(CliError::malformed(
            path.display().to_string(),
            format!("larger than the {max}-byte limit"),
        ));
    }
    Ok(bytes)
}

fn read_key(path: &Path) -> Result<VerifierKey, CliError> {
    let bytes = read_small_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::malformed(path.display().to_string(), "not UTF-8 text"))?;
    parse_public_key(&text).map_err(|e| CliError::malformed(path.display().to_string(), e))
}

fn verify(
    pack: &Path,
    trust: &TrustArgs,
    builder: plugin_api::ReportBuilder,
    spot: Option<SpotCheckRequest>,
) -> Result<(audit_pack::Verification, String), CliError> {
    let trust = LoadedTrust::load(trust)?;
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
