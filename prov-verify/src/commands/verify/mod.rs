//! `prov-verify verify` and `prov-verify plugins`: every registered plugin driven the same
//! way. A thin adapter: inputs are read once, bounded, and named by flag (or request field)
//! and path; a `VerifyRequest` is built and run through `plugin_api::run_plugin`; the report
//! is printed. `--request` takes the same fields as JSON; `--set` verifies many requests (an
//! evidence set, docs/evidence-set.md) in parallel and adds a summary report.

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_limited;
use crate::registry;
use clap::Args;
use plugin_api::{
    Certificate, Digest, DigestAlgorithm, Insecure, Policy, Report, RevocationList, Signature,
    Subject, SubjectKind, TrustRoot, TrustRootKind, TrustRoots, VerificationTime, VerifyRequest,
};
use rayon::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Largest subject read (an artifact, manifest or pack).
const MAX_SUBJECT: u64 = 1024 * 1024 * 1024;
/// Largest signature, certificate, root or CRL file.
const MAX_INPUT: u64 = 16 * 1024 * 1024;
/// Largest request or set file.
const MAX_REQUEST_FILE: u64 = 1024 * 1024;
/// Most items in a set.
pub const MAX_SET_ITEMS: usize = 1000;
/// Most bytes over every file a set names.
pub const MAX_SET_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Most inputs of one kind (roots, certificates, CRLs) in one request.
const MAX_INPUTS_PER_KIND: usize = 64;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The plugin to run (see `prov-verify plugins`)
    #[arg(long, value_name = "NAME", required_unless_present_any = ["request", "set"], conflicts_with_all = ["request", "set"])]
    pub plugin: Option<String>,

    /// The subject's bytes: the artifact, manifest, pack, receipt or checkpoint
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    pub manifest: Option<PathBuf>,

    /// The subject as a digest, ALG:HEX (sha256, sha384, sha512)
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,

    /// The signature material (a bundle, a detached or CMS signature)
    #[arg(long, value_name = "FILE")]
    pub signature: Option<PathBuf>,

    /// The signature's media type, when the plugin needs to be told (e.g.
    /// application/pkcs7-signature)
    #[arg(long, value_name = "MEDIA-TYPE", requires = "signature")]
    pub signature_type: Option<String>,

    /// A trust root, KIND=FILE or FILE (the plugin's first trust-root kind); repeatable.
    /// Kinds: x509-certificate, public-key, sigstore-trusted-root, tuf-root, note-verifier-key,
    /// manifest-signer-key, merkle-root, log-key
    #[arg(long, value_name = "[KIND=]FILE")]
    pub root: Vec<String>,

    /// Untrusted certificates (the signer's first, then intermediates); repeatable
    #[arg(long, value_name = "FILE")]
    pub cert: Vec<PathBuf>,

    /// Certificate revocation lists; repeatable
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,

    /// Require a current CRL for every certificate of the path but the root
    #[arg(long)]
    pub require_crl: bool,

    /// Expected signer identity, exact
    #[arg(long, value_name = "ID")]
    pub certificate_identity: Option<String>,

    /// Expected signer identity, anchored regular expression
    #[arg(long, value_name = "RE")]
    pub certificate_identity_regexp: Option<String>,

    /// Expected identity issuer, exact
    #[arg(long, value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,

    /// Expected identity issuer, anchored regular expression
    #[arg(long, value_name = "RE")]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Expected attestation predicate type (a URI)
    #[arg(long = "type", value_name = "URI")]
    pub predicate_type: Option<String>,

    #[command(flatten)]
    pub workflow: crate::commands::cosign::GithubWorkflowArgs,

    #[command(flatten)]
    pub slsa: crate::commands::cosign::SlsaArgs,

    /// Require an inclusion proof for every transparency-log entry (Sigstore bundles)
    #[arg(long)]
    pub require_inclusion_proof: bool,

    #[command(flatten)]
    pub enclave: crate::commands::nitro::EnclaveExpectations,

    /// INSECURE: turn on an insecure mode (skip-tlog, skip-sct, allow-expired-cache,
    /// skip-timestamp, allow-debug-enclave), recorded in the report; repeatable
    #[arg(long, value_name = "MODE")]
    pub insecure: Vec<String>,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// A transparency-log receipt for the subject and signature, checked offline with
    /// --log-key
    #[arg(long, value_name = "RECEIPT", requires = "log_key")]
    pub log_receipt: Option<PathBuf>,

    /// The log's verifier key (name+keyid+base64) or a file holding it
    #[arg(long, value_name = "VKEY", requires = "log_receipt")]
    pub log_key: Option<String>,

    /// With no sigstore-trusted-root given and no Sigstore repository in the offline cache,
    /// use the embedded production trusted root (with a warning)
    #[arg(long)]
    pub use_embedded_root: bool,

    /// A request file (JSON, the fields of an evidence-set item; paths relative to it)
    #[arg(long, value_name = "REQ.json", conflicts_with = "set")]
    pub request: Option<PathBuf>,

    /// An evidence set (JSON: many requests; paths relative to it): one report per item and
    /// a summary
    #[arg(long, value_name = "SET.json")]
    pub set: Option<PathBuf>,
}

mod execute;
mod list;
mod plan;
mod set;

use execute::execute;
pub use list::plugins;
use plan::{plan_from_flags, plan_from_json, RequestJson};
use set::run_set;
pub use set::{verify_set, SetItem};

pub fn run(args: &VerifyArgs, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    if let Some(at) = &args.at {
        parse_time(at, "--at")?;
    }
    let cache = crate::commands::cache::cache_dir(g)
        .ok()
        .map(|d| offline_cache::CacheDir::new(&d));
    let cache = cache.as_ref();
    if let Some(set) = &args.set {
        refuse_request_flags(args, "--set")?;
        return run_set(set, args.at.as_deref(), cache);
    }
    if let Some(req) = &args.request {
        refuse_request_flags(args, "--request")?;
        let bytes = read_limited(req, MAX_REQUEST_FILE)?;
        let json: RequestJson = strict_json(&bytes, req)?;
        let field = req.display().to_string();
        if json.name.is_some() {
            return Err(CliError::malformed(
                format!("{field}: name"),
                "a request file has no name (names are for evidence-set items)",
            ));
        }
        if args.at.is_some() && json.at.is_some() {
            return Err(CliError::Usage(format!(
                "--at cannot be used with {field}: the request gives its own verification time"
            )));
        }
        let base = req.parent().unwrap_or(Path::new(""));
        let plan = plan_from_json(&json, base, args.at.as_deref(), None)?;
        return Ok(Outcome::Report(execute(&plan, cache)?));
    }
    let plan = plan_from_flags(args)?;
    Ok(Outcome::Report(execute(&plan, cache)?))
}

/// `--request` and `--set` carry every input: a flag beside them would be ignored, so it is
/// refused.
fn refuse_request_flags(args: &VerifyArgs, with: &str) -> Result<(), CliError> {
    let given = [
        ("--manifest", args.manifest.is_some()),
        ("--digest", args.digest.is_some()),
        ("--signature", args.signature.is_some()),
        ("--root", !args.root.is_empty()),
        ("--cert", !args.cert.is_empty()),
        ("--crl", !args.crl.is_empty()),
        ("--require-crl", args.require_crl),
        (
            "--certificate-identity",
            args.certificate_identity.is_some(),
        ),
        (
            "--certificate-identity-regexp",
            args.certificate_identity_regexp.is_some(),
        ),
        (
            "--certificate-oidc-issuer",
            args.certificate_oidc_issuer.is_some(),
        ),
        (
            "--certificate-oidc-issuer-regexp",
            args.certificate_oidc_issuer_regexp.is_some(),
        ),
        ("--type", args.predicate_type.is_some()),
        (
            "--certificate-github-workflow-*",
            !args.workflow.claims().is_empty(),
        ),
        ("--builder-id/--source-*", !args.slsa.fields().is_empty()),
        ("--require-inclusion-proof", args.require_inclusion_proof),
        ("--pcr", !args.enclave.pcr.is_empty()),
        ("--measurements", args.enclave.measurements.is_some()),
        ("--nonce", args.enclave.nonce.is_some()),
        ("--user-data", args.enclave.user_data.is_some()),
        ("--public-key", args.enclave.public_key.is_some()),
        ("--max-age", args.enclave.max_age.is_some()),
        ("--insecure", !args.insecure.is_empty()),
        ("--log-receipt", args.log_receipt.is_some()),
        ("--use-embedded-root", args.use_embedded_root),
    ];
    match given.iter().find(|(_, set)| *set) {
        Some((flag, _)) => Err(CliError::Usage(format!(
            "{flag} cannot be used with {with}: the file carries every input"
        ))),
        None => Ok(()),
    }
}

fn strict_json<T: for<'de> Deserialize<'de> + 'static>(
    bytes: &[u8],
    path: &Path,
) -> Result<T, CliError> {
    plugin_api::json::from_slice(bytes)
        .map_err(|e| CliError::malformed(path.display().to_string(), e))
}

/// Verifies the request file at `path`, whose subject must be the file `subject`, and returns
/// the report with the subject's bytes as the plugin read them (so what is used afterwards is
/// exactly what was verified).
pub fn verify_request_of(
    path: &Path,
    subject: &Path,
    cli_at: Option<&str>,
    cache: Option<&offline_cache::CacheDir>,
) -> Result<(Report, Vec<u8>), CliError> {
    let bytes = read_limited(path, MAX_REQUEST_FILE)?;
    let json: RequestJson = strict_json(&bytes, path)?;
    let field = path.display().to_string();
    // The request's own time, if it gives one; else the caller's.
    let cli_at = if json.at.is_some() { None } else { cli_at };
    let base = path.parent().unwrap_or(Path::new(""));
    let plan = plan_from_json(&json, base, cli_at, None)?;
    let same = match (&plan.subject, std::fs::canonicalize(subject)) {
        (Some(p), Ok(want)) => std::fs::canonicalize(p).is_ok_and(|got| got == want),
        _ => false,
    };
    if !same {
        return Err(CliError::Usage(format!(
            "{field}: its subject must be {} (the file it vouches for)",
            subject.display()
        )));
    }
    let own = plan.cache_dir.as_ref().map(offline_cache::CacheDir::new);
    let (report, inputs) = execute::execute_keeping_subject(&plan, own.as_ref().or(cache))?;
    Ok((report, inputs.subject.unwrap_or_default()))
}

/// RFC 3339 or Unix seconds.
pub(crate) fn parse_time(text: &str, field: &str) -> Result<VerificationTime, CliError> {
    VerificationTime::parse(text).ok_or_else(|| {
        CliError::malformed(
            field,
            format!("{text:?} is neither RFC 3339 (2026-06-01T00:00:00Z) nor Unix seconds, from 1970 to 9999-12-31T23:59:59Z"),
        )
    })
}

/// The time given, or the clock (and `true`: the time is the clock's).
fn time_or_now(at: Option<&str>, field: &str) -> Result<(VerificationTime, bool), CliError> {
    match at {
        Some(t) => Ok((parse_time(t, field)?, false)),
        None => Ok((crate::commands::now()?, true)),
    }
}
