//! What a cache holds cannot be changed behind the TUF metadata's back: an export archive
//! stripped of targets in transit is refused on import, a damaged `state.json` is an error
//! (never a verified cache with nothing in it), and a warm that fails, whatever the reason,
//! leaves no staging directory behind.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use offline_cache::{
    export, import, verify_cached, warm, CacheDir, Error, HttpFetcher, WarmRequest,
};
use plugin_api::{Report, VerificationTime};
use std::path::Path;
use std::time::Duration;
use support::{rewrite_archive, Repo, Server, TempDir, NOW, TRUSTED_ROOT};

const EXTRA: &str = "extra.json";
const EXTRA_DATA: &[u8] = b"{\"extra\":true}";

fn at(t: u64) -> VerificationTime {
    VerificationTime::from_unix_seconds(t)
}

fn request(server: &Server, root: Option<Vec<u8>>, targets: &[&str]) -> WarmRequest {
    WarmRequest {
        name: "sigstore".into(),
        metadata_url: server.url.clone(),
        targets_url: format!("{}targets/", server.url),
        initial_root: root,
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
        now: at(NOW),
    }
}

fn http() -> HttpFetcher {
    HttpFetcher::new(Duration::from_secs(10))
}

fn failed_check(r: &Report) -> String {
    r.first_failure().map(|c| c.id.clone()).unwrap_or_default()
}

/// The names of the hidden entries (staging directories) of the repository directory.
fn leftovers(cache: &CacheDir) -> Vec<String> {
    match std::fs::read_dir(cache.repo_dir("sigstore")) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A cache warmed from a repository listing `trusted_root.json` and `extra.json`, holding
/// both, and its export.
fn warmed_with_two_targets() -> (TempDir, CacheDir, Repo, Server, std::path::PathBuf) {
    let dir = TempDir::new("integrity");
    let cache = CacheDir::new(dir.0.join("cache"));
    let mut repo = Repo::new();
    repo.publish_targets(
        1,
        &[("trusted_root.json", TRUSTED_ROOT), (EXTRA, EXTRA_DATA)],
    );
    let server = Server::start(repo.files.clone());
    let out = warm(
        &cache,
        &request(
            &server,
            Some(repo.initial_root()),
            &["trusted_root.json", EXTRA],
        ),
        http(),
    )
    .unwrap();
    assert!(out.committed, "{}", out.report.to_json());
    let archive = dir.0.join("export.tgz");
    export(&cache, "sigstore", &archive).unwrap();
    (dir, cache, repo, server, archive)
}

/// Rewrites `from` into `to` without `target` (its file, and its name in `state.json`).
fn strip(from: &Path, to: &Path, targets_left: &[&str]) {
    rewrite_archive(from, to, |entries| {
        entries
            .into_iter()
            .filter_map(|(path, data)| {
                if let Some(file) = path.strip_prefix("tuf/sigstore/targets/") {
                    return targets_left.contains(&file).then_some((path, data));
                }
                if path == "tuf/sigstore/state.json" {
                    let mut state: serde_json::Value = serde_json::from_slice(&data).unwrap();
                    state["targets"] = serde_json::json!(targets_left);
                    return Some((path, serde_json::to_vec_pretty(&state).unwrap()));
                }
                Some((path, data))
            })
            .collect()
    });
}

#[test]
fn an_archive_stripped_of_every_target_is_refused() {
    let (dir, _cache, repo, _server, archive) = warmed_with_two_targets();
    let stripped = dir.0.join("stripped.tgz");
    strip(&archive, &stripped, &[]);
    let fresh = CacheDir::new(dir.0.join("fresh"));
    match import(&fresh, &stripped, Some(&repo.initial_root()), at(NOW), &[]) {
        Err(Error::Corrupt { reason, .. }) => {
            assert!(reason.contains("lists no targets"), "{reason}")
        }
        other => panic!("a stripped archive must be refused: {other:?}"),
    }
    assert!(fresh.current_generation("sigstore").unwrap().is_none());
    assert!(leftovers(&fresh).is_empty());
}

#[test]
fn an_archive_without_the_trusted_root_its_metadata_lists_is_refused() {
    let (dir, _cache, repo, _server, archive) = warmed_with_two_targets();
    let stripped = dir.0.join("no-trusted-root.tgz");
    strip(&archive, &stripped, &[EXTRA]);
    let fresh = CacheDir::new(dir.0.join("fresh"));
    let out = import(&fresh, &stripped, Some(&repo.initial_root()), at(NOW), &[]).unwrap();
    assert!(!out.committed, "{}", out.report.to_json());
    assert_eq!(failed_check(&out.report), "tuf.target.trusted-root-json");
    let detail = &out.report.first_failure().unwrap().detail;
    assert!(
        detail.contains("listed by the trusted targets metadata"),
        "{detail}"
    );
    assert!(fresh.current_generation("sigstore").unwrap().is_none());
    assert!(leftovers(&fresh).is_empty());
}

#[test]
fn an_archive_that_drops_a_target_the_cache_holds_is_refused() {
    let (dir, cache, _repo, _server, archive) = warmed_with_two_targets();
    let before = cache.current_generation("sigstore").unwrap();
    let stripped = dir.0.join("no-extra.tgz");
    strip(&archive, &stripped, &["trusted_root.json"]);
    let out = import(&cache, &stripped, None, at(NOW), &[]).unwrap();
    assert!(!out.committed, "{}", out.report.to_json());
    assert_eq!(failed_check(&out.report), "tuf.target.extra-json");
    assert_eq!(cache.current_generation("sigstore").unwrap(), before);
    assert!(leftovers(&cache).is_empty());
    // The unaltered archive imports (same versions: no rollback, nothing dropped).
    let out = import(&cache, &archive, None, at(NOW), &[]).unwrap();
    assert!(out.committed, "{}", out.report.to_json());
}

#[test]
fn a_damaged_state_file_is_an_error_not_an_empty_verified_cache() {
    let (_dir, cache, _repo, _server, _archive) = warmed_with_two_targets();
    let gen = cache.current_generation("sigstore").unwrap().unwrap();
    let state_path = gen.join("state.json");
    let good = std::fs::read(&state_path).unwrap();
    let mut state: serde_json::Value = serde_json::from_slice(&good).unwrap();

    // Every target dropped from the list (files and all): refused, never "verified".
    state["targets"] = serde_json::json!([]);
    std::fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    for t in ["trusted_root.json", EXTRA] {
        std::fs::remove_file(gen.join("targets").join(t)).unwrap();
    }
    let err = verify_cached(&cache, "sigstore", at(NOW), &[]).unwrap_err();
    assert!(err.to_string().contains("lists no targets"), "{err}");
    // The trusted-root API says the cache is damaged, not that nothing is cached (only the
    // latter would let a caller fall back to another root).
    let err = offline_cache::trusted_root(&cache, "sigstore", at(NOW), &[]).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(!matches!(err, Error::NotCached { .. }));

    // A target dropped from the list but still on disk: refused as a damaged state.
    std::fs::write(&state_path, &good).unwrap();
    std::fs::write(gen.join("targets/trusted_root.json"), TRUSTED_ROOT).unwrap();
    std::fs::write(gen.join("targets").join(EXTRA), EXTRA_DATA).unwrap();
    assert!(verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report
        .ok());
    state["targets"] = serde_json::json!([EXTRA]);
    std::fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    let err = verify_cached(&cache, "sigstore", at(NOW), &[]).unwrap_err();
    assert!(err.to_string().contains("does not record"), "{err}");

    // The trusted root dropped from list and disk, another target kept: the metadata lists
    // it, so the cache fails on its check.
    std::fs::remove_file(gen.join("targets/trusted_root.json")).unwrap();
    let r = verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report;
    assert_eq!(failed_check(&r), "tuf.target.trusted-root-json");
    assert!(matches!(
        offline_cache::trusted_root(&cache, "sigstore", at(NOW), &[]),
        Ok(Err(_))
    ));

    // Unparseable: an error naming the file.
    std::fs::write(&state_path, b"{not json").unwrap();
    let err = offline_cache::trusted_root(&cache, "sigstore", at(NOW), &[]).unwrap_err();
    assert!(err.to_string().contains("state.json"), "{err}");
    assert!(!matches!(err, Error::NotCached { .. }));
}

#[test]
fn warm_caches_the_trusted_root_whenever_the_repository_lists_it() {
    let dir = TempDir::new("trust-root");
    let cache = CacheDir::new(dir.0.join("cache"));
    let mut repo = Repo::new();
    repo.publish_targets(
        1,
        &[("trusted_root.json", TRUSTED_ROOT), (EXTRA, EXTRA_DATA)],
    );
    let server = Server::start(repo.files.clone());
    let out = warm(
        &cache,
        &request(&server, Some(repo.initial_root()), &[EXTRA]),
        http(),
    )
    .unwrap();
    assert!(out.committed, "{}", out.report.to_json());
    let v = verify_cached(&cache, "sigstore", at(NOW), &[]).unwrap();
    assert_eq!(v.report, out.report);
    assert_eq!(v.targets["trusted_root.json"], TRUSTED_ROOT);
    assert_eq!(v.targets[EXTRA], EXTRA_DATA);
    // No target to cache is a request error (nothing is created).
    let empty = warm(&cache, &request(&server, None, &[]), http()).unwrap_err();
    assert!(empty.to_string().contains("no targets"), "{empty}");
}

/// Serves a repository's files from memory (the root-budget test fetches a thousand roots).
struct Memory<'a> {
    base: String,
    files: &'a std::collections::BTreeMap<String, Vec<u8>>,
}

impl<'a> Memory<'a> {
    fn new(base: &str, files: &'a std::collections::BTreeMap<String, Vec<u8>>) -> Self {
        Memory {
            base: base.to_owned(),
            files,
        }
    }
}

impl plugin_tuf::Fetcher for Memory<'_> {
    fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, plugin_tuf::FetchError> {
        let not_found = || plugin_tuf::FetchError::NotFound {
            url: url.to_owned(),
            status: 404,
        };
        let path = url.strip_prefix(self.base.as_str()).ok_or_else(not_found)?;
        let data = self.files.get(path).ok_or_else(not_found)?;
        if data.len() as u64 > max_len {
            return Err(plugin_tuf::FetchError::TooLarge {
                url: url.to_owned(),
                limit: max_len,
            });
        }
        Ok(data.clone())
    }
}

#[test]
fn a_warm_past_the_root_budget_names_the_failure_and_leaves_nothing() {
    let dir = TempDir::new("roots");
    let cache = CacheDir::new(dir.0.join("cache"));
    let mut repo = Repo::new();
    repo.publish(1, TRUSTED_ROOT);
    let limit = 1024u64; // offline-cache keeps at most 1 024 root versions after the anchor
    let base = "http://127.0.0.1:1/".to_owned();
    let req = |root: Option<Vec<u8>>| WarmRequest {
        name: "sigstore".into(),
        metadata_url: base.clone(),
        targets_url: format!("{base}targets/"),
        initial_root: root,
        targets: vec!["trusted_root.json".into()],
        now: at(NOW),
    };
    let out = warm(
        &cache,
        &req(Some(repo.initial_root())),
        Memory::new(&base, &repo.files),
    )
    .unwrap();
    assert!(out.committed, "{}", out.report.to_json());
    // Fill the rotation chain up to the budget as warms would (the client takes at most 256
    // root versions per refresh; writing them directly spares the test a thousand fsyncs).
    repo.publish_roots_to(1 + limit);
    let gen = cache.current_generation("sigstore").unwrap().unwrap();
    std::fs::create_dir_all(gen.join("roots")).unwrap();
    for v in 2..=1 + limit {
        let file = format!("{v}.root.json");
        std::fs::write(gen.join("roots").join(&file), &repo.files[&file]).unwrap();
    }
    let newest = format!("{}.root.json", 1 + limit);
    std::fs::write(gen.join("metadata/root.json"), &repo.files[&newest]).unwrap();
    let full = verify_cached(&cache, "sigstore", at(NOW), &[]).unwrap();
    assert!(full.report.ok());
    assert_eq!(full.report.outputs()["root_version"], 1 + limit);
    let before = cache.current_generation("sigstore").unwrap();

    // One more root version: the chain outgrows the budget.
    repo.publish_roots_to(2 + limit);
    for _ in 0..2 {
        let err = warm(&cache, &req(None), Memory::new(&base, &repo.files)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("1025 root versions") && text.contains("nothing was written"),
            "{text}"
        );
        assert!(leftovers(&cache).is_empty(), "{:?}", leftovers(&cache));
        assert_eq!(cache.current_generation("sigstore").unwrap(), before);
    }
    assert_eq!(
        verify_cached(&cache, "sigstore", at(NOW), &[])
            .unwrap()
            .report,
        full.report
    );
}
