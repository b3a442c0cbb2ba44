//! Path validation on a few x509-limbo testcases, read from the shared kit
//! (../shared/conformance/x509-limbo/limbo.json.gz), plus hostile-input checks: every one-byte
//! mutation of a valid end-entity certificate must be refused, and never panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::VerificationTime;
use plugin_x509::{
    verify_path, Certificate, CheckKind, Crl, Options, PeerName, Profile, ValidationError,
};
use serde_json::Value;
use std::sync::LazyLock;

/// The whole shared suite, decompressed and parsed once per test binary.
static LIMBO: LazyLock<Value> = LazyLock::new(|| {
    let path = format!(
        "{}/../../../shared/conformance/x509-limbo/limbo.json.gz",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_reader(std::io::BufReader::new(flate2::read::GzDecoder::new(file))).unwrap()
});

fn case(id: &str) -> Value {
    let doc = &*LIMBO;
    doc["testcases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("fixture {id} missing"))
}

fn certs(tc: &Value, key: &str) -> Vec<Certificate> {
    tc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Certificate::from_pem_or_der(p.as_str().unwrap().as_bytes()).unwrap())
        .collect()
}

fn time(tc: &Value) -> VerificationTime {
    // The fixtures' times are whole seconds in UTC (`YYYY-MM-DDTHH:MM:SS+00:00`), or null.
    let Some(s) = tc["validation_time"].as_str() else {
        return VerificationTime::from_unix_seconds(2_000_000_000);
    };
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19);
    VerificationTime::from_unix_seconds(u64::try_from(secs).unwrap())
}

fn options(tc: &Value, profile: Profile) -> Options {
    let mut o = Options::new(profile);
    if let Some(name) = tc["expected_peer_name"].as_object() {
        let v = name["value"].as_str().unwrap();
        o.peer_name = Some(match name["kind"].as_str().unwrap() {
            "DNS" => PeerName::Dns(v.to_owned()),
            _ => PeerName::Ip(v.parse().unwrap()),
        });
    }
    if !tc["key_usage"].as_array().unwrap().is_empty() {
        o.required_key_usage = plugin_x509::key_usage::DIGITAL_SIGNATURE;
    }
    for crl in tc["crls"].as_array().unwrap() {
        o.crls
            .push(Crl::from_pem_or_der(crl.as_str().unwrap().as_bytes()).unwrap());
    }
    if let Some(depth) = tc["max_chain_depth"].as_u64() {
        o.max_intermediates = Some(depth as usize);
    }
    o
}

fn run(id: &str, profile: Profile) -> Result<usize, ValidationError> {
    let tc = case(id);
    let leaf =
        Certificate::from_pem_or_der(tc["peer_certificate"].as_str().unwrap().as_bytes()).unwrap();
    let anchors = certs(&tc, "trusted_certs");
    let inter = certs(&tc, "untrusted_intermediates");
    verify_path(&leaf, &inter, &anchors, time(&tc), &options(&tc, profile))
        .map(|p| p.certificates().len())
}

fn failed_check(r: Result<usize, ValidationError>) -> CheckKind {
    match r {
        Err(ValidationError::Certificate { check, .. }) => check,
        other => panic!("expected a certificate check failure, got {other:?}"),
    }
}

#[test]
fn valid_chains_verify() {
    assert_eq!(
        run("webpki::san::exact-dns-san", Profile::CabfServer).unwrap(),
        2
    );
    assert_eq!(
        run("webpki::cryptographydotio-chain", Profile::CabfServer).unwrap(),
        3
    );
    // leaf -> A1 -> A (cross-signed by B and C) -> trusted A: the cycle is not followed.
    assert!(run("cve::cve-2024-0567", Profile::CabfServer).is_ok());
    assert!(run("crl::certificate-not-on-crl", Profile::CabfServer).is_ok());
}

#[test]
fn profile_differences() {
    // EKU is required in the end entity by the CA/B Forum profile only.
    let id = "webpki::eku::ee-without-eku";
    assert_eq!(
        failed_check(run(id, Profile::CabfServer)),
        CheckKind::ExtendedKeyUsage
    );
    assert!(run(id, Profile::Rfc5280).is_ok());
    // The code-signing profile wants codeSigning.
    assert_eq!(
        failed_check(run("webpki::san::exact-dns-san", Profile::CodeSigning)),
        CheckKind::ExtendedKeyUsage
    );
}

#[test]
fn invalid_chains_name_the_failed_check() {
    assert_eq!(
        failed_check(run("rfc5280::validity::expired-leaf", Profile::Rfc5280)),
        CheckKind::Validity
    );
    assert_eq!(
        failed_check(run("rfc5280::nc::excluded-dns-match", Profile::Rfc5280)),
        CheckKind::NameConstraints
    );
    assert_eq!(
        failed_check(run(
            "rfc5280::unknown-critical-extension-ee",
            Profile::Rfc5280
        )),
        CheckKind::Extensions
    );
    assert_eq!(
        failed_check(run(
            "pathlen::intermediate-violates-pathlen-0",
            Profile::Rfc5280
        )),
        CheckKind::PathLength
    );
    assert_eq!(
        // Under the RFC 5280 profile, so that name constraints (the CVE) are what rejects it;
        // the CA/B Forum profile rejects this leaf earlier, on its CN (BR 7.1.4.3).
        failed_check(run("cve::cve-2025-61727", Profile::Rfc5280)),
        CheckKind::NameConstraints
    );
    assert_eq!(
        failed_check(run(
            "crl::revoked-certificate-with-crl",
            Profile::CabfServer
        )),
        CheckKind::Revocation
    );
    assert!(run(
        "pathological::pathological-chain-same-subject-same-key",
        Profile::CabfServer
    )
    .is_err());
}

#[test]
fn budgets_stop_path_building() {
    let tc = case("cve::cve-2024-0567");
    let leaf =
        Certificate::from_pem_or_der(tc["peer_certificate"].as_str().unwrap().as_bytes()).unwrap();
    let anchors = certs(&tc, "trusted_certs");
    let inter = certs(&tc, "untrusted_intermediates");
    let mut o = options(&tc, Profile::CabfServer);
    o.budget.signatures = 1;
    assert!(matches!(
        verify_path(&leaf, &inter, &anchors, time(&tc), &o),
        Err(ValidationError::BudgetExhausted(_))
    ));
    let mut o = options(&tc, Profile::CabfServer);
    o.budget.max_intermediates = 0;
    assert!(verify_path(&leaf, &inter, &anchors, time(&tc), &o).is_err());
}

#[test]
fn wrong_time_and_name_are_refused() {
    let tc = case("webpki::san::exact-dns-san");
    let leaf =
        Certificate::from_pem_or_der(tc["peer_certificate"].as_str().unwrap().as_bytes()).unwrap();
    let anchors = certs(&tc, "trusted_certs");
    let mut o = options(&tc, Profile::CabfServer);
    o.peer_name = Some(PeerName::Dns("example.org".into()));
    assert_eq!(
        failed_check(verify_path(&leaf, &[], &anchors, time(&tc), &o).map(|_| 0)),
        CheckKind::PeerName
    );
    let o = options(&tc, Profile::CabfServer);
    let (_, not_after) = leaf.validity();
    let late = VerificationTime::from_unix_seconds(u64::try_from(not_after).unwrap() + 1);
    assert_eq!(
        failed_check(verify_path(&leaf, &[], &anchors, late, &o).map(|_| 0)),
        CheckKind::Validity
    );
    // No anchors: no path.
    assert!(matches!(
        verify_path(&leaf, &[], &[], time(&tc), &o),
        Err(ValidationError::NoPath(_))
    ));
}

#[test]
fn every_one_byte_mutation_of_the_leaf_is_refused() {
    let tc = case("webpki::cryptographydotio-chain");
    let leaf =
        Certificate::from_pem_or_der(tc["peer_certificate"].as_str().unwrap().as_bytes()).unwrap();
    let anchors = certs(&tc, "trusted_certs");
    let inter = certs(&tc, "untrusted_intermediates");
    let o = options(&tc, Profile::CabfServer);
    let t = time(&tc);
    assert!(verify_path(&leaf, &inter, &anchors, t, &o).is_ok());
    let der = leaf.der().to_vec();
    for i in 0..der.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut m = der.clone();
            m[i] ^= flip;
            if let Ok(c) = Certificate::from_der(&m) {
                assert!(
                    verify_path(&c, &inter, &anchors, t, &o).is_err(),
                    "mutation at byte {i} (^{flip:#x}) was accepted"
                );
            }
        }
        // Truncation must be a parse error, never a panic.
        assert!(Certificate::from_der(&der[..i]).is_err());
    }
}

#[test]
fn garbage_never_panics() {
    let mut state = 0x1234_5678_u32;
    for len in 0..512 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        let _ = Certificate::from_der(&bytes);
        let _ = Crl::from_der(&bytes);
        let mut seq = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
        seq.extend_from_slice(&bytes);
        let _ = Certificate::from_der(&seq);
    }
}
