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
    /// manifest-signer-key
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

    /// INSECURE: turn on an insecure mode (skip-tlog, skip-sct, allow-expired-cache,
    /// skip-timestamp), recorded in the report; repeatable
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

/// One request as JSON: an item of an evidence set, or a `--request` file. Paths are
/// relative to the file. Unknown and duplicate members are refused.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestJson {
    /// A name for the item (sets only).
    #[serde(default)]
    name: Option<String>,
    /// The plugin.
    plugin: String,
    /// The subject's bytes (a file).
    #[serde(default)]
    subject: Option<String>,
    /// The subject as `ALG:HEX`.
    #[serde(default)]
    digest: Option<String>,
    /// The signature material (a file).
    #[serde(default)]
    signature: Option<String>,
    /// Its media type.
    #[serde(default)]
    signature_type: Option<String>,
    /// Trust roots.
    #[serde(default)]
    roots: Vec<RootJson>,
    /// Untrusted certificates (files), the signer's first.
    #[serde(default)]
    certs: Vec<String>,
    /// CRLs (files).
    #[serde(default)]
    crls: Vec<String>,
    /// Expectations.
    #[serde(default)]
    policy: PolicyJson,
    /// Insecure modes by name.
    #[serde(default)]
    insecure: Vec<String>,
    /// Verification time (RFC 3339 or Unix seconds as a string).
    #[serde(default)]
    at: Option<String>,
    /// The offline cache directory (the `tuf` plugin reads repositories from it); default:
    /// the set's, else `--cache-dir`.
    #[serde(default)]
    cache_dir: Option<String>,
    /// A transparency-log receipt for the subject and signature.
    #[serde(default)]
    log_receipt: Option<ReceiptJson>,
    /// With no Sigstore trusted root given and none cached, use the embedded one.
    #[serde(default)]
    use_embedded_root: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptJson {
    /// The receipt file.
    receipt: String,
    /// The log's verifier key file.
    key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RootJson {
    kind: String,
    path: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PolicyJson {
    #[serde(default)]
    identity: Option<String>,
    #[serde(default)]
    identity_regexp: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    issuer_regexp: Option<String>,
    #[serde(default)]
    predicate_type: Option<String>,
    #[serde(default)]
    require_revocation: bool,
}

/// An evidence set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetJson {
    version: u32,
    /// Verification time for every item without its own.
    #[serde(default)]
    at: Option<String>,
    /// Offline cache directory for every item without its own.
    #[serde(default, rename = "cacheDir")]
    cache_dir: Option<String>,
    items: Vec<RequestJson>,
}

/// One verification's inputs, resolved to paths and typed values, before reading.
#[derive(Debug, Clone)]
struct Plan {
    plugin: String,
    subject: Option<PathBuf>,
    digest: Option<String>,
    signature: Option<PathBuf>,
    signature_type: Option<String>,
    roots: Vec<(TrustRootKind, PathBuf)>,
    certs: Vec<PathBuf>,
    crls: Vec<PathBuf>,
    policy: Policy,
    insecure: Vec<Insecure>,
    time: VerificationTime,
    /// An offline cache directory named by the request or set (else the command's).
    cache_dir: Option<PathBuf>,
    /// A log receipt file and the log key (a file, or the key itself on the command line).
    log_receipt: Option<(PathBuf, String)>,
    /// Fall back to the embedded Sigstore trusted root.
    use_embedded_root: bool,
    /// Flag names for messages (`--root`) or request fields (`roots[0]`).
    flags: bool,
}

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

fn strict_json<T: for<'de> Deserialize<'de>>(bytes: &[u8], path: &Path) -> Result<T, CliError> {
    plugin_api::json::from_slice(bytes)
        .map_err(|e| CliError::malformed(path.display().to_string(), e))
}

/// RFC 3339 or Unix seconds.
pub(crate) fn parse_time(text: &str, field: &str) -> Result<VerificationTime, CliError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u64>()
            .map(VerificationTime::from_unix_seconds)
            .map_err(|e| CliError::malformed(field, e));
    }
    plugin_x509::parse_rfc3339(text)
        .map(VerificationTime::from_unix_seconds)
        .ok_or_else(|| {
            CliError::malformed(
                field,
                format!("{text:?} is neither RFC 3339 (2026-06-01T00:00:00Z) nor Unix seconds"),
            )
        })
}

fn time_or_now(at: Option<&str>, field: &str) -> Result<VerificationTime, CliError> {
    match at {
        Some(t) => parse_time(t, field),
        None => crate::commands::now(),
    }
}

fn insecure_modes(names: &[String], field: &str) -> Result<Vec<Insecure>, CliError> {
    names
        .iter()
        .map(|n| {
            Insecure::ALL
                .iter()
                .copied()
                .find(|m| m.name() == n)
                .ok_or_else(|| {
                    let all: Vec<&str> = Insecure::ALL.iter().map(|m| m.name()).collect();
                    CliError::malformed(
                        field,
                        format!("unknown insecure mode {n:?} (known: {})", all.join(", ")),
                    )
                })
        })
        .collect()
}

fn root_kind(name: &str) -> Option<TrustRootKind> {
    TrustRootKind::from_name(name)
}

fn plugin_named(name: &str) -> Result<Box<dyn plugin_api::Plugin>, CliError> {
    registry::find(name).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown plugin {name:?} (registered: {})",
            registry::names()
        ))
    })
}

fn policy_of(
    identity: Option<&String>,
    identity_regexp: Option<&String>,
    issuer: Option<&String>,
    issuer_regexp: Option<&String>,
    predicate_type: Option<&String>,
    require_revocation: bool,
) -> Policy {
    let mut p = Policy::new();
    if let Some(v) = identity {
        p = p.with_identity(v.clone());
    }
    if let Some(v) = identity_regexp {
        p = p.with_identity_regexp(v.clone());
    }
    if let Some(v) = issuer {
        p = p.with_issuer(v.clone());
    }
    if let Some(v) = issuer_regexp {
        p = p.with_issuer_regexp(v.clone());
    }
    if let Some(v) = predicate_type {
        p = p.with_predicate_type(v.clone());
    }
    if require_revocation {
        p = p.with_required_revocation();
    }
    p
}

fn plan_from_flags(a: &VerifyArgs) -> Result<Plan, CliError> {
    let name = a
        .plugin
        .as_deref()
        .ok_or_else(|| CliError::Usage("give --plugin, --request or --set".into()))?;
    let plugin = plugin_named(name)?;
    let default_kind = plugin.info().trust_roots.first().copied();
    let mut roots = Vec::new();
    for r in &a.root {
        let (kind, path) = match r
            .split_once('=')
            .and_then(|(k, p)| Some((root_kind(k)?, p)))
        {
            Some((k, p)) => (k, p),
            None => (
                default_kind.ok_or_else(|| {
                    CliError::Usage(format!("the {name} plugin takes no trust roots"))
                })?,
                r.as_str(),
            ),
        };
        roots.push((kind, PathBuf::from(path)));
    }
    let plan = Plan {
        plugin: name.to_owned(),
        subject: a.manifest.clone(),
        digest: a.digest.clone(),
        signature: a.signature.clone(),
        signature_type: a.signature_type.clone(),
        roots,
        certs: a.cert.clone(),
        crls: a.crl.clone(),
        policy: policy_of(
            a.certificate_identity.as_ref(),
            a.certificate_identity_regexp.as_ref(),
            a.certificate_oidc_issuer.as_ref(),
            a.certificate_oidc_issuer_regexp.as_ref(),
            a.predicate_type.as_ref(),
            a.require_crl,
        ),
        insecure: insecure_modes(&a.insecure, "--insecure")?,
        time: time_or_now(a.at.as_deref(), "--at")?,
        cache_dir: None,
        log_receipt: a.log_receipt.clone().zip(a.log_key.clone()),
        use_embedded_root: a.use_embedded_root,
        flags: true,
    };
    check_plan(&plan, false)?;
    Ok(plan)
}

fn plan_from_json(
    j: &RequestJson,
    base: &Path,
    cli_at: Option<&str>,
    set: Option<&SetJson>,
) -> Result<Plan, CliError> {
    let set_at = set.and_then(|s| s.at.as_deref());
    let cache_dir = j
        .cache_dir
        .as_ref()
        .or(set.and_then(|s| s.cache_dir.as_ref()))
        .map(|d| base.join(d));
    plugin_named(&j.plugin)?;
    let mut roots = Vec::new();
    for (i, r) in j.roots.iter().enumerate() {
        let kind = root_kind(&r.kind).ok_or_else(|| {
            CliError::malformed(
                format!("roots[{i}].kind"),
                format!("unknown kind {:?}", r.kind),
            )
        })?;
        roots.push((kind, base.join(&r.path)));
    }
    let p = &j.policy;
    let at = j.at.as_deref().or(set_at).or(cli_at);
    let plan = Plan {
        plugin: j.plugin.clone(),
        subject: j.subject.as_ref().map(|s| base.join(s)),
        digest: j.digest.clone(),
        signature: j.signature.as_ref().map(|s| base.join(s)),
        signature_type: j.signature_type.clone(),
        roots,
        certs: j.certs.iter().map(|c| base.join(c)).collect(),
        crls: j.crls.iter().map(|c| base.join(c)).collect(),
        policy: policy_of(
            p.identity.as_ref(),
            p.identity_regexp.as_ref(),
            p.issuer.as_ref(),
            p.issuer_regexp.as_ref(),
            p.predicate_type.as_ref(),
            p.require_revocation,
        ),
        insecure: insecure_modes(&j.insecure, "insecure")?,
        time: time_or_now(at, "at")?,
        cache_dir,
        log_receipt: j.log_receipt.as_ref().map(|r| {
            (
                base.join(&r.receipt),
                base.join(&r.key).display().to_string(),
            )
        }),
        use_embedded_root: j.use_embedded_root,
        flags: false,
    };
    check_plan(&plan, j.cache_dir.is_some())?;
    Ok(plan)
}

/// Everything about a plan that can be judged before reading any file: a plan the plugin could
/// not take whole is refused here (exit 2; for a set, the set is malformed), so that nothing
/// given is ever ignored. `item_cache` is whether the item itself (not its set or the command)
/// names a cache directory.
fn check_plan(plan: &Plan, item_cache: bool) -> Result<(), CliError> {
    let plugin = plugin_named(&plan.plugin)?;
    let info = plugin.info();
    let f = |flag: &str, field: &str| {
        if plan.flags {
            flag.to_owned()
        } else {
            field.to_owned()
        }
    };
    let refuse = |field: String, why: &str| {
        Err(CliError::malformed(
            field,
            format!("the {} plugin {why}", info.name),
        ))
    };
    let kind = match (&plan.subject, &plan.digest) {
        (Some(_), None) => SubjectKind::Bytes,
        (None, Some(d)) => {
            let (alg, v) = parse_digest(d, &f("--digest", "digest"))?;
            Digest::new(alg, &v).map_err(|e| CliError::from(plugin_api::Error::from(e)))?;
            SubjectKind::Digest
        }
        (None, None) => {
            return Err(CliError::Usage(if plan.flags {
                "give the subject: --manifest FILE or --digest ALG:HEX".into()
            } else {
                "give the subject: `subject` (a file) or `digest`".into()
            }))
        }
        (Some(_), Some(_)) => {
            return Err(CliError::Usage(
                "give `subject` or `digest`, not both".into(),
            ))
        }
    };
    if !info.subjects.contains(&kind) {
        return refuse(
            f("--manifest/--digest", "subject/digest"),
            &format!("does not take a subject given as {}", kind.name()),
        );
    }
    for (what, n) in [
        (f("--root", "roots"), plan.roots.len()),
        (f("--cert", "certs"), plan.certs.len()),
        (f("--crl", "crls"), plan.crls.len()),
    ] {
        if n > MAX_INPUTS_PER_KIND {
            return Err(CliError::malformed(
                what,
                format!("more than {MAX_INPUTS_PER_KIND} inputs"),
            ));
        }
    }
    if plan.signature.is_some() && !info.uses_signature {
        return refuse(
            f("--signature", "signature"),
            "takes no signature material (it travels inside the subject)",
        );
    }
    if let Some(t) = &plan.signature_type {
        if !info.media_types.contains(&t.as_str()) {
            return refuse(
                f("--signature-type", "signatureType"),
                &format!("does not understand signature media type {t:?}"),
            );
        }
    }
    plan.policy
        .refuse_unsupported(info.name, info.policy)
        .map_err(|e| CliError::from(plugin_api::Error::from(e)))?;
    if !plan.certs.is_empty() && !info.certificates {
        return refuse(f("--cert", "certs"), "takes no certificates");
    }
    if !plan.crls.is_empty() && !info.revocation {
        return refuse(f("--crl", "crls"), "takes no revocation lists");
    }
    if let Some(m) = plan.insecure.iter().find(|m| !info.insecure.contains(m)) {
        return refuse(
            f("--insecure", "insecure"),
            &format!("has no check that {} could waive", m.name()),
        );
    }
    if let Some((k, p)) = plan
        .roots
        .iter()
        .find(|(k, _)| !info.trust_roots.contains(k))
    {
        return refuse(
            format!("{} {}", f("--root", "roots"), p.display()),
            &format!("does not read {k} trust roots"),
        );
    }
    let sigstore_root_given = plan
        .roots
        .iter()
        .any(|(k, _)| *k == TrustRootKind::SigstoreTrustedRoot);
    if plan.insecure.contains(&Insecure::AllowExpiredCache)
        && info
            .trust_roots
            .contains(&TrustRootKind::SigstoreTrustedRoot)
        && sigstore_root_given
    {
        return Err(CliError::Usage(
            "allow-expired-cache waives the expiry of a trusted root from the offline cache; a sigstore-trusted-root was given".into(),
        ));
    }
    if plan.use_embedded_root
        && (sigstore_root_given
            || !info
                .trust_roots
                .contains(&TrustRootKind::SigstoreTrustedRoot))
    {
        return Err(CliError::Usage(format!(
            "{}: the {} plugin has no Sigstore trusted root to fall back to, or one was given",
            f("--use-embedded-root", "useEmbeddedRoot"),
            info.name
        )));
    }
    if item_cache && !info.uses_cache {
        return refuse("cacheDir".into(), "does not use the offline cache");
    }
    if let Some(d) = &plan.cache_dir {
        if info.uses_cache && !d.is_dir() {
            return Err(CliError::malformed(
                "cacheDir",
                format!("{} is not a directory", d.display()),
            ));
        }
    }
    Ok(())
}

fn parse_digest(text: &str, field: &str) -> Result<(DigestAlgorithm, Vec<u8>), CliError> {
    let (alg, hex_text) = text.split_once(':').ok_or_else(|| {
        CliError::malformed(field, "expected ALG:HEX, e.g. sha256:<64 hex digits>")
    })?;
    let alg = DigestAlgorithm::from_name(alg)
        .ok_or_else(|| CliError::malformed(field, format!("unknown digest algorithm {alg:?}")))?;
    let value = hex::decode(hex_text).map_err(|e| CliError::malformed(field, e))?;
    Ok((alg, value))
}

/// Reads the plan's inputs (bounded) and runs its plugin.
fn execute(plan: &Plan, cache: Option<&offline_cache::CacheDir>) -> Result<Report, CliError> {
    let plugin = plugin_named(&plan.plugin)?;
    let name = |flag: &str, field: String, p: &Path| {
        if plan.flags {
            format!("{flag} {}", p.display())
        } else {
            format!("{field} {}", p.display())
        }
    };
    let subject_bytes = match &plan.subject {
        Some(p) => Some(read_limited(p, MAX_SUBJECT)?),
        None => None,
    };
    let digest = match &plan.digest {
        Some(d) => Some(parse_digest(
            d,
            if plan.flags { "--digest" } else { "digest" },
        )?),
        None => None,
    };
    let subject = match (&subject_bytes, &digest) {
        (Some(b), _) => Subject::Bytes(b),
        (None, Some((alg, v))) => Subject::Digest(
            Digest::new(*alg, v).map_err(|e| CliError::from(plugin_api::Error::from(e)))?,
        ),
        (None, None) => {
            return Err(CliError::Usage(if plan.flags {
                "give the subject: --manifest FILE or --digest ALG:HEX".into()
            } else {
                "give the subject: `subject` (a file) or `digest`".into()
            }))
        }
    };
    let signature_bytes = match &plan.signature {
        Some(p) => read_limited(p, MAX_INPUT)?,
        None => Vec::new(),
    };
    let signature_name = plan
        .signature
        .as_ref()
        .map(|p| name("--signature", "signature".into(), p))
        .unwrap_or_else(|| "signature".into());
    let mut signature = Signature::new(&signature_bytes).with_name(&signature_name);
    if let Some(t) = &plan.signature_type {
        signature = signature.with_media_type(t);
    }
    let mut roots = TrustRoots::new();
    for (i, (kind, p)) in plan.roots.iter().enumerate() {
        roots.push(TrustRoot::new(
            *kind,
            name("--root", format!("roots[{i}]"), p),
            read_limited(p, MAX_INPUT)?,
        ));
    }
    let info = plugin.info();
    let own_cache = plan.cache_dir.as_ref().map(offline_cache::CacheDir::new);
    let cache = own_cache.as_ref().or(cache).filter(|_| info.uses_cache);
    let cache_dir = || {
        cache
            .map(|c| c.path().to_path_buf())
            .ok_or_else(|| CliError::Usage("no offline cache directory".into()))
    };
    // Trust loading as the dedicated commands do it: a Sigstore trusted root from the offline
    // cache (verified now) when none is given; CRLs from the cache when none are given.
    let mut root_source = None;
    if info
        .trust_roots
        .contains(&TrustRootKind::SigstoreTrustedRoot)
        && roots
            .of_kind(TrustRootKind::SigstoreTrustedRoot)
            .next()
            .is_none()
    {
        match crate::commands::cosign::sigstore_root(
            None,
            plan.use_embedded_root,
            cache_dir(),
            plan.time,
            &plan.insecure,
        )? {
            Ok((root, source)) => {
                roots.push(TrustRoot::new(
                    TrustRootKind::SigstoreTrustedRoot,
                    root.name,
                    root.bytes,
                ));
                root_source = Some(source);
            }
            // The cache did not verify: its report (naming the failed TUF check) is the verdict.
            Err(report) => return Ok(report),
        }
    } else if plan.use_embedded_root {
        return Err(CliError::Usage(format!(
            "--use-embedded-root: the {} plugin has no Sigstore trusted root to fall back to, or one was given",
            plan.plugin
        )));
    }
    let (cached_crls, crl_note) = if info.revocation && plan.crls.is_empty() {
        crate::commands::x509::cached_crls(cache_dir().ok(), plan.policy.requires_revocation())?
    } else {
        (Vec::new(), None)
    };
    let mut certs = Vec::new();
    for (i, p) in plan.certs.iter().enumerate() {
        certs.push((
            name("--cert", format!("certs[{i}]"), p),
            read_limited(p, MAX_INPUT)?,
        ));
    }
    let mut crls = Vec::new();
    for (i, p) in plan.crls.iter().enumerate() {
        crls.push((
            name("--crl", format!("crls[{i}]"), p),
            read_limited(p, MAX_INPUT)?,
        ));
    }
    let cert_refs: Vec<Certificate<'_>> =
        certs.iter().map(|(n, b)| Certificate::new(n, b)).collect();
    crls.extend(cached_crls);
    let crl_refs: Vec<RevocationList<'_>> = crls
        .iter()
        .map(|(n, b)| RevocationList::new(n, b))
        .collect();
    let subject_name = plan.subject.as_ref().map(|p| p.display().to_string());
    let mut req = VerifyRequest::new(subject, signature, &roots, plan.time)
        .with_certificates(&cert_refs)
        .with_revocation(&crl_refs, crl_note.as_deref())
        .with_policy(&plan.policy)
        .with_insecure(&plan.insecure);
    if let Some(n) = &subject_name {
        req = req.with_subject_name(n);
    }
    let own_cache = plan.cache_dir.as_ref().map(offline_cache::CacheDir::new);
    if let Some(c) = own_cache.as_ref().or(cache) {
        req = req.with_cache(c);
    }
    let receipt = match &plan.log_receipt {
        Some((path, key)) => crate::commands::x509::log_receipt_inputs(Some(path), Some(key))?,
        None => None,
    };
    if let Some(r) = &receipt {
        req = req.with_log_receipt(r.as_request());
    }
    tracing::info!(
        plugin = plan.plugin,
        at = plan.time.unix_seconds(),
        "running plugin"
    );
    let report = tlog::receipt::run_plugin_with_receipt(plugin.as_ref(), &req)?;
    Ok(match &root_source {
        Some(source) => crate::commands::cosign::embedded_root_warning(report, source, plan.time),
        None => report,
    })
}

/// One item of a set, verified.
#[derive(Debug)]
pub struct SetItem {
    /// Its name (given, or `item-N`).
    pub name: String,
    /// Its plugin.
    pub plugin: String,
    /// The report, or why no verdict could be reached for it.
    pub result: Result<Report, String>,
}

/// Whether `name` is a valid item name (it appears at the start of output lines).
fn is_item_name(name: &str) -> bool {
    name.len() <= 64
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// The bytes a plan's files hold now (a missing file counts 0: its read fails later).
fn plan_bytes(plan: &Plan) -> u64 {
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    plan.subject
        .iter()
        .chain(plan.signature.iter())
        .chain(plan.roots.iter().map(|(_, p)| p))
        .chain(plan.certs.iter())
        .chain(plan.crls.iter())
        .map(size)
        .fold(0u64, u64::saturating_add)
}

fn run_set(
    path: &Path,
    cli_at: Option<&str>,
    cache: Option<&offline_cache::CacheDir>,
) -> Result<Outcome, CliError> {
    let bytes = read_limited(path, MAX_REQUEST_FILE)?;
    let set: SetJson = strict_json(&bytes, path)?;
    let field = path.display().to_string();
    if set.version != 1 {
        return Err(CliError::malformed(
            &field,
            format!("unsupported set version {} (expected 1)", set.version),
        ));
    }
    if set.items.is_empty() {
        return Err(CliError::malformed(&field, "the set has no items"));
    }
    if set.items.len() > MAX_SET_ITEMS {
        return Err(CliError::malformed(
            &field,
            format!("more than {MAX_SET_ITEMS} items"),
        ));
    }
    // Every time is checked before anything is verified; the file's times are the ones it
    // was written for, so `--at` is refused beside them rather than silently overridden.
    if let Some(at) = &set.at {
        parse_time(at, &format!("{field}: at"))?;
    }
    if cli_at.is_some() && (set.at.is_some() || set.items.iter().any(|i| i.at.is_some())) {
        return Err(CliError::Usage(format!(
            "--at cannot be used with {field}: the set gives its own verification time"
        )));
    }
    let base = path.parent().unwrap_or(Path::new(""));
    let mut names = std::collections::BTreeSet::new();
    let mut plans = Vec::new();
    for (i, item) in set.items.iter().enumerate() {
        let name = item
            .name
            .clone()
            .unwrap_or_else(|| format!("item-{}", i + 1));
        if !is_item_name(&name) {
            return Err(CliError::malformed(
                format!("{field}: items[{i}].name"),
                "an item name is 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit",
            ));
        }
        if !names.insert(name.clone()) {
            return Err(CliError::malformed(
                format!("{field}: items[{i}].name"),
                format!("duplicate item name {name:?}"),
            ));
        }
        // A malformed item (unknown plugin, bad field) makes the set malformed: no verdict.
        let plan = plan_from_json(item, base, cli_at, Some(&set))
            .map_err(|e| CliError::malformed(format!("{field}: items[{i}] ({name})"), e))?;
        plans.push((name, plan));
    }
    // One budget over every file the set names (each read is bounded on its own as well).
    let mut total: u64 = 0;
    for (_, plan) in &plans {
        total = total.saturating_add(plan_bytes(plan));
    }
    if total > MAX_SET_BYTES {
        return Err(CliError::malformed(
            &field,
            format!(
                "its inputs total {total} bytes, over the {MAX_SET_BYTES}-byte budget of a set"
            ),
        ));
    }
    let items: Vec<SetItem> = plans
        .par_iter()
        .map(|(name, plan)| SetItem {
            name: name.clone(),
            plugin: plan.plugin.clone(),
            result: execute(plan, cache).map_err(|e| e.to_string()),
        })
        .collect();
    let mut b = Report::builder("evidence-set").subject(field.clone());
    for (i, item) in items.iter().enumerate() {
        let id = format!("evidence-set.item-{}", i + 1);
        b = match &item.result {
            Ok(r) if r.ok() => b.pass(
                id,
                format!(
                    "{} ({}): verified, {} checks",
                    item.name,
                    item.plugin,
                    r.checks().len()
                ),
            ),
            Ok(r) => b.fail(
                id,
                format!(
                    "{} ({}): {}",
                    item.name,
                    item.plugin,
                    r.first_failure()
                        .map(|c| format!("{} failed", c.id))
                        .or_else(|| r.errors().first().cloned())
                        .unwrap_or_else(|| "not verified".into())
                ),
            ),
            Err(e) => b.fail(
                id,
                format!("{} ({}): no verdict: {e}", item.name, item.plugin),
            ),
        };
    }
    Ok(Outcome::Set {
        items,
        summary: b.finish(),
    })
}

/// `prov-verify plugins`: name, version, what each takes, its conformance figures.
pub fn plugins(json: bool) -> Outcome {
    let all = registry::all();
    if json {
        let list: Vec<serde_json::Value> = all
            .iter()
            .map(|p| {
                let i = p.info();
                serde_json::json!({
                    "name": i.name,
                    "version": i.version,
                    "summary": i.summary,
                    "subjects": i.subjects.iter().map(|s| s.name()).collect::<Vec<_>>(),
                    "signature": i.signature,
                    "trustRoots": i.trust_roots.iter().map(|k| k.name()).collect::<Vec<_>>(),
                    "mediaTypes": i.media_types,
                    "policy": i.policy,
                    "certificates": i.certificates,
                    "revocation": i.revocation,
                    "insecure": i.insecure.iter().map(|m| m.name()).collect::<Vec<_>>(),
                    "usesSignature": i.uses_signature,
                    "usesCache": i.uses_cache,
                    "conformance": registry::conformance(i.name)
                        .iter()
                        .map(|(suite, figure)| serde_json::json!({"suite": suite, "result": figure}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        return Outcome::Data(serde_json::json!({ "plugins": list }));
    }
    let mut out = String::new();
    for p in &all {
        let i = p.info();
        out.push_str(&format!("{} {}\n  {}\n", i.name, i.version, i.summary));
        let subjects: Vec<&str> = i.subjects.iter().map(|s| s.name()).collect();
        out.push_str(&format!("  subject: {}\n", subjects.join(", ")));
        out.push_str(&format!("  signature: {}\n", i.signature));
        let kinds: Vec<&str> = i.trust_roots.iter().map(|k| k.name()).collect();
        out.push_str(&format!(
            "  trust roots: {}\n",
            if kinds.is_empty() {
                "none".into()
            } else {
                kinds.join(", ")
            }
        ));
        let list = |v: Vec<&str>| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        if !i.media_types.is_empty() {
            out.push_str(&format!("  media types: {}\n", i.media_types.join(", ")));
        }
        out.push_str(&format!("  policy: {}\n", list(i.policy.to_vec())));
        let mut also = Vec::new();
        if i.certificates {
            also.push("certificates");
        }
        if i.revocation {
            also.push("CRLs");
        }
        if i.uses_cache {
            also.push("the offline cache");
        }
        out.push_str(&format!("  also reads: {}\n", list(also)));
        out.push_str(&format!(
            "  insecure modes: {}\n",
            list(i.insecure.iter().map(|m| m.name()).collect())
        ));
        for (suite, figure) in registry::conformance(i.name) {
            out.push_str(&format!("  conformance: {suite}: {figure}\n"));
        }
    }
    Outcome::Text(out)
}
