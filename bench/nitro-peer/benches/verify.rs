//! Median time to verify one real AWS Nitro attestation document, ours (the `nitro` plugin:
//! parse, ES384 signature, chain to the pinned root at the document's time, PCR policy) and
//! the `nitro_attest` crate's (`parse_and_verify` at the document's time), in the same run on
//! the same documents: every non-debug document of fixtures/nitro/corpus that chains to the AWS
//! root. Ours twice: cold (a new plugin for each verification: all five ECDSA P-384
//! signatures computed, as nitro_attest does) and warm (one plugin, which remembers CA links
//! that verified: a document whose CA chain it has seen, e.g. another one from the same host,
//! costs the document's and the leaf's signatures). Prints each median and the ratios.
//! `-- --quick`: fewer rounds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use plugin_api::{Policy, Signature, Subject, TrustRoots, VerificationTime, VerifyRequest};
use plugin_nitro::NitroPlugin;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 5 } else { 31 };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/nitro/corpus");
    let sources: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("sources.json")).unwrap()).unwrap();
    let mut docs = Vec::new();
    for s in sources.as_array().unwrap() {
        if s["kind"] != "real" || s["debug"] == true || s["chains_to_aws_root"] != true {
            continue;
        }
        let file = s["file"].as_str().unwrap();
        docs.push((file.to_owned(), std::fs::read(dir.join(file)).unwrap()));
    }
    assert!(!docs.is_empty(), "no documents");
    let warm_plugin = NitroPlugin::default();
    let roots = TrustRoots::new();
    let (mut ours, mut warm, mut peer) = (Vec::new(), Vec::new(), Vec::new());
    for (name, doc) in &docs {
        let parsed = plugin_nitro::parse(doc, &warm_plugin.limits).unwrap();
        let ts = parsed.attestation.timestamp_ms / 1000;
        let mut policy = Policy::new();
        for (i, v) in parsed.attestation.pcrs.iter().take(3) {
            policy = policy.with_measurement(*i, v.to_vec());
        }
        let at = VerificationTime::from_unix_seconds(ts);
        let ours_with = |plugin: &NitroPlugin| {
            let req = VerifyRequest::new(Subject::Bytes(doc), Signature::new(b""), &roots, at)
                .with_policy(&policy)
                .with_time_from_clock();
            plugin_api::run_plugin(plugin, &req).unwrap()
        };
        let ours_once = || ours_with(&NitroPlugin::default());
        assert!(ours_once().ok(), "{name}: ours does not verify it");
        let now = time::OffsetDateTime::from_unix_timestamp(ts as i64).unwrap();
        let peer_once = || nitro_attest::UnparsedAttestationDoc::from(doc.as_slice()).parse_and_verify(now);
        let peer_ok = peer_once().is_ok();
        let (mut o, mut w, mut p) = (Vec::new(), Vec::new(), Vec::new());
        assert!(ours_with(&warm_plugin).ok());
        for _ in 0..rounds {
            let t = Instant::now();
            black_box(ours_once());
            o.push(t.elapsed());
            let t = Instant::now();
            black_box(ours_with(&warm_plugin));
            w.push(t.elapsed());
            let t = Instant::now();
            let _ = black_box(peer_once());
            p.push(t.elapsed());
        }
        let (mo, mw, mp) = (median(o), median(w), median(p));
        println!(
            "{name}: ours cold {:.0} µs, warm {:.0} µs, nitro_attest {:.0} µs{}",
            mo.as_secs_f64() * 1e6,
            mw.as_secs_f64() * 1e6,
            mp.as_secs_f64() * 1e6,
            if peer_ok { "" } else { " (nitro_attest rejects it)" }
        );
        ours.push(mo);
        warm.push(mw);
        peer.push(mp);
    }
    let (mo, mw, mp) = (median(ours), median(warm), median(peer));
    println!(
        "nitro verify: median over {} real documents: ours cold {:.0} µs, warm {:.0} µs; nitro_attest 0.2.0 {:.0} µs; cold/peer = {:.3}, warm/peer = {:.2}",
        docs.len(),
        mo.as_secs_f64() * 1e6,
        mw.as_secs_f64() * 1e6,
        mp.as_secs_f64() * 1e6,
        mo.as_secs_f64() / mp.as_secs_f64(),
        mw.as_secs_f64() / mp.as_secs_f64()
    );
}
