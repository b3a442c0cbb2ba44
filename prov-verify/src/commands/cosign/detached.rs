//! `--signature` (with `--key`, or `--certificate` and `--certificate-chain`): cosign's
//! detached form, turned into the bundle the plugin verifies.
//!
//! The bundle made here holds only what the files hold: the artifact's SHA-256 and the
//! signature as a message signature, and the certificate (or, for a key, nothing). It has no
//! transparency-log entry and no timestamp, so nothing is assumed about them: offline, such a
//! bundle fails the log check unless `--insecure-ignore-tlog` is given (recorded in the
//! report), and a keyless one then still needs a verified signing time, which it cannot have.
//! The chain file adds no trust: each of its certificates must already be a certificate
//! authority of the trusted root.

use super::{RootInput, MAX_ARTIFACT};
use crate::error::CliError;
use crate::input::read_limited;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// Largest signature file read (a base64 signature is well under 1 KiB).
const MAX_SIGNATURE_FILE: u64 = 64 * 1024;
/// Largest certificate or chain file read.
const MAX_CERTIFICATE_FILE: u64 = 256 * 1024;
/// Most certificates in a chain file.
const MAX_CHAIN_CERTIFICATES: usize = 10;

/// The bundle (JSON) for a detached signature over `artifact` (a file, or `sha256:HEX`).
pub(crate) fn bundle(
    signature: &Path,
    certificate: Option<&Path>,
    chain: Option<&Path>,
    artifact: &str,
    root: &RootInput,
) -> Result<Vec<u8>, CliError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let name = |p: &Path, flag: &str| format!("{flag} {}", p.display());
    let sig_text = read_limited(signature, MAX_SIGNATURE_FILE)?;
    let sig = b64
        .decode(sig_text.trim_ascii())
        .map_err(|e| {
            CliError::malformed(
                name(signature, "--signature"),
                format!("not base64 (cosign writes signatures base64-encoded): {e}"),
            )
        })
        .and_then(|s| {
            if s.is_empty() {
                Err(CliError::malformed(
                    name(signature, "--signature"),
                    "empty signature",
                ))
            } else {
                Ok(s)
            }
        })?;
    let digest = match artifact.strip_prefix("sha256:") {
        Some(h) => hex::decode(h)
            .ok()
            .filter(|d| d.len() == 32)
            .ok_or_else(|| CliError::malformed("ARTIFACT", "sha256: needs 64 hex digits"))?,
        None => sha256_file(Path::new(artifact))?,
    };
    let material = match certificate {
        None => serde_json::json!({ "publicKey": { "hint": "" }, "tlogEntries": [] }),
        Some(cert) => {
            let leaf = certificate_der(cert)?;
            if let Some(chain) = chain {
                check_chain(chain, root)?;
            }
            serde_json::json!({
                "certificate": { "rawBytes": b64.encode(leaf) },
                "tlogEntries": [],
            })
        }
    };
    let doc = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": material,
        "messageSignature": {
            "messageDigest": { "algorithm": "SHA2_256", "digest": b64.encode(&digest) },
            "signature": b64.encode(&sig),
        },
    });
    serde_json::to_vec(&doc).map_err(|e| CliError::Internal(e.to_string()))
}

/// The DER of the one certificate in `path`: PEM, or base64 of PEM (cosign's
/// `--output-certificate` form), or DER.
fn certificate_der(path: &Path) -> Result<Vec<u8>, CliError> {
    let flag = format!("--certificate {}", path.display());
    let certs = certificates(path, &flag, 1)?;
    match certs.as_slice() {
        [one] => Ok(one.der().to_vec()),
        _ => Err(CliError::malformed(flag, "expected one certificate")),
    }
}

/// Every certificate of `path` must be a certificate authority of the trusted root.
fn check_chain(path: &Path, root: &RootInput) -> Result<(), CliError> {
    let flag = format!("--certificate-chain {}", path.display());
    let certs = certificates(path, &flag, MAX_CHAIN_CERTIFICATES)?;
    let trusted = &root.parsed;
    for (i, c) in certs.iter().enumerate() {
        let known = trusted
            .cas
            .iter()
            .any(|ca| ca.chain.iter().any(|der| der.as_slice() == c.der()));
        if !known {
            return Err(CliError::Usage(format!(
                "{flag}: certificate {} is not a certificate authority of the trusted root {}: \
                 a chain file adds no trust (the chain is built to the trusted root)",
                i + 1,
                root.name
            )));
        }
    }
    Ok(())
}

/// The certificates of a PEM, base64-of-PEM or DER file.
fn certificates(
    path: &Path,
    flag: &str,
    max: usize,
) -> Result<Vec<plugin_x509::Certificate>, CliError> {
    let bytes = read_limited(path, MAX_CERTIFICATE_FILE)?;
    let pem = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") || bytes.first() == Some(&0x30)
    {
        bytes
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(bytes.trim_ascii())
            .map_err(|e| {
                CliError::malformed(flag, format!("neither PEM, DER nor base64 of PEM: {e}"))
            })?
    };
    plugin_x509::certificates_from_pem_or_der(&pem, max)
        .map_err(|e| CliError::malformed(flag, e.to_string()))
}

/// The SHA-256 of a file of at most `MAX_ARTIFACT` bytes, read in chunks (the plugin reads the
/// artifact again to verify the signature over its bytes; this pass holds no copy).
fn sha256_file(path: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut reader = std::io::BufReader::new(file).take(MAX_ARTIFACT.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = reader.read(&mut buf).map_err(|e| CliError::io(path, e))?;
        if n == 0 {
            break;
        }
        total = total.saturating_add(n as u64);
        if total > MAX_ARTIFACT {
            return Err(CliError::malformed(
                path.display().to_string(),
                format!("more than {MAX_ARTIFACT} bytes"),
            ));
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hasher.finalize().to_vec())
}
