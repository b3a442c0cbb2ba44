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
            expected: None,
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
    // The same files, compressed again: other bytes, so another SHA-512.
    let (tgz, att) = files("sigstore-2.3.1");
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(tgz.as_slice()), &mut tar)
        .unwrap();
    let again = gzip(&tar);
    assert_ne!(again, tgz);
    assert_fails(
        &run(&again, &att, &keys()),
        "npm.publish.bundle",
        "cosign.intoto.subject",
    );
    // A damaged gzip trailer is caught reading the archive.
    let mut broken = tgz.clone();
    let last = broken.len() - 1;
    broken[last] ^= 1;
    assert_fails(&run(&broken, &att, &keys()), "npm.package", "gzip");
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
            expected: None,
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
            expected: None,
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

/// A gzip tar of `(path, type, body)` entries, built header by header (so that hostile forms
/// can be written).
fn tgz(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, kind, body) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        // Raw name bytes: set_path refuses `..`.
        let name = path.as_bytes();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        if *kind == tar::EntryType::Symlink {
            h.set_link_name("../evil.json").unwrap();
            h.set_size(0);
        }
        h.set_cksum();
        b.append(
            &h,
            if *kind == tar::EntryType::Symlink {
                &[][..]
            } else {
                *body
            },
        )
        .unwrap();
    }
    gzip(&b.into_inner().unwrap())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const PKG: &[u8] = br#"{"name":"widget","version":"1.0.0","repository":"github:acme/widget"}"#;
const EVIL: &[u8] = br#"{"name":"widget","version":"1.0.0","repository":"github:evil/widget"}"#;

#[test]
fn the_package_json_is_read_as_an_extractor_would_or_refused() {
    use tar::EntryType as T;
    let ok = npm::read_package(&tgz(&[("package/package.json", T::Regular, PKG)])).unwrap();
    assert_eq!(ok.repository.as_deref(), Some("github.com/acme/widget"));
    assert_eq!(ok.purl(), "pkg:npm/widget@1.0.0");
    // Any top directory is stripped, `.` components are ignored.
    assert!(npm::read_package(&tgz(&[("./node/package.json", T::Regular, PKG)])).is_ok());
    for (name, archive, needle) in [
        (
            "a second package.json (an extractor keeps the last)",
            tgz(&[
                ("package/package.json", T::Regular, PKG),
                ("other/package.json", T::Regular, EVIL),
            ]),
            "second package.json",
        ),
        (
            "a link",
            tgz(&[("package/package.json", T::Symlink, b"")]),
            "not a regular file",
        ),
        (
            "a path leaving the package",
            tgz(&[
                ("package/../x", T::Regular, b"x"),
                ("package/package.json", T::Regular, PKG),
            ]),
            "leaves the package",
        ),
        (
            "a GNU long name renaming a later entry into package.json",
            tgz(&[
                ("package/package.json", T::Regular, PKG),
                ("././@LongLink", T::GNULongName, b"package/package.json\0"),
                ("package/readme", T::Regular, EVIL),
            ]),
            "second package.json",
        ),
        (
            "a pax path renaming a later entry into package.json",
            tgz(&[
                ("package/package.json", T::Regular, PKG),
                ("PaxHeader", T::XHeader, b"29 path=package/package.json\n"),
                ("package/readme", T::Regular, EVIL),
            ]),
            "second package.json",
        ),
        (
            "an oversized long name (the memory of a tar bomb)",
            tgz(&[("././@LongLink", T::GNULongName, &vec![b'a'; 100 << 10])]),
            "extended tar header",
        ),
        (
            "a global header renaming entries",
            tgz(&[(
                "pax_global_header",
                T::XGlobalHeader,
                b"29 path=package/package.json\n",
            )]),
            "global tar header",
        ),
    ] {
        let got = npm::read_package(&archive);
        assert!(
            got.as_ref().is_err_and(|e| e.contains(needle)),
            "{name}: {got:?}"
        );
    }
    // A second gzip member (what Node's gunzip reads too) holding another package.json.
    let mut two = tgz(&[("package/package.json", T::Regular, PKG)]);
    two.extend(tgz(&[("package/package.json", T::Regular, EVIL)]));
    let got = npm::read_package(&two);
    assert!(got.is_err(), "{got:?}");
}

#[test]
fn malformed_key_validity_is_refused() {
    let mut doc: Value = serde_json::from_slice(&read("npm/keys.sigstore-tuf.json")).unwrap();
    doc["keys"][1]["publicKey"]["validFor"]["end"] = Value::from(0);
    assert!(npm::parse_keys(&serde_json::to_vec(&doc).unwrap())
        .is_err_and(|e| e.contains("not a time")));
    let mut doc: Value = serde_json::from_slice(&read("npm/keys.sigstore-tuf.json")).unwrap();
    doc["keys"][1]["publicKey"]["validFor"] = Value::from("2030");
    assert!(npm::parse_keys(&serde_json::to_vec(&doc).unwrap())
        .is_err_and(|e| e.contains("not an object")));
}

#[test]
fn the_signed_predicate_type_must_be_the_documents_label() {
    // The v1 provenance relabelled v0.2 in the (unsigned) document.
    let (tgz, att) = files("sigstore-2.3.1");
    let mut doc: Value = serde_json::from_slice(&att).unwrap();
    for a in doc["attestations"].as_array_mut().unwrap() {
        if a["predicateType"] == "https://slsa.dev/provenance/v1" {
            a["predicateType"] = Value::from("https://slsa.dev/provenance/v0.2");
        }
    }
    let r = run(&tgz, &serde_json::to_vec(&doc).unwrap(), &keys());
    assert_fails(
        &r,
        "npm.provenance.subject",
        "signed statement's predicateType",
    );
    // The publish attestation relabelled as provenance and the provenance as publish.
    let mut doc: Value = serde_json::from_slice(&att).unwrap();
    for a in doc["attestations"].as_array_mut().unwrap() {
        a["predicateType"] = if a["predicateType"] == npm::PUBLISH_PREDICATE {
            Value::from("https://slsa.dev/provenance/v1")
        } else {
            Value::from(npm::PUBLISH_PREDICATE)
        };
    }
    let r = run(&tgz, &serde_json::to_vec(&doc).unwrap(), &keys());
    assert!(!r.ok(), "{}", r.to_json());
}

#[test]
fn an_expected_package_is_compared() {
    let (tgz, att) = files("sigstore-2.3.1");
    let root = root();
    let keys = keys();
    let with = |expected| {
        npm::verify(
            "sigstore",
            Inputs {
                package: &tgz,
                attestations: &att,
                keys: &keys,
                root: &root,
                provenance_signer: ProvenanceSigner::PackageRepository,
                time: VerificationTime::from_unix_seconds(AT),
                expected,
            },
        )
    };
    assert!(with(Some("sigstore@2.3.1")).ok());
    assert_fails(
        &with(Some("sigstore@1.0.0")),
        "npm.package",
        "not the expected sigstore@1.0.0",
    );
    assert_fails(
        &with(Some("other@2.3.1")),
        "npm.package",
        "not the expected",
    );
}
