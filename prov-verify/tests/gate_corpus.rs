//! `prov-verify gate` end to end: the must-deny corpus (fixtures/gate/must-deny/cases.json),
//! SARIF validated against the OASIS schema, JUnit and GitHub output, and a VSA that
//! round-trips through `prov-verify verify --plugin vsa`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap()
}

fn gate_json(args: &[String]) -> (i32, Value, String) {
    let mut all: Vec<&str> = vec!["gate"];
    all.extend(args.iter().map(String::as_str));
    all.extend(["-o", "json"]);
    let out = run(&all);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn codes(out: &Value) -> Vec<String> {
    ["errors", "denials", "warnings"]
        .iter()
        .flat_map(|k| out[*k].as_array().cloned().unwrap_or_default())
        .map(|r| r["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn every_must_deny_case_denies_for_its_named_reason() {
    let doc: Value = serde_json::from_slice(
        &std::fs::read(repo().join("fixtures/gate/must-deny/cases.json")).unwrap(),
    )
    .unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for case in cases.iter().chain(doc["mustAllow"].as_array().unwrap()) {
        let name = case["name"].as_str().unwrap();
        assert!(names.insert(name.to_owned()), "duplicate case {name}");
        let args: Vec<String> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        let (code, out, stderr) = gate_json(&args);
        let want_exit = case["exit"].as_i64().unwrap();
        let found = codes(&out);
        let reason_ok = case["code"]
            .as_str()
            .map_or(true, |c| found.iter().any(|f| f == c));
        if i64::from(code) != want_exit || out["outcome"] != case["outcome"] || !reason_ok {
            failures.push(format!(
                "{name}: exit {code} (want {want_exit}), outcome {} (want {}), reasons {found:?} (want {}) {stderr}",
                out["outcome"], case["outcome"], case["code"]
            ));
        }
        // A must-deny case never exits 0, and names what stopped it.
        if doc["cases"].as_array().unwrap().contains(case) {
            assert_ne!(code, 0, "{name} allowed");
            assert!(!found.is_empty(), "{name}: no reason");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(repo().join("fixtures/gate/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_output_validates_against_the_oasis_schema() {
    let validator = sarif_validator();
    for (policy, set) in [
        ("violation-identity", "fixtures/sets/release-evidence.json"),
        ("allow-all", "fixtures/sets/two-fail.json"),
        ("parse-error", "fixtures/sets/release-evidence.json"),
        ("allow-all", "fixtures/sets/release-evidence.json"),
    ] {
        let out = run(&[
            "gate",
            "--policy",
            &format!("fixtures/gate/must-deny/policies/{policy}.rego"),
            "--set",
            set,
            "-o",
            "sarif",
        ]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{policy}: {errors:?}");
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.is_empty(), out.status.code() == Some(0), "{policy}");
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(doc["runs"][0]["tool"]["driver"]["rules"][index]["id"], id);
        }
    }
    // Stable rule ids: the rule's name for policy findings, the code for the gate's own.
    let out = run(&[
        "gate",
        "--policy",
        "fixtures/gate/must-deny/policies/violation-identity.rego",
        "--set",
        "fixtures/sets/two-fail.json",
        "-o",
        "sarif",
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: BTreeSet<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BTreeSet::from(["gate.evidence-failed"]), "{doc}");
}

#[test]
fn junit_and_github_outputs() {
    let args = [
        "gate",
        "--policy",
        "fixtures/gate/must-deny/policies/violation-identity.rego",
        "--set",
        "fixtures/sets/release-evidence.json",
    ];
    let junit = run(&[&args[..], &["-o", "junit"]].concat());
    assert_eq!(junit.status.code(), Some(1));
    let text = String::from_utf8(junit.stdout).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    // One test case per rule and per evidence item; the violation fails its rule's case.
    assert!(text.contains("<testcase classname=\"policy\" name=\"main.violation\">"));
    assert!(text.contains("<failure message=\"not signed by the v2 release workflow\""));
    for item in [
        "release-bundle",
        "signed-manifest",
        "sigstore-trust-root",
        "audit-pack",
        "log-receipt",
    ] {
        assert!(
            text.contains(&format!("name=\"{item}\"/>")),
            "{item}: {text}"
        );
    }
    assert_eq!(text.matches("<testsuite ").count(), 2);
    // No decision: the rule that could not be evaluated is an error, not a green case.
    let errored = run(&[
        "gate",
        "--policy",
        "fixtures/gate/must-deny/policies/division-by-zero.rego",
        "--set",
        "fixtures/sets/release-evidence.json",
        "-o",
        "junit",
    ]);
    assert_eq!(errored.status.code(), Some(2));
    let text_err = String::from_utf8(errored.stdout).unwrap();
    assert!(
        text_err.contains("errors=\"1\"") && text_err.contains("<error message="),
        "{text_err}"
    );
    let github = run(&[&args[..], &["-o", "github"]].concat());
    assert_eq!(github.status.code(), Some(1));
    let text = String::from_utf8(github.stdout).unwrap();
    assert!(text.starts_with("::error title=main.violation::main.violation: not signed by the v2 release workflow [evidence release-bundle, check cosign.identity]\n"), "{text}");
    assert!(text.lines().all(|l| l.starts_with("::")));
}

/// An Ed25519 PKCS#8 key (ring), as PEM, and its SPKI PEM.
fn ed25519_key(dir: &Path) -> (PathBuf, PathBuf) {
    use base64::Engine as _;
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pem = |label: &str, der: &[u8]| {
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            base64::engine::general_purpose::STANDARD.encode(der)
        )
    };
    let key = dir.join("vsa.key.pem");
    std::fs::write(&key, pem("PRIVATE KEY", pkcs8.as_ref())).unwrap();
    let signing = gate::vsa::SigningKey::from_pem(&std::fs::read_to_string(&key).unwrap()).unwrap();
    let public = dir.join("vsa.pub.pem");
    std::fs::write(&public, signing.public_pem()).unwrap();
    (key, public)
}

#[test]
fn the_vsa_round_trips_through_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = ed25519_key(dir.path());
    let vsa = dir.path().join("vsa.json");
    let gate = |policy: &str, set: &str| {
        run(&[
            "gate",
            "--policy",
            &format!("fixtures/gate/must-deny/policies/{policy}.rego"),
            "--set",
            set,
            "--vsa-subject",
            "release-bundle",
            "--vsa-out",
            vsa.to_str().unwrap(),
            "--vsa-key",
            key.to_str().unwrap(),
            "--resource-uri",
            "pkg:generic/acme/app@1.0.0",
            "--verifier-id",
            "https://ci.acme.example/gate",
        ])
    };
    let verify = |subject: &str, vsa: &Path| {
        run(&[
            "verify",
            "--plugin",
            "vsa",
            "--manifest",
            subject,
            "--signature",
            vsa.to_str().unwrap(),
            "--root",
            &format!("public-key={}", public.display()),
            "--at",
            "2026-12-02T00:00:00Z",
        ])
    };
    let out = gate("allow-all", "fixtures/sets/release-evidence.json");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let ok = verify("fixtures/cosign/artifact.txt", &vsa);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("verifier_id: https://ci.acme.example/gate")
    );
    // The statement: VSA v1 with the policy's digest and the inputs' digests.
    let env: Value = serde_json::from_slice(&std::fs::read(&vsa).unwrap()).unwrap();
    use base64::Engine as _;
    let statement: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(env["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        statement["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(statement["predicate"]["verificationResult"], "PASSED");
    assert_eq!(
        statement["predicate"]["resourceUri"],
        "pkg:generic/acme/app@1.0.0"
    );
    assert_eq!(
        statement["predicate"]["inputAttestations"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        statement["predicate"]["policy"]["digest"]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    // Another artifact: no subject matches.
    let other = verify("fixtures/cosign/other-artifact.txt", &vsa);
    assert_eq!(other.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&other.stdout).contains("vsa.subject"));
    // A tampered envelope: the signature fails.
    let text = std::fs::read_to_string(&vsa).unwrap();
    let env: Value = serde_json::from_str(&text).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = String::from_utf8(b64.decode(env["payload"].as_str().unwrap()).unwrap()).unwrap();
    let forged = payload.replace("\"PASSED\"", "\"FAILED\"");
    let mut env2 = env.clone();
    env2["payload"] = Value::from(b64.encode(forged));
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, env2.to_string()).unwrap();
    let bad = verify("fixtures/cosign/artifact.txt", &tampered);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("vsa.signature"));
    // A denied release: the VSA says FAILED, and verifying it fails.
    let out = gate("allow-all", "fixtures/sets/two-fail.json");
    assert_eq!(out.status.code(), Some(1));
    let failed = verify("fixtures/cosign/artifact.txt", &vsa);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stdout).contains("vsa.result"));
}
