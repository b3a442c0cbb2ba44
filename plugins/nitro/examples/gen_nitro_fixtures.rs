//! Writes fixtures/nitro/gen: documents made under a test root CA standing in for AWS's
//! (deterministic keys and signatures, fixed times: byte-reproducible), for the golden CLI
//! cases. `cargo run -p plugin-nitro --example gen_nitro_fixtures -- OUT_DIR`; CI regenerates
//! into a temporary directory and compares.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../tests/support/forge.rs"]
mod forge;

use base64::Engine as _;
use forge::*;
use std::path::PathBuf;

fn pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        body.join("\n")
    )
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: gen_nitro_fixtures OUT_DIR"),
    );
    std::fs::create_dir_all(&out).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(out.join(name), bytes).unwrap();
    let chain = Chain::new();
    write("test-root.pem", pem(&chain.root.cert).as_bytes());
    let doc = Doc::standard(&chain);
    let bytes = doc.encode();
    write("doc.cbor", &bytes);
    let b64 = pem(&bytes)
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n");
    write("doc.b64", format!("{b64}\n").as_bytes());
    let mut tagged = doc.clone();
    tagged.tagged = true;
    tagged.indefinite = false;
    let hex = hex::encode(tagged.encode());
    write("doc-tagged.hex", format!("{hex}\n").as_bytes());
    write(
        "measurements.json",
        describe_eif_json(&standard_pcrs()).as_bytes(),
    );
    write("nonce.bin", NONCE);
    // Debug mode: PCR0..2 zero.
    let mut pcrs = standard_pcrs();
    for p in pcrs.iter_mut().take(3) {
        p.1 = vec![0; 48];
    }
    write("doc-debug.cbor", &Doc::with_pcrs(&chain, &pcrs).encode());
    // A flipped bit in the signature.
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    write("doc-bad-signature.cbor", &bad);
    // A repeated payload key, signed: unreadable (no verdict).
    let mut dup = doc.clone();
    let first = dup.entries[0].clone();
    dup.entries.push(first);
    write("doc-duplicate-key.cbor", &dup.encode());
}
