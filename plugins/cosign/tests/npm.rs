//! npm packages (tests/realworld/npm: 8 packages published with provenance, their
//! attestations as the registry served them, the registry keys from the Sigstore TUF
//! repository): each verifies as `npm audit signatures` verified it, and each kind of tampering
//! fails on the check that names it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{Report, VerificationTime};
use plugin_cosign::npm::{self, Inputs, ProvenanceSigner};
use plugin_cosign::TrustedRoot;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// 2026-12-01T00:00:00Z, as the real-world corpus.
const AT: u64 = 1_796_083_200;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/realworld")
}

fn read(rel: &str) -> Vec<u8> {
    let p = dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn root() -> TrustedRoot {
    TrustedRoot::from_json(&read("roots/public-good.trusted_root.json")).unwrap()
}

fn keys() -> Vec<npm::RegistryKey> {
    npm::parse_keys(&read("npm/keys.sigstore-tuf.json")).unwrap()
}

fn entries() -> Vec<Value> {
    serde_json::from_slice::<Value>(&read("npm/sources.json"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn run(package: &[u8], attestations: &[u8], keys: &[npm::RegistryKey]) -> Report {
    npm::verify(
        "package",
        Inputs {
            package,
            attestations,
            keys,
            root: &root(),
            provenance_signer: ProvenanceSigner::PackageRepository,
            time: VerificationTime::from_unix_seconds(AT),
        },
    )
}

fn failed(r: &Report) -> String {
    r.first_failure()
        .map(|c| format!("{}: {}", c.id, c.explanation()))
        .unwrap_or_default()
}

#[test]
fn every_real_package_verifies() {
    let keys = keys();
    let mut failures = Vec::new();
    for e in entries() {
        let id = e["id"].as_str().unwrap();
        if id == "tuf-js-1.0.0" {
            // Built in another repository than package.json names: see below.
            continue;
        }
        let r = run(
            &read(&format!("npm/{}", e["tarball"].as_str().unwrap())),
            &read(&format!("npm/{}", e["attestations"].as_str().unwrap())),
            &keys,
        );
        if !r.ok() {
            failures.push(format!("{id}: {}", failed(&r)));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn files(id: &str) -> (Vec<u8>, Vec<u8>) {
    let e = entries()
        .into_iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id}"));
    (
        read(&format!("npm/{}", e["tarball"].as_str().unwrap())),
        read(&format!("npm/{}", e["attestations"].as_str().unwrap())),
    )
}

fn assert_fails(r: &Report, check: &str, needle: &str) {
    assert!(!r.ok(), "verified: {}", r.to_json());
    let f = failed(r);
    assert!(
        f.starts_with(check) && f.contains(needle),
        "expected {check} ({needle}), got {f}"
    );
}

#[test]
fn the_registry_keys_document_verifies_them_too_within_each_keys_expiry() {
    // The registry's own document: `expires` only. The old key expired 2025-01-29; every
    // package signed with it was logged before.
    let keys = npm::parse_keys(&read("npm/keys.json")).unwrap();
    assert_eq!(keys.len(), 2);
    for id in [
        "sigstore-2.3.1",
        "playwright+cli-0.1.1",
        "gundam-visor-1.0.1",
    ] {
        let (tgz, att) = files(id);
        let r = run(&tgz, &att, &keys);
        assert!(r.ok(), "{id}: {}", failed(&r));
    }
}

#[test]
fn a_changed_tarball_fails() {
    let (mut tgz, att) = files("sigstore-2.3.1");
    let last = tgz.len() - 1;
    tgz[last] ^= 1; // the gzip trailer: still readable up to package.json
    assert_fails(
        &run(&tgz, &att, &keys()),
        "npm.publish.bundle",
        "cosign.intoto.subject",
    );
}

#[test]
fn another_packages_attestations_fail() {
    let (tgz, _) = files("sigstore-2.3.1");
    let (_, other) = files("gundam-visor-1.0.1");
    assert_fails(
        &run(&tgz, &other, &keys()),
        "npm.publish.bundle",
        "cosign.intoto.subject",
    );
}

#[test]
fn a_provenance_of_another_package_fails() {
    let (tgz, att) = files("sigstore-2.3.1");
    let (_, other) = files("gundam-visor-1.0.1");
    let mut doc: Value = serde_json::from_slice(&att).unwrap();
    let other: Value = serde_json::from_slice(&other).unwrap();
    let prov = |d: &Value| {
        d["attestations"]
            .as_array()
            .unwrap()
            .iter()
            .position(|a| {
                a["predicateType"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://slsa.dev/")
            })
            .unwrap()
    };
    let i = prov(&doc);
    doc["attestations"][i] = other["attestations"][prov(&other)].clone();
    let r = run(&tgz, &serde_json::to_vec(&doc).unwrap(), &keys());
    assert_fails(&r, "npm.provenance.bundle", "cosign.intoto.subject");
    // The publish attestation still verified: the failure is the provenance's alone.
    assert!(r
        .checks()
        .iter()
        .any(|c| c.id == "npm.publish.subject" && c.status.name() == "pass"));
}

#[test]
fn a_key_used_outside_its_validity_fails() {
    // The same key, valid only until a day before sigstore 2.3.1's publish attestation was
    // logged (2024-04).
    let mut doc: Value = serde_json::from_slice(&read("npm/keys.sigstore-tuf.json")).unwrap();
    for k in doc["keys"].as_array_mut().unwrap() {
        k["publicKey"]["validFor"]["end"] = Value::String("2024-01-01T00:00:00.000Z".into());
    }
    let keys = npm::parse_keys(&serde_json::to_vec(&doc).unwrap()).unwrap();
    let (tgz, att) = files("sigstore-2.3.1");
    assert_fails(
        &run(&tgz, &att, &keys),
        "npm.publish.key-validity",
        "expired",
    );
    // And before it became valid.
    for k in doc["keys"].as_array_mut().unwrap() {
        k["publicKey"]["validFor"] = serde_json::json!({"start": "2025-01-01T00:00:00.000Z"});
    }
    let keys = npm::parse_keys(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_fails(
        &run(&tgz, &att, &keys),
        "npm.publish.key-validity",
        "before",
    );
}

#[test]
fn an_unknown_registry_key_fails() {
    // Only the 2025 key: packages signed with the older one name a key not given.
    let mut doc: Value = serde_json::from_slice(&read("npm/keys.json")).unwrap();
    doc["keys"].as_array_mut().unwrap().remove(0);
    let keys = npm::parse_keys(&serde_json::to_vec(&doc).unwrap()).unwrap();
    let (tgz, att) = files("sigstore-2.3.1");
    assert_fails(
        &run(&tgz, &att, &keys),
        "npm.publish.bundle",
        "no registry key",
    );
    // The new key put in the old key's place: the signature does not verify.
    let mut doc: Value = serde_json::from_slice(&read("npm/keys.json")).unwrap();
    let new_key = doc["keys"][1]["key"].clone();
    doc["keys"][0]["key"] = new_key;
    let keys = npm::parse_keys(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_fails(&run(&tgz, &att, &keys), "npm.publish.bundle", "cosign.");
}

#[test]
fn missing_duplicate_and_unreadable_attestations_fail() {
    let (tgz, att) = files("sigstore-2.3.1");
    let doc: Value = serde_json::from_slice(&att).unwrap();
    let list = doc["attestations"].as_array().unwrap();
    for keep_publish in [true, false] {
        let kept: Vec<Value> = list
            .iter()
            .filter(|a| (a["predicateType"] == npm::PUBLISH_PREDICATE) == keep_publish)
            .cloned()
            .collect();
        let one = serde_json::json!({ "attestations": kept });
        assert_fails(
            &run(&tgz, &serde_json::to_vec(&one).unwrap(), &keys()),
            "npm.attestations",
            "no ",
        );
    }
    let doubled: Vec<Value> = list.iter().chain(list.iter()).cloned().collect();
    let two = serde_json::json!({ "attestations": doubled });
    assert_fails(
        &run(&tgz, &serde_json::to_vec(&two).unwrap(), &keys()),
        "npm.attestations",
        "two attestations",
    );
    assert_fails(
        &run(&tgz, b"{\"attestations\": 1}", &keys()),
        "npm.attestations",
        "array",
    );
    // Duplicate members are refused by the one JSON reader policy.
    let dup = br#"{"attestations": [], "attestations": []}"#;
    assert_fails(&run(&tgz, dup, &keys()), "npm.attestations", "JSON");
}

#[test]
fn a_file_that_is_not_a_package_fails() {
    let (_, att) = files("sigstore-2.3.1");
    assert_fails(&run(b"not gzip", &att, &keys()), "npm.package", "gzip");
}

#[test]
fn a_package_built_from_another_repository_than_it_names_fails_unless_the_identity_is_given() {
    // tuf-js 1.0.0 names github.com/github/tuf-js in package.json; it was built in
    // theupdateframework/tuf-js (the repository moved). The registry refuses such a publish
    // today; by default this is a failure, and an explicit identity accepts it.
    let (tgz, att) = files("tuf-js-1.0.0");
    assert_fails(
        &run(&tgz, &att, &keys()),
        "npm.provenance.source",
        "package.json names github.com/github/tuf-js",
    );
    let identity = plugin_cosign::IdentityPolicy {
        san: plugin_cosign::Matcher::regex(
            r"https://github\.com/theupdateframework/tuf-js/\.github/workflows/.*",
        )
        .unwrap(),
        issuer: plugin_cosign::Matcher::Exact("https://token.actions.githubusercontent.com".into()),
    };
    let r = npm::verify(
        "tuf-js",
        Inputs {
            package: &tgz,
            attestations: &att,
            keys: &keys(),
            root: &root(),
            provenance_signer: ProvenanceSigner::Identity(&identity),
            time: VerificationTime::from_unix_seconds(AT),
        },
    );
    assert!(r.ok(), "{}", failed(&r));
    // A wrong identity fails.
    let wrong = plugin_cosign::IdentityPolicy {
        san: plugin_cosign::Matcher::regex(r"https://github\.com/github/tuf-js/.*").unwrap(),
        issuer: plugin_cosign::Matcher::Exact("https://token.actions.githubusercontent.com".into()),
    };
    let r = npm::verify(
        "tuf-js",
        Inputs {
            package: &tgz,
            attestations: &att,
            keys: &keys(),
            root: &root(),
            provenance_signer: ProvenanceSigner::Identity(&wrong),
            time: VerificationTime::from_unix_seconds(AT),
        },
    );
    assert_fails(&r, "npm.provenance.bundle", "cosign.identity");
}

#[test]
fn the_embedded_keys_are_the_tuf_target_and_parse() {
    let tuf = dir().join("tuf/sigstore-public-good/targets/registry.npmjs.org/160677eb6e1c7083c89b166b20f8fe4e837fb71181506aff1991b80b89184f7d.keys.json");
    assert_eq!(
        npm::EMBEDDED_KEYS_JSON,
        std::fs::read(tuf).unwrap().as_slice()
    );
    use sha2::Digest as _;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(npm::EMBEDDED_KEYS_JSON)),
        "160677eb6e1c7083c89b166b20f8fe4e837fb71181506aff1991b80b89184f7d"
    );
    assert_eq!(npm::parse_keys(npm::EMBEDDED_KEYS_JSON).unwrap().len(), 2);
}
