//! The single-bit mutation campaign (`cargo bench -p plugin-nitro --bench mutation`): every
//! single-bit flip of every document must be rejected — an error, or a report that is not ok
//! — under a policy that expects everything the original says (all PCRs, nonce, user data,
//! public key, a day's maximum age; debug documents with --allow-debug so that the debug
//! check is not what rejects them). There are no equivalents among single-bit flips.
//!
//! By default: the forged test document and the real documents listed in
//! fixtures/nitro/corpus/ci-subset.txt (an older shape than the forged one: definite map,
//! explicit nulls, CAs without key identifiers). `-- --all`: every real
//! document in fixtures/nitro/corpus/real (about 2.8 million mutants; about 30 minutes on 2
//! cores). Exits 1 on any accepted mutant, naming the document and the bit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/support/mod.rs"]
mod support;

use plugin_api::{Insecure, Policy};
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::forge::{Chain, Doc};
use support::verify_with_root;

fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/nitro/corpus/real")
}

/// A policy that expects everything `doc` says, and the clock a minute after it was made.
fn expecting_all(doc: &[u8]) -> (Policy, u64) {
    let d = plugin_nitro::parse(doc, &Default::default()).unwrap();
    let a = &d.attestation;
    let mut p = Policy::new().with_max_age(86_400);
    for (i, v) in &a.pcrs {
        p = p.with_measurement(*i, v.to_vec());
    }
    if let Some(n) = a.nonce {
        p = p.with_nonce(n.to_vec());
    }
    if let Some(u) = a.user_data {
        p = p.with_user_data(u.to_vec());
    }
    if let Some(k) = a.public_key {
        p = p.with_attested_public_key(k.to_vec());
    }
    (p, a.timestamp_ms / 1000 + 60)
}

fn main() {
    let all = std::env::args().any(|a| a == "--all");
    let chain = Chain::new();
    let mut docs: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = vec![(
        "forged test document".into(),
        Doc::standard(&chain).encode(),
        Some(chain.root.cert.clone()),
    )];
    let names: Vec<String> = if all {
        let mut v: Vec<String> = std::fs::read_dir(real_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".cbor"))
            .collect();
        v.sort();
        v
    } else {
        std::fs::read_to_string(real_dir().join("../ci-subset.txt"))
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    for n in names {
        let bytes = std::fs::read(real_dir().join(&n)).unwrap();
        docs.push((n, bytes, None));
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let start = Instant::now();
    let mut total = 0usize;
    let mut failures = Vec::new();
    for (name, doc, root) in &docs {
        let (policy, now) = expecting_all(doc);
        let allow: &[Insecure] = &[Insecure::AllowDebugEnclave];
        let check = |bytes: &[u8]| {
            verify_with_root(bytes, root.as_deref(), &policy, None, now, allow)
                .is_ok_and(|r| r.ok())
        };
        assert!(check(doc), "{name}: the original does not verify");
        let bits = doc.len() * 8;
        let accepted: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let check = &check;
                    s.spawn(move || {
                        let mut mutant = doc.clone();
                        let mut bad = Vec::new();
                        for bit in (t..bits).step_by(threads) {
                            mutant[bit / 8] ^= 1 << (bit % 8);
                            if check(&mutant) {
                                bad.push(bit);
                            }
                            mutant[bit / 8] ^= 1 << (bit % 8);
                        }
                        bad
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        if !accepted.is_empty() {
            failures.push(format!("{name}: accepted bit flips at bits {accepted:?}"));
        }
        total += bits;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "nitro mutation campaign: {total} single-bit mutants of {} documents ({}), {} accepted; {:.1} s on {threads} threads ({:.0} µs per mutant per thread)",
        docs.len(),
        if all { "every real document" } else { "CI subset" },
        failures.len(),
        secs,
        secs * 1e6 * threads as f64 / total as f64
    );
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("FALSE ACCEPT: {f}");
        }
        std::process::exit(1);
    }
}
