//! Detached manifest signatures on the generated fixtures (fixtures/x509/gen, made by
//! fixtures/x509/make-x509-fixtures.sh; verification time 2026-06-01T00:00:00Z), plus hostile
//! CMS inputs: truncations and one-byte mutations never panic and never verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{CheckStatus, Report, VerificationTime};
use plugin_x509::{
    certificates_from_pem_or_der, check_end_entity_certificate, crls_from_pem_or_der,
    verify_manifest, verify_path, Certificate, CheckKind, Crl, DetachedSignature, ManifestRequest,
    Options, Profile, SignedData, ValidationError,
};
use std::path::PathBuf;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/x509/gen")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn certs(name: &str) -> Vec<Certificate> {
    certificates_from_pem_or_der(&bytes(name), 64).unwrap()
}

fn crl(name: &str) -> Vec<Crl> {
    crls_from_pem_or_der(&bytes(name), 4).unwrap()
}

fn at() -> VerificationTime {
    VerificationTime::parse("2026-06-01T00:00:00Z").unwrap()
}

struct Case {
    manifest: &'static str,
    signature: DetachedSignature,
    leaf: &'static str,
    chain: Vec<&'static str>,
    root: &'static str,
    crls: Vec<&'static str>,
    require_crl: bool,
}

fn raw(sig: &str) -> DetachedSignature {
    DetachedSignature::Raw(bytes(sig))
}

fn cms(sig: &str) -> DetachedSignature {
    DetachedSignature::Cms(Box::new(SignedData::from_pem_or_der(&bytes(sig)).unwrap()))
}

fn case(signature: DetachedSignature, leaf: &'static str) -> Case {
    Case {
        manifest: "manifest.json",
        signature,
        leaf,
        chain: vec!["inter.pem"],
        root: "root.pem",
        crls: vec![],
        require_crl: false,
    }
}

fn run(c: &Case) -> Report {
    let manifest = bytes(c.manifest);
    let leaf = certs(c.leaf).remove(0);
    let chain: Vec<Certificate> = c.chain.iter().flat_map(|n| certs(n)).collect();
    let roots = certs(c.root);
    let crls: Vec<Crl> = c.crls.iter().flat_map(|n| crl(n)).collect();
    verify_manifest(&ManifestRequest {
        subject: c.manifest,
        manifest: &manifest,
        signature: &c.signature,
        leaf: &leaf,
        intermediates: &chain,
        anchors: &roots,
        crls: &crls,
        require_crl: c.require_crl,
        time: at(),
    })
}

/// Asserts the report failed exactly at `id`, with `needle` in the detail.
fn fails_at(r: &Report, id: &str, needle: &str) {
    assert!(!r.ok(), "{}", r.to_json());
    let first = r.first_failure().expect("a failed check");
    assert_eq!(first.id, id, "{}", r.to_json());
    assert!(first.detail.contains(needle), "{}", first.detail);
    // Every later check is recorded as not reached.
    let pos = r.checks().iter().position(|c| c.id == id).unwrap();
    for c in &r.checks()[pos + 1..] {
        assert!(matches!(c.status, CheckStatus::Skipped { .. }), "{c:?}");
    }
}

#[test]
fn good_signatures_verify() {
    for c in [
        case(raw("manifest.leaf.sig"), "leaf.pem"),
        case(raw("manifest.leaf.sig"), "leaf.der"),
        case(raw("manifest.leaf-rsa.sig"), "leaf-rsa.pem"),
        case(cms("manifest.cms.der"), "leaf.pem"),
        case(cms("manifest.noattr.cms.der"), "leaf.pem"),
        case(cms("manifest.keyid.cms.pem"), "leaf.pem"),
        case(cms("manifest.rsa.cms.der"), "leaf-rsa.pem"),
        Case {
            chain: vec![],
            ..case(cms("manifest.cms.der"), "leaf.pem")
        },
        Case {
            crls: vec!["inter.crl.pem", "root.crl.pem"],
            require_crl: true,
            ..case(raw("manifest.leaf.sig"), "leaf.pem")
        },
    ] {
        let r = run(&c);
        assert!(r.ok(), "{}", r.to_json());
    }
}

#[test]
fn signature_failures() {
    let tampered = Case {
        manifest: "manifest-tampered.json",
        ..case(raw("manifest.leaf.sig"), "leaf.pem")
    };
    fails_at(&run(&tampered), "x509.signature", "does not verify");
    let tampered_cms = Case {
        manifest: "manifest-tampered.json",
        ..case(cms("manifest.cms.der"), "leaf.pem")
    };
    fails_at(
        &run(&tampered_cms),
        "x509.cms.message-digest",
        "is not the sha256",
    );
    let tampered_noattr = Case {
        manifest: "manifest-tampered.json",
        ..case(cms("manifest.noattr.cms.der"), "leaf.pem")
    };
    fails_at(&run(&tampered_noattr), "x509.signature", "does not verify");
    fails_at(
        &run(&case(cms("manifest.wrong-digest.cms.der"), "leaf.pem")),
        "x509.cms.message-digest",
        "messageDigest",
    );
    // Right signature, another leaf: the CMS signer is not the leaf.
    fails_at(
        &run(&case(cms("manifest.cms.der"), "leaf-rsa.pem")),
        "x509.cms.signer",
        "not the leaf",
    );
    fails_at(
        &run(&case(cms("manifest.keyid.cms.pem"), "leaf-rsa.pem")),
        "x509.cms.signer",
        "not the leaf",
    );
    // A raw signature by another key.
    fails_at(
        &run(&case(raw("manifest.leaf-revoked.sig"), "leaf.pem")),
        "x509.signature",
        "does not verify",
    );
}

#[test]
fn chain_failures() {
    let sig = |k: &str| raw(Box::leak(format!("manifest.{k}.sig").into_boxed_str()));
    fails_at(
        &run(&case(sig("leaf-expired"), "leaf-expired.pem")),
        "x509.chain",
        "expired",
    );
    fails_at(
        &run(&case(sig("leaf-notyet"), "leaf-notyet.pem")),
        "x509.chain",
        "not yet valid",
    );
    fails_at(
        &run(&case(sig("leaf-wrong-eku"), "leaf-wrong-eku.pem")),
        "x509.chain",
        "extended-key-usage",
    );
    fails_at(
        &run(&Case {
            chain: vec!["chain-pathlen.pem"],
            ..case(sig("leaf-pathlen"), "leaf-pathlen.pem")
        }),
        "x509.chain",
        "pathLenConstraint",
    );
    fails_at(
        &run(&Case {
            chain: vec!["inter-nc.pem"],
            ..case(sig("leaf-nc"), "leaf-nc.pem")
        }),
        "x509.chain",
        "name-constraints",
    );
    fails_at(
        &run(&Case {
            root: "other-root.pem",
            ..case(sig("leaf"), "leaf.pem")
        }),
        "x509.chain",
        "no path",
    );
    // Embedded CMS certificates (leaf and intermediate) are intermediates, never anchors:
    // with another root pinned, the self-contained CMS does not verify.
    fails_at(
        &run(&Case {
            root: "other-root.pem",
            chain: vec![],
            ..case(cms("manifest.cms.der"), "leaf.pem")
        }),
        "x509.chain",
        "no path",
    );
}

#[test]
fn revocation() {
    let r = run(&Case {
        crls: vec!["inter.crl.der"],
        ..case(raw("manifest.leaf-revoked.sig"), "leaf-revoked.pem")
    });
    fails_at(&r, "x509.revocation", "revoked on 2025-06-01T00:00:00Z");
    let r = run(&Case {
        chain: vec!["inter-revoked.pem"],
        crls: vec!["root.crl.pem"],
        ..case(
            raw("manifest.leaf-under-revoked.sig"),
            "leaf-under-revoked.pem",
        )
    });
    fails_at(&r, "x509.revocation", "depth 1");
    // --require-crl: the intermediate is not covered without the root's CRL.
    let r = run(&Case {
        crls: vec!["inter.crl.pem"],
        require_crl: true,
        ..case(raw("manifest.leaf.sig"), "leaf.pem")
    });
    fails_at(&r, "x509.revocation", "CRLs are required");
    let r = run(&Case {
        require_crl: true,
        ..case(raw("manifest.leaf.sig"), "leaf.pem")
    });
    fails_at(&r, "x509.revocation", "CRLs are required");
    // Without --require-crl, a missing CRL is a warning, not a pass in disguise.
    let r = run(&case(raw("manifest.leaf.sig"), "leaf.pem"));
    assert!(r.ok());
    assert!(r.checks().iter().all(|c| c.id != "x509.revocation"));
    assert!(r
        .warnings()
        .iter()
        .any(|w| w.contains("revocation not checked")));
}

#[test]
fn hostile_cms_never_panics_or_verifies() {
    let good = bytes("manifest.cms.der");
    for n in 0..good.len() {
        assert!(
            SignedData::from_der(&good[..n]).is_err(),
            "truncated at {n}"
        );
    }
    let manifest = bytes("manifest.json");
    let leaf = certs("leaf.pem").remove(0);
    let roots = certs("root.pem");
    let chain = certs("inter.pem");
    let mut verified = 0;
    // One-byte mutations in the signer info and signed attributes (the tail of the
    // document): none may verify.
    let start = good.len().saturating_sub(300);
    for i in start..good.len() {
        for flip in [0x01u8, 0x80] {
            let mut m = good.clone();
            m[i] ^= flip;
            let Ok(sd) = SignedData::from_der(&m) else {
                continue;
            };
            let sig = DetachedSignature::Cms(Box::new(sd));
            let r = verify_manifest(&ManifestRequest {
                subject: "mutated",
                manifest: &manifest,
                signature: &sig,
                leaf: &leaf,
                intermediates: &chain,
                anchors: &roots,
                crls: &[],
                require_crl: false,
                time: at(),
            });
            if r.ok() {
                verified += 1;
            }
        }
    }
    assert_eq!(verified, 0);
}

#[test]
fn budgets() {
    // More certificates in a file than allowed.
    let one = bytes("inter.pem");
    let many: Vec<u8> = one.iter().copied().cycle().take(one.len() * 100).collect();
    assert!(certificates_from_pem_or_der(&many, 64).is_err());
    // Deep nesting and indefinite lengths are refused, not recursed into.
    let mut deep = vec![0x30u8, 0x80];
    deep.extend(std::iter::repeat_n([0x30u8, 0x80], 50_000).flatten());
    assert!(SignedData::from_der(&deep).is_err());
    assert!(Certificate::from_der(&deep).is_err());
    assert!(SignedData::from_der(&vec![0u8; 2 * 1024 * 1024]).is_err());
}

#[test]
fn ten_thousand_candidate_intermediates_are_bounded() {
    // 10 000 certificates that all name the leaf's issuer but whose signatures are broken:
    // path building stops at its budget, quickly, with a failed chain check.
    let good = certs("inter.pem").remove(0);
    let mut der = good.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let broken = Certificate::from_der(&der).unwrap();
    let many: Vec<Certificate> = std::iter::repeat_n(broken, 10_000).collect();
    let manifest = bytes("manifest.json");
    let leaf = certs("leaf.pem").remove(0);
    let roots = certs("root.pem");
    let sig = raw("manifest.leaf.sig");
    let start = std::time::Instant::now();
    let r = verify_manifest(&ManifestRequest {
        subject: "many",
        manifest: &manifest,
        signature: &sig,
        leaf: &leaf,
        intermediates: &many,
        anchors: &roots,
        crls: &[],
        require_crl: false,
        time: at(),
    });
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    fails_at(&r, "x509.chain", "");
}

/// A CA certificate (cA=TRUE critical, keyUsage digitalSignature + keyCertSign, EKU
/// codeSigning) under the trusted intermediate, whose key made a good signature: never the
/// signer, raw or CMS, with or without the chain given.
#[test]
fn a_ca_certificate_is_never_the_signer() {
    for c in [
        case(raw("manifest.leaf-ca.sig"), "leaf-ca.pem"),
        case(cms("manifest.leaf-ca.cms.der"), "leaf-ca.pem"),
        Case {
            chain: vec![],
            ..case(cms("manifest.leaf-ca.cms.der"), "leaf-ca.pem")
        },
    ] {
        let r = run(&c);
        // The signature itself is good: only the end-entity rule stops it.
        assert!(
            r.checks()
                .iter()
                .any(|k| k.id == "x509.signature" && k.is_pass()),
            "{}",
            r.to_json()
        );
        fails_at(
            &r,
            "x509.chain",
            "basic-constraints: a CA certificate (cA=TRUE) cannot be the end entity in the code-signing profile",
        );
    }
}

fn end_entity_check(cert: &str, profile: Profile) -> Result<(), CheckKind> {
    let leaf = certs(cert).remove(0);
    let options = Options::new(profile);
    let standalone = check_end_entity_certificate(&leaf, &options);
    let path = verify_path(
        &leaf,
        &certs("inter.pem"),
        &certs("root.pem"),
        at(),
        &options,
    )
    .map(|_| ());
    let kind = |r: Result<(), ValidationError>| {
        r.map_err(|e| match e {
            ValidationError::Certificate {
                check, depth: 0, ..
            } => check,
            other => panic!("{other}"),
        })
    };
    let standalone = kind(standalone);
    // The standalone end-entity check and full path validation agree on the end entity.
    if standalone.is_err() {
        assert_eq!(standalone, kind(path), "{cert} {profile:?}");
    }
    standalone
}

/// The end-entity rules per profile (docs/x509.md, "End-entity rules by profile"): a CA as
/// the end entity is refused in the code-signing and CA/B Forum profiles, and allowed only in
/// the RFC 5280 generic profile, which nothing in prov-verify uses to accept a signature.
#[test]
fn ca_as_end_entity_by_profile() {
    assert_eq!(
        end_entity_check("leaf-ca.pem", Profile::CodeSigning),
        Err(CheckKind::BasicConstraints)
    );
    assert_eq!(
        end_entity_check("leaf-ca.pem", Profile::CabfServer),
        Err(CheckKind::BasicConstraints)
    );
    assert_eq!(end_entity_check("leaf-ca.pem", Profile::Rfc5280), Ok(()));
    assert_eq!(end_entity_check("leaf.pem", Profile::CodeSigning), Ok(()));
    assert_eq!(
        end_entity_check("leaf-wrong-eku.pem", Profile::CodeSigning),
        Err(CheckKind::ExtendedKeyUsage)
    );
    // The generic profile validates the CA-flagged leaf's whole path (the rule, not the
    // fixture, is what the other profiles refuse).
    let leaf = certs("leaf-ca.pem").remove(0);
    let (inter, roots) = (certs("inter.pem"), certs("root.pem"));
    assert!(verify_path(&leaf, &inter, &roots, at(), &Options::new(Profile::Rfc5280)).is_ok());
}

/// When no path validates, the most specific failure is reported, not the last one seen: a
/// copy of the name-constrained intermediate with a broken signature, tried after the real
/// one, fails only its own signature check; the report still names the name constraint the
/// real chain violates.
#[test]
fn the_most_specific_failure_is_reported() {
    let sig = raw("manifest.leaf-nc.sig");
    let real = certs("inter-nc.pem").remove(0);
    let mut der = real.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let decoy = Certificate::from_der(&der).unwrap();
    for intermediates in [vec![real.clone(), decoy.clone()], vec![decoy, real]] {
        let manifest = bytes("manifest.json");
        let leaf = certs("leaf-nc.pem").remove(0);
        let roots = certs("root.pem");
        let r = verify_manifest(&ManifestRequest {
            subject: "ranked",
            manifest: &manifest,
            signature: &sig,
            leaf: &leaf,
            intermediates: &intermediates,
            anchors: &roots,
            crls: &[],
            require_crl: false,
            time: at(),
        });
        fails_at(&r, "x509.chain", "name-constraints");
    }
}
