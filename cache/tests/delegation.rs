//! Targets found through delegations: `warm` stores the delegated roles its lookups used, and
//! the offline verification searches the delegation graph as the online client does (in
//! order, terminating delegations, path patterns) over cached metadata only. A delegated
//! role missing from the cache or altered is a failure, never a pass.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use offline_cache::{export, import, verify_cached, warm, CacheDir, HttpFetcher, WarmRequest};
use plugin_api::{Report, VerificationTime};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;
use support::{sign, Key, Repo, Server, TempDir, FUTURE, NOW, TRUSTED_ROOT};

const TARGET: &str = "team/trusted_root.json";
const TARGET_CHECK: &str = "tuf.target.team-trusted-root-json";

fn meta(version: u64, data: &[u8]) -> Value {
    json!({ "version": version, "length": data.len(),
            "hashes": { "sha256": hex::encode(Sha256::digest(data)) } })
}

fn target_entry(data: &[u8]) -> Value {
    json!({ "length": data.len(), "hashes": { "sha256": hex::encode(Sha256::digest(data)) } })
}

/// Top-level targets delegate, in order: `other` (paths `other/*`), `team` (`team/*`,
/// terminating), `hidden` (`team/*`: never reached, and never served). `team` lists TARGET.
fn delegated_repo() -> Repo {
    let mut repo = Repo::new();
    let other_key = Key::new(10);
    let team_key = Key::new(11);
    let hidden_key = Key::new(12);
    let keys: serde_json::Map<String, Value> = [&other_key, &team_key, &hidden_key]
        .iter()
        .map(|k| (k.id.clone(), k.public()))
        .collect();
    let role = |name: &str, k: &Key, path: &str, terminating: bool| {
        json!({ "name": name, "keyids": [k.id], "threshold": 1, "paths": [path],
                "terminating": terminating })
    };
    let team = sign(
        &json!({ "_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": FUTURE,
                 "targets": { TARGET: target_entry(TRUSTED_ROOT) } }),
        &[&team_key],
    );
    let other = sign(
        &json!({ "_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": FUTURE,
                 "targets": {} }),
        &[&other_key],
    );
    let targets = sign(
        &json!({ "_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": FUTURE,
                 "targets": {},
                 "delegations": { "keys": keys, "roles": [
                     role("other", &other_key, "other/*", false),
                     role("team", &team_key, "team/*", true),
                     role("hidden", &hidden_key, "team/*", false),
                 ] } }),
        &[&repo.targets_key],
    );
    let snapshot = sign(
        &json!({ "_type": "snapshot", "spec_version": "1.0.31", "version": 1, "expires": FUTURE,
                 "meta": { "targets.json": meta(1, &targets), "team.json": meta(1, &team),
                           "other.json": meta(1, &other), "hidden.json": meta(1, b"never") } }),
        &[&repo.snapshot_key],
    );
    let timestamp = repo.timestamp_bytes(1, &snapshot, FUTURE);
    repo.files.insert("1.targets.json".into(), targets);
    repo.files.insert("1.snapshot.json".into(), snapshot);
    repo.files.insert("1.team.json".into(), team);
    repo.files.insert("1.other.json".into(), other);
    repo.files.insert("timestamp.json".into(), timestamp);
    repo.files.insert(
        format!(
            "targets/team/{}.trusted_root.json",
            hex::encode(Sha256::digest(TRUSTED_ROOT))
        ),
        TRUSTED_ROOT.to_vec(),
    );
    repo
}

fn request(server: &Server, root: Option<Vec<u8>>) -> WarmRequest {
    WarmRequest {
        name: "sigstore".into(),
        metadata_url: server.url.clone(),
        targets_url: format!("{}targets/", server.url),
        initial_root: root,
        targets: vec![TARGET.into()],
        now: VerificationTime::from_unix_seconds(NOW),
    }
}

fn verify(cache: &CacheDir) -> Report {
    verify_cached(
        cache,
        "sigstore",
        VerificationTime::from_unix_seconds(NOW),
        &[],
    )
    .unwrap()
    .report
}

fn check<'a>(r: &'a Report, id: &str) -> &'a plugin_api::Check {
    r.checks()
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {}", r.to_json()))
}

#[test]
fn a_delegated_target_is_warmed_and_verified_offline() {
    let repo = delegated_repo();
    let server = Server::start(repo.files.clone());
    let dir = TempDir::new("delegated");
    let cache = CacheDir::new(&dir.0);
    let http = HttpFetcher::new(Duration::from_secs(10));
    let online = warm(&cache, &request(&server, Some(repo.initial_root())), http).unwrap();
    assert!(online.report.ok(), "{}", online.report.to_json());
    server.stop();

    // Only the delegated role the lookup used is stored (not `other`, not `hidden`).
    let gen = cache.current_generation("sigstore").unwrap().unwrap();
    let mut stored: Vec<String> = std::fs::read_dir(gen.join("metadata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    stored.sort();
    assert_eq!(
        stored,
        [
            "root.json",
            "snapshot.json",
            "targets.json",
            "team.json",
            "timestamp.json"
        ]
    );

    // Offline: the same report, the target found through `team`.
    let offline = verify(&cache);
    assert_eq!(offline, online.report);
    assert!(offline.ok());
    assert!(check(&offline, TARGET_CHECK)
        .explanation()
        .contains("length and every listed hash match"));
    assert!(check(&offline, "tuf.delegations.expiry")
        .explanation()
        .contains("team v1"));

    // Carried by export/import to a fresh cache.
    let archive = dir.0.join("out.tgz");
    export(&cache, "sigstore", &archive).unwrap();
    let dir2 = TempDir::new("delegated-import");
    let cache2 = CacheDir::new(&dir2.0);
    let imported = import(
        &cache2,
        &archive,
        Some(&repo.initial_root()),
        VerificationTime::from_unix_seconds(NOW),
        &[],
    )
    .unwrap();
    assert!(imported.report.ok(), "{}", imported.report.to_json());
    assert!(verify(&cache2).ok());

    // The delegated role altered in the cache: refused (it no longer matches the snapshot).
    let team = gen.join("metadata/team.json");
    let mut bytes = std::fs::read(&team).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    std::fs::write(&team, &bytes).unwrap();
    let r = verify(&cache);
    assert!(!r.ok());
    assert_eq!(r.first_failure().unwrap().id, TARGET_CHECK);

    // The delegated role missing from the cache: refused, naming the role.
    std::fs::remove_file(&team).unwrap();
    let r = verify(&cache);
    assert!(!r.ok());
    let failed = r.first_failure().unwrap();
    assert_eq!(failed.id, TARGET_CHECK);
    assert!(
        failed.explanation().contains("\"team\""),
        "{}",
        failed.explanation()
    );
    assert!(
        failed.explanation().contains("not in the local copy"),
        "{}",
        failed.explanation()
    );
}
