//! The RFC 3161 token parser (`plugin_cosign::Timestamp::parse`) on arbitrary bytes, and
//! verification of whatever parses against the conformance kit's `rekor2-happy-path` trusted
//! root and bundle signature: never panics; a token that verifies has a message imprint that is
//! the hash of the signature under the token's own imprint algorithm, and a verified genTime
//! equal to the one parsed. Seed with the kit bundles' `signedTimestamp` values (decoded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_cosign::Content;
use plugin_cosign::Timestamp;
use plugin_cosign::{Bundle, TrustedRoot};

const ROOT: &[u8] = include_bytes!(
    "../../../shared/conformance/sigstore/cases/rekor2-happy-path/trusted_root.json"
);
const BUNDLE: &[u8] = include_bytes!(
    "../../../shared/conformance/sigstore/cases/rekor2-happy-path/bundle.sigstore.json"
);
/// 2026-11-01T00:00:00Z: after every timestamp of the kit, inside the TSA's validity.
const NOW: i64 = 1_793_491_200;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = Timestamp::parse(data) else {
        return;
    };
    let claimed = token.gen_time();
    let (Ok(root), Ok(bundle)) = (TrustedRoot::from_json(ROOT), Bundle::from_json(BUNDLE)) else {
        return;
    };
    let signature: &[u8] = match &bundle.content {
        Content::MessageSignature { signature, .. } => signature,
        Content::Dsse(env) => env.signatures.first().map(Vec::as_slice).unwrap_or_default(),
        _ => return,
    };
    if let Ok(verified) = token.verify(signature, &root, NOW) {
        assert_eq!(verified, claimed, "verified genTime differs from the parsed one");
        // A token verifies for one signature only.
        let mut other = signature.to_vec();
        if let Some(b) = other.first_mut() {
            *b ^= 1;
        }
        assert!(
            token.verify(&other, &root, NOW).is_err(),
            "a token verified for two signatures"
        );
    }
    // Any prefix of a parsed token is not itself a token of the same length.
    if data.len() > 1 {
        let _ = Timestamp::parse(&data[..data.len() - 1]);
    }
});
