//! The `tlog` receipt plugin: its budgets ([`tlog::Limits`]), signature refusal and check ids,
//! on the committed fixtures (fixtures/tlog).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use plugin_api::{
    run_plugin, Report, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots, VerificationTime,
    VerifyRequest,
};
use std::path::PathBuf;
use tlog::{checks, Limits, TlogReceiptPlugin};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/tlog")
        .join(name);
    std::fs::read(p).unwrap()
}

fn run(
    plugin: &TlogReceiptPlugin,
    receipt: &[u8],
    sig: &[u8],
) -> Result<Report, plugin_api::Error> {
    let roots: TrustRoots = [TrustRoot::new(
        TrustRootKind::NoteVerifierKey,
        "log.vkey",
        fixture("log.vkey"),
    )]
    .into_iter()
    .collect();
    let req = VerifyRequest::new(
        Subject::Bytes(receipt),
        Signature::new(sig),
        &roots,
        VerificationTime::from_unix_seconds(0),
    );
    run_plugin(plugin, &req)
}

#[test]
fn the_default_limits_accept_the_fixture_receipt() {
    assert_eq!(Limits::default(), Limits::DEFAULT);
    let r = run(
        &TlogReceiptPlugin::default(),
        &fixture("receipt-5.json"),
        b"",
    )
    .unwrap();
    assert!(r.ok(), "{}", r.to_json());
    let ids: Vec<&str> = r.checks().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [checks::RECEIPT_CHECKPOINT, checks::RECEIPT_INCLUSION]);
}

#[test]
fn each_budget_refuses_a_receipt_over_it() {
    let receipt = fixture("receipt-5.json");
    let parsed = tlog::Receipt::parse(&receipt).unwrap();
    let tight = [
        Limits {
            receipt_bytes: receipt.len() - 1,
            ..Limits::DEFAULT
        },
        Limits {
            proof_hashes: parsed.proof.len() - 1,
            ..Limits::DEFAULT
        },
        Limits {
            note_bytes: parsed.checkpoint.len() - 1,
            ..Limits::DEFAULT
        },
    ];
    for limits in tight {
        let e = run(&TlogReceiptPlugin { limits }, &receipt, b"").unwrap_err();
        assert!(e.to_string().contains("more than"), "{limits:?}: {e}");
    }
}

#[test]
fn a_failed_checkpoint_leaves_inclusion_not_reached() {
    let r = run(
        &TlogReceiptPlugin::default(),
        &fixture("receipt-5-other-key.json"),
        b"",
    )
    .unwrap();
    assert!(!r.ok());
    assert!(r.checks()[0].is_fail());
    assert!(r.checks()[1].is_skipped());
    assert_eq!(r.checks()[1].explanation(), plugin_api::NOT_REACHED);
}

#[test]
fn signature_material_is_refused() {
    let e = run(
        &TlogReceiptPlugin::default(),
        &fixture("receipt-5.json"),
        b"sig",
    )
    .unwrap_err();
    assert!(e.to_string().contains("takes no signature material"), "{e}");
}
