//! `cargo bench -p plugin-x509`: chain validations per second for the 3-certificate fixture
//! chain (leaf <- intermediate <- root, ECDSA P-256, code-signing profile), manifest
//! verifications per second (raw and CMS), and the whole x509-limbo run (the release
//! `limbo-harness` binary on the decompressed suite) with peer timings from
//! ../shared/conformance/x509-limbo/baselines.json when it has any.
//! `-- --quick` runs each measurement for about 0.3 s instead of 3 s and skips limbo.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::VerificationTime;
use plugin_x509::{
    certificates_from_pem_or_der, verify_manifest, verify_path, DetachedSignature, ManifestRequest,
    Options, Profile, SignedData,
};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/x509/gen").join(name)).unwrap()
}

/// Runs `f` repeatedly for about `budget`; returns operations per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..10 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..50 {
            f();
        }
        n += 50;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = if quick {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(3)
    };
    let leaf = certificates_from_pem_or_der(&fixture("leaf.pem"), 1).unwrap();
    let inter = certificates_from_pem_or_der(&fixture("inter.pem"), 1).unwrap();
    let anchors = certificates_from_pem_or_der(&fixture("root.pem"), 1).unwrap();
    let time = VerificationTime::from_unix_seconds(1_780_272_000);
    let options = Options::new(Profile::CodeSigning);

    let chains = rate(budget, || {
        let p = verify_path(&leaf[0], &inter, &anchors, time, &options);
        assert!(black_box(p).is_ok());
    });
    println!("chain validation (3 certificates, ECDSA P-256, parsed): {chains:.0} /s");

    let pem = [fixture("leaf.pem"), fixture("inter.pem")];
    let parse_and_validate = rate(budget, || {
        let l = certificates_from_pem_or_der(&pem[0], 1).unwrap();
        let i = certificates_from_pem_or_der(&pem[1], 1).unwrap();
        assert!(verify_path(&l[0], &i, &anchors, time, &options).is_ok());
    });
    println!("chain validation including PEM parsing of leaf and intermediate: {parse_and_validate:.0} /s");

    let manifest = fixture("manifest.json");
    for (label, sig) in [
        (
            "raw ECDSA",
            DetachedSignature::Raw(fixture("manifest.leaf.sig")),
        ),
        (
            "CMS with signed attributes",
            DetachedSignature::Cms(Box::new(
                SignedData::from_der(&fixture("manifest.cms.der")).unwrap(),
            )),
        ),
    ] {
        let per_sec = rate(budget, || {
            let r = verify_manifest(&ManifestRequest {
                subject: "bench",
                manifest: &manifest,
                signature: &sig,
                leaf: &leaf[0],
                intermediates: &inter,
                anchors: &anchors,
                crls: &[],
                require_crl: false,
                time,
            });
            assert!(black_box(r).ok());
        });
        println!(
            "manifest verification ({label}, signature + 3-certificate chain): {per_sec:.0} /s"
        );
    }

    if quick {
        return;
    }
    limbo();
}

fn limbo() {
    let kit = root().join("../shared/conformance/x509-limbo");
    let gz = kit.join("limbo.json.gz");
    if !gz.exists() {
        println!("x509-limbo: {} not found; skipped", gz.display());
        return;
    }
    let json = Command::new("gzip").arg("-dc").arg(&gz).output().unwrap();
    assert!(json.status.success(), "gzip -dc failed");
    let harness = Path::new(env!("CARGO_BIN_EXE_limbo-harness"));
    let start = Instant::now();
    let mut child = Command::new(harness)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = json.stdout;
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "limbo-harness failed");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = doc["results"].as_array().map_or(0, Vec::len);
    println!(
        "x509-limbo: {n} testcases in {secs:.2} s ({:.0} cases/s), harness {}",
        n as f64 / secs,
        harness.display()
    );
    let baselines: serde_json::Value = std::fs::read(kit.join("baselines.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut any = false;
    if let Some(peers) = baselines["peers"].as_object() {
        for (name, peer) in peers {
            let secs = ["seconds", "elapsed_seconds", "time_seconds", "wall_seconds"]
                .iter()
                .find_map(|k| peer[*k].as_f64().or_else(|| peer["all"][*k].as_f64()));
            if let Some(s) = secs {
                any = true;
                println!("  peer {name}: {s:.2} s");
            }
        }
    }
    if !any {
        println!("  (baselines.json records no peer timings)");
    }
}
