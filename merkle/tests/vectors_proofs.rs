//! Every tree, inclusion and consistency vector in ../shared/vectors/merkle, through the public
//! API. No case is skipped: each test asserts it checked as many cases as the file holds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root_from_leaf_hashes, root_parallel,
    root_sequential, verify_consistency, verify_inclusion, Hash, StreamingRoot,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../../shared/vectors/merkle/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn hex_hash(v: &Value) -> Option<Hash> {
    Hash::from_hex(v.as_str()?).ok()
}

fn hashes(v: &Value) -> Option<Vec<Hash>> {
    v.as_array()?.iter().map(hex_hash).collect()
}

fn expect_accept(case: &Value) -> bool {
    match case["expect"].as_str() {
        Some("accept") => true,
        Some("reject") => false,
        other => panic!("case {}: unknown expect {other:?}", case["id"]),
    }
}

/// Decodes a case's hashes; a hash that is not exactly 32 bytes is a reject at decode time.
fn verify_inclusion_case(case: &Value) -> Result<(), String> {
    let index = case["index"].as_u64().ok_or("index")?;
    let size = case["size"].as_u64().ok_or("size")?;
    let leaf = hex_hash(&case["leaf_hash"]).ok_or("leaf_hash is not a 32-byte hex hash")?;
    let root = hex_hash(&case["root"]).ok_or("root is not a 32-byte hex hash")?;
    let proof = hashes(&case["proof"]).ok_or("a proof node is not a 32-byte hex hash")?;
    verify_inclusion(index, size, &leaf, &proof, &root).map_err(|e| e.to_string())
}

fn verify_consistency_case(case: &Value) -> Result<(), String> {
    let size1 = case["size1"].as_u64().ok_or("size1")?;
    let size2 = case["size2"].as_u64().ok_or("size2")?;
    let root1 = hex_hash(&case["root1"]).ok_or("root1 is not a 32-byte hex hash")?;
    let root2 = hex_hash(&case["root2"]).ok_or("root2 is not a 32-byte hex hash")?;
    let proof = hashes(&case["proof"]).ok_or("a proof node is not a 32-byte hex hash")?;
    verify_consistency(size1, size2, &proof, &root1, &root2).map_err(|e| e.to_string())
}

fn run_probes(file: &str, verify: fn(&Value) -> Result<(), String>) {
    let doc = load(file);
    let cases = doc["cases"].as_array().unwrap();
    let (mut checked, mut accepted, mut rejected) = (0usize, 0usize, 0usize);
    let mut wrong = Vec::new();
    for case in cases {
        let want = expect_accept(case);
        let got = verify(case);
        match (want, &got) {
            (true, Ok(())) => accepted += 1,
            (false, Err(_)) => rejected += 1,
            (true, Err(e)) => wrong.push(format!("FALSE REJECT {}: {e}", case["id"])),
            (false, Ok(())) => {
                wrong.push(format!("FALSE ACCEPT {} ({})", case["id"], case["reason"]))
            }
        }
        checked += 1;
    }
    assert!(
        wrong.is_empty(),
        "{file}: {} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(checked, cases.len());
    println!(
        "{file}: {checked} cases checked ({accepted} accepted, {rejected} rejected as expected)"
    );
}

#[test]
fn inclusion_probes() {
    run_probes("inclusion_probes.json", verify_inclusion_case);
}

#[test]
fn consistency_probes() {
    run_probes("consistency_probes.json", verify_consistency_case);
}

#[test]
fn rfc6962_reference_tree() {
    let doc = load("rfc6962_reference.json");
    let leaves: Vec<Vec<u8>> = doc["leaves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| hex::decode(l.as_str().unwrap()).unwrap())
        .collect();
    let leaf_hashes = hashes(&doc["leaf_hashes"]).unwrap();
    let mut checked = 0;
    for (l, h) in leaves.iter().zip(&leaf_hashes) {
        assert_eq!(leaf_hash(l), *h);
        checked += 1;
    }
    for r in doc["roots"].as_array().unwrap() {
        let size = r["size"].as_u64().unwrap() as usize;
        let want = hex_hash(&r["root"]).unwrap();
        assert_eq!(root_sequential(&leaves[..size]), want, "root of {size}");
        assert_eq!(root_parallel(&leaves[..size]), want);
        assert_eq!(root_from_leaf_hashes(&leaf_hashes[..size]), want);
        checked += 1;
    }
    for c in doc["inclusion"].as_array().unwrap() {
        let (index, size) = (c["index"].as_u64().unwrap(), c["size"].as_u64().unwrap());
        let proof = hashes(&c["proof"]).unwrap();
        let root = hex_hash(&c["root"]).unwrap();
        let leaf = hex_hash(&c["leaf_hash"]).unwrap();
        assert_eq!(
            inclusion_proof(&leaf_hashes, size, index).unwrap(),
            proof,
            "PATH({index}, {size})"
        );
        verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
        checked += 1;
    }
    for c in doc["consistency"].as_array().unwrap() {
        let (size1, size2) = (c["size1"].as_u64().unwrap(), c["size2"].as_u64().unwrap());
        let proof = hashes(&c["proof"]).unwrap();
        let (root1, root2) = (
            hex_hash(&c["root1"]).unwrap(),
            hex_hash(&c["root2"]).unwrap(),
        );
        assert_eq!(
            consistency_proof(&leaf_hashes, size1, size2).unwrap(),
            proof,
            "PROOF({size1}, {size2})"
        );
        verify_consistency(size1, size2, &proof, &root1, &root2).unwrap();
        checked += 1;
    }
    // The transparency-dev tables: roots by size, node hashes by level, proofs.
    let up = &doc["upstream"];
    for (size, r) in up["root_hashes_by_size"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(
            root_from_leaf_hashes(&leaf_hashes[..size]),
            hex_hash(r).unwrap()
        );
        checked += 1;
    }
    for (level, nodes) in up["node_hashes_by_level"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        for (i, n) in nodes.as_array().unwrap().iter().enumerate() {
            let width = 1usize << level;
            let start = i * width;
            let end = (start + width).min(leaf_hashes.len());
            assert_eq!(
                root_from_leaf_hashes(&leaf_hashes[start..end]),
                hex_hash(n).unwrap()
            );
            checked += 1;
        }
    }
    for table in ["inclusion_proofs", "consistency_proofs"] {
        checked += check_upstream_proof_table(table, &up[table], &leaf_hashes);
    }
    println!("rfc6962_reference.json: {checked} values checked");
}

/// The transparency-dev proof tables (`index`/`size` and `size1`/`size2` rows).
fn check_upstream_proof_table(table: &str, v: &Value, leaf_hashes: &[Hash]) -> usize {
    let rows = v
        .as_array()
        .unwrap_or_else(|| panic!("{table} is not a list"));
    let mut n = 0;
    for row in rows {
        let proof = hashes(&row["proof"]).unwrap_or_else(|| panic!("{table}: bad proof in {row}"));
        if table == "inclusion_proofs" {
            let index = row["index"].as_u64().unwrap();
            let size = row["size"].as_u64().unwrap();
            assert_eq!(
                inclusion_proof(leaf_hashes, size, index).unwrap(),
                proof,
                "{row}"
            );
        } else {
            let size1 = row["size1"].as_u64().unwrap();
            let size2 = row["size2"].as_u64().unwrap();
            assert_eq!(
                consistency_proof(leaf_hashes, size1, size2).unwrap(),
                proof,
                "{row}"
            );
        }
        n += 1;
    }
    n
}

#[test]
fn large_roots() {
    let doc = load("large_roots.json");
    let want: Vec<(u64, Hash)> = doc["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["size"].as_u64().unwrap(), hex_hash(&r["root"]).unwrap()))
        .collect();
    let top = want.iter().map(|w| w.0).max().unwrap();
    let mut stream = StreamingRoot::new();
    let mut hashes_small = Vec::new();
    let mut checked = 0;
    let mut next = want.iter().peekable();
    if let Some((0, r)) = next.peek() {
        assert_eq!(stream.root(), *r);
        next.next();
        checked += 1;
    }
    for i in 0..top {
        let h = leaf_hash(&i.to_be_bytes());
        stream.push_leaf_hash(h).unwrap();
        if i < 5000 {
            hashes_small.push(h);
        }
        while let Some((size, root)) = next.peek() {
            if *size != i + 1 {
                break;
            }
            assert_eq!(stream.root(), *root, "streaming root of {size}");
            if (*size as usize) <= hashes_small.len() {
                assert_eq!(
                    root_from_leaf_hashes(&hashes_small[..*size as usize]),
                    *root
                );
            }
            checked += 1;
            next.next();
        }
    }
    assert!(
        next.next().is_none(),
        "sizes out of order in large_roots.json"
    );
    // Cross-check the two largest with the parallel root over leaves in memory.
    let leaves: Vec<[u8; 8]> = (0..top).map(|i| i.to_be_bytes()).collect();
    assert_eq!(root_parallel(&leaves), want.last().unwrap().1);
    assert_eq!(checked, want.len());

    // Upstream digests over d[i] = single byte i.
    let dg = &doc["upstream_digests"];
    let max = dg["max_size"].as_u64().unwrap() as usize;
    let d: Vec<Hash> = (0..max).map(|i| leaf_hash(&[i as u8])).collect();
    let valid = |start: usize, end: usize| {
        if start == 0 || start == end {
            return true;
        }
        let bc = (end - start).next_power_of_two();
        start % bc == 0
    };
    use sha2::{Digest, Sha256};
    let (mut h1, mut h2) = (Sha256::new(), Sha256::new());
    for end in 0..=max {
        for start in 0..=end {
            if !valid(start, end) {
                continue;
            }
            let sub = &d[start..end];
            h1.update(format!("[{start}, {end}) {}\n", root_from_leaf_hashes(sub)));
            for index in start..end {
                let proof = inclusion_proof(sub, sub.len() as u64, (index - start) as u64).unwrap();
                let nodes: String = proof.iter().map(|p| format!(" {p}")).collect();
                h2.update(format!("{index} [{start}, {end}){nodes}\n"));
            }
        }
    }
    assert_eq!(
        hex::encode(h1.finalize()),
        dg["subtree_hash_digest"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(h2.finalize()),
        dg["subtree_inclusion_digest"].as_str().unwrap()
    );
    checked += 2;
    println!("large_roots.json: {checked} values checked");
}

/// Real Rekor inclusion proofs from the sigstore-conformance bundles; where the bundle carries
/// a checkpoint, its body must name the same size and root (its signature is by a Rekor key,
/// checked by the Sigstore plugin, not here).
#[test]
fn rekor_inclusion() {
    use merkle::checkpoint::Checkpoint;
    let doc = load("rekor_inclusion.json");
    let cases = doc["cases"].as_array().unwrap();
    let (mut checked, mut with_checkpoint) = (0, 0);
    let mut wrong = Vec::new();
    for case in cases {
        let mut result = verify_inclusion_case(case);
        if let Some(note) = case["checkpoint"].as_str() {
            with_checkpoint += 1;
            let body_end = note
                .rfind("\n\n")
                .expect("checkpoint note has a signature block");
            let cp = Checkpoint::parse_body(&note[..=body_end])
                .unwrap_or_else(|e| panic!("{}: {e}", case["case"]));
            let matches =
                Some(cp.size) == case["size"].as_u64() && Some(cp.root) == hex_hash(&case["root"]);
            if !matches && result.is_ok() {
                result = Err("checkpoint size/root differ from the proof's".into());
            }
        }
        match (expect_accept(case), &result) {
            (true, Ok(())) | (false, Err(_)) => {}
            (true, Err(e)) => wrong.push(format!("FALSE REJECT {}: {e}", case["case"])),
            (false, Ok(())) => wrong.push(format!("FALSE ACCEPT {}", case["case"])),
        }
        checked += 1;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(checked, cases.len());
    println!(
        "rekor_inclusion.json: {checked} cases checked ({with_checkpoint} with a checkpoint body)"
    );
}

/// Every data file in the vector directory has a test here or in vectors_checkpoints.rs /
/// vectors_tiles.rs; a new file makes this fail until it is covered.
#[test]
fn every_vector_file_is_covered() {
    let dir = format!("{}/../../shared/vectors/merkle", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    found.sort();
    let covered = [
        "checkpoints.json",        // vectors_checkpoints.rs
        "consistency_probes.json", // consistency_probes
        "inclusion_probes.json",   // inclusion_probes
        "large_roots.json",        // large_roots
        "rekor_inclusion.json",    // rekor_inclusion
        "rfc6962_reference.json",  // rfc6962_reference_tree
        "tile_paths.json",         // vectors_tiles.rs
    ];
    assert_eq!(found, covered, "vector files changed; cover the new ones");
}
