//! Benchmarks of the issue: batched append throughput (checkpoint every 1 000 entries) against a
//! raw write + fdatasync baseline of the same bytes, mirror sync of the whole log over loopback
//! HTTP, and receipt verification on 2 threads.
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
use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Instant;
use tlog::http::BaseUrl;
use tlog::Entry;
use tlog::Log;
use tlog::{make_receipt, Receipt};

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
    tlog::init_log(&log_dir, &signer).unwrap();

    // 0. Baseline: the raw journal bytes of the same batches (u16 length ‖ entry ‖ leaf hash
    // per entry), one write + fdatasync per batch of 1 000 into one append-only file.
    let entries: Vec<Entry> = (0..n).map(entry).collect();
    let raw_path = base.join("raw-journal");
    let mut raw = std::fs::File::create(&raw_path).unwrap();
    let t = Instant::now();
    for batch in entries.chunks(1000) {
        let mut buf = Vec::new();
        for e in batch {
            let bytes = e.to_bytes();
            buf.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
            buf.extend_from_slice(&bytes);
            buf.extend_from_slice(merkle::leaf_hash(&bytes).as_bytes());
        }
        raw.write_all(&buf).unwrap();
        raw.sync_data().unwrap();
    }
    let raw_time = t.elapsed();
    drop(raw);
    std::fs::remove_file(&raw_path).unwrap();
    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!(
        "baseline: {n} entries as raw write+fdatasync per 1000: {:.2} s, {:.0} entries/s",
        raw_time.as_secs_f64(),
        rate(raw_time)
    );

    // 1. Append: batches of 1 000, each appended and checkpointed with one journal fdatasync.
    let mut log = Log::open(&log_dir).unwrap();
    let t = Instant::now();
    for batch in entries.chunks(1000) {
        log.append_checkpoint(batch, &signer).unwrap();
    }
    let append = t.elapsed();
    drop(log);
    println!(
        "append_checkpoint: {n} entries, checkpoint every 1000: {:.2} s, {:.0} entries/s ({:.2} x the raw baseline)",
        append.as_secs_f64(),
        rate(append),
        raw_time.as_secs_f64() / append.as_secs_f64()
    );

    // 1b. The same with separate `append` and `checkpoint` calls (two journal fdatasyncs).
    let log2 = base.join("log-separate");
    std::fs::create_dir_all(&log2).unwrap();
    tlog::init_log(&log2, &signer).unwrap();
    let mut log = Log::open(&log2).unwrap();
    let t = Instant::now();
    for batch in entries.chunks(1000) {
        log.append(batch).unwrap();
        log.checkpoint(&signer).unwrap();
    }
    let separate = t.elapsed();
    drop(log);
    std::fs::remove_dir_all(&log2).unwrap();
    println!(
        "append + checkpoint: {n} entries, checkpoint every 1000: {:.2} s, {:.0} entries/s ({:.2} x the raw baseline)",
        separate.as_secs_f64(),
        rate(separate),
        raw_time.as_secs_f64() / separate.as_secs_f64()
    );

    // 1c. A clean reopen, timed: recovery replays the journal since its base and compares the
    // tiles it needs with the files on disk.
    let t = Instant::now();
    let (log, repaired) = tlog::Log::open_reporting(&log_dir).unwrap();
    assert_eq!(repaired, 0, "a clean log needs no repair");
    let clean_open = t.elapsed();
    drop(log);
    println!("open (clean): {:.3} s", clean_open.as_secs_f64());

    // 2. Mirror sync over loopback into an empty mirror.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = BaseUrl::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let served = log_dir.clone();
    std::thread::spawn(move || tlog::http::serve(listener, &served));
    let t = Instant::now();
    let out = tlog::sync_mirror(&url, &mirror_dir, &key, 1 << 26).unwrap();
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
