//! PEM armour: every block of a buffer, bounded in number.

use crate::cert::Certificate;
use crate::error::ParseError;
use x509_parser::pem::Pem;

/// Every PEM block of `bytes` as (label, DER); at most `max` blocks, at least one.
pub(crate) fn blocks(bytes: &[u8], max: usize) -> Result<Vec<(String, Vec<u8>)>, ParseError> {
    let mut out = Vec::new();
    for block in Pem::iter_from_buffer(bytes) {
        let pem = block.map_err(|e| ParseError::Pem(format!("block {}: {e}", out.len() + 1)))?;
        if out.len() >= max {
            return Err(ParseError::Pem(format!("more than {max} PEM blocks")));
        }
        out.push((pem.label, pem.contents));
    }
    if out.is_empty() {
        return Err(ParseError::Pem("no PEM block (and not DER)".into()));
    }
    Ok(out)
}

/// The DER inside the one PEM block of `bytes` (at most `max_bytes` of PEM), which must be
/// labelled `label` (`PUBLIC KEY`, `PRIVATE KEY`): the workspace's one reader of single-block
/// PEM files such as keys.
pub fn pem_block(bytes: &[u8], label: &str, max_bytes: usize) -> Result<Vec<u8>, ParseError> {
    if bytes.len() > max_bytes {
        return Err(ParseError::Pem(format!(
            "{} bytes, more than the {max_bytes}-byte limit",
            bytes.len()
        )));
    }
    let mut found = blocks(bytes, 1).map_err(|e| match e {
        ParseError::Pem(m) if m.starts_with("more than") => {
            ParseError::Pem("more than one PEM block".into())
        }
        ParseError::Pem(m) if m.starts_with("no PEM block") => {
            ParseError::Pem(format!("no -----BEGIN {label}----- block"))
        }
        other => other,
    })?;
    match found.pop() {
        Some((l, der)) if l == label => Ok(der),
        Some((l, _)) => Err(ParseError::Pem(format!(
            "a {l} block where a {label} block is expected"
        ))),
        None => Err(ParseError::Pem(format!("no {label} block"))),
    }
}

/// Parses one DER certificate, or PEM holding one or more `CERTIFICATE` blocks (at most
/// `max`). An error names the block (1-based).
pub fn certificates_from_pem_or_der(
    bytes: &[u8],
    max: usize,
) -> Result<Vec<Certificate>, ParseError> {
    if bytes.first() == Some(&0x30) {
        return Certificate::from_der(bytes).map(|c| vec![c]);
    }
    blocks(bytes, max)?
        .into_iter()
        .enumerate()
        .map(|(i, (label, der))| {
            if label != "CERTIFICATE" {
                return Err(ParseError::Pem(format!(
                    "block {}: unexpected PEM label {label} (CERTIFICATE expected)",
                    i + 1
                )));
            }
            Certificate::from_der(&der).map_err(|e| {
                ParseError::Malformed(format!("certificate {} of the file: {e}", i + 1))
            })
        })
        .collect()
}

/// Parses one DER CRL, or PEM holding one or more `X509 CRL` blocks (at most `max`).
pub fn crls_from_pem_or_der(bytes: &[u8], max: usize) -> Result<Vec<crate::Crl>, ParseError> {
    if bytes.first() == Some(&0x30) {
        return crate::Crl::from_der(bytes).map(|c| vec![c]);
    }
    blocks(bytes, max)?
        .into_iter()
        .enumerate()
        .map(|(i, (label, der))| {
            if label != "X509 CRL" {
                return Err(ParseError::Pem(format!(
                    "block {}: unexpected PEM label {label} (X509 CRL expected)",
                    i + 1
                )));
            }
            crate::Crl::from_der(&der)
                .map_err(|e| ParseError::Malformed(format!("CRL {} of the file: {e}", i + 1)))
        })
        .collect()
}
