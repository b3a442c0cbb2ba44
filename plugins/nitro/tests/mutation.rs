//! The mutation campaign.
//!
//! 1. **Structural mutants** (well over 500) of a document made under the test root CA, each
//!    re-signed with the leaf key so that only the mutation can reject it: duplicate, unknown,
//!    null and mistyped keys and values, tags, chunked strings, longer-than-needed encodings,
//!    trailing bytes, header and algorithm changes, an attacker CA in the bundle, shifted
//!    timestamps, PCR, nonce, user-data, public-key and debug changes. Every one must be
//!    rejected (an error, or a report that is not ok) under a policy that expects everything
//!    the original document says, except the documented equivalents, which must verify:
//!    tagged vs untagged, definite vs indefinite top-level map (AWS emits both), `s → n − s`
//!    (ECDSA verification does not enforce low S, and AWS signatures are not normalised),
//!    changes to the CA bundle that leave the path to the pinned root intact (it is a hint),
//!    and another module id (signed content that no policy constrains; reports show it).
//!
//! Every single-bit flip of the real documents is the benchmark binary `benches/mutation.rs`
//! (it needs release speed). Counts are printed (`cargo test -p plugin-nitro --test mutation
//! -- --nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use support::forge::*;
use support::{full_policy, verify};

/// The P-384 group order.
const N: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";

fn n_minus(s: &[u8]) -> Vec<u8> {
    let n = hex_bytes(N);
    let mut out = vec![0u8; 48];
    let mut borrow = 0i16;
    for i in (0..48).rev() {
        let mut d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    out
}

/// A value's head re-encoded one size longer than needed (same value).
fn longer_head(value: &[u8]) -> Option<Vec<u8>> {
    let first = *value.first()?;
    let major = first >> 5;
    let ai = first & 0x1f;
    if major == 7 || ai == 31 {
        return None;
    }
    let (arg, rest): (u64, &[u8]) = match ai {
        0..=23 => (u64::from(ai), &value[1..]),
        24 => (u64::from(value[1]), &value[2..]),
        25 => (
            u64::from(u16::from_be_bytes([value[1], value[2]])),
            &value[3..],
        ),
        26 => (
            u64::from(u32::from_be_bytes([value[1], value[2], value[3], value[4]])),
            &value[5..],
        ),
        _ => return None,
    };
    let mut head = match ai {
        0..=23 => vec![(major << 5) | 24, arg as u8],
        24 => {
            let mut h = vec![(major << 5) | 25];
            h.extend_from_slice(&(arg as u16).to_be_bytes());
            h
        }
        25 => {
            let mut h = vec![(major << 5) | 26];
            h.extend_from_slice(&(arg as u32).to_be_bytes());
            h
        }
        _ => {
            let mut h = vec![(major << 5) | 27];
            h.extend_from_slice(&arg.to_be_bytes());
            h
        }
    };
    head.extend_from_slice(rest);
    Some(head)
}

/// A definite string re-encoded as one chunk of an indefinite-length string.
fn chunked(value: &[u8]) -> Option<Vec<u8>> {
    let major = value.first()? >> 5;
    if major != 2 && major != 3 {
        return None;
    }
    let mut v = vec![(major << 5) | 31];
    v.extend_from_slice(value);
    v.push(0xff);
    Some(v)
}

fn tagged(tag: u64, value: &[u8]) -> Vec<u8> {
    let mut v = cbor_head(6, tag);
    v.extend_from_slice(value);
    v
}

/// Makes one pcrs entry (key, value) from an index and a PCR.
type PcrEntry<'a> = dyn Fn(u32, &[u8]) -> (Vec<u8>, Vec<u8>) + 'a;

#[derive(Debug)]
enum Expect {
    Reject,
    /// A documented equivalent: must verify.
    Accept,
}

struct Mutants {
    list: Vec<(String, Vec<u8>, Expect)>,
    base: Doc,
}

impl Mutants {
    fn doc(&mut self, name: impl Into<String>, f: impl FnOnce(&mut Doc)) {
        let mut d = self.base.clone();
        f(&mut d);
        self.list.push((name.into(), d.encode(), Expect::Reject));
    }

    fn bytes(&mut self, name: impl Into<String>, b: Vec<u8>, e: Expect) {
        self.list.push((name.into(), b, e));
    }
}

fn structural(chain: &Chain) -> Mutants {
    let base = Doc::standard(chain);
    let mut m = Mutants {
        list: Vec::new(),
        base: base.clone(),
    };
    let palette: Vec<(&str, Vec<u8>)> = vec![
        ("uint 0", cbor_uint(0)),
        ("uint 2^40", cbor_uint(1 << 40)),
        ("nint -1", vec![0x20]),
        ("empty bytes", cbor_bytes(b"")),
        ("48 zero bytes", cbor_bytes(&[0; 48])),
        ("empty text", cbor_text("")),
        ("text SHA384", cbor_text("SHA384")),
        ("text module id", cbor_text("i-x")),
        ("empty array", vec![0x80]),
        ("empty map", vec![0xa0]),
        ("null", vec![CBOR_NULL]),
        ("true", vec![0xf5]),
        ("undefined", vec![0xf7]),
        ("half float", vec![0xf9, 0x3c, 0x00]),
        ("tagged text", tagged(0, &cbor_text("x"))),
        ("array of bytes", cabundle_entry(&[vec![1, 2, 3]])),
    ];
    let n = base.entries.len();
    for k in 0..n {
        let (key, value) = base.entries[k].clone();
        let label = String::from_utf8_lossy(&key[1..]).to_string();
        for (what, v) in &palette {
            // A different module id is signed content no policy constrains (see the
            // equivalents below).
            if *v == value
                || (label == "module_id" && v.first().is_some_and(|b| b >> 5 == 3) && v.len() > 1)
            {
                continue;
            }
            let v = v.clone();
            m.doc(format!("{label} := {what}"), |d| d.entries[k].1 = v);
        }
        m.doc(format!("{label} duplicated"), |d| {
            let e = d.entries[k].clone();
            d.entries.push(e);
        });
        m.doc(format!("{label} duplicated with another value"), |d| {
            let key = d.entries[k].0.clone();
            d.entries.insert(0, (key, vec![CBOR_NULL]));
        });
        m.doc(format!("{label} removed"), |d| {
            d.entries.remove(k);
        });
        for t in [0u64, 2, 18, 24, 55799] {
            let kk = key.clone();
            m.doc(format!("{label} key in tag {t}"), |d| {
                d.entries[k].0 = tagged(t, &kk)
            });
            let vv = value.clone();
            m.doc(format!("{label} value in tag {t}"), |d| {
                d.entries[k].1 = tagged(t, &vv)
            });
        }
        let upper = label.to_uppercase();
        m.doc(format!("{label} key upper case"), |d| {
            d.entries[k].0 = cbor_text(&upper)
        });
        let spaced = format!("{label} ");
        m.doc(format!("{label} key with a space"), |d| {
            d.entries[k].0 = cbor_text(&spaced)
        });
        let as_bytes = cbor_bytes(label.as_bytes());
        m.doc(format!("{label} key as bytes"), |d| {
            d.entries[k].0 = as_bytes
        });
        if let Some(l) = longer_head(&key) {
            m.doc(format!("{label} key head longer"), |d| d.entries[k].0 = l);
        }
        if let Some(l) = longer_head(&value) {
            m.doc(format!("{label} value head longer"), |d| d.entries[k].1 = l);
        }
        if let Some(c) = chunked(&key) {
            m.doc(format!("{label} key chunked"), |d| d.entries[k].0 = c);
        }
        if let Some(c) = chunked(&value) {
            m.doc(format!("{label} value chunked"), |d| d.entries[k].1 = c);
        }
    }
    for name in [
        "module",
        "Module_id",
        "module_id2",
        "pcr",
        "pcrs2",
        "x",
        "",
        "\u{0}",
        "digest ",
        "certificates",
        "ca_bundle",
        "publicKey",
        "userData",
        "nonce2",
        "timestamp_ms",
        "signature",
        "payload",
        "kid",
        "alg",
        "debug",
    ] {
        m.doc(format!("unknown key {name:?}"), |d| {
            d.entries.push((cbor_text(name), cbor_uint(1)))
        });
    }
    // Inside pcrs and cabundle.
    let pcrs = standard_pcrs();
    let pcr_map = |f: &PcrEntry<'_>| {
        let mut v = cbor_head(5, pcrs.len() as u64);
        for (i, p) in &pcrs {
            let (k, val) = f(*i, p);
            v.extend(k);
            v.extend(val);
        }
        v
    };
    for target in 0..16u32 {
        let longer_key = pcr_map(&|i, p| {
            let k = cbor_uint(u64::from(i));
            (
                if i == target {
                    longer_head(&k).unwrap()
                } else {
                    k
                },
                cbor_bytes(p),
            )
        });
        m.doc(format!("PCR{target} index head longer"), |d| {
            d.set("pcrs", longer_key);
        });
        let longer_val = pcr_map(&|i, p| {
            let v = cbor_bytes(p);
            (
                cbor_uint(u64::from(i)),
                if i == target {
                    longer_head(&v).unwrap()
                } else {
                    v
                },
            )
        });
        m.doc(format!("PCR{target} value head longer"), |d| {
            d.set("pcrs", longer_val);
        });
        let chunk = pcr_map(&|i, p| {
            let v = cbor_bytes(p);
            (
                cbor_uint(u64::from(i)),
                if i == target { chunked(&v).unwrap() } else { v },
            )
        });
        m.doc(format!("PCR{target} value chunked"), |d| {
            d.set("pcrs", chunk);
        });
        let mut flipped = pcrs.clone();
        flipped[target as usize].1[7] ^= 0x20;
        m.doc(format!("PCR{target} changed"), |d| {
            d.set("pcrs", pcrs_entry(&flipped));
        });
        let mut removed = pcrs.clone();
        removed.remove(target as usize);
        m.doc(format!("PCR{target} removed"), |d| {
            d.set("pcrs", pcrs_entry(&removed));
        });
        let mut dup = pcrs.clone();
        dup.push(pcrs[target as usize].clone());
        m.doc(format!("PCR{target} duplicated"), |d| {
            d.set("pcrs", pcrs_entry(&dup));
        });
        let mut moved = pcrs.clone();
        moved[target as usize].0 = 16 + target;
        m.doc(format!("PCR{target} moved to {}", 16 + target), |d| {
            d.set("pcrs", pcrs_entry(&moved));
        });
        let tag_key = pcr_map(&|i, p| {
            let k = cbor_uint(u64::from(i));
            (if i == target { tagged(0, &k) } else { k }, cbor_bytes(p))
        });
        m.doc(format!("PCR{target} index tagged"), |d| {
            d.set("pcrs", tag_key);
        });
    }
    let mut debug = pcrs.clone();
    for p in debug.iter_mut().take(3) {
        p.1 = vec![0; 48];
    }
    m.doc("debug mode (PCR0..2 zero)", |d| {
        d.set("pcrs", pcrs_entry(&debug));
    });
    let mut indefinite_pcrs = vec![0xbf];
    for (i, p) in &pcrs {
        indefinite_pcrs.extend(cbor_uint(u64::from(*i)));
        indefinite_pcrs.extend(cbor_bytes(p));
    }
    indefinite_pcrs.push(0xff);
    m.doc("pcrs indefinite", |d| {
        d.set("pcrs", indefinite_pcrs);
    });
    let bundle = chain.cabundle();
    for j in 0..bundle.len() {
        let mut v = cbor_head(4, bundle.len() as u64);
        let mut c = cbor_head(4, bundle.len() as u64);
        for (i, cert) in bundle.iter().enumerate() {
            let b = cbor_bytes(cert);
            v.extend(if i == j {
                longer_head(&b).unwrap()
            } else {
                b.clone()
            });
            c.extend(if i == j { chunked(&b).unwrap() } else { b });
        }
        m.doc(format!("cabundle[{j}] head longer"), |d| {
            d.set("cabundle", v);
        });
        m.doc(format!("cabundle[{j}] chunked"), |d| {
            d.set("cabundle", c);
        });
        let mut broken = bundle.clone();
        broken[j][20] ^= 1;
        if j == 0 {
            // The bundle's root is a hint: the pinned root is the anchor (an equivalent).
            let mut d = m.base.clone();
            d.set("cabundle", cabundle_entry(&broken));
            m.bytes(
                "equivalent: cabundle[0] (the root) altered",
                d.encode(),
                Expect::Accept,
            );
        } else {
            m.doc(format!("cabundle[{j}] changed"), |d| {
                d.set("cabundle", cabundle_entry(&broken));
            });
        }
    }
    let mut indefinite_bundle = vec![0x9f];
    for c in &bundle {
        indefinite_bundle.extend(cbor_bytes(c));
    }
    indefinite_bundle.push(0xff);
    m.doc("cabundle indefinite", |d| {
        d.set("cabundle", indefinite_bundle);
    });
    m.doc("cabundle without intermediates", |d| {
        d.set("cabundle", cabundle_entry(&bundle[..1]));
    });
    // An attacker CA with the instance CA's name signs a leaf; placed in the bundle, or
    // replacing the instance CA.
    let attacker = issue(
        &CertSpec::ca(
            "instance.test.nitro-enclaves",
            Some(0),
            T0 - 86_400,
            T0 + 86_400,
        ),
        key("attacker"),
        None,
    );
    let evil = issue(
        &CertSpec::leaf("evil leaf", T0 - 60, T0 + 3600),
        key("evil"),
        Some(&attacker),
    );
    for replace in [false, true] {
        let mut b = bundle.clone();
        if replace {
            b[3] = attacker.cert.clone();
        } else {
            b.push(attacker.cert.clone());
        }
        let (leaf, k) = (evil.cert.clone(), evil.key.clone());
        m.doc(
            format!("attacker CA in cabundle (replacing: {replace})"),
            |d| {
                d.set("certificate", cbor_bytes(&leaf));
                d.set("cabundle", cabundle_entry(&b));
                d.signer = k;
            },
        );
    }
    let other_leaf = issue(
        &CertSpec::leaf("another leaf", T0 - 60, T0 + 3600),
        key("another"),
        Some(&chain.instance),
    );
    m.doc("certificate swapped for another valid leaf", |d| {
        d.set("certificate", cbor_bytes(&other_leaf.cert));
    });
    // Timestamps outside [now - max age, now + skew] or outside the leaf's life.
    for (what, ms) in [
        ("+10 min", (T0 + 600) * 1000),
        ("+1 h", (T0 + 3600) * 1000),
        ("+1 day", (T0 + 86_400) * 1000),
        ("+1 year", (T0 + 365 * 86_400) * 1000),
        ("-10 min", (T0 - 600) * 1000),
        ("-1 h", (T0 - 3600) * 1000),
        ("-1 day", (T0 - 86_400) * 1000),
        ("-1 year", (T0 - 365 * 86_400) * 1000),
        ("0", 0),
        ("max", u64::MAX),
        ("seconds instead of ms", T0),
        ("microseconds instead of ms", T0 * 1_000_000),
    ] {
        m.doc(format!("timestamp {what}"), |d| {
            d.set("timestamp", cbor_uint(ms));
        });
    }
    for (field, orig) in [
        ("nonce", NONCE),
        ("user_data", USER_DATA),
        ("public_key", PUBLIC_KEY),
    ] {
        let mut changed = orig.to_vec();
        changed[0] ^= 1;
        let mut longer = orig.to_vec();
        longer.push(0);
        for (what, v) in [
            ("changed", changed),
            ("truncated", orig[..orig.len() - 1].to_vec()),
            ("extended", longer),
        ] {
            m.doc(format!("{field} {what}"), |d| {
                d.set(field, cbor_bytes(&v));
            });
        }
    }
    for (what, v) in [
        ("SHA256", "SHA256"),
        ("sha384", "sha384"),
        ("SHA512", "SHA512"),
        ("SHA384 with NUL", "SHA384\0"),
    ] {
        m.doc(format!("digest {what}"), |d| {
            d.set("digest", cbor_text(v));
        });
    }
    // Trailing bytes.
    for b in [0x00u8, 0x01, 0x17, 0x40, 0x60, 0x80, 0xa0, 0xf6, 0xff, 0xbf] {
        m.doc(format!("payload trailing {b:#04x}"), |d| {
            d.payload_trailer = vec![b]
        });
        m.doc(format!("document trailing {b:#04x}"), |d| {
            d.trailer = vec![b]
        });
    }
    // Headers.
    for (what, p) in [
        ("ES256", vec![0xa1, 0x01, 0x26]),
        ("ES512", vec![0xa1, 0x01, 0x38, 0x23]),
        ("PS384", vec![0xa1, 0x01, 0x38, 0x25]),
        ("EdDSA", vec![0xa1, 0x01, 0x27]),
        (
            "alg as text",
            vec![0xa1, 0x01, 0x65, b'E', b'S', b'3', b'8', b'4'],
        ),
        ("alg + kid", vec![0xa2, 0x01, 0x38, 0x22, 0x04, 0x40]),
        ("alg + crit", vec![0xa2, 0x01, 0x38, 0x22, 0x02, 0x81, 0x01]),
        ("alg twice", vec![0xa2, 0x01, 0x38, 0x22, 0x01, 0x38, 0x22]),
        ("empty map", vec![0xa0]),
        ("empty", vec![]),
        ("indefinite map", vec![0xbf, 0x01, 0x38, 0x22, 0xff]),
        ("alg head longer", vec![0xa1, 0x01, 0x39, 0x00, 0x22]),
        ("label head longer", vec![0xa1, 0x18, 0x01, 0x38, 0x22]),
        ("trailing byte", vec![0xa1, 0x01, 0x38, 0x22, 0x00]),
        ("array", vec![0x82, 0x01, 0x38, 0x22]),
        ("alg in tag", vec![0xa1, 0x01, 0xc0, 0x38, 0x22]),
    ] {
        m.doc(format!("protected header {what}"), |d| d.protected = p);
    }
    for (what, u) in [
        ("alg", vec![0xa1, 0x01, 0x38, 0x22]),
        ("kid", vec![0xa1, 0x04, 0x40]),
        ("indefinite empty", vec![0xbf, 0xff]),
        ("array", vec![0x80]),
        ("null", vec![CBOR_NULL]),
        ("bytes", vec![0x40]),
        ("map head longer", vec![0xb8, 0x00]),
    ] {
        m.doc(format!("unprotected header {what}"), |d| d.unprotected = u);
    }
    // The outer structure, built by hand around a valid signature.
    let payload = base.payload();
    let good = base.encode();
    let sig_at = good.len() - 96;
    let sig = good[sig_at..].to_vec();
    let outer = |prefix: &[u8], parts: &[Vec<u8>], suffix: &[u8]| {
        let mut v = prefix.to_vec();
        for p in parts {
            v.extend_from_slice(p);
        }
        v.extend_from_slice(suffix);
        v
    };
    let parts = vec![
        cbor_bytes(&base.protected),
        base.unprotected.clone(),
        cbor_bytes(&payload),
        cbor_bytes(&sig),
    ];
    for (what, prefix) in [
        ("tag 17", vec![0xd1, 0x84]),
        ("tag 98", vec![0xd8, 0x62, 0x84]),
        ("tag 18 twice", vec![0xd2, 0xd2, 0x84]),
        ("tag 18 head longer", vec![0xd8, 0x12, 0x84]),
        ("tag 55799 then 18", vec![0xd9, 0xd9, 0xf7, 0xd2, 0x84]),
        ("array head longer", vec![0x98, 0x04]),
        ("map of 2", vec![0xa2]),
    ] {
        m.bytes(
            format!("outer {what}"),
            outer(&prefix, &parts, &[]),
            Expect::Reject,
        );
    }
    m.bytes(
        "outer indefinite array",
        outer(&[0x9f], &parts, &[0xff]),
        Expect::Reject,
    );
    m.bytes(
        "outer array of 3",
        outer(&[0x83], &parts[..3], &[]),
        Expect::Reject,
    );
    m.bytes(
        "outer array of 5",
        outer(&[0x85], &parts, &[CBOR_NULL]),
        Expect::Reject,
    );
    let mut text_sig = parts.clone();
    text_sig[3] = {
        let mut t = cbor_head(3, 96);
        t.extend(sig.iter().map(|b| b & 0x7f));
        t
    };
    m.bytes(
        "signature as text",
        outer(&[0x84], &text_sig, &[]),
        Expect::Reject,
    );
    let mut text_payload = parts.clone();
    text_payload[2] = {
        let mut t = cbor_head(3, payload.len() as u64);
        t.extend_from_slice(&payload);
        t
    };
    m.bytes(
        "payload as text",
        outer(&[0x84], &text_payload, &[]),
        Expect::Reject,
    );
    let mut null_payload = parts.clone();
    null_payload[2] = vec![CBOR_NULL];
    m.bytes(
        "payload null (detached)",
        outer(&[0x84], &null_payload, &[]),
        Expect::Reject,
    );
    // Signatures.
    let (r, s) = sig.split_at(48);
    for (what, new) in [
        ("r and s swapped", [s, r].concat()),
        ("zero", vec![0; 96]),
        ("r zero", [&[0u8; 48][..], s].concat()),
        ("s zero", [r, &[0u8; 48][..]].concat()),
        ("s = n", [r, &hex_bytes(N)[..]].concat()),
        ("97 bytes", [&sig[..], &[0u8]].concat()),
        ("95 bytes", sig[..95].to_vec()),
        ("DER form", {
            use p384::ecdsa::Signature;
            Signature::from_slice(&sig)
                .unwrap()
                .to_der()
                .as_bytes()
                .to_vec()
        }),
    ] {
        m.bytes(
            format!("signature {what}"),
            base.encode_with_signature(&payload, &new),
            Expect::Reject,
        );
    }
    // Documented equivalents.
    let high_s = [r, &n_minus(s)[..]].concat();
    m.bytes(
        "equivalent: s -> n - s",
        base.encode_with_signature(&payload, &high_s),
        Expect::Accept,
    );
    let mut t = base.clone();
    t.tagged = true;
    m.bytes("equivalent: tagged", t.encode(), Expect::Accept);
    let mut t = base.clone();
    t.indefinite = false;
    m.bytes(
        "equivalent: definite top-level map",
        t.encode(),
        Expect::Accept,
    );
    let mut d = base.clone();
    d.set(
        "module_id",
        cbor_text("i-0123456789abcdef0-enc0123456789abcdee"),
    );
    m.bytes(
        "equivalent: another module id (signed content no policy constrains; the report shows it)",
        d.encode(),
        Expect::Accept,
    );
    for (what, b) in [
        (
            "cabundle reversed",
            bundle.iter().rev().cloned().collect::<Vec<_>>(),
        ),
        ("cabundle without its root", bundle[1..].to_vec()),
        ("cabundle root replaced by an attacker root", {
            let mut b = bundle.clone();
            b[0] = attacker.cert.clone();
            b
        }),
    ] {
        let mut d = base.clone();
        d.set("cabundle", cabundle_entry(&b));
        m.bytes(format!("equivalent: {what}"), d.encode(), Expect::Accept);
    }
    m
}

#[test]
fn structural_mutants_are_rejected_except_documented_equivalents() {
    let chain = Chain::new();
    let policy = full_policy();
    let original = Doc::standard(&chain).encode();
    assert!(verify(&chain, &original, &policy).unwrap().ok());
    let m = structural(&chain);
    let mut rejected = 0;
    let mut equivalents = 0;
    let mut wrong = Vec::new();
    for (name, bytes, expect) in &m.list {
        let accepted = verify(&chain, bytes, &policy).is_ok_and(|r| r.ok());
        match (expect, accepted) {
            (Expect::Reject, false) => rejected += 1,
            (Expect::Accept, true) => equivalents += 1,
            _ => wrong.push(format!("{name}: expected {expect:?}")),
        }
    }
    println!(
        "structural mutants: {} ({rejected} rejected, {equivalents} documented equivalents accepted)",
        m.list.len()
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(rejected >= 500, "only {rejected} structural mutants");
}
