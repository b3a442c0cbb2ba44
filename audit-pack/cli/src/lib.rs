//! The command-line definitions shared by the tools that verify evidence packs (`audit-pack`
//! and `prov-verify audit-pack`): the clap trust flags. Each converts to the plain
//! [`audit_pack::TrustFlags`] (or [`audit_pack::IndexTrustFlags`]) whose `load` reads the
//! files it names; the `audit_pack` library itself does not depend on clap.
//!
//! [`TrustArgs`] is the flags of commands that verify a whole pack. [`ProofTrustArgs`] is the
//! flags of `verify-proof`: the index signer's part ([`IndexTrustArgs`]) is used; a proof file
//! holds the signed index and one artifact's inclusion proof, no receipt and no manifest, so
//! the log and manifest flags are refused with a message (exit 2) rather than accepted and
//! ignored.
#![forbid(unsafe_code)]

pub mod doc_commands;
pub mod manual;

use audit_pack::{
    IndexTrustFlags, LoadedIndexTrust, LoadedTrust, SigstoreFlags, SigstoreTrust, TrustArgsError,
    TrustFlags,
};
use std::io::Write as _;
use std::path::{Path, PathBuf};

// An X.509 signer: a code-signing certificate, its private key and intermediates (the index
// signer of `build`, the CMS signer of `sign-manifest`).
#[derive(Debug, clap::Args)]
pub struct X509SignerArgs {
    /// Sign with the key of this X.509 code-signing certificate (PEM or DER; Ed25519, RSA,
    /// ECDSA P-256 or P-384, ECDSA with RFC 6979 nonces so the output is reproducible);
    /// needs --signer-key.
    #[arg(long, value_name = "CERT", requires = "signer_key")]
    pub signer_cert: Option<PathBuf>,
    /// The certificate's PKCS#8 PEM private key.
    #[arg(long, value_name = "KEY.pem", requires = "signer_cert")]
    pub signer_key: Option<PathBuf>,
    /// Intermediate certificates (PEM), stored with the leaf (in index.json.certs.pem, or in
    /// the CMS signature).
    #[arg(long, value_name = "CHAIN.pem", requires = "signer_cert")]
    pub signer_chain: Option<PathBuf>,
}

impl X509SignerArgs {
    /// The signer, when a certificate was given: each file read (at most 1 MiB), the key
    /// checked against the certificate and the certificate against the code-signing rules.
    pub fn load(&self) -> Result<Option<audit_pack::X509Signer>, String> {
        let (Some(cert), Some(key)) = (&self.signer_cert, &self.signer_key) else {
            return Ok(None);
        };
        let read = |p: &Path| read_limited(p, 1 << 20);
        let chain = match &self.signer_chain {
            Some(p) => Some(read(p)?),
            None => None,
        };
        audit_pack::X509Signer::new(&read(cert)?, &read(key)?, chain.as_deref())
            .map(Some)
            .map_err(|e| format!("{}: {e}", cert.display()))
    }
}

/// Reads a file of at most `max` bytes; the error names the file.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    plugin_api::bounded::read_file(path, max).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { .. } => {
            format!("{}: more than {max} bytes", path.display())
        }
        other => format!("{}: {}", path.display(), other.into_io_error()),
    })
}

// Who may have signed the index: an Ed25519 public key, or pinned X.509 roots.
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
    /// Verification time of the X.509 signer's path: RFC 3339 (2026-06-01T00:00:00Z) or Unix
    /// seconds (default: the pack date)
    #[arg(long, value_name = "TIME", requires = "trust_root")]
    at: Option<String>,
}

// The trust flags of `verify-proof`: the index signer's ([`IndexTrustArgs`]). A proof file
// holds the signed index and one artifact's inclusion proof, but no log receipt and no
// manifest signature, so the log and manifest flags of `verify` would have nothing to check:
// they are accepted (hidden) only to be refused with a message saying so
// ([`ProofTrustArgs::load`], a usage error: exit 2), never ignored.
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

// Everything a verifier of a whole pack trusts: the index signer, the log key, and the
// trust for manifest pairs.
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

// Trust for Sigstore manifest bundles (`*.manifest.json.sigstore.json`), checked by
// plugin-cosign at the pack date. Never recorded in, nor taken from, the pack.
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

impl IndexTrustArgs {
    /// The flags' values.
    pub fn flags(&self) -> IndexTrustFlags {
        IndexTrustFlags {
            key: self.key.clone(),
            trust_root: self.trust_root.clone(),
            crl: self.crl.clone(),
            require_crl: self.require_crl,
            at: self.at.clone(),
        }
    }

    /// Reads the files the index-trust flags name, each within its budget.
    pub fn load(&self) -> Result<LoadedIndexTrust, TrustArgsError> {
        self.flags().load()
    }
}

impl SigstoreArgs {
    /// The flags' values.
    pub fn flags(&self) -> SigstoreFlags {
        SigstoreFlags {
            trusted_root: self.sigstore_trusted_root.clone(),
            key: self.sigstore_key.clone(),
            identity: self.manifest_identity.clone(),
            identity_regexp: self.manifest_identity_regexp.clone(),
            issuer: self.manifest_issuer.clone(),
            issuer_regexp: self.manifest_issuer_regexp.clone(),
        }
    }

    /// The trust, if a trusted root was given (then the signer flags must name a signer).
    pub fn load(&self) -> Result<Option<SigstoreTrust>, TrustArgsError> {
        self.flags().load()
    }
}

impl TrustArgs {
    /// The flags' values.
    pub fn flags(&self) -> TrustFlags {
        TrustFlags {
            index: self.index.flags(),
            log_key: self.log_key.clone(),
            manifest_key: self.manifest_key.clone(),
            manifest_trust_root: self.manifest_trust_root.clone(),
            sigstore: self.sigstore.flags(),
        }
    }

    /// Reads every file the flags name, each within its budget.
    pub fn load(&self) -> Result<LoadedTrust, TrustArgsError> {
        self.flags().load()
    }
}

/// Writes every `(path, bytes)` into `dir` (created if needed) so that either all of them
/// are written or nothing changes:
///
/// 1. every target must be absent or a regular file (not a directory, not a symbolic link),
///    checked before anything is written;
/// 2. each file is written to a new hidden temporary file in `dir` (created exclusively, never
///    through a link left there; a stale one of an interrupted run is removed first);
/// 3. every existing target is moved aside to a hidden backup, then every temporary file is
///    renamed into place; if a rename fails, the new files are removed and the backups put
///    back, so the files of an earlier run are as they were; at the end the backups go.
pub fn write_all_or_none(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let hidden = |path: &Path, suffix: &str| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        dir.join(format!(".{name}.{suffix}"))
    };
    for (path, _) in files {
        match std::fs::symlink_metadata(path) {
            Ok(m) if !m.file_type().is_file() => {
                return Err(format!(
                    "{}: exists and is not a regular file (a directory or a link): not replaced",
                    path.display()
                ))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    let remove_all = |paths: &[PathBuf]| {
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    };
    let mut temps: Vec<PathBuf> = Vec::new();
    for (path, bytes) in files {
        let temp = hidden(path, "partial");
        // A stale temporary file (or a link planted at its name) is removed, not followed.
        let _ = std::fs::remove_file(&temp);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
        temps.push(temp.clone());
        if let Err(e) = written {
            remove_all(&temps);
            return Err(format!("{}: {e}", temp.display()));
        }
    }
    // Existing targets moved aside, so that a failure can put them back.
    let mut backups: Vec<(PathBuf, PathBuf)> = Vec::new();
    let restore = |backups: &[(PathBuf, PathBuf)]| {
        for (path, backup) in backups {
            let _ = std::fs::rename(backup, path);
        }
    };
    for (path, _) in files {
        if std::fs::symlink_metadata(path).is_ok() {
            let backup = hidden(path, "previous");
            let _ = std::fs::remove_file(&backup);
            if let Err(e) = std::fs::rename(path, &backup) {
                restore(&backups);
                remove_all(&temps);
                return Err(format!("{}: {e}", path.display()));
            }
            backups.push((path.clone(), backup));
        }
    }
    let mut placed: Vec<PathBuf> = Vec::new();
    for ((path, _), temp) in files.iter().zip(&temps) {
        if let Err(e) = std::fs::rename(temp, path) {
            remove_all(&placed);
            remove_all(&temps);
            restore(&backups);
            return Err(format!("{}: {e}", path.display()));
        }
        placed.push(path.clone());
    }
    for (_, backup) in &backups {
        let _ = std::fs::remove_file(backup);
    }
    Ok(())
}

#[cfg(test)]
mod write_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::write_all_or_none;

    fn listing(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn all_or_nothing_and_no_links_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("reports");
        let a = dir.join("r.json");
        let b = dir.join("r.pdf");
        // Overwrites what is there, leaves nothing hidden.
        write_all_or_none(&dir, &[(a.clone(), b"old".to_vec())]).unwrap();
        write_all_or_none(
            &dir,
            &[(a.clone(), b"new".to_vec()), (b.clone(), b"%PDF".to_vec())],
        )
        .unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"new");
        assert_eq!(listing(&dir), ["r.json", "r.pdf"]);
        // A target that is a directory: refused before anything changes.
        std::fs::remove_file(&b).unwrap();
        std::fs::create_dir(&b).unwrap();
        let err = write_all_or_none(
            &dir,
            &[
                (a.clone(), b"newer".to_vec()),
                (b.clone(), b"%PDF".to_vec()),
            ],
        )
        .unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        assert_eq!(
            std::fs::read(&a).unwrap(),
            b"new",
            "the earlier report is kept"
        );
        assert_eq!(listing(&dir), ["r.json", "r.pdf"]);
        std::fs::remove_dir(&b).unwrap();
        // A link planted at the temporary name is removed, not written through.
        #[cfg(unix)]
        {
            let victim = tmp.path().join("victim");
            std::fs::write(&victim, b"victim").unwrap();
            std::os::unix::fs::symlink(&victim, dir.join(".r.json.partial")).unwrap();
            write_all_or_none(&dir, &[(a.clone(), b"report".to_vec())]).unwrap();
            assert_eq!(std::fs::read(&victim).unwrap(), b"victim");
            assert!(std::fs::symlink_metadata(&a).unwrap().file_type().is_file());
            assert_eq!(std::fs::read(&a).unwrap(), b"report");
            // A link as the target itself is refused.
            let link = dir.join("l.json");
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            assert!(write_all_or_none(&dir, &[(link, b"x".to_vec())]).is_err());
            assert_eq!(std::fs::read(&victim).unwrap(), b"victim");
        }
    }
}
