//! Peak memory of a mirror fed by a hostile server: a genuine signed checkpoint of 65 536
//! entries and genuine upper tiles, but forged level-0 hash tiles with maximal (4 MiB) entry
//! bundles that agree with them. Alone in its test binary, so the process's peak RSS is this
//! test's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod common;
use common::*;
use merkle::checkpoint::Checkpoint;
use merkle::{leaf_hash, root_from_leaf_hashes, Hash};
use std::collections::BTreeMap;
use std::sync::Arc;
use tlog::{encode_bundle, encode_hash_tile};
use tlog::{sync_mirror, Remote, DEFAULT_MIRROR_MAX_SIZE};
use tlog::{Entry, TlogError};

/// Peak resident set size of this process, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

struct Forger {
    checkpoint: Vec<u8>,
    level1: Vec<u8>,
    level2: Vec<u8>,
    tile: Arc<Vec<u8>>,
    bundle: Arc<Vec<u8>>,
}

impl Remote for Forger {
    fn get(&self, path: &str, max: usize) -> Result<Option<Vec<u8>>, TlogError> {
        let body = match path {
            "checkpoint" => self.checkpoint.clone(),
            "tile/2/000.p/1" => self.level2.clone(),
            "tile/1/000" => self.level1.clone(),
            p if p.starts_with("tile/0/") => self.tile.to_vec(),
            p if p.starts_with("tile/entries/") => self.bundle.to_vec(),
            _ => return Ok(None),
        };
        assert!(body.len() <= max, "{path}");
        Ok(Some(body))
    }
}

#[test]
fn forged_maximal_bundles_keep_memory_bounded() {
    // The genuine log: 65 536 copies of one small entry (its tiles are cheap to compute).
    let small = entry(1).to_bytes();
    let leaf = leaf_hash(&small);
    let level0 = vec![leaf; 256];
    let l1_hash = root_from_leaf_hashes(&level0);
    let level1 = vec![l1_hash; 256];
    let root = root_from_leaf_hashes(&level1);
    let s = signer();
    let body = Checkpoint {
        origin: s.name().to_owned(),
        size: 65_536,
        root,
        extensions: Vec::new(),
    }
    .to_body()
    .unwrap();
    let checkpoint = s.sign_note(&body).unwrap().into_bytes();
    // The forgery: 256 entries of ~16 KiB, and the hash tile of their leaf hashes.
    let name = "n".repeat(1024);
    let mut meta = BTreeMap::new();
    for k in 0..14 {
        meta.insert(format!("k{k:02}"), "v".repeat(1024));
    }
    let big: Vec<Vec<u8>> = (0..=255u8)
        .map(|i| {
            Entry::new(Hash([i; 32]), Hash([2; 32]), &name, meta.clone())
                .unwrap()
                .to_bytes()
        })
        .collect();
    assert!(big[0].len() > 15 * 1024);
    let hashes: Vec<Hash> = big.iter().map(|e| leaf_hash(e)).collect();
    let forger = Forger {
        checkpoint,
        level1: encode_hash_tile(&level1),
        level2: encode_hash_tile(&[root]),
        tile: Arc::new(encode_hash_tile(&hashes)),
        bundle: Arc::new(encode_bundle(&big).unwrap()),
    };
    assert!(forger.bundle.len() > 4_000_000);
    drop(big);
    let mirror = tmp("memory-mirror");
    let e = sync_mirror(
        &forger,
        &mirror,
        &s.to_verifier_key(),
        DEFAULT_MIRROR_MAX_SIZE,
    )
    .unwrap_err();
    assert!(e.is_verification_failure(), "{e}");
    assert!(e.to_string().contains("tile/0/000"), "{e}");
    assert!(snapshot(&mirror).is_empty());
    if let Some(peak) = peak_rss() {
        assert!(
            peak < 64 << 20,
            "peak RSS {} MiB while mirroring from a hostile server",
            peak >> 20
        );
    }
}
