//! The verifier's trust, shared by the command-line tools that verify packs: who may have
//! signed the index (an Ed25519 public key, or pinned X.509 roots with CRLs), the log key for
//! receipts, and the keys, roots and Sigstore trust for manifest pairs.
//!
//! [`TrustFlags`] holds the values of the trust flags (the clap definitions live with the
//! binaries, in the `audit-pack-cli` package, so this library does not depend on clap);
//! [`TrustFlags::load`] reads the files it names, each bounded, into a [`LoadedTrust`] whose
//! [`LoadedTrust::trust`] is what [`crate::verify_trusted`] and friends take.
//! [`IndexTrustFlags`] is the index signer's part, all that `verify-proof` uses. Failures are
//! a [`TrustArgsError`], which keeps the file and what it was so each tool can word its own
//! message.

use crate::keys::parse_public_key_file;
use crate::signer::{parse_certificates, IndexTrust, X509Trust};
use crate::sigstore::{SignerFlags, SigstoreTrust};
use crate::verify::Trust;
use merkle::note::VerifierKey;
use plugin_api::VerificationTime;
use std::path::{Path, PathBuf};

/// Largest root certificate or CRL file read.
pub const MAX_CERT_FILE_BYTES: u64 = 1 << 20;
/// Largest Ed25519 public key file read.
pub const MAX_KEY_FILE_BYTES: u64 = 64 << 10;
/// Most CRLs read from one file.
const MAX_CRLS_PER_FILE: usize = 16;

/// What a file named by a trust flag was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustFile {
    /// `--key`: the index signer's Ed25519 public key.
    IndexKey,
    /// `--trust-root`: a pinned root for an X.509-signed index.
    TrustRoot,
    /// `--crl`.
    Crl,
    /// `--manifest-trust-root`: a root for CMS manifest signatures.
    ManifestTrustRoot,
    /// `--manifest-sigstore-trusted-root`.
    SigstoreTrustedRoot,
    /// `--manifest-sigstore-key`.
    SigstoreKey,
    /// `--manifest-key`: a manifest signer's Ed25519 public key.
    ManifestKey,
}

/// Why the trust flags could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustArgsError {
    /// The flags do not make a complete request (a bad `--at`, Sigstore signer flags that
    /// name no signer, an unusable trusted root).
    #[error("{0}")]
    Usage(String),
    /// A flag's value is malformed; `flag` names it.
    #[error("{flag}: {message}")]
    Flag { flag: &'static str, message: String },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        file: TrustFile,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file is larger than its budget.
    #[error("{}: larger than the {max}-byte limit", path.display())]
    TooLarge {
        file: TrustFile,
        path: PathBuf,
        max: u64,
    },
    /// A text file is not UTF-8.
    #[error("{}: not UTF-8 text", path.display())]
    NotUtf8 { file: TrustFile, path: PathBuf },
    /// A file's content is malformed.
    #[error("{}: {message}", path.display())]
    Malformed {
        file: TrustFile,
        path: PathBuf,
        message: String,
    },
}

impl TrustArgsError {
    fn malformed(file: TrustFile, path: &Path, message: impl std::fmt::Display) -> Self {
        TrustArgsError::Malformed {
            file,
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}

/// Who may have signed the index: an Ed25519 public key, or pinned X.509 roots. The values of
/// the index-trust flags (`--key`, `--trust-root`, `--crl`, `--require-crl`, `--at`).
#[derive(Debug, Clone, Default)]
pub struct IndexTrustFlags {
    /// The index signer's public key file (NAME.pub, Ed25519); when given, the X.509 fields
    /// are not read.
    pub key: Option<PathBuf>,
    /// Pinned root certificate files (PEM or DER) for an X.509-signed index.
    pub trust_root: Vec<PathBuf>,
    /// CRL files (PEM or DER) to check the signer's path against.
    pub crl: Vec<PathBuf>,
    /// Require a current CRL for every certificate of the signer's path but the root.
    pub require_crl: bool,
    /// Verification time of the X.509 signer's path, RFC 3339 (default: the pack date).
    pub at: Option<String>,
}

/// Everything a verifier of a whole pack trusts: the index signer, the log key, and the
/// trust for manifest pairs. The values of the trust flags of `verify`, `prove` and `report`.
#[derive(Debug, Clone, Default)]
pub struct TrustFlags {
    /// Who may have signed the index.
    pub index: IndexTrustFlags,
    /// The verifier key (string or file) of the log whose receipt the pack carries.
    pub log_key: Option<String>,
    /// Public key files (NAME.pub, Ed25519) of manifest signers.
    pub manifest_key: Vec<PathBuf>,
    /// Root certificate files (PEM or DER) for CMS manifest signatures.
    pub manifest_trust_root: Vec<PathBuf>,
    /// Trust for Sigstore manifest bundles.
    pub sigstore: SigstoreFlags,
}

/// Trust for Sigstore manifest bundles (`*.manifest.json.sigstore.json`), checked by
/// plugin-cosign at the pack date. Never recorded in, nor taken from, the pack.
#[derive(Debug, Clone, Default)]
pub struct SigstoreFlags {
    /// The Sigstore trusted root file (trusted_root.json); without it nothing else is read.
    pub trusted_root: Option<PathBuf>,
    /// The public key file (PEM) of key-signed bundles.
    pub key: Option<PathBuf>,
    /// The exact certificate identity (SAN) of keyless bundles.
    pub identity: Option<String>,
    /// A regexp the whole SAN must match (anchored at both ends).
    pub identity_regexp: Option<String>,
    /// The exact OIDC issuer of keyless bundles.
    pub issuer: Option<String>,
    /// A regexp the whole OIDC issuer must match (anchored at both ends).
    pub issuer_regexp: Option<String>,
}

impl SigstoreFlags {
    /// The trust, if a trusted root was given (then the signer flags must name a signer).
    pub fn load(&self) -> Result<Option<SigstoreTrust>, TrustArgsError> {
        let Some(root) = &self.trusted_root else {
            return Ok(None);
        };
        let root = read_limited(
            TrustFile::SigstoreTrustedRoot,
            root,
            plugin_cosign::MAX_TRUSTED_ROOT_BYTES as u64,
        )?;
        let key = match &self.key {
            Some(path) => Some(read_limited(
                TrustFile::SigstoreKey,
                path,
                plugin_cosign::MAX_KEY_BYTES as u64,
            )?),
            None => None,
        };
        let flags = SignerFlags {
            key_pem: key.as_deref(),
            identity: self.identity.as_deref(),
            identity_regexp: self.identity_regexp.as_deref(),
            issuer: self.issuer.as_deref(),
            issuer_regexp: self.issuer_regexp.as_deref(),
        };
        SigstoreTrust::from_flags(&root, &flags)
            .map(Some)
            .map_err(|e| TrustArgsError::Usage(e.to_string()))
    }
}

/// Reads root certificate files (PEM or DER) for CMS manifest signatures
/// (`--manifest-trust-root`).
pub fn load_manifest_roots(
    paths: &[PathBuf],
) -> Result<Vec<plugin_x509::Certificate>, TrustArgsError> {
    load_roots(TrustFile::ManifestTrustRoot, paths)
}

fn load_roots(
    file: TrustFile,
    paths: &[PathBuf],
) -> Result<Vec<plugin_x509::Certificate>, TrustArgsError> {
    let mut roots = Vec::new();
    for path in paths {
        let bytes = read_limited(file, path, MAX_CERT_FILE_BYTES)?;
        roots.extend(
            parse_certificates(&bytes).map_err(|e| TrustArgsError::malformed(file, path, e))?,
        );
    }
    Ok(roots)
}

/// Trust material read from the files named by [`TrustFlags`].
#[derive(Debug)]
pub struct LoadedTrust {
    index: LoadedIndexTrust,
    manifest_keys: Vec<VerifierKey>,
    log_key: Option<VerifierKey>,
    manifest_roots: Option<Vec<plugin_x509::Certificate>>,
    manifest_sigstore: Option<SigstoreTrust>,
}

/// The index signer's trust read from the files named by [`IndexTrustFlags`].
#[derive(Debug)]
pub enum LoadedIndexTrust {
    /// Ed25519 keys (`--key`).
    Keys(Vec<VerifierKey>),
    /// Pinned X.509 roots, CRLs and time (`--trust-root`, `--crl`, `--require-crl`, `--at`).
    X509(X509Trust),
}

impl LoadedIndexTrust {
    /// The trust to verify the index signature with, borrowing the loaded material.
    pub fn trust(&self) -> IndexTrust<'_> {
        match self {
            LoadedIndexTrust::Keys(keys) => IndexTrust::Keys(keys),
            LoadedIndexTrust::X509(x509) => IndexTrust::X509(x509),
        }
    }
}

/// Reads manifest signers' public keys (`--manifest-key`), each within its budget.
pub fn load_manifest_keys(paths: &[PathBuf]) -> Result<Vec<VerifierKey>, TrustArgsError> {
    paths
        .iter()
        .map(|p| read_key(TrustFile::ManifestKey, p))
        .collect()
}

impl TrustFlags {
    /// Reads every file the flags name, each within its budget.
    pub fn load(&self) -> Result<LoadedTrust, TrustArgsError> {
        let log_key = match &self.log_key {
            Some(k) => Some(
                tlog::parse_verifier_key(k).map_err(|e| TrustArgsError::Flag {
                    flag: "--log-key",
                    message: e.to_string(),
                })?,
            ),
            None => None,
        };
        let manifest_roots = if self.manifest_trust_root.is_empty() {
            None
        } else {
            Some(load_manifest_roots(&self.manifest_trust_root)?)
        };
        Ok(LoadedTrust {
            index: self.index.load()?,
            manifest_keys: load_manifest_keys(&self.manifest_key)?,
            log_key,
            manifest_roots,
            manifest_sigstore: self.sigstore.load()?,
        })
    }
}

impl IndexTrustFlags {
    /// Reads the files the index-trust flags name, each within its budget.
    pub fn load(&self) -> Result<LoadedIndexTrust, TrustArgsError> {
        if let Some(path) = &self.key {
            return Ok(LoadedIndexTrust::Keys(vec![read_key(
                TrustFile::IndexKey,
                path,
            )?]));
        }
        let mut trust = X509Trust {
            roots: load_roots(TrustFile::TrustRoot, &self.trust_root)?,
            ..X509Trust::default()
        };
        for path in &self.crl {
            let bytes = read_limited(TrustFile::Crl, path, MAX_CERT_FILE_BYTES)?;
            let crls = plugin_x509::crls_from_pem_or_der(&bytes, MAX_CRLS_PER_FILE)
                .map_err(|e| TrustArgsError::malformed(TrustFile::Crl, path, e))?;
            trust.crls.extend(crls);
        }
        trust.require_crl = self.require_crl;
        if let Some(at) = &self.at {
            trust.at = Some(VerificationTime::parse(at).ok_or_else(|| {
                TrustArgsError::Usage(format!(
                    "--at {at:?}: neither RFC 3339 (2026-06-01T00:00:00Z) nor Unix seconds, from 1970 to 9999-12-31T23:59:59Z"
                ))
            })?);
        }
        Ok(LoadedIndexTrust::X509(trust))
    }
}

impl LoadedTrust {
    /// The trust to verify with, borrowing the loaded material.
    pub fn trust(&self) -> Trust<'_> {
        Trust {
            index: self.index.trust(),
            manifest_keys: &self.manifest_keys,
            log_key: self.log_key.as_ref(),
            manifest_roots: self.manifest_roots.as_deref(),
            manifest_sigstore: self.manifest_sigstore.as_ref(),
        }
    }
}

fn read_key(file: TrustFile, path: &Path) -> Result<VerifierKey, TrustArgsError> {
    let bytes = read_limited(file, path, MAX_KEY_FILE_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| TrustArgsError::NotUtf8 {
        file,
        path: path.to_path_buf(),
    })?;
    parse_public_key_file(path, &text).map_err(|e| TrustArgsError::malformed(file, path, e))
}

/// Reads a whole file of at most `max` bytes.
fn read_limited(file: TrustFile, path: &Path, max: u64) -> Result<Vec<u8>, TrustArgsError> {
    plugin_api::bounded::read_file(path, max).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { .. } => TrustArgsError::TooLarge {
            file,
            path: path.to_path_buf(),
            max,
        },
        other => TrustArgsError::Io {
            file,
            path: path.to_path_buf(),
            source: other.into_io_error(),
        },
    })
}
