//! `prov-verify cosign ...`: Sigstore bundles and cosign signatures.
//!
//! `verify-blob` reads the inputs, reads the clock once (or takes `--at`), and calls the pure
//! `plugin_cosign::verify`.

use crate::commands::Outcome;
use crate::error::CliError;
use clap::{Args, Subcommand};
use plugin_api::{Insecure, VerificationTime};
use plugin_cosign::{verify, Artifact, IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest bundle, trusted root or key file read.
const MAX_INPUT_FILE: u64 = 16 * 1024 * 1024;
/// Largest artifact read into memory.
const MAX_ARTIFACT: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum CosignCommand {
    /// Verify a blob (or its sha256 digest) against a Sigstore bundle, offline
    VerifyBlob(VerifyBlobArgs),
}

#[derive(Debug, Args)]
pub struct VerifyBlobArgs {
    /// The artifact file, or `sha256:` and 64 hex digits
    #[arg(value_name = "ARTIFACT")]
    pub artifact: String,

    /// The Sigstore bundle (JSON)
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,

    /// Trusted root (Sigstore TrustedRoot JSON). Default: `trusted_root.json` of the `sigstore`
    /// repository in the offline cache, re-verified against its TUF metadata at the
    /// verification time (an expired or tampered cache fails; nothing is fetched)
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

    /// Verify with this PEM public key instead of a Fulcio certificate
    #[arg(long, value_name = "PEM", conflicts_with_all = ["certificate_identity", "certificate_identity_regexp", "certificate_oidc_issuer", "certificate_oidc_issuer_regexp"])]
    pub key: Option<PathBuf>,

    /// Expected certificate SAN (exact)
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "certificate_identity_regexp"
    )]
    pub certificate_identity: Option<String>,

    /// Expected certificate SAN (regexp, anchored at both ends)
    #[arg(long, value_name = "RE")]
    pub certificate_identity_regexp: Option<String>,

    /// Expected OIDC issuer (exact)
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "certificate_oidc_issuer_regexp"
    )]
    pub certificate_oidc_issuer: Option<String>,

    /// Expected OIDC issuer (regexp, anchored at both ends)
    #[arg(long, value_name = "RE")]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Verification time (Unix seconds); default: now
    #[arg(long, value_name = "SECONDS")]
    pub at: Option<u64>,

    /// INSECURE: accept bundles whose RFC 3161 timestamps are not verified
    #[arg(long)]
    pub insecure_skip_timestamp: bool,

    /// INSECURE: accept an expired offline cache for the default trusted root (recorded in the
    /// report, with a warning)
    #[arg(long, conflicts_with = "trusted_root")]
    pub allow_expired_cache: bool,
}

pub fn run(cmd: &CosignCommand, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        CosignCommand::VerifyBlob(args) => verify_blob(args, g),
    }
}

/// The TUF repository in the offline cache whose `trusted_root.json` is the default root.
const SIGSTORE_REPO: &str = "sigstore";

/// The trusted root: the file given, or the one the offline cache holds, verified now. A cache
/// that does not verify ends the command with the cache's own report (which names the failed
/// TUF check); it is never refreshed here.
fn trusted_root_bytes(
    given: Option<&Path>,
    g: &crate::cli::GlobalArgs,
    time: VerificationTime,
    insecure: &[Insecure],
) -> Result<Result<Vec<u8>, plugin_api::Report>, CliError> {
    if let Some(path) = given {
        return read_limited(path, MAX_INPUT_FILE).map(Ok);
    }
    let dir = crate::commands::cache::cache_dir(g)?;
    let cache = offline_cache::CacheDir::new(&dir);
    match offline_cache::trusted_root(&cache, SIGSTORE_REPO, time, insecure) {
        Ok(Ok(file)) => {
            tracing::info!(cache = %dir.display(), "trusted root from the offline cache");
            Ok(Ok(file.bytes))
        }
        Ok(Err(report)) => Ok(Err(report)),
        Err(e) => Err(CliError::Usage(format!(
            "no --trusted-root given and none usable in the offline cache: {e}"
        ))),
    }
}

fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, CliError> {
    let file = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
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

fn matcher(
    flag: &str,
    exact: Option<&String>,
    regexp: Option<&String>,
) -> Result<Matcher, CliError> {
    match (exact, regexp) {
        (Some(e), None) => Ok(Matcher::Exact(e.clone())),
        (None, Some(r)) => Matcher::regex(r).map_err(|e| CliError::malformed(flag, e.to_string())),
        _ => Err(CliError::Usage(format!(
            "give --{flag} or --{flag}-regexp (or --key)"
        ))),
    }
}

fn verify_blob(a: &VerifyBlobArgs, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    let time = match a.at {
        Some(t) => VerificationTime::from_unix_seconds(t),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| VerificationTime::from_unix_seconds(d.as_secs()))
            .map_err(|e| CliError::Internal(format!("system clock before 1970: {e}")))?,
    };
    let mut insecure: Vec<Insecure> = Vec::new();
    if a.insecure_skip_timestamp {
        insecure.push(Insecure::SkipTimestamp);
    }
    if a.allow_expired_cache {
        insecure.push(Insecure::AllowExpiredCache);
    }
    let bundle = read_limited(&a.bundle, MAX_INPUT_FILE)?;
    let root_bytes = match trusted_root_bytes(a.trusted_root.as_deref(), g, time, &insecure)? {
        Ok(bytes) => bytes,
        Err(cache_report) => return Ok(Outcome::Report(cache_report)),
    };
    let root_name = a
        .trusted_root
        .as_ref()
        .map_or("trusted_root.json (offline cache)".to_string(), |p| {
            p.display().to_string()
        });
    let root = TrustedRoot::from_json(&root_bytes)
        .map_err(|e| CliError::malformed(root_name, e.to_string()))?;
    let artifact_bytes;
    let artifact = if let Some(h) = a.artifact.strip_prefix("sha256:") {
        let d = hex::decode(h)
            .ok()
            .and_then(|r| <[u8; 32]>::try_from(r.as_slice()).ok())
            .ok_or_else(|| CliError::malformed("ARTIFACT", "sha256: needs 64 hex digits"))?;
        Artifact::Sha256Digest(d)
    } else {
        artifact_bytes = read_limited(Path::new(&a.artifact), MAX_ARTIFACT)?;
        Artifact::Bytes(&artifact_bytes)
    };
    let key;
    let policy;
    let signer = if let Some(k) = &a.key {
        key = PublicKey::from_pem(&read_limited(k, MAX_INPUT_FILE)?)
            .map_err(|e| CliError::malformed(k.display().to_string(), e.to_string()))?;
        Signer::Key(&key)
    } else {
        policy = IdentityPolicy {
            san: matcher(
                "certificate-identity",
                a.certificate_identity.as_ref(),
                a.certificate_identity_regexp.as_ref(),
            )?,
            issuer: matcher(
                "certificate-oidc-issuer",
                a.certificate_oidc_issuer.as_ref(),
                a.certificate_oidc_issuer_regexp.as_ref(),
            )?,
        };
        Signer::Keyless(&policy)
    };
    Ok(Outcome::Report(verify(
        &bundle, &root, artifact, signer, time, &insecure,
    )))
}
