//! `prov-verify cosign verify-blob --batch`: order across parallel chunks, every line a
//! request, budgets, exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

const ID: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/sigstore")
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-cosign-batch")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn good(artifact: &str) -> String {
    serde_json::json!({
        "artifact": artifact,
        "bundle": kit().join("cases/happy-path-v0.3/bundle.sigstore.json"),
        "certificate_identity": ID,
        "certificate_oidc_issuer": ISSUER,
    })
    .to_string()
}

fn run(batch: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(extra)
        .args([
            "cosign",
            "verify-blob",
            "--at",
            "1769904000",
            "--trusted-root",
        ])
        .arg(kit().join("trusted-roots/production.json"))
        .arg("--batch")
        .arg(batch)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn reports_in_input_order_across_chunks() {
    let dir = scratch("order");
    let a = kit().join("cases/a.txt").display().to_string();
    let digest = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
    let wrong = kit().join("cases.tsv").display().to_string();
    // 600 requests (three chunks of parallel work); every 7th names the wrong artifact.
    let lines: Vec<String> = (1..=600)
        .map(|i| match (i % 7, i % 2) {
            (0, _) => good(&wrong),
            (_, 0) => good(digest),
            _ => good(&a),
        })
        .collect();
    let file = dir.join("b.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (code, out) = run(&file, &["--json"]);
    assert_eq!(code, 1);
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 601, "one record per line plus the summary");
    for (i, r) in records[..600].iter().enumerate() {
        let n = i + 1;
        assert_eq!(r["line"], n);
        assert_eq!(r["report"]["ok"], n % 7 != 0, "line {n}");
    }
    let summary = &records[600];
    assert_eq!(summary["ok"], false);
    assert_eq!(summary["checks"][0]["id"], "cosign.batch.requests");
    assert!(summary["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .starts_with("85 of 600 requests not verified (line 7, 14,"));
    // Every report of a keyless line that verified carries the certificate claims.
    assert_eq!(records[0]["report"]["outputs"]["certificate"]["san"], ID);
    assert!(records[6]["report"]["outputs"].get("certificate").is_none());

    // The same file without the failures verifies, exit 0.
    let ok: Vec<&String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| (i + 1) % 7 != 0)
        .map(|(_, l)| l)
        .collect();
    let file = dir.join("ok.jsonl");
    std::fs::write(
        &file,
        ok.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let (code, out) = run(&file, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().last().unwrap().starts_with("verified: batch "));
    assert_eq!(
        out.lines().filter(|l| l.contains(": verified ")).count(),
        515
    );
}

#[test]
fn every_line_is_a_request() {
    let dir = scratch("lines");
    let a = kit().join("cases/a.txt").display().to_string();
    let long = format!(
        "{{\"artifact\": \"{a}\", \"bundle\": \"{}\"}}",
        "x".repeat(70 * 1024)
    );
    let body = [good(&a), String::new(), long, "[]".into(), good(&a)].join("\n");
    let file = dir.join("b.jsonl");
    std::fs::write(&file, body).unwrap();
    let (code, out) = run(&file, &["--json"]);
    assert_eq!(code, 1);
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 6);
    assert_eq!(records[0]["report"]["ok"], true);
    assert!(records[1]["error"].as_str().unwrap().contains("malformed"));
    assert!(records[2]["error"]
        .as_str()
        .unwrap()
        .contains("longer than"));
    assert!(records[3]["error"].as_str().unwrap().contains("malformed"));
    assert_eq!(records[4]["report"]["ok"], true);
    assert_eq!(records[5]["ok"], false);
}

#[test]
fn an_unreadable_or_empty_file_is_an_input_error() {
    let dir = scratch("empty");
    let (code, _) = run(&dir.join("missing.jsonl"), &[]);
    assert_eq!(code, 2);
    let file = dir.join("empty.jsonl");
    std::fs::write(&file, "\n").unwrap();
    let (code, _) = run(&file, &[]);
    assert_eq!(code, 2);
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cosign")
}

/// A batch against the project's own Sigstore fixtures (key-signed and keyless bundles).
fn run_fixtures(batch: &Path) -> (i32, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(["--json", "cosign", "verify-blob", "--at", "1769904000"])
        .arg("--trusted-root")
        .arg(fixtures().join("trusted_root.json"))
        .arg("--batch")
        .arg(batch)
        .output()
        .unwrap();
    let records = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), records)
}

/// A batch line obeys the rules of the flags it stands for: `key` with any identity field,
/// or an exact and a regexp form of the same field, is refused (a failed request), never
/// verified with one half silently dropped. Duplicate members are refused too.
#[test]
fn lines_obey_the_flag_rules() {
    let dir = scratch("flag-rules");
    let f = fixtures();
    let id = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
    let key_line = |extra: serde_json::Value| {
        let mut v = serde_json::json!({
            "artifact": f.join("artifact.txt"),
            "bundle": f.join("key.sigstore.json"),
            "key": f.join("key.pub"),
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v.to_string()
    };
    let keyless = serde_json::json!({
        "artifact": f.join("artifact.txt"),
        "bundle": f.join("keyless.sigstore.json"),
        "certificate_identity": id,
        "certificate_identity_regexp": ".*",
        "certificate_oidc_issuer": ISSUER,
    })
    .to_string();
    let duplicate = format!(
        "{{\"artifact\":{},\"bundle\":{},\"key\":{},\"key\":{}}}",
        serde_json::json!(f.join("artifact.txt")),
        serde_json::json!(f.join("key.sigstore.json")),
        serde_json::json!(f.join("wrong-key.pub")),
        serde_json::json!(f.join("key.pub")),
    );
    let lines = [
        key_line(serde_json::json!({})),
        key_line(serde_json::json!({ "certificate_identity": id })),
        key_line(serde_json::json!({ "certificate_oidc_issuer_regexp": ".*" })),
        keyless,
        duplicate,
    ];
    let file = dir.join("b.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (code, records) = run_fixtures(&file);
    assert_eq!(code, 1);
    assert_eq!(records.len(), 6, "{records:?}");
    assert_eq!(records[0]["report"]["ok"], true, "{}", records[0]);
    for (i, want) in [
        (1, "--key cannot be used with --certificate-identity"),
        (
            2,
            "--key cannot be used with --certificate-oidc-issuer-regexp",
        ),
        (
            3,
            "--certificate-identity and --certificate-identity-regexp cannot be used together",
        ),
        (4, "duplicate"),
    ] {
        let e = records[i]["error"].as_str().unwrap_or_default();
        assert!(e.contains(want), "line {}: {}", i + 1, records[i]);
        assert!(records[i].get("report").is_none());
    }
    assert_eq!(records[5]["ok"], false);
    assert!(records[5]["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("4 of 5 requests not verified"));
}
