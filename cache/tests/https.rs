//! `cache warm` over HTTPS: a TLS server on 127.0.0.1 with a CA and a server certificate made
//! in the test, serving a generated TUF repository. The fetcher trusts the test CA only when
//! given it (the `--ca-file` path), checks the host name, and refuses plain HTTP to any host
//! that is not loopback before connecting.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use offline_cache::{verify_cached, warm, CacheDir, Error, HttpFetcher, WarmRequest};
use plugin_api::VerificationTime;
use plugin_tuf::FetchError;
use std::time::Duration;
use support::{Repo, Server, TempDir, NOW, TRUSTED_ROOT};

fn request(url: &str, root: Vec<u8>) -> WarmRequest {
    WarmRequest {
        name: "sigstore".into(),
        metadata_url: url.to_owned(),
        targets_url: format!("{url}targets/"),
        initial_root: Some(root),
        targets: vec!["trusted_root.json".into()],
        now: VerificationTime::from_unix_seconds(NOW),
    }
}

fn repo() -> Repo {
    let mut repo = Repo::new();
    repo.publish(1, TRUSTED_ROOT);
    repo
}

fn timeout() -> Duration {
    Duration::from_secs(10)
}

#[test]
fn warm_over_https_with_the_ca_file_succeeds_and_verifies_offline() {
    let repo = repo();
    let (server, ca_pem) = Server::start_tls(repo.files.clone(), &["127.0.0.1", "localhost"]);
    assert!(server.url.starts_with("https://127.0.0.1:"));
    let dir = TempDir::new("https-ok");
    let cache = CacheDir::new(&dir.0);
    let fetcher = HttpFetcher::with_ca_pem(timeout(), ca_pem.as_bytes()).unwrap();
    let out = warm(&cache, &request(&server.url, repo.initial_root()), fetcher).unwrap();
    assert!(out.report.ok(), "{}", out.report.to_json());
    assert!(out.committed);
    assert!(server.requests.load(std::sync::atomic::Ordering::SeqCst) >= 4);
    server.stop();
    let offline = verify_cached(
        &cache,
        "sigstore",
        VerificationTime::from_unix_seconds(NOW),
        &[],
    )
    .unwrap()
    .report;
    assert_eq!(offline, out.report);
}

fn warm_error(url: &str, fetcher: HttpFetcher, repo: &Repo) -> (FetchError, TempDir) {
    let dir = TempDir::new("https-fail");
    let cache = CacheDir::new(&dir.0);
    match warm(&cache, &request(url, repo.initial_root()), fetcher) {
        Err(Error::Fetch { source, .. }) => {
            // Nothing was committed.
            assert!(cache.current_generation("sigstore").unwrap().is_none());
            (source, dir)
        }
        other => panic!("expected a fetch error, got {other:?}"),
    }
}

#[test]
fn warm_over_https_without_the_ca_fails_on_an_unknown_issuer() {
    let repo = repo();
    let (server, _ca_pem) = Server::start_tls(repo.files.clone(), &["127.0.0.1"]);
    // The default trust anchors (the Mozilla set) do not include the test CA.
    let (e, _dir) = warm_error(&server.url, HttpFetcher::new(timeout()), &repo);
    let FetchError::Tls { reason, .. } = &e else {
        panic!("expected a TLS error, got {e:?}");
    };
    assert!(reason.contains("not issued by a trusted CA"), "{reason}");
    assert!(reason.contains("UnknownIssuer"), "{reason}");
    // Another CA does not help either.
    let (other_ca, _) = support::tls_config(&["127.0.0.1"]);
    let fetcher = HttpFetcher::with_ca_pem(timeout(), other_ca.as_bytes()).unwrap();
    let (e, _dir) = warm_error(&server.url, fetcher, &repo);
    assert!(matches!(e, FetchError::Tls { .. }), "{e:?}");
}

#[test]
fn warm_over_https_fails_on_a_wrong_host_name() {
    let repo = repo();
    let (server, ca_pem) = Server::start_tls(repo.files.clone(), &["tuf.example.invalid"]);
    let fetcher = HttpFetcher::with_ca_pem(timeout(), ca_pem.as_bytes()).unwrap();
    let (e, _dir) = warm_error(&server.url, fetcher, &repo);
    let FetchError::Tls { reason, .. } = &e else {
        panic!("expected a TLS error, got {e:?}");
    };
    assert!(reason.contains("does not name this host"), "{reason}");
}

#[test]
fn plain_http_is_refused_to_a_host_that_is_not_loopback() {
    let repo = repo();
    // 192.0.2.0/24 is TEST-NET-1: never routed; the refusal comes before any connection.
    let (e, _dir) = warm_error("http://192.0.2.1/", HttpFetcher::new(timeout()), &repo);
    let FetchError::Refused { reason, .. } = &e else {
        panic!("expected a refusal, got {e:?}");
    };
    assert!(reason.contains("only to a loopback host"), "{reason}");
    // Plain http to loopback is allowed (the other tests of this crate use it).
    let server = Server::start(repo.files.clone());
    let dir = TempDir::new("http-loopback");
    let out = warm(
        &CacheDir::new(&dir.0),
        &request(&server.url, repo.initial_root()),
        HttpFetcher::new(timeout()),
    )
    .unwrap();
    assert!(out.report.ok());
}

#[test]
fn a_ca_file_without_certificates_is_refused() {
    for bad in [
        &b""[..],
        b"not pem",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        assert!(matches!(
            HttpFetcher::with_ca_pem(timeout(), bad),
            Err(FetchError::CaFile(_))
        ));
    }
}
