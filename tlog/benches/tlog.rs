//! Benchmarks of the issue: batched append throughput (checkpoint every 1 000 entries), mirror
//! sync of the whole log over loopback HTTP, and receipt verification on 2 threads.
//!
//! `cargo bench -p tlog --bench tlog` (TLOG_BENCH_ENTRIES, default 1 000 000; TLOG_BENCH_DIR,
//! default target/tlog-bench).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::note::Signer;
use merkle::Hash;
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Instant;
use tlog::http::BaseUrl;
use tlog::receipt::{make_receipt, Receipt};
use tlog::writer::Log;
use tlog::Entry;

fn entry(i: u64) -> Entry {
    let mut root = [0u8; 32];
    root[..8].copy_from_slice(&i.to_be_bytes());
    let mut meta = BTreeMap::new();
    meta.insert("build".to_owned(), format!("ci-{i}"));
    Entry::new(
        Hash(root),
        Hash([0x5a; 32]),
        &format!("registry.example/app-{i}.tar"),
        meta,
    )
    .unwrap()
}

fn main() {
    let n: u64 = std::env::var("TLOG_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let base = std::env::var("TLOG_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tlog-bench"));
    let _ = std::fs::remove_dir_all(&base);
    let log_dir = base.join("log");
    let mirror_dir = base.join("mirror");
    std::fs::create_dir_all(&log_dir).unwrap();
    let signer = Signer::from_seed("bench.example/log", [3; 32]).unwrap();
    let key = signer.to_verifier_key();
    tlog::writer::init(&log_dir, &signer).unwrap();

    // 1. Append: batches of 1 000 (one fsync each), a checkpoint after each batch.
    let entries: Vec<Entry> = (0..n).map(entry).collect();
    let mut log = Log::open(&log_dir).unwrap();
    let t = Instant::now();
    for batch in entries.chunks(1000) {
        log.append(batch).unwrap();
        log.checkpoint(&signer).unwrap();
    }
    let append = t.elapsed();
    drop(log);
    println!(
        "append: {n} entries, checkpoint every 1000: {:.2} s, {:.0} entries/s",
        append.as_secs_f64(),
        n as f64 / append.as_secs_f64()
    );

    // 1b. The same with a checkpoint every 10 000 entries (fsync rounds amortised further).
    let log10 = base.join("log-10k");
    std::fs::create_dir_all(&log10).unwrap();
    tlog::writer::init(&log10, &signer).unwrap();
    let mut log = Log::open(&log10).unwrap();
    let t = Instant::now();
    for batch in entries.chunks(10_000) {
        log.append(batch).unwrap();
        log.checkpoint(&signer).unwrap();
    }
    let append10 = t.elapsed();
    drop(log);
    std::fs::remove_dir_all(&log10).unwrap();
    println!(
        "append: {n} entries, checkpoint every 10000: {:.2} s, {:.0} entries/s",
        append10.as_secs_f64(),
        n as f64 / append10.as_secs_f64()
    );

    // 2. Mirror sync over loopback into an empty mirror.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = BaseUrl::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let served = log_dir.clone();
    std::thread::spawn(move || tlog::http::serve(listener, &served));
    let t = Instant::now();
    let out = tlog::mirror::sync(&url, &mirror_dir, &key, 1 << 26).unwrap();
    let sync = t.elapsed();
    println!(
        "mirror sync: {} entries ({} files fetched) over 127.0.0.1: {:.2} s",
        out.new_size,
        out.fetched,
        sync.as_secs_f64()
    );

    // 3. Receipt verification: 10 000 receipts (JSON bytes), parse + verify, 2 threads.
    let count = 10_000u64.min(n);
    let receipts: Vec<Vec<u8>> = (0..count)
        .map(|i| {
            let idx = i * (n / count);
            serde_json::to_vec(&make_receipt(&log_dir, idx).unwrap().to_json()).unwrap()
        })
        .collect();
    let t = Instant::now();
    std::thread::scope(|s| {
        for part in receipts.chunks(receipts.len().div_ceil(2)) {
            let key = &key;
            s.spawn(move || {
                for bytes in part {
                    let r = Receipt::parse(bytes).unwrap();
                    let cp = r.open_checkpoint(key).unwrap();
                    r.verify_inclusion(&cp).unwrap();
                }
            });
        }
    });
    let verify = t.elapsed();
    println!(
        "verify receipts: {count} in {:.3} s on 2 threads, {:.0} receipts/s",
        verify.as_secs_f64(),
        count as f64 / verify.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&base);
}
