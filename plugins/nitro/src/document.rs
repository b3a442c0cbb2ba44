//! The attestation document: a COSE_Sign1 (RFC 9052) whose payload is the Nitro Secure
//! Module's attestation map, read strictly and without copying.

use crate::cbor::{CborError, Head, Reader, NULL};
use crate::limits::Limits;
use std::fmt;

/// The COSE_Sign1 tag.
const TAG_COSE_SIGN1: u64 = 18;
/// Largest PCR index the Nitro Secure Module has (32 registers).
pub(crate) const PCR_COUNT: u64 = 32;

/// Whether `len` is the length of a PCR: a SHA-256, SHA-384 or SHA-512 digest.
pub(crate) fn is_pcr_len(len: usize) -> bool {
    matches!(len, 32 | 48 | 64)
}

/// Why a document could not be read. Each variant names the part of the document at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Larger than [`Limits::document_bytes`] (or, encoded, than its text form can be).
    #[error("the document is {size} bytes, over the {limit}-byte budget (limits.{budget})")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The budget.
        limit: usize,
        /// The budget's name.
        budget: &'static str,
    },
    /// Not valid CBOR of the kind a document is made of.
    #[error("{part}: {detail}")]
    Cbor {
        /// The part being read.
        part: &'static str,
        /// What is wrong and where.
        detail: String,
    },
    /// An item of the wrong kind.
    #[error("{part}: {field} must be {expected}, found {found} at byte {offset}")]
    Unexpected {
        /// The part being read.
        part: &'static str,
        /// The item.
        field: String,
        /// What it must be.
        expected: &'static str,
        /// What it is.
        found: &'static str,
        /// Where.
        offset: usize,
    },
    /// A map key that appears twice.
    #[error("{part}: duplicate key {key}")]
    DuplicateKey {
        /// The part being read.
        part: &'static str,
        /// The key.
        key: String,
    },
    /// A payload key that is not part of the attestation document format.
    #[error("payload: unknown key {0:?} (an attestation has module_id, timestamp, digest, pcrs, certificate, cabundle, public_key, user_data, nonce)")]
    UnknownKey(String),
    /// A required payload field is missing.
    #[error("payload: required field {0} is missing")]
    Missing(&'static str),
    /// Bytes after the end of an item.
    #[error("{part}: {count} trailing byte(s) after the end at byte {offset}")]
    Trailing {
        /// The part being read.
        part: &'static str,
        /// How many.
        count: usize,
        /// Where they start.
        offset: usize,
    },
    /// A field over its budget.
    #[error("payload: {field} is {len} bytes, over the {limit}-byte budget (limits.{budget})")]
    FieldTooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The budget.
        limit: usize,
        /// The budget's name.
        budget: &'static str,
    },
    /// More entries than the budget allows.
    #[error("payload: {field} has {count} entries, over the budget of {limit} (limits.{budget})")]
    TooMany {
        /// The field.
        field: &'static str,
        /// Its count.
        count: u64,
        /// The budget.
        limit: usize,
        /// The budget's name.
        budget: &'static str,
    },
    /// A PCR entry that cannot be one.
    #[error("payload: pcrs: {0}")]
    Pcr(String),
    /// A tag other than COSE_Sign1 (18) around the document.
    #[error("document: tag {0} is not COSE_Sign1 (18)")]
    WrongTag(u64),
    /// The unprotected header carries parameters (a Nitro document's is empty, and nothing
    /// unprotected may change how it is read).
    #[error("unprotected header: {0} parameter(s), but it must be empty")]
    Unprotected(u64),
    /// Text given for decoding (base64 or hex) that is neither.
    #[error("document: {0}")]
    Encoding(String),
}

/// A parsed attestation document, borrowing the bytes it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    /// Whether the COSE_Sign1 tag (18) was present.
    pub tagged: bool,
    /// The protected header's bytes (the content of the byte string), as signed.
    pub protected: &'a [u8],
    /// The protected header's parameters (label, integer value), in order.
    pub protected_params: Vec<(i64, i64)>,
    /// The payload's bytes, as received and signed (never re-encoded).
    pub payload: &'a [u8],
    /// The signature's bytes.
    pub signature: &'a [u8],
    /// The payload, read.
    pub attestation: Attestation<'a>,
}

/// The payload of an attestation document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation<'a> {
    /// The enclave's module id (`i-…-enc…`).
    pub module_id: &'a str,
    /// Milliseconds since the Unix epoch when the document was made.
    pub timestamp_ms: u64,
    /// The PCR digest algorithm's name (`SHA384`).
    pub digest: &'a str,
    /// PCRs by index, ascending.
    pub pcrs: Vec<(u32, &'a [u8])>,
    /// The signing certificate (DER).
    pub certificate: &'a [u8],
    /// The CA bundle (DER), root first: untrusted path-building hints.
    pub cabundle: Vec<&'a [u8]>,
    /// The public key the enclave attached, if any.
    pub public_key: Option<&'a [u8]>,
    /// The user data the enclave attached, if any.
    pub user_data: Option<&'a [u8]>,
    /// The nonce the enclave attached, if any.
    pub nonce: Option<&'a [u8]>,
    /// Whether the payload map was encoded with indefinite length (as current documents are).
    pub indefinite_map: bool,
}

impl Attestation<'_> {
    /// The PCR at `index`, if present.
    pub fn pcr(&self, index: u32) -> Option<&[u8]> {
        self.pcrs.iter().find(|(i, _)| *i == index).map(|(_, v)| *v)
    }
}

fn cbor(part: &'static str) -> impl Fn(CborError) -> DocumentError {
    move |e| DocumentError::Cbor {
        part,
        detail: e.to_string(),
    }
}

fn unexpected(
    part: &'static str,
    field: impl fmt::Display,
    expected: &'static str,
    found: &Head<'_>,
    offset: usize,
) -> DocumentError {
    DocumentError::Unexpected {
        part,
        field: field.to_string(),
        expected,
        found: found.describe(),
        offset,
    }
}

fn finish(r: &Reader<'_>, len: usize, part: &'static str) -> Result<(), DocumentError> {
    if r.at_end() {
        Ok(())
    } else {
        Err(DocumentError::Trailing {
            part,
            count: len.saturating_sub(r.position()),
            offset: r.position(),
        })
    }
}

/// Reads a document: an optionally tagged COSE_Sign1 `[protected: bstr, unprotected: {},
/// payload: bstr, signature: bstr]` with nothing after it, then its protected header and
/// payload. Nothing is verified here.
pub fn parse<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Document<'a>, DocumentError> {
    if bytes.len() > limits.document_bytes {
        return Err(DocumentError::TooLarge {
            size: bytes.len(),
            limit: limits.document_bytes,
            budget: "document_bytes",
        });
    }
    const PART: &str = "document";
    let mut r = Reader::new(bytes);
    let at = r.position();
    let mut head = r.head().map_err(cbor(PART))?;
    let mut tagged = false;
    if let Head::Tag(t) = head {
        if t != TAG_COSE_SIGN1 {
            return Err(DocumentError::WrongTag(t));
        }
        tagged = true;
        head = r.head().map_err(cbor(PART))?;
    }
    if head != Head::Array(Some(4)) {
        return Err(unexpected(
            PART,
            "the COSE_Sign1 structure",
            "an array of 4",
            &head,
            at,
        ));
    }
    let protected = bstr(&mut r, "the protected header")?;
    let at = r.position();
    match r.head().map_err(cbor(PART))? {
        Head::Map(Some(0)) => {}
        Head::Map(Some(n)) => return Err(DocumentError::Unprotected(n)),
        other => {
            return Err(unexpected(
                PART,
                "the unprotected header",
                "a definite-length map",
                &other,
                at,
            ))
        }
    }
    let payload = bstr(&mut r, "the payload")?;
    let signature = bstr(&mut r, "the signature")?;
    finish(&r, bytes.len(), PART)?;
    Ok(Document {
        tagged,
        protected,
        protected_params: protected_header(protected)?,
        payload,
        signature,
        attestation: attestation(payload, limits)?,
    })
}

fn bstr<'a>(r: &mut Reader<'a>, field: &'static str) -> Result<&'a [u8], DocumentError> {
    const PART: &str = "document";
    let at = r.position();
    match r.head().map_err(cbor(PART))? {
        Head::Bytes(b) => Ok(b),
        other => Err(unexpected(PART, field, "a byte string", &other, at)),
    }
}

/// The protected header: a definite map of integer labels to integer values, with no
/// duplicate label (the only parameter a Nitro document has is `alg`).
fn protected_header(bytes: &[u8]) -> Result<Vec<(i64, i64)>, DocumentError> {
    const PART: &str = "protected header";
    let mut r = Reader::new(bytes);
    let at = r.position();
    let n = match r.head().map_err(cbor(PART))? {
        Head::Map(Some(n)) => n,
        other => {
            return Err(unexpected(
                PART,
                "the header",
                "a definite-length map",
                &other,
                at,
            ))
        }
    };
    let mut params: Vec<(i64, i64)> = Vec::new();
    for _ in 0..n {
        let at = r.position();
        let key = int(&r.head().map_err(cbor(PART))?).ok_or_else(|| DocumentError::Cbor {
            part: PART,
            detail: format!("a label that is not a small integer at byte {at}"),
        })?;
        let at = r.position();
        let head = r.head().map_err(cbor(PART))?;
        let value = int(&head)
            .ok_or_else(|| unexpected(PART, format!("parameter {key}"), "an integer", &head, at))?;
        if params.iter().any(|(k, _)| *k == key) {
            return Err(DocumentError::DuplicateKey {
                part: PART,
                key: key.to_string(),
            });
        }
        params.push((key, value));
    }
    finish(&r, bytes.len(), PART)?;
    Ok(params)
}

fn int(head: &Head<'_>) -> Option<i64> {
    match *head {
        Head::Uint(v) => i64::try_from(v).ok(),
        Head::Nint(v) => i64::try_from(v).ok().map(|v| -1 - v),
        _ => None,
    }
}

/// The payload fields.
const FIELDS: [&str; 9] = [
    "module_id",
    "timestamp",
    "digest",
    "pcrs",
    "certificate",
    "cabundle",
    "public_key",
    "user_data",
    "nonce",
];

#[derive(Default)]
struct Fields<'a> {
    module_id: Option<&'a str>,
    timestamp: Option<u64>,
    digest: Option<&'a str>,
    pcrs: Option<Vec<(u32, &'a [u8])>>,
    certificate: Option<&'a [u8]>,
    cabundle: Option<Vec<&'a [u8]>>,
    public_key: Option<&'a [u8]>,
    user_data: Option<&'a [u8]>,
    nonce: Option<&'a [u8]>,
}

/// The attestation map. Its top level may be of definite or indefinite length (AWS emits
/// both); everything inside it is definite, untagged and of the one type its field has.
fn attestation<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Attestation<'a>, DocumentError> {
    const PART: &str = "payload";
    let mut r = Reader::new(bytes);
    let at = r.position();
    let count = match r.head().map_err(cbor(PART))? {
        Head::Map(n) => n,
        other => return Err(unexpected(PART, "the payload", "a map", &other, at)),
    };
    if let Some(n) = count {
        // Each entry takes at least 2 bytes; a count beyond that is a lie about the size.
        if n > FIELDS.len() as u64 {
            return Err(DocumentError::TooMany {
                field: "the payload map",
                count: n,
                limit: FIELDS.len(),
                budget: "(fixed: the nine fields of the format)",
            });
        }
    }
    let mut f = Fields::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut i = 0u64;
    loop {
        if count.is_some_and(|n| i >= n) {
            break;
        }
        let at = r.position();
        let key = match r.head().map_err(cbor(PART))? {
            Head::Break if count.is_none() => break,
            Head::Text(t) => t,
            other => return Err(unexpected(PART, "a map key", "a text string", &other, at)),
        };
        let Some(&name) = FIELDS.iter().find(|f| **f == key) else {
            return Err(DocumentError::UnknownKey(key.chars().take(64).collect()));
        };
        if seen.contains(&name) {
            return Err(DocumentError::DuplicateKey {
                part: PART,
                key: name.to_owned(),
            });
        }
        seen.push(name);
        field(&mut r, name, &mut f, limits)?;
        i += 1;
    }
    finish(&r, bytes.len(), PART)?;
    Ok(Attestation {
        module_id: need(f.module_id, "module_id")?,
        timestamp_ms: need(f.timestamp, "timestamp")?,
        digest: need(f.digest, "digest")?,
        pcrs: need(f.pcrs, "pcrs")?,
        certificate: need(f.certificate, "certificate")?,
        cabundle: need(f.cabundle, "cabundle")?,
        public_key: f.public_key,
        user_data: f.user_data,
        nonce: f.nonce,
        indefinite_map: count.is_none(),
    })
}

fn need<T>(v: Option<T>, name: &'static str) -> Result<T, DocumentError> {
    v.ok_or(DocumentError::Missing(name))
}

fn field<'a>(
    r: &mut Reader<'a>,
    name: &'static str,
    f: &mut Fields<'a>,
    limits: &Limits,
) -> Result<(), DocumentError> {
    const PART: &str = "payload";
    let at = r.position();
    let head = r.head().map_err(cbor(PART))?;
    let wrong = |expected| unexpected(PART, name, expected, &head, at);
    match name {
        "module_id" | "digest" => {
            let Head::Text(t) = head else {
                return Err(wrong("a text string"));
            };
            if t.is_empty() {
                return Err(wrong("a non-empty text string"));
            }
            if t.len() > limits.text_bytes {
                return Err(DocumentError::FieldTooLong {
                    field: name,
                    len: t.len(),
                    limit: limits.text_bytes,
                    budget: "text_bytes",
                });
            }
            if name == "module_id" {
                f.module_id = Some(t);
            } else {
                f.digest = Some(t);
            }
        }
        "timestamp" => {
            let Head::Uint(t) = head else {
                return Err(wrong("an unsigned integer"));
            };
            f.timestamp = Some(t);
        }
        "certificate" => {
            let Head::Bytes(b) = head else {
                return Err(wrong("a byte string"));
            };
            f.certificate = Some(b);
        }
        "public_key" | "user_data" | "nonce" => {
            let value = match head {
                Head::Simple(NULL) => None,
                Head::Bytes(b) => {
                    if b.len() > limits.optional_field_bytes {
                        return Err(DocumentError::FieldTooLong {
                            field: name,
                            len: b.len(),
                            limit: limits.optional_field_bytes,
                            budget: "optional_field_bytes",
                        });
                    }
                    Some(b)
                }
                _ => return Err(wrong("a byte string or null")),
            };
            match name {
                "public_key" => f.public_key = value,
                "user_data" => f.user_data = value,
                _ => f.nonce = value,
            }
        }
        "cabundle" => {
            let Head::Array(Some(n)) = head else {
                return Err(wrong("a definite-length array"));
            };
            if n == 0 {
                return Err(wrong("a non-empty array"));
            }
            if n > limits.cabundle_certificates as u64 {
                return Err(DocumentError::TooMany {
                    field: "cabundle",
                    count: n,
                    limit: limits.cabundle_certificates,
                    budget: "cabundle_certificates",
                });
            }
            let mut v = Vec::new();
            for i in 0..n {
                let at = r.position();
                match r.head().map_err(cbor(PART))? {
                    Head::Bytes(b) => v.push(b),
                    other => {
                        return Err(unexpected(
                            PART,
                            format!("cabundle[{i}]"),
                            "a byte string",
                            &other,
                            at,
                        ))
                    }
                }
            }
            f.cabundle = Some(v);
        }
        _ => {
            // "pcrs", the only field left.
            let Head::Map(Some(n)) = head else {
                return Err(wrong("a definite-length map"));
            };
            if n > PCR_COUNT {
                return Err(DocumentError::TooMany {
                    field: "pcrs",
                    count: n,
                    limit: PCR_COUNT as usize,
                    budget: "(fixed: the module has 32 PCRs)",
                });
            }
            let mut v: Vec<(u32, &[u8])> = Vec::new();
            for _ in 0..n {
                let at = r.position();
                let index = match r.head().map_err(cbor(PART))? {
                    Head::Uint(i) if i < PCR_COUNT => i as u32,
                    Head::Uint(i) => {
                        return Err(DocumentError::Pcr(format!(
                            "index {i} is out of range (the module has PCRs 0 to 31)"
                        )))
                    }
                    other => {
                        return Err(unexpected(
                            PART,
                            "a pcrs key",
                            "an unsigned integer",
                            &other,
                            at,
                        ))
                    }
                };
                let at = r.position();
                let value = match r.head().map_err(cbor(PART))? {
                    Head::Bytes(b) if is_pcr_len(b.len()) => b,
                    Head::Bytes(b) => {
                        return Err(DocumentError::Pcr(format!(
                            "PCR{index} is {} bytes (a SHA-256, SHA-384 or SHA-512 digest is 32, 48 or 64)",
                            b.len()
                        )))
                    }
                    other => {
                        return Err(unexpected(
                            PART,
                            format!("PCR{index}"),
                            "a byte string",
                            &other,
                            at,
                        ))
                    }
                };
                if v.iter().any(|(i, _)| *i == index) {
                    return Err(DocumentError::DuplicateKey {
                        part: PART,
                        key: format!("pcrs[{index}]"),
                    });
                }
                v.push((index, value));
            }
            v.sort_by_key(|(i, _)| *i);
            f.pcrs = Some(v);
        }
    }
    Ok(())
}

/// The COSE Sig_structure for a COSE_Sign1 with no external data (RFC 9052 §4.4):
/// `["Signature1", protected, h'', payload]`, built from the received bytes.
pub(crate) fn sig_structure(doc: &Document<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(doc.protected.len() + doc.payload.len() + 32);
    out.push(0x84);
    out.push(0x6a);
    out.extend_from_slice(b"Signature1");
    bstr_head(&mut out, doc.protected.len());
    out.extend_from_slice(doc.protected);
    out.push(0x40);
    bstr_head(&mut out, doc.payload.len());
    out.extend_from_slice(doc.payload);
    out
}

fn bstr_head(out: &mut Vec<u8>, len: usize) {
    let len = len as u64;
    if len < 24 {
        out.push(0x40 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x58, len as u8]);
    } else if len <= 0xffff {
        out.push(0x59);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else if len <= 0xffff_ffff {
        out.push(0x5a);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x5b);
        out.extend_from_slice(&len.to_be_bytes());
    }
}
