//! Index signers and the trust a verifier gives for them.
//!
//! * **Ed25519** ([`SigningKey`]): `index.json.sig` holds C2SP signed-note signature lines
//!   (see [`crate::keys`]); verified with the signer's public key.
//! * **X.509** ([`X509Signer`]): the key of a code-signing certificate. `index.json.sig` holds
//!   the raw signature over the exact bytes of `index.json` (the plugin-x509 "raw" detached
//!   form: Ed25519, or RSA PKCS#1 v1.5 with SHA-256), and the next entry,
//!   `index.json.certs.pem`, the leaf certificate then the intermediates the signer supplied
//!   (PEM, re-encoded from DER so the bytes depend only on the certificates). Verified with
//!   `plugin_x509::verify_manifest` against roots the verifier pins (never from the pack).
//!   ECDSA P-256 (SHA-256) and P-384 (SHA-384) keys sign with RFC 6979 deterministic nonces
//!   (the RustCrypto `p256`/`p384` crates), DER-encoded signatures: the same key and index give
//!   the same signature, so the pack stays byte-reproducible.

use crate::keys::{KeyError, SigningKey};
use base64::Engine;
use merkle::note::VerifierKey;
use plugin_api::{Failure, VerificationTime};
use plugin_x509::{
    check_end_entity_certificate, Certificate, Crl, DetachedSignature, ManifestRequest, Options,
    Profile,
};
use ring::signature::{Ed25519KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};

/// Name in the pack of the X.509 signer's certificates (leaf first).
pub const CERTS_NAME: &str = "index.json.certs.pem";
/// Largest `index.json.certs.pem` accepted.
pub const MAX_CERTS_SIZE: usize = crate::Limits::DEFAULT.max_certs_size;
/// Most certificates in `index.json.certs.pem`, and in a roots file.
pub const MAX_CERTS: usize = crate::Limits::DEFAULT.max_certs;

/// Who signs the index of a pack being built.
#[derive(Debug, Clone, Copy)]
pub enum IndexSigner<'a> {
    /// An Ed25519 C2SP key.
    Ed25519(&'a SigningKey),
    /// The key of an X.509 certificate.
    X509(&'a X509Signer),
}

#[derive(Debug)]
enum X509Key {
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
    EcP256(p256::ecdsa::SigningKey),
    EcP384(p384::ecdsa::SigningKey),
}

/// An X.509 index signer: a PKCS#8 private key and its certificate (plus intermediates).
#[derive(Debug)]
pub struct X509Signer {
    key: X509Key,
    leaf: Certificate,
    /// The leaf then the intermediates.
    certs: Vec<Certificate>,
    certs_pem: String,
}

fn key_error(reason: impl Into<String>) -> KeyError {
    KeyError::MalformedPrivateKey {
        reason: reason.into(),
    }
}

/// PEM of certificates (re-encoded from their DER, 64 columns).
fn to_pem(certs: &[Certificate]) -> String {
    let mut out = String::new();
    for cert in certs {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        let b64 = base64::engine::general_purpose::STANDARD.encode(cert.der());
        for line in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

/// Why a certificates file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificatesError {
    /// Over the pack budget.
    #[error("{len} bytes, more than the limit of {max}")]
    TooLarge {
        /// The file's size.
        len: usize,
        /// The budget.
        max: usize,
    },
    /// Not certificates.
    #[error(transparent)]
    Parse(#[from] plugin_x509::ParseError),
}

/// Parses certificates (PEM or DER) with the default pack budget.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, CertificatesError> {
    parse_certificates_within(bytes, &crate::Limits::DEFAULT)
}

/// Parses certificates (PEM or DER) within `limits` (size and count).
pub fn parse_certificates_within(
    bytes: &[u8],
    limits: &crate::Limits,
) -> Result<Vec<Certificate>, CertificatesError> {
    if bytes.len() > limits.max_certs_size {
        return Err(CertificatesError::TooLarge {
            len: bytes.len(),
            max: limits.max_certs_size,
        });
    }
    Ok(plugin_x509::certificates_from_pem_or_der(
        bytes,
        limits.max_certs,
    )?)
}

impl X509Signer {
    /// The signer from its certificate (PEM or DER, exactly one), its PKCS#8 PEM private key
    /// (`-----BEGIN PRIVATE KEY-----`: Ed25519, RSA, ECDSA P-256 or P-384) and optional
    /// intermediates (PEM).
    /// The key must be the certificate's: a test signature is verified with the certificate.
    /// The certificate must pass the code-signing end-entity rules (not a CA, codeSigning,
    /// digitalSignature when it has keyUsage), or [`KeyError::UnusableCertificate`].
    pub fn new(cert: &[u8], key_pem: &[u8], chain: Option<&[u8]>) -> Result<Self, KeyError> {
        let mut certs =
            parse_certificates(cert).map_err(|e| key_error(format!("certificate: {e}")))?;
        if certs.len() != 1 {
            return Err(key_error(format!(
                "certificate: the file holds {} certificates, not exactly one",
                certs.len()
            )));
        }
        if let Some(chain) = chain {
            certs.extend(parse_certificates(chain).map_err(|e| key_error(format!("chain: {e}")))?);
        }
        if certs.len() > MAX_CERTS {
            return Err(key_error(format!("more than {MAX_CERTS} certificates")));
        }
        // Refuse now what every verifier refuses: a signer that is a CA, or whose
        // certificate does not allow code signing (the end-entity rules of the code-signing
        // profile; the path to a root is the verifier's to check).
        if let Some(leaf) = certs.first() {
            check_end_entity_certificate(leaf, &Options::new(Profile::CodeSigning)).map_err(
                |e| KeyError::UnusableCertificate {
                    reason: format!(
                        "{} cannot sign a pack index or a manifest: {e}",
                        leaf.subject()
                    ),
                },
            )?;
        }
        // A private key of at most 64 KiB of PEM (an RSA key of 8192 bits is under 7 KiB).
        let der = plugin_x509::pem_block(key_pem, "PRIVATE KEY", 64 << 10)
            .map_err(|e| key_error(format!("{e} (a PKCS#8 key is expected)")))?;
        let key = if let Ok(k) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der) {
            X509Key::Ed25519(k)
        } else if let Ok(k) = RsaKeyPair::from_pkcs8(&der) {
            X509Key::Rsa(k)
        } else if let Ok(k) =
            <p256::SecretKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_der(&der)
        {
            X509Key::EcP256(p256::ecdsa::SigningKey::from(k))
        } else if let Ok(k) =
            <p384::SecretKey as p384::pkcs8::DecodePrivateKey>::from_pkcs8_der(&der)
        {
            X509Key::EcP384(p384::ecdsa::SigningKey::from(k))
        } else {
            return Err(key_error(
                "not a PKCS#8 Ed25519, RSA, ECDSA P-256 or ECDSA P-384 private key",
            ));
        };
        let leaf = certs
            .first()
            .cloned()
            .ok_or_else(|| key_error("no certificate"))?;
        let signer = X509Signer {
            key,
            leaf,
            certs_pem: to_pem(&certs),
            certs,
        };
        // The key must be the certificate's: check a signature with the certificate's key.
        let probe = b"audit-pack signer key check";
        let sig = signer.sign(probe)?;
        let report = plugin_x509::verify_manifest(&ManifestRequest {
            subject: "key check",
            manifest: probe,
            signature: &DetachedSignature::Raw(sig),
            leaf: &signer.leaf,
            intermediates: &[],
            anchors: &[],
            crls: &[],
            require_crl: false,
            time: VerificationTime::from_unix_seconds(0),
        });
        let sig_ok = report
            .checks()
            .iter()
            .any(|c| c.id == plugin_x509::CHECK_SIGNATURE && c.is_pass());
        if !sig_ok {
            return Err(key_error(format!(
                "the private key is not the key of the certificate {}",
                signer.leaf.subject()
            )));
        }
        Ok(signer)
    }

    /// The leaf certificate's validity, notBefore and notAfter in Unix seconds.
    pub fn validity(&self) -> (i64, i64) {
        self.leaf.validity()
    }

    /// The leaf certificate's subject.
    pub fn subject(&self) -> &str {
        self.leaf.subject()
    }

    /// `index.json.certs.pem`: the leaf then the intermediates.
    pub fn certs_pem(&self) -> &str {
        &self.certs_pem
    }

    /// The raw signature over `message` (deterministic for every key type: Ed25519 and RSA
    /// PKCS#1 v1.5 are, ECDSA through RFC 6979).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.key {
            X509Key::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
            X509Key::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(
                    &RSA_PKCS1_SHA256,
                    &ring::rand::SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(|_| key_error("RSA signing failed"))?;
                Ok(sig)
            }
            // RFC 6979: the nonce is derived from the key and the message digest.
            X509Key::EcP256(k) => {
                let sig: p256::ecdsa::Signature =
                    p256::ecdsa::signature::Signer::try_sign(k, message)
                        .map_err(|_| key_error("ECDSA P-256 signing failed"))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            X509Key::EcP384(k) => {
                let sig: p384::ecdsa::Signature =
                    p384::ecdsa::signature::Signer::try_sign(k, message)
                        .map_err(|_| key_error("ECDSA P-384 signing failed"))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }

    /// A detached CMS `SignedData` (RFC 5652, DER) over `content`, as `build` reads a
    /// `NAME.manifest.json.p7s`: version 1, no signed attributes (the signature is over the
    /// content itself: RSA PKCS#1 v1.5 SHA-256, ECDSA P-256 SHA-256 or P-384 SHA-384, Ed25519
    /// with SHA-512 named as RFC 8419 asks), the signer named by issuer and serial number, and
    /// the leaf and intermediates embedded. Deterministic, as [`X509Signer::sign`] is.
    pub fn sign_cms_detached(&self, content: &[u8]) -> Result<Vec<u8>, KeyError> {
        let kind = match &self.key {
            X509Key::Rsa(_) => plugin_x509::CmsSignature::RsaSha256,
            X509Key::EcP256(_) => plugin_x509::CmsSignature::EcdsaSha256,
            X509Key::EcP384(_) => plugin_x509::CmsSignature::EcdsaSha384,
            X509Key::Ed25519(_) => plugin_x509::CmsSignature::Ed25519,
        };
        let signature = self.sign(content)?;
        let cms = plugin_x509::detached_signed_data(&self.leaf, &self.certs, kind, &signature);
        // Read back as a verifier does, and the signature checked with the certificate.
        plugin_x509::SignedData::from_der(&cms)
            .map_err(|e| key_error(format!("the CMS document does not read back: {e}")))?
            .verify_signature(&self.leaf, content)
            .map_err(|e| key_error(format!("the CMS signature does not verify: {e}")))?;
        Ok(cms)
    }

    /// The algorithm, for messages.
    pub fn algorithm(&self) -> &'static str {
        match &self.key {
            X509Key::Ed25519(_) => "Ed25519",
            X509Key::Rsa(_) => "RSA PKCS#1 v1.5 SHA-256",
            X509Key::EcP256(_) => "ECDSA P-256 SHA-256 (RFC 6979)",
            X509Key::EcP384(_) => "ECDSA P-384 SHA-384 (RFC 6979)",
        }
    }
}

/// Trust for an X.509-signed index: pinned roots, CRLs, and the verification time.
#[derive(Debug, Clone, Default)]
pub struct X509Trust {
    /// The only trust anchors (never taken from the pack).
    pub roots: Vec<Certificate>,
    /// CRLs to check the path against.
    pub crls: Vec<Crl>,
    /// Require a current CRL for every certificate of the path but the root.
    pub require_crl: bool,
    /// Verification time; `None` = the pack date (`generatedAt`) of the signed index.
    pub at: Option<VerificationTime>,
}

/// What the verifier trusts to have signed the index.
#[derive(Debug, Clone, Copy)]
pub enum IndexTrust<'a> {
    /// Ed25519 C2SP verifier keys (every signature by one must verify, one must be present).
    Keys(&'a [VerifierKey]),
    /// X.509 code-signing certificates chaining to pinned roots.
    X509(&'a X509Trust),
}

/// Verifies a CMS detached signature (`*.manifest.json.p7s`, DER or PEM) over a manifest with
/// plugin-x509: the signer's certificate is taken among those the CMS embeds (each is tried
/// as the leaf; `x509.cms.signer` accepts only the one the SignerInfo names) and must chain
/// to one of `roots` (the verifier's, never the pack's) at `time`. Returns the signer's
/// subject, or why not, and the plugin's warnings.
pub fn verify_cms_manifest(
    subject: &str,
    manifest: &[u8],
    cms: &[u8],
    roots: &[Certificate],
    time: VerificationTime,
) -> (Result<String, Failure>, Vec<String>) {
    let signed = match plugin_x509::SignedData::from_pem_or_der(cms) {
        Ok(s) => s,
        Err(e) => {
            return (
                Err(Failure::new(format!("not a CMS SignedData: {e}"))),
                Vec::new(),
            )
        }
    };
    let candidates: Vec<Certificate> = signed.certificates.clone();
    if candidates.is_empty() {
        return (
            Err(Failure::new(
                "the CMS document embeds no certificate (the signer's is needed)",
            )),
            Vec::new(),
        );
    }
    let signature = DetachedSignature::Cms(Box::new(signed));
    let mut first_failure: Option<String> = None;
    for leaf in &candidates {
        let report = plugin_x509::verify_manifest(&ManifestRequest {
            subject,
            manifest,
            signature: &signature,
            leaf,
            // The CMS-embedded certificates are added by the plugin.
            intermediates: &[],
            anchors: roots,
            crls: &[],
            require_crl: false,
            time,
        });
        if report.ok() {
            return (Ok(leaf.subject().to_owned()), report.warnings().to_vec());
        }
        let named = report
            .checks()
            .iter()
            .any(|c| c.id == plugin_x509::CHECK_SIGNER && c.is_pass());
        let why = report
            .first_failure()
            .map(|c| format!("{}: {}", c.id, c.explanation()))
            .unwrap_or_else(|| "not verified".to_owned());
        if named || first_failure.is_none() {
            first_failure = Some(why);
            if named {
                break;
            }
        }
    }
    (
        Err(Failure::new(
            first_failure.unwrap_or_else(|| "not verified".to_owned()),
        )),
        Vec::new(),
    )
}
