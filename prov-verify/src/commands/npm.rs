//! `prov-verify npm ...`: npm packages published with provenance, verified offline as
//! `npm audit signatures` verifies them (`plugin_cosign::npm` does the work).

use crate::commands::cosign::sigstore_root;
use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_limited;
use clap::{Args, Subcommand};
use plugin_api::{Report, VerificationTime};
use plugin_cosign::npm::{self, ProvenanceSigner};
use plugin_cosign::{SignerFields, SignerSpec};
use std::path::PathBuf;

/// Largest package tarball read.
const MAX_PACKAGE: u64 = 256 * 1024 * 1024;

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum NpmCommand {
    /// Verify a package tarball against its registry attestations: the npm publish
    /// attestation (registry key) and the SLSA provenance (keyless, built from the package's
    /// own repository), both naming the tarball by SHA-512
    Verify(Box<VerifyArgs>),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The package tarball (`npm pack` output, or the registry's `dist.tarball`)
    #[arg(value_name = "PACKAGE.tgz")]
    pub package: PathBuf,

    /// The registry's attestations document for this version
    /// (`https://registry.npmjs.org/-/npm/v1/attestations/NAME@VERSION`)
    #[arg(long, value_name = "FILE")]
    pub attestations: PathBuf,

    /// The package expected: NAME@VERSION (the tarball's package.json, which the attestations
    /// bind by SHA-512, must name it); without it any package whose attestations verify passes
    #[arg(long, value_name = "NAME@VERSION")]
    pub package_name: Option<String>,

    /// The registry keys: the registry's `/-/npm/v1/keys` document or the Sigstore TUF target
    /// `registry.npmjs.org/keys.json`. Default: that target from the offline cache's Sigstore
    /// repository (cache warm --target registry.npmjs.org/keys.json)
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,

    /// When no --keys is given and no Sigstore repository is cached at all, use the registry
    /// keys compiled into this binary (the TUF target of 2026-08-21; recorded as a warning)
    #[arg(long, conflicts_with = "keys")]
    pub use_embedded_keys: bool,

    /// Trusted root (Sigstore TrustedRoot JSON). Default: the offline cache's, as for cosign
    /// verify-blob
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

    /// When no --trusted-root is given and no Sigstore repository is cached at all, use the
    /// embedded production trusted root (with a warning)
    #[arg(long, conflicts_with = "trusted_root")]
    pub use_embedded_root: bool,

    /// Expected provenance signer (certificate SAN, exact) instead of the default: any GitHub
    /// Actions or GitLab CI workflow whose certificate names the package.json repository as
    /// its source. With --certificate-oidc-issuer(-regexp)
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "certificate_identity_regexp"
    )]
    pub certificate_identity: Option<String>,

    /// Expected provenance signer (SAN), anchored regular expression
    #[arg(long, value_name = "RE")]
    pub certificate_identity_regexp: Option<String>,

    /// Expected provenance OIDC issuer (exact)
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "certificate_oidc_issuer_regexp"
    )]
    pub certificate_oidc_issuer: Option<String>,

    /// Expected provenance OIDC issuer, anchored regular expression
    #[arg(long, value_name = "RE")]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(cmd: &NpmCommand, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        NpmCommand::Verify(a) => verify(a, g),
    }
}

/// Where the registry keys came from.
enum KeySource {
    File,
    Cache,
    Embedded,
}

fn verify(a: &VerifyArgs, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    let time = match &a.at {
        Some(t) => crate::commands::verify::parse_time(t, "--at")?,
        None => crate::commands::now()?,
    };
    let identity = provenance_identity(a)?;
    let package = read_limited(&a.package, MAX_PACKAGE)?;
    let attestations = read_limited(&a.attestations, npm::MAX_ATTESTATIONS_BYTES as u64)?;
    let (keys_json, key_source) = match keys(a, g, time)? {
        Ok(k) => k,
        Err(report) => return Ok(Outcome::Report(report)),
    };
    let keys = npm::parse_keys(&keys_json).map_err(|e| {
        CliError::malformed(
            a.keys
                .as_ref()
                .map_or_else(|| "registry keys".to_owned(), |p| p.display().to_string()),
            e,
        )
    })?;
    let (root, source) = match sigstore_root(
        a.trusted_root.as_deref(),
        a.use_embedded_root,
        crate::commands::cache::cache_dir(g),
        time,
        &[],
        None,
    )? {
        Ok(r) => r,
        Err(cache_report) => return Ok(Outcome::Report(cache_report)),
    };
    let root = root.parsed;
    let signer = match &identity {
        Some(p) => ProvenanceSigner::Identity(p),
        None => ProvenanceSigner::PackageRepository,
    };
    let report = npm::verify(
        &a.package.display().to_string(),
        npm::Inputs {
            package: &package,
            attestations: &attestations,
            keys: &keys,
            root: &root,
            provenance_signer: signer,
            time,
            expected: a.package_name.as_deref(),
        },
    );
    let report = crate::commands::cosign::embedded_root_warning(report, &source, time);
    Ok(Outcome::Report(key_warning(report, &key_source)))
}

/// The provenance identity given, if any (SAN and issuer both, or neither).
fn provenance_identity(a: &VerifyArgs) -> Result<Option<plugin_cosign::IdentityPolicy>, CliError> {
    let given = a.certificate_identity.is_some()
        || a.certificate_identity_regexp.is_some()
        || a.certificate_oidc_issuer.is_some()
        || a.certificate_oidc_issuer_regexp.is_some();
    if !given {
        return Ok(None);
    }
    let spec = SignerFields::<PathBuf> {
        key: None,
        certificate_identity: a.certificate_identity.clone(),
        certificate_identity_regexp: a.certificate_identity_regexp.clone(),
        certificate_oidc_issuer: a.certificate_oidc_issuer.clone(),
        certificate_oidc_issuer_regexp: a.certificate_oidc_issuer_regexp.clone(),
    }
    .parse()
    .map_err(|e| {
        CliError::Usage(format!(
            "the provenance signer: {}",
            e.to_string().replace(" (or --key)", "")
        ))
    })?;
    match spec {
        SignerSpec::Keyless(p) => Ok(Some(p)),
        SignerSpec::Key(_) => Err(CliError::Usage(
            "give the provenance signer's identity and issuer".into(),
        )),
    }
}

/// The registry keys: the file given, else the cached TUF target, else the embedded copy.
/// `Ok(Err(report))`: the cached repository exists but does not verify.
fn keys(
    a: &VerifyArgs,
    g: &crate::cli::GlobalArgs,
    time: VerificationTime,
) -> Result<Result<(Vec<u8>, KeySource), Report>, CliError> {
    if let Some(path) = &a.keys {
        return Ok(Ok((
            read_limited(path, npm::MAX_KEYS_BYTES as u64)?,
            KeySource::File,
        )));
    }
    let embedded = || -> Result<Result<(Vec<u8>, KeySource), Report>, CliError> {
        Ok(Ok((npm::EMBEDDED_KEYS_JSON.to_vec(), KeySource::Embedded)))
    };
    let no_keys = |why: &dyn std::fmt::Display| {
        CliError::Usage(format!(
            "no --keys given and {why}: warm the cache with --target {} (prov-verify cache warm --sigstore --target trusted_root.json --target {}), give --keys, or --use-embedded-keys",
            npm::KEYS_TARGET,
            npm::KEYS_TARGET
        ))
    };
    let dir = match crate::commands::cache::cache_dir(g) {
        Ok(dir) => dir,
        Err(_) if a.use_embedded_keys => return embedded(),
        Err(e) => return Err(no_keys(&e)),
    };
    let cache = offline_cache::CacheDir::new(&dir);
    match offline_cache::verify_cached(&cache, "sigstore", time, &[]) {
        Ok(v) if !v.report.ok() => Ok(Err(v.report)),
        Ok(v) => match v.targets.get(npm::KEYS_TARGET) {
            Some(bytes) => Ok(Ok((bytes.clone(), KeySource::Cache))),
            // A verified repository without the keys is never replaced by another copy.
            None => Err(no_keys(&format!(
                "the cached Sigstore repository ({}) does not hold {}",
                dir.display(),
                npm::KEYS_TARGET
            ))),
        },
        Err(offline_cache::Error::NotCached { .. }) if a.use_embedded_keys => embedded(),
        Err(e @ offline_cache::Error::NotCached { .. }) => Err(no_keys(&e)),
        Err(e) => Err(CliError::malformed(
            format!("offline cache {}", dir.display()),
            format!(
                "{e}; the cached Sigstore repository cannot be used (remove it from the cache, then warm or import it again)"
            ),
        )),
    }
}

fn key_warning(report: Report, source: &KeySource) -> Report {
    let extra = Report::builder(npm::PLUGIN);
    let extra = match source {
        KeySource::Embedded => extra.warning(format!(
            "registry keys: embedded copy of the Sigstore TUF target {} of {} (prefer the TUF-verified cache: prov-verify cache warm --sigstore --target trusted_root.json --target {})",
            npm::KEYS_TARGET,
            npm::EMBEDDED_KEYS_DATE,
            npm::KEYS_TARGET
        )),
        KeySource::File | KeySource::Cache => extra,
    };
    report.amend(extra)
}
