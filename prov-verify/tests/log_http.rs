//! `log serve` and `log mirror` through the CLI, on 127.0.0.1: a mirror of a served log
//! verifies (exit 0); a mirror with a key the log did not sign with is a failed verification
//! (exit 1) that leaves the mirror unchanged, as is a checkpoint over `--max-size`; a
//! `--ca-file` for an http URL is refused, a silent server is given up after `--timeout`, and
//! an unreachable log reaches no verdict (exit 2). (`log serve --allow-non-loopback` would
//! publish on the network, which tests do not do; golden/tlog-serve-non-loopback shows the
//! refusal without it.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `log serve` on an ephemeral port and returns it with its URL.
fn serve(dir: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(["log", "serve", "--listen", "127.0.0.1:0", "--dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if let Some(at) = line.find("http://") {
            return (server, line[at..].trim().to_owned());
        }
    }
    panic!("log serve printed no address");
}

fn mirror(url: &str, dir: &Path, key: &str) -> Output {
    mirror_with(url, dir, key, &["--request-timeout", "10"])
}

fn mirror_with(url: &str, dir: &Path, key: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .current_dir(repo())
        .args(["log", "mirror", "--url", url, "--key", key, "--dir"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn log_serve_and_mirror_exit_0_1_2() {
    let work =
        TempDir(std::env::temp_dir().join(format!("prov-verify-log-http-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(work.path());
    // A copy: serving takes the log's lock.
    let log = work.path().join("log");
    std::fs::create_dir_all(&log).unwrap();
    for e in std::fs::read_dir(repo().join("fixtures/tlog/log")).unwrap() {
        let e = e.unwrap();
        copy(&e.path(), &log.join(e.file_name()));
    }
    let (server, url) = serve(&log);

    let good = work.path().join("good");
    let o = mirror(&url, &good, "fixtures/tlog/log.vkey");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("size: 300"), "{}", text(&o));

    let other = work.path().join("other");
    let o = mirror(&url, &other, "fixtures/tlog/other.vkey");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("no signature from a trusted key"),
        "{}",
        text(&o)
    );

    // --max-size: a checkpoint over the budget is refused, the mirror unchanged (exit 1).
    let small = work.path().join("small");
    let o = mirror_with(
        &url,
        &small,
        "fixtures/tlog/log.vkey",
        &["--max-size", "10"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("above the mirror's budget of 10"),
        "{}",
        text(&o)
    );

    // --ca-file applies to https only: refused for http (exit 2).
    let ca = work.path().join("ca");
    let o = mirror_with(
        &url,
        &ca,
        "fixtures/tlog/log.vkey",
        &["--ca-file", "fixtures/x509/gen/root.pem"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("https:// URLs only"), "{}", text(&o));

    drop(server);
    // --timeout bounds the whole run: a server that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let started = std::time::Instant::now();
    let o = mirror_with(
        &silent_url,
        &work.path().join("silent"),
        "fixtures/tlog/log.vkey",
        &["--timeout", "1", "--request-timeout", "60"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "--timeout 1 ignored"
    );
    drop(silent);

    let gone = work.path().join("gone");
    let o = mirror(&url, &gone, "fixtures/tlog/log.vkey");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
