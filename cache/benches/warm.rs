//! `cache warm` and offline `cache verify` timings over a generated TUF repository served
//! from 127.0.0.1 (harness = false: plain timing loops, median and min of N runs).
//!
//! `cargo bench -p offline-cache --bench warm` (figures in docs/benchmarks-tuf.md)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/support/mod.rs"]
mod support;

use offline_cache::{export, import, verify_cached, warm, CacheDir, HttpFetcher, WarmRequest};
use plugin_api::VerificationTime;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn stats(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let median = times[times.len() / 2];
    let min = times[0];
    println!(
        "{name:<44} median {:>8.3} ms   min {:>8.3} ms   ({} runs)",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        times.len()
    );
}

fn main() {
    let now = VerificationTime::from_unix_seconds(support::NOW);
    let mut repo = support::Repo::new();
    let initial = repo.initial_root();
    repo.rotate(11, 14);
    repo.publish(1, support::TRUSTED_ROOT);
    let server = support::Server::start(repo.files.clone());
    let req = |root: Option<Vec<u8>>| WarmRequest {
        name: "sigstore".into(),
        metadata_url: server.url.clone(),
        targets_url: format!("{}targets/", server.url),
        initial_root: root,
        targets: vec!["trusted_root.json".into()],
        now,
    };
    let fetcher = || HttpFetcher::new(Duration::from_secs(10));

    let (mut cold, mut rewarm, mut verify, mut exp, mut imp) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..RUNS {
        let dir = support::TempDir::new(&format!("bench-{i}"));
        let cache = CacheDir::new(dir.0.join("cache"));
        let t = Instant::now();
        let out = warm(&cache, &req(Some(initial.clone())), fetcher()).unwrap();
        cold.push(t.elapsed());
        assert!(out.committed);
        let t = Instant::now();
        let out = warm(&cache, &req(None), fetcher()).unwrap();
        rewarm.push(t.elapsed());
        assert!(out.committed);
        let t = Instant::now();
        let v = verify_cached(&cache, "sigstore", now, &[]).unwrap();
        verify.push(t.elapsed());
        assert!(v.report.ok());
        let archive = dir.0.join("c.tgz");
        let t = Instant::now();
        export(&cache, "sigstore", &archive).unwrap();
        exp.push(t.elapsed());
        let airgap = CacheDir::new(dir.0.join("airgap"));
        let t = Instant::now();
        let out = import(&airgap, &archive, Some(&initial), now, &[]).unwrap();
        imp.push(t.elapsed());
        assert!(out.committed);
    }
    println!(
        "local TUF repository: root v1 -> v2, timestamp/snapshot/targets v1, one target ({} bytes), ed25519",
        support::TRUSTED_ROOT.len()
    );
    stats("cache warm (empty cache, HTTP 127.0.0.1)", cold);
    stats("cache warm again (nothing new)", rewarm);
    stats("cache verify (offline)", verify);
    stats("cache export", exp);
    stats("cache import (re-verify + commit)", imp);
    server.stop();
}
