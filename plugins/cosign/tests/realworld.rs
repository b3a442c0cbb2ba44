//! The real-world corpus (`tests/realworld/`, 276 Sigstore bundles published in public
//! repositories, each with its source, commit and expected verdict; see its README): every
//! bundle is verified through the plugin contract, as `prov-verify verify --plugin cosign`
//! would, with its trusted root, its artifact (or digest), and the identity and issuer read
//! from its own certificate (or its public key).
//!
//! - A bundle the source says must fail and that verifies is a **false accept**: the test fails.
//! - A bundle that must verify and does not is a false reject. Each known one is listed in
//!   `tests/realworld/known-false-rejects.tsv` with the check that rejects it (the reason,
//!   grouped by class in the issue that tracks them); an unlisted false reject fails the test
//!   (a regression), and so does a listed one that now verifies (remove it from the list).
//! - `tests/realworld/policy.tsv` gives the verdict under this runner's policy where the source's
//!   verdict rests on a policy the runner does not apply (each line says which and why).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{
    Digest, DigestAlgorithm, Plugin, Policy, Signature, Subject, TrustRoot, TrustRootKind,
    TrustRoots, VerificationTime, VerifyRequest,
};
use plugin_cosign::CosignPlugin;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The verification time: 2026-12-01T00:00:00Z (the trusted roots are dated snapshots).
const AT: u64 = 1_796_083_200;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/realworld")
}

fn read(rel: &str) -> Vec<u8> {
    let p = corpus().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `id<TAB>value<TAB>reason[<TAB>extra]` lines (comments and blank lines skipped).
fn table(file: &str) -> BTreeMap<String, (String, String, String)> {
    let text = String::from_utf8(read(file)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(4, '\t');
            let id = parts.next().unwrap().to_owned();
            let value = parts.next().unwrap_or_default().to_owned();
            let reason = parts.next().unwrap_or_default().to_owned();
            let extra = parts.next().unwrap_or_default().to_owned();
            (id, (value, reason, extra))
        })
        .collect()
}

/// The first subject digest of a DSSE bundle's in-toto statement (`sha256:HEX` or
/// `sha512:HEX`), for entries that record neither an artifact nor a digest: the signature,
/// log entry and certificate are still checked against it.
fn statement_digest(bundle: &[u8]) -> Option<String> {
    use base64::Engine as _;
    let b: Value = serde_json::from_slice(bundle).ok()?;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str()?)
        .ok()?;
    let st: Value = serde_json::from_slice(&payload).ok()?;
    let d = &st["subject"][0]["digest"];
    ["sha256", "sha512"]
        .into_iter()
        .find_map(|alg| d[alg].as_str().map(|h| format!("{alg}:{h}")))
}

/// Verifies one corpus entry: `Ok(())` if verified, `Err(why)` if not (the first failed
/// check, or the input error).
fn verify(plugin: &CosignPlugin, e: &Value, identity_regexp: Option<&str>) -> Result<(), String> {
    // A bundle that must fail and names neither signer nor artifact (a missing certificate,
    // a tampered statement without subjects) is given any signer and a placeholder digest:
    // it must then fail on its own defect, which the reasons table names.
    let must_fail = e["expected"] == "fail";
    let bundle = read(e["file"].as_str().unwrap());
    let root_rel = e["trusted_root"]
        .as_str()
        .or(e["peer_trusted_root"].as_str())
        .unwrap_or(match e["instance"].as_str() {
            Some("staging") => "roots/staging.trusted_root.json",
            _ => "roots/public-good.trusted_root.json",
        });
    if root_rel.ends_with(".jsonl") {
        return Err(format!(
            "trusted root {root_rel} is a JSON Lines file of several roots"
        ));
    }
    let mut roots = TrustRoots::new().with(TrustRoot::new(
        TrustRootKind::SigstoreTrustedRoot,
        root_rel.to_owned(),
        read(root_rel),
    ));
    let mut policy = Policy::new();
    match (e["public_key"].as_str(), e["identity"].as_str()) {
        (Some(key), _) => roots.push(TrustRoot::new(
            TrustRootKind::PublicKey,
            key.to_owned(),
            read(key),
        )),
        (None, Some(_)) if identity_regexp.is_some() => {
            policy = policy
                .with_identity_regexp(identity_regexp.unwrap_or_default().to_owned())
                .with_issuer_regexp(".*".to_owned());
        }
        (None, Some(id)) => {
            policy = policy.with_identity(id.to_owned());
            policy = match e["issuer"].as_str() {
                Some(iss) => policy.with_issuer(iss.to_owned()),
                None => policy.with_issuer_regexp(".*".to_owned()),
            };
        }
        (None, None) if must_fail => {
            policy = policy
                .with_identity_regexp(".*".to_owned())
                .with_issuer_regexp(".*".to_owned());
        }
        (None, None) => return Err("no key and no identity to verify against".into()),
    }
    let artifact;
    let digest_bytes;
    let from_statement = statement_digest(&bundle);
    let recorded = e["artifact_digest"].as_str().or(from_statement.as_deref());
    let subject = match (e["artifact"].as_str(), recorded) {
        (Some(a), _) => {
            artifact = read(a);
            Subject::Bytes(&artifact)
        }
        (None, Some(d)) => {
            let (alg, hex) = d.split_once(':').unwrap();
            let alg = DigestAlgorithm::from_name(alg).ok_or(format!("digest algorithm {alg}"))?;
            digest_bytes = hex::decode(hex).unwrap();
            Subject::Digest(Digest::new(alg, &digest_bytes).map_err(|e| e.to_string())?)
        }
        (None, None) if must_fail => {
            digest_bytes = vec![0u8; 32];
            Subject::Digest(
                Digest::new(DigestAlgorithm::Sha256, &digest_bytes).map_err(|e| e.to_string())?,
            )
        }
        (None, None) => return Err("no artifact and no digest".into()),
    };
    let req = VerifyRequest::new(
        subject,
        Signature::new(&bundle),
        &roots,
        VerificationTime::from_unix_seconds(AT),
    )
    .with_policy(&policy);
    match plugin.verify(&req) {
        Ok(r) if r.ok() => Ok(()),
        Ok(r) => Err(match r.first_failure() {
            Some(c) => match &c.status {
                plugin_api::CheckStatus::Skipped { reason, .. } => {
                    format!("{}: skipped: {reason}", c.id)
                }
                _ => format!("{}: {}", c.id, c.detail),
            },
            None => r
                .errors()
                .first()
                .cloned()
                .unwrap_or_else(|| "not verified".into()),
        }),
        Err(e) => Err(format!("no verdict: {e}")),
    }
}

#[test]
fn real_world_bundles_zero_false_accepts_and_only_known_false_rejects() {
    let sources: Value = serde_json::from_slice(&read("sources.json")).unwrap();
    let known = table("known-false-rejects.tsv");
    let policy = table("policy.tsv");
    let plugin = CosignPlugin::new();
    let (mut verified, mut rejected, mut false_rejects) = (0, 0, 0);
    let mut false_accepts = Vec::new();
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    let mut lines = Vec::new();
    let mut unsupported = Vec::new();
    let mut fails: Vec<(String, String, String)> = Vec::new();
    let entries = sources.as_array().unwrap();
    for e in entries {
        let id = e["id"].as_str().unwrap();
        let expected = policy
            .get(id)
            .map(|(v, _, _)| v.as_str())
            .unwrap_or(e["expected"].as_str().unwrap());
        if expected == "unsupported" {
            unsupported.push(id.to_owned());
            continue;
        }
        let identity_regexp = policy
            .get(id)
            .map(|(_, _, x)| x.as_str())
            .filter(|x| !x.is_empty());
        let got = verify(&plugin, e, identity_regexp);
        match (expected, &got) {
            ("verify", Ok(())) => {
                verified += 1;
                if known.contains_key(id) {
                    fixed.push(id.to_owned());
                }
            }
            ("fail", Err(why)) => {
                rejected += 1;
                fails.push((id.to_owned(), why.clone(), String::new()));
            }
            ("fail", Ok(())) => false_accepts.push(format!("{id} ({})", e["why"])),
            ("verify", Err(why)) => {
                false_rejects += 1;
                lines.push(format!("{id}\t{why}"));
                if !known.contains_key(id) {
                    unexpected.push(format!("{id}: {why}"));
                }
            }
            (other, _) => panic!("{id}: expected {other:?}"),
        }
    }
    let verdict = |e: &Value| {
        let id = e["id"].as_str().unwrap();
        policy
            .get(id)
            .map(|(v, _, _)| v.clone())
            .unwrap_or_else(|| e["expected"].as_str().unwrap().to_owned())
    };
    let must_verify = entries.iter().filter(|e| verdict(e) == "verify").count();
    let must_fail = entries.iter().filter(|e| verdict(e) == "fail").count();
    eprintln!(
        "realworld: {} bundles; {verified} of {must_verify} that must verify verified, {false_rejects} false rejects; {rejected} of {must_fail} that must fail rejected; {} false accepts; {} not run (unsupported: {unsupported:?})",
        entries.len(),
        false_accepts.len(),
        unsupported.len()
    );
    if std::env::var_os("REALWORLD_WRITE_KNOWN").is_some() {
        let mut text = String::from(
            "# Bundles that must verify and do not yet: id, then the check that rejects them.\n\
             # A false reject, never a false accept. Written by REALWORLD_WRITE_KNOWN=1.\n",
        );
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(corpus().join("known-false-rejects.tsv"), text).unwrap();
    }
    // Every bundle that must fail fails on the check its source's reason names.
    let reasons = table("fail-reasons.tsv");
    let mut wrong_reason = Vec::new();
    for (id, got, _) in &fails {
        match reasons.get(id) {
            None => wrong_reason.push(format!("{id}: not in fail-reasons.tsv (rejected by {got})")),
            Some((check, _, _)) if !got.starts_with(check.as_str()) => {
                wrong_reason.push(format!("{id}: expected {check}, rejected by {got}"))
            }
            Some(_) => {}
        }
    }
    assert!(
        wrong_reason.is_empty(),
        "must-fail bundles rejected for another reason:\n{}",
        wrong_reason.join("\n")
    );
    assert!(
        false_accepts.is_empty(),
        "FALSE ACCEPTS:\n{}",
        false_accepts.join("\n")
    );
    assert!(
        unexpected.is_empty(),
        "false rejects not in known-false-rejects.tsv:\n{}",
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "now verified, remove from known-false-rejects.tsv: {fixed:?}"
    );
    assert!(entries.len() >= 150, "only {} bundles", entries.len());
}

/// A P-384 leaf's signature over a SHA-256 digest verifies from the digest alone, and only
/// for that digest: every single-bit change of it fails.
#[test]
fn p384_leaf_over_a_sha256_digest_verifies_only_for_its_digest() {
    verifies_only_for_its_digest("java-p.tgz-h50c565f", "EC-secp384r1", "sha256");
}

/// The same for a P-384 leaf over a SHA-384 message digest and a P-521 leaf over SHA-512
/// (sigstore-java's algorithm-registry bundles), verified from the digest alone.
#[test]
fn sha384_and_sha512_message_digests_verify_only_for_their_digest() {
    verifies_only_for_its_digest("java-PKIX_ECDSA_P384_SHA_384", "EC-secp384r1", "sha384");
    verifies_only_for_its_digest("java-PKIX_ECDSA_P521_SHA_512", "EC-secp521r1", "sha512");
}

/// A P-384 leaf's signature over the SHA-256 digest of an artifact given as bytes
/// (sigstore-python's staging bundle) verifies; another artifact does not.
#[test]
fn p384_leaf_over_a_sha256_digest_verifies_from_the_artifact_bytes() {
    let e = entry("py-bundle.txt");
    assert_eq!(e["leaf"]["key"], "EC-secp384r1");
    let plugin = CosignPlugin::new();
    assert_eq!(verify(&plugin, &e, None), Ok(()));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("realworld-p384-bytes");
    std::fs::create_dir_all(&dir).unwrap();
    let mut bytes = read(e["artifact"].as_str().unwrap());
    bytes[0] ^= 1;
    let file = dir.join("artifact");
    std::fs::write(&file, &bytes).unwrap();
    let mut changed = e.clone();
    changed["artifact"] = Value::String(file.display().to_string());
    let got = verify(&plugin, &changed, None);
    assert!(
        got.as_ref()
            .is_err_and(|why| why.starts_with("cosign.content.digest")),
        "{got:?}"
    );
}

fn entry(id: &str) -> Value {
    let sources: Value = serde_json::from_slice(&read("sources.json")).unwrap();
    sources
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id}"))
        .clone()
}

/// Entry `id` (a message signature by a `key` leaf with an `alg` message digest) verifies
/// from its digest alone, and with any single bit of the digest changed (in the bundle's
/// message digest too, so that the signature itself is what must fail) it does not.
fn verifies_only_for_its_digest(id: &str, key: &str, alg: &str) {
    let mut e = entry(id);
    assert_eq!(e["leaf"]["key"], key, "{id}");
    // From the digest alone.
    e["artifact"] = Value::Null;
    let plugin = CosignPlugin::new();
    assert_eq!(verify(&plugin, &e, None), Ok(()), "{id}");
    let digest = e["artifact_digest"].as_str().unwrap().to_owned();
    let hex_part = digest.strip_prefix(&format!("{alg}:")).unwrap();
    let bytes = hex::decode(hex_part).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut bundle: Value = serde_json::from_slice(&read(e["file"].as_str().unwrap())).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("realworld-{id}"));
    std::fs::create_dir_all(&dir).unwrap();
    for bit in [0usize, 7, 100, 255, bytes.len() * 8 - 1] {
        let mut b = bytes.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        bundle["messageSignature"]["messageDigest"]["digest"] = Value::String(b64.encode(&b));
        let file = dir.join(format!("bit-{bit}.json"));
        std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
        let mut changed = e.clone();
        changed["file"] = Value::String(file.display().to_string());
        changed["artifact_digest"] = Value::String(format!("{alg}:{}", hex::encode(&b)));
        let got = verify(&plugin, &changed, None);
        assert!(
            got.as_ref()
                .is_err_and(|why| why.starts_with("cosign.content.signature")),
            "{id} bit {bit}: {got:?}"
        );
    }
}
