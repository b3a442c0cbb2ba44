//! The batch signature memo (`verify_with_memo`, `SignatureMemo`): a memo hit gives the same
//! report as no memo, a CA certificate whose signature differs by one byte misses the memo and
//! is rejected, and the memo key covers every input of the signature verification.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use plugin_api::{Report, VerificationTime};
use plugin_cosign::{
    verify, verify_with_memo, Artifact, IdentityPolicy, Matcher, SignatureMemo, Signer, TrustedRoot,
};
use plugin_x509::memo_key;
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

fn root() -> TrustedRoot {
    TrustedRoot::from_json(&read("trusted_root.json")).unwrap()
}

fn policy() -> IdentityPolicy {
    IdentityPolicy {
        san: Matcher::Exact(SAN.into()),
        issuer: Matcher::Exact(ISSUER.into()),
    }
}

fn run(root: &TrustedRoot, memo: Option<&SignatureMemo>) -> Report {
    let bundle = read("keyless.sigstore.json");
    let artifact = read("artifact.txt");
    let policy = policy();
    let time = VerificationTime::from_unix_seconds(AT);
    let a = Artifact::Bytes(&artifact);
    let s = Signer::Keyless(&policy);
    match memo {
        Some(m) => verify_with_memo(&bundle, root, a, s, time, &[], m),
        None => verify(&bundle, root, a, s, time, &[]),
    }
}

/// The fixture root's one CA chain (intermediate, then root), with one byte of the
/// intermediate's signature changed.
fn root_with_tampered_intermediate_signature() -> TrustedRoot {
    let mut root = root();
    assert_eq!(root.cas.len(), 1);
    assert_eq!(root.cas[0].chain.len(), 2, "intermediate and root");
    let der = &mut root.cas[0].chain[0];
    // The certificate ends with the signature BIT STRING (an ECDSA-Sig-Value): its last byte
    // is the last byte of `s`.
    *der.last_mut().unwrap() ^= 0x01;
    root
}

#[test]
fn memo_hit_gives_the_same_report_as_no_memo() {
    let root = root();
    let plain = run(&root, None);
    assert!(plain.ok(), "{}", plain.to_json());
    let memo = SignatureMemo::new();
    assert!(memo.is_empty());
    let first = run(&root, Some(&memo));
    // The intermediate→root link verified and is recorded (the leaf's link never is).
    assert_eq!(memo.len(), 1);
    let second = run(&root, Some(&memo));
    assert_eq!(memo.len(), 1, "a hit records nothing new");
    assert_eq!(first.to_json(), plain.to_json());
    assert_eq!(second.to_json(), plain.to_json());
}

#[test]
fn tampered_ca_signature_misses_the_memo_and_is_rejected() {
    let memo = SignatureMemo::new();
    assert!(run(&root(), Some(&memo)).ok());
    assert_eq!(memo.len(), 1);
    let bad = root_with_tampered_intermediate_signature();
    for r in [run(&bad, Some(&memo)), run(&bad, None)] {
        assert!(!r.ok(), "{}", r.to_json());
        let failed = r.first_failure().expect("a failed check");
        assert_eq!(failed.id, "cosign.certificate.chain");
        assert!(
            failed.explanation().contains("does not link"),
            "{}",
            failed.explanation()
        );
    }
    assert_eq!(memo.len(), 1, "a failed verification is never recorded");
    // The good root still hits.
    assert!(run(&root(), Some(&memo)).ok());
}

#[test]
fn memo_does_not_skip_the_ca_validity_check() {
    // The CA chain link is in the memo, but the CA's validity in the trusted root is still
    // checked per bundle: a root whose CA window ends before the signing time fails.
    let memo = SignatureMemo::new();
    assert!(run(&root(), Some(&memo)).ok());
    let mut expired = root();
    expired.cas[0].valid_until = Some(1);
    expired.cas[0].valid_from = Some(0);
    let r = run(&expired, Some(&memo));
    assert!(!r.ok());
    assert_eq!(
        r.first_failure().expect("a failed check").id,
        "cosign.certificate.chain"
    );
    assert_eq!(r.to_json(), run(&expired, None).to_json());
}

#[test]
fn memo_key_covers_every_component() {
    let spki = b"issuer spki".as_slice();
    // The certificate's signature AlgorithmIdentifier DER (ecdsa-with-SHA384).
    let alg: &[u8] = &[
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
    ];
    let tbs = b"to be signed".as_slice();
    let sig = b"signature".as_slice();
    let k = memo_key(spki, alg, tbs, sig);
    assert_eq!(k, memo_key(spki, alg, tbs, sig), "deterministic");
    let mut keys = vec![
        k,
        memo_key(b"issuer spkj", alg, tbs, sig),
        memo_key(
            spki,
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
            ],
            tbs,
            sig,
        ),
        memo_key(spki, alg, b"to be signee", sig),
        memo_key(spki, alg, tbs, b"signaturf"),
        // Length prefixes: moving bytes across a boundary changes the key.
        memo_key(b"issuer spk", alg, b"ito be signed", sig),
        memo_key(spki, alg, b"to be signe", b"dsignature"),
        memo_key(b"", b"", b"", b""),
    ];
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "every variation gives a different key");
}
