//! The real-world corpus (fixtures/nitro/corpus, with each document's source repository,
//! path and commit in sources.json): every AWS-signed document of the enclave format is judged
//! as its users would judge it.
//!
//! - not debug: verifies at its own timestamp (expecting PCR0, PCR1, PCR2 as recorded), and
//!   fails on the chain one second after its leaf expires (`--at`);
//! - debug: fails on `nitro.policy.debug` by default, verifies with `--allow-debug`;
//! - where the source repository states expected PCRs, our verdict on them is the source's
//!   (including a deliberately wrong set, which must fail on `nitro.policy.measurements`);
//! - look-alikes (self-made chains), tampered documents and NitroTPM documents are rejected.
//!
//! The summary line is read by scripts/conformance-matrix.py.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use plugin_api::{Insecure, Policy};
use plugin_nitro::checks;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{failed_check, verify_with_root};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/nitro/corpus")
}

fn secs(rfc3339: &str) -> u64 {
    plugin_api::time::parse_rfc3339(rfc3339).unwrap() as u64
}

fn pcr_policy(pcrs: &serde_json::Map<String, Value>, only: &[&str]) -> Policy {
    let mut p = Policy::new();
    for (i, v) in pcrs {
        if only.is_empty() || only.contains(&i.as_str()) {
            p = p.with_measurement(
                i.parse().unwrap(),
                hex::decode(v.as_str().unwrap()).unwrap(),
            );
        }
    }
    p
}

/// The failed checks with their details.
fn summary(r: &plugin_api::Report) -> Vec<String> {
    r.checks()
        .iter()
        .filter(|c| c.is_fail())
        .map(|c| format!("{}: {}", c.id, c.explanation()))
        .collect()
}

#[test]
fn the_real_world_corpus() {
    let sources: Value =
        serde_json::from_slice(&std::fs::read(corpus().join("sources.json")).unwrap()).unwrap();
    let (mut verified, mut debug, mut expired, mut rejected, mut agreed) = (0, 0, 0, 0, 0);
    let mut total = 0;
    let mut problems = Vec::new();
    for s in sources.as_array().unwrap() {
        total += 1;
        let file = s["file"].as_str().unwrap();
        let doc = std::fs::read(corpus().join(file)).unwrap();
        let ts = s["timestamp_ms"].as_u64().unwrap_or(0) / 1000;
        let now = ts + 60;
        let kind = s["kind"].as_str().unwrap();
        if kind != "real" {
            // Look-alike, tampered, NitroTPM: rejected whatever is expected of them.
            let policy = Policy::new().with_measurement(0, vec![0; 48]);
            let all = [Insecure::AllowDebugEnclave];
            match verify_with_root(&doc, None, &policy, None, now, &all) {
                Ok(r) if r.ok() => problems.push(format!("{file}: accepted")),
                _ => rejected += 1,
            }
            continue;
        }
        let pcrs = s["pcrs"].as_object().unwrap();
        let is_debug = s["debug"].as_bool().unwrap();
        let first_three = pcr_policy(pcrs, &["0", "1", "2"]);
        let r = verify_with_root(&doc, None, &first_three, None, now, &[]).unwrap();
        if is_debug {
            if failed_check(&r).as_deref() != Some(checks::DEBUG) {
                problems.push(format!(
                    "{file}: debug document not refused on the debug check: {:?}",
                    summary(&r)
                ));
            }
            let r = verify_with_root(
                &doc,
                None,
                &first_three,
                None,
                now,
                &[Insecure::AllowDebugEnclave],
            )
            .unwrap();
            if r.ok() {
                debug += 1;
            } else {
                problems.push(format!(
                    "{file}: debug document fails with --allow-debug: {:?}",
                    summary(&r)
                ));
            }
        } else if r.ok() {
            verified += 1;
        } else {
            problems.push(format!(
                "{file}: does not verify at its timestamp: {:?}",
                summary(&r)
            ));
        }
        let allow: &[Insecure] = if is_debug {
            &[Insecure::AllowDebugEnclave]
        } else {
            &[]
        };
        let end = secs(s["leaf_not_after"].as_str().unwrap());
        let at_end = verify_with_root(&doc, None, &first_three, Some(end), 0, allow).unwrap();
        let after = verify_with_root(&doc, None, &first_three, Some(end + 1), 0, allow).unwrap();
        if at_end.ok() && failed_check(&after).as_deref() == Some(checks::CHAIN) {
            expired += 1;
        } else {
            problems.push(format!(
                "{file}: at the leaf's end ok={}, one second later failed on {:?}",
                at_end.ok(),
                failed_check(&after)
            ));
        }
        for e in s["expected_pcrs_from_source"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let expected = e["pcrs"].as_object().unwrap();
            let should_match = e["all_equal_to_document"].as_bool().unwrap_or(true);
            // A spec that states a PCR as text that is no hex digest (evervault's deliberately
            // "incorrect" one) is an expectation no document meets: the command refuses it.
            let parsable = expected.values().all(|v| {
                let v = v.as_str().unwrap();
                v.len() == 96 && v.bytes().all(|b| b.is_ascii_hexdigit())
            });
            if !parsable {
                if should_match {
                    problems.push(format!("{file}: unparsable expectation {}", e["path"]));
                } else {
                    agreed += 1;
                }
                continue;
            }
            let r =
                verify_with_root(&doc, None, &pcr_policy(expected, &[]), None, now, allow).unwrap();
            let ok = if should_match {
                r.ok()
            } else {
                failed_check(&r).as_deref() == Some(checks::MEASUREMENTS)
            };
            if ok {
                agreed += 1;
            } else {
                problems.push(format!(
                    "{file}: the source's expectation ({}) gives {:?}",
                    e["path"],
                    failed_check(&r)
                ));
            }
        }
    }
    println!(
        "nitro real corpus: {total} documents: {verified} verified at their timestamp, {debug} debug refused by default and verified with --allow-debug, {expired} fail one second after the leaf expires, {rejected} look-alike/tampered/NitroTPM rejected, {agreed} source expectations agreed; {} problems, 0 false accepts",
        problems.len()
    );
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        verified >= 30 && debug >= 30 && rejected >= 8,
        "corpus shrank"
    );
}

#[test]
fn the_embedded_root_is_the_one_the_repositories_publish() {
    let pem = std::fs::read(corpus().join("aws-nitro-root-g1.pem")).unwrap();
    let certs = plugin_x509::certificates_from_pem_or_der(&pem, 1).unwrap();
    assert_eq!(certs[0].der(), plugin_nitro::AWS_NITRO_ROOT_G1_DER);
}
