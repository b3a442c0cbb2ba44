//! `prov-verify x509 ...`: X.509: verify detached manifest signatures against pinned roots.
//!
//! Reads every input once, bounded, into typed values (certificates, CRLs, CMS), naming the
//! bad file on error (exit 2); then `plugin_x509::verify_manifest` judges them at one
//! verification time (`--at`, or the clock read once here) and returns the report.

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_small_file;
use clap::{Args, Subcommand, ValueEnum};
use plugin_api::VerificationTime;
use plugin_x509::{
    certificates_from_pem_or_der, crls_from_pem_or_der, parse_rfc3339, verify_manifest,
    Certificate, DetachedSignature, ManifestRequest, SignedData,
};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest manifest read, in bytes.
const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;
/// Most certificates in one file (a chain or root bundle).
const MAX_CERTS_PER_FILE: usize = 64;
/// Most certificates over all `--chain` and `--root` files.
const MAX_CERTS_TOTAL: usize = 256;
/// Most CRLs per file.
const MAX_CRLS_PER_FILE: usize = 16;

#[derive(Debug, Subcommand)]
pub enum X509Command {
    /// Verify a detached signature over a manifest: raw (by the leaf key) or CMS/PKCS#7
    /// detached SignedData, the leaf validated to a pinned root for code signing, with CRLs
    Verify(VerifyArgs),
}

/// How to read `--signature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignatureFormat {
    /// CMS if the file is a CMS/PKCS7 PEM block or a DER ContentInfo with id-signedData, raw otherwise
    Auto,
    /// Raw signature bytes over the manifest by the leaf key
    Raw,
    /// CMS/PKCS#7 detached SignedData (DER or PEM)
    Cms,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The manifest (the signed bytes)
    #[arg(long, value_name = "FILE")]
    pub manifest: PathBuf,

    /// The detached signature: raw bytes, or CMS SignedData (DER or PEM)
    #[arg(long, value_name = "FILE")]
    pub signature: PathBuf,

    /// How to read the signature
    #[arg(long, value_enum, default_value_t = SignatureFormat::Auto, value_name = "FORMAT")]
    pub format: SignatureFormat,

    /// The signing (leaf) certificate, PEM or DER
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,

    /// Intermediate certificates (PEM bundle or DER); repeatable
    #[arg(long, value_name = "FILE")]
    pub chain: Vec<PathBuf>,

    /// Pinned root certificates (PEM bundle or DER); repeatable; the only trust anchors
    #[arg(long, value_name = "FILE", required = true)]
    pub root: Vec<PathBuf>,

    /// CRLs (PEM or DER); repeatable
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,

    /// Require a valid, current CRL from its issuer for every certificate of the path but the root
    #[arg(long)]
    pub require_crl: bool,

    /// Verification time (RFC 3339, e.g. 2026-06-01T00:00:00Z); default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(cmd: &X509Command, _g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        X509Command::Verify(args) => verify(args),
    }
}

fn verification_time(at: Option<&str>) -> Result<VerificationTime, CliError> {
    match at {
        Some(text) => parse_rfc3339(text)
            .map(VerificationTime::from_unix_seconds)
            .ok_or_else(|| {
                CliError::malformed(
                    "--at",
                    format!("{text:?} is not an RFC 3339 time such as 2026-06-01T00:00:00Z"),
                )
            }),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| VerificationTime::from_unix_seconds(d.as_secs()))
            .map_err(|e| CliError::Internal(format!("system clock before 1970: {e}"))),
    }
}

fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, CliError> {
    let file = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(CliError::malformed(
            path.display().to_string(),
            format!("larger than the {limit}-byte limit"),
        ));
    }
    Ok(bytes)
}

fn certs_from(path: &Path, flag: &str) -> Result<Vec<Certificate>, CliError> {
    let bytes = read_small_file(path)?;
    certificates_from_pem_or_der(&bytes, MAX_CERTS_PER_FILE)
        .map_err(|e| CliError::malformed(format!("{flag} {}", path.display()), e))
}

fn certs_from_all(paths: &[PathBuf], flag: &str) -> Result<Vec<Certificate>, CliError> {
    let mut all = Vec::new();
    for p in paths {
        all.extend(certs_from(p, flag)?);
        if all.len() > MAX_CERTS_TOTAL {
            return Err(CliError::malformed(
                flag,
                format!("more than {MAX_CERTS_TOTAL} certificates in all"),
            ));
        }
    }
    Ok(all)
}

fn verify(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let time = verification_time(args.at.as_deref())?;
    let manifest = read_bounded(&args.manifest, MAX_MANIFEST_BYTES)?;
    let sig_bytes = read_small_file(&args.signature)?;
    let sig_field = format!("--signature {}", args.signature.display());
    let is_cms = match args.format {
        SignatureFormat::Cms => true,
        SignatureFormat::Raw => false,
        SignatureFormat::Auto => SignedData::looks_like_cms(&sig_bytes),
    };
    let signature = if is_cms {
        let cms = SignedData::from_pem_or_der(&sig_bytes)
            .map_err(|e| CliError::malformed(&sig_field, e))?;
        DetachedSignature::Cms(Box::new(cms))
    } else {
        if sig_bytes.is_empty() {
            return Err(CliError::malformed(&sig_field, "empty signature"));
        }
        DetachedSignature::Raw(sig_bytes)
    };
    let leaf_field = format!("--cert {}", args.cert.display());
    let leaf = match certs_from(&args.cert, "--cert")?.as_slice() {
        [one] => one.clone(),
        _ => {
            return Err(CliError::malformed(
                leaf_field,
                "expected exactly one certificate (the signer's)",
            ))
        }
    };
    let intermediates = certs_from_all(&args.chain, "--chain")?;
    let anchors = certs_from_all(&args.root, "--root")?;
    let mut crls = Vec::new();
    for p in &args.crl {
        let bytes = read_small_file(p)?;
        crls.extend(
            crls_from_pem_or_der(&bytes, MAX_CRLS_PER_FILE)
                .map_err(|e| CliError::malformed(format!("--crl {}", p.display()), e))?,
        );
    }
    tracing::info!(
        manifest = %args.manifest.display(),
        bytes = manifest.len(),
        cms = is_cms,
        intermediates = intermediates.len(),
        roots = anchors.len(),
        crls = crls.len(),
        at = time.unix_seconds(),
        "verifying detached manifest signature"
    );
    let subject = args.manifest.display().to_string();
    let report = verify_manifest(&ManifestRequest {
        subject: &subject,
        manifest: &manifest,
        signature: &signature,
        leaf: &leaf,
        intermediates: &intermediates,
        anchors: &anchors,
        crls: &crls,
        require_crl: args.require_crl,
        time,
    });
    Ok(Outcome::Report(report))
}
