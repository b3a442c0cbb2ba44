//! Kills an appending, checkpointing process at random points and reopens the log: it must open
//! at its last published checkpoint with every acknowledged entry present. The child uses both
//! the separate `append` / `checkpoint` calls and the combined `append_checkpoint`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod common;
use common::*;
use merkle::{leaf_hash, root_from_leaf_hashes};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tlog::Log;

const CHILD_ENV: &str = "TLOG_CRASH_CHILD_DIR";

/// The appender run in a child process (does nothing in a normal test run).
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let s = signer();
    let mut log = Log::open(std::path::Path::new(&dir)).unwrap();
    let mut next = log.size() + log.pending() as u64;
    let mut out = std::io::stdout();
    let limit = next + 200_000;
    while next < limit {
        let n = 1 + next % 37;
        let batch: Vec<_> = (next..next + n).map(entry).collect();
        if next.is_multiple_of(5) {
            // The combined path: entries and checkpoint in one journal write.
            let (first, size, _) = log.append_checkpoint(&batch, &s).unwrap();
            assert_eq!(first, next);
            next += n;
            writeln!(out, "ack {next}\ncp {size}").unwrap();
            out.flush().unwrap();
            continue;
        }
        assert_eq!(log.append(&batch).unwrap(), next);
        next += n;
        writeln!(out, "ack {next}").unwrap();
        out.flush().unwrap();
        if next.is_multiple_of(3) {
            let (size, _) = log.checkpoint(&s).unwrap();
            writeln!(out, "cp {size}").unwrap();
            out.flush().unwrap();
        }
    }
}

#[test]
fn killed_appender_loses_no_acknowledged_entry() {
    let dir = tmp("crash");
    tlog::init_log(&dir, &signer()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut acked = 0u64;
    let mut published = 0u64;
    let mut leaves = Vec::new();
    for round in 0..12 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(30 + rng % 250);
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let ack = Arc::new(AtomicU64::new(0));
        let cp = Arc::new(AtomicU64::new(0));
        let (a2, c2) = (Arc::clone(&ack), Arc::clone(&cp));
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("ack ") {
                    a2.fetch_max(n.parse().unwrap(), Ordering::SeqCst);
                } else if let Some(n) = line.strip_prefix("cp ") {
                    c2.fetch_max(n.parse().unwrap(), Ordering::SeqCst);
                }
            }
        });
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        acked = acked.max(ack.load(Ordering::SeqCst));
        published = published.max(cp.load(Ordering::SeqCst));

        let (log, repaired) = Log::open_reporting(&dir).unwrap();
        let total = log.size() + log.pending() as u64;
        eprintln!(
            "round {round}: killed after {delay:?}; acknowledged {acked}, published {published}, reopened at size {} with {} pending, {repaired} files rebuilt from the journal",
            log.size(),
            log.pending()
        );
        assert!(
            total >= acked,
            "round {round}: {total} entries, {acked} acknowledged"
        );
        assert!(
            log.size() >= published,
            "round {round}: published checkpoint lost"
        );
        while (leaves.len() as u64) < log.size() {
            leaves.push(leaf_hash(&entry(leaves.len() as u64).to_bytes()));
        }
        assert_eq!(
            log.root(),
            root_from_leaf_hashes(&leaves[..log.size() as usize]),
            "round {round}"
        );
        // Every published entry is readable and has a verifying receipt.
        if log.size() > 0 {
            drop(log);
            let r = tlog::make_receipt(
                &dir,
                published
                    .saturating_sub(1)
                    .min(acked.saturating_sub(1))
                    .min(leaves.len() as u64 - 1),
            )
            .unwrap();
            let key = signer().to_verifier_key();
            r.verify_inclusion(&r.open_checkpoint(&key).unwrap())
                .unwrap();
        }
    }
    assert!(acked > 0, "the child never acknowledged an entry");
    // Integrate what is left: the tree is exactly the acknowledged sequence (and maybe more).
    let mut log = Log::open(&dir).unwrap();
    let (size, root) = log.checkpoint(&signer()).unwrap();
    assert!(size >= acked);
    while (leaves.len() as u64) < size {
        leaves.push(leaf_hash(&entry(leaves.len() as u64).to_bytes()));
    }
    assert_eq!(root, root_from_leaf_hashes(&leaves[..size as usize]));
}
