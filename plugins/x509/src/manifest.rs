//! Detached manifest signatures: a raw signature by the leaf key over the manifest bytes, or
//! a CMS detached SignedData; the leaf validated to pinned roots under the code-signing
//! profile, with CRLs. [`verify_manifest`] is pure: everything, including the time, is passed
//! in, and the answer is a [`Report`] of named checks.
//!
//! Checks, in order (a later one is recorded as skipped, "not reached", once one fails):
//!
//! | id | what |
//! |---|---|
//! | `x509.cms.signer` | (CMS) the signer identifier (issuerAndSerialNumber or SKI) names the leaf |
//! | `x509.cms.message-digest` | (CMS with signed attributes) messageDigest = digest of the manifest |
//! | `x509.signature` | the leaf's key verifies the signature (over the manifest, or the DER SET OF signed attributes) |
//! | `x509.chain` | a path from the leaf to a pinned root passes RFC 5280 + code signing (EKU codeSigning) at the time |
//! | `x509.revocation` | (CRLs given or required) no certificate of that path is revoked; with `require_crl`, each is covered |

use crate::algorithm::{KeyKind, SignatureAlgorithm};
use crate::cert::Certificate;
use crate::cms::{SignedData, SignerId};
use crate::crl::Crl;
use crate::error::{CheckKind, ValidationError};
use crate::path::{revocation_coverage, verify_path};
use crate::policy::{Options, Profile};
use plugin_api::{Failure, Report, VerificationTime};

const PLUGIN: &str = "x509";

/// Check ids, in the order they run.
pub const CHECK_SIGNER: &str = "x509.cms.signer";
/// messageDigest attribute.
pub const CHECK_MESSAGE_DIGEST: &str = "x509.cms.message-digest";
/// Signature by the leaf key.
pub const CHECK_SIGNATURE: &str = "x509.signature";
/// Path validation.
pub const CHECK_CHAIN: &str = "x509.chain";
/// Revocation.
pub const CHECK_REVOCATION: &str = "x509.revocation";

/// The signature over a manifest.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DetachedSignature {
    /// A raw signature over the manifest bytes by the leaf key: ECDSA (ASN.1 DER) with
    /// SHA-256 for P-256 keys and SHA-384 for P-384 keys, RSA PKCS#1 v1.5 with SHA-256,
    /// Ed25519.
    Raw(Vec<u8>),
    /// A CMS detached SignedData.
    Cms(Box<SignedData>),
}

/// What [`verify_manifest`] needs.
#[derive(Debug, Clone)]
pub struct ManifestRequest<'a> {
    /// What is verified, for the report's subject (a file name).
    pub subject: &'a str,
    /// The manifest bytes.
    pub manifest: &'a [u8],
    /// The signature.
    pub signature: &'a DetachedSignature,
    /// The signing certificate.
    pub leaf: &'a Certificate,
    /// Candidate intermediates supplied by the caller (CMS-embedded ones are added).
    pub intermediates: &'a [Certificate],
    /// Pinned roots (the only anchors).
    pub anchors: &'a [Certificate],
    /// CRLs.
    pub crls: &'a [Crl],
    /// Require a valid CRL from its issuer for every certificate of the path but the root.
    pub require_crl: bool,
    /// The verification time.
    pub time: VerificationTime,
}

/// The algorithm a raw signature by this key is verified with.
fn raw_algorithm(kind: KeyKind) -> Option<SignatureAlgorithm> {
    match kind {
        KeyKind::EcP256 => Some(SignatureAlgorithm::EcdsaSha256),
        KeyKind::EcP384 => Some(SignatureAlgorithm::EcdsaSha384),
        KeyKind::Rsa { .. } => Some(SignatureAlgorithm::RsaPkcs1Sha256),
        KeyKind::Ed25519 => Some(SignatureAlgorithm::Ed25519),
        _ => None,
    }
}

/// Outcome of one step: detail for a pass, or why it failed.
type Step = (&'static str, Result<String, Failure>);

fn magnitude(serial: &[u8]) -> &[u8] {
    let zeros = serial.iter().take_while(|&&b| b == 0).count();
    serial.get(zeros..).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_signer(cms: &SignedData, leaf: &Certificate) -> Result<String, Failure> {
    match &cms.signer_id {
        SignerId::IssuerAndSerial { issuer, serial } => {
            if issuer.as_slice() == leaf.issuer_der()
                && magnitude(serial) == magnitude(&leaf.serial)
            {
                Ok(format!(
                    "issuerAndSerialNumber names the leaf (serial {})",
                    hex(magnitude(serial))
                ))
            } else {
                Err(Failure::new(format!(
                    "the signer (issuerAndSerialNumber, serial {}) is not the leaf {} (serial {})",
                    hex(magnitude(serial)),
                    leaf.subject(),
                    hex(magnitude(&leaf.serial))
                )))
            }
        }
        SignerId::SubjectKeyId(ski) => {
            let leaf_ski = leaf
                .extensions()
                .ok()
                .and_then(|e| e.subject_key_id.as_ref())
                .map(|s| s.value.as_slice());
            match leaf_ski {
                Some(l) if l == ski.as_slice() => Ok(format!(
                    "subjectKeyIdentifier {} names the leaf",
                    hex(ski)
                )),
                Some(l) => Err(Failure::new(format!(
                    "the signer (subjectKeyIdentifier {}) is not the leaf {} (subjectKeyIdentifier {})",
                    hex(ski),
                    leaf.subject(),
                    hex(l)
                ))),
                None => Err(Failure::new(format!(
                    "the signer is named by subjectKeyIdentifier {} but the leaf {} has none",
                    hex(ski),
                    leaf.subject()
                ))),
            }
        }
    }
}

fn verify_signature(
    leaf: &Certificate,
    alg: Option<SignatureAlgorithm>,
    message: &[u8],
    signature: &[u8],
    what: &str,
) -> Result<String, Failure> {
    let key = leaf
        .public_key
        .as_ref()
        .map_err(|e| format!("the leaf's public key is not usable: {e}"))?;
    let alg = alg.ok_or("no supported signature algorithm for the leaf's key type")?;
    key.verify(alg, message, signature)
        .map(|()| {
            format!(
                "{} signature over {what} verifies with the key of {}",
                alg_name(alg),
                leaf.subject()
            )
        })
        .map_err(|why| {
            Failure::new(format!(
                "{} signature over {what} by the key of {}: {why}",
                alg_name(alg),
                leaf.subject()
            ))
        })
}

fn alg_name(alg: SignatureAlgorithm) -> &'static str {
    use SignatureAlgorithm as S;
    match alg {
        S::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 SHA-256",
        S::RsaPkcs1Sha384 => "RSA PKCS#1 v1.5 SHA-384",
        S::RsaPkcs1Sha512 => "RSA PKCS#1 v1.5 SHA-512",
        S::RsaPssSha256 => "RSA-PSS SHA-256",
        S::RsaPssSha384 => "RSA-PSS SHA-384",
        S::RsaPssSha512 => "RSA-PSS SHA-512",
        S::EcdsaSha256 => "ECDSA SHA-256",
        S::EcdsaSha384 => "ECDSA SHA-384",
        S::EcdsaSha512 => "ECDSA SHA-512",
        S::Ed25519 => "Ed25519",
    }
}

/// Verifies a detached manifest signature. Never panics; every outcome is a report.
pub fn verify_manifest(req: &ManifestRequest<'_>) -> Report {
    verify_manifest_inner(req, None)
}

/// [`verify_manifest`], recording where the CRLs came from (e.g. "2 from the offline cache")
/// in the report's `crls` output. The source changes nothing in the verification: every CRL
/// is judged the same way, whatever its origin.
pub fn verify_manifest_noting_crl_source(req: &ManifestRequest<'_>, crl_source: &str) -> Report {
    verify_manifest_inner(req, Some(crl_source))
}

fn verify_manifest_inner(req: &ManifestRequest<'_>, crl_source: Option<&str>) -> Report {
    let mut steps: Vec<Step> = Vec::new();
    let mut intermediates: Vec<Certificate> = req.intermediates.to_vec();
    let mut format = "raw";
    match req.signature {
        DetachedSignature::Raw(sig) => {
            let alg = req
                .leaf
                .public_key
                .as_ref()
                .ok()
                .and_then(|k| raw_algorithm(k.kind()));
            steps.push((
                CHECK_SIGNATURE,
                verify_signature(req.leaf, alg, req.manifest, sig, "the manifest bytes"),
            ));
        }
        DetachedSignature::Cms(cms) => {
            format = "cms";
            intermediates.extend(cms.certificates.iter().cloned());
            steps.push((CHECK_SIGNER, check_signer(cms, req.leaf)));
            match &cms.signed_attributes {
                Some(attrs) => {
                    let digest = cms.digest_algorithm.digest(req.manifest);
                    let name = cms.digest_algorithm.name();
                    steps.push((
                        CHECK_MESSAGE_DIGEST,
                        if digest == attrs.message_digest {
                            Ok(format!(
                                "messageDigest is the {name} of the manifest ({})",
                                hex(&digest)
                            ))
                        } else {
                            Err(Failure::new(format!(
                                "messageDigest {} is not the {name} of the manifest ({})",
                                hex(&attrs.message_digest),
                                hex(&digest)
                            )))
                        },
                    ));
                    steps.push((
                        CHECK_SIGNATURE,
                        verify_signature(
                            req.leaf,
                            Some(cms.signature_algorithm),
                            &attrs.signed_bytes,
                            cms.signature(),
                            "the signed attributes",
                        ),
                    ));
                }
                None => steps.push((
                    CHECK_SIGNATURE,
                    verify_signature(
                        req.leaf,
                        Some(cms.signature_algorithm),
                        req.manifest,
                        cms.signature(),
                        "the manifest bytes (no signed attributes)",
                    ),
                )),
            }
        }
    }

    let mut b = Report::builder(PLUGIN)
        .subject(req.subject.to_owned())
        .verified_at(req.time)
        .output("format", format)
        .output("signer", req.leaf.subject().to_owned());
    if let Some(source) = crl_source {
        b = b.output("crls", source.to_owned());
    }
    let want_revocation = req.require_crl || !req.crls.is_empty();

    // Signature steps first; the chain only if they all passed.
    for (id, result) in steps {
        b = b.step(id, result);
    }
    if b.has_failed() {
        b = b.not_reached([CHECK_CHAIN]);
        if want_revocation {
            b = b.not_reached([CHECK_REVOCATION]);
        }
        return b.finish();
    }

    let mut options = Options::new(Profile::CodeSigning);
    options.crls = req.crls.to_vec();
    options.require_crls = req.require_crl;
    match verify_path(req.leaf, &intermediates, req.anchors, req.time, &options) {
        Ok(path) => {
            let names: Vec<&str> = path.certificates().iter().map(|c| c.subject()).collect();
            let anchor = path
                .anchor()
                .map(|a| a.subject().to_owned())
                .unwrap_or_default();
            b = b
                .pass(
                    CHECK_CHAIN,
                    format!(
                        "code-signing path to pinned root {anchor}: {}",
                        names.join(" <- ")
                    ),
                )
                .output("root", anchor)
                .output("path_length", names.len());
            let coverage = revocation_coverage(&path, req.crls, req.time);
            let uncovered: Vec<&str> = path
                .certificates()
                .iter()
                .zip(&coverage)
                .filter(|(_, c)| !**c)
                .map(|(cert, _)| cert.subject())
                .collect();
            if want_revocation {
                let covered = coverage.iter().filter(|c| **c).count();
                b = b.pass(
                    CHECK_REVOCATION,
                    format!(
                        "no certificate of the path is revoked; {covered} of {} covered by a current CRL from its issuer",
                        coverage.len()
                    ),
                );
            }
            if !uncovered.is_empty() {
                b = b.warning(format!(
                    "revocation not checked for {}: no CRL from the issuer was given",
                    uncovered.join("; ")
                ));
            }
        }
        Err(ValidationError::Certificate {
            check: CheckKind::Revocation,
            depth,
            subject,
            detail,
        }) => {
            b = b
                .pass(
                    CHECK_CHAIN,
                    "a path to a pinned root passed every check but revocation",
                )
                .fail(
                    CHECK_REVOCATION,
                    format!("certificate at depth {depth} ({subject}): {detail}"),
                );
        }
        Err(e) => {
            b = b.fail(CHECK_CHAIN, e.to_string());
            if want_revocation {
                b = b.not_reached([CHECK_REVOCATION]);
            }
        }
    }
    b.finish()
}
