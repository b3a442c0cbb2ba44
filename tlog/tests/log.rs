#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod common;
use common::*;
use merkle::{leaf_hash, root_from_leaf_hashes};
use tlog::receipt::{make_receipt, Receipt};
use tlog::writer::Log;
use tlog::TlogError;

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
    tlog::writer::init(&d, &signer()).unwrap();
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
            let (cp, _) = tlog::writer::read_checkpoint(&d, &key).unwrap().unwrap();
            let mut p = tlog::proof::TileProver::new(cp.size, tlog::proof::DirTiles::new(&d));
            assert_eq!(p.root().unwrap(), cp.root, "size {}", cp.size);
            if cp.size > 0 {
                tlog::receipt::read_entry(&d, cp.size, cp.size - 1).unwrap();
            }
            checked += 1;
        }
        writer.join().unwrap();
        assert!(checked > 10, "only {checked} reads");
    });
}
