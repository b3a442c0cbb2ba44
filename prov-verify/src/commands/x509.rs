//! `prov-verify x509 ...`: X.509: verify detached manifest signatures against pinned roots.
//!
//! A thin adapter: reads every input once, bounded, naming each by its flag and path; builds a
//! `VerifyRequest` at one verification time (`--at`, or the clock read once here) and runs
//! the `x509` plugin (`plugin_x509::X509Plugin`), which parses and judges them (a malformed
//! input is exit 2, naming the flag and file).

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_small_file;
use clap::{Args, Subcommand, ValueEnum};
use plugin_api::{
    Policy, RevocationList, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots,
    VerificationTime, VerifyRequest,
};
use plugin_x509::X509Plugin;
use std::path::{Path, PathBuf};

/// Largest manifest read, in bytes.
pub(crate) const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Subcommand)]
#[command(defer = true)]
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

    /// CRLs (PEM or DER); repeatable. Without --crl, the CRLs of the offline cache are used
    /// (`cache add-crl`); with --crl, only the given ones
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,

    /// Require a valid, current CRL (given or cached) from its issuer for every certificate of
    /// the path but the root
    #[arg(long)]
    pub require_crl: bool,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// A transparency-log receipt (`log receipt`) for this manifest and signature, checked
    /// offline with --log-key
    #[arg(long, value_name = "RECEIPT", requires = "log_key")]
    pub log_receipt: Option<PathBuf>,

    /// The log's verifier key (name+keyid+base64) or a file holding it
    #[arg(long, value_name = "VKEY", requires = "log_receipt")]
    pub log_key: Option<String>,
}

pub fn run(cmd: &X509Command, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        X509Command::Verify(args) => verify(args, g),
    }
}

/// CRLs as (name for messages, bytes), and where they came from.
pub(crate) type NamedCrls = (Vec<(String, Vec<u8>)>, Option<String>);

/// The CRLs to use and, when they came from the offline cache, a note saying so. With
/// `--crl`, exactly those files; without, every CRL of the offline cache (local files only:
/// no network, so `--offline` changes nothing). A cache directory that cannot be named (no
/// `--cache-dir`, no `HOME`) or holds no `crls/` yields none.
fn crls_for(args: &VerifyArgs, g: &crate::cli::GlobalArgs) -> Result<NamedCrls, CliError> {
    if !args.crl.is_empty() {
        let mut crls = Vec::new();
        for p in &args.crl {
            crls.push((format!("--crl {}", p.display()), read_small_file(p)?));
        }
        return Ok((crls, None));
    }
    cached_crls(crate::commands::cache::cache_dir(g).ok(), args.require_crl)
}

/// Every CRL of the offline cache `dir` (local files only: no network), named for messages,
/// with a note saying where they came from when any were found or they are required. No
/// directory (no `--cache-dir`, no `HOME`) or no `crls/` yields none.
pub(crate) fn cached_crls(dir: Option<PathBuf>, required: bool) -> Result<NamedCrls, CliError> {
    let Some(dir) = dir else {
        tracing::debug!("no offline cache directory; no cached CRLs");
        let note = required.then(|| "none: no --crl and no offline cache directory".to_owned());
        return Ok((Vec::new(), note));
    };
    let crls: Vec<(String, Vec<u8>)> = crate::commands::cache::cached_crls(&dir)?
        .into_iter()
        .map(|(name, crl)| (format!("cached CRL {name}"), crl.der().to_vec()))
        .collect();
    let where_ = dir.join(crate::commands::cache::CRL_DIR);
    tracing::debug!(crls = crls.len(), dir = %where_.display(), "CRLs from the offline cache");
    let note = match crls.len() {
        0 if !required => None,
        0 => Some(format!("none in the offline cache ({})", where_.display())),
        n => Some(format!("{n} from the offline cache ({})", where_.display())),
    };
    Ok((crls, note))
}

fn verification_time(at: Option<&str>) -> Result<VerificationTime, CliError> {
    match at {
        Some(text) => crate::commands::verify::parse_time(text, "--at"),
        None => crate::commands::now(),
    }
}

fn verify(args: &VerifyArgs, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    let time = verification_time(args.at.as_deref())?;
    let manifest = crate::input::read_limited(&args.manifest, MAX_MANIFEST_BYTES)?;
    let sig_bytes = read_small_file(&args.signature)?;
    let receipt = log_receipt_inputs(args.log_receipt.as_deref(), args.log_key.as_deref())?;
    let inputs = Inputs::read(args, g)?;
    let policy = if args.require_crl {
        Policy::new().with_required_revocation()
    } else {
        Policy::new()
    };
    let sig_name = format!("--signature {}", args.signature.display());
    let signature = Signature::new(&sig_bytes).with_name(&sig_name);
    let signature = match args.format {
        SignatureFormat::Cms => signature.with_media_type(plugin_x509::MEDIA_TYPE_CMS),
        SignatureFormat::Raw => signature.with_media_type(plugin_x509::MEDIA_TYPE_RAW),
        SignatureFormat::Auto => signature,
    };
    let subject = args.manifest.display().to_string();
    tracing::info!(
        manifest = %args.manifest.display(),
        bytes = manifest.len(),
        cms = match args.format {
            SignatureFormat::Cms => true,
            SignatureFormat::Raw => false,
            SignatureFormat::Auto => plugin_x509::SignedData::looks_like_cms(&sig_bytes),
        },
        intermediates = args.chain.len(),
        roots = inputs.roots.len(),
        crls = inputs.crls.len(),
        at = %time.to_rfc3339(),
        "verifying detached manifest signature"
    );
    let certificates = inputs.certificates();
    let crls = inputs.revocation_lists();
    let mut request = VerifyRequest::new(Subject::Bytes(&manifest), signature, &inputs.roots, time)
        .with_subject_name(&subject)
        .with_certificates(&certificates)
        .with_revocation(&crls, inputs.crl_note.as_deref())
        .with_policy(&policy);
    if let Some(r) = &receipt {
        request = request.with_log_receipt(r.as_request());
    }
    let report = tlog::run_plugin_with_receipt(&X509Plugin::default(), &request)?;
    Ok(Outcome::Report(report))
}

/// Every file the request names, read once and bounded, with the flag and path as its name.
struct Inputs {
    certs: Vec<(String, Vec<u8>)>,
    roots: TrustRoots,
    crls: Vec<(String, Vec<u8>)>,
    crl_note: Option<String>,
}

impl Inputs {
    fn read(args: &VerifyArgs, g: &crate::cli::GlobalArgs) -> Result<Self, CliError> {
        let named = |flag: &str, p: &Path| -> Result<(String, Vec<u8>), CliError> {
            Ok((format!("{flag} {}", p.display()), read_small_file(p)?))
        };
        let mut certs = vec![named("--cert", &args.cert)?];
        for p in &args.chain {
            certs.push(named("--chain", p)?);
        }
        let mut roots = TrustRoots::new();
        for p in &args.root {
            let (name, bytes) = named("--root", p)?;
            roots.push(TrustRoot::new(TrustRootKind::X509Certificate, name, bytes));
        }
        let (crls, crl_note) = crls_for(args, g)?;
        Ok(Inputs {
            certs,
            roots,
            crls,
            crl_note,
        })
    }

    fn certificates(&self) -> Vec<plugin_api::Certificate<'_>> {
        self.certs
            .iter()
            .map(|(n, b)| plugin_api::Certificate::new(n, b))
            .collect()
    }

    fn revocation_lists(&self) -> Vec<RevocationList<'_>> {
        self.crls
            .iter()
            .map(|(n, b)| RevocationList::new(n, b))
            .collect()
    }
}

/// `--log-receipt FILE` and `--log-key VKEY|FILE`, read (bounded) and named for messages;
/// the transparency-log runner parses and checks them.
#[derive(Debug, Clone)]
pub(crate) struct ReceiptInputs {
    receipt_name: String,
    receipt: Vec<u8>,
    key: Vec<u8>,
}

impl ReceiptInputs {
    pub(crate) fn as_request(&self) -> plugin_api::LogReceipt<'_> {
        plugin_api::LogReceipt {
            receipt_name: &self.receipt_name,
            receipt: &self.receipt,
            key_name: "--log-key",
            key: &self.key,
        }
    }
}

/// Reads `--log-receipt` and `--log-key` (both or neither; clap enforces it).
pub(crate) fn log_receipt_inputs(
    receipt: Option<&Path>,
    key: Option<&str>,
) -> Result<Option<ReceiptInputs>, CliError> {
    let (Some(path), Some(key)) = (receipt, key) else {
        return Ok(None);
    };
    let key = tlog::verifier_key_text(key).map_err(|e| CliError::malformed("--log-key", e))?;
    let receipt = crate::input::read_limited(path, tlog::MAX_RECEIPT as u64)?;
    Ok(Some(ReceiptInputs {
        receipt_name: format!("--log-receipt {}", path.display()),
        receipt,
        key: key.into_bytes(),
    }))
}
