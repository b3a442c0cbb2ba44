//! Reading a plan's inputs (bounded), loading trust, and running its plugin.

use super::plan::{parse_digest, plugin_named, Plan};
use super::*;

/// Reads the plan's inputs (bounded) and runs its plugin.
pub(super) fn execute(
    plan: &Plan,
    cache: Option<&offline_cache::CacheDir>,
) -> Result<Report, CliError> {
    execute_inner(plan, cache, Keep::Nothing).map(|(report, _)| report)
}

/// As [`execute`], returning too the inputs the plugin read (the subject's digest and the
/// signature bytes), for a caller that reads more out of verified material.
pub(super) fn execute_detailed(
    plan: &Plan,
    cache: Option<&offline_cache::CacheDir>,
) -> Result<(Report, super::set::ItemInputs), CliError> {
    execute_inner(plan, cache, Keep::Inputs)
        .map(|(report, inputs)| (report, inputs.unwrap_or_default()))
}

/// As [`execute_detailed`], keeping the subject's bytes too.
pub(super) fn execute_keeping_subject(
    plan: &Plan,
    cache: Option<&offline_cache::CacheDir>,
) -> Result<(Report, super::set::ItemInputs), CliError> {
    execute_inner(plan, cache, Keep::InputsAndSubject)
        .map(|(report, inputs)| (report, inputs.unwrap_or_default()))
}

/// What an execution keeps besides the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    Nothing,
    Inputs,
    InputsAndSubject,
}

fn execute_inner(
    plan: &Plan,
    cache: Option<&offline_cache::CacheDir>,
    keep: Keep,
) -> Result<(Report, Option<super::set::ItemInputs>), CliError> {
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
    // cache (verified now) when none is given, for a plugin whose trust comes from the cache;
    // CRLs from the cache when none are given.
    let mut root_source = None;
    if info.uses_cache
        && info
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
            None,
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
            Err(report) => return Ok((report, None)),
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
    if plan.time_from_clock {
        req = req.with_time_from_clock();
    }
    if let Some(c) = cache {
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
        at = %plan.time.to_rfc3339(),
        "running plugin"
    );
    let report = tlog::run_plugin_with_receipt(plugin.as_ref(), &req)?;
    let report = match &root_source {
        Some(source) => crate::commands::cosign::embedded_root_warning(report, source, plan.time),
        None => report,
    };
    let inputs = (keep != Keep::Nothing).then(|| super::set::ItemInputs {
        subject_sha256: subject_bytes.as_ref().map(|b| {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(b))
        }),
        subject_name: plan
            .subject
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
        signature: signature_bytes.clone(),
        subject: if keep == Keep::InputsAndSubject {
            subject_bytes.clone()
        } else {
            None
        },
    });
    Ok((report, inputs))
}
