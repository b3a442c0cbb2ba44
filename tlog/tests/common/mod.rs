#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
use merkle::note::Signer;
use merkle::Hash;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tlog::Entry;

pub fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("tlog-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn signer() -> Signer {
    Signer::from_seed("example.com/tlog-test", [9; 32]).unwrap()
}

pub fn entry(i: u64) -> Entry {
    let mut root = [0u8; 32];
    root[..8].copy_from_slice(&i.to_be_bytes());
    let mut meta = BTreeMap::new();
    if i.is_multiple_of(3) {
        meta.insert("build".to_owned(), format!("b{i}"));
    }
    Entry::new(Hash(root), Hash([7; 32]), &format!("artifact-{i}"), meta).unwrap()
}

/// Every file under `dir` (relative path, bytes), sorted; `lock` left out.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                if rel != "lock" {
                    out.push((rel, std::fs::read(&p).unwrap()));
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A log of `n` entries with a checkpoint every `every`.
pub fn build_log(dir: &Path, n: u64, every: u64) {
    let s = signer();
    tlog::init_log(dir, &s).unwrap();
    let mut log = tlog::Log::open(dir).unwrap();
    let mut i = 0;
    while i < n {
        let end = (i + every).min(n);
        let batch: Vec<Entry> = (i..end).map(entry).collect();
        assert_eq!(log.append(&batch).unwrap(), i);
        log.checkpoint(&s).unwrap();
        i = end;
    }
}
