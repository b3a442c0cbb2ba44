//! Rekor transparency-log checks: canonicalized body against the bundle (Rekor v1
//! `hashedrekord`/`dsse` 0.0.1 and `intoto` 0.0.2; Rekor v2 `hashedrekord` 0.0.2, for message
//! signatures and DSSE envelopes alike), the
//! signed entry timestamp (SET, Rekor v1), and the inclusion proof up to a signed checkpoint.

use crate::bundle::{InclusionProof, MessageDigest, TlogEntry};
use crate::error::TlogError;
use crate::keys::{pem_decode_any, PublicKey};
use crate::limits::Limits;
use base64::Engine as _;
use merkle::{leaf_hash, verify_inclusion, Hash};
use plugin_x509::KeyKind;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// What the log entry must record, taken from the verified bundle.
#[derive(Debug, Clone, Copy)]
pub enum Expected<'a> {
    /// A hashedrekord entry: signature over the artifact with this digest.
    HashedRekord {
        /// The artifact's digest, by the algorithm of the bundle's message digest.
        digest: MessageDigest,
        /// Signature bytes.
        signature: &'a [u8],
    },
    /// A DSSE envelope (`dsse`, `intoto`, or Rekor v2 `hashedrekord` over its PAE).
    Dsse {
        /// DSSE payload type.
        payload_type: &'a str,
        /// DSSE payload.
        payload: &'a [u8],
        /// DSSE signatures.
        signatures: &'a [Vec<u8>],
    },
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |acc, k| acc.get(*k))
}

fn get_str<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str, TlogError> {
    get(v, path).and_then(Value::as_str).ok_or_else(|| {
        TlogError::Malformed(format!("entry body has no string at {}", path.join(".")))
    })
}

/// Decodes a base64 PEM (key or certificate) from an entry body into DER.
fn verifier_der(b64_pem: &str) -> Result<Vec<u8>, TlogError> {
    let pem = base64::engine::general_purpose::STANDARD
        .decode(b64_pem.as_bytes())
        .map_err(|e| TlogError::Malformed(format!("entry verifier is not base64: {e}")))?;
    pem_decode_any(&pem, &["PUBLIC KEY", "CERTIFICATE"])
        .map_err(|e| TlogError::Malformed(format!("entry verifier is not PEM: {e}")))
}

/// Checks that the entry's canonicalized body records exactly this signature, signer
/// (`signer_der`: the SPKI of a key, or the DER leaf certificate) and content.
pub fn check_body(
    entry: &TlogEntry,
    expected: Expected<'_>,
    signer_der: &[u8],
    limits: &Limits,
) -> Result<(), TlogError> {
    if entry.body.len() > limits.entry_body_bytes {
        return Err(TlogError::OverBudget("entry body over budget".into()));
    }
    let body: Value = plugin_api::json::from_slice(&entry.body)
        .map_err(|e| TlogError::Malformed(format!("entry body is not JSON: {e}")))?;
    let kind = get_str(&body, &["kind"])?;
    let api = get_str(&body, &["apiVersion"])?;
    if kind != entry.kind || api != entry.version {
        return Err(TlogError::Mismatch(format!(
            "entry body is {kind} {api}, bundle says {} {}",
            entry.kind, entry.version
        )));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    match (expected, kind, api) {
        (Expected::HashedRekord { digest, signature }, "hashedrekord", "0.0.1") => {
            let alg = digest.algorithm().name();
            if get_str(&body, &["spec", "data", "hash", "algorithm"])? != alg {
                return Err(TlogError::Mismatch(format!(
                    "entry digest algorithm is not the bundle's ({alg})"
                )));
            }
            let value = get_str(&body, &["spec", "data", "hash", "value"])?;
            if !value.eq_ignore_ascii_case(&hex::encode(digest.as_bytes())) {
                return Err(TlogError::Mismatch(
                    "entry records a different artifact digest".into(),
                ));
            }
            let sig = b64
                .decode(get_str(&body, &["spec", "signature", "content"])?.as_bytes())
                .map_err(|e| TlogError::Malformed(format!("entry signature is not base64: {e}")))?;
            if sig != signature {
                return Err(TlogError::Mismatch(
                    "entry records a different signature".into(),
                ));
            }
            let der = verifier_der(get_str(
                &body,
                &["spec", "signature", "publicKey", "content"],
            )?)?;
            if der != signer_der {
                return Err(TlogError::Mismatch(
                    "entry records a different key or certificate".into(),
                ));
            }
            Ok(())
        }
        (
            Expected::Dsse {
                payload,
                signatures,
                ..
            },
            "dsse",
            "0.0.1",
        ) => {
            if get_str(&body, &["spec", "payloadHash", "algorithm"])? != "sha256" {
                return Err(TlogError::Unsupported(
                    "entry payload hash algorithm is not sha256".into(),
                ));
            }
            let value = get_str(&body, &["spec", "payloadHash", "value"])?;
            if !value.eq_ignore_ascii_case(&hex::encode(Sha256::digest(payload))) {
                return Err(TlogError::Mismatch(
                    "entry records a different DSSE payload".into(),
                ));
            }
            let sigs = get(&body, &["spec", "signatures"])
                .and_then(Value::as_array)
                .ok_or_else(|| TlogError::Malformed("entry body has no signatures".into()))?;
            if sigs.len() != signatures.len() {
                return Err(TlogError::Mismatch(
                    "entry records a different number of DSSE signatures".into(),
                ));
            }
            for s in signatures {
                let found = sigs.iter().any(|e| {
                    let sig_ok = e
                        .get("signature")
                        .and_then(Value::as_str)
                        .and_then(|x| b64.decode(x.as_bytes()).ok())
                        .is_some_and(|x| &x == s);
                    let ver_ok = e
                        .get("verifier")
                        .and_then(Value::as_str)
                        .and_then(|x| verifier_der(x).ok())
                        .is_some_and(|x| x == signer_der);
                    sig_ok && ver_ok
                });
                if !found {
                    return Err(TlogError::Mismatch(
                        "entry does not record the bundle's DSSE signature and signer".into(),
                    ));
                }
            }
            Ok(())
        }
        (Expected::HashedRekord { digest, signature }, "hashedrekord", "0.0.2") => {
            let spec = get(&body, &["spec", "hashedRekordV002"]).ok_or_else(|| {
                TlogError::Malformed("entry body has no spec.hashedRekordV002".into())
            })?;
            check_v2_data(spec, &digest)?;
            check_v2_signature(
                get(spec, &["signature"])
                    .ok_or_else(|| TlogError::Malformed("entry body has no signature".into()))?,
                signature,
                signer_der,
            )
        }
        (
            Expected::Dsse {
                payload_type,
                payload,
                signatures,
            },
            "hashedrekord",
            "0.0.2",
        ) => {
            // Rekor v2 logs a DSSE envelope as a hashedrekord over its PAE.
            let [signature] = signatures else {
                return Err(TlogError::Unsupported(
                    "a hashedrekord entry records exactly one DSSE signature".into(),
                ));
            };
            let spec = get(&body, &["spec", "hashedRekordV002"]).ok_or_else(|| {
                TlogError::Malformed("entry body has no spec.hashedRekordV002".into())
            })?;
            let digest = MessageDigest::Sha256(
                Sha256::digest(crate::verify::pae(payload_type, payload)).into(),
            );
            check_v2_data(spec, &digest).map_err(|_| {
                TlogError::Mismatch("entry records a different DSSE envelope (PAE digest)".into())
            })?;
            check_v2_signature(
                get(spec, &["signature"])
                    .ok_or_else(|| TlogError::Malformed("entry body has no signature".into()))?,
                signature,
                signer_der,
            )
        }
        (
            Expected::Dsse {
                payload_type,
                payload,
                signatures,
            },
            "intoto",
            "0.0.2",
        ) => check_intoto(&body, payload_type, payload, signatures, signer_der),
        (_, k, v) => Err(TlogError::Unsupported(format!(
            "entry kind {k} {v} does not match the bundle content or is not supported"
        ))),
    }
}

/// Rekor v2 `data`: a digest equal to `digest`, by its algorithm.
fn check_v2_data(spec: &Value, digest: &MessageDigest) -> Result<(), TlogError> {
    let alg = digest.algorithm().proto_name();
    if get_str(spec, &["data", "algorithm"])? != alg {
        return Err(TlogError::Mismatch(format!(
            "entry digest algorithm is not the bundle's ({alg})"
        )));
    }
    let d = base64::engine::general_purpose::STANDARD
        .decode(get_str(spec, &["data", "digest"])?.as_bytes())
        .map_err(|e| TlogError::Malformed(format!("entry digest is not base64: {e}")))?;
    if d != digest.as_bytes() {
        return Err(TlogError::Mismatch(
            "entry records a different artifact digest".into(),
        ));
    }
    Ok(())
}

/// Rekor v2 `Signature`: `content` equal to `signature`, `verifier` (an X.509 certificate or a
/// PKIX public key, DER) equal to `signer_der`.
fn check_v2_signature(sig: &Value, signature: &[u8], signer_der: &[u8]) -> Result<(), TlogError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let content = b64
        .decode(get_str(sig, &["content"])?.as_bytes())
        .map_err(|e| TlogError::Malformed(format!("entry signature is not base64: {e}")))?;
    if content != signature {
        return Err(TlogError::Mismatch(
            "entry records a different signature".into(),
        ));
    }
    let verifier = get(sig, &["verifier"])
        .ok_or_else(|| TlogError::Malformed("entry signature has no verifier".into()))?;
    let raw = match (
        get(verifier, &["x509Certificate", "rawBytes"]),
        get(verifier, &["publicKey", "rawBytes"]),
    ) {
        (Some(c), None) => c,
        (None, Some(k)) => k,
        _ => {
            return Err(TlogError::Malformed(
                "entry verifier is not exactly one certificate or public key".into(),
            ))
        }
    };
    let der = b64
        .decode(
            raw.as_str()
                .ok_or_else(|| TlogError::Malformed("entry verifier is not a string".into()))?
                .as_bytes(),
        )
        .map_err(|e| TlogError::Malformed(format!("entry verifier is not base64: {e}")))?;
    if der != signer_der {
        return Err(TlogError::Mismatch(
            "entry records a different key or certificate".into(),
        ));
    }
    Ok(())
}

/// Decodes base64 twice (`intoto` 0.0.2 stores base64 text of the envelope's base64 fields).
fn b64_b64(s: &str) -> Option<Vec<u8>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let once = b64.decode(s.as_bytes()).ok()?;
    b64.decode(once).ok()
}

/// Rekor v1 `intoto` 0.0.2: the body binds the payload hash, the payload type, the payload (if
/// recorded) and every signature with its verifier.
fn check_intoto(
    body: &Value,
    payload_type: &str,
    payload: &[u8],
    signatures: &[Vec<u8>],
    signer_der: &[u8],
) -> Result<(), TlogError> {
    let content = get(body, &["spec", "content"])
        .ok_or_else(|| TlogError::Malformed("entry body has no spec.content".into()))?;
    if get_str(content, &["payloadHash", "algorithm"])? != "sha256" {
        return Err(TlogError::Unsupported(
            "entry payload hash algorithm is not sha256".into(),
        ));
    }
    let value = get_str(content, &["payloadHash", "value"])?;
    if !value.eq_ignore_ascii_case(&hex::encode(Sha256::digest(payload))) {
        return Err(TlogError::Mismatch(
            "entry records a different DSSE payload".into(),
        ));
    }
    let env = get(content, &["envelope"])
        .ok_or_else(|| TlogError::Malformed("entry body has no envelope".into()))?;
    if get_str(env, &["payloadType"])? != payload_type {
        return Err(TlogError::Mismatch(
            "entry records a different DSSE payload type".into(),
        ));
    }
    if let Some(p) = get(env, &["payload"]) {
        let p = p.as_str().and_then(b64_b64);
        if p.as_deref() != Some(payload) {
            return Err(TlogError::Mismatch(
                "entry records a different DSSE payload".into(),
            ));
        }
    }
    let sigs = get(env, &["signatures"])
        .and_then(Value::as_array)
        .ok_or_else(|| TlogError::Malformed("entry body has no signatures".into()))?;
    if sigs.len() != signatures.len() {
        return Err(TlogError::Mismatch(
            "entry records a different number of DSSE signatures".into(),
        ));
    }
    for s in signatures {
        let found = sigs.iter().any(|e| {
            let sig_ok = e
                .get("sig")
                .and_then(Value::as_str)
                .and_then(b64_b64)
                .is_some_and(|x| &x == s);
            let ver_ok = e
                .get("publicKey")
                .and_then(Value::as_str)
                .and_then(|x| verifier_der(x).ok())
                .is_some_and(|x| x == signer_der);
            sig_ok && ver_ok
        });
        if !found {
            return Err(TlogError::Mismatch(
                "entry does not record the bundle's DSSE signature and signer".into(),
            ));
        }
    }
    Ok(())
}

/// Verifies the signed entry timestamp with the log key.
pub fn check_set(entry: &TlogEntry, set: &[u8], log_key: &PublicKey) -> Result<(), TlogError> {
    let body = base64::engine::general_purpose::STANDARD.encode(&entry.body);
    let payload = format!(
        "{{\"body\":\"{body}\",\"integratedTime\":{},\"logID\":\"{}\",\"logIndex\":{}}}",
        entry.integrated_time,
        hex::encode(&entry.log_id),
        entry.log_index
    );
    if log_key.verify(payload.as_bytes(), set) {
        Ok(())
    } else {
        Err(TlogError::Verification(
            "signed entry timestamp does not verify with the log key".into(),
        ))
    }
}

/// The key id of `key` as a checkpoint signer named `name`: for Ed25519 the C2SP signed-note
/// key id `SHA-256(name || "\n" || 0x01 || key)`, otherwise SHA-256 of the DER
/// SubjectPublicKeyInfo (as Sigstore logs use for ECDSA keys).
pub fn checkpoint_key_id(key: &PublicKey, name: &str) -> [u8; 32] {
    match (key.kind(), key.spki_der().get(12..)) {
        (KeyKind::Ed25519, Some(raw)) => {
            let mut h = Sha256::new();
            h.update(name.as_bytes());
            h.update(b"\n\x01");
            h.update(raw);
            h.finalize().into()
        }
        _ => key.sha256_id(),
    }
}

/// The C2SP key hint of `key` for signature lines named `name`.
fn key_hint(key: &PublicKey, name: &str) -> [u8; 4] {
    let digest = checkpoint_key_id(key, name);
    let mut out = [0u8; 4];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

/// Verifies the inclusion proof of the entry and the checkpoint that commits to its root.
///
/// With `origin` (Rekor v2), the checkpoint's origin line must be it, and only signature
/// lines named `origin` with the log key's hint count; other lines (witness cosignatures,
/// other keys) are ignored, as the C2SP signed-note spec says.
pub fn check_inclusion(
    entry: &TlogEntry,
    proof: &InclusionProof,
    log_key: &PublicKey,
    origin: Option<&str>,
    limits: &Limits,
) -> Result<(), TlogError> {
    let leaf = leaf_hash(&entry.body);
    verify_inclusion(
        proof.log_index,
        proof.tree_size,
        &leaf,
        &proof.hashes,
        &proof.root_hash,
    )
    .map_err(|e| TlogError::Verification(format!("inclusion proof does not verify: {e}")))?;
    let note = proof.checkpoint.as_deref().ok_or_else(|| {
        TlogError::Verification(
            "inclusion proof has no checkpoint: its root is not authenticated".into(),
        )
    })?;
    check_checkpoint(note, proof, log_key, origin, limits)
}

fn check_checkpoint(
    note: &str,
    proof: &InclusionProof,
    log_key: &PublicKey,
    expected_origin: Option<&str>,
    limits: &Limits,
) -> Result<(), TlogError> {
    if note.len() > limits.checkpoint_bytes {
        return Err(TlogError::OverBudget("checkpoint over budget".into()));
    }
    let split = note
        .find("\n\n")
        .ok_or_else(|| TlogError::Malformed("checkpoint has no signature block".into()))?;
    let body = note
        .get(..split + 1)
        .ok_or_else(|| TlogError::Malformed("checkpoint malformed".into()))?;
    let sigs = note
        .get(split + 2..)
        .ok_or_else(|| TlogError::Malformed("checkpoint malformed".into()))?;
    if sigs.is_empty() {
        return Err(TlogError::Malformed(
            "checkpoint carries no signature".into(),
        ));
    }
    if !sigs.ends_with('\n') {
        return Err(TlogError::Malformed(
            "checkpoint signature block does not end with a newline".into(),
        ));
    }
    let mut lines = body.lines();
    let origin = lines.next().unwrap_or_default();
    let size = lines.next().unwrap_or_default();
    let root = lines.next().unwrap_or_default();
    if origin.is_empty() {
        return Err(TlogError::Malformed("checkpoint has no origin".into()));
    }
    if expected_origin.is_some_and(|o| o != origin) {
        return Err(TlogError::Mismatch(format!(
            "checkpoint origin {origin:?} is not the log's origin in the trusted root"
        )));
    }
    let size: u64 = if !size.is_empty() && size.bytes().all(|b| b.is_ascii_digit()) {
        size.parse()
            .map_err(|_| TlogError::Malformed("checkpoint size malformed".into()))?
    } else {
        return Err(TlogError::Malformed("checkpoint size malformed".into()));
    };
    let root = base64::engine::general_purpose::STANDARD
        .decode(root.as_bytes())
        .ok()
        .and_then(|r| Hash::from_slice(&r).ok())
        .ok_or_else(|| TlogError::Malformed("checkpoint root hash malformed".into()))?;
    let mut verified = false;
    for (n, line) in sigs.lines().enumerate() {
        if n >= limits.checkpoint_signatures {
            return Err(TlogError::OverBudget(
                "too many checkpoint signatures".into(),
            ));
        }
        let rest = line
            .strip_prefix("\u{2014} ")
            .ok_or_else(|| TlogError::Malformed("checkpoint signature line malformed".into()))?;
        let (name, b64) = rest
            .rsplit_once(' ')
            .ok_or_else(|| TlogError::Malformed("checkpoint signature line malformed".into()))?;
        let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) else {
            return Err(TlogError::Malformed(
                "checkpoint signature is not base64".into(),
            ));
        };
        let (Some(hint), Some(sig)) = (sig.get(..4), sig.get(4..)) else {
            return Err(TlogError::Malformed(
                "checkpoint signature too short".into(),
            ));
        };
        if expected_origin.is_some_and(|o| o != name) || hint != key_hint(log_key, name) {
            continue; // a signature by some other key (e.g. a witness)
        }
        if !log_key.verify(body.as_bytes(), sig) {
            return Err(TlogError::Verification(format!(
                "checkpoint signature by {name:?} does not verify"
            )));
        }
        verified = true;
    }
    if !verified {
        return Err(TlogError::Verification(
            "checkpoint carries no signature by the log key".into(),
        ));
    }
    if size != proof.tree_size || root != proof.root_hash {
        return Err(TlogError::Mismatch(
            "checkpoint does not match the inclusion proof's tree size and root".into(),
        ));
    }
    Ok(())
}
