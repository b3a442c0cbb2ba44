//! The project's own Sigstore fixtures (fixtures/cosign, made by
//! examples/make_cosign_fixtures.rs): every case of `cases.tsv` must get its expected verdict,
//! and a rejected case must fail on exactly the check it was built to break.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use plugin_api::{Report, VerificationTime};
use plugin_cosign::{verify, Artifact, IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot};
use std::path::PathBuf;

/// 2026-02-01T00:00:00Z: a month after the fixtures' signing time (2026-01-01).
const AT: u64 = 1_769_904_000;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cosign")
}

fn read(file: &str) -> Vec<u8> {
    let p = dir().join(file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

struct Case {
    name: String,
    bundle: String,
    artifact: String,
    signer: Vec<String>,
    exit: u8,
    check: String,
    reason: String,
}

fn cases() -> Vec<Case> {
    let text = String::from_utf8(read("cases.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 7, "malformed cases.tsv line: {l}");
            Case {
                name: f[0].to_owned(),
                bundle: f[1].to_owned(),
                artifact: f[2].to_owned(),
                signer: f[3].split(' ').map(str::to_owned).collect(),
                exit: f[4].parse().unwrap(),
                check: f[5].to_owned(),
                reason: f[6].to_owned(),
            }
        })
        .collect()
}

enum Who {
    Key(PublicKey),
    Keyless(IdentityPolicy),
}

fn signer(args: &[String]) -> Who {
    let mut key = None;
    let mut san = None;
    let mut issuer = None;
    for pair in args.chunks(2) {
        let [flag, value] = pair else {
            panic!("odd signer arguments {args:?}")
        };
        match flag.as_str() {
            "--key" => key = Some(PublicKey::from_pem(&read(value)).unwrap()),
            "--certificate-identity" => san = Some(Matcher::Exact(value.clone())),
            "--certificate-identity-regexp" => san = Some(Matcher::regex(value).unwrap()),
            "--certificate-oidc-issuer" => issuer = Some(Matcher::Exact(value.clone())),
            "--certificate-oidc-issuer-regexp" => issuer = Some(Matcher::regex(value).unwrap()),
            other => panic!("unknown signer flag {other}"),
        }
    }
    match (key, san, issuer) {
        (Some(k), None, None) => Who::Key(k),
        (None, Some(san), Some(issuer)) => Who::Keyless(IdentityPolicy { san, issuer }),
        _ => panic!("bad signer arguments {args:?}"),
    }
}

fn run(case: &Case, root: &TrustedRoot) -> Report {
    let bundle = read(&case.bundle);
    let bytes;
    let artifact = match case.artifact.strip_prefix("sha256:") {
        Some(h) => Artifact::Sha256Digest(hex::decode(h).unwrap().try_into().unwrap()),
        None => {
            bytes = read(&case.artifact);
            Artifact::Bytes(&bytes)
        }
    };
    let who = signer(&case.signer);
    let s = match &who {
        Who::Key(k) => Signer::Key(k),
        Who::Keyless(p) => Signer::Keyless(p),
    };
    verify(
        &bundle,
        root,
        artifact,
        s,
        VerificationTime::from_unix_seconds(AT),
        &[],
    )
}

#[test]
fn every_fixture_gets_its_verdict_and_fails_on_its_own_check() {
    let root = TrustedRoot::from_json(&read("trusted_root.json")).unwrap();
    let cases = cases();
    assert!(cases.len() >= 20, "only {} cases", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let report = run(case, &root);
        let checks = report.checks();
        let not_passed: Vec<_> = checks.iter().filter(|c| !c.is_pass()).collect();
        let got = match case.exit {
            0 => {
                let complete = checks.last().map(|c| c.id.as_str())
                    == Some(if case.signer[0] == "--key" {
                        "cosign.time.threshold"
                    } else {
                        "cosign.identity.issuer"
                    });
                report.ok() && not_passed.is_empty() && complete
            }
            1 => {
                !report.ok()
                    && matches!(not_passed.as_slice(), [c]
                        if c.is_fail() && c.id == case.check && c.detail.contains(&case.reason))
            }
            other => panic!("{}: unexpected exit {other} in cases.tsv", case.name),
        };
        if !got {
            wrong.push(format!(
                "{}: expected exit {} / {}; got {}",
                case.name,
                case.exit,
                case.check,
                report.to_json()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn there_is_a_negative_for_every_check_the_fixtures_target() {
    let cases = cases();
    for c in &cases {
        assert_eq!(
            c.exit == 0,
            c.check == "-" && c.reason == "-",
            "{}: a valid case names no failing check, a negative names one and why",
            c.name
        );
    }
    for (name, check) in [
        ("wrong-identity", "cosign.identity.san"),
        ("wrong-issuer", "cosign.identity.issuer"),
        ("identity-regexp-not-anchored", "cosign.identity.san"),
        ("issuer-regexp-not-anchored", "cosign.identity.issuer"),
        ("expired-cert", "cosign.certificate.validity"),
        ("bad-set", "cosign.tlog.entry-0.set"),
        ("bad-inclusion-proof", "cosign.tlog.entry-0.inclusion"),
        ("bad-checkpoint-signature", "cosign.tlog.entry-0.inclusion"),
        ("digest-mismatch", "cosign.content.digest"),
        ("dsse-subject-mismatch", "cosign.intoto.subject"),
        ("wrong-key", "cosign.content.signature"),
        ("sct-unknown-ctlog", "cosign.certificate.sct"),
        ("rekor-unknown-log", "cosign.tlog.entry-0.log"),
        ("tsa-wrong-imprint", "cosign.timestamp.rfc3161-0"),
        // Fulcio leaves that are not code-signing end entities.
        ("leaf-ca", "cosign.signer.certificate"),
        ("leaf-no-code-signing", "cosign.signer.certificate"),
        ("leaf-key-cert-sign", "cosign.signer.certificate"),
        // RFC 3161 §2.3 / RFC 5816: the TSA signing certificate and its ESS binding.
        ("tsa-eku-not-critical", "cosign.timestamp.rfc3161-0"),
        ("tsa-eku-extra", "cosign.timestamp.rfc3161-0"),
        ("tsa-eku-missing", "cosign.timestamp.rfc3161-0"),
        ("tsa-signer-ca", "cosign.timestamp.rfc3161-0"),
        ("tsa-ku-key-cert-sign", "cosign.timestamp.rfc3161-0"),
        ("tsa-no-ess", "cosign.timestamp.rfc3161-0"),
        ("tsa-ess-other-cert", "cosign.timestamp.rfc3161-0"),
        ("tsa-ess-wrong-serial", "cosign.timestamp.rfc3161-0"),
    ] {
        assert!(
            cases
                .iter()
                .any(|c| c.name == name && c.exit == 1 && c.check == check),
            "cases.tsv lacks {name} ({check})"
        );
    }
    for name in [
        "keyless",
        "dsse",
        "key",
        "keyless-v0.2-chain",
        "keyless-email-v0.1",
        "keyless-tsa",
        "keyless-tsa-ca",
        "keyless-tsa-ess-v1",
    ] {
        assert!(
            cases.iter().any(|c| c.name == name && c.exit == 0),
            "cases.tsv lacks the valid case {name}"
        );
    }
}

/// The unanchored patterns of the regexp negatives do match somewhere inside the real
/// values: the cases fail only because matching is anchored.
#[test]
fn regexp_negatives_would_match_unanchored() {
    let cases = cases();
    for name in ["identity-regexp-not-anchored", "issuer-regexp-not-anchored"] {
        let c = cases.iter().find(|c| c.name == name).unwrap();
        let pos = c
            .signer
            .iter()
            .position(|a| a.ends_with("-regexp"))
            .unwrap();
        let pattern = &c.signer[pos + 1];
        let value = if name.starts_with("identity") {
            "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"
        } else {
            "https://token.actions.githubusercontent.com"
        };
        assert!(value.contains(pattern.as_str()), "{name}: {pattern}");
        assert!(!Matcher::regex(pattern).unwrap().matches(value), "{name}");
    }
}

/// The regexp of the valid regexp case matches the certificate's SAN and issuer.
#[test]
fn anchored_regexps_match_the_whole_value() {
    let m = Matcher::regex("https://github\\.com/acme/app/.*").unwrap();
    assert!(m.matches("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"));
    assert!(!m.matches("https://evil.example/?https://github.com/acme/app/"));
}
