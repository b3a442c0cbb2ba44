//! The report builder's rules: the verdict, misuse turned into errors, human helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{
    is_valid_check_id, CheckStatus, Insecure, Report, Verdict, EXIT_FAILED, EXIT_VERIFIED,
};

#[test]
fn all_passing_checks_verify() {
    let r = Report::builder("merkle")
        .pass("merkle.root.match", "equal")
        .finish();
    assert!(r.ok());
    assert_eq!(r.verdict(), Verdict::Verified);
    assert_eq!(r.exit_code(), EXIT_VERIFIED);
    assert!(r.errors().is_empty() && r.warnings().is_empty() && r.insecure().is_empty());
    assert!(r.first_failure().is_none());
}

#[test]
fn one_failed_check_fails_the_report() {
    let r = Report::builder("merkle")
        .pass("merkle.inclusion.index", "")
        .fail("merkle.inclusion.root", "root differs")
        .skip("merkle.inclusion.after", "not reached")
        .finish();
    assert!(!r.ok());
    assert_eq!(r.verdict(), Verdict::Failed);
    assert_eq!(r.exit_code(), EXIT_FAILED);
    let first = r.first_failure().unwrap();
    assert_eq!(first.id, "merkle.inclusion.root");
    assert_eq!(first.explanation(), "root differs");
}

#[test]
fn an_error_fails_a_report_whose_checks_pass() {
    let r = Report::builder("x509")
        .pass("x509.chain.build", "")
        .error("CRL unreadable")
        .finish();
    assert!(!r.ok());
    assert!(r.first_failure().is_none());
    assert_eq!(r.errors(), ["CRL unreadable"]);
}

#[test]
fn no_checks_is_not_ok() {
    let r = Report::builder("tuf").warning("nothing to do").finish();
    assert!(!r.ok());
    assert_eq!(r.errors().len(), 1);
    assert_eq!(r.warnings(), ["nothing to do"]);
}

#[test]
fn a_waiver_needs_the_caller_to_have_turned_the_mode_on() {
    // The plugin tries to waive with a mode the caller never passed.
    let r = Report::builder("cosign")
        .insecure_modes(&[Insecure::SkipSct])
        .pass("cosign.signature.verify", "")
        .skip_waived("cosign.tlog.inclusion", "no entry", Insecure::SkipTlog)
        .finish();
    assert!(!r.ok());
    assert!(
        r.errors()[0].contains("--insecure-ignore-tlog"),
        "{:?}",
        r.errors()
    );
    assert_eq!(
        r.checks()[1].status,
        CheckStatus::Skipped {
            reason: "no entry".into(),
            waived_by: None
        }
    );
    assert_eq!(r.first_failure().unwrap().id, "cosign.tlog.inclusion");
    // The mode that was on but waived nothing is still announced.
    assert_eq!(r.warnings().len(), 1);
    assert!(
        r.warnings()[0].starts_with("INSECURE: --insecure-ignore-sct is on"),
        "{:?}",
        r.warnings()
    );
}

#[test]
fn insecure_modes_may_be_declared_after_the_waiver() {
    let r = Report::builder("cosign")
        .skip_waived("cosign.sct.present", "no SCT", Insecure::SkipSct)
        .pass("cosign.signature.verify", "")
        .insecure_modes(&[Insecure::SkipSct, Insecure::SkipSct])
        .finish();
    assert!(r.ok());
    assert_eq!(r.insecure(), [Insecure::SkipSct]);
}

#[test]
fn insecure_warnings_come_first_one_per_waived_check() {
    let r = Report::builder("cosign")
        .warning("plugin warning")
        .insecure_modes(&[Insecure::SkipTlog, Insecure::AllowExpiredCache])
        .skip_waived("cosign.tlog.inclusion", "no entry", Insecure::SkipTlog)
        .skip_waived("cosign.tlog.set", "no SET", Insecure::SkipTlog)
        .pass("cosign.signature.verify", "")
        .finish();
    assert!(r.ok());
    let w = r.warnings();
    assert_eq!(w.len(), 4, "{w:?}");
    assert!(
        w[0].contains("cosign.tlog.inclusion") && w[1].contains("cosign.tlog.set"),
        "{w:?}"
    );
    assert!(
        w[2].starts_with("INSECURE: --allow-expired-cache is on"),
        "{w:?}"
    );
    assert_eq!(w[3], "plugin warning");
}

#[test]
fn invalid_check_ids_become_errors_not_panics() {
    for id in [
        "",
        "root",
        "Merkle.root",
        "merkle..root",
        "merkle.root.",
        "merkle.-x",
        "merkle.x-",
        "merkle.a--b",
        "merkle.leaf_hash",
        "merkle.ü",
    ] {
        assert!(!is_valid_check_id(id), "{id:?}");
        let r = Report::builder("merkle").pass(id, "detail text").finish();
        assert!(!r.ok(), "{id:?}");
        assert!(r.checks().is_empty());
        assert!(r.errors()[0].contains("detail text"), "{:?}", r.errors());
    }
    let long = format!("a.{}", "b".repeat(126));
    assert!(is_valid_check_id(&long) && !is_valid_check_id(&format!("{long}b")));
    for id in [
        "merkle.inclusion.root",
        "x509.chain.cert-2",
        "tuf.root.v2",
        "a.b",
    ] {
        assert!(is_valid_check_id(id), "{id:?}");
    }
}

#[test]
fn a_repeated_check_id_is_an_error_and_the_repeat_is_dropped() {
    let r = Report::builder("merkle")
        .pass("merkle.root.match", "")
        .fail("merkle.root.match", "differs")
        .finish();
    assert!(!r.ok());
    assert_eq!(r.checks().len(), 1);
    assert!(r.errors()[0].contains("fail: differs"), "{:?}", r.errors());
}

#[test]
fn a_skip_without_reason_is_an_error() {
    let r = Report::builder("cosign")
        .insecure_modes(&[Insecure::SkipTlog])
        .pass("cosign.signature.verify", "")
        .skip_waived("cosign.tlog.inclusion", "", Insecure::SkipTlog)
        .finish();
    assert!(!r.ok());
    assert!(r.checks()[1].explanation() == "no reason given");
}

#[test]
fn bad_or_repeated_output_keys_are_errors() {
    let r = Report::builder("merkle")
        .pass("merkle.root.match", "")
        .output("Root", "x")
        .finish();
    assert!(!r.ok());
    assert!(r.outputs().is_empty());
    let r = Report::builder("merkle")
        .pass("merkle.root.match", "")
        .output("root", "x")
        .output("root", "y")
        .finish();
    assert!(!r.ok());
    assert_eq!(r.outputs()["root"], "x");
    let r = Report::builder("merkle")
        .pass("merkle.root.match", "")
        .output("size_2", 8u64)
        .finish();
    assert!(r.ok());
}

#[test]
fn an_unnamed_plugin_is_an_error() {
    let r = Report::builder("").pass("merkle.root.match", "").finish();
    assert!(!r.ok());
    assert_eq!(r.plugin(), "unnamed");
}

#[test]
fn first_failure_prefers_a_failed_check_over_an_unwaived_skip() {
    let r = Report::builder("cosign")
        .skip("cosign.tlog.inclusion", "no entry")
        .fail("cosign.signature.verify", "bad signature")
        .finish();
    assert_eq!(r.first_failure().unwrap().id, "cosign.signature.verify");
}

#[test]
fn json_line_is_one_line() {
    let r = Report::builder("merkle")
        .subject("a\nmultiline\nsubject")
        .pass("merkle.root.match", "line one\nline two")
        .finish();
    let line = r.to_json_line();
    assert!(line.ends_with('\n'));
    assert_eq!(line.matches('\n').count(), 1);
    assert_eq!(Report::from_json(line.trim_end()).unwrap(), r);
    assert_eq!(line.trim_end(), r.to_json());
}

#[test]
fn json_field_order_and_nulls() {
    let r = Report::builder("merkle")
        .pass("merkle.root.match", "")
        .finish();
    assert_eq!(
        r.to_json(),
        r#"{"ok":true,"plugin":"merkle","subject":null,"verified_at":null,"checks":[{"id":"merkle.root.match","status":"pass","detail":""}],"errors":[],"warnings":[],"insecure":[],"outputs":{}}"#
    );
}

#[test]
fn from_json_refuses_oversized_documents() {
    let big = " ".repeat(plugin_api::MAX_REPORT_JSON_BYTES + 1);
    assert!(matches!(
        Report::from_json(&big),
        Err(plugin_api::ReportError::TooLarge { .. })
    ));
}
