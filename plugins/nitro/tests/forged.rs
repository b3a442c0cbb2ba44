//! Documents made under a test root CA (tests/support/forge.rs): the standard one verifies in
//! every shape AWS emits; one negative per check fails on that check; inputs that cannot be
//! read are errors (no verdict), each naming what is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use base64::Engine as _;
use plugin_api::{Insecure, Policy};
use plugin_nitro::checks;
use support::forge::{self, *};
use support::{failed_check, full_policy, verify, verify_with_root};

fn fails_on(chain: &Chain, doc: &[u8], policy: &Policy, check: &str) {
    let r = verify(chain, doc, policy).unwrap();
    assert!(!r.ok(), "{check}: accepted: {r:?}");
    assert_eq!(failed_check(&r).as_deref(), Some(check), "{r:#?}");
}

fn refused(chain: &Chain, doc: &[u8], policy: &Policy, says: &str) {
    let e = verify(chain, doc, policy).unwrap_err().to_string();
    assert!(e.contains(says), "{e:?} lacks {says:?}");
}

#[test]
fn the_standard_document_verifies_in_every_shape_aws_emits() {
    let chain = Chain::new();
    let policy = full_policy();
    let mut doc = Doc::standard(&chain);
    for (tagged, indefinite) in [(false, true), (true, true), (false, false), (true, false)] {
        doc.tagged = tagged;
        doc.indefinite = indefinite;
        let r = verify(&chain, &doc.encode(), &policy).unwrap();
        assert!(r.ok(), "tagged {tagged}, indefinite {indefinite}: {r:#?}");
        assert_eq!(r.checks().len(), checks::ALL.len());
        assert!(r
            .warnings()
            .iter()
            .any(|w| w.contains("revocation not checked")));
        assert_eq!(r.outputs()["module_id"], MODULE_ID);
        assert_eq!(r.outputs()["chain_validated_at"], "2026-06-01T00:00:00Z");
    }
    // Explicit nulls for the optional fields, as older SDKs send them.
    let mut doc = Doc::standard(&chain);
    for f in ["public_key", "user_data", "nonce"] {
        doc.set(f, vec![CBOR_NULL]);
    }
    let mut p = Policy::new();
    for (i, v) in standard_pcrs() {
        p = p.with_measurement(i, v);
    }
    let r = verify(&chain, &doc.encode(), &p).unwrap();
    assert!(r.ok(), "{r:#?}");
    assert!(r.outputs()["nonce_sha256"].is_null());
    assert!(r
        .warnings()
        .iter()
        .any(|w| w.contains("freshness not checked")));
    // Absent optional fields, and 1024-byte ones.
    let mut doc = Doc::standard(&chain);
    doc.remove("public_key").remove("user_data");
    doc.set("nonce", cbor_bytes(&[7; 1024]));
    let r = verify(&chain, &doc.encode(), &p.clone().with_nonce(vec![7; 1024])).unwrap();
    assert!(r.ok(), "{r:#?}");
    // Base64 and hex forms.
    let raw = Doc::standard(&chain).encode();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
    assert!(verify(&chain, b64.as_bytes(), &full_policy()).unwrap().ok());
    let hex = hex::encode(&raw);
    assert!(verify(&chain, hex.as_bytes(), &full_policy()).unwrap().ok());
}

#[test]
fn one_negative_per_check() {
    let chain = Chain::new();
    let policy = full_policy();

    // nitro.cose.header: ES256 instead of ES384, and an extra parameter (both re-signed).
    for protected in [
        vec![0xa1, 0x01, 0x26],
        vec![0xa2, 0x01, 0x38, 0x22, 0x03, 0x00],
    ] {
        let mut d = Doc::standard(&chain);
        d.protected = protected;
        fails_on(&chain, &d.encode(), &policy, checks::COSE_HEADER);
    }

    // nitro.payload.digest: another algorithm name; a 32-byte PCR under SHA384.
    let mut d = Doc::standard(&chain);
    d.set("digest", cbor_text("SHA256"));
    fails_on(&chain, &d.encode(), &policy, checks::PAYLOAD_DIGEST);
    let mut pcrs = standard_pcrs();
    pcrs[5].1 = vec![0; 32];
    let d = Doc::with_pcrs(&chain, &pcrs);
    fails_on(
        &chain,
        &d.encode(),
        &Policy::new().with_measurement(0, pcrs[0].1.clone()),
        checks::PAYLOAD_DIGEST,
    );

    // nitro.cose.signature: a flipped bit, another key, a short signature, a P-256 leaf.
    let d = Doc::standard(&chain);
    let mut bytes = d.encode();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fails_on(&chain, &bytes, &policy, checks::SIGNATURE);
    let mut d = Doc::standard(&chain);
    d.signer = chain.instance.key.clone();
    fails_on(&chain, &d.encode(), &policy, checks::SIGNATURE);
    let d = Doc::standard(&chain);
    let payload = d.payload();
    fails_on(
        &chain,
        &d.encode_with_signature(&payload, &[1; 95]),
        &policy,
        checks::SIGNATURE,
    );
    let mut spec = CertSpec::leaf("p256 leaf", T0 - 60, T0 + 3600);
    spec.spki_override = Some(spki_p256());
    let p256 = Chain::with_leaf(spec);
    fails_on(
        &p256,
        &Doc::standard(&p256).encode(),
        &policy,
        checks::SIGNATURE,
    );

    // nitro.chain.path: every way the chain can be wrong, each signed correctly otherwise.
    let bad_leaves: Vec<(&str, CertSpec)> = vec![
        ("expired leaf", CertSpec::leaf("old", T0 - 7200, T0 - 3600)),
        (
            "not yet valid leaf",
            CertSpec::leaf("new", T0 + 3600, T0 + 7200),
        ),
        ("CA leaf", {
            let mut s = CertSpec::leaf("ca leaf", T0 - 60, T0 + 3600);
            s.ca = Some(None);
            s
        }),
        ("leaf without digitalSignature", {
            let mut s = CertSpec::leaf("ku", T0 - 60, T0 + 3600);
            s.key_usage = Some((forge::ku::NON_REPUDIATION, false));
            s
        }),
        ("leaf without keyUsage", {
            let mut s = CertSpec::leaf("no ku", T0 - 60, T0 + 3600);
            s.key_usage = None;
            s
        }),
        ("leaf signed with ECDSA-SHA256", {
            let mut s = CertSpec::leaf("sha256", T0 - 60, T0 + 3600);
            s.sig_oid = OID_ECDSA_SHA256;
            s
        }),
    ];
    for (what, spec) in bad_leaves {
        let c = Chain::with_leaf(spec);
        let r = verify(&c, &Doc::standard(&c).encode(), &policy).unwrap();
        assert_eq!(
            failed_check(&r).as_deref(),
            Some(checks::CHAIN),
            "{what}: {r:#?}"
        );
    }
    // A look-alike chain: the test chain judged against the embedded AWS root.
    let doc = Doc::standard(&chain).encode();
    let r = verify_with_root(&doc, None, &policy, None, T0 + 60, &[]).unwrap();
    assert_eq!(failed_check(&r).as_deref(), Some(checks::CHAIN), "{r:#?}");
    // An attacker CA (self-issued with the instance CA's name) in cabundle signs the leaf.
    let attacker = forge::issue(
        &CertSpec::ca(
            "instance.test.nitro-enclaves",
            Some(0),
            T0 - 86_400,
            T0 + 86_400,
        ),
        forge::key("attacker"),
        None,
    );
    let leaf = forge::issue(
        &CertSpec::leaf("evil", T0 - 60, T0 + 3600),
        forge::key("evil-leaf"),
        Some(&attacker),
    );
    let mut d = Doc::standard(&chain);
    d.set("certificate", cbor_bytes(&leaf.cert));
    let mut bundle = chain.cabundle();
    bundle.push(attacker.cert.clone());
    d.set("cabundle", cabundle_entry(&bundle));
    d.signer = leaf.key.clone();
    fails_on(&chain, &d.encode(), &policy, checks::CHAIN);
    // The leaf one second after it expires (--at), and the chain at the document's time
    // when the document claims a time after the leaf expired.
    let leaf_end = T0 + 3 * 3600 - 60;
    let r = verify_with_root(
        &doc,
        Some(&chain.root.cert),
        &Policy::new().with_measurement(0, standard_pcrs()[0].1.clone()),
        Some(leaf_end + 1),
        0,
        &[],
    )
    .unwrap();
    assert_eq!(failed_check(&r).as_deref(), Some(checks::CHAIN), "{r:#?}");
    let r = verify_with_root(
        &doc,
        Some(&chain.root.cert),
        &Policy::new().with_measurement(0, standard_pcrs()[0].1.clone()),
        Some(leaf_end),
        0,
        &[],
    )
    .unwrap();
    assert!(r.ok(), "{r:#?}");
    let mut d = Doc::standard(&chain);
    d.set("timestamp", cbor_uint((leaf_end + 1) * 1000));
    let r = verify_with_root(
        &d.encode(),
        Some(&chain.root.cert),
        &Policy::new().with_measurement(0, standard_pcrs()[0].1.clone()),
        None,
        leaf_end + 10,
        &[],
    )
    .unwrap();
    assert_eq!(failed_check(&r).as_deref(), Some(checks::CHAIN), "{r:#?}");

    // nitro.time.timestamp: made an hour after the verification time (the chain is valid at
    // both).
    let mut late = Doc::standard(&chain);
    late.set("timestamp", cbor_uint((T0 + 3600) * 1000));
    let r = verify_with_root(
        &late.encode(),
        Some(&chain.root.cert),
        &policy,
        Some(T0),
        0,
        &[],
    )
    .unwrap();
    assert_eq!(
        failed_check(&r).as_deref(),
        Some(checks::TIMESTAMP),
        "{r:#?}"
    );

    // nitro.time.max-age: a day and a second old.
    let r = verify_with_root(
        &doc,
        Some(&chain.root.cert),
        &policy,
        None,
        T0 + 86_401,
        &[],
    )
    .unwrap();
    assert_eq!(failed_check(&r).as_deref(), Some(checks::MAX_AGE), "{r:#?}");

    // nitro.policy.debug: PCR0..2 zero; accepted only with --allow-debug, which is recorded.
    let mut pcrs = standard_pcrs();
    for p in pcrs.iter_mut().take(3) {
        p.1 = vec![0; 48];
    }
    let debug = Doc::with_pcrs(&chain, &pcrs).encode();
    let expect8 = Policy::new().with_measurement(8, pcrs[8].1.clone());
    fails_on(&chain, &debug, &expect8, checks::DEBUG);
    let r = verify_with_root(
        &debug,
        Some(&chain.root.cert),
        &expect8,
        None,
        T0 + 60,
        &[Insecure::AllowDebugEnclave],
    )
    .unwrap();
    assert!(r.ok(), "{r:#?}");
    assert_eq!(r.insecure(), [Insecure::AllowDebugEnclave]);
    assert!(r
        .warnings()
        .iter()
        .any(|w| w.starts_with("INSECURE: --allow-debug")));
    // Only some of them zero: refused even with --allow-debug.
    let mut pcrs = standard_pcrs();
    pcrs[1].1 = vec![0; 48];
    let odd = Doc::with_pcrs(&chain, &pcrs).encode();
    let r = verify_with_root(
        &odd,
        Some(&chain.root.cert),
        &expect8,
        None,
        T0 + 60,
        &[Insecure::AllowDebugEnclave],
    )
    .unwrap();
    assert_eq!(failed_check(&r).as_deref(), Some(checks::DEBUG), "{r:#?}");

    // nitro.policy.measurements: a wrong PCR, and one the document lacks.
    fails_on(
        &chain,
        &doc,
        &policy.clone().with_measurement(0, vec![9; 48]),
        checks::MEASUREMENTS,
    );
    fails_on(
        &chain,
        &doc,
        &policy.clone().with_measurement(20, vec![9; 48]),
        checks::MEASUREMENTS,
    );

    // nitro.policy.nonce, user-data, public-key: different, and absent.
    fails_on(
        &chain,
        &doc,
        &policy.clone().with_nonce(b"other".to_vec()),
        checks::NONCE,
    );
    fails_on(
        &chain,
        &doc,
        &policy.clone().with_user_data(b"other".to_vec()),
        checks::USER_DATA,
    );
    fails_on(
        &chain,
        &doc,
        &policy.clone().with_attested_public_key(b"other".to_vec()),
        checks::PUBLIC_KEY,
    );
    let mut d = Doc::standard(&chain);
    d.set("nonce", vec![CBOR_NULL]);
    fails_on(&chain, &d.encode(), &policy, checks::NONCE);
    let mut d = Doc::standard(&chain);
    d.remove("user_data");
    fails_on(&chain, &d.encode(), &policy, checks::USER_DATA);
}

#[test]
fn unreadable_documents_and_requests_are_errors() {
    let chain = Chain::new();
    let policy = full_policy();
    refused(
        &chain,
        &Doc::standard(&chain).encode(),
        &Policy::new(),
        "no expected measurements",
    );
    let std_doc = Doc::standard(&chain);
    let cases: Vec<(&str, Doc)> = vec![
        ("duplicate key", {
            let mut d = std_doc.clone();
            let e = d.entries[0].clone();
            d.entries.push(e);
            d
        }),
        ("unknown key", {
            let mut d = std_doc.clone();
            d.set("extra", cbor_uint(1));
            d
        }),
        ("trailing byte(s)", {
            let mut d = std_doc.clone();
            d.payload_trailer = vec![0x00];
            d
        }),
        ("must be an unsigned integer, found a tag", {
            let mut d = std_doc.clone();
            let mut v = vec![0xc1];
            v.extend(cbor_uint(T0 * 1000));
            d.set("timestamp", v);
            d
        }),
        ("indefinite-length (chunked) string", {
            let mut d = std_doc.clone();
            d.set("module_id", vec![0x7f, 0x61, b'i', 0xff]);
            d
        }),
        ("unprotected header: 1 parameter", {
            let mut d = std_doc.clone();
            d.unprotected = vec![0xa1, 0x04, 0x40];
            d
        }),
        ("required field certificate is missing", {
            let mut d = std_doc.clone();
            d.remove("certificate");
            d
        }),
        ("over the 1024-byte budget", {
            let mut d = std_doc.clone();
            d.set("user_data", cbor_bytes(&[1; 1025]));
            d
        }),
        ("index 32 is out of range", {
            let mut d = std_doc.clone();
            d.set("pcrs", pcrs_entry(&[(32, vec![0; 48])]));
            d
        }),
        ("cabundle must be a definite-length array", {
            let mut d = std_doc.clone();
            let mut v = vec![0x9f];
            for c in chain.cabundle() {
                v.extend(cbor_bytes(&c));
            }
            v.push(0xff);
            d.set("cabundle", v);
            d
        }),
        ("shortest encoding", {
            let mut d = std_doc.clone();
            d.set("timestamp", vec![0x1b, 0, 0, 0, 0, 0, 0, 0, 5]);
            d
        }),
        ("module_id must be a text string", {
            let mut d = std_doc.clone();
            d.set("module_id", cbor_bytes(b"i-0"));
            d
        }),
    ];
    for (says, d) in cases {
        refused(&chain, &d.encode(), &policy, says);
    }
    let mut d = Doc::standard(&chain);
    d.trailer = vec![0xf6];
    refused(&chain, &d.encode(), &policy, "trailing byte(s)");
    let mut d = Doc::standard(&chain);
    d.set("user_data", cbor_bytes(&[1; 1024]));
    d.set("nonce", cbor_bytes(&[1; 1024]));
    d.set("public_key", cbor_bytes(&[1; 1024]));
    d.set("cabundle", cabundle_entry(&vec![vec![0x30; 2100]; 8]));
    refused(&chain, &d.encode(), &policy, "over the 16384-byte budget");
    let mut tagged = vec![0xd3];
    tagged.extend(Doc::standard(&chain).encode());
    refused(&chain, &tagged, &policy, "tag 19 is not COSE_Sign1");
    refused(&chain, b"", &policy, "empty");
    refused(&chain, &[0x84, 0x40], &policy, "ends inside");
}
