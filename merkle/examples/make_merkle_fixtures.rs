//! Writes the Merkle fixtures under a directory (default `fixtures/merkle`): the 8 leaves of
//! the RFC 6962 reference tree, proofs over them, a signed checkpoint, and deliberately broken
//! variants. Everything is derived from fixed inputs (Ed25519 signing is deterministic), so
//! two runs give identical bytes; `fixtures/make-fixtures.sh --check` compares them.
//!
//! The signing key is test material, derived from a public string: never trust it elsewhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::checkpoint::Checkpoint;
use merkle::note::Signer;
use merkle::{consistency_proof, inclusion_proof, leaf_hash, root_from_leaf_hashes, Hash};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

/// RFC 6962 reference leaf inputs (as in transparency-dev/merkle's test constants).
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];
const ORIGIN: &str = "example.com/prov-verify-demo";
const KEY_SEED_TEXT: &str = "prov-verify fixture log key (test only, never trust)";

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/merkle".into());
    let out = Path::new(&out);
    fs::create_dir_all(out.join("leaves")).unwrap();

    let data: Vec<Vec<u8>> = LEAVES.iter().map(|h| hex::decode(h).unwrap()).collect();
    for (i, d) in data.iter().enumerate() {
        fs::write(out.join("leaves").join(format!("leaf-{i}.bin")), d).unwrap();
    }
    let hashes: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
    let root = root_from_leaf_hashes(&hashes);
    let hex_list = |v: &[Hash]| v.iter().map(Hash::to_hex).collect::<Vec<_>>();
    fs::write(
        out.join("leaf-hashes.txt"),
        hashes.iter().map(|h| format!("{h}\n")).collect::<String>(),
    )
    .unwrap();

    let proof = inclusion_proof(&hashes, 8, 3).unwrap();
    let inclusion = json!({
        "index": 3, "size": 8, "leaf_hash": hashes[3].to_hex(), "proof": hex_list(&proof), "root": root.to_hex()
    });
    write_json(out, "inclusion-3-of-8.json", &inclusion);
    let mut no_leaf = inclusion.clone();
    no_leaf.as_object_mut().unwrap().remove("leaf_hash");
    write_json(out, "inclusion-3-of-8-no-leaf.json", &no_leaf);

    // One flipped bit in the second proof node: a proof that must fail on the root check.
    let mut tampered = proof.clone();
    tampered[1].0[0] ^= 0x01;
    let mut bad = inclusion.clone();
    bad["proof"] = json!(hex_list(&tampered));
    write_json(out, "tampered-inclusion.json", &bad);

    // A 31-byte node: malformed input (exit 2), not a failed verification.
    let mut malformed = inclusion.clone();
    malformed["proof"][0] = json!(&proof[0].to_hex()[..62]);
    write_json(out, "malformed-inclusion.json", &malformed);

    let root5 = root_from_leaf_hashes(&hashes[..5]);
    let cproof = consistency_proof(&hashes, 5, 8).unwrap();
    write_json(
        out,
        "consistency-5-to-8.json",
        &json!({ "size1": 5, "size2": 8, "root1": root5.to_hex(), "root2": root.to_hex(), "proof": hex_list(&cproof) }),
    );

    let seed: [u8; 32] = Sha256::digest(KEY_SEED_TEXT.as_bytes()).into();
    let signer = Signer::from_seed(ORIGIN, seed).unwrap();
    fs::write(out.join("log.vkey"), format!("{}\n", signer.verifier_key())).unwrap();
    let body = Checkpoint {
        origin: ORIGIN.into(),
        size: 8,
        root,
        extensions: vec![],
    }
    .to_body()
    .unwrap();
    let note = signer.sign_note(&body).unwrap();
    fs::write(out.join("checkpoint-8.txt"), &note).unwrap();
    // The same signature over a body whose size was changed: the signature must fail.
    fs::write(
        out.join("checkpoint-8-tampered.txt"),
        note.replacen("\n8\n", "\n9\n", 1),
    )
    .unwrap();
}

fn write_json(dir: &Path, name: &str, v: &serde_json::Value) {
    fs::write(
        dir.join(name),
        serde_json::to_string_pretty(v).unwrap() + "\n",
    )
    .unwrap();
}
