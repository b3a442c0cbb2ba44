//! RFC 3161 timestamps, Rekor v2 entries and Rekor v1 `intoto` 0.0.2 entries, on the real
//! bundles of the shared Sigstore conformance kit, and negatives made by changing them in
//! memory (each must fail on the named check).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use plugin_api::{Insecure, Report, VerificationTime};
use plugin_cosign::{verify, Artifact, IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot};
use serde_json::{json, Value};

const SAN: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// 2026-11-01: after every timestamp of the kit.
const NOW: VerificationTime = VerificationTime::from_unix_seconds(1_793_491_200);

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Reads a file of the shared Sigstore conformance kit (never copied into the repository).
fn kit(path: &str) -> Vec<u8> {
    let full = format!(
        "{}/../../../shared/conformance/sigstore/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read {full}: {e}"))
}

fn json_of(path: &str) -> Value {
    serde_json::from_slice(&kit(path)).unwrap()
}

fn keyless(bundle: &Value, root: &Value, artifact: &[u8]) -> Report {
    let root = TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();
    let policy = IdentityPolicy {
        san: Matcher::Exact(SAN.into()),
        issuer: Matcher::Exact(ISSUER.into()),
    };
    verify(
        bundle.to_string().as_bytes(),
        &root,
        Artifact::Bytes(artifact),
        Signer::Keyless(&policy),
        NOW,
        &[],
    )
}

struct Case {
    bundle: Value,
    root: Value,
    artifact: Vec<u8>,
}

fn case(name: &str) -> Case {
    let dir = format!("cases/{name}");
    let artifact = std::fs::metadata(format!(
        "{}/../../../shared/conformance/sigstore/{dir}/artifact",
        env!("CARGO_MANIFEST_DIR")
    ))
    .map(|_| kit(&format!("{dir}/artifact")))
    .unwrap_or_else(|_| kit("cases/a.txt"));
    Case {
        bundle: json_of(&format!("{dir}/bundle.sigstore.json")),
        root: json_of(&format!("{dir}/trusted_root.json")),
        artifact,
    }
}

impl Case {
    fn run(&self) -> Report {
        keyless(&self.bundle, &self.root, &self.artifact)
    }

    fn entry(&mut self) -> &mut Value {
        &mut self.bundle["verificationMaterial"]["tlogEntries"][0]
    }

    fn timestamp(&mut self) -> &mut Value {
        &mut self.bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            [0]["signedTimestamp"]
    }

    /// Rewrites the base64 field `v` through `f` on its decoded bytes.
    fn edit_b64(v: &mut Value, f: impl FnOnce(&mut Vec<u8>)) {
        let mut bytes = B64.decode(v.as_str().unwrap()).unwrap();
        f(&mut bytes);
        *v = json!(B64.encode(bytes));
    }

    /// Rewrites the entry's canonicalized body (as text).
    fn edit_body(&mut self, f: impl FnOnce(&str) -> String) {
        Self::edit_b64(&mut self.entry()["canonicalizedBody"], |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = f(&s).into_bytes();
        });
    }
}

fn passed(r: &Report, id: &str) -> bool {
    r.checks().iter().any(|c| c.id == id && c.is_pass())
}

/// Asserts the report fails, first on `id`, with a detail containing `why`.
fn fails_on(r: &Report, id: &str, why: &str) {
    assert!(!r.ok(), "{}", r.to_json());
    let f = r.first_failure().expect("a failed check");
    assert_eq!(f.id, id, "{}", r.to_json());
    assert!(f.is_fail(), "{}", r.to_json());
    assert!(f.detail.contains(why), "{:?} lacks {why:?}", f.detail);
}

fn replace_once(s: &str, from: &str, to: &str) -> String {
    assert!(s.contains(from), "{from:?} not found");
    s.replacen(from, to, 1)
}

// --- happy paths ---------------------------------------------------------------------------

#[test]
fn rekor_v2_hashedrekord_with_timestamp_verifies() {
    let r = case("rekor2-happy-path").run();
    assert!(r.ok(), "{}", r.to_json());
    for id in [
        "cosign.timestamp.rfc3161-0",
        "cosign.tlog.entry-0.log",
        "cosign.tlog.entry-0.body",
        "cosign.tlog.entry-0.inclusion",
        "cosign.time.threshold",
        "cosign.certificate.validity",
        "cosign.certificate.chain",
    ] {
        assert!(passed(&r, id), "{id}: {}", r.to_json());
    }
    // No SET in a Rekor v2 entry.
    assert!(!r.checks().iter().any(|c| c.id == "cosign.tlog.entry-0.set"));
}

#[test]
fn rekor_v2_dsse_as_hashedrekord_verifies() {
    let r = case("rekor2-dsse-happy-path").run();
    assert!(r.ok(), "{}", r.to_json());
    assert!(passed(&r, "cosign.tlog.entry-0.body"));
}

#[test]
fn rekor_v2_cosigned_checkpoints_verify() {
    for name in [
        "rekor2-checkpoint-cosigned",
        "rekor2-checkpoint-multiple-cosigs",
        "rekor2-checkpoint-origin-not-first",
        "rekor2-checkpoint-two-sigs-cosigned",
        "rekor2-checkpoint-two-sigs-from-origin",
    ] {
        let r = case(name).run();
        assert!(r.ok(), "{name}: {}", r.to_json());
    }
}

#[test]
fn timestamps_with_and_without_embedded_certificate_verify() {
    for name in [
        "rekor2-timestamp-with-embedded-cert",
        "rekor2-timestamp-without-embedded-cert",
        "rekor2-timestamp-with-expired-cert-chain",
        "trust-root-tsa-validity-end-inclusive",
    ] {
        let r = case(name).run();
        assert!(r.ok(), "{name}: {}", r.to_json());
        assert!(passed(&r, "cosign.timestamp.rfc3161-0"), "{name}");
    }
}

#[test]
fn intoto_v002_entry_verifies() {
    let r = case("intoto-with-custom-trust-root").run();
    assert!(r.ok(), "{}", r.to_json());
    for id in [
        "cosign.timestamp.rfc3161-0",
        "cosign.tlog.entry-0.body",
        "cosign.tlog.entry-0.set",
    ] {
        assert!(passed(&r, id), "{id}");
    }
}

#[test]
fn managed_key_with_timestamp_verifies() {
    let bundle = kit("cases/managed-key-happy-path/bundle.sigstore.json");
    let key = PublicKey::from_pem(&kit("cases/managed-key-happy-path/key.pub")).unwrap();
    let root = TrustedRoot::from_json(&kit("trusted-roots/production.json")).unwrap();
    let r = verify(
        &bundle,
        &root,
        Artifact::Bytes(&kit("cases/a.txt")),
        Signer::Key(&key),
        NOW,
        &[],
    );
    assert!(r.ok(), "{}", r.to_json());
    assert!(passed(&r, "cosign.timestamp.rfc3161-0"));
    assert!(passed(&r, "cosign.tlog.entry-0.set"));
}

// --- RFC 3161 negatives --------------------------------------------------------------------

#[test]
fn timestamp_over_another_signature_fails() {
    fails_on(
        &case("rekor2-timestamp-payload-mismatch_fail").run(),
        "cosign.timestamp.rfc3161-0",
        "message imprint",
    );
}

#[test]
fn timestamp_with_wrong_imprint_fails() {
    // A valid timestamp from another bundle (another signature) pasted into this one.
    let mut c = case("rekor2-happy-path");
    let mut other = case("rekor2-timestamp-with-embedded-cert");
    *c.timestamp() = other.timestamp().clone();
    fails_on(&c.run(), "cosign.timestamp.rfc3161-0", "message imprint");
}

#[test]
fn timestamp_from_tsa_not_in_trusted_root_fails() {
    let mut c = case("rekor2-happy-path");
    c.root["timestampAuthorities"] = json!([]);
    fails_on(
        &c.run(),
        "cosign.timestamp.rfc3161-0",
        "not signed by a timestamping authority",
    );
    for name in [
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
    ] {
        fails_on(
            &case(name).run(),
            "cosign.timestamp.rfc3161-0",
            "not signed by a timestamping authority",
        );
    }
}

#[test]
fn gen_time_outside_tsa_validity_fails() {
    // genTime is 2025-06-12T12:02:20Z; the window ending one second earlier excludes it.
    let mut c = case("rekor2-happy-path");
    c.root["timestampAuthorities"][0]["validFor"]["end"] = json!("2025-06-12T12:02:19Z");
    fails_on(
        &c.run(),
        "cosign.timestamp.rfc3161-0",
        "outside the authority's validity",
    );
    let mut c = case("rekor2-happy-path");
    c.root["timestampAuthorities"][0]["validFor"]["start"] = json!("2025-06-12T12:02:21Z");
    fails_on(
        &c.run(),
        "cosign.timestamp.rfc3161-0",
        "outside the authority's validity",
    );
    fails_on(
        &case("rekor2-timestamp-outside-trust-root-tsa-validity_fail").run(),
        "cosign.timestamp.rfc3161-0",
        "outside the authority's validity",
    );
}

#[test]
fn gen_time_outside_tsa_certificate_validity_fails() {
    fails_on(
        &case("rekor2-timestamp-outside-tsa-cert-validity_fail").run(),
        "cosign.timestamp.rfc3161-0",
        "not valid at the timestamp's genTime",
    );
}

#[test]
fn gen_time_outside_signing_certificate_fails() {
    fails_on(
        &case("rekor2-timestamp-with-incorrect-time_fail").run(),
        "cosign.certificate.validity",
        "outside the certificate's validity",
    );
}

#[test]
fn tampered_tst_info_fails() {
    let mut c = case("rekor2-happy-path");
    Case::edit_b64(c.timestamp(), |b| {
        let at = b
            .windows(15)
            .position(|w| w == b"20250612120220Z")
            .expect("genTime in the token");
        b[at + 13] = b'1'; // 12:02:21
    });
    fails_on(&c.run(), "cosign.timestamp.rfc3161-0", "message-digest");
}

#[test]
fn tampered_timestamp_signature_fails() {
    let mut c = case("rekor2-happy-path");
    Case::edit_b64(c.timestamp(), |b| {
        let last = b.len() - 1;
        b[last] ^= 0x01;
    });
    fails_on(
        &c.run(),
        "cosign.timestamp.rfc3161-0",
        "CMS signature does not verify",
    );
}

#[test]
fn truncated_or_oversized_timestamp_fails() {
    let mut c = case("rekor2-happy-path");
    Case::edit_b64(c.timestamp(), |b| b.truncate(b.len() / 2));
    fails_on(&c.run(), "cosign.timestamp.rfc3161-0", "malformed");
    let mut c = case("rekor2-happy-path");
    *c.timestamp() = json!(B64.encode(vec![0u8; plugin_cosign::MAX_TIMESTAMP_BYTES + 1]));
    fails_on(&c.run(), "cosign.timestamp.rfc3161-0", "budget");
}

#[test]
fn rekor_v2_without_timestamp_has_no_signing_time() {
    fails_on(
        &case("rekor2-no-timestamp_fail").run(),
        "cosign.time.threshold",
        "no verified signing time",
    );
}

#[test]
fn skip_timestamp_does_not_waive_keyless_signing_time() {
    let c = case("rekor2-no-timestamp_fail");
    let root = TrustedRoot::from_json(c.root.to_string().as_bytes()).unwrap();
    let policy = IdentityPolicy {
        san: Matcher::Exact(SAN.into()),
        issuer: Matcher::Exact(ISSUER.into()),
    };
    let r = verify(
        c.bundle.to_string().as_bytes(),
        &root,
        Artifact::Bytes(&c.artifact),
        Signer::Keyless(&policy),
        NOW,
        &[Insecure::SkipTimestamp],
    );
    fails_on(&r, "cosign.time.threshold", "no verified signing time");
}

// --- Rekor v2 entry negatives --------------------------------------------------------------

#[test]
fn rekor_v2_body_with_other_digest_fails() {
    let mut c = case("rekor2-happy-path");
    let other = B64.encode([7u8; 32]);
    c.edit_body(|s| replace_once(s, "oM/HEnHW4njlfNMy/5V8P3BD/do1TEy7GQow1W76Ab8=", &other));
    fails_on(
        &c.run(),
        "cosign.tlog.entry-0.body",
        "different artifact digest",
    );
}

#[test]
fn rekor_v2_body_with_other_signature_fails() {
    let mut c = case("rekor2-happy-path");
    c.edit_body(|s| replace_once(s, "\"content\":\"MEYCIQDM", "\"content\":\"MEYCIQDN"));
    fails_on(&c.run(), "cosign.tlog.entry-0.body", "different signature");
}

#[test]
fn rekor_v2_body_with_other_verifier_fails() {
    let mut c = case("rekor2-happy-path");
    let body: Value = {
        let raw = B64
            .decode(c.entry()["canonicalizedBody"].as_str().unwrap())
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    };
    let mut body = body;
    body["spec"]["hashedRekordV002"]["signature"]["verifier"] = json!({
        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
        "publicKey": {"rawBytes": B64.encode([1u8; 91])}
    });
    c.entry()["canonicalizedBody"] = json!(B64.encode(body.to_string()));
    fails_on(
        &c.run(),
        "cosign.tlog.entry-0.body",
        "different key or certificate",
    );
}

#[test]
fn rekor_v2_dsse_entry_mismatches_fail() {
    fails_on(
        &case("rekor2-dsse-mismatch-envelope_fail").run(),
        "cosign.tlog.entry-0.body",
        "PAE digest",
    );
    fails_on(
        &case("rekor2-dsse-mismatch-sig_fail").run(),
        "cosign.tlog.entry-0.body",
        "different signature",
    );
}

#[test]
fn rekor_v2_bad_inclusion_proof_fails() {
    let mut c = case("rekor2-happy-path");
    Case::edit_b64(&mut c.entry()["inclusionProof"]["hashes"][0], |b| b[0] ^= 1);
    fails_on(
        &c.run(),
        "cosign.tlog.entry-0.inclusion",
        "inclusion proof does not verify",
    );
}

#[test]
fn rekor_v2_missing_inclusion_proof_fails() {
    fails_on(
        &case("rekor2-no-inclusion-proof_fail").run(),
        "cosign.tlog.entry-0.inclusion",
        "no inclusion proof",
    );
}

#[test]
fn rekor_v2_checkpoint_signed_only_by_a_witness_fails() {
    let mut c = case("rekor2-happy-path");
    let cosigned = case("rekor2-checkpoint-cosigned");
    let note = cosigned.bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
        ["checkpoint"]["envelope"]
        .as_str()
        .unwrap()
        .to_owned();
    // Keep the body and the witness line only.
    let (body, sigs) = note.split_once("\n\n").unwrap();
    let witness: Vec<&str> = sigs
        .lines()
        .filter(|l| l.contains("witness.example"))
        .collect();
    assert_eq!(witness.len(), 1);
    let only_witness = format!("{body}\n\n{}\n", witness[0]);
    c.entry()["inclusionProof"]["checkpoint"]["envelope"] = json!(only_witness);
    fails_on(
        &c.run(),
        "cosign.tlog.entry-0.inclusion",
        "no signature by the log key",
    );
}

#[test]
fn rekor_v2_checkpoint_under_another_name_fails() {
    fails_on(
        &case("rekor2-checkpoint-no-matching-signature_fail").run(),
        "cosign.tlog.entry-0.inclusion",
        "not the log's origin",
    );
}

#[test]
fn rekor_v2_entry_with_inclusion_promise_fails() {
    let mut c = case("rekor2-happy-path");
    c.entry()["inclusionPromise"] = json!({"signedEntryTimestamp": B64.encode([1u8; 70])});
    fails_on(&c.run(), "cosign.tlog.entry-0.set", "inclusion promise");
}

#[test]
fn rekor_v2_log_key_validity_bounds_the_timestamp() {
    // The alpha1 log key is valid from 2025-04-16; move the start after genTime.
    let mut c = case("rekor2-happy-path");
    for log in c.root["tlogs"].as_array_mut().unwrap() {
        if log["baseUrl"] == "https://log2025-alpha1.rekor.sigstage.dev" {
            log["publicKey"]["validFor"]["start"] = json!("2025-06-13T00:00:00Z");
        }
    }
    fails_on(
        &c.run(),
        "cosign.tlog.entry-0.time",
        "outside the log key's validity",
    );
}

// --- intoto 0.0.2 negatives ----------------------------------------------------------------

#[test]
fn intoto_v002_body_mismatches_fail() {
    let mut c = case("intoto-with-custom-trust-root");
    c.edit_body(|s| {
        replace_once(
            s,
            "0ebbdbc21d182007b78b5770dea249f110946b7ded857a4ec00ccb692c1e25af",
            "1ebbdbc21d182007b78b5770dea249f110946b7ded857a4ec00ccb692c1e25af",
        )
    });
    fails_on(
        &c.run(),
        "cosign.tlog.entry-0.body",
        "different DSSE payload",
    );

    let mut c = case("intoto-with-custom-trust-root");
    c.edit_body(|s| {
        replace_once(
            s,
            "\"payloadType\":\"application/vnd.in-toto+json\"",
            "\"payloadType\":\"application/json\"",
        )
    });
    fails_on(&c.run(), "cosign.tlog.entry-0.body", "payload type");

    fails_on(
        &case("intoto-log-entry-mismatch_fail").run(),
        "cosign.tlog.entry-0.body",
        "DSSE",
    );
}

#[test]
fn every_truncation_of_a_token_is_refused() {
    let mut c = case("rekor2-happy-path");
    let token = B64.decode(c.timestamp().as_str().unwrap()).unwrap();
    assert!(plugin_cosign::Timestamp::parse(&token).is_ok());
    for n in 0..token.len() {
        assert!(
            plugin_cosign::Timestamp::parse(&token[..n]).is_err(),
            "prefix {n}"
        );
    }
}

#[test]
fn entry_without_set_or_timestamp_has_no_signing_time_unless_waived_for_a_key() {
    let mut bundle = json_of("cases/managed-key-happy-path/bundle.sigstore.json");
    let vm = bundle["verificationMaterial"].as_object_mut().unwrap();
    vm.remove("timestampVerificationData");
    vm["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionPromise");
    let key = PublicKey::from_pem(&kit("cases/managed-key-happy-path/key.pub")).unwrap();
    let root = TrustedRoot::from_json(&kit("trusted-roots/production.json")).unwrap();
    let artifact = kit("cases/a.txt");
    let run = |insecure: &[Insecure]| {
        verify(
            bundle.to_string().as_bytes(),
            &root,
            Artifact::Bytes(&artifact),
            Signer::Key(&key),
            NOW,
            insecure,
        )
    };
    let r = run(&[]);
    fails_on(&r, "cosign.time.threshold", "no verified signing time");
    // The inclusion proof still verified: the entry is in the log, only its time is unknown.
    assert!(passed(&r, "cosign.tlog.entry-0.inclusion"));
    let r = run(&[Insecure::SkipTimestamp]);
    assert!(r.ok(), "{}", r.to_json());
    assert!(!passed(&r, "cosign.time.threshold"));
}
