//! A request as flags or JSON, resolved into a [`Plan`] and judged against the plugin's
//! declarations before any file is read.

use super::*;
use plugin_api::{InputShape, Undeclared};

/// One request as JSON: an item of an evidence set, or a `--request` file. Paths are
/// relative to the file. Unknown and duplicate members are refused.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestJson {
    /// A name for the item (sets only).
    #[serde(default)]
    pub(super) name: Option<String>,
    /// The plugin.
    pub(super) plugin: String,
    /// The subject's bytes (a file).
    #[serde(default)]
    pub(super) subject: Option<String>,
    /// The subject as `ALG:HEX`.
    #[serde(default)]
    pub(super) digest: Option<String>,
    /// The signature material (a file).
    #[serde(default)]
    pub(super) signature: Option<String>,
    /// Its media type.
    #[serde(default)]
    pub(super) signature_type: Option<String>,
    /// Trust roots.
    #[serde(default)]
    pub(super) roots: Vec<RootJson>,
    /// Untrusted certificates (files), the signer's first.
    #[serde(default)]
    pub(super) certs: Vec<String>,
    /// CRLs (files).
    #[serde(default)]
    pub(super) crls: Vec<String>,
    /// Expectations.
    #[serde(default)]
    pub(super) policy: PolicyJson,
    /// Insecure modes by name.
    #[serde(default)]
    pub(super) insecure: Vec<String>,
    /// Verification time (RFC 3339 or Unix seconds as a string).
    #[serde(default)]
    pub(super) at: Option<String>,
    /// The offline cache directory (the `tuf` plugin reads repositories from it); default:
    /// the set's, else `--cache-dir`.
    #[serde(default)]
    pub(super) cache_dir: Option<String>,
    /// A transparency-log receipt for the subject and signature.
    #[serde(default)]
    pub(super) log_receipt: Option<ReceiptJson>,
    /// With no Sigstore trusted root given and none cached, use the embedded one.
    #[serde(default)]
    pub(super) use_embedded_root: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReceiptJson {
    /// The receipt file.
    receipt: String,
    /// The log's verifier key file.
    key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RootJson {
    kind: String,
    path: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct PolicyJson {
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
    /// Expected PCRs, index → hex.
    #[serde(default)]
    measurements: std::collections::BTreeMap<String, String>,
    /// nitro-cli JSON with expected PCRs (a file).
    #[serde(default)]
    measurements_file: Option<PathBuf>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    user_data: Option<String>,
    #[serde(default)]
    attested_public_key: Option<String>,
    #[serde(default)]
    max_age: Option<String>,
    /// Expected GitHub workflow claims (`trigger`, `sha`, `name`, `repository`, `ref`).
    #[serde(default)]
    github_workflow: std::collections::BTreeMap<String, String>,
    /// Expected SLSA provenance fields (`builderId`, `sourceUri`, `sourceTag`,
    /// `sourceBranch`), as the flags of the same names.
    #[serde(default)]
    slsa: SlsaJson,
    /// Every transparency-log entry must carry an inclusion proof.
    #[serde(default)]
    require_inclusion_proof: bool,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SlsaJson {
    #[serde(default)]
    builder_id: Option<String>,
    #[serde(default)]
    source_uri: Option<String>,
    #[serde(default)]
    source_tag: Option<String>,
    #[serde(default)]
    source_branch: Option<String>,
}

impl SlsaJson {
    fn fields(&self) -> Vec<(&'static str, String)> {
        crate::commands::cosign::SlsaArgs {
            builder_id: self.builder_id.clone(),
            source_uri: self.source_uri.clone(),
            source_tag: self.source_tag.clone(),
            source_branch: self.source_branch.clone(),
        }
        .fields()
    }
}

impl PolicyJson {
    /// The enclave expectations, in the flags' syntax.
    fn enclave(&self) -> crate::commands::nitro::EnclaveExpectations {
        crate::commands::nitro::EnclaveExpectations {
            pcr: self
                .measurements
                .iter()
                .map(|(i, v)| format!("{i}={v}"))
                .collect(),
            measurements: self.measurements_file.clone(),
            nonce: self.nonce.clone(),
            user_data: self.user_data.clone(),
            public_key: self.attested_public_key.clone(),
            max_age: self.max_age.clone(),
        }
    }
}

/// An evidence set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetJson {
    pub(super) version: u32,
    /// Verification time for every item without its own.
    #[serde(default)]
    pub(super) at: Option<String>,
    /// Offline cache directory for every item without its own.
    #[serde(default, rename = "cacheDir")]
    pub(super) cache_dir: Option<String>,
    pub(super) items: Vec<RequestJson>,
}

/// One verification's inputs, resolved to paths and typed values, before reading.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) plugin: String,
    pub(super) subject: Option<PathBuf>,
    pub(super) digest: Option<String>,
    pub(super) signature: Option<PathBuf>,
    pub(super) signature_type: Option<String>,
    pub(super) roots: Vec<(TrustRootKind, PathBuf)>,
    pub(super) certs: Vec<PathBuf>,
    pub(super) crls: Vec<PathBuf>,
    pub(super) policy: Policy,
    pub(super) insecure: Vec<Insecure>,
    pub(super) time: VerificationTime,
    /// Whether `time` is the clock's (no time was given).
    pub(super) time_from_clock: bool,
    /// An offline cache directory named by the request or set (else the command's).
    pub(super) cache_dir: Option<PathBuf>,
    /// A log receipt file and the log key (a file, or the key itself on the command line).
    pub(super) log_receipt: Option<(PathBuf, String)>,
    /// Fall back to the embedded Sigstore trusted root.
    pub(super) use_embedded_root: bool,
    /// Flag names for messages (`--root`) or request fields (`roots[0]`).
    pub(super) flags: bool,
}

pub(super) fn insecure_modes(names: &[String], field: &str) -> Result<Vec<Insecure>, CliError> {
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

pub(super) fn root_kind(name: &str) -> Option<TrustRootKind> {
    TrustRootKind::from_name(name)
}

pub(super) fn plugin_named(name: &str) -> Result<Box<dyn plugin_api::Plugin>, CliError> {
    registry::find(name).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown plugin {name:?} (registered: {})",
            registry::names()
        ))
    })
}

pub(super) fn policy_of(
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

/// The Sigstore-only expectations added to a policy: GitHub workflow claims, SLSA provenance
/// fields, and inclusion proofs required.
fn with_sigstore(
    mut p: Policy,
    github_workflow: &[(String, String)],
    slsa: &[(&'static str, String)],
    require_inclusion_proof: bool,
) -> Policy {
    for (claim, value) in github_workflow {
        p = p.with_github_workflow(claim.clone(), value.clone());
    }
    for (field, value) in slsa {
        p = p.with_slsa(*field, value.clone());
    }
    if require_inclusion_proof {
        p = p.with_required_inclusion_proof();
    }
    p
}

pub(super) fn plan_from_flags(a: &VerifyArgs) -> Result<Plan, CliError> {
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
    let (time, time_from_clock) = time_or_now(a.at.as_deref(), "--at")?;
    let plan = Plan {
        plugin: name.to_owned(),
        subject: a.manifest.clone(),
        digest: a.digest.clone(),
        signature: a.signature.clone(),
        signature_type: a.signature_type.clone(),
        roots,
        certs: a.cert.clone(),
        crls: a.crl.clone(),
        policy: a.enclave.apply(
            with_sigstore(
                policy_of(
                    a.certificate_identity.as_ref(),
                    a.certificate_identity_regexp.as_ref(),
                    a.certificate_oidc_issuer.as_ref(),
                    a.certificate_oidc_issuer_regexp.as_ref(),
                    a.predicate_type.as_ref(),
                    a.require_crl,
                ),
                &a.workflow
                    .claims()
                    .into_iter()
                    .map(|(c, v)| (c.to_owned(), v))
                    .collect::<Vec<_>>(),
                &a.slsa.fields(),
                a.require_inclusion_proof,
            ),
            Path::new(""),
            |f| format!("--{f}"),
        )?,
        insecure: insecure_modes(&a.insecure, "--insecure")?,
        time,
        time_from_clock,
        cache_dir: None,
        log_receipt: a.log_receipt.clone().zip(a.log_key.clone()),
        use_embedded_root: a.use_embedded_root,
        flags: true,
    };
    check_plan(&plan, false)?;
    Ok(plan)
}

pub(super) fn plan_from_json(
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
    let (time, time_from_clock) = time_or_now(at, "at")?;
    let plan = Plan {
        plugin: j.plugin.clone(),
        subject: j.subject.as_ref().map(|s| base.join(s)),
        digest: j.digest.clone(),
        signature: j.signature.as_ref().map(|s| base.join(s)),
        signature_type: j.signature_type.clone(),
        roots,
        certs: j.certs.iter().map(|c| base.join(c)).collect(),
        crls: j.crls.iter().map(|c| base.join(c)).collect(),
        policy: p.enclave().apply(
            with_sigstore(
                policy_of(
                    p.identity.as_ref(),
                    p.identity_regexp.as_ref(),
                    p.issuer.as_ref(),
                    p.issuer_regexp.as_ref(),
                    p.predicate_type.as_ref(),
                    p.require_revocation,
                ),
                &p.github_workflow
                    .iter()
                    .map(|(c, v)| (c.clone(), v.clone()))
                    .collect::<Vec<_>>(),
                &p.slsa.fields(),
                p.require_inclusion_proof,
            ),
            base,
            |f| match f {
                "pcr" => "policy.measurements".to_owned(),
                "measurements" => "policy.measurementsFile".to_owned(),
                "public-key" => "policy.attestedPublicKey".to_owned(),
                "user-data" => "policy.userData".to_owned(),
                "max-age" => "policy.maxAge".to_owned(),
                other => format!("policy.{other}"),
            },
        )?,
        insecure: insecure_modes(&j.insecure, "insecure")?,
        time,
        time_from_clock,
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
pub(super) fn check_plan(plan: &Plan, item_cache: bool) -> Result<(), CliError> {
    let plugin = plugin_named(&plan.plugin)?;
    let info = plugin.info();
    let f = |flag: &str, field: &str| {
        if plan.flags {
            flag.to_owned()
        } else {
            field.to_owned()
        }
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
    let shape = InputShape {
        subject: kind,
        signature: plan.signature.is_some(),
        signature_type: plan.signature_type.as_deref(),
        policy: &plan.policy,
        certificates: !plan.certs.is_empty(),
        revocation: !plan.crls.is_empty(),
        insecure: &plan.insecure,
        cache: item_cache,
    };
    if let Some(undeclared) =
        plugin_api::find_undeclared(&info, &shape, plan.roots.iter().map(|(k, _)| *k))
    {
        let field = match undeclared {
            Undeclared::Subject(_) => f("--manifest/--digest", "subject/digest"),
            Undeclared::Signature => f("--signature", "signature"),
            Undeclared::SignatureType(_) => f("--signature-type", "signatureType"),
            Undeclared::Policy(p) => format!("policy {p}"),
            Undeclared::Certificates => f("--cert", "certs"),
            Undeclared::Revocation => f("--crl", "crls"),
            Undeclared::Insecure(_) => f("--insecure", "insecure"),
            Undeclared::TrustRoot(k) => plan.roots.iter().find(|(kind, _)| *kind == k).map_or_else(
                || f("--root", "roots"),
                |(_, p)| format!("{} {}", f("--root", "roots"), p.display()),
            ),
            Undeclared::Cache => "cacheDir".to_owned(),
            _ => f("--plugin", "plugin"),
        };
        return Err(CliError::malformed(field, undeclared.reason(&info)));
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
            || !info.uses_cache
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

pub(super) fn parse_digest(
    text: &str,
    field: &str,
) -> Result<(DigestAlgorithm, Vec<u8>), CliError> {
    let (alg, hex_text) = text.split_once(':').ok_or_else(|| {
        CliError::malformed(field, "expected ALG:HEX, e.g. sha256:<64 hex digits>")
    })?;
    let alg = DigestAlgorithm::from_name(alg)
        .ok_or_else(|| CliError::malformed(field, format!("unknown digest algorithm {alg:?}")))?;
    let value = hex::decode(hex_text).map_err(|e| CliError::malformed(field, e))?;
    Ok((alg, value))
}
