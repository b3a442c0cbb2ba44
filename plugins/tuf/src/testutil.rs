//! Test helpers: a small signed repository built in memory (ed25519 keys from fixed seeds,
//! fixed clock), and a fetcher that serves it and records requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::canonical::Json;
use crate::error::FetchError;
use crate::fetch::Fetcher;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The fixed verification time of the tests: 2030-01-01T00:00:00Z.
pub(crate) const NOW: u64 = 1_893_456_000;
pub(crate) const FUTURE: &str = "2031-01-01T00:00:00Z";
pub(crate) const PAST: &str = "2029-01-01T00:00:00Z";

pub(crate) struct TestKey {
    pair: Ed25519KeyPair,
    seed: u8,
    pub(crate) id: String,
}

impl TestKey {
    pub(crate) fn new(seed: u8) -> Self {
        let pair = Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap();
        TestKey {
            id: format!("key-{seed}"),
            seed,
            pair,
        }
    }

    /// The seed the key pair was made from.
    pub(crate) fn seed(&self) -> u8 {
        self.seed
    }

    pub(crate) fn public(&self) -> Value {
        json!({
            "keytype": "ed25519",
            "scheme": "ed25519",
            "keyval": { "public": hex::encode(self.pair.public_key().as_ref()) },
        })
    }
}

/// Signs `signed` with `keys`: the metadata file's bytes.
pub(crate) fn sign(signed: &Value, keys: &[&TestKey]) -> Vec<u8> {
    let canonical = Json::parse(&serde_json::to_vec(signed).unwrap())
        .unwrap()
        .canonical();
    let signatures: Vec<Value> = keys
        .iter()
        .map(|k| json!({ "keyid": k.id, "sig": hex::encode(k.pair.sign(&canonical)) }))
        .collect();
    serde_json::to_vec_pretty(&json!({ "signatures": signatures, "signed": signed })).unwrap()
}

pub(crate) fn meta(version: u64) -> Value {
    json!({ "version": version })
}

pub(crate) fn meta_with_hash(version: u64, data: &[u8]) -> Value {
    json!({
        "version": version,
        "length": data.len(),
        "hashes": { "sha256": crate::hashes::digest_hex("sha256", data).unwrap() },
    })
}

/// Root, timestamp, snapshot and targets keys (one each), and builders for each role.
pub(crate) struct Repo {
    pub(crate) root_keys: Vec<TestKey>,
    pub(crate) timestamp_key: TestKey,
    pub(crate) snapshot_key: TestKey,
    pub(crate) targets_key: TestKey,
    pub(crate) consistent: bool,
}

impl Repo {
    pub(crate) fn new() -> Self {
        Repo {
            root_keys: vec![TestKey::new(1)],
            timestamp_key: TestKey::new(2),
            snapshot_key: TestKey::new(3),
            targets_key: TestKey::new(4),
            consistent: true,
        }
    }

    pub(crate) fn root_signed(&self, version: u64, expires: &str) -> Value {
        let mut keys = serde_json::Map::new();
        for k in self.root_keys.iter().chain([
            &self.timestamp_key,
            &self.snapshot_key,
            &self.targets_key,
        ]) {
            keys.insert(k.id.clone(), k.public());
        }
        let ids = |k: &TestKey| json!({ "keyids": [k.id], "threshold": 1 });
        let root_ids: Vec<&str> = self.root_keys.iter().map(|k| k.id.as_str()).collect();
        json!({
            "_type": "root",
            "spec_version": "1.0.31",
            "version": version,
            "expires": expires,
            "consistent_snapshot": self.consistent,
            "keys": keys,
            "roles": {
                "root": { "keyids": root_ids, "threshold": 1 },
                "timestamp": ids(&self.timestamp_key),
                "snapshot": ids(&self.snapshot_key),
                "targets": ids(&self.targets_key),
            },
        })
    }

    pub(crate) fn root(&self, version: u64) -> Vec<u8> {
        let signed = self.root_signed(version, FUTURE);
        sign(&signed, &self.root_keys.iter().collect::<Vec<_>>())
    }

    pub(crate) fn timestamp(&self, version: u64, snapshot_meta: Value, expires: &str) -> Vec<u8> {
        let signed = json!({
            "_type": "timestamp",
            "spec_version": "1.0.31",
            "version": version,
            "expires": expires,
            "meta": { "snapshot.json": snapshot_meta },
        });
        sign(&signed, &[&self.timestamp_key])
    }

    pub(crate) fn snapshot(&self, version: u64, meta: Value, expires: &str) -> Vec<u8> {
        let signed = json!({
            "_type": "snapshot",
            "spec_version": "1.0.31",
            "version": version,
            "expires": expires,
            "meta": meta,
        });
        sign(&signed, &[&self.snapshot_key])
    }

    pub(crate) fn targets_signed(
        version: u64,
        targets: Value,
        delegations: Option<Value>,
    ) -> Value {
        let mut signed = json!({
            "_type": "targets",
            "spec_version": "1.0.31",
            "version": version,
            "expires": FUTURE,
            "targets": targets,
        });
        if let (Some(d), Some(obj)) = (delegations, signed.as_object_mut()) {
            obj.insert("delegations".into(), d);
        }
        signed
    }

    pub(crate) fn targets(
        &self,
        version: u64,
        targets: Value,
        delegations: Option<Value>,
    ) -> Vec<u8> {
        sign(
            &Self::targets_signed(version, targets, delegations),
            &[&self.targets_key],
        )
    }
}

pub(crate) fn target_entry(data: &[u8]) -> Value {
    json!({
        "length": data.len(),
        "hashes": { "sha256": crate::hashes::digest_hex("sha256", data).unwrap() },
    })
}

/// Serves files by URL from memory and records every request.
#[derive(Debug, Default)]
pub(crate) struct MapFetcher {
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    pub(crate) requests: Vec<String>,
}

impl MapFetcher {
    pub(crate) fn put(&mut self, url: &str, data: Vec<u8>) {
        self.files.insert(url.to_owned(), data);
    }
}

impl Fetcher for MapFetcher {
    fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        self.requests.push(url.to_owned());
        let data = self.files.get(url).ok_or_else(|| FetchError::NotFound {
            url: url.to_owned(),
            status: 404,
        })?;
        if data.len() as u64 > max_len {
            return Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit: max_len,
            });
        }
        Ok(data.clone())
    }
}

/// A directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) std::path::PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("plugin-tuf-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
