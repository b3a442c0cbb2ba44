//! End to end: a generated TUF repository served from 127.0.0.1, warmed, then verified
//! offline (server stopped); key rotation; rollback, freeze and mix-and-match attacks;
//! expired caches; export/import; concurrent and interrupted warmers.
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
use plugin_api::{Insecure, Report, VerificationTime};
use std::time::Duration;
use support::{Repo, Server, TempDir, LATER, NOW, PAST, TRUSTED_ROOT};

fn at(t: u64) -> VerificationTime {
    VerificationTime::from_unix_seconds(t)
}

fn request(server: &Server, root: Option<Vec<u8>>, now: u64) -> WarmRequest {
    WarmRequest {
        name: "sigstore".into(),
        metadata_url: server.url.clone(),
        targets_url: format!("{}targets/", server.url),
        initial_root: root,
        targets: vec!["trusted_root.json".into()],
        now: at(now),
    }
}

fn http() -> HttpFetcher {
    HttpFetcher::new(Duration::from_secs(10))
}

fn failed_check(r: &Report) -> String {
    r.first_failure().map(|c| c.id.clone()).unwrap_or_default()
}

/// Warms a fresh cache from a v1 repository.
fn warmed() -> (TempDir, CacheDir, Repo, Server) {
    let dir = TempDir::new("cache");
    let cache = CacheDir::new(&dir.0);
    let mut repo = Repo::new();
    repo.publish(1, TRUSTED_ROOT);
    let server = Server::start(repo.files.clone());
    let out = warm(
        &cache,
        &request(&server, Some(repo.initial_root()), NOW),
        http(),
    )
    .unwrap();
    assert!(out.report.ok(), "{}", out.report.to_json());
    assert!(out.committed);
    (dir, cache, repo, server)
}

#[test]
fn warm_online_then_verify_offline_gives_the_identical_report() {
    let (_dir, cache, _repo, server) = warmed();
    let online = warm(&cache, &request(&server, None, NOW), http())
        .unwrap()
        .report;
    server.stop();
    let offline = verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report;
    assert_eq!(online, offline);
    assert!(offline.ok());
    let ids: Vec<&str> = offline.checks().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "tuf.root.signatures",
            "tuf.timestamp.signatures",
            "tuf.snapshot.consistency",
            "tuf.snapshot.signatures",
            "tuf.targets.consistency",
            "tuf.targets.signatures",
            "tuf.root.expiry",
            "tuf.timestamp.expiry",
            "tuf.snapshot.expiry",
            "tuf.targets.expiry",
            "tuf.target.trusted-root-json",
        ]
    );
    // The trusted root API serves the verified bytes with their expiry facts.
    let tr = offline_cache::trusted_root(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .unwrap();
    assert_eq!(tr.bytes, TRUSTED_ROOT);
    assert_eq!(tr.roles.len(), 4);
    assert_eq!(tr.roles[1].expires, support::FUTURE);
}

#[test]
fn rotated_root_and_targets_keys_rewarm_and_verify_offline() {
    let (dir, cache, mut repo, server) = warmed();
    repo.rotate(11, 14);
    repo.rotate(21, 24);
    repo.publish(2, b"{\"rotated\":true}");
    server.set(&repo.files);
    let online = warm(&cache, &request(&server, None, NOW), http()).unwrap();
    assert!(online.report.ok(), "{}", online.report.to_json());
    server.stop();
    let offline = verify_cached(&cache, "sigstore", at(NOW), &[]).unwrap();
    assert_eq!(online.report, offline.report);
    assert_eq!(offline.report.outputs()["root_version"], 3);
    assert_eq!(offline.targets["trusted_root.json"], b"{\"rotated\":true}");
    // The whole chain is kept, so a fresh machine can verify it from the v1 anchor.
    let gen = cache.current_generation("sigstore").unwrap().unwrap();
    assert!(gen.join("roots/2.root.json").is_file() && gen.join("roots/3.root.json").is_file());
    let archive = dir.0.join("export.tgz");
    export(&cache, "sigstore", &archive).unwrap();
    let other = TempDir::new("airgap");
    let airgap = CacheDir::new(&other.0);
    let imported = import(&airgap, &archive, Some(&repo.initial_root()), at(NOW), &[]).unwrap();
    assert!(imported.committed, "{}", imported.report.to_json());
    let again = verify_cached(&airgap, "sigstore", at(NOW), &[]).unwrap();
    assert_eq!(again.report, offline.report);
}

#[test]
fn rollback_attack_fails_on_the_rollback_check_and_keeps_the_cache() {
    let (_dir, cache, mut repo, server) = warmed();
    let v1 = repo.files.clone();
    repo.publish(2, TRUSTED_ROOT);
    server.set(&repo.files);
    assert!(
        warm(&cache, &request(&server, None, NOW), http())
            .unwrap()
            .committed
    );
    let before = verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report;
    server.set(&v1); // the attacker serves the old (validly signed) timestamp v1
    let out = warm(&cache, &request(&server, None, NOW), http()).unwrap();
    assert!(!out.committed);
    assert_eq!(failed_check(&out.report), "tuf.timestamp.rollback");
    assert_eq!(out.report.exit_code(), 1);
    let leftovers = std::fs::read_dir(cache.repo_dir("sigstore"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(leftovers, 0, "a refused warm leaves no staging directory");
    assert_eq!(
        verify_cached(&cache, "sigstore", at(NOW), &[])
            .unwrap()
            .report,
        before
    );
}

#[test]
fn freeze_attack_fails_on_the_expiry_check() {
    let (_dir, cache, mut repo, server) = warmed();
    repo.publish_with(2, TRUSTED_ROOT, PAST);
    server.set(&repo.files);
    let out = warm(&cache, &request(&server, None, NOW), http()).unwrap();
    assert!(!out.committed);
    assert_eq!(failed_check(&out.report), "tuf.timestamp.expiry");
}

#[test]
fn mix_and_match_attack_fails_on_the_consistency_check() {
    let (_dir, cache, mut repo, server) = warmed();
    let old_targets = repo.files["1.targets.json"].clone();
    repo.publish(2, b"{\"v\":2}");
    // Snapshot v2 names targets v2, but the attacker serves targets v1 under that name.
    repo.files
        .insert("2.targets.json".into(), old_targets.clone());
    server.set(&repo.files);
    let out = warm(&cache, &request(&server, None, NOW), http()).unwrap();
    assert!(!out.committed);
    assert_eq!(failed_check(&out.report), "tuf.targets.consistency");

    // Offline: a cache whose targets were swapped for another version fails the same check.
    let gen = cache.current_generation("sigstore").unwrap().unwrap();
    let mut repo2 = Repo::new();
    repo2.publish(1, b"{}");
    std::fs::write(
        gen.join("metadata/targets.json"),
        &repo2.files["1.targets.json"],
    )
    .unwrap();
    let r = verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report;
    assert_eq!(failed_check(&r), "tuf.targets.consistency");
    assert!(r
        .checks()
        .iter()
        .any(|c| c.id == "tuf.targets.expiry" && c.is_skipped()));
}

#[test]
fn tampered_target_fails_its_check() {
    let (_dir, cache, _repo, _server) = warmed();
    let gen = cache.current_generation("sigstore").unwrap().unwrap();
    std::fs::write(gen.join("targets/trusted_root.json"), b"{\"evil\":1}").unwrap();
    let r = verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report;
    assert_eq!(failed_check(&r), "tuf.target.trusted-root-json");
    assert!(
        offline_cache::trusted_root(&cache, "sigstore", at(NOW), &[])
            .unwrap()
            .is_err()
    );
}

#[test]
fn expired_cache_fails_offline_unless_explicitly_allowed() {
    let (_dir, cache, _repo, server) = warmed();
    server.stop();
    let r = verify_cached(&cache, "sigstore", at(LATER), &[])
        .unwrap()
        .report;
    assert!(!r.ok());
    assert_eq!(failed_check(&r), "tuf.root.expiry");
    let failed: Vec<&str> = r
        .checks()
        .iter()
        .filter(|c| c.is_fail())
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "tuf.root.expiry",
            "tuf.timestamp.expiry",
            "tuf.snapshot.expiry",
            "tuf.targets.expiry"
        ]
    );
    // Signatures and consistency still verified.
    assert!(r
        .checks()
        .iter()
        .find(|c| c.id == "tuf.targets.signatures")
        .unwrap()
        .is_pass());

    let allowed = verify_cached(
        &cache,
        "sigstore",
        at(LATER),
        &[Insecure::AllowExpiredCache],
    )
    .unwrap()
    .report;
    assert!(allowed.ok(), "{}", allowed.to_json());
    assert_eq!(allowed.insecure(), [Insecure::AllowExpiredCache]);
    assert!(allowed.warnings()[0].starts_with("INSECURE: --allow-expired-cache"));
    // Nothing was refreshed: the cache is byte-for-byte what the warm wrote.
    assert!(!verify_cached(&cache, "sigstore", at(LATER), &[])
        .unwrap()
        .report
        .ok());
}

#[test]
fn import_re_verifies_and_refuses_rollback_and_foreign_anchors() {
    let (dir, cache, mut repo, server) = warmed();
    let old = dir.0.join("v1.tgz");
    export(&cache, "sigstore", &old).unwrap();
    repo.publish(2, TRUSTED_ROOT);
    server.set(&repo.files);
    assert!(
        warm(&cache, &request(&server, None, NOW), http())
            .unwrap()
            .committed
    );
    // Importing the older export into the newer cache is a rollback.
    let out = import(&cache, &old, None, at(NOW), &[]).unwrap();
    assert!(!out.committed, "{}", out.report.to_json());
    assert_eq!(failed_check(&out.report), "tuf.timestamp.rollback");
    // A fresh cache needs an anchor, and the archive's own is not enough.
    let other = TempDir::new("fresh");
    let fresh = CacheDir::new(&other.0);
    assert!(matches!(
        import(&fresh, &old, None, at(NOW), &[]),
        Err(Error::NoAnchor { .. })
    ));
    // An attacker's root as anchor: the archive's chain does not verify from it.
    let mut evil = Repo::new();
    evil.root_key = support::Key::new(99);
    evil.timestamp_key = support::Key::new(98);
    let evil_root = evil.root_bytes(1, &[&support::Key::new(99)]);
    let out = import(&fresh, &old, Some(&evil_root), at(NOW), &[]).unwrap();
    assert!(!out.committed);
    assert_eq!(failed_check(&out.report), "tuf.timestamp.signatures");
    assert!(fresh.current_generation("sigstore").unwrap().is_none());
}

/// A tar.gz with one hand-made entry (bypassing the tar crate's own path checks).
fn evil_archive(path: &std::path::Path, name: &[u8], kind: tar::EntryType, extra: bool) {
    let file = std::fs::File::create(path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    if extra {
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, "tuf/sigstore/state.json", &b"{}"[..])
            .unwrap();
    }
    let mut h = tar::Header::new_gnu();
    h.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
    h.set_entry_type(kind);
    h.set_size(if kind == tar::EntryType::Regular {
        2
    } else {
        0
    });
    if kind == tar::EntryType::Symlink {
        h.set_link_name("/etc/passwd").unwrap();
    }
    h.set_cksum();
    let data: &[u8] = if kind == tar::EntryType::Regular {
        b"{}"
    } else {
        b""
    };
    b.append(&h, data).unwrap();
    b.into_inner().unwrap().finish().unwrap();
}

#[test]
fn import_rejects_unsafe_tar_entries() {
    let dir = TempDir::new("evil");
    let cache = CacheDir::new(dir.0.join("cache"));
    let cases: [(&[u8], tar::EntryType, bool, &str); 6] = [
        (
            b"tuf/sigstore/../../x",
            tar::EntryType::Regular,
            false,
            "`..`",
        ),
        (
            b"/tuf/sigstore/state.json",
            tar::EntryType::Regular,
            false,
            "absolute",
        ),
        (
            b"tuf/sigstore/targets/x",
            tar::EntryType::Symlink,
            false,
            "not allowed",
        ),
        (
            b"tuf/sigstore/x",
            tar::EntryType::Link,
            false,
            "not allowed",
        ),
        (
            b"tuf/other/state.json",
            tar::EntryType::Regular,
            true,
            "second repository",
        ),
        (
            b"tuf/sigstore/state.json",
            tar::EntryType::Regular,
            true,
            "duplicate",
        ),
    ];
    for (i, (name, kind, extra, why)) in cases.iter().enumerate() {
        let path = dir.0.join(format!("evil-{i}.tgz"));
        evil_archive(&path, name, *kind, *extra);
        match import(&cache, &path, None, at(NOW), &[]) {
            Err(Error::Archive { reason, .. }) => assert!(reason.contains(why), "{i}: {reason}"),
            other => panic!("{i}: {other:?}"),
        }
    }
    assert!(!dir.0.join("x").exists() && !dir.0.join("cache/tuf/sigstore").exists());
    // Not gzip at all.
    std::fs::write(dir.0.join("junk.tgz"), b"junk").unwrap();
    assert!(matches!(
        import(&cache, &dir.0.join("junk.tgz"), None, at(NOW), &[]),
        Err(Error::Archive { .. })
    ));
}

#[test]
fn concurrent_warmers_are_serialized() {
    let (_dir, cache, mut repo, server) = warmed();
    repo.publish(2, TRUSTED_ROOT);
    server.set(&repo.files);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let cache = cache.clone();
            let req = request(&server, None, NOW);
            std::thread::spawn(move || warm(&cache, &req, http()).unwrap())
        })
        .collect();
    for h in handles {
        let out = h.join().unwrap();
        assert!(out.report.ok() && out.committed, "{}", out.report.to_json());
    }
    let r = verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report;
    assert!(r.ok());
    assert_eq!(r.outputs()["timestamp_version"], 2);
    let gens = std::fs::read_dir(cache.repo_dir("sigstore"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gen-")
        })
        .count();
    assert_eq!(gens, 2, "the current and the previous generation are kept");
}

/// A fetcher that dies (panics) when asked for a target, after the metadata has been
/// written to the staging directory.
struct Dies(HttpFetcher);

impl plugin_tuf::Fetcher for Dies {
    fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, plugin_tuf::FetchError> {
        if url.contains("/targets/") {
            panic!("killed mid-write");
        }
        self.0.fetch(url, max_len)
    }
}

fn staging_dirs(cache: &CacheDir) -> usize {
    std::fs::read_dir(cache.repo_dir("sigstore"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".staging-")
        })
        .count()
}

#[test]
fn a_warmer_killed_mid_write_leaves_the_previous_state() {
    let (_dir, cache, mut repo, server) = warmed();
    let before = verify_cached(&cache, "sigstore", at(NOW), &[])
        .unwrap()
        .report;
    repo.publish(2, b"{\"v\":2}");
    server.set(&repo.files);
    // A warmer that unwinds mid-write releases its lock and removes its staging directory.
    let (c, req) = (cache.clone(), request(&server, None, NOW));
    let died = std::thread::spawn(move || warm(&c, &req, Dies(http()))).join();
    assert!(died.is_err());
    assert_eq!(
        staging_dirs(&cache),
        0,
        "an unwinding warmer removes its staging"
    );
    assert_eq!(
        verify_cached(&cache, "sigstore", at(NOW), &[])
            .unwrap()
            .report,
        before
    );
    // A process killed outright (no unwinding) leaves its partial state aside: the
    // committed generation is untouched, and the next warmer removes the leftover.
    let killed = cache.repo_dir("sigstore").join(".staging-999999-0");
    std::fs::create_dir_all(killed.join("metadata")).unwrap();
    std::fs::write(killed.join("metadata/timestamp.json"), b"{\"partial").unwrap();
    assert_eq!(
        verify_cached(&cache, "sigstore", at(NOW), &[])
            .unwrap()
            .report,
        before
    );
    let out = warm(&cache, &request(&server, None, NOW), http()).unwrap();
    assert!(out.committed, "{}", out.report.to_json());
    assert_eq!(staging_dirs(&cache), 0);
    assert_eq!(
        verify_cached(&cache, "sigstore", at(NOW), &[])
            .unwrap()
            .targets["trusted_root.json"],
        b"{\"v\":2}"
    );
}

#[test]
fn rewarm_with_a_different_root_is_refused() {
    let (_dir, cache, _repo, server) = warmed();
    let other = Repo::new();
    let mut evil = other.root_signed(1);
    evil["expires"] = serde_json::json!("2032-01-01T00:00:00Z");
    let evil = support::sign(&evil, &[&support::Key::new(1)]);
    assert!(matches!(
        warm(&cache, &request(&server, Some(evil), NOW), http()),
        Err(Error::AnchorMismatch { .. })
    ));
}

#[test]
fn import_refuses_entries_over_budget() {
    let dir = TempDir::new("budget");
    let path = dir.0.join("big.tgz");
    let file = std::fs::File::create(&path).unwrap();
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::default(),
    ));
    let mut h = tar::Header::new_gnu();
    h.set_path("tuf/sigstore/targets/trusted_root.json")
        .unwrap();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(offline_cache::MAX_TARGET_FILE_LEN + 1);
    h.set_cksum();
    b.append(&h, &b""[..]).unwrap();
    b.into_inner().unwrap().finish().unwrap();
    let cache = CacheDir::new(dir.0.join("cache"));
    match import(&cache, &path, None, at(NOW), &[]) {
        Err(Error::Archive { reason, .. }) => {
            assert!(reason.contains("exceeds the limit"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}
