//! Mirroring over loopback HTTP, offline inclusion checks, and a hostile remote.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod common;
use common::*;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use tlog::http::BaseUrl;
use tlog::Log;
use tlog::TlogError;
use tlog::{sync_mirror, verify_mirror_inclusion, Remote, DEFAULT_MIRROR_MAX_SIZE};

fn serve(dir: &Path) -> BaseUrl {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || tlog::http::serve(l, &dir));
    BaseUrl::parse(&format!("http://{addr}")).unwrap()
}

#[test]
fn mirror_over_loopback_then_incrementally() {
    let log = tmp("m-log");
    let mirror = tmp("m-mirror");
    build_log(&log, 700, 700);
    let url = serve(&log);
    let key = signer().to_verifier_key();
    let out = sync_mirror(&url, &mirror, &key, DEFAULT_MIRROR_MAX_SIZE).unwrap();
    assert_eq!((out.old_size, out.new_size), (0, 700));
    {
        let mut l = Log::open(&log).unwrap();
        l.append(&(700..1000).map(entry).collect::<Vec<_>>())
            .unwrap();
        l.checkpoint(&signer()).unwrap();
    }
    let out = sync_mirror(&url, &mirror, &key, DEFAULT_MIRROR_MAX_SIZE).unwrap();
    assert_eq!((out.old_size, out.new_size), (700, 1000));
    // Level-0 tiles 2 (full) and 3 (partial), their bundles, and the level-1 partial tile.
    assert_eq!(out.fetched, 5);
    // The mirror holds exactly the published files of the log.
    let published = |d: &Path| {
        snapshot(d)
            .into_iter()
            .filter(|(p, _)| p.starts_with("tile/") || p == "checkpoint")
            .filter(|(p, _)| !p.contains(".p/")) // older partial tiles: the mirror skips them
            .collect::<Vec<_>>()
    };
    assert_eq!(published(&log), published(&mirror));
    // Up to date: nothing fetched.
    assert_eq!(
        sync_mirror(&url, &mirror, &key, DEFAULT_MIRROR_MAX_SIZE)
            .unwrap()
            .fetched,
        0
    );
    // Offline inclusion, with and without the index.
    let r = verify_mirror_inclusion(&mirror, &key, &entry(777), None).unwrap();
    assert_eq!((r.index, r.size), (777, 1000));
    verify_mirror_inclusion(&mirror, &key, &entry(5), Some(5)).unwrap();
    assert!(verify_mirror_inclusion(&mirror, &key, &entry(5), Some(6)).is_err());
    assert!(matches!(
        verify_mirror_inclusion(&mirror, &key, &entry(1000), None),
        Err(TlogError::NotInLog(_))
    ));
}

type Tamper = Box<dyn Fn(&str, Vec<u8>) -> Vec<u8> + Sync>;

/// A remote that serves a log directory's files through a tampering function.
struct Hostile {
    dir: PathBuf,
    tamper: Tamper,
}

impl Remote for Hostile {
    fn get(&self, path: &str, max: usize) -> Result<Option<Vec<u8>>, TlogError> {
        let Ok(bytes) = std::fs::read(self.dir.join(path)) else {
            return Ok(None);
        };
        let bytes = (self.tamper)(path, bytes);
        if bytes.len() > max {
            return Err(TlogError::Remote(format!("{path}: too large")));
        }
        Ok(Some(bytes))
    }
}

#[test]
fn hostile_remote_is_rejected_and_mirror_unchanged() {
    let log = tmp("h-log");
    build_log(&log, 300, 300);
    let mirror = tmp("h-mirror");
    let small = tmp("h-small");
    build_log(&small, 100, 100);
    let key = signer().to_verifier_key();
    sync_mirror(
        &Hostile {
            dir: small.clone(),
            tamper: Box::new(|_, b| b),
        },
        &mirror,
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    )
    .unwrap();
    let before = snapshot(&mirror);

    let cases: Vec<(&str, Tamper)> = vec![
        (
            "flipped leaf hash",
            Box::new(|p, mut b| {
                if p == "tile/0/001.p/44" {
                    b[0] ^= 1;
                }
                b
            }),
        ),
        (
            "short tile",
            Box::new(|p, mut b| {
                if p == "tile/0/000" {
                    b.truncate(100);
                }
                b
            }),
        ),
        (
            "oversized bundle",
            Box::new(|p, mut b| {
                if p.starts_with("tile/entries/000") {
                    b.resize(5 << 20, 0);
                }
                b
            }),
        ),
        (
            "entry swapped",
            Box::new(|p, b| {
                if p == "tile/entries/000" {
                    let other = tlog::encode_bundle(
                        &(1..=256).map(|i| entry(i).to_bytes()).collect::<Vec<_>>(),
                    )
                    .unwrap();
                    return other;
                }
                b
            }),
        ),
        (
            "bad signature",
            Box::new(|p, mut b| {
                if p == "checkpoint" {
                    let n = b.len();
                    b[n - 5] ^= 1;
                }
                b
            }),
        ),
        (
            "unsigned size change",
            Box::new(|p, b| {
                if p == "checkpoint" {
                    return String::from_utf8(b)
                        .unwrap()
                        .replacen("\n300\n", "\n299\n", 1)
                        .into_bytes();
                }
                b
            }),
        ),
    ];
    for (name, tamper) in cases {
        let r = sync_mirror(
            &Hostile {
                dir: log.clone(),
                tamper,
            },
            &mirror,
            &key,
            DEFAULT_MIRROR_MAX_SIZE,
        );
        assert!(r.is_err(), "{name} was accepted");
        assert!(r.unwrap_err().is_verification_failure(), "{name}");
        assert_eq!(snapshot(&mirror), before, "{name} changed the mirror");
    }
    // Budget on the size a checkpoint claims.
    let r = sync_mirror(
        &Hostile {
            dir: log.clone(),
            tamper: Box::new(|_, b| b),
        },
        &mirror,
        &key,
        200,
    );
    assert!(r.is_err());
    assert_eq!(snapshot(&mirror), before);

    // A different tree from the same key: split view, at a larger and at the same size.
    let fork = tmp("h-fork");
    tlog::init_log(&fork, &signer()).unwrap();
    {
        let mut l = Log::open(&fork).unwrap();
        l.append(&(1000..1300).map(entry).collect::<Vec<_>>())
            .unwrap();
        l.checkpoint(&signer()).unwrap();
    }
    let r = sync_mirror(
        &Hostile {
            dir: fork.clone(),
            tamper: Box::new(|_, b| b),
        },
        &mirror,
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    );
    assert!(matches!(r, Err(TlogError::SplitView(_))), "{r:?}");
    let fork100 = tmp("h-fork100");
    tlog::init_log(&fork100, &signer()).unwrap();
    {
        let mut l = Log::open(&fork100).unwrap();
        l.append(&(1000..1100).map(entry).collect::<Vec<_>>())
            .unwrap();
        l.checkpoint(&signer()).unwrap();
    }
    let r = sync_mirror(
        &Hostile {
            dir: fork100,
            tamper: Box::new(|_, b| b),
        },
        &mirror,
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    );
    assert!(matches!(r, Err(TlogError::SplitView(_))), "{r:?}");
    assert_eq!(snapshot(&mirror), before);

    // Rollback: mirror the big log, then be offered the small one.
    sync_mirror(
        &Hostile {
            dir: log.clone(),
            tamper: Box::new(|_, b| b),
        },
        &mirror,
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    )
    .unwrap();
    let after = snapshot(&mirror);
    let r = sync_mirror(
        &Hostile {
            dir: small,
            tamper: Box::new(|_, b| b),
        },
        &mirror,
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    );
    assert!(
        matches!(
            r,
            Err(TlogError::Rollback {
                local: 300,
                remote: 100
            })
        ),
        "{r:?}"
    );
    assert_eq!(snapshot(&mirror), after);
}

#[test]
fn server_publishes_only_checkpoint_and_tiles() {
    let log = tmp("s-log");
    build_log(&log, 10, 10);
    let url = serve(&log);
    assert!(url.get("checkpoint", 1 << 16).unwrap().is_some());
    assert!(url.get("tile/0/000.p/10", 1 << 16).unwrap().is_some());
    for p in [
        "log.json",
        "pending",
        "lock",
        "tile/0/000.p/10.tmp",
        "../etc/passwd",
        "tile/0/x000/000.p/10",
        "",
    ] {
        assert_eq!(url.get(p, 1 << 16).unwrap(), None, "{p}");
    }
    // The client's body budget.
    assert!(url.get("tile/0/000.p/10", 100).is_err());
}

/// A raw server that answers every connection with `response`.
fn raw_server(response: Vec<u8>) -> BaseUrl {
    use std::io::{Read, Write};
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(&response);
        }
    });
    BaseUrl::parse(&format!("http://{addr}")).unwrap()
}

#[test]
fn hostile_http_responses_are_rejected() {
    let mirror = tmp("raw-mirror");
    let key = signer().to_verifier_key();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "huge content-length",
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n".to_vec(),
        ),
        (
            "chunked",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                .to_vec(),
        ),
        (
            "endless head",
            [b"HTTP/1.1 200 OK\r\n".to_vec(), b"X: y\r\n".repeat(5000)].concat(),
        ),
        (
            "body over budget without length",
            [b"HTTP/1.1 200 OK\r\n\r\n".to_vec(), vec![b'a'; 70 * 1024]].concat(),
        ),
        (
            "short body",
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".to_vec(),
        ),
        (
            "server error",
            b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n".to_vec(),
        ),
        (
            "garbage checkpoint",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec(),
        ),
    ];
    for (name, resp) in cases {
        let url = raw_server(resp);
        let r = sync_mirror(&url, &mirror, &key, DEFAULT_MIRROR_MAX_SIZE);
        assert!(r.is_err(), "{name} accepted");
        assert!(snapshot(&mirror).is_empty(), "{name} wrote to the mirror");
    }
}

/// A test CA (PEM) and a TLS server on 127.0.0.1 whose certificate (for `names`) it issued,
/// serving the published files of `dir`; returns the `https://` base URL and the CA.
fn serve_tls(dir: &Path, names: &[&str]) -> (String, String) {
    use std::io::{Read, Write};
    use std::sync::Arc;
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
    let dir = dir.to_path_buf();
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
            let body = tlog::http::published_file(&dir, &path).and_then(|f| std::fs::read(f).ok());
            let _ = match body {
                Some(b) => tls
                    .write_all(
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", b.len())
                            .as_bytes(),
                    )
                    .and_then(|()| tls.write_all(&b)),
                None => tls.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
            };
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (format!("https://{addr}"), ca.pem())
}

#[test]
fn mirror_over_https_with_the_ca_then_refusals() {
    let log = tmp("tls-log");
    build_log(&log, 300, 300);
    let key = signer().to_verifier_key();

    // With the test CA: the mirror syncs over TLS.
    let (url, ca) = serve_tls(&log, &["127.0.0.1"]);
    let mirror = tmp("tls-mirror");
    let base = BaseUrl::parse(&url)
        .unwrap()
        .with_ca_pem(ca.as_bytes())
        .unwrap();
    let out = sync_mirror(&base, &mirror, &key, DEFAULT_MIRROR_MAX_SIZE).unwrap();
    assert_eq!((out.old_size, out.new_size), (0, 300));
    verify_mirror_inclusion(&mirror, &key, &entry(123), None).unwrap();

    // Without it (the Mozilla root set): unknown issuer, nothing written.
    let empty = tmp("tls-mirror-unknown");
    let e = sync_mirror(
        &BaseUrl::parse(&url).unwrap(),
        &empty,
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("not issued by a trusted CA"), "{msg}");
    assert!(msg.contains("UnknownIssuer"), "{msg}");
    assert!(!empty.join("checkpoint").exists());

    // A certificate for another name: refused even with the right CA.
    let (url, ca) = serve_tls(&log, &["log.example.invalid"]);
    let base = BaseUrl::parse(&url)
        .unwrap()
        .with_ca_pem(ca.as_bytes())
        .unwrap();
    let e = sync_mirror(
        &base,
        &tmp("tls-mirror-name"),
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    )
    .unwrap_err();
    assert!(e.to_string().contains("does not name this host"), "{e}");

    // A CA file without certificates, or for a plain-http URL: refused.
    assert!(BaseUrl::parse(&url).unwrap().with_ca_pem(b"junk").is_err());
    let plain = BaseUrl::parse("http://127.0.0.1:9").unwrap();
    assert!(plain.with_ca_pem(ca.as_bytes()).is_err());
}

#[test]
fn plain_http_only_to_loopback_hosts() {
    for ok in [
        "http://127.0.0.1:9",
        "http://localhost:9/log",
        "http://[::1]:9",
    ] {
        assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://192.0.2.1:80",
        "http://example.invalid/log",
        "ftp://127.0.0.1/",
    ] {
        let e = BaseUrl::parse(bad).unwrap_err();
        assert!(matches!(e, TlogError::Input(_)), "{bad}: {e}");
    }
}

/// A loopback server that answers each connection, after reading its request, by calling
/// `answer(request path, stream)` on a thread of its own.
fn custom_server(
    answer: impl Fn(&str, &mut std::net::TcpStream) + Send + Sync + 'static,
) -> (BaseUrl, String) {
    use std::io::Read;
    use std::sync::Arc;
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    match s.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
                answer(&path, &mut s);
            });
        }
    });
    (BaseUrl::parse(&base).unwrap(), base)
}

/// A 200 response with a length.
fn ok_response(body: &[u8]) -> Vec<u8> {
    [
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes(),
        body.to_vec(),
    ]
    .concat()
}

/// Runs `f` on a thread and fails the test if it has not returned within `limit`.
fn within<T: Send + 'static>(
    limit: std::time::Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still running after {limit:?}: no deadline"))
}

#[test]
fn a_trickling_server_hits_the_whole_request_deadline() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let log = tmp("slow-log");
    build_log(&log, 10, 10);
    let dir = log.clone();
    // A valid response, one byte every 100 ms: no single read ever waits long.
    let (url, base) = custom_server(move |path, s| {
        let file = tlog::http::published_file(&dir, path).unwrap();
        for b in ok_response(&std::fs::read(file).unwrap()) {
            if s.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let url = url.with_request_timeout(Duration::from_millis(800));
    let mirror = tmp("slow-mirror");
    let key = signer().to_verifier_key();
    let m = mirror.clone();
    let start = Instant::now();
    let r = within(Duration::from_secs(10), move || {
        sync_mirror(&url, &m, &key, DEFAULT_MIRROR_MAX_SIZE)
    });
    let took = start.elapsed();
    let e = r.unwrap_err();
    assert!(matches!(e, TlogError::Timeout(_)), "{e:?}");
    assert!(!e.is_verification_failure());
    let msg = e.to_string();
    assert!(msg.contains(&format!("{base}/checkpoint")), "{msg}");
    assert!(msg.contains("800ms"), "{msg}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(snapshot(&mirror).is_empty());
}

#[test]
fn a_slow_server_hits_the_overall_deadline() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let log = tmp("slower-log");
    build_log(&log, 700, 700);
    let dir = log.clone();
    // Every response is prompt enough for the request limit, but each waits 300 ms.
    let (url, base) = custom_server(move |path, s| {
        std::thread::sleep(Duration::from_millis(300));
        let resp = match tlog::http::published_file(&dir, path).and_then(|f| std::fs::read(f).ok())
        {
            Some(b) => ok_response(&b),
            None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
        };
        let _ = s.write_all(&resp);
    });
    let url = url
        .with_request_timeout(Duration::from_secs(5))
        .with_overall_timeout(Duration::from_millis(1000));
    let mirror = tmp("slower-mirror");
    let key = signer().to_verifier_key();
    let m = mirror.clone();
    let start = Instant::now();
    let r = within(Duration::from_secs(10), move || {
        sync_mirror(&url, &m, &key, DEFAULT_MIRROR_MAX_SIZE)
    });
    let took = start.elapsed();
    let e = r.unwrap_err();
    assert!(matches!(e, TlogError::Timeout(_)), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(&format!("{base}/tile/")), "{msg}");
    assert!(msg.contains("overall time limit of 1s"), "{msg}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(snapshot(&mirror).is_empty());
}

/// An entry close to the 16 KiB limit (a 1 KiB name and 1 KiB metadata values).
fn max_entry(i: u64) -> tlog::Entry {
    let mut meta = std::collections::BTreeMap::new();
    let name = format!("{i:0>1024}");
    for k in 0..32u32 {
        let mut m = meta.clone();
        m.insert(format!("k{k:02}"), "v".repeat(1024));
        let e = tlog::Entry::new(
            merkle::Hash([1; 32]),
            merkle::Hash([2; 32]),
            &name,
            m.clone(),
        );
        match e {
            Ok(e) if e.to_bytes().len() <= tlog::MAX_ENTRY_LEN => meta = m,
            _ => break,
        }
    }
    let e = tlog::Entry::new(merkle::Hash([1; 32]), merkle::Hash([2; 32]), &name, meta).unwrap();
    assert!(e.to_bytes().len() > 15 * 1024);
    e
}

/// A hash tile and a maximal bundle that agree with each other but not with the log.
fn forged_tile_and_bundle(width: usize) -> (Vec<u8>, Vec<u8>) {
    let entries: Vec<Vec<u8>> = (0..width as u64).map(|i| max_entry(i).to_bytes()).collect();
    let hashes: Vec<merkle::Hash> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
    (
        tlog::encode_hash_tile(&hashes),
        tlog::encode_bundle(&entries).unwrap(),
    )
}

/// A loopback server that serves the published files of `dir` (its genuine signed checkpoint
/// included), except for the paths in `forged`.
fn forging_server(dir: &Path, forged: Vec<(String, Vec<u8>)>) -> BaseUrl {
    use std::io::Write;
    let dir = dir.to_path_buf();
    custom_server(move |path, s| {
        let body = forged
            .iter()
            .find(|(p, _)| path.strip_prefix('/') == Some(p.as_str()))
            .map(|(_, b)| b.clone())
            .or_else(|| tlog::http::published_file(&dir, path).and_then(|f| std::fs::read(f).ok()));
        let resp = match body {
            Some(b) => ok_response(&b),
            None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
        };
        let _ = s.write_all(&resp);
    })
    .0
}

#[test]
fn forged_tiles_are_named_and_nothing_is_written() {
    let log = tmp("forge-log");
    build_log(&log, 600, 600); // level 0: tiles 0, 1 full, 2.p/88; level 1: 000.p/2
    let key = signer().to_verifier_key();
    let (tile, bundle) = forged_tile_and_bundle(256);
    type Forged = Vec<(String, Vec<u8>)>;
    let cases: Vec<(&str, Forged)> = vec![
        (
            "tile/0/001",
            vec![
                ("tile/0/001".into(), tile.clone()),
                ("tile/entries/001".into(), bundle.clone()),
            ],
        ),
        (
            "tile/0/000",
            vec![
                ("tile/0/000".into(), tile.clone()),
                ("tile/entries/000".into(), bundle.clone()),
            ],
        ),
        ("tile/1/000.p/2", {
            let mut t = std::fs::read(log.join("tile/1/000.p/2")).unwrap();
            t[40] ^= 1;
            vec![("tile/1/000.p/2".into(), t)]
        }),
    ];
    // Into an empty mirror, and into one that holds the first 100 entries.
    let empty = tmp("forge-empty");
    let partial = tmp("forge-partial");
    let small = tmp("forge-small");
    build_log(&small, 100, 100);
    sync_mirror(
        &forging_server(&small, Vec::new()),
        &partial,
        &key,
        DEFAULT_MIRROR_MAX_SIZE,
    )
    .unwrap();
    for mirror in [&empty, &partial] {
        let before = snapshot(mirror);
        for (name, forged) in &cases {
            let r = sync_mirror(
                &forging_server(&log, forged.clone()),
                mirror,
                &key,
                DEFAULT_MIRROR_MAX_SIZE,
            );
            let e = r.unwrap_err();
            assert!(e.is_verification_failure(), "{name}: {e}");
            assert!(e.to_string().contains(name), "{name}: {e}");
            assert_eq!(snapshot(mirror), before, "{name} changed the mirror");
            let names: Vec<String> = std::fs::read_dir(mirror)
                .unwrap()
                .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(
                names.iter().all(|n| !n.contains("staging")),
                "{name}: staging left behind: {names:?}"
            );
        }
        // The genuine log still mirrors.
        let out = sync_mirror(
            &forging_server(&log, Vec::new()),
            mirror,
            &key,
            DEFAULT_MIRROR_MAX_SIZE,
        )
        .unwrap();
        assert_eq!(out.new_size, 600);
        verify_mirror_inclusion(mirror, &key, &entry(599), None).unwrap();
    }
}

#[test]
fn ambiguous_response_framing_is_refused() {
    // What the client must not guess about: two lengths, a signed or spaced length, a status
    // line that is not HTTP/1.x, a folded header, a redirect.
    let body = b"hello".to_vec();
    for (name, head) in [
        (
            "two lengths",
            "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nContent-Length: 5\r\n",
        ),
        ("signed length", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n"),
        (
            "space before colon",
            "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n",
        ),
        ("not HTTP/1.x", "ICY 200 OK\r\nContent-Length: 5\r\n"),
        (
            "folded header",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n X: y\r\n",
        ),
        (
            "redirect",
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/\r\nContent-Length: 5\r\n",
        ),
    ] {
        let url = raw_server([head.as_bytes(), b"\r\n", &body].concat());
        let r = url.get("checkpoint", 1 << 16);
        assert!(r.is_err(), "{name}: {r:?}");
    }
}

#[test]
fn the_server_cuts_off_a_trickling_client() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let log = tmp("slowloris-log");
    build_log(&log, 10, 10);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || tlog::http::serve_with_timeout(l, &log, Duration::from_secs(1)));
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let start = Instant::now();
    // An endless request head, one byte every 100 ms: the server must hang up.
    let closed = loop {
        if start.elapsed() > Duration::from_secs(5) {
            break false;
        }
        if s.write_all(b"X").is_err() {
            break true;
        }
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break true,
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(closed, "connection still open after {:?}", start.elapsed());
    assert!(start.elapsed() < Duration::from_secs(3));
}
