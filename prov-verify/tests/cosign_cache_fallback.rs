//! `cosign verify-blob --use-embedded-root` uses the embedded Sigstore root only when no
//! Sigstore repository is cached at all. A cached repository that is damaged (its state file,
//! a missing target) is an error naming the problem (exit 2), and an export archive stripped
//! of its targets in transit is refused on import, so neither can bring back the embedded
//! root in place of the cached, TUF-verified one.
//!
//! The bundle (the sigstore-conformance happy path) verifies under the embedded production
//! root; the cached root of `fixtures/tuf` (a trusted root with no authorities) rejects it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Inside the validity of the TUF fixtures and of the conformance bundle's certificate chain.
const AT_UNIX: &str = "1769904000";
const AT_RFC3339: &str = "2026-02-01T00:00:00Z";
const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn cases() -> PathBuf {
    repo().join("../shared/conformance/sigstore/cases")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prov-verify-cosign-cache-{tag}-{}-{}",
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

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn prov_verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(args)
        .output()
        .unwrap()
}

/// `cosign verify-blob --use-embedded-root` of the happy-path bundle with cache `cache`.
fn verify_blob(cache: &Path) -> Output {
    let case = cases().join("happy-path-v0.3");
    prov_verify(&[
        "--cache-dir",
        cache.to_str().unwrap(),
        "cosign",
        "verify-blob",
        "--use-embedded-root",
        "--at",
        AT_UNIX,
        "--bundle",
        case.join("bundle.sigstore.json").to_str().unwrap(),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        cases().join("a.txt").to_str().unwrap(),
    ])
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A copy of the fixtures' warmed cache (repository `sigstore`).
fn cached(dir: &TempDir) -> PathBuf {
    let cache = dir.0.join("cache");
    copy_dir(&repo().join("fixtures/tuf/cache"), &cache);
    cache
}

fn generation(cache: &Path) -> PathBuf {
    cache.join("tuf/sigstore/gen-000001")
}

#[test]
fn the_embedded_root_is_used_only_when_nothing_is_cached() {
    let dir = TempDir::new("baseline");
    // Nothing cached: the embedded root is used, and it accepts the bundle.
    let out = verify_blob(&dir.0.join("empty"));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The cached, TUF-verified root rejects it.
    let out = verify_blob(&cached(&dir));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[test]
fn a_damaged_state_file_is_an_error_not_a_fallback_to_the_embedded_root() {
    let dir = TempDir::new("damaged");
    let cache = cached(&dir);
    let state = generation(&cache).join("state.json");
    std::fs::write(&state, b"{\"format\": 1, \"name\": \"sigs").unwrap();
    let out = verify_blob(&cache);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("state.json"), "{err}");
    assert!(err.contains("never replaced"), "{err}");
}

#[test]
fn a_cache_stripped_of_its_targets_is_an_error_not_a_fallback() {
    let dir = TempDir::new("stripped-state");
    let cache = cached(&dir);
    let gen = generation(&cache);
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(gen.join("state.json")).unwrap()).unwrap();
    state["targets"] = serde_json::json!([]);
    std::fs::write(gen.join("state.json"), serde_json::to_vec(&state).unwrap()).unwrap();
    std::fs::remove_file(gen.join("targets/trusted_root.json")).unwrap();
    let out = verify_blob(&cache);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lists no targets"),
        "{}",
        stderr(&out)
    );
    // `cache verify` does not call it verified either.
    let out = prov_verify(&[
        "--cache-dir",
        cache.to_str().unwrap(),
        "cache",
        "verify",
        "--at",
        AT_RFC3339,
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// The fixtures' export archive as an attacker in transit would alter it: `state.json`
/// lists no targets and `targets/trusted_root.json` is gone; metadata versions unchanged.
fn stripped_archive(to: &Path) {
    let from = repo().join("fixtures/tuf/sigstore-cache.tgz");
    let mut gz = flate2::read::GzDecoder::new(std::fs::File::open(from).unwrap());
    let mut raw = Vec::new();
    gz.read_to_end(&mut raw).unwrap();
    let mut tar = tar::Archive::new(raw.as_slice());
    let mut entries = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if path.starts_with("tuf/sigstore/targets/") {
            continue;
        }
        if path == "tuf/sigstore/state.json" {
            let mut state: serde_json::Value = serde_json::from_slice(&data).unwrap();
            state["targets"] = serde_json::json!([]);
            data = serde_json::to_vec_pretty(&state).unwrap();
        }
        entries.push((path, data));
    }
    let file = std::fs::File::create(to).unwrap();
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::default(),
    ));
    for (path, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, &path, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
}

#[test]
fn a_stripped_export_archive_is_refused_and_brings_back_no_root() {
    let dir = TempDir::new("stripped-archive");
    let archive = dir.0.join("stripped.tgz");
    stripped_archive(&archive);
    let root = repo().join("fixtures/tuf/initial-root.json");
    let import = |cache: &Path| {
        prov_verify(&[
            "--cache-dir",
            cache.to_str().unwrap(),
            "cache",
            "import",
            archive.to_str().unwrap(),
            "--root",
            root.to_str().unwrap(),
            "--at",
            AT_RFC3339,
        ])
    };
    // Into an empty cache: refused, nothing committed.
    let fresh = dir.0.join("fresh");
    let out = import(&fresh);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lists no targets"),
        "{}",
        stderr(&out)
    );
    assert!(!fresh.join("tuf/sigstore/current").exists());
    // Into the cache that holds the verified root: refused, and the cached root still
    // decides (it rejects the bundle).
    let cache = cached(&dir);
    let out = import(&cache);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = verify_blob(&cache);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}
