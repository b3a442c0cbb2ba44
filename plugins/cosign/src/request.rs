//! What a caller asks for, before verification: the expected signer, and batch request lines.
//!
//! The command line and every line of a `--batch` file name the expected signer with the same
//! five fields (`key`, `certificate_identity[_regexp]`, `certificate_oidc_issuer[_regexp]`).
//! [`SignerFields::parse`] is the one place their rules live, so a batch line is refused
//! exactly where the same flags would be, and never verified with half of it dropped.

use crate::error::BatchLineError;
use crate::{IdentityPolicy, Matcher};
use serde::Deserialize;

/// Longest batch line, in bytes (a longer line is a malformed request).
pub const MAX_BATCH_LINE: usize = crate::Limits::DEFAULT.batch_line_bytes;

/// The expected signer as given: flags or the members of a batch line. `K` is how the key is
/// named (a path on the command line).
#[derive(Debug, Clone, Default)]
pub struct SignerFields<K> {
    /// A public key (`--key`).
    pub key: Option<K>,
    /// Expected SAN, exact (`--certificate-identity`).
    pub certificate_identity: Option<String>,
    /// Expected SAN, anchored regexp (`--certificate-identity-regexp`).
    pub certificate_identity_regexp: Option<String>,
    /// Expected OIDC issuer, exact (`--certificate-oidc-issuer`).
    pub certificate_oidc_issuer: Option<String>,
    /// Expected OIDC issuer, anchored regexp (`--certificate-oidc-issuer-regexp`).
    pub certificate_oidc_issuer_regexp: Option<String>,
}

/// The expected signer once the rules hold: a key, or a keyless identity policy.
#[derive(Debug, Clone)]
pub enum SignerSpec<K> {
    /// Verify with this public key; the bundle must not be judged by a certificate identity.
    Key(K),
    /// Verify a Fulcio certificate with this identity.
    Keyless(IdentityPolicy),
}

/// Why the fields do not name one signer. Messages use the flag names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// `--key` together with identity fields.
    #[error("--key cannot be used with {0}: a key-signed bundle has no certificate identity")]
    KeyWithIdentity(String),
    /// Both the exact and the regexp form of one field.
    #[error("--{0} and --{0}-regexp cannot be used together")]
    Both(&'static str),
    /// Neither form of a field, and no key.
    #[error("give --{0} or --{0}-regexp (or --key)")]
    Missing(&'static str),
    /// A regexp that does not compile or is over budget.
    #[error("--{0}-regexp: {1}")]
    BadRegex(&'static str, String),
}

fn matcher(
    flag: &'static str,
    exact: Option<String>,
    regexp: Option<String>,
) -> Result<Matcher, SignerError> {
    match (exact, regexp) {
        (Some(e), None) => Ok(Matcher::Exact(e)),
        (None, Some(r)) => {
            Matcher::regex(&r).map_err(|e| SignerError::BadRegex(flag, e.to_string()))
        }
        (Some(_), Some(_)) => Err(SignerError::Both(flag)),
        (None, None) => Err(SignerError::Missing(flag)),
    }
}

impl<K> SignerFields<K> {
    /// The signer these fields name: `key` excludes every identity field; otherwise identity
    /// and issuer each need exactly one of their exact and regexp forms.
    pub fn parse(self) -> Result<SignerSpec<K>, SignerError> {
        let identity = [
            ("certificate-identity", self.certificate_identity.is_some()),
            (
                "certificate-identity-regexp",
                self.certificate_identity_regexp.is_some(),
            ),
            (
                "certificate-oidc-issuer",
                self.certificate_oidc_issuer.is_some(),
            ),
            (
                "certificate-oidc-issuer-regexp",
                self.certificate_oidc_issuer_regexp.is_some(),
            ),
        ];
        if let Some(key) = self.key {
            let given: Vec<String> = identity
                .iter()
                .filter(|(_, set)| *set)
                .map(|(name, _)| format!("--{name}"))
                .collect();
            if !given.is_empty() {
                return Err(SignerError::KeyWithIdentity(given.join(", ")));
            }
            return Ok(SignerSpec::Key(key));
        }
        Ok(SignerSpec::Keyless(IdentityPolicy {
            san: matcher(
                "certificate-identity",
                self.certificate_identity,
                self.certificate_identity_regexp,
            )?,
            issuer: matcher(
                "certificate-oidc-issuer",
                self.certificate_oidc_issuer,
                self.certificate_oidc_issuer_regexp,
            )?,
        }))
    }
}

/// One line of a batch file, as written: one JSON object, unknown members refused, duplicate
/// members refused. Paths are as written (the caller resolves them).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchLine {
    /// The artifact file, or `sha256:` and 64 hex digits.
    pub artifact: String,
    /// The bundle file.
    pub bundle: String,
    /// See [`SignerFields`].
    pub certificate_identity: Option<String>,
    /// See [`SignerFields`].
    pub certificate_identity_regexp: Option<String>,
    /// See [`SignerFields`].
    pub certificate_oidc_issuer: Option<String>,
    /// See [`SignerFields`].
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// See [`SignerFields`].
    pub key: Option<String>,
    /// Expected predicate type (attestations only): a URI or a cosign short name.
    #[serde(rename = "type")]
    pub predicate_type: Option<String>,
}

impl BatchLine {
    /// Reads one line (without its newline) through the strict JSON reader.
    pub fn parse(raw: &[u8]) -> Result<BatchLine, BatchLineError> {
        if raw.len() > MAX_BATCH_LINE {
            return Err(BatchLineError::TooLong {
                max: MAX_BATCH_LINE,
            });
        }
        plugin_api::json::from_slice(raw).map_err(|e| BatchLineError::Malformed(e.to_string()))
    }

    /// The line's signer fields, each key mapped by `resolve` (e.g. to a path).
    pub fn signer<K>(&self, resolve: impl Fn(&str) -> K) -> SignerFields<K> {
        SignerFields {
            key: self.key.as_deref().map(resolve),
            certificate_identity: self.certificate_identity.clone(),
            certificate_identity_regexp: self.certificate_identity_regexp.clone(),
            certificate_oidc_issuer: self.certificate_oidc_issuer.clone(),
            certificate_oidc_issuer_regexp: self.certificate_oidc_issuer_regexp.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn fields(key: bool, id: bool, id_re: bool, iss: bool, iss_re: bool) -> SignerFields<()> {
        let s = |b: bool| b.then(|| "x".to_owned());
        SignerFields {
            key: key.then_some(()),
            certificate_identity: s(id),
            certificate_identity_regexp: s(id_re),
            certificate_oidc_issuer: s(iss),
            certificate_oidc_issuer_regexp: s(iss_re),
        }
    }

    /// Every combination of the five fields: accepted exactly when it names one signer.
    #[test]
    fn exactly_the_combinations_the_flags_allow() {
        for bits in 0u8..32 {
            let b = |i: u8| bits & (1 << i) != 0;
            let (key, id, id_re, iss, iss_re) = (b(0), b(1), b(2), b(3), b(4));
            let got = fields(key, id, id_re, iss, iss_re).parse();
            let any_identity = id || id_re || iss || iss_re;
            let keyless_ok = (id ^ id_re) && (iss ^ iss_re);
            match got {
                Ok(SignerSpec::Key(())) => assert!(key && !any_identity, "{bits:05b}"),
                Ok(SignerSpec::Keyless(_)) => assert!(!key && keyless_ok, "{bits:05b}"),
                Err(SignerError::KeyWithIdentity(_)) => assert!(key && any_identity),
                Err(SignerError::Both(_)) => assert!(!key && ((id && id_re) || (iss && iss_re))),
                Err(SignerError::Missing(_)) => assert!(!key && !keyless_ok),
                Err(e) => panic!("{bits:05b}: {e}"),
            }
        }
    }

    #[test]
    fn key_with_identity_names_the_fields() {
        let e = fields(true, true, false, false, true).parse().unwrap_err();
        assert_eq!(
            e.to_string(),
            "--key cannot be used with --certificate-identity, --certificate-oidc-issuer-regexp: \
             a key-signed bundle has no certificate identity"
        );
    }

    #[test]
    fn batch_lines_are_strict() {
        let ok = BatchLine::parse(br#"{"artifact":"a","bundle":"b","key":"k"}"#).unwrap();
        assert_eq!(ok.key.as_deref(), Some("k"));
        for bad in [
            &br#"{"artifact":"a","bundle":"b","key":"k","key":"j"}"#[..],
            br#"{"artifact":"a","bundle":"b","extra":1}"#,
            br#"{"artifact":"a"}"#,
            br#"{"artifact":"a","bundle":"b"} {}"#,
            b"",
        ] {
            assert!(
                BatchLine::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let long = vec![b' '; MAX_BATCH_LINE + 1];
        assert!(BatchLine::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("longer than"));
    }
}
