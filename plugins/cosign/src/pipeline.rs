//! The verification pipeline, one stage per function, in the order the checks run:
//! bundle → signer → content → signed timestamps → transparency log → signing time →
//! certificate and identity.
//!
//! Each stage records its checks and returns what later stages need, or the builder with the
//! failure (or unwaived skip) that ended the run: `Err` stops the pipeline, so a later check
//! is never recorded after a failed one.

// The `Err` of a stage is the report builder itself, moved once per verification; boxing it
// would add an allocation to no purpose.
#![allow(clippy::result_large_err)]

use crate::bundle::{Bundle, Content, DigestAlgorithm, Material, MessageDigest};
use crate::checks;
use crate::keyless::{Leaf, SignatureMemo};
use crate::keys::PublicKey;
use crate::rekor::{self, Expected};
use crate::trusted_root::TrustedRoot;
use crate::tsa;
use crate::verified::{Verified, VerifiedLogEntry, VerifiedSigner, VerifiedStatement};
use crate::verify::{
    pae, statement_names, statement_summary, Artifact, IdentityPolicy, Signer, INTOTO_PAYLOAD_TYPE,
};
use crate::Limits;
use plugin_api::{Insecure, ReportBuilder, VerificationTime};

/// A stage's outcome: the builder and what the stage established, or the builder holding the
/// check that ended the run.
type Stage<T> = Result<(ReportBuilder, T), ReportBuilder>;

/// The inputs of one run of the pipeline.
pub(crate) struct Inputs<'a> {
    /// The bundle, parsed (the parse check is recorded by the caller).
    pub(crate) bundle: &'a Bundle,
    pub(crate) root: &'a TrustedRoot,
    pub(crate) artifact: Artifact<'a>,
    pub(crate) signer: Signer<'a>,
    pub(crate) time: VerificationTime,
    pub(crate) skip_timestamp: bool,
    /// `--insecure-ignore-tlog`: the bundle's log entries are neither required nor read.
    pub(crate) skip_tlog: bool,
    /// `--insecure-ignore-sct`: the leaf's signed certificate timestamps are not verified.
    pub(crate) skip_sct: bool,
    /// Policy: every log entry needs an inclusion proof, even in a v0.1 bundle with a SET.
    pub(crate) require_inclusion_proof: bool,
    pub(crate) memo: Option<&'a SignatureMemo>,
    pub(crate) limits: &'a Limits,
}

/// Runs every stage. Sets `out` when every check it records passed (the caller keeps it only
/// if the finished report is ok).
pub(crate) fn run(
    r: ReportBuilder,
    inputs: Inputs<'_>,
    out: &mut Option<Verified>,
) -> ReportBuilder {
    match pipeline(r, inputs) {
        Ok((r, verified)) => {
            *out = Some(verified);
            r
        }
        Err(r) => r,
    }
}

fn pipeline(r: ReportBuilder, inputs: Inputs<'_>) -> Stage<Verified> {
    let Inputs {
        bundle,
        root,
        artifact,
        signer,
        time,
        skip_timestamp,
        skip_tlog,
        skip_sct,
        require_inclusion_proof,
        memo,
        limits,
    } = inputs;
    let r = r.pass(checks::BUNDLE_PARSE, format!("{:?} bundle", bundle.version));
    let (r, (leaf, has_certificate)) = leaf_certificate(r, bundle, signer)?;
    let (r, (key, signer_der, policy)) = signing_key(r, signer, leaf.as_ref(), has_certificate)?;
    let digest = artifact.sha256();
    let (r, (expected, statement)) = content(r, bundle, artifact, digest, key, limits)?;
    let now = i64::try_from(time.unix_seconds()).unwrap_or(i64::MAX);
    let (r, tsa_times) = signed_timestamps(r, bundle, root, now, limits)?;
    let (r, (mut verified_times, log_entries)) = if skip_tlog {
        // Ignored, not read: no log entry's time is used either.
        let r = r.skip_waived(
            checks::TLOG_ENTRIES,
            "transparency-log entries are not read (--insecure-ignore-tlog)",
            Insecure::SkipTlog,
        );
        (r, (Vec::new(), Vec::new()))
    } else {
        transparency_log(
            r,
            bundle,
            root,
            expected,
            signer_der,
            &tsa_times,
            now,
            limits,
            require_inclusion_proof,
        )?
    };
    verified_times.extend_from_slice(&tsa_times);
    let r = signing_time(r, &verified_times, skip_timestamp && policy.is_none())?;
    let verified = |signer| Verified {
        artifact_sha256: digest,
        signer,
        signing_times: verified_times.clone(),
        log_entries,
        statement,
    };
    let Some(policy) = policy else {
        let value = verified(VerifiedSigner::Key {
            sha256_id: key.sha256_id(),
        });
        return Ok((r, value));
    };
    let Some(leaf) = leaf.as_ref() else {
        return Err(r.fail(checks::SIGNER_CERTIFICATE, "leaf certificate missing"));
    };
    let (r, (san, issuer)) = certificate_and_identity(
        r,
        leaf,
        policy,
        root,
        &verified_times,
        memo,
        limits,
        skip_sct,
    )?;
    let value = verified(VerifiedSigner::Certificate {
        claims: leaf.claims(),
        san,
        issuer,
    });
    Ok((r, value))
}

/// Whether the bundle carries a certificate, and its leaf certificate, parsed, when verifying
/// keyless. Of a v0.1/v0.2 `x509CertificateChain` only the first certificate (the leaf) is
/// read: the CA certificates a bundle carries, a root included, are never trusted or used.
fn leaf_certificate<'b>(
    r: ReportBuilder,
    bundle: &'b Bundle,
    signer: Signer<'_>,
) -> Stage<(Option<Leaf<'b>>, bool)> {
    let leaf_der = match &bundle.material {
        Material::PublicKey => None,
        Material::Certificate(d) => Some(d.as_slice()),
        // The chain's CA certificates are untrusted hints and not used: the path is built
        // from the trusted root's certificate authorities alone.
        Material::Chain(chain) => chain.first().map(Vec::as_slice),
    };
    match (signer, leaf_der) {
        (Signer::Keyless(_), Some(der)) => match Leaf::parse(der) {
            Ok(l) => Ok((r, (Some(l), true))),
            Err(e) => Err(r.fail(checks::SIGNER_CERTIFICATE, e.to_string())),
        },
        (_, der) => Ok((r, (None, der.is_some()))),
    }
}

/// The key that must have made the signature, the signer's DER as the log records it (key
/// or certificate), and the identity policy (keyless only).
fn signing_key<'a>(
    r: ReportBuilder,
    signer: Signer<'a>,
    leaf: Option<&'a Leaf<'_>>,
    has_certificate: bool,
) -> Stage<(&'a PublicKey, &'a [u8], Option<&'a IdentityPolicy>)> {
    match (signer, has_certificate) {
        (Signer::Key(k), false) => Ok((
            r.pass(
                checks::SIGNER_KEY,
                "bundle signed with a key; verifying with the given key",
            ),
            (k, k.spki_der(), None),
        )),
        (Signer::Key(_), true) => Err(r.fail(
            checks::SIGNER_KEY,
            "a key was given but the bundle carries a certificate",
        )),
        (Signer::Keyless(_), false) => Err(r.fail(
            checks::SIGNER_CERTIFICATE,
            "an identity was given but the bundle is signed with a key",
        )),
        (Signer::Keyless(p), true) => match leaf {
            Some(leaf) => Ok((
                r.pass(checks::SIGNER_CERTIFICATE, "leaf certificate parsed"),
                (leaf.key(), leaf.der(), Some(p)),
            )),
            None => Err(r.fail(checks::SIGNER_CERTIFICATE, "leaf certificate missing")),
        },
    }
}

/// The signature over the content: a message signature over the artifact (its digest, when
/// the bundle names one, must be the artifact's), or one DSSE signature over an in-toto
/// statement naming the artifact. Returns what the log entry must record, and the statement.
fn content<'a>(
    r: ReportBuilder,
    bundle: &'a Bundle,
    artifact: Artifact<'_>,
    sha256: Option<[u8; 32]>,
    key: &PublicKey,
    limits: &Limits,
) -> Stage<(Expected<'a>, Option<VerifiedStatement>)> {
    match &bundle.content {
        Content::MessageSignature {
            digest: claimed,
            signature,
        } => {
            // The signature is over the digest by the bundle's algorithm (SHA-256 when the
            // bundle names none).
            let alg = claimed
                .as_ref()
                .map_or(DigestAlgorithm::Sha256, MessageDigest::algorithm);
            // The artifact's SHA-256 is already known (hashed once for the whole pipeline).
            let digest = match (alg, sha256) {
                (DigestAlgorithm::Sha256, Some(d)) => Some(MessageDigest::Sha256(d)),
                _ => artifact.digest_as(alg),
            };
            let Some(digest) = digest else {
                return Err(r.fail(
                    checks::CONTENT_DIGEST,
                    format!(
                        "a message signature over a {} digest is verified from the artifact's bytes or its {} digest, not {}",
                        alg.proto_name(),
                        alg.name(),
                        artifact.display().split(':').next().unwrap_or_default()
                    ),
                ));
            };
            let mut r = r;
            match claimed {
                Some(c) if *c != digest => {
                    return Err(r.fail(
                        checks::CONTENT_DIGEST,
                        "the bundle's message digest is not the artifact's",
                    ))
                }
                Some(_) => {
                    r = r.pass(
                        checks::CONTENT_DIGEST,
                        "message digest matches the artifact",
                    )
                }
                None => {}
            }
            // Over the bytes with the key's own hash (ring), or else over the digest the
            // bundle names (a P-384 leaf signing a SHA-256 digest, as Fulcio leaves of any
            // curve may); only the digest when that is all there is.
            let by_bytes = matches!(artifact, Artifact::Bytes(b) if key.verify(b, signature));
            let prehashed = if by_bytes {
                Some(true)
            } else {
                key.verify_prehashed(digest.as_bytes(), signature)
            };
            let r =
                match (artifact, prehashed) {
                    (Artifact::Bytes(_), Some(true)) => {
                        r.pass(checks::CONTENT_SIGNATURE, "message signature verifies")
                    }
                    (_, Some(true)) => r.pass(
                        checks::CONTENT_SIGNATURE,
                        "message signature verifies over the artifact digest",
                    ),
                    (Artifact::Bytes(_), _) | (_, Some(false)) => {
                        return Err(r.fail(
                            checks::CONTENT_SIGNATURE,
                            "message signature does not verify with the key",
                        ))
                    }
                    (_, None) => return Err(r.skip(
                        checks::CONTENT_SIGNATURE,
                        "verifying this key type's signature from a digest alone is not supported",
                    )),
                };
            Ok((r, (Expected::HashedRekord { digest, signature }, None)))
        }
        Content::Dsse(env) => {
            if env.signatures.len() != 1 {
                return Err(r.fail(
                    checks::DSSE_SIGNATURE,
                    format!(
                        "expected exactly one DSSE signature, found {}",
                        env.signatures.len()
                    ),
                ));
            }
            let pae = pae(&env.payload_type, &env.payload);
            if !env.signatures.iter().all(|s| key.verify(&pae, s)) {
                return Err(r.fail(
                    checks::DSSE_SIGNATURE,
                    "DSSE signature does not verify with the key",
                ));
            }
            let r = r.pass(checks::DSSE_SIGNATURE, "DSSE signature verifies");
            let expected = Expected::Dsse {
                payload_type: &env.payload_type,
                payload: &env.payload,
                signatures: &env.signatures,
            };
            if env.payload_type != INTOTO_PAYLOAD_TYPE {
                // Not an in-toto statement: the envelope signs the artifact itself.
                if !artifact.is(&env.payload) {
                    return Err(r.fail(
                        checks::DSSE_PAYLOAD_TYPE,
                        format!(
                            "payload type {:?} is not an in-toto statement, and the payload is not the artifact",
                            env.payload_type
                        ),
                    ));
                }
                let r = r.pass(
                    checks::DSSE_PAYLOAD_TYPE,
                    format!(
                        "payload type {:?}: no in-toto statement; the signed payload is the artifact",
                        env.payload_type
                    ),
                );
                return Ok((r, (expected, None)));
            }
            let r = match statement_names(&env.payload, &artifact, limits.statement_subjects) {
                Ok(detail) => r.pass(checks::INTOTO_SUBJECT, detail),
                Err(e) => return Err(r.fail(checks::INTOTO_SUBJECT, e.to_string())),
            };
            Ok((r, (expected, Some(statement_summary(&env.payload)))))
        }
    }
}

/// Every RFC 3161 timestamp over the signature bytes, verified against the trusted root's
/// timestamping authorities: their genTimes.
fn signed_timestamps(
    mut r: ReportBuilder,
    bundle: &Bundle,
    root: &TrustedRoot,
    now: i64,
    limits: &Limits,
) -> Stage<Vec<i64>> {
    let signature_bytes: &[u8] = match &bundle.content {
        Content::MessageSignature { signature, .. } => signature,
        Content::Dsse(env) => env
            .signatures
            .first()
            .map(Vec::as_slice)
            .unwrap_or_default(),
    };
    let mut tsa_times: Vec<i64> = Vec::new();
    for (i, raw) in bundle.rfc3161_timestamps.iter().enumerate() {
        let id = checks::timestamp(i);
        let parsed = tsa::Timestamp::parse_within(raw, limits);
        match parsed.and_then(|ts| ts.verify(signature_bytes, root, now)) {
            Ok(t) => {
                r = r.pass(
                    id,
                    format!("signed timestamp by a trusted timestamping authority, genTime {t}"),
                );
                tsa_times.push(t);
            }
            Err(e) => return Err(r.fail(id, e.to_string())),
        }
    }
    Ok((r, tsa_times))
}

/// Every transparency-log entry: from a trusted log, recording this signature, key and
/// content, with a verified SET (an integrated time) and/or an inclusion proof. Returns the
/// SET-backed integrated times and the verified entries.
#[allow(clippy::too_many_arguments)] // the stage's inputs, each from an earlier stage
fn transparency_log(
    mut r: ReportBuilder,
    bundle: &Bundle,
    root: &TrustedRoot,
    expected: Expected<'_>,
    signer_der: &[u8],
    tsa_times: &[i64],
    now: i64,
    limits: &Limits,
    require_inclusion_proof: bool,
) -> Stage<(Vec<i64>, Vec<VerifiedLogEntry>)> {
    if bundle.tlog_entries.is_empty() {
        // An instance without a log (GitHub's, for private repositories) is one whose trusted
        // root names none: its signing time must then come from a timestamp authority.
        if root.tlogs.is_empty() && !require_inclusion_proof {
            if tsa_times.is_empty() {
                return Err(r.fail(
                    checks::TLOG_ENTRIES,
                    "no transparency-log entry and no verified timestamp: a trusted root without a log needs a timestamp authority's time",
                ));
            }
            let r = r
                .pass(
                    checks::TLOG_ENTRIES,
                    "no transparency-log entry; the trusted root names no log, and the signing time comes from a timestamp authority",
                )
                .warning("the trusted root names no transparency log: the signature is not logged (its time comes from a timestamp authority)");
            return Ok((r, (Vec::new(), Vec::new())));
        }
        if require_inclusion_proof {
            return Err(r.fail(
                checks::TLOG_ENTRIES,
                "the bundle has no transparency-log entry, and the policy requires inclusion proofs",
            ));
        }
        return Err(r.fail(
            checks::TLOG_ENTRIES,
            "the bundle has no transparency-log entry",
        ));
    }
    let mut verified_times: Vec<i64> = Vec::new();
    let mut log_entries = Vec::with_capacity(bundle.tlog_entries.len());
    for (i, entry) in bundle.tlog_entries.iter().enumerate() {
        let id = |step: &str| checks::tlog_entry(i, step);
        let v2 = match (entry.kind.as_str(), entry.version.as_str()) {
            ("hashedrekord", "0.0.1") | ("dsse", "0.0.1") | ("intoto", "0.0.2") => false,
            // Rekor v2 logs DSSE envelopes as hashedrekord 0.0.2 too (sigstore-go and
            // sigstore-java refuse a dsse 0.0.2 entry, and so does this plugin).
            ("hashedrekord", "0.0.2") => true,
            (k, v) => return Err(r.skip(id("kind"), format!("{k} {v} entries are not supported"))),
        };
        let Some(log) = root.tlog(&entry.log_id) else {
            return Err(r.fail(id("log"), "entry is from a log not in the trusted root"));
        };
        let Some(log_key) = log.key.as_ref() else {
            return Err(r.fail(
                id("log"),
                "the trusted root's key for this log is unsupported",
            ));
        };
        // Rekor v1 logs are named by the SHA-256 of their key; Rekor v2 logs by their
        // checkpoint key id (C2SP signed note, signer name = the log's origin).
        let origin = log.origin();
        let id_ok = log_key.sha256_id().as_slice() == entry.log_id.as_slice()
            || (v2
                && rekor::checkpoint_key_id(log_key, origin).as_slice() == entry.log_id.as_slice());
        if !id_ok {
            return Err(r.fail(id("log"), "log id is not the id of the log key"));
        }
        if log.valid_from.is_none() {
            return Err(r.fail(
                id("log"),
                "the trusted root gives no validity start for this log's key",
            ));
        }
        r = r.pass(id("log"), format!("log {}", log.base_url));
        if let Err(e) = rekor::check_body(entry, expected, signer_der, limits) {
            return Err(r.fail(id("body"), e.to_string()));
        }
        r = r.pass(
            id("body"),
            "entry body records this signature, key and content",
        );
        if v2 && entry.set.is_some() {
            return Err(r.fail(id("set"), "a Rekor v2 entry carries an inclusion promise"));
        }
        match entry.set.as_deref() {
            None => {
                // No SET, no trusted integrated time (always so for Rekor v2): the signing
                // time comes only from signed timestamps, which must fall inside the log
                // key's validity.
                if !tsa_times.iter().all(|t| log.valid_at(*t)) {
                    return Err(r.fail(
                        id("time"),
                        "a signed timestamp is outside the log key's validity in the trusted root",
                    ));
                }
                if !tsa_times.is_empty() {
                    r = r.pass(
                        id("time"),
                        "the signed timestamps are inside the log key's validity",
                    );
                }
            }
            Some(set) => {
                if let Err(e) = rekor::check_set(entry, set, log_key) {
                    return Err(r.fail(id("set"), e.to_string()));
                }
                r = r.pass(id("set"), "signed entry timestamp verifies");
                if entry.integrated_time > now {
                    return Err(r.fail(id("time"), "integrated time is in the future"));
                }
                if !log.valid_at(entry.integrated_time) {
                    return Err(r.fail(
                        id("time"),
                        "integrated time is outside the log key's validity in the trusted root",
                    ));
                }
                r = r.pass(
                    id("time"),
                    format!(
                        "integrated at {}",
                        plugin_api::time::format_rfc3339(entry.integrated_time)
                    ),
                );
                verified_times.push(entry.integrated_time);
            }
        }
        // Without a SET the entry gives no signing time and its inclusion proof is mandatory.
        let proof_required = v2 || entry.set.is_none();
        let Some(proof) = entry.proof.as_ref() else {
            return Err(if v2 {
                r.fail(
                    id("inclusion"),
                    "the Rekor v2 entry has no inclusion proof (it is mandatory)",
                )
            } else if proof_required {
                r.fail(
                    id("inclusion"),
                    "the entry has neither a signed entry timestamp nor an inclusion proof",
                )
            } else if bundle.version == crate::bundle::BundleVersion::V01
                && !require_inclusion_proof
            {
                // A v0.1 bundle may rest on the log's signed promise (verified above) alone,
                // as the bundle format allows and sigstore-go accepts; said in a warning, and
                // refused under --require-inclusion-proof.
                r = r
                    .pass(
                        id("inclusion"),
                        "no inclusion proof: a v0.1 bundle with the log's signed entry timestamp (inclusion promise) only",
                    )
                    .warning(format!(
                        "log entry {i}: inclusion promised (SET) but not proven: a v0.1 bundle without an inclusion proof (--require-inclusion-proof refuses it)"
                    ));
                log_entries.push(VerifiedLogEntry {
                    log_id: entry.log_id.clone(),
                    log_index: entry.log_index,
                    integrated_time: Some(entry.integrated_time),
                });
                continue;
            } else if require_inclusion_proof {
                r.fail(
                    id("inclusion"),
                    "the entry has no inclusion proof, and the policy requires one",
                )
            } else {
                r.skip(id("inclusion"), "the entry has no inclusion proof")
            });
        };
        let origin = v2.then_some(origin);
        if let Err(e) = rekor::check_inclusion(entry, proof, log_key, origin, limits) {
            return Err(r.fail(id("inclusion"), e.to_string()));
        }
        r = r.pass(
            id("inclusion"),
            format!(
                "included at {} of {}; checkpoint signed by the log",
                proof.log_index, proof.tree_size
            ),
        );
        log_entries.push(VerifiedLogEntry {
            log_id: entry.log_id.clone(),
            log_index: entry.log_index,
            integrated_time: entry.set.is_some().then_some(entry.integrated_time),
        });
    }
    Ok((r, (verified_times, log_entries)))
}

/// At least one verified signing time (a SET-backed integrated time, or an RFC 3161
/// genTime); `may_waive` when the caller turned on skip-timestamp for a key-signed bundle.
fn signing_time(
    r: ReportBuilder,
    verified_times: &[i64],
    may_waive: bool,
) -> Result<ReportBuilder, ReportBuilder> {
    if verified_times.is_empty() {
        let why = "no verified signing time (no SET-backed integrated time, no RFC 3161 timestamp)";
        // Waived, verification goes on (and yields its value, with no signing time).
        return if may_waive {
            Ok(r.skip_waived(checks::TIME_THRESHOLD, why, Insecure::SkipTimestamp))
        } else {
            Err(r.fail(checks::TIME_THRESHOLD, why))
        };
    }
    Ok(r.pass(
        checks::TIME_THRESHOLD,
        format!("{} verified signing time(s)", verified_times.len()),
    ))
}

/// Keyless: the certificate is valid at every verified signing time, chains to a trusted
/// Fulcio CA at those times, carries verified SCTs, and names the expected identity. Returns
/// the SAN and issuer.
// The stage's inputs: the leaf, the policy, the trust, the times, the memo, the budgets and
// the one insecure mode that applies here.
#[allow(clippy::too_many_arguments)]
fn certificate_and_identity(
    r: ReportBuilder,
    leaf: &Leaf<'_>,
    policy: &IdentityPolicy,
    root: &TrustedRoot,
    verified_times: &[i64],
    memo: Option<&SignatureMemo>,
    limits: &Limits,
    skip_sct: bool,
) -> Stage<(String, String)> {
    let (not_before, not_after) = leaf.validity();
    if !verified_times
        .iter()
        .all(|t| (not_before..=not_after).contains(t))
    {
        return Err(r.fail(
            checks::CERTIFICATE_VALIDITY,
            "a verified signing time is outside the certificate's validity",
        ));
    }
    let r = r.pass(
        checks::CERTIFICATE_VALIDITY,
        "certificate valid at the signing time",
    );
    let issuer_spki = match leaf.path_to_trusted_ca(root, verified_times, memo) {
        Ok(s) => s,
        Err(e) => return Err(r.fail(checks::CERTIFICATE_CHAIN, e.to_string())),
    };
    let r = r.pass(
        checks::CERTIFICATE_CHAIN,
        "issued by a certificate authority in the trusted root",
    );
    let r = if skip_sct {
        r.skip_waived(
            checks::CERTIFICATE_SCT,
            "signed certificate timestamps are not verified (--insecure-ignore-sct)",
            Insecure::SkipSct,
        )
    } else if root.ctlogs.is_empty() {
        // A certificate authority without certificate transparency (GitHub's instance) is one
        // whose trusted root names no CT log: there is no log an SCT could be checked against.
        r.pass(
            checks::CERTIFICATE_SCT,
            "the trusted root names no certificate-transparency log: no SCT required",
        )
        .warning("the trusted root names no certificate-transparency log: the signing certificate's SCTs are not checked")
    } else {
        match leaf.scts(root, &issuer_spki, limits.scts) {
            Ok(n) => r.pass(checks::CERTIFICATE_SCT, format!("{n} SCT(s) verified")),
            Err(e) => return Err(r.fail(checks::CERTIFICATE_SCT, e.to_string())),
        }
    };
    let (san, issuer) = match leaf.identity() {
        Ok(x) => x,
        Err(e) => return Err(r.fail(checks::IDENTITY_SAN, e.to_string())),
    };
    if !policy.san.matches(&san) {
        return Err(r.fail(
            checks::IDENTITY_SAN,
            format!(
                "the certificate's SAN {san:?} does not match {}",
                policy.san.describe()
            ),
        ));
    }
    let r = r.pass(checks::IDENTITY_SAN, format!("SAN {san:?}"));
    if !policy.issuer.matches(&issuer) {
        return Err(r.fail(
            checks::IDENTITY_ISSUER,
            format!(
                "the certificate's issuer {issuer:?} does not match {}",
                policy.issuer.describe()
            ),
        ));
    }
    let r = r.pass(checks::IDENTITY_ISSUER, format!("issuer {issuer:?}"));
    Ok((r, (san, issuer)))
}
