//! Verifying a bundle: the public entry points, the artifact and identity policy types, and
//! in-toto statement helpers; the checks themselves run in [`crate::pipeline`].

use crate::error::AttestationError;
use crate::keyless::SignatureMemo;
use crate::keys::PublicKey;
use crate::trusted_root::TrustedRoot;
use crate::verified::{Verified, VerifiedStatement};
use crate::Limits;
use plugin_api::{Insecure, Report, ReportBuilder, VerificationTime};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The plugin name recorded in reports.
pub const PLUGIN: &str = "cosign";
/// Budget for an identity regexp.
pub const MAX_REGEX_LEN: usize = crate::Limits::DEFAULT.regex_bytes;

pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
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
    /// Only its SHA-384 digest (matched against in-toto statement subjects only).
    Sha384Digest([u8; 48]),
    /// Only its SHA-512 digest (matched against in-toto statement subjects only; npm's
    /// provenance and publish attestations name packages by SHA-512).
    Sha512Digest([u8; 64]),
}

impl Artifact<'_> {
    /// Its SHA-256 digest, when it is known (bytes, or a SHA-256 digest).
    pub(crate) fn sha256(&self) -> Option<[u8; 32]> {
        match self {
            Artifact::Bytes(b) => Some(Sha256::digest(b).into()),
            Artifact::Sha256Digest(d) => Some(*d),
            Artifact::Sha384Digest(_) | Artifact::Sha512Digest(_) => None,
        }
    }

    /// Its digest by `alg`, when it can be had (bytes, or a digest of that algorithm).
    pub(crate) fn digest_as(&self, alg: crate::DigestAlgorithm) -> Option<crate::MessageDigest> {
        use crate::{DigestAlgorithm as A, MessageDigest as M};
        match (self, alg) {
            (Artifact::Bytes(b), _) => Some(alg.digest(b)),
            (Artifact::Sha256Digest(d), A::Sha256) => Some(M::Sha256(*d)),
            (Artifact::Sha384Digest(d), A::Sha384) => Some(M::Sha384(*d)),
            (Artifact::Sha512Digest(d), A::Sha512) => Some(M::Sha512(*d)),
            _ => None,
        }
    }

    /// `ALG:HEX` of the digest that names it (SHA-256 for bytes).
    pub(crate) fn display(&self) -> String {
        match self {
            Artifact::Bytes(b) => format!("sha256:{}", hex::encode(Sha256::digest(b))),
            Artifact::Sha256Digest(d) => format!("sha256:{}", hex::encode(d)),
            Artifact::Sha384Digest(d) => format!("sha384:{}", hex::encode(d)),
            Artifact::Sha512Digest(d) => format!("sha512:{}", hex::encode(d)),
        }
    }

    /// The algorithms (in-toto names) whose digest of the artifact can be had.
    fn algorithms(&self) -> &'static [&'static str] {
        match self {
            Artifact::Bytes(_) => &["sha256", "sha384", "sha512"],
            Artifact::Sha256Digest(_) => &["sha256"],
            Artifact::Sha384Digest(_) => &["sha384"],
            Artifact::Sha512Digest(_) => &["sha512"],
        }
    }

    /// The artifact's digest by `alg` (`sha256`, `sha384`, `sha512`), hex, if it can be had.
    fn hex_digest(&self, alg: &str) -> Option<String> {
        match (self, alg) {
            (Artifact::Bytes(b), "sha256") => Some(hex::encode(Sha256::digest(b))),
            (Artifact::Bytes(b), "sha384") => Some(hex::encode(sha2::Sha384::digest(b))),
            (Artifact::Bytes(b), "sha512") => Some(hex::encode(sha2::Sha512::digest(b))),
            (Artifact::Sha256Digest(d), "sha256") => Some(hex::encode(d)),
            (Artifact::Sha384Digest(d), "sha384") => Some(hex::encode(d)),
            (Artifact::Sha512Digest(d), "sha512") => Some(hex::encode(d)),
            _ => None,
        }
    }

    /// Whether the artifact is exactly `payload` (a DSSE envelope that is not an in-toto
    /// statement signs the artifact itself).
    pub(crate) fn is(&self, payload: &[u8]) -> bool {
        match self {
            Artifact::Bytes(b) => *b == payload,
            Artifact::Sha256Digest(d) => Sha256::digest(payload)[..] == d[..],
            Artifact::Sha384Digest(d) => sha2::Sha384::digest(payload)[..] == d[..],
            Artifact::Sha512Digest(d) => sha2::Sha512::digest(payload)[..] == d[..],
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

    /// What a value must be, for a mismatch message: `"X"` for an exact string, `the
    /// regexp ^(?:RE)$` (the pattern as applied, anchored) for a regexp.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Exact(e) => format!("{e:?}"),
            Matcher::Regex(r) => format!("the regexp {} (anchored at both ends)", r.as_str()),
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
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
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
pub(crate) fn statement_names(
    payload: &[u8],
    artifact: &Artifact<'_>,
    max_subjects: usize,
) -> Result<String, AttestationError> {
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
    if subjects.len() > max_subjects {
        return Err(AttestationError::OverBudget("too many subjects".into()));
    }
    // A subject names the artifact when it lists at least one digest by an algorithm whose
    // digest of the artifact can be had, and every such digest it lists is the artifact's.
    let algs = artifact.algorithms();
    let mut comparable = false;
    for subject in subjects {
        let Some(digests) = subject.get("digest").and_then(Value::as_object) else {
            continue;
        };
        let listed: Vec<(&str, &str)> = algs
            .iter()
            .filter_map(|a| digests.get(*a).and_then(Value::as_str).map(|h| (*a, h)))
            .collect();
        if listed.is_empty() {
            continue;
        }
        comparable = true;
        if listed.iter().all(|(a, h)| {
            artifact
                .hex_digest(a)
                .is_some_and(|mine| mine.eq_ignore_ascii_case(h))
        }) {
            let names: Vec<&str> = listed.iter().map(|(a, _)| *a).collect();
            return Ok(format!(
                "a statement subject matches the artifact ({})",
                names.join(", ")
            ));
        }
    }
    if comparable {
        return Err(AttestationError::Mismatch(format!(
            "no statement subject has the artifact's {} digest",
            algs.join("/")
        )));
    }
    let mut other: Vec<&str> = subjects
        .iter()
        .filter_map(|s| s.get("digest").and_then(Value::as_object))
        .flat_map(|d| d.keys().map(String::as_str))
        .collect();
    other.sort_unstable();
    other.dedup();
    Err(AttestationError::Mismatch(format!(
        "the statement's subjects list only {} digests, which a {} digest cannot match: give the artifact's file (or its digest by one of those algorithms)",
        if other.is_empty() { "no".to_owned() } else { other.join("/") },
        algs.join("/")
    )))
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
    match crate::bundle::Bundle::from_json_with_limits(bundle_json, limits) {
        Ok(bundle) => verify_parsed(
            &bundle, None, false, root, artifact, signer, time, insecure, memo, limits,
        ),
        Err(e) => {
            let report = header(None, artifact, time, insecure)
                .fail(crate::checks::BUNDLE_PARSE, e.to_string())
                .finish();
            (report, None)
        }
    }
}

/// The report's header: subject (`NAME (sha256:HEX)` when the artifact has a name, else
/// `sha256:HEX`), verification time, insecure modes.
fn header(
    name: Option<&str>,
    artifact: Artifact<'_>,
    time: VerificationTime,
    insecure: &[Insecure],
) -> ReportBuilder {
    let digest = artifact.display();
    Report::builder(PLUGIN)
        .subject(match name {
            Some(n) => format!("{n} ({digest})"),
            None => digest,
        })
        .verified_at(time)
        .insecure_modes(insecure)
}

/// [`verify_inner`] for a bundle already parsed (the plugin parses first, so that a bundle
/// that does not parse is an input error, not a verdict).
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_parsed(
    bundle: &crate::bundle::Bundle,
    name: Option<&str>,
    require_inclusion_proof: bool,
    root: &TrustedRoot,
    artifact: Artifact<'_>,
    signer: Signer<'_>,
    time: VerificationTime,
    insecure: &[Insecure],
    memo: Option<&SignatureMemo>,
    limits: &Limits,
) -> (Report, Option<Verified>) {
    let r = header(name, artifact, time, insecure);
    let skip_timestamp = insecure.contains(&Insecure::SkipTimestamp);
    let skip_tlog = insecure.contains(&Insecure::SkipTlog);
    let skip_sct = insecure.contains(&Insecure::SkipSct);
    let mut verified = None;
    let report = crate::pipeline::run(
        r,
        crate::pipeline::Inputs {
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
        },
        &mut verified,
    )
    .finish();
    let verified = if report.ok() { verified } else { None };
    (report, verified)
}

/// The predicate type and subject digests of a statement that [`statement_names`] accepted.
pub(crate) fn statement_summary(payload: &[u8]) -> VerifiedStatement {
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
