//! Build benchmark: our reproducible, hashed, indexed and signed pack against
//! `tar --sort=name --mtime=@0 --owner=0 --group=0 -cf - DIR | gzip -n -6`, and the same with
//! `pigz -n -6` (parallel, when installed), over the same tree.
//!
//! ```text
//! cargo bench -p audit-pack --bench build              # ~1 GB tree
//! cargo bench -p audit-pack --bench build -- --quick   # ~50 MB tree (CI smoke run)
//! ```
//!
//! The tree is generated in a temporary folder from a fixed seed: a few thousand files of
//! mixed sizes (many small, some medium, a few large) and mixed content (log-like text that
//! compresses well, and random bytes that do not, like tarballs). Each tool runs twice; the
//! faster run of each is reported (the first warms the page cache for both).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use audit_pack::SplitMix64;
use audit_pack::{
    build_pack_to_dir, BuildInput, IndexSigner, Limits, OrgSlug, PackDate, SigningKey,
};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const WORDS: [&str; 24] = [
    "INFO",
    "WARN",
    "deploy",
    "payments-api",
    "approved",
    "request",
    "latency_ms",
    "200",
    "user",
    "session",
    "rotated",
    "key",
    "backup",
    "completed",
    "region=eu-west-1",
    "sha256",
    "policy",
    "allow",
    "deny",
    "audit",
    "change",
    "ticket",
    "CHG-1042",
    "ok",
];

fn text_bytes(rng: &mut SplitMix64, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 128);
    let mut line = 0u64;
    while out.len() < size {
        line += 1;
        let mut s = format!(
            "2026-09-{:02}T{:02}:{:02}:{:02}Z line={line}",
            1 + rng.below(30),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        );
        for _ in 0..(4 + rng.below(8)) {
            s.push(' ');
            s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
        }
        let _ = writeln!(s, " id={:016x}", rng.next_u64());
        out.extend_from_slice(s.as_bytes());
    }
    out.truncate(size);
    out
}

fn random_bytes(rng: &mut SplitMix64, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(size);
    out
}

/// Writes the tree; returns (files, bytes).
fn generate(dir: &Path, target: u64) -> (usize, u64) {
    let mut rng = SplitMix64::new(0x00a0_d17b_ac4b);
    let ev = dir.join("evidence");
    let mut total = 0u64;
    let mut files = 0usize;
    let mut csv = String::from(
        "framework,framework_version,control_id,control_title,evidence_id,evidence_path,evidence_sha256,evidence_kind,collected_at,period_start,period_end,state,signature_verified,signer_identity,owner,notes\n",
    );
    while total < target {
        let class = rng.below(100);
        let size = if class < 80 {
            1024 + rng.below(63 * 1024) // 80 %: 1-64 KiB
        } else if class < 98 {
            256 * 1024 + rng.below(2 * 1024 * 1024) // 18 %: 0.25-2.25 MiB
        } else {
            8 * 1024 * 1024 + rng.below(24 * 1024 * 1024) // 2 %: 8-32 MiB
        } as usize;
        let random = rng.below(4) == 0; // a quarter incompressible
        let (data, ext) = if random {
            (random_bytes(&mut rng, size), "bin")
        } else {
            (text_bytes(&mut rng, size), "log")
        };
        let rel = format!(
            "system-{:02}/batch-{:03}/file-{files:05}.{ext}",
            files % 17,
            files / 50
        );
        let path = ev.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &data).unwrap();
        if files % 10 == 0 {
            let _ = writeln!(
                csv,
                "SOC2,2017,CC{}.{},Control {files},E-{files},{rel},,,2026-10-01,2026-07-01,2026-09-30,operating,,,secops,",
                1 + files % 9,
                1 + files % 7
            );
        }
        total += size as u64;
        files += 1;
    }
    std::fs::write(dir.join("control-map.csv"), csv).unwrap();
    (files, total)
}

fn time<F: FnMut()>(mut f: F) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..2 {
        let start = Instant::now();
        f();
        best = best.min(start.elapsed());
    }
    best
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let target: u64 = if quick { 50 << 20 } else { 1 << 30 };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let gen_start = Instant::now();
    let (files, bytes) = generate(dir, target);
    eprintln!(
        "generated {files} files, {:.1} MiB in {:.1?}",
        bytes as f64 / f64::from(1 << 20),
        gen_start.elapsed()
    );
    let key = SigningKey::from_seed("bench-pack", [7; 32]).unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let input = BuildInput {
        org: OrgSlug::parse("bench").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &dir.join("evidence"),
        control_map: &dir.join("control-map.csv"),
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let mut pack_size = 0;
    let mut first: Option<Vec<u8>> = None;
    let ours = time(|| {
        let (path, _) = build_pack_to_dir(&input, &out).unwrap();
        let digest = {
            use sha2::Digest;
            sha2::Sha256::digest(std::fs::read(&path).unwrap()).to_vec()
        };
        pack_size = std::fs::metadata(&path).unwrap().len();
        if let Some(d) = &first {
            assert_eq!(d, &digest, "two builds differ: not reproducible");
        }
        first = Some(digest);
    });
    let tgz = dir.join("tar.tgz");
    let script = format!(
        "tar --sort=name --mtime=@0 --owner=0 --group=0 -cf - -C '{}' evidence | gzip -n -6 > '{}'",
        dir.display(),
        tgz.display()
    );
    let tar = time(|| {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .status()
            .unwrap();
        assert!(status.success(), "tar | gzip failed");
    });
    let tar_size = std::fs::metadata(&tgz).unwrap().len();
    // The parallel peer: pigz (as many threads as cores), when installed.
    let pigz_tgz = dir.join("pigz.tgz");
    let pigz_script = format!(
        "tar --sort=name --mtime=@0 --owner=0 --group=0 -cf - -C '{}' evidence | pigz -n -6 > '{}'",
        dir.display(),
        pigz_tgz.display()
    );
    let have_pigz = std::process::Command::new("pigz")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let pigz = have_pigz.then(|| {
        time(|| {
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(&pigz_script)
                .status()
                .unwrap();
            assert!(status.success(), "tar | pigz failed");
        })
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "tree: {files} files, {:.1} MiB ({})",
        bytes as f64 / f64::from(1 << 20),
        if quick { "quick" } else { "full" }
    )
    .unwrap();
    writeln!(
        stdout,
        "audit-pack build: {:.2} s ({:.1} MiB/s), pack {:.1} MiB, reproducible (two builds identical)",
        ours.as_secs_f64(),
        bytes as f64 / f64::from(1 << 20) / ours.as_secs_f64(),
        pack_size as f64 / f64::from(1 << 20)
    )
    .unwrap();
    writeln!(
        stdout,
        "tar | gzip -6:    {:.2} s ({:.1} MiB/s), archive {:.1} MiB",
        tar.as_secs_f64(),
        bytes as f64 / f64::from(1 << 20) / tar.as_secs_f64(),
        tar_size as f64 / f64::from(1 << 20)
    )
    .unwrap();
    writeln!(
        stdout,
        "speed-up (tar time / audit-pack time): {:.2}x",
        tar.as_secs_f64() / ours.as_secs_f64()
    )
    .unwrap();
    match pigz {
        Some(p) => writeln!(
            stdout,
            "tar | pigz -6:    {:.2} s ({:.1} MiB/s), archive {:.1} MiB; pigz time / audit-pack time: {:.2}x",
            p.as_secs_f64(),
            bytes as f64 / f64::from(1 << 20) / p.as_secs_f64(),
            std::fs::metadata(&pigz_tgz).unwrap().len() as f64 / f64::from(1 << 20),
            p.as_secs_f64() / ours.as_secs_f64()
        )
        .unwrap(),
        None => writeln!(stdout, "tar | pigz -6: pigz is not installed; not measured").unwrap(),
    }
}
