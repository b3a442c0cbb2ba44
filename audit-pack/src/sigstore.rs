//! Sigstore manifest pairs: `*.manifest.json` + `*.manifest.json.sigstore.json`, a Sigstore
//! bundle whose artifact is the exact bytes of the manifest, verified with plugin-cosign
//! against a trusted root and an expected signer that the verifier gives (never taken from
//! the pack).

use plugin_api::{Failure, VerificationTime};
use plugin_cosign::{
    Artifact, IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot, VerifiedSigner,
};

/// The file-name suffix of a Sigstore bundle beside its manifest.
pub const BUNDLE_SUFFIX: &str = ".sigstore.json";

/// Who must have signed a Sigstore manifest bundle.
#[derive(Debug, Clone)]
pub enum SigstoreSigner {
    /// A known public key (a key-signed bundle).
    Key(PublicKey),
    /// A Fulcio certificate whose SAN and OIDC issuer match (keyless).
    Keyless(IdentityPolicy),
}

/// The trust a build or a verifier gives for Sigstore manifest pairs.
pub struct SigstoreTrust {
    /// The Sigstore trusted root (CAs, Rekor and CT log keys, TSAs).
    pub root: TrustedRoot,
    /// The expected signer.
    pub signer: SigstoreSigner,
}

impl std::fmt::Debug for SigstoreTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigstoreTrust")
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

/// The signer flags of a command line, as given (each optional).
#[derive(Debug, Clone, Copy, Default)]
pub struct SignerFlags<'a> {
    /// `--manifest-sigstore-key`: the PEM public key of a key-signed bundle.
    pub key_pem: Option<&'a [u8]>,
    /// `--manifest-identity`: the exact SAN.
    pub identity: Option<&'a str>,
    /// `--manifest-identity-regexp`: an anchored regexp for the SAN.
    pub identity_regexp: Option<&'a str>,
    /// `--manifest-issuer`: the exact OIDC issuer.
    pub issuer: Option<&'a str>,
    /// `--manifest-issuer-regexp`: an anchored regexp for the OIDC issuer.
    pub issuer_regexp: Option<&'a str>,
}

impl SignerFlags<'_> {
    /// Whether any signer flag was given.
    pub fn any(&self) -> bool {
        self.key_pem.is_some()
            || self.identity.is_some()
            || self.identity_regexp.is_some()
            || self.issuer.is_some()
            || self.issuer_regexp.is_some()
    }
}

/// Why the Sigstore manifest trust flags do not make a trust.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigstoreTrustError {
    /// The trusted root does not parse.
    #[error("--manifest-sigstore-trusted-root: {0}")]
    TrustedRoot(String),
    /// The key does not parse.
    #[error("--manifest-sigstore-key: {0}")]
    Key(String),
    /// A key and an identity were both given.
    #[error("give either --manifest-sigstore-key or an identity and issuer, not both")]
    KeyAndIdentity,
    /// Neither a key nor an identity was given.
    #[error("--manifest-sigstore-trusted-root needs --manifest-sigstore-key, or --manifest-identity[-regexp] and --manifest-issuer[-regexp]")]
    NoSigner,
    /// An identity or issuer regexp does not compile.
    #[error("--manifest-{what}-regexp: {reason}")]
    Regexp {
        /// `identity` or `issuer`.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// Both the exact and the regexp form were given.
    #[error("give one of --manifest-{0} and --manifest-{0}-regexp")]
    BothForms(&'static str),
    /// Neither form was given for a keyless signer.
    #[error("keyless Sigstore manifest bundles need --manifest-{0} or --manifest-{0}-regexp")]
    Missing(&'static str),
}

fn matcher(
    exact: Option<&str>,
    regexp: Option<&str>,
    what: &'static str,
) -> Result<Matcher, SigstoreTrustError> {
    match (exact, regexp) {
        (Some(e), None) => Ok(Matcher::Exact(e.to_owned())),
        (None, Some(re)) => Matcher::regex(re).map_err(|e| SigstoreTrustError::Regexp {
            what,
            reason: e.to_string(),
        }),
        (Some(_), Some(_)) => Err(SigstoreTrustError::BothForms(what)),
        (None, None) => Err(SigstoreTrustError::Missing(what)),
    }
}

impl SigstoreTrust {
    /// The trust from a trusted root (`trusted_root.json` bytes) and the signer flags: either
    /// a key, or an identity (exact or anchored regexp) and an issuer (exact or anchored
    /// regexp).
    pub fn from_flags(
        trusted_root: &[u8],
        flags: &SignerFlags<'_>,
    ) -> Result<Self, SigstoreTrustError> {
        let root = TrustedRoot::from_json(trusted_root)
            .map_err(|e| SigstoreTrustError::TrustedRoot(e.to_string()))?;
        let keyless = flags.identity.is_some()
            || flags.identity_regexp.is_some()
            || flags.issuer.is_some()
            || flags.issuer_regexp.is_some();
        let signer = match (flags.key_pem, keyless) {
            (Some(_), true) => return Err(SigstoreTrustError::KeyAndIdentity),
            (Some(pem), false) => SigstoreSigner::Key(
                PublicKey::from_pem(pem).map_err(|e| SigstoreTrustError::Key(e.to_string()))?,
            ),
            (None, true) => SigstoreSigner::Keyless(IdentityPolicy {
                san: matcher(flags.identity, flags.identity_regexp, "identity")?,
                issuer: matcher(flags.issuer, flags.issuer_regexp, "issuer")?,
            }),
            (None, false) => return Err(SigstoreTrustError::NoSigner),
        };
        Ok(SigstoreTrust { root, signer })
    }
}

/// Verifies a Sigstore bundle over the exact bytes of a manifest with plugin-cosign, at
/// `time` (the pack date: a verified signing time must not be after it). Returns the
/// signer's identity (a keyless certificate's SAN, or `key sha256:<SPKI digest>`), or why
/// not (the plugin's first failing or skipped check).
pub fn verify_sigstore_manifest(
    manifest: &[u8],
    bundle: &[u8],
    trust: &SigstoreTrust,
    time: VerificationTime,
) -> Result<String, Failure> {
    let signer = match &trust.signer {
        SigstoreSigner::Key(k) => Signer::Key(k),
        SigstoreSigner::Keyless(p) => Signer::Keyless(p),
    };
    let (report, verified) = plugin_cosign::verify_with_value(
        bundle,
        &trust.root,
        Artifact::Bytes(manifest),
        signer,
        time,
        &[],
        None,
    );
    if !report.ok() {
        return Err(Failure::new(
            report
                .first_failure()
                .map(|c| format!("{}: {}", c.id, c.explanation()))
                .unwrap_or_else(|| "not verified".to_owned()),
        ));
    }
    // The report is ok, so the value is there: the signer the pipeline verified (for a
    // keyless bundle, the SAN of the leaf that matched the policy), without reading the
    // bundle again.
    match verified.map(|v| v.signer) {
        Some(VerifiedSigner::Key { sha256_id }) => {
            Ok(format!("key sha256:{}", hex::encode(sha256_id)))
        }
        Some(VerifiedSigner::Certificate { san, .. }) => Ok(san),
        _ => Err(Failure::new("not verified")),
    }
}
