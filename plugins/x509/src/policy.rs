//! What a caller asks for: the profile, the key purpose, the peer name and the budgets.

use crate::cert::{EKU_CLIENT_AUTH, EKU_CODE_SIGNING, EKU_SERVER_AUTH, EKU_TIME_STAMPING};
use crate::crl::Crl;
use std::net::IpAddr;

/// The validation profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// CA/Browser Forum TLS server profile (Baseline Requirements; what x509-limbo's `webpki`
    /// cases test): RFC 5280 plus EKU required in the end entity, no anyExtendedKeyUsage, no
    /// EKU in roots, SAN required, CN consistent with SAN, CA-as-leaf refused, RSA ≥ 2048 bits
    /// and a multiple of 8, P-256/P-384 only, strict root AKI shape.
    CabfServer,
    /// RFC 5280 generic profile: the RFC's MUSTs, EKU optional in the end entity, CA
    /// certificates allowed as end entities, name constraints must be critical.
    Rfc5280,
    /// Code signing (manifests, CMS, pack indexes): RFC 5280 plus extendedKeyUsage
    /// codeSigning required in the end entity, digitalSignature when it carries keyUsage, and
    /// CA-as-end-entity refused (an end entity that signs content is never a CA).
    CodeSigning,
    /// Sigstore keyless signing (Fulcio leaf certificates), validated at the signing time(s):
    /// the code-signing rules, and the end entity must carry keyUsage with digitalSignature
    /// (Fulcio always issues it; a leaf without keyUsage is refused).
    FulcioCodeSigning,
    /// RFC 3161 timestamping authority (the signer of a timestamp token), validated at the
    /// token's genTime: the end entity is not a CA, its extendedKeyUsage is present, critical
    /// and exactly id-kp-timeStamping (RFC 3161 §2.3), and its keyUsage, when present, has
    /// digitalSignature or nonRepudiation (contentCommitment).
    Timestamping,
    /// AWS Nitro Enclaves attestation documents: RFC 5280, and every certificate of the path
    /// holds a P-384 key and (below the anchor) is signed with ECDSA with SHA-384; the end
    /// entity is not a CA and carries keyUsage with digitalSignature; no extendedKeyUsage is
    /// required. AWS issues end entities (and, in documents until about 2023, instance CAs)
    /// without authorityKeyIdentifier, so the profile does not require it (issuers are found
    /// by name and signature).
    NitroEnclave,
}

/// The name the end entity must be valid for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerName {
    /// A DNS host name (matched against SAN dNSName entries, RFC 6125 wildcards).
    Dns(String),
    /// An IP address (matched against SAN iPAddress entries).
    Ip(IpAddr),
}

/// Limits on path-building work (rustls-webpki style), so hostile inputs cannot exhaust CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Signature verifications.
    pub signatures: usize,
    /// Candidate issuers considered (each extension of a partial path).
    pub candidates: usize,
    /// Name-constraint comparisons (name × subtree).
    pub name_comparisons: usize,
    /// Maximum intermediates in a path (hard cap, whatever the caller's depth).
    pub max_intermediates: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            signatures: 100,
            candidates: 200,
            name_comparisons: 250_000,
            max_intermediates: 8,
        }
    }
}

/// Everything path validation needs besides certificates and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The profile.
    pub profile: Profile,
    /// Key purposes (EKU OIDs, content bytes) the end entity must carry; CAs that restrict
    /// EKU must allow them too.
    pub required_ekus: Vec<Vec<u8>>,
    /// keyUsage bits the end entity must have when it carries keyUsage.
    pub required_key_usage: u16,
    /// The peer name to match, if any.
    pub peer_name: Option<PeerName>,
    /// Maximum number of (non-self-issued) intermediates the caller allows.
    pub max_intermediates: Option<usize>,
    /// Work limits.
    pub budget: Budget,
    /// CRLs to check the path's certificates against (fail closed on an unusable one).
    pub crls: Vec<Crl>,
    /// Require, for every certificate of the path but the anchor, a valid current CRL from
    /// its issuer among `crls`.
    pub require_crls: bool,
}

impl Options {
    /// Defaults for `profile`: serverAuth for the CA/B Forum profile, codeSigning (and
    /// digitalSignature when the end entity carries keyUsage) for code signing and Fulcio,
    /// timeStamping for timestamping, no EKU for RFC 5280 generic; no peer name; default
    /// budget; no CRLs.
    pub fn new(profile: Profile) -> Self {
        let required_ekus = match profile {
            Profile::CabfServer => vec![EKU_SERVER_AUTH.to_vec()],
            Profile::CodeSigning | Profile::FulcioCodeSigning => vec![EKU_CODE_SIGNING.to_vec()],
            Profile::Timestamping => vec![EKU_TIME_STAMPING.to_vec()],
            Profile::Rfc5280 | Profile::NitroEnclave => Vec::new(),
        };
        let required_key_usage = match profile {
            Profile::CodeSigning | Profile::FulcioCodeSigning | Profile::NitroEnclave => {
                crate::cert::key_usage::DIGITAL_SIGNATURE
            }
            Profile::CabfServer | Profile::Rfc5280 | Profile::Timestamping => 0,
        };
        Options {
            profile,
            required_ekus,
            required_key_usage,
            peer_name: None,
            max_intermediates: None,
            budget: Budget::default(),
            crls: Vec::new(),
            require_crls: false,
        }
    }

    /// TLS client authentication: clientAuth instead of serverAuth.
    pub fn for_client_auth(mut self) -> Self {
        self.required_ekus = vec![EKU_CLIENT_AUTH.to_vec()];
        self
    }
}
