//! Container images in an OCI image layout, offline: `cosign verify IMAGE --oci-layout DIR`
//! and `cosign verify-attestation`.
//!
//! Two ways of attaching Sigstore signatures to an image are read:
//!
//! - **cosign's tags**: an image manifest tagged `sha256-<digest>.sig` whose layers are
//!   simple-signing payloads (`application/vnd.dev.cosign.simplesigning.v1+json`), each with
//!   its signature, certificate, chain, Rekor bundle (SET) and RFC 3161 timestamp in layer
//!   annotations; attestations tagged `sha256-<digest>.att`, layers that are DSSE envelopes.
//!   `cosign save` lays them out without tags, marked `kind:
//!   dev.cosignproject.cosign/image|imageIndex|sigs|atts`.
//! - **OCI 1.1 referrers**: manifests whose `subject` is the image and whose `artifactType`
//!   is a Sigstore bundle media type, the bundle as their layer (cosign `--new-bundle-format`,
//!   sigstore-go, GitHub's `attest`).
//!
//! Each cosign layer is turned into the Sigstore bundle (v0.1) it is the older form of and
//! verified by the same code as any bundle ([`crate::verify_with_value`]); so are referrer
//! bundles. Every blob read is checked against its descriptor's digest and size. The image is
//! verified when at least one signature (or attestation of the requested type) verifies, as
//! cosign decides; the others are listed with why they failed.

use crate::verified::VerifiedSigner;
use crate::{Artifact, Signer, TrustedRoot};
use base64::Engine as _;
use plugin_api::{Insecure, Report, VerificationTime};
use serde_json::{json, Map, Value};
use sha2::Digest as _;

/// Largest `index.json` or manifest read (registries cap manifests at 4 MiB).
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// Largest simple-signing payload read.
pub const MAX_PAYLOAD_BYTES: u64 = 1 << 20;
/// Largest number of index entries or referrers looked at.
pub const MAX_ENTRIES: usize = 1000;
/// Largest number of signature layers verified per image.
pub const MAX_SIGNATURES: usize = 64;

/// Media types.
pub mod media {
    /// cosign's simple-signing payload layer.
    pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
    /// A DSSE envelope layer (cosign attestations).
    pub const DSSE: &str = "application/vnd.dsse.envelope.v1+json";
    /// Sigstore bundle media types start so.
    pub const BUNDLE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";
    /// An OCI image index.
    pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
}

/// The predicate type of a cosign image signature in bundle form.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// Check ids.
pub mod checks {
    /// `cosign.oci.layout`: the layout's index is read and the image resolved to a digest.
    pub const LAYOUT: &str = "cosign.oci.layout";
    /// `cosign.oci.signatures`: at least one signature of the image verifies.
    pub const SIGNATURES: &str = "cosign.oci.signatures";
    /// `cosign.oci.attestations`: at least one attestation of the image (of the requested
    /// predicate type) verifies.
    pub const ATTESTATIONS: &str = "cosign.oci.attestations";
}

/// Reads a blob of the layout by digest (`sha256:HEX`), at most `max` bytes. The caller
/// provides the file system; [`verify_image`] checks what it returns against the digest.
pub type BlobReader<'a> = &'a dyn Fn(&str, u64) -> Result<Vec<u8>, String>;

/// What to verify.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    /// Image signatures (`cosign verify`).
    Signatures,
    /// Attestations (`cosign verify-attestation`), of this predicate type (a URI) if given.
    Attestations(Option<&'a str>),
}

/// Everything [`verify_image`] needs.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// `index.json` of the layout.
    pub index: &'a [u8],
    /// Reads blobs.
    pub blobs: BlobReader<'a>,
    /// The image: `NAME@sha256:HEX`, `sha256:HEX`, `NAME:TAG` or `TAG` (a tag is looked up in
    /// the layout's index by `org.opencontainers.image.ref.name`).
    pub image: &'a str,
    /// The trusted root.
    pub root: &'a TrustedRoot,
    /// Who must have signed.
    pub signer: Signer<'a>,
    /// Verification time.
    pub time: VerificationTime,
    /// Insecure modes in effect.
    pub insecure: &'a [Insecure],
    /// What to verify.
    pub mode: Mode<'a>,
}

impl std::fmt::Debug for Inputs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("image", &self.image)
            .field("time", &self.time)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// A `cosign save` layout's image (or image index) entry.
fn is_saved_image(d: &Descriptor) -> bool {
    matches!(
        annotation(d, "kind"),
        Some("dev.cosignproject.cosign/image" | "dev.cosignproject.cosign/imageIndex")
    )
}

/// One manifest reference of the layout.
#[derive(Debug, Clone)]
struct Descriptor {
    media_type: String,
    digest: String,
    size: u64,
    annotations: Map<String, Value>,
    artifact_type: Option<String>,
}

fn descriptor(v: &Value) -> Result<Descriptor, String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let digest = s("digest").ok_or("a descriptor has no digest")?;
    if !is_sha256_digest(&digest) {
        return Err(format!("descriptor digest {digest:?} is not sha256:HEX"));
    }
    Ok(Descriptor {
        media_type: s("mediaType").unwrap_or_default(),
        digest,
        size: v
            .get("size")
            .and_then(Value::as_u64)
            .ok_or("a descriptor has no size")?,
        annotations: v
            .get("annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        artifact_type: s("artifactType"),
    })
}

fn is_sha256_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Reads the blob `d` and checks it against its descriptor (digest and size).
fn blob(blobs: BlobReader<'_>, d: &Descriptor, max: u64) -> Result<Vec<u8>, String> {
    if d.size > max {
        return Err(format!(
            "blob {} is {} bytes, over the {max}-byte budget",
            d.digest, d.size
        ));
    }
    let bytes = blobs(&d.digest, max)?;
    let got = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
    if got != d.digest {
        return Err(format!(
            "blob {} does not match its digest (its bytes hash to {got})",
            d.digest
        ));
    }
    if bytes.len() as u64 != d.size {
        return Err(format!(
            "blob {} is {} bytes, its descriptor says {}",
            d.digest,
            bytes.len(),
            d.size
        ));
    }
    Ok(bytes)
}

fn json_of(bytes: &[u8], what: &str) -> Result<Value, String> {
    plugin_api::json::from_slice(bytes).map_err(|e| format!("{what} is not JSON: {e}"))
}

/// The entries of `index.json` (at most [`MAX_ENTRIES`]).
fn entries(index: &[u8]) -> Result<Vec<Descriptor>, String> {
    if index.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(format!(
            "index.json is {} bytes, over the {MAX_MANIFEST_BYTES}-byte budget",
            index.len()
        ));
    }
    let v = json_of(index, "index.json")?;
    let list = v
        .get("manifests")
        .and_then(Value::as_array)
        .ok_or("index.json has no manifests array")?;
    if list.len() > MAX_ENTRIES {
        return Err(format!(
            "index.json lists {} manifests, over the budget of {MAX_ENTRIES}",
            list.len()
        ));
    }
    list.iter().map(descriptor).collect()
}

fn annotation<'a>(d: &'a Descriptor, key: &str) -> Option<&'a str> {
    d.annotations.get(key).and_then(Value::as_str)
}

/// The tag of a reference: `NAME:TAG` → `TAG`; a bare `TAG` (no `/`) is itself; a `NAME`
/// with `/` and no tag is `latest`, as for docker and cosign.
fn tag_of(image: &str) -> &str {
    // The last `:` after the last `/` separates the tag (a port is before a `/`).
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, t)) => t,
        None if image.contains('/') => "latest",
        None => last,
    }
}

/// The image's manifest digest.
fn resolve(image: &str, entries: &[Descriptor]) -> Result<(String, String), String> {
    if let Some((_, d)) = image.rsplit_once('@') {
        return if is_sha256_digest(d) {
            Ok((d.to_owned(), "by digest".into()))
        } else {
            Err(format!(
                "{image:?}: the digest is not sha256:HEX (64 lowercase hex digits)"
            ))
        };
    }
    if is_sha256_digest(image) {
        return Ok((image.to_owned(), "by digest".into()));
    }
    let tag = tag_of(image);
    let named: Vec<&Descriptor> = entries
        .iter()
        .filter(|d| annotation(d, REF_NAME).is_some_and(|n| n == image || n == tag))
        .collect();
    match named.as_slice() {
        [one] => Ok((
            one.digest.clone(),
            format!("tag {tag:?} in the layout's index (a tag is only a name: the digest is what is verified)"),
        )),
        [] => {
            // `cosign save`: one image marked by kind.
            let images: Vec<&Descriptor> = entries
                .iter()
                .filter(|d| is_saved_image(d))
                .collect();
            match images.as_slice() {
                [one] => Ok((
                    one.digest.clone(),
                    "the image of a cosign save layout (no tag in it names another)".into(),
                )),
                _ => Err(format!("no manifest of the layout is tagged {tag:?}")),
            }
        }
        _ => Err(format!("{} manifests of the layout are tagged {tag:?}", named.len())),
    }
}

/// One signature or attestation found for the image, as a bundle to verify.
struct Candidate {
    /// Where it came from, for the report.
    source: String,
    bundle: Vec<u8>,
    /// For a cosign simple-signing layer: the payload (the signed artifact).
    payload: Option<Vec<u8>>,
    /// The predicate type (attestations), if known before verification.
    predicate_type: Option<String>,
}

/// Verifies the image's signatures or attestations (see the module documentation).
pub fn verify_image(inputs: Inputs<'_>) -> Report {
    let r = Report::builder(crate::PLUGIN)
        .subject(inputs.image)
        .verified_at(inputs.time)
        .insecure_modes(inputs.insecure);
    let entries = match entries(inputs.index) {
        Ok(e) => e,
        Err(e) => return r.fail(checks::LAYOUT, e).finish(),
    };
    let (digest, how) = match resolve(inputs.image, &entries) {
        Ok(d) => d,
        Err(e) => return r.fail(checks::LAYOUT, e).finish(),
    };
    let r = r
        .pass(
            checks::LAYOUT,
            format!("{} → {digest} ({how})", inputs.image),
        )
        .output("image_digest", digest.clone());
    let check = match inputs.mode {
        Mode::Signatures => checks::SIGNATURES,
        Mode::Attestations(_) => checks::ATTESTATIONS,
    };
    let (candidates, problems) = candidates(&inputs, &entries, &digest);
    let mut r = r;
    for p in &problems {
        r = r.warning(p.clone());
    }
    let Ok(image_digest) = <[u8; 32]>::try_from(
        hex::decode(digest.trim_start_matches("sha256:"))
            .unwrap_or_default()
            .as_slice(),
    ) else {
        return r.fail(check, "internal: the image digest").finish();
    };
    if candidates.is_empty() {
        let what = match inputs.mode {
            Mode::Signatures => "signature".to_owned(),
            Mode::Attestations(None) => "attestation".to_owned(),
            Mode::Attestations(Some(t)) => format!("attestation of type {t}"),
        };
        let mut why = format!(
            "no {what} of {digest} in the layout (tag {}, cosign save kinds, or an OCI referrer with a Sigstore bundle)",
            tag_for(&digest, inputs.mode)
        );
        if !problems.is_empty() {
            why.push_str(&format!("; {} unreadable (see warnings)", problems.len()));
        }
        return r.fail(check, why).finish();
    }
    let mut results = Vec::new();
    let mut verified = 0usize;
    let total = candidates.len();
    for c in candidates {
        let outcome = verify_candidate(&inputs, &c, &image_digest, &digest);
        match &outcome {
            Ok(detail) => {
                verified += 1;
                results.push(json!({"source": c.source, "ok": true, "detail": detail}));
            }
            Err(why) => {
                r = r.warning(format!("{}: {why}", c.source));
                results.push(json!({"source": c.source, "ok": false, "detail": why}));
            }
        }
    }
    let r = r.output(
        match inputs.mode {
            Mode::Signatures => "signatures",
            Mode::Attestations(_) => "attestations",
        },
        Value::Array(results.clone()),
    );
    if verified == 0 {
        let first = results
            .first()
            .and_then(|v| v.get("detail"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        r.fail(
            check,
            format!("none of the {total} found verifies (first: {first})"),
        )
        .finish()
    } else {
        let first = results
            .iter()
            .find(|v| v["ok"] == true)
            .and_then(|v| v.get("detail"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        r.pass(
            check,
            format!("{verified} of {total} found verify ({first})"),
        )
        .finish()
    }
}

fn tag_for(digest: &str, mode: Mode<'_>) -> String {
    let suffix = match mode {
        Mode::Signatures => "sig",
        Mode::Attestations(_) => "att",
    };
    format!("{}.{suffix}", digest.replacen(':', "-", 1))
}

/// The candidates for the image, and the problems met reading the layout (each a warning:
/// an unreadable signature is one that does not verify).
fn candidates(
    inputs: &Inputs<'_>,
    entries: &[Descriptor],
    digest: &str,
) -> (Vec<Candidate>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let tag = tag_for(digest, inputs.mode);
    let kind = match inputs.mode {
        Mode::Signatures => "dev.cosignproject.cosign/sigs",
        Mode::Attestations(_) => "dev.cosignproject.cosign/atts",
    };
    let image_kinds = entries.iter().filter(|d| is_saved_image(d)).count();
    for d in entries {
        let name = annotation(d, REF_NAME);
        let tagged = name.is_some_and(|n| n == tag || tag_of(n) == tag);
        // A cosign save layout holds one image: its sigs/atts are that image's (and the
        // payloads must still name the digest).
        let saved = image_kinds == 1 && annotation(d, "kind") == Some(kind);
        if tagged || saved {
            match cosign_layers(inputs, d) {
                Ok(mut c) => out.append(&mut c),
                Err(e) => problems.push(format!("{}: {e}", d.digest)),
            }
        }
    }
    let (mut found, mut unreadable) = referrers(inputs, entries, digest);
    out.append(&mut found);
    problems.append(&mut unreadable);
    // The layer's or referrer's own (unverified) predicate label only narrows the search:
    // what verifies is checked again against the verified statement.
    out.retain(|c| match (inputs.mode, c.predicate_type.as_deref()) {
        (_, None) => true,
        (Mode::Signatures, Some(t)) => t == COSIGN_SIGN_PREDICATE,
        (Mode::Attestations(None), Some(t)) => t != COSIGN_SIGN_PREDICATE,
        (Mode::Attestations(Some(want)), Some(t)) => t == want,
    });
    out.truncate(MAX_SIGNATURES);
    (out, problems)
}

/// The layers of a cosign `.sig`/`.att` manifest, as bundles.
fn cosign_layers(inputs: &Inputs<'_>, d: &Descriptor) -> Result<Vec<Candidate>, String> {
    let manifest = json_of(&blob(inputs.blobs, d, MAX_MANIFEST_BYTES)?, "the manifest")?;
    let layers = manifest
        .get("layers")
        .and_then(Value::as_array)
        .ok_or("the manifest has no layers")?;
    let mut out = Vec::new();
    for (i, layer) in layers.iter().take(MAX_SIGNATURES).enumerate() {
        let l = descriptor(layer)?;
        let source = format!("{} layer {i}", annotation(d, REF_NAME).unwrap_or(&d.digest));
        let (bundle, payload, predicate_type) = match (inputs.mode, l.media_type.as_str()) {
            (Mode::Signatures, media::SIMPLE_SIGNING) => {
                let payload = blob(inputs.blobs, &l, MAX_PAYLOAD_BYTES)?;
                let sig = annotation(&l, "dev.cosignproject.cosign/signature")
                    .ok_or_else(|| format!("{source}: no signature annotation"))?;
                let content = json!({
                    "messageSignature": {
                        "messageDigest": {
                            "algorithm": "SHA2_256",
                            "digest": b64(&sha2::Sha256::digest(&payload)),
                        },
                        "signature": sig,
                    }
                });
                (legacy_bundle(&l, content)?, Some(payload), None)
            }
            (Mode::Attestations(_), media::DSSE) => {
                let envelope = json_of(
                    &blob(inputs.blobs, &l, crate::MAX_BUNDLE_BYTES as u64)?,
                    "the DSSE envelope",
                )?;
                let content = json!({ "dsseEnvelope": envelope });
                (
                    legacy_bundle(&l, content)?,
                    None,
                    annotation(&l, "predicateType").map(str::to_owned),
                )
            }
            _ => continue,
        };
        out.push(Candidate {
            source,
            bundle,
            payload,
            predicate_type,
        });
    }
    Ok(out)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The v0.1 bundle a cosign layer stands for: its certificate and chain (or a key), its Rekor
/// bundle as a log entry with an inclusion promise, its RFC 3161 timestamp.
fn legacy_bundle(layer: &Descriptor, content: Value) -> Result<Vec<u8>, String> {
    let mut material = Map::new();
    match annotation(layer, "dev.sigstore.cosign/certificate") {
        Some(pem) => {
            let mut certs = pem_certificates(pem)?;
            if let Some(chain) = annotation(layer, "dev.sigstore.cosign/chain") {
                certs.extend(pem_certificates(chain)?);
            }
            material.insert(
                "x509CertificateChain".into(),
                json!({ "certificates": certs.iter().map(|c| json!({"rawBytes": b64(c)})).collect::<Vec<_>>() }),
            );
        }
        None => {
            material.insert("publicKey".into(), json!({ "hint": "" }));
        }
    }
    let mut entries = Vec::new();
    if let Some(rb) = annotation(layer, "dev.sigstore.cosign/bundle") {
        let v = json_of(rb.as_bytes(), "the Rekor bundle annotation")?;
        let p = v.get("Payload").ok_or("the Rekor bundle has no Payload")?;
        let body = p
            .get("body")
            .and_then(Value::as_str)
            .ok_or("the Rekor bundle has no body")?;
        let body_json = json_of(
            &base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|e| format!("the Rekor bundle body is not base64: {e}"))?,
            "the Rekor bundle body",
        )?;
        let field = |k: &str| {
            body_json
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("the Rekor entry body has no {k}"))
        };
        let log_id = p
            .get("logID")
            .and_then(Value::as_str)
            .ok_or("the Rekor bundle has no logID")?;
        let log_id = hex::decode(log_id).map_err(|e| format!("logID is not hex: {e}"))?;
        let number = |k: &str| {
            p.get(k)
                .and_then(Value::as_i64)
                .map(|n| n.to_string())
                .ok_or_else(|| format!("the Rekor bundle has no integer {k}"))
        };
        let set = v
            .get("SignedEntryTimestamp")
            .and_then(Value::as_str)
            .ok_or("the Rekor bundle has no SignedEntryTimestamp")?;
        entries.push(json!({
            "logIndex": number("logIndex")?,
            "logId": {"keyId": b64(&log_id)},
            "kindVersion": {"kind": field("kind")?, "version": field("apiVersion")?},
            "integratedTime": number("integratedTime")?,
            "inclusionPromise": {"signedEntryTimestamp": set},
            "canonicalizedBody": body,
        }));
    }
    material.insert("tlogEntries".into(), Value::Array(entries));
    if let Some(ts) = annotation(layer, "dev.sigstore.cosign/rfc3161timestamp") {
        let v = json_of(ts.as_bytes(), "the RFC 3161 timestamp annotation")?;
        let token = v
            .get("SignedRFC3161Timestamp")
            .and_then(Value::as_str)
            .ok_or("the timestamp annotation has no SignedRFC3161Timestamp")?;
        material.insert(
            "timestampVerificationData".into(),
            json!({ "rfc3161Timestamps": [{ "signedTimestamp": token }] }),
        );
    }
    let mut bundle = Map::new();
    bundle.insert(
        "mediaType".into(),
        Value::String("application/vnd.dev.sigstore.bundle+json;version=0.1".into()),
    );
    bundle.insert("verificationMaterial".into(), Value::Object(material));
    if let Value::Object(c) = content {
        bundle.extend(c);
    }
    serde_json::to_vec(&Value::Object(bundle)).map_err(|e| format!("internal: {e}"))
}

fn pem_certificates(pem: &str) -> Result<Vec<Vec<u8>>, String> {
    plugin_x509::certificates_from_pem_or_der(pem.as_bytes(), 8)
        .map(|certs| certs.iter().map(|c| c.der().to_vec()).collect())
        .map_err(|e| format!("a certificate annotation: {e}"))
}

/// OCI 1.1 referrers of the image listed in the index (as `oras copy` and `skopeo` lay
/// them out), and those listed by the referrers tag schema's index (tag `sha256-HEX`).
fn referrers(
    inputs: &Inputs<'_>,
    entries: &[Descriptor],
    digest: &str,
) -> (Vec<Candidate>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut manifests: Vec<Descriptor> = Vec::new();
    let fallback_tag = digest.replacen(':', "-", 1);
    for d in entries {
        if d.media_type == media::INDEX
            && annotation(d, REF_NAME)
                .is_some_and(|n| n == fallback_tag || tag_of(n) == fallback_tag)
        {
            // The referrers tag schema: an index of the referrers.
            match blob(inputs.blobs, d, MAX_MANIFEST_BYTES)
                .and_then(|b| json_of(&b, "the referrers index"))
                .and_then(|v| {
                    v.get("manifests")
                        .and_then(Value::as_array)
                        .ok_or_else(|| "the referrers index has no manifests".to_owned())
                        .and_then(|l| {
                            l.iter()
                                .take(MAX_ENTRIES)
                                .map(descriptor)
                                .collect::<Result<Vec<_>, _>>()
                        })
                }) {
                Ok(mut l) => manifests.append(&mut l),
                Err(e) => problems.push(format!("{}: {e}", d.digest)),
            }
        } else if d.media_type != media::INDEX {
            manifests.push(d.clone());
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in manifests.iter().take(MAX_ENTRIES) {
        if !seen.insert(d.digest.clone()) {
            continue;
        }
        // Only manifests that say they carry a Sigstore bundle are read further (an image's
        // own manifest carries no artifactType).
        let declared = d
            .artifact_type
            .as_deref()
            .is_some_and(|t| t.starts_with(media::BUNDLE_PREFIX));
        let manifest = match blob(inputs.blobs, d, MAX_MANIFEST_BYTES)
            .and_then(|b| json_of(&b, "a manifest"))
        {
            Ok(m) => m,
            Err(e) if declared => {
                problems.push(format!("{}: {e}", d.digest));
                continue;
            }
            Err(_) => continue,
        };
        let subject = manifest
            .get("subject")
            .and_then(|s| s.get("digest"))
            .and_then(Value::as_str);
        let artifact_type = manifest
            .get("artifactType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if subject != Some(digest) || !artifact_type.starts_with(media::BUNDLE_PREFIX) {
            continue;
        }
        let layers = manifest
            .get("layers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let [layer] = layers.as_slice() else {
            problems.push(format!(
                "referrer {}: {} layers, one bundle expected",
                d.digest,
                layers.len()
            ));
            continue;
        };
        let bundle = match descriptor(layer)
            .and_then(|l| blob(inputs.blobs, &l, crate::MAX_BUNDLE_BYTES as u64))
        {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("referrer {}: {e}", d.digest));
                continue;
            }
        };
        let predicate_type = manifest
            .get("annotations")
            .and_then(|a| a.get("dev.sigstore.bundle.predicateType"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        out.push(Candidate {
            source: format!("referrer {}", d.digest),
            bundle,
            payload: None,
            predicate_type,
        });
    }
    (out, problems)
}

/// Verifies one candidate: the bundle, then what it says about the image.
fn verify_candidate(
    inputs: &Inputs<'_>,
    c: &Candidate,
    image_digest: &[u8; 32],
    digest: &str,
) -> Result<String, String> {
    let artifact = match &c.payload {
        Some(p) => Artifact::Bytes(p),
        None => Artifact::Sha256Digest(*image_digest),
    };
    let (report, verified) = crate::verify_with_value(
        &c.bundle,
        inputs.root,
        artifact,
        inputs.signer,
        inputs.time,
        inputs.insecure,
        None,
    );
    let Some(v) = verified else {
        return Err(match report.first_failure() {
            Some(f) => format!("{}: {}", f.id, f.explanation()),
            None => report
                .errors()
                .first()
                .cloned()
                .unwrap_or_else(|| "does not verify".into()),
        });
    };
    // What the verified content says.
    let statement_type = v.statement.as_ref().and_then(|s| s.predicate_type.clone());
    match (&c.payload, inputs.mode) {
        (Some(payload), _) => simple_signing(payload, digest)?,
        (None, Mode::Signatures) => {
            // A bundle referrer: a cosign image signature is a statement of the sign
            // predicate (or a message signature over the digest, checked above).
            if let Some(t) = &statement_type {
                if t != COSIGN_SIGN_PREDICATE {
                    return Err(format!(
                        "an attestation ({t}), not an image signature ({COSIGN_SIGN_PREDICATE})"
                    ));
                }
            }
        }
        (None, Mode::Attestations(expected)) => {
            let Some(t) = &statement_type else {
                return Err("a message signature, not an attestation".into());
            };
            if t == COSIGN_SIGN_PREDICATE {
                return Err("an image signature, not an attestation".into());
            }
            if let Some(want) = expected {
                if t != want {
                    return Err(format!("predicateType {t}, not {want}"));
                }
            }
        }
    }
    let who = match &v.signer {
        VerifiedSigner::Certificate { san, issuer, .. } => format!("{san} ({issuer})"),
        VerifiedSigner::Key { sha256_id } => format!("key sha256:{}", hex::encode(sha256_id)),
    };
    let what = statement_type.map(|t| format!(" {t}")).unwrap_or_default();
    Ok(format!("{}:{what} signed by {who}", c.source))
}

/// cosign's simple-signing payload must be an image signature naming this digest.
fn simple_signing(payload: &[u8], digest: &str) -> Result<(), String> {
    let v = json_of(payload, "the signed payload")?;
    let critical = v
        .get("critical")
        .ok_or("the signed payload has no critical section")?;
    let kind = critical
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind != "cosign container image signature" {
        return Err(format!(
            "the signed payload's type is {kind:?}, not a cosign container image signature"
        ));
    }
    let named = critical
        .get("image")
        .and_then(|i| i.get("docker-manifest-digest"))
        .and_then(Value::as_str)
        .ok_or("the signed payload names no image digest")?;
    if named != digest {
        return Err(format!("the signature is for {named}, not {digest}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn tags_and_digests() {
        assert_eq!(tag_of("registry.example:5000/acme/app:v1"), "v1");
        assert_eq!(tag_of("v1"), "v1");
        assert_eq!(tag_of("registry.example:5000/acme/app"), "latest");
        assert!(is_sha256_digest(&format!("sha256:{}", "a".repeat(64))));
        assert!(!is_sha256_digest(&format!("sha256:{}", "A".repeat(64))));
        assert!(!is_sha256_digest("sha512:00"));
    }
}
