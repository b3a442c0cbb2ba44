//! The Sigstore `TrustedRoot` document: transparency logs (and, recorded only, the other
//! authorities).

use crate::error::ParseError;
use crate::keys::PublicKey;
use crate::limits::Limits;
use crate::time::parse_rfc3339;
use base64::Engine as _;
use serde::Deserialize;

/// Default budget for a trusted-root document ([`Limits::trusted_root_bytes`]).
pub const MAX_TRUSTED_ROOT_BYTES: usize = Limits::DEFAULT.trusted_root_bytes;

const MEDIA_TYPES: &[&str] = &[
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRoot {
    media_type: Option<String>,
    #[serde(default)]
    tlogs: Vec<RawLog>,
    #[serde(default)]
    ctlogs: Vec<RawLog>,
    #[serde(default)]
    certificate_authorities: Vec<RawCa>,
    #[serde(default)]
    timestamp_authorities: Vec<RawCa>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCa {
    cert_chain: Option<RawChain>,
    valid_for: Option<RawValidity>,
}

#[derive(Deserialize)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawCert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCert {
    raw_bytes: Option<String>,
}

/// A certificate authority (Fulcio) trusted by the root.
#[derive(Debug, Clone)]
pub struct TrustedCa {
    /// DER certificates, issuing certificate first, root last.
    pub chain: Vec<Vec<u8>>,
    /// Start of validity (Unix seconds); `None` if absent (such a CA is unusable).
    pub valid_from: Option<i64>,
    /// End of validity, inclusive; `None` means open-ended.
    pub valid_until: Option<i64>,
}

impl TrustedCa {
    /// Whether `t` is inside the CA's validity window (end inclusive).
    pub fn valid_at(&self, t: i64) -> bool {
        match self.valid_from {
            None => false,
            Some(start) => t >= start && self.valid_until.map_or(true, |end| t <= end),
        }
    }
}

fn parse_ca(raw: RawCa, limits: &Limits) -> Result<TrustedCa, ParseError> {
    const W: &str = "trusted root certificateAuthority";
    let certs = raw.cert_chain.map(|c| c.certificates).unwrap_or_default();
    if certs.is_empty() || certs.len() > limits.authorities {
        return Err(ParseError::invalid(
            W,
            "certificate chain empty or over budget",
        ));
    }
    let chain = certs
        .into_iter()
        .map(|c| {
            let r = c
                .raw_bytes
                .ok_or_else(|| ParseError::invalid(W, "missing rawBytes"))?;
            base64::engine::general_purpose::STANDARD
                .decode(r.as_bytes())
                .map_err(|e| ParseError::invalid(W, format!("bad base64: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (valid_from, valid_until) = match raw.valid_for {
        Some(v) => (
            v.start.map(|s| parse_rfc3339(&s, W)).transpose()?,
            v.end.map(|s| parse_rfc3339(&s, W)).transpose()?,
        ),
        None => (None, None),
    };
    Ok(TrustedCa {
        chain,
        valid_from,
        valid_until,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLog {
    base_url: Option<String>,
    hash_algorithm: Option<String>,
    public_key: Option<RawKey>,
    log_id: Option<RawLogId>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKey {
    raw_bytes: Option<String>,
    key_details: Option<String>,
    valid_for: Option<RawValidity>,
}

#[derive(Deserialize)]
struct RawValidity {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLogId {
    key_id: Option<String>,
}

/// A log (Rekor or CT) trusted by the root.
#[derive(Debug, Clone)]
pub struct TrustedLog {
    /// Base URL, as given.
    pub base_url: String,
    /// The log id as given in the trusted root.
    pub log_id: Vec<u8>,
    /// The log's key; `None` when it is of a type this verifier does not support.
    pub key: Option<PublicKey>,
    /// Start of the key's validity (Unix seconds); `None` if absent (such a log is unusable).
    pub valid_from: Option<i64>,
    /// End of the key's validity, inclusive; `None` means open-ended.
    pub valid_until: Option<i64>,
}

impl TrustedLog {
    /// The log's checkpoint origin as Rekor v2 logs name it: the base URL without its scheme
    /// and trailing slashes (`https://log2025-1.rekor.sigstore.dev` gives
    /// `log2025-1.rekor.sigstore.dev`).
    pub fn origin(&self) -> &str {
        let u = self.base_url.as_str();
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .unwrap_or(u);
        u.trim_end_matches('/')
    }

    /// Whether `t` (Unix seconds) is inside the key's validity window (end inclusive).
    /// A log without a validity start is never valid.
    pub fn valid_at(&self, t: i64) -> bool {
        match self.valid_from {
            None => false,
            Some(start) => t >= start && self.valid_until.map_or(true, |end| t <= end),
        }
    }
}

/// A parsed trusted root.
#[derive(Debug, Clone)]
pub struct TrustedRoot {
    /// Rekor logs.
    pub tlogs: Vec<TrustedLog>,
    /// Certificate Transparency logs.
    pub ctlogs: Vec<TrustedLog>,
    /// Fulcio certificate authorities.
    pub cas: Vec<TrustedCa>,
    /// RFC 3161 timestamping authorities (chain: signing certificate first, root last).
    pub tsas: Vec<TrustedCa>,
}

fn parse_log(raw: RawLog, what: &'static str) -> Result<TrustedLog, ParseError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if raw
        .hash_algorithm
        .as_deref()
        .is_some_and(|h| h != "SHA2_256")
    {
        return Err(ParseError::invalid(what, "unsupported log hash algorithm"));
    }
    let log_id = raw
        .log_id
        .and_then(|l| l.key_id)
        .ok_or_else(|| ParseError::invalid(what, "missing logId.keyId"))?;
    let log_id = b64
        .decode(log_id.as_bytes())
        .map_err(|e| ParseError::invalid(what, format!("bad logId base64: {e}")))?;
    let pk = raw
        .public_key
        .ok_or_else(|| ParseError::invalid(what, "missing publicKey"))?;
    let key = match pk.raw_bytes {
        Some(r) => {
            let der = b64
                .decode(r.as_bytes())
                .map_err(|e| ParseError::invalid(what, format!("bad key base64: {e}")))?;
            // Keys of types we cannot use make the log unusable, not the whole root.
            let _ = pk.key_details;
            PublicKey::from_spki_der(&der).ok()
        }
        None => None,
    };
    let (valid_from, valid_until) = match pk.valid_for {
        Some(v) => (
            v.start.map(|s| parse_rfc3339(&s, what)).transpose()?,
            v.end.map(|s| parse_rfc3339(&s, what)).transpose()?,
        ),
        None => (None, None),
    };
    Ok(TrustedLog {
        base_url: raw.base_url.unwrap_or_default(),
        log_id,
        key,
        valid_from,
        valid_until,
    })
}

impl TrustedRoot {
    /// Parses a trusted-root JSON document, within the default budgets ([`Limits::DEFAULT`]).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::from_json_with_limits(bytes, &Limits::DEFAULT)
    }

    /// Parses a trusted-root JSON document, within `limits`.
    pub fn from_json_with_limits(bytes: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        if bytes.len() > limits.trusted_root_bytes {
            return Err(ParseError::TooLarge {
                what: "trusted root",
                len: bytes.len(),
                max: limits.trusted_root_bytes,
            });
        }
        let raw: RawRoot = plugin_api::json::from_slice(bytes).map_err(|e| ParseError::Json {
            what: "trusted root",
            detail: e.to_string(),
        })?;
        match raw.media_type.as_deref() {
            Some(m) if MEDIA_TYPES.contains(&m) => {}
            other => {
                return Err(ParseError::invalid(
                    "trusted root mediaType",
                    format!("unsupported: {other:?}"),
                ))
            }
        }
        for (what, n) in [
            ("tlogs", raw.tlogs.len()),
            ("ctlogs", raw.ctlogs.len()),
            ("certificateAuthorities", raw.certificate_authorities.len()),
            ("timestampAuthorities", raw.timestamp_authorities.len()),
        ] {
            if n > limits.authorities {
                return Err(ParseError::TooMany {
                    what,
                    count: n,
                    max: limits.authorities,
                });
            }
        }
        let tlogs = raw
            .tlogs
            .into_iter()
            .map(|l| parse_log(l, "trusted root tlog"))
            .collect::<Result<Vec<_>, _>>()?;
        let ctlogs = raw
            .ctlogs
            .into_iter()
            .map(|l| parse_log(l, "trusted root ctlog"))
            .collect::<Result<Vec<_>, _>>()?;
        let cas = raw
            .certificate_authorities
            .into_iter()
            .map(|c| parse_ca(c, limits))
            .collect::<Result<Vec<_>, _>>()?;
        let tsas = raw
            .timestamp_authorities
            .into_iter()
            .map(|c| parse_ca(c, limits))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedRoot {
            tlogs,
            ctlogs,
            cas,
            tsas,
        })
    }

    /// The Rekor log with this log id, if any.
    pub fn tlog(&self, log_id: &[u8]) -> Option<&TrustedLog> {
        self.tlogs.iter().find(|l| l.log_id == log_id)
    }
}
