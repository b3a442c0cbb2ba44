//! The real Sigstore public-good TUF repository, served from 127.0.0.1: a snapshot of the
//! metadata and targets `tuf-repo-cdn.sigstore.dev` published at sigstore/root-signing commit
//! 60cf2ce8 (tests/realworld/tuf/sigstore-public-good, SOURCE.md there), with every root the
//! repository ever signed.
//!
//! `cache warm` from the embedded root (version 15, the newest: no rotation) and from root 5
//! (the oldest a conforming client can read: ten rotations, 5 → 15) both end at root 15,
//! timestamp 762, snapshot 165, targets 14 and the published trusted_root.json, and a
//! public-good bundle then verifies offline with the cached root. Roots 1–4 are refused as
//! python-tuf refuses them (non-UTC or fractional `expires`; root 4 is not signed by a
//! threshold of its own keys under canonical JSON). A root altered in transit stops the
//! rotation; the same metadata at today's date is refused (the timestamp expired).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Inside the window where every file of the snapshot is unexpired (2026-08-21T19:25:56Z to
/// 2026-08-28T19:25:56Z, the timestamp's lifetime).
const AT: &str = "2026-08-25T00:00:00Z";
/// After the timestamp expired, before root 15 did.
const TIMESTAMP_EXPIRED: &str = "2026-09-01T00:00:00Z";
/// After root 15 expired too (the date this snapshot was taken).
const ROOT_EXPIRED: &str = "2026-12-04T00:00:00Z";
const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn snapshot() -> PathBuf {
    repo().join("tests/realworld/tuf/sigstore-public-good")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prov-verify-tuf-public-good-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A plain HTTP server on 127.0.0.1 serving `dir` (404 for what is not there), with
/// `overrides` (path → body) served in place of files. Returns the base URL and the list of
/// paths requested.
fn serve(dir: PathBuf, overrides: Vec<(String, Vec<u8>)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_owned();
            log.lock().unwrap().push(path.clone());
            let body = overrides
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, b)| b.clone())
                .or_else(|| {
                    (!path.contains("..") && !path.is_empty())
                        .then(|| std::fs::read(dir.join(&path)).ok())
                        .flatten()
                });
            let _ = match body {
                Some(b) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            b.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&b)),
                None => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    (format!("http://127.0.0.1:{port}/"), seen)
}

fn prov_verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(args)
        .output()
        .unwrap()
}

fn warm(url: &str, cache: &Path, root: &Path, at: &str) -> Output {
    prov_verify(&[
        "--json",
        "--cache-dir",
        cache.to_str().unwrap(),
        "cache",
        "warm",
        "--url",
        url,
        "--root",
        root.to_str().unwrap(),
        "--at",
        at,
    ])
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// An output value of a JSON report.
fn detail<'a>(report: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    report.get("outputs")?.get(key)
}

/// The detail of check `id` in a JSON report.
fn check_detail(report: &serde_json::Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .map(|c| format!("{} {}", c["status"], c["detail"]))
        .unwrap_or_default()
}

fn report(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().next().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON report ({e}): {stdout}"))
}

/// Verifies the sigstore-conformance happy-path bundle (public-good, 2025) offline with the
/// cached repository's trusted root.
fn verify_with_cache(cache: &Path) -> Output {
    let cases = repo().join("../shared/conformance/sigstore/cases");
    prov_verify(&[
        "--offline",
        "--cache-dir",
        cache.to_str().unwrap(),
        "cosign",
        "verify-blob",
        "--at",
        AT,
        "--bundle",
        cases
            .join("happy-path-v0.3/bundle.sigstore.json")
            .to_str()
            .unwrap(),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        cases.join("a.txt").to_str().unwrap(),
    ])
}

fn assert_newest(out: &Output) {
    assert_eq!(code(out), 0, "{}", text(out));
    let r = report(out);
    for (key, want) in [
        ("root_version", 15),
        ("timestamp_version", 762),
        ("snapshot_version", 165),
        ("targets_version", 14),
    ] {
        assert_eq!(
            detail(&r, key).and_then(serde_json::Value::as_u64),
            Some(want),
            "{key}: {r}"
        );
    }
}

#[test]
fn the_embedded_root_is_the_newest_published_root() {
    let embedded = std::fs::read(repo().join("cache/data/sigstore-root.json")).unwrap();
    assert_eq!(
        std::fs::read(snapshot().join("15.root.json")).unwrap(),
        embedded
    );
    assert!(!snapshot().join("16.root.json").exists());
}

#[test]
fn warms_from_the_embedded_root_and_verifies_a_bundle_offline() {
    let dir = TempDir::new("embedded");
    let (url, seen) = serve(snapshot(), Vec::new());
    let cache = dir.0.join("cache");
    let out = warm(
        &url,
        &cache,
        &repo().join("cache/data/sigstore-root.json"),
        AT,
    );
    assert_newest(&out);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains(&"16.root.json".to_owned()), "{seen:?}");
    assert!(
        seen.iter().any(|p| p.ends_with(".trusted_root.json")),
        "{seen:?}"
    );
    let out = verify_with_cache(&cache);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!text(&out).contains("embedded"), "{}", text(&out));
}

#[test]
fn walks_every_rotation_from_root_5_to_root_15() {
    let dir = TempDir::new("rotation");
    let (url, seen) = serve(snapshot(), Vec::new());
    let cache = dir.0.join("cache");
    let out = warm(&url, &cache, &snapshot().join("5.root.json"), AT);
    assert_newest(&out);
    assert!(
        check_detail(&report(&out), "tuf.root.signatures").contains("root v5 (anchor) to v15"),
        "{}",
        text(&out)
    );
    let seen = seen.lock().unwrap().clone();
    for v in 6..=16 {
        assert!(seen.contains(&format!("{v}.root.json")), "{v}: {seen:?}");
    }
    // The cached trusted root is the published one, and it verifies the bundle offline.
    let out = verify_with_cache(&cache);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!text(&out).contains("embedded"), "{}", text(&out));
    // Without the cache, the same command has no trusted root at all.
    let out = verify_with_cache(&dir.0.join("no-cache"));
    assert_eq!(code(&out), 2, "{}", text(&out));
    // A second warm from the same anchor is a no-op rotation-wise and still succeeds.
    let out = warm(&url, &cache, &snapshot().join("5.root.json"), AT);
    assert_newest(&out);
}

#[test]
fn roots_before_5_are_refused_as_python_tuf_refuses_them() {
    let (url, _) = serve(snapshot(), Vec::new());
    for v in 1..=4 {
        let dir = TempDir::new("old");
        let cache = dir.0.join("cache");
        let out = warm(&url, &cache, &snapshot().join(format!("{v}.root.json")), AT);
        assert_ne!(code(&out), 0, "root {v}: {}", text(&out));
        assert!(
            text(&out).contains("initial root"),
            "root {v}: {}",
            text(&out)
        );
        assert!(!cache.join("tuf/sigstore/current").exists(), "root {v}");
    }
}

#[test]
fn a_root_altered_in_transit_stops_the_rotation() {
    let original = std::fs::read(snapshot().join("9.root.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&original).unwrap();
    // Same signatures, one more day of validity.
    v["signed"]["expires"] = serde_json::Value::String("2024-09-13T06:53:10Z".into());
    let altered = serde_json::to_vec(&v).unwrap();
    let (url, _) = serve(snapshot(), vec![("9.root.json".into(), altered)]);
    let dir = TempDir::new("altered");
    let cache = dir.0.join("cache");
    let out = warm(&url, &cache, &snapshot().join("5.root.json"), AT);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("tuf.root"), "{t}");
    assert!(t.contains("nothing was written"), "{t}");
    // Nothing cached: the offline verification does not silently use a half-updated root.
    assert!(!cache.join("tuf/sigstore/current").exists(), "{t}");
}

#[test]
fn the_same_metadata_after_it_expired_is_refused() {
    let (url, _) = serve(snapshot(), Vec::new());
    for (at, check) in [
        (TIMESTAMP_EXPIRED, "tuf.timestamp.expiry"),
        (ROOT_EXPIRED, "tuf.root.expiry"),
    ] {
        let dir = TempDir::new("expired");
        let cache = dir.0.join("cache");
        let out = warm(
            &url,
            &cache,
            &repo().join("cache/data/sigstore-root.json"),
            at,
        );
        assert_eq!(code(&out), 1, "{at}: {}", text(&out));
        let r = report(&out);
        assert!(check_detail(&r, check).starts_with("\"fail\""), "{at}: {r}");
        assert!(!cache.join("tuf/sigstore/current").exists(), "{at}");
    }
}

/// The npm registry keys as a delegated TUF target (`registry.npmjs.org/keys.json`, role
/// `registry.npmjs.org`): warmed with the trusted root, then `npm verify` uses both from the
/// cache, offline, with no warning about embedded copies.
#[test]
fn npm_registry_keys_warm_as_a_delegated_target_and_verify_a_package_offline() {
    let dir = TempDir::new("npm");
    let (url, seen) = serve(snapshot(), Vec::new());
    let cache = dir.0.join("cache");
    let out = prov_verify(&[
        "--json",
        "--cache-dir",
        cache.to_str().unwrap(),
        "cache",
        "warm",
        "--url",
        &url,
        "--root",
        repo()
            .join("cache/data/sigstore-root.json")
            .to_str()
            .unwrap(),
        "--target",
        "trusted_root.json",
        "--target",
        "registry.npmjs.org/keys.json",
        "--at",
        AT,
    ]);
    assert_newest(&out);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.contains(&"8.registry.npmjs.org.json".to_owned()),
        "{seen:?}"
    );
    let npm = repo().join("tests/realworld/npm");
    let out = prov_verify(&[
        "--offline",
        "--cache-dir",
        cache.to_str().unwrap(),
        "npm",
        "verify",
        npm.join("sigstore-2.3.1.tgz").to_str().unwrap(),
        "--attestations",
        npm.join("sigstore-2.3.1.attestations.json")
            .to_str()
            .unwrap(),
        "--at",
        AT,
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!text(&out).contains("warning"), "{}", text(&out));
}
