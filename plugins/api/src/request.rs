//! What a plugin is asked to verify: every input, borrowed, including the time.

use crate::cache::OfflineCache;
use crate::error::InputError;
use crate::insecure::Insecure;
use crate::time::VerificationTime;
use crate::trust::TrustRoots;
use std::collections::BTreeMap;
use std::fmt;

/// A digest algorithm for a [`Subject::Digest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (32 bytes).
    Sha256,
    /// SHA-384 (48 bytes).
    Sha384,
    /// SHA-512 (64 bytes).
    Sha512,
}

impl DigestAlgorithm {
    /// The digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// The conventional lowercase name (`"sha256"`), as in `sha256:<hex>` digests.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// The algorithm called `name` (`"sha256"`, `"sha384"`, `"sha512"`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(DigestAlgorithm::Sha256),
            "sha384" => Some(DigestAlgorithm::Sha384),
            "sha512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An already computed digest of the subject; its length always matches its algorithm.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Digest<'a> {
    algorithm: DigestAlgorithm,
    value: &'a [u8],
}

impl<'a> Digest<'a> {
    /// A digest, if `value` has the length `algorithm` produces.
    pub fn new(algorithm: DigestAlgorithm, value: &'a [u8]) -> Result<Self, InputError> {
        if value.len() != algorithm.digest_len() {
            return Err(InputError::malformed(
                "digest",
                format!(
                    "{algorithm} digest must be {} bytes, got {}",
                    algorithm.digest_len(),
                    value.len()
                ),
            ));
        }
        Ok(Digest { algorithm, value })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The raw digest bytes.
    pub fn value(&self) -> &'a [u8] {
        self.value
    }
}

impl fmt::Debug for Digest<'_> {
    /// Shows `sha256:<hex>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({}:", self.algorithm)?;
        for b in self.value {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// What the evidence is about: the artifact or manifest itself, or its digest.
///
/// Deliberately not `#[non_exhaustive]`: a plugin must handle every kind of subject explicitly.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// The artifact or manifest bytes; the plugin hashes them as its format requires.
    Bytes(&'a [u8]),
    /// An already computed digest of the artifact.
    Digest(Digest<'a>),
}

impl fmt::Debug for Subject<'_> {
    /// Shows the length of bytes, not the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Subject::Digest(d) => d.fmt(f),
        }
    }
}

/// Signature material: a bundle, a detached signature, a DSSE envelope, a proof file...
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature<'a> {
    bytes: &'a [u8],
    media_type: Option<&'a str>,
    name: Option<&'a str>,
}

impl<'a> Signature<'a> {
    /// Signature material of unstated kind; the plugin recognises it or fails.
    pub fn new(bytes: &'a [u8]) -> Self {
        Signature {
            bytes,
            media_type: None,
            name: None,
        }
    }

    /// Names the material for messages (usually the file it came from); without a name,
    /// messages say `signature`.
    #[must_use]
    pub fn with_name(mut self, name: &'a str) -> Self {
        self.name = Some(name);
        self
    }

    /// The name for messages: the one given, or `signature`.
    pub fn name(&self) -> &'a str {
        self.name.unwrap_or("signature")
    }

    /// Adds a media-type or kind hint, e.g. `application/vnd.dev.sigstore.bundle.v0.3+json`.
    /// A hint only narrows parsing; it is never trusted as a verification result.
    #[must_use]
    pub fn with_media_type(mut self, media_type: &'a str) -> Self {
        self.media_type = Some(media_type);
        self
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The media-type or kind hint, if one was given.
    pub fn media_type(&self) -> Option<&'a str> {
        self.media_type
    }
}

impl fmt::Debug for Signature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("len", &self.bytes.len())
            .field("media_type", &self.media_type)
            .field("name", &self.name)
            .finish()
    }
}

/// An untrusted certificate offered with the evidence (a leaf or an intermediate), DER or PEM,
/// with a name for messages (usually its file name).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Certificate<'a> {
    name: &'a str,
    bytes: &'a [u8],
}

impl<'a> Certificate<'a> {
    /// A certificate named `name` holding `bytes` (not decoded here).
    pub fn new(name: &'a str, bytes: &'a [u8]) -> Self {
        Certificate { name, bytes }
    }

    /// Its name, for messages.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// Its undecoded bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for Certificate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A certificate revocation list offered with the evidence (DER or PEM), with a name for
/// messages. Trusted only once its signature verifies to the issuer it names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RevocationList<'a> {
    name: &'a str,
    bytes: &'a [u8],
}

impl<'a> RevocationList<'a> {
    /// A CRL named `name` holding `bytes` (not decoded here).
    pub fn new(name: &'a str, bytes: &'a [u8]) -> Self {
        RevocationList { name, bytes }
    }

    /// Its name, for messages.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// Its undecoded bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for RevocationList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationList")
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A transparency-log receipt offered with the evidence, and the log's verifier key (C2SP
/// note key text), each with a name for messages. Checked by the transparency-log crate's
/// runner (`tlog::run_plugin_with_receipt`), never by a plugin; [`run_plugin`](crate::run_plugin)
/// refuses a request that carries one, so a receipt is never silently ignored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LogReceipt<'a> {
    /// The receipt's name (usually the flag and file).
    pub receipt_name: &'a str,
    /// The receipt (JSON).
    pub receipt: &'a [u8],
    /// The key's name.
    pub key_name: &'a str,
    /// The key (text `name+hash+base64`).
    pub key: &'a [u8],
}

impl fmt::Debug for LogReceipt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogReceipt")
            .field("receipt_name", &self.receipt_name)
            .field("len", &self.receipt.len())
            .field("key_name", &self.key_name)
            .finish()
    }
}

/// What the caller expects of the signer and the evidence, beyond a valid signature. Every
/// field is optional; a plugin that can check an expectation must check it, and one that
/// cannot must refuse the request ([`Plugin::verify`](crate::Plugin::verify) returns an
/// error), never ignore it. [`Policy::fields`] names the fields that are set, so a plugin can
/// refuse the ones it does not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    identity: Option<String>,
    identity_regexp: Option<String>,
    issuer: Option<String>,
    issuer_regexp: Option<String>,
    predicate_type: Option<String>,
    require_revocation: bool,
    measurements: BTreeMap<u32, Vec<u8>>,
    nonce: Option<Vec<u8>>,
    user_data: Option<Vec<u8>>,
    attested_public_key: Option<Vec<u8>>,
    max_age: Option<u64>,
    github_workflow: BTreeMap<String, String>,
    slsa: BTreeMap<String, String>,
    require_inclusion_proof: bool,
}

static EMPTY_POLICY: Policy = Policy {
    identity: None,
    identity_regexp: None,
    issuer: None,
    issuer_regexp: None,
    predicate_type: None,
    require_revocation: false,
    measurements: BTreeMap::new(),
    nonce: None,
    user_data: None,
    attested_public_key: None,
    max_age: None,
    github_workflow: BTreeMap::new(),
    slsa: BTreeMap::new(),
    require_inclusion_proof: false,
};

impl Policy {
    /// No expectations.
    pub fn new() -> Self {
        Policy::default()
    }

    /// Expects the signer identity (e.g. a certificate SAN: an e-mail or a workflow URI),
    /// compared exactly.
    #[must_use]
    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// Expects a signer identity matching this regular expression (the plugin compiles it,
    /// anchored, within its budgets).
    #[must_use]
    pub fn with_identity_regexp(mut self, re: impl Into<String>) -> Self {
        self.identity_regexp = Some(re.into());
        self
    }

    /// Expects the identity issuer (e.g. the OIDC issuer URL), compared exactly.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Expects an identity issuer matching this regular expression.
    #[must_use]
    pub fn with_issuer_regexp(mut self, re: impl Into<String>) -> Self {
        self.issuer_regexp = Some(re.into());
        self
    }

    /// Expects an attestation of this predicate type (a URI, e.g.
    /// `https://slsa.dev/provenance/v1`).
    #[must_use]
    pub fn with_predicate_type(mut self, uri: impl Into<String>) -> Self {
        self.predicate_type = Some(uri.into());
        self
    }

    /// Requires a valid, current revocation list for every certificate of the path but the
    /// anchor.
    #[must_use]
    pub fn with_required_revocation(mut self) -> Self {
        self.require_revocation = true;
        self
    }

    /// Expects measurement register `index` (an enclave PCR) to hold exactly `value`. A later
    /// call for the same index replaces the earlier value.
    #[must_use]
    pub fn with_measurement(mut self, index: u32, value: impl Into<Vec<u8>>) -> Self {
        self.measurements.insert(index, value.into());
        self
    }

    /// Expects the attestation to carry exactly this nonce (the verifier's challenge).
    #[must_use]
    pub fn with_nonce(mut self, nonce: impl Into<Vec<u8>>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Expects the attestation to carry exactly this user data.
    #[must_use]
    pub fn with_user_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.user_data = Some(data.into());
        self
    }

    /// Expects the attestation to bind exactly this public key (the bytes as attested).
    #[must_use]
    pub fn with_attested_public_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.attested_public_key = Some(key.into());
        self
    }

    /// Expects the evidence to have been made at most `seconds` before the verification time.
    #[must_use]
    pub fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Expects the signing certificate's GitHub workflow claim `claim` (`trigger`, `sha`,
    /// `name`, `repository` or `ref`: Fulcio's extensions 1.3.6.1.4.1.57264.1.2 to .6, as
    /// cosign's `--certificate-github-workflow-*` flags check them) to equal `value`.
    #[must_use]
    pub fn with_github_workflow(
        mut self,
        claim: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.github_workflow.insert(claim.into(), value.into());
        self
    }

    /// Expects a verified SLSA provenance attestation to say `value` for `field`
    /// (`builder-id`, `source-uri`, `source-tag` or `source-branch`, as slsa-verifier's flags
    /// name them).
    #[must_use]
    pub fn with_slsa(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.slsa.insert(field.into(), value.into());
        self
    }

    /// The expected SLSA provenance fields (empty: none expected).
    pub fn slsa(&self) -> &BTreeMap<String, String> {
        &self.slsa
    }

    /// Requires every transparency-log entry to carry an inclusion proof (a v0.1 Sigstore
    /// bundle may otherwise rest on the log's signed promise alone).
    #[must_use]
    pub fn with_required_inclusion_proof(mut self) -> Self {
        self.require_inclusion_proof = true;
        self
    }

    /// Whether every log entry must carry an inclusion proof.
    pub fn requires_inclusion_proof(&self) -> bool {
        self.require_inclusion_proof
    }

    /// The expected GitHub workflow claims, by claim name (empty: none expected).
    pub fn github_workflow(&self) -> &BTreeMap<String, String> {
        &self.github_workflow
    }

    /// The expected measurements, by register index (empty: none expected).
    pub fn measurements(&self) -> &BTreeMap<u32, Vec<u8>> {
        &self.measurements
    }

    /// The expected nonce, if any.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// The expected user data, if any.
    pub fn user_data(&self) -> Option<&[u8]> {
        self.user_data.as_deref()
    }

    /// The expected attested public key, if any.
    pub fn attested_public_key(&self) -> Option<&[u8]> {
        self.attested_public_key.as_deref()
    }

    /// The largest accepted age of the evidence in seconds, if any.
    pub fn max_age(&self) -> Option<u64> {
        self.max_age
    }

    /// The expected signer identity, if any.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    /// The regular expression the signer identity must match, if any.
    pub fn identity_regexp(&self) -> Option<&str> {
        self.identity_regexp.as_deref()
    }

    /// The expected identity issuer, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The regular expression the identity issuer must match, if any.
    pub fn issuer_regexp(&self) -> Option<&str> {
        self.issuer_regexp.as_deref()
    }

    /// The expected predicate type, if any.
    pub fn predicate_type(&self) -> Option<&str> {
        self.predicate_type.as_deref()
    }

    /// Whether revocation lists are required.
    pub fn requires_revocation(&self) -> bool {
        self.require_revocation
    }

    /// The names of the fields that are set (`identity`, `identity-regexp`, `issuer`,
    /// `issuer-regexp`, `predicate-type`, `require-revocation`, `measurements`, `nonce`,
    /// `user-data`, `attested-public-key`, `max-age`, `github-workflow`,
    /// `require-inclusion-proof`), in that order.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.identity.is_some() {
            v.push("identity");
        }
        if self.identity_regexp.is_some() {
            v.push("identity-regexp");
        }
        if self.issuer.is_some() {
            v.push("issuer");
        }
        if self.issuer_regexp.is_some() {
            v.push("issuer-regexp");
        }
        if self.predicate_type.is_some() {
            v.push("predicate-type");
        }
        if self.require_revocation {
            v.push("require-revocation");
        }
        if !self.measurements.is_empty() {
            v.push("measurements");
        }
        if self.nonce.is_some() {
            v.push("nonce");
        }
        if self.user_data.is_some() {
            v.push("user-data");
        }
        if self.attested_public_key.is_some() {
            v.push("attested-public-key");
        }
        if self.max_age.is_some() {
            v.push("max-age");
        }
        if !self.github_workflow.is_empty() {
            v.push("github-workflow");
        }
        if !self.slsa.is_empty() {
            v.push("slsa");
        }
        if self.require_inclusion_proof {
            v.push("require-inclusion-proof");
        }
        v
    }

    /// The first expectation set here that is not among `supported` (a plugin's declared
    /// policy fields), if any.
    pub fn unsupported_field(&self, supported: &[&str]) -> Option<&'static str> {
        self.fields().into_iter().find(|f| !supported.contains(f))
    }

    /// Whether there is no expectation at all.
    pub fn is_empty(&self) -> bool {
        self.fields().is_empty()
    }
}

/// Everything one verification needs, borrowed from the caller.
///
/// Built with [`VerifyRequest::new`] (the inputs every verification has) and `with_*` methods
/// (the optional ones), so that adding a field later breaks no caller.
///
/// ```
/// use plugin_api::{Insecure, Policy, Signature, Subject, TrustRoots, VerificationTime, VerifyRequest};
///
/// let roots = TrustRoots::new();
/// let policy = Policy::new().with_identity("release@example.com");
/// let req = VerifyRequest::new(
///     Subject::Bytes(b"artifact"),
///     Signature::new(b"{}").with_media_type("application/json"),
///     &roots,
///     VerificationTime::from_unix_seconds(1_700_000_000),
/// )
/// .with_policy(&policy)
/// .with_insecure(&[Insecure::SkipTlog]);
/// assert!(req.allows(Insecure::SkipTlog));
/// assert!(req.cache().is_none());
/// ```
#[derive(Clone, Copy)]
pub struct VerifyRequest<'a> {
    subject: Subject<'a>,
    subject_name: Option<&'a str>,
    signature: Signature<'a>,
    trust_roots: &'a TrustRoots,
    certificates: &'a [Certificate<'a>],
    revocation: &'a [RevocationList<'a>],
    revocation_source: Option<&'a str>,
    log_receipt: Option<LogReceipt<'a>>,
    policy: &'a Policy,
    cache: Option<&'a dyn OfflineCache>,
    time: VerificationTime,
    time_from_clock: bool,
    insecure: &'a [Insecure],
}

impl<'a> VerifyRequest<'a> {
    /// A request with no extra certificates, an empty policy, no offline cache and no insecure
    /// mode.
    pub fn new(
        subject: Subject<'a>,
        signature: Signature<'a>,
        trust_roots: &'a TrustRoots,
        time: VerificationTime,
    ) -> Self {
        VerifyRequest {
            subject,
            subject_name: None,
            signature,
            trust_roots,
            certificates: &[],
            revocation: &[],
            revocation_source: None,
            log_receipt: None,
            policy: &EMPTY_POLICY,
            cache: None,
            time,
            time_from_clock: false,
            insecure: &[],
        }
    }

    /// Says that the time is the verifier's clock because the user gave none (no `--at`).
    /// Evidence that carries its own signed time may then be judged at that time (an enclave
    /// attestation's certificates live for hours, so an archived document is judged when it
    /// was made); a time the user gave is always the one used.
    #[must_use]
    pub fn with_time_from_clock(mut self) -> Self {
        self.time_from_clock = true;
        self
    }

    /// Names the subject for the report (usually the file it came from).
    #[must_use]
    pub fn with_subject_name(mut self, name: &'a str) -> Self {
        self.subject_name = Some(name);
        self
    }

    /// Offers untrusted certificates (leaf, intermediates) with the evidence.
    #[must_use]
    pub fn with_certificates(mut self, certificates: &'a [Certificate<'a>]) -> Self {
        self.certificates = certificates;
        self
    }

    /// Offers revocation lists with the evidence; `source`, if given, says where they came from
    /// (e.g. "3 from the offline cache"), for the report.
    #[must_use]
    pub fn with_revocation(
        mut self,
        lists: &'a [RevocationList<'a>],
        source: Option<&'a str>,
    ) -> Self {
        self.revocation = lists;
        self.revocation_source = source;
        self
    }

    /// Offers a transparency-log receipt for the subject and signature (see [`LogReceipt`]).
    #[must_use]
    pub fn with_log_receipt(mut self, receipt: LogReceipt<'a>) -> Self {
        self.log_receipt = Some(receipt);
        self
    }

    /// The same request without its log receipt (for the runner that checks it).
    #[must_use]
    pub fn without_log_receipt(mut self) -> Self {
        self.log_receipt = None;
        self
    }

    /// Sets the signer expectations.
    #[must_use]
    pub fn with_policy(mut self, policy: &'a Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Gives read-only access to the offline cache.
    #[must_use]
    pub fn with_cache(mut self, cache: &'a dyn OfflineCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Turns on insecure modes the user asked for explicitly (each one is recorded and
    /// warned about in the report).
    #[must_use]
    pub fn with_insecure(mut self, insecure: &'a [Insecure]) -> Self {
        self.insecure = insecure;
        self
    }

    /// The artifact, manifest or digest.
    pub fn subject(&self) -> Subject<'a> {
        self.subject
    }

    /// The subject's name for the report, if the caller gave one.
    pub fn subject_name(&self) -> Option<&'a str> {
        self.subject_name
    }

    /// The signature material.
    pub fn signature(&self) -> Signature<'a> {
        self.signature
    }

    /// The pinned trust roots.
    pub fn trust_roots(&self) -> &'a TrustRoots {
        self.trust_roots
    }

    /// Untrusted certificates offered with the evidence (possibly none).
    pub fn certificates(&self) -> &'a [Certificate<'a>] {
        self.certificates
    }

    /// Revocation lists offered with the evidence (possibly none).
    pub fn revocation(&self) -> &'a [RevocationList<'a>] {
        self.revocation
    }

    /// Where the revocation lists came from, if the caller said.
    pub fn revocation_source(&self) -> Option<&'a str> {
        self.revocation_source
    }

    /// The log receipt, if one was offered.
    pub fn log_receipt(&self) -> Option<LogReceipt<'a>> {
        self.log_receipt
    }

    /// The signer expectations.
    pub fn policy(&self) -> &'a Policy {
        self.policy
    }

    /// The offline cache, if one was given.
    pub fn cache(&self) -> Option<&'a dyn OfflineCache> {
        self.cache
    }

    /// The time at which to judge validity periods and expiry.
    pub fn time(&self) -> VerificationTime {
        self.time
    }

    /// Whether the time is the verifier's clock, the user having given none (see
    /// [`VerifyRequest::with_time_from_clock`]).
    pub fn time_is_from_clock(&self) -> bool {
        self.time_from_clock
    }

    /// The insecure modes the user turned on.
    pub fn insecure(&self) -> &'a [Insecure] {
        self.insecure
    }

    /// Whether the user turned on `mode`.
    pub fn allows(&self, mode: Insecure) -> bool {
        self.insecure.contains(&mode)
    }
}

impl fmt::Debug for VerifyRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyRequest")
            .field("subject", &self.subject)
            .field("subject_name", &self.subject_name)
            .field("signature", &self.signature)
            .field("trust_roots", &self.trust_roots)
            .field("certificates", &self.certificates)
            .field("revocation", &self.revocation)
            .field("revocation_source", &self.revocation_source)
            .field("log_receipt", &self.log_receipt)
            .field("policy", &self.policy)
            .field("cache", &self.cache.map(|c| c.describe()))
            .field("time", &self.time)
            .field("time_from_clock", &self.time_from_clock)
            .field("insecure", &self.insecure)
            .finish()
    }
}
