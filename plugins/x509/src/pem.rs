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
    pem_block_labelled(bytes, &[label], max_bytes).map(|(_, der)| der)
}

/// [`pem_block`] for a block that may carry any of `labels` (e.g. a log entry's verifier, a
/// `PUBLIC KEY` or a `CERTIFICATE`): the block's label and DER, from one reading of the PEM.
pub fn pem_block_labelled(
    bytes: &[u8],
    labels: &[&str],
    max_bytes: usize,
) -> Result<(String, Vec<u8>), ParseError> {
    let expected = || labels.join(" or ");
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
            ParseError::Pem(format!("no -----BEGIN {}----- block", expected()))
        }
        other => other,
    })?;
    match found.pop() {
        Some((l, der)) if labels.contains(&l.as_str()) => Ok((l, der)),
        Some((l, _)) => Err(ParseError::Pem(format!(
            "a {l} block where a {} block is expected",
            expected()
        ))),
        None => Err(ParseError::Pem(format!("no {} block", expected()))),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn armour(label: &str, body: &str) -> String {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn a_block_with_any_of_the_labels_is_read_once_and_others_are_refused() {
        let key = armour("PUBLIC KEY", "AQID");
        let cert = armour("CERTIFICATE", "BAUG");
        let labels = ["PUBLIC KEY", "CERTIFICATE"];
        assert_eq!(
            pem_block_labelled(key.as_bytes(), &labels, 1000).unwrap(),
            ("PUBLIC KEY".to_owned(), vec![1, 2, 3])
        );
        assert_eq!(
            pem_block_labelled(cert.as_bytes(), &labels, 1000).unwrap(),
            ("CERTIFICATE".to_owned(), vec![4, 5, 6])
        );
        let other = armour("PRIVATE KEY", "AQID");
        let err = pem_block_labelled(other.as_bytes(), &labels, 1000)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a PRIVATE KEY block where a PUBLIC KEY or CERTIFICATE block is expected"),
            "{err}"
        );
        let two = format!("{key}{cert}");
        let err = pem_block_labelled(two.as_bytes(), &labels, 1000)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than one PEM block"), "{err}");
        assert!(pem_block_labelled(key.as_bytes(), &labels, 10).is_err());
        assert_eq!(
            pem_block(key.as_bytes(), "PUBLIC KEY", 1000).unwrap(),
            vec![1, 2, 3]
        );
        assert!(pem_block(cert.as_bytes(), "PUBLIC KEY", 1000).is_err());
    }
}
