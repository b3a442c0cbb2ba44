//! The Audit Pack Index v1.0 layout: evidence as the pipelines write it, kinds by mapping,
//! place, name and content, sections, budget periods, narratives, the schemas in
//! docs/schemas, and version 1 packs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "hostile/mod.rs"]
mod hostile;

use audit_pack::{
    build_pack, parse_public_key, verify_trusted, BuildError, BuildInput, Index, IndexSigner,
    KindsFile, Limits, OrgSlug, PackDate, SigningKey, Trust, PLUGIN,
};
use plugin_api::{CheckStatus, Report};
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn pipelines() -> PathBuf {
    repo().join("fixtures/evidence/pipelines")
}

fn pack_key() -> SigningKey {
    SigningKey::parse(
        &fs::read_to_string(repo().join("fixtures/evidence/keys/acme-audit-pack.key")).unwrap(),
    )
    .unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

fn kinds() -> KindsFile {
    KindsFile::parse(
        "kinds.txt",
        &fs::read(pipelines().join("kinds.txt")).unwrap(),
    )
    .unwrap()
}

/// Builds the pipelines' evidence folder `ev` (its control map inside it) with `kinds`.
fn build(ev: &Path, map: &Path, kinds: Option<&KindsFile>) -> Result<Vec<u8>, BuildError> {
    let key = pack_key();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: ev,
        control_map: map,
        kinds,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
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

/// A scratch copy of the pipelines' evidence folder: (temp dir, evidence dir, control map).
fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("evidence");
    copy_tree(&pipelines().join("evidence"), &ev);
    let map = ev.join("compliance/control-map.csv");
    (dir, ev, map)
}

fn verify(pack: &[u8]) -> Report {
    let index = [pack_key().verifier_key()];
    verify_trusted(
        Report::builder(PLUGIN),
        pack,
        &Trust::keys(&index),
        &Limits::DEFAULT,
        None,
    )
    .report
}

fn index_of(pack: &[u8]) -> Index {
    let entries = hostile::entries_of(pack);
    Index::parse(&entries[0].1, usize::MAX).unwrap()
}

fn evidence_error(result: Result<Vec<u8>, BuildError>) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(_) => panic!("the build succeeded"),
    }
}

#[test]
fn pipeline_evidence_builds_as_written_with_its_kinds_and_sections() {
    let (_d, ev, map) = scratch();
    let pack = build(&ev, &map, Some(&kinds())).unwrap();
    // The committed pack is this build, byte for byte.
    assert!(
        pack == fs::read(pipelines().join("audit-pack-acme-2026-11-23.tgz")).unwrap(),
        "the committed pipelines pack differs from this build: bash fixtures/evidence/make-evidence.sh"
    );
    let report = verify(&pack);
    assert!(report.ok(), "{}", report.to_json());
    let index = index_of(&pack);
    assert_eq!(index.version, 2);
    let kind = |name: &str| {
        index
            .artifacts
            .iter()
            .find(|a| a.name == name)
            .map(|a| (a.kind.as_str(), a.path.as_str()))
            .unwrap_or_else(|| panic!("{name} not listed"))
    };
    for (name, expected_kind, path) in [
        (
            "audit/incidents/sync-slo-breach-2026-11-01T10:00:00Z.json",
            "slo-breach",
            "audit/incidents/sync-slo-breach-2026-11-01T10:00:00Z.json",
        ),
        (
            "evidence-store/dr/2026-11-05T08:45:00Z-approval.json",
            "dr-approval",
            "ops/evidence/dr/evidence-store/dr/2026-11-05T08:45:00Z-approval.json",
        ),
        (
            "audit/drift/2026-11-02-sg-open-ingress/incident.json",
            "drift-incident",
            "audit/drift/2026-11-02-sg-open-ingress/incident.json",
        ),
        (
            "audit/drift/2026-11-02-sg-open-ingress/approvals/alice.sig",
            "other",
            "audit/drift/2026-11-02-sg-open-ingress/approvals/alice.sig",
        ),
        (
            "ops/cost-explorer/2026-10-cost-and-usage.json",
            "budget-dashboard",
            "ops/cost-explorer/2026-10-cost-and-usage.json",
        ),
        (
            "finance/forecast-2026-q4.csv",
            "budget-dashboard",
            "ops/cost-explorer/finance/forecast-2026-q4.csv",
        ),
        (
            "policy/opa-2026-11-10.tgz",
            "policy-bundle",
            "policy/opa-2026-11-10.tgz",
        ),
        (
            "prov/app-1.0.0.manifest.sigstore.json",
            "provenance",
            "prov/app-1.0.0.manifest.sigstore.json",
        ),
        (
            "ops/evidence/simulations/2026-10-failover.json",
            "simulation-report",
            "ops/evidence/simulations/2026-10-failover.json",
        ),
        (
            "ops/evidence/chaos/2026-10-08-zone-a-outage.json",
            "chaos-run",
            "ops/evidence/chaos/2026-10-08-zone-a-outage.json",
        ),
    ] {
        assert_eq!(kind(name), (expected_kind, path), "{name}");
    }
    // The control map inside the evidence folder is the pack's, not a second copy.
    assert_eq!(
        index
            .artifacts
            .iter()
            .filter(|a| a.name.ends_with("control-map.csv"))
            .count(),
        1
    );
    // Periods: from Cost Explorer's TimePeriod, from the CSV's first column, and from the
    // control line for the forecast, which has no dates.
    let period = |name: &str| {
        let p = index
            .artifacts
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.period.clone())
            .unwrap();
        (p.start, p.end)
    };
    assert_eq!(
        period("ops/cost-explorer/2026-10-cost-and-usage.json"),
        ("2026-10-01".into(), "2026-11-01".into())
    );
    assert_eq!(
        period("ops/cost-explorer/2026-q3-by-service.csv"),
        ("2026-07-01".into(), "2026-09-01".into())
    );
    assert_eq!(
        period("finance/forecast-2026-q4.csv"),
        ("2026-10-01".into(), "2026-12-31".into())
    );
    // index.json's sections, exactly in the Audit Pack Index v1.0 shape.
    let text = String::from_utf8(hostile::entries_of(&pack)[0].1.clone()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sections = json["sections"].as_array().unwrap();
    assert!(sections
        .iter()
        .all(|s| s.as_object().unwrap().keys().collect::<Vec<_>>() == ["name", "path"]));
    let pairs: Vec<(&str, &str)> = sections
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs[..5],
        [
            ("policy-bundle", "policy/opa-2026-11-10.tgz"),
            ("prov-packs", "prov/"),
            ("chaos-runs", "ops/evidence/chaos/"),
            ("budget-dashboards", "ops/cost-explorer/"),
            ("control-map", "compliance/control-map.csv"),
        ]
    );
    // The narrative column reaches the index.
    assert!(index.controls[0]
        .narrative
        .starts_with("Production deploys"));
}

#[test]
fn a_document_of_the_wrong_shape_in_a_section_fails_naming_file_field_and_schema() {
    for (file, from, to, field, schema) in [
        (
            "ops/evidence/chaos/2026-10-08-zone-a-outage.json",
            "\"result\": \"passed\"",
            "\"result\": \"mostly\"",
            "field /result",
            "chaos-run.schema.json",
        ),
        (
            "audit/incidents/sync-slo-breach-2026-11-01T10:00:00Z.json",
            "\"breach\":\"sync_slo\"",
            "\"breach\":\"\"",
            "field /breach",
            "slo-breach.schema.json",
        ),
        (
            "audit/drift/2026-11-02-sg-open-ingress/incident.json",
            "\"remediation_pr\": \"https://",
            "\"remediation_pr\": \"ftp://",
            "field /remediation_pr",
            "drift-incident.schema.json",
        ),
        (
            "ops/evidence/simulations/2026-10-failover.json",
            "\"2026-10-22T09:00:00Z\"",
            "\"22/10/2026\"",
            "field /started_at",
            "simulation-report.schema.json",
        ),
        (
            "ops/cost-explorer/2026-10-cost-and-usage.json",
            "\"Start\":\"2026-10-01\"",
            "\"Start\":\"October\"",
            "budget-dashboard.schema.json",
            "ResultsByTime",
        ),
        (
            "prov/app-1.0.0.manifest.sigstore.json",
            "\"mediaType\"",
            "\"mediaTipe\"",
            "field /",
            "provenance.schema.json",
        ),
    ] {
        let (_d, ev, map) = scratch();
        let path = ev.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let e = evidence_error(build(&ev, &map, Some(&kinds())));
        for part in [file, field, schema] {
            assert!(e.contains(part), "{file}: {part:?} not in {e}");
        }
    }
}

#[test]
fn content_that_disagrees_with_its_place_fails_naming_both() {
    let (_d, ev, map) = scratch();
    // The SLO breach moved into the chaos-runs section (and the control line with it).
    let from = "audit/incidents/sync-slo-breach-2026-11-01T10:00:00Z.json";
    let to = "ops/evidence/chaos/sync-slo-breach.json";
    fs::rename(ev.join(from), ev.join(to)).unwrap();
    let text = fs::read_to_string(&map).unwrap().replace(from, to);
    fs::write(&map, text).unwrap();
    let e = evidence_error(build(&ev, &map, Some(&kinds())));
    for part in [
        to,
        "matches the slo-breach schema",
        "its section ops/evidence/chaos/ (chaos-runs) makes it chaos-run",
        "--kinds",
    ] {
        assert!(e.contains(part), "{part:?} not in {e}");
    }
    // An explicit mapping decides (and the document is then checked as that kind).
    let rules = KindsFile::parse(
        "k",
        format!("finance/*.csv budget-dashboard\n{to} slo-breach\n").as_bytes(),
    )
    .unwrap();
    let pack = build(&ev, &map, Some(&rules)).unwrap();
    let index = index_of(&pack);
    let a = index.artifacts.iter().find(|a| a.name == to).unwrap();
    assert_eq!(a.kind, "slo-breach");
    assert!(verify(&pack).ok());
}

#[test]
fn explicit_kinds_are_checked() {
    // A rule that matches nothing is refused, not ignored.
    let (_d, ev, map) = scratch();
    let rules = KindsFile::parse(
        "k",
        b"finance/*.csv budget-dashboard\nfinanse/*.csv budget-dashboard\n",
    )
    .unwrap();
    let e = evidence_error(build(&ev, &map, Some(&rules)));
    assert!(e.contains("line 2: finanse/*.csv matches no file"), "{e}");
    // --kinds and the control map disagreeing about one file.
    let rules = KindsFile::parse("k", b"finance/*.csv other\n").unwrap();
    let text = fs::read_to_string(&map).unwrap().replace(
        "finance/forecast-2026-q4.csv,,,",
        "finance/forecast-2026-q4.csv,,budget-dashboard,",
    );
    fs::write(&map, text).unwrap();
    let e = evidence_error(build(&ev, &map, Some(&rules)));
    assert!(
        e.contains("k line 1 (finance/*.csv) makes it other, but the control map's evidence_kind"),
        "{e}"
    );
    // A manifest cannot be mapped to another kind.
    let (_d, ev, map) = scratch();
    fs::write(ev.join("release.manifest.json"), b"{\"a\":1}\n").unwrap();
    let rules = KindsFile::parse("k", b"finance/*.csv budget-dashboard\n*.json other\n").unwrap();
    let e = evidence_error(build(&ev, &map, Some(&rules)));
    assert!(e.contains("decided by its name"), "{e}");
    // A control map at compliance/control-map.csv that is not the one given.
    let (d, ev, _map) = scratch();
    let other = d.path().join("other-map.csv");
    let text = fs::read_to_string(ev.join("compliance/control-map.csv")).unwrap();
    fs::write(&other, text.replace("EV-201", "EV-299")).unwrap();
    let e = evidence_error(build(&ev, &other, Some(&kinds())));
    assert!(e.contains("where the pack's control map goes"), "{e}");
}

#[test]
fn budgets_and_names_hold() {
    // An evidence file named like the control map, at the root, is evidence like any other.
    let (_d, ev, map) = scratch();
    fs::write(ev.join("control-map.csv"), b"an old map\n").unwrap();
    let pack = build(&ev, &map, Some(&kinds())).unwrap();
    assert!(verify(&pack).ok());
    assert!(index_of(&pack)
        .artifacts
        .iter()
        .any(|a| a.name == "control-map.csv" && a.path == "evidence/control-map.csv"));
    // Two files for one pack path.
    let (_d, ev, map) = scratch();
    fs::create_dir_all(ev.join("evidence/access")).unwrap();
    fs::create_dir_all(ev.join("access")).unwrap();
    fs::write(ev.join("evidence/access/review.csv"), b"a\n").unwrap();
    fs::write(ev.join("access/review.csv"), b"b\n").unwrap();
    let e = evidence_error(build(&ev, &map, Some(&kinds())));
    assert!(
        e.contains("it would be packed at evidence/access/review.csv, where"),
        "{e}"
    );
    // Parsed documents beyond what a verifier holds at once: refused at build time.
    let (_d, ev, map) = scratch();
    let key = pack_key();
    let mut limits = Limits::DEFAULT;
    limits.max_retained = 4096;
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map,
        kinds: Some(&kinds()),
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits,
        log: None,
    };
    let e = build_pack(&input, &mut Vec::new()).unwrap_err().to_string();
    assert!(e.contains("Limits::max_retained"), "{e}");
}

#[test]
fn links_and_periods_are_checked() {
    // A drift incident whose patch is not in the pack.
    let (_d, ev, map) = scratch();
    fs::remove_file(ev.join("audit/drift/2026-11-02-sg-open-ingress/remediation.patch")).unwrap();
    let e = evidence_error(build(&ev, &map, Some(&kinds())));
    assert!(
        e.contains("field /patch: links audit/drift/2026-11-02-sg-open-ingress/remediation.patch"),
        "{e}"
    );
    // A link out of the evidence folder.
    let (_d, ev, map) = scratch();
    let path = ev.join("audit/drift/2026-11-02-sg-open-ingress/incident.json");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("approvals/bob.sig", "../../../../../etc/passwd");
    fs::write(&path, text).unwrap();
    let e = evidence_error(build(&ev, &map, Some(&kinds())));
    assert!(
        e.contains("/approvals/1/signature") && e.contains("leads out of the evidence folder"),
        "{e}"
    );
    // A budget dashboard with no period anywhere.
    let (_d, ev, map) = scratch();
    let text = fs::read_to_string(&map).unwrap().replace(
        "finance/forecast-2026-q4.csv,,,2026-10-03,2026-10-01,2026-12-31",
        "finance/forecast-2026-q4.csv,,,2026-10-03,,",
    );
    fs::write(&map, text).unwrap();
    let e = evidence_error(build(&ev, &map, Some(&kinds())));
    assert!(
        e.contains("finance/forecast-2026-q4.csv, field period"),
        "{e}"
    );
}

#[test]
fn a_re_signed_index_with_another_period_or_sections_does_not_verify() {
    let pack = fs::read(pipelines().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    let entries = hostile::entries_of(&pack);
    let resign = |edit: &dyn Fn(&mut Index)| {
        let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
        edit(&mut index);
        index.merkle_root = index.compute_merkle_root().unwrap().to_hex();
        let text = index.to_file_text().unwrap();
        let mut e = entries.clone();
        e[1].1 = pack_key().sign_index(&text).unwrap().into_bytes();
        e[0].1 = text.into_bytes();
        hostile::gzip(&hostile::tar(
            &e.iter()
                .map(|(p, d)| hostile::Raw::file(p, d))
                .collect::<Vec<_>>(),
        ))
    };
    let failed = |report: &Report, id: &str| {
        report
            .checks()
            .iter()
            .any(|c| c.id == id && matches!(c.status, CheckStatus::Fail))
    };
    let longer = resign(&|i: &mut Index| {
        let a = i
            .artifacts
            .iter_mut()
            .find(|a| a.name == "ops/cost-explorer/2026-q3-by-service.csv")
            .unwrap();
        a.period.as_mut().unwrap().end = "2026-12-31".into();
    });
    let report = verify(&longer);
    assert!(
        failed(&report, "audit-pack.evidence.schemas"),
        "{}",
        report.to_json()
    );
    assert!(report.to_json().contains(
        "the index records 2026-07-01..2026-12-31, the file gives 2026-07-01..2026-09-01"
    ));
    let renamed = resign(&|i: &mut Index| i.sections[1].name = "provenance".into());
    let report = verify(&renamed);
    assert!(
        failed(&report, "audit-pack.index.sections"),
        "{}",
        report.to_json()
    );
    // A version 2 index without sections is malformed.
    let bare = resign(&|i: &mut Index| i.sections.clear());
    let report = verify(&bare);
    assert!(
        failed(&report, "audit-pack.index.canonical"),
        "{}",
        report.to_json()
    );
}

#[test]
fn a_mapping_cannot_switch_the_checks_off() {
    // A DR approval in its section, mapped to `other` by --kinds.
    let (_d, ev, map) = scratch();
    fs::create_dir_all(ev.join("ops/evidence/dr")).unwrap();
    fs::write(
        ev.join("ops/evidence/dr/same.json"),
        br#"{"approver_1":"a@x","approver_2":"a@x","git_sha":"3f1c2a9e8b7d6c5f4e3d2c1b0a998877665544ee","timestamp":"2026-11-05T08:45:00Z","artifact_hash":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
    )
    .unwrap();
    let rules = KindsFile::parse(
        "k",
        b"finance/*.csv budget-dashboard
ops/evidence/** other
",
    )
    .unwrap();
    let e = evidence_error(build(&ev, &map, Some(&rules)));
    assert!(e.contains("not switch the checks off"), "{e}");
    // The same document outside any section, recognised by content, mapped to other.
    let (_d, ev, map) = scratch();
    fs::write(
        ev.join("approval.json"),
        br#"{"approver_1":"a@x","approver_2":"a@x","git_sha":"3f1c2a9e8b7d6c5f4e3d2c1b0a998877665544ee","timestamp":"2026-11-05T08:45:00Z","artifact_hash":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
    )
    .unwrap();
    let rules = KindsFile::parse(
        "k",
        b"finance/*.csv budget-dashboard
approval.json other
",
    )
    .unwrap();
    let e = evidence_error(build(&ev, &map, Some(&rules)));
    assert!(
        e.contains("its content matches the dr-approval schema"),
        "{e}"
    );
    // A key holder relabelling a section's document as other: the index is refused.
    let pack = fs::read(pipelines().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    let entries = hostile::entries_of(&pack);
    let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
    let a = index
        .artifacts
        .iter_mut()
        .find(|a| a.name.ends_with("incident.json"))
        .unwrap();
    a.kind = "other".into();
    let text = index.to_file_text().unwrap();
    let e = Index::parse(text.as_bytes(), usize::MAX)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("is listed as other, but its place or name makes it drift-incident"),
        "{e}"
    );
}

#[test]
fn budget_periods_are_not_quietly_replaced() {
    // A control line that contradicts the export's own period.
    let (_d, ev, map) = scratch();
    let text = fs::read_to_string(&map).unwrap().replace(
        "ops/cost-explorer/2026-10-cost-and-usage.json,,,2026-11-02,,",
        "ops/cost-explorer/2026-10-cost-and-usage.json,,,2026-11-02,2026-01-01,2026-12-31",
    );
    fs::write(&map, text).unwrap();
    let e = evidence_error(build(&ev, &map, Some(&kinds())));
    assert!(e.contains("covers 2026-10-01..2026-11-01, but a control line citing it gives 2026-01-01..2026-12-31"), "{e}");
    // An export over the parsed-document budget is refused, not dated by its control lines.
    let (_d, ev, map) = scratch();
    let path = ev.join("ops/cost-explorer/2026-q3-by-service.csv");
    let mut big = fs::read(&path).unwrap();
    while big.len() <= Limits::DEFAULT.max_json_size {
        big.extend_from_slice(b"\"2026-09-01\",\"1\",\"1\",\"1\",\"3\"\n");
    }
    fs::write(&path, big).unwrap();
    let e = evidence_error(build(&ev, &map, Some(&kinds())));
    assert!(
        e.contains("more than the limit of 524288 for a parsed document"),
        "{e}"
    );
}

/// Rewrites the version 1 fixture pack: `edit` changes its entries (path → bytes) and index,
/// then the artifact entries, control map, Merkle root and signature are brought in line.
fn resigned_v1(edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>, &mut Index)) -> Vec<u8> {
    use sha2::Digest;
    let dir = repo().join("fixtures/audit-pack-v1");
    let pack = fs::read(dir.join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    let mut entries = hostile::entries_of(&pack);
    let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
    edit(&mut entries, &mut index);
    for a in index.artifacts.iter_mut() {
        if let Some((_, data)) = entries.iter().find(|(p, _)| *p == a.path) {
            a.sha256 = hex::encode(sha2::Sha256::digest(data));
            a.size = data.len() as u64;
        }
    }
    index.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    for c in index.controls.iter_mut() {
        if let Some(a) = index
            .artifacts
            .iter()
            .find(|a| a.path == format!("evidence/{}", c.evidence_path))
        {
            c.evidence_sha256 = a.sha256.clone();
        }
    }
    let csv = audit_pack::controls::write(&index.controls).unwrap();
    entries
        .iter_mut()
        .find(|(p, _)| p == "control-map.csv")
        .unwrap()
        .1 = csv.clone();
    let map = index
        .artifacts
        .iter_mut()
        .find(|a| a.path == "control-map.csv")
        .unwrap();
    map.sha256 = hex::encode(sha2::Sha256::digest(&csv));
    map.size = csv.len() as u64;
    index.merkle_root = index.compute_merkle_root().unwrap().to_hex();
    let text = index.to_file_text().unwrap();
    entries[1].1 = pack_key().sign_index(&text).unwrap().into_bytes();
    entries[0].1 = text.into_bytes();
    let mut rest: Vec<(String, Vec<u8>)> = entries.split_off(2);
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    entries.extend(rest);
    hostile::gzip(&hostile::tar(
        &entries
            .iter()
            .map(|(p, d)| hostile::Raw::file(p, d))
            .collect::<Vec<_>>(),
    ))
}

fn verify_v1(pack: &[u8]) -> Report {
    let dir = repo().join("fixtures/audit-pack-v1");
    let index_key =
        parse_public_key(&fs::read_to_string(dir.join("acme-audit-pack.pub")).unwrap()).unwrap();
    let release =
        parse_public_key(&fs::read_to_string(dir.join("acme-release.pub")).unwrap()).unwrap();
    verify_trusted(
        Report::builder(PLUGIN),
        pack,
        &Trust::keys(&[index_key]).with_manifest_keys(&[release]),
        &Limits::DEFAULT,
        None,
    )
    .report
}

#[test]
fn version_1_packs_keep_their_rules() {
    // A file named like a kind that came later was `other` in version 1, and stays so.
    let pack = resigned_v1(|entries, index| {
        entries.push(("evidence/ops/sg-open.drift.json".into(), b"{}\n".to_vec()));
        index.artifacts.push(audit_pack::Artifact {
            name: "ops/sg-open.drift.json".into(),
            path: "evidence/ops/sg-open.drift.json".into(),
            sha256: String::new(),
            size: 0,
            kind: "other".into(),
            period: None,
        });
    });
    let report = verify_v1(&pack);
    assert!(report.ok(), "{}", report.to_json());
    // An SLO document valid under the version 1 schema (breach false, 64-hex git_sha).
    let pack = resigned_v1(|entries, _| {
        let slo = entries
            .iter_mut()
            .find(|(p, _)| p.ends_with(".slo.json"))
            .unwrap();
        slo.1 = format!(
            "{{\"ts\":\"2026-09-14T03:12:00Z\",\"breach\":false,\"last_sync_time\":\"2026-09-14T03:10:41Z\",\"git_sha\":\"{}\"}}\n",
            "ab".repeat(32)
        )
        .into_bytes();
    });
    let report = verify_v1(&pack);
    assert!(report.ok(), "{}", report.to_json());
}

#[test]
fn version_1_packs_still_verify() {
    let dir = repo().join("fixtures/audit-pack-v1");
    let pack = fs::read(dir.join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    let index_key =
        parse_public_key(&fs::read_to_string(dir.join("acme-audit-pack.pub")).unwrap()).unwrap();
    let release =
        parse_public_key(&fs::read_to_string(dir.join("acme-release.pub")).unwrap()).unwrap();
    let report = verify_trusted(
        Report::builder(PLUGIN),
        pack.as_slice(),
        &Trust::keys(&[index_key]).with_manifest_keys(&[release]),
        &Limits::DEFAULT,
        None,
    )
    .report;
    assert!(report.ok(), "{}", report.to_json());
    let index = index_of(&pack);
    assert_eq!(index.version, 1);
    assert!(index.sections.is_empty());
    assert!(report
        .to_json()
        .contains("version 1 pack: the legacy layout"));
}

/// Every schema in docs/schemas/ compiles and has a real-looking example in
/// fixtures/schemas/ that it accepts; each example's counterpart `*.bad.json` is refused.
#[test]
fn every_schema_has_an_example_that_validates() {
    let schemas = repo().join("docs/schemas");
    let examples = repo().join("fixtures/schemas");
    let mut count = 0;
    for entry in fs::read_dir(&schemas).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(stem) = file.strip_suffix(".schema.json") else {
            continue;
        };
        let schema: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{file}: {e}"));
        let validator = jsonschema::validator_for(&schema).unwrap();
        for (suffix, valid) in [(".example.json", true), (".bad.json", false)] {
            let example = examples.join(format!("{stem}{suffix}"));
            let doc: serde_json::Value = serde_json::from_slice(
                &fs::read(&example).unwrap_or_else(|e| panic!("{}: {e}", example.display())),
            )
            .unwrap();
            assert_eq!(validator.is_valid(&doc), valid, "{}", example.display());
        }
        count += 1;
        if stem == "audit-pack-index" {
            // Every pack the fixtures hold, both versions, has an index of this shape.
            for pack in [
                "fixtures/evidence/audit-pack-acme-2026-11-23.tgz",
                "fixtures/evidence/pipelines/audit-pack-acme-2026-11-23.tgz",
                "fixtures/audit-pack-v1/audit-pack-acme-2026-11-23.tgz",
            ] {
                let entries = hostile::entries_of(&fs::read(repo().join(pack)).unwrap());
                let doc: serde_json::Value = serde_json::from_slice(&entries[0].1).unwrap();
                assert!(validator.is_valid(&doc), "{pack}");
            }
            continue;
        }
        // The library checks with the same file.
        let kind = audit_pack::Kind::ALL
            .iter()
            .find(|k| audit_pack::schema_file(**k) == Some(file.as_str()));
        assert!(kind.is_some(), "{file} is not the schema of any kind");
        assert_eq!(audit_pack::schema_for(*kind.unwrap()), Some(schema));
    }
    assert_eq!(count, 10);
}
