//! The Sigstore bundle (media types v0.1, v0.2, v0.3), parsed once into typed values.

use crate::error::ParseError;
use crate::limits::Limits;
use base64::Engine as _;
use merkle::Hash;
use serde_json::Value;

/// Default budget for a bundle document ([`Limits::bundle_bytes`]).
pub const MAX_BUNDLE_BYTES: usize = Limits::DEFAULT.bundle_bytes;

/// The bundle format version, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BundleVersion {
    /// `application/vnd.dev.sigstore.bundle+json;version=0.1`
    V01,
    /// `...;version=0.2`
    V02,
    /// `...;version=0.3` or `application/vnd.dev.sigstore.bundle.v0.3+json`
    V03,
}

impl BundleVersion {
    fn from_media_type(m: &str) -> Option<Self> {
        match m {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(Self::V01),
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(Self::V02),
            "application/vnd.dev.sigstore.bundle+json;version=0.3"
            | "application/vnd.dev.sigstore.bundle.v0.3+json" => Some(Self::V03),
            _ => None,
        }
    }
}

/// How the signer is identified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Material {
    /// A public key, named by a hint; the verifier supplies the key.
    PublicKey,
    /// A single leaf certificate (v0.3), DER.
    Certificate(Vec<u8>),
    /// A certificate chain, leaf first (v0.1, v0.2), DER.
    Chain(Vec<Vec<u8>>),
}

/// The signed content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Content {
    /// A signature over the artifact, with the digest the signer claims.
    MessageSignature {
        /// The artifact's digest the signer claims, if present (its algorithm is the one the
        /// signature's message digest uses).
        digest: Option<MessageDigest>,
        /// The signature bytes.
        signature: Vec<u8>,
    },
    /// A DSSE envelope.
    Dsse(Envelope),
}

/// A digest of the artifact, by one of the algorithms a message signature may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageDigest {
    /// SHA-256 (`SHA2_256`).
    Sha256([u8; 32]),
    /// SHA-384 (`SHA2_384`).
    Sha384([u8; 48]),
    /// SHA-512 (`SHA2_512`).
    Sha512([u8; 64]),
}

/// A message digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The lower-case name Rekor v1 entries and `ALG:HEX` digests use (`sha256`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// The protobuf-specs name (`SHA2_256`, ...), as bundles and Rekor v2 entries write it.
    pub fn proto_name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA2_256",
            DigestAlgorithm::Sha384 => "SHA2_384",
            DigestAlgorithm::Sha512 => "SHA2_512",
        }
    }

    fn from_proto_name(name: &str) -> Option<Self> {
        [Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|a| a.proto_name() == name)
    }

    /// This algorithm's digest of `bytes`.
    pub fn digest(self, bytes: &[u8]) -> MessageDigest {
        use sha2::Digest as _;
        match self {
            DigestAlgorithm::Sha256 => MessageDigest::Sha256(sha2::Sha256::digest(bytes).into()),
            DigestAlgorithm::Sha384 => MessageDigest::Sha384(sha2::Sha384::digest(bytes).into()),
            DigestAlgorithm::Sha512 => MessageDigest::Sha512(sha2::Sha512::digest(bytes).into()),
        }
    }
}

impl MessageDigest {
    /// Its algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        match self {
            MessageDigest::Sha256(_) => DigestAlgorithm::Sha256,
            MessageDigest::Sha384(_) => DigestAlgorithm::Sha384,
            MessageDigest::Sha512(_) => DigestAlgorithm::Sha512,
        }
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            MessageDigest::Sha256(d) => d,
            MessageDigest::Sha384(d) => d,
            MessageDigest::Sha512(d) => d,
        }
    }

    /// `ALG:HEX`.
    pub fn display(&self) -> String {
        format!(
            "{}:{}",
            self.algorithm().name(),
            hex::encode(self.as_bytes())
        )
    }

    fn from_proto(algorithm: &str, raw: &[u8]) -> Result<Self, ParseError> {
        let alg = DigestAlgorithm::from_proto_name(algorithm).ok_or_else(|| {
            ParseError::invalid(
                "messageDigest",
                "unsupported digest algorithm (SHA2_256, SHA2_384 and SHA2_512 are read)",
            )
        })?;
        let bad =
            |_| ParseError::invalid("messageDigest", "digest length does not fit its algorithm");
        Ok(match alg {
            DigestAlgorithm::Sha256 => MessageDigest::Sha256(raw.try_into().map_err(bad)?),
            DigestAlgorithm::Sha384 => MessageDigest::Sha384(raw.try_into().map_err(bad)?),
            DigestAlgorithm::Sha512 => MessageDigest::Sha512(raw.try_into().map_err(bad)?),
        })
    }
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `payloadType`.
    pub payload_type: String,
    /// Decoded payload.
    pub payload: Vec<u8>,
    /// Decoded signatures.
    pub signatures: Vec<Vec<u8>>,
}

/// An inclusion proof with its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// Leaf index.
    pub log_index: u64,
    /// Tree root.
    pub root_hash: Hash,
    /// Tree size.
    pub tree_size: u64,
    /// Audit path.
    pub hashes: Vec<Hash>,
    /// Signed-note checkpoint text, if present.
    pub checkpoint: Option<String>,
}

/// A transparency-log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogEntry {
    /// Global log index.
    pub log_index: u64,
    /// Log id.
    pub log_id: Vec<u8>,
    /// Entry kind (`hashedrekord`, `dsse`, `intoto`).
    pub kind: String,
    /// Entry version.
    pub version: String,
    /// Integrated time (Unix seconds); 0 when absent.
    pub integrated_time: i64,
    /// Signed entry timestamp, if present.
    pub set: Option<Vec<u8>>,
    /// Inclusion proof, if present.
    pub proof: Option<InclusionProof>,
    /// The canonicalized entry body.
    pub body: Vec<u8>,
}

/// A parsed bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// Format version.
    pub version: BundleVersion,
    /// Signer material.
    pub material: Material,
    /// Transparency-log entries.
    pub tlog_entries: Vec<TlogEntry>,
    /// RFC 3161 timestamps (`signedTimestamp`, DER), parsed and verified by [`crate::tsa`].
    pub rfc3161_timestamps: Vec<Vec<u8>>,
    /// Signed content.
    pub content: Content,
}

fn b64(s: &str, what: &'static str) -> Result<Vec<u8>, ParseError> {
    // Line breaks inside base64 text are skipped, as protobuf-JSON readers do (`base64 FILE`
    // wraps at 76 columns); any other non-alphabet byte is an error.
    let e = base64::engine::general_purpose::STANDARD;
    // A byte scan: `str::contains` with a char set decodes every character on the way.
    let res = if s.bytes().any(|b| b == b'\n' || b == b'\r') {
        let joined: String = s.chars().filter(|c| !matches!(c, '\n' | '\r')).collect();
        e.decode(joined.as_bytes())
    } else {
        e.decode(s.as_bytes())
    };
    res.map_err(|e| ParseError::invalid(what, format!("bad base64: {e}")))
}

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

fn str_field<'a>(v: &'a Value, key: &str, what: &'static str) -> Result<&'a str, ParseError> {
    field(v, key)
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::invalid(what, format!("missing or non-string {key:?}")))
}

fn b64_field(v: &Value, key: &str, what: &'static str) -> Result<Vec<u8>, ParseError> {
    b64(str_field(v, key, what)?, what)
}

/// A protobuf-JSON int64: a decimal string or a JSON number, non-negative.
fn u64_field(v: &Value, key: &str, what: &'static str) -> Result<u64, ParseError> {
    let bad = || ParseError::invalid(what, format!("{key:?} is not a non-negative integer"));
    match field(v, key) {
        Some(Value::String(s)) => {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<u64>().map_err(|_| bad())
        }
        Some(Value::Number(n)) => n.as_u64().ok_or_else(bad),
        _ => Err(bad()),
    }
}

fn array<'a>(
    v: &'a Value,
    key: &str,
    what: &'static str,
    max: usize,
) -> Result<&'a [Value], ParseError> {
    let a = match field(v, key) {
        None => return Ok(&[]),
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => {
            return Err(ParseError::invalid(
                what,
                format!("{key:?} is not an array"),
            ))
        }
    };
    if a.len() > max {
        return Err(ParseError::TooMany {
            what,
            count: a.len(),
            max,
        });
    }
    Ok(a)
}

fn hash(bytes: &[u8], what: &'static str) -> Result<Hash, ParseError> {
    Hash::from_slice(bytes).map_err(|_| ParseError::invalid(what, "not a 32-byte hash"))
}

fn parse_proof(v: &Value, limits: &Limits) -> Result<InclusionProof, ParseError> {
    const W: &str = "inclusionProof";
    let hashes = array(v, "hashes", W, limits.proof_hashes)?
        .iter()
        .map(|h| {
            let s = h
                .as_str()
                .ok_or_else(|| ParseError::invalid(W, "non-string hash"))?;
            hash(&b64(s, W)?, W)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let checkpoint = match field(v, "checkpoint") {
        None => None,
        Some(c) => Some(str_field(c, "envelope", "inclusionProof.checkpoint")?.to_owned()),
    };
    Ok(InclusionProof {
        log_index: u64_field(v, "logIndex", W)?,
        root_hash: hash(&b64_field(v, "rootHash", W)?, W)?,
        tree_size: u64_field(v, "treeSize", W)?,
        hashes,
        checkpoint,
    })
}

fn parse_entry(v: &Value, limits: &Limits) -> Result<TlogEntry, ParseError> {
    const W: &str = "tlogEntry";
    let kv =
        field(v, "kindVersion").ok_or_else(|| ParseError::invalid(W, "missing kindVersion"))?;
    let log_id = field(v, "logId").ok_or_else(|| ParseError::invalid(W, "missing logId"))?;
    let integrated_time = match field(v, "integratedTime") {
        None => 0,
        Some(_) => i64::try_from(u64_field(v, "integratedTime", W)?)
            .map_err(|_| ParseError::invalid(W, "integratedTime out of range"))?,
    };
    let set = match field(v, "inclusionPromise") {
        None => None,
        Some(p) => Some(b64_field(p, "signedEntryTimestamp", "inclusionPromise")?),
    };
    let proof = field(v, "inclusionProof")
        .map(|p| parse_proof(p, limits))
        .transpose()?;
    Ok(TlogEntry {
        log_index: u64_field(v, "logIndex", W)?,
        log_id: b64_field(log_id, "keyId", "tlogEntry.logId")?,
        kind: str_field(kv, "kind", W)?.to_owned(),
        version: str_field(kv, "version", W)?.to_owned(),
        integrated_time,
        set,
        proof,
        body: b64_field(v, "canonicalizedBody", W)?,
    })
}

impl Bundle {
    /// Parses a bundle JSON document, within the default budgets ([`Limits::DEFAULT`]).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::from_json_with_limits(bytes, &Limits::DEFAULT)
    }

    /// Parses a bundle JSON document, within `limits`.
    pub fn from_json_with_limits(bytes: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        if bytes.len() > limits.bundle_bytes {
            return Err(ParseError::TooLarge {
                what: "bundle",
                len: bytes.len(),
                max: limits.bundle_bytes,
            });
        }
        let v: Value = plugin_api::json::from_slice(bytes).map_err(|e| ParseError::Json {
            what: "bundle",
            detail: e.to_string(),
        })?;
        let media = str_field(&v, "mediaType", "bundle")?;
        let version = BundleVersion::from_media_type(media).ok_or_else(|| {
            ParseError::invalid("bundle mediaType", format!("unsupported: {media:?}"))
        })?;
        let vm = field(&v, "verificationMaterial")
            .ok_or_else(|| ParseError::invalid("bundle", "missing verificationMaterial"))?;
        let material = parse_material(vm, version, limits)?;
        let tlog_entries = array(vm, "tlogEntries", "tlogEntries", limits.tlog_entries)?
            .iter()
            .map(|e| parse_entry(e, limits))
            .collect::<Result<Vec<_>, _>>()?;
        let rfc3161_timestamps = match field(vm, "timestampVerificationData") {
            None => Vec::new(),
            Some(t) => array(
                t,
                "rfc3161Timestamps",
                "rfc3161Timestamps",
                limits.chain_certificates,
            )?
            .iter()
            .map(|ts| b64_field(ts, "signedTimestamp", "rfc3161Timestamps"))
            .collect::<Result<Vec<_>, _>>()?,
        };
        let content = match (field(&v, "messageSignature"), field(&v, "dsseEnvelope")) {
            (Some(ms), None) => {
                let digest = match field(ms, "messageDigest") {
                    None => None,
                    Some(d) => Some(MessageDigest::from_proto(
                        str_field(d, "algorithm", "messageDigest")?,
                        &b64_field(d, "digest", "messageDigest")?,
                    )?),
                };
                Content::MessageSignature {
                    digest,
                    signature: b64_field(ms, "signature", "messageSignature")?,
                }
            }
            (None, Some(env)) => Content::Dsse(parse_envelope(env, limits)?),
            _ => {
                return Err(ParseError::invalid(
                    "bundle",
                    "exactly one of messageSignature and dsseEnvelope is required",
                ))
            }
        };
        Ok(Bundle {
            version,
            material,
            tlog_entries,
            rfc3161_timestamps,
            content,
        })
    }
}

fn parse_envelope(env: &Value, limits: &Limits) -> Result<Envelope, ParseError> {
    const W: &str = "dsseEnvelope";
    let sigs = array(env, "signatures", W, limits.dsse_signatures)?
        .iter()
        .map(|s| b64_field(s, "sig", W))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Envelope {
        payload_type: str_field(env, "payloadType", W)?.to_owned(),
        payload: b64_field(env, "payload", W)?,
        signatures: sigs,
    })
}

fn parse_material(
    vm: &Value,
    version: BundleVersion,
    limits: &Limits,
) -> Result<Material, ParseError> {
    const W: &str = "verificationMaterial";
    let pk = field(vm, "publicKey");
    let cert = field(vm, "certificate");
    let chain = field(vm, "x509CertificateChain");
    match (pk, cert, chain) {
        (Some(_), None, None) => Ok(Material::PublicKey),
        (None, Some(c), None) => Ok(Material::Certificate(b64_field(c, "rawBytes", W)?)),
        (None, None, Some(ch)) => {
            if version >= BundleVersion::V03 {
                return Err(ParseError::invalid(
                    W,
                    "x509CertificateChain is not allowed in a v0.3 bundle",
                ));
            }
            let certs = array(ch, "certificates", W, limits.chain_certificates)?
                .iter()
                .map(|c| b64_field(c, "rawBytes", W))
                .collect::<Result<Vec<_>, _>>()?;
            if certs.is_empty() {
                return Err(ParseError::invalid(W, "empty certificate chain"));
            }
            Ok(Material::Chain(certs))
        }
        _ => Err(ParseError::invalid(
            W,
            "exactly one of publicKey, certificate, x509CertificateChain is required",
        )),
    }
}
