//! The check ids of the `nitro` plugin's reports, in one place, in the order they run.

/// The protected header is exactly `{1: -35}` (ES384) and the unprotected header empty.
pub const COSE_HEADER: &str = "nitro.cose.header";
/// The payload's digest is SHA384 and every PCR is a SHA-384 value.
pub const PAYLOAD_DIGEST: &str = "nitro.payload.digest";
/// The signature over the Sig_structure verifies with the signing certificate's key.
pub const SIGNATURE: &str = "nitro.cose.signature";
/// The signing certificate chains, through the CA bundle, to the pinned root (Nitro profile).
pub const CHAIN: &str = "nitro.chain.path";
/// The document's timestamp is not after the verification time (beyond clock skew).
pub const TIMESTAMP: &str = "nitro.time.timestamp";
/// The document is no older than the policy's maximum age (only with a maximum age).
pub const MAX_AGE: &str = "nitro.time.max-age";
/// The document was not made in debug mode (PCR0, PCR1 and PCR2 not all zero).
pub const DEBUG: &str = "nitro.policy.debug";
/// Every expected PCR equals the document's.
pub const MEASUREMENTS: &str = "nitro.policy.measurements";
/// The nonce equals the expected one (only with an expected nonce).
pub const NONCE: &str = "nitro.policy.nonce";
/// The user data equals the expected data (only with expected user data).
pub const USER_DATA: &str = "nitro.policy.user-data";
/// The public key equals the expected key (only with an expected key).
pub const PUBLIC_KEY: &str = "nitro.policy.public-key";

/// Every check id, in order.
pub const ALL: [&str; 11] = [
    COSE_HEADER,
    PAYLOAD_DIGEST,
    SIGNATURE,
    CHAIN,
    TIMESTAMP,
    MAX_AGE,
    DEBUG,
    MEASUREMENTS,
    NONCE,
    USER_DATA,
    PUBLIC_KEY,
];
