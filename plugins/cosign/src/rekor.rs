//! Rekor v1 transparency-log checks: canonicalized body against the bundle, the signed entry
//! timestamp (SET), and the inclusion proof up to a signed checkpoint.

use crate::bundle::{InclusionProof, TlogEntry};
use crate::keys::{pem_decode, KeyKind, PublicKey};
use base64::Engine as _;
use merkle::{leaf_hash, verify_inclusion, Hash};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// Budget for a checkpoint note.
pub const MAX_CHECKPOINT_BYTES: usize = 1024 * 1024;
/// Budget for signature lines in a checkpoint note.
pub const MAX_CHECKPOINT_SIGNATURES: usize = 100;
/// Budget for a canonicalized entry body.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What the log entry must record, taken from the verified bundle.
#[derive(Debug, Clone, Copy)]
pub enum Expected<'a> {
    /// A hashedrekord entry: signature over the artifact with this digest.
    HashedRekord {
        /// SHA-256 digest of the artifact.
        digest: &'a [u8; 32],
        /// Signature bytes.
        signature: &'a [u8],
    },
    /// A dsse entry.
    Dsse {
        /// DSSE payload.
        payload: &'a [u8],
        /// DSSE signatures.
        signatures: &'a [Vec<u8>],
    },
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |acc, k| acc.get(*k))
}

fn get_str<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str, String> {
    get(v, path)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("entry body has no string at {}", path.join(".")))
}

/// Decodes a base64 PEM (key or certificate) from an entry body into DER.
fn verifier_der(b64_pem: &str) -> Result<Vec<u8>, String> {
    let pem = base64::engine::general_purpose::STANDARD
        .decode(b64_pem.as_bytes())
        .map_err(|e| format!("entry verifier is not base64: {e}"))?;
    pem_decode(&pem, "PUBLIC KEY")
        .or_else(|_| pem_decode(&pem, "CERTIFICATE"))
        .map_err(|e| format!("entry verifier is not PEM: {e}"))
}

/// Checks that the entry's canonicalized body records exactly this signature, signer
/// (`signer_der`: the SPKI of a key, or the DER leaf certificate) and content.
pub fn check_body(
    entry: &TlogEntry,
    expected: Expected<'_>,
    signer_der: &[u8],
) -> Result<(), String> {
    if entry.body.len() > MAX_BODY_BYTES {
        return Err("entry body over budget".into());
    }
    let body: Value =
        serde_json::from_slice(&entry.body).map_err(|e| format!("entry body is not JSON: {e}"))?;
    let kind = get_str(&body, &["kind"])?;
    let api = get_str(&body, &["apiVersion"])?;
    if kind != entry.kind || api != entry.version {
        return Err(format!(
            "entry body is {kind} {api}, bundle says {} {}",
            entry.kind, entry.version
        ));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    match (expected, kind, api) {
        (Expected::HashedRekord { digest, signature }, "hashedrekord", "0.0.1") => {
            if get_str(&body, &["spec", "data", "hash", "algorithm"])? != "sha256" {
                return Err("entry digest algorithm is not sha256".into());
            }
            let value = get_str(&body, &["spec", "data", "hash", "value"])?;
            if !value.eq_ignore_ascii_case(&hex::encode(digest)) {
                return Err("entry records a different artifact digest".into());
            }
            let sig = b64
                .decode(get_str(&body, &["spec", "signature", "content"])?.as_bytes())
                .map_err(|e| format!("entry signature is not base64: {e}"))?;
            if sig != signature {
                return Err("entry records a different signature".into());
            }
            let der = verifier_der(get_str(
                &body,
                &["spec", "signature", "publicKey", "content"],
            )?)?;
            if der != signer_der {
                return Err("entry records a different key or certificate".into());
            }
            Ok(())
        }
        (
            Expected::Dsse {
                payload,
                signatures,
            },
            "dsse",
            "0.0.1",
        ) => {
            if get_str(&body, &["spec", "payloadHash", "algorithm"])? != "sha256" {
                return Err("entry payload hash algorithm is not sha256".into());
            }
            let value = get_str(&body, &["spec", "payloadHash", "value"])?;
            if !value.eq_ignore_ascii_case(&hex::encode(Sha256::digest(payload))) {
                return Err("entry records a different DSSE payload".into());
            }
            let sigs = get(&body, &["spec", "signatures"])
                .and_then(Value::as_array)
                .ok_or("entry body has no signatures")?;
            if sigs.len() != signatures.len() {
                return Err("entry records a different number of DSSE signatures".into());
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
                    return Err(
                        "entry does not record the bundle's DSSE signature and signer".into(),
                    );
                }
            }
            Ok(())
        }
        (_, k, v) => Err(format!(
            "entry kind {k} {v} does not match the bundle content or is not supported"
        )),
    }
}

/// Verifies the signed entry timestamp with the log key.
pub fn check_set(entry: &TlogEntry, set: &[u8], log_key: &PublicKey) -> Result<(), String> {
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
        Err("signed entry timestamp does not verify with the log key".into())
    }
}

/// The C2SP key hint of `key` for signature lines named `name`.
fn key_hint(key: &PublicKey, name: &str, raw_ed25519: Option<&[u8]>) -> [u8; 4] {
    let digest: [u8; 32] = match (key.kind(), raw_ed25519) {
        (KeyKind::Ed25519, Some(raw)) => {
            let mut h = Sha256::new();
            h.update(name.as_bytes());
            h.update(b"\n\x01");
            h.update(raw);
            h.finalize().into()
        }
        _ => key.sha256_id(),
    };
    let mut out = [0u8; 4];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

/// Verifies the inclusion proof of the entry and the checkpoint that commits to its root.
pub fn check_inclusion(
    entry: &TlogEntry,
    proof: &InclusionProof,
    log_key: &PublicKey,
) -> Result<(), String> {
    let leaf = leaf_hash(&entry.body);
    verify_inclusion(
        proof.log_index,
        proof.tree_size,
        &leaf,
        &proof.hashes,
        &proof.root_hash,
    )
    .map_err(|e| format!("inclusion proof does not verify: {e}"))?;
    let note = proof
        .checkpoint
        .as_deref()
        .ok_or("inclusion proof has no checkpoint: its root is not authenticated")?;
    check_checkpoint(note, proof, log_key)
}

fn check_checkpoint(note: &str, proof: &InclusionProof, log_key: &PublicKey) -> Result<(), String> {
    if note.len() > MAX_CHECKPOINT_BYTES {
        return Err("checkpoint over budget".into());
    }
    let split = note
        .find("\n\n")
        .ok_or("checkpoint has no signature block")?;
    let body = note.get(..split + 1).ok_or("checkpoint malformed")?;
    let sigs = note.get(split + 2..).ok_or("checkpoint malformed")?;
    if !sigs.ends_with('\n') {
        return Err("checkpoint signature block does not end with a newline".into());
    }
    let mut lines = body.lines();
    let origin = lines.next().unwrap_or_default();
    let size = lines.next().unwrap_or_default();
    let root = lines.next().unwrap_or_default();
    if origin.is_empty() {
        return Err("checkpoint has no origin".into());
    }
    let size: u64 = if !size.is_empty() && size.bytes().all(|b| b.is_ascii_digit()) {
        size.parse().map_err(|_| "checkpoint size malformed")?
    } else {
        return Err("checkpoint size malformed".into());
    };
    let root = base64::engine::general_purpose::STANDARD
        .decode(root.as_bytes())
        .ok()
        .and_then(|r| Hash::from_slice(&r).ok())
        .ok_or("checkpoint root hash malformed")?;
    let raw_ed25519 = match log_key.kind() {
        KeyKind::Ed25519 => log_key.spki_der().get(12..),
        _ => None,
    };
    let mut verified = false;
    for (n, line) in sigs.lines().enumerate() {
        if n >= MAX_CHECKPOINT_SIGNATURES {
            return Err("too many checkpoint signatures".into());
        }
        let rest = line
            .strip_prefix("\u{2014} ")
            .ok_or("checkpoint signature line malformed")?;
        let (name, b64) = rest
            .rsplit_once(' ')
            .ok_or("checkpoint signature line malformed")?;
        let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) else {
            return Err("checkpoint signature is not base64".into());
        };
        let (Some(hint), Some(sig)) = (sig.get(..4), sig.get(4..)) else {
            return Err("checkpoint signature too short".into());
        };
        if hint != key_hint(log_key, name, raw_ed25519) {
            continue; // a signature by some other key (e.g. a witness)
        }
        if !log_key.verify(body.as_bytes(), sig) {
            return Err(format!("checkpoint signature by {name:?} does not verify"));
        }
        verified = true;
    }
    if !verified {
        return Err("checkpoint carries no signature by the log key".into());
    }
    if size != proof.tree_size || root != proof.root_hash {
        return Err("checkpoint does not match the inclusion proof's tree size and root".into());
    }
    Ok(())
}
