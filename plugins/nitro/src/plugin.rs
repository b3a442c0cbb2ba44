//! The `nitro` plugin: an AWS Nitro Enclaves attestation document, verified offline.

use crate::checks;
use crate::document::{self, Attestation, Document};
use crate::encoding::{self, Format};
use crate::limits::Limits;
use plugin_api::{
    Error, Failure, Insecure, Plugin, PluginInfo, Policy, Report, ReportBuilder, Subject,
    SubjectKind, TrustRootError, TrustRootKind, VerificationTime, VerifyRequest,
};
use plugin_x509::{Certificate, KeyKind, Options, Profile, SignatureAlgorithm, SignatureMemo};
use sha2::{Digest as _, Sha256};

/// The plugin's name and check-id prefix.
pub const PLUGIN: &str = "nitro";

/// The AWS Nitro Enclaves Root G1 certificate (DER), pinned: AWS publishes it at
/// <https://aws-nitro-enclaves.amazonaws.com/AWS_NitroEnclaves_Root-G1.zip>.
pub const AWS_NITRO_ROOT_G1_DER: &[u8] = include_bytes!("aws-nitro-enclaves-root-g1.der");

/// SHA-256 of [`AWS_NITRO_ROOT_G1_DER`], as AWS documents it.
pub const AWS_NITRO_ROOT_G1_SHA256: &str =
    "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";

/// COSE algorithm ES384 (ECDSA with SHA-384).
const ES384: i64 = -35;

/// The Nitro Enclaves attestation verifier.
///
/// CA links (instance ← zonal ← regional ← root) that verified are remembered by the plugin
/// value and its clones (`plugin_x509::SignatureMemo`, bounded), so documents of the same
/// host verified by one plugin skip those signatures; the document's own signature and its
/// leaf certificate's are verified every time, and every other check runs every time.
#[derive(Debug, Clone, Default)]
pub struct NitroPlugin {
    /// Budgets.
    pub limits: Limits,
    memo: std::sync::Arc<SignatureMemo>,
}

impl Plugin for NitroPlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "an AWS Nitro Enclaves attestation document (COSE_Sign1, CBOR, base64 or hex): ES384 signature, certificate chain to the pinned AWS Nitro Enclaves Root G1 at the document's time, expected PCRs, debug mode, nonce, user data, public key, age",
            subjects: &[SubjectKind::Bytes],
            signature: "none (the document is signed inside)",
            trust_roots: &[TrustRootKind::X509Certificate],
            media_types: &[],
            policy: &[
                "measurements",
                "nonce",
                "user-data",
                "attested-public-key",
                "max-age",
            ],
            certificates: false,
            revocation: false,
            insecure: &[Insecure::AllowDebugEnclave],
            uses_signature: false,
            uses_cache: false,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        self.verify_with_value(req).map(|(report, _)| report)
    }
}

/// What a document that verified attests, for callers that act on it (a release gate).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The enclave's module id.
    pub module_id: String,
    /// When the document was made, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// Every PCR, by index.
    pub pcrs: Vec<(u32, Vec<u8>)>,
    /// The attached public key, if any.
    pub public_key: Option<Vec<u8>>,
    /// The attached user data, if any.
    pub user_data: Option<Vec<u8>>,
    /// The attached nonce, if any.
    pub nonce: Option<Vec<u8>>,
}

impl NitroPlugin {
    /// A plugin with these budgets.
    pub fn with_limits(limits: Limits) -> Self {
        NitroPlugin {
            limits,
            ..Self::default()
        }
    }

    /// [`Plugin::verify`], and what the document attests when the report is ok.
    pub fn verify_with_value(
        &self,
        req: &VerifyRequest<'_>,
    ) -> Result<(Report, Option<Verified>), Error> {
        plugin_api::check_declared(&self.info(), req)?;
        let Subject::Bytes(input) = req.subject() else {
            return Err(Error::malformed(
                "subject",
                "the subject must be the attestation document's bytes",
            ));
        };
        let name = req.subject_name().unwrap_or("attestation document");
        let policy = req.policy();
        expectations(policy)?;
        let anchors = anchors(req)?;
        let bytes = encoding::decode(input, Format::Auto, &self.limits)
            .map_err(|e| Error::malformed(name, e))?;
        let doc = document::parse(&bytes, &self.limits).map_err(|e| Error::malformed(name, e))?;
        let report = judge(req, name, &doc, anchors.certificates(), self);
        let verified = report.ok().then(|| verified(&doc.attestation));
        Ok((report, verified))
    }
}

/// Refuses a request that asks nothing of the enclave: without expected measurements a valid
/// document says only that *some* enclave ran.
fn expectations(policy: &Policy) -> Result<(), Error> {
    if policy.measurements().is_empty() {
        return Err(Error::malformed(
            "policy",
            "no expected measurements: give the PCRs the enclave image must have (--pcr N=HEX, or --measurements FILE with nitro-cli describe-eif output)",
        ));
    }
    for (i, v) in policy.measurements() {
        if u64::from(*i) >= document::PCR_COUNT {
            return Err(Error::malformed(
                "policy",
                format!("PCR{i}: the module has PCRs 0 to 31"),
            ));
        }
        if !document::is_pcr_len(v.len()) {
            return Err(Error::malformed(
                "policy",
                format!(
                    "PCR{i}: an expected PCR is 32, 48 or 64 bytes, not {}",
                    v.len()
                ),
            ));
        }
    }
    Ok(())
}

/// The pinned roots: the caller's X.509 roots, else the embedded AWS root (parsed once).
enum Anchors {
    Given(Vec<Certificate>),
    Embedded(&'static Certificate),
}

impl Anchors {
    fn certificates(&self) -> &[Certificate] {
        match self {
            Anchors::Given(v) => v,
            Anchors::Embedded(c) => std::slice::from_ref(*c),
        }
    }
}

fn embedded_root() -> Result<&'static Certificate, Error> {
    static ROOT: std::sync::OnceLock<Result<Certificate, String>> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| Certificate::from_der(AWS_NITRO_ROOT_G1_DER).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Internal(format!("embedded AWS Nitro root: {e}")))
}

fn anchors(req: &VerifyRequest<'_>) -> Result<Anchors, Error> {
    let mut out = Vec::new();
    for root in req.trust_roots().of_kind(TrustRootKind::X509Certificate) {
        let cert = Certificate::from_pem_or_der(root.bytes()).map_err(|e| {
            Error::from(TrustRootError::Malformed {
                name: root.name().to_owned(),
                kind: TrustRootKind::X509Certificate,
                reason: e.to_string(),
            })
        })?;
        out.push(cert);
    }
    if out.is_empty() {
        Ok(Anchors::Embedded(embedded_root()?))
    } else {
        Ok(Anchors::Given(out))
    }
}

fn hex_of(b: &[u8]) -> String {
    hex::encode(b)
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn rfc3339(secs: u64) -> String {
    VerificationTime::from_unix_seconds(secs).to_rfc3339()
}

/// The document's timestamp (milliseconds since 1970) in RFC 3339 with its milliseconds:
/// `2026-06-01T00:00:00.123Z`.
fn rfc3339_ms(ms: u64) -> String {
    let secs = rfc3339(ms / 1000);
    match secs.strip_suffix('Z') {
        Some(s) => format!("{s}.{:03}Z", ms % 1000),
        None => secs,
    }
}

/// Runs every check on a parsed document.
fn judge(
    req: &VerifyRequest<'_>,
    name: &str,
    doc: &Document<'_>,
    anchors: &[Certificate],
    plugin: &NitroPlugin,
) -> Report {
    let limits = &plugin.limits;
    let a = &doc.attestation;
    let policy = req.policy();
    let doc_secs = a.timestamp_ms / 1000;
    let (chain_time, time_source) = if req.time_is_from_clock() {
        (
            VerificationTime::from_unix_seconds(doc_secs),
            "the document's timestamp",
        )
    } else {
        (req.time(), "the given verification time")
    };
    let mut b = Report::builder_for(PLUGIN, req)
        .subject(name.to_owned())
        .verified_at(chain_time)
        .step(checks::COSE_HEADER, header(doc))
        .step(checks::PAYLOAD_DIGEST, digest(a));
    // The costly steps (ECDSA verifications) run only while nothing has failed; `step`
    // records them as not reached otherwise.
    let leaf = Certificate::from_der(a.certificate);
    let outcome = lazily(&b, || signature(doc, leaf.as_ref()));
    b = b.step(checks::SIGNATURE, outcome);
    let outcome = lazily(&b, || {
        chain(
            a,
            leaf.as_ref(),
            anchors,
            chain_time,
            time_source,
            &plugin.memo,
        )
    });
    b = b.step(checks::CHAIN, outcome);
    b = b.step(checks::TIMESTAMP, timestamp(req.time(), doc_secs, limits));
    if let Some(max) = policy.max_age() {
        b = b.step(checks::MAX_AGE, max_age(req.time(), doc_secs, max));
    }
    b = debug(b, a, req);
    b = b.step(checks::MEASUREMENTS, measurements(a, policy));
    for (id, field, expected, got) in [
        (checks::NONCE, "nonce", policy.nonce(), a.nonce),
        (
            checks::USER_DATA,
            "user data",
            policy.user_data(),
            a.user_data,
        ),
        (
            checks::PUBLIC_KEY,
            "public key",
            policy.attested_public_key(),
            a.public_key,
        ),
    ] {
        if let Some(expected) = expected {
            b = b.step(id, equal(field, expected, got));
        }
    }
    b = b.warning(
        "revocation not checked: AWS publishes no revocation lists for the Nitro Enclaves certificate chain",
    );
    if policy.max_age().is_none() {
        b = b.warning(
            "freshness not checked: no maximum age was given, so an old document verifies as long as its chain was valid when it was made",
        );
    }
    outputs(b, doc, chain_time).finish()
}

/// `f()`, unless a step has already failed (the outcome is then unused: the step is not
/// reached).
fn lazily(
    b: &ReportBuilder,
    f: impl FnOnce() -> Result<String, Failure>,
) -> Result<String, Failure> {
    if b.has_failed() {
        Ok(String::new())
    } else {
        f()
    }
}

fn header(doc: &Document<'_>) -> Result<String, Failure> {
    if doc.protected_params == [(1, ES384)] {
        Ok(format!(
            "protected header {{1: -35}} (ES384), unprotected header empty, {}",
            if doc.tagged {
                "tagged COSE_Sign1"
            } else {
                "untagged COSE_Sign1"
            }
        ))
    } else {
        let params: Vec<String> = doc
            .protected_params
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        Err(Failure::new(format!(
            "protected header is {{{}}}; a Nitro document's is exactly {{1: -35}} (ES384)",
            params.join(", ")
        )))
    }
}

fn digest(a: &Attestation<'_>) -> Result<String, Failure> {
    if a.digest != "SHA384" {
        return Err(Failure::new(format!(
            "digest is {:?}; Nitro PCRs are SHA384",
            a.digest.chars().take(64).collect::<String>()
        )));
    }
    if let Some((i, v)) = a.pcrs.iter().find(|(_, v)| v.len() != 48) {
        return Err(Failure::new(format!(
            "PCR{i} is {} bytes; a SHA384 PCR is 48",
            v.len()
        )));
    }
    Ok(format!("SHA384, {} PCRs of 48 bytes", a.pcrs.len()))
}

/// An ECDSA signature as COSE carries it (r ‖ s, 48 bytes each for P-384) in the DER form
/// the X.509 key verifier takes (RFC 3279 Ecdsa-Sig-Value). Neither half is reduced or
/// normalised: a high-S signature stays high-S.
fn ecdsa_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.len() != 96 {
        return None;
    }
    let (r, s) = raw.split_at(48);
    let int = |x: &[u8]| {
        let first = x
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(x.len().saturating_sub(1));
        let mag = x.get(first..).unwrap_or_default();
        let mut v = vec![0x02];
        let pad = mag.first().is_some_and(|b| b & 0x80 != 0);
        v.push((mag.len() + usize::from(pad)) as u8);
        if pad {
            v.push(0);
        }
        v.extend_from_slice(mag);
        v
    };
    let (r, s) = (int(r), int(s));
    let mut out = vec![0x30, (r.len() + s.len()) as u8];
    out.extend(r);
    out.extend(s);
    Some(out)
}

fn signature(
    doc: &Document<'_>,
    leaf: Result<&Certificate, &plugin_x509::ParseError>,
) -> Result<String, Failure> {
    let leaf = leaf.map_err(|e| Failure::new(format!("the signing certificate: {e}")))?;
    let key = leaf
        .public_key()
        .map_err(|e| Failure::new(format!("the signing certificate's key: {e}")))?;
    if key.kind() != KeyKind::EcP384 {
        return Err(Failure::new(
            "the signing certificate's key is not ECDSA P-384 (ES384 needs one)",
        ));
    }
    let der = ecdsa_der(doc.signature).ok_or_else(|| {
        Failure::new(format!(
            "the signature is {} bytes; an ES384 signature is 96 (r and s, 48 bytes each)",
            doc.signature.len()
        ))
    })?;
    key.verify(
        SignatureAlgorithm::EcdsaSha384,
        &document::sig_structure(doc),
        &der,
    )
    .map_err(|e| Failure::new(format!("ES384 signature over the Sig_structure: {e}")))?;
    Ok(format!(
        "ES384 signature over the received payload verifies with the key of {}",
        leaf.subject()
    ))
}

fn chain(
    a: &Attestation<'_>,
    leaf: Result<&Certificate, &plugin_x509::ParseError>,
    anchors: &[Certificate],
    at: VerificationTime,
    time_source: &str,
    memo: &SignatureMemo,
) -> Result<String, Failure> {
    let leaf = leaf.map_err(|e| Failure::new(format!("the signing certificate: {e}")))?;
    let mut bundle = Vec::with_capacity(a.cabundle.len());
    for (i, der) in a.cabundle.iter().enumerate() {
        // A bundle certificate that is a pinned root adds nothing as a candidate issuer.
        if anchors.iter().any(|r| r.der() == *der) {
            continue;
        }
        bundle.push(
            Certificate::from_der(der).map_err(|e| Failure::new(format!("cabundle[{i}]: {e}")))?,
        );
    }
    let options = Options::new(Profile::NitroEnclave);
    let path =
        plugin_x509::verify_path_at_times(leaf, &bundle, anchors, &[at], &options, Some(memo))
            .map_err(|e| Failure::new(format!("at {} ({time_source}): {e}", at.to_rfc3339())))?;
    let names: Vec<&str> = path.certificates().iter().map(|c| c.subject()).collect();
    Ok(format!(
        "{} (Nitro Enclaves profile), valid at {} ({time_source})",
        names.join(" <- "),
        at.to_rfc3339()
    ))
}

fn timestamp(now: VerificationTime, doc_secs: u64, limits: &Limits) -> Result<String, Failure> {
    let latest = now
        .unix_seconds()
        .saturating_add(limits.future_skew_seconds);
    if doc_secs > latest {
        return Err(Failure::new(format!(
            "the document's timestamp {} is after the verification time {} (more than {} s of clock skew)",
            rfc3339(doc_secs),
            now.to_rfc3339(),
            limits.future_skew_seconds
        )));
    }
    Ok(format!(
        "made at {}, not after the verification time {}",
        rfc3339(doc_secs),
        now.to_rfc3339()
    ))
}

fn max_age(now: VerificationTime, doc_secs: u64, max: u64) -> Result<String, Failure> {
    let age = now.unix_seconds().saturating_sub(doc_secs);
    if age > max {
        Err(Failure::new(format!(
            "the document is {age} s old at {}, over the maximum age of {max} s",
            now.to_rfc3339()
        )))
    } else {
        Ok(format!("{age} s old, within {max} s"))
    }
}

fn is_zero(v: &[u8]) -> bool {
    v.iter().all(|&b| b == 0)
}

fn debug(b: ReportBuilder, a: &Attestation<'_>, req: &VerifyRequest<'_>) -> ReportBuilder {
    if b.has_failed() {
        return b.not_reached([checks::DEBUG]);
    }
    let first = [a.pcr(0), a.pcr(1), a.pcr(2)];
    let zero: Vec<bool> = first.iter().map(|p| p.is_some_and(is_zero)).collect();
    if let Some(i) = first.iter().position(Option::is_none) {
        return b.fail(
            checks::DEBUG,
            format!("PCR{i} is missing, so whether the enclave ran in debug mode cannot be told"),
        );
    }
    match zero.as_slice() {
        [false, false, false] => b.pass(checks::DEBUG, "not debug mode: PCR0, PCR1 and PCR2 are not zero"),
        [true, true, true] => {
            let why = "debug mode: PCR0, PCR1 and PCR2 are all zero, so the document attests no particular image and the enclave's memory was open to its host";
            if req.allows(Insecure::AllowDebugEnclave) {
                b.skip_waived(checks::DEBUG, why, Insecure::AllowDebugEnclave)
            } else {
                b.fail(checks::DEBUG, format!("{why} (--allow-debug accepts it, recorded as insecure)"))
            }
        }
        _ => b.fail(
            checks::DEBUG,
            "some but not all of PCR0, PCR1 and PCR2 are zero: not what a Nitro enclave reports in either mode",
        ),
    }
}

fn measurements(a: &Attestation<'_>, policy: &Policy) -> Result<String, Failure> {
    let mut wrong = Vec::new();
    let mut matched = Vec::new();
    for (i, expected) in policy.measurements() {
        match a.pcr(*i) {
            None => wrong.push(format!("PCR{i} is not in the document")),
            Some(got) if got == expected.as_slice() => matched.push(format!("PCR{i}")),
            Some(got) => wrong.push(format!(
                "PCR{i} is {}, expected {}",
                hex_of(got),
                hex_of(expected)
            )),
        }
    }
    if wrong.is_empty() {
        Ok(format!("{} as expected", matched.join(", ")))
    } else {
        Err(Failure::new(wrong.join("; ")))
    }
}

fn equal(field: &str, expected: &[u8], got: Option<&[u8]>) -> Result<String, Failure> {
    match got {
        None => Err(Failure::new(format!("the document carries no {field}"))),
        Some(g) if g == expected => Ok(format!(
            "{field} as expected ({} bytes, sha256 {})",
            g.len(),
            sha256_hex(g)
        )),
        Some(g) => Err(Failure::new(format!(
            "{field} differs: the document's has sha256 {} ({} bytes), the expected sha256 {} ({} bytes)",
            sha256_hex(g),
            g.len(),
            sha256_hex(expected),
            expected.len()
        ))),
    }
}

fn outputs(b: ReportBuilder, doc: &Document<'_>, chain_time: VerificationTime) -> ReportBuilder {
    let a = &doc.attestation;
    let pcrs: serde_json::Map<String, serde_json::Value> = a
        .pcrs
        .iter()
        .map(|(i, v)| (i.to_string(), serde_json::Value::String(hex_of(v))))
        .collect();
    let opt = |v: Option<&[u8]>| match v {
        Some(v) => serde_json::Value::String(sha256_hex(v)),
        None => serde_json::Value::Null,
    };
    b.output("module_id", a.module_id)
        .output("timestamp", rfc3339_ms(a.timestamp_ms))
        .output("digest", a.digest)
        .output("pcrs", serde_json::Value::Object(pcrs))
        .output("public_key_sha256", opt(a.public_key))
        .output("user_data_sha256", opt(a.user_data))
        .output("nonce_sha256", opt(a.nonce))
        .output("chain_validated_at", chain_time.to_rfc3339())
        .output("payload_sha256", sha256_hex(doc.payload))
}

fn verified(a: &Attestation<'_>) -> Verified {
    Verified {
        module_id: a.module_id.to_owned(),
        timestamp_ms: a.timestamp_ms,
        pcrs: a.pcrs.iter().map(|(i, v)| (*i, v.to_vec())).collect(),
        public_key: a.public_key.map(<[u8]>::to_vec),
        user_data: a.user_data.map(<[u8]>::to_vec),
        nonce: a.nonce.map(<[u8]>::to_vec),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn embedded_root_is_the_published_one() {
        assert_eq!(sha256_hex(AWS_NITRO_ROOT_G1_DER), AWS_NITRO_ROOT_G1_SHA256);
        let root = Certificate::from_der(AWS_NITRO_ROOT_G1_DER).unwrap();
        assert!(
            root.subject().contains("aws.nitro-enclaves"),
            "{}",
            root.subject()
        );
    }

    #[test]
    fn raw_signatures_become_der_without_normalising() {
        let mut raw = [0u8; 96];
        raw[0] = 0x80; // r with its top bit set: a 0x00 pad
        raw[95] = 1; // s = 1
        let der = ecdsa_der(&raw).unwrap();
        assert_eq!(&der[..4], &[0x30, 49 + 2 + 3, 0x02, 49]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 1, 1]);
        assert!(ecdsa_der(&raw[..95]).is_none());
        let zero = ecdsa_der(&[0u8; 96]).unwrap();
        assert_eq!(zero, [0x30, 6, 2, 1, 0, 2, 1, 0]);
    }
}
