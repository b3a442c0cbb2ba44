//! Peak-memory measurement of `log mirror` (docs/benchmarks.md): builds a log, and serves it as
//! a hostile server would.
//!
//! ```text
//! cargo run --release -p tlog --example mirror_rss -- build DIR N
//!     a log of N entries of ~190 bytes in DIR (TEST-ONLY key, fixed seed), its verifier key in
//!     DIR/log.vkey
//! cargo run --release -p tlog --example mirror_rss -- build-max DIR N
//!     the same with N entries of ~16 KiB (maximal bundles of ~4 MiB: the most an honest
//!     server can make a mirror fetch and keep)
//! cargo run --release -p tlog --example mirror_rss -- serve-hostile DIR ADDR
//!     serves DIR's genuine signed checkpoint and upper-level tiles, but forged level-0 hash
//!     tiles with maximal entry bundles (256 entries of ~16 KiB, ~4 MiB) that agree with them:
//!     what a server without the log key can send
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::note::Signer;
use merkle::tiles::{parse_tile_path, TileLevel};
use merkle::Hash;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use tlog::Entry;
use tlog::{encode_bundle, encode_hash_tile};

const ORIGIN: &str = "example.com/prov-verify-mirror-rss";

fn entry(i: u64) -> Entry {
    let mut root = [0u8; 32];
    root[24..].copy_from_slice(&i.to_be_bytes());
    let mut meta = BTreeMap::new();
    meta.insert("build".to_owned(), format!("ci-{i}"));
    Entry::new(Hash(root), Hash([0xab; 32]), &format!("app-{i}.tar"), meta).unwrap()
}

/// An entry of nearly 16 KiB: a 1 KiB name and fourteen 1 KiB metadata values.
fn max_entry(i: u64) -> Vec<u8> {
    let mut meta = BTreeMap::new();
    for k in 0..14 {
        meta.insert(format!("k{k:02}"), "v".repeat(1024));
    }
    let name = format!("{i:0>1024}");
    let mut root = [0u8; 32];
    root[24..].copy_from_slice(&i.to_be_bytes());
    let e = Entry::new(Hash(root), Hash([0xcd; 32]), &name, meta).unwrap();
    let bytes = e.to_bytes();
    assert!(bytes.len() > 15 * 1024 && bytes.len() <= tlog::MAX_ENTRY_LEN);
    bytes
}

fn build(dir: &Path, n: u64, max: bool) {
    let signer = Signer::from_seed(ORIGIN, [0x51; 32]).unwrap();
    tlog::init_log(dir, &signer).unwrap();
    let mut log = tlog::Log::open(dir).unwrap();
    let mut i = 0;
    while i < n {
        let end = (i + 4096).min(n);
        let batch: Vec<Entry> = (i..end)
            .map(|i| {
                if max {
                    Entry::parse(&max_entry(i)).unwrap()
                } else {
                    entry(i)
                }
            })
            .collect();
        log.append_checkpoint(&batch, &signer).unwrap();
        i = end;
    }
    std::fs::write(dir.join("log.vkey"), format!("{}\n", signer.verifier_key())).unwrap();
    println!(
        "{}: {n} entries, key {}",
        dir.display(),
        signer.verifier_key()
    );
}

fn serve_hostile(dir: &Path, addr: &str) {
    let entries: Vec<Vec<u8>> = (0..256).map(max_entry).collect();
    let hashes: Vec<Hash> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
    let forged = Arc::new((entries, hashes));
    let listener = TcpListener::bind(addr).unwrap();
    println!("serving forged tiles of {} on http://{addr}", dir.display());
    for stream in listener.incoming() {
        let Ok(mut s) = stream else { continue };
        let dir = dir.to_path_buf();
        let forged = Arc::clone(&forged);
        std::thread::spawn(move || {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                match s.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => return,
                }
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
            let tile = path.strip_prefix('/').and_then(|p| parse_tile_path(p).ok());
            let body = match tile {
                Some(t) if t.level() == TileLevel::Level(0) => {
                    Some(encode_hash_tile(&forged.1[..usize::from(t.width())]))
                }
                Some(t) if t.level() == TileLevel::Entries => {
                    Some(encode_bundle(&forged.0[..usize::from(t.width())]).unwrap())
                }
                _ => tlog::http::published_file(&dir, &path).and_then(|f| std::fs::read(f).ok()),
            };
            let _ = match body {
                Some(b) => s
                    .write_all(
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", b.len())
                            .as_bytes(),
                    )
                    .and_then(|()| s.write_all(&b)),
                None => s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
            };
        });
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("build") if args.len() == 4 => {
            build(Path::new(&args[2]), args[3].parse().unwrap(), false)
        }
        Some("build-max") if args.len() == 4 => {
            build(Path::new(&args[2]), args[3].parse().unwrap(), true)
        }
        Some("serve-hostile") if args.len() == 4 => serve_hostile(Path::new(&args[2]), &args[3]),
        _ => {
            eprintln!(
                "usage: mirror_rss build DIR N | mirror_rss build-max DIR N | mirror_rss serve-hostile DIR ADDR"
            );
            std::process::exit(2);
        }
    }
}
