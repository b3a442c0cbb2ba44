//! `Report::amend`: checks added after a plugin's report, the verdict recomputed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use plugin_api::{Insecure, Report};

fn passing() -> Report {
    Report::builder("cosign")
        .pass("cosign.signature.verify", "ok")
        .output("size", 8)
        .finish()
}

#[test]
fn a_passing_amendment_keeps_an_ok_report_ok() {
    let r = passing().amend(
        Report::builder("ignored")
            .pass("cosign.attestation.predicate-type", "predicateType x")
            .warning("embedded root")
            .output("certificate", serde_json::json!({"san": "a"})),
    );
    assert!(r.ok());
    assert_eq!(r.plugin(), "cosign");
    assert_eq!(r.checks().len(), 2);
    assert_eq!(r.warnings(), ["embedded root"]);
    assert_eq!(r.outputs()["certificate"]["san"], "a");
    assert_eq!(r.outputs()["size"], 8);
    // The amended report round-trips through the strict reader.
    assert_eq!(Report::from_json(&r.to_json()).unwrap(), r);
}

#[test]
fn a_failed_amendment_fails_the_report() {
    let r = passing().amend(
        Report::builder("cosign").fail("cosign.attestation.predicate-type", "expected a, found b"),
    );
    assert!(!r.ok());
    assert_eq!(
        r.first_failure().unwrap().explanation(),
        "expected a, found b"
    );
    let r = passing().amend(Report::builder("cosign").skip("cosign.extra.step", "not run"));
    assert!(!r.ok());
    let r = passing().amend(Report::builder("cosign").error("bad input"));
    assert!(!r.ok());
}

#[test]
fn amending_never_makes_a_failed_report_ok() {
    let failed = Report::builder("cosign")
        .fail("cosign.signature.verify", "bad")
        .finish();
    assert!(!failed
        .amend(Report::builder("cosign").pass("cosign.extra.step", "ok"))
        .ok());
    let skipped = Report::builder("cosign")
        .skip("cosign.tlog.inclusion", "no entry")
        .finish();
    assert!(!skipped
        .amend(Report::builder("cosign").pass("cosign.extra.step", "ok"))
        .ok());
    let empty = Report::builder("cosign").finish();
    assert!(!empty
        .amend(Report::builder("cosign").pass("cosign.extra.step", "ok"))
        .ok());
}

#[test]
fn mistakes_become_errors() {
    let dup = passing().amend(Report::builder("cosign").pass("cosign.signature.verify", "again"));
    assert!(!dup.ok());
    assert_eq!(dup.checks().len(), 1);
    assert!(dup.errors()[0].contains("already in the report"));
    let dup_out = passing().amend(Report::builder("cosign").output("size", 9));
    assert!(!dup_out.ok());
    assert_eq!(dup_out.outputs()["size"], 8);
    let bad_key = passing().amend(Report::builder("cosign").output("Bad-Key", 1));
    assert!(!bad_key.ok());
    // An amendment cannot waive a skip, even with the mode on.
    let base = Report::builder("cosign")
        .insecure_modes(&[Insecure::SkipTlog])
        .pass("cosign.signature.verify", "ok")
        .finish();
    let waived = base.amend(
        Report::builder("cosign")
            .insecure_modes(&[Insecure::SkipTlog])
            .skip_waived("cosign.extra.step", "not run", Insecure::SkipTlog),
    );
    assert!(!waived.ok());
    assert!(waived.errors()[0].contains("cannot be waived"));
}
