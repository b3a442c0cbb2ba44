//! Merkle root throughput, in one run on this machine:
//!
//! * the raw SHA-256 rates (a 9-byte leaf input, a 65-byte node input) that bound any tree;
//! * the root over 1 M and 10 M leaves (leaf i = 8-byte big-endian i) on one thread and on a
//!   2-thread pool, with the efficiency against the hash-rate limit and the 2-thread speedup;
//! * `rs_merkle` (the baseline) on the same leaves;
//! * peak RSS of the streaming root over 10 M leaves, measured in a child process so that
//!   nothing else this benchmark allocates is counted.
//!
//! Run: `cargo bench -p merkle --bench root` (add `-- --quick` for a smoke run on small trees).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::{root_parallel, root_sequential, sha256_blocks, Hash, StreamingRoot};
use rs_merkle::{algorithms::Sha256 as RsSha256, Hasher, MerkleTree};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::{Duration, Instant};

const CHILD_FLAG: &str = "--child-streaming";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == CHILD_FLAG) {
        let n: u64 = args[pos + 1].parse().unwrap();
        child_streaming(n);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let sizes: &[u64] = if quick {
        &[100_000]
    } else {
        &[1_000_000, 10_000_000]
    };
    let reps = if quick { 1 } else { 3 };

    println!(
        "machine: {} logical cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // The limit: the SHA-256 compression function alone, over independent 64-byte blocks.
    // A tree of n leaves needs n one-block leaf hashes and n - 1 two-block node hashes, so no
    // implementation on this SHA-256 can beat (3n - 2) blocks at this rate.
    let probe = if quick { 300_000 } else { 6_000_000 };
    let block_rate = best_rate(reps, probe, raw_blocks);
    let node_rate = block_rate / 2.0;
    println!(
        "SHA-256 compression limit: {:.2} M blocks/s = {:.2} M node hashes/s (65 B, two blocks)",
        block_rate / 1e6,
        node_rate / 1e6
    );
    // For reference: the general streaming hasher on the same shapes (includes its buffering).
    let leaf_api = best_rate(reps, probe, api_leaf_hashes);
    let node_api = best_rate(reps, probe, api_node_hashes);
    println!("sha2::Sha256::digest for reference: {:.2} M leaf inputs/s (9 B), {:.2} M node inputs/s (65 B)", leaf_api / 1e6, node_api / 1e6);

    let pool1 = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let pool2 = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();

    for &n in sizes {
        let leaves: Vec<[u8; 8]> = (0..n).map(|i| i.to_be_bytes()).collect();
        let limit = (3 * n - 2) as f64 / block_rate;

        let (t_seq, r_seq) = best(reps, || root_sequential(&leaves));
        let (t_par1, r_par1) = best(reps, || pool1.install(|| root_parallel(&leaves)));
        let (t_par2, r_par2) = best(reps, || pool2.install(|| root_parallel(&leaves)));
        let (t_stream, r_stream) = best(reps, || {
            let mut s = StreamingRoot::new();
            for l in &leaves {
                s.push_leaf(l).unwrap();
            }
            s.root()
        });
        let (t_rs, r_rs) = best(reps, || rs_merkle_root(&leaves));
        assert!(
            r_seq == r_par1 && r_seq == r_par2 && r_seq == r_stream,
            "roots disagree"
        );
        black_box(r_rs);

        let mops = |t: Duration| n as f64 / t.as_secs_f64() / 1e6;
        println!("\n{n} leaves (root {r_seq})");
        println!(
            "  limit ((3n - 2) blocks at compression rate): {:8.1} ms",
            limit * 1e3
        );
        println!(
            "  sequential, 1 thread : {:8.1} ms  {:6.2} M leaves/s  {:5.1}% of limit",
            ms(t_seq),
            mops(t_seq),
            100.0 * limit / t_seq.as_secs_f64()
        );
        println!(
            "  streaming,  1 thread : {:8.1} ms  {:6.2} M leaves/s  {:5.1}% of limit",
            ms(t_stream),
            mops(t_stream),
            100.0 * limit / t_stream.as_secs_f64()
        );
        println!(
            "  parallel,   1 thread : {:8.1} ms  {:6.2} M leaves/s  {:5.1}% of limit",
            ms(t_par1),
            mops(t_par1),
            100.0 * limit / t_par1.as_secs_f64()
        );
        println!(
            "  parallel,  2 threads : {:8.1} ms  {:6.2} M leaves/s  speedup {:.2}x over sequential",
            ms(t_par2),
            mops(t_par2),
            t_seq.as_secs_f64() / t_par2.as_secs_f64()
        );
        println!("  rs_merkle (baseline) : {:8.1} ms  {:6.2} M leaves/s  ours is {:.2}x faster (1 thread)", ms(t_rs), mops(t_rs), t_rs.as_secs_f64() / t_seq.as_secs_f64());
    }

    let n = *sizes.last().unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([CHILD_FLAG, &n.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "streaming child failed");
    print!("\n{}", String::from_utf8_lossy(&out.stdout));
}

/// Streams n leaves without holding them, then reports this process's peak RSS.
fn child_streaming(n: u64) {
    let start = Instant::now();
    let mut s = StreamingRoot::new();
    for i in 0..n {
        s.push_leaf(&i.to_be_bytes()).unwrap();
    }
    let root = s.root();
    let t = start.elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map_or("unknown".to_string(), |l| {
            l.trim_start_matches("VmHWM:").trim().to_string()
        });
    println!("streaming root of {n} leaves (generated one at a time): {:.1} ms, root {root}, peak RSS {hwm}", ms(t));
}

fn rs_merkle_root(leaves: &[[u8; 8]]) -> [u8; 32] {
    let hashes: Vec<[u8; 32]> = leaves.iter().map(|l| RsSha256::hash(l)).collect();
    MerkleTree::<RsSha256>::from_leaves(&hashes).root().unwrap()
}

fn raw_blocks(n: u64) -> Hash {
    let mut acc = Hash::default();
    let mut block = [0x5au8; 64];
    for i in 0..n {
        block[..8].copy_from_slice(&i.to_be_bytes());
        let d = sha256_blocks(&[block]);
        acc.0[0] ^= d.0[0];
    }
    acc
}

fn api_leaf_hashes(n: u64) -> Hash {
    let mut acc = [0u8; 32];
    let mut buf = [0u8; 9];
    for i in 0..n {
        buf[1..].copy_from_slice(&i.to_be_bytes());
        let d: [u8; 32] = Sha256::digest(buf).into();
        acc[0] ^= d[0];
    }
    Hash(acc)
}

fn api_node_hashes(n: u64) -> Hash {
    let mut acc = [0u8; 32];
    let mut buf = [1u8; 65];
    for i in 0..n {
        buf[1..9].copy_from_slice(&i.to_be_bytes());
        let d: [u8; 32] = Sha256::digest(buf).into();
        acc[0] ^= d[0];
    }
    Hash(acc)
}

fn best_rate(reps: usize, n: u64, f: fn(u64) -> Hash) -> f64 {
    let (t, _) = best(reps, || f(n));
    n as f64 / t.as_secs_f64()
}

fn best<T>(reps: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best_t = Duration::MAX;
    let mut out = None;
    for _ in 0..reps {
        let start = Instant::now();
        let r = black_box(f());
        let t = start.elapsed();
        if t < best_t {
            best_t = t;
        }
        out = Some(r);
    }
    (best_t, out.unwrap())
}

fn ms(t: Duration) -> f64 {
    t.as_secs_f64() * 1e3
}
