//! Sigstore bundle and trusted-root parsing never panics, whatever the bytes; a parsed bundle
//! goes through the whole verification (keyless and key-based, against the embedded production
//! root) and the attestation predicate-type reader without panicking, and the bytes read as a
//! certificate go through the Fulcio extension reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_api::VerificationTime;
use plugin_cosign::{
    certificate_claims, check_predicate_type, embedded, statement_predicate_type, verify,
    Artifact, Bundle, IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot,
};

fuzz_target!(|data: &[u8]| {
    let _ = TrustedRoot::from_json(data);
    let _ = certificate_claims(data);
    let _ = check_predicate_type(data, "https://slsa.dev/provenance/v1");
    if let Ok(bundle) = Bundle::from_json(data) {
        let _ = statement_predicate_type(&bundle);
        let Ok(root) = embedded::production_trusted_root() else {
            return;
        };
        let time = VerificationTime::from_unix_seconds(1_769_904_000);
        let policy = IdentityPolicy {
            san: Matcher::Exact("https://example.com/id".into()),
            issuer: Matcher::Exact("https://token.actions.githubusercontent.com".into()),
        };
        let report = verify(
            data,
            &root,
            Artifact::Bytes(b"a"),
            Signer::Keyless(&policy),
            time,
            &[],
        );
        assert!(!report.ok(), "an arbitrary bundle verified");
        if let Some(log_key) = root.tlogs.first().and_then(|l| l.key.as_ref()) {
            let key: &PublicKey = log_key;
            let _ = verify(
                data,
                &root,
                Artifact::Sha256Digest([0; 32]),
                Signer::Key(key),
                time,
                &[],
            );
        }
    }
});
