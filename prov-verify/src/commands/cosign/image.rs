//! `cosign verify IMAGE --oci-layout DIR` and `cosign verify-attestation`: container image
//! signatures and attestations read from an OCI image layout, offline
//! (`plugin_cosign::oci` does the work).

use super::{embedded_root_warning, sigstore_root};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_limited;
use clap::Args;
use plugin_api::Insecure;
use plugin_cosign::oci::{self, Mode};
use plugin_cosign::{PublicKey, Signer, SignerFields, SignerSpec};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct VerifyImageArgs {
    /// The image: NAME@sha256:HEX, sha256:HEX, or NAME:TAG / TAG looked up in the layout's
    /// index (`org.opencontainers.image.ref.name`); the digest is what is verified
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// The OCI image layout directory holding the image's signatures (`cosign save --dir`,
    /// `oras copy --to-oci-layout`, `skopeo copy oci:`); no registry is contacted
    #[arg(long, value_name = "DIR")]
    pub oci_layout: PathBuf,

    /// Trusted root (Sigstore TrustedRoot JSON). Default: the offline cache's, as for
    /// verify-blob
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

    /// When no --trusted-root is given and no Sigstore repository is cached at all, use the
    /// embedded production trusted root (with a warning)
    #[arg(long, conflicts_with = "trusted_root")]
    pub use_embedded_root: bool,

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

    /// Expected certificate SAN (anchored regular expression)
    #[arg(long, value_name = "RE")]
    pub certificate_identity_regexp: Option<String>,

    /// Expected OIDC issuer (exact)
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "certificate_oidc_issuer_regexp"
    )]
    pub certificate_oidc_issuer: Option<String>,

    /// Expected OIDC issuer (anchored regular expression)
    #[arg(long, value_name = "RE")]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// INSECURE: do not read or require the signatures' transparency-log entries (recorded in
    /// the report)
    #[arg(long)]
    pub insecure_ignore_tlog: bool,

    /// INSECURE: do not verify the signing certificates' SCTs (recorded in the report)
    #[arg(long, conflicts_with = "key")]
    pub insecure_ignore_sct: bool,
}

#[derive(Debug, Args)]
pub struct VerifyImageAttestationArgs {
    #[command(flatten)]
    pub image: VerifyImageArgs,

    /// Expected predicate type: a URI or a cosign short name (slsaprovenance1, spdxjson, ...);
    /// without it, attestations of any type count
    #[arg(long = "type", value_name = "URI")]
    pub predicate_type: Option<String>,
}

/// The blob `digest` (`sha256:HEX`) of the layout at `dir`, at most `max` bytes.
fn read_blob(dir: &Path, digest: &str, max: u64) -> Result<Vec<u8>, String> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| format!("blob digest {digest:?} is not sha256:HEX"))?;
    read_limited(&dir.join("blobs").join("sha256").join(hex), max).map_err(|e| e.to_string())
}

pub(super) fn run(
    a: &VerifyImageArgs,
    predicate_type: Option<Option<&str>>,
    g: &crate::cli::GlobalArgs,
) -> Result<Outcome, CliError> {
    let time = match &a.at {
        Some(t) => crate::commands::verify::parse_time(t, "--at")?,
        None => crate::commands::now()?,
    };
    let mut insecure = Vec::new();
    if a.insecure_ignore_tlog {
        insecure.push(Insecure::SkipTlog);
    }
    if a.insecure_ignore_sct {
        insecure.push(Insecure::SkipSct);
    }
    let spec = SignerFields::<PathBuf> {
        key: a.key.clone(),
        certificate_identity: a.certificate_identity.clone(),
        certificate_identity_regexp: a.certificate_identity_regexp.clone(),
        certificate_oidc_issuer: a.certificate_oidc_issuer.clone(),
        certificate_oidc_issuer_regexp: a.certificate_oidc_issuer_regexp.clone(),
    }
    .parse()
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let key = match &spec {
        SignerSpec::Key(path) => Some(
            PublicKey::from_pem(&read_limited(
                path,
                plugin_cosign::MAX_KEY_BYTES as u64 * 4,
            )?)
            .map_err(|e| CliError::malformed(path.display().to_string(), e.to_string()))?,
        ),
        SignerSpec::Keyless(_) => None,
    };
    let signer = match (&spec, &key) {
        (SignerSpec::Keyless(p), _) => Signer::Keyless(p),
        (SignerSpec::Key(_), Some(k)) => Signer::Key(k),
        (SignerSpec::Key(_), None) => return Err(CliError::Internal("the key".into())),
    };
    let expected_type = match predicate_type {
        Some(Some(t)) => Some(
            plugin_cosign::predicate_type_uri(t)
                .map_err(|e| CliError::malformed("--type", e.to_string()))?,
        ),
        _ => None,
    };
    let mode = match predicate_type {
        None => Mode::Signatures,
        Some(_) => Mode::Attestations(expected_type.as_deref()),
    };
    let index = read_limited(&a.oci_layout.join("index.json"), oci::MAX_MANIFEST_BYTES)?;
    let (root, source) = match sigstore_root(
        a.trusted_root.as_deref(),
        a.use_embedded_root,
        crate::commands::cache::cache_dir(g),
        time,
        &insecure,
        None,
    )? {
        Ok(r) => r,
        Err(cache_report) => return Ok(Outcome::Report(cache_report)),
    };
    let root = root.parsed;
    let dir = a.oci_layout.clone();
    let blobs = move |digest: &str, max: u64| read_blob(&dir, digest, max);
    let report = oci::verify_image(oci::Inputs {
        index: &index,
        blobs: &blobs,
        image: &a.image,
        root: &root,
        signer,
        time,
        insecure: &insecure,
        mode,
    });
    Ok(Outcome::Report(embedded_root_warning(
        report, &source, time,
    )))
}
