//! Tests of the updater.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use super::*;
use crate::testutil::{meta, sign, target_entry, MapFetcher, Repo, TempDir, TestKey, FUTURE, NOW};
use serde_json::json;

const M: &str = "http://repo.invalid/metadata/";
const T: &str = "http://repo.invalid/targets/";

struct Setup {
    repo: Repo,
    fetcher: MapFetcher,
    meta_dir: TempDir,
    target_dir: TempDir,
}

impl Setup {
    fn new(name: &str, consistent: bool) -> Self {
        let mut repo = Repo::new();
        repo.consistent = consistent;
        let meta_dir = TempDir::new(&format!("{name}-meta"));
        let target_dir = TempDir::new(&format!("{name}-targets"));
        std::fs::write(meta_dir.0.join("root.json"), repo.root(1)).unwrap();
        Setup {
            repo,
            fetcher: MapFetcher::default(),
            meta_dir,
            target_dir,
        }
    }

    fn name(&self, role: &str, version: u64) -> String {
        let v = self.repo.consistent.then_some(version);
        format!("{M}{}", urls::metadata_file_name(role, v))
    }

    /// Publishes timestamp/snapshot/targets at `version` with `targets` content.
    fn publish(&mut self, version: u64, targets: Vec<u8>, extra: &[(&str, u64, Vec<u8>)]) {
        let mut snapshot_meta = json!({ "targets.json": meta(version) });
        for (role, v, data) in extra {
            snapshot_meta[format!("{role}.json")] = meta(*v);
            let url = self.name(role, *v);
            self.fetcher.put(&url, data.clone());
        }
        let snapshot = self.repo.snapshot(version, snapshot_meta, FUTURE);
        let url = self.name("snapshot", version);
        self.fetcher.put(&url, snapshot);
        let url = self.name("targets", version);
        self.fetcher.put(&url, targets);
        let ts = self.repo.timestamp(version, meta(version), FUTURE);
        self.fetcher.put(&format!("{M}timestamp.json"), ts);
    }

    fn updater(&mut self) -> Updater<&mut MapFetcher> {
        Updater::new(
            &self.meta_dir.0,
            M,
            Some(T),
            &mut self.fetcher,
            VerificationTime::from_unix_seconds(NOW),
            UpdaterConfig::default(),
        )
        .unwrap()
    }

    fn stored(&self, role: &str) -> Option<Vec<u8>> {
        std::fs::read(self.meta_dir.0.join(format!("{}.json", urls::quote(role)))).ok()
    }
}

#[test]
fn refresh_requests_consistent_names_and_stores_exact_bytes() {
    let mut s = Setup::new("consistent", true);
    let targets = s.repo.targets(1, json!({}), None);
    s.publish(1, targets.clone(), &[]);
    s.updater().refresh().unwrap();
    assert_eq!(
        s.fetcher.requests,
        [
            format!("{M}2.root.json"),
            format!("{M}timestamp.json"),
            format!("{M}1.snapshot.json"),
            format!("{M}1.targets.json"),
        ]
    );
    assert_eq!(s.stored("targets"), Some(targets));
    assert_eq!(
        s.stored("timestamp").as_deref(),
        s.fetcher
            .files
            .get(&format!("{M}timestamp.json"))
            .map(Vec::as_slice)
    );

    // A second session uses the stored snapshot and targets.
    s.fetcher.requests.clear();
    s.updater().refresh().unwrap();
    assert_eq!(
        s.fetcher.requests,
        [format!("{M}2.root.json"), format!("{M}timestamp.json")]
    );
}

#[test]
fn refresh_without_consistent_snapshots_uses_plain_names() {
    let mut s = Setup::new("plain", false);
    let targets = s.repo.targets(1, json!({}), None);
    s.publish(1, targets, &[]);
    s.updater().refresh().unwrap();
    assert_eq!(
        s.fetcher.requests,
        [
            format!("{M}2.root.json"),
            format!("{M}timestamp.json"),
            format!("{M}snapshot.json"),
            format!("{M}targets.json"),
        ]
    );
}

#[test]
fn failed_refresh_keeps_trusted_files_and_poisons_the_updater() {
    let mut s = Setup::new("rollback", true);
    let targets = s.repo.targets(2, json!({}), None);
    s.publish(2, targets, &[]);
    s.updater().refresh().unwrap();
    let trusted_ts = s.stored("timestamp");
    // The repository rolls the timestamp back to v1.
    let old = s.repo.timestamp(1, meta(1), FUTURE);
    s.fetcher.put(&format!("{M}timestamp.json"), old);
    let mut updater = s.updater();
    assert!(matches!(
        updater.refresh(),
        Err(Error::Update(UpdateError::Rollback { .. }))
    ));
    assert!(matches!(updater.refresh(), Err(Error::Poisoned)));
    assert!(matches!(updater.get_targetinfo("x"), Err(Error::Poisoned)));
    drop(updater);
    assert_eq!(s.stored("timestamp"), trusted_ts);
}

#[test]
fn timestamp_key_rotation_fast_forward_recovery() {
    let mut s = Setup::new("fastforward", true);
    let targets = s.repo.targets(1, json!({}), None);
    s.publish(1, targets.clone(), &[]);
    let ts = s.repo.timestamp(50, meta(1), FUTURE);
    s.fetcher.put(&format!("{M}timestamp.json"), ts);
    s.updater().refresh().unwrap();
    // New root rotates the timestamp key; the timestamp starts again from v1.
    let old_root_key = TestKey::new(1);
    s.repo.timestamp_key = TestKey::new(40);
    let v2 = s.repo.root_signed(2, FUTURE);
    s.fetcher
        .put(&format!("{M}2.root.json"), sign(&v2, &[&old_root_key]));
    s.publish(1, targets, &[]);
    s.updater().refresh().unwrap();
    let stored: serde_json::Value =
        serde_json::from_slice(&s.stored("timestamp").unwrap()).unwrap();
    assert_eq!(stored["signed"]["version"], 1);
}

#[test]
fn download_checks_hashes_and_uses_hash_prefixed_names() {
    let mut s = Setup::new("download", true);
    let content = b"target contents".to_vec();
    let targets = s.repo.targets(
        1,
        json!({ "dir/file.txt": target_entry(&content), "other": target_entry(b"good") }),
        None,
    );
    s.publish(1, targets, &[]);
    let hash = crate::hashes::digest_hex("sha256", &content).unwrap();
    s.fetcher
        .put(&format!("{T}dir/{hash}.file.txt"), content.clone());
    let bad_hash = crate::hashes::digest_hex("sha256", b"good").unwrap();
    s.fetcher
        .put(&format!("{T}{bad_hash}.other"), b"evil".to_vec());
    let target_dir = s.target_dir.0.clone();
    let mut updater = s.updater();

    let info = updater.get_targetinfo("dir/file.txt").unwrap().unwrap();
    assert_eq!(
        updater.find_cached_target(&info, &target_dir).unwrap(),
        None
    );
    let path = updater.download_target(&info, &target_dir).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), content);
    assert_eq!(
        updater.find_cached_target(&info, &target_dir).unwrap(),
        Some(path)
    );

    let other = updater.get_targetinfo("other").unwrap().unwrap();
    assert!(matches!(
        updater.download_target(&other, &target_dir),
        Err(Error::Update(UpdateError::LengthMismatch { .. }))
            | Err(Error::Update(UpdateError::HashMismatch { .. }))
    ));
    assert_eq!(updater.get_targetinfo("missing").unwrap(), None);
    drop(updater);
    let files: Vec<_> = std::fs::read_dir(&target_dir).unwrap().collect();
    assert_eq!(files.len(), 1, "only the verified target is stored");
}

#[test]
fn delegations_are_loaded_lazily_in_order_and_verified_per_delegator() {
    let mut s = Setup::new("delegations", true);
    let (ka, kb, kr) = (TestKey::new(50), TestKey::new(51), TestKey::new(52));
    let kr_b = TestKey::new(53);
    let role = |name: &str, key: &TestKey, paths: &[&str]| {
        json!({ "name": name, "keyids": [key.id], "threshold": 1,
                "terminating": false, "paths": paths })
    };
    let targets = s.repo.targets(
        1,
        json!({}),
        Some(json!({
            "keys": { (ka.id.clone()): ka.public(), (kb.id.clone()): kb.public() },
            "roles": [role("parent-a", &ka, &["team-a/*"]), role("parent-b", &kb, &["team-b/*"])],
        })),
    );
    let parent = |key: &TestKey, release_key: &TestKey, path: &str| {
        sign(
            &Repo::targets_signed(
                1,
                json!({}),
                Some(json!({
                    "keys": { (release_key.id.clone()): release_key.public() },
                    "roles": [role("release", release_key, &[path])],
                })),
            ),
            &[key],
        )
    };
    // "release" is signed only by the key parent-a gives it.
    let release = sign(
        &Repo::targets_signed(
            1,
            json!({ "team-a/x": target_entry(b"A"), "team-b/x": target_entry(b"B") }),
            None,
        ),
        &[&kr],
    );
    s.publish(
        1,
        targets,
        &[
            ("parent-a", 1, parent(&ka, &kr, "team-a/*")),
            ("parent-b", 1, parent(&kb, &kr_b, "team-b/*")),
            ("release", 1, release),
        ],
    );
    let mut updater = s.updater();
    updater.refresh().unwrap();
    assert!(updater.get_targetinfo("team-a/x").unwrap().is_some());
    // Through parent-b, the cached "release" must verify against parent-b's keys.
    assert!(matches!(
        updater.get_targetinfo("team-b/x"),
        Err(Error::Update(UpdateError::Threshold { .. }))
    ));
    drop(updater);
    let delegated: Vec<&String> = s.fetcher.requests.iter().skip(4).collect();
    assert_eq!(
        delegated,
        [
            &format!("{M}1.parent-a.json"),
            &format!("{M}1.release.json"),
            &format!("{M}1.parent-b.json"),
        ]
    );
}

fn delegated(
    key: &TestKey,
    targets: serde_json::Value,
    delegations: Option<serde_json::Value>,
) -> Vec<u8> {
    sign(&Repo::targets_signed(1, targets, delegations), &[key])
}

#[test]
fn terminating_delegation_stops_the_search() {
    let mut s = Setup::new("terminating", true);
    let (ka, kb) = (TestKey::new(60), TestKey::new(61));
    let targets = s.repo.targets(
        1,
        json!({}),
        Some(json!({
            "keys": { (ka.id.clone()): ka.public(), (kb.id.clone()): kb.public() },
            "roles": [
                { "name": "a", "keyids": [ka.id], "threshold": 1,
                  "terminating": true, "paths": ["files/*"] },
                { "name": "b", "keyids": [kb.id], "threshold": 1,
                  "terminating": false, "paths": ["*/*"] },
            ],
        })),
    );
    let a = delegated(&ka, json!({}), None);
    let b = delegated(&kb, json!({ "files/x": target_entry(b"x") }), None);
    s.publish(1, targets, &[("a", 1, a), ("b", 1, b)]);
    let mut updater = s.updater();
    // "a" is terminating for files/*: "b" is never consulted, even though it lists it.
    assert_eq!(updater.get_targetinfo("files/x").unwrap(), None);
    assert!(updater.get_targetinfo("other/x").unwrap().is_none());
    drop(updater);
    let delegated: Vec<&str> = s
        .fetcher
        .requests
        .iter()
        .skip(4)
        .map(String::as_str)
        .collect();
    assert_eq!(
        delegated,
        [
            format!("{M}1.a.json").as_str(),
            format!("{M}1.b.json").as_str()
        ]
    );
}

#[test]
fn hashed_bins_succinct_and_prefixes() {
    let mut s = Setup::new("bins", true);
    let kb = TestKey::new(70);
    let targets = s.repo.targets(
        1,
        json!({}),
        Some(json!({
            "keys": { (kb.id.clone()): kb.public() },
            "succinct_roles": { "keyids": [kb.id], "threshold": 1,
                                "bit_length": 4, "name_prefix": "bin" },
        })),
    );
    let digest = crate::hashes::digest_hex("sha256", b"file").unwrap();
    let bin_name = format!("bin-{}", &digest[..1]);
    // The bin delegates further by hash prefix.
    let kp = TestKey::new(71);
    let bin = delegated(
        &kb,
        json!({}),
        Some(json!({
            "keys": { (kp.id.clone()): kp.public() },
            "roles": [{ "name": "leaf", "keyids": [kp.id], "threshold": 1,
                        "path_hash_prefixes": [&digest[..3]] }],
        })),
    );
    let leaf = delegated(&kp, json!({ "file": target_entry(b"contents") }), None);
    s.publish(1, targets, &[(&bin_name, 1, bin), ("leaf", 1, leaf)]);
    let mut updater = s.updater();
    let info = updater.get_targetinfo("file").unwrap().unwrap();
    assert_eq!(info.length(), 8);
    drop(updater);
    let delegated: Vec<&str> = s
        .fetcher
        .requests
        .iter()
        .skip(4)
        .map(String::as_str)
        .collect();
    assert_eq!(
        delegated,
        [
            format!("{M}1.{bin_name}.json").as_str(),
            format!("{M}1.leaf.json").as_str()
        ]
    );
}

#[test]
fn expired_delegated_role_is_refused() {
    let mut s = Setup::new("expired-delegation", true);
    let ka = TestKey::new(80);
    let targets = s.repo.targets(
        1,
        json!({}),
        Some(json!({
            "keys": { (ka.id.clone()): ka.public() },
            "roles": [{ "name": "a", "keyids": [ka.id], "threshold": 1, "paths": ["*"] }],
        })),
    );
    let mut signed = Repo::targets_signed(1, json!({ "x": target_entry(b"x") }), None);
    signed["expires"] = json!(crate::testutil::PAST);
    s.publish(1, targets, &[("a", 1, sign(&signed, &[&ka]))]);
    assert!(matches!(
        s.updater().get_targetinfo("x"),
        Err(Error::Update(UpdateError::Expired { .. }))
    ));
    assert_eq!(s.stored("a"), None);
}
