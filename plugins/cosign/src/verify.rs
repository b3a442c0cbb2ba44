//! The verification pipeline: bundle → signer → content → transparency log → time.

use crate::bundle::{Bundle, Content, Material};
use crate::checks;
use crate::error::AttestationError;
use crate::keyless::{self, Leaf, SignatureMemo};
use crate::keys::PublicKey;
use crate::rekor::{self, Expected};
use crate::trusted_root::TrustedRoot;
use crate::tsa;
use crate::verified::{Verified, VerifiedLogEntry, VerifiedSigner, VerifiedStatement};
use crate::{fulcio_ext, Limits};
use plugin_api::{Insecure, Report, ReportBuilder, VerificationTime};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The plugin name recorded in reports.
pub const PLUGIN: &str = "cosign";
/// Budget for an identity regexp.
pub const MAX_REGEX_LEN: usize = 1024;
/// Budget for subjects in an in-toto statement.
pub const MAX_SUBJECTS: usize = 1024;

const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
const STATEMENT_TYPES: &[&str] = &[
    "https://in-toto.io/Statement/v0.1",
    "https://in-toto.io/Statement/v1",
];

/// The artifact being verified.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Artifact<'a> {
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// Only its SHA-256 digest.
    Sha256Digest([u8; 32]),
}

impl Artifact<'_> {
    fn digest(&self) -> [u8; 32] {
        match self {
            Artifact::Bytes(b) => Sha256::digest(b).into(),
            Artifact::Sha256Digest(d) => *d,
        }
    }
}

/// How a string of the certificate must match.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Matcher {
    /// Byte-for-byte equality.
    Exact(String),
    /// A regular expression matched against the whole string (anchored at both ends).
    Regex(regex::Regex),
}

impl Matcher {
    /// An anchored regular-expression matcher: `pattern` must match the whole string.
    pub fn regex(pattern: &str) -> Result<Self, crate::ParseError> {
        if pattern.len() > MAX_REGEX_LEN {
            return Err(crate::ParseError::TooLarge {
                what: "identity regexp",
                len: pattern.len(),
                max: MAX_REGEX_LEN,
            });
        }
        regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 20)
            .build()
            .map(Matcher::Regex)
            .map_err(|e| crate::ParseError::invalid("identity regexp", e.to_string()))
    }

    /// The string or the pattern as given (without the anchoring added by
    /// [`Matcher::regex`]).
    pub fn source(&self) -> &str {
        match self {
            Matcher::Exact(e) => e,
            Matcher::Regex(r) => {
                let s = r.as_str();
                s.strip_prefix("^(?:")
                    .and_then(|t| t.strip_suffix(")$"))
                    .unwrap_or(s)
            }
        }
    }

    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            Matcher::Exact(e) => e == s,
            Matcher::Regex(r) => r.is_match(s),
        }
    }
}

/// Expected certificate identity (keyless).
#[derive(Debug, Clone)]
pub struct IdentityPolicy {
    /// Subject alternative name.
    pub san: Matcher,
    /// OIDC issuer (Fulcio extension).
    pub issuer: Matcher,
}

/// Who must have signed.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Signer<'a> {
    /// A known public key.
    Key(&'a PublicKey),
    /// A Fulcio certificate with this identity.
    Keyless(&'a IdentityPolicy),
}

/// Pre-authentication encoding of DSSE.
pub(crate) fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Whether the in-toto statement has a subject with this SHA-256 digest.
fn statement_names(payload: &[u8], digest: &[u8; 32]) -> Result<(), AttestationError> {
    let v: Value = plugin_api::json::from_slice(payload)
        .map_err(|e| AttestationError::Malformed(format!("statement is not JSON: {e}")))?;
    let t = v.get("_type").and_then(Value::as_str).unwrap_or_default();
    if !STATEMENT_TYPES.contains(&t) {
        return Err(AttestationError::Unsupported(format!(
            "unsupported statement type {t:?}"
        )));
    }
    let subjects = v
        .get("subject")
        .and_then(Value::as_array)
        .ok_or_else(|| AttestationError::Malformed("statement has no subject list".into()))?;
    if subjects.len() > MAX_SUBJECTS {
        return Err(AttestationError::OverBudget("too many subjects".into()));
    }
    let want = hex::encode(digest);
    let found = subjects.iter().any(|s| {
        s.get("digest")
            .and_then(|d| d.get("sha256"))
            .and_then(Value::as_str)
            .is_some_and(|h| h.eq_ignore_ascii_case(&want))
    });
    if found {
        Ok(())
    } else {
        Err(AttestationError::Mismatch(
            "no statement subject has the artifact's sha256 digest".into(),
        ))
    }
}

/// Verifies a Sigstore bundle offline against a trusted root, at the given time.
///
/// Every check that cannot be performed is recorded as skipped; an unwaived skip makes the
/// report fail. `insecure` lists the insecure modes the caller explicitly turned on.
pub fn verify(
    bundle_json: &[u8],
    root: &TrustedRoot,
    artifact: Artifact<'_>,
    signer: Signer<'_>,
    time: VerificationTime,
    insecure: &[Insecure],
) -> Report {
    verify_inner(
        bundle_json,
        root,
        artifact,
        signer,
        time,
        insecure,
        None,
        &Limits::DEFAULT,
    )
    .0
}

/// [`verify`], and, when the report is ok, what it established ([`Verified`]: signer,
/// signing times, log entries, statement), so that the caller need not read the bundle again.
/// `memo` is as for [`verify_with_memo`].
pub fn verify_with_value(
    bundle_json: &[u8],
    root: &TrustedRoot,
    artifact: Artifact<'_>,
    signer: Signer<'_>,
    time: VerificationTime,
    insecure: &[Insecure],
    memo: Option<&SignatureMemo>,
) -> (Report, Option<Verified>) {
    verify_inner(
        bundle_json,
        root,
        artifact,
        signer,
        time,
        insecure,
        memo,
        &Limits::DEFAULT,
    )
}

/// [`verify`], reusing the verified signatures of trusted CA chains recorded in `memo` (and
/// recording new ones): for many bundles against one trusted root, as in a batch. The report
/// is the same as [`verify`]'s; see [`SignatureMemo`] for what is and is not reused.
pub fn verify_with_memo(
    bundle_json: &[u8],
    root: &TrustedRoot,
    artifact: Artifact<'_>,
    signer: Signer<'_>,
    time: VerificationTime,
    insecure: &[Insecure],
    memo: &SignatureMemo,
) -> Report {
    verify_inner(
        bundle_json,
        root,
        artifact,
        signer,
        time,
        insecure,
        Some(memo),
        &Limits::DEFAULT,
    )
    .0
}

/// [`verify`], [`verify_with_memo`] and [`verify_with_value`]: the report's header, then
/// every check; the [`Verified`] value only when the report is ok.
// The inputs of one verification, and the budgets it runs under.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_inner(
    bundle_json: &[u8],
    root: &TrustedRoot,
    artifact: Artifact<'_>,
    signer: Signer<'_>,
    time: VerificationTime,
    insecure: &[Insecure],
    memo: Option<&SignatureMemo>,
    limits: &Limits,
) -> (Report, Option<Verified>) {
    let r = Report::builder(PLUGIN)
        .subject(format!("sha256:{}", hex::encode(artifact.digest())))
        .verified_at(time)
        .insecure_modes(insecure);
    let skip_timestamp = insecure.contains(&Insecure::SkipTimestamp);
    let mut verified = None;
    let report = run(
        r,
        Inputs {
            bundle_json,
            root,
            artifact,
            signer,
            time,
            skip_timestamp,
            memo,
            limits,
        },
        &mut verified,
    )
    .finish();
    let verified = if report.ok() { verified } else { None };
    (report, verified)
}

/// The inputs of one run of the pipeline.
struct Inputs<'a> {
    bundle_json: &'a [u8],
    root: &'a TrustedRoot,
    artifact: Artifact<'a>,
    signer: Signer<'a>,
    time: VerificationTime,
    skip_timestamp: bool,
    memo: Option<&'a SignatureMemo>,
    limits: &'a Limits,
}

/// The pipeline: bundle → signer → content → timestamps → transparency log → time →
/// certificate and identity. Sets `out` when every check it records passed (the caller keeps
/// it only if the finished report is ok).
fn run(r: ReportBuilder, inputs: Inputs<'_>, out: &mut Option<Verified>) -> ReportBuilder {
    let Inputs {
        bundle_json,
        root,
        artifact,
        signer,
        time,
        skip_timestamp,
        memo,
        limits,
    } = inputs;
    let bundle = match Bundle::from_json_with_limits(bundle_json, limits) {
        Ok(b) => b,
        Err(e) => return r.fail(checks::BUNDLE_PARSE, e.to_string()),
    };
    let mut r = r.pass(checks::BUNDLE_PARSE, format!("{:?} bundle", bundle.version));

    // Signer.
    let leaf_der: Option<&[u8]> = match &bundle.material {
        Material::PublicKey => None,
        Material::Certificate(d) => Some(d.as_slice()),
        Material::Chain(chain) => {
            for c in chain {
                if keyless::is_self_issued(c) {
                    return r.fail(
                        checks::SIGNER_CERTIFICATE,
                        "the bundle's certificate chain contains a root (self-issued) certificate",
                    );
                }
            }
            chain.first().map(Vec::as_slice)
        }
    };
    let leaf_holder = match (signer, leaf_der) {
        (Signer::Keyless(_), Some(der)) => match Leaf::parse(der) {
            Ok(l) => Some(l),
            Err(e) => return r.fail(checks::SIGNER_CERTIFICATE, e.to_string()),
        },
        _ => None,
    };
    let (key, signer_der, policy): (&PublicKey, &[u8], Option<&IdentityPolicy>) =
        match (signer, leaf_der) {
            (Signer::Key(k), None) => {
                r = r.pass(
                    checks::SIGNER_KEY,
                    "bundle signed with a key; verifying with the given key",
                );
                (k, k.spki_der(), None)
            }
            (Signer::Key(_), Some(_)) => {
                return r.fail(
                    checks::SIGNER_KEY,
                    "a key was given but the bundle carries a certificate",
                )
            }
            (Signer::Keyless(_), None) => {
                return r.fail(
                    checks::SIGNER_CERTIFICATE,
                    "an identity was given but the bundle is signed with a key",
                )
            }
            (Signer::Keyless(p), Some(_)) => {
                let Some(leaf) = leaf_holder.as_ref() else {
                    return r.fail(checks::SIGNER_CERTIFICATE, "leaf certificate missing");
                };
                r = r.pass(checks::SIGNER_CERTIFICATE, "leaf certificate parsed");
                (leaf.key(), leaf.der(), Some(p))
            }
        };

    // Content.
    let digest = artifact.digest();
    let mut statement = None;
    let expected = match &bundle.content {
        Content::MessageSignature {
            digest: claimed,
            signature,
        } => {
            match claimed {
                Some(c) if *c != digest => {
                    return r.fail(
                        checks::CONTENT_DIGEST,
                        "the bundle's message digest is not the artifact's",
                    )
                }
                Some(_) => {
                    r = r.pass(
                        checks::CONTENT_DIGEST,
                        "message digest matches the artifact",
                    )
                }
                None => {}
            }
            match artifact {
                Artifact::Bytes(b) => {
                    if key.verify(b, signature) {
                        r = r.pass(checks::CONTENT_SIGNATURE, "message signature verifies");
                    } else {
                        return r.fail(
                            checks::CONTENT_SIGNATURE,
                            "message signature does not verify with the key",
                        );
                    }
                }
                Artifact::Sha256Digest(d) => match key.verify_prehashed_sha256(&d, signature) {
                    Some(true) => {
                        r = r.pass(
                            checks::CONTENT_SIGNATURE,
                            "message signature verifies over the artifact digest",
                        )
                    }
                    Some(false) => {
                        return r.fail(
                            checks::CONTENT_SIGNATURE,
                            "message signature does not verify with the key",
                        )
                    }
                    None => return r.skip(
                        checks::CONTENT_SIGNATURE,
                        "verifying this key type's signature from a digest alone is not supported",
                    ),
                },
            }
            Expected::HashedRekord {
                digest: &digest,
                signature,
            }
        }
        Content::Dsse(env) => {
            if env.signatures.len() != 1 {
                return r.fail(
                    checks::DSSE_SIGNATURE,
                    format!(
                        "expected exactly one DSSE signature, found {}",
                        env.signatures.len()
                    ),
                );
            }
            let pae = pae(&env.payload_type, &env.payload);
            if !env.signatures.iter().all(|s| key.verify(&pae, s)) {
                return r.fail(
                    checks::DSSE_SIGNATURE,
                    "DSSE signature does not verify with the key",
                );
            }
            r = r.pass(checks::DSSE_SIGNATURE, "DSSE signature verifies");
            if env.payload_type != INTOTO_PAYLOAD_TYPE {
                return r.fail(
                    checks::DSSE_PAYLOAD_TYPE,
                    format!("unsupported payload type {:?}", env.payload_type),
                );
            }
            match statement_names(&env.payload, &digest) {
                Ok(()) => {
                    r = r.pass(
                        checks::INTOTO_SUBJECT,
                        "a statement subject matches the artifact",
                    )
                }
                Err(e) => return r.fail(checks::INTOTO_SUBJECT, e.to_string()),
            }
            statement = Some(statement_summary(&env.payload));
            Expected::Dsse {
                payload_type: &env.payload_type,
                payload: &env.payload,
                signatures: &env.signatures,
            }
        }
    };

    // Signed timestamps (RFC 3161) over the signature bytes.
    let now = i64::try_from(time.unix_seconds()).unwrap_or(i64::MAX);
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
        let verified =
            tsa::Timestamp::parse(raw).and_then(|ts| ts.verify(signature_bytes, root, now));
        match verified {
            Ok(t) => {
                r = r.pass(
                    id,
                    format!("signed timestamp by a trusted timestamping authority, genTime {t}"),
                );
                tsa_times.push(t);
            }
            Err(e) => return r.fail(id, e.to_string()),
        }
    }

    // Transparency log.
    if bundle.tlog_entries.is_empty() {
        return r.fail(
            checks::TLOG_ENTRIES,
            "the bundle has no transparency-log entry",
        );
    }
    let mut verified_times: Vec<i64> = Vec::new();
    let mut log_entries = Vec::with_capacity(bundle.tlog_entries.len());
    for (i, entry) in bundle.tlog_entries.iter().enumerate() {
        let id = |step: &str| checks::tlog_entry(i, step);
        let v2 = match (entry.kind.as_str(), entry.version.as_str()) {
            ("hashedrekord", "0.0.1") | ("dsse", "0.0.1") | ("intoto", "0.0.2") => false,
            ("hashedrekord", "0.0.2") | ("dsse", "0.0.2") => true,
            (k, v) => return r.skip(id("kind"), format!("{k} {v} entries are not supported")),
        };
        let Some(log) = root.tlog(&entry.log_id) else {
            return r.fail(id("log"), "entry is from a log not in the trusted root");
        };
        let Some(log_key) = log.key.as_ref() else {
            return r.fail(
                id("log"),
                "the trusted root's key for this log is unsupported",
            );
        };
        // Rekor v1 logs are named by the SHA-256 of their key; Rekor v2 logs by their
        // checkpoint key id (C2SP signed note, signer name = the log's origin).
        let origin = log.origin();
        let id_ok = log_key.sha256_id().as_slice() == entry.log_id.as_slice()
            || (v2
                && rekor::checkpoint_key_id(log_key, origin).as_slice() == entry.log_id.as_slice());
        if !id_ok {
            return r.fail(id("log"), "log id is not the id of the log key");
        }
        if log.valid_from.is_none() {
            return r.fail(
                id("log"),
                "the trusted root gives no validity start for this log's key",
            );
        }
        r = r.pass(id("log"), format!("log {}", log.base_url));
        if let Err(e) = rekor::check_body(entry, expected, signer_der) {
            return r.fail(id("body"), e.to_string());
        }
        r = r.pass(
            id("body"),
            "entry body records this signature, key and content",
        );
        if v2 && entry.set.is_some() {
            return r.fail(id("set"), "a Rekor v2 entry carries an inclusion promise");
        }
        match entry.set.as_deref() {
            None => {
                // No SET, no trusted integrated time (always so for Rekor v2): the signing
                // time comes only from signed timestamps, which must fall inside the log
                // key's validity.
                if !tsa_times.iter().all(|t| log.valid_at(*t)) {
                    return r.fail(
                        id("time"),
                        "a signed timestamp is outside the log key's validity in the trusted root",
                    );
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
                    return r.fail(id("set"), e.to_string());
                }
                r = r.pass(id("set"), "signed entry timestamp verifies");
                if entry.integrated_time > now {
                    return r.fail(id("time"), "integrated time is in the future");
                }
                if !log.valid_at(entry.integrated_time) {
                    return r.fail(
                        id("time"),
                        "integrated time is outside the log key's validity in the trusted root",
                    );
                }
                r = r.pass(
                    id("time"),
                    format!("integrated at {}", entry.integrated_time),
                );
                verified_times.push(entry.integrated_time);
            }
        }
        // Without a SET the entry gives no signing time and its inclusion proof is mandatory.
        let proof_required = v2 || entry.set.is_none();
        let Some(proof) = entry.proof.as_ref() else {
            return if v2 {
                r.fail(
                    id("inclusion"),
                    "the Rekor v2 entry has no inclusion proof (it is mandatory)",
                )
            } else if proof_required {
                r.fail(
                    id("inclusion"),
                    "the entry has neither a signed entry timestamp nor an inclusion proof",
                )
            } else {
                r.skip(id("inclusion"), "the entry has no inclusion proof")
            };
        };
        if let Err(e) = rekor::check_inclusion(entry, proof, log_key, v2.then_some(origin)) {
            return r.fail(id("inclusion"), e.to_string());
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

    // Time: at least one verified signing time (integrated time under a SET, or RFC 3161).
    verified_times.extend_from_slice(&tsa_times);
    if verified_times.is_empty() {
        let why = "no verified signing time (no SET-backed integrated time, no RFC 3161 timestamp)";
        return if skip_timestamp && policy.is_none() {
            r.skip_waived(checks::TIME_THRESHOLD, why, Insecure::SkipTimestamp)
        } else {
            r.fail(checks::TIME_THRESHOLD, why)
        };
    }
    r = r.pass(
        checks::TIME_THRESHOLD,
        format!("{} verified signing time(s)", verified_times.len()),
    );

    // Keyless: certificate chain, validity, SCTs, identity.
    let verified = |signer| Verified {
        artifact_sha256: digest,
        signer,
        signing_times: verified_times.clone(),
        log_entries,
        statement,
    };
    let Some(policy) = policy else {
        *out = Some(verified(VerifiedSigner::Key {
            sha256_id: key.sha256_id(),
        }));
        return r;
    };
    let Some(leaf) = leaf_holder.as_ref() else {
        return r.fail(checks::SIGNER_CERTIFICATE, "leaf certificate missing");
    };
    let (not_before, not_after) = leaf.validity();
    if !verified_times
        .iter()
        .all(|t| (not_before..=not_after).contains(t))
    {
        return r.fail(
            checks::CERTIFICATE_VALIDITY,
            "a verified signing time is outside the certificate's validity",
        );
    }
    r = r.pass(
        checks::CERTIFICATE_VALIDITY,
        "certificate valid at the signing time",
    );
    let issuer_spki = match leaf.path_to_trusted_ca(root, &verified_times, memo) {
        Ok(s) => s,
        Err(e) => return r.fail(checks::CERTIFICATE_CHAIN, e.to_string()),
    };
    r = r.pass(
        checks::CERTIFICATE_CHAIN,
        "issued by a certificate authority in the trusted root",
    );
    match leaf.scts(root, &issuer_spki) {
        Ok(n) => r = r.pass(checks::CERTIFICATE_SCT, format!("{n} SCT(s) verified")),
        Err(e) => return r.fail(checks::CERTIFICATE_SCT, e.to_string()),
    }
    let (san, issuer) = match leaf.identity() {
        Ok(x) => x,
        Err(e) => return r.fail(checks::IDENTITY_SAN, e.to_string()),
    };
    if !policy.san.matches(&san) {
        return r.fail(checks::IDENTITY_SAN, format!("SAN {san:?} does not match"));
    }
    r = r.pass(checks::IDENTITY_SAN, format!("SAN {san:?}"));
    if !policy.issuer.matches(&issuer) {
        return r.fail(
            checks::IDENTITY_ISSUER,
            format!("issuer {issuer:?} does not match"),
        );
    }
    let r = r.pass(checks::IDENTITY_ISSUER, format!("issuer {issuer:?}"));
    *out = Some(verified(VerifiedSigner::Certificate {
        claims: fulcio_ext::read(leaf.der()),
        san,
        issuer,
    }));
    r
}

/// The predicate type and subject digests of a statement that [`statement_names`] accepted.
fn statement_summary(payload: &[u8]) -> VerifiedStatement {
    let v: Value = plugin_api::json::from_slice(payload).unwrap_or(Value::Null);
    let subject_sha256 = v
        .get("subject")
        .and_then(Value::as_array)
        .map(|subjects| {
            subjects
                .iter()
                .filter_map(|s| s.get("digest")?.get("sha256")?.as_str())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    VerifiedStatement {
        predicate_type: v
            .get("predicateType")
            .and_then(Value::as_str)
            .map(str::to_owned),
        subject_sha256,
    }
}
