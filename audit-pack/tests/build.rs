//! Building packs: byte-for-byte reproducibility, and build errors that name file and field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use audit_pack::{
    build_pack, build_pack_to_dir, parse_public_key, verify_trusted, BuildError, BuildInput,
    BuildInsecure, IndexSigner, Limits, OrgSlug, PackDate, SigningKey, Trust, PLUGIN,
};
use plugin_api::Report;
use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/evidence")
}

fn pack_key() -> SigningKey {
    SigningKey::parse(&fs::read_to_string(fixtures().join("keys/acme-audit-pack.key")).unwrap())
        .unwrap()
}

fn release_key() -> merkle::note::VerifierKey {
    parse_public_key(&fs::read_to_string(fixtures().join("keys/acme-release.pub")).unwrap())
        .unwrap()
}

/// Verifies with the pack key and, for the manifest, the release key (as an auditor would).
fn verify_pack(pack: &[u8]) -> Report {
    let index = [pack_key().verifier_key()];
    let manifest = [release_key()];
    verify_trusted(
        Report::builder(PLUGIN),
        pack,
        &Trust::keys(&index).with_manifest_keys(&manifest),
        &Limits::DEFAULT,
        None,
    )
    .report
}

/// Copies `from` to `to`, visiting entries in reverse name order (so directory creation order
/// and inode order differ from the source).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries.reverse();
    for path in entries {
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// A scratch copy of the sample organisation: (temp dir, evidence dir, control map).
fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence");
    copy_tree(&fixtures().join("acme"), &evidence);
    let map = dir.path().join("control-map.csv");
    fs::copy(fixtures().join("control-map.csv"), &map).unwrap();
    (dir, evidence, map)
}

fn build(
    evidence: &Path,
    map: &Path,
    keys: &[merkle::note::VerifierKey],
) -> Result<Vec<u8>, BuildError> {
    let key = pack_key();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: evidence,
        control_map: map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: keys,
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let mut out = Vec::new();
    build_pack(&input, &mut out)?;
    Ok(out)
}

#[test]
fn same_inputs_and_date_give_identical_bytes_in_different_directories() {
    let (a_dir, a_ev, a_map) = scratch();
    let (b_dir, b_ev, b_map) = scratch();
    // Different file mtimes and permissions must not matter either.
    for (path, mode) in [
        (a_ev.join("dr/restore-drill-2026-10.log"), 0o600),
        (b_ev.join("dr/restore-drill-2026-10.log"), 0o755),
    ] {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
        #[cfg(not(unix))]
        let _ = (path, mode);
    }
    let key = pack_key();
    let keys = [release_key()];
    let mut built = Vec::new();
    for (dir, ev, map) in [(&a_dir, &a_ev, &a_map), (&b_dir, &b_ev, &b_map)] {
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        let input = BuildInput {
            org: OrgSlug::parse("acme").unwrap(),
            date: PackDate::parse("2026-11-23").unwrap(),
            evidence_dir: ev,
            control_map: map,
            kinds: None,
            key: IndexSigner::Ed25519(&key),
            manifest_keys: &keys,
            manifest_roots: &[],
            manifest_sigstore: None,
            insecure: &[],
            strict_dates: false,
            limits: Limits::DEFAULT,
            log: None,
        };
        let (path, summary) = build_pack_to_dir(&input, &out).unwrap();
        built.push((out, path, summary));
    }
    let (out_a, pa, sa) = &built[0];
    let (_, pb, _) = &built[1];
    assert_eq!(pa.file_name().unwrap(), "audit-pack-acme-2026-11-23.tgz");
    // Only the sample's two fourth-quarter periods, which end after the pack date.
    assert!(
        sa.warnings.len() == 2
            && sa
                .warnings
                .iter()
                .all(|w| w.contains("2026-12-31 is after the pack date 2026-11-23")),
        "{:?}",
        sa.warnings
    );
    let a = fs::read(pa).unwrap();
    let b = fs::read(pb).unwrap();
    assert_eq!(a, b, "two builds differ");
    // And identical to the checked-in pack: this also pins the compression backend and level.
    let golden = fs::read(fixtures().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    assert_eq!(
        a, golden,
        "build differs from fixtures/evidence/audit-pack-acme-2026-11-23.tgz"
    );
    // No partial file is left behind.
    assert_eq!(fs::read_dir(out_a).unwrap().count(), 1);
}

#[test]
fn gzip_header_is_fixed() {
    let golden = fs::read(fixtures().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    // ID1 ID2 CM=8 FLG=0 (no name) MTIME=0 XFL=0 OS=255.
    assert_eq!(&golden[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
}

#[test]
fn a_different_date_changes_the_pack() {
    let (_d, ev, map) = scratch();
    let key = pack_key();
    let keys = [release_key()];
    let mut outs = Vec::new();
    for date in ["2026-11-23", "2026-11-24"] {
        let input = BuildInput {
            org: OrgSlug::parse("acme").unwrap(),
            date: PackDate::parse(date).unwrap(),
            evidence_dir: &ev,
            control_map: &map,
            kinds: None,
            key: IndexSigner::Ed25519(&key),
            manifest_keys: &keys,
            manifest_roots: &[],
            manifest_sigstore: None,
            insecure: &[],
            strict_dates: false,
            limits: Limits::DEFAULT,
            log: None,
        };
        let mut out = Vec::new();
        let summary = build_pack(&input, &mut out).unwrap();
        assert_eq!(summary.index.generated_at, format!("{date}T00:00:00Z"));
        outs.push(out);
    }
    assert_ne!(outs[0], outs[1]);
}

fn expect_evidence_error(result: Result<Vec<u8>, BuildError>, file: &str, field: &str) -> String {
    match result {
        Err(BuildError::Evidence {
            file: f,
            field: g,
            reason,
        }) => {
            assert_eq!((f.as_str(), g.as_str()), (file, field), "{reason}");
            reason
        }
        other => panic!("expected an evidence error for {file} {field}, got {other:?}"),
    }
}

#[test]
fn schema_errors_name_file_and_field() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "slo/2026-q3-payments-api.slo.json",
            "\"breach\": true",
            "\"breach\": false",
        ),
        (
            "slo/2026-q3-payments-api.slo.json",
            "\"ts\": \"2026-09-14T03:12:00Z\"",
            "\"ts\": \"last tuesday\"",
        ),
        (
            "chaos/az-outage-2026-10.chaos.json",
            "\"result\": \"passed\"",
            "\"result\": \"mostly\"",
        ),
        (
            "dr/restore-drill-2026-10.dr-approval.json",
            "\"git_sha\"",
            "\"git_shaa\"",
        ),
        ("slo/2026-q3-payments-api.slo.json", "{", "["),
    ];
    let fields = ["/breach", "/ts", "/result", "/", "/"];
    for ((file, from, to), field) in cases.into_iter().zip(fields) {
        let (_d, ev, map) = scratch();
        let path = ev.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from));
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let reason = expect_evidence_error(build(&ev, &map, &[release_key()]), file, field);
        assert!(!reason.is_empty());
    }
}

#[test]
fn dr_approval_needs_two_people_and_the_right_hash() {
    let file = "dr/restore-drill-2026-10.dr-approval.json";
    for (from, to, field) in [
        ("bob@acme.example", " Alice@ACME.example", "/approver_2"),
        (
            "\"artifact_hash\": \"sha256:",
            "\"artifact_hash\": \"sha256:0",
            "/artifact_hash",
        ),
        (
            "\"artifact\": \"dr/restore-drill-2026-10.log\"",
            "\"artifact\": \"dr/missing.log\"",
            "/artifact",
        ),
    ] {
        let (_d, ev, map) = scratch();
        let path = ev.join(file);
        let mut text = fs::read_to_string(&path).unwrap().replacen(from, to, 1);
        if field == "/artifact_hash" {
            // Keep 64 hex digits: drop the last one.
            let end = text.find("\"\n}").unwrap();
            text.remove(end - 1);
        }
        fs::write(&path, text).unwrap();
        expect_evidence_error(build(&ev, &map, &[release_key()]), file, field);
    }
    // Editing the approved artifact also breaks the approval.
    let (_d, ev, map) = scratch();
    fs::write(ev.join("dr/restore-drill-2026-10.log"), "edited\n").unwrap();
    expect_evidence_error(build(&ev, &map, &[release_key()]), file, "/artifact_hash");
}

#[test]
fn control_line_with_missing_evidence_fails_the_build() {
    let (_d, ev, map) = scratch();
    fs::remove_file(ev.join("chaos/az-outage-2026-10.chaos.json")).unwrap();
    match build(&ev, &map, &[release_key()]) {
        Err(BuildError::Control {
            line,
            control_id,
            field,
            ..
        }) => {
            assert_eq!(
                (line, control_id.as_str(), field.as_str()),
                (9, "12.10.2", "evidence_path")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn control_line_with_a_stale_sha256_fails_the_build() {
    let (_d, ev, map) = scratch();
    let text = fs::read_to_string(&map).unwrap().replacen(
        "access/access-review-2026-q3.csv,,",
        &format!("access/access-review-2026-q3.csv,{},", "ab".repeat(32)),
        1,
    );
    fs::write(&map, text).unwrap();
    let err = build(&ev, &map, &[release_key()]).unwrap_err();
    assert!(
        matches!(&err, BuildError::Control { field, line: 2, .. } if field == "evidence_sha256"),
        "{err}"
    );
}

#[test]
fn bad_control_map_header_is_refused() {
    let (_d, ev, map) = scratch();
    let text = fs::read_to_string(&map)
        .unwrap()
        .replacen("framework,", "framewerk,", 1);
    fs::write(&map, text).unwrap();
    let err = build(&ev, &map, &[release_key()]).unwrap_err();
    assert!(err.to_string().contains("header must be exactly"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_in_the_evidence_folder_are_refused() {
    let (_d, ev, map) = scratch();
    std::os::unix::fs::symlink("/etc/passwd", ev.join("passwd")).unwrap();
    let err = build(&ev, &map, &[release_key()]).unwrap_err();
    assert!(
        matches!(&err, BuildError::EvidenceFolder { reason, .. } if reason.contains("symbolic link")),
        "{err}"
    );
}

#[test]
fn manifest_pairs_must_be_complete() {
    let (_d, ev, map) = scratch();
    fs::remove_file(ev.join("releases/payments-api-1.4.0.manifest.json.sig")).unwrap();
    expect_evidence_error(
        build(&ev, &map, &[release_key()]),
        "releases/payments-api-1.4.0.manifest.json",
        "signature",
    );
    let (_d, ev, map) = scratch();
    fs::copy(
        ev.join("releases/payments-api-1.4.0.manifest.json.sig"),
        ev.join("releases/orphan.manifest.json.sig"),
    )
    .unwrap();
    expect_evidence_error(
        build(&ev, &map, &[release_key()]),
        "releases/orphan.manifest.json.sig",
        "manifest",
    );
}

#[test]
fn policy_bundle_without_rego_is_refused() {
    let (_d, ev, map) = scratch();
    fs::write(ev.join("policies/empty.bundle.tar.gz"), b"not a tarball").unwrap();
    expect_evidence_error(
        build(&ev, &map, &[release_key()]),
        "policies/empty.bundle.tar.gz",
        "tar",
    );
}

/// Issue #9: a manifest whose signature cannot be verified (here: no --manifest-key, the
/// README's old example) fails the build, naming the manifest and the flag; it is a
/// verification failure (exit 1), not an input error.
#[test]
fn an_unverified_manifest_fails_the_build_by_default() {
    let (_d, ev, map) = scratch();
    let err = build(&ev, &map, &[]).unwrap_err();
    match &err {
        BuildError::ManifestNotVerified { file, flag, reason } => {
            assert_eq!(file, "releases/payments-api-1.4.0.manifest.json");
            assert_eq!(*flag, "--manifest-key");
            assert_eq!(reason, "no --manifest-key was given");
        }
        other => panic!("expected ManifestNotVerified, got {other:?}"),
    }
    assert_eq!(err.exit_code(), 1);
    let text = err.to_string();
    assert!(
        text.contains("releases/payments-api-1.4.0.manifest.json")
            && text.contains("--manifest-key")
            && text.contains("--allow-unverified-manifests"),
        "{text}"
    );
    // A key that did not sign it: the same.
    let other = SigningKey::from_seed("acme-release", [7; 32])
        .unwrap()
        .verifier_key();
    assert!(matches!(
        build(&ev, &map, &[other]),
        Err(BuildError::ManifestNotVerified { .. })
    ));
}

/// With --allow-unverified-manifests the pair is recorded as not verified, the mode is
/// recorded in the index, the build warns (INSECURE first), and the pack verifies only with
/// the mode shown.
#[test]
fn allow_unverified_manifests_is_recorded_and_shown() {
    let (_d, ev, map) = scratch();
    let key = pack_key();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[BuildInsecure::AllowUnverifiedManifests],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let mut out = Vec::new();
    let summary = build_pack(&input, &mut out).unwrap();
    // Two INSECURE warnings, and the two control lines whose period ends after the pack date.
    let (insecure, other): (Vec<&String>, Vec<&String>) = summary
        .warnings
        .iter()
        .partition(|w| w.starts_with("INSECURE: "));
    assert_eq!(insecure.len(), 2, "{:?}", summary.warnings);
    assert_eq!(other.len(), 2, "{:?}", summary.warnings);
    assert!(other
        .iter()
        .all(|w| w.contains("period_end: 2026-12-31 is after the pack date")));
    assert_eq!(
        summary.index.insecure_modes,
        [BuildInsecure::AllowUnverifiedManifests]
    );
    assert!(!summary.index.manifest_signatures[0].verified);
    let text = summary.index.to_file_text().unwrap();
    assert!(text.contains(r#""insecureModes":["allow-unverified-manifests"]"#));
    let line = summary
        .index
        .controls
        .iter()
        .find(|c| c.evidence_kind == "manifest")
        .unwrap();
    assert_eq!(line.signature_verified, "false");
    // Verified without a manifest key: ok, and the insecure mode is in the subject.
    let index = [key.verifier_key()];
    let report = verify_trusted(
        Report::builder(PLUGIN),
        out.as_slice(),
        &Trust::keys(&index),
        &Limits::DEFAULT,
        None,
    )
    .report;
    assert!(report.ok(), "{}", report.to_json());
    assert!(report
        .subject()
        .unwrap()
        .contains("INSECURE: built with --allow-unverified-manifests"));
    assert!(report
        .warnings()
        .iter()
        .any(|w| w.contains("is recorded as NOT verified")));
    // Without the mode, no build records an unverified pair and a normal pack has no
    // insecureModes member at all (the sample pack's bytes are unchanged).
    let normal = build(&ev, &map, &[release_key()]).unwrap();
    let normal_summary_index = audit_pack::Index::parse(
        &hostile_entries(&normal)[0].1,
        Limits::DEFAULT.max_index_size,
    )
    .unwrap();
    assert!(normal_summary_index.insecure_modes.is_empty());
}

fn hostile_entries(pack: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut reader = audit_pack::PackReader::new(pack, Limits::DEFAULT);
    let mut out = Vec::new();
    while let Some(e) = reader.next_entry(&|_, _| true).unwrap() {
        out.push((e.path, e.data.unwrap()));
    }
    out
}

/// The build applies the reader's directory-bookkeeping budget, so it never writes a pack
/// that a reader would refuse.
#[test]
fn evidence_over_the_directory_budget_is_refused_at_build_time() {
    let (_d, ev, map) = scratch();
    for i in 0..4 {
        let deep = ev.join(format!("deep{i}")).join("d/".repeat(40)).join("f");
        fs::create_dir_all(deep.parent().unwrap()).unwrap();
        fs::write(&deep, b"x").unwrap();
    }
    let key = pack_key();
    let keys = [release_key()];
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &keys,
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits {
            max_dir_bookkeeping: 8 << 10,
            ..Limits::DEFAULT
        },
        log: None,
    };
    let err = build_pack(&input, Vec::new()).unwrap_err();
    assert!(
        matches!(&err, BuildError::EvidenceFolder { reason, .. } if reason.contains("bytes of bookkeeping")),
        "{err}"
    );
    // With the default budget the same folder builds and verifies.
    let ok = BuildInput {
        strict_dates: false,
        limits: Limits::DEFAULT,
        ..input
    };
    let mut out = Vec::new();
    build_pack(&ok, &mut out).unwrap();
    assert!(verify_pack(&out).ok());
}

#[test]
fn a_built_pack_verifies() {
    let (_d, ev, map) = scratch();
    let out = build(&ev, &map, &[release_key()]).unwrap();
    let report = verify_pack(&out);
    assert!(report.ok(), "{}", report.to_json());
}

#[test]
fn evidence_over_the_entry_budget_is_refused_at_build_time() {
    let (_d, ev, map) = scratch();
    let key = pack_key();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits {
            max_entries: 5,
            ..Limits::DEFAULT
        },
        log: None,
    };
    let err = build_pack(&input, Vec::new()).unwrap_err();
    assert!(
        matches!(&err, BuildError::EvidenceFolder { reason, .. } if reason.contains("more than")),
        "{err}"
    );
}

#[test]
fn long_paths_use_gnu_long_names_and_verify() {
    let (_d, ev, map) = scratch();
    let deep = ev.join(format!(
        "{}/{}",
        "a-rather-long-directory-name".repeat(3),
        "x".repeat(90)
    ));
    fs::create_dir_all(deep.parent().unwrap()).unwrap();
    fs::write(&deep, b"deep evidence\n").unwrap();
    let out = build(&ev, &map, &[release_key()]).unwrap();
    let report = verify_pack(&out);
    assert!(report.ok(), "{}", report.to_json());
    assert_eq!(report.outputs()["artifacts"], 10);
}

/// A pack of several deflate chunks (evidence well over `CHUNK_SIZE`, compressible and not):
/// the bytes do not depend on the number of threads, gzip reads it as one member, and our
/// strict reader accepts the sync-flushed blocks.
#[test]
fn multi_chunk_pack_is_identical_for_one_and_two_threads_and_verifies() {
    use std::io::Read;
    let (_d, ev, map) = scratch();
    let mut x: u64 = 2026;
    let mut noise = vec![0u8; 2 * audit_pack::GZIP_CHUNK_SIZE + 12_345];
    for b in noise.iter_mut() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *b = (x >> 56) as u8;
    }
    fs::write(ev.join("big-noise.bin"), &noise).unwrap();
    let text: String = (0..60_000)
        .map(|i| {
            format!(
                "2026-11-23T00:00:{:02}Z payments-api request {i} ok\n",
                i % 60
            )
        })
        .collect();
    fs::write(ev.join("big-log.txt"), text).unwrap();
    let with_threads = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| build(&ev, &map, &[release_key()]).unwrap())
    };
    let one = with_threads(1);
    let two = with_threads(2);
    assert!(one.len() > 2 * audit_pack::GZIP_CHUNK_SIZE);
    assert!(one == two, "1-thread and 2-thread builds differ");
    let mut tar = Vec::new();
    flate2::read::MultiGzDecoder::new(one.as_slice())
        .read_to_end(&mut tar)
        .unwrap();
    let mut single = Vec::new();
    flate2::read::GzDecoder::new(one.as_slice())
        .read_to_end(&mut single)
        .unwrap();
    assert_eq!(tar, single, "more than one gzip member");
    assert!(tar.len() > 3 * audit_pack::GZIP_CHUNK_SIZE);
    // GNU gzip, when installed, reads it too (and checks CRC-32 and ISIZE).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pack.tgz");
    fs::write(&file, &one).unwrap();
    if let Ok(out) = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(&file)
        .output()
    {
        assert!(out.status.success(), "gzip -dc failed");
        assert!(out.stdout == tar, "gzip -dc gives other bytes");
    }
    let report = verify_pack(&one);
    assert!(report.ok(), "{}", report.to_json());
}

/// A folder deeper than any pack path can be is refused while walking, not listed to the end.
#[test]
fn a_folder_deeper_than_any_pack_path_is_refused() {
    let (_d, ev, map) = scratch();
    let deep = ev.join("d/".repeat(513));
    fs::create_dir_all(&deep).unwrap();
    let err = build(&ev, &map, &[release_key()]).unwrap_err();
    assert!(
        matches!(&err, BuildError::EvidenceFolder { reason, .. } if reason.contains("deeper than 512 directories")),
        "{err}"
    );
}
