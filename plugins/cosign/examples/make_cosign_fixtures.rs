//! Writes fixtures/cosign from fixed inputs: a TEST-ONLY Fulcio-style CA (root and
//! intermediate), Rekor log key, CT log key, RFC 3161 timestamping authority, Fulcio leaf
//! certificates with embedded SCTs, Sigstore bundles (valid ones and one negative per check)
//! and `cases.tsv`, the expected verdict of each case. Fixed clock (signing time 2026-01-01T00:00:00Z), keys from fixed
//! seeds, RFC 6979 ECDSA P-256 and Ed25519 (both deterministic): the output is byte-for-byte
//! reproducible. `cargo run -p plugin-cosign --example make_cosign_fixtures -- OUT_DIR`; run
//! through fixtures/cosign/make-cosign-fixtures.sh (which also has `--check`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use merkle::{inclusion_proof, leaf_hash, root_from_inclusion_proof, Hash};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;
use std::path::Path;

/// Signing time: 2026-01-01T00:00:00Z.
const T_SIGN: i64 = 1_767_225_600;
/// Start of every trusted-root validity window: 2025-01-01T00:00:00Z.
const T_TRUST_START: i64 = 1_735_689_600;
/// End of the CA certificates' validity: 2035-01-01T00:00:00Z.
const T_CA_END: i64 = 2_051_222_400;
const SAN: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const SAN_EMAIL: &str = "release-bot@acme.example";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const REKOR_ORIGIN: &str = "rekor.fixtures.prov-verify.test - 1";
const ARTIFACT: &[u8] = b"prov-verify cosign fixture artifact (TEST ONLY)\n";
const OTHER_ARTIFACT: &[u8] = b"another artifact (TEST ONLY)\n";
/// A small JSON release manifest (audit-pack's `*.manifest.json` + `*.manifest.json.sigstore.json`).
const MANIFEST: &[u8] = b"{\"artifacts\":[{\"name\":\"app-1.0.0.tar.gz\",\"sha256\":\"9f2c4a7e1b3d5f6a8c0e2d4b6a8f0c1e3d5b7a9c1e3f5d7b9a1c3e5f7d9b1a3c\"}],\"release\":\"app\",\"version\":\"1.0.0\"}\n";
const MT_V01: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";
const MT_V02: &str = "application/vnd.dev.sigstore.bundle+json;version=0.2";
const MT_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

// ---- DER ----

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    for a in std::iter::once(arcs[0] * 40 + arcs[1]).chain(arcs[2..].iter().copied()) {
        let mut chunk = vec![(a & 0x7f) as u8];
        let mut v = a >> 7;
        while v > 0 {
            chunk.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        chunk.reverse();
        body.extend_from_slice(&chunk);
    }
    tlv(0x06, &body)
}

fn int(v: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = v
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    if bytes.first().map_or(true, |b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    tlv(0x02, &bytes)
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut c = vec![0u8];
    c.extend_from_slice(bytes);
    tlv(0x03, &c)
}

fn days_to_civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// UTCTime (all fixture dates are before 2050).
fn utc_time(t: i64) -> Vec<u8> {
    let (y, m, d) = days_to_civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    let text = format!(
        "{:02}{m:02}{d:02}{:02}{:02}{:02}Z",
        y % 100,
        s / 3600,
        s / 60 % 60,
        s % 60
    );
    tlv(0x17, text.as_bytes())
}

fn rfc3339(t: i64) -> String {
    let (y, m, d) = days_to_civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn name(org: &str, cn: &str) -> Vec<u8> {
    seq(&[
        tlv(
            0x31,
            &seq(&[oid(&[2, 5, 4, 10]), tlv(0x0c, org.as_bytes())]),
        ),
        tlv(0x31, &seq(&[oid(&[2, 5, 4, 3]), tlv(0x0c, cn.as_bytes())])),
    ])
}

fn ext(id: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(tlv(0x01, &[0xff]));
    }
    parts.push(tlv(0x04, value));
    seq(&parts)
}

fn ecdsa_sha256_alg() -> Vec<u8> {
    seq(&[oid(&[1, 2, 840, 10045, 4, 3, 2])])
}

// ---- keys ----

fn p256_key(label: &str) -> SigningKey {
    let seed = Sha256::digest(format!("prov-verify cosign TEST-ONLY key: {label}"));
    SigningKey::from_bytes(&seed).unwrap()
}

fn p256_spki(k: &SigningKey) -> Vec<u8> {
    let point = k.verifying_key().to_encoded_point(false);
    seq(&[
        seq(&[
            oid(&[1, 2, 840, 10045, 2, 1]),
            oid(&[1, 2, 840, 10045, 3, 1, 7]),
        ]),
        bit_string(point.as_bytes()),
    ])
}

fn ecdsa_sign(k: &SigningKey, msg: &[u8]) -> Vec<u8> {
    let sig: Signature = k.sign(msg);
    sig.to_der().as_bytes().to_vec()
}

fn ed25519_key(label: &str) -> Ed25519KeyPair {
    let seed = Sha256::digest(format!("prov-verify cosign TEST-ONLY key: {label}"));
    Ed25519KeyPair::from_seed_unchecked(&seed).unwrap()
}

fn ed25519_spki(k: &Ed25519KeyPair) -> Vec<u8> {
    seq(&[
        seq(&[oid(&[1, 3, 101, 112])]),
        bit_string(k.public_key().as_ref()),
    ])
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn pem(label: &str, der: &[u8]) -> String {
    let mut out = format!("-----BEGIN {label}-----\n");
    let text = b64(der);
    for chunk in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    writeln!(out, "-----END {label}-----").unwrap();
    out
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

// ---- certificates ----

struct Ca {
    key: SigningKey,
    subject: Vec<u8>,
    der: Vec<u8>,
}

fn certificate(tbs: Vec<u8>, signer: &SigningKey) -> Vec<u8> {
    let sig = ecdsa_sign(signer, &tbs);
    seq(&[tbs, ecdsa_sha256_alg(), bit_string(&sig)])
}

fn tbs(
    serial: u64,
    issuer: &[u8],
    not_before: i64,
    not_after: i64,
    subject: &[u8],
    spki: &[u8],
    exts: &[Vec<u8>],
) -> Vec<u8> {
    seq(&[
        tlv(0xa0, &int(2)),
        int(serial),
        ecdsa_sha256_alg(),
        issuer.to_vec(),
        seq(&[utc_time(not_before), utc_time(not_after)]),
        subject.to_vec(),
        spki.to_vec(),
        tlv(0xa3, &seq(exts)),
    ])
}

/// A key identifier (RFC 5280 §4.2.1.2 leaves the method open): the first 20 bytes of the
/// SHA-256 of the SubjectPublicKeyInfo DER.
fn key_id(spki: &[u8]) -> Vec<u8> {
    sha256(spki)[..20].to_vec()
}

/// subjectKeyIdentifier (RFC 5280 §4.2.1.2: in every CA certificate).
fn ski_ext(spki: &[u8]) -> Vec<u8> {
    ext(&[2, 5, 29, 14], false, &tlv(0x04, &key_id(spki)))
}

/// authorityKeyIdentifier with the issuer's key identifier (RFC 5280 §4.2.1.1: in every
/// certificate that is not self-signed).
fn aki_ext(issuer_spki: &[u8]) -> Vec<u8> {
    ext(
        &[2, 5, 29, 35],
        false,
        &seq(&[tlv(0x80, &key_id(issuer_spki))]),
    )
}

fn ca_exts(spki: &[u8], issuer_spki: Option<&[u8]>) -> Vec<Vec<u8>> {
    let mut exts = vec![
        // keyUsage: keyCertSign, cRLSign
        ext(&[2, 5, 29, 15], true, &tlv(0x03, &[0x01, 0x06])),
        // basicConstraints: CA
        ext(&[2, 5, 29, 19], true, &seq(&[tlv(0x01, &[0xff])])),
        ski_ext(spki),
    ];
    if let Some(i) = issuer_spki {
        exts.push(aki_ext(i));
    }
    exts
}

fn ca(label: &str, cn: &str, serial: u64, parent: Option<&Ca>) -> Ca {
    let key = p256_key(label);
    let subject = name("prov-verify fixtures (TEST ONLY)", cn);
    let (issuer, signer) = match parent {
        Some(p) => (p.subject.clone(), &p.key),
        None => (subject.clone(), &key),
    };
    let parent_spki = parent.map(|p| p256_spki(&p.key));
    let t = tbs(
        serial,
        &issuer,
        T_TRUST_START,
        T_CA_END,
        &subject,
        &p256_spki(&key),
        &ca_exts(&p256_spki(&key), parent_spki.as_deref()),
    );
    let der = certificate(t, signer);
    Ca { key, subject, der }
}

enum San<'a> {
    Uri(&'a str),
    Email(&'a str),
}

struct LeafSpec<'a> {
    label: &'a str,
    serial: u64,
    san: San<'a>,
    issuer: &'a str,
    not_before: i64,
    not_after: i64,
    /// CT logs that issue an SCT (at `not_before`).
    ct_logs: &'a [&'a SigningKey],
    /// What is wrong with the leaf's key purposes (negatives of `cosign.signer.certificate`).
    usage: LeafUsage,
}

/// The key-usage extensions of a Fulcio-style leaf.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LeafUsage {
    /// digitalSignature, codeSigning, cA=FALSE: what Fulcio issues.
    CodeSigning,
    /// cA=TRUE with digitalSignature + keyCertSign and codeSigning: a CA posing as a signer.
    Ca,
    /// serverAuth instead of codeSigning.
    NoCodeSigning,
    /// cA=FALSE but keyCertSign beside digitalSignature (RFC 5280 4.2.1.3: only CAs).
    KeyCertSign,
}

struct LeafCert {
    key: SigningKey,
    der: Vec<u8>,
}

/// A Fulcio-style leaf: empty subject, SAN, OIDC issuer (v1 raw and v2 UTF8String),
/// codeSigning, and an embedded SCT list signed over the precertificate TBS.
fn leaf(spec: &LeafSpec<'_>, ca: &Ca) -> LeafCert {
    let key = p256_key(spec.label);
    let spki = p256_spki(&key);
    let san = match spec.san {
        San::Uri(u) => tlv(0x86, u.as_bytes()),
        San::Email(e) => tlv(0x81, e.as_bytes()),
    };
    // keyUsage bits: digitalSignature (0x80, 7 unused bits) or with keyCertSign (0x84, 2).
    let key_usage: &[u8] = match spec.usage {
        LeafUsage::Ca | LeafUsage::KeyCertSign => &[0x02, 0x84],
        LeafUsage::CodeSigning | LeafUsage::NoCodeSigning => &[0x07, 0x80],
    };
    let purpose = match spec.usage {
        LeafUsage::NoCodeSigning => oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]),
        _ => oid(&[1, 3, 6, 1, 5, 5, 7, 3, 3]),
    };
    let basic_constraints = match spec.usage {
        LeafUsage::Ca => seq(&[tlv(0x01, &[0xff])]),
        _ => seq(&[]),
    };
    let exts = vec![
        ext(&[2, 5, 29, 15], true, &tlv(0x03, key_usage)),
        ext(&[2, 5, 29, 37], false, &seq(&[purpose])),
        ext(&[2, 5, 29, 19], true, &basic_constraints),
        ext(&[2, 5, 29, 17], true, &seq(&[san])),
        aki_ext(&p256_spki(&ca.key)),
        ext(
            &[1, 3, 6, 1, 4, 1, 57264, 1, 1],
            false,
            spec.issuer.as_bytes(),
        ),
        ext(
            &[1, 3, 6, 1, 4, 1, 57264, 1, 8],
            false,
            &tlv(0x0c, spec.issuer.as_bytes()),
        ),
    ];
    let subject = seq(&[]);
    let pre_tbs = tbs(
        spec.serial,
        &ca.subject,
        spec.not_before,
        spec.not_after,
        &subject,
        &spki,
        &exts,
    );
    // RFC 6962 §3.2 precertificate SCT, signed over the TBS without the SCT list.
    let issuer_key_hash = sha256(&p256_spki(&ca.key));
    let ts_ms = u64::try_from(spec.not_before).unwrap() * 1000;
    let mut list = Vec::new();
    for log in spec.ct_logs {
        let mut msg = vec![0u8, 0u8];
        msg.extend_from_slice(&ts_ms.to_be_bytes());
        msg.extend_from_slice(&[0, 1]);
        msg.extend_from_slice(&issuer_key_hash);
        msg.extend_from_slice(&u32::try_from(pre_tbs.len()).unwrap().to_be_bytes()[1..]);
        msg.extend_from_slice(&pre_tbs);
        msg.extend_from_slice(&[0, 0]);
        let sig = ecdsa_sign(log, &msg);
        let mut sct = vec![0u8];
        sct.extend_from_slice(&sha256(&p256_spki(log)));
        sct.extend_from_slice(&ts_ms.to_be_bytes());
        sct.extend_from_slice(&[0, 0, 4, 3]);
        sct.extend_from_slice(&u16::try_from(sig.len()).unwrap().to_be_bytes());
        sct.extend_from_slice(&sig);
        list.extend_from_slice(&u16::try_from(sct.len()).unwrap().to_be_bytes());
        list.extend_from_slice(&sct);
    }
    let mut tls = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
    tls.extend_from_slice(&list);
    let mut all = exts;
    all.push(ext(
        &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
        false,
        &tlv(0x04, &tls),
    ));
    let t = tbs(
        spec.serial,
        &ca.subject,
        spec.not_before,
        spec.not_after,
        &subject,
        &spki,
        &all,
    );
    LeafCert {
        der: certificate(t, &ca.key),
        key,
    }
}

// ---- Rekor v1 ----

/// What to break in a log entry (one negative each).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tamper {
    None,
    Set,
    InclusionProof,
    CheckpointSignature,
}

const LOG_INDEX: u64 = 4;
const TREE_SIZE: u64 = 7;

fn checkpoint_body(root: &Hash) -> String {
    format!("{REKOR_ORIGIN}\n{TREE_SIZE}\n{}\n", b64(root.as_bytes()))
}

/// A Rekor v1 entry (`kind` `version`) with `body`, integrated at `T_SIGN`: SET, inclusion
/// proof at index 4 of a 7-leaf tree, and a checkpoint signed by `log`.
fn tlog_entry(kind: &str, body: &[u8], log: &SigningKey, tamper: Tamper) -> Value {
    let spki = p256_spki(log);
    let log_id = sha256(&spki);
    let set_payload = |index: u64| {
        format!(
            "{{\"body\":\"{}\",\"integratedTime\":{T_SIGN},\"logID\":\"{}\",\"logIndex\":{index}}}",
            b64(body),
            hex::encode(log_id)
        )
    };
    // A signature by the log key, but over another log index.
    let set_index = if tamper == Tamper::Set {
        LOG_INDEX + 1
    } else {
        LOG_INDEX
    };
    let set = ecdsa_sign(log, set_payload(set_index).as_bytes());
    let mut leaves: Vec<Hash> = (0..TREE_SIZE)
        .map(|i| leaf_hash(format!("prov-verify fixture log entry {i}").as_bytes()))
        .collect();
    leaves[LOG_INDEX as usize] = leaf_hash(body);
    let mut path = inclusion_proof(&leaves, TREE_SIZE, LOG_INDEX).unwrap();
    let root = root_from_inclusion_proof(LOG_INDEX, TREE_SIZE, &leaves[LOG_INDEX as usize], &path)
        .unwrap();
    if tamper == Tamper::InclusionProof {
        path[0].0[0] ^= 1;
    }
    let shown = checkpoint_body(&root);
    // A signature by the log key (right key hint), but over a checkpoint of another tree.
    let signed = if tamper == Tamper::CheckpointSignature {
        checkpoint_body(&Hash([0x5a; 32]))
    } else {
        shown.clone()
    };
    let mut sig = log_id[..4].to_vec();
    sig.extend_from_slice(&ecdsa_sign(log, signed.as_bytes()));
    let name = REKOR_ORIGIN.split(' ').next().unwrap();
    let envelope = format!("{shown}\n\u{2014} {name} {}\n", b64(&sig));
    let (kind_name, version) = kind.split_once(' ').unwrap();
    json!({
        "logIndex": LOG_INDEX.to_string(),
        "logId": {"keyId": b64(&log_id)},
        "kindVersion": {"kind": kind_name, "version": version},
        "integratedTime": T_SIGN.to_string(),
        "inclusionPromise": {"signedEntryTimestamp": b64(&set)},
        "inclusionProof": {
            "logIndex": LOG_INDEX.to_string(),
            "rootHash": b64(root.as_bytes()),
            "treeSize": TREE_SIZE.to_string(),
            "hashes": path.iter().map(|h| b64(h.as_bytes())).collect::<Vec<_>>(),
            "checkpoint": {"envelope": envelope},
        },
        "canonicalizedBody": b64(body),
    })
}

fn hashedrekord_body(digest: &[u8; 32], sig: &[u8], verifier_pem: &str) -> Vec<u8> {
    // Canonical JSON: keys sorted, no whitespace (serde_json's map is sorted).
    serde_json::to_vec(&json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hex::encode(digest)}},
            "signature": {"content": b64(sig), "publicKey": {"content": b64(verifier_pem.as_bytes())}},
        },
    }))
    .unwrap()
}

fn dsse_body(envelope_json: &[u8], payload: &[u8], sig: &[u8], verifier_pem: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hex::encode(sha256(envelope_json))},
            "payloadHash": {"algorithm": "sha256", "value": hex::encode(sha256(payload))},
            "signatures": [{"signature": b64(sig), "verifier": b64(verifier_pem.as_bytes())}],
        },
    }))
    .unwrap()
}

// ---- bundles ----

enum Material<'a> {
    /// v0.3 `certificate`.
    Cert(&'a [u8]),
    /// v0.1 / v0.2 `x509CertificateChain` (leaf, intermediate).
    Chain(&'a [u8], &'a [u8]),
    /// `publicKey` with a hint.
    Key(&'a str),
}

fn material(m: &Material<'_>, entry: Value) -> Value {
    match m {
        Material::Cert(d) => json!({"certificate": {"rawBytes": b64(d)}, "tlogEntries": [entry]}),
        Material::Chain(l, i) => json!({
            "x509CertificateChain": {"certificates": [{"rawBytes": b64(l)}, {"rawBytes": b64(i)}]},
            "tlogEntries": [entry],
        }),
        Material::Key(hint) => json!({"publicKey": {"hint": hint}, "tlogEntries": [entry]}),
    }
}

enum Sign<'a> {
    P256(&'a SigningKey),
    Ed25519(&'a Ed25519KeyPair),
}

impl Sign<'_> {
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match self {
            Sign::P256(k) => ecdsa_sign(k, msg),
            Sign::Ed25519(k) => k.sign(msg).as_ref().to_vec(),
        }
    }
}

struct MessageSpec<'a> {
    media_type: &'a str,
    material: Material<'a>,
    signer: Sign<'a>,
    /// PEM recorded in the log entry (certificate or public key).
    verifier_pem: String,
    log: &'a SigningKey,
    tamper: Tamper,
    /// The digest the bundle claims (defaults to the artifact's).
    claimed_digest: Option<[u8; 32]>,
}

fn message_bundle(s: &MessageSpec<'_>) -> Value {
    message_bundle_over(s, ARTIFACT)
}

/// As [`message_bundle`], over another artifact.
fn message_bundle_over(s: &MessageSpec<'_>, artifact: &[u8]) -> Value {
    let digest = sha256(artifact);
    let sig = s.signer.sign(artifact);
    let body = hashedrekord_body(&digest, &sig, &s.verifier_pem);
    let entry = tlog_entry("hashedrekord 0.0.1", &body, s.log, s.tamper);
    json!({
        "mediaType": s.media_type,
        "verificationMaterial": material(&s.material, entry),
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64(&s.claimed_digest.unwrap_or(digest))},
            "signature": b64(&sig),
        },
    })
}

fn statement(digest: &[u8; 32]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "artifact.txt", "digest": {"sha256": hex::encode(digest)}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "https://prov-verify.test/fixture/v1"}},
    }))
    .unwrap()
}

/// A DSSE envelope over the in-toto `payload`, signed by `cert`'s key, and its `dsse` 0.0.1
/// entry in `log`: (envelope, tlog entry).
fn signed_envelope(payload: &[u8], cert: &LeafCert, log: &SigningKey) -> (Value, Value) {
    let payload_type = "application/vnd.in-toto+json";
    let mut pae = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(payload);
    let sig = ecdsa_sign(&cert.key, &pae);
    let envelope = json!({
        "payload": b64(payload),
        "payloadType": payload_type,
        "signatures": [{"sig": b64(&sig), "keyid": ""}],
    });
    let body = dsse_body(
        &serde_json::to_vec(&envelope).unwrap(),
        payload,
        &sig,
        &pem("CERTIFICATE", &cert.der),
    );
    let entry = tlog_entry("dsse 0.0.1", &body, log, Tamper::None);
    (envelope, entry)
}

fn dsse_bundle(cert: &LeafCert, subject_digest: &[u8; 32], log: &SigningKey) -> Value {
    let (envelope, entry) = signed_envelope(&statement(subject_digest), cert, log);
    json!({
        "mediaType": MT_V03,
        "verificationMaterial": material(&Material::Cert(&cert.der), entry),
        "dsseEnvelope": envelope,
    })
}

// ---- RFC 3161 ----

/// A TEST-ONLY timestamping authority: a root CA and a leaf with the timeStamping EKU.
struct Tsa {
    root: Ca,
    leaf_key: SigningKey,
    leaf_der: Vec<u8>,
    leaf_serial: u64,
}

fn tsa() -> Tsa {
    let root = ca("tsa-root", "prov-verify fixture TSA root", 10, None);
    let leaf_key = p256_key("tsa-leaf");
    let leaf_serial = 11;
    let subject = name(
        "prov-verify fixtures (TEST ONLY)",
        "prov-verify fixture TSA",
    );
    let exts = vec![
        ext(&[2, 5, 29, 15], true, &tlv(0x03, &[0x07, 0x80])),
        ext(
            &[2, 5, 29, 37],
            true,
            &seq(&[oid(&[1, 3, 6, 1, 5, 5, 7, 3, 8])]),
        ),
        aki_ext(&p256_spki(&root.key)),
    ];
    let t = tbs(
        leaf_serial,
        &root.subject,
        T_TRUST_START,
        T_CA_END,
        &subject,
        &p256_spki(&leaf_key),
        &exts,
    );
    let leaf_der = certificate(t, &root.key);
    Tsa {
        root,
        leaf_key,
        leaf_der,
        leaf_serial,
    }
}

fn sha256_alg() -> Vec<u8> {
    seq(&[oid(&[2, 16, 840, 1, 101, 3, 4, 2, 1])])
}

/// A certificate that signs timestamps: its key, DER, serial and issuer Name.
struct TsaSigner {
    key: SigningKey,
    der: Vec<u8>,
    serial: u64,
    issuer: Vec<u8>,
}

/// What a TSA signer certificate under `ca` carries (negatives of the RFC 3161 §2.3 rules).
#[derive(Clone, Copy, PartialEq, Eq)]
enum TsaUsage {
    /// keyUsage digitalSignature, extendedKeyUsage timeStamping only, critical.
    Good,
    /// extendedKeyUsage timeStamping, not critical.
    EkuNotCritical,
    /// extendedKeyUsage timeStamping and codeSigning, critical.
    EkuExtra,
    /// No extendedKeyUsage.
    EkuMissing,
    /// basicConstraints cA=TRUE, keyUsage digitalSignature + keyCertSign.
    Ca,
    /// keyUsage keyCertSign only.
    KeyCertSignOnly,
}

fn tsa_signer(label: &str, serial: u64, usage: TsaUsage, ca: &Ca) -> TsaSigner {
    let key = p256_key(label);
    let subject = name(
        "prov-verify fixtures (TEST ONLY)",
        &format!("prov-verify fixture TSA signer {label}"),
    );
    let stamping = oid(&[1, 3, 6, 1, 5, 5, 7, 3, 8]);
    let mut exts = Vec::new();
    if usage == TsaUsage::Ca {
        exts.push(ext(&[2, 5, 29, 19], true, &seq(&[tlv(0x01, &[0xff])])));
    }
    let key_usage: &[u8] = match usage {
        TsaUsage::Ca => &[0x02, 0x84],
        TsaUsage::KeyCertSignOnly => &[0x02, 0x04],
        _ => &[0x07, 0x80],
    };
    exts.push(ext(&[2, 5, 29, 15], true, &tlv(0x03, key_usage)));
    match usage {
        TsaUsage::EkuMissing => {}
        TsaUsage::EkuNotCritical => exts.push(ext(&[2, 5, 29, 37], false, &seq(&[stamping]))),
        TsaUsage::EkuExtra => exts.push(ext(
            &[2, 5, 29, 37],
            true,
            &seq(&[stamping, oid(&[1, 3, 6, 1, 5, 5, 7, 3, 3])]),
        )),
        _ => exts.push(ext(&[2, 5, 29, 37], true, &seq(&[stamping]))),
    }
    exts.push(aki_ext(&p256_spki(&ca.key)));
    let t = tbs(
        serial,
        &ca.subject,
        T_TRUST_START,
        T_CA_END,
        &subject,
        &p256_spki(&key),
        &exts,
    );
    TsaSigner {
        der: certificate(t, &ca.key),
        key,
        serial,
        issuer: ca.subject.clone(),
    }
}

/// The ESS signing-certificate attribute of a timestamp (RFC 2634 / RFC 5035).
enum Ess<'a> {
    /// None at all.
    Absent,
    /// signingCertificate (ESSCertID: SHA-1) of `cert`, with issuerSerial (issuer, serial).
    V1(&'a [u8], Option<(&'a [u8], u64)>),
    /// signingCertificateV2 (ESSCertIDv2, SHA-256 by default) of `cert`, with issuerSerial.
    V2(&'a [u8], Option<(&'a [u8], u64)>),
}

fn issuer_serial(issuer: &[u8], serial: u64) -> Vec<u8> {
    // IssuerSerial ::= SEQUENCE { issuer GeneralNames (one directoryName [4]), serial }
    seq(&[seq(&[tlv(0xa4, issuer)]), int(serial)])
}

fn ess_attribute(ess: &Ess<'_>) -> Option<Vec<u8>> {
    let (attr_oid, cert_id) = match ess {
        Ess::Absent => return None,
        Ess::V1(cert, is) => {
            let hash = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert);
            let mut parts = vec![tlv(0x04, hash.as_ref())];
            parts.extend(is.map(|(i, n)| issuer_serial(i, n)));
            (oid(&[1, 2, 840, 113549, 1, 9, 16, 2, 12]), seq(&parts))
        }
        Ess::V2(cert, is) => {
            let mut parts = vec![tlv(0x04, &sha256(cert))];
            parts.extend(is.map(|(i, n)| issuer_serial(i, n)));
            (oid(&[1, 2, 840, 113549, 1, 9, 16, 2, 47]), seq(&parts))
        }
    };
    Some(seq(&[attr_oid, tlv(0x31, &seq(&[seq(&[cert_id])]))]))
}

/// A DER TimeStampToken (CMS SignedData over a TSTInfo) with genTime `T_SIGN` over the
/// SHA-256 of `signature`, signed by the TSA leaf (embedded), with the content-type,
/// message-digest and signing-certificate-v2 signed attributes.
fn timestamp_token(tsa: &Tsa, signature: &[u8]) -> Vec<u8> {
    let signer = TsaSigner {
        key: tsa.leaf_key.clone(),
        der: tsa.leaf_der.clone(),
        serial: tsa.leaf_serial,
        issuer: tsa.root.subject.clone(),
    };
    timestamp_token_by(&signer, signature, &Ess::V2(&tsa.leaf_der, None))
}

/// [`timestamp_token`] signed by `signer` (embedded), with the ESS attribute `ess`.
fn timestamp_token_by(signer: &TsaSigner, signature: &[u8], ess: &Ess<'_>) -> Vec<u8> {
    let oid_tst_info = oid(&[1, 2, 840, 113549, 1, 9, 16, 1, 4]);
    let (y, m, d) = days_to_civil(T_SIGN.div_euclid(86_400));
    let s = T_SIGN.rem_euclid(86_400);
    let gen_time = format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
    let tst_info = seq(&[
        int(1),
        oid(&[2, 999, 1]), // the example arc (ITU-T X.660)
        seq(&[sha256_alg(), tlv(0x04, &sha256(signature))]),
        int(0x7157),
        tlv(0x18, gen_time.as_bytes()),
    ]);
    let mut attrs = vec![
        seq(&[oid(&[1, 2, 840, 113549, 1, 9, 3]), tlv(0x31, &oid_tst_info)]),
        seq(&[
            oid(&[1, 2, 840, 113549, 1, 9, 4]),
            tlv(0x31, &tlv(0x04, &sha256(&tst_info))),
        ]),
    ];
    attrs.extend(ess_attribute(ess));
    attrs.sort(); // DER SET OF: sorted encodings
    let attrs = attrs.concat();
    let sig = ecdsa_sign(&signer.key, &tlv(0x31, &attrs));
    let signer_info = seq(&[
        int(1),
        seq(&[signer.issuer.clone(), int(signer.serial)]),
        sha256_alg(),
        tlv(0xa0, &attrs),
        ecdsa_sha256_alg(),
        tlv(0x04, &sig),
    ]);
    let signed_data = seq(&[
        int(3),
        tlv(0x31, &sha256_alg()),
        seq(&[oid_tst_info.clone(), tlv(0xa0, &tlv(0x04, &tst_info))]),
        tlv(0xa0, &signer.der),
        tlv(0x31, &signer_info),
    ]);
    seq(&[oid(&[1, 2, 840, 113549, 1, 7, 2]), tlv(0xa0, &signed_data)])
}

/// Adds an RFC 3161 timestamp over `imprinted` (the bundle's signature bytes, or others for
/// a negative) to a message-signature bundle.
fn with_timestamp(bundle: Value, tsa: &Tsa, imprinted: Option<&[u8]>) -> Value {
    with_token(bundle, |sig| timestamp_token(tsa, imprinted.unwrap_or(sig)))
}

/// Adds the RFC 3161 timestamp `token(signature bytes)` to a message-signature bundle.
fn with_token(mut bundle: Value, token: impl FnOnce(&[u8]) -> Vec<u8>) -> Value {
    let sig = base64::engine::general_purpose::STANDARD
        .decode(bundle["messageSignature"]["signature"].as_str().unwrap())
        .unwrap();
    let token = token(&sig);
    bundle["verificationMaterial"]["timestampVerificationData"] =
        json!({"rfc3161Timestamps": [{"signedTimestamp": b64(&token)}]});
    bundle
}

// ---- trusted root ----

fn log_json(base_url: &str, spki: &[u8], details: &str) -> Value {
    json!({
        "baseUrl": base_url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": b64(spki),
            "keyDetails": details,
            "validFor": {"start": rfc3339(T_TRUST_START)},
        },
        "logId": {"keyId": b64(&sha256(spki))},
    })
}

fn write(dir: &Path, file: &str, bytes: &[u8]) {
    std::fs::write(dir.join(file), bytes).unwrap();
}

fn write_json(dir: &Path, file: &str, v: &Value) {
    let mut s = serde_json::to_string_pretty(v).unwrap();
    s.push('\n');
    write(dir, file, s.as_bytes());
}

/// Why a negative case must fail: a phrase of the failing check's detail ("-" for valid cases).
fn reason(case: &str) -> &'static str {
    match case {
        "wrong-identity" | "identity-regexp-not-anchored" => "SAN",
        "wrong-issuer" | "issuer-regexp-not-anchored" => "issuer",
        "expired-cert" => "outside the certificate's validity",
        "bad-set" => "signed entry timestamp does not verify",
        "bad-inclusion-proof" => "inclusion proof does not verify",
        "bad-checkpoint-signature" => "checkpoint signature",
        "digest-mismatch" | "wrong-artifact" => "message digest",
        "dsse-subject-mismatch" => "subject",
        "wrong-key" => "does not verify",
        "sct-unknown-ctlog" => "no SCT from a CT log in the trusted root",
        "untrusted-ca" => "no certificate authority",
        "rekor-unknown-log" => "not in the trusted root",
        "tsa-wrong-imprint" => "message imprint",
        "leaf-ca" => "the signing certificate is a CA",
        "leaf-no-code-signing" => "lacks the codeSigning extended key usage",
        "leaf-key-cert-sign" => "keyCertSign",
        "tsa-eku-not-critical" => "extended key usage is not critical",
        "tsa-eku-extra" => "not exactly one extended key usage",
        "tsa-eku-missing" => "no extended key usage",
        "tsa-signer-ca" => "the timestamp signing certificate is a CA",
        "tsa-ku-key-cert-sign" => "keyUsage",
        "tsa-no-ess" => "no ESS signingCertificate",
        "tsa-ess-other-cert" => "ESS signingCertificateV2 names another certificate",
        "tsa-ess-wrong-serial" => "issuerSerial",
        _ => "-",
    }
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: make_cosign_fixtures OUT_DIR");
    let out = Path::new(&out);
    std::fs::create_dir_all(out).unwrap();

    let root = ca("fulcio-root", "prov-verify fixture root CA", 1, None);
    let inter = ca(
        "fulcio-intermediate",
        "prov-verify fixture intermediate CA",
        2,
        Some(&root),
    );
    // Same name as the trusted intermediate, other key: only the signature tells them apart.
    let untrusted_root = ca(
        "untrusted-ca",
        "prov-verify fixture intermediate CA",
        3,
        None,
    );
    let rekor = p256_key("rekor");
    let other_rekor = p256_key("rekor-not-in-trusted-root");
    let ct = p256_key("ctlog");
    let other_ct = p256_key("ctlog-not-in-trusted-root");
    let signer = ed25519_key("signer");
    let wrong = ed25519_key("wrong-signer");
    let tsa = tsa();
    // A second timestamping authority listed by its CA alone: the signing certificate comes
    // embedded in each token, so the signer rules (RFC 3161 §2.3, ESS) are all that stop a
    // wrong certificate under that CA from minting signing times.
    let tsa_ca = ca("tsa-ca", "prov-verify fixture TSA CA", 20, None);

    write_json(
        out,
        "trusted_root.json",
        &json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log_json("https://rekor.fixtures.prov-verify.test", &p256_spki(&rekor), "PKIX_ECDSA_P256_SHA_256")],
            "certificateAuthorities": [{
                "subject": {"organization": "prov-verify fixtures (TEST ONLY)", "commonName": "prov-verify fixture root CA"},
                "uri": "https://fulcio.fixtures.prov-verify.test",
                "certChain": {"certificates": [{"rawBytes": b64(&inter.der)}, {"rawBytes": b64(&root.der)}]},
                "validFor": {"start": rfc3339(T_TRUST_START)},
            }],
            "ctlogs": [log_json("https://ctfe.fixtures.prov-verify.test", &p256_spki(&ct), "PKIX_ECDSA_P256_SHA_256")],
            "timestampAuthorities": [{
                "subject": {"organization": "prov-verify fixtures (TEST ONLY)", "commonName": "prov-verify fixture TSA"},
                "uri": "https://tsa.fixtures.prov-verify.test",
                "certChain": {"certificates": [{"rawBytes": b64(&tsa.leaf_der)}, {"rawBytes": b64(&tsa.root.der)}]},
                "validFor": {"start": rfc3339(T_TRUST_START)},
            }, {
                "subject": {"organization": "prov-verify fixtures (TEST ONLY)", "commonName": "prov-verify fixture TSA CA"},
                "uri": "https://tsa-ca.fixtures.prov-verify.test",
                "certChain": {"certificates": [{"rawBytes": b64(&tsa_ca.der)}]},
                "validFor": {"start": rfc3339(T_TRUST_START)},
            }],
        }),
    );
    write(out, "artifact.txt", ARTIFACT);
    write(out, "other-artifact.txt", OTHER_ARTIFACT);
    write(
        out,
        "key.pub",
        pem("PUBLIC KEY", &ed25519_spki(&signer)).as_bytes(),
    );
    write(
        out,
        "wrong-key.pub",
        pem("PUBLIC KEY", &ed25519_spki(&wrong)).as_bytes(),
    );
    write(out, "root-ca.pem", pem("CERTIFICATE", &root.der).as_bytes());
    write(
        out,
        "intermediate-ca.pem",
        pem("CERTIFICATE", &inter.der).as_bytes(),
    );

    // Fulcio certificates: valid 10 minutes from one minute before the signing time.
    let spec = |label, serial, san, ct_logs| LeafSpec {
        label,
        serial,
        san,
        issuer: ISSUER,
        not_before: T_SIGN - 60,
        not_after: T_SIGN + 540,
        ct_logs,
        usage: LeafUsage::CodeSigning,
    };
    let trusted_ct = [&ct];
    let untrusted_ct = [&other_ct];
    let good = leaf(&spec("leaf", 100, San::Uri(SAN), &trusted_ct), &inter);
    let email = leaf(
        &spec("leaf-email", 101, San::Email(SAN_EMAIL), &trusted_ct),
        &inter,
    );
    let expired = leaf(
        &LeafSpec {
            not_before: T_SIGN - 1200,
            not_after: T_SIGN - 600,
            ..spec("leaf-expired", 102, San::Uri(SAN), &trusted_ct)
        },
        &inter,
    );
    let unknown_ct = leaf(
        &spec("leaf-unknown-ct", 103, San::Uri(SAN), &untrusted_ct),
        &inter,
    );
    let untrusted_ca = leaf(
        &spec("leaf-untrusted-ca", 104, San::Uri(SAN), &trusted_ct),
        &untrusted_root,
    );
    // Issued by the trusted intermediate, with SCTs, right identity: only the key purposes
    // are wrong.
    let misused = |label, serial, usage| {
        leaf(
            &LeafSpec {
                usage,
                ..spec(label, serial, San::Uri(SAN), &trusted_ct)
            },
            &inter,
        )
    };
    let leaf_ca = misused("leaf-ca", 105, LeafUsage::Ca);
    let leaf_no_code_signing = misused("leaf-no-code-signing", 106, LeafUsage::NoCodeSigning);
    let leaf_key_cert_sign = misused("leaf-key-cert-sign", 107, LeafUsage::KeyCertSign);

    let keyless = |cert: &LeafCert, media_type, chain: bool, log, tamper, claimed| {
        let m = if chain {
            Material::Chain(&cert.der, &inter.der)
        } else {
            Material::Cert(&cert.der)
        };
        message_bundle(&MessageSpec {
            media_type,
            material: m,
            signer: Sign::P256(&cert.key),
            verifier_pem: pem("CERTIFICATE", &cert.der),
            log,
            tamper,
            claimed_digest: claimed,
        })
    };
    let none = Tamper::None;
    let mut bundles: Vec<(&str, Value)> = vec![
        (
            "keyless.sigstore.json",
            keyless(&good, MT_V03, false, &rekor, none, None),
        ),
        (
            "keyless-v0.2.sigstore.json",
            keyless(&good, MT_V02, true, &rekor, none, None),
        ),
        (
            "keyless-email-v0.1.sigstore.json",
            keyless(&email, MT_V01, true, &rekor, none, None),
        ),
        (
            "dsse.sigstore.json",
            dsse_bundle(&good, &sha256(ARTIFACT), &rekor),
        ),
        (
            "key.sigstore.json",
            message_bundle(&MessageSpec {
                media_type: MT_V03,
                material: Material::Key("prov-verify-fixture-signer"),
                signer: Sign::Ed25519(&signer),
                verifier_pem: pem("PUBLIC KEY", &ed25519_spki(&signer)),
                log: &rekor,
                tamper: none,
                claimed_digest: None,
            }),
        ),
        (
            "expired-cert.sigstore.json",
            keyless(&expired, MT_V03, false, &rekor, none, None),
        ),
        (
            "bad-set.sigstore.json",
            keyless(&good, MT_V03, false, &rekor, Tamper::Set, None),
        ),
        (
            "bad-inclusion-proof.sigstore.json",
            keyless(&good, MT_V03, false, &rekor, Tamper::InclusionProof, None),
        ),
        (
            "bad-checkpoint-signature.sigstore.json",
            keyless(
                &good,
                MT_V03,
                false,
                &rekor,
                Tamper::CheckpointSignature,
                None,
            ),
        ),
        (
            "digest-mismatch.sigstore.json",
            keyless(
                &good,
                MT_V03,
                false,
                &rekor,
                none,
                Some(sha256(OTHER_ARTIFACT)),
            ),
        ),
        (
            "dsse-subject-mismatch.sigstore.json",
            dsse_bundle(&good, &sha256(OTHER_ARTIFACT), &rekor),
        ),
        (
            "sct-unknown-ctlog.sigstore.json",
            keyless(&unknown_ct, MT_V03, false, &rekor, none, None),
        ),
        (
            "untrusted-ca.sigstore.json",
            keyless(&untrusted_ca, MT_V03, false, &rekor, none, None),
        ),
        (
            "rekor-unknown-log.sigstore.json",
            keyless(&good, MT_V03, false, &other_rekor, none, None),
        ),
        (
            "leaf-ca.sigstore.json",
            keyless(&leaf_ca, MT_V03, false, &rekor, none, None),
        ),
        (
            "leaf-no-code-signing.sigstore.json",
            keyless(&leaf_no_code_signing, MT_V03, false, &rekor, none, None),
        ),
        (
            "leaf-key-cert-sign.sigstore.json",
            keyless(&leaf_key_cert_sign, MT_V03, false, &rekor, none, None),
        ),
    ];
    let plain = keyless(&good, MT_V03, false, &rekor, none, None);
    bundles.push((
        "keyless-tsa.sigstore.json",
        with_timestamp(plain.clone(), &tsa, None),
    ));
    bundles.push((
        "tsa-wrong-imprint.sigstore.json",
        with_timestamp(plain.clone(), &tsa, Some(b"another signature")),
    ));
    // Timestamps by certificates under the CA-only authority: one valid signer (ESS v2 and
    // v1, both with issuerSerial), then one negative per RFC 3161 / RFC 5816 signer rule.
    let under_tsa_ca = |label, serial, usage| tsa_signer(label, serial, usage, &tsa_ca);
    let good_signer = under_tsa_ca("tsa-signer", 21, TsaUsage::Good);
    let named = Some((tsa_ca.subject.as_slice(), good_signer.serial));
    let stamped = |s: &TsaSigner, ess: Ess<'_>| {
        with_token(plain.clone(), |sig| timestamp_token_by(s, sig, &ess))
    };
    bundles.push((
        "keyless-tsa-ca.sigstore.json",
        stamped(&good_signer, Ess::V2(&good_signer.der, named)),
    ));
    bundles.push((
        "keyless-tsa-ess-v1.sigstore.json",
        stamped(&good_signer, Ess::V1(&good_signer.der, named)),
    ));
    for (label, serial, usage) in [
        ("tsa-eku-not-critical", 22, TsaUsage::EkuNotCritical),
        ("tsa-eku-extra", 23, TsaUsage::EkuExtra),
        ("tsa-eku-missing", 24, TsaUsage::EkuMissing),
        ("tsa-signer-ca", 25, TsaUsage::Ca),
        ("tsa-ku-key-cert-sign", 26, TsaUsage::KeyCertSignOnly),
    ] {
        let s = under_tsa_ca(label, serial, usage);
        let ess = Ess::V2(&s.der, Some((tsa_ca.subject.as_slice(), s.serial)));
        let file: &'static str = Box::leak(format!("{label}.sigstore.json").into_boxed_str());
        bundles.push((file, stamped(&s, ess)));
    }
    bundles.push((
        "tsa-no-ess.sigstore.json",
        stamped(&good_signer, Ess::Absent),
    ));
    bundles.push((
        "tsa-ess-other-cert.sigstore.json",
        stamped(&good_signer, Ess::V2(&tsa_ca.der, None)),
    ));
    bundles.push((
        "tsa-ess-wrong-serial.sigstore.json",
        stamped(
            &good_signer,
            Ess::V2(&good_signer.der, Some((tsa_ca.subject.as_slice(), 99))),
        ),
    ));
    for (file, b) in &bundles {
        write_json(out, file, b);
    }
    // A JSON manifest, signed keyless and with the key (audit-pack's Sigstore manifest pairs).
    write(out, "release.manifest.json", MANIFEST);
    let manifest_keyless = MessageSpec {
        media_type: MT_V03,
        material: Material::Cert(&good.der),
        signer: Sign::P256(&good.key),
        verifier_pem: pem("CERTIFICATE", &good.der),
        log: &rekor,
        tamper: none,
        claimed_digest: None,
    };
    write_json(
        out,
        "release.manifest.json.sigstore.json",
        &message_bundle_over(&manifest_keyless, MANIFEST),
    );
    let manifest_key = MessageSpec {
        media_type: MT_V03,
        material: Material::Key("prov-verify-fixture-signer"),
        signer: Sign::Ed25519(&signer),
        verifier_pem: pem("PUBLIC KEY", &ed25519_spki(&signer)),
        log: &rekor,
        tamper: none,
        claimed_digest: None,
    };
    write_json(
        out,
        "release.manifest.key.sigstore.json",
        &message_bundle_over(&manifest_key, MANIFEST),
    );

    let id = format!("--certificate-identity {SAN} --certificate-oidc-issuer {ISSUER}");
    let digest_arg = format!("sha256:{}", hex::encode(sha256(ARTIFACT)));
    let a = "artifact.txt";
    let cases: Vec<(&str, &str, &str, String, u8, &str)> = vec![
        ("keyless", "keyless.sigstore.json", a, id.clone(), 0, "-"),
        ("keyless-digest-only", "keyless.sigstore.json", &digest_arg, id.clone(), 0, "-"),
        (
            "keyless-regexp",
            "keyless.sigstore.json",
            a,
            "--certificate-identity-regexp https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v.* --certificate-oidc-issuer-regexp https://token\\.actions\\.githubusercontent\\.com".into(),
            0,
            "-",
        ),
        ("keyless-v0.2-chain", "keyless-v0.2.sigstore.json", a, id.clone(), 0, "-"),
        (
            "keyless-email-v0.1",
            "keyless-email-v0.1.sigstore.json",
            a,
            format!("--certificate-identity {SAN_EMAIL} --certificate-oidc-issuer {ISSUER}"),
            0,
            "-",
        ),
        ("dsse", "dsse.sigstore.json", a, id.clone(), 0, "-"),
        ("key", "key.sigstore.json", a, "--key key.pub".into(), 0, "-"),
        ("keyless-tsa", "keyless-tsa.sigstore.json", a, id.clone(), 0, "-"),
        (
            "wrong-identity",
            "keyless.sigstore.json",
            a,
            format!("--certificate-identity https://github.com/acme/other/.github/workflows/release.yml@refs/tags/v1.0.0 --certificate-oidc-issuer {ISSUER}"),
            1,
            "cosign.identity.san",
        ),
        (
            "wrong-issuer",
            "keyless.sigstore.json",
            a,
            format!("--certificate-identity {SAN} --certificate-oidc-issuer https://accounts.example.com"),
            1,
            "cosign.identity.issuer",
        ),
        (
            "identity-regexp-not-anchored",
            "keyless.sigstore.json",
            a,
            format!("--certificate-identity-regexp acme/app --certificate-oidc-issuer {ISSUER}"),
            1,
            "cosign.identity.san",
        ),
        (
            "issuer-regexp-not-anchored",
            "keyless.sigstore.json",
            a,
            format!("--certificate-identity {SAN} --certificate-oidc-issuer-regexp githubusercontent"),
            1,
            "cosign.identity.issuer",
        ),
        ("expired-cert", "expired-cert.sigstore.json", a, id.clone(), 1, "cosign.certificate.validity"),
        ("bad-set", "bad-set.sigstore.json", a, id.clone(), 1, "cosign.tlog.entry-0.set"),
        (
            "bad-inclusion-proof",
            "bad-inclusion-proof.sigstore.json",
            a,
            id.clone(),
            1,
            "cosign.tlog.entry-0.inclusion",
        ),
        (
            "bad-checkpoint-signature",
            "bad-checkpoint-signature.sigstore.json",
            a,
            id.clone(),
            1,
            "cosign.tlog.entry-0.inclusion",
        ),
        ("digest-mismatch", "digest-mismatch.sigstore.json", a, id.clone(), 1, "cosign.content.digest"),
        ("wrong-artifact", "keyless.sigstore.json", "other-artifact.txt", id.clone(), 1, "cosign.content.digest"),
        (
            "dsse-subject-mismatch",
            "dsse-subject-mismatch.sigstore.json",
            a,
            id.clone(),
            1,
            "cosign.intoto.subject",
        ),
        ("wrong-key", "key.sigstore.json", a, "--key wrong-key.pub".into(), 1, "cosign.content.signature"),
        ("sct-unknown-ctlog", "sct-unknown-ctlog.sigstore.json", a, id.clone(), 1, "cosign.certificate.sct"),
        ("untrusted-ca", "untrusted-ca.sigstore.json", a, id.clone(), 1, "cosign.certificate.chain"),
        (
            "rekor-unknown-log",
            "rekor-unknown-log.sigstore.json",
            a,
            id.clone(),
            1,
            "cosign.tlog.entry-0.log",
        ),
        (
            "tsa-wrong-imprint",
            "tsa-wrong-imprint.sigstore.json",
            a,
            id.clone(),
            1,
            "cosign.timestamp.rfc3161-0",
        ),
        ("keyless-tsa-ca", "keyless-tsa-ca.sigstore.json", a, id.clone(), 0, "-"),
        ("keyless-tsa-ess-v1", "keyless-tsa-ess-v1.sigstore.json", a, id.clone(), 0, "-"),
        ("leaf-ca", "leaf-ca.sigstore.json", a, id.clone(), 1, "cosign.signer.certificate"),
        (
            "leaf-no-code-signing",
            "leaf-no-code-signing.sigstore.json",
            a,
            id.clone(),
            1,
            "cosign.signer.certificate",
        ),
        (
            "leaf-key-cert-sign",
            "leaf-key-cert-sign.sigstore.json",
            a,
            id.clone(),
            1,
            "cosign.signer.certificate",
        ),
        ("tsa-eku-not-critical", "tsa-eku-not-critical.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("tsa-eku-extra", "tsa-eku-extra.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("tsa-eku-missing", "tsa-eku-missing.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("tsa-signer-ca", "tsa-signer-ca.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("tsa-ku-key-cert-sign", "tsa-ku-key-cert-sign.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("tsa-no-ess", "tsa-no-ess.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("tsa-ess-other-cert", "tsa-ess-other-cert.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("tsa-ess-wrong-serial", "tsa-ess-wrong-serial.sigstore.json", a, id.clone(), 1, "cosign.timestamp.rfc3161-0"),
        ("manifest-keyless", "release.manifest.json.sigstore.json", "release.manifest.json", id.clone(), 0, "-"),
        ("manifest-key", "release.manifest.key.sigstore.json", "release.manifest.json", "--key key.pub".into(), 0, "-"),
    ];
    let mut tsv = String::from(
        "# case\tbundle\tartifact\tsigner\texit\tfailing check\tits detail contains\n\
         # Paths are relative to fixtures/cosign; run with --trusted-root trusted_root.json\n\
         # --at 1769904000 (2026-02-01T00:00:00Z). Exit 0 = verified (every check passes), 1 =\n\
         # rejected with exactly the named check failing, for the reason given. Generated by\n\
         # plugins/cosign/examples/make_cosign_fixtures.rs.\n",
    );
    for (name, bundle, artifact, signer, exit, check) in &cases {
        let why = reason(name);
        writeln!(
            tsv,
            "{name}\t{bundle}\t{artifact}\t{signer}\t{exit}\t{check}\t{why}"
        )
        .unwrap();
    }
    write(out, "cases.tsv", tsv.as_bytes());
    oci_layouts(&out.join("oci"), &good, &inter, &root, &signer, &rekor);
}

// ---- OCI image layouts ----

/// An OCI image layout being written: blobs by digest and the index's manifests.
struct Layout {
    blobs: Vec<(String, Vec<u8>)>,
    manifests: Vec<Value>,
}

impl Layout {
    fn new() -> Self {
        Layout {
            blobs: Vec::new(),
            manifests: Vec::new(),
        }
    }

    /// Adds a blob; returns its descriptor.
    fn blob(&mut self, media_type: &str, bytes: &[u8]) -> Value {
        let digest = format!("sha256:{}", hex::encode(sha256(bytes)));
        if !self.blobs.iter().any(|(d, _)| *d == digest) {
            self.blobs.push((digest.clone(), bytes.to_vec()));
        }
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    }

    /// Adds a manifest blob and lists it in the index with `annotations`.
    fn manifest(&mut self, manifest: &Value, annotations: Value) -> Value {
        let media_type = manifest["mediaType"].as_str().unwrap().to_owned();
        let d = self.blob(&media_type, &serde_json::to_vec(manifest).unwrap());
        let mut entry = d.clone();
        if let Some(t) = manifest.get("artifactType") {
            entry["artifactType"] = t.clone();
        }
        if annotations.as_object().is_some_and(|a| !a.is_empty()) {
            entry["annotations"] = annotations;
        }
        self.manifests.push(entry);
        d
    }

    fn write(&self, dir: &Path) {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        write(dir, "oci-layout", b"{\"imageLayoutVersion\":\"1.0.0\"}");
        write_json(
            dir,
            "index.json",
            &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": self.manifests}),
        );
        for (digest, bytes) in &self.blobs {
            let hex = digest.strip_prefix("sha256:").unwrap();
            write(&dir.join("blobs/sha256"), hex, bytes);
        }
    }
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const IMAGE_NAME: &str = "registry.example/acme/app";

/// The image: a config and one layer, tagged `v1`. Returns its manifest descriptor.
fn oci_image(l: &mut Layout, kind: Option<&str>, layer: &[u8]) -> Value {
    let config = l.blob(
        "application/vnd.oci.image.config.v1+json",
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
    );
    let layer = l.blob("application/vnd.oci.image.layer.v1.tar", layer);
    let manifest =
        json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]});
    let annotations = match kind {
        Some(k) => json!({"kind": k}),
        None => json!({"org.opencontainers.image.ref.name": "v1"}),
    };
    l.manifest(&manifest, annotations)
}

/// cosign's Rekor bundle annotation, from a bundle tlog entry: the SET and what it signs.
fn rekor_bundle_annotation(entry: &Value) -> String {
    let log_id = base64::engine::general_purpose::STANDARD
        .decode(entry["logId"]["keyId"].as_str().unwrap())
        .unwrap();
    serde_json::to_string(&json!({
        "SignedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
        "Payload": {
            "body": entry["canonicalizedBody"],
            "integratedTime": entry["integratedTime"].as_str().unwrap().parse::<i64>().unwrap(),
            "logIndex": entry["logIndex"].as_str().unwrap().parse::<u64>().unwrap(),
            "logID": hex::encode(log_id),
        },
    }))
    .unwrap()
}

/// A simple-signing layer over the image `digest`, signed by `sign`, logged in `rekor`.
fn simple_signing_layer(
    l: &mut Layout,
    digest: &str,
    sign: &Sign<'_>,
    verifier_pem: &str,
    cert: Option<(&[u8], &[u8], &[u8])>,
    rekor: &SigningKey,
) -> Value {
    let payload = serde_json::to_vec(&json!({
        "critical": {
            "identity": {"docker-reference": IMAGE_NAME},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature",
        },
        "optional": null,
    }))
    .unwrap();
    let sig = sign.sign(&payload);
    let body = hashedrekord_body(&sha256(&payload), &sig, verifier_pem);
    let entry = tlog_entry("hashedrekord 0.0.1", &body, rekor, Tamper::None);
    let mut d = l.blob("application/vnd.dev.cosign.simplesigning.v1+json", &payload);
    let mut annotations = json!({
        "dev.cosignproject.cosign/signature": b64(&sig),
        "dev.sigstore.cosign/bundle": rekor_bundle_annotation(&entry),
    });
    if let Some((leaf, inter, root)) = cert {
        annotations["dev.sigstore.cosign/certificate"] = Value::String(pem("CERTIFICATE", leaf));
        annotations["dev.sigstore.cosign/chain"] = Value::String(format!(
            "{}{}",
            pem("CERTIFICATE", inter),
            pem("CERTIFICATE", root)
        ));
    }
    d["annotations"] = annotations;
    d
}

/// A DSSE envelope over an in-toto statement about `digest` with `predicate_type`, signed
/// by `cert`, logged in `rekor`: (envelope JSON, the tlog entry).
fn image_statement_envelope(
    digest: &str,
    predicate_type: &str,
    cert: &LeafCert,
    rekor: &SigningKey,
) -> (Value, Value) {
    let payload = serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": IMAGE_NAME, "digest": {"sha256": digest.strip_prefix("sha256:").unwrap()}}],
        "predicateType": predicate_type,
        "predicate": {"buildDefinition": {"buildType": "https://prov-verify.test/fixture/v1"}},
    }))
    .unwrap();
    signed_envelope(&payload, cert, rekor)
}

fn signature_manifest(l: &mut Layout, layers: Vec<Value>, tag: &str) {
    let config = l.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let manifest =
        json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": layers});
    l.manifest(&manifest, json!({"org.opencontainers.image.ref.name": tag}));
}

/// Writes fixtures/cosign/oci: OCI image layouts of a TEST-ONLY image, signed as cosign signs
/// (see the README there).
fn oci_layouts(
    dir: &Path,
    good: &LeafCert,
    inter: &Ca,
    root: &Ca,
    signer: &Ed25519KeyPair,
    rekor: &SigningKey,
) {
    let leaf_pem = pem("CERTIFICATE", &good.der);
    let key_pem = pem("PUBLIC KEY", &ed25519_spki(signer));
    let chain = Some((
        good.der.as_slice(),
        inter.der.as_slice(),
        root.der.as_slice(),
    ));

    // signed: tags as `oras copy --to-oci-layout` or `skopeo copy oci:` keep them.
    let mut l = Layout::new();
    let image = oci_image(&mut l, None, b"prov-verify OCI fixture layer (TEST ONLY)\n");
    let digest = image["digest"].as_str().unwrap().to_owned();
    let tag = digest.replacen(':', "-", 1);
    let keyless = simple_signing_layer(
        &mut l,
        &digest,
        &Sign::P256(&good.key),
        &leaf_pem,
        chain,
        rekor,
    );
    let keyed = simple_signing_layer(
        &mut l,
        &digest,
        &Sign::Ed25519(signer),
        &key_pem,
        None,
        rekor,
    );
    signature_manifest(&mut l, vec![keyless, keyed], &format!("{tag}.sig"));
    let (envelope, entry) =
        image_statement_envelope(&digest, "https://slsa.dev/provenance/v1", good, rekor);
    let mut att = l.blob(
        "application/vnd.dsse.envelope.v1+json",
        &serde_json::to_vec(&envelope).unwrap(),
    );
    att["annotations"] = json!({
        "dev.cosignproject.cosign/signature": "",
        "dev.sigstore.cosign/certificate": leaf_pem,
        "dev.sigstore.cosign/chain": format!("{}{}", pem("CERTIFICATE", &inter.der), pem("CERTIFICATE", &root.der)),
        "dev.sigstore.cosign/bundle": rekor_bundle_annotation(&entry),
        "predicateType": "https://slsa.dev/provenance/v1",
    });
    signature_manifest(&mut l, vec![att], &format!("{tag}.att"));
    // An OCI 1.1 referrer carrying a Sigstore bundle (cosign --new-bundle-format).
    let (envelope, entry) =
        image_statement_envelope(&digest, "https://sigstore.dev/cosign/sign/v1", good, rekor);
    let bundle = json!({
        "mediaType": MT_V03,
        "verificationMaterial": material(&Material::Cert(&good.der), entry),
        "dsseEnvelope": envelope,
    });
    let layer = l.blob(MT_V03, &serde_json::to_vec(&bundle).unwrap());
    let empty = l.blob("application/vnd.oci.empty.v1+json", b"{}");
    let referrer = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": MT_V03,
        "config": empty,
        "layers": [layer],
        "subject": image,
        "annotations": {"dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1"},
    });
    l.manifest(&referrer, json!({}));
    l.write(&dir.join("signed"));

    // cosign-save: what `cosign save --dir` writes (no tags; kinds).
    let mut l = Layout::new();
    let image = oci_image(
        &mut l,
        Some("dev.cosignproject.cosign/image"),
        b"prov-verify OCI fixture layer (TEST ONLY)\n",
    );
    let digest = image["digest"].as_str().unwrap().to_owned();
    let keyless = simple_signing_layer(
        &mut l,
        &digest,
        &Sign::P256(&good.key),
        &leaf_pem,
        chain,
        rekor,
    );
    let config = l.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [keyless]});
    l.manifest(&manifest, json!({"kind": "dev.cosignproject.cosign/sigs"}));
    l.write(&dir.join("cosign-save"));

    // other-image: the signature tag names this image, the signed payload another one.
    let mut l = Layout::new();
    let image = oci_image(&mut l, None, b"prov-verify OCI fixture layer (TEST ONLY)\n");
    let digest = image["digest"].as_str().unwrap().to_owned();
    let other = format!(
        "sha256:{}",
        hex::encode(sha256(b"another image manifest (TEST ONLY)"))
    );
    let wrong = simple_signing_layer(
        &mut l,
        &other,
        &Sign::P256(&good.key),
        &leaf_pem,
        chain,
        rekor,
    );
    signature_manifest(
        &mut l,
        vec![wrong],
        &format!("{}.sig", digest.replacen(':', "-", 1)),
    );
    l.write(&dir.join("other-image"));

    // unsigned: the image alone.
    let mut l = Layout::new();
    oci_image(&mut l, None, b"prov-verify OCI fixture layer (TEST ONLY)\n");
    l.write(&dir.join("unsigned"));
}
