//! Writes fixtures/tlog from fixed inputs (fixed TEST-ONLY key, fixed entries, no clock):
//! `cargo run -p tlog --example make_fixtures -- OUT_DIR`. Run through
//! fixtures/tlog/make-tlog-fixtures.sh (which also has `--check`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::note::{private_key_string, Signer};
use merkle::Hash;
use std::collections::BTreeMap;
use std::path::Path;
use tlog::Entry;
use tlog::Log;

const ORIGIN: &str = "example.com/prov-verify-tlog-demo";

fn entry(i: u64) -> Entry {
    let mut root = [0u8; 32];
    root[24..].copy_from_slice(&i.to_be_bytes());
    let mut meta = BTreeMap::new();
    if i.is_multiple_of(2) {
        meta.insert("build".to_owned(), format!("ci-{i}"));
    }
    Entry::new(Hash(root), Hash([0xab; 32]), &format!("app-{i}.tar"), meta).unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: make_fixtures OUT_DIR");
    let out = Path::new(&out);
    std::fs::create_dir_all(out).unwrap();
    let seed = [0x42; 32];
    let signer = Signer::from_seed(ORIGIN, seed).unwrap();
    write(
        &out.join("TEST-ONLY.key"),
        &format!("{}\n", private_key_string(ORIGIN, &seed).unwrap()),
    );
    write(
        &out.join("log.vkey"),
        &format!("{}\n", signer.verifier_key()),
    );
    let other = Signer::from_seed(ORIGIN, [0x43; 32]).unwrap();
    write(
        &out.join("other.vkey"),
        &format!("{}\n", other.verifier_key()),
    );

    // A log of 300 entries, checkpointed at 100 and at 300 (older partial tiles stay).
    let log_dir = out.join("log");
    tlog::init_log(&log_dir, &signer).unwrap();
    let mut log = Log::open(&log_dir).unwrap();
    for (lo, hi) in [(0u64, 100u64), (100, 300)] {
        log.append(&(lo..hi).map(entry).collect::<Vec<_>>())
            .unwrap();
        log.checkpoint(&signer).unwrap();
    }
    drop(log);
    let _ = std::fs::remove_file(log_dir.join(tlog::LOCK_FILE));

    // Batch input for `log append --batch`.
    let mut batch = String::new();
    for i in 300..303 {
        batch.push_str(&serde_json::to_string(&entry(i).to_json()).unwrap());
        batch.push('\n');
    }
    write(&out.join("batch.jsonl"), &batch);

    // Receipts: valid, and tampered copies.
    let receipt = tlog::make_receipt(&log_dir, 5).unwrap();
    let pretty = |r: &tlog::Receipt| {
        let mut s = serde_json::to_string_pretty(&r.to_json()).unwrap();
        s.push('\n');
        s
    };
    write(&out.join("receipt-5.json"), &pretty(&receipt));
    let mut wrong = receipt.clone();
    wrong.entry = entry(6);
    write(&out.join("receipt-5-wrong-entry.json"), &pretty(&wrong));
    let mut forged = receipt.clone();
    forged.checkpoint = forged.checkpoint.replacen("\n300\n", "\n301\n", 1);
    write(
        &out.join("receipt-5-forged-checkpoint.json"),
        &pretty(&forged),
    );
    let mut other_key = receipt.clone();
    let body = other_key
        .checkpoint
        .split("\n\n")
        .next()
        .unwrap()
        .to_owned()
        + "\n";
    other_key.checkpoint = other.sign_note(&body).unwrap();
    write(&out.join("receipt-5-other-key.json"), &pretty(&other_key));
    let mut json = serde_json::to_value(receipt.to_json()).unwrap();
    json["inclusion_proof"][0] = serde_json::json!("zz");
    write(
        &out.join("receipt-malformed.json"),
        &(serde_json::to_string_pretty(&json).unwrap() + "\n"),
    );
    // Receipts for an X.509-signed manifest (fixtures/x509/gen): a log recording
    // manifest.json + manifest.leaf.sig and, as another manifest, manifest-tampered.json with
    // the same signature file; a valid receipt for each and a tampered copy.
    let x509 = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/x509/gen");
    let read = |name: &str| std::fs::read(x509.join(name)).unwrap();
    let sig = read("manifest.leaf.sig");
    let manifest_entry = |name: &str| {
        let (root, digest) = tlog::manifest_digests(&read(name), &sig);
        Entry::new(root, digest, name, BTreeMap::new()).unwrap()
    };
    let xdir = out.join("x509");
    std::fs::create_dir_all(&xdir).unwrap();
    let xlog = out.join("x509-log.tmp");
    tlog::init_log(&xlog, &signer).unwrap();
    let mut log = Log::open(&xlog).unwrap();
    let mut entries: Vec<Entry> = (0..5).map(entry).collect();
    entries.push(manifest_entry("manifest.json"));
    entries.push(manifest_entry("manifest-tampered.json"));
    log.append_checkpoint(&entries, &signer).unwrap();
    drop(log);
    let ok = tlog::make_receipt(&xlog, 5).unwrap();
    write(&xdir.join("receipt-ok.json"), &pretty(&ok));
    write(
        &xdir.join("receipt-other-manifest.json"),
        &pretty(&tlog::make_receipt(&xlog, 6).unwrap()),
    );
    let mut tampered = ok.clone();
    tampered.proof[0].0[0] ^= 1;
    write(&xdir.join("receipt-tampered.json"), &pretty(&tampered));
    std::fs::remove_dir_all(&xlog).unwrap();
}
