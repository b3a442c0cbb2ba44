//! Generates fixtures/tuf/ (fixed keys, fixed clock 2030-01-01T00:00:00Z):
//!
//! - `repo/`: a TUF repository in the Sigstore layout (root v1, rotated to v2; timestamp,
//!   snapshot and targets v1 with `trusted_root.json`), servable by any static HTTP server;
//! - `cache/`: a cache warmed from it (offline, through a directory fetcher);
//! - `sigstore-cache.tgz`: that cache exported.
//!
//! `cargo run -p offline-cache --example gen_tuf_fixtures -- fixtures/tuf`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/support/mod.rs"]
mod support;

use offline_cache::{export, warm, CacheDir, WarmRequest};
use plugin_api::VerificationTime;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fixtures/tuf".into()),
    );
    let _ = std::fs::remove_dir_all(out.join("repo"));
    let _ = std::fs::remove_dir_all(out.join("cache"));
    let mut repo = support::Repo::new();
    let initial = repo.initial_root();
    repo.rotate(11, 14);
    repo.publish(1, support::TRUSTED_ROOT);
    for (path, data) in &repo.files {
        let p = out.join("repo").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    std::fs::write(out.join("initial-root.json"), &initial).unwrap();
    let url = "http://127.0.0.1:8080/";
    let cache = CacheDir::new(out.join("cache"));
    let req = WarmRequest {
        name: "sigstore".into(),
        metadata_url: url.into(),
        targets_url: format!("{url}targets/"),
        initial_root: Some(initial),
        targets: vec!["trusted_root.json".into()],
        now: VerificationTime::from_unix_seconds(support::NOW),
    };
    let fetcher = plugin_tuf::DirFetcher::new(url, out.join("repo"));
    let outcome = warm(&cache, &req, fetcher).unwrap();
    assert!(outcome.report.ok(), "{}", outcome.report.to_json());
    // The lock file is not part of the fixture.
    let _ = std::fs::remove_file(out.join("cache/tuf/sigstore.lock"));
    let archive = out.join("sigstore-cache.tgz");
    let _ = std::fs::remove_file(&archive);
    export(&cache, "sigstore", &archive).unwrap();
    println!("wrote {}", out.display());
}
