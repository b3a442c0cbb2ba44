//! The OSCAL report validates against NIST's published OSCAL 1.2.1 assessment-results JSON
//! schema (`fixtures/oscal/`, pinned: source and SHA-256 in SOURCE.md), with formats
//! (date-time, uri-reference, …) asserted; and holds together where the schema cannot check:
//! unique UUIDs, every reference resolving, one finding per control line, one resource per
//! artifact with its SHA-256. Every fixture pack is rendered: the sample (version 2), the
//! pipelines layout and a version 1 pack.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity,
    clippy::cmp_owned
)]

use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::{parse_public_key, Limits, PLUGIN};
use plugin_api::Report;
use serde_json::Value;
use sha2::Digest;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn key(path: &str) -> merkle::note::VerifierKey {
    parse_public_key(&std::fs::read_to_string(repo().join(path)).unwrap()).unwrap()
}

fn schema() -> jsonschema::Validator {
    let bytes =
        std::fs::read(repo().join("fixtures/oscal/oscal_assessment-results_schema.json")).unwrap();
    // The pinned file, byte for byte.
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&bytes)),
        "4f9e277a177adbcca9527612ce450a33dc6096773fa229d413d801d196c61985"
    );
    let schema: Value = serde_json::from_slice(&bytes).unwrap();
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the OSCAL schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The OSCAL report of a fixture pack, and the pack's index.
fn render(pack: &str) -> (Value, audit_pack::Index) {
    let bytes = std::fs::read(repo().join(pack)).unwrap();
    let index = [key("fixtures/evidence/keys/acme-audit-pack.pub")];
    // The insecure pack's manifest is recorded as not verified: verified without the release
    // key (with it, re-verification would contradict the record).
    let manifest = if pack.contains("/insecure/") {
        Vec::new()
    } else {
        vec![key("fixtures/evidence/keys/acme-release.pub")]
    };
    let trust = audit_pack::Trust::keys(&index).with_manifest_keys(&manifest);
    let (v, digest) = report::verify_and_digest_trusted(
        Report::builder(PLUGIN),
        bytes.as_slice(),
        &trust,
        &Limits::DEFAULT,
        None,
    )
    .unwrap();
    let verified = v
        .verified()
        .unwrap_or_else(|| panic!("{pack}: {:?}", v.report));
    let digest = digest.unwrap();
    let input = ReportInput {
        pack: verified,
        verification: &v.report,
        file_name: Path::new(pack).file_name().unwrap().to_str().unwrap(),
        pack_sha256: &digest,
    };
    let a = report::render(&input, ReportFormat::Oscal).unwrap();
    let b = report::render(&input, ReportFormat::Oscal).unwrap();
    assert_eq!(a, b, "deterministic");
    (
        serde_json::from_slice(&a).unwrap(),
        verified.index().clone(),
    )
}

const PACKS: [&str; 4] = [
    "fixtures/evidence/audit-pack-acme-2026-11-23.tgz",
    "fixtures/evidence/pipelines/audit-pack-acme-2026-11-23.tgz",
    "fixtures/audit-pack-v1/audit-pack-acme-2026-11-23.tgz",
    // Built with --allow-unverified-manifests: its manifest lines are recorded as not verified.
    "fixtures/evidence/insecure/audit-pack-acme-2026-11-23.tgz",
];

#[test]
fn oscal_reports_validate_against_the_nist_schema() {
    let v = schema();
    for pack in PACKS {
        let (doc, _) = render(pack);
        let e = errors(&v, &doc);
        assert!(e.is_empty(), "{pack}:\n{}", e.join("\n"));
    }
}

/// The hand-written example beside the schema (its shape documented in SOURCE.md) validates
/// too, so the two stay comparable.
#[test]
fn the_example_validates() {
    let doc: Value = serde_json::from_slice(
        &std::fs::read(repo().join("fixtures/oscal/example-assessment-results.json")).unwrap(),
    )
    .unwrap();
    let e = errors(&schema(), &doc);
    assert!(e.is_empty(), "{}", e.join("\n"));
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let v = schema();
    let (doc, _) = render(PACKS[0]);
    let mutants: Vec<(&str, Box<dyn Fn(&mut Value)>)> = vec![
        (
            "a version 1 UUID",
            Box::new(move |d| {
                set_at(
                    d,
                    &["assessment-results", "uuid"],
                    "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                )
            }),
        ),
        (
            "a control id starting with a digit",
            Box::new(|d| {
                d["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] =
                    Value::from("7.2.4");
            }),
        ),
        (
            "a state other than satisfied/not-satisfied",
            Box::new(|d| {
                d["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
                    Value::from("passed");
            }),
        ),
        (
            "a time without a zone",
            Box::new(|d| {
                d["assessment-results"]["metadata"]["last-modified"] =
                    Value::from("2026-11-23T00:00:00");
            }),
        ),
        (
            "an unknown member",
            Box::new(|d| {
                d["assessment-results"]["results"][0]["sha256"] = Value::from("x");
            }),
        ),
        (
            "an href with a space",
            Box::new(|d| {
                d["assessment-results"]["back-matter"]["resources"][0]["rlinks"][0]["href"] =
                    Value::from("a b.csv");
            }),
        ),
        (
            "an empty findings list",
            Box::new(|d| {
                d["assessment-results"]["results"][0]["findings"] = Value::Array(Vec::new());
            }),
        ),
    ];
    for (what, mutate) in mutants {
        let mut d = doc.clone();
        mutate(&mut d);
        assert!(!errors(&v, &d).is_empty(), "{what} was not refused");
    }
}

fn set_at(d: &mut Value, path: &[&str], value: &str) {
    let mut at = d;
    for p in path {
        at = &mut at[*p];
    }
    *at = Value::from(value);
}

#[test]
fn oscal_reports_hold_together() {
    for pack in PACKS {
        let (doc, index) = render(pack);
        let ar = &doc["assessment-results"];
        // Every UUID once.
        let mut uuids = Vec::new();
        collect_uuids(&doc, &mut uuids);
        let unique: BTreeSet<&String> = uuids.iter().collect();
        assert_eq!(unique.len(), uuids.len(), "{pack}: a UUID repeats");
        // One resource per artifact, in leaf order, with its path and SHA-256.
        let resources = ar["back-matter"]["resources"].as_array().unwrap();
        assert_eq!(resources.len(), index.artifacts.len(), "{pack}");
        let resource_ids: BTreeSet<&str> = resources
            .iter()
            .map(|r| r["uuid"].as_str().unwrap())
            .collect();
        for (r, a) in resources.iter().zip(&index.artifacts) {
            assert_eq!(r["title"], Value::from(a.path.clone()));
            assert_eq!(r["rlinks"][0]["hashes"][0]["algorithm"], "SHA-256");
            assert_eq!(
                r["rlinks"][0]["hashes"][0]["value"],
                Value::from(a.sha256.clone())
            );
        }
        // The assessment plan stand-in is the control map's resource.
        let ap = ar["import-ap"]["href"].as_str().unwrap();
        assert!(
            resource_ids.contains(ap.trim_start_matches('#')),
            "{pack}: {ap}"
        );
        let result = &ar["results"][0];
        let observations = result["observations"].as_array().unwrap();
        assert_eq!(observations.len(), index.artifacts.len());
        let observation_ids: BTreeSet<&str> = observations
            .iter()
            .map(|o| o["uuid"].as_str().unwrap())
            .collect();
        for o in observations {
            let subject = o["subjects"][0]["subject-uuid"].as_str().unwrap();
            let href = o["relevant-evidence"][0]["href"].as_str().unwrap();
            assert!(resource_ids.contains(subject) && href == format!("#{subject}"));
        }
        // One finding per control line, each linked to its evidence's observation, its state
        // from the line.
        let findings = result["findings"].as_array().unwrap();
        let mut unverified = 0;
        assert_eq!(findings.len(), index.controls.len(), "{pack}");
        for (f, line) in findings.iter().zip(&index.controls) {
            let obs = f["related-observations"][0]["observation-uuid"]
                .as_str()
                .unwrap();
            assert!(observation_ids.contains(obs), "{pack}: {obs}");
            let state = f["target"]["status"]["state"].as_str().unwrap();
            // Written out, not the report's own predicate: effective and, for a manifest, a
            // signature that verified.
            let expected = line.state == "effective"
                && (line.signature_verified == "true" || line.signature_verified == "n/a");
            assert_eq!(
                state == "satisfied",
                expected,
                "{pack}: {}",
                line.control_id
            );
            if line.signature_verified == "false" {
                unverified += 1;
                assert_eq!(state, "not-satisfied", "{pack}: {}", line.control_id);
            }
        }
        if pack.contains("/insecure/") {
            assert_eq!(
                unverified, 2,
                "{pack}: the two manifest lines are not satisfied"
            );
        }
        // The pack's digest and Merkle root in the metadata.
        let props = ar["metadata"]["props"].as_array().unwrap();
        assert!(props
            .iter()
            .any(|p| p["name"] == "merkle-root"
                && p["value"] == Value::from(index.merkle_root.clone())));
    }
}

fn collect_uuids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "uuid" {
                    out.push(x.as_str().unwrap().to_owned());
                } else {
                    collect_uuids(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_uuids(x, out)),
        _ => {}
    }
}
