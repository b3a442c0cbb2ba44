//! The typed value beside the report, and the plugin's limits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{Insecure, VerificationTime};
use plugin_cosign::{
    verify, verify_with_value, Artifact, Bundle, IdentityPolicy, Limits, Matcher, ParseError,
    Signer, TrustedRoot, VerifiedSigner,
};
use std::path::PathBuf;

/// 2026-02-01T00:00:00Z, as in tests/fixtures.rs.
const AT: u64 = 1_769_904_000;
const SAN: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn read(file: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cosign")
        .join(file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn policy(san: &str) -> IdentityPolicy {
    IdentityPolicy {
        san: Matcher::Exact(san.into()),
        issuer: Matcher::Exact(ISSUER.into()),
    }
}

#[test]
fn value_only_with_an_ok_report_and_same_report_as_verify() {
    let root = TrustedRoot::from_json(&read("trusted_root.json")).unwrap();
    let bundle = read("keyless.sigstore.json");
    let artifact = read("artifact.txt");
    let time = VerificationTime::from_unix_seconds(AT);
    let insecure: &[Insecure] = &[];
    for (san, ok) in [(SAN, true), ("https://example.com/other", false)] {
        let p = policy(san);
        let (report, value) = verify_with_value(
            &bundle,
            &root,
            Artifact::Bytes(&artifact),
            Signer::Keyless(&p),
            time,
            insecure,
            None,
        );
        let plain = verify(
            &bundle,
            &root,
            Artifact::Bytes(&artifact),
            Signer::Keyless(&p),
            time,
            insecure,
        );
        assert_eq!(report.to_json(), plain.to_json());
        assert_eq!(report.ok(), ok);
        assert_eq!(value.is_some(), ok);
        if let Some(v) = value {
            assert_eq!(v.signer.san(), Some(SAN));
            assert_eq!(v.signer.issuer(), Some(ISSUER));
            assert!(matches!(v.signer, VerifiedSigner::Certificate { .. }));
            assert!(!v.signing_times.is_empty());
            assert_eq!(
                v.log_entries.len(),
                Bundle::from_json(&bundle).unwrap().tlog_entries.len()
            );
        }
    }
}

#[test]
fn limits_are_applied() {
    let bundle = read("keyless.sigstore.json");
    let root_json = read("trusted_root.json");
    assert_eq!(Limits::default(), Limits::DEFAULT);
    let mut small = Limits::DEFAULT;
    small.bundle_bytes = bundle.len() - 1;
    small.trusted_root_bytes = root_json.len() - 1;
    assert!(matches!(
        Bundle::from_json_with_limits(&bundle, &small),
        Err(ParseError::TooLarge { .. })
    ));
    assert!(Bundle::from_json_with_limits(&bundle, &Limits::DEFAULT).is_ok());
    assert!(matches!(
        TrustedRoot::from_json_with_limits(&root_json, &small),
        Err(ParseError::TooLarge { .. })
    ));
    let mut no_entries = Limits::DEFAULT;
    no_entries.tlog_entries = 0;
    assert!(matches!(
        Bundle::from_json_with_limits(&bundle, &no_entries),
        Err(ParseError::TooMany { .. })
    ));
}
