#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use plugin_api::{Insecure, VerificationTime};
use plugin_cosign::{verify, Artifact, IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot};
use sha2::{Digest as _, Sha256};
use std::sync::LazyLock;

static BUNDLE: LazyLock<String> =
    LazyLock::new(|| kit("cases/managed-key-and-trusted-root/bundle.sigstore.json"));
static ROOT: LazyLock<String> =
    LazyLock::new(|| kit("cases/managed-key-and-trusted-root/trusted_root.json"));
static KEY: LazyLock<String> = LazyLock::new(|| kit("cases/managed-key-and-trusted-root/key.pub"));

const WRONG_KEY: &str = include_str!("data/wrong-key.pub");

/// Reads a file of the shared Sigstore conformance kit (never copied into the repository).
fn kit(path: &str) -> String {
    let full = format!(
        "{}/../../../shared/conformance/sigstore/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {full}: {e}"))
}
static ARTIFACT: LazyLock<Vec<u8>> = LazyLock::new(|| kit("cases/a.txt").into_bytes());
/// 2026-02-01, after the entry's integrated time (1767810965).
const NOW: VerificationTime = VerificationTime::from_unix_seconds(1_769_904_000);

fn run(
    bundle: &str,
    key: &str,
    artifact: Artifact<'_>,
    now: VerificationTime,
) -> plugin_api::Report {
    let root = TrustedRoot::from_json(ROOT.as_bytes()).unwrap();
    let key = PublicKey::from_pem(key.as_bytes()).unwrap();
    verify(
        bundle.as_bytes(),
        &root,
        artifact,
        Signer::Key(&key),
        now,
        &[],
    )
}

#[test]
fn key_bundle_verifies() {
    let r = run(&BUNDLE, &KEY, Artifact::Bytes(&ARTIFACT), NOW);
    assert!(r.ok(), "{}", r.to_json());
    for id in [
        "cosign.tlog.entry-0.body",
        "cosign.tlog.entry-0.set",
        "cosign.tlog.entry-0.inclusion",
        "cosign.content.signature",
    ] {
        assert!(r.checks().iter().any(|c| c.id == id && c.is_pass()), "{id}");
    }
}

#[test]
fn wrong_key_fails() {
    assert!(!run(&BUNDLE, WRONG_KEY, Artifact::Bytes(&ARTIFACT), NOW).ok());
}

#[test]
fn wrong_artifact_fails() {
    assert!(!run(&BUNDLE, &KEY, Artifact::Bytes(b"other"), NOW).ok());
}

#[test]
fn digest_only_verifies_and_wrong_digest_fails() {
    let d: [u8; 32] = Sha256::digest(&*ARTIFACT).into();
    let r = run(&BUNDLE, &KEY, Artifact::Sha256Digest(d), NOW);
    assert!(r.ok(), "{}", r.to_json());
    let d: [u8; 32] = Sha256::digest(b"other").into();
    assert!(!run(&BUNDLE, &KEY, Artifact::Sha256Digest(d), NOW).ok());
}

#[test]
fn integrated_time_in_future_fails() {
    let r = run(
        &BUNDLE,
        &KEY,
        Artifact::Bytes(&ARTIFACT),
        VerificationTime::from_unix_seconds(1_700_000_000),
    );
    assert!(!r.ok());
}

fn tamper(path: &[&str], f: impl Fn(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&BUNDLE).unwrap();
    let mut cur = &mut v;
    for p in path {
        cur = match p.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[*p],
        };
    }
    f(cur);
    v.to_string()
}

#[test]
fn tampered_set_fails() {
    let b = tamper(
        &["verificationMaterial", "tlogEntries", "0", "integratedTime"],
        |v| *v = serde_json::json!("1767810966"),
    );
    assert!(!run(&b, &KEY, Artifact::Bytes(&ARTIFACT), NOW).ok());
}

#[test]
fn tampered_checkpoint_fails() {
    let b = tamper(
        &[
            "verificationMaterial",
            "tlogEntries",
            "0",
            "inclusionProof",
            "checkpoint",
            "envelope",
        ],
        |v| {
            let s = v.as_str().unwrap().replacen("20071233", "20071234", 1);
            *v = serde_json::json!(s);
        },
    );
    assert!(!run(&b, &KEY, Artifact::Bytes(&ARTIFACT), NOW).ok());
}

#[test]
fn missing_inclusion_proof_fails() {
    let b = tamper(&["verificationMaterial", "tlogEntries", "0"], |v| {
        v.as_object_mut().unwrap().remove("inclusionProof");
    });
    let r = run(&b, &KEY, Artifact::Bytes(&ARTIFACT), NOW);
    assert!(!r.ok());
}

#[test]
fn negative_log_index_is_rejected() {
    let b = tamper(
        &["verificationMaterial", "tlogEntries", "0", "logIndex"],
        |v| *v = serde_json::json!("-1"),
    );
    assert!(!run(&b, &KEY, Artifact::Bytes(&ARTIFACT), NOW).ok());
}

#[test]
fn keyless_is_never_accepted() {
    let root = TrustedRoot::from_json(ROOT.as_bytes()).unwrap();
    let p = IdentityPolicy {
        san: Matcher::Exact("x".into()),
        issuer: Matcher::Exact("y".into()),
    };
    let r = verify(
        BUNDLE.as_bytes(),
        &root,
        Artifact::Bytes(&ARTIFACT),
        Signer::Keyless(&p),
        NOW,
        &[],
    );
    assert!(!r.ok());
}

static KEYLESS: LazyLock<String> =
    LazyLock::new(|| kit("cases/happy-path-v0.3/bundle.sigstore.json"));
static PROD_ROOT: LazyLock<String> = LazyLock::new(|| kit("trusted-roots/production.json"));
const SAN: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn keyless(san: &str, issuer: &str, insecure: &[Insecure]) -> plugin_api::Report {
    let root = TrustedRoot::from_json(PROD_ROOT.as_bytes()).unwrap();
    let p = IdentityPolicy {
        san: Matcher::Exact(san.into()),
        issuer: Matcher::Exact(issuer.into()),
    };
    verify(
        KEYLESS.as_bytes(),
        &root,
        Artifact::Bytes(&ARTIFACT),
        Signer::Keyless(&p),
        NOW,
        insecure,
    )
}

#[test]
fn keyless_bundle_verifies() {
    let r = keyless(SAN, ISSUER, &[]);
    assert!(r.ok(), "{}", r.to_json());
    for id in [
        "cosign.certificate.chain",
        "cosign.certificate.sct",
        "cosign.identity.san",
        "cosign.identity.issuer",
    ] {
        assert!(r.checks().iter().any(|c| c.id == id && c.is_pass()), "{id}");
    }
}

#[test]
fn keyless_identity_is_exact() {
    assert!(!keyless(&format!("{SAN}x"), ISSUER, &[]).ok());
    assert!(!keyless(&SAN[..SAN.len() - 1], ISSUER, &[]).ok());
    assert!(!keyless(SAN, "https://token.actions.githubusercontent.com/", &[]).ok());
}

#[test]
fn keyless_needs_a_fulcio_ca_in_the_root() {
    // The staging-instance root used by the key-based fixture has other CAs and logs.
    let root = TrustedRoot::from_json(ROOT.as_bytes()).unwrap();
    let p = IdentityPolicy {
        san: Matcher::Exact(SAN.into()),
        issuer: Matcher::Exact(ISSUER.into()),
    };
    let r = verify(
        KEYLESS.as_bytes(),
        &root,
        Artifact::Bytes(&ARTIFACT),
        Signer::Keyless(&p),
        NOW,
        &[],
    );
    assert!(!r.ok());
}

#[test]
fn waiving_timestamps_does_not_waive_a_mismatch() {
    assert!(!keyless("someone@example.com", ISSUER, &[Insecure::SkipTimestamp]).ok());
}

#[test]
fn oversized_bundle_is_rejected() {
    let big = vec![b' '; plugin_cosign::MAX_BUNDLE_BYTES + 1];
    let root = TrustedRoot::from_json(ROOT.as_bytes()).unwrap();
    let key = PublicKey::from_pem(KEY.as_bytes()).unwrap();
    let r = verify(
        &big,
        &root,
        Artifact::Bytes(&ARTIFACT),
        Signer::Key(&key),
        NOW,
        &[],
    );
    assert!(!r.ok());
}

#[test]
fn malformed_key_is_rejected() {
    let pem = "-----BEGIN PUBLIC &KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExRRST79+PsrRBnGAI4cMu6Omz2Jh\nfwlMW+gIutNKVRaMyS4rQKvgngc5p8UbLj55pVHhIoAxi/++++wrongkey==\n-----END PUBLIC &KEY-----\n";
    assert!(PublicKey::from_pem(pem.as_bytes()).is_err());
}

#[test]
fn regex_identity_is_anchored() {
    let root = TrustedRoot::from_json(PROD_ROOT.as_bytes()).unwrap();
    let run = |san: &str| {
        let p = IdentityPolicy {
            san: Matcher::regex(san).unwrap(),
            issuer: Matcher::Exact(ISSUER.into()),
        };
        verify(
            KEYLESS.as_bytes(),
            &root,
            Artifact::Bytes(&ARTIFACT),
            Signer::Keyless(&p),
            NOW,
            &[],
        )
        .ok()
    };
    assert!(run(
        r"https://github\.com/sigstore-conformance/.*@refs/heads/main"
    ));
    assert!(!run(r"https://github\.com/sigstore-conformance/"));
    assert!(!run(r"refs/heads/main"));
    assert!(!run(r"x|y"));
}

fn failing_check(r: &plugin_api::Report) -> String {
    r.checks()
        .iter()
        .find(|c| !c.is_pass())
        .map(|c| c.id.clone())
        .unwrap_or_default()
}

fn keyless_with(bundle: &str, root: &str) -> plugin_api::Report {
    let root = TrustedRoot::from_json(root.as_bytes()).unwrap();
    let p = IdentityPolicy {
        san: Matcher::Exact(SAN.into()),
        issuer: Matcher::Exact(ISSUER.into()),
    };
    verify(
        bundle.as_bytes(),
        &root,
        Artifact::Bytes(&ARTIFACT),
        Signer::Keyless(&p),
        NOW,
        &[],
    )
}

#[test]
fn sct_from_wrong_ct_key_fails_at_the_sct_check() {
    let r = keyless_with(
        &KEYLESS,
        &kit("cases/invalid-ct-key_fail/trusted_root.json"),
    );
    assert!(!r.ok());
    assert_eq!(failing_check(&r), "cosign.certificate.sct");
}

#[test]
fn checkpoint_with_unknown_key_hint_fails() {
    let r = keyless_with(
        &kit("cases/checkpoint-bad-keyhint_fail/bundle.sigstore.json"),
        &PROD_ROOT,
    );
    assert!(!r.ok());
    assert_eq!(failing_check(&r), "cosign.tlog.entry-0.inclusion");
}

#[test]
fn invalid_set_fails() {
    let r = keyless_with(
        &kit("cases/set-invalid-signature_fail/bundle.sigstore.json"),
        &PROD_ROOT,
    );
    assert!(!r.ok());
    assert_eq!(failing_check(&r), "cosign.tlog.entry-0.set");
}

proptest::proptest! {
    #[test]
    fn arbitrary_bundles_never_verify(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
        let root = TrustedRoot::from_json(ROOT.as_bytes()).unwrap();
        let key = PublicKey::from_pem(KEY.as_bytes()).unwrap();
        let r = verify(&bytes, &root, Artifact::Bytes(&ARTIFACT), Signer::Key(&key), NOW, &[]);
        proptest::prop_assert!(!r.ok());
    }

    #[test]
    fn key_parsing_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
        let _ = PublicKey::from_spki_der(&bytes);
        let _ = PublicKey::from_pem(&bytes);
        let _ = TrustedRoot::from_json(&bytes);
    }
}
