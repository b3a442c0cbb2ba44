//! `prov-verify cosign ...`: Sigstore bundles and cosign signatures.
//!
//! `verify-blob` and `verify-blob-attestation` read the inputs, read the clock once (or take
//! `--at`), and call the pure `plugin_cosign::verify`; `--batch` runs many requests against
//! one trusted root, in parallel, reporting in input order, through
//! `plugin_cosign::verify_with_memo` (the trusted CA chain's signatures are verified once per
//! batch). `--log-receipt`/`--log-key` add the `cosign.log.receipt` and `cosign.log.entry`
//! checks of a transparency-log receipt for the artifact and bundle file. See
//! `docs/cosign.md`.

mod batch;
mod detached;
mod image;

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_limited;
use clap::{Args, Subcommand};
use plugin_api::{
    Digest, DigestAlgorithm, Insecure, Policy, Report, Signature, Subject, TrustRoot,
    TrustRootKind, TrustRoots, VerificationTime, VerifyRequest,
};
use plugin_cosign::{
    embedded, predicate_type_uri, CosignPlugin, IdentityPolicy, Matcher, TrustedRoot,
};
use plugin_cosign::{SignerFields, SignerSpec};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest bundle, trusted root or key file read.
const MAX_INPUT_FILE: u64 = 16 * 1024 * 1024;
/// Largest artifact read into memory.
const MAX_ARTIFACT: u64 = 1024 * 1024 * 1024;

/// Check id of the predicate-type check of `verify-blob-attestation`.
/// Check id: the `--log-receipt` verifies with the `--log-key`.
/// Check id: the receipt's log entry records this artifact and bundle file.

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum CosignCommand {
    /// Verify a blob (or its sha256 digest) against a Sigstore bundle, offline
    VerifyBlob(Box<VerifyBlobArgs>),
    /// Verify an in-toto attestation (DSSE bundle) about a blob, and its predicate type
    VerifyBlobAttestation(Box<VerifyBlobAttestationArgs>),
    /// Verify a container image's signatures from an OCI image layout, offline: cosign's
    /// `.sig` tags (or `cosign save` layouts) and OCI 1.1 referrers carrying Sigstore bundles
    Verify(Box<image::VerifyImageArgs>),
    /// Verify a container image's attestations from an OCI image layout, offline: cosign's
    /// `.att` tags and OCI 1.1 referrers carrying Sigstore bundles
    VerifyAttestation(Box<image::VerifyImageAttestationArgs>),
}

#[derive(Debug, Args)]
pub struct VerifyBlobArgs {
    /// The artifact file, or its digest: `sha256:` and 64 hex digits (`sha384:`, `sha512:` for
    /// attestations whose statement names the artifact by that digest)
    #[arg(value_name = "ARTIFACT", required_unless_present = "batch")]
    pub artifact: Option<String>,

    /// The Sigstore bundle (JSON)
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present_any = ["batch", "signature"],
        conflicts_with = "signature"
    )]
    pub bundle: Option<PathBuf>,

    /// A detached signature over the artifact (base64, as `cosign sign-blob
    /// --output-signature` writes it) instead of a bundle; with --key or --certificate. It
    /// carries no log entry and no timestamp: offline it verifies only with
    /// --insecure-ignore-tlog (and, for --key, --insecure-skip-timestamp)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["batch", "log_receipt"])]
    pub signature: Option<PathBuf>,

    /// The signing certificate for --signature (PEM, or base64 of PEM as `cosign sign-blob
    /// --output-certificate` writes it); its chain is built to the trusted root
    #[arg(
        long,
        value_name = "FILE",
        requires = "signature",
        conflicts_with = "key"
    )]
    pub certificate: Option<PathBuf>,

    /// CA certificates for --certificate (PEM): each must be a certificate authority of the
    /// trusted root; the file adds no trust (a certificate not in the trusted root is refused)
    #[arg(long, value_name = "FILE", requires = "certificate")]
    pub certificate_chain: Option<PathBuf>,

    /// Verify every request of a JSON Lines file (one object per line; see docs/cosign.md)
    /// against one trusted root, in parallel; one report per line, in input order
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["artifact", "bundle", "key", "certificate_identity", "certificate_identity_regexp", "certificate_oidc_issuer", "certificate_oidc_issuer_regexp", "certificate_github_workflow_trigger", "certificate_github_workflow_sha", "certificate_github_workflow_name", "certificate_github_workflow_repository", "certificate_github_workflow_ref"])]
    pub batch: Option<PathBuf>,

    /// Trusted root (Sigstore TrustedRoot JSON). Default: `trusted_root.json` of the `sigstore`
    /// repository in the offline cache, re-verified against its TUF metadata at the
    /// verification time (an expired or tampered cache fails; nothing is fetched)
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

    /// When no --trusted-root is given and no Sigstore repository is cached at all, use the
    /// Sigstore production trusted root compiled into this binary (a dated snapshot that may
    /// be stale; recorded in the report as a warning with its age). A cached repository that
    /// is damaged or does not verify is an error, never replaced by this root
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

    /// Expected certificate SAN (regexp). Anchored at both ends: the pattern applied is
    /// `^(?:RE)$`, so it must match the whole SAN (cosign searches for RE anywhere in it)
    #[arg(long, value_name = "RE")]
    pub certificate_identity_regexp: Option<String>,

    /// Expected OIDC issuer (exact)
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "certificate_oidc_issuer_regexp"
    )]
    pub certificate_oidc_issuer: Option<String>,

    /// Expected OIDC issuer (regexp). Anchored at both ends like
    /// --certificate-identity-regexp: `^(?:RE)$` must match the whole issuer
    #[arg(long, value_name = "RE")]
    pub certificate_oidc_issuer_regexp: Option<String>,

    #[command(flatten)]
    pub workflow: GithubWorkflowArgs,

    /// Require an inclusion proof for every transparency-log entry: refuse a v0.1 bundle that
    /// carries only the log's signed promise (SET), which is otherwise accepted with a warning
    #[arg(long)]
    pub require_inclusion_proof: bool,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// INSECURE: do not read or require the bundle's transparency-log entries (no log
    /// inclusion, no log time); recorded in the report and printed as a warning
    #[arg(long)]
    pub insecure_ignore_tlog: bool,

    /// INSECURE: do not verify the signing certificate's signed certificate timestamps
    /// (certificate transparency); recorded in the report and printed as a warning
    #[arg(long, conflicts_with = "key")]
    pub insecure_ignore_sct: bool,

    /// INSECURE: accept a key-signed bundle that has no verified signing time (no SET, no
    /// RFC 3161 timestamp). Timestamps that are present are still verified, and keyless
    /// certificates always need a verified signing time
    #[arg(long)]
    pub insecure_skip_timestamp: bool,

    /// INSECURE: accept an expired offline cache for the default trusted root (recorded in the
    /// report, with a warning)
    #[arg(long, conflicts_with = "trusted_root")]
    pub allow_expired_cache: bool,

    /// A transparency-log receipt (`log append --manifest ARTIFACT --signature BUNDLE`, then
    /// `log receipt`) recording this artifact and bundle file, checked offline with --log-key
    #[arg(
        long,
        value_name = "RECEIPT",
        requires = "log_key",
        conflicts_with = "batch"
    )]
    pub log_receipt: Option<PathBuf>,

    /// The log's verifier key (name+keyid+base64) or a file holding it
    #[arg(
        long,
        value_name = "VKEY",
        requires = "log_receipt",
        conflicts_with = "batch"
    )]
    pub log_key: Option<String>,
}

// cosign's `--certificate-github-workflow-*` flags: expected GitHub workflow claims of the
// signing certificate (Fulcio's v1 extensions 1.3.6.1.4.1.57264.1.2 to .6), compared exactly.
// Keyless only: refused with a key.
#[derive(Debug, Args, Default, Clone)]
pub struct GithubWorkflowArgs {
    /// Expected GitHub workflow trigger of the certificate (Fulcio extension .1.2), exact
    #[arg(long, value_name = "EVENT")]
    pub certificate_github_workflow_trigger: Option<String>,

    /// Expected GitHub workflow commit SHA of the certificate (extension .1.3), exact
    #[arg(long, value_name = "SHA")]
    pub certificate_github_workflow_sha: Option<String>,

    /// Expected GitHub workflow name of the certificate (extension .1.4), exact
    #[arg(long, value_name = "NAME")]
    pub certificate_github_workflow_name: Option<String>,

    /// Expected GitHub workflow repository of the certificate (extension .1.5, `owner/repo`),
    /// exact
    #[arg(long, value_name = "OWNER/REPO")]
    pub certificate_github_workflow_repository: Option<String>,

    /// Expected GitHub workflow ref of the certificate (extension .1.6, `refs/tags/v1.0.0`),
    /// exact
    #[arg(long, value_name = "REF")]
    pub certificate_github_workflow_ref: Option<String>,
}

impl GithubWorkflowArgs {
    /// The claims given, by the policy's claim names.
    pub fn claims(&self) -> Vec<(&'static str, String)> {
        [
            ("trigger", &self.certificate_github_workflow_trigger),
            ("sha", &self.certificate_github_workflow_sha),
            ("name", &self.certificate_github_workflow_name),
            ("repository", &self.certificate_github_workflow_repository),
            ("ref", &self.certificate_github_workflow_ref),
        ]
        .into_iter()
        .filter_map(|(claim, v)| v.clone().map(|v| (claim, v)))
        .collect()
    }
}

#[derive(Debug, Args)]
pub struct VerifyBlobAttestationArgs {
    #[command(flatten)]
    pub blob: VerifyBlobArgs,

    /// Expected predicate type: a URI, or a cosign short name (slsaprovenance,
    /// slsaprovenance02, slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln, openvex,
    /// custom). With --batch, the default for lines without a `type`
    #[arg(long = "type", value_name = "URI", default_value = "custom")]
    pub predicate_type: String,

    #[command(flatten)]
    pub slsa: SlsaArgs,
}

// slsa-verifier's provenance flags: expectations on a verified SLSA provenance attestation
// (v0.2 or v1 predicate), and on the certificate's source claims where it carries them.
// Not with --batch (refused at run time: a batch line carries its own policy).
#[derive(Debug, Args, Default, Clone)]
pub struct SlsaArgs {
    /// Expected builder id of the SLSA provenance (`runDetails.builder.id`, v0.2
    /// `builder.id`): `ID` matches any version of that builder, `ID@REF` exactly
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,

    /// Expected source repository of the SLSA provenance (`github.com/OWNER/REPO`; a scheme,
    /// `git+` and `.git` are ignored), and of the certificate's source claim when present
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,

    /// Expected source tag the provenance was built from (`v1.2.3` or `refs/tags/v1.2.3`)
    #[arg(long, value_name = "TAG", conflicts_with = "source_branch")]
    pub source_tag: Option<String>,

    /// Expected source branch the provenance was built from (`main` or `refs/heads/main`)
    #[arg(long, value_name = "BRANCH")]
    pub source_branch: Option<String>,
}

impl SlsaArgs {
    /// The expectations given, by the policy's field names.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        [
            ("builder-id", &self.builder_id),
            ("source-uri", &self.source_uri),
            ("source-tag", &self.source_tag),
            ("source-branch", &self.source_branch),
        ]
        .into_iter()
        .filter_map(|(field, v)| v.clone().map(|v| (field, v)))
        .collect()
    }
}

pub fn run(cmd: &CosignCommand, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        CosignCommand::VerifyBlob(args) => verify_blob(args, None, &[], g),
        CosignCommand::Verify(args) => image::run(args, None, g),
        CosignCommand::VerifyAttestation(args) => {
            image::run(&args.image, Some(args.predicate_type.as_deref()), g)
        }
        CosignCommand::VerifyBlobAttestation(args) => {
            // cosign's detached attestation is a DSSE envelope, not a message signature: the
            // detached form applies to blobs only (an attestation is verified from its bundle).
            if args.blob.signature.is_some() {
                return Err(CliError::Usage(
                    "--signature is a detached message signature (verify-blob); give the attestation's bundle with --bundle".into(),
                ));
            }
            if args.blob.batch.is_some() && !args.slsa.fields().is_empty() {
                return Err(CliError::Usage(
                    "--builder-id and --source-* apply to one attestation, not to --batch".into(),
                ));
            }
            verify_blob(
                &args.blob,
                Some(Some(args.predicate_type.as_str())),
                &args.slsa.fields(),
                g,
            )
        }
    }
}

/// The TUF repository in the offline cache whose `trusted_root.json` is the default root.
const SIGSTORE_REPO: &str = "sigstore";

/// Where the trusted root came from.
pub(crate) enum RootSource {
    File,
    Cache,
    Embedded,
}

/// The trusted root: the file given, else the one the offline cache holds (verified now), else
/// — only with `--use-embedded-root`, and only when no `sigstore` repository is cached at all
/// — the embedded one. A cache that does not verify ends the command with the cache's own
/// report (which names the failed TUF check); a cache that cannot be read (damaged state, a
/// missing file, no `trusted_root.json` target, an I/O error) ends it with an error naming
/// the problem (exit 2). Neither is ever refreshed here, nor replaced by the embedded root.
fn trusted_root(
    a: &VerifyBlobArgs,
    g: &crate::cli::GlobalArgs,
    time: VerificationTime,
    insecure: &[Insecure],
    plugin: &CosignPlugin,
) -> Result<Result<(RootInput, RootSource), Report>, CliError> {
    sigstore_root(
        a.trusted_root.as_deref(),
        a.use_embedded_root,
        crate::commands::cache::cache_dir(g),
        time,
        insecure,
        Some(plugin),
    )
}

/// [`trusted_root`] for any caller: the file given, else the offline cache's (verified at
/// `time`), else — only with `use_embedded`, and only when no repository is cached — the
/// embedded one. `Ok(Err(report))`: the cache did not verify (its report names the check).
/// Parsed by `plugin` when given (the plugin that then verifies the requests).
pub(crate) fn sigstore_root(
    trusted_root: Option<&Path>,
    use_embedded: bool,
    cache_dir: Result<PathBuf, CliError>,
    time: VerificationTime,
    insecure: &[Insecure],
    plugin: Option<&CosignPlugin>,
) -> Result<Result<(RootInput, RootSource), Report>, CliError> {
    if let Some(path) = trusted_root {
        let bytes = read_limited(path, MAX_INPUT_FILE)?;
        return Ok(Ok((
            RootInput::checked(path.display().to_string(), bytes, plugin)?,
            RootSource::File,
        )));
    }
    let embedded = |reason: &dyn std::fmt::Display| -> Result<RootInput, CliError> {
        tracing::info!(%reason, "no Sigstore repository in the offline cache; using the embedded trusted root");
        RootInput::parse(
            "embedded trusted root".into(),
            embedded::PRODUCTION_TRUSTED_ROOT_JSON.to_vec(),
            plugin,
        )
        .map_err(|(_, e)| CliError::Internal(format!("embedded trusted root does not parse: {e}")))
    };
    let dir = match cache_dir {
        Ok(dir) => dir,
        // No cache directory at all: nothing is cached.
        Err(e) if use_embedded => return Ok(Ok((embedded(&e)?, RootSource::Embedded))),
        Err(e) => {
            return Err(CliError::Usage(format!(
                "no --trusted-root given and no offline cache: {e}"
            )))
        }
    };
    let cache = offline_cache::CacheDir::new(&dir);
    let bytes = match offline_cache::trusted_root(&cache, SIGSTORE_REPO, time, insecure) {
        Ok(Ok(file)) => {
            tracing::info!(cache = %dir.display(), "trusted root from the offline cache");
            file.bytes
        }
        Ok(Err(report)) => return Ok(Err(report)),
        // The only case the embedded root may stand in for: no repository is cached.
        Err(e @ offline_cache::Error::NotCached { .. }) if use_embedded => {
            return Ok(Ok((embedded(&e)?, RootSource::Embedded)))
        }
        Err(e @ offline_cache::Error::NotCached { .. }) => {
            return Err(CliError::Usage(format!(
                "no --trusted-root given and none usable in the offline cache: {e}"
            )))
        }
        Err(e) => {
            return Err(CliError::malformed(
                format!("offline cache {}", dir.display()),
                format!(
                    "{e}; the cached Sigstore repository cannot be used, and a damaged or incomplete cache is never replaced by another root (remove the repository from the cache, then warm or import it again)"
                ),
            ))
        }
    };
    Ok(Ok((
        RootInput::checked("trusted_root.json (offline cache)".into(), bytes, plugin)?,
        RootSource::Cache,
    )))
}

/// The trusted root's bytes and its name for messages, parsed once here (so that a bad root
/// ends the command before any request, as for a batch), then given to the plugin. Parsed by
/// the plugin that verifies the requests when the caller has it (it keeps the parse for the
/// requests that give these bytes), else with the default limits as that plugin would.
pub(crate) struct RootInput {
    pub(crate) name: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) parsed: Arc<TrustedRoot>,
}

impl RootInput {
    fn parse(
        name: String,
        bytes: Vec<u8>,
        plugin: Option<&CosignPlugin>,
    ) -> Result<Self, (String, plugin_cosign::ParseError)> {
        let parsed = match plugin {
            Some(p) => p.load_trusted_root(&bytes),
            None => TrustedRoot::from_json(&bytes).map(Arc::new),
        };
        match parsed {
            Ok(parsed) => Ok(RootInput {
                name,
                bytes,
                parsed,
            }),
            Err(e) => Err((name, e)),
        }
    }

    fn checked(
        name: String,
        bytes: Vec<u8>,
        plugin: Option<&CosignPlugin>,
    ) -> Result<Self, CliError> {
        Self::parse(name, bytes, plugin)
            .map_err(|(name, e)| CliError::malformed(&name, e.to_string()))
    }
}

/// The signer rules, shared with batch lines ([`plugin_cosign::SignerFields`]); a refusal is a
/// usage error.
pub(crate) fn signer_spec(fields: SignerFields<PathBuf>) -> Result<SignerSpec<PathBuf>, CliError> {
    fields.parse().map_err(|e| CliError::Usage(e.to_string()))
}

/// One verification request, from the command line or a batch line. Paths are resolved.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    artifact: String,
    bundle: BundleSource,
    signer: SignerSpec<PathBuf>,
    /// Expected GitHub workflow claims (`trigger`, `sha`, ...), keyless only.
    github_workflow: Vec<(&'static str, String)>,
    /// Expected SLSA provenance fields (`builder-id`, `source-uri`, ...), attestations only.
    slsa: Vec<(&'static str, String)>,
    /// Expected predicate type URI (attestations only).
    predicate_type: Option<String>,
    /// A transparency-log receipt for the artifact and bundle file, and the log's key.
    log_receipt: Option<crate::commands::x509::ReceiptInputs>,
}

/// Where the signature comes from: a bundle file, or a detached signature (and certificate).
#[derive(Debug, Clone)]
pub(crate) enum BundleSource {
    /// A Sigstore bundle file.
    File(PathBuf),
    /// `--signature` (and `--certificate`, `--certificate-chain`).
    Detached {
        signature: PathBuf,
        certificate: Option<PathBuf>,
        chain: Option<PathBuf>,
    },
}

/// What every request of one run shares.
pub(crate) struct Context {
    root: RootInput,
    source: RootSource,
    time: VerificationTime,
    insecure: Vec<Insecure>,
    /// `--require-inclusion-proof`, for every request of the run.
    require_inclusion_proof: bool,
    /// The plugin; for a batch, with a memo of verified CA-chain signatures shared by the
    /// requests.
    plugin: CosignPlugin,
}

/// Verifies one request through the `cosign` plugin (with the transparency-log runner when a
/// receipt is given), adding the embedded-root warning. `Err` is an input error (unreadable
/// file, bad digest or key): no verdict.
pub(crate) fn verify_request(r: &Request, ctx: &Context) -> Result<Report, CliError> {
    let (bundle, bundle_name) = match &r.bundle {
        BundleSource::File(path) => (
            read_limited(path, MAX_INPUT_FILE)?,
            format!("--bundle {}", path.display()),
        ),
        BundleSource::Detached {
            signature,
            certificate,
            chain,
        } => (
            detached::bundle(
                signature,
                certificate.as_deref(),
                chain.as_deref(),
                &r.artifact,
                &ctx.root,
            )?,
            format!("--signature {}", signature.display()),
        ),
    };
    let artifact_bytes;
    let digest;
    let subject = if let Some((alg, h)) = artifact_digest(&r.artifact) {
        digest = hex::decode(h)
            .ok()
            .filter(|d| d.len() == alg.digest_len())
            .ok_or_else(|| {
                CliError::malformed(
                    "ARTIFACT",
                    format!("{}: needs {} hex digits", alg.name(), 2 * alg.digest_len()),
                )
            })?;
        Subject::Digest(
            Digest::new(alg, &digest).map_err(|e| CliError::from(plugin_api::Error::from(e)))?,
        )
    } else {
        artifact_bytes = read_limited(Path::new(&r.artifact), MAX_ARTIFACT)?;
        Subject::Bytes(&artifact_bytes)
    };
    let mut roots = TrustRoots::new().with(TrustRoot::new(
        TrustRootKind::SigstoreTrustedRoot,
        ctx.root.name.clone(),
        ctx.root.bytes.clone(),
    ));
    let mut policy = Policy::new();
    match &r.signer {
        SignerSpec::Key(k) => roots.push(TrustRoot::new(
            TrustRootKind::PublicKey,
            k.display().to_string(),
            read_limited(k, MAX_INPUT_FILE)?,
        )),
        SignerSpec::Keyless(p) => policy = identity_policy(policy, p),
    }
    if let Some(t) = &r.predicate_type {
        policy = policy.with_predicate_type(t.clone());
    }
    for (claim, value) in &r.github_workflow {
        policy = policy.with_github_workflow(*claim, value.clone());
    }
    for (field, value) in &r.slsa {
        policy = policy.with_slsa(*field, value.clone());
    }
    if ctx.require_inclusion_proof {
        policy = policy.with_required_inclusion_proof();
    }
    let signature = Signature::new(&bundle).with_name(&bundle_name);
    let request = VerifyRequest::new(subject, signature, &roots, ctx.time)
        .with_subject_name(&r.artifact)
        .with_policy(&policy)
        .with_insecure(&ctx.insecure);
    let request = match &r.log_receipt {
        Some(lr) => request.with_log_receipt(lr.as_request()),
        None => request,
    };
    let mut report = tlog::run_plugin_with_receipt(&ctx.plugin, &request)?;
    if matches!(r.bundle, BundleSource::Detached { .. })
        && !ctx.insecure.contains(&Insecure::SkipTlog)
    {
        report = report.amend(Report::builder(plugin_cosign::PLUGIN).warning(
            "a detached signature carries no transparency-log entry: offline it verifies only with a bundle, or with --insecure-ignore-tlog",
        ));
    }
    Ok(amend(report, ctx))
}

/// `sha256:HEX`, `sha384:HEX` or `sha512:HEX` given for the artifact: its algorithm and hex.
pub(crate) fn artifact_digest(artifact: &str) -> Option<(DigestAlgorithm, &str)> {
    [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ]
    .into_iter()
    .find_map(|alg| {
        artifact
            .strip_prefix(alg.name())
            .and_then(|r| r.strip_prefix(':'))
            .map(|h| (alg, h))
    })
}

/// The keyless identity expectations as policy fields.
fn identity_policy(mut policy: Policy, p: &IdentityPolicy) -> Policy {
    policy = match &p.san {
        Matcher::Exact(s) => policy.with_identity(s.clone()),
        _ => policy.with_identity_regexp(p.san.source().to_owned()),
    };
    match &p.issuer {
        Matcher::Exact(s) => policy.with_issuer(s.clone()),
        _ => policy.with_issuer_regexp(p.issuer.source().to_owned()),
    }
}

/// Adds what the CLI checks and shows on top of the plugin's report.
/// The embedded-root warning (a trust-loading concern of this command, not the plugin's).
fn amend(report: Report, ctx: &Context) -> Report {
    embedded_root_warning(report, &ctx.source, ctx.time)
}

/// Adds the embedded-root warning when the trusted root is the compiled-in one.
pub(crate) fn embedded_root_warning(
    report: Report,
    source: &RootSource,
    time: VerificationTime,
) -> Report {
    let mut extra = Report::builder(plugin_cosign::PLUGIN);
    if let RootSource::Embedded = source {
        let at = i64::try_from(time.unix_seconds()).unwrap_or(i64::MAX);
        extra = extra.warning(format!(
            "trusted root: {} (offline use only; prefer the TUF-verified cache: prov-verify cache warm)",
            embedded::description(at)
        ));
    }
    report.amend(extra)
}

fn verify_blob(
    a: &VerifyBlobArgs,
    predicate_type: Option<Option<&str>>,
    slsa: &[(&'static str, String)],
    g: &crate::cli::GlobalArgs,
) -> Result<Outcome, CliError> {
    let time = match &a.at {
        Some(t) => crate::commands::verify::parse_time(t, "--at")?,
        None => crate::commands::now()?,
    };
    // A detached signature needs its signer: a key, or the certificate that carries the key.
    if a.signature.is_some() && a.key.is_none() && a.certificate.is_none() {
        return Err(CliError::Usage(
            "--signature needs --key, or --certificate (with the identity flags)".into(),
        ));
    }
    let mut insecure: Vec<Insecure> = Vec::new();
    if a.insecure_skip_timestamp {
        insecure.push(Insecure::SkipTimestamp);
    }
    if a.allow_expired_cache {
        insecure.push(Insecure::AllowExpiredCache);
    }
    if a.insecure_ignore_tlog {
        insecure.push(Insecure::SkipTlog);
    }
    if a.insecure_ignore_sct {
        insecure.push(Insecure::SkipSct);
    }
    let expected_type = match predicate_type {
        Some(Some(t)) => Some(predicate_type_uri(t).map_err(|e| CliError::malformed("--type", e))?),
        _ => None,
    };
    let log_receipt =
        crate::commands::x509::log_receipt_inputs(a.log_receipt.as_deref(), a.log_key.as_deref())?;
    // The batch file is read before the trusted root: an unreadable file is an input error.
    let batch_lines = match &a.batch {
        Some(file) => Some(batch::read(file)?),
        None => None,
    };
    let plugin = if a.batch.is_some() {
        CosignPlugin::with_memo()
    } else {
        CosignPlugin::new()
    };
    let (root, source) = match trusted_root(a, g, time, &insecure, &plugin)? {
        Ok(r) => r,
        Err(cache_report) => return Ok(Outcome::Report(cache_report)),
    };
    let ctx = Context {
        root,
        source,
        time,
        insecure,
        require_inclusion_proof: a.require_inclusion_proof,
        plugin,
    };
    let mode = match predicate_type {
        Some(_) => batch::Mode::Attestation {
            default_type: expected_type.clone(),
        },
        None => batch::Mode::Blob,
    };
    if let (Some(file), Some(lines)) = (&a.batch, batch_lines) {
        return batch::run(file, &lines, &mode, &ctx, g);
    }
    let request = Request {
        artifact: a
            .artifact
            .clone()
            .ok_or_else(|| CliError::Usage("give ARTIFACT (or --batch)".into()))?,
        bundle: match (&a.bundle, &a.signature) {
            (Some(b), None) => BundleSource::File(b.clone()),
            (None, Some(sig)) => BundleSource::Detached {
                signature: sig.clone(),
                certificate: a.certificate.clone(),
                chain: a.certificate_chain.clone(),
            },
            _ => {
                return Err(CliError::Usage(
                    "give --bundle, or --signature (or --batch)".into(),
                ))
            }
        },
        github_workflow: a.workflow.claims(),
        slsa: slsa.to_vec(),
        signer: signer_spec(SignerFields {
            key: a.key.clone(),
            certificate_identity: a.certificate_identity.clone(),
            certificate_identity_regexp: a.certificate_identity_regexp.clone(),
            certificate_oidc_issuer: a.certificate_oidc_issuer.clone(),
            certificate_oidc_issuer_regexp: a.certificate_oidc_issuer_regexp.clone(),
        })?,
        predicate_type: expected_type,
        log_receipt,
    };
    Ok(Outcome::Report(verify_request(&request, &ctx)?))
}
