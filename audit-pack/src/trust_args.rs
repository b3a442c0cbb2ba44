//! The verifier's trust flags, shared by the command-line tools that verify packs: who may
//! have signed the index (an Ed25519 public key, or pinned X.509 roots with CRLs), the log
//! key for receipts, and the keys, roots and Sigstore trust for manifest pairs.
//!
//! [`TrustArgs`] is the clap definition for commands that verify a whole pack;
//! [`TrustArgs::load`] reads the files it names, each bounded, into a [`LoadedTrust`] whose
//! [`LoadedTrust::trust`] is what [`crate::verify_trusted`] and friends take.
//! [`ProofTrustArgs`] is the flags of `verify-proof`: the index signer's part
//! ([`IndexTrustArgs`]) is used; a proof file holds the signed index and one artifact's
//! inclusion proof, no receipt and no manifest, so the log and manifest flags are refused
//! with a message (exit 2) rather than accepted and ignored. Failures are a
//! [`TrustArgsError`], which keeps the file and what it was so each tool can word its own
//! message.

use crate::keys::parse_public_key;
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

/// Who may have signed the index: an Ed25519 public key, or pinned X.509 roots.
#[derive(Debug, clap::Args)]
pub struct IndexTrustArgs {
    /// The index signer's public key file (NAME.pub, Ed25519)
    #[arg(
        long,
        value_name = "PUB",
        required_unless_present = "trust_root",
        conflicts_with = "trust_root"
    )]
    key: Option<PathBuf>,
    /// A pinned root certificate file (PEM or DER) for an X.509-signed index; repeatable.
    /// Roots are never taken from the pack
    #[arg(long = "trust-root", value_name = "ROOTS.pem")]
    trust_root: Vec<PathBuf>,
    /// A CRL (PEM or DER) to check the signer's path against; repeatable
    #[arg(long, value_name = "CRL", requires = "trust_root")]
    crl: Vec<PathBuf>,
    /// Require a current CRL for every certificate of the signer's path but the root
    #[arg(long, requires = "trust_root")]
    require_crl: bool,
    /// Verification time of the X.509 signer's path, RFC 3339 (default: the pack date)
    #[arg(long, value_name = "TIME", requires = "trust_root")]
    at: Option<String>,
}

/// The trust flags of `verify-proof`: the index signer's ([`IndexTrustArgs`]). A proof file
/// holds the signed index and one artifact's inclusion proof, but no log receipt and no
/// manifest signature, so the log and manifest flags of `verify` would have nothing to check:
/// they are accepted (hidden) only to be refused with a message saying so
/// ([`ProofTrustArgs::load`], a usage error: exit 2), never ignored.
#[derive(Debug, clap::Args)]
pub struct ProofTrustArgs {
    #[command(flatten)]
    index: IndexTrustArgs,
    #[arg(long = "log-key", hide = true, value_name = "VKEY")]
    log_key: Vec<String>,
    #[arg(long = "manifest-key", hide = true, value_name = "PUB")]
    manifest_key: Vec<String>,
    #[arg(long = "manifest-trust-root", hide = true, value_name = "ROOTS.pem")]
    manifest_trust_root: Vec<String>,
    #[arg(
        long = "manifest-sigstore-trusted-root",
        hide = true,
        value_name = "FILE"
    )]
    manifest_sigstore_trusted_root: Vec<String>,
    #[arg(long = "manifest-sigstore-key", hide = true, value_name = "PEM")]
    manifest_sigstore_key: Vec<String>,
    #[arg(long = "manifest-identity", hide = true, value_name = "ID")]
    manifest_identity: Vec<String>,
    #[arg(long = "manifest-identity-regexp", hide = true, value_name = "RE")]
    manifest_identity_regexp: Vec<String>,
    #[arg(long = "manifest-issuer", hide = true, value_name = "URL")]
    manifest_issuer: Vec<String>,
    #[arg(long = "manifest-issuer-regexp", hide = true, value_name = "RE")]
    manifest_issuer_regexp: Vec<String>,
}

impl ProofTrustArgs {
    /// Refuses the flags a proof cannot use, then reads the index trust.
    pub fn load(&self) -> Result<LoadedIndexTrust, TrustArgsError> {
        if !self.log_key.is_empty() {
            return Err(TrustArgsError::Usage(
                "--log-key is not accepted by verify-proof: a proof file holds no log receipt; check the pack's receipt with `verify PACK --log-key VKEY`"
                    .to_owned(),
            ));
        }
        let manifest_flags = [
            ("--manifest-key", self.manifest_key.is_empty()),
            ("--manifest-trust-root", self.manifest_trust_root.is_empty()),
            (
                "--manifest-sigstore-trusted-root",
                self.manifest_sigstore_trusted_root.is_empty(),
            ),
            (
                "--manifest-sigstore-key",
                self.manifest_sigstore_key.is_empty(),
            ),
            ("--manifest-identity", self.manifest_identity.is_empty()),
            (
                "--manifest-identity-regexp",
                self.manifest_identity_regexp.is_empty(),
            ),
            ("--manifest-issuer", self.manifest_issuer.is_empty()),
            (
                "--manifest-issuer-regexp",
                self.manifest_issuer_regexp.is_empty(),
            ),
        ];
        if let Some((flag, _)) = manifest_flags.iter().find(|(_, empty)| !empty) {
            return Err(TrustArgsError::Usage(format!(
                "{flag} is not accepted by verify-proof: a proof file holds no manifest signature to check; check the pack's manifests with `verify PACK {flag} …`"
            )));
        }
        self.index.load()
    }
}

/// Everything a verifier of a whole pack trusts: the index signer, the log key, and the
/// trust for manifest pairs.
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    #[command(flatten)]
    index: IndexTrustArgs,
    /// The verifier key (string or file) of the log whose receipt the pack carries; without
    /// it, a pack with a receipt does not verify (the receipt check is skipped)
    #[arg(long, value_name = "VKEY")]
    log_key: Option<String>,
    /// The public key file (NAME.pub, Ed25519) of a manifest signer, for re-verifying
    /// `*.manifest.json.sig` pairs; repeatable. Keys listed in the pack are never trusted: a
    /// pack holding such a pair recorded as verified does not verify without it
    #[arg(long = "manifest-key", value_name = "PUB")]
    manifest_key: Vec<PathBuf>,
    /// A root certificate file (PEM or DER) for re-verifying CMS manifest signatures
    /// (`*.manifest.json.p7s`) at the pack date; repeatable. Never taken from the pack: a
    /// pack holding such a pair does not verify without it
    #[arg(long = "manifest-trust-root", value_name = "ROOTS.pem")]
    manifest_trust_root: Vec<PathBuf>,
    #[command(flatten)]
    sigstore: SigstoreArgs,
}

/// Trust for Sigstore manifest bundles (`*.manifest.json.sigstore.json`), checked by
/// plugin-cosign at the pack date. Never recorded in, nor taken from, the pack.
#[derive(Debug, clap::Args)]
pub struct SigstoreArgs {
    /// The Sigstore trusted root (trusted_root.json) for re-verifying Sigstore manifest
    /// bundles (`*.manifest.json.sigstore.json`) at the pack date; needs
    /// --manifest-sigstore-key, or an identity and an issuer. Never taken from the pack: a
    /// pack holding such a pair does not verify without it
    #[arg(
        long = "manifest-sigstore-trusted-root",
        value_name = "trusted_root.json"
    )]
    sigstore_trusted_root: Option<PathBuf>,
    /// The public key (PEM) of key-signed Sigstore manifest bundles
    #[arg(
        long = "manifest-sigstore-key",
        value_name = "PEM",
        requires = "sigstore_trusted_root",
        conflicts_with_all = ["manifest_identity", "manifest_identity_regexp", "manifest_issuer", "manifest_issuer_regexp"]
    )]
    sigstore_key: Option<PathBuf>,
    /// The exact certificate identity (SAN) of keyless Sigstore manifest bundles
    #[arg(
        long = "manifest-identity",
        value_name = "ID",
        requires = "sigstore_trusted_root",
        conflicts_with = "manifest_identity_regexp"
    )]
    manifest_identity: Option<String>,
    /// A regexp the whole SAN must match (anchored at both ends)
    #[arg(
        long = "manifest-identity-regexp",
        value_name = "RE",
        requires = "sigstore_trusted_root"
    )]
    manifest_identity_regexp: Option<String>,
    /// The exact OIDC issuer of keyless Sigstore manifest bundles
    #[arg(
        long = "manifest-issuer",
        value_name = "URL",
        requires = "sigstore_trusted_root",
        conflicts_with = "manifest_issuer_regexp"
    )]
    manifest_issuer: Option<String>,
    /// A regexp the whole OIDC issuer must match (anchored at both ends)
    #[arg(
        long = "manifest-issuer-regexp",
        value_name = "RE",
        requires = "sigstore_trusted_root"
    )]
    manifest_issuer_regexp: Option<String>,
}

impl SigstoreArgs {
    /// The trust, if a trusted root was given (then the signer flags must name a signer).
    pub fn load(&self) -> Result<Option<SigstoreTrust>, TrustArgsError> {
        let Some(root) = &self.sigstore_trusted_root else {
            return Ok(None);
        };
        let root = read_limited(
            TrustFile::SigstoreTrustedRoot,
            root,
            plugin_cosign::MAX_TRUSTED_ROOT_BYTES as u64,
        )?;
        let key = match &self.sigstore_key {
            Some(path) => Some(read_limited(
                TrustFile::SigstoreKey,
                path,
                plugin_cosign::MAX_KEY_BYTES as u64,
            )?),
            None => None,
        };
        let flags = SignerFlags {
            key_pem: key.as_deref(),
            identity: self.manifest_identity.as_deref(),
            identity_regexp: self.manifest_identity_regexp.as_deref(),
            issuer: self.manifest_issuer.as_deref(),
            issuer_regexp: self.manifest_issuer_regexp.as_deref(),
        };
        SigstoreTrust::from_flags(&root, &flags)
            .map(Some)
            .map_err(TrustArgsError::Usage)
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

/// Trust material read from the files named by [`TrustArgs`].
#[derive(Debug)]
pub struct LoadedTrust {
    index: LoadedIndexTrust,
    manifest_keys: Vec<VerifierKey>,
    log_key: Option<VerifierKey>,
    manifest_roots: Option<Vec<plugin_x509::Certificate>>,
    manifest_sigstore: Option<SigstoreTrust>,
}

/// The index signer's trust read from the files named by [`IndexTrustArgs`].
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

impl TrustArgs {
    /// Reads every file the flags name, each within its budget.
    pub fn load(&self) -> Result<LoadedTrust, TrustArgsError> {
        let log_key = match &self.log_key {
            Some(k) => {
                Some(
                    tlog::keys::parse_verifier_key(k).map_err(|e| TrustArgsError::Flag {
                        flag: "--log-key",
                        message: e.to_string(),
                    })?,
                )
            }
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

impl IndexTrustArgs {
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
            let secs = plugin_api::time::parse_rfc3339(at)
                .and_then(|secs| u64::try_from(secs).ok())
                .ok_or_else(|| {
                    TrustArgsError::Usage(format!("--at {at:?}: not an RFC 3339 time"))
                })?;
            trust.at = Some(VerificationTime::from_unix_seconds(secs));
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
    parse_public_key(&text).map_err(|e| TrustArgsError::malformed(file, path, e))
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
