//! Writes the sample organisation under `fixtures/evidence` from fixed inputs: no clock, fixed
//! keys, deterministic archives. `bash fixtures/evidence/make-evidence.sh` runs it.
//!
//! ```text
//! cargo run -p audit-pack --example make_evidence -- OUT_DIR
//! ```
//!
//! OUT_DIR receives `acme/` (the evidence folder), `control-map.csv`, `keys/` (the pack key
//! pair, TEST ONLY, and the release-signing public key) and the pack built from them,
//! `audit-pack-acme-2026-11-23.tgz`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/hostile/mod.rs"]
mod hostile;

use audit_pack::{
    build_pack_to_dir, BuildInput, BuildInsecure, IndexSigner, Limits, LogTarget, OrgSlug,
    PackDate, SignerFlags, SigningKey, SigstoreTrust,
};
use merkle::note::Signer;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::Path;

/// Seed of the pack-signing key. TEST ONLY: it is public.
pub const PACK_KEY_SEED: [u8; 32] = [0x41; 32];
/// Seed of the release-signing key that signs the sample manifest. TEST ONLY.
pub const RELEASE_KEY_SEED: [u8; 32] = [0x52; 32];
const GIT_SHA: &str = "3f1c2a9e8b7d6c5f4e3d2c1b0a998877665544ee";
/// 2026-10-01T00:00:00Z, the mtime inside the sample policy bundle.
const BUNDLE_MTIME: u64 = 1_790_812_800;

fn write(path: &Path, data: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

fn policy_bundle() -> Vec<u8> {
    opa_bundle("2026-10-01", "authz", BUNDLE_MTIME)
}

fn opa_bundle(revision: &str, root: &str, mtime: u64) -> Vec<u8> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(6));
    let mut tar = tar::Builder::new(gz);
    let manifest = format!("{{\"revision\":\"{revision}\",\"roots\":[\"{root}\"]}}\n");
    let rego_path = format!("{root}/policy.rego");
    let files: [(&str, &str); 2] = [
        (".manifest", &manifest),
        (
            &rego_path,
            "package authz\n\nimport rego.v1\n\ndefault allow := false\n\n\
             # Production deploys need two approvals from the release team.\n\
             allow if {\n\tinput.action == \"deploy\"\n\tcount(input.approvals) >= 2\n}\n",
        ),
    ];
    for (name, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(mtime);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, name, text.as_bytes()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: make_evidence OUT_DIR");
    let out = Path::new(&out);
    let ev = out.join("acme");

    write(&ev.join("policies/authz.bundle.tar.gz"), &policy_bundle());

    let release = Signer::from_seed("acme-release", RELEASE_KEY_SEED).unwrap();
    let manifest = format!(
        "{{\n  \"name\": \"payments-api\",\n  \"version\": \"1.4.0\",\n  \"git_sha\": \"{GIT_SHA}\",\n  \
         \"artifacts\": [\n    {{\"path\": \"payments-api-1.4.0.tar.gz\", \"sha256\": \"{}\"}}\n  ]\n}}\n",
        hex::encode(Sha256::digest(b"payments-api 1.4.0"))
    );
    write(
        &ev.join("releases/payments-api-1.4.0.manifest.json"),
        manifest.as_bytes(),
    );
    let sig = format!("{}\n", release.sign(&manifest).unwrap());
    write(
        &ev.join("releases/payments-api-1.4.0.manifest.json.sig"),
        sig.as_bytes(),
    );

    write(
        &ev.join("slo/2026-q3-payments-api.slo.json"),
        format!(
            "{{\n  \"ts\": \"2026-09-14T03:12:00Z\",\n  \"breach\": true,\n  \
             \"last_sync_time\": \"2026-09-14T03:10:41Z\",\n  \"git_sha\": \"{GIT_SHA}\"\n}}\n"
        )
        .as_bytes(),
    );

    let restore_log =
        "2026-10-20T09:00:00Z restore drill started: payments-db from snapshot snap-0412\n\
                       2026-10-20T09:41:10Z restore complete: 1204 tables, checksums match\n\
                       2026-10-20T09:45:00Z RTO 41m (target 60m), RPO 4m (target 15m)\n";
    write(
        &ev.join("dr/restore-drill-2026-10.log"),
        restore_log.as_bytes(),
    );
    write(
        &ev.join("dr/restore-drill-2026-10.dr-approval.json"),
        format!(
            "{{\n  \"approver_1\": \"alice@acme.example\",\n  \"approver_2\": \"bob@acme.example\",\n  \
             \"git_sha\": \"{GIT_SHA}\",\n  \"timestamp\": \"2026-10-20T10:00:00Z\",\n  \
             \"artifact\": \"dr/restore-drill-2026-10.log\",\n  \"artifact_hash\": \"sha256:{}\"\n}}\n",
            hex::encode(Sha256::digest(restore_log.as_bytes()))
        )
        .as_bytes(),
    );

    write(
        &ev.join("chaos/az-outage-2026-10.chaos.json"),
        format!(
            "{{\n  \"experiment\": \"zone-a outage, payments-api\",\n  \"started_at\": \"2026-10-08T14:00:00Z\",\n  \
             \"finished_at\": \"2026-10-08T14:30:00Z\",\n  \"result\": \"passed\",\n  \"git_sha\": \"{GIT_SHA}\"\n}}\n"
        )
        .as_bytes(),
    );

    write(
        &ev.join("access/access-review-2026-q3.csv"),
        b"user,system,decision,reviewer\nalice,payments-db,keep,carol\ndave,payments-db,revoke,carol\n",
    );

    let header = audit_pack::controls::COLUMNS.join(",");
    let rows = [
        "SOC 2,2017,CC6.1,Logical access security,EV-001,access/access-review-2026-q3.csv,,,2026-10-02,2026-07-01,2026-09-30,effective,,,carol@acme.example,Quarterly access review",
        "SOC 2,2017,CC6.6,Boundary protection,EV-002,policies/authz.bundle.tar.gz,,,2026-10-01,2026-07-01,2026-09-30,effective,,,platform@acme.example,Deploy policy (OPA)",
        "SOC 2,2017,CC7.2,System monitoring,EV-003,slo/2026-q3-payments-api.slo.json,,,2026-09-14,2026-07-01,2026-09-30,exception,,,sre@acme.example,\"SLO breach, root-caused\"",
        "SOC 2,2017,CC8.1,Change management,EV-004,releases/payments-api-1.4.0.manifest.json,,,2026-09-30,2026-07-01,2026-09-30,effective,,,release@acme.example,Signed release manifest",
        "SOC 2,2017,A1.3,Recovery plan testing,EV-005,dr/restore-drill-2026-10.dr-approval.json,,,2026-10-20,2026-10-01,2026-12-31,effective,,,sre@acme.example,Dual-approved restore drill",
        "PCI DSS,4.0,7.2.4,User accounts and access privileges reviewed,EV-001,access/access-review-2026-q3.csv,,,2026-10-02,2026-07-01,2026-09-30,effective,,,carol@acme.example,",
        "PCI DSS,4.0,6.5.1,Changes to system components are managed,EV-004,releases/payments-api-1.4.0.manifest.json,,,2026-09-30,2026-07-01,2026-09-30,effective,,,release@acme.example,",
        "PCI DSS,4.0,12.10.2,Incident response plan tested,EV-006,chaos/az-outage-2026-10.chaos.json,,,2026-10-08,2026-10-01,2026-12-31,effective,,,sre@acme.example,Chaos game day",
    ];
    let mut map = format!("{header}\n");
    for row in rows {
        map.push_str(row);
        map.push('\n');
    }
    write(&out.join("control-map.csv"), map.as_bytes());

    let key = SigningKey::from_seed("acme-audit-pack", PACK_KEY_SEED).unwrap();
    write(
        &out.join("keys/acme-audit-pack.key"),
        key.to_private_key_file().unwrap().as_bytes(),
    );
    write(
        &out.join("keys/acme-audit-pack.pub"),
        key.to_public_key_file().as_bytes(),
    );
    let release_vkey = release.to_verifier_key();
    write(
        &out.join("keys/acme-release.pub"),
        format!("{release_vkey}\n").as_bytes(),
    );

    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &out.join("control-map.csv"),
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[release_vkey],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let (path, summary) = build_pack_to_dir(&input, out).unwrap_or_else(|e| panic!("build: {e}"));
    let mut stderr = std::io::stderr();
    for w in &summary.warnings {
        writeln!(stderr, "warning: {w}").unwrap();
    }
    writeln!(
        stderr,
        "wrote {} (merkle root {})",
        path.display(),
        summary.index.merkle_root
    )
    .unwrap();

    // The same pack recorded in a transparency log (TEST-ONLY log key from a fixed seed; a
    // fresh log, so the receipt is the same each time): logged/ holds the pack, with
    // index.receipt.json, and the log's verifier key (golden/audit-pack-verify-receipt*).
    let log_signer = Signer::from_seed("example.com/acme-packs", [0x4c; 32]).unwrap();
    let log_tmp = tempfile::tempdir().unwrap();
    let log_dir = log_tmp.path().join("log");
    tlog::init_log(&log_dir, &log_signer).unwrap();
    fs::create_dir_all(out.join("logged")).unwrap();
    let logged = BuildInput {
        log: Some(LogTarget {
            dir: &log_dir,
            signer: &log_signer,
        }),
        ..input
    };
    build_pack_to_dir(&logged, &out.join("logged")).unwrap_or_else(|e| panic!("build: {e}"));
    write(
        &out.join("logged/log.pub"),
        format!("{}\n", log_signer.verifier_key()).as_bytes(),
    );

    // A separate pack with a Sigstore manifest pair: fixtures/cosign's JSON manifest and its
    // keyless bundle (golden/audit-pack-verify-sigstore*). The sample organisation itself
    // carries none, so verifying the sample pack needs no Sigstore flags.
    let cosign = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cosign");
    let sig_dir = out.join("sigstore");
    let sig_ev = sig_dir.join("evidence");
    write(
        &sig_ev.join("releases/app-1.0.0.manifest.json"),
        &fs::read(cosign.join("release.manifest.json")).unwrap(),
    );
    write(
        &sig_ev.join("releases/app-1.0.0.manifest.json.sigstore.json"),
        &fs::read(cosign.join("release.manifest.json.sigstore.json")).unwrap(),
    );
    let sig_map = sig_dir.join("control-map.csv");
    write(
        &sig_map,
        b"framework,framework_version,control_id,control_title,evidence_id,evidence_path,evidence_sha256,evidence_kind,collected_at,period_start,period_end,state,signature_verified,signer_identity,owner,notes\n\
          SOC 2,2017,CC8.1,Change management,EV-101,releases/app-1.0.0.manifest.json,,,2026-10-02,2026-07-01,2026-09-30,effective,,,release@acme.example,Release manifest signed with Sigstore (keyless)\n",
    );
    let sigstore = SigstoreTrust::from_flags(
        &fs::read(cosign.join("trusted_root.json")).unwrap(),
        &SignerFlags {
            identity: Some(
                "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0",
            ),
            issuer: Some("https://token.actions.githubusercontent.com"),
            ..SignerFlags::default()
        },
    )
    .unwrap();
    let sig_input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &sig_ev,
        control_map: &sig_map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: Some(&sigstore),
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let (_, sig_summary) =
        build_pack_to_dir(&sig_input, &sig_dir).unwrap_or_else(|e| panic!("build: {e}"));
    assert!(
        sig_summary.warnings.is_empty() && sig_summary.index.manifest_signatures[0].verified,
        "the Sigstore pair must verify: {:?}",
        sig_summary.warnings
    );

    // The sample organisation built with --allow-unverified-manifests and no manifest key:
    // its manifest is recorded as not verified and the mode is in the index
    // (golden/audit-pack-verify-insecure*).
    let insecure_dir = out.join("insecure");
    fs::create_dir_all(&insecure_dir).unwrap();
    let insecure_input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &out.join("control-map.csv"),
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
    let (_, insecure_summary) =
        build_pack_to_dir(&insecure_input, &insecure_dir).unwrap_or_else(|e| panic!("build: {e}"));
    assert!(!insecure_summary.index.manifest_signatures[0].verified);

    // Reports of the sample pack (golden files for tests/report.rs), verified as an auditor
    // would: the pack key, and the release key for the manifest.
    let pack_bytes = fs::read(&path).unwrap();
    let index_keys = [key.verifier_key()];
    let manifest_keys = [release.to_verifier_key()];
    let (verification, digest) = audit_pack::report::verify_and_digest_trusted(
        plugin_api::Report::builder(audit_pack::PLUGIN),
        pack_bytes.as_slice(),
        &audit_pack::Trust::keys(&index_keys).with_manifest_keys(&manifest_keys),
        &Limits::DEFAULT,
        None,
    )
    .unwrap();
    let verified = verification.verified().expect("the sample pack verifies");
    let digest = digest.expect("a verified pack has a digest");
    let input = audit_pack::report::ReportInput {
        pack: verified,
        verification: &verification.report,
        file_name: &summary.file_name,
        pack_sha256: &digest,
    };
    for format in [
        audit_pack::report::ReportFormat::Json,
        audit_pack::report::ReportFormat::Csv,
        audit_pack::report::ReportFormat::Pdf,
        audit_pack::report::ReportFormat::Oscal,
    ] {
        write(
            &out.join(format!("reports/acme-2026-11-23.{}", format.extension())),
            &audit_pack::report::render(&input, format).unwrap(),
        );
    }

    // An inclusion proof of one artifact (golden file for golden/audit-pack-verify-proof*).
    let proof = audit_pack::make_proof(verified, "releases/payments-api-1.4.0.manifest.json")
        .expect("the manifest is listed");
    write(
        &out.join("proofs/payments-api-1.4.0.manifest.json.proof.json"),
        proof.to_file_text().unwrap().as_bytes(),
    );

    // Hostile packs that the default budgets refuse (the bombs need small budgets: tests only).
    let valid = fs::read(&path).unwrap();
    let mut readme = String::from(
        "# Hostile packs\n\nGenerated by `audit-pack/tests/hostile/mod.rs` from the valid sample pack \
         (`bash fixtures/evidence/make-evidence.sh`). Each must be refused by \
         `audit-pack verify PACK --key ../keys/acme-audit-pack.pub` (exit 1) with this first failing check.\n\n\
         | pack | what | first failing check | detail contains |\n|---|---|---|---|\n",
    );
    for case in hostile::cases(&valid) {
        if case.limits != Limits::DEFAULT {
            continue;
        }
        write(&out.join(format!("hostile/{}.tgz", case.name)), &case.bytes);
        readme.push_str(&format!(
            "| `{}.tgz` | {} | `{}` | {} |\n",
            case.name,
            case.what,
            case.failing_check,
            case.detail.replace('|', "\\|")
        ));
    }
    write(&out.join("hostile/README.md"), readme.as_bytes());

    pipelines(&out.join("pipelines"), &key);
}

/// An evidence folder laid out exactly as the operations pipelines write it (the Audit Pack
/// Index v1.0 sections, the sync-SLO job's incident, the DR workflow's approvals under their
/// own names, a drift incident with its patch and approval signatures, Cost Explorer exports,
/// the control map with narratives at compliance/control-map.csv), a --kinds file, and the
/// pack built from them without renaming anything (golden/audit-pack-verify-pipelines*,
/// tests/build.rs).
fn pipelines(out: &Path, key: &SigningKey) {
    let ev = out.join("evidence");
    write(
        &ev.join("policy/opa-2026-11-10.tgz"),
        &opa_bundle("2026-11-10", "deploy", 1_794_268_800),
    );
    let cosign = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cosign");
    write(
        &ev.join("prov/app-1.0.0.manifest.sigstore.json"),
        &fs::read(cosign.join("release.manifest.json.sigstore.json")).unwrap(),
    );
    write(
        &ev.join("audit/incidents/sync-slo-breach-2026-11-01T10:00:00Z.json"),
        format!(
            "{{\"ts\":\"2026-11-01T10:00:00Z\",\"breach\":\"sync_slo\",\"last_sync_time\":\"2026-11-01T09:41:07Z\",\"git_sha\":\"{GIT_SHA}\"}}\n"
        )
        .as_bytes(),
    );
    write(
        &ev.join("ops/evidence/chaos/2026-10-08-zone-a-outage.json"),
        format!(
            "{{\n  \"experiment\": \"zone-a outage, payments-api\",\n  \"started_at\": \"2026-10-08T14:00:00Z\",\n  \
             \"finished_at\": \"2026-10-08T14:30:00Z\",\n  \"result\": \"passed\",\n  \"git_sha\": \"{GIT_SHA}\"\n}}\n"
        )
        .as_bytes(),
    );
    write(
        &ev.join("ops/evidence/simulations/2026-10-failover.json"),
        format!(
            "{{\n  \"simulation\": \"payments-db regional failover\",\n  \"started_at\": \"2026-10-22T09:00:00Z\",\n  \
             \"finished_at\": \"2026-10-22T10:12:00Z\",\n  \"result\": \"passed\",\n  \"git_sha\": \"{GIT_SHA}\",\n  \
             \"scenarios\": [\n    {{\"name\": \"promote replica in eu-west-2\", \"result\": \"passed\"}},\n    \
             {{\"name\": \"fail back to eu-west-1\", \"result\": \"passed\"}}\n  ]\n}}\n"
        )
        .as_bytes(),
    );
    write(
        &ev.join("ops/cost-explorer/2026-10-cost-and-usage.json"),
        br#"{"GroupDefinitions":[{"Type":"DIMENSION","Key":"SERVICE"}],"ResultsByTime":[{"TimePeriod":{"Start":"2026-10-01","End":"2026-11-01"},"Total":{},"Groups":[{"Keys":["Amazon Elastic Compute Cloud - Compute"],"Metrics":{"UnblendedCost":{"Amount":"18234.5521","Unit":"USD"}}},{"Keys":["Amazon Relational Database Service"],"Metrics":{"UnblendedCost":{"Amount":"6120.0412","Unit":"USD"}}},{"Keys":["Amazon Simple Storage Service"],"Metrics":{"UnblendedCost":{"Amount":"781.3307","Unit":"USD"}}}],"Estimated":false}],"DimensionValueAttributes":[]}
"#,
    );
    write(
        &ev.join("ops/cost-explorer/2026-q3-by-service.csv"),
        b"\"Service\",\"EC2-Instances($)\",\"RDS($)\",\"S3($)\",\"Total costs($)\"\n\
          \"Service total\",\"52011.20\",\"18220.05\",\"2301.77\",\"72533.02\"\n\
          \"2026-07-01\",\"17020.11\",\"6010.00\",\"755.20\",\"23785.31\"\n\
          \"2026-08-01\",\"17511.40\",\"6105.30\",\"770.12\",\"24386.82\"\n\
          \"2026-09-01\",\"17479.69\",\"6104.75\",\"776.45\",\"24360.89\"\n",
    );
    // The guardrail-drift incident, its patch and the two approvers' signatures over it.
    let drift = ev.join("audit/drift/2026-11-02-sg-open-ingress");
    let patch = "--- a/network/payments-prod.tf\n+++ b/network/payments-prod.tf\n@@ -12,7 +12,7 @@ resource \"aws_security_group_rule\" \"https_in\" {\n   type        = \"ingress\"\n   from_port   = 443\n   to_port     = 443\n-  cidr_blocks = [\"0.0.0.0/0\"]\n+  cidr_blocks = [\"10.20.0.0/16\"]\n   protocol    = \"tcp\"\n }\n";
    write(&drift.join("remediation.patch"), patch.as_bytes());
    for (who, seed) in [("alice", [0x61u8; 32]), ("bob", [0x62u8; 32])] {
        let signer = Signer::from_seed(who, seed).unwrap();
        write(
            &drift.join(format!("approvals/{who}.sig")),
            format!("{}\n", signer.sign(patch).unwrap()).as_bytes(),
        );
    }
    write(
        &drift.join("incident.json"),
        format!(
            "{{\n  \"ts\": \"2026-11-02T07:14:33Z\",\n  \"guardrail\": \"no-public-ingress\",\n  \
             \"resource\": \"sg-0a1b2c3d4e5f60718 (payments-prod)\",\n  \"git_sha\": \"{GIT_SHA}\",\n  \
             \"patch\": \"remediation.patch\",\n  \"remediation_pr\": \"https://github.com/acme/infra/pull/1842\",\n  \
             \"approvals\": [\n    {{\"approver\": \"alice@acme.example\", \"signature\": \"approvals/alice.sig\"}},\n    \
             {{\"approver\": \"bob@acme.example\", \"signature\": \"approvals/bob.sig\"}}\n  ]\n}}\n"
        )
        .as_bytes(),
    );
    // The DR workflow's dual approval, under its own name, of the restore log beside it.
    let restore_log = "2026-11-05T08:00:00Z restore started: payments-db from snapshot snap-0519\n\
                       2026-11-05T08:37:52Z restore complete: 1211 tables, checksums match\n";
    write(
        &ev.join("evidence-store/dr/payments-db-restore-2026-11-05.log"),
        restore_log.as_bytes(),
    );
    write(
        &ev.join("evidence-store/dr/2026-11-05T08:45:00Z-approval.json"),
        format!(
            "{{\"approver_1\":\"alice@acme.example\",\"approver_2\":\"dave@acme.example\",\"git_sha\":\"{GIT_SHA}\",\"timestamp\":\"2026-11-05T08:45:00Z\",\"artifact_hash\":\"{}\"}}\n",
            hex::encode(Sha256::digest(restore_log.as_bytes()))
        )
        .as_bytes(),
    );
    write(
        &ev.join("finance/forecast-2026-q4.csv"),
        b"team,budget_usd,forecast_usd\npayments,75000,71200\nplatform,42000,44950\n",
    );
    let header = format!("{},narrative", audit_pack::controls::COLUMNS.join(","));
    let rows = [
        "SOC 2,2017,CC6.6,Boundary protection,EV-201,policy/opa-2026-11-10.tgz,,,2026-11-10,2026-10-01,2026-12-31,effective,,,platform@acme.example,Deploy policy (OPA),Production deploys are admitted only by the OPA bundle built from the policy repository.",
        "SOC 2,2017,CC7.2,System monitoring,EV-202,audit/incidents/sync-slo-breach-2026-11-01T10:00:00Z.json,,,2026-11-01,2026-10-01,2026-12-31,exception,,,sre@acme.example,Sync SLO breached,\"The sync-SLO job opened this incident automatically; it was root-caused to a stalled replica.\"",
        "SOC 2,2017,CC7.4,Incident response,EV-203,audit/drift/2026-11-02-sg-open-ingress/incident.json,,,2026-11-02,2026-10-01,2026-12-31,effective,,,platform@acme.example,Guardrail drift remediated,Drift is detected by the guardrail scanner and remediated by a reviewed patch with two approvals.",
        "SOC 2,2017,A1.1,Capacity and cost planning,EV-204,ops/cost-explorer/2026-10-cost-and-usage.json,,,2026-11-02,,,effective,,,finops@acme.example,,Monthly Cost Explorer export reviewed against budget.",
        "SOC 2,2017,A1.1,Capacity and cost planning,EV-205,finance/forecast-2026-q4.csv,,,2026-10-03,2026-10-01,2026-12-31,effective,,,finops@acme.example,Quarterly forecast,",
        "SOC 2,2017,A1.3,Recovery plan testing,EV-206,evidence-store/dr/2026-11-05T08:45:00Z-approval.json,,,2026-11-05,2026-10-01,2026-12-31,effective,,,sre@acme.example,Dual-approved restore,Restores are approved by two engineers before the drill is closed.",
        "ISO 27001,2022,A.5.30,ICT readiness for business continuity,EV-207,ops/evidence/simulations/2026-10-failover.json,,,2026-10-22,2026-10-01,2026-12-31,effective,,,sre@acme.example,Failover simulation,",
        "PCI DSS,4.0,12.10.2,Incident response plan tested,EV-208,ops/evidence/chaos/2026-10-08-zone-a-outage.json,,,2026-10-08,2026-10-01,2026-12-31,effective,,,sre@acme.example,Chaos game day,",
        "SOC 2,2017,CC8.1,Change management,EV-209,prov/app-1.0.0.manifest.sigstore.json,,,2026-10-02,2026-10-01,2026-12-31,effective,,,release@acme.example,Release provenance (Sigstore bundle),",
    ];
    let mut map = format!("{header}\n");
    for row in rows {
        map.push_str(row);
        map.push('\n');
    }
    write(&ev.join("compliance/control-map.csv"), map.as_bytes());
    write(
        &out.join("kinds.txt"),
        b"# Finance's forecasts are budget dashboards too (their period is on the control line).\n\
          finance/*.csv budget-dashboard\n",
    );
    let kinds =
        audit_pack::KindsFile::parse("kinds.txt", &fs::read(out.join("kinds.txt")).unwrap())
            .unwrap();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &ev.join("compliance/control-map.csv"),
        kinds: Some(&kinds),
        key: IndexSigner::Ed25519(key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let (path, summary) =
        build_pack_to_dir(&input, out).unwrap_or_else(|e| panic!("pipelines build: {e}"));
    let mut stderr = std::io::stderr();
    for w in &summary.warnings {
        writeln!(stderr, "warning: {w}").unwrap();
    }
    writeln!(stderr, "wrote {}", path.display()).unwrap();
}
