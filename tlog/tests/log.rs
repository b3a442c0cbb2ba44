#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod common;
use common::*;
use merkle::{leaf_hash, root_from_leaf_hashes};
use tlog::Log;
use tlog::TlogError;
use tlog::{make_receipt, Receipt};

#[test]
fn same_sequence_gives_identical_logs() {
    let a = tmp("det-a");
    let b = tmp("det-b");
    build_log(&a, 1000, 300);
    build_log(&b, 1000, 300);
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert!(sa.iter().any(|(p, _)| p == "tile/0/000"));
    assert!(sa.iter().any(|(p, _)| p == "tile/entries/003.p/232"));
    assert_eq!(sa, sb);
    // The root is the RFC 6962 root of the entries' canonical bytes.
    let log = Log::open(&a).unwrap();
    let leaves: Vec<_> = (0..1000).map(|i| leaf_hash(&entry(i).to_bytes())).collect();
    assert_eq!(log.root(), root_from_leaf_hashes(&leaves));
}

#[test]
fn checkpoint_cadence_does_not_change_tiles_of_final_size() {
    let a = tmp("cad-a");
    let b = tmp("cad-b");
    build_log(&a, 70000, 70000);
    build_log(&b, 70000, 9999);
    let full = |d: &std::path::Path| {
        snapshot(d)
            .into_iter()
            .filter(|(p, _)| p.starts_with("tile/") || p == "checkpoint")
            .filter(|(p, _)| !p.contains(".p/") || p.ends_with("tile/0/x273.p/112"))
            .collect::<Vec<_>>()
    };
    let (fa, fb) = (full(&a), full(&b));
    assert_eq!(fa, fb);
    let leaves: Vec<_> = (0..70000)
        .map(|i| leaf_hash(&entry(i).to_bytes()))
        .collect();
    assert_eq!(
        Log::open(&b).unwrap().root(),
        root_from_leaf_hashes(&leaves)
    );
}

#[test]
fn receipts_verify_and_tampering_is_caught() {
    let d = tmp("receipts");
    build_log(&d, 600, 250);
    let key = signer().to_verifier_key();
    for i in [0u64, 1, 255, 256, 599] {
        let r = make_receipt(&d, i).unwrap();
        let json = serde_json::to_vec(&r.to_json()).unwrap();
        let parsed = Receipt::parse(&json).unwrap();
        let cp = parsed.open_checkpoint(&key).unwrap();
        parsed.verify_inclusion(&cp).unwrap();
        assert_eq!(parsed.entry, entry(i));
    }
    let r = make_receipt(&d, 5).unwrap();
    // Another entry's fields, a wrong index, a flipped proof node, a forged checkpoint.
    let mut bad = r.clone();
    bad.entry = entry(6);
    assert!(bad
        .verify_inclusion(&bad.open_checkpoint(&key).unwrap())
        .is_err());
    let mut bad = r.clone();
    bad.index = 4;
    assert!(bad
        .verify_inclusion(&bad.open_checkpoint(&key).unwrap())
        .is_err());
    let mut bad = r.clone();
    bad.proof[0].0[0] ^= 1;
    assert!(bad
        .verify_inclusion(&bad.open_checkpoint(&key).unwrap())
        .is_err());
    let mut bad = r.clone();
    bad.checkpoint = bad.checkpoint.replacen("\n600\n", "\n601\n", 1);
    assert!(bad.open_checkpoint(&key).is_err());
    let other = merkle::note::Signer::from_seed("example.com/tlog-test", [8; 32]).unwrap();
    assert!(r.open_checkpoint(&other.to_verifier_key()).is_err());
    // Not yet checkpointed: no receipt.
    let mut log = Log::open(&d).unwrap();
    log.append(&[entry(600)]).unwrap();
    assert!(make_receipt(&d, 600).is_err());
}

#[test]
fn single_writer_lock() {
    let d = tmp("lock");
    build_log(&d, 3, 3);
    let _a = Log::open(&d).unwrap();
    assert!(matches!(Log::open(&d), Err(TlogError::Locked { .. })));
}

#[test]
fn reopen_recovers_pending_and_drops_torn_tail() {
    let d = tmp("pending");
    build_log(&d, 10, 10);
    {
        let mut log = Log::open(&d).unwrap();
        assert_eq!(log.append(&[entry(10), entry(11)]).unwrap(), 10);
    }
    // A torn record: a length prefix and half an entry.
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(d.join("pending"))
        .unwrap();
    f.write_all(&[0, 200, b'x', b'y']).unwrap();
    drop(f);
    let mut log = Log::open(&d).unwrap();
    assert_eq!(log.size(), 10);
    assert_eq!(log.pending(), 2);
    assert_eq!(log.append(&[entry(12)]).unwrap(), 12);
    log.checkpoint(&signer()).unwrap();
    drop(log);
    let fresh = tmp("pending-ref");
    build_log(&fresh, 13, 13);
    assert_eq!(
        Log::open(&d).unwrap().root(),
        Log::open(&fresh).unwrap().root()
    );
}

#[test]
fn wrong_signing_key_is_refused() {
    let d = tmp("wrongkey");
    build_log(&d, 2, 2);
    let mut log = Log::open(&d).unwrap();
    log.append(&[entry(2)]).unwrap();
    let other = merkle::note::Signer::from_seed("example.com/tlog-test", [1; 32]).unwrap();
    assert!(log.checkpoint(&other).is_err());
}

#[test]
fn concurrent_readers_never_see_a_checkpoint_without_its_tiles() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let d = tmp("readers");
    tlog::init_log(&d, &signer()).unwrap();
    let key = signer().to_verifier_key();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut log = Log::open(&d).unwrap();
            let mut i = 0u64;
            while i < 3000 {
                let n = 1 + i % 97;
                log.append(&(i..i + n).map(entry).collect::<Vec<_>>())
                    .unwrap();
                log.checkpoint(&signer()).unwrap();
                i += n;
            }
            done.store(true, Ordering::SeqCst);
        });
        let mut checked = 0;
        while !done.load(Ordering::SeqCst) {
            let (cp, _) = tlog::read_checkpoint(&d, &key).unwrap().unwrap();
            let mut p = tlog::TileProver::new(cp.size, tlog::DirTiles::new(&d));
            assert_eq!(p.root().unwrap(), cp.root, "size {}", cp.size);
            if cp.size > 0 {
                tlog::read_entry(&d, cp.size, cp.size - 1).unwrap();
            }
            checked += 1;
        }
        writer.join().unwrap();
        assert!(checked > 10, "only {checked} reads");
    });
}

/// Every file of the log but the lock and leftover temporary files.
fn published(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    snapshot(dir)
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".tmp"))
        .collect()
}

#[test]
fn lost_or_torn_tiles_and_checkpoint_are_rebuilt_from_the_journal_on_open() {
    let d = tmp("rebuild");
    let s = signer();
    tlog::init_log(&d, &s).unwrap();
    let mut log = Log::open(&d).unwrap();
    // 700 entries through the combined path, 3 more through the separate one.
    for start in (0..700u64).step_by(100) {
        let batch: Vec<_> = (start..start + 100).map(entry).collect();
        assert_eq!(log.append_checkpoint(&batch, &s).unwrap().0, start);
    }
    log.append(&[entry(700), entry(701), entry(702)]).unwrap();
    let (size, root) = log.checkpoint(&s).unwrap();
    assert_eq!(size, 703);
    drop(log);
    let (log, repaired) = Log::open_reporting(&d).unwrap();
    assert_eq!(repaired, 0, "a clean log needs no repair");
    drop(log);
    let before = published(&d);
    let old_checkpoint = {
        let mut r = tmp("rebuild-ref");
        tlog::init_log(&r, &s).unwrap();
        let mut l = Log::open(&r).unwrap();
        let batch: Vec<_> = (0..600).map(entry).collect();
        l.append_checkpoint(&batch, &s).unwrap();
        drop(l);
        r.push("checkpoint");
        std::fs::read(&r).unwrap()
    };
    // What a power failure may do to files written without fsync: a full tile and a bundle
    // gone, a partial tile torn, the checkpoint file back at an older size.
    std::fs::remove_file(d.join("tile/0/001")).unwrap();
    std::fs::remove_file(d.join("tile/entries/000")).unwrap();
    let partial = d.join("tile/0/002.p/191");
    let bytes = std::fs::read(&partial).unwrap();
    std::fs::write(&partial, &bytes[..100]).unwrap();
    std::fs::write(d.join("tile/1/000.p/2"), b"").unwrap();
    std::fs::write(d.join("checkpoint"), &old_checkpoint).unwrap();
    assert_ne!(published(&d), before);
    let (log, repaired) = Log::open_reporting(&d).unwrap();
    assert_eq!(repaired, 5, "four tiles and the checkpoint");
    assert_eq!((log.size(), log.root()), (size, root));
    drop(log);
    assert_eq!(published(&d), before, "rebuilt byte for byte");
    let r = tlog::make_receipt(&d, 300).unwrap();
    r.verify_inclusion(&r.open_checkpoint(&s.to_verifier_key()).unwrap())
        .unwrap();

    // A missing checkpoint file is rebuilt too.
    std::fs::remove_file(d.join("checkpoint")).unwrap();
    assert_eq!(Log::open_reporting(&d).unwrap().1, 1);
    assert_eq!(published(&d), before);
}

#[test]
fn journal_restart_keeps_the_log_recoverable() {
    // Past 65 536 entries the journal restarts at the published size once everything before
    // is fsynced; a reopen then rebuilds only from the new base.
    let d = tmp("restart");
    let s = signer();
    tlog::init_log(&d, &s).unwrap();
    let mut log = Log::open(&d).unwrap();
    let n = 66_000u64;
    let all: Vec<_> = (0..n).map(entry).collect();
    for batch in all.chunks(3_000) {
        log.append_checkpoint(batch, &s).unwrap();
    }
    let base_size = log.size();
    let more: Vec<_> = (n..n + 1_000).map(entry).collect();
    log.append_checkpoint(&more, &s).unwrap();
    let (size, root) = (log.size(), log.root());
    drop(log);
    let journal = std::fs::read(d.join("pending")).unwrap();
    assert_eq!(&journal[..16], b"tlog-pending-v2\n");
    let base = u64::from_be_bytes(journal[16..24].try_into().unwrap());
    assert_eq!(base, base_size, "restarted at the published size");
    assert!(base >= 1 << 16);
    // A tile written since the base is rebuilt.
    std::fs::remove_file(d.join(format!("tile/0/{:03}.p/{}", size >> 8, size % 256))).unwrap();
    let (log, repaired) = Log::open_reporting(&d).unwrap();
    assert_eq!(repaired, 1);
    assert_eq!((log.size(), log.root()), (size, root));
    drop(log);
    let fresh = tmp("restart-ref");
    build_log(&fresh, n + 1_000, 10_000);
    assert_eq!(Log::open(&fresh).unwrap().root(), root);
    // The base's tiles were fsynced before the restart and are not in the journal: damage
    // there is refused, not papered over.
    let base_tile = d.join(format!("tile/0/{:03}.p/{}", base >> 8, base % 256));
    std::fs::write(&base_tile, [0u8; 32 * (66_000 % 256)]).unwrap();
    assert!(matches!(Log::open(&d), Err(TlogError::Corrupt { .. })));
}

#[test]
fn version_1_journal_is_read_and_rewritten() {
    let d = tmp("journal-v1");
    build_log(&d, 10, 10);
    // The first journal format: entry records only, no checkpoint records.
    let mut v1 = b"tlog-pending-v1\n".to_vec();
    v1.extend_from_slice(&0u64.to_be_bytes());
    for i in 0..12 {
        let bytes = entry(i).to_bytes();
        v1.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        v1.extend_from_slice(&bytes);
        v1.extend_from_slice(leaf_hash(&bytes).as_bytes());
    }
    std::fs::write(d.join("pending"), &v1).unwrap();
    let mut log = Log::open(&d).unwrap();
    assert_eq!((log.size(), log.pending()), (10, 2));
    assert_eq!(
        &std::fs::read(d.join("pending")).unwrap()[..16],
        b"tlog-pending-v2\n"
    );
    let (size, root) = log.checkpoint(&signer()).unwrap();
    assert_eq!(size, 12);
    let fresh = tmp("journal-v1-ref");
    build_log(&fresh, 12, 12);
    assert_eq!(Log::open(&fresh).unwrap().root(), root);
}
