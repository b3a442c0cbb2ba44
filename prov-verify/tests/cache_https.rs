//! `cache warm` over HTTPS through the CLI: a rustls server on 127.0.0.1 (CA and server
//! certificate made in the test) serving the TUF fixtures repository. `--ca-file` with the
//! test CA warms; without it (the Mozilla root set) the warm fails on the unknown issuer with
//! a clear message and exit 2; a certificate for another host name fails too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const AT: &str = "2030-01-01T00:00:00Z";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prov-verify-cache-https-{tag}-{}-{}",
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

/// Serves the files of `dir` over TLS on 127.0.0.1 with a certificate for `names`; returns the
/// base URL and the CA certificate (PEM).
fn serve_tls(dir: PathBuf, names: &[&str]) -> (String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let leaf = rcgen::CertificateParams::new(names)
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap(),
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(conn, s);
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
            let rel = path.trim_start_matches('/');
            let body = (!rel.contains(".."))
                .then(|| std::fs::read(dir.join(rel)).ok())
                .flatten();
            let _ = match body {
                Some(b) => tls
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            b.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| tls.write_all(&b)),
                None => tls.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (format!("https://{addr}/"), ca.pem())
}

fn warm(cache: &Path, url: &str, extra: &[&str]) -> Output {
    let root = repo().join("fixtures/tuf/initial-root.json");
    Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .current_dir(repo())
        .env_remove("PROV_VERIFY_CACHE_DIR")
        .arg("--cache-dir")
        .arg(cache)
        .args(["cache", "warm", "--url", url, "--at", AT, "--root"])
        .arg(root)
        .args(extra)
        .output()
        .expect("run prov-verify")
}

#[test]
fn cache_warm_over_https_with_ca_file_and_its_refusals() {
    let fixtures = repo().join("fixtures/tuf/repo");
    let (url, ca) = serve_tls(fixtures.clone(), &["127.0.0.1"]);
    let work = TempDir::new("work");
    let ca_file = work.0.join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let ca_arg = ca_file.display().to_string();

    // With the test CA: warmed and verified (exit 0).
    let cache = TempDir::new("ok");
    let o = warm(&cache.0, &url, &["--ca-file", &ca_arg, "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert!(cache.0.join("tuf/sigstore/current").exists());

    // Without it: the Mozilla root set does not know the test CA (exit 2, nothing written).
    let cache = TempDir::new("unknown");
    let o = warm(&cache.0, &url, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not issued by a trusted CA"), "{err}");
    assert!(err.contains("--ca-file"), "{err}");
    assert!(!cache.0.join("tuf/sigstore/current").exists());

    // A certificate for another name, even from the trusted CA (exit 2).
    let (url, ca) = serve_tls(fixtures, &["tuf.example.invalid"]);
    std::fs::write(&ca_file, &ca).unwrap();
    let cache = TempDir::new("name");
    let o = warm(&cache.0, &url, &["--ca-file", &ca_arg]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not name this host"), "{err}");
}

/// A repository whose timestamp metadata was altered after signing: the warm runs and reaches
/// a verdict, failed verification (exit 1), naming the TUF check; nothing is committed.
#[test]
fn cache_warm_of_tampered_metadata_is_a_failed_verification() {
    let work = TempDir::new("tampered-repo");
    let src = repo().join("fixtures/tuf/repo");
    copy_dir(&src, &work.0);
    let ts = work.0.join("timestamp.json");
    let text = std::fs::read_to_string(&ts).unwrap();
    let tampered = text.replacen("\"version\": 1", "\"version\": 7", 1);
    assert_ne!(text, tampered, "the fixture's timestamp names version 1");
    std::fs::write(&ts, tampered).unwrap();
    let (url, ca) = serve_tls(work.0.clone(), &["127.0.0.1"]);
    let ca_file = work.0.join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let cache = TempDir::new("tampered");
    let o = warm(
        &cache.0,
        &url,
        &["--ca-file", &ca_file.display().to_string()],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("FAILED") && out.contains("tuf.timestamp"),
        "{out}"
    );
    assert!(!cache.0.join("tuf/sigstore/current").exists());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// `--name`, `--targets-url` and `--target` are used: the repository is cached under the
/// name given, its targets fetched from the URL given, and a target the metadata does not
/// list is refused (nothing committed).
#[test]
fn cache_warm_names_the_repository_and_its_targets() {
    let fixtures = repo().join("fixtures/tuf/repo");
    let (url, ca) = serve_tls(fixtures, &["127.0.0.1"]);
    let work = TempDir::new("named");
    let ca_file = work.0.join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let ca_arg = ca_file.display().to_string();
    let targets = format!("{url}targets/");

    let cache = TempDir::new("named-ok");
    let o = warm(
        &cache.0,
        &url,
        &[
            "--ca-file",
            &ca_arg,
            "--name",
            "mirror",
            "--targets-url",
            &targets,
            "--target",
            "trusted_root.json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(cache.0.join("tuf/mirror/current").exists());
    assert!(!cache.0.join("tuf/sigstore").exists());

    // Targets from a URL that does not serve them: the warm fails, nothing is committed.
    let cache = TempDir::new("named-bad-url");
    let o = warm(
        &cache.0,
        &url,
        &[
            "--ca-file",
            &ca_arg,
            "--targets-url",
            &format!("{url}nowhere/"),
        ],
    );
    // The target cannot be fetched: no verdict (exit 2).
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!cache.0.join("tuf/sigstore/current").exists());

    // A target the metadata does not list.
    let cache = TempDir::new("named-unlisted");
    let o = warm(
        &cache.0,
        &url,
        &["--ca-file", &ca_arg, "--target", "not-listed.json"],
    );
    // The verified metadata does not list it: a verdict (exit 1).
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("not-listed.json"), "{text}");
    assert!(!cache.0.join("tuf/sigstore/current").exists());
}
