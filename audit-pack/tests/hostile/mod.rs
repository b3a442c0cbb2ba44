//! Hostile packs, generated from the valid sample pack: every way a pack must be refused.
//! Shared by the tests (`tests/verify.rs`) and the fixture generator
//! (`examples/make_evidence.rs`, which writes them to `fixtures/evidence/hostile/`).
//! Nothing here is a hand-edited blob: each case says how its bytes are made.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use audit_pack::PackReader;
use audit_pack::{Index, Limits, SigningKey};
use std::io::Write;

/// Seed of the sample pack key (TEST ONLY), as in examples/make_evidence.rs.
pub const PACK_KEY_SEED: [u8; 32] = [0x41; 32];

/// One hostile pack and how it must fail.
#[derive(Debug)]
pub struct Case {
    /// File-name stem, e.g. `symlink`.
    pub name: &'static str,
    /// What it is.
    pub what: &'static str,
    /// The pack bytes.
    pub bytes: Vec<u8>,
    /// Budgets to verify with (small ones for the bombs).
    pub limits: Limits,
    /// The first check that must fail.
    pub failing_check: &'static str,
    /// A piece of that check's detail.
    pub detail: &'static str,
}

/// A raw tar entry: any name bytes, type flag, mode, link name, data.
#[derive(Debug, Clone)]
pub struct Raw {
    pub name: Vec<u8>,
    pub flag: u8,
    pub mode: u32,
    pub link: Vec<u8>,
    pub data: Vec<u8>,
    /// Declared size (defaults to the data length).
    pub size: Option<u64>,
    /// POSIX ustar magic instead of GNU.
    pub ustar: bool,
}

impl Raw {
    pub fn file(name: &str, data: &[u8]) -> Raw {
        Raw {
            name: name.as_bytes().to_vec(),
            flag: b'0',
            mode: 0o644,
            link: Vec::new(),
            data: data.to_vec(),
            size: None,
            ustar: false,
        }
    }
    pub fn typed(name: &str, flag: u8, link: &str) -> Raw {
        Raw {
            flag,
            link: link.as_bytes().to_vec(),
            ..Raw::file(name, b"")
        }
    }
}

fn put_octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let s = format!("{value:0width$o}");
    field[..width].copy_from_slice(s.as_bytes());
    field[width] = 0;
}

/// A 512-byte header for `e`, with a correct checksum.
pub fn header(e: &Raw) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..e.name.len()].copy_from_slice(&e.name);
    put_octal(&mut h[100..108], u64::from(e.mode));
    put_octal(&mut h[108..116], 0);
    put_octal(&mut h[116..124], 0);
    put_octal(&mut h[124..136], e.size.unwrap_or(e.data.len() as u64));
    put_octal(&mut h[136..148], 1_795_392_000);
    h[156] = e.flag;
    h[157..157 + e.link.len()].copy_from_slice(&e.link);
    if e.ustar {
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
    } else {
        h[257..265].copy_from_slice(b"ustar  \0");
    }
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

/// The tar bytes of `entries` followed by the two end-of-archive blocks.
pub fn tar(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&header(e));
        out.extend_from_slice(&e.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// Gzip with the pack's fixed header.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(6));
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// The (path, contents) entries of a valid pack, in order.
pub fn entries_of(pack: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut reader = PackReader::new(pack, Limits::DEFAULT);
    let mut out = Vec::new();
    while let Some(e) = reader.next_entry(&|_, _| true).unwrap() {
        out.push((e.path, e.data.unwrap()));
    }
    out
}

fn repack(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let raws: Vec<Raw> = entries.iter().map(|(p, d)| Raw::file(p, d)).collect();
    gzip(&tar(&raws))
}

fn with_extra(entries: &[(String, Vec<u8>)], extra: Vec<Raw>) -> Vec<u8> {
    let mut raws: Vec<Raw> = entries.iter().map(|(p, d)| Raw::file(p, d)).collect();
    raws.extend(extra);
    gzip(&tar(&raws))
}

/// Replaces index.json (and re-signs it with the sample key) after `edit` changes the index.
fn resigned(entries: &[(String, Vec<u8>)], index_text: String) -> Vec<u8> {
    let key = SigningKey::from_seed("acme-audit-pack", PACK_KEY_SEED).unwrap();
    let sig = key.sign_index(&index_text).unwrap();
    let mut e = entries.to_vec();
    e[0].1 = index_text.into_bytes();
    e[1].1 = sig.into_bytes();
    repack(&e)
}

fn edited_index(entries: &[(String, Vec<u8>)], edit: impl FnOnce(&mut Index)) -> Vec<u8> {
    let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
    edit(&mut index);
    resigned(entries, index.to_file_text().unwrap())
}

/// Edits the index's controls, rewrites control-map.csv to match, updates its artifact entry
/// and the Merkle root, and re-signs: only the control-resolution check can object.
fn edited_controls(entries: &[(String, Vec<u8>)], edit: impl FnOnce(&mut Index)) -> Vec<u8> {
    use sha2::Digest;
    let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
    edit(&mut index);
    let csv = audit_pack::controls::write(&index.controls).unwrap();
    let map = index
        .artifacts
        .iter_mut()
        .find(|a| a.path == "compliance/control-map.csv")
        .unwrap();
    map.sha256 = hex::encode(sha2::Sha256::digest(&csv));
    map.size = csv.len() as u64;
    index.merkle_root = index.compute_merkle_root().unwrap().to_hex();
    let mut e = entries.to_vec();
    let pos = e
        .iter()
        .position(|(p, _)| p == "compliance/control-map.csv")
        .unwrap();
    e[pos].1 = csv;
    resigned(&e, index.to_file_text().unwrap())
}

/// Replaces the evidence file at `path` with `data` and updates everything signed that
/// describes it (its artifact entry, the control lines pointing at it, control-map.csv, the
/// Merkle root), then re-signs: only the evidence-schema check can object.
fn edited_file(entries: &[(String, Vec<u8>)], path: &str, data: Vec<u8>) -> Vec<u8> {
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&data));
    let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
    let artifact = index.artifacts.iter_mut().find(|a| a.path == path).unwrap();
    artifact.sha256 = sha.clone();
    artifact.size = data.len() as u64;
    let name = artifact.name.clone();
    for c in index
        .controls
        .iter_mut()
        .filter(|c| c.evidence_path == name)
    {
        c.evidence_sha256 = sha.clone();
    }
    let mut e = entries.to_vec();
    e.iter_mut().find(|(p, _)| p == path).unwrap().1 = data;
    let csv = audit_pack::controls::write(&index.controls).unwrap();
    let map = index
        .artifacts
        .iter_mut()
        .find(|a| a.path == "compliance/control-map.csv")
        .unwrap();
    map.sha256 = hex::encode(sha2::Sha256::digest(&csv));
    map.size = csv.len() as u64;
    index.merkle_root = index.compute_merkle_root().unwrap().to_hex();
    e.iter_mut()
        .find(|(p, _)| p == "compliance/control-map.csv")
        .unwrap()
        .1 = csv;
    resigned(&e, index.to_file_text().unwrap())
}

/// Whoever holds the pack key signs the sample manifest with a key of their own named
/// `acme-release`, lists that key in `trustedKeys`, records the pair as verified by
/// `acme-release` and re-signs the index: a verifier that trusted the pack's own keys would
/// report the manifest as signed by acme-release.
pub fn self_vouched_manifest(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    use sha2::Digest;
    let fake = merkle::note::Signer::from_seed("acme-release", [0x99; 32]).unwrap();
    let (manifest_path, manifest) = entries
        .iter()
        .find(|(p, _)| p.ends_with(".manifest.json"))
        .unwrap();
    let sig_path = format!("{manifest_path}.sig");
    let sig = format!(
        "{}\n",
        fake.sign(std::str::from_utf8(manifest).unwrap()).unwrap()
    )
    .into_bytes();
    let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
    let artifact = index
        .artifacts
        .iter_mut()
        .find(|a| a.path == sig_path)
        .unwrap();
    artifact.sha256 = hex::encode(sha2::Sha256::digest(&sig));
    artifact.size = sig.len() as u64;
    index.trusted_keys = vec![fake.to_verifier_key().to_vkey()];
    assert_eq!(index.manifest_signatures[0].signers, ["acme-release"]);
    index.merkle_root = index.compute_merkle_root().unwrap().to_hex();
    let mut e = entries.to_vec();
    e.iter_mut().find(|(p, _)| *p == sig_path).unwrap().1 = sig;
    resigned(&e, index.to_file_text().unwrap())
}

fn replaced(
    entries: &[(String, Vec<u8>)],
    suffix: &str,
    from: &str,
    to: &str,
) -> (String, Vec<u8>) {
    let (path, data) = entries.iter().find(|(p, _)| p.ends_with(suffix)).unwrap();
    let text = String::from_utf8(data.clone()).unwrap();
    assert!(text.contains(from));
    (path.clone(), text.replacen(from, to, 1).into_bytes())
}

const SAFE: &str = "audit-pack.archive.safe";

/// Every hostile case, made from the valid sample pack.
pub fn cases(valid: &[u8]) -> Vec<Case> {
    let entries = entries_of(valid);
    let d = Limits::DEFAULT;
    let archive = |name, what, bytes, detail| Case {
        name,
        what,
        bytes,
        limits: d,
        failing_check: SAFE,
        detail,
    };
    let mut tar_bytes = tar(&entries
        .iter()
        .map(|(p, x)| Raw::file(p, x))
        .collect::<Vec<_>>());
    let mut cases = vec![
        archive(
            "dotdot",
            "an entry named evidence/../../etc/cron.d/x",
            with_extra(
                &entries,
                vec![Raw::file(
                    "evidence/../../etc/cron.d/x",
                    b"* * * * * root sh\n",
                )],
            ),
            "`..` path component",
        ),
        archive(
            "absolute",
            "an entry named /etc/passwd",
            with_extra(
                &entries,
                vec![Raw::file("/etc/passwd", b"root::0:0::/:/bin/sh\n")],
            ),
            "absolute path",
        ),
        archive(
            "symlink",
            "a symbolic link to /etc/shadow",
            with_extra(
                &entries,
                vec![Raw::typed("evidence/shadow", b'2', "/etc/shadow")],
            ),
            "symbolic link",
        ),
        archive(
            "hardlink",
            "a hard link to /etc/shadow",
            with_extra(
                &entries,
                vec![Raw::typed("evidence/shadow", b'1', "/etc/shadow")],
            ),
            "hard link",
        ),
        archive(
            "chardev",
            "a character device",
            with_extra(&entries, vec![Raw::typed("evidence/null", b'3', "")]),
            "character device",
        ),
        archive(
            "blockdev",
            "a block device",
            with_extra(&entries, vec![Raw::typed("evidence/sda", b'4', "")]),
            "block device",
        ),
        archive(
            "fifo",
            "a FIFO",
            with_extra(&entries, vec![Raw::typed("evidence/pipe", b'6', "")]),
            "FIFO",
        ),
        archive(
            "directory",
            "a directory entry",
            with_extra(&entries, vec![Raw::typed("evidence/extra", b'5', "")]),
            "directory",
        ),
        archive(
            "pax",
            "a pax extended header overriding the next path",
            with_extra(
                &entries,
                vec![
                    Raw {
                        flag: b'x',
                        ..Raw::file("evidence/PaxHeader", b"30 path=../../../../tmp/evil\n")
                    },
                    Raw::file("evidence/x", b"x"),
                ],
            ),
            "pax extended header",
        ),
        archive(
            "duplicate",
            "the same path twice (the second copy differs)",
            with_extra(
                &entries,
                vec![Raw::file(&entries[3].0, b"different contents")],
            ),
            "more than once",
        ),
        archive(
            "longname-dotdot",
            "a GNU long-name entry naming ../../../tmp/evil",
            with_extra(
                &entries,
                vec![
                    Raw {
                        flag: b'L',
                        ..Raw::file("././@LongLink", b"../../../tmp/evil\0")
                    },
                    Raw::file("evidence/x", b"x"),
                ],
            ),
            "`..` path component",
        ),
        archive(
            "path-conflict",
            "a file below another file's path",
            with_extra(
                &entries,
                vec![Raw::file(&format!("{}/x", entries[3].0), b"x")],
            ),
            "conflicts",
        ),
        archive(
            "setuid",
            "a file of mode 4755",
            with_extra(
                &entries,
                vec![Raw {
                    mode: 0o4755,
                    ..Raw::file("evidence/run.sh", b"#!/bin/sh\n")
                }],
            ),
            "mode 4755",
        ),
        archive(
            "ustar-prefix",
            "a POSIX ustar header (with a prefix field)",
            with_extra(
                &entries,
                vec![Raw {
                    ustar: true,
                    ..Raw::file("evidence/x", b"x")
                }],
            ),
            "not a GNU tar header",
        ),
        archive(
            "huge-declared",
            "a header declaring a 4 GiB file",
            with_extra(
                &entries,
                vec![Raw {
                    size: Some(4 << 30),
                    ..Raw::file("evidence/huge", b"")
                }],
            ),
            "more than the limit of",
        ),
        archive(
            "index-not-first",
            "control-map.csv before index.json",
            repack(&[entries[2].clone(), entries[0].clone(), entries[1].clone()]),
            "entry 1 must be index.json",
        ),
        archive(
            "trailing-garbage",
            "bytes after the gzip member",
            [valid, b"garbage".as_slice()].concat(),
            "bytes after the gzip member",
        ),
        archive(
            "second-member",
            "a second gzip member adding a file",
            [
                valid,
                gzip(&tar(&[Raw::file("evidence/extra", b"x")])).as_slice(),
            ]
            .concat(),
            "bytes after the gzip member",
        ),
    ];
    // Non-zero bytes after the end-of-archive blocks.
    tar_bytes.extend_from_slice(b"hidden data after the end of the archive");
    cases.push(archive(
        "after-end",
        "non-zero bytes after the end-of-archive blocks",
        gzip(&tar_bytes),
        "non-zero bytes after",
    ));
    // Hidden bytes in the padding after index.json's data.
    let mut padded = tar(&entries
        .iter()
        .map(|(p, x)| Raw::file(p, x))
        .collect::<Vec<_>>());
    let pad_at = 512 + entries[0].1.len();
    assert!(pad_at % 512 != 0);
    padded[pad_at] = b'!';
    cases.push(archive(
        "padding",
        "a non-zero byte in the padding after index.json",
        gzip(&padded),
        "non-zero padding",
    ));
    // A header with a wrong checksum.
    let mut bad_sum = tar(&entries
        .iter()
        .map(|(p, x)| Raw::file(p, x))
        .collect::<Vec<_>>());
    bad_sum[0] ^= 0x20;
    cases.push(archive(
        "bad-checksum",
        "index.json's header with one byte changed",
        gzip(&bad_sum),
        "bad checksum",
    ));
    // Truncated in the middle of a file.
    let full = tar(&entries
        .iter()
        .map(|(p, x)| Raw::file(p, x))
        .collect::<Vec<_>>());
    cases.push(archive(
        "truncated",
        "the tar stream cut in the middle of index.json",
        gzip(&full[..700]),
        "truncated",
    ));
    // Corrupt gzip: the CRC-32 in the trailer no longer matches the data.
    let mut corrupt = valid.to_vec();
    let crc = corrupt.len() - 8;
    corrupt[crc] ^= 0xff;
    cases.push(archive(
        "corrupt-gzip",
        "the gzip trailer's CRC-32 changed",
        corrupt,
        "gzip stream",
    ));

    // A gzip header with a file name (FLG.FNAME): never buffered, refused.
    let mut named = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 255];
    named.extend_from_slice(b"../../evil.tar\0");
    named.extend_from_slice(&valid[10..]);
    cases.push(archive(
        "gzip-name",
        "a gzip header carrying a file name",
        named,
        "optional fields",
    ));
    // Bombs, with small budgets so the test stays fast.
    let bomb = with_extra(
        &entries,
        vec![Raw::file("evidence/zeros", &vec![0u8; 32 << 20])],
    );
    cases.push(Case {
        name: "gzip-bomb",
        what: "32 MiB of zeros (a few KiB compressed), verified with a 16 MiB decompression budget",
        bytes: bomb,
        limits: Limits {
            max_total_size: 16 << 20,
            ..d
        },
        failing_check: SAFE,
        detail: "decompressed data exceeds the limit",
    });
    let many: Vec<Raw> = (0..200)
        .map(|i| Raw::file(&format!("evidence/many/{i:04}"), b""))
        .collect();
    cases.push(Case {
        name: "entry-bomb",
        what: "200 extra empty files, verified with a 50-entry budget",
        bytes: with_extra(&entries, many),
        limits: Limits {
            max_entries: 50,
            ..d
        },
        failing_check: SAFE,
        detail: "more than 50 entries",
    });

    cases.push(Case {
        name: "dir-bomb",
        what: "200 extra empty files with 1 023-byte paths ~500 directories deep, each directory distinct, verified with a 64 KiB directory-bookkeeping budget",
        bytes: with_extra(&entries, deep_path_entries(200, 1023)),
        limits: Limits {
            max_dir_bookkeeping: 64 << 10,
            ..d
        },
        failing_check: SAFE,
        detail: "more than 65536 bytes of bookkeeping",
    });

    // Content tampering after a safe read.
    let content = |name, what, bytes, check, detail| Case {
        name,
        what,
        bytes,
        limits: d,
        failing_check: check,
        detail,
    };
    let slo = entries
        .iter()
        .position(|(p, _)| p.ends_with(".slo.json"))
        .unwrap();
    let mut tampered = entries.clone();
    tampered[slo].1 = String::from_utf8(tampered[slo].1.clone())
        .unwrap()
        .replace("true", "fals")
        .into_bytes();
    cases.push(content(
        "tampered-evidence",
        "the SLO evidence's breach flag edited (same size)",
        repack(&tampered),
        "audit-pack.files.sha256",
        "slo.json: listed",
    ));
    let mut grown = entries.clone();
    grown[slo].1.extend_from_slice(b" ");
    cases.push(content(
        "grown-evidence",
        "a space appended to the SLO evidence",
        repack(&grown),
        "audit-pack.files.sha256",
        "slo.json: listed",
    ));
    cases.push(content(
        "unlisted",
        "an extra file the index does not list",
        with_extra(
            &entries,
            vec![Raw::file("evidence/zz-unlisted.txt", b"not in the index\n")],
        ),
        "audit-pack.files.unlisted",
        "evidence/zz-unlisted.txt",
    ));
    let mut missing = entries.clone();
    missing.remove(slo);
    cases.push(content(
        "missing",
        "a listed file removed",
        repack(&missing),
        "audit-pack.files.present",
        "slo.json",
    ));
    let mut forged = entries.clone();
    forged[1].1 = SigningKey::from_seed("acme-audit-pack", [0x66; 32])
        .unwrap()
        .sign_index(std::str::from_utf8(&entries[0].1).unwrap())
        .unwrap()
        .into_bytes();
    cases.push(content(
        "forged-signature",
        "index.json.sig made with another key of the same name",
        repack(&forged),
        "audit-pack.index.signature",
        "does not verify",
    ));
    let mut smuggled = entries.clone();
    smuggled[1].1 = [b"x\n\n".as_slice(), &entries[1].1].concat();
    cases.push(content(
        "signature-blank-line",
        "a blank line smuggled into index.json.sig",
        repack(&smuggled),
        "audit-pack.index.signature",
        "does not verify",
    ));
    cases.push(content(
        "wrong-root",
        "merkleRoot replaced, index re-signed",
        edited_index(&entries, |i| i.merkle_root = "00".repeat(32)),
        "audit-pack.index.merkle-root",
        "computed",
    ));
    cases.push(content(
        "reordered-artifacts",
        "two artifacts swapped in the index, re-signed",
        edited_index(&entries, |i| i.artifacts.swap(1, 2)),
        "audit-pack.index.canonical",
        "not sorted",
    ));
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_slice::<serde_json::Value>(&entries[0].1).unwrap(),
    )
    .unwrap()
        + "\n";
    cases.push(content(
        "non-canonical-index",
        "index.json pretty-printed, re-signed",
        resigned(&entries, pretty),
        "audit-pack.index.canonical",
        "not RFC 8785 canonical",
    ));
    cases.push(content(
        "section-removed",
        "a section dropped from the index's sections, re-signed",
        edited_index(&entries, |i| {
            i.sections.retain(|s| s.name != "evidence");
        }),
        "audit-pack.index.sections",
        "lies under no declared section",
    ));
    cases.push(content(
        "section-phantom",
        "a section the pack does not hold added to the index, re-signed",
        edited_index(&entries, |i| {
            i.sections.push(audit_pack::Section {
                name: "budget-dashboards".into(),
                path: "ops/cost-explorer/".into(),
            });
        }),
        "audit-pack.index.sections",
        "budget-dashboards (ops/cost-explorer/) does not exist in the pack",
    ));
    cases.push(content(
        "control-sha-mismatch",
        "a control line's evidence_sha256 changed (index and control-map.csv), re-signed",
        edited_controls(&entries, |i| {
            i.controls[0].evidence_sha256 = "11".repeat(32)
        }),
        "audit-pack.controls.evidence",
        "evidence_sha256 1111",
    ));
    cases.push(content(
        "control-missing-evidence",
        "a control line pointing at a file the pack lacks (index and control-map.csv), re-signed",
        edited_controls(&entries, |i| {
            i.controls[0].evidence_path = "nowhere.pdf".into()
        }),
        "audit-pack.controls.evidence",
        "evidence nowhere.pdf is not listed",
    ));
    cases.push(content(
        "control-kind-mismatch",
        "a control line's evidence_kind changed (index and control-map.csv), re-signed",
        edited_controls(&entries, |i| {
            i.controls[0].evidence_kind = "slo-breach".into()
        }),
        "audit-pack.controls.evidence",
        "evidence_kind slo-breach differs",
    ));
    cases.push(content(
        "control-csv-differs",
        "the index's controls changed but not control-map.csv, re-signed",
        edited_index(&entries, |i| {
            i.controls[0].state = "effective-really".into()
        }),
        "audit-pack.controls.evidence",
        "differs from the controls in index.json",
    ));
    // A manifest pair recorded as not verified, its control lines saying so too (as a build
    // with --allow-unverified-manifests writes them), so only the pair check can object.
    fn unverified_pair(i: &mut Index) {
        i.manifest_signatures[0].verified = false;
        i.manifest_signatures[0].signers.clear();
        let manifest = i.manifest_signatures[0].manifest.clone();
        let name = i
            .artifacts
            .iter()
            .find(|a| a.path == manifest)
            .map(|a| a.name.clone())
            .unwrap();
        for c in i.controls.iter_mut().filter(|c| c.evidence_path == name) {
            c.signature_verified = "false".into();
            c.signer_identity.clear();
        }
    }
    cases.push(content(
        "manifest-verdict-flipped",
        "a verified manifest recorded as not verified in a pack recording --allow-unverified-manifests, re-signed",
        edited_controls(&entries, |i| {
            unverified_pair(i);
            i.insecure_modes = vec![audit_pack::BuildInsecure::AllowUnverifiedManifests];
        }),
        "audit-pack.manifests.signatures",
        "re-verification gives verified=true",
    ));
    cases.push(content(
        "manifest-unverified-without-mode",
        "a manifest recorded as not verified in a pack that does not record --allow-unverified-manifests, re-signed",
        edited_controls(&entries, unverified_pair),
        "audit-pack.manifests.signatures",
        "was not built with --allow-unverified-manifests",
    ));
    cases.push(content(
        "control-signature-status-differs",
        "a manifest pair recorded as not verified while its control lines (which the reports read) still say verified, re-signed",
        edited_index(&entries, |i| {
            i.manifest_signatures[0].verified = false;
            i.manifest_signatures[0].signers.clear();
            i.insecure_modes = vec![audit_pack::BuildInsecure::AllowUnverifiedManifests];
        }),
        "audit-pack.controls.evidence",
        "signature_verified \"true\" differs from the index's record \"false\"",
    ));
    cases.push(content(
        "manifest-self-vouched",
        "the manifest signed by a self-made key named acme-release, listed in trustedKeys, index re-signed by the pack key",
        self_vouched_manifest(&entries),
        "audit-pack.manifests.signatures",
        "re-verification gives verified=false",
    ));
    let (p, dr) = replaced(
        &entries,
        ".dr-approval.json",
        "bob@acme.example",
        "alice@acme.example",
    );
    cases.push(content(
        "dr-same-approver",
        "a DR approval whose two approvers are one person, everything re-signed",
        edited_file(&entries, &p, dr),
        "audit-pack.evidence.schemas",
        "field /approver_2",
    ));
    let (p, dr) = replaced(
        &entries,
        ".dr-approval.json",
        "\"artifact_hash\": \"sha256:",
        "\"artifact_hash\": \"sha256:0",
    );
    // A 0 was put in front of the digest; drop its last digit to keep 64 hex digits.
    let dr = {
        let mut t = String::from_utf8(dr).unwrap();
        let end = t.find("\"\n}").unwrap();
        t.remove(end - 1);
        t.into_bytes()
    };
    cases.push(content(
        "dr-wrong-hash",
        "a DR approval whose artifact_hash is not the artifact's, everything re-signed",
        edited_file(&entries, &p, dr),
        "audit-pack.evidence.schemas",
        "field /artifact_hash",
    ));
    let (p, slo) = replaced(
        &entries,
        ".slo.json",
        "\"breach\": true",
        "\"breach\": false",
    );
    cases.push(content(
        "slo-schema",
        "SLO evidence whose breach is false (neither an SLO name nor true), everything re-signed",
        edited_file(&entries, &p, slo),
        "audit-pack.evidence.schemas",
        "field /breach",
    ));
    cases
}

/// The deep-path bomb: `count` empty files whose paths are `len` bytes long (at most 1024)
/// and about `len / 2` directories deep, every directory distinct from the other files'
/// (the first component below `evidence/` is the file's number). Each path is written as a
/// GNU long name. Without a budget on directory bookkeeping, a reader that remembers every
/// ancestor of every path holds `count × len² / 4` bytes: 2.6 GB for 10 000 paths of 1 KiB.
pub fn deep_path_entries(count: usize, len: usize) -> Vec<Raw> {
    let mut raws = Vec::with_capacity(2 * count);
    for i in 0..count {
        let mut path = format!("evidence/{i:05}/");
        while path.len() + 2 < len {
            path.push_str("d/");
        }
        while path.len() < len {
            path.push('f');
        }
        assert_eq!(path.len(), len);
        raws.push(Raw {
            flag: b'L',
            ..Raw::file("././@LongLink", &[path.as_bytes(), b"\0"].concat())
        });
        raws.push(Raw::file(&path[..99], b""));
    }
    raws
}

/// The valid sample pack with [`deep_path_entries`] appended: the index signature still
/// verifies (it covers only `index.json`), so only the budgets stop the reader.
pub fn deep_path_pack(valid: &[u8], count: usize, len: usize) -> Vec<u8> {
    with_extra(&entries_of(valid), deep_path_entries(count, len))
}
