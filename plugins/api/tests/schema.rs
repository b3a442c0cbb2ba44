//! The hand-written JSON Schema (docs/report.schema.json) against real reports from the
//! builder, and against broken documents that both the schema and `Report::from_json` must
//! reject.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{
    Insecure, Policy, Report, ReportError, Signature, Subject, TrustRoots, VerificationTime,
    VerifyRequest,
};
use serde_json::{json, Value};

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/report.schema.json");

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(SCHEMA_PATH).expect("read docs/report.schema.json");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::meta::validate(&schema).expect("schema is a valid draft 2020-12 schema");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn errors_of(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Real reports from the builder: every status, waivers, errors, warnings, outputs.
fn real_reports() -> Vec<Report> {
    let roots = TrustRoots::new();
    let policy = Policy::new().with_identity("release@example.com");
    let modes = [Insecure::SkipTlog, Insecure::AllowExpiredCache];
    let req = VerifyRequest::new(
        Subject::Bytes(b"artifact"),
        Signature::new(b"sig"),
        &roots,
        VerificationTime::from_unix_seconds(1_700_000_000),
    )
    .with_policy(&policy)
    .with_insecure(&modes);
    vec![
        // All pass, with outputs.
        Report::builder("merkle")
            .subject("leaf 3 of tree size 8")
            .verified_at(VerificationTime::from_unix_seconds(0))
            .output("size", 8u64)
            .output("root", "5dc9da79")
            .pass("merkle.inclusion.index", "3 < 8")
            .pass("merkle.inclusion.root", "")
            .finish(),
        // A failure and a not-reached skip.
        Report::builder("merkle")
            .pass("merkle.consistency.sizes", "1 <= 5 <= 8")
            .fail("merkle.consistency.old-root", "root differs")
            .skip(
                "merkle.consistency.new-root",
                "not reached: an earlier check failed",
            )
            .finish(),
        // Waived skips, with a request: time and insecure modes recorded, INSECURE warnings.
        Report::builder_for("cosign", &req)
            .subject("sha256:abcd")
            .pass("cosign.signature.verify", "ECDSA P-256")
            .skip_waived(
                "cosign.tlog.inclusion",
                "no Rekor entry",
                Insecure::SkipTlog,
            )
            .warning("bundle media type is old")
            .finish(),
        // A waiver by a mode the caller did not turn on: not ok, error, no waived_by.
        Report::builder("cosign")
            .pass("cosign.signature.verify", "ok")
            .skip_waived("cosign.sct.present", "no SCT", Insecure::SkipSct)
            .finish(),
        // Errors, including builder misuse, which must still give a valid document.
        Report::builder("x509")
            .pass("x509.chain.build", "2 certificates")
            .pass("Bad.ID", "rejected id")
            .pass("x509.chain.build", "duplicate")
            .skip("x509.crl.fresh", "  ")
            .output("Bad-Key", 1)
            .error("certificate 2: unsupported critical extension")
            .finish(),
        // Nothing checked.
        Report::builder("tuf").subject("targets/app.tgz").finish(),
        // Every insecure mode on, one used.
        Report::builder("cosign")
            .insecure_modes(Insecure::ALL)
            .skip_waived(
                "cosign.timestamp.signed",
                "no TSA timestamp",
                Insecure::SkipTimestamp,
            )
            .pass("cosign.signature.verify", "Ed25519")
            .finish(),
    ]
}

#[test]
fn schema_accepts_every_report_the_builder_makes() {
    let v = validator();
    let reports = real_reports();
    // The set covers every status, a waiver, errors and warnings, ok and not ok.
    let statuses: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.checks())
        .map(|c| c.status.name())
        .collect();
    for s in ["pass", "fail", "skipped"] {
        assert!(statuses.contains(&s), "no {s} check in the sample");
    }
    assert!(reports.iter().any(|r| r.ok()) && reports.iter().any(|r| !r.ok()));
    assert!(reports.iter().any(|r| !r.insecure().is_empty() && r.ok()));
    assert!(reports.iter().any(|r| !r.errors().is_empty()));
    assert!(reports.iter().any(|r| !r.warnings().is_empty()));
    for r in &reports {
        let doc: Value = serde_json::from_str(&r.to_json()).unwrap();
        let errs = errors_of(&v, &doc);
        assert!(errs.is_empty(), "{doc}\nis invalid: {errs:?}");
        // Every builder report also reads back, unchanged.
        let back = Report::from_json(&r.to_json()).unwrap_or_else(|e| panic!("{doc}: {e}"));
        assert_eq!(&back, r);
    }
}

#[test]
fn expected_verdicts_of_the_sample() {
    let oks: Vec<bool> = real_reports().iter().map(Report::ok).collect();
    assert_eq!(oks, [true, false, true, false, false, false, true]);
}

/// A valid, ok report to break in one place at a time.
fn good() -> Value {
    json!({
        "ok": true,
        "plugin": "merkle",
        "subject": "leaf 3 of tree size 8",
        "verified_at": 1700000000,
        "checks": [
            {"id": "merkle.inclusion.root", "status": "pass", "detail": "hashes up"},
            {"id": "cosign.tlog.inclusion", "status": "skipped", "detail": "", "reason": "no entry", "waived_by": "skip-tlog"}
        ],
        "errors": [],
        "warnings": ["INSECURE: --insecure-ignore-tlog"],
        "insecure": ["skip-tlog"],
        "outputs": {"size": 8, "root": "5dc9"}
    })
}

fn broken(f: impl FnOnce(&mut Value)) -> Value {
    let mut doc = good();
    f(&mut doc);
    doc
}

#[test]
fn the_base_document_is_valid() {
    let v = validator();
    assert!(
        errors_of(&v, &good()).is_empty(),
        "{:?}",
        errors_of(&v, &good())
    );
    assert!(Report::from_json(&good().to_string()).unwrap().ok());
}

#[test]
fn schema_and_from_json_reject_broken_documents() {
    let v = validator();
    let cases: Vec<(&str, Value)> = vec![
        (
            "missing ok",
            broken(|d| {
                d.as_object_mut().unwrap().remove("ok");
            }),
        ),
        (
            "missing subject",
            broken(|d| {
                d.as_object_mut().unwrap().remove("subject");
            }),
        ),
        (
            "missing checks",
            broken(|d| {
                d.as_object_mut().unwrap().remove("checks");
            }),
        ),
        ("ok is a string", broken(|d| d["ok"] = json!("true"))),
        (
            "unknown status",
            broken(|d| d["checks"][0]["status"] = json!("passed")),
        ),
        (
            "status missing",
            broken(|d| {
                d["checks"][0].as_object_mut().unwrap().remove("status");
            }),
        ),
        (
            "skipped without reason",
            broken(|d| {
                d["checks"][1].as_object_mut().unwrap().remove("reason");
            }),
        ),
        (
            "skipped with empty reason",
            broken(|d| d["checks"][1]["reason"] = json!("")),
        ),
        (
            "skipped with null reason",
            broken(|d| d["checks"][1]["reason"] = Value::Null),
        ),
        (
            "reason on a pass",
            broken(|d| d["checks"][0]["reason"] = json!("why")),
        ),
        (
            "waived_by on a pass",
            broken(|d| d["checks"][0]["waived_by"] = json!("skip-tlog")),
        ),
        (
            "extra top-level field",
            broken(|d| d["verdict"] = json!("verified")),
        ),
        (
            "extra check field",
            broken(|d| d["checks"][0]["severity"] = json!("high")),
        ),
        (
            "missing detail",
            broken(|d| {
                d["checks"][0].as_object_mut().unwrap().remove("detail");
            }),
        ),
        (
            "bad id: uppercase",
            broken(|d| d["checks"][0]["id"] = json!("Merkle.inclusion.root")),
        ),
        (
            "bad id: one segment",
            broken(|d| d["checks"][0]["id"] = json!("root")),
        ),
        (
            "bad id: empty segment",
            broken(|d| d["checks"][0]["id"] = json!("merkle..root")),
        ),
        (
            "bad id: underscore",
            broken(|d| d["checks"][0]["id"] = json!("merkle.leaf_hash")),
        ),
        (
            "bad id: dangling dash",
            broken(|d| d["checks"][0]["id"] = json!("merkle.root-")),
        ),
        (
            "bad id: too long",
            broken(|d| d["checks"][0]["id"] = json!(format!("a.{}", "b".repeat(127)))),
        ),
        (
            "unknown insecure mode",
            broken(|d| d["insecure"] = json!(["skip-everything"])),
        ),
        (
            "insecure mode twice",
            broken(|d| d["insecure"] = json!(["skip-tlog", "skip-tlog"])),
        ),
        ("negative time", broken(|d| d["verified_at"] = json!(-1))),
        ("empty plugin", broken(|d| d["plugin"] = json!(""))),
        (
            "bad output key",
            broken(|d| d["outputs"]["Root-Hash"] = json!("x")),
        ),
        (
            "errors not strings",
            broken(|d| d["errors"] = json!([{"msg": "x"}])),
        ),
        // `ok` disagreeing with the content.
        (
            "ok with a failed check",
            broken(|d| d["checks"][0]["status"] = json!("fail")),
        ),
        ("ok with no checks", broken(|d| d["checks"] = json!([]))),
        (
            "ok with an error",
            broken(|d| d["errors"] = json!(["boom"])),
        ),
        (
            "ok with an unwaived skip",
            broken(|d| {
                d["checks"][1].as_object_mut().unwrap().remove("waived_by");
            }),
        ),
    ];
    for (name, doc) in &cases {
        assert!(
            !v.is_valid(doc),
            "schema accepts broken document ({name}): {doc}"
        );
        assert!(
            Report::from_json(&doc.to_string()).is_err(),
            "from_json accepts broken document ({name}): {doc}"
        );
    }
}

#[test]
fn from_json_is_stricter_than_the_schema_where_json_schema_cannot_say_it() {
    let v = validator();
    // A waiver by a mode that is not in `insecure`: the schema cannot relate the two lists.
    let doc = broken(|d| d["insecure"] = json!(["skip-sct"]));
    assert!(v.is_valid(&doc));
    assert!(matches!(
        Report::from_json(&doc.to_string()),
        Err(ReportError::OkMismatch { claimed: true })
    ));
    // Duplicate check ids.
    let doc = broken(|d| {
        d["checks"][1] = json!({"id": "merkle.inclusion.root", "status": "pass", "detail": ""})
    });
    assert!(v.is_valid(&doc));
    assert!(matches!(
        Report::from_json(&doc.to_string()),
        Err(ReportError::Inconsistent(_))
    ));
}

#[test]
fn from_json_rejects_ok_true_with_a_failing_check() {
    let r = Report::builder("merkle")
        .pass("merkle.inclusion.index", "")
        .fail("merkle.inclusion.root", "root differs")
        .finish();
    assert!(!r.ok());
    let mut doc: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(doc["ok"], json!(false));
    doc["ok"] = json!(true);
    let err = Report::from_json(&doc.to_string()).unwrap_err();
    assert!(
        matches!(err, ReportError::OkMismatch { claimed: true }),
        "{err}"
    );
    // The typed Deserialize path is guarded the same way.
    assert!(serde_json::from_value::<Report>(doc).is_err());
}

#[test]
fn from_json_rejects_ok_false_on_a_passing_report() {
    let r = Report::builder("merkle")
        .pass("merkle.root.match", "")
        .finish();
    let mut doc: Value = serde_json::from_str(&r.to_json()).unwrap();
    doc["ok"] = json!(false);
    assert!(matches!(
        Report::from_json(&doc.to_string()),
        Err(ReportError::OkMismatch { claimed: false })
    ));
}

#[test]
fn zero_check_reports_are_not_ok_and_valid() {
    let v = validator();
    let r = Report::builder("tuf").finish();
    assert!(!r.ok());
    assert_eq!(r.exit_code(), 1);
    assert!(r
        .errors()
        .iter()
        .any(|e| e.contains("nothing was verified")));
    assert!(v.is_valid(&serde_json::from_str(&r.to_json()).unwrap()));
    // Even a document with no errors and no checks is not ok.
    let doc = json!({"ok": false, "plugin": "tuf", "subject": null, "verified_at": null,
        "checks": [], "errors": [], "warnings": [], "insecure": [], "outputs": {}});
    assert!(v.is_valid(&doc));
    assert!(!Report::from_json(&doc.to_string()).unwrap().ok());
}

#[test]
fn unwaived_skip_fails_and_waived_skip_passes_with_a_warning() {
    let v = validator();
    let unwaived = Report::builder("cosign")
        .insecure_modes(&[Insecure::SkipTlog])
        .pass("cosign.signature.verify", "")
        .skip("cosign.tlog.inclusion", "no Rekor entry")
        .finish();
    assert!(!unwaived.ok());
    assert_eq!(
        unwaived.first_failure().map(|c| c.id.as_str()),
        Some("cosign.tlog.inclusion")
    );

    let waived = Report::builder("cosign")
        .insecure_modes(&[Insecure::SkipTlog])
        .pass("cosign.signature.verify", "")
        .skip_waived(
            "cosign.tlog.inclusion",
            "no Rekor entry",
            Insecure::SkipTlog,
        )
        .finish();
    assert!(waived.ok());
    assert_eq!(waived.insecure(), [Insecure::SkipTlog]);
    assert_eq!(waived.warnings().len(), 1);
    let w = &waived.warnings()[0];
    assert!(w.starts_with("INSECURE: --insecure-ignore-tlog"), "{w}");
    assert!(
        w.contains("cosign.tlog.inclusion") && w.contains("no Rekor entry"),
        "{w}"
    );
    let doc: Value = serde_json::from_str(&waived.to_json()).unwrap();
    assert_eq!(doc["checks"][1]["waived_by"], json!("skip-tlog"));
    assert_eq!(doc["insecure"], json!(["skip-tlog"]));
    assert!(v.is_valid(&doc));
    assert!(Report::from_json(&waived.to_json()).unwrap().ok());
}

#[test]
fn a_check_serializes_flat() {
    let r = Report::builder("merkle")
        .pass("merkle.inclusion.root", "hashes up")
        .fail("merkle.inclusion.length", "3 nodes, want 4")
        .skip("merkle.inclusion.done", "not reached")
        .finish();
    let doc: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(
        doc["checks"],
        json!([
            {"id": "merkle.inclusion.root", "status": "pass", "detail": "hashes up"},
            {"id": "merkle.inclusion.length", "status": "fail", "detail": "3 nodes, want 4"},
            {"id": "merkle.inclusion.done", "status": "skipped", "detail": "", "reason": "not reached"}
        ])
    );
}
