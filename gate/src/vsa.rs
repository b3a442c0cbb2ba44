//! The SLSA verification summary (VSA) of a gate decision: an in-toto Statement v1 with
//! predicate type `https://slsa.dev/verification_summary/v1`, in a DSSE envelope signed with
//! an Ed25519 or ECDSA P-256 key; and [`VsaPlugin`], which verifies one (`prov-verify verify
//! --plugin vsa`).
//!
//! Keys are PKCS#8 PEM private keys (`openssl genpkey -algorithm ed25519`, or
//! `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`) and SPKI PEM public keys
//! (`openssl pkey -pubout`). The envelope's `keyid` is the SHA-256 (hex) of the public key's
//! SPKI DER.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use plugin_api::{
    Error, Failure, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind, VerifyRequest,
};
use ring::signature::{self, KeyPair};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The VSA predicate type.
pub const PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// The in-toto statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// DSSE's pre-authentication encoding: plugin-cosign's, the one the Sigstore attestations
/// are verified with.
pub use plugin_cosign::pae;
/// The DSSE payload type of an in-toto statement (plugin-cosign's, one definition).
pub use plugin_cosign::INTOTO_PAYLOAD_TYPE as PAYLOAD_TYPE;
/// Largest envelope [`VsaPlugin`] reads.
pub const MAX_ENVELOPE: usize = 1 << 20;

const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const P256_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    // (the 27th byte is the point's first byte, 0x04; see `spki`)
    0x04,
];

/// Why a key or envelope was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VsaError(pub String);

fn err(s: impl Into<String>) -> VsaError {
    VsaError(s.into())
}

/// The DER inside one PEM block labelled `label`.
pub fn pem_block(text: &str, label: &str) -> Result<Vec<u8>, VsaError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text
        .find(&begin)
        .ok_or_else(|| err(format!("no {begin} block")))?;
    let rest = text.get(start + begin.len()..).unwrap_or_default();
    let stop = rest
        .find(&end)
        .ok_or_else(|| err(format!("no {end} line")))?;
    let body: String = rest
        .get(..stop)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    B64.decode(body)
        .map_err(|e| err(format!("{label}: not base64: {e}")))
}

/// A VSA signing key.
#[derive(Debug)]
pub enum SigningKey {
    /// Ed25519.
    Ed25519(signature::Ed25519KeyPair),
    /// ECDSA P-256 with SHA-256 (ASN.1 signatures).
    P256(signature::EcdsaKeyPair),
}

impl SigningKey {
    /// Reads an unencrypted PKCS#8 PEM private key (Ed25519 or ECDSA P-256).
    pub fn from_pem(text: &str) -> Result<SigningKey, VsaError> {
        if text.contains("ENCRYPTED PRIVATE KEY") {
            return Err(err(
                "an encrypted private key: decrypt it first (openssl pkey)",
            ));
        }
        if text.contains("PUBLIC KEY") && !text.contains("PRIVATE KEY") {
            return Err(err(
                "this is a public key; give the private key that signs the VSA",
            ));
        }
        let der = pem_block(text, "PRIVATE KEY")?;
        if let Ok(k) = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der) {
            return Ok(SigningKey::Ed25519(k));
        }
        let rng = ring::rand::SystemRandom::new();
        signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &der, &rng)
            .map(SigningKey::P256)
            .map_err(|_| err("not an Ed25519 or ECDSA P-256 PKCS#8 private key"))
    }

    /// The public key's SPKI DER.
    pub fn spki(&self) -> Vec<u8> {
        match self {
            SigningKey::Ed25519(k) => [&ED25519_SPKI_PREFIX[..], k.public_key().as_ref()].concat(),
            SigningKey::P256(k) => {
                let prefix = P256_SPKI_PREFIX.get(..26).unwrap_or_default();
                [prefix, k.public_key().as_ref()].concat()
            }
        }
    }

    /// `keyid`: SHA-256 (hex) of the SPKI DER.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest(self.spki()))
    }

    /// The public key as SPKI PEM.
    pub fn public_pem(&self) -> String {
        let b64 = B64.encode(self.spki());
        let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, VsaError> {
        match self {
            SigningKey::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
            SigningKey::P256(k) => k
                .sign(&ring::rand::SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| err("ECDSA signing failed")),
        }
    }
}

/// What a VSA says.
#[derive(Debug, Clone)]
pub struct Summary<'a> {
    /// `verifier.id`.
    pub verifier_id: &'a str,
    /// The gate's version (`verifier.version["prov-verify"]`).
    pub verifier_version: &'a str,
    /// `timeVerified`, RFC 3339.
    pub time_verified: String,
    /// `resourceUri`: the artifact's URI.
    pub resource_uri: &'a str,
    /// `policy.uri`.
    pub policy_uri: &'a str,
    /// `policy.digest.sha256` (hex).
    pub policy_sha256: &'a str,
    /// `inputAttestations`: (uri, sha256 hex).
    pub inputs: Vec<(String, String)>,
    /// The subjects: (name, sha256 hex).
    pub subjects: Vec<(String, String)>,
    /// `PASSED` or `FAILED`.
    pub passed: bool,
    /// `verifiedLevels`.
    pub levels: Vec<String>,
}

impl Summary<'_> {
    /// The in-toto Statement v1.
    pub fn statement(&self) -> Value {
        json!({
            "_type": STATEMENT_TYPE,
            "subject": self.subjects.iter().map(|(name, sha)| json!({"name": name, "digest": {"sha256": sha}})).collect::<Vec<_>>(),
            "predicateType": PREDICATE_TYPE,
            "predicate": {
                "verifier": {"id": self.verifier_id, "version": {"prov-verify": self.verifier_version}},
                "timeVerified": self.time_verified,
                "resourceUri": self.resource_uri,
                "policy": {"uri": self.policy_uri, "digest": {"sha256": self.policy_sha256}},
                "inputAttestations": self.inputs.iter().map(|(uri, sha)| json!({"uri": uri, "digest": {"sha256": sha}})).collect::<Vec<_>>(),
                "verificationResult": if self.passed { "PASSED" } else { "FAILED" },
                "verifiedLevels": self.levels,
            },
        })
    }
}

/// Signs `statement` into a DSSE envelope (JSON text with a final newline).
pub fn sign(statement: &Value, key: &SigningKey) -> Result<String, VsaError> {
    let payload = serde_json::to_vec(statement).map_err(|e| err(e.to_string()))?;
    let sig = key.sign(&pae(PAYLOAD_TYPE, &payload))?;
    let envelope = json!({
        "payloadType": PAYLOAD_TYPE,
        "payload": B64.encode(&payload),
        "signatures": [{"keyid": key.key_id(), "sig": B64.encode(sig)}],
    });
    let mut text = serde_json::to_string_pretty(&envelope).map_err(|e| err(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// A VSA verification key (SPKI PEM or DER: Ed25519 or ECDSA P-256).
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    spki: Vec<u8>,
    p256: bool,
}

impl VerifyingKey {
    /// Reads an SPKI public key, PEM or DER.
    pub fn parse(bytes: &[u8]) -> Result<VerifyingKey, VsaError> {
        let der = match std::str::from_utf8(bytes) {
            Ok(t) if t.contains("PRIVATE KEY") => {
                return Err(err(
                    "this is a private key; give its public key (openssl pkey -pubout)",
                ))
            }
            Ok(t) if t.contains("-----BEGIN") => pem_block(t, "PUBLIC KEY")?,
            _ => bytes.to_vec(),
        };
        if der.len() == 44 && der.starts_with(&ED25519_SPKI_PREFIX) {
            Ok(VerifyingKey {
                spki: der,
                p256: false,
            })
        } else if der.len() == 91 && der.starts_with(&P256_SPKI_PREFIX) {
            Ok(VerifyingKey {
                spki: der,
                p256: true,
            })
        } else {
            Err(err("not an Ed25519 or ECDSA P-256 SubjectPublicKeyInfo"))
        }
    }

    /// SHA-256 (hex) of the SPKI DER.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest(&self.spki))
    }

    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        let (alg, raw): (&dyn signature::VerificationAlgorithm, &[u8]) = if self.p256 {
            (
                &signature::ECDSA_P256_SHA256_ASN1,
                self.spki.get(26..).unwrap_or_default(),
            )
        } else {
            (&signature::ED25519, self.spki.get(12..).unwrap_or_default())
        };
        signature::UnparsedPublicKey::new(alg, raw)
            .verify(message, sig)
            .is_ok()
    }
}

/// Opens a DSSE envelope with `key`: the statement, if one signature by the key verifies.
pub fn open(envelope: &[u8], key: &VerifyingKey) -> Result<Value, VsaError> {
    let env: Value = plugin_api::json::from_slice(envelope)
        .map_err(|e| err(format!("the envelope is not JSON: {e}")))?;
    let payload_type = env
        .get("payloadType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if payload_type != PAYLOAD_TYPE {
        return Err(err(format!(
            "payloadType {payload_type:?}, expected {PAYLOAD_TYPE}"
        )));
    }
    let payload = env
        .get("payload")
        .and_then(Value::as_str)
        .ok_or_else(|| err("the envelope has no payload"))
        .and_then(|p| {
            B64.decode(p)
                .map_err(|e| err(format!("payload: not base64: {e}")))
        })?;
    let sigs = env
        .get("signatures")
        .and_then(Value::as_array)
        .ok_or_else(|| err("the envelope has no signatures"))?;
    let message = pae(payload_type, &payload);
    let verified = sigs.iter().any(|s| {
        s.get("sig")
            .and_then(Value::as_str)
            .and_then(|sig| B64.decode(sig).ok())
            .is_some_and(|sig| key.verify(&message, &sig))
    });
    if !verified {
        return Err(err(format!(
            "no signature of the envelope verifies with the key (key ID {})",
            key.key_id()
        )));
    }
    plugin_api::json::from_slice(&payload).map_err(|e| err(format!("the payload is not JSON: {e}")))
}

/// Verifies a VSA: `prov-verify verify --plugin vsa --manifest ARTIFACT --signature VSA.json
/// --root public-key=KEY.pem`. Checks: the envelope's signature by the given key; an in-toto
/// Statement v1 of predicate type VSA v1; a subject whose SHA-256 is the artifact's;
/// `verificationResult` `PASSED`; `timeVerified` not after the verification time.
#[derive(Debug, Default, Clone, Copy)]
pub struct VsaPlugin;

/// The plugin's name.
pub const PLUGIN: &str = "vsa";

impl Plugin for VsaPlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "a SLSA verification summary (VSA v1) in a DSSE envelope, as `prov-verify gate --vsa-out` writes it",
            subjects: &[SubjectKind::Bytes, SubjectKind::Digest],
            signature: "the DSSE envelope (JSON)",
            trust_roots: &[TrustRootKind::PublicKey],
            media_types: &[],
            policy: &[],
            certificates: false,
            revocation: false,
            insecure: &[],
            uses_signature: true,
            uses_cache: false,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        plugin_api::check_declared(&self.info(), req)?;
        let mut keys = req.trust_roots().of_kind(TrustRootKind::PublicKey);
        let (Some(root), None) = (keys.next(), keys.next()) else {
            return Err(Error::malformed(
                "trust roots",
                "exactly one public key (the VSA signer's, SPKI PEM) is required",
            ));
        };
        let key =
            VerifyingKey::parse(root.bytes()).map_err(|e| Error::malformed(root.name(), e))?;
        let envelope = req.signature().bytes();
        if envelope.len() > MAX_ENVELOPE {
            return Err(Error::malformed(
                "signature",
                format!("more than {MAX_ENVELOPE} bytes"),
            ));
        }
        let sha256 = match req.subject() {
            Subject::Bytes(b) => hex::encode(Sha256::digest(b)),
            Subject::Digest(d) if d.algorithm().name() == "sha256" => hex::encode(d.value()),
            Subject::Digest(d) => {
                return Err(Error::malformed(
                    "digest",
                    format!(
                        "a VSA names SHA-256 digests; {} given",
                        d.algorithm().name()
                    ),
                ))
            }
        };
        let b = Report::builder_for(PLUGIN, req).subject(format!("sha256:{sha256}"));
        let statement = match open(envelope, &key) {
            Ok(s) => s,
            Err(e) => {
                return Ok(b
                    .step("vsa.signature", Err(Failure::new(e.to_string())))
                    .not_reached(["vsa.statement", "vsa.subject", "vsa.result"])
                    .finish())
            }
        };
        let signed = format!("DSSE signature by key ID {}", key.key_id());
        let pred = statement.get("predicate").cloned().unwrap_or(Value::Null);
        let text = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let stmt = if text(&statement, "_type") != STATEMENT_TYPE {
            Err(Failure::new(format!(
                "_type {:?}, expected {STATEMENT_TYPE}",
                text(&statement, "_type")
            )))
        } else if text(&statement, "predicateType") != PREDICATE_TYPE {
            Err(Failure::new(format!(
                "predicateType {:?}, expected {PREDICATE_TYPE}",
                text(&statement, "predicateType")
            )))
        } else {
            Ok(format!(
                "in-toto Statement v1, VSA v1 by verifier {}",
                pred.get("verifier")
                    .map(|v| text(v, "id"))
                    .unwrap_or_default()
            ))
        };
        let subjects = statement
            .get("subject")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let subject = if subjects.iter().any(|s| {
            s.get("digest")
                .and_then(|d| d.get("sha256"))
                .and_then(Value::as_str)
                == Some(sha256.as_str())
        }) {
            Ok(format!("a subject has SHA-256 {sha256}"))
        } else {
            Err(Failure::new(format!(
                "no subject of the VSA has SHA-256 {sha256} ({} subjects)",
                subjects.len()
            )))
        };
        let time_ok = plugin_api::time::parse_rfc3339(&text(&pred, "timeVerified"))
            .and_then(|t| u64::try_from(t).ok());
        let result = match (text(&pred, "verificationResult").as_str(), time_ok) {
            (_, None) => Err(Failure::new("timeVerified is not an RFC 3339 time")),
            (_, Some(t)) if t > req.time().unix_seconds() => Err(Failure::new(format!(
                "timeVerified {} is after the verification time {}",
                text(&pred, "timeVerified"),
                req.time().to_rfc3339()
            ))),
            ("PASSED", Some(_)) => Ok(format!("PASSED at {}", text(&pred, "timeVerified"))),
            (other, Some(_)) => Err(Failure::new(format!("verificationResult {other:?}"))),
        };
        let levels = pred
            .get("verifiedLevels")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        Ok(b.output(
            "verifier_id",
            pred.get("verifier")
                .map(|v| text(v, "id"))
                .unwrap_or_default(),
        )
        .output("resource_uri", text(&pred, "resourceUri"))
        .output("time_verified", text(&pred, "timeVerified"))
        .output(
            "policy_digest",
            pred.get("policy")
                .and_then(|p| p.get("digest"))
                .and_then(|d| d.get("sha256"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )
        .output("verified_levels", levels)
        .step("vsa.signature", Ok(signed))
        .step("vsa.statement", stmt)
        .step("vsa.subject", subject)
        .step("vsa.result", result)
        .finish())
    }
}
